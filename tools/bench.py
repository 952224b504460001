#!/usr/bin/python3
"""bench.py - `make bench`: Atlas and Debian's Linux side by side (docs/bench.md).

One static benchmark program, tests/bench/bench.c, runs in ring 3 on both:
  * Atlas: build/atlas.efi with run="\\bench\\bench.elf all" (the ELF on the ESP),
    report=both on_finish=exit tests=run.bench;
  * Atlas ping-pong (ATLAS_RUN_INSTANCES=0): two instances at the same time from a
    private suite file (build/bench/atlas-pingpong/suite-pingpong.bin, \\atlas\\suite.bin on
    its ESP) whose only program is tests/bench/bench_pingpong.c with ATLAS-INSTANCES: 2;
  * Linux: Debian's vmlinuz (linux-image-amd64) started by its own EFI stub from
    tools/linuxbench/chain.efi on the removable path, with an initramfs whose /init
    is the same benchmark program (tools/linuxbench/build.sh).
Same QEMU machine for all: q35, -m BENCH_MEM (512M), default CPU model, -nic none,
OVMF 4M, isa-debug-exit. Each side boots RUNS times (default 3), interleaved.

It also keeps the kernel's own memory figures (bench=on, two CPU models, 2 GiB),
written to build/bench/mm.json as before; BENCH_MM=0 skips them.

Writes build/bench/report.json:
  {"atlas": {NAME: VALUE}, "linux": {NAME: VALUE}, "ratio": {NAME: atlas/linux},
   "runs": N, "units": {...}, "targets": {...}, "timeline": {...}, "samples": {...},
   "notes": {...}, "env": {...}}
a side-by-side table on the terminal, and build/bench/report.png (ratios, log scale).
Exit status 0 when every figure was measured (targets are reported, not enforced).

Environment: RUNS (3), BENCH_MEM (512M), BENCH_MM (1), VMLINUZ (newest /boot/vmlinuz-*),
ATLAS_RUN_INSTANCES=0 to run the ping-pong from a private build instead of through run= with "\\bench\\bench.elf*2 pingpong"
once the kernel supports it (see docs/bench.md).
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "boot"))
from atlas_qemu import Harness, Machine, STATUS_PASSED, BootError  # noqa: E402

OUT = REPO / "build" / "bench"
BENCH_SRC = REPO / "tests" / "bench" / "bench.c"
PINGPONG_SRC = REPO / "tests" / "bench" / "bench_pingpong.c"
LINUXBENCH = REPO / "tools" / "linuxbench"
PRIVATE = OUT / "atlas-pingpong"  # the private Atlas build (relative to REPO for make)
MUSL_CC = os.environ.get("MUSL_CC", "musl-gcc")
# Every boot of the bench, Atlas's and Linux's alike, has its ESP disk on virtio-blk: OVMF reads a file
# there in one request per Read(), where its AHCI driver issues one 128 KiB command after another
# (103 of them for the 13 MiB initramfs; under host load each waits for QEMU's I/O thread). See
# docs/bench.md, "Boot timeline".
DISK_IF = "virtio"
BENCH_CFLAGS = [
    "-std=gnu11", "-static", "-no-pie", "-O2", "-g", "-fno-stack-protector", "-Wall", "-Wextra", "-Werror",
    "-Wl,-e,bench_entry", "-Wl,-z,noexecstack", "-Wl,--build-id=none",
]  # fmt: skip

# Figures that come from BENCH lines: (name in report, BENCH name, unit, scale from ns)
FIGURES = [
    ("getpid", "getpid", "ns", 1),
    ("sched_yield_solo", "sched_yield_solo", "ns", 1),
    ("pingpong", "pingpong", "ns", 1),
    ("fault_4k", "fault_4k", "ns", 1),
    ("fault_4k_first", "fault_4k_first", "ns", 1),
    ("brk_64m", "brk_64m", "ms", 1e-6),
    ("mmap_munmap", "mmap_munmap", "ns", 1),
    ("mmap_touch_munmap", "mmap_touch_munmap", "ns", 1),
    ("write_console_1b", "write_console_1b", "ns", 1),
    ("write_devnull_1b", "write_devnull_1b", "ns", 1),
    ("proc_maps_read", "proc_maps_read", "ns", 1),
    ("proc_maps_read_64m", "proc_maps_read_64m", "ns", 1),
    ("file_open_close", "file_open_close", "ns", 1),
    ("file_stat", "file_stat", "ns", 1),
    ("file_read_4k", "file_read_4k", "ns", 1),
    ("getdents_100", "getdents_100", "ns", 1),
    ("fault_4k_10k_areas", "fault_4k_10k_areas", "ns", 1),
    ("mmap_munmap_10k_areas", "mmap_munmap_10k_areas", "ns", 1),
    ("fork_exit_wait_1m", "fork_exit_wait_1m", "us", 1e-3),
    ("fork_exit_wait_64m", "fork_exit_wait_64m", "us", 1e-3),
    ("fork_exec_wait", "fork_exec_wait", "us", 1e-3),
    ("pipe_rtt_1b", "pipe_rtt_1b", "ns", 1),
    ("cow_fault", "cow_fault", "ns", 1),
    ("thread_create_join", "thread_create_join", "ns", 1),
    ("futex_uncontended", "futex_uncontended", "ns", 1),
    ("futex_pingpong", "futex_pingpong", "ns", 1),
]
LABELS = {
    "boot_to_user": "boot: EFI entry -> first ring-3 instr.",
    "getpid": "getpid round trip (raw syscall)",
    "sched_yield_solo": "sched_yield, nobody else runnable",
    "pingpong": "sched_yield ping-pong, round trip",
    "fault_4k": "demand-zero fault, per 4 KiB page",
    "fault_4k_first": "  same, first write to the phys. page",
    "brk_64m": "brk +64 MiB, every page touched",
    "mmap_munmap": "mmap+munmap 1 page, untouched",
    "mmap_touch_munmap": "mmap+touch+munmap 1 page",
    "write_console_1b": "write 1 byte to the serial console",
    "write_devnull_1b": "write 1 byte to /dev/null",
    "proc_maps_read": "open+read+close /proc/self/maps",
    "proc_maps_read_64m": "  same, untouched 64 MiB mapping present",
    "file_open_close": "open+close of a RAM file (3-part path)",
    "file_stat": "stat of the same path",
    "file_read_4k": "pread64 4 KiB of the cached file",
    "getdents_100": "lseek 0 + getdents64, 100-entry dir",
    "fault_4k_10k_areas": "demand-zero fault, 10,000 areas present",
    "mmap_munmap_10k_areas": "mmap+munmap 1 page, 10,000 areas present",
    "fork_exit_wait_1m": "fork+exit+wait, 1 MiB written",
    "fork_exit_wait_64m": "fork+exit+wait, 64 MiB written",
    "fork_exec_wait": "fork+execve (static)+exit+wait",
    "pipe_rtt_1b": "pipe 1-byte round trip, 2 processes",
    "cow_fault": "copy-on-write fault, per 4 KiB page",
    "thread_create_join": "pthread_create+join (musl)",
    "futex_uncontended": "futex WAIT (EAGAIN) + WAKE (no waiter)",
    "futex_pingpong": "futex wait/wake between 2 threads, round trip",
    "image_size": "image: atlas.efi vs vmlinuz",
    "image_size_nosuite": "image: atlas.efi w/o test suite",
    "kernel_mem": "kernel memory after boot (see notes)",
    "ramfs_mem": "  RAM file system's file pages",
}
UNITS = {"boot_to_user": "ms", "image_size": "bytes", "image_size_nosuite": "bytes", "kernel_mem": "KiB",
         "ramfs_mem": "KiB"}
UNITS.update({n: u for n, _, u, _ in FIGURES})
TARGETS = {
    # Issue 17 raised the first benchmark issue's targets (boot 1/20, getpid and fault 0.5) once they were met.
    "boot_to_user": 1 / 100,
    "getpid": 0.2,
    "fault_4k": 0.3,
    "image_size": 1 / 20,
    "proc_maps_read_64m": 0.2,
    # issue 14 (threads)
    "thread_create_join": 0.5,
    "futex_uncontended": 0.5,
    "futex_pingpong": 0.5,
}
# Issue 13: each process figure at most half of Linux's.
TARGETS.update({n: 0.5 for n in ("fork_exit_wait_1m", "fork_exit_wait_64m", "fork_exec_wait", "pipe_rtt_1b", "cow_fault")})
# Issue 12: each file figure at most half of Linux's.
TARGETS.update({n: 0.5 for n in ("file_open_close", "file_stat", "file_read_4k", "getdents_100")})
# Costs that must stay flat as the work grows (issue 17): Atlas against itself, (figure, baseline,
# the largest ratio allowed, where the figures come from: the ring-3 run or the kernel's bench=on boots).
SCALE_TARGETS = [
    ("fault_4k_10k_areas", "fault_4k", 1.2, "atlas"),
    ("mmap_munmap_10k_areas", "mmap_munmap", 1.2, "atlas"),
    ("fault_at_1g", "fault_at_64m", 1.1, "mm"),
    ("spawn_1000th", "spawn_first", 1.1, "mm"),
]
NO_RATIO = {"kernel_mem", "ramfs_mem"}  # not the same quantity on both sides
# Targets in the figure's own unit, Atlas alone (issue 17: the kernel's memory after boot at 512 MiB).
ABS_TARGETS = {"kernel_mem": 1024}


def other_qemus():
    """QEMU processes running on this host right now (bench.py's own have exited between boots)."""
    n = 0
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and (d / "comm").read_text().startswith("qemu-system"):
                n += 1
        except OSError:
            pass
    return n


def log(msg):
    print(f"bench: {msg}", flush=True)


def clean_env():
    """The environment for a nested make: without the outer make's jobserver."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def run(cmd, logfile=None, **kw):
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if logfile:
        Path(logfile).write_text(p.stdout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout[-3000:]}")
    return p.stdout


# ---------------------------------------------------------------------------
# Building


def build_bench_elf(out, src=BENCH_SRC):
    """The benchmark program: static musl, non-PIE, entry bench_entry (stamps the TSC)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and out.stat().st_mtime > max(src.stat().st_mtime, BENCH_SRC.stat().st_mtime):
        return out
    if not shutil.which(MUSL_CC):
        raise RuntimeError(f"{MUSL_CC} not found (Debian: apt-get install musl-tools)")
    run([MUSL_CC, *BENCH_CFLAGS, "-o", out, src])
    return out


def atlas_initrd(bench_elf, out):
    """build/initrd.cpio's contents plus the benchmark at /bench/bench.elf, the path its process has
    (the run= path): fork_exec_wait executes /proc/self/exe, which must be a file in the VFS, as
    Linux's /init is in its initramfs. The same tools/mkinitrd.py command as the Makefile's."""
    out = Path(out)
    extra = out.parent / "initrd-extra"
    (extra / "bench").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(bench_elf, extra / "bench" / "bench.elf")
    (extra / "bench" / "bench.elf").chmod(0o755)
    build = REPO / "build"
    tools = [f"--bin={t.name}={t}" for t in sorted((build / "userland").glob("*")) if t.is_file()]
    run([sys.executable, REPO / "tools" / "mkinitrd.py", "-o", out, "--busybox", "/bin/busybox", *tools,
         "--suite", build / "user", "--skel", REPO / "tools" / "initrd", "--extra", extra])  # fmt: skip
    return out


def build_private_suite():
    """A private suite file (tools/mkprogs.sh, include/suitefile.h) whose only program is
    bench_pingpong with ATLAS-INSTANCES: 2, in build/bench/atlas-pingpong/. The image needs no
    private build: the suite travels beside it (\\atlas\\suite.bin). Returns {"pingpong": path};
    raises on failure."""
    rel = PRIVATE.relative_to(REPO)
    (PRIVATE / "user").mkdir(parents=True, exist_ok=True)
    elf = build_bench_elf(PRIVATE / "user" / "bench_pingpong.elf", PINGPONG_SRC)
    suite = PRIVATE / "suite-pingpong.bin"
    # mkprogs.sh compresses the programs with the host tool lzpack.
    run(["make", f"BUILD={rel}", f"{rel}/lzpack"], cwd=REPO, env=clean_env())
    run([REPO / "tools" / "mkprogs.sh", suite.relative_to(REPO), elf.parent.relative_to(REPO),
         PINGPONG_SRC.relative_to(REPO)], cwd=REPO,
        env=dict(clean_env(), LZPACK=str(PRIVATE / "lzpack"), PYTHON=sys.executable))  # fmt: skip
    return {"pingpong": suite}


def build_linux(bench_elf):
    out = OUT / "linux"
    cmd = [LINUXBENCH / "build.sh", out, bench_elf]
    if os.environ.get("VMLINUZ"):
        cmd.append(os.environ["VMLINUZ"])
    run(cmd, cwd=REPO, logfile=OUT / "linux-build.log")
    return out


# ---------------------------------------------------------------------------
# Parsing

BENCH_RE = re.compile(r"BENCH (name=\S+.*?)\s*$")


def bench_lines(text):
    """{name: [dict, ...]} from the BENCH lines of a serial log."""
    found = {}
    for line in text.split("\n"):
        m = BENCH_RE.search(line)
        if not m:
            continue
        fields = dict(kv.split("=", 1) for kv in m.group(1).split() if "=" in kv)
        found.setdefault(fields["name"], []).append(fields)
    return found


def figure_values(lines):
    """{report name: value} for the figures a run produced (ping-pong: the mean of both roles), the same
    for the fastest batch ("min_" + name), and {name: why} for the figures the program skipped."""
    vals, skipped = {}, {}
    for name, bname, _unit, scale in FIGURES:
        recs = lines.get(bname, [])
        ns = [float(r["ns"]) for r in recs if "ns" in r]
        if ns:
            vals[name] = statistics.mean(ns) * scale
            vals["min_" + name] = statistics.mean(float(r["min_ns"]) for r in recs if "ns" in r) * scale
            norm = [float(r["ns"]) / float(r["ref_ns"]) for r in recs if "ns" in r and float(r.get("ref_ns", 0)) > 0]
            if norm:
                vals["norm_" + name] = statistics.mean(norm)
        elif recs and "skipped" in recs[0]:
            skipped[name] = recs[0]["skipped"]
    return vals, skipped


# ---------------------------------------------------------------------------
# Boots


def fresh_disk(src, workdir):
    workdir.mkdir(parents=True, exist_ok=True)
    disk = workdir / "disk.img"
    run(["cp", "--sparse=always", src, disk])
    return disk


def boot_machine(name, disk_src, mem, timeout=240):
    workdir = Path(OUT / "boots" / f"{name}-{int(time.time() * 1000) % 10**8}")
    disk = fresh_disk(disk_src, workdir)
    m = Machine(name, workdir, disk, mem, True, (), timeout, disk_if=DISK_IF)
    try:
        m.wait()
    finally:
        m.kill()
        drop_disk(workdir)
    return m.result()


def drop_disk(workdir):
    """The boot's disk image is not needed afterwards (serial.log and qemu.cmd stay)."""
    try:
        (Path(workdir) / "disk.img").unlink()
    except FileNotFoundError:
        pass


def private_disk(efi, cfg_text, workdir, suite=None):
    """An ESP with efi as BOOTX64.EFI, cfg_text as \\atlas.cfg and suite (a path) as
    \\atlas\\suite.bin."""
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = workdir / "atlas.cfg"
    cfg.write_text(f"# atlas.cfg written by tools/bench.py\n{cfg_text}\n")
    esp, disk = workdir / "esp.img", workdir / "disk.img"
    env = dict(os.environ, SUITE=str(suite)) if suite else None
    run([REPO / "tools" / "mkesp.sh", esp, efi, REPO / "startup.nsh", cfg], cwd=REPO, env=env)
    run([REPO / "tools" / "mkdisk.sh", disk, esp], cwd=REPO)
    esp.unlink()
    return disk


def atlas_run(h, i, mem, bench_elf, instances_via_run):
    """One Atlas boot with the benchmark as a run= program. Returns (values, skipped, extra, result)."""
    files = {"/bench/bench.elf": str(bench_elf), "/atlas/initrd.cpio": str(OUT / "atlas-initrd.cpio")}
    if instances_via_run:
        # Needs run="\\path*N" (tests/bench/run-instances.patch): two copies at once, index appended.
        files["/bench/pingpong.elf"] = str(bench_elf)
        # gop=off: a serial-only console, as Linux gets with console=ttyS0 (drawing the
        # screen console under TCG would be measured too; docs/bench.md).
        cfg = ('report=both gop=off on_finish=exit tests=run.bench,run.pingpong '
               'run="\\bench\\bench.elf all;\\bench\\pingpong.elf*2 pingpong"')  # fmt: skip
    else:
        cfg = 'report=both gop=off on_finish=exit tests=run.bench run="\\bench\\bench.elf all"'
    r = h.boot(f"atlas-{i}", cfg=cfg, memory=mem, files=files, timeout=240, disk_if=DISK_IF)
    drop_disk(r.workdir)
    if r.status != STATUS_PASSED:
        raise BootError(f"atlas run {i}: QEMU status {r.status}{r.tail()}")
    lines = bench_lines(r.text())
    vals, skipped = figure_values(lines)
    extra = {}
    tl = r.records("timeline")
    boot = r.one("boot")
    if tl:
        t = tl[-1]
        hz = t.get("tsc_hz") or float(lines["calib"][0]["tsc_hz"])
        first = t.get("tsc_first_user")
        if first:
            vals["boot_to_user"] = (first - t["tsc_efi_entry"]) / hz * 1e3
        # hw_start -> hw_done: PCI enumeration, firmware tables and the iomem tree, reported (its own step).
        stamps = ["efi_entry", "memmap", "ebs", "kernel", "pagetables", "hw_start", "hw_done", "first_user"]
        extra["timeline_ms"] = {
            f"{a}->{b}": (t[f"tsc_{b}"] - t[f"tsc_{a}"]) / hz * 1e3
            for a, b in zip(stamps, stamps[1:])
            if t.get(f"tsc_{a}") and t.get(f"tsc_{b}")
        }
    else:
        # No timeline record (older kernel): the program's own first-instruction stamp.
        hz = float(lines["calib"][0]["tsc_hz"])
        vals["boot_to_user"] = (int(lines["entry"][0]["tsc"]) - boot["tsc_efi_entry"]) / hz * 1e3
        extra["timeline_note"] = "no timeline record: bench_entry's own TSC stamp used"
    pmm = r.records("pmm")[-1]
    heap = r.records("heap")[-1]
    used_pages = pmm["total_pages"] - pmm["free_pages"]
    # The RAM file system's pages hold the initramfs's files (adopted in place) and files written since:
    # file data, on their own line, not the kernel's memory (issue 17).
    file_pages = pmm.get("file", 0)
    # The suite file efi/ read stays in loader memory for the boot (the kernel image held it before): counted.
    suite_bytes = -(-boot.get("suite_size", 0) // 4096) * 4096
    vals["kernel_mem"] = (boot["kernel_size"] + suite_bytes + (used_pages - file_pages) * 4096) / 1024
    vals["ramfs_mem"] = file_pages * 4
    extra["mem"] = {
        "kernel_image_kib": boot["kernel_size"] / 1024,
        "suite_file_kib": suite_bytes / 1024,
        "pmm_used_kib": used_pages * 4,
        "pmm_kernel_kib": (used_pages - file_pages) * 4,
        "ramfs_file_kib": file_pages * 4,
        "pmm": {k: pmm[k] for k in ("total_pages", "free_pages", "meta_pages", "pt", "heap", "stack", "user", "other",
                                    "file") if k in pmm},
        "heap_pages": heap["pages"],
        "heap_in_use_bytes": heap["in_use"],
        "heap_peak_bytes": heap["peak"],
    }
    extra["tsc_hz_calib"] = float(lines["calib"][0]["tsc_hz"])
    return vals, skipped, extra, r


def atlas_pingpong_run(i, mem, suite):
    workdir = OUT / "boots" / f"atlas-pingpong-{i}-{int(time.time() * 1000) % 10**8}"
    disk = private_disk(REPO / "build" / "atlas.efi", "report=both on_finish=exit tests=user.bench_pingpong", workdir,
                        suite=suite)
    m = Machine(f"atlas-pingpong-{i}", workdir, disk, mem, True, (), 240, disk_if=DISK_IF)
    try:
        m.wait()
    finally:
        m.kill()
        drop_disk(workdir)
    r = m.result()
    if r.status != STATUS_PASSED:
        raise BootError(f"atlas ping-pong run {i}: QEMU status {r.status}{r.tail()}")
    lines = bench_lines(r.text())
    roles = lines.get("pingpong", [])
    if len(roles) != 2:
        raise BootError(f"atlas ping-pong run {i}: {len(roles)} pingpong lines, expected 2{r.tail()}")
    vals, _ = figure_values(lines)
    return vals, r


CHAIN_RE = re.compile(r"CHAIN tsc_entry=(\d+) tsc_loadimage=(\d+) tsc_loaded=(\d+)")


def linux_run(i, mem, linux_dir):
    r = boot_machine(f"linux-{i}", linux_dir / "disk.img", mem)
    if r.status != STATUS_PASSED:
        raise BootError(f"linux run {i}: QEMU status {r.status}{r.tail()}")
    text = r.text()
    lines = bench_lines(text)
    vals, skipped = figure_values(lines)
    init = lines["init_entry"][0]
    hz = float(lines["calib"][0]["tsc_hz"])
    start = int(init["tsc_start_image"])
    t_init = int(init["tsc"])
    vals["boot_to_user"] = (t_init - start) / hz * 1e3
    extra = {"tsc_hz_calib": hz}
    tl = {"stub->init": vals["boot_to_user"]}
    boottime_ms = int(init["boottime_ns"]) / 1e6
    tl["stub->kernel clock start (stub, decompression, early boot)"] = vals["boot_to_user"] - boottime_ms
    tl["kernel clock start->init (CLOCK_BOOTTIME at init)"] = boottime_ms
    m = CHAIN_RE.search(text)
    if m:
        entry, load, loaded = map(int, m.groups())
        tl["chain entry->LoadImage(vmlinuz) done (not counted)"] = (loaded - entry) / hz * 1e3
    extra["timeline_ms"] = tl
    if "meminfo" in lines:
        mi = lines["meminfo"][0]
        vals["kernel_mem"] = int(mi["total_kib"]) - int(mi["free_kib"])
        extra["mem"] = {k: int(v) for k, v in mi.items() if k.endswith("_kib")}
    for key in ("linux_info", "linux_cpu", "thp"):
        if key in lines:
            extra[key] = {k: v for k, v in lines[key][0].items() if k != "name"}
    return vals, skipped, extra, r


# ---------------------------------------------------------------------------
# The kernel's own memory figures (what `make bench` printed before): bench=on


MM_CONFIGS = {
    "qemu64-2G": dict(memory="2G", extra_args=()),
    "max-2G": dict(memory="2G", extra_args=("-cpu", "max")),
    # The framebuffer figures (fb_scroll_WxH, fb_redraw_WxH) at the size the issue asks for.
    "qemu64-2G-1080p": dict(memory="2G", extra_args=(), opts="gop=1920x1080"),
}


def mm_bench(h, runs):
    report = {"runs": runs}
    for cfg_name, cfg in MM_CONFIGS.items():
        samples = {}
        opts = cfg.get("opts", "")
        boot_args = {k: v for k, v in cfg.items() if k != "opts"}
        for i in range(runs):
            r = h.boot(f"mm-{cfg_name}-{i}", cfg=f"report=json bench=on on_finish=exit {opts}".strip(), **boot_args)
            drop_disk(r.workdir)
            if r.status != STATUS_PASSED:
                raise BootError(f"mm bench {cfg_name} run {i}: QEMU status {r.status}{r.tail()}")
            for rec in r.records("bench"):
                samples.setdefault(rec["name"], []).append((rec["value"], rec["unit"]))
        report[cfg_name] = {
            name: {"value": statistics.median(v for v, _ in vals), "unit": vals[0][1]} for name, vals in samples.items()
        }
    (OUT / "mm.json").write_text(json.dumps(report, indent=1) + "\n")
    print_scale([row for row in scale_verdicts({}, report) if row[2] is not None])
    names = sorted({n for c in MM_CONFIGS for n in report[c]})
    print(f"\n{'kernel figure (median of %d runs)' % runs:36}" + "".join(f"{c:>16}" for c in MM_CONFIGS) + "  unit")
    for n in names:
        unit = next(report[c][n]["unit"] for c in MM_CONFIGS if n in report[c])
        cells = "".join(f"{report[c].get(n, {}).get('value', '-'):>16}" for c in MM_CONFIGS)
        print(f"{n:36}{cells}  {unit}")
    log(f"wrote {OUT / 'mm.json'}")


# ---------------------------------------------------------------------------
# Report


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "bytes":
        return f"{v / 1024:,.0f} KiB"
    if unit == "KiB":
        return f"{v:,.0f} KiB"
    if v >= 100:
        return f"{v:,.0f} {unit}"
    return f"{v:.3g} {unit}"


def table(report):
    a, l, ratio = report["atlas"], report["linux"], report["ratio"]
    names = ["boot_to_user"] + [n for n, *_ in FIGURES] + ["image_size", "image_size_nosuite", "kernel_mem", "ramfs_mem"]
    rnorm = report["host_normalized"]["ratio"]
    rows = [("figure", "Atlas", "Linux", "Atlas/Linux", "target", "", "normalized")]
    for n in names:
        if n not in a and n not in l:
            continue
        unit = UNITS[n]
        r = ratio.get(n)
        tgt = TARGETS.get(n)
        verdict = ""
        if tgt is not None:
            verdict = "n/a" if r is None else ("PASS" if r <= tgt else "MISS")
        elif n in ABS_TARGETS and n in a:
            verdict = "PASS" if a[n] <= ABS_TARGETS[n] else "MISS"
        cell_a = fmt(a.get(n), unit) if n in a else report["notes"].get(f"atlas.{n}", "not measured")
        cell_l = fmt(l.get(n), unit) if n in l else report["notes"].get(f"linux.{n}", "not measured")
        rows.append((LABELS[n], cell_a[:24], cell_l[:24], "-" if r is None else f"{r:.3f}",
                     f"<= {tgt:.3g}" if tgt is not None else
                     (f"<= {ABS_TARGETS[n]:,} {unit}" if n in ABS_TARGETS else ""), verdict,
                     f"{rnorm[n]:.3f}" if n in rnorm else ""))  # fmt: skip
    widths = [max(len(row[c]) for row in rows) for c in range(7)]
    out = []
    for k, row in enumerate(rows):
        out.append("  ".join(row[c].ljust(widths[c]) if c == 0 else row[c].rjust(widths[c]) for c in range(7)).rstrip())
        if k == 0:
            out.append("-" * len(out[0]))
    return "\n".join(out)


def plot(report, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("python3-matplotlib not installed: no report.png (apt-get install python3-matplotlib)")
        return False
    order = ["boot_to_user"] + [n for n, *_ in FIGURES] + ["image_size", "image_size_nosuite"]
    names = [n for n in order if n in report["ratio"]]
    vals = [report["ratio"][n] for n in names]
    colors = []
    for n, v in zip(names, vals):
        t = TARGETS.get(n)
        colors.append("#888888" if t is None else ("#2e8b57" if v <= t else "#c0392b"))
    fig, ax = plt.subplots(figsize=(10, 5.5))
    y = range(len(names))
    ax.barh(list(y), vals, color=colors)
    ax.set_yticks(list(y))
    ax.set_yticklabels([LABELS.get(n, n).strip() for n in names], fontsize=8)
    ax.set_xlim(min(vals + list(TARGETS.values())) / 2, max(vals + [1.0]) * 2.5)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=1)
    for i, n in enumerate(names):
        t = TARGETS.get(n)
        if t is not None:
            ax.plot([t, t], [i - 0.4, i + 0.4], color="black", linestyle="--", linewidth=1.2)
        label = f"{vals[i]:.3f}" + ("" if t is None else f"  (target <= {t:.3g})")
        ax.text(max(vals[i], t or 0) * 1.08, i, label, va="center", fontsize=7)
    ax.set_xlabel("Atlas / Linux (log scale; < 1: Atlas faster or smaller; dashed: target)")
    ax.set_title(
        f"Atlas vs Debian Linux {report['env'].get('linux_release', '')} under QEMU TCG "
        f"(q35, {report['env']['memory']}, median of {report['runs']} runs)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def scale_verdicts(atlas, mm_report):
    """[(figure, baseline, ratio or None, limit, verdict)] for SCALE_TARGETS; mm figures from the first config with both."""
    out = []
    for fig, base, limit, where in SCALE_TARGETS:
        a = b = None
        if where == "atlas":
            a, b = atlas.get(fig), atlas.get(base)
        else:
            for cfg in MM_CONFIGS:
                vals = (mm_report or {}).get(cfg, {})
                if fig in vals and base in vals:
                    a, b = vals[fig]["value"], vals[base]["value"]
                    break
        r = a / b if a and b else None
        out.append((fig, base, r, limit, "n/a" if r is None else ("PASS" if r <= limit else "MISS")))
    return out


def print_scale(rows):
    print("\nCosts that stay flat (Atlas against itself):")
    for fig, base, r, limit, verdict in rows:
        print(f"  {fig:24} / {base:16} {'-' if r is None else f'{r:.3f}':>7}  target <= {limit:<4}  {verdict}")


def median_dict(samples):
    return {k: statistics.median(v) for k, v in samples.items() if v}


def main():
    runs = int(os.environ.get("RUNS", "3"))
    mem = os.environ.get("BENCH_MEM", "512M")
    instances_via_run = os.environ.get("ATLAS_RUN_INSTANCES", "1") == "1"
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(OUT / "boots", ignore_errors=True)
    t_start = time.monotonic()
    h = Harness(str(OUT / "boots"), timeout=240)
    notes, problems = {}, []

    bench_elf = build_bench_elf(OUT / "bench.elf")
    atlas_initrd(bench_elf, OUT / "atlas-initrd.cpio")
    log(f"built {bench_elf.relative_to(REPO)} ({bench_elf.stat().st_size} bytes)")
    linux_dir = build_linux(bench_elf)
    vmlinuz = Path((linux_dir / "vmlinuz.path").read_text().strip())
    log(f"Linux side: {vmlinuz} + {linux_dir.relative_to(REPO)}/initrd.img, started by chain.efi")
    private = {}
    try:
        private = build_private_suite()
        log(f"private suite file: {', '.join(str(p.relative_to(REPO)) for p in private.values())}")
    except RuntimeError as e:
        problems.append(f"private suite file failed: {e}")
        log(problems[-1])
        notes["atlas.pingpong"] = "not measured (private suite file failed)"

    samples = {"atlas": {}, "linux": {}}
    timeline = {"atlas": {}, "linux": {}}
    extras = {"atlas": [], "linux": []}
    skipped = {"atlas": {}, "linux": {}}

    def add(side, vals):
        for k, v in vals.items():
            samples[side].setdefault(k, []).append(v)

    for i in range(runs):
        for kind in ("atlas", "pingpong", "linux"):
            side = "linux" if kind == "linux" else "atlas"
            t0 = time.monotonic()
            load = os.getloadavg()[0]
            others = other_qemus()
            try:
                if kind == "atlas":
                    vals, sk, extra, _ = atlas_run(h, i, mem, bench_elf, instances_via_run)
                elif kind == "pingpong":
                    if instances_via_run or "pingpong" not in private:
                        continue
                    vals, _ = atlas_pingpong_run(i, mem, private["pingpong"])
                    sk, extra = {}, {}
                else:
                    vals, sk, extra, _ = linux_run(i, mem, linux_dir)
            except (BootError, KeyError, IndexError, ValueError, RuntimeError) as e:
                problems.append(f"{kind} run {i}: {type(e).__name__}: {e}")
                log(problems[-1])
                continue
            add(side, vals)
            skipped[side].update(sk)
            extra["loadavg_1m_at_start"] = load
            extra["other_qemus_at_start"] = others
            extras[side].append(extra)
            for k, v in extra.get("timeline_ms", {}).items():
                timeline[side].setdefault(k, []).append(v)
            log(f"run {i + 1}/{runs} {kind:8} done in {time.monotonic() - t0:5.1f} s "
                f"(host load {load:.2f}, {others} other QEMU running)")  # fmt: skip

    atlas, linux = median_dict(samples["atlas"]), median_dict(samples["linux"])
    derived = {}
    for prefix in ("min_", "norm_"):
        d = {side: {k[len(prefix):]: v for k, v in m.items() if k.startswith(prefix)} for side, m in (("atlas", atlas), ("linux", linux))}
        for m in (atlas, linux):
            for k in [k for k in m if k.startswith(prefix)]:
                del m[k]
        d["ratio"] = {n: d["atlas"][n] / d["linux"][n] for n in d["atlas"] if d["linux"].get(n)}
        derived[prefix] = d
    # The fastest batch of each figure (median over runs): the least disturbed by the host. Not for the
    # ping-pong: Linux's fastest batches are those in which CFS did not switch (other_ran < 1).
    mins = derived["min_"]
    mins["ratio"].pop("pingpong", None)
    # Each figure divided by the reference loop run just before and after it (per reference operation):
    # the host's speed at that moment divided out.
    norms = derived["norm_"]
    # Sizes: files, no boot needed.
    atlas.pop("image_size", None)
    atlas["image_size"] = (REPO / "build" / "atlas.efi").stat().st_size
    # The ring-3 suite travels beside the image (\\atlas\\suite.bin), as vmlinuz's initramfs does:
    # atlas.efi carries no test programs, so the image without the suite is the image.
    atlas["image_size_nosuite"] = atlas["image_size"]
    linux["image_size"] = vmlinuz.stat().st_size
    linux["image_size_nosuite"] = linux["image_size"]
    ratio = {n: atlas[n] / linux[n] for n in atlas if n in linux and linux[n] and n not in NO_RATIO}
    for side in ("atlas", "linux"):
        for n, why in skipped[side].items():
            if n not in (atlas if side == "atlas" else linux):
                notes[f"{side}.{n}"] = f"not measured ({why})"
    notes.setdefault(
        "atlas.pingpong",
        'run="\\bench\\pingpong.elf*2 pingpong" (two instances at once)'
        if instances_via_run
        else "private suite file (build/bench/atlas-pingpong/suite-pingpong.bin): bench_pingpong, INSTANCES 2",
    )
    notes["linux.ramfs_mem"] = "inside kernel_mem"
    notes["linux.write_devnull_1b"] = notes.get("linux.write_devnull_1b", "Linux only: Atlas has no /dev/null")
    notes["atlas.write_devnull_1b"] = "not measured: Atlas has no /dev/null (open returns -ENOENT)"
    notes["kernel_mem"] = (
        "Atlas: kernel image (kernel_size, .bss included) + the suite file's loader pages (boot.suite_size, "
        "\\atlas\\suite.bin, kept for the boot) + (pmm total - free - file) pages after the run, "
        "the RAM file system's file pages (pmm 'file': the initramfs's files and those written since) "
        "on their own line (ramfs_mem); "
        "Linux: MemTotal - MemFree at /init's start (excludes the kernel image and boot reservations, "
        "includes the initramfs page cache). Not the same quantity: no ratio."
    )
    notes["boot_to_user"] = (
        "Atlas: efi_main -> first ring-3 instruction (timeline record). Linux: chain.efi's TSC just before "
        "StartImage(vmlinuz) -> /init's first instruction (bench_entry). LoadImage is outside both."
    )
    suite_file = REPO / "build" / "suite.bin"
    notes["image_size"] = (
        "atlas.efi as built; the ring-3 test suite is not in it but beside it on the ESP (\\atlas\\suite.bin, "
        f"{suite_file.stat().st_size if suite_file.exists() else '?'} bytes), as Linux's initramfs is beside vmlinuz"
    )
    notes["image_size_nosuite"] = (
        "Atlas: the same file as image_size (atlas.efi carries no test programs since the suite moved to "
        "\\atlas\\suite.bin; before, this was a private build with an empty program table)"
    )
    env = {
        "memory": mem,
        "qemu": run(["qemu-system-x86_64", "--version"]).split("\n")[0],
        "vmlinuz": str(vmlinuz),
        "linux_release": re.sub(r"^vmlinuz-", "", vmlinuz.name),
        "host_cpus": os.cpu_count(),
        "loadavg_1m": {s: [e["loadavg_1m_at_start"] for e in extras[s]] for s in extras},
        "other_qemus": {s: [e["other_qemus_at_start"] for e in extras[s]] for s in extras},
        "linux_info": next((e["linux_info"] for e in extras["linux"] if "linux_info" in e), None),
        "linux_cpu": next((e["linux_cpu"] for e in extras["linux"] if "linux_cpu" in e), None),
        "tsc_hz": {s: [e.get("tsc_hz_calib") for e in extras[s] if e.get("tsc_hz_calib")] for s in extras},
    }
    mem_detail = {s: next((e["mem"] for e in reversed(extras[s]) if "mem" in e), None) for s in extras}
    report = {
        "atlas": atlas,
        "linux": linux,
        "ratio": ratio,
        "runs": runs,
        "units": {n: UNITS[n] for n in set(atlas) | set(linux)},
        "targets": {**{n: {"max_ratio": t, "met": ratio.get(n) is not None and ratio[n] <= t} for n, t in TARGETS.items()},
                    **{n: {"max": t, "unit": UNITS[n], "met": n in atlas and atlas[n] <= t} for n, t in ABS_TARGETS.items()}},
        "fastest_batch": mins,
        "host_normalized": norms,
        "timeline": {s: median_dict(timeline[s]) for s in timeline},
        "memory": mem_detail,
        "samples": samples,
        "notes": notes,
        "env": env,
        "problems": problems,
    }
    report["scale"] = [dict(zip(("figure", "baseline", "ratio", "max_ratio", "verdict"), row))
                       for row in scale_verdicts(atlas, None) if row[4] != "n/a"]
    (OUT / "report.json").write_text(json.dumps(report, indent=1) + "\n")

    print()
    print(f"Atlas vs Linux ({env['linux_release']}), QEMU TCG q35 -m {mem}, median of {runs} runs")
    print(table(report))
    print("  Atlas/Linux: medians (of batches within a run, then of runs). normalized: the same ratio after dividing\n"
          "  each figure by a pure ring-3 reference loop timed just before and after it, i.e. with the host's\n"
          "  speed at that moment taken out (docs/bench.md). PASS/MISS use the plain medians.")  # fmt: skip
    print_scale([row for row in scale_verdicts(atlas, None) if row[4] != "n/a"])
    print("\nBoot timeline (median ms):")
    for s in ("atlas", "linux"):
        for k, v in report["timeline"][s].items():
            print(f"  {s:6} {k:58} {v:10.1f}")
    loads = [x for s in env["loadavg_1m"].values() for x in s]
    if loads and max(loads) > 1.5:
        print(f"\nbench: warning: host load average reached {max(loads):.1f} on {os.cpu_count()} CPUs during the "
              "runs; under TCG every figure is host time, so other work inflates them (see docs/bench.md)")  # fmt: skip
    if plot(report, OUT / "report.png"):
        log(f"wrote {OUT / 'report.png'}")
    log(f"wrote {OUT / 'report.json'}")

    if os.environ.get("BENCH_MM", "1") != "0":
        try:
            mm_bench(h, runs)
        except BootError as e:
            problems.append(f"mm bench: {e}")
            log(problems[-1])
    log(f"total {time.monotonic() - t_start:.0f} s")
    missing = [n for n in ("boot_to_user", "getpid", "fault_4k") if n not in atlas or n not in linux]
    if problems or missing:
        log(f"incomplete: {len(problems)} problem(s); missing {missing}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
