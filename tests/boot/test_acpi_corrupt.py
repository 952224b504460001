"""A corrupted ACPI table is flagged, end to end (issue 15).

QEMU's -acpitable cannot make a table with a bad checksum: it recomputes the length and the
checksum of every table it installs (hw/acpi/core.c, acpi_table_install). So the table is added
intact, and broken afterwards in guest memory, before Atlas looks at it: QEMU starts stopped
with its gdbstub (-S), gdb runs `make debug`'s script (build/atlas.gdb from tools/atlas.gdb),
which stops at kmain's first instruction, long before hwinfo_init surveys the tables. There a
gdb Python script walks the firmware's own RSDP -> XSDT (the RSDP address is boot_info's, %rdi
holds boot_info), finds the added table by its signature, flips one byte of its body through
the direct map, and detaches; the boot goes on.

QEMU's pmemsave is the witness: the table's bytes in guest memory no longer sum to 0, they did
with the original byte back, and the checksum byte Atlas says would fix it does fix it.
"""

import os
import re
import shutil
import struct
import subprocess
import sys

import pytest

from atlas_qemu import HALTED, REPO, parse_int
from test_debug import GDB_TIMEOUT, free_port

SIG = b"ATST"
OEM_TABLE_ID = b"CORRUPT "
BODY = bytes(range(0x10, 0x30))  # 32 bytes after the header
FLIP_AT = 36 + 4  # a body byte
FLIP_XOR = 0x5A

# Runs inside gdb, stopped at kmain's entry (tools/atlas.gdb's breakpoint): boot_info in %rdi.
CORRUPT = r'''
import struct
import gdb

DIRECT = 0xffff800000000000
inf = gdb.selected_inferior()


def rd(phys, n):
    return bytes(inf.read_memory(DIRECT + phys, n))


bi = int(gdb.parse_and_eval("$rdi")) + DIRECT
rsdp = int(gdb.parse_and_eval("((struct boot_info *)%d)->rsdp" % bi))
r = rd(rsdp, 36)
assert r[:8] == b"RSD PTR " and r[15] >= 2, r
xsdt = struct.unpack_from("<Q", r, 24)[0]
x = rd(xsdt, struct.unpack_from("<I", rd(xsdt, 8), 4)[0])
found = None
for off in range(36, len(x) - 7, 8):
    t = struct.unpack_from("<Q", x, off)[0]
    if rd(t, 4) == SIG:
        found = t
if found is None:
    raise gdb.GdbError("atlas-test: no %s table in the XSDT" % SIG)
old = rd(found + FLIP_AT, 1)[0]
inf.write_memory(DIRECT + found + FLIP_AT, bytes([old ^ FLIP_XOR]))
print("atlas-test: corrupted %s at %#x: byte %d 0x%02x -> 0x%02x" % (
    SIG.decode(), found, FLIP_AT, old, rd(found + FLIP_AT, 1)[0]))
'''


def acpi_table(path):
    """A well-formed table of our own signature; QEMU recomputes its length and checksum anyway."""
    hdr = struct.pack("<4sIBB6s8sI4sI", SIG, 36 + len(BODY), 1, 0, b"ATLAS ", OEM_TABLE_ID, 1, b"ATLS", 1)
    path.write_bytes(hdr + BODY)
    return path


