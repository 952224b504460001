#!/usr/bin/python3
"""bench.py - `make bench`: boot Atlas with bench=on and collect its figures.

Boots build/disk.img in QEMU + OVMF (the same harness as tests/boot) with
report=json bench=on on_finish=exit, RUNS times (default 3), once with the
default CPU model and once with -cpu max (1 GiB pages), and prints the median
of every {"rec":"bench"} figure per configuration. Writes
build/bench/mm.json: {"CONFIG": {"NAME": {"value": V, "unit": U}, ...}, "runs": N}.
"""
import json
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "boot"))
from atlas_qemu import Harness, STATUS_PASSED  # noqa: E402

CONFIGS = {
    "qemu64-2G": dict(memory="2G", extra_args=()),
    "max-2G": dict(memory="2G", extra_args=("-cpu", "max")),
}


def main():
    runs = int(os.environ.get("RUNS", "3"))
    out_dir = REPO / "build" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    h = Harness(str(out_dir / "boots"))
    report = {"runs": runs}
    for cfg_name, cfg in CONFIGS.items():
        samples = {}
        for i in range(runs):
            r = h.boot(f"{cfg_name}-{i}", cfg="report=json bench=on on_finish=exit", **cfg)
            if r.status != STATUS_PASSED:
                print(f"bench: {cfg_name} run {i} ended with QEMU status {r.status}\n{r.tail()}", file=sys.stderr)
                return 1
            for rec in r.records("bench"):
                samples.setdefault(rec["name"], []).append((rec["value"], rec["unit"]))
        if not samples:
            print(f"bench: {cfg_name}: no bench records", file=sys.stderr)
            return 1
        report[cfg_name] = {
            name: {"value": statistics.median(v for v, _ in vals), "unit": vals[0][1]} for name, vals in samples.items()
        }
    (out_dir / "mm.json").write_text(json.dumps(report, indent=1) + "\n")
    names = sorted({n for c in CONFIGS for n in report[c]})
    print(f"{'figure (median of %d runs)' % runs:32}" + "".join(f"{c:>18}" for c in CONFIGS) + "  unit")
    for n in names:
        unit = next(report[c][n]["unit"] for c in CONFIGS if n in report[c])
        cells = "".join(f"{report[c].get(n, {}).get('value', '-'):>18}" for c in CONFIGS)
        print(f"{n:32}{cells}  {unit}")
    print(f"bench: wrote {out_dir / 'mm.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
