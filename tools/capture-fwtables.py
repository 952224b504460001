#!/usr/bin/env python3
"""Capture the firmware tables of a QEMU+OVMF machine as host unit-test fixtures.

Boots Atlas (build/esp.img) with `hw=full` on the machine the issue-15 boot tests use (the
extra PCI devices, -smbios type=1 and type=17), reads where the tables are from Atlas's
records, and copies each one out of guest memory with QEMU's `pmemsave` (QEMU, not Atlas,
is the one reading memory: the fixtures are what the firmware wrote).

Output, per machine M (q35, pc), in tests/unit/fixtures/:
  M-acpi.phys    every ACPI structure Atlas listed (RSDP, XSDT/RSDT, tables, DSDT, FACS),
                 each as a chunk: u64 physical address, u32 length, the bytes (little-endian)
  M-smbios.phys  two chunks: the SMBIOS entry point (32 bytes) and the structure table
The RSDP's address is the first chunk's.

Usage: tools/capture-fwtables.py [q35] [pc]    (needs `make` first; takes a boot per machine)
"""

import struct
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "boot"))

from atlas_qemu import HALTED, Harness, parse_int  # noqa: E402
from test_pci import devices  # noqa: E402

OUT = REPO / "tests" / "unit" / "fixtures"


def chunk(phys, data):
    return struct.pack("<QI", phys, len(data)) + data


def capture(machine):
    tmp = Path(tempfile.mkdtemp(prefix=f"fwtables-{machine}-"))
    extra = (["-machine", machine] if machine != "q35" else []) + devices(machine, tmp)
    h = Harness(tmp / "boots")
    with h.start(f"fw-{machine}", cfg="report=json hw=full on_finish=halt tests=none", memory="512M",
                 extra_args=extra) as m:  # fmt: skip
        m.wait_for_serial(HALTED)
        r = m.result()

        def save(phys, length):
            f = tmp / f"{phys:x}.bin"
            m.hmp(f'pmemsave {phys} {length} "{f}"')
            data = f.read_bytes()
            assert len(data) == length, (hex(phys), length, len(data))
            return data

        tables = r.records("acpi_table")
        assert tables and tables[0]["sig"] == "RSDP", tables
        acpi = b"".join(chunk(parse_int(t["phys"]), save(parse_int(t["phys"]), t["length"])) for t in tables)
        s = r.one("smbios")
        assert s["present"], s
        ep, tab = parse_int(s["entry"]), parse_int(s["table"])
        smbios = chunk(ep, save(ep, 32)) + chunk(tab, save(tab, s["table_len"]))
        m.quit()
    (OUT / f"{machine}-acpi.phys").write_bytes(acpi)
    (OUT / f"{machine}-smbios.phys").write_bytes(smbios)
    print(f"{machine}: {len(tables)} ACPI structures ({' '.join(t['sig'] for t in tables)}), "
          f"SMBIOS {s['version']} with {s['structures']} structures")  # fmt: skip


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for machine in sys.argv[1:] or ["q35", "pc"]:
        capture(machine)


if __name__ == "__main__":
    main()
