"""on_finish=monitor: the serial command monitor, driven over a socket.

One boot, -m 128M, report=human, tests=boot. Atlas's UART is COM2 here
(serial=0x2f8), attached to a UNIX socket the test writes commands to; COM1
stays the harness's serial.log, which then only holds the firmware's output.
(The harness puts COM1 on a file, and QEMU numbers -serial options in order,
so an extra_args -serial can only be COM2: this leaves atlas_qemu.py as it is.)

The socket chardev drops what the guest writes while nobody is connected and
stops the guest's UART when nobody reads, so a reader thread connects at once
and keeps draining it; the transcript is also logged to monitor.log.

Each command is one line ended by CR; its answer is everything between the
echoed line and the next prompt. The tests run in file order on one machine,
which ends with `shutdown` (QEMU exits with status 0).
"""

import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from atlas_qemu import BOOT_TIMEOUT, STATUS_POWEROFF

PROMPT = "atlas> "
COMMANDS = ["help", "memmap", "kmaps", "ps", "maps", "pmap", "walk", "pmm", "heap", "cpu", "run", "tests", "sh", "log", "screen",
            "iomem", "ioports", "lspci", "acpi", "dmi", "x", "xp", "xp!", "reboot", "shutdown"]  # fmt: skip
COMMAND_TIMEOUT = 30  # seconds for one command's answer (tests=boot re-runs in a few)
KERNEL_BASE_WALK = "0xffffffff80000000"
ERASE = "\b \b"
LINE_MAX = 128


