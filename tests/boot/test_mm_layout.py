"""The kernel address space Atlas builds for itself, as its records describe it.

Two boots, both report=json on_finish=exit:

  default  QEMU's default CPU (qemu64: no pdpe1gb, no SMEP/SMAP/UMIP), -m 128M,
           with walk= addresses: the direct map must use 2 MiB pages at most.
  max      -cpu max (pdpe1gb, SMEP, SMAP, UMIP), -m 6G: q35 puts 4 GiB of that
           above 4 GiB, so the direct map has a region at 0xffff800100000000+
           and 1 GiB leaves.

What the records must say (docs/records-mm.md, include/memlayout.h): the image
per section from KERNEL_BASE ([ktext] r-x, [krodata] r--, [kdata] rw-, [kbss]
rw-), [kheap], every [kstack N (name)] with its unmapped guard page right
below, one [direct map] region per run of RAM descriptors in the firmware map,
[recursive], [framebuffer]; and the ptables / cpu / walk records must agree
with that picture. tests/boot/test_mm_monitor.py checks the same regions
against the page tables QEMU sees.
"""

import re
from collections import namedtuple

import pytest

from atlas_qemu import (
    KERNEL_BASE,
    KSTACKS_BASE,
    KSTACKS_END,
    NOT_RAM_TYPES,
    PAGE,
    STATUS_PASSED,
    GiB,
    MiB,
    check_tests_and_summary,
    memmap_ranges,
    parse_int,
)

# include/memlayout.h
DIRECT_MAP_BASE = 0xFFFF_8000_0000_0000
DIRECT_MAP_END = 0xFFFF_C000_0000_0000
RECURSIVE_BASE = 0xFFFF_FF00_0000_0000
RECURSIVE_END = 0xFFFF_FF80_0000_0000
KHEAP_BASE = 0xFFFF_FFFF_9000_0000
KHEAP_END = KSTACKS_BASE
KMMIO_BASE = KSTACKS_END
KMMIO_END = 0xFFFF_FFFF_FF00_0000
KSTACK_SIZE = 16 * 1024
KSTACK_SLOT = KSTACK_SIZE + PAGE  # guard page + stack
FOUR_GIB = 0x1_0000_0000

# x86 page-table entry bits (SDM Vol. 3A 4.5)
PTE_P, PTE_W, PTE_U, PTE_PS = 1 << 0, 1 << 1, 1 << 2, 1 << 7
PTE_NX = 1 << 63
CR4_UMIP, CR4_SMEP, CR4_SMAP = 1 << 11, 1 << 20, 1 << 21

HEX_RE = re.compile(r"0x(0|[1-9a-f][0-9a-f]*)")
KSTACK_RE = re.compile(r"\[kstack (\d+) \((.+)\)\]")
GUARD_RE = re.compile(r"guard page below kernel stack (\d+) \((.+)\)")
IMAGE_SECTIONS = [("[ktext]", "r-x"), ("[krodata]", "r--"), ("[kdata]", "rw-"), ("[kbss]", "rw-")]
# core/selftest/bootcheck.c and core/selftest/mmcheck.c: every one of these runs at every boot.
EXPECTED_TESTS = {
    "boot.higher_half", "boot.stack", "boot.own_cr3", "boot.stack_guard", "boot.no_identity_map",
    "boot.kernel_wx", "boot.memmap", "boot.direct_map",
    "mm.wx", "mm.null_unmapped", "mm.kmap_perms", "mm.recursive", "mm.heap", "mm.pmm", "mm.kstack",
    "mm.cpu_features", "mm.low_reserved",
}  # fmt: skip

# walk= for the default boot: the boot stack's guard page, the first page of .text, physical page 1
# through the direct map (inside the 640 KiB of RAM below the legacy hole, so necessarily a 4 KiB
# leaf), a non-canonical address, and phys 64 MiB + 4 KiB (deep inside the big low RAM run, so a
# 2 MiB leaf).
WALK_GUARD = 0xFFFF_FFFF_C000_0000
WALK_TEXT = KERNEL_BASE
WALK_DIRECT_LOW = DIRECT_MAP_BASE + 0x1000
WALK_NONCANONICAL = 0x1234_5678_1234_5678
WALK_DIRECT_2M = DIRECT_MAP_BASE + 0x400_1000
DEFAULT_WALKS = [WALK_GUARD, WALK_TEXT, WALK_DIRECT_LOW, WALK_NONCANONICAL, WALK_DIRECT_2M]
# For -m 6G: phys 5 GiB + 4 KiB, inside the RAM q35 puts at [4 GiB, 8 GiB): a 1 GiB leaf.
WALK_DIRECT_1G = DIRECT_MAP_BASE + 0x1_4000_1000

