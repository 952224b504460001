"""A PC without a serial port and without PS/2: USB keyboards, the scrollback,
the log pager, the cursor and the QR code of the result (issue 16).

Two boots, both without an i8042 (q35,i8042=off), so every key QEMU's
`sendkey` types reaches Atlas through its xHCI driver:

  * usb: report=both, on_finish=monitor, a usb-kbd on a root port; COM1 is
    the harness's log file, only written to. The layout screen's QR code is
    read back from the screendump with zbarimg and compared with the JSON
    records; then `help` is typed, the cursor is looked for at the prompt,
    Shift+PgUp pages the scrollback, and `log` pages the console log to its
    first line and searches it.
  * shipped: build/disk.img exactly as `make` builds it (the pre-boot menu,
    the shipped atlas.cfg) with -serial none and the keyboard behind a
    usb-hub: after the menu's countdown and the run, the screen must show the
    layout and wait for a key; typed `help` must answer on the screen.

Screens are read back glyph by glyph (screentext.py).
"""

import re
import shutil
import subprocess
import time

import pytest

from atlas_qemu import DISK_IMG, BootError, strip_ansi
from screentext import Font, Screen

PROMPT = "atlas> "
NO_PS2 = ["-machine", "q35,i8042=off"]
KEY_TIMEOUT = 60


def decode_qr(ppm):
    """zbarimg's texts of every QR code in the image (raw, one per code)."""
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg not found (Debian: apt-get install zbar-tools; make deps does)", pytrace=False)
    out = subprocess.run(["zbarimg", "-q", "--xml", "-Sdisable", "-Sqrcode.enable", str(ppm)],
                         capture_output=True, text=True).stdout  # fmt: skip
    return [strip_cdata(d) for d in re.findall(r"<data>(.*?)</data>", out, re.S)]


def strip_cdata(s):
    m = re.fullmatch(r"<!\[CDATA\[(.*)\]\]>", s, re.S)
    return m.group(1) if m else s


def join_parts(texts):
    """Reassemble "Atlas result i/n" parts in order; returns (n, body)."""
    parts = {}
    for t in texts:
        m = re.match(r"Atlas result (\d+)/(\d+)\n", t)
        assert m, f"a QR code without the Atlas header: {t!r}"
        parts[int(m.group(1))] = (int(m.group(2)), t[m.end() :])
    n = {v[0] for v in parts.values()}
    assert len(n) == 1 and sorted(parts) == list(range(1, n.pop() + 1)), f"parts missing: {sorted(parts)}"
    return len(parts), "".join(parts[i][1] for i in sorted(parts))


def screendump(m, name):
    ppm = m.workdir / f"{name}.ppm"
    m.hmp(f"screendump {ppm}")
    return ppm


def sendkeys(m, keys, pause=0.05):
    for k in keys:
        m.hmp(f"sendkey {k}")
        time.sleep(pause)


def keys_of(text):
    names = {" ": "spc", "/": "slash", ".": "dot", "-": "minus", "\n": "ret"}
    return [names.get(c, c) for c in text]


def wait_screen(m, name, font, pred, timeout=KEY_TIMEOUT):
    """Screendumps until pred(lines) holds; returns (lines, ppm)."""
    deadline = time.monotonic() + timeout
    while True:
        ppm = screendump(m, name)
        lines = font.text(Screen(ppm))
        if pred(lines):
            return lines, ppm
        if time.monotonic() > deadline or m.proc.poll() is not None:
            pytest.fail(f"{name}: the screen never showed what was expected; it shows:\n" + "\n".join(lines),
                        pytrace=False)
        time.sleep(1)


@pytest.fixture(scope="module")
def font():
    return Font()


