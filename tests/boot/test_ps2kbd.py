"""The PS/2 keyboard (drivers/ps2kbd.c) as the monitor's second input.

One boot, on_finish=monitor, report=both. Commands are typed only through
QEMU's HMP `sendkey`, i.e. QEMU's PS/2 keyboard behind its i8042, after
ExitBootServices; COM1 is a file here, so nothing can arrive on the UART.
The monitor echoes to every console, so the typed line and its answer must
appear on the serial log, and `shutdown` must end QEMU.

A second, short boot has no i8042 at all (q35,i8042=off): the FADT says so,
the keyboard is reported absent, and the run goes on.
"""

import re
import time

import pytest

from atlas_qemu import STATUS_PASSED, STATUS_POWEROFF

PROMPT = "atlas> "
KEY_TIMEOUT = 30  # seconds for a command's answer


def type_line(m, keys):
    """Type keys (QEMU sendkey names) then Enter."""
    for k in keys:
        m.hmp(f"sendkey {k}")
    m.hmp("sendkey ret")


def answer(m, start, keys, echo):
    """Type a line; return what followed the echoed line up to the next prompt (serial text after start)."""
    type_line(m, keys)
    deadline = time.monotonic() + KEY_TIMEOUT
    while True:
        text = m.serial_text().replace("\r\n", "\n")[start:]
        at = text.find(PROMPT + echo + "\n")
        if at >= 0:
            rest = text[at + len(PROMPT) + len(echo) + 1 :]
            end = rest.find("\n" + PROMPT)
            if end >= 0:
                return rest[: end + 1], start + at + len(PROMPT) + len(echo) + 1 + end + 1
        if m.proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"no answer to {echo!r}; the serial log ends with:\n{text[-3000:]}", pytrace=False)
        time.sleep(0.1)


@pytest.fixture(scope="module")
def session(atlas):
    out = {}
    with atlas.start("ps2kbd", cfg="on_finish=monitor tests=boot report=both", memory="128M") as m:
        m.wait_for_serial(PROMPT)
        start = len(m.serial_text().replace("\r\n", "\n")) - len(PROMPT)
        out["cpu"], start = answer(m, start, ["c", "p", "u"], "cpu")
        # Shift: Help is not help. Backspace erases what it follows.
        out["Help"], start = answer(m, start, ["shift-h", "e", "l", "p"], "Help")
        out["bs"], start = answer(m, start, ["p", "s", "s", "backspace"], "pss\b \b")
        type_line(m, list("shutdown"))
        m.wait(timeout=60)
    r = m.result()
    r.answers = out
    return r


def test_keyboard_found(session):
    kbd = session.one("ps2kbd")
    assert kbd["present"] is True, kbd
    assert kbd["fadt"] == "8042", kbd  # q35's FADT (revision 3+) has IAPC_BOOT_ARCH with the 8042 flag
    assert kbd["translation"] is True and kbd["set"] == 1, kbd
    assert "PS/2 keyboard: i8042 (FADT: 8042), translation on, decoding scan code set 1" in session.text()
    assert "monitor: reading the serial port and the PS/2 keyboard" in session.text()


def test_typed_cpu(session):
    out = session.answers["cpu"]
    assert re.search(r"CR0 [0-9a-f]{16}\s+CR3 [0-9a-f]{16}\s+CR4 [0-9a-f]{16}\s+EFER [0-9a-f]{16}", out), out


def test_shift_and_backspace(session):
    assert session.answers["Help"] == "unknown command 'Help' (help lists the commands)\n"
    # ps ran (tests=boot started no process), not "pss".
    assert session.answers["bs"] == "no process has ended yet (run PATH starts one)\n", session.answers["bs"]


def test_typed_shutdown_ends_qemu(session):
    assert session.status == STATUS_POWEROFF, session.tail()
    assert f"{PROMPT}shutdown\nAtlas: powering off" in session.text().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def no_i8042(atlas):
    # q35 without its i8042: QEMU's FADT then clears the 8042 flag, and Atlas must not touch the ports.
    return atlas.boot("no-i8042", cfg="report=json on_finish=exit tests=boot", memory="128M",
                      extra_args=["-machine", "q35,i8042=off"])  # fmt: skip


def test_no_controller(no_i8042):
    no_i8042.expect_status(STATUS_PASSED)
    kbd = no_i8042.one("ps2kbd")
    assert kbd["present"] is False and kbd["fadt"] == "no_8042" and kbd["set"] == 0, kbd
    assert "FADT" in kbd["why"], kbd
