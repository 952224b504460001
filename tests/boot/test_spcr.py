"""ACPI SPCR: with serial=auto, the kernel switches its console to the UART the firmware's SPCR
table names. QEMU adds an SPCR pointing at COM2 (I/O port 0x2f8) with -acpitable; the early boot
speaks on COM1, and everything after the switch, the summary included, comes out of COM2."""
import json
import struct

import pytest

from atlas_qemu import STATUS_PASSED


def spcr_table(port):
    body = bytearray(80)
    body[0:4] = b"SPCR"
    struct.pack_into("<IBB6s8sI4sI", body, 4, 80, 2, 0, b"ATLAS ", b"SPCRTEST", 1, b"ATLS", 1)
    body[36] = 0x00  # interface type: full 16550
    struct.pack_into("<BBBBQ", body, 40, 1, 8, 0, 1, port)  # GAS: system I/O, 8-bit, byte access
    body[58] = 7  # 115200 baud
    body[9] = (-sum(body)) & 0xFF
    return bytes(body)


@pytest.fixture(scope="module")
def spcr_boot(atlas, tmp_path_factory):
    d = tmp_path_factory.mktemp("spcr")
    (d / "spcr.bin").write_bytes(spcr_table(0x2F8))
    com2 = d / "com2.log"
    r = atlas.boot("spcr", cfg="report=json on_finish=exit tests=boot",
                   extra_args=("-acpitable", f"file={d / 'spcr.bin'}", "-serial", f"file:{com2}"))
    return r, com2.read_text(errors="replace")


def test_console_moves_to_the_spcr_uart(spcr_boot):
    r, com2 = spcr_boot
    r.expect_status(STATUS_PASSED)
    recs = [json.loads(line) for line in com2.replace("\r", "").split("\n") if line.startswith('{"rec"')]
    serial = [x for x in recs if x["rec"] == "serial"]
    assert serial and serial[0]["source"] == "spcr" and serial[0]["base"] == "0x2f8", serial
    assert recs[-1]["rec"] == "summary" and recs[-1]["failed"] == 0, recs[-1]
    # COM1 carried the beginning (the firmware stage) but none of the kernel's report.
    assert "Atlas: firmware stage" in r.text()
    assert not any(x["rec"] in ("memmap", "summary") for x in r.records())
    assert any(x["rec"] == "memmap" for x in recs)
