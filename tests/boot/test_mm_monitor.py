"""The QEMU monitor as an outside witness: are the kmap regions Atlas reports what the MMU sees?

One boot, default CPU (qemu64, no pdpe1gb), -m 128M, report=json on_finish=halt.
Once the kernel has halted, the harness asks QEMU for two views of the live
page tables (CR3 = Atlas's PML4) and compares them with Atlas's own records:

`info tlb` (QEMU 7.2, target/i386/monitor.c tlb_info_64/print_pte) prints one
line per present *leaf*, 1 GiB, 2 MiB or 4 KiB:

    ffffffff80000000: 0000000005ddf000 -G--A----
    ffff800000200000: 0000000000200000 XGP-A---W

virtual address (canonical), physical address of the page, then nine flags
from the leaf entry alone, in this order:

    X  NX (bit 63)         -> no X means executable
    G  global (bit 8)
    P  PS (bit 7): a 2 MiB or 1 GiB leaf. In a 4 KiB leaf bit 7 is PAT;
       Atlas never sets it there (its WC uses PWT alone), so P = huge here
    D  dirty, A accessed
    C  PCD (bit 4), T PWT (bit 3): the cache type via PAT
    U  user (bit 2)
    W  writable (bit 1)

The flags are the leaf's only; Atlas's upper-level entries are P W A (no NX, no
U: see the walk records), so the leaf decides. Without pdpe1gb there are no
1 GiB leaves (the ptables record says so too), so a P line is a 2 MiB page.

`info mem` prints ranges of equal *effective* user/write permission,
"start-end size -rw" (u or -, always r, w or -), ANDed over all four levels,
but cannot show NX. Both are used: `info tlb` page by page (W, NX, U, the
physical address, the cache bits) and `info mem` for the effective rights.

Why `info tlb` page by page is affordable: at 128 MiB the direct map is 2 MiB
leaves except around the holes, so the whole dump is ~1,550 lines (~70 KB,
a few ms); every page of every region is checked, nothing is sampled (regions
over 64 Ki pages would be sampled; none is at 128 MiB).

The recursive slot (PML4[510]) makes the page tables themselves appear as
leaves in [0xffffff0000000000, 0xffffff8000000000): those lines show table
entries read as PTEs, so they are checked separately (the PML4 maps itself).
"""

import bisect
import re
from collections import namedtuple

import pytest

from atlas_qemu import HALTED, KERNEL_BASE, PAGE, MiB, check_tests_and_summary, parse_int

DIRECT_MAP_BASE = 0xFFFF_8000_0000_0000
RECURSIVE_BASE = 0xFFFF_FF00_0000_0000
RECURSIVE_END = 0xFFFF_FF80_0000_0000
RECURSIVE_SLOT = 510
USER_END = 0x0000_8000_0000_0000
KERNEL_IMAGE_SECTIONS = ("[ktext]", "[krodata]", "[kdata]", "[kbss]")
FULL_CHECK_PAGES = 64 * 1024  # regions up to 256 MiB: every page; bigger ones: a spread
SAMPLES = 4096

TLB_RE = re.compile(r"([0-9a-f]{16}): ([0-9a-f]{16}) ([X-])([G-])([P-])([D-])([A-])([C-])([T-])([U-])([W-])")
MEM_RE = re.compile(r"([0-9a-f]{16})-([0-9a-f]{16}) ([0-9a-f]{16}) ([u-])r([w-])")

Region = namedtuple("Region", "start end perm name")
Leaf = namedtuple("Leaf", "va size phys nx pse pcd pwt user write")
MemRange = namedtuple("MemRange", "start end user write")


@pytest.fixture(scope="module")
def halted(atlas):
    with atlas.start("mm-monitor-128m", cfg="report=json on_finish=halt", memory="128M") as m:
        # HALTED follows the summary record: the report is complete and the CPU is in its hlt loop.
        m.wait_for_serial(HALTED)
        info_tlb = m.hmp("info tlb")
        info_mem = m.hmp("info mem")
        status = m.quit()
    return m.result(), status, info_tlb, info_mem


@pytest.fixture(scope="module")
def run(halted):
    return halted[0]


@pytest.fixture(scope="module")
def regions(run):
    recs = run.records("kmap")
    assert recs, "no kmap records" + run.tail()
    return [Region(parse_int(r["start"]), parse_int(r["end"]), r["perm"], r["name"]) for r in recs]


