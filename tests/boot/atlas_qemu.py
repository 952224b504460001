"""atlas_qemu - boot Atlas in QEMU + OVMF and collect what it says.

Standard library only (no pytest here), so it can be used from a REPL too:

    from atlas_qemu import Harness
    h = Harness("/tmp/scratch")
    r = h.boot("json", cfg="report=json on_finish=exit", memory="128M")
    r.status, r.one("boot"), r.records("memmap")

Each boot gets its own directory (disk image, OVMF_VARS copy, serial log,
QEMU's stderr, monitor socket), so boots may run in parallel.

Boot media:
  * removable path: a copy of build/esp.img whose \\atlas.cfg is replaced
    with the given text (mcopy -o), wrapped in a GPT disk by tools/mkdisk.sh;
  * shell path: tools/mkesp.sh --shell-only OPTIONS, which leaves no
    \\EFI\\BOOT\\BOOTX64.EFI, so OVMF falls back to its UEFI shell and
    startup.nsh runs \\EFI\\atlas\\atlas.efi OPTIONS (LoadOptions).

QEMU's exit status: isa-debug-exit at 0xf4 makes QEMU exit with
(code << 1) | 1, so Atlas's 0x10 / 0x11 / 0x12 become 33 / 35 / 37; an ACPI
power-off (on_finish=shutdown) exits with 0.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
ESP_IMG = BUILD / "esp.img"
ATLAS_EFI = BUILD / "atlas.efi"
MKESP = REPO / "tools" / "mkesp.sh"
INITRD_CPIO = BUILD / "initrd.cpio"
SUITE_BIN = BUILD / "suite.bin"  # \\atlas\\suite.bin on the ESP: the ring-3 suite (include/suitefile.h)
MKDISK = REPO / "tools" / "mkdisk.sh"
STARTUP_NSH = REPO / "startup.nsh"
DEFAULT_CFG = REPO / "tools" / "atlas.cfg"
DISK_IMG = BUILD / "disk.img"
# Appended to the shipped atlas.cfg for tests that keep it (cfg=None): no pre-boot menu.
NO_MENU = "\n# tests/boot: no pre-boot menu unless a test asks for it\nmenu=off\n"

# Same names as the Makefile's variables (`make boot-test OVMF_CODE=...` exports
# command-line variables to the recipe), so the suite boots what `make run` would.
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
OVMF_DIR = Path(os.environ.get("OVMF_DIR", "/usr/share/OVMF"))
OVMF_CODE = Path(os.environ.get("OVMF_CODE", OVMF_DIR / "OVMF_CODE_4M.fd"))
OVMF_VARS = Path(os.environ.get("OVMF_VARS", OVMF_DIR / "OVMF_VARS_4M.fd"))

# Seconds one boot may take before QEMU is killed and the boot fails.
BOOT_TIMEOUT = float(os.environ.get("ATLAS_BOOT_TIMEOUT", "240"))

STATUS_PASSED = 33  # Atlas wrote 0x10 to isa-debug-exit
STATUS_FAILED = 35  # 0x11
STATUS_PANIC = 37  # 0x12
STATUS_POWEROFF = 0  # ACPI S5 (or a monitor `quit`)
STATUS_NAMES = {
    STATUS_PASSED: "all passed",
    STATUS_FAILED: "some test failed",
    STATUS_PANIC: "kernel panic",
    STATUS_POWEROFF: "power-off / quit",
}

JSON_PREFIX = '{"rec"'
# What Atlas prints last with on_finish=halt (core/finish.c), and with on_finish=shutdown.
HALTED = "Atlas: halted (on_finish=halt)"
POWERING_OFF = "Atlas: powering off"
ANSI_RE = re.compile(r"\x1b(\[[0-9;=?]*[A-Za-z]|[()][A-Za-z0-9]|[A-Za-z=>])")

# The UNIX socket path limit is 108 bytes including the NUL.
_SUN_PATH_MAX = 100


class BootError(AssertionError):
    """A boot did not get as far as it had to (timeout, QEMU failure)."""


def missing_prerequisites():
    """What this machine lacks to boot Atlas: a list of messages, empty when all is there."""
    problems = []
    if not shutil.which(QEMU):
        problems.append(f"QEMU not found: {QEMU!r} is not on PATH (Debian: apt-get install qemu-system-x86)")
    for f in (OVMF_CODE, OVMF_VARS):
        if not f.is_file():
            problems.append(f"OVMF firmware missing: {f} (Debian: apt-get install ovmf)")
    for tool, pkg in (("mcopy", "mtools"), ("mtype", "mtools"), ("mformat", "mtools"), ("sgdisk", "gdisk")):
        if not shutil.which(tool):
            problems.append(f"{tool} not found (Debian: apt-get install {pkg})")
    for f in (ESP_IMG, ATLAS_EFI):
        if not f.is_file():
            problems.append(f"{f.relative_to(REPO)} missing: run `make all` first (`make boot-test` does)")
    if ESP_IMG.is_file() and ATLAS_EFI.is_file() and ESP_IMG.stat().st_mtime < ATLAS_EFI.stat().st_mtime:
        # The removable path boots esp.img's copy, the shell path build/atlas.efi: they must agree.
        problems.append("build/esp.img is older than build/atlas.efi: run `make all`")
    if ESP_IMG.is_file() and SUITE_BIN.is_file() and ESP_IMG.stat().st_mtime < SUITE_BIN.stat().st_mtime:
        problems.append("build/esp.img is older than build/suite.bin: run `make all`")
    return problems


def strip_ansi(text):
    return ANSI_RE.sub("", text)


def parse_int(v):
    """A record's number: JSON integers as is, 64-bit addresses as "0x..." strings."""
    if isinstance(v, bool):
        raise TypeError(f"expected a number, got {v!r}")
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"0x[0-9a-fA-F]+", v):
        return int(v, 16)
    raise TypeError(f"expected an integer or a '0x...' string, got {v!r}")


