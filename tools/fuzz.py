#!/usr/bin/python3
"""fuzz.py - `make fuzz SEEDS=1-50 CALLS=20000`: the system-call fuzzer in Atlas.

tests/user/run/fuzz.c (built as build/user/run/fuzz.elf) runs once per seed, each a
ring-3 process making CALLS seeded random system calls. The seeds go to Atlas
through run=, up to 8 at a time as instances of one entry ("\\fuzz\\fuzz.elf*8
FIRST CALLS": instance i gets seed FIRST + i), up to 16 entries a boot, so 50
seeds are one boot. After each boot it checks what a clean run looks like:

  * QEMU exited with status 33 (every run.fuzz test passed: no process died);
  * no panic, no kernel fault, no watchdog record (no call longer than the bound),
    except for calls that moved data in proportion to their time (see proportionate());
  * run.pages_returned passed (no user, page-table or kernel-stack page and no
    heap byte left behind by the processes);
  * every seed printed its "calls survived" line.

Writes build/fuzz/report.json and prints one line per seed; exits 1 on any
finding, naming the seed (replay it alone with SEEDS=N).

Environment: SEEDS (1-50; "A-B" or "A,B,C"), CALLS (20000), MEM (512M),
WATCHDOG (ms, default 1000), PER_ENTRY (instances per run= entry, 1..8, default 8).
"""
import json
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "boot"))
from atlas_qemu import BUILD, STATUS_PASSED, BootError, Harness  # noqa: E402

