"""`make run` as a user types it (issue 16's rough edges).

  * ARGS with the options' own quoting (run="\\x.elf a b", a single quote
    inside) reaches atlas.cfg unchanged: checked on the disk `make run-media`
    builds, without booting.
  * The exit status is the run's: a passing run exits 0, a failing one
    non-zero, also when the run powered off (on_finish=shutdown: QEMU's own
    status is then 0, and the summary in the serial log decides).
"""

import subprocess

import pytest

from atlas_qemu import BUILD, REPO

MAKE_TIMEOUT = 300


def make(*args):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=MAKE_TIMEOUT)  # fmt: skip


def test_args_quoting_reaches_atlas_cfg():
    words = 'run="\\x.elf a b" report=json run="\\it\'s.elf"'
    p = make("run-media", f"ARGS={words}")
    assert p.returncode == 0, p.stdout + p.stderr
    cfg = subprocess.run(["mtype", "-i", f"{BUILD / 'run' / 'disk.img'}@@1M", "::/atlas.cfg"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert cfg.rstrip("\n").split("\n")[-1] == f"on_finish=exit {words}", cfg[-300:]


@pytest.fixture(scope="module")
def failing():
    return make("run", "ARGS=tests=boot.no_such_test on_finish=shutdown report=json")


@pytest.fixture(scope="module")
def passing():
    return make("run", "ARGS=tests=boot.higher_half")


def test_failed_run_exits_non_zero_after_power_off(failing):
    assert failing.returncode != 0, failing.stdout[-2000:]
    assert "atlas: 1 failed (QEMU powered off)" in failing.stdout, failing.stdout[-2000:]


def test_passing_run_exits_zero(passing):
    assert passing.returncode == 0, passing.stdout[-2000:] + passing.stderr[-2000:]
    assert "atlas: all passed (QEMU status 33)" in passing.stdout