def _run(cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        raise BootError(f"{' '.join(map(str, cmd))} failed with status {p.returncode}:\n{p.stdout}")
    return p.stdout


def _with_initrd():
    """The environment for tools/mkesp.sh: INITRD and SUITE name the build's initramfs and ring-3
    suite file when there are ones (the same volume as build/esp.img)."""
    env = dict(os.environ)
    if "INITRD" not in env and INITRD_CPIO.exists():
        env["INITRD"] = str(INITRD_CPIO)
    if "SUITE" not in env and SUITE_BIN.exists():
        env["SUITE"] = str(SUITE_BIN)
    return env


def write_cfg(path, options):
    """An atlas.cfg holding exactly options (one string of key=value words)."""
    Path(path).write_text(f"# atlas.cfg written by tests/boot\n{options}\n")
    return Path(path)


def esp_read_file(img, name, offset=0):
    """The text of ::/name inside a FAT image (offset: where the FAT starts, for disk images)."""
    target = f"{img}@@{offset}" if offset else str(img)
    return _run(["mtype", "-i", target, f"::/{name}"])


# ---------------------------------------------------------------------------
# Boot media


def esp_add_files(esp, files):
    """Copy {"/dir/name": local_path} into the FAT image esp, creating directories; a local_path
    of None deletes the file from the image (e.g. {"/atlas/suite.bin": None})."""
    for dest, src in (files or {}).items():
        parts = dest.strip("/").split("/")
        if src is None:
            _run(["mdel", "-i", esp, "::/" + "/".join(parts)])
            continue
        for i in range(1, len(parts)):
            d = "::/" + "/".join(parts[:i])
            subprocess.run(["mmd", "-i", str(esp), d], capture_output=True)  # exists already: fine
        _run(["mcopy", "-o", "-i", esp, src, "::/" + "/".join(parts)])


def make_removable_disk(workdir, cfg_text, files=None, efi=None):
    """A GPT disk with build/esp.img, its \\atlas.cfg replaced by cfg_text, plus files
    ({"/atlas/bin/x.elf": local_path}). With efi (a path), the ESP is built afresh by
    tools/mkesp.sh with that binary as \\EFI\\BOOT\\BOOTX64.EFI.

    cfg_text None means the shipped options (tools/atlas.cfg, as in build/esp.img) with
    NO_MENU appended: the shipped file turns the pre-boot menu on, and a test must not sit
    through its countdown unless it asks for the menu (menu=on in its own cfg_text)."""
    workdir = Path(workdir)
    if cfg_text is None:
        cfg_text = DEFAULT_CFG.read_text() + NO_MENU
    esp = workdir / "esp.img"
    if efi is None:
        shutil.copyfile(ESP_IMG, esp)
    else:
        # The same volume the build makes: the initramfs too (the suite's programs exec files from it).
        _run([MKESP, esp, efi, STARTUP_NSH, DEFAULT_CFG], cwd=REPO, env=_with_initrd())
    cfg = write_cfg(workdir / "atlas.cfg", cfg_text)
    _run(["mcopy", "-o", "-i", esp, cfg, "::/atlas.cfg"])
    esp_add_files(esp, files)
    disk = workdir / "disk.img"
    _run([MKDISK, disk, esp], cwd=REPO)
    esp.unlink()  # 64 MiB we no longer need
    return disk


def make_shell_disk(workdir, shell_opts, cfg_text, efi=None):
    """A GPT disk whose ESP has no removable-path loader: OVMF's shell runs atlas.efi shell_opts
    (efi: the binary to put there, default build/atlas.efi)."""
    workdir = Path(workdir)
    cfg = write_cfg(workdir / "atlas.cfg", cfg_text if cfg_text is not None else "")
    esp = workdir / "esp.img"
    _run([MKESP, esp, efi or ATLAS_EFI, STARTUP_NSH, cfg, "--shell-only", shell_opts], cwd=REPO, env=_with_initrd())
    disk = workdir / "disk.img"
    _run([MKDISK, disk, esp], cwd=REPO)
    esp.unlink()
    return disk


# ---------------------------------------------------------------------------
# QMP (the monitor; HMP commands go through human-monitor-command)


class QMP:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self.events = []
        greeting = self._read()
        if "QMP" not in greeting:
            raise BootError(f"unexpected QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, cmd, **arguments):
        msg = {"execute": cmd}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            resp = self._read()
            if "event" in resp:
                self.events.append(resp)
                continue
            if "error" in resp:
                raise BootError(f"QMP {cmd} failed: {resp['error']}")
            return resp.get("return")

    def hmp(self, command_line):
        return self.execute("human-monitor-command", **{"command-line": command_line})

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# Results


class BootResult:
    """What one boot produced.

    status      QEMU's exit status (33 / 35 / 37 / 0; None if it was killed)
    serial      the serial log, with CR LF turned into LF
    lines       serial split into lines
    all_records every {"rec":...} line that parsed, in order
    bad_json    (line number, line, error) for each line that starts like a
                record but does not parse; records() / one() fail when any
    """

    def __init__(self, name, workdir, status, serial, qemu_stderr="", timed_out=False):
        self.name = name
        self.workdir = Path(workdir)
        self.status = status
        self.serial = serial.replace("\r\n", "\n").replace("\r", "\n")
        self.qemu_stderr = qemu_stderr
        self.timed_out = timed_out
        self.lines = self.serial.split("\n")
        self.all_records = []
        self.record_lines = []  # index into lines for each record
        self.bad_json = []
        for i, line in enumerate(self.lines):
            if not line.startswith(JSON_PREFIX):
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict) or not isinstance(rec.get("rec"), str):
                    raise ValueError("not an object with a string 'rec'")
            except ValueError as e:
                self.bad_json.append((i + 1, line, str(e)))
                continue
            self.all_records.append(rec)
            self.record_lines.append(i)

    # -- records ------------------------------------------------------------
    def _check_json(self):
        if self.bad_json:
            lines = "\n".join(f"  serial line {n}: {line!r}: {err}" for n, line, err in self.bad_json)
            raise AssertionError(f"{self.name}: {len(self.bad_json)} record line(s) are not valid JSON:\n{lines}")

    def records(self, kind=None):
        """All records, or those with "rec" == kind."""
        self._check_json()
        return [r for r in self.all_records if kind is None or r["rec"] == kind]

    def one(self, kind):
        """The one record of this kind (fails if there are none or several)."""
        found = self.records(kind)
        assert len(found) == 1, f"{self.name}: expected exactly one {kind!r} record, found {len(found)}" + self.tail()
        return found[0]

    # -- text ---------------------------------------------------------------
    def text(self):
        """The serial log without terminal escape sequences (the firmware's console draws with them)."""
        return strip_ansi(self.serial)

    def plain_lines(self):
        return self.text().split("\n")

    def tail(self, n=40):
        body = "\n".join(self.plain_lines()[-n:]) if self.serial.strip() else "(the serial log is empty)"
        extra = f"\n--- QEMU stderr ---\n{self.qemu_stderr.strip()}" if self.qemu_stderr.strip() else ""
        return f"\n--- last {n} serial lines of boot {self.name!r} ({self.workdir}) ---\n{body}{extra}"

    def status_name(self):
        return STATUS_NAMES.get(self.status, "unexpected")

    def expect_status(self, want):
        """QEMU exited with want, and every record line parsed."""
        assert self.status == want, (
            f"{self.name}: QEMU exit status {self.status} ({self.status_name()}), "
            f"expected {want} ({STATUS_NAMES.get(want, '?')})" + self.tail()
        )
        self._check_json()


# ---------------------------------------------------------------------------
# Machines


class Machine:
    """One running QEMU. Either wait() for it to exit by itself, or drive it:

        with harness.start("halt", cfg="on_finish=halt report=json") as m:
            m.wait_for_serial("Atlas: halted (on_finish=halt)")
            print(m.hmp("info mem"))
            m.quit()
        r = m.result()
    """

    def __init__(self, name, workdir, disk, memory, debug_exit, extra_args, timeout, ovmf_code=None, ovmf_vars=None,
                 serial=True, disk_if=None):
        self.name = name
        self.workdir = Path(workdir)
        self.timeout = timeout
        self.serial_path = self.workdir / "serial.log"
        self.stderr_path = self.workdir / "qemu.stderr"
        self.vars_path = self.workdir / "OVMF_VARS.fd"
        ovmf_code = ovmf_code or OVMF_CODE
        shutil.copyfile(ovmf_vars or OVMF_VARS, self.vars_path)
        qmp_path = self.workdir / "qmp.sock"
        if len(str(qmp_path)) > _SUN_PATH_MAX:
            self._sockdir = tempfile.mkdtemp(prefix="atlas-qmp-")
            qmp_path = Path(self._sockdir) / "qmp.sock"
        else:
            self._sockdir = None
        self.qmp_path = qmp_path
        self.cmd = [
            QEMU, "-machine", "q35", "-m", memory, "-nic", "none", "-no-reboot", "-display", "none",
            "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={ovmf_code}",
            "-drive", f"if=pflash,format=raw,unit=1,file={self.vars_path}",
            "-drive", f"if={disk_if}," * bool(disk_if) + f"format=raw,file={disk}",
            "-serial", f"file:{self.serial_path}" if serial else "none",
            "-qmp", f"unix:{qmp_path},server=on,wait=off",
        ]  # fmt: skip
        if debug_exit:
            self.cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        self.cmd += list(extra_args)
        (self.workdir / "qemu.cmd").write_text(" ".join(map(str, self.cmd)) + "\n")
        self._stderr = open(self.stderr_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(c) for c in self.cmd], stdin=subprocess.DEVNULL, stdout=self._stderr, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self._qmp = None
        self.timed_out = False
        self.status = None

    # -- context manager: never leave a QEMU behind ---------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    def _remaining(self):
        return self.timeout - (time.monotonic() - self.started)

    def serial_text(self):
        try:
            return self.serial_path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def _fail(self, why):
        self.kill()
        raise BootError(f"{self.name}: {why}" + self.result().tail())

    def wait_for_serial(self, needle, timeout=None):
        """Wait until the serial log contains needle (a string or compiled regex)."""
        deadline = time.monotonic() + (self._remaining() if timeout is None else min(timeout, self._remaining()))
        while True:
            text = strip_ansi(self.serial_text())
            if (needle.search(text) if hasattr(needle, "search") else needle in text):
                return text
            if self.proc.poll() is not None:
                self.status = self.proc.returncode
                self._fail(f"QEMU exited with status {self.status} before the serial log showed {needle!r}")
            if time.monotonic() > deadline:
                self.timed_out = True
                self._fail(f"no {needle!r} on the serial port after {time.monotonic() - self.started:.0f} s")
            time.sleep(0.1)

    def wait(self, timeout=None):
        """Wait for QEMU to exit; kill it and raise BootError when it takes too long."""
        t = self._remaining() if timeout is None else timeout
        expired = False
        try:
            self.status = self.proc.wait(timeout=max(t, 0.1))
        except subprocess.TimeoutExpired:
            expired = self.timed_out = True
        if expired:  # outside the except: the BootError needs no TimeoutExpired context
            self._fail(f"QEMU still running after {time.monotonic() - self.started:.0f} s (hard timeout); killed it")
        self._cleanup()
        return self.status

    # -- monitor ----------------------------------------------------------
    def qmp(self):
        if self._qmp is None:
            self._qmp = QMP(self.qmp_path)
        return self._qmp

    def hmp(self, command_line):
        """Run one HMP command (e.g. "info tlb", "info mem") and return its output, with LF line ends."""
        return self.qmp().hmp(command_line).replace("\r\n", "\n")

    def quit(self):
        """Ask QEMU to quit and wait for it (status 0)."""
        try:
            self.qmp().execute("quit")
        except (EOFError, ConnectionResetError, BrokenPipeError):
            pass  # QEMU may close the socket before answering
        return self.wait(timeout=min(30, max(self._remaining(), 5)))

    # -- teardown ---------------------------------------------------------
    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self._cleanup()

    def _cleanup(self):
        if self._qmp is not None:
            self._qmp.close()
            self._qmp = None
        if not self._stderr.closed:
            self._stderr.close()
        if self._sockdir:
            shutil.rmtree(self._sockdir, ignore_errors=True)
            self._sockdir = None

    def result(self):
        try:
            stderr = self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            stderr = ""
        return BootResult(self.name, self.workdir, self.status, self.serial_text(), stderr, self.timed_out)


class Harness:
    """Makes boot media and machines under base_dir, one subdirectory per boot."""

    def __init__(self, base_dir, timeout=BOOT_TIMEOUT):
        self.base_dir = Path(base_dir)
        self.timeout = timeout

    def _workdir(self, name):
        self.base_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.base_dir))

    def start(self, name, cfg=None, shell_opts=None, memory="128M", debug_exit=True, extra_args=(), timeout=None,
              files=None, efi=None, ovmf_code=None, ovmf_vars=None, serial=True, disk=None, disk_if=None):
        """Build the medium and start QEMU.

        cfg         text of \\atlas.cfg (None: tools/atlas.cfg with menu=off appended)
        shell_opts  None: removable path (\\EFI\\BOOT\\BOOTX64.EFI, no LoadOptions);
                    a string: shell path, startup.nsh runs atlas.efi shell_opts
        memory      QEMU -m
        debug_exit  add isa-debug-exit at 0xf4
        files       {"/path/on/esp": local_path} added to the ESP (removable path only);
                    local_path None removes that file
        efi         the EFI binary to put on the ESP (None: build/esp.img's, or build/atlas.efi
                    on the shell path), e.g. a signed copy
        ovmf_code   firmware code image (None: OVMF_CODE)
        ovmf_vars   variable store template, copied per boot (None: OVMF_VARS)
        serial      False: no UART at all (-serial none), as on a PC without a serial port
        disk        boot this disk image as it is (a copy), e.g. the shipped build/disk.img
        disk_if     QEMU's -drive if= for the boot disk (None: the machine's default, AHCI on q35;
                    "virtio": a virtio-blk-pci disk, which OVMF reads in one request per Read())
        """
        workdir = self._workdir(name)
        if disk is not None:
            shutil.copyfile(disk, workdir / "disk.img")
            disk = workdir / "disk.img"
        elif shell_opts is None:
            disk = make_removable_disk(workdir, cfg, files, efi=efi)
        else:
            disk = make_shell_disk(workdir, shell_opts, cfg, efi=efi)
        return Machine(name, workdir, disk, memory, debug_exit, extra_args, timeout or self.timeout,
                       ovmf_code=ovmf_code, ovmf_vars=ovmf_vars, serial=serial, disk_if=disk_if)

    def boot(self, name, **kw):
        """Boot until QEMU exits by itself (or the hard timeout kills it) and return the BootResult."""
        with self.start(name, **kw) as m:
            m.wait()
        return m.result()


