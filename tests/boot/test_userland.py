"""Unmodified Debian busybox-static on Atlas: files, /proc, /dev, the terminal, processes.

Two boots with an initramfs of our own (build/initrd.cpio's contents plus a
/test folder, made with tools/mkinitrd.py and put on the ESP as
\\atlas\\initrd.cpio):

  batch        init="/bin/sh /test/run.sh": one command per section, each
               section's output compared with what it must be -- for the
               commands whose output does not depend on the machine, with the
               same busybox run on this host.
  interactive  init=/bin/sh on the terminal, Atlas's UART on COM2 behind a UNIX
               socket: the test types lines, ^C, job control, and `exit 3`.
"""

import datetime
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from atlas_qemu import BOOT_TIMEOUT, BUILD, REPO
from test_monitor_cmds import MonitorConsole

BUSYBOX = "/bin/busybox"
MKINITRD = REPO / "tools" / "mkinitrd.py"
SECTION = re.compile(r"^=== (\S+)$", re.M)

# Commands whose output is the same on any machine: compared with the host's busybox.
PORTABLE = {
    "wc": "printf 'a b\\nc d e\\n' | wc",
    "sort": "printf 'b\\na\\nc\\n' | sort",
    "grep": "printf 'one\\ntwo\\nthree\\n' | grep t",
    "pipeline": "printf 'x1\\ny2\\nx3\\n' | grep x | sed s/x/z/ | tr z w",
    "tmpfile": "echo hi > /tmp/atlas-x; cat /tmp/atlas-x; rm /tmp/atlas-x",
    "redirect": "echo one > /tmp/atlas-f; echo two >> /tmp/atlas-f; cat < /tmp/atlas-f; wc -l < /tmp/atlas-f; rm /tmp/atlas-f",
    "subshell": "sh -c 'x=5; echo $((x * 2)) > /tmp/atlas-y; read v < /tmp/atlas-y; echo got $v; rm /tmp/atlas-y'",
    "status": "sh -c 'exit 7'; echo $?; false; echo $?",
}

# Commands that describe Atlas itself.
LOCAL = {
    "ls": "ls -l /bin | head -4",
    "maps": "cat /proc/self/maps",
    "meminfo": "cat /proc/meminfo",
    "free": "free",
    "ps": "ps",
    "df": "df",
    "date": "date +%Y",
    "uname": "uname -a",
    "find": "find / -name maps 2>/dev/null | head -3",
    "stat": "cat /proc/self/stat",
    "status": "cat /proc/self/status",
    "devnull": "echo gone > /dev/null; head -c 4 /dev/zero | od -An -tx1; head -c 8 /dev/urandom | wc -c",
    "fd": "ls -l /proc/self/fd/",
    "cwd": "cd /proc && pwd && cd / && pwd",
    "mounts": "cat /proc/mounts",
}


def script():
    lines = ["#!/bin/sh"]
    for name, cmd in list(PORTABLE.items()) + [(f"local-{k}", v) for k, v in LOCAL.items()]:
        lines += [f"echo '=== {name}'", cmd]
    lines += ["echo '=== end'", ""]
    return "\n".join(lines)


