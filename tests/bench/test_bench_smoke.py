"""Smoke test of the benchmark program (tests/bench/bench.c) on Atlas, for `make test`.

One boot: the program goes on the ESP as \\bench\\bench.elf and runs in ring 3 through
run="\\bench\\bench.elf quick" (few repeats). It must exit 0 and print every figure that
`make bench` tabulates, each with a positive time (fork_exec_wait executes the program again
from the initramfs, where bench.atlas_initrd puts it at its run= path); the figures Atlas cannot give (no
/dev/null, no second process for the ping-pong) must say so instead of printing a number.
The figures themselves are not checked: `make bench` (tools/bench.py) compares them with
Linux. No Linux boot here.
"""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "boot"))
sys.path.insert(0, str(REPO / "tools"))
import atlas_qemu  # noqa: E402
import bench  # noqa: E402  (tools/bench.py: the same build flags as make bench)

TIMED = [
    "getpid",
    "sched_yield_solo",
    "fault_4k",
    "brk_64m",
    "mmap_munmap",
    "mmap_touch_munmap",
    "write_console_1b",
    "write_devnull_1b",
    "proc_maps_read",
    "proc_maps_read_64m",
    "file_open_close",
    "file_stat",
    "file_read_4k",
    "getdents_100",
    "fault_4k_10k_areas",
    "mmap_munmap_10k_areas",
    "fork_exit_wait_1m",
    "fork_exit_wait_64m",
    "fork_exec_wait",
    "pipe_rtt_1b",
    "cow_fault",
    "thread_create_join",
    "futex_uncontended",
    "futex_pingpong",
]
SKIPPED_ON_ATLAS = ["pingpong"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    problems = atlas_qemu.missing_prerequisites()
    if problems:
        pytest.fail("cannot boot Atlas:\n  " + "\n  ".join(problems), pytrace=False)
    tmp = tmp_path_factory.mktemp("bench-smoke")
    try:
        elf = bench.build_bench_elf(tmp / "bench.elf")
        initrd = bench.atlas_initrd(elf, tmp / "initrd.cpio")
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    h = atlas_qemu.Harness(tmp)
    cfg = 'report=both on_finish=exit tests=run.bench run="\\bench\\bench.elf quick"'
    try:
        r = h.boot("bench-smoke", cfg=cfg, memory="256M", files={"/bench/bench.elf": str(elf), "/atlas/initrd.cpio": str(initrd)})
    except atlas_qemu.BootError as e:
        pytest.fail(str(e), pytrace=False)
    return r, bench.bench_lines(r.text())


def test_runs_and_exits_0(run):
    r, lines = run
    r.expect_status(atlas_qemu.STATUS_PASSED)
    tests = {t["name"]: t for t in r.records("test")}
    assert tests.get("run.bench", {}).get("ok"), f"run.bench: {tests.get('run.bench')}" + r.tail()
    assert "done" in lines, "no 'BENCH name=done' line" + r.tail()
    assert "error" not in str(lines), r.tail()


def test_calibration(run):
    r, lines = run
    assert "calib" in lines, r.tail()
    hz = float(lines["calib"][0]["tsc_hz"])
    assert hz > 1e8, f"TSC calibrated against clock_gettime at {hz} Hz"
    timeline = r.records("timeline")
    if timeline and timeline[-1].get("tsc_hz"):
        khz = timeline[-1]["tsc_hz"]
        assert abs(hz - khz) / khz < 0.1, f"ring-3 calibration {hz:.0f} Hz vs the kernel's {khz} Hz"


@pytest.mark.parametrize("name", TIMED)
def test_figure_printed(run, name):
    r, lines = run
    assert name in lines, f"no 'BENCH name={name}' line" + r.tail()
    f = lines[name][0]
    for key in ("ns", "cycles", "reps", "ops", "min_ns"):
        assert key in f, f"{name}: no {key}= in {f}"
    assert float(f["ns"]) > 0 and float(f["cycles"]) > 0, f"{name}: {f}"
    assert float(f["min_ns"]) <= float(f["ns"]), f"{name}: {f}"


@pytest.mark.parametrize("name", SKIPPED_ON_ATLAS)
def test_missing_figure_says_why(run, name):
    r, lines = run
    assert name in lines, f"no 'BENCH name={name}' line" + r.tail()
    assert "skipped" in lines[name][0] and "ns" not in lines[name][0], f"{name}: {lines[name][0]}"
