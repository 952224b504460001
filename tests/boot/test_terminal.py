"""The console terminal by hand: a shell typed at on the PS/2 keyboard (QEMU's
sendkey) and on the serial port, and full-screen busybox programs read back
off the screen (issue 12).

One boot: init=/bin/sh with Atlas's UART on COM2 behind a UNIX socket (the
test's serial terminal) and the i8042 keyboard that q35 has, then
on_finish=monitor. In turn, the test

  * types a command on the serial port and one with sendkey, and checks the
    answers on the serial port and on the screen;
  * asks the terminal where its cursor is (ESC [ 6 n) from a script: typed
    on the keyboard, the screen answers with the position it was sent to;
    typed on the serial port, the screen leaves the answer to the serial
    terminal (which here says nothing), so the read times out;
  * prints colours and checks their pixels;
  * runs busybox vi (alternate screen: the file, the tildes, the status
    line; an edit; back to the shell's screen as it was), top (its rows and
    the reverse-video header) and clear;
  * exits the shell and pages the console log with the monitor's `log` on
    the serial port: the lines are there as they were entered, and no
    escape sequence is;
  * runs the monitor's `sh`: a script with arguments and its exit status,
    then an interactive shell typed at with sendkey, left with `exit 5`.

Screens are read back glyph by glyph (screentext.py).
"""

import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from atlas_qemu import BOOT_TIMEOUT, strip_ansi
from screentext import Font, Screen
from test_monitor_cmds import MonitorConsole
from test_userland import make_initrd

PROMPT = "/ # "
KEY_PAUSE = 0.04
SCREEN_TIMEOUT = 60

POEM = "first line of the poem\nsecond line\nthird line\n"
SCRIPTS = {
    "/test/poem.txt": POEM,
    # Where is the cursor? Raw mode, the question, the answer up to its 'R' (or nothing after 3 s).
    # The cursor is saved first and put back after (ESC 7, ESC 8): the shell goes on where it was.
    "/test/dsr.sh": "#!/bin/sh\n"
    "old=$(stty -g)\n"
    "stty raw -echo\n"
    "printf '\\0337\\033[7;12H\\033[6n'\n"
    "IFS= read -r -d R -t 3 ans\n"
    "stty \"$old\"\n"
    "printf '\\0338'\n"
    "printf '\\nDSR answer: <%s>\\n' \"$ans\" | tr '\\033' E\n",
    "/test/mon.sh": "#!/bin/sh\necho from-monitor-sh $((6*7)) \"$@\"\nexit 3\n",
    "/test/colors.sh": "#!/bin/sh\n"
    "printf 'plain \\033[31mRED\\033[0m \\033[1;32mGREEN\\033[0m \\033[7mREV\\033[0m "
    "\\033[38;5;208mORANGE\\033[0m \\033[44mBLUEBG\\033[0m end\\n'\n",
}

# QEMU key names for what a US keyboard types.
KEYS = {" ": "spc", "\n": "ret", "\x1b": "esc", "/": "slash", ".": "dot", "-": "minus", "=": "equal", ",": "comma",
        ";": "semicolon", "'": "apostrophe", "`": "grave_accent", "[": "bracket_left", "]": "bracket_right",
        "\\": "backslash"}  # fmt: skip
SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0",
           "_": "minus", "+": "equal", "{": "bracket_left", "}": "bracket_right", "|": "backslash",
           ":": "semicolon", '"': "apostrophe", "~": "grave_accent", "<": "comma", ">": "dot", "?": "slash"}  # fmt: skip


def key_names(text):
    out = []
    for c in text:
        if c in KEYS:
            out.append(KEYS[c])
        elif c in SHIFTED:
            out.append("shift-" + SHIFTED[c])
        elif c.isupper():
            out.append("shift-" + c.lower())
        else:
            out.append(c)
    return out


