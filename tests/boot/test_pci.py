"""The machine's physical address space (issue 15): PCI enumeration, the iomem tree, the ACPI
table list, the SMBIOS summary and the monitor's hardware commands, each checked against QEMU's
own view of the same machine.

Two machines, each booted once:
  * q35 (ECAM through the ACPI MCFG) with e1000, virtio-blk-pci (on a small raw file),
    qemu-xhci, a pcie-root-port with virtio-rng-pci behind it, ivshmem-plain with a 4 GiB memory
    backend (a 64-bit prefetchable BAR), SMBIOS strings set with -smbios type=1 and type=17, and a
    malformed ACPI table added with -acpitable. Atlas runs the monitor on COM2 (a socket, as in
    test_monitor_cmds.py); QEMU's `info pci`, `info mtree -f` and `pmemsave` are the witnesses.
  * pc (i440fx: no MCFG, so configuration mechanism #1 at 0xCF8) with the same devices, a
    pci-bridge in place of the root port.
"""

import re
import shutil
import struct
import tempfile
from pathlib import Path

import pytest

from atlas_qemu import BOOT_TIMEOUT, HALTED, STATUS_POWEROFF, BootResult, parse_int
from test_monitor_cmds import PROMPT, MonitorConsole

GiB = 1 << 30
UNMAPPED = 0xFFFFFFFFFFFFFFFF
SMBIOS_SYSTEM = dict(manufacturer="Atlas Labs", product="Bench-15", version="1.5", serial="SN-0042", sku="SKU9",
                     family="Lab")  # fmt: skip
SMBIOS_MEM = dict(loc_pfx="SLOT", bank="BANK7", manufacturer="MemCo", serial="MS42", part="PN-9", speed="2933")


def devices(machine, tmp):
    blk = tmp / "blk.raw"
    blk.write_bytes(b"\0" * (1 << 20))
    args = [
        "-device", "e1000",
        "-drive", f"file={blk},if=none,id=d1,format=raw", "-device", "virtio-blk-pci,drive=d1",
        "-device", "qemu-xhci",
        "-object", "memory-backend-ram,id=ivmem,size=4G,share=on", "-device", "ivshmem-plain,memdev=ivmem",
        "-smbios", "type=1," + ",".join(f"{k}={v}" for k, v in SMBIOS_SYSTEM.items()),
        "-smbios", "type=17," + ",".join(f"{k}={v}" for k, v in SMBIOS_MEM.items()),
    ]  # fmt: skip
    if machine == "q35":
        args += ["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1", "-device", "virtio-rng-pci,bus=rp1"]
    else:
        args += ["-device", "pci-bridge,id=br1,chassis_nr=1", "-device", "virtio-rng-pci,bus=br1,addr=3"]
    return args


def bad_acpi_table(path):
    """An HPET table of 40 bytes: QEMU fixes its length field and checksum, but an HPET table needs 56."""
    body = b"\x01\x02\x03\x04"
    hdr = struct.pack("<4sIBB6s8sI4sI", b"HPET", 36 + len(body), 1, 0, b"ATLAS ", b"BROKEN  ", 1, b"ATLS", 1)
    path.write_bytes(hdr + body)
    return path


# ---------------------------------------------------------------------------
# QEMU's views


def parse_info_pci(text):
    """{(bus, dev, fn): {"vendor", "device", "bars": {i: (base, end)}, "io"/"mem"/"pref": (base, limit)}}"""
    funcs, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*Bus\s+(\d+), device\s+(\d+), function (\d+):", line)
        if m:
            cur = funcs.setdefault(tuple(int(x) for x in m.groups()), {"bars": {}})
            continue
        if cur is None:
            continue
        m = re.search(r"PCI device ([0-9a-f]{4}):([0-9a-f]{4})", line)
        if m and "vendor" not in cur:
            cur["vendor"], cur["device"] = int(m[1], 16), int(m[2], 16)
        m = re.match(r"\s*BAR(\d): .* at (0x[0-9a-f]+) \[(0x[0-9a-f]+)\]", line)
        if m:
            cur["bars"][int(m[1])] = (int(m[2], 16), int(m[3], 16))
        m = re.match(r"\s*(IO|memory|prefetchable memory) range \[(0x[0-9a-f]+), (0x[0-9a-f]+)\]", line)
        if m:
            cur[{"IO": "io", "memory": "mem", "prefetchable memory": "pref"}[m[1]]] = (int(m[2], 16), int(m[3], 16))
    return funcs