@pytest.fixture(scope="module")
def corrupted(atlas, tmp_path_factory):
    if not shutil.which("gdb"):
        pytest.fail("gdb not found (make deps installs it)", pytrace=False)
    tmp = tmp_path_factory.mktemp("acpi-corrupt")
    script = tmp / "atlas.gdb"
    subprocess.run([sys.executable, "tools/gengdb.py", "tools/atlas.gdb", str(script)], cwd=REPO, check=True)
    corrupt = tmp / "corrupt.py"
    corrupt.write_text(f"SIG = {SIG!r}\nFLIP_AT = {FLIP_AT}\nFLIP_XOR = {FLIP_XOR}\n" + CORRUPT)
    port = free_port()
    extra = ["-gdb", f"tcp:127.0.0.1:{port}", "-S", "-acpitable", f"file={acpi_table(tmp / 'atst.bin')}"]
    with atlas.start("acpi-corrupt", cfg="report=both hw=full on_finish=halt tests=boot", memory="256M",
                     extra_args=extra) as m:  # fmt: skip
        g = subprocess.run(["gdb", "-q", "-batch", "-nx", "-x", str(script), "-ex", "continue", "-x", str(corrupt),
                            "-ex", "detach"], cwd=REPO, capture_output=True, text=True, timeout=GDB_TIMEOUT,
                           env={**os.environ, "ATLAS_GDB_PORT": str(port)})  # fmt: skip
        gdb_out = g.stdout + g.stderr
        hit = re.search(r"atlas-test: corrupted ATST at (0x[0-9a-f]+): byte (\d+) 0x([0-9a-f]{2}) -> 0x([0-9a-f]{2})",
                        gdb_out)  # fmt: skip
        if not hit:
            pytest.fail(f"gdb did not corrupt the table:\n{gdb_out[-3000:]}", pytrace=False)
        m.wait_for_serial(HALTED)
        phys = int(hit[1], 16)
        out = tmp / "atst-now.bin"
        m.hmp(f'pmemsave {phys} {36 + len(BODY)} "{out}"')
        m.quit()
    r = m.result()
    r.gdb = gdb_out
    r.phys, r.flip_at, r.old, r.new = phys, int(hit[2]), int(hit[3], 16), int(hit[4], 16)
    r.now = out.read_bytes()
    return r


def test_gdb_changed_one_byte_and_only_that(corrupted):
    r = corrupted
    assert r.new == r.old ^ FLIP_XOR, r.gdb[-2000:]
    now = r.now
    assert now[:4] == SIG and now[16:24] == OEM_TABLE_ID, now
    assert now[r.flip_at] == r.new, now
    assert sum(now) % 256 != 0, "the table in guest memory still sums to 0"
    fixed = bytearray(now)
    fixed[r.flip_at] = r.old
    assert sum(fixed) % 256 == 0, "QEMU's table did not sum to 0 before the byte was changed"


def test_atlas_flags_the_checksum(corrupted):
    r = corrupted
    tables = r.records("acpi_table")
    mine = [t for t in tables if t["sig"] == SIG.decode()]
    assert len(mine) == 1, tables
    t = mine[0]
    assert parse_int(t["phys"]) == r.phys and t["oem_table_id"] == OEM_TABLE_ID.decode(), t
    assert t["checksum_ok"] is False, t
    stored = r.now[9]
    want = (stored - sum(r.now)) % 256
    assert t["problem"] == f"checksum 0x{stored:02x}, should be 0x{want:02x}", t
    fixed = bytearray(r.now)
    fixed[9] = want
    assert sum(fixed) % 256 == 0  # the byte Atlas names is the one that fixes it
    # Nothing else is flagged: the corruption is the table's own, the walk around it intact.
    others = [x for x in tables if x is not t]
    assert {"RSDP", "XSDT", "FACP", "DSDT", "FACS", "APIC"} <= {x["sig"] for x in others}, others
    assert all(x["checksum_ok"] and not x["problem"] for x in others), others


def test_acpidump_style_line(corrupted):
    r = corrupted
    line = re.search(r"^ACPI: ATST 0x%016X 000044 \(v01 ATLAS  CORRUPT  00000001 ATLS 00000001\) <BAD: (.+)>$"
                     % r.phys, r.serial, re.M)  # fmt: skip
    assert line and line[1].startswith("checksum 0x"), r.serial[-4000:]
    assert re.search(r"^\d+ tables, 1 with a bad checksum or structure$", r.serial, re.M), r.serial[-4000:]
