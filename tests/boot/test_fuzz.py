"""The system-call fuzzer's short slice (issue 18, part 3): 4 x 5,000 seeded
random system calls (tests/user/fuzz.c) run at the same time through run=,
with the watchdog at its default bound. A clean run: every process survives
its calls, no panic, no kernel fault, no watchdog report, and every page and
heap byte the processes used comes back (run.pages_returned). `make fuzz`
runs the long campaign the same way (tools/fuzz.py, docs/fuzz.md)."""
import sys

import pytest

from atlas_qemu import BUILD, REPO

sys.path.insert(0, str(REPO / "tools"))
import fuzz  # noqa: E402

SEEDS = [101, 102, 103, 104]
CALLS = 5000


@pytest.fixture(scope="module")
def slice_run(atlas):
    cfg = fuzz.boot_config(fuzz.runs_of(SEEDS, 8), CALLS, 1000)
    return atlas.boot("fuzz-slice", cfg=cfg, memory="256M", timeout=300,
                      files={"/fuzz/fuzz.elf": BUILD / "user" / "fuzz.elf"})


def test_the_slice_is_clean(slice_run):
    findings, per_seed = fuzz.check(slice_run, SEEDS, CALLS)
    assert not findings, "\n".join(findings)
    assert sorted(per_seed) == SEEDS


def test_every_call_was_made(slice_run):
    """Each process made its calls (plus its own bookkeeping calls), so nothing was skipped."""
    exits = [e for e in slice_run.records("exit") if e["name"] == "fuzz"]
    assert exits and all(e["syscalls"] >= CALLS for e in exits), exits