Region = namedtuple("Region", "start end perm name")


def walk_opt(addrs):
    return "walk=" + ",".join(f"{a:#x}" for a in addrs)


@pytest.fixture(scope="module")
def run(atlas):
    cfg = f"report=json on_finish=exit {walk_opt(DEFAULT_WALKS)}"
    return atlas.boot("mm-default-128m", cfg=cfg, memory="128M")


@pytest.fixture(scope="module")
def run_max(atlas):
    cfg = f"report=json on_finish=exit {walk_opt([WALK_DIRECT_1G])}"
    return atlas.boot("mm-cpumax-6g", cfg=cfg, memory="6G", extra_args=["-cpu", "max"])


# ---------------------------------------------------------------------------
# helpers


def kmap(run):
    recs = run.records("kmap")
    assert recs, "no kmap records" + run.tail()
    return [Region(parse_int(r["start"]), parse_int(r["end"]), r["perm"], r["name"]) for r in recs]


def named(regions, name):
    return [r for r in regions if r.name == name]


def the(regions, name):
    found = named(regions, name)
    assert len(found) == 1, f"expected one {name} region, found {found}"
    return found[0]


def ram_runs(run):
    """Maximal runs of physically adjacent RAM-type descriptors: what the direct map must cover."""
    recs = run.records("memmap")
    assert recs, "no memmap records" + run.tail()
    runs = []
    for s, e in sorted((s, e) for s, e, t in memmap_ranges(recs) if t not in NOT_RAM_TYPES):
        if runs and s == runs[-1][1]:
            runs[-1][1] = e
        else:
            runs.append([s, e])
    return [tuple(r) for r in runs]


def largest_leaf(va, region, sizes):
    """The biggest page size whose aligned block around va lies inside region: what pt_map can use."""
    for size in sorted(sizes, reverse=True):
        lo = va & ~(size - 1)
        if region.start <= lo and lo + size <= region.end:
            return size
    return PAGE


def walks_by_va(run):
    return {parse_int(w["va"]): w for w in run.records("walk")}


# ---------------------------------------------------------------------------
# checks shared by both boots


def check_kmap_shapes(regions, recs):
    for r in recs:
        assert {"start", "end", "perm", "name"} <= set(r), r
        assert HEX_RE.fullmatch(r["start"]) and HEX_RE.fullmatch(r["end"]), r
        assert re.fullmatch(r"[r-][w-][x-]", r["perm"]), r
        assert isinstance(r["name"], str) and r["name"], r
    for r in regions:
        assert r.start < r.end, f"empty or reversed region {r}"
        assert r.start % PAGE == 0 and r.end % PAGE == 0, f"region not page aligned: {r}"
        assert r.start >= DIRECT_MAP_BASE, f"region outside the kernel half: {r}"
        assert r.perm == "---" or r.perm[0] == "r", f"mapped regions are readable (perm r..): {r}"
        assert r.perm != "rwx", f"W+X region: {r}"
    for a, b in zip(regions, regions[1:]):
        assert a.start <= b.start, f"kmap records not in address order: {a} then {b}"
        assert a.end <= b.start, f"overlapping regions: {a} and {b}"


def check_direct_map_matches_memmap(run):
    regions = kmap(run)
    direct = [(r.start, r.end) for r in regions if r.name == "[direct map]"]
    assert all(r.perm == "rw-" for r in named(regions, "[direct map]")), named(regions, "[direct map]")
    want = [(DIRECT_MAP_BASE + s, DIRECT_MAP_BASE + e) for s, e in ram_runs(run)]
    assert direct and direct[0][0] == DIRECT_MAP_BASE, f"the direct map must start at {DIRECT_MAP_BASE:#x}: {direct}"
    fmt = lambda rs: "\n  ".join(f"{s:#x}-{e:#x} ({(e - s) // PAGE} pages)" for s, e in rs)  # noqa: E731
    assert direct == want, f"[direct map] regions:\n  {fmt(direct)}\nruns of RAM descriptors:\n  {fmt(want)}"
    assert all(e <= DIRECT_MAP_END for _, e in direct)


