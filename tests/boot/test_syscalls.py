"""log=syscalls: one line per system call with its decoded arguments and result, strace-style, and
{"rec":"syscall"} records; and openat's dirfd read as the int Linux declares (issue 11).

One boot, report=both, running only the ring-3 programs openat_fdcwd (which opens /proc/self/status
with AT_FDCWD zero-extended, sign-extended and under junk, and gets EBADF / ENOTDIR where Linux
does) and hello. Every trace line must agree with its record, and the records must show what the
programs did: the zero-extended AT_FDCWD decoded as AT_FDCWD with a file descriptor as result, the
errors by name, write's buffer, exit_group without a result.
"""

import re

import pytest

from atlas_qemu import STATUS_PASSED

LINE_RE = re.compile(r"\[pid (\d+) (\S+)\] (\w+)\((.*)\) = (.*)")


@pytest.fixture(scope="module")
def run(atlas):
    return atlas.boot(
        "syscalls", cfg="report=both log=syscalls tests=user.openat_fdcwd,user.hello on_finish=exit", memory="128M"
    )


def calls(run, prog):
    pids = {r["pid"] for r in run.records("exit") if r["name"] == prog}
    assert len(pids) == 1, f"{prog} ran {len(pids)} times" + run.tail()
    return [r for r in run.records("syscall") if r["pid"] in pids]


def test_passed(run):
    run.expect_status(STATUS_PASSED)
    names = {r["name"]: r["ok"] for r in run.records("test")}
    assert names.get("user.openat_fdcwd") and names.get("user.hello"), names


def test_lines_match_records(run):
    lines = [m.groups() for m in map(LINE_RE.fullmatch, run.plain_lines()) if m]
    recs = run.records("syscall")
    assert recs and len(lines) == len(recs), f"{len(lines)} trace lines, {len(recs)} records" + run.tail()
    for (pid, _, name, args, res), r in zip(lines, recs):
        assert (int(pid), name, args) == (r["pid"], r["syscall"], r["args"]), (pid, name, args, r)
        if "ret" not in r:
            assert res == "?", (res, r)
        elif r["ret"] < 0:
            assert res == f"-1 {r['errno']}", (res, r)
        else:
            assert res in (str(r["ret"]), hex(r["ret"])), (res, r)


def test_openat_fdcwd(run):
    opens = [r for r in calls(run, "openat_fdcwd") if r["syscall"] == "openat"]
    assert len(opens) == 6, opens
    status = '"/proc/self/status", 0'
    # Zero-extended, sign-extended and junk-above AT_FDCWD all read as AT_FDCWD and open the file.
    for r in opens[:3]:
        assert r["args"].startswith(f"AT_FDCWD, {status}"), r
        assert r["ret"] >= 3 and r["errno"] == "", r
    assert opens[3]["args"].startswith(f"2147483647, {status}") and opens[3]["ret"] >= 3, opens[3]
    assert (opens[4]["ret"], opens[4]["errno"]) == (-9, "EBADF"), opens[4]
    assert opens[5]["args"].startswith('1, "proc/self/status"') and opens[5]["errno"] == "ENOTDIR", opens[5]


def test_write_and_exit(run):
    hello = calls(run, "hello")
    writes = [r for r in hello if r["syscall"] in ("write", "writev")]
    assert writes and all(r["ret"] > 0 for r in writes), hello
    assert hello[-1]["syscall"] == "exit_group" and "ret" not in hello[-1], hello[-1]
    outs = [r for r in hello if r["syscall"] == "write" and r["args"].startswith("1, ")]
    assert any('"' in r["args"] for r in outs), "write's buffer is not shown" + repr(outs)
