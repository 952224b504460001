"""-m 4G: RAM above 4 GiB reaches Atlas's memory map.

On q35, QEMU keeps at most 2 GiB of a guest with >= 2.75 GiB below 4 GiB (the
rest of the 32-bit space is PCI / MMCONFIG / firmware) and puts the remainder
at 0x100000000, so a 4 GiB guest has 2 GiB of RAM at [4 GiB, 6 GiB).
"""

import pytest

from atlas_qemu import (
    NOT_RAM_TYPES,
    STATUS_PASSED,
    GiB,
    MiB,
    check_tests_and_summary,
    memmap_ranges,
    overlapping_pairs,
    ram_bytes,
    uncovered,
    unsorted_count,
)

GUEST_RAM = 4 * GiB
# OVMF reports 4095.125 MiB here: the same 896 KiB as at 128 MiB (legacy window
# plus a 512 KiB firmware reservation) are missing. Same floor reasoning as in
# test_removable_json.py: 16 MiB TSEG on SMM builds + 2 MiB.
RAM_FLOOR = GUEST_RAM - 18 * MiB
FOUR_GIB = 0x1_0000_0000


@pytest.fixture(scope="module")
def run(atlas):
    return atlas.boot("json-4g", cfg="report=json on_finish=exit", memory="4G")


@pytest.fixture(scope="module")
def ranges(run):
    recs = run.records("memmap")
    assert recs, "no memmap records" + run.tail()
    return memmap_ranges(recs)


def test_exit_status_all_passed(run):
    run.expect_status(STATUS_PASSED)
    check_tests_and_summary(run)


def test_ram_above_4g_is_in_the_map(ranges):
    high = [(s, e, t) for s, e, t in ranges if t not in NOT_RAM_TYPES and s >= FOUR_GIB]
    assert high, "no RAM descriptor at or above 0x100000000"
    # At least 1 GiB of the 2 GiB QEMU puts there (the firmware may keep a little).
    assert sum(e - s for s, e, _ in high) >= 1 * GiB


def test_high_ram_fully_described(ranges):
    lo_top = max(e for s, e, t in ranges if t not in NOT_RAM_TYPES and e <= FOUR_GIB)
    high_ram = GUEST_RAM - lo_top  # what QEMU put above 4 GiB
    gaps = uncovered(ranges, FOUR_GIB, FOUR_GIB + high_ram)
    assert not gaps, "undescribed above 4 GiB: " + ", ".join(f"{s:#x}-{e:#x}" for s, e in gaps)


def test_ram_total_within_guest_memory(run, ranges):
    ram = ram_bytes(ranges)
    assert RAM_FLOOR <= ram <= GUEST_RAM, f"RAM-type descriptors add up to {ram / MiB:.3f} MiB"
    total = run.one("memtotal")
    assert overlapping_pairs(ranges) == 0 and total["overlaps"] == 0
    assert total["ram_bytes"] == ram
    # OVMF lists the RAM above 4 GiB before the MMCONFIG and flash ranges below it.
    assert total["unsorted"] == unsorted_count(ranges)