def check_walk_split(w):
    va = parse_int(w["va"])
    assert (w["pml4"], w["pdpt"], w["pd"], w["pt"]) == tuple((va >> s) & 511 for s in (39, 30, 21, 12)), w
    assert parse_int(w["offset"]) == va & 0xFFF, w


def check_mapped_walk(w, page_size, phys, region):
    """A present walk: leaf level, entry count, PS bit and translation all consistent."""
    level = {PAGE: 1, 2 * MiB: 2, GiB: 3}[page_size]
    check_walk_split(w)
    assert w["present"] is True, w
    assert "reason" not in w, w
    assert w["page_size"] == page_size, w
    assert parse_int(w["phys"]) == phys, w
    assert w["region"] == region, w
    assert w["level"] == level, w
    entries = [parse_int(e) for e in w["entries"]]
    assert len(entries) == 5 - level, f"{w}: a walk to level {level} reads {5 - level} entries"
    assert all(e & PTE_P for e in entries), w
    assert all(not e & PTE_PS for e in entries[:-1]), f"a table entry on the way down has PS: {w}"
    assert bool(entries[-1] & PTE_PS) == (level > 1), f"leaf PS bit wrong for a {page_size}-byte page: {w}"
    return entries[-1]


# ---------------------------------------------------------------------------
# default CPU, 128 MiB


def test_default_exit_status_and_summary(run):
    run.expect_status(STATUS_PASSED)
    check_tests_and_summary(run)


def test_default_boot_and_mm_self_tests(run):
    tests = {t["name"]: t for t in run.records("test")}
    missing = EXPECTED_TESTS - set(tests)
    assert not missing, f"self-tests that did not run: {sorted(missing)}" + run.tail()
    bad = [t for name, t in tests.items() if name.startswith(("boot.", "mm.")) and t["ok"] is not True]
    assert not bad, f"failing boot./mm. self-tests: {bad}"


def test_default_kmap_record_shapes(run):
    check_kmap_shapes(kmap(run), run.records("kmap"))


def test_default_kernel_image_sections(run):
    regions = kmap(run)
    secs = [the(regions, name) for name, _ in IMAGE_SECTIONS]
    for r, (name, perm) in zip(secs, IMAGE_SECTIONS):
        assert r.perm == perm, f"{name} is {r.perm}, expected {perm}"
    assert secs[0].start == KERNEL_BASE, f"[ktext] starts at {secs[0].start:#x}, not {KERNEL_BASE:#x}"
    for a, b in zip(secs, secs[1:]):
        assert a.end == b.start, f"{a.name} ends at {a.end:#x} but {b.name} starts at {b.start:#x}"
    boot = run.one("boot")
    assert secs[-1].end == KERNEL_BASE + boot["kernel_size"], (secs[-1], boot["kernel_size"])


def test_default_heap_region(run):
    # One [kheap] region per run of mapped heap pages: large blocks given back leave holes.
    heap = [r for r in kmap(run) if r.name == "[kheap]"]
    assert heap, "no [kheap] region"
    assert heap[0].start == KHEAP_BASE, heap
    for h in heap:
        assert h.perm == "rw-" and KHEAP_BASE <= h.start < h.end <= KHEAP_END, h
    for a, b in zip(heap, heap[1:]):
        assert a.end < b.start, (a, b)  # separate runs, with a hole between them
    mapped = sum(h.end - h.start for h in heap)
    assert mapped == run.one("heap")["pages"] * PAGE, (heap, run.one("heap"))


