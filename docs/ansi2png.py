#!/usr/bin/python3
"""ansi2png.py -- render a terminal capture with colours (tmux capture-pane -e -p) as a PNG.

    ansi2png.py CAPTURE.txt OUT.png [COLUMNS ROWS]

Each cell is drawn at a fixed size with DejaVu Sans Mono (fonts-dejavu-core),
its background filled and its glyph in its colour, so braille maps, block
charts and box drawing come out as the terminal showed them.  Understands
the SGR codes tmux writes: reset, bold, dim, underline, reverse, the 8 + 8
colours, 256 colours and RGB.  Needs python3-pil (Debian).  Used by
docs/screenshots.sh.
"""
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
FG, BG = (0xd0, 0xd0, 0xd0), (0x1a, 0x1b, 0x26)
# A dark palette (the first eight, then the bright ones).
PALETTE = [
    (0x2e, 0x34, 0x36), (0xe0, 0x4f, 0x4f), (0x8a, 0xd0, 0x5a), (0xe6, 0xc3, 0x4f),
    (0x5f, 0x8f, 0xe8), (0xb8, 0x7d, 0xd8), (0x4f, 0xc8, 0xd8), (0xd3, 0xd7, 0xcf),
    (0x55, 0x57, 0x53), (0xff, 0x6e, 0x6e), (0xa6, 0xe8, 0x6f), (0xff, 0xe0, 0x6a),
    (0x82, 0xaa, 0xff), (0xd3, 0x9a, 0xf0), (0x6f, 0xe4, 0xf0), (0xee, 0xee, 0xec),
]


def color256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.under = self.rev = False

    def sgr(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 4:
                self.under = True
            elif c == 7:
                self.rev = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 24:
                self.under = False
            elif c == 27:
                self.rev = False
            elif 30 <= c <= 37:
                self.fg = PALETTE[c - 30]
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = PALETTE[c - 40]
            elif c == 49:
                self.bg = None
            elif 90 <= c <= 97:
                self.fg = PALETTE[c - 90 + 8]
            elif 100 <= c <= 107:
                self.bg = PALETTE[c - 100 + 8]
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    col = color256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    col = tuple(codes[i + 2:i + 5])
                    i += 4
                else:
                    col = None
                if c == 38:
                    self.fg = col
                else:
                    self.bg = col
            i += 1

    def colors(self):
        fg = self.fg or FG
        bg = self.bg or BG
        if self.bold and self.fg in PALETTE[:8]:
            fg = PALETTE[PALETTE.index(self.fg) + 8]
        if self.rev:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text, cols, rows):
    """The capture as rows of (char, fg, bg, bold, underline) cells."""
    grid = [[(" ", FG, BG, False, False)] * cols for _ in range(rows)]
    pen = Pen()
    esc = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])")
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        pos = 0
        while pos < len(line) and x < cols:
            m = esc.match(line, pos)
            if m:
                if m.group(2) == "m":
                    pen.sgr(m.group(1))
                pos = m.end()
                continue
            ch = line[pos]
            pos += 1
            w = width(ch)
            if w == 0:
                continue
            fg, bg = pen.colors()
            grid[y][x] = (ch, fg, bg, pen.bold, pen.under)
            if w == 2 and x + 1 < cols:
                grid[y][x + 1] = ("", fg, bg, pen.bold, pen.under)
            x += w
    return grid


BRAILLE_DOTS = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]


def draw_cell(d, px, py, cw, ch_, c, fg):
    """Braille and block elements drawn as shapes, so that maps and charts
    are crisp and seamless whatever the font has.  False: not one of them."""
    o = ord(c)
    if 0x2800 <= o <= 0x28ff:
        r = max(1.0, cw * 0.13)
        for bit, (col, row) in enumerate(BRAILLE_DOTS):
            if (o - 0x2800) & (1 << bit):
                x = px + cw * (0.3 + 0.4 * col)
                y = py + ch_ * (0.125 + 0.25 * row)
                d.ellipse([x - r, y - r, x + r, y + r], fill=fg)
        return True
    if 0x2581 <= o <= 0x2588:		# lower eighths .. full block
        h = ch_ * (o - 0x2580) / 8.0
        d.rectangle([px, py + ch_ - h, px + cw - 1, py + ch_ - 1], fill=fg)
        return True
    if 0x2589 <= o <= 0x258f:		# left seven eighths .. one eighth
        w = cw * (0x2590 - o) / 8.0
        d.rectangle([px, py, px + w - 1, py + ch_ - 1], fill=fg)
        return True
    return False


def render(grid, out):
    font = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(FONT_BOLD, SIZE)
    cw = int(round(font.getlength("M")))
    asc, desc = font.getmetrics()
    ch_ = asc + desc
    rows, cols = len(grid), len(grid[0])
    pad = 8
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * ch_ + 2 * pad), BG)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(grid):
        for x, (ch, fg, bg, b, u) in enumerate(row):
            px, py = pad + x * cw, pad + y * ch_
            if bg != BG:
                d.rectangle([px, py, px + cw - 1, py + ch_ - 1], fill=bg)
            if ch.strip() and not draw_cell(d, px, py, cw, ch_, ch, fg):
                d.text((px, py), ch, font=bold if b else font, fill=fg)
            if u:
                d.line([px, py + ch_ - 2, px + cw - 1, py + ch_ - 2], fill=fg)
    img.save(out, optimize=True)


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit("usage: ansi2png.py CAPTURE.txt OUT.png [COLUMNS ROWS]")
    text = open(sys.argv[1], encoding="utf-8", errors="replace").read().rstrip("\n")
    lines = text.split("\n")
    cols = int(sys.argv[3]) if len(sys.argv) == 5 else max(
        len(re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", l)) for l in lines)
    rows = int(sys.argv[4]) if len(sys.argv) == 5 else len(lines)
    render(parse(text, cols, rows), sys.argv[2])


if __name__ == "__main__":
    main()