# ---------------------------------------------------------------------------
# Facts shared by several tests

# UEFI 2.10, EFI_MEMORY_TYPE, in spec order (the value is the index).
EFI_MEMORY_TYPES = [
    "EfiReservedMemoryType",
    "EfiLoaderCode",
    "EfiLoaderData",
    "EfiBootServicesCode",
    "EfiBootServicesData",
    "EfiRuntimeServicesCode",
    "EfiRuntimeServicesData",
    "EfiConventionalMemory",
    "EfiUnusableMemory",
    "EfiACPIReclaimMemory",
    "EfiACPIMemoryNVS",
    "EfiMemoryMappedIO",
    "EfiMemoryMappedIOPortSpace",
    "EfiPalCode",
    "EfiPersistentMemory",
    "EfiUnacceptedMemoryType",
]
# Types that are not RAM: address space the firmware describes but that holds no usable memory
# (memtotal.ram_bytes counts everything else; Atlas names types it does not know "EfiUnknown").
NOT_RAM_TYPES = {
    "EfiReservedMemoryType",
    "EfiMemoryMappedIO",
    "EfiMemoryMappedIOPortSpace",
    "EfiPalCode",
    "EfiUnusableMemory",
    "EfiUnknown",
}
# Memory the OS may use once ExitBootServices has returned.
FREE_AFTER_EBS_TYPES = {"EfiConventionalMemory", "EfiBootServicesCode", "EfiBootServicesData"}
# The UEFI shell's short names, as Atlas's human memmap table prints them.
EFI_SHORT_NAMES = {
    "EfiReservedMemoryType": "Reserved",
    "EfiLoaderCode": "LoaderCode",
    "EfiLoaderData": "LoaderData",
    "EfiBootServicesCode": "BS_Code",
    "EfiBootServicesData": "BS_Data",
    "EfiRuntimeServicesCode": "RT_Code",
    "EfiRuntimeServicesData": "RT_Data",
    "EfiConventionalMemory": "Available",
    "EfiUnusableMemory": "Unusable",
    "EfiACPIReclaimMemory": "ACPI_Recl",
    "EfiACPIMemoryNVS": "ACPI_NVS",
    "EfiMemoryMappedIO": "MMIO",
    "EfiMemoryMappedIOPortSpace": "MMIO_Port",
    "EfiPalCode": "PalCode",
    "EfiPersistentMemory": "Persistent",
    "EfiUnacceptedMemoryType": "Unaccepted",
}

