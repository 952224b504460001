"""Threads (issue 14) in one boot: stacks labelled with their tids (part 6), and the futex operations.

run= runs tests/user/run/futex_ops.c, whose output must be what the same
binary prints on this host under Linux (REQUEUE, CMP_REQUEUE, WAKE_OP,
WAIT_BITSET/WAKE_BITSET, absolute deadlines on both clocks, EINTR from a
tgkill to one waiting thread, sched_getaffinity). Then it runs
tests/user/run/thread_stacks.c, which starts three threads and exits
while they block; each thread prints its tid and an address on its stack. The program itself checks /proc/self/maps in Linux 6's format (the
thread stacks are unnamed areas of their own, /proc/self/task/TID exists).
Here: the maps records of its exit name the area holding each printed
address "[stack:TID]" with that thread's tid, the main stack stays
"[stack]" and nothing else is labelled; the human /proc/PID/maps at exit
stays Linux's (no "[stack:"); and the layout picture's process column has
a "stack:TID" box over the same range for each thread.
"""
import re
import subprocess

import pytest

from atlas_qemu import BUILD

PROG = BUILD / "user" / "run" / "thread_stacks.elf"
FUTEX_OPS = BUILD / "user" / "run" / "futex_ops.elf"


@pytest.fixture(scope="module")
def stacks(atlas):
    r = atlas.boot("threads-run",
                   cfg='report=both on_finish=exit tests=run run="\\futex_ops.elf;\\thread_stacks.elf"',
                   files={"/thread_stacks.elf": PROG, "/futex_ops.elf": FUTEX_OPS})  # fmt: skip
    exits = [e for e in r.records("exit") if e["name"] == "thread_stacks"]
    assert exits, r.tail()
    text = "".join(o["text"] for o in r.records("output") if o["pid"] == exits[0]["pid"]) or r.serial
    threads = {int(t): int(a, 16) for t, a in re.findall(r"thread_stacks: thread (\d+) stack (0x[0-9a-f]+)", text)}
    return r, exits[0], threads


def test_program_passed(stacks):
    r, exit_rec, threads = stacks
    assert exit_rec["code"] == 0 and exit_rec["signal"] == "", exit_rec
    assert len(threads) == 3 and exit_rec["pid"] not in threads, threads
    assert next(t for t in r.records("test") if t["name"] == "run.thread_stacks")["ok"]


def test_maps_records_label_each_thread_stack(stacks):
    r, exit_rec, threads = stacks
    maps = [m for m in r.records("maps") if m["pid"] == exit_rec["pid"]]
    for tid, addr in threads.items():
        area = [m for m in maps if int(m["start"], 16) <= addr < int(m["end"], 16)]
        assert len(area) == 1 and area[0]["name"] == f"[stack:{tid}]", (tid, hex(addr), area)
        assert area[0]["perm"] == "rw-p" and area[0]["rss_kb"] > 0, area
    labelled = sorted(m["name"] for m in maps if m["name"].startswith("[stack"))
    assert labelled == sorted(["[stack]"] + [f"[stack:{t}]" for t in threads]), labelled


def test_proc_maps_at_exit_stays_linux_format(stacks):
    r, exit_rec, _ = stacks
    pid = exit_rec["pid"]
    human = r.serial.replace("\r", "").split(f"/proc/{pid}/maps at exit:", 1)[1].split(f"pmap -x {pid}:", 1)[0]
    assert "[stack]" in human and "[stack:" not in human, human


def test_picture_labels_each_thread_stack(stacks):
    r, exit_rec, threads = stacks
    col = [b for b in r.records("screen_box") if b["panel"] == "process" and b.get("pid") == exit_rec["pid"]]
    assert col, "no process column for thread_stacks"
    for tid, addr in threads.items():
        box = [b for b in col if int(b["start"], 16) <= addr < int(b["end"], 16)]
        assert len(box) == 1 and box[0]["label"].startswith(f"stack:{tid} rw- "), (tid, box)
    assert sum(b["label"].startswith("stack:") for b in col) == len(threads), [b["label"] for b in col]


def test_futex_ops_as_on_linux(stacks):
    r = stacks[0]
    host = subprocess.run([str(FUTEX_OPS)], capture_output=True, text=True, timeout=60)
    assert host.returncode == 0, host.stdout
    want = host.stdout.splitlines()
    got = [ln for ln in r.serial.replace("\r", "").splitlines() if ln.startswith("futex_ops: ")]
    assert got == want, "\n".join(got)
    assert next(t for t in r.records("test") if t["name"] == "run.futex_ops")["ok"]
