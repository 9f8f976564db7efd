"""Screen 12, Cloud Config: the generated cloud-config, scrollable; Enter accepts."""

from __future__ import annotations

from typing import Any

import urwid

from cos_installer.i18n import N_, _

from .widgets import Screen


class View(Screen):
    title = N_("Cloud Config")
    keys = N_("Up/Down/PgUp/PgDn scroll  Enter accept  Ctrl+C quit")

    def __init__(self, ctx: Any) -> None:
        user_data = ctx.facts.get("user_data") or _("(no cloud-config was returned)")
        lines = user_data.expandtabs(2).splitlines()
        rows: list[Any] = [_Line(line) for line in lines]
        super().__init__(ctx, rows)


class _Line(urwid.Text):
    """A selectable line so Up/Down move through the text one line at a time."""

    def selectable(self) -> bool:
        return True

    def keypress(self, size: tuple[int], key: str) -> str | None:
        return key
