"""Processes at scale and address-space layout: issue 13's remaining checks, run by busybox sh.

Two boots, each init="/bin/sh /test/run.sh" with an initramfs of our own
(build/initrd.cpio's contents plus /test, test_userland.make_initrd):

  fixed   aslr=off (the default): 1,000 fork+exec+exit+wait cycles leave
          MemFree where it was (tests/user/run/fork_exec_cycles.c); a fork
          bomb bounded by RLIMIT_NPROC gets EAGAIN at 200 children and ends
          (run/fork_bomb.c); the static-PIE (glibc pie_base) sits at the top of
          the mmap area with its break at 0x555555555000, exactly as the host's
          Linux puts it under `setarch -R`; randomize_va_space reads 0.
  random  aslr=on: randomize_va_space reads 2; every exec draws a new stack
          top, mmap top and break inside memlayout.h's ranges, and the exec
          record says what it drew (checked against /proc/self/maps); the
          personality's ADDR_NO_RANDOMIZE (busybox's `linux64 -R`, inherited
          through fork and exec) and writing 0 to the sysctl give the fixed
          layout back; /proc/PID/stat shows PF_RANDOMIZE.

and one interactive boot, `live`: no init=, on_finish=monitor on COM2 behind
a UNIX socket; the monitor's `sh` starts busybox sh on the terminal, where
  - cow_witness (tests/user/run/cow_witness.c) forks; while the child spins
    after writing 12 of 32 shared pages, and then while the parent spins,
    QEMU is stopped and its `info tlb` (the spinner's CR3: one CPU, every
    other task asleep) is compared with the spinner's /proc/PID/maps and
    smaps: every present user page inside an area with no more rights than
    the area, as many pages present as smaps' Rss; the 20 unwritten pages
    read-only in both, on the same frames; the 12 written ones writable in
    the child, on frames of its own;
  - heap_watch (seed 001's exercise, tests/user/heap_watch.c) runs in the
    background while the shell reads its VmRSS from /proc/PID/status, rising;
  - `exit` gives the monitor's prompt back.
"""

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from atlas_qemu import BOOT_TIMEOUT, BUILD
from test_monitor_cmds import MonitorConsole
from test_userland import PROMPT, make_initrd, sections, typed

PAGE = 0x1000
USER_STACK_TOP = 0x7FFF00000000  # include/memlayout.h
USER_MMAP_TOP = 0x7FFEBF7FF000
STACK_RND_MAX = 0x3FFFFF << 12
USER_MMAP_TOP_RANDOM = USER_MMAP_TOP - STACK_RND_MAX
MMAP_RND_MAX = ((1 << 28) - 1) << 12
BRK_RND_RANGE = 1 << 30
STATIC_PIE_BRK = 0x555555555000
PF_RANDOMIZE = 0x00400000
RUNS = 4
PIE = BUILD / "user" / "glibc" / "pie_base.elf"


def script(lines):
    out = ["#!/bin/sh", "cd /tmp"]
    for name, cmd in lines:
        out += [f"echo '=== {name}'", cmd]
    out += ["echo '=== end'", ""]
    return "\n".join(out)


FIXED = [
    ("cycles", "/test/fork_exec_cycles; echo \"status $?\""),
    ("bomb", "/test/fork_bomb; echo \"status $?\""),
    ("pie-glibc", "/usr/lib/atlas/glibc/pie_base; echo \"status $?\""),
    ("pie-musl", "/usr/lib/atlas/pie_base; echo \"status $?\""),
    ("sysctl", "cat /proc/sys/kernel/randomize_va_space; ls /proc/sys /proc/sys/kernel"),
    ("flags", "cut -d' ' -f9 /proc/self/stat"),
    ("stack", "cat /proc/self/maps | grep stack"),
]

