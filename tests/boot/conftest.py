"""Boot tests: pytest glue around atlas_qemu.

Fixtures
  atlas   (session) a Harness writing under this session's tmp dir; fails -
          never skips - when QEMU, OVMF, mtools, sgdisk or build/esp.img are
          missing, so CI cannot go green without booting anything.

Boots are expensive (5-15 s each under TCG): each test module boots once
per configuration in a module-scoped fixture, e.g.

    @pytest.fixture(scope="module")
    def run(atlas):
        return atlas.boot("json-128m", cfg="report=json on_finish=exit", memory="128M")

and several small test functions assert on that one BootResult. To inspect
a live machine (info tlb, info mem), start it with on_finish=halt:

    with atlas.start("halt", cfg="report=json on_finish=halt") as m:
        m.wait_for_serial(atlas_qemu.HALTED)
        out = m.hmp("info mem")
        m.quit()

Environment: QEMU, OVMF_DIR, OVMF_CODE, OVMF_VARS pick other binaries;
ATLAS_BOOT_TIMEOUT (seconds, default 120) is the hard limit per boot.
"""

import pytest

import atlas_qemu


class _Harness(atlas_qemu.Harness):
    """A Harness whose boot failures (timeouts, QEMU errors) read as plain test failures."""

    def boot(self, name, **kw):
        try:
            return super().boot(name, **kw)
        except atlas_qemu.BootError as e:
            why = str(e)
        pytest.fail(why, pytrace=False)  # outside the except: no "during handling" chain

    def start(self, name, **kw):
        try:
            return super().start(name, **kw)
        except atlas_qemu.BootError as e:
            why = str(e)
        pytest.fail(why, pytrace=False)


@pytest.fixture(scope="session")
def atlas(tmp_path_factory):
    problems = atlas_qemu.missing_prerequisites()
    if problems:
        # A failure, not a skip: every boot test errors and pytest exits non-zero.
        pytest.fail("cannot run the boot tests:\n  " + "\n  ".join(problems), pytrace=False)
    return _Harness(tmp_path_factory.mktemp("atlas-boot"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A skipped boot test counts as failed: a green run must have booted."""
    outcome = yield
    rep = outcome.get_result()
    if rep.skipped and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped ({reason}); the boot suite treats a skip as a failure"
