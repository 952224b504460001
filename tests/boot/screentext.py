"""screentext - read text back from a QEMU screendump, glyph by glyph.

Standard library only. The screendump is QEMU's PPM (P6); the font is read
from Debian's PSF file (console-setup-linux), independently of Atlas's own
tools/psf2c.py. A text cell is the font's size on the grid from (0, 0); its
background is the colour most of its pixels have, and the set of the other
pixels is looked up among the font's printable ASCII glyphs (plain and
bold, as fbcon smears bold one pixel to the right). A cell that matches no
glyph reads as '?', and a cell whose bottom rows are a bar (the text cursor)
reads as '_' when the rest of it is blank.
"""

import gzip
from collections import Counter
from pathlib import Path

FONT_FILE = Path("/usr/share/consolefonts/Lat2-Terminus16.psf.gz")
CURSOR_ROWS = 2  # drivers/fbcon.c draws the cursor as the cell's bottom two pixel rows


class Screen:
    def __init__(self, path):
        data = Path(path).read_bytes()
        fields, pos = [], 0
        while len(fields) < 4:  # magic, width, height, maxval; '#' comments are not written by QEMU
            while data[pos : pos + 1].isspace():
                pos += 1
            start = pos
            while not data[pos : pos + 1].isspace():
                pos += 1
            fields.append(data[start:pos])
        assert fields[0] == b"P6", f"{path}: not a binary PPM"
        self.width, self.height = int(fields[1]), int(fields[2])
        self.pixels = data[pos + 1 :]

    def pixel(self, x, y):
        i = (y * self.width + x) * 3
        return tuple(self.pixels[i : i + 3])


class Font:
    def __init__(self, path=FONT_FILE):
        data = gzip.decompress(Path(path).read_bytes())
        assert data[:2] == b"\x36\x04", f"{path}: not a PSF1 font"
        mode, self.height = data[2], data[3]
        self.width = 8
        n = 512 if mode & 0x01 else 256
        glyphs = [data[4 + i * self.height : 4 + (i + 1) * self.height] for i in range(n)]
        cmap = {}
        pos = 4 + n * self.height
        for g in range(n):  # the Unicode table: u16 code points per glyph, 0xFFFF ends, 0xFFFE starts sequences
            seq = False
            while True:
                cp = data[pos] | data[pos + 1] << 8
                pos += 2
                if cp == 0xFFFF:
                    break
                if cp == 0xFFFE:
                    seq = True
                elif not seq:
                    cmap.setdefault(cp, g)
        self.lookup = {}
        for cp in list(range(0x21, 0x7F)) + [0xBB]:  # ASCII, and >> (what a cut text ends with)
            rows = glyphs[cmap[cp]]
            plain = tuple(rows)
            bold = tuple((r | (r >> 1)) & 0xFF for r in rows)
            self.lookup.setdefault(plain, chr(cp))
            self.lookup.setdefault(bold, chr(cp))

    def cell(self, screen, col, row):
        """The character in text cell (col, row), ' ' for a blank one."""
        x0, y0 = col * self.width, row * self.height
        px = [[screen.pixel(x0 + c, y0 + r) for c in range(self.width)] for r in range(self.height)]
        bg = Counter(p for line in px for p in line).most_common(1)[0][0]
        rows = tuple(sum(1 << (7 - c) for c in range(self.width) if line[c] != bg) for line in px)
        if not any(rows):
            return " "
        if all(r == 0xFF for r in rows[-CURSOR_ROWS:]) and not any(rows[:-CURSOR_ROWS]):
            return "_"
        return self.lookup.get(rows, "?")

    def text_at(self, screen, x, y, n):
        """n cells of text with the first cell's top left at pixel (x, y), off the grid."""
        out = []
        for i in range(n):
            px = [[screen.pixel(x + i * self.width + c, y + r) for c in range(self.width)] for r in range(self.height)]
            bg = Counter(p for line in px for p in line).most_common(1)[0][0]
            rows = tuple(sum(1 << (7 - c) for c in range(self.width) if line[c] != bg) for line in px)
            out.append(" " if not any(rows) else self.lookup.get(rows, "?"))
        return "".join(out)

    def row_text(self, screen, row, first=0, last=None):
        cols = screen.width // self.width
        return "".join(self.cell(screen, c, row) for c in range(first, cols if last is None else last)).rstrip()

    def text(self, screen):
        return [self.row_text(screen, r) for r in range(screen.height // self.height)]
