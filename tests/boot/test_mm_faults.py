"""selftest=kstack|null|rodata: kernel faults on purpose, each reported and ending in a panic.

Three boots, -m 128M, report=json on_finish=exit selftest=...: the exception
report is human text (core/report/kfault.c prints it even with report=json), followed
by a {"rec":"kfault"} and a {"rec":"panic"} record, and the panic leaves
through isa-debug-exit with 0x12, so QEMU exits with 37. A triple fault would
instead reset the machine, which -no-reboot turns into QEMU exiting with 0;
an unreported hang hits the hard timeout.

  kstack  infinite recursion on the boot stack runs into the unmapped guard
          page; the CPU cannot push the #PF frame, so #DF, which has its own
          IST stack, reports the overflow with a backtrace.
  null    a ring-0 read of address 0x8: #PF in the null guard.
  rodata  a ring-0 write to .rodata: #PF, protection violation (CR0.WP).
"""

import re

import pytest

from atlas_qemu import STATUS_PANIC, parse_int

BOOT_GUARD = "guard page below kernel stack 0 (boot)"


def selftest_boot(atlas, which):
    return atlas.boot(f"mm-selftest-{which}", cfg=f"report=json on_finish=exit selftest={which}", memory="128M")


@pytest.fixture(scope="module")
def kstack(atlas):
    return selftest_boot(atlas, "kstack")


@pytest.fixture(scope="module")
def null(atlas):
    return selftest_boot(atlas, "null")


@pytest.fixture(scope="module")
def rodata(atlas):
    return selftest_boot(atlas, "rodata")


def kmap_region(run, name):
    found = [r for r in run.records("kmap") if r["name"] == name]
    assert len(found) == 1, f"expected one kmap region {name!r}: {found}" + run.tail()
    return parse_int(found[0]["start"]), parse_int(found[0]["end"])


def check_fault_then_panic(run, vector):
    """Status 37, self-tests before the fault passed, one kfault then one panic as the last records."""
    run.expect_status(STATUS_PANIC)
    text = run.text()
    assert text.count("exiting boot services") == 1, "the firmware stage ran twice: the machine was reset" + run.tail()
    assert "Triple fault" not in run.qemu_stderr and "rebooting" not in text, run.tail()
    tests = run.records("test")
    assert tests and all(t["ok"] is True for t in tests), [t for t in tests if t["ok"] is not True]
    kinds = [r["rec"] for r in run.records()]
    assert kinds.count("kfault") == 1 and kinds.count("panic") == 1, f"records: {kinds[-5:]}" + run.tail()
    assert kinds[-2:] == ["kfault", "panic"], f"the last records are {kinds[-2:]}" + run.tail()
    kf, panic = run.one("kfault"), run.one("panic")
    assert kf["vector"] == vector, kf
    assert panic["msg"].startswith("trap: ") and kf["name"] in panic["msg"], (kf, panic)
    assert f"*** kernel exception {vector}: {kf['name']}" in text, run.tail()
    return kf, text


def backtrace_lines(run):
    lines = run.plain_lines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "backtrace:"), None)
    assert start is not None, "no backtrace in the exception report" + run.tail()
    out = []
    for line in lines[start + 1 :]:
        if not line.startswith("      "):
            break
        out.append(line.strip())
    return out


# ---- selftest=kstack ------------------------------------------------------


def test_kstack_double_fault_report(kstack):
    kf, text = check_fault_then_panic(kstack, 8)
    assert "#DF double fault" in text
    assert kf["name"] == "#DF double fault", kf
    assert "kernel stack overflow: kernel stack 0 ran into its guard page" in text, kstack.tail()
    assert re.search(r"RSP 0x[0-9a-f]{16}: guard page below kernel stack 0 \(boot\)", text), kstack.tail()


def test_kstack_kfault_names_the_guard(kstack):
    kf = kstack.one("kfault")
    lo, hi = kmap_region(kstack, BOOT_GUARD)
    assert kf["region"] == BOOT_GUARD, kf
    # For #DF the address is the interrupted RSP: inside the guard page below the boot stack.
    assert kf["addr_kind"] == "RSP" and lo <= parse_int(kf["addr"]) < hi, (kf, hex(lo), hex(hi))
    assert "recurse" in kf["symbol"], kf


def test_kstack_backtrace(kstack):
    bt = backtrace_lines(kstack)
    assert any("recurse" in line for line in bt), bt
    assert any(re.search(r"\bkmain\+0x[0-9a-f]+$", line) for line in bt), bt
    # The recursion runs deep: its repeats are folded into a count, not hundreds of lines.
    assert len(bt) <= 20, bt


def test_kstack_panic_record(kstack):
    p = kstack.one("panic")
    assert "#DF double fault" in p["msg"] and BOOT_GUARD in p["msg"], p


# ---- selftest=null --------------------------------------------------------


def test_null_page_fault(null):
    kf, text = check_fault_then_panic(null, 14)
    assert kf["name"] == "#PF page fault", kf
    assert kf["addr_kind"] == "CR2" and parse_int(kf["addr"]) == 0x8, kf
    assert kf["region"] == "null guard", kf
    assert parse_int(kf["error"]) == 0 and kf["decoded"] == "page not present, read access, supervisor mode", kf
    assert "CR2 0x0000000000000008: null guard" in text, null.tail()
    assert "null guard" in null.one("panic")["msg"]


# ---- selftest=rodata ------------------------------------------------------


def test_rodata_write_fault(rodata):
    kf, text = check_fault_then_panic(rodata, 14)
    assert kf["name"] == "#PF page fault", kf
    # P (present) and W (write) set, U clear: a supervisor write to a read-only page.
    assert parse_int(kf["error"]) == 0x3, kf
    assert kf["decoded"].startswith("protection violation, write access"), kf
    assert "protection violation, write access" in text
    lo, hi = kmap_region(rodata, "[krodata]")
    assert kf["addr_kind"] == "CR2" and lo <= parse_int(kf["addr"]) < hi, (kf, hex(lo), hex(hi))
    assert kf["region"] == "[krodata]", kf
    assert "[krodata]" in rodata.one("panic")["msg"]