class Term:
    """The machine, its serial terminal, and its screen."""

    def __init__(self, machine, con, font, workdir):
        self.m, self.con, self.font, self.workdir = machine, con, font, Path(workdir)
        self.shots = 0

    def keys(self, text):
        for k in key_names(text):
            self.m.hmp(f"sendkey {k}")
            time.sleep(KEY_PAUSE)

    def screen(self, name):
        self.shots += 1
        ppm = self.workdir / f"{self.shots:02d}-{name}.ppm"
        self.m.hmp(f"screendump {ppm}")
        return Screen(ppm)

    def lines(self, screen):
        return self.font.text(screen)

    def wait_screen(self, name, pred, timeout=SCREEN_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen(name)
            lines = self.lines(s)
            if pred(lines):
                return s, lines
            if time.monotonic() > deadline:
                pytest.fail(f"{name}: the screen never showed what was expected; it shows:\n" + "\n".join(lines),
                            pytrace=False)
            time.sleep(0.5)

    def serial_line(self, line, timeout=30):
        """Type line and CR on the serial port; the output up to the next prompt, without the echo."""
        start = self.con.mark()
        self.con.send(line + "\r")
        return answer(self.con.wait_for("\n" + PROMPT, start, timeout), line)

    def key_line(self, line, timeout=30):
        """The same, typed with sendkey; the output as the serial port saw it."""
        start = self.con.mark()
        self.keys(line + "\n")
        return answer(self.con.wait_for("\n" + PROMPT, start, timeout), line)


def answer(text, line):
    text = strip_ansi(text)
    body = text[: text.rindex("\n" + PROMPT) + 1]
    echo, _, rest = body.partition("\n")
    assert echo.endswith(line), f"echo {echo!r}, typed {line!r}"
    return rest


def cell_colors(screen, font, col, row):
    """(foreground, background) of a text cell: its two pixel colours, background the commoner."""
    counts = {}
    for y in range(row * font.height, (row + 1) * font.height):
        for x in range(col * font.width, (col + 1) * font.width):
            p = screen.pixel(x, y)
            counts[p] = counts.get(p, 0) + 1
    ranked = sorted(counts, key=counts.get, reverse=True)
    return (ranked[1] if len(ranked) > 1 else None), ranked[0]


def rgb(v):
    return ((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)


def find_row(lines, pred):
    for i, l in enumerate(lines):
        if pred(l):
            return i
    return None


@pytest.fixture(scope="module")
def term(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("terminal")
    initrd = make_initrd(tmp, SCRIPTS)
    sockdir = Path(tempfile.mkdtemp(prefix="atlas-term-"))
    sock = sockdir / "com2.sock"
    extra = ["-chardev", f"socket,id=com2,path={sock},server=on,wait=off", "-serial", "chardev:com2"]
    # watchdog=off: on a loaded TCG host an exec can take seconds, and a watchdog line would land on the screens read here.
    cfg = "serial=0x2f8 report=human on_finish=monitor tests=none watchdog=off init=/bin/sh"
    try:
        with atlas.start("terminal", cfg=cfg, memory="256M", extra_args=extra,
                         files={"/atlas/initrd.cpio": initrd}) as m:  # fmt: skip
            con = MonitorConsole(sock, tmp / "serial.log")
            try:
                con.wait_for(PROMPT, timeout=BOOT_TIMEOUT)
                yield Term(m, con, Font(), tmp)
            finally:
                con.close()
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def test_typed_on_the_serial_port(term):
    assert term.serial_line("echo typed-on-serial $((6*7))") == "typed-on-serial 42\n"
    _, lines = term.wait_screen("serial-typed", lambda ls: "typed-on-serial 42" in ls)
    assert f"{PROMPT}echo typed-on-serial $((6*7))" in lines, lines


def test_typed_on_the_keyboard(term):
    assert term.key_line("echo typed-on-keys $((6*7)) | tr a-z A-Z") == "TYPED-ON-KEYS 42\n"
    _, lines = term.wait_screen("keys-typed", lambda ls: "TYPED-ON-KEYS 42" in ls)
    assert f"{PROMPT}echo typed-on-keys $((6*7)) | tr a-z A-Z" in lines, lines


def test_keyboard_line_editing(term):
    # Backspace, and Left arrow to insert in the middle: the line editor redraws, the terminal follows.
    start = term.con.mark()
    term.keys("echo abXd")
    for k in ["backspace", "backspace", "left"]:
        term.m.hmp(f"sendkey {k}")
        time.sleep(KEY_PAUSE)
    term.keys("c\n")
    out = answer(term.con.wait_for("\n" + PROMPT, start, 30), "")
    # Typed: "echo abXd", two backspaces -> "echo ab", Left -> cursor before 'b', 'c' -> "echo acb".
    assert out == "acb\n", out
    _, lines = term.wait_screen("edited", lambda ls: "acb" in ls)
    assert f"{PROMPT}echo acb" in lines, lines


def test_screen_answers_where_its_cursor_is_when_typed_at(term):
    start = term.con.mark()
    term.keys("/test/dsr.sh\n")
    text = strip_ansi(term.con.wait_for("\n" + PROMPT, start, 30))
    # Row 7, column 12: where the script had just put the cursor.
    assert "DSR answer: <E[7;12>" in text, text


def test_screen_leaves_the_answer_to_the_serial_terminal(term):
    # Typed on the serial port: the serial terminal answers for itself (this one never does).
    out = term.serial_line("/test/dsr.sh")
    assert "DSR answer: <>" in out, out


def test_colours(term):
    term.serial_line("/test/colors.sh")
    s, lines = term.wait_screen("colours", lambda ls: any("plain RED GREEN REV ORANGE BLUEBG end" in l for l in ls))
    r = find_row(lines, lambda l: "plain RED GREEN REV ORANGE BLUEBG end" in l and not l.startswith(PROMPT))
    assert r is not None, lines
    col = {w: lines[r].index(w) for w in ["plain", "RED", "GREEN", "REV", "ORANGE", "BLUEBG"]}
    f = term.font
    assert cell_colors(s, f, col["plain"], r) == (rgb(0xC0C0C0), rgb(0x000000))
    assert cell_colors(s, f, col["RED"], r) == (rgb(0xAA0000), rgb(0x000000))
    assert cell_colors(s, f, col["GREEN"], r) == (rgb(0x55FF55), rgb(0x000000))  # bold: the bright green
    assert cell_colors(s, f, col["REV"], r) == (rgb(0x000000), rgb(0xC0C0C0))
    assert cell_colors(s, f, col["ORANGE"], r) == (rgb(0xFF8700), rgb(0x000000))  # 256-colour index 208
    assert cell_colors(s, f, col["BLUEBG"], r) == (rgb(0xC0C0C0), rgb(0x0000AA))


def rows_match(got, want):
    """got (screen lines) equals want row for row; one cell may read as the cursor: over a glyph ('?'),
    or after the text ('_')."""
    wild = 0
    for i, w in enumerate(want):
        g = got[i] if i < len(got) else ""
        if g == w:
            continue
        if g == w + "_":
            wild += 1
            continue
        if len(g) == len(w) and sum(a != b for a, b in zip(g, w)) == 1 and "?" in g:
            wild += 1
            continue
        return False
    return wild <= 1


def test_vi(term):
    before = term.lines(term.screen("before-vi"))
    term.con.send("vi /test/poem.txt\r")
    s, lines = term.wait_screen("vi", lambda ls: len(ls) > 3 and ls[3] == "~")
    rows = len(lines)
    want = POEM.splitlines() + ["~"] * (rows - 4)
    assert rows_match(lines, want), lines
    assert re.fullmatch(r"- /test/poem\.txt 1/3 33%", lines[rows - 1]), lines[rows - 1]
    # An edit: down, delete the line, open one above and type into it.
    for k in ["j", "d", "d", "shift-o"]:
        term.m.hmp(f"sendkey {k}")
        time.sleep(0.2)
    term.keys("a new line\x1b")
    # Back in command mode ("-", not "I", on the status line) with the cursor on the last 'e' typed.
    edited = ["first line of the poem", "a new line", "third line", "~"]
    s, lines = term.wait_screen("vi-edited", lambda ls: rows_match(ls[:4], edited) and ls[-1].startswith("- "))
    assert lines[1] == "a new lin?", lines[1]  # ESC steps back onto the last character typed, as vi does
    assert re.fullmatch(r"- /test/poem\.txt \[Modified\] 2/3 66%", lines[rows - 1]), lines[rows - 1]
    # Quit without saving: the shell's screen comes back as it was (the alternate screen is left).
    term.keys(":q!\n")
    cmd, new_prompt = PROMPT + "vi /test/poem.txt", (PROMPT.rstrip(), PROMPT + "_")

    def back(ls):
        return cmd in ls and ls.index(cmd) + 1 < len(ls) and ls[ls.index(cmd) + 1] in new_prompt

    # The shell's screen as it was, the vi command line, and the cursor waiting at a new prompt below it.
    s, after = term.wait_screen("after-vi", back)
    i = after.index(cmd)
    assert after[:i] == before[:i], (before[: i + 1], after[: i + 1])
    assert "~" not in after, after
    assert term.serial_line("cat /test/poem.txt") == POEM  # not saved


def test_top(term):
    term.con.send("top -d 1\r")
    s, lines = term.wait_screen("top", lambda ls: len(ls) > 4 and ls[3].lstrip().startswith("PID"))
    assert re.match(r"Mem: \d+K used, \d+K free, \d+K shrd, \d+K buff, \d+K cached$", lines[0]), lines[0]
    assert re.match(r"CPU:\s+\d+% usr\s+\d+% sys", lines[1]), lines[1]
    assert re.match(r"Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$", lines[2]), lines[2]
    assert lines[3].split() == ["PID", "PPID", "USER", "STAT", "VSZ", "%VSZ", "%CPU", "COMMAND"], lines[3]
    # The header is in reverse video (light grey cells, black glyphs) as far as busybox wrote it, ESC[7m to
    # ESC[m, blank cells included; the cell after it is back to normal (as on xterm: top pads nothing).
    f = term.font
    end = lines[3].index("COMMAND") + len("COMMAND")
    assert cell_colors(s, f, lines[3].index("PID"), 3) == (rgb(0x000000), rgb(0xC0C0C0))
    assert cell_colors(s, f, 0, 3) == (None, rgb(0xC0C0C0))
    assert cell_colors(s, f, end - 1, 3) == (rgb(0x000000), rgb(0xC0C0C0))
    assert cell_colors(s, f, end, 3) == (None, rgb(0x000000))
    procs = [l for l in lines[4:] if l.strip()]
    assert any(re.search(r"\btop -d 1$", l) for l in procs), procs
    assert any(re.search(r" /bin/sh$", l) or re.search(r" sh$", l) for l in procs), procs
    # A second frame draws over the first (cursor home, erase): still one header, at row 3.
    time.sleep(2.5)
    s2, lines2 = term.wait_screen("top-2", lambda ls: len(ls) > 4 and ls[3].lstrip().startswith("PID"))
    assert sum(1 for l in lines2 if l.lstrip().startswith("PID  PPID")) == 1, lines2
    start = term.con.mark()
    term.con.send("q")
    term.con.wait_for(PROMPT, start, 30)


def test_clear(term):
    term.con.send("clear\r")
    s, lines = term.wait_screen("clear", lambda ls: ls and ls[0].startswith(PROMPT) and not any(ls[1:]))
    assert lines[0] in (PROMPT.rstrip(), PROMPT + "_"), lines[:2]


def test_log_keeps_the_session_without_escapes(term):
    # The shell ends; the monitor takes the console, and its `log` pages the console log on the serial port.
    start = term.con.mark()
    term.con.send("exit\r")
    term.con.wait_for("atlas> ", start, 60)
    start = term.con.mark()
    term.con.send("log typed-on-serial\r")
    term.con.wait_for("q quits", start, 30)
    raw = term.con.text(start)
    term.con.send("q")
    term.con.wait_for("atlas> ", start, 30)
    # The pager's page starts with its own clear (home, erase display); the log's lines follow it.
    assert "\x1b[H\x1b[2J" + PROMPT + "echo typed-on-serial" in raw, raw[:300]
    lines = raw.replace("\x1b[H\x1b[2J", "", 1).split("\n")
    assert f"{PROMPT}echo typed-on-serial $((6*7))" in lines, lines[:20]
    assert "typed-on-serial 42" in lines, lines[:20]
    assert f"{PROMPT}echo typed-on-keys $((6*7)) | tr a-z A-Z" in lines, lines[:40]
    assert f"{PROMPT}echo acb" in lines, lines[:40]
    # The log's own lines hold no escape sequence.
    body = [l for l in lines if PROMPT in l or "typed-on" in l]
    assert body and not any("\x1b" in l for l in body), body
    # vi drew on the alternate screen: nothing of it was kept; its command line was.
    assert f"{PROMPT}vi /test/poem.txt" in lines, lines
    assert "~\n~\n" not in raw


def test_monitor_sh(term):
    # The monitor's sh runs busybox's shell on the console terminal again: a script with arguments and its status,
    # then an interactive shell typed at on the keyboard; exit comes back to the monitor.
    start = term.con.mark()
    term.con.send("sh /test/mon.sh a b\r")
    text = strip_ansi(term.con.wait_for("atlas> ", start, 60))
    assert "from-monitor-sh 42 a b\n" in text, text
    assert "sh (/bin/sh) ended: status 3\n" in text, text
    start = term.con.mark()
    term.con.send("sh\r")
    term.con.wait_for(PROMPT, start, 60)
    assert term.key_line("echo keys-in-monitor-sh $((6*7))") == "keys-in-monitor-sh 42\n"
    _, lines = term.wait_screen("monitor-sh", lambda ls: "keys-in-monitor-sh 42" in ls)
    assert f"{PROMPT}echo keys-in-monitor-sh $((6*7))" in lines, lines
    start = term.con.mark()
    term.con.send("exit 5\r")
    text = strip_ansi(term.con.wait_for("atlas> ", start, 60))
    assert "sh (/bin/sh) ended: status 5\n" in text, text