def test_default_kernel_stacks_have_guards_below(run):
    regions = kmap(run)
    stacks = [(i, r) for i, r in enumerate(regions) if KSTACK_RE.fullmatch(r.name)]
    assert len(stacks) >= 4, f"expected at least 4 kernel stacks (boot, #DF, NMI, #MC): {stacks}"
    names = {}
    for i, s in stacks:
        n, label = KSTACK_RE.fullmatch(s.name).groups()
        n = int(n)
        names[n] = label
        assert s.perm == "rw-", s
        assert s.end - s.start == KSTACK_SIZE, f"{s.name} is {s.end - s.start} bytes, not 16 KiB"
        assert KSTACKS_BASE <= s.start and s.end <= KSTACKS_END, s
        assert s.start == KSTACKS_BASE + n * KSTACK_SLOT + PAGE, f"{s.name} is not in slot {n}: {s.start:#x}"
        assert i > 0, f"nothing below {s.name}"
        g = regions[i - 1]
        assert g.name == f"guard page below kernel stack {n} ({label})", f"region below {s.name} is {g}"
        assert GUARD_RE.fullmatch(g.name)
        assert g.perm == "---", g
        assert g.end == s.start and g.end - g.start == PAGE, f"guard {g} does not end where {s.name} starts"
    assert names.get(0) == "boot", names
    assert {"#DF", "NMI", "#MC"} <= set(names.values()), f"IST stacks missing: {names}"
    # mm.kstack allocates a stack and frees it again before the report: nothing of it may remain.
    leftovers = [r for r in regions if "(selftest)" in r.name]
    assert not leftovers, f"the freed self-test stack is still a region: {leftovers}"


def test_default_every_guard_belongs_to_a_stack(run):
    regions = kmap(run)
    guards = [r for r in regions if r.perm == "---"]
    for g in guards:
        m = GUARD_RE.fullmatch(g.name)
        assert m, f"unexpected guard {g}"
        assert named(regions, f"[kstack {m[1]} ({m[2]})]"), f"guard {g} without its stack"


def test_default_direct_map_matches_memmap(run):
    check_direct_map_matches_memmap(run)


def test_default_recursive_and_framebuffer(run):
    regions = kmap(run)
    rec = the(regions, "[recursive]")
    assert (rec.start, rec.end, rec.perm) == (RECURSIVE_BASE, RECURSIVE_END, "rw-"), rec
    fb = the(regions, "[framebuffer]")
    assert fb.perm == "rw-" and KMMIO_BASE <= fb.start < fb.end <= KMMIO_END, fb


def test_default_cpu_record(run):
    c = run.one("cpu")
    assert c["pdpe1gb"] is False, c
    assert c["nx"] is True and c["pge"] is True, c
    # qemu64 has none of these, so Atlas must not have set them (the write would #GP).
    assert (c["smep"], c["smap"], c["umip"]) == (False, False, False), c
    assert not parse_int(c["cr4"]) & (CR4_SMEP | CR4_SMAP | CR4_UMIP), c


def test_default_ptables(run):
    p = run.one("ptables")
    assert p["leaves_1g"] == 0, f"1 GiB leaves without pdpe1gb: {p}"
    assert p["leaves_2m"] > 0, f"the direct map uses no 2 MiB pages: {p}"
    assert p["pml4"] == 1 and p["pdpt"] >= 1 and p["pd"] >= 1 and p["pt"] >= 1, p
    leaf_bytes = p["leaves_1g"] * GiB + p["leaves_2m"] * 2 * MiB + p["leaves_4k"] * PAGE
    assert p["mapped_bytes"] == leaf_bytes, p
    # Every mapped region (the recursive window is not counted) is backed by exactly its leaves,
    # except [kheap], which spans up to its highest page and maps only the pages the heap holds.
    regions = kmap(run)
    want = sum(r.end - r.start for r in regions if r.perm != "---" and r.name not in ("[recursive]", "[kheap]"))
    want += run.one("heap")["pages"] * PAGE
    assert p["mapped_bytes"] == want, f"ptables maps {p['mapped_bytes']} bytes, the kmap regions {want}"


# ---- walk= ---------------------------------------------------------------


def test_walk_records_one_per_address(run):
    assert [parse_int(w["va"]) for w in run.records("walk")] == DEFAULT_WALKS