class MonitorConsole:
    """The guest's UART on a UNIX socket: a reader thread collects everything it says."""

    def __init__(self, path, log_path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.buf = b""
        self.closed = False
        self.lock = threading.Condition()
        self.log = open(log_path, "wb")
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    def _reader(self):
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            with self.lock:
                if not chunk:
                    self.closed = True
                    self.lock.notify_all()
                    return
                self.buf += chunk
                self.log.write(chunk)
                self.log.flush()
                self.lock.notify_all()

    def text(self, start=0):
        with self.lock:
            return self.buf[start:].decode("utf-8", "replace").replace("\r\n", "\n")

    def mark(self):
        with self.lock:
            return len(self.buf)

    def wait_for(self, needle, start=0, timeout=COMMAND_TIMEOUT):
        """Wait until what came after byte start holds needle; return that text (LF line ends)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                text = self.buf[start:].decode("utf-8", "replace").replace("\r\n", "\n")
                if needle in text:
                    return text
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    why = "the connection closed" if self.closed else f"{timeout} s passed"
                    raise AssertionError(f"{needle!r} did not come ({why}); the monitor said:\n{text[-3000:]}")
                self.lock.wait(min(left, 0.5))

    def send(self, data):
        self.sock.sendall(data.encode("latin-1"))

    def command(self, keys, timeout=COMMAND_TIMEOUT):
        """Type keys and CR; return what came back up to the next prompt (the echo included)."""
        start = self.mark()
        self.send(keys + "\r")
        text = self.wait_for("\n" + PROMPT, start, timeout)
        return text[: text.index("\n" + PROMPT) + 1]

    def answer(self, line, timeout=COMMAND_TIMEOUT):
        """Run one plain command; return its answer without the echoed line."""
        text = self.command(line, timeout)
        echo, _, rest = text.partition("\n")
        assert echo == line, f"echo {echo!r} is not the typed {line!r}"
        return rest

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.thread.join(timeout=5)
        self.log.close()


@pytest.fixture(scope="module")
def monitor(atlas, tmp_path_factory):
    # A short directory: a UNIX socket path must fit in 108 bytes.
    sockdir = Path(tempfile.mkdtemp(prefix="atlas-mon-"))
    sock = sockdir / "com2.sock"
    log = tmp_path_factory.mktemp("monitor") / "monitor.log"
    extra = ["-chardev", f"socket,id=com2,path={sock},server=on,wait=off", "-serial", "chardev:com2"]
    try:
        with atlas.start("monitor", cfg="serial=0x2f8 on_finish=monitor tests=boot", memory="128M",
                         extra_args=extra) as m:  # fmt: skip
            con = MonitorConsole(sock, log)
            con.machine = m
            try:
                try:
                    con.wait_for(PROMPT, timeout=BOOT_TIMEOUT)
                except AssertionError as e:
                    why = f"{e}\n(COM2 log: {log}){m.result().tail()}"
                else:
                    why = None
                if why:
                    pytest.fail(f"no monitor prompt: {why}", pytrace=False)
                yield con
            finally:
                con.close()
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def test_banner_and_prompt(monitor):
    text = monitor.text()
    assert "Atlas monitor: the run is over (every test passed)" in text, text[-2000:]
    assert re.search(r"^ok \d+ - boot\.higher_half$", text, re.M), text[-2000:]
    assert text.endswith(PROMPT), text[-500:]


def test_help_lists_every_command(monitor):
    out = monitor.answer("help")
    listed = re.findall(r"^  (\S+)", out, re.M)
    assert listed == COMMANDS, out


def test_memmap_prints_the_table(monitor):
    out = monitor.answer("memmap")
    assert re.search(r"^Type\s+Start\s+End\s+# Pages\s+Attributes$", out, re.M), out[:2000]
    assert re.search(r"^Available\s+[0-9a-f]{16}-[0-9a-f]{16} ", out, re.M), out[:2000]
    assert "Total RAM:" in out, out[-1000:]


def test_kmaps(monitor):
    out = monitor.answer("kmaps")
    assert "[ktext]" in out and "[kheap]" in out, out[:3000]


def test_cpu_pmm_heap(monitor):
    out = monitor.answer("cpu")
    assert re.search(r"CR0 [0-9a-f]{16}\s+CR3 [0-9a-f]{16}\s+CR4 [0-9a-f]{16}\s+EFER [0-9a-f]{16}", out), out
    assert "features:" in out, out
    assert monitor.answer("pmm").strip(), "pmm printed nothing"
    assert monitor.answer("heap").strip(), "heap printed nothing"


def _run_hello(monitor):
    out = monitor.answer("run hello")
    m = re.search(r"^run: pid (\d+) \(hello\) ended: exit 0; \d+ syscalls, \d+ preemptions", out, re.M)
    assert m, out
    return int(m[1]), out


@pytest.fixture(scope="module")
def hello(monitor):
    return _run_hello(monitor)


def test_run_hello(hello):
    pid, out = hello
    assert f"pid {pid} (hello) exited with status 0" in out, out
    assert f"/proc/{pid}/maps at exit:" in out, out
    assert re.search(r"^[0-9a-f]{8}-[0-9a-f]{8} r-xp [0-9a-f]{8} 00:00 0 +/hello$", out, re.M), out
    assert re.search(r"^total kB\s+\d+\s+\d+\s+\d+\s*$", out, re.M), out


def test_ps_lists_it(monitor, hello):
    pid, _ = hello
    out = monitor.answer("ps")
    assert re.search(r"^\s+PID NAME\s+SYSCALLS\s+PREEMPT\s+TIME\s+ENDED$", out, re.M), out
    assert re.search(rf"^\s*{pid} hello\s+\d+\s+\d+\s+\d+\.\d ms\s+exit 0$", out, re.M), out


def test_maps_pid(monitor, hello):
    pid, _ = hello
    out = monitor.answer(f"maps {pid}")
    assert out.startswith(f"/proc/{pid}/maps (hello) at exit:\n"), out
    assert re.search(r"^[0-9a-f]{8}-[0-9a-f]{8} r-xp [0-9a-f]{8} 00:00 0 +/hello$", out, re.M), out
    assert re.search(r" \[stack\]$", out, re.M), out


def test_pmap_pid(monitor, hello):
    pid, _ = hello
    out = monitor.answer(f"pmap {pid}")
    assert out.startswith(f"pmap -x {pid} (hello) at exit:\n{pid}:   /hello\n"), out
    assert "Address           Kbytes     RSS   Dirty Mode  Mapping" in out, out
    assert re.search(r"^total kB\s+\d+\s+\d+\s+\d+\s*$", out, re.M), out


def test_unknown_pid_and_bad_pid(monitor):
    assert monitor.answer("maps 99") == "no process 99 (ps lists them)\n"
    assert monitor.answer("pmap 99") == "no process 99 (ps lists them)\n"
    out = monitor.answer("maps x1")
    assert out.startswith("maps: 'x1' is not a process id"), out
    out = monitor.answer("maps")
    assert out == "maps: missing arguments (usage: maps PID)\n", out


def test_walk_kernel_base(monitor):
    out = monitor.answer(f"walk {KERNEL_BASE_WALK}")
    assert "Page walk of 0xffffffff80000000" in out, out
    assert re.search(r"=> mapped: 4 KiB page, phys 0x[0-9a-f]+", out), out


def test_walk_bad_input(monitor):
    out = monitor.answer("walk zzz")
    assert out.startswith("walk: 'zzz' is not an address (expected 0x"), out
    assert "Page walk" not in out
    out = monitor.answer("walk 0x12345678123456789")
    assert out.startswith("walk: '0x12345678123456789' is not an address"), out


def test_unknown_command(monitor):
    assert monitor.answer("frobnicate") == "unknown command 'frobnicate' (help lists the commands)\n"
    assert monitor.answer("kmaps now") == "kmaps: takes no arguments (usage: kmaps)\n"


def test_backspace_edits_the_line(monitor):
    text = monitor.command("kmapq\x7fs")
    assert text.startswith("kmapq" + ERASE + "s\n"), repr(text[:80])
    assert "[ktext]" in text, text[:2000]
    # Backspace (0x08) too, several in a row; more than the line holds erase nothing more.
    text = monitor.command("\x08\x08pz\x08\x08ps")
    assert text.startswith("pz" + ERASE * 2 + "ps\n"), repr(text[:80])
    assert "PID NAME" in text, text


def test_ctrl_u_and_escape_sequences(monitor):
    text = monitor.command("frob\x15help")
    assert text.startswith("frob" + ERASE * 4 + "help\n"), repr(text[:80])
    assert re.search(r"^  shutdown ", text, re.M), text
    # Arrow keys (CSI and SS3) and other control bytes are ignored without a trace.
    text = monitor.command("\x1b[A\x1b[1;5Dp\x1bOBs\x01\x07")
    assert text.startswith("ps\n"), repr(text[:80])
    assert "PID NAME" in text, text


def test_empty_and_too_long_lines(monitor):
    assert monitor.command("") == "\n"
    assert monitor.command("   ") == "   \n"
    text = monitor.command("x" * (LINE_MAX + 20))
    assert text == "x" * LINE_MAX + "\nline too long (at most 128 characters); discarded\n", repr(text)
    # Exactly LINE_MAX characters is a line.
    text = monitor.command("y" * LINE_MAX)
    assert text == "y" * LINE_MAX + "\n" + f"unknown command '{'y' * LINE_MAX}' (help lists the commands)\n"


def test_run_errors(monitor):
    out = monitor.answer("run nosuch")
    assert out.startswith("run: no program 'nosuch'; these are:\n  built-in:"), out
    assert " hello" in out, out


def test_run_killed_program(monitor):
    out = monitor.answer("run /null_deref")
    m = re.search(r"^run: pid (\d+) \(null_deref\) ended: SIGSEGV: null guard", out, re.M)
    assert m, out
    assert re.search(rf"^\s*{m[1]} null_deref .*SIGSEGV: null guard", monitor.answer("ps"), re.M)


def tap_stream(out, strict=False):
    """The answer must be a TAP 14 stream of its own: version first, numbers from 1, a matching plan
    (strict: and nothing but TAP lines, which holds when no ring-3 program prints)."""
    lines = [line for line in out.split("\n") if line and not line.startswith("  ")]  # YAML blocks of not ok
    assert lines[0] == "TAP version 14", out
    numbers = [int(m[2]) for m in (re.match(r"(not ok|ok) (\d+) - ", line) for line in lines) if m]
    assert numbers == list(range(1, len(numbers) + 1)), out
    plans = [line for line in lines if re.fullmatch(r"1\.\.\d+", line)]
    assert plans == [f"1..{len(numbers)}"], out
    assert not strict or all(re.match(r"(TAP version 14|ok |not ok |1\.\.|# )", line) for line in lines), out
    return numbers


def test_tests_again(monitor):
    out = monitor.answer("tests boot.higher_half mm.wx")
    assert tap_stream(out, strict=True) == [1, 2], out
    assert "# tests=boot.higher_half,mm.wx, again from the monitor\n" in out, out
    assert re.search(r"^ok 1 - boot\.higher_half$", out, re.M), out
    assert re.search(r"^ok 2 - mm\.wx$", out, re.M), out
    assert "# 2 passed, 0 failed in this run; 0 failed since boot" in out, out
    # Without names: the boot's selection (tests=boot) again.
    out = monitor.answer("tests")
    tap_stream(out)
    assert "# tests=boot, again from the monitor\n" in out, out
    assert re.search(r"^ok \d+ - boot\.direct_map$", out, re.M), out
    # Through the ring-3 runner: the program's own test and the page check after the suite.
    out = monitor.answer("tests user.hello user.pages_returned")
    tap_stream(out)
    assert re.search(r"^ok \d+ - user\.hello$", out, re.M), out
    assert re.search(r"^ok \d+ - user\.pages_returned$", out, re.M), out
    assert "0 failed in this run; 0 failed since boot" in out, out
    out = monitor.answer("tests a;b")
    assert out.startswith("tests: 'a;b' is not a selection"), out


def test_shutdown_ends_qemu(monitor):
    start = monitor.mark()
    monitor.send("shutdown\r")
    monitor.wait_for("Atlas: powering off", start)
    status = monitor.machine.wait(timeout=30)
    assert status == STATUS_POWEROFF, monitor.text()[-2000:]
