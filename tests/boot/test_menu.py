"""menu=on: the pre-boot menu on the firmware console (efi/menu.c), driven with keys.

Keys go in through QEMU's HMP `sendkey`, i.e. the PS/2 keyboard, which OVMF's
ConIn reads before ExitBootServices; OVMF mirrors ConOut to the serial port,
so every screen the menu draws lands in serial.log, where each key's effect
is awaited before the next key is sent.

Three boots:
  * driven: menu_timeout=0 (no countdown: the menu waits for the keys), and
    every setting changed, each by another path (Enter on a line, a digit, arrows
    through the GOP sizes, a digit for the value), an Esc that backs out of a
    setting unchanged, and Esc on the main screen to boot. The kernel's records
    must show each choice in force: menu.words, report=json (records, no TAP),
    tests=boot (only boot.* tests), gop=1024x768 (boot.fb_width/fb_height) and
    on_finish=exit (QEMU status 33).
  * timeout: the shipped tools/atlas.cfg (menu=on) plus menu_timeout=1 and a
    few options; nobody presses a key, so it boots with exactly those options.
  * shell: the Shell line picks /bin/sh; the boot runs busybox's shell as pid 1
    on the console (init=/bin/sh), which answers a command typed on the
    keyboard, and its `exit 7` ends the run with on_finish=exit.
"""

import re
import time

import pytest

from atlas_qemu import DEFAULT_CFG, STATUS_PASSED, check_tests_and_summary, firmware_stage_end, strip_ansi

KEY_TIMEOUT = 30  # seconds for the screen to show what one key did
WANT_SIZE = (1024, 768)  # a GOP mode OVMF offers that gop=auto would not pick (it keeps 800x600)
WANT_WORDS = f"tests=boot report=json gop={WANT_SIZE[0]}x{WANT_SIZE[1]} on_finish=exit"


class Screen:
    """The serial log seen as a sequence of menu screens."""

    def __init__(self, machine):
        self.m = machine
        self.mark = 0

    def text(self):
        return strip_ansi(self.m.serial_text()).replace("\r\n", "\n").replace("\r", "\n")

    def wait(self, pattern, what):
        """Wait until the text after the mark matches pattern; move the mark past the match."""
        deadline = time.monotonic() + KEY_TIMEOUT
        while True:
            text = self.text()
            found = re.search(pattern, text[self.mark :], re.M)
            if found:
                self.mark += found.end()
                return found
            if self.m.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the menu did not show {what} ({pattern!r}); it said:\n{text[self.mark:][-3000:]}",
                            pytrace=False)  # fmt: skip
            time.sleep(0.1)

    def key(self, name, pattern, what):
        """Press one key (a QEMU sendkey name) and wait for the screen it leads to."""
        self.m.hmp(f"sendkey {name}")
        return self.wait(pattern, what)


MAIN_END = r"^Up/Down choose a line, .*\n(Waiting for a key|Countdown stopped)"
CHOICES_END = r"^Up/Down and Enter, or 1-\d, take a value; Esc goes back\. \((\d+) of (\d+)\)"


CHANGED = r"  \(changed\)"


def main_line(n, label, value, changed):
    """A setting's line on the main screen, as a regex."""
    return rf"^[> ] {n}  {label}\s+{re.escape(value)}" + (CHANGED if changed else "") + "$"


@pytest.fixture(scope="module")
def driven(atlas):
    with atlas.start("menu-driven", cfg="menu=on menu_timeout=0", memory="128M") as m:
        s = Screen(m)
        s.wait(r"^Atlas boot menu$", "the main screen")
        s.wait(MAIN_END, "the end of the main screen")
        for n, label, value in ((1, "Tests", "all"), (2, "Report", "human"), (4, "At the end", "shutdown")):
            assert re.search(main_line(n, label, value, False), s.text(), re.M), f"no {label} line" + s.text()

        # Tests: Enter on the first line, Down, Enter.
        s.key("ret", r"^Atlas boot menu: Tests \(tests=\)$", "the Tests screen")
        s.wait(r"^> 1  all .*\(now\)$", "'all' selected and current")
        s.key("down", r"^> 2  boot ", "'boot' selected")
        s.key("ret", main_line(1, "Tests", "boot", True), "tests=boot on the main screen")
        # Report: its digit, then json's digit.
        s.key("2", r"^Atlas boot menu: Report \(report=\)$", "the Report screen")
        s.key("2", main_line(2, "Report", "json", True), "report=json on the main screen")
        # Esc on a setting's screen goes back and changes nothing.
        s.key("1", r"^Atlas boot menu: Tests \(tests=\)$", "the Tests screen again")
        s.wait(r"^> 2  boot .*\(now\)$", "'boot' current")
        s.key("esc", main_line(1, "Tests", "boot", True), "tests=boot still")
        # Screen: its digit, then Down to the wanted size (past the digit shortcuts) and Enter.
        s.key("3", r"^Atlas boot menu: Screen \(gop=\)$", "the Screen screen")
        listing = s.wait(CHOICES_END, "the GOP sizes")
        lines = s.text()[: s.mark].rsplit("Atlas boot menu: Screen (gop=)", 1)[1]
        values = re.findall(r"^[> ] [1-9 ]  (\S+)", lines, re.M)
        assert values[:2] == ["auto", "off"], lines
        want = f"{WANT_SIZE[0]}x{WANT_SIZE[1]}"
        assert want in values, f"OVMF offers no {want}: {values}"
        total = int(listing[2])  # the screen may show only the first ones
        assert 2 < len(values) <= total, f"{listing[0]!r} but {len(values)} values shown"
        for i in range(values.index(want)):
            s.key("down", rf"\({i + 2} of {total}\)", f"value {i + 2} selected")
        s.key("ret", main_line(3, "Screen", want, True), f"gop={want} on the main screen")
        # At the end: its digit, then exit's digit.
        s.key("4", r"^Atlas boot menu: At the end \(on_finish=\)$", "the At the end screen")
        s.wait(r"^  4  exit ", "'exit' as value 4")
        s.key("4", main_line(4, "At the end", "exit", True), "on_finish=exit on the main screen")
        # Esc on the main screen boots with all of it.
        m.hmp("sendkey esc")
        m.wait()
    return m.result()


