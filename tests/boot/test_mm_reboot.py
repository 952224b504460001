"""on_finish=reboot: Atlas resets the machine; with QEMU's -no-reboot that ends QEMU (status 0).

core/finish.c: "Atlas: rebooting", then UEFI ResetSystem(EfiResetCold) through
the runtime-services table Atlas keeps (drivers/efirt.c); if that returns or
faults, the ACPI reset register, the 8042 pulse and finally a triple fault.

Status 0 alone cannot tell a reset from an ACPI power-off, so the harness
keeps a QMP connection open during the boot: QEMU's SHUTDOWN event says
"guest-reset" for a reset turned into an exit by -no-reboot (any of the
mechanisms above, triple fault included) and "guest-shutdown" for S5.
No isa-debug-exit device: nothing but a reset or a power-off can end the run.
"""

import json
import socket
import time

import pytest

from atlas_qemu import STATUS_POWEROFF, check_tests_and_summary, kernel_lines

REBOOTING = "Atlas: rebooting"
# What drivers/efirt.c prints when ResetSystem did not reset the machine and a fallback runs.
EFIRT_FAILED = ("efirt: the firmware faulted inside a runtime call", "efirt: ResetSystem(")


def qmp_events_until_eof(qmp, timeout):
    """Every QMP event QEMU sends until it closes the connection (i.e. exits)."""
    events = list(qmp.events)
    deadline = time.monotonic() + timeout
    qmp.sock.settimeout(1.0)
    buf = qmp.buf
    while time.monotonic() < deadline:
        try:
            chunk = qmp.sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        buf += chunk
    events += [json.loads(line) for line in buf.split(b"\n") if line.strip()]
    return [e for e in events if "event" in e]


@pytest.fixture(scope="module")
def rebooted(atlas):
    with atlas.start("mm-reboot", cfg="report=json on_finish=reboot", memory="128M", debug_exit=False) as m:
        qmp = m.qmp()  # connect now, so that the SHUTDOWN event is seen
        m.wait_for_serial(REBOOTING)
        events = qmp_events_until_eof(qmp, timeout=60)
        status = m.wait()
    return m.result(), status, events


def test_qemu_exits_after_rebooting(rebooted):
    run, status, _ = rebooted
    assert not run.timed_out
    run.expect_status(STATUS_POWEROFF)  # -no-reboot: the reset ends QEMU with status 0
    check_tests_and_summary(run)
    lines = [line for line in kernel_lines(run) if line.strip()]
    assert REBOOTING in lines, run.tail()
    # The report is complete before the reset: the summary record comes right before the message.
    i = lines.index(REBOOTING)
    assert lines[i - 1].startswith('{"rec":"summary"'), lines[i - 1 : i + 1]
    assert "Atlas: powering off" not in run.text()


def test_it_was_a_reset_not_a_power_off(rebooted):
    run, _, events = rebooted
    shutdowns = [e for e in events if e["event"] == "SHUTDOWN"]
    assert shutdowns, f"no SHUTDOWN event from QEMU; events: {events}" + run.tail()
    assert shutdowns[0]["data"]["reason"] == "guest-reset", shutdowns


def test_reset_by_uefi_reset_system(rebooted):
    # The first mechanism must work on OVMF: nothing may follow "Atlas: rebooting".
    run, _, _ = rebooted
    lines = [line for line in kernel_lines(run) if line.strip()]
    after = lines[lines.index(REBOOTING) + 1 :] if REBOOTING in lines else []
    failed = [line for line in after if line.startswith(EFIRT_FAILED)]
    assert not failed, (
        "UEFI ResetSystem(EfiResetCold) did not reset the machine; a fallback did: "
        f"{failed}" + run.tail(6)
    )
    assert after == [], f"output after {REBOOTING!r}: {after}"