def flat_memory(mtree):
    """[(start, end, name)] of the first flat view of address space "memory" in `info mtree -f`."""
    out, inside = [], False
    for line in mtree.splitlines():
        if line.startswith("FlatView"):
            if inside:
                break
            continue
        if line.strip().startswith("AS \"memory\""):
            inside = True
            continue
        m = re.match(r"\s+([0-9a-f]{16})-([0-9a-f]{16}) \(prio [-\d]+, [^)]*\): (.+)", line)
        if inside and m:
            out.append((int(m[1], 16), int(m[2], 16), m[3].strip()))
    return out


def bdf_key(bdf):
    _, bus, rest = bdf.split(":")
    dev, fn = rest.split(".")
    return int(bus, 16), int(dev, 16), int(fn, 16)


def check_against_info_pci(rec, info):
    qemu = parse_info_pci(info)
    atlas = {bdf_key(r["bdf"]): r for r in rec.records("pci")}
    assert set(atlas) == set(qemu), f"functions differ: Atlas {sorted(atlas)}, QEMU {sorted(qemu)}"
    bars = {}
    for b in rec.records("pci_bar"):
        bars.setdefault(bdf_key(b["bdf"]), {})[b["bar"]] = b
    for key, q in qemu.items():
        a = atlas[key]
        assert (parse_int(a["vendor"]), parse_int(a["device"])) == (q["vendor"], q["device"]), (key, a, q)
        mine = bars.get(key, {})
        assert set(mine) == set(q["bars"]), f"{key}: BARs {sorted(mine)} vs QEMU's {sorted(q['bars'])}"
        for i, (base, end) in q["bars"].items():
            b = mine[i]
            if base == UNMAPPED:  # QEMU shows a BAR that does not decode at all-ones: end = size - 2
                assert parse_int(b["size"]) == end + 2 and not b["enabled"], (key, i, b, end)
            else:
                assert (parse_int(b["base"]), parse_int(b["size"])) == (base, end - base + 1), (key, i, b)
                assert b["enabled"], (key, i, b)
        wins = {w["kind"]: w for w in rec.records("pci_window") if bdf_key(w["bdf"]) == key}
        for kind in ("io", "mem", "pref"):
            if kind in q and q[kind][0] <= q[kind][1]:
                w = wins.get(kind)
                assert w and (parse_int(w["base"]), parse_int(w["limit"])) == q[kind], (key, kind, w, q[kind])
    return atlas, bars


# ---------------------------------------------------------------------------
# q35: one boot, the monitor on COM2


