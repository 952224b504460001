"""The ring-3 programs built with glibc (gcc -static): /usr/lib/atlas/glibc/NAME in the initramfs.

glibc's static start-up makes calls musl's does not (set_robust_list, rseq,
prlimit64, readlink of /proc/self/exe, newfstatat), passes AT_FDCWD
zero-extended, forks through clone and returns from signal handlers through
its own restorer: one boot runs each program from a shell script and checks
its exit status and its last line, as the musl builds are checked in the
ring-3 suite (tests/user/README.md).
"""

import re

import pytest

from atlas_qemu import BUILD
from test_userland import make_initrd

NAMES = sorted(p.stem for p in (BUILD / "user" / "glibc").glob("*.elf"))
ARGS = {"proc_self": "alpha beta"}
ENV = {"proc_self": "PROC_SELF=1"}


def script():
    lines = ["#!/bin/sh", "cd /tmp"]
    for name in NAMES:
        env = f"env -i {ENV[name]} " if name in ENV else ""
        lines += [f"echo '=== {name}'", f"{env}/usr/lib/atlas/glibc/{name} {ARGS.get(name, '')}", f"echo \"status $?\""]
    lines += ["echo '=== end'", ""]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def runs(atlas, tmp_path_factory):
    assert NAMES, "no glibc programs were built (make: build/user/glibc/*.elf)"
    tmp = tmp_path_factory.mktemp("glibc")
    initrd = make_initrd(tmp, {"/test/glibc.sh": script()})
    run = atlas.boot("glibc", cfg='report=human on_finish=exit tests=none init="/bin/sh /test/glibc.sh"',
                     memory="256M", files={"/atlas/initrd.cpio": initrd})  # fmt: skip
    text = run.serial.replace("\r", "")
    assert "=== end" in text, run.tail()
    out = {}
    for m in re.finditer(r"^=== (\S+)\n(.*?)(?=^=== )", text, re.M | re.S):
        out[m.group(1)] = m.group(2)
    return out, run


@pytest.mark.parametrize("name", NAMES)
def test_glibc_program(runs, name):
    out, run = runs
    got = out.get(name)
    assert got is not None, run.tail()
    assert got.rstrip().endswith("status 0"), f"{name}:\n{got}"
    assert f"{name}: " in got and "FAIL" not in got, got
