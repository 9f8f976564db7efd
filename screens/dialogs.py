"""Small modal questions drawn over the wizard (Ctrl+C during and after the install)."""

from __future__ import annotations

from collections.abc import Callable

import urwid

from cos_installer.i18n import _


class QuitDialog(urwid.WidgetWrap):
    """'Leave the installer?' with what state the disk is in; y leaves, n or Esc stays."""

    def __init__(self, state: str, answer: Callable[[bool], None]) -> None:
        self._answer = answer
        body = urwid.Pile(
            [
                urwid.Text(("title", _("Leave the installer?")), align="center"),
                urwid.Divider(),
                urwid.Text(
                    _("The install has started. If you leave now: {state}").format(state=state)
                ),
                urwid.Divider(),
                urwid.Text(("keybar", _(" y leave    n / Esc stay ")), align="center"),
            ]
        )
        super().__init__(urwid.Filler(urwid.Padding(body, left=1, right=1)))

    def selectable(self) -> bool:
        return True

    def keypress(self, size: tuple[int, int], key: str) -> str | None:
        if key in ("y", "Y"):
            self._answer(True)
        elif key in ("n", "N", "esc", "ctrl c"):
            self._answer(False)
        return None