PAGE = 4096
MiB = 1 << 20
GiB = 1 << 30
KERNEL_BASE = 0xFFFFFFFF80000000  # include/memlayout.h
KSTACKS_BASE = 0xFFFFFFFFC0000000  # kernel stacks region
KSTACKS_END = 0xFFFFFFFFD0000000


def memmap_ranges(memmap_records):
    """[(start, end, type)] for memmap records, end exclusive, in map order."""
    return [
        (parse_int(r["start"]), parse_int(r["start"]) + r["pages"] * PAGE, r["type"]) for r in memmap_records
    ]


def overlapping_pairs(ranges):
    """Number of pairs of descriptors that share at least one byte."""
    rs = sorted((s, e) for s, e, _ in ranges if e > s)
    pairs = 0
    for i, (s, e) in enumerate(rs):
        for s2, _ in rs[i + 1 :]:
            if s2 >= e:
                break
            pairs += 1
    return pairs


def ram_bytes(ranges):
    """Bytes of RAM-type memory, counting a byte covered twice once (union of the RAM ranges)."""
    rs = sorted((s, e) for s, e, t in ranges if t not in NOT_RAM_TYPES and e > s)
    total, cur_s, cur_e = 0, None, None
    for s, e in rs:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def firmware_stage_end(result):
    """Index into result.lines of the firmware stage's last line (the one announcing ExitBootServices)."""
    for i, line in enumerate(result.lines):
        if "exiting boot services" in strip_ansi(line):
            return i
    raise AssertionError(f"{result.name}: no 'exiting boot services' line from the firmware stage" + result.tail())


