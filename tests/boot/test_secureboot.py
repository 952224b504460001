"""Secure Boot: a signed atlas.efi runs with Secure Boot enforced, anything else is refused.

Firmware: Debian's OVMF_CODE_4M.snakeoil.fd (the SMM "secboot" build) with
OVMF_VARS_4M.snakeoil.fd, whose PK, KEK and db hold the "snakeoil" test
certificate and whose SecureBoot variable is on. tools/sign.sh signs
build/atlas.efi with the matching private key (PkKek-1-snakeoil.key, from the
ovmf package) into this session's temporary directory, so the suite always
boots a signature of the atlas.efi just built and needs nothing from
`make signed`.

Atlas itself says nothing about Secure Boot. The proof that it is enforced
comes from the firmware: with the same CODE and VARS, the unsigned image, an
image signed by a key that is not in db, and a signed image with one byte
changed are all refused. OVMF's boot manager prints

    BdsDxe: failed to load Boot0002 "UEFI QEMU HARDDISK QM00001 " from ...: Access Denied

and moves on. This OVMF (2022.11) also refuses its own unsigned UEFI shell
("failed to start Boot0003 "EFI Internal Shell" ...: Security Violation"), so
startup.nsh never gets to try BOOTX64.EFI again, and it ends at "No bootable
option or device was found". A firmware whose shell is signed would run
startup.nsh instead, which tries the same image and is refused the same way;
either ending is accepted. A refused machine never exits by itself: each
refusal test waits for the refusal and the ending with short timeouts, checks
that Atlas never printed anything, and kills QEMU.

Environment (the Makefile's names): OVMF_SB_CODE, OVMF_SB_VARS, SB_KEY, SB_CERT.
"""

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import atlas_qemu
from atlas_qemu import ATLAS_EFI, REPO, STATUS_PASSED, check_tests_and_summary

OVMF_SB_CODE = Path(os.environ.get("OVMF_SB_CODE", atlas_qemu.OVMF_DIR / "OVMF_CODE_4M.snakeoil.fd"))
OVMF_SB_VARS = Path(os.environ.get("OVMF_SB_VARS", atlas_qemu.OVMF_DIR / "OVMF_VARS_4M.snakeoil.fd"))
SB_KEY = Path(os.environ.get("SB_KEY", "/usr/share/ovmf/PkKek-1-snakeoil.key"))
SB_CERT = Path(os.environ.get("SB_CERT", "/usr/share/ovmf/PkKek-1-snakeoil.pem"))
SIGN_SH = REPO / "tools" / "sign.sh"

# The snakeoil CODE is the SMM build: SMM on, and the flash holding the variables reachable only from SMM,
# so that the OS cannot rewrite db. (q35 under TCG turns SMM on by default; saying so costs nothing.)
SB_QEMU_ARGS = ("-machine", "smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on")

# Seconds for the firmware to reach and refuse the disk's boot option (about 5 s under TCG here),
# and then to give up or reach its shell. A refused machine never exits, so these bound each test.
REFUSAL_TIMEOUT = 60
ENDING_TIMEOUT = 30
# The signed boot runs the whole report and every self-test (about 15-20 s under TCG with SMM).
SIGNED_TIMEOUT = 90

DISK_OPTION = r'Boot[0-9A-F]{4} "UEFI QEMU HARDDISK[^"]*"'
# BdsDxe's refusal of the disk's removable-media loader (LoadImage -> EFI_ACCESS_DENIED or
# EFI_SECURITY_VIOLATION, depending on whether the image is unsigned or its signature is not trusted).
DISK_REFUSED = re.compile(
    r"BdsDxe: failed to (?:load|start) " + DISK_OPTION + r" from [^\n]*: (Access Denied|Security Violation)"
)
DISK_STARTED = re.compile(r"BdsDxe: starting " + DISK_OPTION)
# Where the firmware ends up after every boot option failed: BdsDxe's last words, or the shell's
# prompt (after startup.nsh tried \EFI\BOOT\BOOTX64.EFI and was refused), or startup.nsh's own message.
GAVE_UP = re.compile(r"No bootable option or device was found|Shell> |startup\.nsh: no ")
# Anything Atlas prints: the firmware stage's first line, or a kernel record.
ATLAS_RAN = re.compile(r"Atlas: |\{\"rec\"")

