"""The layout screen on the GOP framebuffer (core/report/screen.c), checked from
QEMU's own screendump, as a person looking at the screen would check it.

Three boots: OVMF's default mode (1280x800, BGRX), a second resolution
chosen with gop=1024x768, and -vga none (no GOP at all: Atlas must say so
and carry on). The screendumps are compared with what the JSON records
claim (panel geometry, per-type totals, column boxes) and with the font's
own bitmap, read here from Debian's PSF file independently of
tools/psf2c.py. Golden PNGs (tests/boot/golden/, also shown in README)
catch everything else, with a tolerance for the few glyphs that change
between runs (timings). ATLAS_UPDATE_GOLDEN=1 rewrites them.
"""

import gzip
import os
import shutil
import struct
from collections import Counter
from pathlib import Path

import pytest

from atlas_qemu import BUILD, HALTED, REPO, STATUS_PASSED

PIL = pytest.importorskip("PIL.Image")

FONT_FILE = Path("/usr/share/consolefonts/Lat2-Terminus16.psf.gz")
GOLDEN = REPO / "tests" / "boot" / "golden"
SHOTS = BUILD / "screens"
# Pixels that may differ from the golden image: the run's timings and the
# firmware's exact map may move a few glyphs and boxes, not the picture.
GOLDEN_TOLERANCE = 0.01
TEXT_FG = (0xFF, 0xFF, 0xFF)


