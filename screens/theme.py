"""Palette, drawing characters and terminal quirks: VGA console, serial line, vt100.

The Linux VGA console has 16 foreground and 8 background colours; a serial console may be a
vt100 with no colour and no line-drawing glyphs, and often reports a 0x0 size. Everything
that depends on the terminal is decided here, once, at start-up.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Mapping
from typing import Any

import urwid

from cos_installer.i18n import _

from .paste import decode

MIN_COLS, MIN_ROWS = 80, 24
ASCII_TERMS = {"vt100", "vt102", "vt220", "vt52", "dumb", "ansi"}

# (name, foreground, background, mono) -- 16-colour entries, the 4th used when colours == 1
PALETTE = [
    ("body", "light gray", "black", ""),
    ("header", "white,bold", "dark blue", "standout"),
    ("title", "white,bold", "black", "bold"),
    ("keybar", "black", "light gray", "standout"),
    ("focus", "black", "light gray", "standout"),
    ("edit", "white", "dark blue", "underline"),
    ("edit_focus", "black", "light cyan", "standout"),
    ("error", "light red,bold", "black", "bold"),
    ("note", "yellow", "black", "bold"),
    ("warn", "white,bold", "dark red", "standout"),
    ("linked", "light green,bold", "black", "bold"),
    ("nolink", "light red,bold", "black", "standout"),
    ("dim", "dark gray", "black", ""),
    ("bar_done", "black", "light cyan", "standout"),
    ("bar_todo", "light gray", "dark blue", ""),
]

UNICODE_BOX: dict[str, str] = {}
ASCII_BOX = {
    "tlcorner": "+",
    "tline": "-",
    "lline": "|",
    "trcorner": "+",
    "blcorner": "+",
    "rline": "|",
    "bline": "-",
    "brcorner": "+",
}


def ascii_mode(environ: Mapping[str, str] | None = None) -> bool:
    """Draw with ASCII only on vt100-class terminals or when the locale cannot show UTF-8."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    if term in ASCII_TERMS or term.startswith(("vt1", "vt2")):
        return True
    if env.get("COS_INSTALLER_ASCII") == "1":
        return True
    lang = env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""
    if environ is None and not lang:
        lang = locale.getpreferredencoding(False)
    return "utf-8" not in lang.lower().replace("utf8", "utf-8")


def colour_count(environ: Mapping[str, str] | None = None) -> int:
    """16 colours on the VGA console and colour terminals; monochrome on vt100-class ones,
    unless COS_COLOURS=16 says the line shows ANSI colours (the live system's serial consoles:
    IPMI SOL and QEMU do, and the guide's green [Linked] / red [NoLink] need them)."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    if "NO_COLOR" in env:
        return 1
    if env.get("COS_COLOURS") in ("1", "16"):
        return int(env["COS_COLOURS"])
    if term in ASCII_TERMS or term.startswith(("vt1", "vt2")):
        return 1
    return 16


def box_chars(ascii_only: bool) -> dict[str, str]:
    return ASCII_BOX if ascii_only else UNICODE_BOX


class SerialSafeScreen(urwid.display.raw.Screen):
    """A raw screen that treats a terminal reporting no size (serial lines) as 80x24, and
    decodes a long read (a paste) in linear time (screens/paste.py)."""

    def parse_input(self, event_loop, callback, codes, wait_for_more=True):  # noqa: ANN001, ANN201
        head, rest = decode(codes, self._decode_one)
        if not head:
            return super().parse_input(event_loop, callback, codes, wait_for_more)

        once = [head, codes[: len(codes) - len(rest)]]  # urwid calls back again for a
        # sequence it waited on: the head goes with the first call only

        def with_head(keys: list[Any], raw: list[int]) -> Any:
            first, first_raw = once
            once[:] = [[], []]
            return callback(first + list(keys), first_raw + list(raw))

        got = super().parse_input(event_loop, with_head if callback else None, rest, wait_for_more)
        if callback is None and got is not None:
            return head + list(got[0]), codes[: len(codes) - len(rest)] + list(got[1])
        return got

    def _decode_one(self, window: list[int]) -> tuple[list[Any], list[int]]:
        """The keys at the start of `window` and what is left of it ([], window: unsure)."""
        protocol = getattr(self, "_keyboard_protocol_enabled", None)
        try:
            return urwid.display.escape.process_keyqueue(window, True, keyboard_protocol=protocol)
        except urwid.display.escape.MoreInputRequired:
            return [], window

    def get_cols_rows(self) -> tuple[int, int]:
        cols, rows = super().get_cols_rows()
        if cols <= 0 or rows <= 0:
            cols, rows = MIN_COLS, MIN_ROWS
            self.maxrow = rows
        return cols, rows


class SizeGuard(urwid.WidgetWrap):
    """Shows 'enlarge the terminal' below 80x24 instead of a broken layout; the wizard stays
    underneath, so resizing back restores it exactly as it was."""

    def __init__(self, inner: urwid.Widget) -> None:
        super().__init__(inner)
        self.too_small = False

    def set_inner(self, inner: urwid.Widget) -> None:
        self._w = inner

    def render(self, size: tuple[int, int], focus: bool = False) -> urwid.Canvas:
        cols, rows = size
        self.too_small = cols < MIN_COLS or rows < MIN_ROWS
        if not self.too_small:
            return super().render(size, focus)
        text = _(
            "The terminal is {size}: enlarge the terminal to {minimum} to continue. (Ctrl+C quits.)"
        ).format(size=f"{cols}x{rows}", minimum=f"{MIN_COLS}x{MIN_ROWS}")
        notice = urwid.Filler(urwid.Text(("warn", text), align="center"))
        return notice.render(size, focus)

    def keypress(self, size: tuple[int, int], key: str) -> str | None:
        cols, rows = size
        if cols < MIN_COLS or rows < MIN_ROWS:
            return key  # nothing on screen to act on; global keys still work
        return super().keypress(size, key)
