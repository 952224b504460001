#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""psf2c.py - turn PC Screen Fonts (PSF1/PSF2, optionally gzipped) into C.

    tools/psf2c.py -o build/font.c fb_font_8x16=/usr/share/consolefonts/Lat2-Terminus16.psf.gz \\
        fb_font_16x32=/usr/share/consolefonts/Lat2-Terminus32x16.psf.gz

Each SYMBOL=PATH becomes a `const struct fb_font SYMBOL` (include/fb.h): the
glyph bitmaps (rows of ceil(width/8) bytes, most significant bit leftmost, as
PSF stores them) and a table from the code points U+0000..U+00FF to glyphs.
The table comes from the font's Unicode table when it has one (single code
points only; PSF sequences are skipped), else glyph N is code point N. Code
points the font cannot show get the replacement glyph (U+FFFD if the font has
it, else '?'). Only glyphs the table uses are emitted. Printable ASCII
(0x20..0x7E) must all be present, or this fails.
"""

import argparse
import gzip
import os
import struct
import sys

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE512 = 0x01
PSF1_MODEHASTAB = 0x02
PSF1_MODEHASSEQ = 0x04
PSF1_SEPARATOR = 0xFFFF
PSF1_STARTSEQ = 0xFFFE
PSF1_HEADER = 4

PSF2_MAGIC = b"\x72\xb5\x4a\x86"
PSF2_HAS_UNICODE_TABLE = 0x01
PSF2_SEPARATOR = 0xFF
PSF2_STARTSEQ = 0xFE
PSF2_HEADER_FIELDS = "<8I"  # magic version headersize flags length charsize height width

MAP_SIZE = 256  # code points U+0000..U+00FF (FB_FONT_MAP in include/fb.h)
ASCII_FIRST, ASCII_LAST = 0x20, 0x7E
REPLACEMENT = 0xFFFD
BYTES_PER_LINE = 16


class FontError(Exception):
    pass


class Font:
    def __init__(self, kind, width, height, glyphs, unicode):
        self.kind = kind  # "PSF1" or "PSF2"
        self.width = width
        self.height = height
        self.row_bytes = (width + 7) // 8
        self.glyphs = glyphs  # list of bytes, row_bytes * height each
        self.unicode = unicode  # {code point: glyph index} or None


def read_font_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def parse_psf1(data):
    if len(data) < PSF1_HEADER:
        raise FontError("truncated PSF1 header")
    mode, charsize = data[2], data[3]
    count = 512 if mode & PSF1_MODE512 else 256
    if charsize == 0:
        raise FontError("PSF1 charsize 0")
    end = PSF1_HEADER + count * charsize
    if len(data) < end:
        raise FontError(f"PSF1: {count} glyphs of {charsize} bytes need {end} bytes, file has {len(data)}")
    glyphs = [data[PSF1_HEADER + i * charsize : PSF1_HEADER + (i + 1) * charsize] for i in range(count)]
    unicode = None
    if mode & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ):
        unicode = {}
        pos, glyph, in_seq = end, 0, False
        while glyph < count:
            if pos + 2 > len(data):
                raise FontError(f"PSF1 Unicode table ends at glyph {glyph} of {count}")
            (u,) = struct.unpack_from("<H", data, pos)
            pos += 2
            if u == PSF1_SEPARATOR:
                glyph, in_seq = glyph + 1, False
            elif u == PSF1_STARTSEQ:
                in_seq = True
            elif not in_seq:
                unicode.setdefault(u, glyph)
    return Font("PSF1", 8, charsize, glyphs, unicode)


def parse_psf2(data):
    size = struct.calcsize(PSF2_HEADER_FIELDS)
    if len(data) < size:
        raise FontError("truncated PSF2 header")
    _, version, headersize, flags, count, charsize, height, width = struct.unpack_from(PSF2_HEADER_FIELDS, data, 0)
    if version != 0:
        raise FontError(f"PSF2 version {version} (only 0 is defined)")
    if width == 0 or height == 0 or count == 0 or charsize != ((width + 7) // 8) * height:
        raise FontError(f"PSF2: implausible geometry {width}x{height}, {count} glyphs of {charsize} bytes")
    end = headersize + count * charsize
    if len(data) < end:
        raise FontError(f"PSF2: {count} glyphs of {charsize} bytes need {end} bytes, file has {len(data)}")
    glyphs = [data[headersize + i * charsize : headersize + (i + 1) * charsize] for i in range(count)]
    unicode = None
    if flags & PSF2_HAS_UNICODE_TABLE:
        unicode = {}
        pos, glyph = end, 0
        while glyph < count:
            stop = data.find(bytes([PSF2_SEPARATOR]), pos)
            if stop < 0:
                raise FontError(f"PSF2 Unicode table ends at glyph {glyph} of {count}")
            entry = data[pos:stop]
            singles = entry.split(bytes([PSF2_STARTSEQ]))[0]  # what follows 0xFE are sequences
            for ch in singles.decode("utf-8", "strict"):
                unicode.setdefault(ord(ch), glyph)
            pos, glyph = stop + 1, glyph + 1
    return Font("PSF2", width, height, glyphs, unicode)


def parse_psf(data):
    if data[:4] == PSF2_MAGIC:
        return parse_psf2(data)
    if data[:2] == PSF1_MAGIC:
        return parse_psf1(data)
    raise FontError("not a PSF1 or PSF2 font (bad magic)")


def code_point_map(font):
    """Glyph index (in the font) for each of U+0000..U+00FF, and the replacement glyph."""

    def lookup(cp):
        if font.unicode is not None:
            return font.unicode.get(cp)
        return cp if cp < len(font.glyphs) else None

    replacement = lookup(REPLACEMENT)
    if replacement is None:
        replacement = lookup(ord("?"))
    missing = [cp for cp in range(ASCII_FIRST, ASCII_LAST + 1) if lookup(cp) is None]
    if missing:
        raise FontError("no glyph for printable ASCII " + ", ".join(f"0x{cp:02x}" for cp in missing))
    table = [lookup(cp) for cp in range(MAP_SIZE)]
    return [replacement if g is None else g for g in table], replacement


def emit_font(out, symbol, path, font):
    table, replacement = code_point_map(font)
    used = []  # font glyph indices in the order first used
    index = {}
    for g in [replacement] + table:
        if g not in index:
            index[g] = len(used)
            used.append(g)
    blob = b"".join(font.glyphs[g] for g in used)
    name = os.path.basename(path)
    for suffix in (".gz", ".psf", ".psfu"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    source = "Unicode table" if font.unicode is not None else "identity map (no Unicode table)"
    out.append(
        f"/* {symbol}: {os.path.basename(path)}, {font.kind}, {font.width}x{font.height}, "
        f"{len(font.glyphs)} glyphs ({len(used)} used), code points via its {source}. */"
    )
    out.append(f"static const uint8_t {symbol}_glyphs[{len(blob)}] = {{")
    for i in range(0, len(blob), BYTES_PER_LINE):
        out.append("\t" + " ".join(f"0x{b:02x}," for b in blob[i : i + BYTES_PER_LINE]))
    out.append("};")
    out.append("")
    out.append(f"const struct fb_font {symbol} = {{")
    out.append(f'\t.name = "{name}",')
    out.append(f"\t.width = {font.width},")
    out.append(f"\t.height = {font.height},")
    out.append(f"\t.row_bytes = {font.row_bytes},")
    out.append(f"\t.glyph_bytes = {font.row_bytes * font.height},")
    out.append(f"\t.nglyphs = {len(used)},")
    out.append(f"\t.glyphs = {symbol}_glyphs,")
    out.append(f"\t.replacement = {index[replacement]},")
    out.append("\t.map = {")
    for i in range(0, MAP_SIZE, BYTES_PER_LINE):
        out.append("\t\t" + " ".join(f"{index[g]}," for g in table[i : i + BYTES_PER_LINE]))
    out.append("\t},")
    out.append("};")
    out.append("")


def main(argv):
    ap = argparse.ArgumentParser(description="Convert PSF1/PSF2 console fonts into C (struct fb_font).")
    ap.add_argument("-o", "--output", required=True, help="the C file to write")
    ap.add_argument("fonts", nargs="+", metavar="SYMBOL=PATH", help="C symbol and .psf / .psf.gz file")
    args = ap.parse_args(argv)

    out = [
        "/* Generated by tools/psf2c.py; do not edit. */",
        '#include "fb.h"',
        "",
    ]
    for spec in args.fonts:
        symbol, sep, path = spec.partition("=")
        if not sep or not symbol.isidentifier() or not path:
            ap.error(f"'{spec}' is not SYMBOL=PATH")
        try:
            font = parse_psf(read_font_bytes(path))
            emit_font(out, symbol, path, font)
        except (OSError, FontError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as e:
            print(f"psf2c: {path}: {e}", file=sys.stderr)
            return 1
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out))
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
