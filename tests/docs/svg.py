"""A picture of an 80x24 console screen as SVG, from its canvas data (canvasdata.py).

Each cell is CELL_W x CELL_H; a CJK character takes two cells, as on the console. The text is
SVG text (searchable, sharp at any zoom) in a monospace font stack that begins with the live
console's CJK font (fonts-wqy-microhei in fbterm); every text run is stretched to its cells
(textLength), so the grid holds whatever font the viewer has."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from urwid.str_util import calc_width

CELL_W, CELL_H, FONT_PX = 10, 20, 16
FONTS = (
    "'WenQuanYi Micro Hei Mono', 'WenQuanYi Micro Hei', 'Noto Sans Mono CJK SC', "
    "'Source Han Mono SC', 'Sarasa Mono SC', 'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace"
)
# the Linux console's 16 colours (the VGA text palette), by urwid's names
COLOURS = {
    "black": "#000000", "dark red": "#aa0000", "dark green": "#00aa00", "brown": "#aa5500",
    "dark blue": "#0000aa", "dark magenta": "#aa00aa", "dark cyan": "#00aaaa",
    "light gray": "#aaaaaa", "dark gray": "#555555", "light red": "#ff5555",
    "light green": "#55ff55", "yellow": "#ffff55", "light blue": "#5555ff",
    "light magenta": "#ff55ff", "light cyan": "#55ffff", "white": "#ffffff",
    "default": "#aaaaaa",
}  # fmt: skip


def style(entry: list[str]) -> tuple[str, str, bool]:
    """(foreground colour, background colour, bold) of a palette entry [fg, bg]."""
    fg_parts = [p.strip() for p in entry[0].split(",")]
    colour = next((p for p in fg_parts if p in COLOURS), "light gray")
    bg = entry[1].split(",")[0].strip()
    return COLOURS[colour], COLOURS.get(bg, "#000000"), "bold" in fg_parts


def _cells(text: str) -> list[tuple[str, int]]:
    """(character, columns) of a row; a wide character's second cell is not repeated."""
    return [(c, calc_width(c, 0, 1)) for c in text]


def _runs(row: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(attribute, first column, text) of each attribute run of a row."""
    out, cells, col, i = [], _cells(row["text"]), 0, 0
    for attr, width in row["runs"]:
        start, chunk, used = col, [], 0
        while used < width and i < len(cells):
            chunk.append(cells[i][0])
            used += cells[i][1]
            i += 1
        out.append((attr, start, "".join(chunk)))
        col += width
    return out


def _glyph_groups(text: str, col: int) -> list[tuple[int, int, str]]:
    """(column, columns, text): runs of narrow non-blank characters, and each wide one."""
    groups: list[tuple[int, int, str]] = []
    cur: list[str] = []
    start = col
    for ch, width in _cells(text):
        if ch == " " or width != 1:
            if cur:
                groups.append((start, len(cur), "".join(cur)))
                cur = []
            if width == 2:
                groups.append((col, 2, ch))
            col += width
            start = col
            continue
        cur.append(ch)
        col += 1
    if cur:
        groups.append((start, len(cur), "".join(cur)))
    return groups


def render(data: dict[str, Any]) -> str:
    cols, rows = data["size"]
    styles = {name: style(entry) for name, entry in data["palette"].items()}
    w, h = cols * CELL_W, rows * CELL_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="{FONTS}" font-size="{FONT_PX}">',
        f"<title>{escape(data['picture'])} ({data['language']})</title>",
        f'<rect width="{w}" height="{h}" fill="#000000"/>',
    ]
    texts: list[str] = []
    for y, row in enumerate(data["rows"]):
        for attr, col, chunk in _runs(row):
            fg, bg, bold = styles.get(attr, ("#aaaaaa", "#000000", False))
            span = sum(width for _c, width in _cells(chunk))
            if bg != "#000000" and span:
                out.append(
                    f'<rect x="{col * CELL_W}" y="{y * CELL_H}" width="{span * CELL_W}" '
                    f'height="{CELL_H}" fill="{bg}"/>'
                )
            weight = ' font-weight="bold"' if bold else ""
            base = y * CELL_H + CELL_H - 5
            for gcol, gwidth, glyphs in _glyph_groups(chunk, col):
                texts.append(
                    f'<text x="{gcol * CELL_W}" y="{base}" fill="{fg}"{weight} '
                    f'textLength="{gwidth * CELL_W}" lengthAdjust="spacingAndGlyphs" '
                    f'xml:space="preserve">{escape(glyphs)}</text>'
                )
    out += texts
    out.append("</svg>")
    return "\n".join(out) + "\n"