@pytest.fixture(scope="module")
def usb(atlas, font):
    out = {}
    with atlas.start("usb-kbd", cfg="report=both on_finish=monitor", memory="256M",
                     extra_args=NO_PS2 + ["-device", "qemu-xhci,id=xhci", "-device", "usb-kbd,bus=xhci.0"]) as m:
        m.wait_for_serial(PROMPT)
        out["qr_ppm"] = screendump(m, "layout")
        # help, typed on the USB keyboard; the answer is on serial (every console echoes).
        start = len(m.serial_text())
        sendkeys(m, keys_of("help\n"))
        m.wait_for_serial(re.compile(r"atlas> help\r?\n(.*\n)*  shutdown .*\n" + re.escape(PROMPT)), timeout=KEY_TIMEOUT)
        out["help"] = strip_ansi(m.serial_text()[start:]).replace("\r\n", "\n")
        # ps and maps of a pid that rotated out (tests=all ends hundreds of processes); a run, then screen.
        for cmd in ("ps", "maps 1"):
            start = len(m.serial_text())
            sendkeys(m, keys_of(cmd + "\n"))
            m.wait_for_serial(re.compile(re.escape(PROMPT + cmd) + r"\r?\n(.*\n)+" + re.escape(PROMPT)),
                              timeout=KEY_TIMEOUT)
            out[cmd] = strip_ansi(m.serial_text()[start:]).replace("\r\n", "\n")
        time.sleep(1)
        out["prompt"], _ = wait_screen(m, "prompt", font, lambda ls: any(l.startswith(PROMPT.rstrip()) for l in ls))
        # Shift+PgUp twice: the scrollback, half a screen each.
        sendkeys(m, ["shift-pgup"], pause=0.5)
        out["back1"], _ = wait_screen(m, "back1", font, lambda ls: ls[-1].startswith("scrollback: line"))
        sendkeys(m, ["shift-pgup"], pause=0.5)
        out["back2"], _ = wait_screen(m, "back2", font, lambda ls: ls[-1] != out["back1"][-1])
        sendkeys(m, ["shift-pgdn", "shift-pgdn", "shift-pgdn", "shift-pgdn"], pause=0.3)
        out["live"], _ = wait_screen(m, "live", font, lambda ls: not ls[-1].startswith("scrollback"))
        # log, then g: the first line of the run; then a search.
        sendkeys(m, keys_of("log\n"))
        wait_screen(m, "log", font, lambda ls: ls[-1].startswith("log: lines"))
        sendkeys(m, ["g"])
        out["log_top"], _ = wait_screen(m, "log-top", font, lambda ls: ls[-1].startswith("log: lines 1-"))
        sendkeys(m, keys_of("/pmm") + ["ret"])
        out["log_find"], _ = wait_screen(m, "log-find", font, lambda ls: ls[-1].startswith("log: lines") and "/pmm" in ls[-1])
        sendkeys(m, ["q"])
        wait_screen(m, "log-quit", font, lambda ls: not ls[-1].startswith("log: lines"))
        for cmd in ("run hello", "screen"):
            start = len(m.serial_text())
            sendkeys(m, keys_of(cmd + "\n"))
            m.wait_for_serial(re.compile(re.escape(PROMPT + cmd) + r"\r?\n(.*\n)+" + re.escape(PROMPT)),
                              timeout=KEY_TIMEOUT)
            out[cmd] = strip_ansi(m.serial_text()[start:]).replace("\r\n", "\n")
        start = len(m.serial_text())
        sendkeys(m, keys_of("shutdown\n"))
        m.wait(timeout=60)
    r = m.result()
    r.screens = out
    return r


def test_usb_controller_and_keyboard_found(usb):
    xhci = usb.one("xhci")
    assert xhci["state"] == "running" and xhci["ports"] >= 1, xhci
    kbds = [d for d in usb.records("usb") if d["keyboard"]]
    assert len(kbds) == 1 and kbds[0]["class"] == 3 and kbds[0]["protocol"] == 1, usb.records("usb")
    assert usb.one("ps2kbd")["present"] is False
    assert "monitor: reading the serial port and a USB keyboard" in usb.text()


def test_typed_help_on_usb(usb):
    help_text = usb.screens["help"]
    for cmd in ("help", "log [TEXT]", "screen", "shutdown"):
        assert re.search(rf"^  {re.escape(cmd)}\s", help_text, re.M), help_text


def test_ps_says_what_it_keeps(usb):
    ps = usb.screens["ps"]
    rows = re.findall(r"^\s*(\d+) \S+\s+\d+\s+\d+\s+\d+\.\d ms", ps, re.M)
    m = re.search(r"^(\d+) shown of (\d+) ended since boot: the last 32 are kept, each with its maps and pmap$", ps, re.M)
    assert m and int(m.group(1)) == len(rows) == 32 and int(m.group(2)) > 32, ps
    assert "pid 1 ended, but only the last 32 processes are kept (ps lists them)" in usb.screens["maps 1"], usb.screens


def test_screen_shows_what_the_monitor_ran(usb):
    pid = int(re.search(r"run: pid (\d+) \(hello\) ended", usb.screens["run hello"]).group(1))
    # The records of the last drawing (the monitor's `screen`) have a column for it.
    last = max(i for i, r in enumerate(usb.records()) if r["rec"] == "screen" and r["panel"] == "title")
    pids = {r["pid"] for r in usb.records()[last:] if r["rec"] == "screen_box" and r["panel"] == "process"}
    assert pid in pids, pids


