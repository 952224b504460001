"""Options from \\atlas.cfg that change the run: bad words, ebs_stale, tests=."""

import re

import pytest

from atlas_qemu import STATUS_FAILED, STATUS_PASSED, check_tests_and_summary, firmware_stage_end

# ---------------------------------------------------------------------------
# Bad options: each bad word gives one warning, and the run goes on with the rest.
# The later report=json overrides nothing here (report=xml was refused) but proves
# parsing continued past the bad words.

BAD_CFG = "report=xml colour=red on_finish=exit report=json"
BAD_WORDS = ["report=xml", "colour=red"]


@pytest.fixture(scope="module")
def bad(atlas):
    return atlas.boot("bad-options", cfg=BAD_CFG, memory="128M")


def test_bad_options_run_completes(bad):
    bad.expect_status(STATUS_PASSED)
    check_tests_and_summary(bad)


def test_bad_options_warning_records(bad):
    msgs = [w["msg"] for w in bad.records("warning")]
    assert len(msgs) == len(BAD_WORDS), msgs
    for word in BAD_WORDS:
        assert sum(f"'{word}'" in m for m in msgs) == 1, f"no warning record naming '{word}': {msgs}"


def test_bad_options_warnings_on_the_console(bad):
    # The firmware stage says it first, on ConOut (which OVMF mirrors to the serial port).
    fw = bad.plain_lines()[: firmware_stage_end(bad) + 1]
    for word in BAD_WORDS:
        hits = [line for line in fw if "atlas: warning:" in line and f"'{word}'" in line]
        assert hits, f"no 'atlas: warning:' line naming '{word}' before ExitBootServices" + bad.tail(60)


def test_bad_options_later_words_still_apply(bad):
    # report=json (after the bad words) took effect: records, and no human report.
    assert bad.records("memmap")
    assert "TAP version" not in bad.text()


# ---------------------------------------------------------------------------
# ebs_stale=3: the first three ExitBootServices calls get a stale map key, the
# firmware refuses them with EFI_INVALID_PARAMETER, and the fourth succeeds.


@pytest.fixture(scope="module")
def stale(atlas):
    return atlas.boot("ebs-stale", cfg="report=json on_finish=exit ebs_stale=3", memory="128M")


def test_ebs_stale_retries(stale):
    stale.expect_status(STATUS_PASSED)
    assert stale.one("boot")["ebs_tries"] == 4


def test_ebs_stale_run_is_healthy(stale):
    check_tests_and_summary(stale)
    assert stale.records("warning") == []


# ---------------------------------------------------------------------------
# tests=nosuch: a name that matches no test is itself a failing test.


@pytest.fixture(scope="module")
def nosuch(atlas):
    return atlas.boot("tests-nosuch", cfg="report=json on_finish=exit tests=nosuch", memory="128M")


def test_nosuch_exit_status_failed(nosuch):
    nosuch.expect_status(STATUS_FAILED)


def test_nosuch_failing_record(nosuch):
    tests = nosuch.records("test")
    bad = [t for t in tests if t["name"] == "nosuch"]
    assert len(bad) == 1, tests
    assert bad[0]["ok"] is False
    assert re.search(r"\bnosuch\b", bad[0]["got"]), bad[0]


def test_nosuch_summary(nosuch):
    summary = nosuch.records()[-1]
    assert summary["rec"] == "summary", summary
    failing = [t for t in nosuch.records("test") if not t["ok"]]
    assert summary["failed"] >= 1 and summary["failed"] == len(failing), summary
    assert summary["passed"] + summary["failed"] == len(nosuch.records("test")), summary


def test_nosuch_selects_no_real_test(nosuch):
    assert [t["name"] for t in nosuch.records("test")] == ["nosuch"]
