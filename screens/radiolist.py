"""A radio list: exactly one of several choices, Space selects, Enter is left to the screen;
rows without a key are shown but not offered (a disk that cannot take COS)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import urwid

from cos_installer.i18n import _

RADIO_MARKS = ("( )", "(*)")  # (off, on); a mark list's are "[ ]", "[x]" (screens/marklist)


class Choice(urwid.WidgetWrap):
    """One line of a radio or mark list: `(*) label`; Space calls `on_space` with its key,
    Enter is left to the screen."""

    def __init__(
        self,
        key: Hashable,
        markup: Any,
        on_space: Callable[[Hashable], None],
        marks: tuple[str, str] = RADIO_MARKS,
    ) -> None:
        self.key = key
        self._on_space = on_space
        self._marks = marks
        self._mark = urwid.Text(marks[0])
        self._label = urwid.Text(markup)
        row = urwid.Columns([(4, self._mark), self._label])
        super().__init__(urwid.AttrMap(row, None, "focus"))

    def set_marked(self, on: bool) -> None:
        self._mark.set_text(self._marks[on])

    def set_label(self, markup: Any) -> None:
        self._label.set_text(markup)

    def selectable(self) -> bool:
        return True

    def keypress(self, size: tuple[int], key: str) -> str | None:
        if key == " ":
            self._on_space(self.key)
            return None
        return key


class RadioList(urwid.WidgetWrap):
    """Exactly one of several choices; rows given as None-keyed text are shown but not offered.
    `across`: the choices side by side on one line (Left/Right move), for a short question
    inside a form."""

    def __init__(
        self,
        items: Sequence[tuple[Hashable | None, Any]],
        selected: Hashable | None = None,
        on_change: Callable[[Hashable], None] | None = None,
        across: bool = False,
    ) -> None:
        self.choices: dict[Hashable, Choice] = {}
        rows: list[urwid.Widget] = []
        for key, markup in items:
            if key is None:
                rows.append(urwid.Padding(urwid.Text(markup), left=4))
                continue
            choice = Choice(key, markup, self.select)
            self.choices[key] = choice
            rows.append(choice)
        self._on_change = on_change
        self.selected: Hashable | None = None
        rows = rows or [urwid.Text(_("(nothing to choose)"))]
        if across:
            widths = [4 + urwid.Text(markup).pack()[0] for key, markup in items if key is not None]
            self._pile = urwid.Columns(list(zip(widths, rows, strict=False)), dividechars=2)
        else:
            self._pile = urwid.Pile(rows)
        super().__init__(self._pile)
        if selected in self.choices:
            self.select(selected, notify=False)
            self.focus_key(selected)

    def select(self, key: Hashable, notify: bool = True) -> None:
        self.selected = key
        for k, choice in self.choices.items():
            choice.set_marked(k == key)
        if notify and self._on_change is not None:
            self._on_change(key)

    def focus_key(self, key: Hashable) -> None:
        choice = self.choices.get(key)
        if choice is not None:
            self._pile.focus_position = self._pile.contents.index(
                next(c for c in self._pile.contents if c[0] is choice)
            )

    @property
    def focused_key(self) -> Hashable | None:
        focus = self._pile.focus
        return focus.key if isinstance(focus, Choice) else None

    def select_focused_if_none(self) -> Hashable | None:
        """Enter on a list where nothing is marked yet takes the highlighted row."""
        if self.selected is None and self.focused_key is not None:
            self.select(self.focused_key)
        return self.selected

    def selectable(self) -> bool:
        return bool(self.choices)