def test_driven_boot_passes(driven):
    driven.expect_status(STATUS_PASSED)  # on_finish=exit took effect
    check_tests_and_summary(driven)


def test_driven_menu_record(driven):
    menu = driven.one("menu")
    assert menu["shown"] is True, menu
    assert menu["ended"] == "esc", menu
    assert menu["words"] == WANT_WORDS, menu
    assert menu["timeout"] == 0, menu
    assert driven.records("warning") == [], driven.records("warning")


def test_driven_firmware_log(driven):
    fw = driven.plain_lines()[: firmware_stage_end(driven) + 1]
    assert f"Atlas: boot menu ended (esc); appended to the options: {WANT_WORDS}" in fw, driven.tail(60)
    assert any(re.fullmatch(rf"GOP: mode \d+, {WANT_SIZE[0]}x{WANT_SIZE[1]} \(was mode .*\)", line) for line in fw), (
        driven.tail(60)
    )


def test_driven_choices_in_force(driven):
    # report=json: records, no human report.
    assert driven.records("memmap")
    assert "TAP version" not in driven.text()
    # tests=boot: the boot.* tests and nothing else.
    names = [t["name"] for t in driven.records("test")]
    assert names and all(n.startswith("boot.") for n in names), names
    # gop=1024x768: the framebuffer the kernel got.
    boot = driven.one("boot")
    assert (boot["fb_width"], boot["fb_height"]) == WANT_SIZE, boot


@pytest.fixture(scope="module")
def timed_out(atlas):
    cfg = DEFAULT_CFG.read_text() + "\n# tests/boot: the menu times out\nmenu_timeout=1 report=json on_finish=exit tests=mm\n"
    assert re.search(r"^menu=on$", DEFAULT_CFG.read_text(), re.M), "the shipped atlas.cfg must turn the menu on"
    return atlas.boot("menu-timeout", cfg=cfg, memory="128M")


def test_timeout_boots_with_the_options_as_written(timed_out):
    timed_out.expect_status(STATUS_PASSED)
    check_tests_and_summary(timed_out)
    menu = timed_out.one("menu")
    assert menu == {"rec": "menu", "shown": True, "ended": "timeout", "words": "", "timeout": 1}, menu
    names = [t["name"] for t in timed_out.records("test")]
    assert names and all(n.startswith("mm.") for n in names), names
    fw = timed_out.plain_lines()[: firmware_stage_end(timed_out) + 1]
    assert "Atlas: boot menu ended (timeout); options unchanged" in fw, timed_out.tail(60)
    assert "Atlas boot menu" in timed_out.text() and "Booting in 1 s" in timed_out.text()


@pytest.fixture(scope="module")
def shell(atlas):
    from test_terminal import key_names

    cfg = "menu=on menu_timeout=0 tests=none report=both on_finish=exit watchdog=off"
    with atlas.start("menu-shell", cfg=cfg, memory="256M") as m:
        s = Screen(m)
        s.wait(MAIN_END, "the main screen")
        assert re.search(main_line(5, "Shell", "none", False), s.text(), re.M), "no Shell line" + s.text()
        s.key("5", r"^Atlas boot menu: Shell \(init=\)$", "the Shell screen")
        s.wait(r"^  2  /bin/sh ", "'/bin/sh' as value 2")
        s.key("2", main_line(5, "Shell", "/bin/sh", True), "init=/bin/sh on the main screen")
        m.hmp("sendkey esc")
        s.wait(r"^/ # ", "busybox's prompt")
        for line in ("echo from-the-menu $((6*7)) | tr a-z A-Z\n", "exit 7\n"):
            for k in key_names(line):
                m.hmp(f"sendkey {k}")
                time.sleep(0.04)
            if line.startswith("echo"):
                s.wait(r"^FROM-THE-MENU 42$", "the shell's answer")
        m.wait()
    return m.result()


def test_shell_line_runs_busybox_sh_as_init(shell):
    shell.expect_status(STATUS_PASSED)  # init's exit applied on_finish=exit
    assert shell.one("menu")["words"] == "init=/bin/sh", shell.one("menu")
    text = strip_ansi(shell.text()).replace("\r", "")
    assert re.search(r"^FROM-THE-MENU 42$", text, re.M), shell.tail(40)
    assert "init (/bin/sh) ended: status 7" in text, shell.tail(40)
