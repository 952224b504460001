"""Ring 3: the built-in suite of musl programs, fault classification, per-process
maps records, and extra programs loaded from the ESP (run= and \\atlas\\bin\\).

One boot runs everything that must pass (status 33); a second, small boot feeds
Atlas a malformed ELF and checks the reason it gives."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from atlas_qemu import BUILD, REPO, STATUS_FAILED, STATUS_PASSED

USER_DIR = REPO / "tests" / "user"

ARGS_ECHO_C = r"""
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char line[256] = "args_echo:";
	for (int i = 0; i < argc; i++) {
		strcat(line, " ");
		strncat(line, argv[i], 40);
	}
	strcat(line, "\n");
	write(1, line, strlen(line));
	return argc == 4 && !strcmp(argv[1], "one") && !strcmp(argv[3], "three") ? 0 : 1;
}
"""


def expectations():
    """{name: ("exit", code) | ("signal", SIG, cause)} from the ATLAS-EXPECT comments."""
    out = {}
    for src in sorted(USER_DIR.glob("*.c")):
        m = re.search(r"ATLAS-EXPECT:\s*(exit=(\d+)|signal=(\w+)(?:\s+cause=\"([^\"]*)\")?)", src.read_text())
        assert m, f"{src} has no ATLAS-EXPECT"
        if m.group(2) is not None:
            out[src.stem] = ("exit", int(m.group(2)))
        else:
            out[src.stem] = ("signal", m.group(3), m.group(4) or "")
    return out


@pytest.fixture(scope="module")
def extra_elf(tmp_path_factory):
    musl = shutil.which("musl-gcc")
    assert musl, "musl-gcc is needed (make deps installs musl-tools)"
    d = tmp_path_factory.mktemp("extra")
    (d / "args_echo.c").write_text(ARGS_ECHO_C)
    subprocess.run([musl, "-static", "-no-pie", "-O1", "-o", str(d / "args_echo.elf"), str(d / "args_echo.c")],
                   check=True)
    return d / "args_echo.elf"


@pytest.fixture(scope="module")
def suite(atlas, extra_elf):
    return atlas.boot(
        "ring3",
        cfg='report=json on_finish=exit run="\\extra\\args_echo.elf one two three"',
        files={"/extra/args_echo.elf": extra_elf, "/atlas/bin/hello2.elf": BUILD / "user" / "hello.elf"},
    )


def test_status_all_passed(suite):
    suite.expect_status(STATUS_PASSED)


def test_every_program_ran_and_passed(suite):
    tests = {r["name"]: r for r in suite.records("test")}
    for name in expectations():
        rec = tests.get(f"user.{name}")
        assert rec is not None, f"no test record for user.{name}"
        assert rec["ok"], f"user.{name}: expected {rec['expect']}, got {rec['got']}"


def test_bad_scripts_are_named(suite):
    """A script Atlas refuses (tests/user/shebang.c) gets one line and record naming it and why (issue 18, part 4)."""
    refused = [(r["path"], r["reason"]) for r in suite.records("exec") if not r["ok"]]
    for suffix, why in (("/empty_line", "names no interpreter"), ("/all_blanks", "is all blanks"),
                        ("/long_name", "goes on past 255 bytes"), ("", "more than 5 nested")):
        assert any(p.endswith(suffix) and why in w for p, w in refused), (suffix, why, refused)


def test_faults_carry_their_causes(suite):
    faults = {}
    for r in suite.records("fault"):
        # A fault the program's own handler took (signals' caught SIGSEGV) is reported, not fatal.
        if not r.get("handled"):
            faults.setdefault(r["name"], r)
    for name, exp in expectations().items():
        if exp[0] != "signal":
            assert name not in faults, f"{name} should not fault: {faults.get(name)}"
            continue
        f = faults.get(name)
        assert f is not None, f"no fault record for {name}"
        assert f["signal"] == exp[1], f
        assert f["cause"].startswith(exp[2]), f
        assert f["rip"].startswith("0x") and int(f["rip"], 16) < 0x800000000000, f


def test_exit_records_match(suite):
    exits = {}
    for r in suite.records("exit"):
        exits.setdefault(r["name"], r)
    for name, exp in expectations().items():
        e = exits.get(name)
        assert e is not None, f"no exit record for {name}"
        if exp[0] == "exit":
            assert e["code"] == exp[1] and e["signal"] == "", e
        else:
            assert e["signal"] == exp[1], e


def test_maps_records_follow_the_seed_layout(suite):
    hello = next(r for r in suite.records("exit") if r["name"] == "hello")
    maps = [r for r in suite.records("maps") if r["pid"] == hello["pid"]]
    names = [m["name"] for m in maps]
    assert "[stack]" in names, names
    text = [m for m in maps if m["perm"] == "r-xp"]
    assert text and all(int(m["start"], 16) >= 0x400000 for m in maps), maps
    stack = next(m for m in maps if m["name"] == "[stack]")
    assert int(stack["end"], 16) == 0x7FFF00000000, stack
    for m in maps:
        assert m["rss_kb"] * 1024 <= int(m["end"], 16) - int(m["start"], 16), m
        assert m["dirty_kb"] <= m["rss_kb"], m
    # Nothing below the null guard, nothing above the stack top.
    assert min(int(m["start"], 16) for m in maps) >= 0x400000
    assert max(int(m["end"], 16) for m in maps) <= 0x7FFF00000000


def test_binary_output_is_kept(suite):
    """A NUL or a non-UTF-8 byte in a program's output does not end its record (a fuzzer finding)."""
    texts = [r["text"] for r in suite.records("output") if r["name"] == "write_binary"]
    assert "write_binary: \x00\xff after" in texts, texts
    zeros = [t for t in texts if t and set(t) == {"\x00"}]
    assert sum(len(t) for t in zeros) == 300 and len(zeros) >= 2, [len(t) for t in texts]
    assert "write_binary: done" in texts, texts


def test_pages_returned(suite):
    rec = next(r for r in suite.records("test") if r["name"] == "user.pages_returned")
    assert rec["ok"], rec


def test_run_option_program_gets_its_arguments(suite):
    rec = next(r for r in suite.records("test") if r["name"] == "run.args_echo")
    assert rec["ok"], rec
    assert "args_echo: /extra/args_echo.elf one two three" in suite.serial


def test_atlas_bin_program_runs(suite):
    rec = next(r for r in suite.records("test") if r["name"] == "run.hello2")
    assert rec["ok"], rec


@pytest.fixture(scope="module")
def bad_elf_boot(atlas, tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    good = (BUILD / "user" / "hello.elf").read_bytes()
    (d / "truncated.elf").write_bytes(good[:100])  # header fine, program headers cut off
    (d / "arm.elf").write_bytes(good[:18] + b"\xb7\x00" + good[20:])  # e_machine = EM_AARCH64
    return atlas.boot("bad-elf", cfg="report=json on_finish=exit tests=run",
                      files={"/atlas/bin/truncated.elf": d / "truncated.elf", "/atlas/bin/arm.elf": d / "arm.elf"})


def test_malformed_elf_is_named_and_survived(bad_elf_boot):
    bad_elf_boot.expect_status(STATUS_FAILED)
    tests = {r["name"]: r for r in bad_elf_boot.records("test")}
    assert not tests["run.truncated"]["ok"]
    assert "program header" in tests["run.truncated"]["got"], tests["run.truncated"]
    assert not tests["run.arm"]["ok"]
    assert "e_machine" in tests["run.arm"]["got"], tests["run.arm"]
    summary = bad_elf_boot.records()[-1]
    assert summary["rec"] == "summary" and summary["failed"] == 2, summary
