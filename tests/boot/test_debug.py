"""`make debug`'s gdb script (build/atlas.gdb, from the template tools/atlas.gdb), driven in batch mode.

QEMU waits at the reset vector with its gdbstub on a free port; gdb runs
the script, continues, and must stop at kmain's own line in core/main.c
(not inside an inlined helper from include/x86.h), with atlas.efi's symbols
added from boot_info. make debug sends the serial port to a file, so gdb's
prompt has the terminal to itself; the Makefile says so.
"""

import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

from atlas_qemu import REPO

GDB_TIMEOUT = 180


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def stop(atlas, tmp_path_factory):
    if not shutil.which("gdb"):
        pytest.fail("gdb not found (make deps installs it)", pytrace=False)
    # What `make debug` runs: the template with include/memlayout.h's addresses filled in.
    script = tmp_path_factory.mktemp("gdb") / "atlas.gdb"
    subprocess.run([sys.executable, "tools/gengdb.py", "tools/atlas.gdb", str(script)], cwd=REPO, check=True)
    port = free_port()
    with atlas.start("gdb", cfg="report=json on_finish=halt tests=boot", memory="128M",
                     extra_args=["-gdb", f"tcp:127.0.0.1:{port}", "-S"]) as m:  # fmt: skip
        p = subprocess.run(["gdb", "-q", "-batch", "-nx", "-x", str(script), "-ex", "continue", "-ex", "frame 0",
                            "-ex", "info source"], cwd=REPO, capture_output=True, text=True, timeout=GDB_TIMEOUT,
                           env={**os.environ, "ATLAS_GDB_PORT": str(port)})  # fmt: skip
        m.kill()
    return p.stdout + p.stderr


def test_stops_at_kmains_own_line(stop):
    frame = re.search(r"^#0\s+kmain \(.*\) at (\S+):(\d+)$", stop, re.M)
    assert frame, stop[-3000:]
    assert frame.group(1).endswith("core/main.c"), stop[-3000:]
    source = (REPO / "core" / "main.c").read_text().split("\n")
    start = next(i for i, line in enumerate(source) if line.startswith("void kmain("))
    body = next(i for i in range(start + 2, len(source)) if source[i].strip() and not source[i].strip().startswith(
        ("long ", "int ", "uint64_t ", "/*")))  # fmt: skip
    # kmain's signature or its first statement: nothing inlined from elsewhere.
    assert start <= int(frame.group(2)) - 1 <= body, (source[int(frame.group(2)) - 1], source[body])
    assert "x86.h" not in stop.split("Breakpoint 1, ")[-1].split("\n")[0]


def test_efi_symbols_follow(stop):
    assert re.search(r"atlas: kernel entered; atlas.efi was loaded at 0x[0-9a-f]+ \(symbols added\)", stop), stop[-3000:]


def test_make_debug_keeps_serial_off_the_terminal():
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^DEBUG_SERIAL \?= -serial file:", makefile, re.M)
    assert "$(QEMU_FLAGS:$(RUN_SERIAL)=$(DEBUG_SERIAL))" in makefile
