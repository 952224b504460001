"""on_finish=shutdown (the default): ACPI S5 ends QEMU by itself, status 0.

No isa-debug-exit device here, and atlas.cfg does not mention on_finish, so
only the default can end the run; if the power-off failed, Atlas would halt
and the boot would hit the hard timeout.
"""

import pytest

from atlas_qemu import POWERING_OFF, STATUS_POWEROFF, check_tests_and_summary, kernel_lines


@pytest.fixture(scope="module")
def run(atlas):
    return atlas.boot("shutdown", cfg="report=json", memory="128M", debug_exit=False)


def test_qemu_powers_off(run):
    assert not run.timed_out
    run.expect_status(STATUS_POWEROFF)


def test_powering_off_is_the_last_word(run):
    lines = [line for line in kernel_lines(run) if line.strip()]
    assert lines and lines[-1] == POWERING_OFF, f"last kernel lines: {lines[-3:]}" + run.tail()
    assert "power-off failed" not in run.text()


def test_report_completed_before_power_off(run):
    check_tests_and_summary(run)
