"""Screen 12, Cloud Config: the generated cloud-config, scrollable; Enter accepts.

YAML's structure is its indentation, so a line wider than the screen continues on rows that
start at the line's own indentation with a dim marker (never at column 0, which would read as
a new top-level key); the marker is not part of the file.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Any

import urwid
from urwid.str_util import calc_text_pos, calc_width

from cos_installer.i18n import N_, _

from .widgets import Screen

MARKER, ASCII_MARKER = "\u21aa ", "+ "  # ↪: this row continues the line above
MIN_ROOM = 16  # columns of text a continuation row keeps however deep the indentation


class View(Screen):
    title = N_("Cloud Config")
    keys = N_("Up/Down/PgUp/PgDn scroll  Enter accept  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        user_data = ctx.facts.user_data or _("(no cloud-config was returned)")
        lines = user_data.expandtabs(2).splitlines()
        marker = ASCII_MARKER if ctx.ascii_only else MARKER
        rows: list[Any] = [_Line(line, marker) for line in lines]
        super().__init__(ctx, rows)

    def keypress(self, size: tuple[int, int], key: Any) -> str | None:
        if key in ("page down", "page up"):
            self._page(size, 1 if key == "page down" else -1)
            return None
        return super().keypress(size, key)

    def _page(self, size: tuple[int, int], direction: int) -> None:
        """Scroll by the view's height less one row (the row kept stays in sight), counted
        from the row at the top of the view. urwid pages from the focused line: the first
        PgDn moved the text by one row, and PgUp did not undo PgDn when a folded line was cut
        at the top."""
        maxcol, maxrow = size
        starts = list(accumulate((line.rows((maxcol,)) for line in self.walker), initial=0))
        offset, _widget, position, _rows, _cursor = self.listbox.calculate_visible(size, True)[0]
        top = starts[position] - offset
        target = min(top + direction * max(1, maxrow - 1), starts[-1] - maxrow)
        target = max(0, target)
        first = bisect_right(starts, target) - 1  # the line on the view's top row
        if direction > 0:  # focus the last whole line in view (Down then scrolls at once)
            line = max(first, bisect_right(starts, target + maxrow) - 2)
        else:  # the first whole line (Up then scrolls at once)
            line = min(bisect_left(starts, target), len(starts) - 2)
        self.listbox.change_focus(size, line, offset_inset=starts[line] - target)


def fold(line: str, width: int, marker: str = MARKER) -> list[tuple[str, str]]:
    """The rows of `line` at `width` columns as (lead, text): the first row's lead is empty;
    each continuation row's lead is the line's indentation plus `marker`. Breaks after a space
    or a comma (a list of addresses stays whole) in the second half of the row, else anywhere
    (a hash has neither)."""
    if width <= 0 or _width(line) <= width:
        return [("", line)]
    indent = " " * (len(line) - len(line.lstrip(" ")))
    lead = indent + marker
    if width - _width(lead) < MIN_ROOM:
        lead = marker if width - _width(marker) >= 1 else ""
    rows: list[tuple[str, str]] = []
    rest, row_lead = line, ""
    while rest:
        room = max(1, width - _width(row_lead))
        if _width(rest) <= room:
            rows.append((row_lead, rest))
            break
        end, _col = calc_text_pos(rest, 0, len(rest), room)
        end = max(end, 1)  # a character wider than the room still moves on
        gap = max(rest.rfind(" ", 0, end), rest.rfind(",", 0, end))
        if gap >= end // 2 and rest[:gap].strip():
            end = gap + 1
        rows.append((row_lead, rest[:end]))
        rest, row_lead = rest[end:], lead
    return rows


def _width(text: str) -> int:
    return calc_width(text, 0, len(text))


class _Line(urwid.Widget):
    """One line of the file, folded to the width it is drawn at; selectable so Up/Down move
    through the text one line at a time."""

    _sizing = frozenset([urwid.Sizing.FLOW])
    _selectable = True

    def __init__(self, line: str, marker: str = MARKER) -> None:
        super().__init__()
        self.line, self.marker = line, marker
        self._folded: tuple[int, urwid.Text] | None = None

    def _text(self, maxcol: int) -> urwid.Text:
        if self._folded is None or self._folded[0] != maxcol:
            markup: list[Any] = []
            for index, (lead, part) in enumerate(fold(self.line, maxcol, self.marker)):
                if index:
                    markup.append("\n")
                if lead:
                    markup.append(("dim", lead))
                markup.append(part)
            self._folded = (maxcol, urwid.Text(markup or "", wrap="clip"))
        return self._folded[1]

    def rows(self, size: tuple[int], focus: bool = False) -> int:
        return self._text(size[0]).rows(size)

    def render(self, size: tuple[int], focus: bool = False) -> urwid.Canvas:
        return self._text(size[0]).render(size)

    def keypress(self, size: tuple[int], key: str) -> str | None:
        return key
