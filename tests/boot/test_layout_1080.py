"""The layout screen at 1920x1080 (issue 16's rough edges), one boot.

  * the physical memory heading separates RAM from the ranges that are not
    RAM (the 256 MiB PCIe ECAM window is reserved, not memory): its RAM
    figure is the title's, and RAM + not RAM is the map's total;
  * the address bar has ticks beyond 0 and 1 MiB, in increasing order;
  * a process name that does not fit its column ends in >> (read back from
    the screendump glyph by glyph), and fitting ones are whole;
  * the QR code reads back at this size too.
"""

import re

import pytest

from atlas_qemu import HALTED, PAGE
from screentext import Font, Screen
from test_console import decode_qr, join_parts

SIZE_RE = r"([\d.]+) (B|KiB|MiB|GiB|TiB)"
UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def size_of(m):
    return float(m[0]) * UNITS[m[1]]


@pytest.fixture(scope="module")
def big(atlas):
    with atlas.start("layout-1080", cfg="report=json on_finish=halt gop=1920x1080", memory="512M") as m:
        m.wait_for_serial(HALTED)
        ppm = m.workdir / "screen.ppm"
        m.hmp(f"screendump {ppm}")
        m.quit()
    r = m.result()
    r.ppm = ppm
    return r


def panel(r, name):
    return [p for p in r.records("screen") if p["panel"] == name]


def test_heading_says_what_is_ram(big):
    (head,) = panel(big, "memmap_heading")
    m = re.match(rf"Physical memory: (\d+) regions: {SIZE_RE} RAM, {SIZE_RE} not RAM \(\*\)", head["text"])
    assert m, head["text"]
    (title,) = panel(big, "title")
    assert f"| {m.group(2)} {m.group(3)} RAM |" in title["text"], (head["text"], title["text"])
    total = sum(t["pages"] for t in big.records("memtype")) * PAGE
    ram, not_ram = size_of(m.group(2, 3)), size_of(m.group(4, 5))
    assert abs(ram - big.one("memtotal")["ram_bytes"]) < 0.001 * ram + (1 << 20)
    assert abs(ram + not_ram - total) < 0.002 * total + (1 << 20), (ram, not_ram, total)


def test_address_bar_ticks(big):
    ticks = [int(t["addr"], 16) for t in big.records("screen_tick")]
    assert len(ticks) >= 4 and ticks == sorted(ticks) and ticks[0] == 0, ticks
    assert max(ticks) >= 256 << 20, ticks


def test_cut_names_say_so(big):
    screen, font = Screen(big.ppm), Font()
    heads = panel(big, "process_header")
    assert heads
    cols = heads[0]["w"] // font.width
    for h in heads:
        shown = font.text_at(screen, h["x"], h["y"], cols).rstrip()
        if len(h["text"]) > cols:
            assert shown == h["text"][: cols - 1] + "\u00bb", (shown, h["text"])
        else:
            assert shown == h["text"], (shown, h["text"])


def test_qr_at_1080(big):
    n, body = join_parts(decode_qr(big.ppm))
    assert f"tests: {big.one('summary')['passed']} passed, 0 failed" in body
