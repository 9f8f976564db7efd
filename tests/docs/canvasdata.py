"""What a picture is made from: the text of each row of an urwid canvas and its attribute runs
(palette names, in screen columns), plus the palette entries those names stand for.

The drift test compares this data, never image bytes (which depend on font versions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import urwid
from cos_installer.screens import theme
from urwid.str_util import calc_width

SIZE = (theme.MIN_COLS, theme.MIN_ROWS)


def rows_of(canvas: urwid.Canvas) -> list[dict[str, Any]]:
    """[{"text": the row's 80 columns, "runs": [[attribute, columns], ...]}, ...]."""
    rows = []
    for line in canvas.content():
        text, runs = "", []
        for attr, _charset, raw in line:
            chunk = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            width = calc_width(chunk, 0, len(chunk))
            name = attribute_name(attr)
            if runs and runs[-1][0] == name:
                runs[-1][1] += width
            else:
                runs.append([name, width])
            text += chunk
        rows.append({"text": text, "runs": runs})
    return rows


def attribute_name(attr: object) -> str:
    """The palette name that colours a run: urwid stacks the AttrMaps' names (LayeredAttr,
    innermost first) and the console draws the innermost (no palette entry inherits)."""
    if isinstance(attr, str):
        return attr
    layers = [layer for layer in getattr(attr, "layers", ()) if isinstance(layer, str)]
    return layers[0] if layers else "body"


def palette(names: set[str]) -> dict[str, list[str]]:
    """The console's palette entries (foreground, background) the picture uses."""
    return {name: [fg, bg] for name, fg, bg, *_mono in theme.PALETTE if name in names}


def picture_data(name: str, lang: str, step: str, canvas: urwid.Canvas) -> dict[str, Any]:
    rows = rows_of(canvas)
    used = {run[0] for row in rows for run in row["runs"]}
    return {
        "picture": name,
        "language": lang,
        "step": step,
        "size": list(SIZE),
        "palette": palette(used),
        "rows": rows,
    }


def dump(data: dict[str, Any]) -> str:
    """One row per line, so a changed screen reads as a small diff."""
    head = {k: v for k, v in data.items() if k != "rows"}
    lines = [json.dumps(row, ensure_ascii=False) for row in data["rows"]]
    body = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return body + ',\n "rows": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def plain_text(data: dict[str, Any]) -> str:
    """The screen's words with the frame and all whitespace removed: a message wrapped over
    several rows (or a Chinese one, wrapped without spaces) is still one substring."""
    frame = set("│─┌┐└┘├┤┬┴┼")
    return "".join(
        c for row in data["rows"] for c in row["text"] if c not in frame and not c.isspace()
    )
