#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the ring-3 test programs natively under Linux (`make user-host`).

They are ordinary static Linux programs, so each one must meet its ATLAS-*
expectation on the build host too, read through `tools/mkprogs.sh --list` (the
parser the kernel's table comes from):

- exit=N: the exit status is N;
- signal=SIGxxx cause="...": the process dies of that signal (the cause is
  Atlas's words and cannot be checked here);
- ATLAS-ARGS / ATLAS-ENV: argv[1..] and the whole environment, as on Atlas;
- ATLAS-INSTANCES: N copies at once, copy i with "i" appended to argv;
- ATLAS-REPEAT: N runs in a row; ATLAS-ORDER: table order already honours it.

Limits as on Atlas: an 8 MiB stack (RLIMIT_STACK), no core files. Linux's
stdout here is a pipe, as Atlas's console is not a terminal.

Also checks the generated suite file ($(BUILD)/suite.bin, \\atlas\\suite.bin on the
ESP): builds a host program from the kernel's own reader core/lib/suitefile.c and
decoder core/lib/lz.c that checks the file, decodes and prints every entry, and compares it with the parsed comments and the ELF files. With --strace, also checks that each
program makes only the system calls Atlas implements.

Prints one "ok"/"not ok" line per check and ends with "N passed, N failed".
"""

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIELDS = ("name", "kind", "code", "signal", "cause", "args", "env", "instances", "repeat", "after")

# What Atlas implements (Linux names as strace prints them). syscall_0x...
# are bad_pointers' deliberate unknown numbers.
ATLAS_SYSCALLS = {
    "read", "write", "writev", "open", "openat", "close", "lseek", "mmap", "munmap", "mprotect", "brk",
    "madvise", "exit", "exit_group", "getpid", "gettid", "arch_prctl", "set_tid_address", "ioctl",
    "clock_gettime", "nanosleep", "sched_yield", "uname", "getrandom",
}

# Linux-only calls a program makes deliberately when it is not on Atlas.
HOST_ONLY = {"bad_pointers": {"pipe2"}}

TABLE_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include "lz.h"
#include "suitefile.h"
/*
 * The suite file argv[1] read by core/lib/suitefile.c, then every entry, its ELF decoded
 * (core/lib/lz.c) against the decoded dictionary: size, FNV-1a-64, stream size.
 */
int main(int argc, char **argv)
{
	struct user_lz user_progs_dict;
	struct user_prog *user_progs;
	uint64_t user_progs_count;
	char err[SUITE_ERR_MAX];
	FILE *fp = argc == 2 ? fopen(argv[1], "rb") : NULL;
	uint8_t *file;
	long size, n;

	if (!fp || fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
		fprintf(stderr, "cannot read %s\n", argc == 2 ? argv[1] : "(no file named)");
		return 1;
	}
	file = malloc((size_t)size + 1);
	if (fread(file, 1, (size_t)size, fp) != (size_t)size) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(fp);
	n = suite_parse(file, (uint64_t)size, NULL, NULL, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 1;
	}
	user_progs_count = (uint64_t)n;
	user_progs = calloc((size_t)n + 1, sizeof(*user_progs));
	suite_parse(file, (uint64_t)size, user_progs, &user_progs_dict, err, sizeof(err));

	uint8_t *dict = malloc(user_progs_dict.size + 1);
	n = lz_decompress(dict, user_progs_dict.size, user_progs_dict.lz, user_progs_dict.lz_size, NULL, 0);

	if (n != (long)user_progs_dict.size) {
		fprintf(stderr, "the dictionary does not decode: %s (%ld)\n", lz_strerror(n), n);
		return 1;
	}
	for (uint64_t i = 0; i < user_progs_count; i++) {
		const struct user_prog *p = &user_progs[i];
		uint8_t *elf = malloc(p->elf.size + 1);
		uint64_t h = 1469598103934665603ULL;

		n = lz_decompress(elf, p->elf.size, p->elf.lz, p->elf.lz_size, dict, user_progs_dict.size);
		if (n != (long)p->elf.size) {
			fprintf(stderr, "%s does not decode: %s (%ld)\n", p->name, lz_strerror(n), n);
			return 1;
		}
		for (uint64_t j = 0; j < p->elf.size; j++)
			h = (h ^ elf[j]) * 1099511628211ULL;
		free(elf);
		printf("%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%llu\t%llu\t%llu\n", p->name, p->expect_kind,
		       p->expect_code, p->expect_signal, p->expect_cause, p->args, p->env, p->instances, p->repeat,
		       p->after, (unsigned long long)p->elf.size, (unsigned long long)h,
		       (unsigned long long)p->elf.lz_size);
	}
	free(dict);
	return 0;
}
"""

def fnv1a(data):
    h = 1469598103934665603
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


class Report:
    def __init__(self):
        self.n = self.passed = self.failed = 0

    def result(self, ok, name, detail="", output=""):
        self.n += 1
        if ok:
            self.passed += 1
            print(f"ok {self.n} - {name}{' # ' + detail if detail else ''}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {name}: {detail}")
            for line in output.splitlines()[-20:]:
                print(f"#   {line}")
        sys.stdout.flush()


def load_table(sources):
    out = subprocess.run([os.path.join(ROOT, "tools/mkprogs.sh"), "--list"] + sources, check=True,
                         capture_output=True, text=True).stdout
    progs = []
    for line in out.splitlines():
        p = dict(zip(FIELDS, line.split("\t")))
        for k in ("code", "instances", "repeat"):
            p[k] = int(p[k])
        progs.append(p)
    return progs


def check_table(rep, progs, build, suite):
    if not os.path.exists(suite):
        rep.result(False, "progs_table", f"{suite} is missing (make user)")
        return
    cc = shutil.which("gcc") or shutil.which("cc")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "table.c")
        exe = os.path.join(tmp, "table")
        with open(src, "w") as f:
            f.write(TABLE_C)
        # The kernel's own reader (core/lib/suitefile.c) and decoder (core/lib/lz.c), with its printf.
        lib = [os.path.join(ROOT, "core", "lib", f) for f in ("suitefile.c", "lz.c", "fmt.c", "strutil.c")]
        r = subprocess.run([cc, "-std=gnu11", "-Wall", "-Werror", "-DATLAS_HOST", "-iquote",
                            os.path.join(ROOT, "include"), "-o", exe, src, *lib],
                           cwd=ROOT, capture_output=True, text=True)  # fmt: skip
        if r.returncode != 0:
            rep.result(False, "progs_table", "building a host program from core/lib/suitefile.c failed", r.stderr)
            return
        r = subprocess.run([exe, suite], capture_output=True, text=True)
        if r.returncode != 0:
            rep.result(False, "progs_table", "decoding the embedded programs failed", r.stderr)
            return
        lines = r.stdout.splitlines()
    errors = []
    if len(lines) != len(progs):
        errors.append(f"{len(lines)} entries, {len(progs)} programs")
    for line, p in zip(lines, progs):
        t = line.split("\t")
        want = [p["name"], str(int(p["kind"] == "signal")), str(p["code"]), p["signal"], p["cause"], p["args"],
                p["env"], str(p["instances"]), str(p["repeat"]), p["after"]]
        if t[:10] != want:
            errors.append(f"entry {t[0]}: {t[:10]} != {want}")
            continue
        with open(os.path.join(build, p["name"] + ".elf"), "rb") as f:
            data = f.read()
        if int(t[10]) != len(data) or int(t[11]) != fnv1a(data):
            errors.append(f"entry {p['name']}: embedded ELF differs from {p['name']}.elf")
        if not 0 < int(t[12]) < len(data):
            errors.append(f"entry {p['name']}: compressed to {t[12]} bytes, not less than the ELF's {len(data)}")
    rep.result(not errors, "progs_table", "; ".join(errors) if errors else
               f"{len(progs)} entries of {os.path.basename(suite)} match the ATLAS-* comments and the ELF files")


def limits():
    resource.setrlimit(resource.RLIMIT_STACK, (8 << 20, 8 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def argv_env(p, elf, instance=None):
    argv = [elf] + (p["args"].split(" ") if p["args"] else [])
    if instance is not None:
        argv.append(str(instance))
    env = dict(kv.split("=", 1) for kv in p["env"].split(" ")) if p["env"] else {}
    return argv, env


def outcome(p, rc):
    """None if rc meets the expectation, else what went wrong."""
    if p["kind"] == "exit":
        if rc == p["code"]:
            return None
        got = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit {rc}"
        return f"expected exit {p['code']}, got {got}"
    if rc == -p["code"]:
        return None
    got = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit {rc}"
    return f"expected {p['signal']}, got {got}"


def run_prog(rep, p, build, timeout):
    elf = os.path.relpath(os.path.join(build, p["name"] + ".elf"), ROOT)
    n = p["instances"]
    for run in range(p["repeat"]):
        procs = []
        for i in range(n):
            argv, env = argv_env(p, elf, i if n > 1 else None)
            procs.append(subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, preexec_fn=limits))
        outputs = []
        for i, proc in enumerate(procs):
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
                rep.result(False, p["name"], f"instance {i} run {run + 1}: timed out after {timeout} s",
                           out.decode(errors="replace"))
                return
            out = out.decode(errors="replace")
            outputs.append(out)
            why = outcome(p, proc.returncode)
            if why:
                where = (f"instance {i}, " if n > 1 else "") + (f"run {run + 1}/{p['repeat']}, " if p["repeat"] > 1 else "")
                rep.result(False, p["name"], where + why, out)
                return
    expect = f"exit {p['code']}" if p["kind"] == "exit" else p["signal"] + (f' ("{p["cause"]}" on Atlas)' if p["cause"] else "")
    extra = (f", {n} instances" if n > 1 else "") + (f", {p['repeat']} runs" if p["repeat"] > 1 else "")
    first = " | ".join(o.strip().splitlines()[0] for o in outputs if o.strip())
    rep.result(True, p["name"], f"{expect}{extra}" + (f": {first}" if first else ""))


def strace_prog(rep, p, build, timeout):
    elf = os.path.relpath(os.path.join(build, p["name"] + ".elf"), ROOT)
    argv, env = argv_env(p, elf, 0 if p["instances"] > 1 else None)
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as log:
        subprocess.run(["strace", "-f", "-qq", "-o", log.name] + argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, preexec_fn=limits, timeout=timeout)
        used = set()
        for line in log.read().splitlines():
            line = line.split(" ", 1)[1] if line[:1].isdigit() else line
            if line.startswith(("---", "+++", "<...")) or "(" not in line:
                continue
            used.add(line.split("(", 1)[0].strip())
    used.discard("execve")
    allowed = ATLAS_SYSCALLS | HOST_ONLY.get(p["name"], set())
    bad = sorted(s for s in used if s not in allowed and not s.startswith("syscall_"))
    rep.result(not bad, f"{p['name']} syscalls", ("uses " + ", ".join(bad) + ", which Atlas lacks") if bad else
               ", ".join(sorted(used)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build/user"), help="where NAME.elf are")
    ap.add_argument("--suite", default=os.path.join(ROOT, "build/suite.bin"), help="the suite file (tools/mkprogs.sh)")
    ap.add_argument("--strace", action="store_true", help="also check the system calls each program makes")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("names", nargs="*", help="only these programs")
    args = ap.parse_args()
    build = os.path.abspath(args.build)

    sources = sorted(os.path.join("tests/user", f) for f in os.listdir(os.path.join(ROOT, "tests/user"))
                     if f.endswith(".c"))
    os.chdir(ROOT)
    progs = load_table(sources)
    rep = Report()
    print("TAP version 14")
    if not args.names:
        check_table(rep, progs, build, os.path.abspath(args.suite))
    for p in progs:
        if args.names and p["name"] not in args.names:
            continue
        run_prog(rep, p, build, args.timeout)
        if args.strace:
            strace_prog(rep, p, build, args.timeout)
    print(f"1..{rep.n}")
    print(f"{rep.passed} passed, {rep.failed} failed")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