def sections(text):
    out, pos = {}, None
    marks = list(SECTION.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out[m.group(1)] = text[m.end() + 1 : end]
    return out


def host_output(cmd):
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([BUSYBOX, "sh", "-c", cmd], capture_output=True, text=True, cwd=d, timeout=30)
    return p.stdout


def make_initrd(tmp, extra_files):
    """build/initrd.cpio's contents plus extra_files {"/test/x": text or bytes}."""
    extra = tmp / "extra"
    extra.mkdir(exist_ok=True)
    for path, text in extra_files.items():
        f = extra / path.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(text) if isinstance(text, bytes) else f.write_text(text)
        f.chmod(0o755)
    out = tmp / "initrd.cpio"
    # Atlas's own tools in /bin, as the Makefile's initramfs has them (tools/userland/userland.mk).
    tools = [f"--bin={t.name}={t}" for t in sorted((BUILD / "userland").glob("*")) if t.is_file()]
    # The C++ and Go programs (tests/lang/lang.mk), as the Makefile's initramfs has them.
    lang = ["--extra", BUILD / "lang" / "root"] if (BUILD / "lang" / "root").is_dir() else []
    subprocess.run(["python3", MKINITRD, "-o", out, "--busybox", BUSYBOX, *tools, "--suite", BUILD / "user", "--skel",
                    REPO / "tools" / "initrd", *lang, "--extra", extra], check=True, capture_output=True)  # fmt: skip
    return out


@pytest.fixture(scope="module")
def batch(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("userland")
    initrd = make_initrd(tmp, {"/test/run.sh": script()})
    run = atlas.boot("userland-batch", cfg='report=human on_finish=exit tests=none init="/bin/sh /test/run.sh"',
                     memory="256M", files={"/atlas/initrd.cpio": initrd})  # fmt: skip
    text = run.serial.replace("\r", "")
    assert "=== end" in text, run.tail()
    return sections(text[: text.index("=== end") + 8]), run


@pytest.mark.parametrize("name", list(PORTABLE))
def test_same_as_linux(batch, name):
    got, run = batch
    assert got.get(name) == host_output(PORTABLE[name]), f"{name}: Atlas said {got.get(name)!r}"


def test_ls_bin(batch):
    got = batch[0]["local-ls"]
    assert re.search(r"^lrwxrwxrwx .* (\S+) -> /bin/busybox$", got, re.M), got
    assert "busybox" in got


def test_proc_self_maps(batch):
    got = batch[0]["local-maps"]
    lines = got.strip().splitlines()
    assert lines and all(re.fullmatch(r"[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-]p [0-9a-f]{8} 00:00 0 +.*", l) for l in lines), got
    assert any(l.endswith("[stack]") for l in lines) and any(l.endswith("/bin/busybox") for l in lines), got


def test_meminfo_and_free(batch):
    got = batch[0]
    host_keys = [l.split(":")[0] for l in Path("/proc/meminfo").read_text().splitlines()]
    keys = [l.split(":")[0] for l in got["local-meminfo"].strip().splitlines()]
    assert keys[:3] == ["MemTotal", "MemFree", "MemAvailable"], keys
    # Every line in show_val_kb's shape, and the kB column where Linux has it.
    for line in got["local-meminfo"].strip().splitlines():
        assert re.fullmatch(r"[A-Za-z_()0-9]+:\s+\d+( kB)?", line), line
        if line.endswith(" kB"):
            assert len(line) == 27 or len(line.split(":")[0]) >= 15, line
    assert set(["MemTotal", "MemFree", "Cached", "Shmem", "SReclaimable"]) <= set(host_keys) & set(keys)
    total = int(re.search(r"MemTotal:\s+(\d+)", got["local-meminfo"]).group(1))
    assert 200_000 < total < 262_144, total  # -m 256M, less the firmware's share
    free = got["local-free"].splitlines()
    assert free[0].split() == ["total", "used", "free", "shared", "buff/cache", "available"], free
    assert int(free[1].split()[1]) == total, free


def test_ps_lists_itself_and_init(batch):
    got = batch[0]["local-ps"]
    assert re.search(r"^\s+1 root\s+/bin/sh /test/run.sh$", got, re.M), got
    # busybox runs the applet in the forked shell, without exec: comm "ps", the shell's command line
    assert re.search(r"^\s+\d+ root\s+\{ps\} /bin/sh /test/run.sh$", got, re.M), got


def test_df_shows_the_ram_file_systems(batch):
    got = batch[0]["local-df"]
    assert got.splitlines()[0].split()[0] == "Filesystem", got
    assert re.search(r"^ramfs\s+\d+\s+\d+\s+\d+\s+\d+% /$", got, re.M), got


def test_date_is_this_year(batch):
    assert batch[0]["local-date"].strip() == str(datetime.datetime.utcnow().year)


def test_uname(batch):
    assert re.fullmatch(r"Atlas atlas \S+ .* x86_64 GNU/Linux\n", batch[0]["local-uname"]), batch[0]["local-uname"]


def test_find_walks_proc(batch):
    got = batch[0]["local-find"].split()
    assert got and all(re.fullmatch(r"/proc/\d+(/task/\d+)?/maps", p) for p in got), got


def test_proc_self_stat_and_status(batch):
    stat = batch[0]["local-stat"].split()
    assert len(stat) == 52 and stat[1] == "(cat)" and stat[2] == "R", stat
    status = batch[0]["local-status"]
    host_keys = [l.split(":")[0] for l in Path("/proc/self/status").read_text().splitlines()]
    keys = [l.split(":")[0] for l in status.splitlines() if l]
    assert keys[:3] == ["Name", "Umask", "State"] and "VmRSS" in keys and "Threads" in keys, keys
    assert set(keys) <= set(host_keys) | {"Ngid"}, set(keys) - set(host_keys)


def test_dev_files(batch):
    got = batch[0]["local-devnull"].split()
    assert got == ["00", "00", "00", "00", "8"], got


def test_proc_self_fd_links(batch):
    got = batch[0]["local-fd"]
    assert re.search(r" 0 -> /dev/console$", got, re.M) and re.search(r" 1 -> /dev/console$", got, re.M), got


def test_cwd_and_mounts(batch):
    assert batch[0]["local-cwd"].split() == ["/proc", "/"]
    mounts = batch[0]["local-mounts"].splitlines()
    assert "ramfs / ramfs rw,relatime 0 0" in mounts and "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0" in mounts, mounts


def test_exec_records(batch):
    _, run = batch
    assert "init (/bin/sh) ended: status 0" in run.serial, run.tail()


# ---------------------------------------------------------------------------
# The terminal, typed at


PROMPT = "/ # "


@pytest.fixture(scope="module")
def shell(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shell")
    initrd = make_initrd(tmp, {})
    sockdir = Path(tempfile.mkdtemp(prefix="atlas-sh-"))
    sock = sockdir / "com2.sock"
    extra = ["-chardev", f"socket,id=com2,path={sock},server=on,wait=off", "-serial", "chardev:com2"]
    try:
        with atlas.start("userland-shell", cfg="serial=0x2f8 report=human on_finish=exit tests=none init=/bin/sh",
                         memory="256M", extra_args=extra, files={"/atlas/initrd.cpio": initrd}) as m:  # fmt: skip
            con = MonitorConsole(sock, tmp / "shell.log")
            con.machine = m
            try:
                con.wait_for(PROMPT, timeout=BOOT_TIMEOUT)
                yield con
            finally:
                con.close()
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def typed(con, line, timeout=30):
    """Type line and CR; return the output up to the next prompt, without the echo."""
    start = con.mark()
    con.send(line + "\r")
    text = con.wait_for("\n" + PROMPT, start, timeout)
    text = re.sub(r"\x1b\[[0-9;]*[a-zA-Z]", "", text)
    body = text[: text.rindex("\n" + PROMPT) + 1]
    echo, _, rest = body.partition("\n")
    assert echo.endswith(line), f"echo {echo!r}"
    return rest


def test_shell_echo(shell):
    assert typed(shell, "echo hi there") == "hi there\n"


def test_shell_stack_line(shell):
    out = typed(shell, "cat /proc/$$/maps | grep stack")
    assert re.fullmatch(r"7ffe[0-9a-f]+-7fff00000000 rw-p 00000000 00:00 0 +\[stack\]\n", out), out


def test_shell_three_applets(shell):
    assert typed(shell, "printf 'b\\na\\nb\\n' | sort | uniq -c | wc -l").strip() == "2"


def test_shell_redirections(shell):
    assert typed(shell, "ls /proc/$$ > /tmp/f; cat < /tmp/f | grep -c maps").strip() == "3"  # (s)maps, smaps_rollup


def test_shell_ctrl_c_stops_a_loop(shell):
    start = shell.mark()
    shell.send("while :; do :; done\r")
    time.sleep(2)
    shell.send("\x03")
    shell.wait_for("\n" + PROMPT, start, 30)
    assert typed(shell, "echo alive $?") == "alive 130\n"


def test_shell_job_control(shell):
    out = typed(shell, "sleep 5 & jobs")
    assert re.search(r"\[1\]\+\s+Running\s+sleep 5", out), out
    typed(shell, "kill %1")
    out = typed(shell, "wait; echo waited $?")
    assert "waited" in out, out


def test_shell_exit_ends_the_run(shell):
    shell.send("exit 3\r")
    shell.wait_for("init (/bin/sh) ended: status 3", 0, 30)
    assert shell.machine.wait() == 33, "on_finish=exit: all tests passed (there were none)"
