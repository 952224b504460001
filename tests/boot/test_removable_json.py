"""Removable-media path, 128 MiB, report=json on_finish=exit: the JSON report itself.

OVMF finds \\EFI\\BOOT\\BOOTX64.EFI on the disk and starts it without
LoadOptions, so \\atlas.cfg is the only source of options here.
"""

import re

import pytest

from atlas_qemu import (
    EFI_MEMORY_TYPES,
    FREE_AFTER_EBS_TYPES,
    KERNEL_BASE,
    KSTACKS_BASE,
    KSTACKS_END,
    PAGE,
    STATUS_PASSED,
    MiB,
    check_tests_and_summary,
    kernel_lines,
    memmap_ranges,
    overlapping_pairs,
    parse_int,
    ram_bytes,
    uncovered,
    unsorted_count,
)

GUEST_RAM = 128 * MiB
# What OVMF (Debian 2022.11, OVMF_CODE_4M.fd, q35) reports as RAM-type memory
# for -m 128M: 127.125 MiB. The missing 896 KiB are the legacy VGA / option
# ROM window 0xA0000-0xFFFFF (384 KiB, never in the map) and 512 KiB that
# OVMF itself marks EfiReservedMemoryType in low RAM. An SMM-enabled build
# (OVMF_CODE_4M.secboot.fd) also reserves q35's TSEG, 16 MiB by default. So
# the honest floor is 128 - 16 (TSEG) - 2 (holes and firmware reservations)
# = 110 MiB; losing more than that means descriptors went missing. The exact
# layout is checked separately (test_low_ram_fully_described).
RAM_FLOOR = GUEST_RAM - 18 * MiB
# docs/records.md: addresses and attributes are "0x..." strings, lower-case hex, no padding.
HEX_RE = re.compile(r"0x(0|[1-9a-f][0-9a-f]*)")
# The legacy window below 1 MiB that is not RAM on a PC, so no descriptor covers it.
LEGACY_HOLE = (0xA0000, 0x100000)


@pytest.fixture(scope="module")
def run(atlas):
    return atlas.boot("json-128m", cfg="report=json on_finish=exit", memory="128M")


@pytest.fixture(scope="module")
def memmap(run):
    recs = run.records("memmap")
    assert recs, "no memmap records" + run.tail()
    return recs


def test_exit_status_all_passed(run):
    run.expect_status(STATUS_PASSED)


def test_memmap_record_shapes(memmap):
    for r in memmap:
        # Readers must ignore keys they do not know (docs/records.md): these four must be there.
        assert {"type", "start", "pages", "attr"} <= set(r), r
        assert isinstance(r["type"], str), r
        assert isinstance(r["start"], str) and HEX_RE.fullmatch(r["start"]), r
        assert isinstance(r["attr"], str) and HEX_RE.fullmatch(r["attr"]), r
        assert isinstance(r["pages"], int) and not isinstance(r["pages"], bool) and r["pages"] > 0, r
        assert parse_int(r["start"]) % PAGE == 0, f"start not 4 KiB aligned: {r}"
        assert parse_int(r["attr"]) < 1 << 64 and parse_int(r["start"]) < 1 << 64, r


def test_memmap_types_are_efi_names(memmap):
    bad = [r for r in memmap if r["type"] not in EFI_MEMORY_TYPES]
    assert not bad, f"not EFI_MEMORY_TYPE names: {bad}"


def test_memmap_has_no_overlaps(run, memmap):
    # OVMF's map has none; Atlas must neither invent nor miss any.
    assert overlapping_pairs(memmap_ranges(memmap)) == 0
    assert run.one("memtotal")["overlaps"] == 0


def test_ram_total_within_guest_memory(memmap):
    ram = ram_bytes(memmap_ranges(memmap))
    assert RAM_FLOOR <= ram <= GUEST_RAM, f"RAM-type descriptors add up to {ram / MiB:.3f} MiB"


def test_low_ram_fully_described(memmap):
    # OVMF describes every byte of guest RAM (as RAM or as Reserved), except the legacy window.
    gaps = uncovered(memmap_ranges(memmap), 0, GUEST_RAM)
    assert gaps == [LEGACY_HOLE], "undescribed: " + ", ".join(f"{s:#x}-{e:#x}" for s, e in gaps)


def test_memtotal_matches_memmap(run, memmap):
    total = run.one("memtotal")
    ranges = memmap_ranges(memmap)
    assert total["descriptors"] == len(memmap)
    assert total["ram_bytes"] == ram_bytes(ranges)
    usable = sum(e - s for s, e, t in ranges if t in FREE_AFTER_EBS_TYPES)
    assert total["usable_bytes"] == usable
    assert total["unsorted"] == unsorted_count(ranges)
    for k in ("unsorted", "zero_pages", "bad_ranges"):
        assert total[k] == 0, f"{k} = {total[k]} on OVMF's 128 MiB map: {total}"


def test_memtype_totals_match_memmap(run, memmap):
    want = {}
    for r in memmap:
        want[r["type"]] = want.get(r["type"], 0) + r["pages"]
    got = {r["type"]: r["pages"] for r in run.records("memtype")}
    assert got == want


def test_boot_record(run):
    b = run.one("boot")
    for k in ("kernel_phys", "kernel_virt", "rip", "rsp", "cr3", "fw_cr3"):
        assert isinstance(b[k], str) and HEX_RE.fullmatch(b[k]), f"{k}: {b[k]!r} is not a '0x...' string"
    rip, rsp, virt = parse_int(b["rip"]), parse_int(b["rsp"]), parse_int(b["kernel_virt"])
    assert b["ebs_tries"] >= 1
    assert virt >= KERNEL_BASE, b
    assert KERNEL_BASE <= rip < virt + b["kernel_size"], f"RIP {rip:#x} outside the kernel image"
    assert KSTACKS_BASE <= rsp < KSTACKS_END, f"RSP {rsp:#x} outside the kernel stack region"
    assert parse_int(b["cr3"]) != parse_int(b["fw_cr3"]), b


def test_self_tests_pass_and_summary_is_last(run):
    check_tests_and_summary(run)


def test_only_json_after_firmware_stage(run):
    # With report=json the kernel prints nothing but records: every line after the firmware
    # stage's "exiting boot services" is one. (on_finish=exit writes the port and is gone.)
    lines = kernel_lines(run)
    assert lines, "nothing after the firmware stage" + run.tail()
    stray = [line for line in lines if not line.startswith('{"rec"')]
    assert not stray, f"non-JSON lines in report=json output: {stray[:10]}"


def test_no_human_report_in_json_mode(run):
    text = run.text()
    for marker in ("Type       Start", "TAP version", "Firmware memory map:", "Total RAM:", "Atlas kernel:"):
        assert marker not in text, f"human report line {marker!r} in report=json output"