CFG = "report=json on_finish=exit"


def _missing():
    problems = []
    for tool, pkg in (("sbsign", "sbsigntool"), ("sbverify", "sbsigntool"), ("openssl", "openssl")):
        if not shutil.which(tool):
            problems.append(f"{tool} not found (Debian: apt-get install {pkg})")
    for f in (OVMF_SB_CODE, OVMF_SB_VARS, SB_KEY, SB_CERT):
        if not f.is_file():
            problems.append(f"{f} missing (Debian: apt-get install ovmf)")
    if not SIGN_SH.is_file():
        problems.append(f"{SIGN_SH} missing")
    return problems


def _run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=REPO, **kw)


def _sign(src, dst, key=None, cert=None):
    cmd = [SIGN_SH, src, dst] + ([key, cert] if key else [])
    p = _run(cmd)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout}{p.stderr}"
    return Path(dst)


@pytest.fixture(scope="module")
def sbdir(atlas, tmp_path_factory):
    """A directory holding the signed images; fails (never skips) when the tools or firmware are missing."""
    problems = _missing()
    if problems:
        pytest.fail("cannot run the Secure Boot tests:\n  " + "\n  ".join(problems), pytrace=False)
    return tmp_path_factory.mktemp("secureboot")


@pytest.fixture(scope="module")
def signed_efi(sbdir):
    """build/atlas.efi signed with the snakeoil key (tools/sign.sh's default)."""
    return _sign(ATLAS_EFI, sbdir / "atlas-signed.efi")


@pytest.fixture(scope="module")
def foreign_key(sbdir):
    """A fresh key and self-signed certificate that no firmware db holds (as docs/real-hardware.md makes one)."""
    key, crt = sbdir / "foreign.key", sbdir / "foreign.crt"
    p = _run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
              "-subj", "/CN=Atlas test key not in db/", "-keyout", key, "-out", crt])  # fmt: skip
    assert p.returncode == 0, p.stderr
    return key, crt


# The SMM firmware keeps more memory than the plain one: at 128 MiB the suite's 80 MiB lazy_alloc
# next to the initramfs's files (~9 MiB in RAM) would run out.
SB_MEMORY = "256M"


def _boot_sb(atlas, name, efi, timeout):
    return atlas.start(name, cfg=CFG, efi=efi, ovmf_code=OVMF_SB_CODE, ovmf_vars=OVMF_SB_VARS,
                       extra_args=SB_QEMU_ARGS, timeout=timeout, memory=SB_MEMORY)  # fmt: skip


def _expect_refused(atlas, name, efi):
    """Boot efi under the snakeoil firmware; the firmware must refuse it and Atlas must never run.
    Returns (the refusal's status text, the serial text)."""
    with _boot_sb(atlas, name, efi, REFUSAL_TIMEOUT + ENDING_TIMEOUT) as m:
        text = m.wait_for_serial(DISK_REFUSED, timeout=REFUSAL_TIMEOUT)
        refusal = DISK_REFUSED.search(text).group(1)
        text = m.wait_for_serial(GAVE_UP, timeout=ENDING_TIMEOUT)
        m.kill()
    r = m.result()
    assert not ATLAS_RAN.search(r.text()), f"{name}: Atlas ran although the firmware refused it" + r.tail()
    assert not DISK_STARTED.search(r.text()), f"{name}: the firmware started the disk's loader" + r.tail()
    return refusal, r.text()


# ---------------------------------------------------------------------------
# tools/sign.sh (no boot)


def test_sign_sh_signature_verifies(signed_efi):
    assert _run(["sbverify", "--cert", SB_CERT, signed_efi]).returncode == 0
    listing = _run(["sbverify", "--list", signed_efi]).stdout
    assert re.search(r"^signature 1$", listing, re.M) and not re.search(r"^signature 2$", listing, re.M), listing
    assert "SnakeOil" in listing, listing
    # The unsigned image does not verify: sbverify is a real check, not a formality.
    assert _run(["sbverify", "--cert", SB_CERT, ATLAS_EFI]).returncode != 0


