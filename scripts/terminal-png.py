#!/usr/bin/env python3
"""Draws a terminal capture (`tmux capture-pane -p -e`, text with ANSI colour
codes) as a PNG, cell by cell, in DejaVu Sans Mono.

Usage: scripts/terminal-png.py CAPTURE.ansi OUT.png [COLUMNS ROWS]

Needs Pillow (Debian: apt-get install python3-pil). Used for the editor
screenshots in docs/images (see docs/editor.md for how they are taken).
"""

import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
FG, BG = (220, 220, 220), (30, 30, 30)
BASE = [
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
    (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
    (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
    (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255),
]


def xterm(n):
    """The colour of xterm-256 index n."""
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def sgr(params, state):
    """Applies one Select Graphic Rendition sequence to state."""
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.update(fg=None, bg=None, bold=False, reverse=False)
        elif c == 1:
            state["bold"] = True
        elif c == 22:
            state["bold"] = False
        elif c == 7:
            state["reverse"] = True
        elif c == 27:
            state["reverse"] = False
        elif 30 <= c <= 37:
            state["fg"] = BASE[c - 30]
        elif 90 <= c <= 97:
            state["fg"] = BASE[c - 90 + 8]
        elif 40 <= c <= 47:
            state["bg"] = BASE[c - 40]
        elif 100 <= c <= 107:
            state["bg"] = BASE[c - 100 + 8]
        elif c == 39:
            state["fg"] = None
        elif c == 49:
            state["bg"] = None
        elif c in (38, 48) and i + 1 < len(codes):
            key = "fg" if c == 38 else "bg"
            if codes[i + 1] == 5 and i + 2 < len(codes):
                state[key] = xterm(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                state[key] = tuple(codes[i + 2 : i + 5])
                i += 4
        i += 1


def main():
    src, out = sys.argv[1], sys.argv[2]
    cols = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else None
    lines = open(src, encoding="utf-8").read().split("\n")
    if rows is not None:
        lines = lines[:rows]
    font = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(BOLD, SIZE)
    w = int(font.getlength("M"))
    h = SIZE + 4
    img = Image.new("RGB", (cols * w + 16, len(lines) * h + 16), BG)
    draw = ImageDraw.Draw(img)
    state = dict(fg=None, bg=None, bold=False, reverse=False)
    token = re.compile(r"\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|(.)", re.S)
    for y, line in enumerate(lines):
        x = 0
        for m in token.finditer(line):
            if m.group(1) is not None:
                sgr(m.group(1), state)
                continue
            ch = m.group(2)
            if ch is None or x >= cols:
                continue
            fg, bg = state["fg"] or FG, state["bg"] or BG
            if state["reverse"]:
                fg, bg = bg, fg
            px, py = 8 + x * w, 8 + y * h
            draw.rectangle([px, py, px + w, py + h], fill=bg)
            draw.text((px, py + 1), ch, font=bold if state["bold"] else font, fill=fg)
            x += 1
        # The rest of the line keeps the current background, as a terminal does.
        if state["bg"] is not None and x < cols:
            px, py = 8 + x * w, 8 + y * h
            draw.rectangle([px, py, 8 + cols * w, py + h], fill=state["bg"])
    img.save(out)


if __name__ == "__main__":
    main()
