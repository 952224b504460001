"""The system-call fuzzer's short slice (issue 18, part 3): 4 x 5,000 seeded
random system calls (tests/user/run/fuzz.c) run at the same time through
run=, with the watchdog at its default bound, followed by two programs that
check the costs of huge and many mappings (tests/user/run/huge_mapping.c,
many_areas.c: each used to hang or fail the kernel). A clean run: every
process survives its calls, no panic, no kernel fault, no watchdog report,
and every page and heap byte the processes used comes back
(run.pages_returned). `make fuzz` runs the long campaign the same way
(tools/fuzz.py, docs/fuzz.md)."""
import sys

import pytest

from atlas_qemu import BUILD, REPO

sys.path.insert(0, str(REPO / "tools"))
import fuzz  # noqa: E402

SEEDS = [101, 102, 103, 104]
CALLS = 5000


RUN = BUILD / "user" / "run"


@pytest.fixture(scope="module")
def slice_run(atlas):
    cfg = fuzz.boot_config(fuzz.runs_of(SEEDS, 8), CALLS, 1000)
    cfg = cfg[:-1] + ';\\huge_mapping.elf;\\many_areas.elf"'
    return atlas.boot("fuzz-slice", cfg=cfg, memory="256M", timeout=300,
                      files={"/fuzz/fuzz.elf": RUN / "fuzz.elf", "/huge_mapping.elf": RUN / "huge_mapping.elf",
                             "/many_areas.elf": RUN / "many_areas.elf"})


def test_the_slice_is_clean(slice_run):
    findings, _notes, per_seed = fuzz.check(slice_run, SEEDS, CALLS)
    assert not findings, "\n".join(findings)
    assert sorted(per_seed) == SEEDS


def test_huge_and_many_mappings(slice_run):
    tests = {t["name"]: t for t in slice_run.records("test")}
    for name in ("run.huge_mapping", "run.many_areas"):
        assert tests[name]["ok"], tests[name]
    texts = [r["text"] for r in slice_run.records("output")]
    assert any("a 64 TiB mapping was touched, listed, protected, advised and unmapped" in t for t in texts), texts
    assert any("3000 one-page areas made, listed in order and unmapped" in t for t in texts), texts


def test_every_call_was_made(slice_run):
    """Each process made its calls (plus its own bookkeeping calls), so nothing was skipped."""
    exits = [e for e in slice_run.records("exit") if e["name"] == "fuzz"]
    assert exits and all(e["syscalls"] >= CALLS for e in exits), exits
