"""A destructive confirmation: what is decided, in a body that scrolls (Up/Down, PgUp/PgDn;
a line says when more is above or below), under it what is erased and [Back] and the erase
button, always in sight, the focus on Back. Keys that arrive before the question has been on
screen for a second are dropped (and what the terminal still holds is flushed when it is
drawn: cos_installer.common.typeahead), so a double Enter, a bouncing key, a queued serial
line or a paste never answers it; erasing needs
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
MORE = {  # (more above, more below) -> the line over what is erased
    (True, False): N_("Up/PgUp: more of the summary above"),
    (False, True): N_("Down/PgDn: more of the summary below"),
    (True, True): N_("Up/Down: more of the summary above and below"),
}
SCROLL_KEYS = ("up", "down", "page up", "page down")
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

    def __init__(self, ctx: Any, rows: Sequence[urwid.Widget], *, can_erase: bool,
                 fixed: Sequence[urwid.Widget] = ()) -> None:  # fmt: skip
        """rows: the body, scrolled; fixed: what stays in sight above the buttons."""
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
        super().__init__(ctx, rows)
        self.more = text("", "center")
        self.footer = urwid.Pile([self.more, *fixed, *tail, self.button_row])
        self.footer.focus_position = len(self.footer.contents) - 1
        self.layout = urwid.Pile([("weight", 1, self.listbox), ("pack", self.footer)])
        self.layout.focus_position = 1
        self._w = self.layout

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
        cut = self._cut(size)
        self.more.set_text(("note", _(MORE[cut]) if any(cut) else ""))
        return super().render(size, focus)

    def _body_size(self, size: tuple[int, int]) -> tuple[int, int]:
        return size[0], self.layout.get_item_rows(size, focus=True)[0]

    def _cut(self, size: tuple[int, int]) -> tuple[bool, bool]:
        """(rows above the view, rows below it) of the body."""
        middle, top, bottom = self.listbox.calculate_visible(self._body_size(size), True)
        first = top[1][-1][1] if top[1] else middle[2]
        last = bottom[1][-1][1] if bottom[1] else middle[2]
        above = first > 0 or bool(top[0]) or middle[0] < 0
        below = last < len(self.walker) - 1 or bool(bottom[0])
        return above, below

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
        if key in SCROLL_KEYS:  # the body scrolls; the buttons keep the focus
            self.listbox.keypress(self._body_size(size), key)
            return None
        return super().keypress(size, key)
