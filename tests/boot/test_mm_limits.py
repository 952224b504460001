"""Memory limits and lifetimes (issue 18, parts 2 and 5), in one 128 MiB boot.

run= first runs tests/user/run/oom.c, which allocates until memory runs out:
it, and only it, must be killed (SIGKILL, "out of memory", its RSS named),
its exit report must be complete (maps and pmap -x, without needing memory),
the heap must count no failed allocation for it, and the next programs must
run. Then tests/user/run/slow_call.c makes one long system call (getrandom of
32 MiB), which the watchdog (watchdog=50 here) must report by name. Last,
tests=mm.lifetimes runs 1,000 lifetimes each of a normal exit, a fault, an
out-of-memory kill, a fork, an exec, a thread and a pipe (tests/user/lifecycle.c),
and 3,000 thread lifetimes (thread_cycles), each kind after one uncounted
warm-up lifetime, and the page allocator's free pages, the heap's bytes in use
and the kernel stacks must come back to where they were after each kind.
"""
import re

import pytest

from atlas_qemu import BUILD, STATUS_FAILED

RUN = BUILD / "user" / "run"


@pytest.fixture(scope="module")
def limits(atlas):
    return atlas.boot(
        "mm-limits",
        cfg='report=both on_finish=exit tests=run,mm.lifetimes watchdog=50 '
            'run="\\oom.elf;\\slow_call.elf;\\hello.elf"',
        memory="128M",
        timeout=900,
        files={"/oom.elf": RUN / "oom.elf", "/slow_call.elf": RUN / "slow_call.elf",
               "/hello.elf": BUILD / "user" / "hello.elf"},
    )


def records_by_name(r):
    return {t["name"]: t for t in r.records("test")}


def test_only_the_oom_program_fails(limits):
    limits.expect_status(STATUS_FAILED)
    failed = [n for n, t in records_by_name(limits).items() if not t["ok"]]
    assert failed == ["run.oom"], failed
    assert not limits.records("panic") and not limits.records("kfault")


def test_oom_kills_the_process_that_asked_naming_its_rss(limits):
    t = records_by_name(limits)["run.oom"]
    m = re.fullmatch(r'signal=SIGKILL cause="out of memory \(RSS (\d+) KiB\)"', t["got"])
    assert m, t
    # It had most of the 128 MiB when it died, and the kernel kept its reserve.
    assert 64 * 1024 < int(m.group(1)) < 128 * 1024, t
    fault = next(f for f in limits.records("fault") if f["name"] == "oom")
    assert fault["signal"] == "SIGKILL" and fault["cause"].startswith("out of memory (RSS "), fault
    assert re.search(r"pid \d+ \(oom\): SIGKILL at 0x[0-9a-f]+, RIP 0x[0-9a-f]+ .*: out of memory \(RSS \d+ KiB\); killed",
                     limits.serial), "no human fault line naming oom"


def test_oom_exit_report_is_complete(limits):
    exit_rec = next(e for e in limits.records("exit") if e["name"] == "oom")
    assert exit_rec["signal"] == "SIGKILL" and exit_rec["code"] == 137, exit_rec
    maps = [m for m in limits.records("maps") if m["pid"] == exit_rec["pid"]]
    assert any(m["rss_kb"] > 64 * 1024 for m in maps), maps  # the 64 MiB chunks it filled
    pid = exit_rec["pid"]
    assert f"pid {pid} (oom) killed by SIGKILL: out of memory (RSS" in limits.serial
    assert f"/proc/{pid}/maps at exit:" in limits.serial and f"pmap -x {pid}:" in limits.serial
    tail = limits.serial.split(f"pmap -x {pid}:", 1)[1]
    assert re.search(r"\ntotal kB +\d+ +\d+ +\d+", tail), "the pmap table has no total line"
    assert "no memory for the report" not in limits.serial


def test_heap_counted_no_failed_allocation(limits):
    heap = limits.records("heap")[-1]
    assert heap["failures"] == 0, heap
    # The heap also holds the root file system's inodes and names, so it is not empty at the end:
    # run.pages_returned compares it with what it held before the programs ran.
    assert records_by_name(limits)["run.pages_returned"]["ok"], records_by_name(limits)["run.pages_returned"]


def test_following_programs_still_run(limits):
    t = records_by_name(limits)
    assert t["run.hello"]["ok"] and t["run.slow_call"]["ok"], (t["run.hello"], t["run.slow_call"])
    assert t["run.pages_returned"]["ok"], t["run.pages_returned"]
    assert limits.records("pmm")[-1]["user"] == 0


def test_watchdog_names_the_long_call(limits):
    slow = [w for w in limits.records("watchdog") if w["name"] == "slow_call"]
    assert slow, limits.records("watchdog")
    w = slow[0]
    assert w["nr"] == 318 and w["ret"] == 32 << 20 and w["ms"] > w["bound_ms"] == 50, w
    assert re.search(r"watchdog: pid \d+ \(slow_call\) spent \d+ ms in system call 318 ", limits.serial)


@pytest.mark.parametrize("kind", ["exit", "fault", "oom", "fork", "exec", "thread", "pipe", "threads"])
def test_lifetimes_leave_nothing_behind(limits, kind):
    """threads: 3 processes of 1,000 pthread_create + join cycles each (tests/user/thread_cycles.c)."""
    rec = next(r for r in limits.records("lifetimes") if r["kind"] == kind)
    runs = 3 if kind == "threads" else 1000
    assert rec["runs"] == runs and rec["as_expected"] == runs, rec
    assert rec["warmup_as_expected"] == rec["warmup"] == (0 if kind == "oom" else 1), rec
    assert rec["free_pages_after"] == rec["free_pages_before"], rec
    assert rec["heap_in_use_after"] == rec["heap_in_use_before"], rec
    assert rec["kstack_pages_after"] == rec["kstack_pages_before"], rec
    assert records_by_name(limits)[f"mm.lifetimes.{kind}"]["ok"]
