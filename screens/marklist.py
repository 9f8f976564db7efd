"""A mark list: any number of rows marked with Space (`[x]`), Enter left to the screen; the
NIC screen marks the members of a bond with it. ASCII marks: they show on a serial console."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import urwid

from cos_installer.i18n import _

from .radiolist import Choice

MARKS = ("[ ]", "[x]")  # (off, on)


class MarkList(urwid.WidgetWrap):
    """Rows in a fixed order; `marked` lists the marked keys in that order."""

    def __init__(
        self,
        items: Sequence[tuple[Hashable, Any]],
        marked: Sequence[Hashable] = (),
        focus: Hashable | None = None,
        on_change: Callable[[list[Hashable]], None] | None = None,
    ) -> None:
        self.lines = {key: Choice(key, markup, self.toggle, MARKS) for key, markup in items}
        self._marked = {key for key in marked if key in self.lines}
        for key in self._marked:
            self.lines[key].set_marked(True)
        self._on_change = on_change
        self._pile = urwid.Pile(list(self.lines.values()) or [urwid.Text(_("(nothing to choose)"))])
        super().__init__(self._pile)
        if focus in self.lines:
            self._pile.focus_position = list(self.lines).index(focus)

    @property
    def marked(self) -> list[Hashable]:
        return [key for key in self.lines if key in self._marked]

    def toggle(self, key: Hashable) -> None:
        self._marked ^= {key}
        self.lines[key].set_marked(key in self._marked)
        if self._on_change is not None:
            self._on_change(self.marked)

    @property
    def focused_key(self) -> Hashable | None:
        focus = self._pile.focus
        return focus.key if isinstance(focus, Choice) else None

    def selectable(self) -> bool:
        return bool(self.lines)