def test_sign_sh_only_appends_a_signature(signed_efi):
    """The signed image is the same PE image plus a certificate table: code and sections untouched."""
    plain, signed = ATLAS_EFI.read_bytes(), signed_efi.read_bytes()
    pe = struct.unpack_from("<I", plain, 0x3C)[0]
    # PE32+ optional header: CheckSum at +64, data directory 4 (security) at +144; sbsign changes only
    # those two fields (and pads the file to 8 bytes before appending the WIN_CERTIFICATE).
    checksum, secdir = pe + 24 + 64, pe + 24 + 144
    va, size = struct.unpack_from("<II", signed, secdir)
    assert size > 0 and va >= len(plain), f"security directory {va:#x}+{size:#x}, image {len(plain):#x} bytes"
    assert struct.unpack_from("<II", plain, secdir) == (0, 0)
    masked = lambda b: b[:checksum] + b[checksum + 4 : secdir] + b[secdir + 8 : len(plain)]  # noqa: E731
    assert masked(signed) == masked(plain)
    assert signed[len(plain) : va] == b"\0" * (va - len(plain))
    assert len(signed) == va + size


def test_sign_sh_refuses_mismatched_key(sbdir, foreign_key):
    out = sbdir / "mismatch.efi"
    p = _run([SIGN_SH, ATLAS_EFI, out, foreign_key[0], SB_CERT])
    assert p.returncode != 0 and "is not the private key of" in p.stderr, p.stdout + p.stderr
    assert not out.exists()


def test_sign_sh_refuses_signed_input(sbdir, signed_efi):
    out = sbdir / "twice.efi"
    p = _run([SIGN_SH, signed_efi, out])
    assert p.returncode != 0 and "already signed" in p.stderr, p.stdout + p.stderr
    assert not out.exists()


# ---------------------------------------------------------------------------
# Boots under the snakeoil firmware


@pytest.fixture(scope="module")
def signed_run(atlas, signed_efi):
    with _boot_sb(atlas, "sb-signed", signed_efi, SIGNED_TIMEOUT) as m:
        m.wait()
    return m.result()


def test_signed_image_runs_with_secure_boot(signed_run):
    signed_run.expect_status(STATUS_PASSED)
    text = signed_run.text()
    assert DISK_STARTED.search(text), "the firmware did not start the disk's loader" + signed_run.tail()
    assert not re.search(r"Access Denied|Security Violation", text), signed_run.tail()


def test_signed_image_passes_its_self_tests(signed_run):
    check_tests_and_summary(signed_run)
    assert signed_run.one("boot")["ebs_tries"] >= 1


def test_unsigned_image_is_refused(atlas, sbdir):
    refusal, text = _expect_refused(atlas, "sb-unsigned", ATLAS_EFI)
    # An image without any signature whose hash is not in db: DxeImageVerificationLib says ACCESS_DENIED.
    assert refusal == "Access Denied", text


def test_image_signed_by_unknown_key_is_refused(atlas, sbdir, foreign_key):
    efi = _sign(ATLAS_EFI, sbdir / "atlas-foreign.efi", *foreign_key)
    _expect_refused(atlas, "sb-foreign-key", efi)


def test_tampered_signed_image_is_refused(atlas, sbdir, signed_efi):
    """One byte changed inside a section after signing: the signature no longer matches the image's hash."""
    data = bytearray(signed_efi.read_bytes())
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsec, optsz = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
    sections = [struct.unpack_from("<8sIIII", data, pe + 24 + optsz + 40 * i) for i in range(nsec)]
    name, _, _, raw_size, raw_ptr = max(sections, key=lambda s: s[3])  # the largest: .data with the kernel
    off = raw_ptr + raw_size // 2
    data[off] ^= 0xFF
    efi = sbdir / "atlas-tampered.efi"
    efi.write_bytes(bytes(data))
    assert _run(["sbverify", "--cert", SB_CERT, efi]).returncode != 0, f"flipping {name!r}+{off:#x} went unnoticed"
    _expect_refused(atlas, "sb-tampered", efi)