@pytest.fixture(scope="module")
def all_leaves(halted):
    """Every line of `info tlb` as a Leaf; fails on any line it does not understand."""
    _, _, info_tlb, _ = halted
    leaves, bad = [], []
    for line in info_tlb.splitlines():
        if not line.strip():
            continue
        m = TLB_RE.fullmatch(line.strip())
        if not m:
            bad.append(line)
            continue
        va, phys = int(m[1], 16), int(m[2], 16)
        pse = m[5] == "P"
        leaves.append(Leaf(va, 2 * MiB if pse else PAGE, phys, m[3] == "X", pse, m[8] == "C", m[9] == "T",
                           m[10] == "U", m[11] == "W"))  # fmt: skip
    assert not bad, f"`info tlb` lines in an unknown format (QEMU changed?): {bad[:5]}"
    assert leaves, f"`info tlb` printed no leaves:\n{info_tlb[:2000]}"
    return sorted(leaves)


@pytest.fixture(scope="module")
def leaves(all_leaves):
    """The leaves outside the recursive window: the kernel's real mappings."""
    return [lf for lf in all_leaves if not RECURSIVE_BASE <= lf.va < RECURSIVE_END]


@pytest.fixture(scope="module")
def mem_ranges(halted):
    _, _, _, info_mem = halted
    ranges = []
    for line in info_mem.splitlines():
        if not line.strip():
            continue
        m = MEM_RE.fullmatch(line.strip())
        assert m, f"`info mem` line in an unknown format: {line!r}"
        ranges.append(MemRange(int(m[1], 16), int(m[2], 16), m[4] == "u", m[5] == "w"))
    assert ranges, "`info mem` printed nothing"
    return ranges


def pages_to_check(r):
    pages = (r.end - r.start) // PAGE
    if pages <= FULL_CHECK_PAGES:
        return [r.start + i * PAGE for i in range(pages)]
    step = pages // SAMPLES
    return sorted({r.start + i * step * PAGE for i in range(SAMPLES)} | {r.end - PAGE})


def leaf_at(leaves, starts, va):
    i = bisect.bisect_right(starts, va) - 1
    if i >= 0 and leaves[i].va <= va < leaves[i].va + leaves[i].size:
        return leaves[i]
    return None


def mem_at(ranges, va):
    return next((r for r in ranges if r.start <= va < r.end), None)


def mapped(regions):
    return [r for r in regions if r.perm != "---" and r.name != "[recursive]"]


# ---------------------------------------------------------------------------


def test_halted_then_quit(halted):
    run, status, _, _ = halted
    assert status == 0, run.tail()
    check_tests_and_summary(run)
    assert run.plain_lines()[-2:] == [HALTED, ""], run.tail()


def test_huge_leaves_are_2m_and_counts_match_ptables(run, leaves):
    p = run.one("ptables")
    assert p["leaves_1g"] == 0, f"this boot has no pdpe1gb, so P leaves must be 2 MiB: {p}"
    huge = [lf for lf in leaves if lf.pse]
    assert all(lf.va % (2 * MiB) == 0 and lf.phys % (2 * MiB) == 0 for lf in huge), [
        lf for lf in huge if lf.va % (2 * MiB) or lf.phys % (2 * MiB)
    ]
    # QEMU's count of leaves and Atlas's own (pt_for_each_leaf, recursive slot excluded) agree.
    assert (len(huge), len(leaves) - len(huge)) == (p["leaves_2m"], p["leaves_4k"]), p


def test_every_region_page_mapped_with_its_permissions(regions, leaves):
    starts = [lf.va for lf in leaves]
    problems = []
    for r in mapped(regions):
        for va in pages_to_check(r):
            lf = leaf_at(leaves, starts, va)
            if lf is None:
                problems.append(f"{va:#x} in {r.name} ({r.perm}): not in `info tlb`")
            elif lf.write != ("w" in r.perm) or lf.nx != ("x" not in r.perm) or lf.user:
                problems.append(f"{va:#x} in {r.name} ({r.perm}): leaf {lf}")
            if len(problems) > 20:
                break
    assert not problems, "\n".join(problems)


def test_every_guard_page_unmapped(regions, leaves, mem_ranges):
    guards = [r for r in regions if r.perm == "---"]
    assert len(guards) >= 4, guards
    starts = [lf.va for lf in leaves]
    for g in guards:
        for va in pages_to_check(g):
            assert leaf_at(leaves, starts, va) is None, f"{g.name}: {va:#x} is mapped: {leaf_at(leaves, starts, va)}"
            assert mem_at(mem_ranges, va) is None, f"{g.name}: {va:#x} in `info mem` {mem_at(mem_ranges, va)}"


