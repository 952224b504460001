"""The ring-3 suite travels beside the image (\\atlas\\suite.bin, include/suitefile.h), as the
initramfs does. Two boots without a usable one: the file missing, and the file truncated. Each
must say so in one warning naming the file and the reason, report the suite as not run (TAP
SKIP, a test record with "skip": true) rather than silently, and still pass everything else
(status 33). A third boot gets a file with one flipped byte in its table: the checksum names it.
Shell-path boots are left out: make_shell_disk builds its ESP with tools/mkesp.sh, which puts
the same file there."""
import pytest

from atlas_qemu import SUITE_BIN, STATUS_PASSED

PATH = "\\atlas\\suite.bin"
# Everything but the ring-3 suite, quickly: the boot and memory checks, the hardware checks.
CFG = "report=both on_finish=exit tests=all"


@pytest.fixture(scope="module")
def missing(atlas):
    return atlas.boot("suite-missing", cfg=CFG, files={"/atlas/suite.bin": None})


@pytest.fixture(scope="module")
def truncated(atlas, tmp_path_factory):
    data = SUITE_BIN.read_bytes()
    bad = tmp_path_factory.mktemp("suite") / "suite.bin"
    bad.write_bytes(data[: len(data) // 2])
    return atlas.boot("suite-truncated", cfg=CFG, files={"/atlas/suite.bin": bad}), len(data)


@pytest.fixture(scope="module")
def corrupt(atlas, tmp_path_factory):
    data = bytearray(SUITE_BIN.read_bytes())
    data[64 + 5] ^= 0x40  # inside the first table entry
    bad = tmp_path_factory.mktemp("suite") / "suite.bin"
    bad.write_bytes(bytes(data))
    return atlas.boot("suite-corrupt", cfg=CFG, files={"/atlas/suite.bin": bad})


def warnings(run):
    return [r["msg"] for r in run.records("warning") if PATH in r["msg"]]


def check_not_run(run, reason):
    run.expect_status(STATUS_PASSED)
    w = warnings(run)
    assert len(w) == 1, w
    assert reason in w[0] and "the ring-3 suite does not run" in w[0], w
    assert f"atlas: warning: {w[0]}" in run.text(), "the warning is a line on the console too"
    tests = run.records("test")
    assert not [t["name"] for t in tests if t["name"].startswith("user.") and t["name"] != "user.suite"]
    skip = [t for t in tests if t["name"] == "user.suite"]
    assert len(skip) == 1 and skip[0]["ok"] and skip[0].get("skip") and skip[0]["got"] == w[0], skip
    assert "# SKIP " + w[0] in run.text()
    # The rest of the boot's checks ran and passed.
    others = [t for t in tests if not t["name"].startswith("user.")]
    assert len(others) >= 10 and all(t["ok"] for t in others), [t for t in others if not t["ok"]]
    assert run.one("summary")["failed"] == 0


def test_missing_suite_is_named_and_not_run(missing):
    check_not_run(missing, f"{PATH}: not on the boot volume")


def test_truncated_suite_is_named_and_not_run(truncated):
    run, size = truncated
    check_not_run(run, f"{PATH}: truncated: {size // 2} of {size} bytes")


def test_corrupt_suite_is_named_and_not_run(corrupt):
    check_not_run(corrupt, f"{PATH}: corrupt: checksum mismatch")
