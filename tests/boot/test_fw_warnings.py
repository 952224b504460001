"""Firmware-stage warnings are not lost (issue 16), one boot.

atlas.cfg has an unknown key (warned while reading options, before the
menu) and a GOP size the firmware does not have (warned after the menu, by
efi/sysinfo.c). The pre-boot menu must list the first under its settings
(its screen clear would otherwise erase it at once; OVMF mirrors ConOut to
the serial log), and the kernel must repeat both as warning records and
keep the firmware stage's lines at the top of its console log.
"""

import pytest

from atlas_qemu import STATUS_PASSED, strip_ansi

CFG = "menu=on menu_timeout=1 bogus_key=1 gop=123x45 report=both on_finish=exit tests=boot"


@pytest.fixture(scope="module")
def run(atlas):
    return atlas.boot("fw-warnings", cfg=CFG, memory="128M")


def test_run_passes(run):
    run.expect_status(STATUS_PASSED)


def test_menu_lists_the_warning(run):
    text = strip_ansi(run.serial)
    at = text.find("Atlas boot menu")
    assert at >= 0, run.tail()
    menu = text[at:]
    assert "Warnings so far (the kernel's report repeats them):" in menu, menu[:3000]
    assert "bogus_key" in menu[menu.find("Warnings so far") :], menu[:3000]


def test_kernel_repeats_every_firmware_warning(run):
    msgs = [w["msg"] for w in run.records("warning")]
    assert any("bogus_key" in m for m in msgs), msgs
    assert any("123x45" in m for m in msgs), msgs  # not an option problem: warned by the GOP code
    kernel = run.text()[run.text().find("kernel running at the higher half") :]
    assert kernel.count("atlas: warning: ") >= 2, kernel[:2000]