def kernel_lines(result):
    """The serial lines after the firmware stage (the kernel's output), without the empty piece after the last LF."""
    lines = result.lines[firmware_stage_end(result) + 1 :]
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return lines


def check_tests_and_summary(result):
    """Every test record passed, and the summary is the last record and counts them."""
    tests = result.records("test")
    assert tests, f"{result.name}: no test records" + result.tail()
    failed = [t for t in tests if t["ok"] is not True]
    assert not failed, f"{result.name}: failing self-tests: {failed}" + result.tail()
    last = result.records()[-1]
    assert last["rec"] == "summary", f"{result.name}: last record is {last}, not the summary" + result.tail()
    assert last["failed"] == 0 and last["passed"] == len(tests), (
        f"{result.name}: summary {last} does not match {len(tests)} passing test records"
    )


def uncovered(ranges, lo, hi):
    """The parts of [lo, hi) that no descriptor (of any type) describes: [(start, end)]."""
    gaps, pos = [], lo
    for s, e, _ in sorted(ranges):
        if e <= pos:
            continue
        if s >= hi:
            break
        if s > pos:
            gaps.append((pos, s))
        pos = max(pos, e)
        if pos >= hi:
            break
    if pos < hi:
        gaps.append((pos, hi))
    return gaps


def unsorted_count(ranges):
    """Descriptors that start below their predecessor in map order (memtotal's "unsorted")."""
    return sum(1 for (a, _, _), (b, _, _) in zip(ranges, ranges[1:]) if b < a)
