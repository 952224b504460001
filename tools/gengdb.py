#!/usr/bin/env python3
"""gengdb.py TEMPLATE OUT - tools/atlas.gdb with the addresses of include/memlayout.h.

The template names constants of include/memlayout.h as @NAME@; a line that is
exactly @MEMLAYOUT@ becomes one `set $NAME = 0x...` per constant in LAYOUT, so
that gdb sessions can say `x/4gx $DIRECT_MAP_BASE + 0x1000`. The values come
from the header itself, through the C preprocessor (LINKER_SCRIPT: plain
numbers, as the linker script sees them), never from a copy: a constant the
header does not define stops the build.
"""
import ast
import operator
import re
import subprocess
import sys

# What `set` makes available in gdb, bottom of the address space up.
LAYOUT = [
    "USER_NULL_GUARD_END", "USER_IMAGE_BASE", "USER_MMAP_TOP", "USER_STACK_GUARD", "USER_STACK_GUARD_END",
    "USER_STACK_TOP", "USER_END", "DIRECT_MAP_BASE", "DIRECT_MAP_END", "RECURSIVE_BASE", "RECURSIVE_END",
    "KERNEL_BASE", "KHEAP_BASE", "KHEAP_END", "KSTACK_AREA_BASE", "KSTACK_AREA_END", "KMMIO_BASE", "KMMIO_END",
]  # fmt: skip

OPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
    ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitOr: operator.or_, ast.BitAnd: operator.and_,
}  # fmt: skip


def evaluate(expr):
    """The value of a preprocessed C constant expression: integers, + - * / << >> | &, parentheses."""
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", expr).replace("/", "//")

    def walk(n):
        if isinstance(n, ast.Expression):
            return walk(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.BinOp) and type(n.op) in OPS:
            return OPS[type(n.op)](walk(n.left), walk(n.right))
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -walk(n.operand)
        raise ValueError(f"not a constant expression: {expr}")

    return walk(ast.parse(expr.strip(), mode="eval")) & 0xFFFF_FFFF_FFFF_FFFF


def values(names):
    # "@@ i @@ NAME": the index survives the preprocessor, the name is expanded.
    src = '#include "memlayout.h"\n' + "".join(f"@@ {i} @@ {n}\n" for i, n in enumerate(names))
    out = subprocess.run(["cpp", "-P", "-DLINKER_SCRIPT", "-iquote", "include"], input=src, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    got = {}
    for line in out.splitlines():
        m = re.match(r"@@ (\d+) @@ (.*)", line)
        if m:
            name = names[int(m.group(1))]
            if m.group(2).strip() == name:
                sys.exit(f"gengdb: include/memlayout.h does not define {name}")
            got[name] = evaluate(m.group(2))
    return got


def main():
    template, out = sys.argv[1:3]
    text = open(template).read()
    names = sorted(set(re.findall(r"@([A-Z][A-Z0-9_]*)@", text)) - {"MEMLAYOUT"} | set(LAYOUT))
    val = values(names)
    lines = []
    for line in text.splitlines():
        if line.strip() == "@MEMLAYOUT@":
            lines += [f"set ${n} = {val[n]:#x}" for n in LAYOUT]
        else:
            lines.append(re.sub(r"@([A-Z][A-Z0-9_]*)@", lambda m: f"{val[m.group(1)]:#x}", line))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
