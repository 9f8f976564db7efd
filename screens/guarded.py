"""A destructive confirmation: the question, then [Back] and the erase button, the focus on
Back. Keys that arrive before the question has been on screen for a second are dropped (and
what the terminal still holds is flushed when it is drawn: cos_installer.common.typeahead), so a
double Enter, a bouncing key, a queued serial line or a paste never answers it; erasing needs
moving to the erase button and pressing Enter there."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import urwid
from urwid.str_util import calc_width

from cos_installer.common.typeahead import Guard
from cos_installer.i18n import N_, _

from .widgets import Screen, text

KEYS_CONFIRM = N_("Tab/Left/Right choose  Enter press  Esc back  Ctrl+D restart  Ctrl+C quit")
HINT = N_("Move to [{erase}] (Tab) and press Enter there; Esc goes back.")
GAP = 4  # columns between the buttons


class Button(urwid.WidgetWrap):
    """`[ label ]`; Enter on it calls `action` (urwid.Button takes Space too: not here)."""

    def __init__(self, label: str, action: Callable[[], None]) -> None:
        self.label, self.action = label, action
        self.width = calc_width(f"[ {label} ]", 0, len(f"[ {label} ]"))
        super().__init__(urwid.AttrMap(urwid.Text(f"[ {label} ]"), None, "focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size: tuple[int], key: str) -> str | None:
        return key


class GuardedConfirm(Screen):
    """Base of a screen whose Enter erases: subclasses give their rows and `erase()`."""

    keys = KEYS_CONFIRM
    erase_label = N_("Erase and install")

    def __init__(self, ctx: Any, rows: Sequence[urwid.Widget], *, can_erase: bool) -> None:
        self.guard = Guard(getattr(ctx, "clock", time.monotonic))
        self.back_button = Button(_("Back"), ctx.back)
        buttons = [self.back_button]
        self.erase_button: Button | None = None
        tail: list[urwid.Widget] = []
        if can_erase:
            self.erase_button = Button(_(self.erase_label), self.erase)
            buttons.append(self.erase_button)
            tail.append(text(_(HINT).format(erase=_(self.erase_label)), "center"))
        self.buttons = urwid.Columns([(b.width, b) for b in buttons], dividechars=GAP)
        width = sum(b.width for b in buttons) + GAP * (len(buttons) - 1)
        self.button_row = urwid.Padding(self.buttons, align="center", width=width)
        super().__init__(ctx, [*rows, *tail, self.button_row])
        self.focus_widget(self.button_row)

    def erase(self) -> None:
        self.ctx.done({})

    def submit(self) -> None:
        """Enter presses the button that has the focus (Back when the screen opens)."""
        self.buttons.focus.action()

    @property
    def focused_button(self) -> Button:
        return self.buttons.focus

    def render(self, size: tuple[int, int], focus: bool = False) -> urwid.Canvas:
        if self.guard.shown():  # keys typed before the operator could see this are void
            getattr(self.ctx, "flush_input", lambda: None)()
        return super().render(size, focus)

    def keypress(self, size: tuple[int, int], key: str) -> str | None:
        if not self.guard.admit():
            return None
        if key in ("tab", "shift tab", "left", "right"):
            count = len(self.buttons.contents)
            step = 1 if key in ("tab", "right") else -1
            if key in ("left", "right"):
                position = min(max(self.buttons.focus_position + step, 0), count - 1)
            else:
                position = (self.buttons.focus_position + step) % count
            self.buttons.focus_position = position
            return None
        return super().keypress(size, key)