def rgb(s):
    v = int(s.lstrip("#"), 16)
    return ((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)


class PSF1:
    """A PSF1 console font with its Unicode table (the format console-setup-linux ships)."""

    def __init__(self, path):
        data = gzip.decompress(path.read_bytes())
        assert data[:2] == b"\x36\x04", f"{path}: not a PSF1 font"
        mode, self.height = data[2], data[3]
        n = 512 if mode & 0x01 else 256
        self.glyphs = [data[4 + i * self.height : 4 + (i + 1) * self.height] for i in range(n)]
        self.width = 8
        self.map = {}
        if mode & 0x02:  # Unicode table: per glyph, u16 code points up to 0xFFFF (0xFFFE starts sequences)
            pos = 4 + n * self.height
            for g in range(n):
                seq = False
                while True:
                    (cp,) = struct.unpack_from("<H", data, pos)
                    pos += 2
                    if cp == 0xFFFF:
                        break
                    if cp == 0xFFFE:
                        seq = True
                    elif not seq:
                        self.map.setdefault(cp, g)

    def bits(self, ch):
        rows = self.glyphs[self.map[ord(ch)]]
        return [[(rows[r] >> (7 - c)) & 1 for c in range(self.width)] for r in range(self.height)]


@pytest.fixture(scope="module")
def font():
    if not FONT_FILE.exists():
        pytest.skip(f"{FONT_FILE} missing (console-setup-linux)")
    return PSF1(FONT_FILE)


def screenshot(atlas, name, cfg, memory="512M", extra_args=()):
    """Boot to on_finish=halt, take a screendump, return (BootResult, PIL image)."""
    with atlas.start(name, cfg=cfg, memory=memory, extra_args=extra_args) as m:
        m.wait_for_serial(HALTED)
        ppm = m.workdir / "screen.ppm"
        out = m.hmp(f"screendump {ppm}")
        assert ppm.exists(), f"screendump wrote nothing: {out!r}"
        m.quit()
    r = m.result()
    im = PIL.open(ppm).convert("RGB")
    SHOTS.mkdir(parents=True, exist_ok=True)
    im.save(SHOTS / f"{name}.png")
    return r, im


@pytest.fixture(scope="module")
def layout(atlas):
    return screenshot(atlas, "layout-1280x800", "report=json on_finish=halt")


@pytest.fixture(scope="module")
def layout_small(atlas):
    return screenshot(atlas, "layout-1024x768", "report=json on_finish=halt gop=1024x768")


def panel(r, name):
    found = [p for p in r.records("screen") if p["panel"] == name]
    assert len(found) == 1, f"expected one screen record for {name}, got {found}"
    return found[0]


def check_text(im, font, x, y, text, fg, bg=None):
    """Compare each glyph cell of text at pixel (x, y) with the font's bitmap: set bits are fg, the rest bg."""
    wrong = []
    for i, ch in enumerate(text):
        for r, row in enumerate(font.bits(ch)):
            for c, bit in enumerate(row):
                px = im.getpixel((x + i * font.width + c, y + r))
                if bit and px != fg:
                    wrong.append((ch, i, r, c, px))
                elif not bit and bg is not None and px != bg:
                    wrong.append((ch, i, r, c, px))
    assert not wrong, f"{len(wrong)} pixels of {text!r} differ from the font, first: {wrong[:5]}"


def run_lengths(im, x0, x1, y):
    """[(colour, length)] along one row."""
    runs = []
    for x in range(x0, x1):
        px = im.getpixel((x, y))
        if runs and runs[-1][0] == px:
            runs[-1][1] += 1
        else:
            runs.append([px, 1])
    return runs


def check_bar(r, im):
    """The by-type bar: each type's pixels are its share of the pages the memtype records give (+-1 px)."""
    bar = panel(r, "memmap_bar")
    pages = {m["type"]: m["pages"] for m in r.records("memtype")}
    total = sum(pages.values())
    types = {t["type"]: t for t in r.records("screen_type")}
    assert set(types) == set(pages), "the bar and the memtype records name different types"
    measured = Counter()
    for colour, n in run_lengths(im, bar["x"], bar["x"] + bar["w"], bar["y"] + bar["h"] // 2):
        measured[colour] += n
    assert sum(measured.values()) == bar["w"]
    for name, t in types.items():
        exact = bar["w"] * pages[name] / total
        got = measured.get(rgb(t["rgb"]), 0)
        assert abs(got - exact) <= 1.0, f"{name}: {got} px for {pages[name]} of {total} pages (exact {exact:.2f})"
        assert t["px"] == got and t["pages"] == pages[name]
    colours = {rgb(t["rgb"]) for t in types.values()}
    assert len(colours) == len(types), "two memory types share a colour"
    return bar


def test_screen_not_blank(layout):
    r, im = layout
    assert r.records("screen")  # records came
    colours = im.getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 20, "the screen has almost no colours"
    black = sum(n for n, c in colours if c == (0, 0, 0))
    assert black < 0.9 * im.width * im.height, "the screen is mostly black"


def test_title_is_rendered_from_the_font(layout, font):
    r, im = layout
    title = panel(r, "title")
    assert (title["screen_w"], title["screen_h"]) == im.size
    assert (title["font_w"], title["font_h"]) == (font.width, font.height)
    assert title["text"].startswith("Atlas - memory layout")
    check_text(im, font, title["x"], title["y"], title["text"], TEXT_FG, rgb(title["bg"]))


def test_legend_colours_present(layout):
    r, im = layout
    counts = {c: n for n, c in im.getcolors(maxcolors=1 << 20)}
    legend = panel(r, "legend")
    for t in r.records("screen_type"):
        # The legend swatch alone is two cells wide and most of one high.
        assert counts.get(rgb(t["rgb"]), 0) >= legend["h"] // 2, f"{t['type']}'s colour {t['rgb']} is not on screen"


def test_bar_widths_proportional_to_memtype_totals(layout):
    r, im = layout
    check_bar(r, im)


def log_weight(size):
    return max(1, (size >> 12).bit_length())


def boxes(r, panel_name):
    return [b for b in r.records("screen_box") if b["panel"] == panel_name]


def test_kernel_column(layout, font):
    r, im = layout
    fh = panel(r, "title")["font_h"]
    kb = boxes(r, "kernel")
    kinds = Counter(b["kind"] for b in kb)
    assert kinds["guard"] >= 4 and kinds["gap"] >= 3 and kinds["region"] >= 8, kinds
    col = panel(r, "kernel")
    assert sum(b["h"] for b in kb) == col["h"]
    # High addresses on top, the boxes tile the column.
    ys = [b["y"] for b in kb]
    assert ys == sorted(ys) and ys[0] == col["y"]
    for a, b in zip(kb, kb[1:]):
        assert a["y"] + a["h"] == b["y"] and int(a["start"], 16) == int(b["end"], 16)
    assert int(kb[-1]["start"], 16) == 0xFFFF800000000000 and int(kb[0]["end"], 16) == 0
    # A 4 KiB guard and a 127 TiB gap are both visible, and a larger size never gets a shorter box.
    size = lambda b: (int(b["end"], 16) - int(b["start"], 16)) % (1 << 64)  # noqa: E731
    assert all(b["h"] >= fh for b in kb)
    assert max(size(b) for b in kb if b["kind"] == "gap") > 100 << 40
    for a in kb:
        for b in kb:
            if log_weight(size(a)) > log_weight(size(b)):
                assert a["h"] + 1 >= b["h"], (a, b)
    # Colours as recorded, away from the label; guards hatched in red.
    for b in kb:
        px = im.getpixel((b["x"] + b["w"] - 3, b["y"] + b["h"] // 2))
        if b["kind"] == "region":
            assert px == rgb(b["rgb"]), (b, px)
        if b["kind"] == "guard":
            reds = sum(im.getpixel((b["x"] + i, b["y"] + j)) == (0xD0, 0x30, 0x30)
                       for i in range(b["w"]) for j in range(b["h"]))
            assert reds > b["w"] * b["h"] // 10, b
    # Real addresses left of the boxes: each box's start, drawn with the font.
    addr = panel(r, "kernel_addresses")
    for b in kb:
        start = int(b["start"], 16)
        text = f"{start >> 32:08X}_{start & 0xFFFFFFFF:08X}"
        check_text(im, font, addr["x"], b["y"] + b["h"] - fh, text, (0xB0, 0xB0, 0xB0))


def test_process_columns_fill_by_rss(layout):
    r, im = layout
    pb = boxes(r, "process")
    pids = sorted({b["pid"] for b in pb})
    assert len(pids) >= 3, "fewer than three process columns"
    maps = r.records("maps")
    labels = set()
    checked = 0
    for pid in pids:
        col = [b for b in pb if b["pid"] == pid]
        rss_boxes = [b for b in col if "rss" in b]
        labels |= {b["label"].split()[0] for b in rss_boxes}
        # The boxes' resident bytes add up to what the maps records of that pid say.
        want = sum(m["rss_kb"] for m in maps if m["pid"] == pid)
        if any(m["pid"] == pid for m in maps):
            assert sum(b["rss"] for b in rss_boxes) // 1024 == want, pid
        for b in rss_boxes:
            size = int(b["end"], 16) - int(b["start"], 16)
            filled = (b["rss"] >> 12) * b["w"] // (size >> 12)
            if b["rss"] and not filled:
                filled = 1
            bright, full = rgb(b["rgb"]), rgb(b["rgb"])
            dim = tuple(c * 2 // 5 for c in full)
            y = b["y"] + b["h"] // 2
            row = [im.getpixel((x, y)) for x in range(b["x"] + 1, b["x"] + b["w"] - 1)]
            left = row[: max(filled - 2, 0)]
            right = row[filled + 1 :]
            # Labels are drawn over the fill: count the majority, not every pixel.
            if len(left) >= 8:
                assert sum(p == bright for p in left) >= 0.6 * len(left), (b, "resident part not bright")
            if len(right) >= 8:
                assert sum(p == dim for p in right) >= 0.6 * len(right), (b, "untouched part not dark")
            checked += 1
    assert checked >= 10
    assert {"text", "rodata", "data", "stack"} <= labels, labels
    assert labels & {"heap", "bss", "mmap"}, labels


def test_results_panel(layout, font):
    r, im = layout
    res = panel(r, "results")
    s = r.one("summary")
    fh = panel(r, "title")["font_h"]
    text = f"tests: {s['passed']} passed, {s['failed']} failed"
    check_text(im, font, res["x"], res["y"] + fh, text, (0x55, 0xFF, 0x55) if s["failed"] == 0 else (0xFF, 0x55, 0x55))
    assert r.status == 0  # quit from the monitor socket after the halt


def compare_golden(im, name):
    path = GOLDEN / f"{name}.png"
    if os.environ.get("ATLAS_UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("ATLAS_UPDATE_GOLDEN") != "1":
            pytest.fail(f"no golden image {path}; run with ATLAS_UPDATE_GOLDEN=1 to make it")
        GOLDEN.mkdir(parents=True, exist_ok=True)
        im.save(path, optimize=True)
        shutil.copyfile(path, SHOTS / f"{name}.golden.png")
    gold = PIL.open(path).convert("RGB")
    assert gold.size == im.size
    diff = sum(1 for a, b in zip(gold.getdata(), im.getdata()) if a != b)
    frac = diff / (im.width * im.height)
    assert frac <= GOLDEN_TOLERANCE, f"{frac:.1%} of the pixels differ from {path}"


def test_golden_1280x800(layout):
    compare_golden(layout[1], "layout-1280x800")


def test_second_resolution(layout_small, font):
    r, im = layout_small
    assert r.status == 0
    assert im.size == (1024, 768)
    title = panel(r, "title")
    assert (title["screen_w"], title["screen_h"]) == (1024, 768)
    check_text(im, font, title["x"], title["y"], title["text"], TEXT_FG, rgb(title["bg"]))
    check_bar(r, im)
    assert boxes(r, "kernel") and boxes(r, "process")
    compare_golden(im, "layout-1024x768")


def test_no_gop(atlas):
    """-vga none: no GOP, so no framebuffer; said once, and the whole suite still passes."""
    r = atlas.boot("no-gop", cfg="report=json on_finish=exit", memory="256M", extra_args=["-vga", "none"])
    assert r.status == STATUS_PASSED, r.tail()
    assert not r.records("screen")
    said = [ln for ln in r.plain_lines() if "no framebuffer" in ln.lower() or "no gop" in ln.lower()]
    assert len(said) == 1, said


def dump(m, name):
    ppm = m.workdir / f"{name}.ppm"
    m.hmp(f"screendump {ppm}")
    im = PIL.open(ppm).convert("RGB")
    SHOTS.mkdir(parents=True, exist_ok=True)
    im.save(SHOTS / f"{name}.png")
    return im


def wait_serial_count(m, needle, count, timeout=60):
    import time

    deadline = time.monotonic() + timeout
    while m.serial_text().count(needle) < count:
        assert time.monotonic() < deadline and m.proc.poll() is None, f"no {count}x {needle!r} on serial"
        time.sleep(0.2)


def test_monitor_key_and_screen_command(atlas, font):
    """on_finish=monitor: the layout is up; a key brings the console back (prompt visible); `screen` redraws it."""
    import time

    with atlas.start("screen-monitor", cfg="on_finish=monitor tests=boot report=both", memory="256M") as m:
        m.wait_for_serial("atlas> ")
        time.sleep(0.5)
        first = dump(m, "monitor-layout")
        title_bg = first.getpixel((0, 0))
        assert title_bg == (0x20, 0x3A, 0x5C), "the layout screen's title bar is not at the top"
        res = [p for p in PIL_records(m) if p.get("panel") == "results"][-1]
        fh = font.height
        # The last line of the results panel tells a keyboard user what to do.
        hint = "Press a key for the monitor"
        rows = res["h"] // fh
        check_text(first, font, res["x"], res["y"] + (rows - 1) * fh, hint, (0x55, 0xFF, 0xFF))
        m.hmp("sendkey ret")  # an empty line: the console comes back, a new prompt follows
        wait_serial_count(m, "atlas> ", 2)
        time.sleep(0.5)
        console = dump(m, "monitor-console")
        assert console.getpixel((0, 0)) != title_bg, "the console did not come back after a key"
        for k in "screen":
            m.hmp(f"sendkey {k}")
        m.hmp("sendkey ret")
        wait_serial_count(m, "atlas> ", 3)
        time.sleep(0.5)
        again = dump(m, "monitor-layout-again")
        diff = sum(1 for a, b in zip(first.getdata(), again.getdata()) if a != b)
        assert diff <= 0.01 * first.width * first.height, f"`screen` drew something else ({diff} pixels differ)"
        for k in "shutdown":
            m.hmp(f"sendkey {k}")
        m.hmp("sendkey ret")
        m.wait(timeout=60)


def PIL_records(m):
    import json

    out = []
    for ln in m.serial_text().splitlines():
        if ln.startswith('{"rec":"screen"'):
            out.append(json.loads(ln))
    return out
