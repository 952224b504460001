"""Threads as real runtimes use them: C++ (g++ -static), Go (CGO_ENABLED=0), glibc and musl pthreads.

The programs come from tests/lang (built by the Makefile into the initramfs
at /usr/lib/atlas/lang) and tests/user/pthreads.c (musl in /usr/lib/atlas,
glibc in /usr/lib/atlas/glibc). One boot runs each of them from a shell
script; each one's output and exit status must be what the same binary
gives when run on this host under Linux, and no program may meet a system
call Atlas lacks (the kernel's "is not implemented" line).
"""

import re
import subprocess

import pytest

from atlas_qemu import BUILD
from test_userland import make_initrd

LANG = BUILD / "lang" / "root" / "usr" / "lib" / "atlas" / "lang"
PROGRAMS = {
    "cxx_threads": (LANG / "cxx_threads", "/usr/lib/atlas/lang/cxx_threads"),
    "go_goroutines": (LANG / "go_goroutines", "/usr/lib/atlas/lang/go_goroutines"),
    "pthreads_glibc": (BUILD / "user" / "glibc" / "pthreads.elf", "/usr/lib/atlas/glibc/pthreads"),
    "pthreads_musl": (BUILD / "user" / "pthreads.elf", "/usr/lib/atlas/pthreads"),
}


def script():
    lines = ["#!/bin/sh", "cd /tmp"]
    for name, (_, path) in PROGRAMS.items():
        lines += [f"echo '=== {name}'", path, 'echo "status $?"']
    lines += ["echo '=== end'", ""]
    return "\n".join(lines)


def host_run(local):
    r = subprocess.run([str(local)], capture_output=True, text=True, timeout=120, cwd="/tmp")
    return r.stdout + f"status {r.returncode}\n"


@pytest.fixture(scope="module")
def runs(atlas, tmp_path_factory):
    for name, (local, _) in PROGRAMS.items():
        assert local.is_file(), f"{local} was not built (make: tests/lang/lang.mk, tests/user/user.mk)"
    tmp = tmp_path_factory.mktemp("lang")
    initrd = make_initrd(tmp, {"/test/lang.sh": script()})
    run = atlas.boot("lang", cfg='report=human on_finish=exit tests=none init="/bin/sh /test/lang.sh"',
                     memory="512M", files={"/atlas/initrd.cpio": initrd})  # fmt: skip
    text = run.serial.replace("\r", "")
    assert "=== end" in text, run.tail()
    out = {}
    for m in re.finditer(r"^=== (\S+)\n(.*?)(?=^=== )", text, re.M | re.S):
        out[m.group(1)] = m.group(2)
    return out, run


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output_as_linux(runs, name):
    out, run = runs
    got = out.get(name)
    assert got is not None, run.tail()
    assert "is not implemented" not in got, got
    assert got == host_run(PROGRAMS[name][0]), got


# glibc registers an rseq area at start-up and carries on without one when the kernel says ENOSYS.
KNOWN_ABSENT = {"rseq"}


def test_no_missing_syscalls(runs):
    """Atlas names each absent call once per boot ("syscall N (NAME) (from PROG, pid P) is not implemented")."""
    _, run = runs
    text = run.serial.replace("\r", "")
    missing = re.findall(r"syscall \d+ \((\w+)\) \(from (\S+), pid \d+\) is not implemented", text)
    assert {name for name, _ in missing} <= KNOWN_ABSENT, missing