def test_walk_guard_page_not_present(run):
    w = walks_by_va(run)[WALK_GUARD]
    check_walk_split(w)
    assert w["present"] is False and w["page_size"] == 0 and parse_int(w["phys"]) == 0, w
    assert "not present" in w["reason"], w
    assert w["region"] == "guard page below kernel stack 0 (boot)", w
    # The stack's page table exists (the stack is right above), so the walk reaches level 1.
    assert w["level"] == 1 and len(w["entries"]) == 4 and parse_int(w["entries"][-1]) & PTE_P == 0, w


def test_walk_ktext(run):
    w = walks_by_va(run)[WALK_TEXT]
    leaf = check_mapped_walk(w, PAGE, parse_int(run.one("boot")["kernel_phys"]), "[ktext]")
    assert len(w["entries"]) == 4
    assert not leaf & PTE_W and not leaf & PTE_NX and not leaf & PTE_U, f"[ktext] leaf {leaf:#x} is not r-x"


def test_walk_direct_map(run):
    walks, regions = walks_by_va(run), named(kmap(run), "[direct map]")
    sizes = []
    for va in (WALK_DIRECT_LOW, WALK_DIRECT_2M):
        region = next((r for r in regions if r.start <= va < r.end), None)
        assert region, f"{va:#x} is in no [direct map] region"
        # No 1 GiB pages on qemu64; 2 MiB where the RAM run holds the whole aligned block.
        size = largest_leaf(va, region, [PAGE, 2 * MiB])
        leaf = check_mapped_walk(walks[va], size, va - DIRECT_MAP_BASE, "[direct map]")
        assert leaf & PTE_W and leaf & PTE_NX and not leaf & PTE_U, f"direct-map leaf {leaf:#x} is not rw- NX"
        sizes.append(size)
    assert parse_int(walks[WALK_DIRECT_LOW]["phys"]) == 0x1000
    assert sizes == [PAGE, 2 * MiB], (
        f"the 128 MiB layout changed: expected phys 0x1000 in a sub-2-MiB RAM run and phys 0x4001000 in a "
        f"2 MiB-mappable one, got page sizes {sizes}; pick new walk= addresses"
    )


def test_walk_non_canonical(run):
    w = walks_by_va(run)[WALK_NONCANONICAL]
    check_walk_split(w)
    assert w["present"] is False and w["region"] == "non-canonical address", w
    assert w["entries"] == [] and w["level"] == 0 and w["page_size"] == 0, w
    assert "non-canonical" in w["reason"], w


# ---------------------------------------------------------------------------
# -cpu max, 6 GiB


def test_max_exit_status_and_self_tests(run_max):
    run_max.expect_status(STATUS_PASSED)
    check_tests_and_summary(run_max)
    assert EXPECTED_TESTS <= {t["name"] for t in run_max.records("test")}


def test_max_cpu_features_enabled(run_max):
    c = run_max.one("cpu")
    for k in ("smep", "smap", "umip", "pdpe1gb", "nx", "pge"):
        assert c[k] is True, f"-cpu max has {k}: {c}"
    cr4 = parse_int(c["cr4"])
    for bit, name in ((CR4_SMEP, "SMEP (20)"), (CR4_SMAP, "SMAP (21)"), (CR4_UMIP, "UMIP (11)")):
        assert cr4 & bit, f"CR4 {cr4:#x} lacks {name}"


def test_max_kmap_shapes_and_direct_map(run_max):
    check_kmap_shapes(kmap(run_max), run_max.records("kmap"))
    check_direct_map_matches_memmap(run_max)
    high = [r for r in named(kmap(run_max), "[direct map]") if r.start >= DIRECT_MAP_BASE + FOUR_GIB]
    assert high, "no [direct map] region for the RAM above 4 GiB"
    assert sum(r.end - r.start for r in high) >= 3 * GiB, high  # q35 puts 4 GiB of -m 6G there


def test_max_one_gib_leaves(run_max):
    p = run_max.one("ptables")
    assert p["leaves_1g"] >= 1, f"pdpe1gb and 4 GiB of aligned RAM, but no 1 GiB leaf: {p}"
    w = walks_by_va(run_max)[WALK_DIRECT_1G]
    leaf = check_mapped_walk(w, GiB, WALK_DIRECT_1G - DIRECT_MAP_BASE, "[direct map]")
    assert leaf & PTE_W and leaf & PTE_NX, f"{leaf:#x}"