def test_nothing_mapped_outside_the_regions(regions, all_leaves, leaves):
    low = [lf for lf in all_leaves if lf.va < USER_END]
    assert not low, f"lower-half leaves (identity map left behind?): {low[:5]}"
    stray = [lf for lf in leaves if not any(r.start <= lf.va and lf.va + lf.size <= r.end for r in mapped(regions))]
    assert not stray, f"leaves no kmap region accounts for: {stray[:10]}"


def test_translations(run, regions, leaves):
    starts = [lf.va for lf in leaves]
    kernel_phys = parse_int(run.one("boot")["kernel_phys"])
    checked = 0
    for r in mapped(regions):
        if r.name == "[direct map]":
            want = lambda va: va - DIRECT_MAP_BASE  # noqa: E731
        elif r.name in KERNEL_IMAGE_SECTIONS:
            want = lambda va: kernel_phys + (va - KERNEL_BASE)  # noqa: E731
        else:
            continue
        for va in pages_to_check(r):
            lf = leaf_at(leaves, starts, va)
            assert lf and lf.phys + (va - lf.va) == want(va), f"{va:#x} in {r.name}: leaf {lf}, want {want(va):#x}"
            checked += 1
    assert checked > 0


def test_cache_types(regions, leaves):
    # Atlas's PAT entry 1 is WC and PWT alone selects it (core/x86/cpu.c): the framebuffer is PWT, not PCD;
    # the local APIC's registers are uncached (PCD and PWT); everything else is write-back (neither).
    fb = [r for r in regions if r.name == "[framebuffer]"]
    assert len(fb) == 1, fb
    in_fb = [lf for lf in leaves if fb[0].start <= lf.va < fb[0].end]
    assert in_fb and all(lf.pwt and not lf.pcd for lf in in_fb), [lf for lf in in_fb if not lf.pwt or lf.pcd][:5]
    lapic = [r for r in regions if r.name == "[lapic]"]
    assert len(lapic) == 1, lapic
    in_lapic = [lf for lf in leaves if lapic[0].start <= lf.va < lapic[0].end]
    assert in_lapic and all(lf.pwt and lf.pcd for lf in in_lapic), in_lapic
    # PCI config space (ECAM, one region per bus, drivers/pci_cfg.c) is uncached too.
    ecam = [r for r in regions if r.name.startswith("[ecam ")]
    in_ecam = [lf for lf in leaves if any(r.start <= lf.va < r.end for r in ecam)]
    assert all(lf.pwt and lf.pcd for lf in in_ecam), [lf for lf in in_ecam if not (lf.pwt and lf.pcd)][:5]
    other = [lf for lf in leaves if (lf.pwt or lf.pcd) and lf not in in_fb and lf not in in_lapic and lf not in in_ecam]
    assert not other, f"uncached / WC leaves outside [framebuffer], [lapic] and [ecam ..]: {other[:5]}"


def test_info_mem_effective_permissions(regions, mem_ranges):
    for r in mapped(regions):
        va = r.start
        while va < r.end:
            m = mem_at(mem_ranges, va)
            assert m, f"{va:#x} in {r.name} is not in `info mem`"
            assert not m.user and m.write == ("w" in r.perm), f"{r.name} ({r.perm}) at {va:#x}: `info mem` says {m}"
            va = m.end
    low = [m for m in mem_ranges if m.start < USER_END]
    assert not low, f"lower-half ranges in `info mem`: {low}"
    assert not any(m.user for m in mem_ranges), [m for m in mem_ranges if m.user]


def test_recursive_slot_maps_the_pml4(run, all_leaves, mem_ranges):
    cr3 = parse_int(run.one("boot")["cr3"])
    # PML4[510] -> PML4[510] -> PML4[510] -> PML4[510]: the PML4 as a 4 KiB page.
    self_va = RECURSIVE_BASE | RECURSIVE_SLOT << 30 | RECURSIVE_SLOT << 21 | RECURSIVE_SLOT << 12
    lf = next((lf for lf in all_leaves if lf.va == self_va), None)
    assert lf is not None, f"{self_va:#x} (the PML4 through the recursive slot) not in `info tlb`"
    assert lf.phys == cr3 & ~0xFFF and lf.nx and lf.write and not lf.user, (lf, hex(cr3))
    window = [m for m in mem_ranges if m.start < RECURSIVE_END and m.end > RECURSIVE_BASE]
    assert window and all(RECURSIVE_BASE <= m.start and m.end <= RECURSIVE_END for m in window), window
