"""on_finish=halt keeps the machine up for the QEMU monitor; the harness can query it and quit.

This is the pattern for tests that read the guest's page tables from outside
(info mem / info tlb) rather than trusting what Atlas says about them.
"""

import re

import pytest

from atlas_qemu import HALTED, KERNEL_BASE, check_tests_and_summary

MEM_RE = re.compile(r"([0-9a-f]{16})-([0-9a-f]{16}) ([0-9a-f]{16}) ([-urwx]{3})")
USER_END = 0x0000_8000_0000_0000


@pytest.fixture(scope="module")
def halted(atlas):
    with atlas.start("halt", cfg="report=json on_finish=halt", memory="128M") as m:
        m.wait_for_serial(HALTED)
        info_mem = m.hmp("info mem")
        info_tlb = m.hmp("info tlb")
        status = m.quit()
    return m.result(), status, info_mem, info_tlb


def test_halted_then_quit(halted):
    run, status, _, _ = halted
    assert status == 0, run.tail()
    check_tests_and_summary(run)
    assert run.plain_lines()[-2:] == [HALTED, ""], run.tail()


def test_info_mem_sees_the_higher_half_kernel(halted):
    _, _, info_mem, _ = halted
    maps = [(int(m[1], 16), int(m[2], 16), m[4]) for m in map(MEM_RE.fullmatch, info_mem.splitlines()) if m]
    assert maps, f"unexpected `info mem` output:\n{info_mem}"
    assert any(s <= KERNEL_BASE < e for s, e, _ in maps), f"kernel base not mapped:\n{info_mem}"
    low = [m for m in maps if m[0] < USER_END]
    assert not low, f"lower-half mappings (identity map left behind?): {low[:5]}"


def test_info_tlb_answers(halted):
    _, _, _, info_tlb = halted
    assert re.search(r"^ffffffff80000000: ", info_tlb, re.M), f"no TLB entry for the kernel base:\n{info_tlb[:2000]}"
