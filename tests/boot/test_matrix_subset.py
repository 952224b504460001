"""A representative slice of the boot matrix (tools/matrix.py runs all of it with `make test-matrix`):
cells the other boot tests do not cover — no serial port at all, the 2 MiB OVMF build, the i440fx
machine with 1 GiB pages and several CPUs. Each must pass the whole suite (QEMU status 33)."""
import sys

import pytest

from atlas_qemu import REPO

sys.path.insert(0, str(REPO / "tools"))
import matrix  # noqa: E402

CELLS = [
    dict(memory="128M", cpu="qemu64", machine="q35", smp="1", serial="none", ovmf="2M"),
    dict(memory="2G", cpu="max", machine="pc", smp="4", serial="present", ovmf="4M"),
]


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: "-".join(c.values()))
def test_cell_passes_the_suite(cell, tmp_path):
    why, _ = matrix.run_cell(cell, tmp_path)
    assert not why, f"{cell}: {why}"