OUT = BUILD / "fuzz"
ENTRIES_MAX = 16  # BOOT_PROGS_MAX
RUN_MAX = 255  # the longest value an option takes (core/lib/options.c)
# The timeout's rate: the fuzzer with its children and execs makes 150-300 calls a second
# under TCG (a loaded host: fewer); a boot gets 50 a second before it counts as hung.
CALLS_PER_S = 50
SURVIVED = re.compile(r"fuzz: seed (\d+): (\d+) calls survived: (\d+) ok, (\d+) errors")


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            seeds.extend(range(int(a), int(b) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def runs_of(seeds, per_entry):
    """Consecutive seeds grouped into (first, count) run= entries."""
    groups, i = [], 0
    while i < len(seeds):
        n = 1
        while n < per_entry and i + n < len(seeds) and seeds[i + n] == seeds[i] + n:
            n += 1
        groups.append((seeds[i], n))
        i += n
    return groups


def entry(first, n, calls):
    # A single instance gets no index argument: its seed is FIRST itself.
    return f"\\fuzz\\fuzz.elf*{n} {first} {calls}" if n > 1 else f"\\fuzz\\fuzz.elf {first} {calls}"


def boots_of(groups, calls):
    """The groups split into boots: at most ENTRIES_MAX entries and RUN_MAX characters of run= each."""
    boots, cur = [], []
    for g in groups:
        if cur and (len(cur) == ENTRIES_MAX or len(";".join(entry(*x, calls) for x in cur + [g])) > RUN_MAX):
            boots.append(cur)
            cur = []
        cur.append(g)
    if cur:
        boots.append(cur)
    return boots


def boot_config(groups, calls, watchdog):
    run = ";".join(entry(first, n, calls) for first, n in groups)
    return f'report=json on_finish=exit tests=run watchdog={watchdog} run="{run}"'


# Calls that return the bytes they moved (read, write, pread64, pwrite64, readv, writev, sendfile,
# getdents64, preadv, pwritev, getrandom, copy_file_range). The fuzzer draws lengths up to Linux's
# MAX_RW_COUNT, and a call that really moves 60 MiB into never-touched pages keeps the CPU for
# seconds under TCG on a loaded host (~160 us a page measured with dd into the RAM fs): that is
# work, not a runaway. Such a report is a note when the call took at most the bound plus
# MS_PER_MIB for each MiB it returned (about ten times that cost); Linux's soft-lockup detector
# makes the same allowance by being touched at every cond_resched() in a long copy.
MOVES_BYTES = {0, 1, 17, 18, 19, 20, 40, 217, 295, 296, 318, 326}
MS_PER_MIB = 100


def proportionate(rec):
    moved = rec.get("ret", -1)
    return (rec.get("nr") in MOVES_BYTES and isinstance(moved, int) and moved > 0
            and rec["ms"] <= rec["bound_ms"] + (moved >> 20) * MS_PER_MIB)


def check(result, seeds, calls):
    """Findings of one boot: a list of strings (empty: clean), notes, and per-seed lines."""
    findings, notes, per_seed = [], [], {}
    if result.status != STATUS_PASSED:
        findings.append(f"QEMU status {result.status} (33 expected)")
    for kind in ("panic", "kfault"):
        for rec in result.records(kind):
            findings.append(f"{kind}: {json.dumps(rec)}")
    for rec in result.records("watchdog"):
        if proportionate(rec):
            notes.append(f"watchdog (proportionate: {rec['ret']} bytes moved): {json.dumps(rec)}")
        else:
            findings.append(f"watchdog: {json.dumps(rec)}")
    for rec in result.records("test"):
        if not rec["ok"]:
            findings.append(f"test {rec['name']}: expected {rec['expect']}, got {rec['got']}")
    if not any(r["name"] == "run.pages_returned" and r["ok"] for r in result.records("test")):
        findings.append("run.pages_returned did not pass (or did not run)")
    for rec in result.records("output"):
        m = SURVIVED.search(rec["text"])
        if m:
            per_seed[int(m.group(1))] = rec["text"][m.start():]
    for s in seeds:
        if s not in per_seed:
            findings.append(f"seed {s}: no 'calls survived' line (the process did not finish its {calls} calls)")
    return findings, notes, per_seed


def main():
    seeds = parse_seeds(os.environ.get("SEEDS", "1-50"))
    calls = int(os.environ.get("CALLS", "20000"))
    mem = os.environ.get("MEM", "512M")
    watchdog = int(os.environ.get("WATCHDOG", "1000"))
    per_entry = max(1, min(8, int(os.environ.get("PER_ENTRY", "8"))))
    elf = BUILD / "user" / "run" / "fuzz.elf"
    if not elf.exists():
        print(f"fuzz: {elf} is missing: run make first", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    harness = Harness(OUT / "boots", timeout=max(300, calls * len(seeds) // CALLS_PER_S))
    groups = runs_of(seeds, per_entry)
    report = {"seeds": seeds, "calls": calls, "memory": mem, "watchdog_ms": watchdog, "boots": [], "findings": []}
    t_all = time.monotonic()
    for b, part in enumerate(boots_of(groups, calls)):
        part_seeds = [first + i for first, n in part for i in range(n)]
        cfg = boot_config(part, calls, watchdog)
        t0 = time.monotonic()
        try:
            r = harness.boot(f"fuzz-{b}", cfg=cfg, memory=mem,
                             files={"/fuzz/fuzz.elf": str(elf)}, timeout=max(300, calls * len(part_seeds) // CALLS_PER_S))
        except BootError as e:
            report["findings"].append(f"boot {b}: {e}")
            print(f"fuzz: boot failed: {e}")
            continue
        findings, notes, per_seed = check(r, part_seeds, calls)
        secs = time.monotonic() - t0
        for s in part_seeds:
            print(f"  {per_seed.get(s, f'seed {s}: NO RESULT')}")
        print(f"fuzz: boot {b + 1}: seeds {part_seeds[0]}..{part_seeds[-1]} x {calls} calls in {secs:.0f} s: "
              f"{'clean' if not findings else f'{len(findings)} finding(s)'} (serial log: {r.workdir}/serial.log)")
        for f in findings:
            print(f"  FINDING: {f}")
        for n in notes:
            print(f"  note: {n}")
        pmm, heap = r.records("pmm"), r.records("heap")
        report["boots"].append({"config": cfg, "seconds": round(secs, 1), "status": r.status,
                                "workdir": str(r.workdir), "per_seed": per_seed, "findings": findings, "notes": notes,
                                "pmm": pmm[-1] if pmm else None, "heap": heap[-1] if heap else None})
        report["findings"].extend(findings)
    report["seconds"] = round(time.monotonic() - t_all, 1)
    (OUT / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    total = len(seeds) * calls
    print(f"fuzz: {len(seeds)} seeds x {calls} calls = {total} calls in {report['seconds']:.0f} s: "
          f"{'no panic, no hang, no watchdog report, no leaked page' if not report['findings'] else 'FINDINGS above'}; "
          f"wrote {OUT / 'report.json'}")
    return 1 if report["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