RANDOM = [("sysctl", "cat /proc/sys/kernel/randomize_va_space; sysctl kernel.randomize_va_space")]
RANDOM += [(f"maps-{i}", "cat /proc/self/maps") for i in range(RUNS)]
RANDOM += [
    ("flags", "cut -d' ' -f9 /proc/self/stat"),
    ("norand", "linux64 -R cat /proc/self/maps"),
    ("norand-inherited", "linux64 -R sh -c 'cat /proc/self/maps; cut -d\" \" -f9 /proc/self/stat'"),
    ("pie-glibc", "/usr/lib/atlas/glibc/pie_base; echo \"status $?\""),
    ("pie-musl", "/usr/lib/atlas/pie_base; echo \"status $?\""),
    ("pie-norand", "linux64 -R /usr/lib/atlas/glibc/pie_base; echo \"status $?\""),
    ("write-bad", "echo 3 > /proc/sys/kernel/randomize_va_space; echo \"status $?\"; cat /proc/sys/kernel/randomize_va_space"),
    ("write-0", "echo 0 > /proc/sys/kernel/randomize_va_space; cat /proc/sys/kernel/randomize_va_space; cat /proc/self/maps"),
    ("write-2", "sysctl -w kernel.randomize_va_space=2; cat /proc/sys/kernel/randomize_va_space"),
]


def boot(atlas, tmp_path_factory, name, opts, lines, files=()):
    tmp = tmp_path_factory.mktemp(name)
    extra = {"/test/run.sh": script(lines)}
    for f in files:
        extra[f"/test/{f}"] = (BUILD / "user" / "run" / f"{f}.elf").read_bytes()
    initrd = make_initrd(tmp, extra)
    run = atlas.boot(f"procs-{name}", cfg=f'report=both on_finish=exit tests=none {opts} init="/bin/sh /test/run.sh"',
                     memory="256M", files={"/atlas/initrd.cpio": initrd}, timeout=600)  # fmt: skip
    text = run.text().replace("\r", "")
    assert "=== end" in text, run.tail()
    # The sections without the records that report=both interleaves.
    plain = "\n".join(l for l in text[: text.index("=== end") + 8].split("\n") if not l.startswith('{"rec"'))
    return sections(plain), run


@pytest.fixture(scope="module")
def fixed(atlas, tmp_path_factory):
    return boot(atlas, tmp_path_factory, "fixed", "", FIXED, files=("fork_exec_cycles", "fork_bomb"))


@pytest.fixture(scope="module")
def randomized(atlas, tmp_path_factory):
    return boot(atlas, tmp_path_factory, "random", "aslr=on", RANDOM)


def maps_lines(text):
    out = []
    for line in text.strip().split("\n"):
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S{4}) [0-9a-f]{8} \S+ \d+\s*(.*)$", line)
        assert m, f"not a maps line: {line!r}"
        out.append((int(m[1], 16), int(m[2], 16), m[3], m[4]))
    return out


def named(maps, name):
    found = [a for a in maps if a[3] == name]
    return found[0] if found else None


