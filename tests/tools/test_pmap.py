#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_pmap.py - Atlas's pmap (tools/userland/pmap.c), both builds (musl, which
goes into the initramfs, and glibc), against procps-ng 4.0.2's /usr/bin/pmap on
live processes of this host: stdout, stderr and exit status, byte for byte.

The processes are tests/tools/pmap_target.c (built here, static): a file mapped
shared and private, a deleted file, 64 MiB of anonymous memory, a PROT_NONE
page, a System V segment, a second thread, a zombie child, a command line with
control and UTF-8 characters; a second one with a command line longer than the
128 KiB procps reads; a third whose files' paths are longer than the 1 KiB line
buffer procps reads maps with (procps prints the pieces as areas: so do we). They are stopped (SIGSTOP) while the programs read them,
and procps runs before and after ours: a difference between those two runs
means the host changed something under the test, and the comparison is retried.

Every option people use, alone and combined (-x, -X, -XX, -d, -q, -p, -A),
several PIDs at once, a thread's id, a zombie, a PID that does not exist;
the C and C.UTF-8 locales (command-line escaping); bad options and arguments
(glibc's getopt messages, usage, status 1); the rc files (-n, -N, -c, -C); a
write error (stdout on /dev/full). Only -V differs on purpose (it does not
claim to be procps).

  tests/tools/test_pmap.py [--build build]     (make tools-test)

TAP output; exit status 1 when a check failed.
"""

import argparse
import difflib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROCPS = "/usr/bin/pmap"


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, name):
        self.n += 1
        print(f"ok {self.n} - {name}")

    def not_ok(self, name, detail=""):
        self.n += 1
        self.failed += 1
        print(f"not ok {self.n} - {name}")
        for line in detail.splitlines()[:40]:
            print(f"  # {line}")

    def check(self, cond, name, detail=""):
        if cond:
            self.ok(name)
        else:
            self.not_ok(name, detail)


def run(exe, args, env, cwd=None, stdout=subprocess.PIPE):
    """exe as "pmap" (argv[0] is in getopt's messages): (status, stdout, stderr)."""
    p = subprocess.run(["pmap", *args], executable=exe, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=cwd,
                       timeout=60)  # fmt: skip
    return p.returncode, p.stdout or b"", p.stderr


def describe(want, got):
    """What differs between two (status, stdout, stderr) results."""
    out = []
    if want[0] != got[0]:
        out.append(f"status: procps {want[0]}, ours {got[0]}")
    for what, a, b in (("stdout", want[1], got[1]), ("stderr", want[2], got[2])):
        if a != b:
            diff = difflib.unified_diff(a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines(),
                                        "procps", "ours", lineterm="", n=1)  # fmt: skip
            out.append(f"{what}:")
            out += [line[:200] for line in list(diff)[:30]]
    return "\n".join(out)


class Bench:
    def __init__(self, tap, ours, env):
        self.tap = tap
        self.ours = ours  # [(label, path)]
        self.env = env

    def compare(self, name, args, env=None, cwd=None):
        """Every build of ours prints what procps prints for args."""
        env = env or self.env
        for attempt in range(3):
            before = run(PROCPS, args, env, cwd)
            got = [(label, run(exe, args, env, cwd)) for label, exe in self.ours]
            after = run(PROCPS, args, env, cwd)
            if before == after or all(g in (before, after) for _, g in got):
                break
            time.sleep(0.2)
        for label, g in got:
            self.tap.check(g in (before, after), f"{label}: pmap {' '.join(args)} ({name})", describe(before, g))


def build_target(tmp):
    exe = tmp / "pmap_target"
    subprocess.run(["gcc", "-std=gnu11", "-static", "-O1", "-pthread", "-Wall", "-Wextra", "-Werror", "-o", exe,
                    ROOT / "tests" / "tools" / "pmap_target.c"], check=True)  # fmt: skip
    return exe


def state(pid):
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2]


def start_target(exe, tmp, tag, extra_args):
    tmp.mkdir(parents=True, exist_ok=True)
    data = tmp / f"data file {tag} \u00e9"
    data.write_bytes(b"d" * 4 * 4096)
    gone = tmp / f"gone\t{tag}"
    gone.write_bytes(b"g" * 4096)
    p = subprocess.Popen([exe, data, gone, *extra_args], stdout=subprocess.PIPE)
    pid, tid, zombie = (int(x) for x in p.stdout.readline().split())
    os.kill(pid, signal.SIGSTOP)
    deadline = time.time() + 10
    while time.time() < deadline:
        if state(pid) == "T" and state(f"{pid}/task/{tid}") == "T" and state(zombie) == "Z":
            break
        time.sleep(0.05)
    else:
        raise SystemExit(f"pmap_target {pid}: not stopped, or its child {zombie} not a zombie")
    return p, pid, tid, zombie


def ranges(pid):
    """-A arguments from the target's own areas: a middle stretch, one address, open ends."""
    starts = [line.split("-")[0] for line in Path(f"/proc/{pid}/maps").read_text().splitlines()]
    mid = len(starts) // 2
    return [f"{starts[2]},{starts[mid]}", starts[mid], f",{starts[3]}", f"{starts[mid]},", "0,ffffffffffffffff"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    a = ap.parse_args()
    build = Path(a.build)
    ours = [("musl", build / "userland" / "pmap"), ("glibc", build / "userland" / "glibc" / "pmap")]
    missing = [str(p) for _, p in ours if not p.is_file()]
    if missing:
        raise SystemExit(f"test_pmap: {', '.join(missing)} missing: make userland")
    try:
        version = subprocess.run([PROCPS, "-V"], capture_output=True, text=True).stdout
    except OSError:
        version = ""
    if "procps-ng 4.0.2" not in version:
        print(f"1..0 # SKIP {PROCPS} is not procps-ng 4.0.2 ({version.strip() or 'missing'})")
        return 0

    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="test_pmap.") as d:
        tmp = Path(d)
        home = tmp / "home"
        home.mkdir()
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": str(home)}
        bench = Bench(tap, ours, env)
        exe = build_target(tmp)
        targets = []
        try:
            t1 = start_target(exe, tmp, "one", ["\u00e9t\u00e9\x01\tx", "new\nline", "", "end "])
            targets.append(t1[0])
            t2 = start_target(exe, tmp, "two", ["y" * 70000, "z" * 70000])
            targets.append(t2[0])
            # Paths past procps's 1024-byte line buffer: their maps lines come in pieces.
            t3 = start_target(exe, tmp.joinpath(*["d" * 120] * 12), "three", [])
            targets.append(t3[0])
            _, pid, tid, zombie = t1
            long_pid = t2[1]
            P, T, Z = str(pid), str(tid), str(zombie)

            # The formats, on the target, its thread, its zombie, several at once.
            pidsets = {"process": [P], "thread": [T], "zombie": [Z], "several": [P, Z, "99999", T, P],
                       "/proc/PID": [f"/proc/{P}"]}  # fmt: skip
            options = [[], ["-x"], ["-d"], ["-q"], ["-p"], ["-X"], ["-XX"], ["-x", "-q"], ["-d", "-q"],
                       ["-x", "-p"], ["-d", "-p"], ["-X", "-q"], ["-XX", "-p"], ["-XX", "-q", "-p"], ["-q", "-p"],
                       ["--extended"], ["--device", "--show-path"], ["-xq"], ["-X", "-X"]]  # fmt: skip
            for what, pids in pidsets.items():
                for opts in options:
                    bench.compare(what, opts + pids)
            bench.compare("options after the PID", [P, "-x", "-q"])
            bench.compare("POSIXLY_CORRECT: options after the PID are PIDs", [P, "-q"], env={**env, "POSIXLY_CORRECT": "1"})
            for r in ranges(pid):
                for opts in ([], ["-x"], ["-d"], ["-X"]):
                    bench.compare("range", opts + ["-A", r, P])
            bench.compare("range, long option", ["--range=" + ranges(pid)[0], "-x", P])
            for opts in ([], ["-x"], ["-d"], ["-X"], ["-XX", "-p"], ["-p"], ["-x", "-p"]):
                bench.compare("paths longer than a line buffer", opts + [str(t3[1])])

            # The header's command line: escaped per locale; cut at 128 KiB.
            for loc in ("C", "C.UTF-8"):
                for opts in ([], ["-x"], ["-X"]):
                    bench.compare(f"LC_ALL={loc}", opts + [P, Z, str(long_pid)], env={**env, "LC_ALL": loc})

            # Bad options and arguments.
            bad = [[], ["-z", P], ["--ext", P], ["--re", P], ["--range"], ["--quiet=3", P], ["--qu=3", P], ["-A"],
                   ["-h"], ["--help"], ["--"], ["--", P], ["-x", "-d", P], ["-x", "-X", P], ["-XX", "-x", P],
                   ["-c", "-x", P], ["-n", P], ["-x"], ["--bogus", P], ["-A", P], ["-A", "zz", P], ["-A", "1,zz", P],
                   ["abc"], ["/proc/abc"], ["/proc/abc", P], ["0"], ["0x1"], ["08"], ["1x"], ["2147483648"], ["-1"],
                   ["-r", P], ["-C"], ["-C", str(tmp / "nonexistent"), P], ["--c", P], ["-W", P], ["-:", P],
                   ["--=x", P], ["--help=3"], ["-"], ["-q", "-"], ["-N", "x", "-q"], ["-n", "-p"],
                   [str(n) for n in range(1, 257)], ["99999"], ["99999", "99998"]]  # fmt: skip
            for args in bad:
                bench.compare("bad usage", args)

            # rc files: -n into $HOME, -N to a path, -c and -C reading them.
            for label, path in [("procps", PROCPS)] + ours:
                sub = tmp / f"rc-{label}"
                (sub / "home").mkdir(parents=True)
                e = {**env, "HOME": str(sub / "home")}
                first = run(path, ["-n"], e)
                again = run(path, ["-n"], e)
                created = run(path, ["-N", str(sub / "rc")], e)
                texts = ((sub / "home" / ".pmaprc").read_bytes(), (sub / "rc").read_bytes())
                if label == "procps":
                    want = (first, again, created, texts)
                else:
                    got = (first, again, created, texts)
                    tap.check(got == want, f"{label}: pmap -n twice, pmap -N FILE: messages and rc files",
                              describe(want[0], got[0]) + describe(want[1], got[1]) + describe(want[2], got[2]) +
                              ("\nthe rc files differ" if got[3] != want[3] else ""))  # fmt: skip
            bench.compare("no HOME", ["-n"], env={k: v for k, v in env.items() if k != "HOME"})
            bench.compare("no HOME", ["-c", P], env={k: v for k, v in env.items() if k != "HOME"})
            bench.compare("no ~/.pmaprc", ["-c", P])
            rc = tmp / "rc-test"
            rc.write_text("# fields\n[Fields Display]\nRss   \nPss # comment\nSize extra\nPerm\nMapping\n"
                          "VmFlags\n  [Mapping]\nShowPath\n[Bogus] x\nFoo\n[Unclosed\n[Fields Display] Inode\n"
                          + "#" + "x" * 1100 + "\nOffset")  # fmt: skip
            for opts in ([], ["-q"], ["-p"]):
                bench.compare("rc file", ["-C", str(rc)] + opts + [P, Z, P])
            (home / ".pmaprc").write_bytes(rc.read_bytes())
            bench.compare("~/.pmaprc", ["-c", P])
            bench.compare("~/.pmaprc", ["--read-rc", "-q", P])

            # A write error is reported, status 1.
            with open("/dev/full", "wb") as full:
                want = run(PROCPS, [P], env, stdout=full)
                for label, path in ours:
                    got = run(path, [P], env, stdout=full)
                    tap.check(got == want, f"{label}: pmap PID > /dev/full", describe(want, got))
        finally:
            for p in targets:
                p.kill()
                p.wait()
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
