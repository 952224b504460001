"""UEFI shell path: options on the command line (LoadOptions) beat \\atlas.cfg.

The ESP has no \\EFI\\BOOT\\BOOTX64.EFI, so OVMF falls back to its built-in
shell, whose startup.nsh runs \\EFI\\atlas\\atlas.efi with OPTIONS. The image's
atlas.cfg says the opposite on every key the command line sets, so each
expectation below holds only if the command line won:
  report=human    vs report=json     -> JSON records, no human report
  on_finish=shutdown vs on_finish=exit -> status 33, not 0 (ACPI power-off)
  tests=all (default) vs two names  -> exactly those two test records
"""

import re

import pytest

from atlas_qemu import STATUS_PASSED, esp_read_file, kernel_lines

SELECTED = ["boot.higher_half", "boot.own_cr3"]
CMDLINE = "report=json on_finish=exit tests=" + ",".join(SELECTED)
CFG = "report=human on_finish=shutdown"
ESP_OFFSET = 1 << 20  # tools/mkdisk.sh puts the ESP at 1 MiB


@pytest.fixture(scope="module")
def run(atlas):
    # The 5 s startup.nsh countdown makes this boot a little longer than the others.
    return atlas.boot("shell", shell_opts=CMDLINE, cfg=CFG, memory="128M")


def test_medium_is_what_the_test_claims(run):
    disk = run.workdir / "disk.img"
    cfg = esp_read_file(disk, "atlas.cfg", ESP_OFFSET)
    assert "report=human" in cfg and "on_finish=shutdown" in cfg
    nsh = esp_read_file(disk, "startup.nsh", ESP_OFFSET)
    assert "\\EFI\\atlas\\atlas.efi " + CMDLINE in nsh


def test_booted_through_the_shell(run):
    # BdsDxe finds no loader on the disk, starts its "EFI Internal Shell" boot option, and the
    # shell counts down before running startup.nsh.
    text = run.text()
    assert re.search(r'BdsDxe: starting Boot[0-9A-F]{4} "EFI Internal Shell"', text), "shell not started" + run.tail()
    assert "to skip startup.nsh" in text, "no startup.nsh countdown" + run.tail()


def test_exit_status_all_passed(run):
    run.expect_status(STATUS_PASSED)


def test_exactly_the_selected_tests_ran(run):
    tests = run.records("test")
    assert sorted(t["name"] for t in tests) == sorted(SELECTED), tests
    assert all(t["ok"] is True for t in tests), tests
    summary = run.records()[-1]
    assert summary["rec"] == "summary" and summary == {"rec": "summary", "passed": 2, "failed": 0}, summary


def test_report_is_json(run):
    assert run.records("memmap"), "no memmap records" + run.tail()
    stray = [line for line in kernel_lines(run) if not line.startswith('{"rec"')]
    assert not stray, f"human output although the command line said report=json: {stray[:10]}"


def test_no_option_warnings(run):
    assert run.records("warning") == []
