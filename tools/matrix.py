#!/usr/bin/python3
"""matrix.py - `make test-matrix`: boot Atlas in every cell of the boot matrix.

Dimensions (issue "Real PCs and firmware engineers"):
  memory   128M 2G 6G 16G
  cpu      qemu64 Haswell max
  machine  q35 pc
  smp      1 4
  serial   present / none (then only isa-debug-exit's status tells the result)
  ovmf     4M (OVMF_CODE_4M.fd) / 2M (OVMF_CODE.fd)

Every cell must boot and pass the whole suite, ring 3 included: QEMU status 33
(Atlas writes 0x10 to isa-debug-exit only when every test passed). Cells with a
serial port also check the summary record. MATRIX="memory=2G,cpu=max" keeps
only the cells that match; MATRIX_LIMIT=N stops after N cells. Results go to
build/matrix/results.json and a table on the terminal; exit status 1 when any
cell failed. A failed cell's serial log and QEMU output are kept as
build/matrix/cell-N.serial.log and cell-N.stderr.
"""
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "boot"))
from atlas_qemu import OVMF_DIR, QEMU, STATUS_PASSED, BootResult, make_removable_disk  # noqa: E402

DIMS = {
    "memory": ["128M", "2G", "6G", "16G"],
    "cpu": ["qemu64", "Haswell", "max"],
    "machine": ["q35", "pc"],
    "smp": ["1", "4"],
    "serial": ["present", "none"],
    "ovmf": ["4M", "2M"],
}
OVMF = {"4M": ("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"), "2M": ("OVMF_CODE.fd", "OVMF_VARS.fd")}
TIMEOUT = float(os.environ.get("MATRIX_TIMEOUT", "240"))


def cells():
    want = dict(kv.split("=", 1) for kv in os.environ.get("MATRIX", "").split(",") if "=" in kv)
    for values in itertools.product(*DIMS.values()):
        cell = dict(zip(DIMS, values))
        if all(cell.get(k) == v for k, v in want.items()):
            yield cell


def run_cell(cell, workdir):
    code, vars_ = OVMF[cell["ovmf"]]
    vars_copy = workdir / "vars.fd"
    vars_copy.write_bytes((OVMF_DIR / vars_).read_bytes())
    disk = make_removable_disk(workdir, "report=json on_finish=exit")
    serial = workdir / "serial.log"
    cmd = [QEMU, "-machine", cell["machine"], "-m", cell["memory"], "-cpu", cell["cpu"], "-smp", cell["smp"],
           "-nic", "none", "-no-reboot", "-display", "none",
           "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_DIR / code}",
           "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}",
           "-drive", f"format=raw,file={disk}",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{serial}" if cell["serial"] == "present" else "none"]  # fmt: skip
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        status = done.returncode
        (workdir / "qemu.stderr").write_bytes(done.stdout + done.stderr)
    except subprocess.TimeoutExpired as e:
        status = "timeout"
        (workdir / "qemu.stderr").write_bytes((e.stdout or b"") + (e.stderr or b""))
    took = time.monotonic() - start
    why = ""
    if status != STATUS_PASSED:
        why = f"QEMU status {status}"
    elif cell["serial"] == "present":
        summary = BootResult("cell", workdir, status, serial.read_text(errors="replace")).records("summary")
        if not summary or summary[-1]["failed"] != 0:
            why = f"summary {summary[-1] if summary else 'missing'}"
    disk.unlink(missing_ok=True)
    return why, took


def main():
    out = REPO / "build" / "matrix"
    out.mkdir(parents=True, exist_ok=True)
    limit = int(os.environ.get("MATRIX_LIMIT", "0")) or None
    results = []
    for i, cell in enumerate(itertools.islice(cells(), limit)):
        kept = None
        with tempfile.TemporaryDirectory(dir=out) as d:
            why, took = run_cell(cell, Path(d))
            if why:  # keep what the failed boot said: build/matrix/cell-N.serial.log, .stderr
                kept = out / f"cell-{i + 1}"
                for name, suffix in (("serial.log", ".serial.log"), ("qemu.stderr", ".stderr")):
                    if (Path(d) / name).exists():
                        shutil.copyfile(Path(d) / name, f"{kept}{suffix}")
        label = " ".join(f"{k}={v}" for k, v in cell.items())
        print(f"{'ok  ' if not why else 'FAIL'} {i + 1:3d} {label}  ({took:.0f} s){'  ' + why if why else ''}",
              flush=True)
        results.append({"cell": cell, "ok": not why, "why": why, "seconds": round(took, 1),
                        "logs": str(kept) + ".*" if kept else None})
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    failed = [r for r in results if not r["ok"]]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