def test_cursor_at_the_prompt(usb):
    prompts = [l for l in usb.screens["prompt"] if l.startswith("atlas>")]
    # The last prompt is empty and the cursor bar sits right after it.
    assert prompts and prompts[-1] == "atlas> _", prompts[-3:]


def test_scrollback_pages_back(usb):
    b1, b2 = usb.screens["back1"][-1], usb.screens["back2"][-1]
    m1 = re.match(r"scrollback: line (\d+) of (\d+)", b1)
    m2 = re.match(r"scrollback: line (\d+) of (\d+)", b2)
    assert m1 and m2, (b1, b2)
    assert int(m2.group(1)) < int(m1.group(1)) < int(m1.group(2)), (b1, b2)
    # Back at the live console after Shift+PgDn: the prompt is there again.
    assert any(l.startswith("atlas> ") for l in usb.screens["live"])


def test_log_reaches_the_first_line_of_the_run(usb):
    top = usb.screens["log_top"]
    assert top[0].startswith("Atlas: firmware stage;"), top[:3]
    m = re.match(r"log: lines 1-(\d+) of (\d+)", top[-1])
    assert m and int(m.group(2)) > 1000, top[-1]  # report=both: the whole run, thousands of lines


def test_log_search(usb):
    found = usb.screens["log_find"]
    assert "pmm" in found[0].lower(), found[:2]


def test_monitor_shutdown_after_paging(usb):
    assert usb.status == 0, usb.tail()


def test_qr_code_matches_the_records(usb):
    texts = decode_qr(usb.screens["qr_ppm"])
    assert texts, "zbarimg found no QR code on the layout screen"
    n, body = join_parts(texts)
    recs = usb.records("qr")[:n]  # the boot's drawing (the monitor's `screen` draws them again later)
    assert len(recs) == n and all(r["parts"] == n for r in recs), recs
    assert sorted(texts) == sorted(r["text"] for r in recs)
    fields = dict(line.split(": ", 1) for line in body.strip().split("\n"))
    summary = usb.one("summary")
    assert fields["tests"] == f"{summary['passed']} passed, {summary['failed']} failed"
    failed = [t["name"] for t in usb.records("test") if not t["ok"]]
    assert ("failed" in fields) == bool(failed) and (not failed or fields["failed"].split() == failed[:8])
    assert fields["RAM"].split()[0] == str(usb.one("memtotal")["ram_bytes"])
    assert fields["map"].startswith(f"{usb.one('memtotal')['regions']} regions"), fields["map"]
    cpu = usb.one("cpu")
    assert fields["CPU"] == f"{cpu['vendor']} {cpu['brand']}"
    boot = usb.one("boot")
    assert fields["firmware"].startswith(f"{boot['fw_vendor']} rev 0x{int(boot['fw_revision'], 16):x},")
    assert fields["faults"].split()[0] == str(len(usb.records("fault")))


@pytest.fixture(scope="module")
def shipped(atlas, font):
    out = {}
    with atlas.start("shipped-no-serial", disk=DISK_IMG, memory="256M", serial=False, timeout=400,
                     extra_args=NO_PS2 + ["-device", "qemu-xhci,id=xhci", "-device", "usb-hub,bus=xhci.0,port=1",
                                          "-device", "usb-kbd,bus=xhci.0,port=1.2"]) as m:  # fmt: skip
        time.sleep(30)
        # The layout is not on the text grid: its title row is, and the QR code says the run is over.
        out["waiting"], ppm = wait_screen(m, "waiting", font, lambda ls: "Atlas - memory layout" in ls[0],
                                          timeout=300)
        deadline = time.monotonic() + 120
        while not (out.setdefault("qr", decode_qr(ppm))) and time.monotonic() < deadline:
            time.sleep(5)
            ppm = screendump(m, "waiting")
            out["qr"] = decode_qr(ppm)
        time.sleep(5)
        out["still_running"] = m.proc.poll() is None
        sendkeys(m, keys_of("help\n"))
        out["help"], _ = wait_screen(m, "help", font, lambda ls: any(l.startswith("  log [TEXT]") for l in ls))
        m.kill()
    return out


def test_shipped_image_waits_with_the_layout_up(shipped):
    assert shipped["still_running"], "QEMU ended: the shipped image did not wait for a key"
    assert "Atlas - memory layout" in shipped["waiting"][0], shipped["waiting"][:2]
    n, body = join_parts(shipped["qr"])
    assert re.search(r"^tests: \d+ passed, 0 failed$", body, re.M), body


def test_shipped_image_types_through_a_usb_hub(shipped):
    lines = shipped["help"]
    assert any(l.startswith("atlas> help") for l in lines), lines
    assert any(l.startswith("  shutdown") for l in lines), lines
