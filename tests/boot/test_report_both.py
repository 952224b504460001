"""report=both: the human report (memmap table, TAP 14) and the JSON records, in one run."""

import re

import pytest

from atlas_qemu import EFI_SHORT_NAMES, PAGE, STATUS_PASSED, check_tests_and_summary, parse_int

HEADER = "Type       Start            End              # Pages          Attributes"
ROW_RE = re.compile(r"(\S+)\s+([0-9a-f]{16})-([0-9a-f]{16}) ([0-9a-f]{16}) ([0-9a-f]{16})")
TAP_RE = re.compile(r"(ok|not ok) (\d+) - (\S+)")


@pytest.fixture(scope="module")
def run(atlas):
    return atlas.boot("report-both", cfg="report=both on_finish=exit", memory="128M")


def test_exit_status_all_passed(run):
    run.expect_status(STATUS_PASSED)


def test_json_records_present(run):
    for kind in ("memmap", "memtype", "memtotal", "boot", "test", "summary"):
        assert run.records(kind), f"no {kind!r} record with report=both" + run.tail()
    check_tests_and_summary(run)


def test_human_memmap_table(run):
    lines = run.plain_lines()
    assert lines.count(HEADER) == 1, "memmap table header missing (or repeated)" + run.tail()
    rows = [m.groups() for m in map(ROW_RE.fullmatch, lines) if m]
    memmap = run.records("memmap")
    assert len(rows) == len(memmap), f"{len(rows)} table rows for {len(memmap)} memmap records"
    # Row i and record i describe the same descriptor.
    for (short, start, end, pages, attr), rec in zip(rows, memmap):
        want_start = parse_int(rec["start"])
        assert short == EFI_SHORT_NAMES[rec["type"]], (short, rec)
        assert int(start, 16) == want_start, (start, rec)
        assert int(end, 16) == want_start + rec["pages"] * PAGE - 1, (end, rec)
        assert int(pages, 16) == rec["pages"], (pages, rec)
        assert int(attr, 16) == parse_int(rec["attr"]), (attr, rec)


def test_tap14_stream(run):
    lines = run.plain_lines()
    tests = run.records("test")
    assert lines.count("TAP version 14") == 1, "no (single) TAP version line" + run.tail()
    start = lines.index("TAP version 14")
    points = [(i, m.groups()) for i, m in enumerate(map(TAP_RE.fullmatch, lines)) if m]
    assert points and all(i > start for i, _ in points), "test points before the TAP version line"
    assert [(s, int(n), name) for _, (s, n, name) in points] == [
        ("ok" if t["ok"] else "not ok", k, t["name"]) for k, t in enumerate(tests, 1)
    ]
    plan = f"1..{len(tests)}"
    assert lines.count(plan) == 1, f"no plan line {plan!r}" + run.tail()
    assert lines.index(plan) > points[-1][0], "the plan must follow the last test point"
    assert f"{len(tests)} passed, 0 failed" in lines


def test_no_menu_unless_asked(run):
    # menu is off unless atlas.cfg or the command line turn it on.
    assert run.one("menu") == {"rec": "menu", "shown": False, "ended": "off", "words": "", "timeout": 5}
    assert "Atlas boot menu" not in run.text()