@pytest.fixture(scope="module")
def q35(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pci-q35")
    sockdir = Path(tempfile.mkdtemp(prefix="atlas-pci-"))
    sock = sockdir / "com2.sock"
    extra = devices("q35", tmp) + [
        "-acpitable", f"file={bad_acpi_table(tmp / 'bad-hpet.bin')}",
        "-chardev", f"socket,id=com2,path={sock},server=on,wait=off", "-serial", "chardev:com2",
    ]  # fmt: skip
    cfg = "serial=0x2f8 on_finish=monitor report=both hw=full tests=boot,hw"
    try:
        with atlas.start("pci-q35", cfg=cfg, memory="512M", extra_args=extra) as m:
            con = MonitorConsole(sock, tmp / "monitor.log")
            try:
                try:
                    con.wait_for("\n" + PROMPT, timeout=BOOT_TIMEOUT)
                except AssertionError as e:
                    why = f"{e}{m.result().tail()}"
                else:
                    why = None
                if why:
                    pytest.fail(f"no monitor prompt: {why}", pytrace=False)
                con.machine = m
                con.boot = BootResult("pci-q35", m.workdir, None, con.text())
                con.info_pci = m.hmp("info pci")
                con.mtree = m.hmp("info mtree -f")
                con.tmp = tmp
                yield con
            finally:
                con.close()
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def pmem(con, addr, size):
    """size bytes of guest physical memory at addr, read by QEMU (pmemsave)."""
    out = con.tmp / f"pmem-{addr:x}-{size}.bin"
    con.machine.hmp(f'pmemsave {addr} {size} "{out}"')
    return out.read_bytes()


def test_self_tests_pass(q35):
    tests = {t["name"]: t for t in q35.boot.records("test")}
    for name in ("hw.pci_rescan", "hw.fb_after_scan", "hw.iomem_tree"):
        assert name in tests and tests[name]["ok"], tests.get(name)
    assert all(t["ok"] for t in tests.values()), [t for t in tests.values() if not t["ok"]]


def test_pci_matches_info_pci(q35):
    """Every function, vendor/device, BAR (address and size) and bridge window, as QEMU sees them
    after Atlas sized every BAR: the addresses QEMU maps prove the registers were restored."""
    atlas, bars = check_against_info_pci(q35.boot, q35.info_pci)
    scan = q35.boot.one("pci_scan")
    assert scan["method"] == "ECAM" and scan["ecam_bus_start"] == 0, scan
    # The 4 GiB prefetchable 64-bit BAR of ivshmem, and the device behind the root port.
    iv = [k for k, r in atlas.items() if parse_int(r["device"]) == 0x1110]
    assert iv and bars[iv[0]][2]["size"] == hex(4 * GiB) and bars[iv[0]][2]["kind"] == "mem64", bars.get(iv[0])
    assert bars[iv[0]][2]["prefetch"] is True
    behind = [r for r in atlas.values() if r["parent"]]
    assert behind and all(r["bdf"].startswith("0000:01:") for r in behind), behind
    rp = atlas[bdf_key(behind[0]["parent"])]
    assert rp["header"] == 1 and rp["buses"] == "01-01" and rp["pcie_type"] == "Root Port", rp


def test_capabilities(q35):
    recs = {parse_int(r["device"]): r for r in q35.boot.records("pci")}
    xhci = recs[0x000D]["caps"].split(",")
    assert "11" in xhci and "10" in xhci, recs[0x000D]  # MSI-X and PCI Express
    assert recs[0x1044]["pcie_type"] == "Endpoint", recs[0x1044]  # behind the root port: a PCIe endpoint
    assert any(c.startswith("e") for c in recs[0x000C]["caps"].split(",")), recs[0x000C]  # extended caps


def test_names_from_pci_ids(q35):
    recs = {parse_int(r["device"]): r for r in q35.boot.records("pci")}
    assert recs[0x100E]["name"] == "Intel Corporation 82540EM Gigabit Ethernet Controller", recs[0x100E]
    assert recs[0x100E]["class_name"] == "Ethernet controller"
    assert recs[0x1111]["name"] == "Device 1234:1111"  # not in pci.ids: numbers
    assert q35.boot.one("pci_scan")["pciids"] is True


def test_mmio_against_mtree(q35):
    flat = flat_memory(q35.mtree)
    assert flat, q35.mtree[:2000]
    nodes = q35.boot.records("iomem")
    ecam = [n for n in nodes if n["kind"] == "ecam"]
    assert len(ecam) == 1
    s, e = parse_int(ecam[0]["start"]), parse_int(ecam[0]["end"])
    assert any(r == (s, e, "pcie-mmcfg-mmio") for r in flat), [r for r in flat if r[2].startswith("pcie")]
    for n in nodes:
        s, e = parse_int(n["start"]), parse_int(n["end"])
        if n["kind"] in ("bar", "rom", "lapic", "ioapic", "hpet"):
            # QEMU's region inside the BAR (a BAR may hold several), or the device's region around ours.
            hit = [r for r in flat if (s <= r[0] and r[1] <= e) or (r[0] <= s and e <= r[1])]
            assert hit, f"{n}: QEMU maps nothing in [{s:#x}, {e:#x}]"
        if n["name"] == "System RAM":
            assert any(r[0] <= s and e <= r[1] and "ram" in r[2] for r in flat), n
    names = {r[2] for r in flat}
    assert {"ioapic", "hpet"} <= names, names


def test_iomem_tree(q35):
    nodes = q35.boot.records("iomem")
    by_name = {}
    for i, n in enumerate(nodes):
        by_name.setdefault(n["name"], []).append(i)
    # The framebuffer inside the VGA BAR; the device behind the root port inside the bus window.
    fb = nodes[by_name["GOP framebuffer"][0]]
    parent = [n for n in nodes[: by_name["GOP framebuffer"][0]] if n["depth"] == fb["depth"] - 1][-1]
    assert parent["kind"] == "bar" and parent["pci"] == "0000:00:01.0", parent
    for i in by_name.get("0000:01:00.0", []):
        up = [n for n in nodes[:i] if n["depth"] == nodes[i]["depth"] - 1][-1]
        assert up["name"] == "PCI Bus 0000:01" and up["kind"] == "bridge_window", (nodes[i], up)
    # The kernel inside System RAM; ACPI tables inside ACPI memory.
    for n in nodes:
        if n["kind"] in ("kernel", "page_tables", "heap", "stack"):
            assert n["depth"] >= 1
        assert all(f in ("not_in_memmap", "") for f in n["flags"].split(",")), n  # no conflicts on this machine
    assert any(n["name"].startswith("ACPI FACP") for n in nodes)
    assert any(n["name"] == "Local APIC" for n in nodes) and any(n["name"] == "IOAPIC 0" for n in nodes)


def test_iomem_command_prints_proc_format(q35):
    out = q35.answer("iomem")
    lines = [l for l in out.splitlines() if re.match(r"^ *[0-9a-f]{8,}-[0-9a-f]{8,} : ", l)]
    nodes = q35.boot.records("iomem")
    assert len(lines) >= len(nodes) - 40, out[:3000]  # the kernel's own pages move between boot and now
    for l in lines:
        m = re.match(r"^( *)([0-9a-f]+)-([0-9a-f]+) : (.+)$", l)
        assert m and len(m[1]) % 2 == 0 and len(m[2]) >= 8 and len(m[2]) == len(m[3]) or len(m[3]) > 8, l
    ecam = [l for l in lines if "PCI MMCONFIG" in l]
    assert ecam == ["  b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]"], ecam
    assert any(re.match(r"^[0-9a-f]{10}-[0-9a-f]{10} : 0000:00:05\.0$", l) for l in lines), "ivshmem above 4 GiB"


def test_ioports(q35):
    nodes = q35.boot.records("ioports")
    names = [n["name"] for n in nodes]
    assert "ACPI PM1a_EVT_BLK" in names and "ACPI PM_TMR" in names, names
    assert "PCI Bus 0000:01" in names  # the root port's I/O window
    out = q35.answer("ioports")
    assert re.search(r"^[0-9a-f]{4}-[0-9a-f]{4} : ", out, re.M), out


def test_lspci_commands(q35):
    out = q35.answer("lspci")
    lines = out.strip().splitlines()
    assert len(lines) == len(q35.boot.records("pci")), out
    assert "00:02.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)" in lines
    out = q35.answer("lspci -v 00:02.0")
    q = parse_info_pci(q35.info_pci)[(0, 2, 0)]["bars"]
    assert f"\tMemory at {q[0][0]:08x} (32-bit, non-prefetchable) [size=128K]" in out, out
    assert f"\tI/O ports at {q[1][0]:04x} [size=64]" in out, out
    assert "Expansion ROM at" in out and "[disabled] [size=256K]" in out, out
    assert q35.answer("lspci 00:09.0") == "lspci: no function 00:09.0\n"
    assert q35.answer("lspci zz").startswith("lspci: 'zz' is neither")


def test_acpi_list_matches_guest_memory(q35):
    tables = q35.boot.records("acpi_table")
    sigs = [t["sig"] for t in tables]
    for sig in ("RSDP", "XSDT", "FACP", "DSDT", "FACS", "APIC", "HPET", "MCFG"):
        assert sig in sigs, sigs
    # QEMU's own bytes: the XSDT lists exactly the tables Atlas found through it.
    rsdp = next(t for t in tables if t["sig"] == "RSDP")
    raw = pmem(q35, parse_int(rsdp["phys"]), 36)
    assert raw[:8] == b"RSD PTR " and sum(raw[:20]) % 256 == 0
    xsdt_addr = struct.unpack_from("<Q", raw, 24)[0]
    xsdt = pmem(q35, xsdt_addr, struct.unpack_from("<I", pmem(q35, xsdt_addr, 8), 4)[0])
    listed = {struct.unpack_from("<Q", xsdt, o)[0] for o in range(36, len(xsdt), 8)}
    mine = {parse_int(t["phys"]) for t in tables if t["sig"] not in ("RSDP", "XSDT", "RSDT", "DSDT", "FACS")}
    assert listed == mine, (sorted(map(hex, listed)), sorted(map(hex, mine)))
    for t in tables:
        if t["sig"] in ("RSDP", "FACS"):
            continue
        body = pmem(q35, parse_int(t["phys"]), t["length"])
        assert body[:4].decode() == t["sig"] and (sum(body) % 256 == 0) == t["checksum_ok"], t
    bad = [t for t in tables if t["oem_table_id"].strip() == "BROKEN"]
    assert len(bad) == 1 and "too short for HPET" in bad[0]["problem"], bad
    assert all(not t["problem"] for t in tables if t is not bad[0]), tables
    out = q35.answer("acpi")
    assert re.search(r"^ACPI: MCFG 0x[0-9A-F]{16} 00003C \(v01 BOCHS  BXPC     00000001 BXPC 00000001\)$", out, re.M), out
    assert "<BAD: 40 bytes is too short for HPET (at least 56)>" in out, out


def test_acpi_hex_dump(q35):
    out = q35.answer("acpi MCFG")
    assert re.search(r"^0000000000000000  4d 43 46 47 3c 00 00 00", out, re.M), out
    assert q35.answer("acpi NOPE") == "acpi: no table 'NOPE' (acpi lists them)\n"


def test_smbios(q35):
    s = q35.boot.one("smbios")
    assert s["present"] is True and s["bios_vendor"], s
    for k, v in SMBIOS_SYSTEM.items():
        assert s[f"sys_{k}"] == v, (k, s)
    mem = q35.boot.records("smbios_mem")
    assert mem and mem[0]["locator"].startswith("SLOT") and mem[0]["bank"] == "BANK7", mem
    assert (mem[0]["manufacturer"], mem[0]["serial"], mem[0]["part"], mem[0]["speed_mts"]) == ("MemCo", "MS42", "PN-9", 2933)
    assert sum(m["size_kib"] for m in mem) == 512 * 1024, mem
    out = q35.answer("dmi")
    assert "System:    Atlas Labs Bench-15, version 1.5, serial SN-0042" in out, out


def test_xp_reads_ram_and_refuses_mmio(q35):
    ram = next(n for n in q35.boot.records("iomem") if n["name"] == "Kernel code")
    addr = parse_int(ram["start"])
    out = q35.answer(f"xp {addr:#x} 32")
    got = bytes(int(x, 16) for l in out.splitlines() for x in l.split("|")[0].split()[1:])
    assert got == pmem(q35, addr, 32), out
    out = q35.answer("xp 0xfee00000 16")
    assert "not RAM (Local APIC): reads can have side effects; xp! reads it" in out, out
    out = q35.answer("xp! 0xfec00000 16")
    assert re.match(r"^00000000fec00000  ([0-9a-f]{2} +){16}\|", out), out
    assert q35.answer("xp 0x10").startswith("0000000000000010  ")  # page 0 is RAM on OVMF
    assert q35.answer("xp zz").startswith("xp: 'zz' is not an address")
    assert q35.answer("xp 0x1000 0").startswith("xp: '0' is not a length")


def test_x_reads_virtual_and_answers_unmapped(q35):
    out = q35.answer("x 0xffffffff80000000 16")
    kernel = next(n for n in q35.boot.records("iomem") if n["name"] == "Kernel code")
    want = pmem(q35, parse_int(kernel["start"]), 16)
    assert out.startswith("ffffffff80000000  " + " ".join(f"{b:02x}" for b in want[:8])), (out, want)
    assert q35.answer("x 0x1000") .startswith("0000000000001000  not mapped (null guard)")
    out = q35.answer("x 0xffffffffd0000000")
    assert "MMIO mapping" in out and "not read" in out, out


def test_timeline_has_the_hw_step(q35):
    t = q35.boot.one("timeline")
    assert t["tsc_pagetables"] < t["tsc_hw_start"] < t["tsc_hw_done"], t
    assert t["hw_ns"] > 0
    # The sub-steps: in the order taken, inside the run, every one the timeline counted printed.
    marks = q35.boot.records("timeline_mark")
    assert len(marks) == t["marks"] and t["marks_lost"] == 0, (len(marks), t)
    names = [m["name"] for m in marks]
    for want in ("efi.initrd", "efi.pciids", "efi.kernel", "k.initrd_cpio", "k.hwinfo_init"):
        assert want in names, names
    stamps = [m["tsc"] for m in marks]
    assert stamps == sorted(stamps) and t["tsc_efi_entry"] < stamps[0], marks
    assert t["tsc_efi_entry"] < marks[names.index("efi.kernel")]["tsc"] < t["tsc_memmap"]
    assert t["tsc_hw_start"] < marks[names.index("k.hwinfo_init")]["tsc"] <= t["tsc_hw_done"]


def test_shutdown(q35):
    start = q35.mark()
    q35.send("shutdown\r")
    q35.wait_for("Atlas: powering off", start)
    assert q35.machine.wait(timeout=30) == STATUS_POWEROFF


# ---------------------------------------------------------------------------
# pc: legacy configuration mechanism #1


@pytest.fixture(scope="module")
def pc(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pci-pc")
    extra = ["-machine", "pc"] + devices("pc", tmp)
    with atlas.start("pci-pc", cfg="report=json hw=full on_finish=halt tests=hw", memory="512M",
                     extra_args=extra) as m:  # fmt: skip
        m.wait_for_serial(HALTED)
        info = m.hmp("info pci")
        m.quit()
    r = m.result()
    r.info_pci = info
    return r


def test_pc_uses_conf1_and_matches_info_pci(pc):
    scan = pc.one("pci_scan")
    assert scan["method"] == "conf1" and "ecam" not in scan, scan
    atlas, _ = check_against_info_pci(pc, pc.info_pci)
    assert any(r["parent"] for r in atlas.values()), "nothing found behind the pci-bridge"
    assert "PCI conf1" in [n["name"] for n in pc.records("ioports")]
    assert not [n for n in pc.records("iomem") if n["kind"] == "ecam"]
    tests = {t["name"]: t["ok"] for t in pc.records("test")}
    assert tests.get("hw.pci_rescan") and tests.get("hw.fb_after_scan") and tests.get("hw.iomem_tree"), tests
