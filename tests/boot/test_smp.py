"""Application processors: the firmware leaves them parked in its own memory; Atlas INITs them
right after ExitBootServices, reports the MADT's CPU count, and the whole suite (which reuses
boot-services memory for user pages) passes with several CPUs present."""
import pytest

from atlas_qemu import STATUS_PASSED


@pytest.fixture(scope="module")
def smp4(atlas):
    return atlas.boot("smp4", cfg="report=json on_finish=exit", memory="256M", extra_args=("-smp", "4"))


def test_suite_passes_with_four_cpus(smp4):
    smp4.expect_status(STATUS_PASSED)
    summary = smp4.records()[-1]
    assert summary["rec"] == "summary" and summary["failed"] == 0 and summary["passed"] > 50, summary


def test_madt_counts_four_and_aps_were_parked(smp4):
    smp = smp4.one("smp")
    assert smp["cpus"] == 4, smp
    assert smp["ap_init"] is True, smp


def test_pc_machine_two_cpus_haswell(atlas):
    r = atlas.boot("pc-haswell", cfg="report=json on_finish=exit tests=boot,mm,user.hello,user.isolation",
                   memory="512M", extra_args=("-machine", "pc", "-cpu", "Haswell", "-smp", "2"))
    r.expect_status(STATUS_PASSED)
    assert r.one("smp")["cpus"] == 2