def host_line(*cmd):
    p = subprocess.run([*cmd], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p
    return p.stdout.strip()


# ---------------------------------------------------------------------------
# aslr=off


def test_fork_exec_cycles_leave_memfree_alone(fixed):
    got = fixed[0]["cycles"]
    m = re.search(r"1000 fork\+exec\+exit\+wait cycles, MemFree (\d+) kB before and (\d+) kB after\nstatus 0$", got.strip())
    assert m and m[1] == m[2], got


def test_fork_bomb_gets_eagain(fixed):
    got, run = fixed[0]["bomb"], fixed[1]
    assert re.search(r"RLIMIT_NPROC \d+: 200 children, then EAGAIN; a fork bomb held at the limit and ended\nstatus 0$",
                     got.strip()), got  # fmt: skip
    assert "panic" not in run.text()


def test_static_pie_placed_as_linux_places_it(fixed):
    """The same line as the host's Linux prints for the same binary under setarch -R."""
    got = fixed[0]["pie-glibc"].strip().split("\n")
    assert got[-1] == "status 0", got
    want = host_line("setarch", "-R", str(PIE))
    assert got[-2] == want, f"Atlas: {got[-2]!r}\nLinux: {want!r}"
    assert "static-PIE at mmap_top-0x" in want and "break at 0x555555555000" in want


def test_static_pie_record(fixed):
    run = fixed[1]
    rec = [r for r in run.records("exec") if r["path"] == "/usr/lib/atlas/glibc/pie_base"][0]
    size = USER_MMAP_TOP - int(rec["load_base"], 16)
    assert 0 < size < 16 << 20 and int(rec["load_base"], 16) % PAGE == 0, rec
    assert int(rec["brk_start"], 16) == STATIC_PIE_BRK and int(rec["mmap_top"], 16) == USER_MMAP_TOP, rec
    assert rec["aslr"] == 0 and all(int(rec[k], 16) == 0 for k in ("stack_rnd", "mmap_rnd", "brk_rnd", "stack_pad"))


def test_musl_pie_base_is_an_et_exec(fixed):
    got = fixed[0]["pie-musl"].strip().split("\n")
    assert got == ["pie_base: ET_EXEC at 0x400000, break at the page after .bss, ASLR off", "status 0"], got


def test_fixed_layout(fixed):
    assert fixed[0]["sysctl"].split() == ["0", "/proc/sys:", "kernel", "/proc/sys/kernel:", "randomize_va_space"]
    assert fixed[0]["flags"].strip() == "0"
    assert re.fullmatch(r"7ffe[0-9a-f]{8}-7fff00000000 rw-p 00000000 00:00 0 +\[stack\]\n", fixed[0]["stack"])


# ---------------------------------------------------------------------------
# aslr=on


def exec_record(run, stack_top):
    recs = [r for r in run.records("exec") if r["ok"] and int(r["stack_top"], 16) == stack_top]
    assert len(recs) == 1, f"{len(recs)} exec records with stack_top {stack_top:#x}"
    return recs[0]


def test_randomize_va_space_reads_2(randomized):
    assert randomized[0]["sysctl"].split("\n")[:2] == ["2", "kernel.randomize_va_space = 2"]


def test_every_exec_draws_a_new_layout(randomized):
    got, run = randomized
    tops = set()
    for i in range(RUNS):
        maps = maps_lines(got[f"maps-{i}"])
        stack, heap = named(maps, "[stack]"), named(maps, "[heap]")
        image = [a for a in maps if a[3] == "/bin/busybox"]
        rec = exec_record(run, stack[1])
        top = int(rec["stack_top"], 16)
        tops.add(top)
        # The stack: up to 16 GiB below USER_STACK_TOP, page steps; the record says by how much.
        assert USER_STACK_TOP - STACK_RND_MAX <= top <= USER_STACK_TOP and top % PAGE == 0, rec
        assert int(rec["stack_rnd"], 16) == USER_STACK_TOP - top, rec
        assert 0 <= int(rec["stack_pad"], 16) < 8192, rec
        # The initial stack pointer is at least the pad below the strings (arg_start).
        assert int(rec["stack"], 16) <= int(rec["arg_start"], 16) - int(rec["stack_pad"], 16), rec
        # The mmap top: below the lowest possible stack, then up to 1 TiB lower.
        mtop = int(rec["mmap_top"], 16)
        assert mtop == USER_MMAP_TOP_RANDOM - int(rec["mmap_rnd"], 16), rec
        assert 0 <= int(rec["mmap_rnd"], 16) <= MMAP_RND_MAX and mtop % PAGE == 0, rec
        # The break: a page and up to 1 GiB after .bss, where [heap] starts.
        brk = int(rec["brk_start"], 16)
        assert brk == image[-1][1] + PAGE + int(rec["brk_rnd"], 16), (rec, image)
        assert int(rec["brk_rnd"], 16) < BRK_RND_RANGE and brk % PAGE == 0
        assert heap is None or heap[0] == brk, (heap, rec)
        assert rec["aslr"] == 2
    assert len(tops) == RUNS, f"{RUNS} execs drew only {len(tops)} stack tops"


def test_pf_randomize(randomized):
    assert int(randomized[0]["flags"]) & PF_RANDOMIZE


def fixed_maps(text):
    maps = maps_lines(text)
    image = [a for a in maps if a[3] == "/bin/busybox"]
    return named(maps, "[stack]")[1] == USER_STACK_TOP and named(maps, "[heap]")[0] == image[-1][1]


def test_addr_no_randomize(randomized):
    got = randomized[0]
    assert fixed_maps(got["norand"]), got["norand"]
    # Inherited: linux64 -R execs sh, which forks and execs cat.
    text = got["norand-inherited"].strip().split("\n")
    assert fixed_maps("\n".join(text[:-1]) + "\n"), got["norand-inherited"]
    assert int(text[-1]) & PF_RANDOMIZE == 0


def test_static_pie_randomized(randomized):
    got = randomized[0]
    pie = got["pie-glibc"].strip().split("\n")
    assert pie[-1] == "status 0" and re.fullmatch(r"pie_base: static-PIE at 0x[0-9a-f]+ \(ends 0x[0-9a-f]+\), "
                                                   r"break at 0x[0-9a-f]+, ASLR on", pie[-2]), pie  # fmt: skip
    assert got["pie-musl"].strip().split("\n") == [
        "pie_base: ET_EXEC at 0x400000, break at a random page after .bss, ASLR on", "status 0"]
    norand = got["pie-norand"].strip().split("\n")
    assert norand == [host_line("setarch", "-R", str(PIE)), "status 0"], norand


def test_sysctl_writes(randomized):
    got = randomized[0]
    bad = got["write-bad"].strip().split("\n")
    assert "Invalid argument" in bad[0] and bad[-2:] == ["status 1", "2"], bad
    zero = got["write-0"].strip().split("\n")
    assert zero[0] == "0" and fixed_maps("\n".join(zero[1:]) + "\n"), zero
    assert got["write-2"].split() == ["kernel.randomize_va_space", "=", "2", "2"], got["write-2"]


# ---------------------------------------------------------------------------
# The monitor's sh, typed at: QEMU's view of a copy-on-write fork, VmRSS rising

MONITOR_PROMPT = "atlas> "
USER_END = 1 << 47
TLB_RE = re.compile(r"([0-9a-f]{16}): ([0-9a-f]{16}) ([X-])([G-])([P-])([D-])([A-])([C-])([T-])([U-])([W-])")
COW_BUF, COW_PAGES, COW_WRITTEN = 0x200000000000, 32, 12  # tests/user/run/cow_witness.c


@pytest.fixture(scope="module")
def live(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    initrd = make_initrd(tmp, {"/test/cow_witness": (BUILD / "user" / "run" / "cow_witness.elf").read_bytes()})
    sockdir = Path(tempfile.mkdtemp(prefix="atlas-procs-"))
    sock = sockdir / "com2.sock"
    extra = ["-chardev", f"socket,id=com2,path={sock},server=on,wait=off", "-serial", "chardev:com2"]
    try:
        with atlas.start("procs-live", cfg="serial=0x2f8 report=human on_finish=monitor tests=none", memory="256M",
                         extra_args=extra, files={"/atlas/initrd.cpio": initrd}) as m:  # fmt: skip
            con = MonitorConsole(sock, tmp / "com2.log")
            con.machine = m
            try:
                con.wait_for(MONITOR_PROMPT, timeout=BOOT_TIMEOUT)
                start = con.mark()
                con.send("sh\r")
                con.wait_for("\n" + PROMPT, start, 120)
                yield con
            finally:
                con.close()
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def test_monitor_sh_runs_busybox_sh(live):
    assert typed(live, "cat /proc/$$/cmdline | tr '\\0' ' '; echo; cat /proc/$$/comm") == "/bin/sh \nsh\n"


def poll(con, cmd, pattern, timeout=120):
    """Type cmd until its answer matches pattern; return the match."""
    deadline = time.monotonic() + timeout
    while True:
        out = typed(con, cmd)
        m = re.search(pattern, out, re.M)
        if m:
            return m
        assert time.monotonic() < deadline, f"{cmd!r} never matched {pattern!r}; last answer:\n{out}"
        time.sleep(1)


def smaps_areas(text):
    """/proc/PID/smaps as {start: (end, perms, {field: kB})}."""
    areas, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S{4}) ", line)
        if m:
            cur = {}
            areas[int(m[1], 16)] = (int(m[2], 16), m[3], cur)
            continue
        m = re.match(r"(\w+):\s+(\d+) kB$", line)
        if m and cur is not None:
            cur[m[1]] = int(m[2])
    assert areas, text
    return areas


def user_leaves(info_tlb):
    """The ring-3 half of `info tlb` as {va: (phys, writable, nx)}; every leaf a 4 KiB page, user-accessible."""
    pages = {}
    for line in info_tlb.splitlines():
        m = TLB_RE.fullmatch(line.strip())
        assert m or not line.strip(), f"`info tlb` line in an unknown format: {line!r}"
        if not m or int(m[1], 16) >= USER_END:
            continue
        va = int(m[1], 16)
        assert m[5] == "-" and m[10] == "U", f"user leaf not a 4 KiB user page: {line}"
        pages[va] = (int(m[2], 16), m[11] == "W", m[3] == "X")
    return pages


def snapshot(con, pid):
    """maps and smaps of pid from the shell, then QEMU's page tables with the machine stopped."""
    maps = maps_lines(typed(con, f"cat /proc/{pid}/maps"))
    smaps = smaps_areas(typed(con, f"cat /proc/{pid}/smaps"))
    m = con.machine
    seen = []
    for _ in range(10):
        # The shell may still be on the CPU for a moment after its prompt; then the spinner is alone.
        time.sleep(1)
        m.hmp("stop")
        try:
            regs = m.hmp("info registers")
            tlb = m.hmp("info tlb")
        finally:
            m.hmp("cont")
        cr3 = int(re.search(r"CR3=([0-9a-f]+)", regs)[1], 16)
        pages = user_leaves(tlb)
        if COW_BUF in pages:
            return maps, smaps, pages, cr3
        seen.append((hex(cr3), re.search(r"RIP=([0-9a-f]+)", regs)[1]))
    raise AssertionError(f"pid {pid}'s buffer never in the page tables QEMU walked (CR3, RIP): {seen}")


def check_against_maps(maps, smaps, pages):
    """Every present user page inside an area, with no right the area lacks; Rss = the pages present."""
    problems = []
    for va, (_, w, nx) in pages.items():
        area = [a for a in maps if a[0] <= va < a[1]]
        if not area:
            problems.append(f"{va:#x}: present, in no area of maps")
            continue
        perm = area[0][2]
        if w and perm[1] != "w":
            problems.append(f"{va:#x}: writable in the page tables, {perm} in maps")
        if not nx and perm[2] != "x":
            problems.append(f"{va:#x}: executable in the page tables, {perm} in maps")
        if nx and perm[2] == "x":
            problems.append(f"{va:#x}: NX in the page tables, {perm} in maps")
    for start, end, perm, name in maps:
        assert start in smaps and smaps[start][:2] == (end, perm), (start, smaps.get(start))
        present = sum(1 for va in pages if start <= va < end)
        if present * 4 != smaps[start][2]["Rss"]:
            problems.append(f"{start:#x}-{end:#x} {name}: {present} pages present, smaps says Rss {smaps[start][2]['Rss']} kB")
    assert not problems, "\n".join(problems)


def test_cow_witness_info_tlb(live):
    typed(live, "/test/cow_witness /tmp > /tmp/cw.log 2>&1 &")
    parent = int(typed(live, "echo $!").strip().split("\n")[-1])
    child = int(poll(live, "cat /tmp/cw.log", r"^cow_witness: child (\d+) spinning")[1])
    c_maps, c_smaps, c_pages, c_cr3 = snapshot(live, child)
    typed(live, "touch /tmp/go1")
    poll(live, "cat /tmp/cw.log", rf"^cow_witness: parent {parent} spinning")
    p_maps, p_smaps, p_pages, p_cr3 = snapshot(live, parent)
    typed(live, "touch /tmp/go2")
    log = poll(live, "wait; cat /tmp/cw.log", r"^cow_witness: done$").string
    assert "FAIL" not in log, log
    assert c_cr3 != p_cr3, f"the same CR3 {c_cr3:#x} for parent and child"

    check_against_maps(c_maps, c_smaps, c_pages)
    check_against_maps(p_maps, p_smaps, p_pages)
    buf = [COW_BUF + i * PAGE for i in range(COW_PAGES)]
    for pages in (c_pages, p_pages):
        assert all(va in pages for va in buf), [hex(va) for va in buf if va not in pages]
    # The child: the pages it wrote are its own copies, writable; the rest are the parent's frames, read-only.
    for i, va in enumerate(buf):
        (cphys, cw, _), (pphys, pw, _) = c_pages[va], p_pages[va]
        assert not pw, f"page {i}: writable in the parent, which wrote nothing since the fork"
        if i < COW_WRITTEN:
            assert cw and cphys != pphys, f"page {i}, written by the child: W={cw}, frames {cphys:#x} {pphys:#x}"
        else:
            assert not cw and cphys == pphys, f"page {i}, shared: W={cw}, frames {cphys:#x} {pphys:#x}"
    # smaps says the same: 12 pages private to each (the child's copies; the parent's originals, now
    # mapped once), 20 shared dirty pages whose Pss is split in two.
    for who, smaps in (("child", c_smaps), ("parent", p_smaps)):
        f = smaps[COW_BUF][2]
        want = {"Rss": 128, "Shared_Dirty": 80, "Private_Dirty": 48, "Pss": 88, "Shared_Clean": 0, "Private_Clean": 0}
        assert {k: f.get(k) for k in want} == want, (who, f)


def test_vmrss_rises_while_the_shell_watches(live):
    """Seed 001: watch a program grow its heap from another terminal (here: the same shell, job in the background)."""
    typed(live, "/usr/lib/atlas/heap_watch 6 2048 2500 > /tmp/hw.log 2>&1 &")
    pid = int(typed(live, "echo $!").strip().split("\n")[-1])
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        out = typed(live, f"grep VmRSS /proc/{pid}/status 2>/dev/null; grep heap /proc/{pid}/maps 2>/dev/null")
        rss = re.search(r"^VmRSS:\s+(\d+) kB$", out, re.M)
        heap = re.search(r"^([0-9a-f]+)-([0-9a-f]+) rw-p .*\[heap\]$", out, re.M)
        if not rss or (not heap and seen):
            break  # it ended (possibly between the two greps: status still there, maps already empty)
        if heap:  # before its first brk a process has no [heap] line
            seen.append((int(rss[1]), int(heap[2], 16) - int(heap[1], 16)))
        time.sleep(1)
    log = typed(live, "wait; cat /tmp/hw.log")
    assert re.search(r"^heap_watch: 6 steps of 2048 KiB: VmRSS \d+ kB -> \d+ kB", log, re.M), log
    assert len(seen) >= 4, f"VmRSS and [heap] seen from the shell: {seen}"
    for k, what in ((0, "VmRSS"), (1, "[heap]")):
        vals = [v[k] for v in seen]
        assert vals == sorted(vals), f"{what} went down: {seen}"
    rss, heap = [v[0] for v in seen], [v[1] for v in seen]
    assert len(set(rss)) >= 3 and rss[-1] - rss[0] >= 2 * 2048 * 3 // 4, f"VmRSS (kB) seen from the shell: {rss}"
    assert heap[-1] - heap[0] >= 2 * 2048 * 1024 * 3 // 4, f"[heap] (bytes) seen from the shell: {heap}"


def test_exit_gives_the_monitor_back(live):
    start = live.mark()
    live.send("exit 5\r")
    live.wait_for("sh (/bin/sh) ended: status 5", start, 60)
    live.wait_for("\n" + MONITOR_PROMPT, start, 60)
    assert live.answer("ps").count("\n") >= 1
