"""`ChoiceScreen`: a screen that asks one question with a RadioList (role, HA, network model,
NIC, disk, data disk). Subclasses give the rows around the list and the answers key it sets."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import urwid

from cos_installer.i18n import _

from .radiolist import RadioList
from .widgets import KEYS_LIST, Screen, text


class ChoiceScreen(Screen):
    """`answer`: the answers path set, e.g. ("controller", "ha"); `missing`: the message when
    Enter finds nothing chosen ("" : Enter then does nothing)."""

    keys = KEYS_LIST
    answer: tuple[str, ...] = ()
    missing = ""

    def __init__(
        self,
        ctx: Any,
        items: Sequence[tuple[Hashable | None, Any]],
        selected: Hashable | None,
        above: Sequence[urwid.Widget],
        below: Sequence[urwid.Widget] = (),
        on_change: Callable[[Hashable], None] | None = None,
    ) -> None:
        self.choice = RadioList(items, selected=selected, on_change=on_change)
        if not hasattr(self, "message"):  # a subclass that shows it made it for its rows
            self.message = text("")
        super().__init__(ctx, [*above, self.choice, *below])
        self.focus_widget(self.choice)

    def patch(self, value: Any) -> dict[str, Any]:
        """The answers patch for `value` (subclasses add what else a choice changes)."""
        *sections, key = self.answer
        patch: dict[str, Any] = {key: value}
        for name in reversed(sections):
            patch = {name: patch}
        return patch

    def snapshot(self) -> dict[str, Any]:
        selected = self.choice.selected
        return {} if selected is None else self.patch(selected)

    def submit(self) -> None:
        value = self.choice.select_focused_if_none()
        if value is None:
            if self.missing:
                self.message.set_text(("error", _(self.missing)))
            return
        self.ctx.done(self.patch(value))
