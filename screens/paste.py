"""Pasted text in the wizard: a run of printable characters that came in one input batch is
one `Paste` key, which a form field takes in one insertion (one relayout, not one per
character: 10,000 characters used to take ~105 s), and fields that take no character past
their cap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import urwid

WINDOW = 256  # codes given to urwid's parser at a time: longer than any escape sequence


class Paste(str):  # noqa: SLOT000 -- urwid's loop passes on str keys only
    """A run of printable characters that came in one input batch (a paste, keys queued on a
    serial line), taken by a field in one insertion instead of one relayout per character.
    Never equal to a key name ("up" pasted is not Up); a screen that is not a form replays it
    key by key."""

    def __eq__(self, other: object) -> bool:
        return type(other) is Paste and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    @property
    def text(self) -> str:
        return str.__str__(self)


def coalesce(keys: list[Any]) -> list[Any]:
    """`keys` with every run of printable characters (and `Paste`s) of two or more made one
    `Paste`."""
    out: list[Any] = []
    run: list[str] = []
    for key in [*keys, None]:
        if isinstance(key, Paste) or (isinstance(key, str) and len(key) == 1 and key.isprintable()):
            run.append(key)
            continue
        if len(run) > 1 or (run and isinstance(run[0], Paste)):
            out.append(Paste("".join(str.__str__(k) for k in run)))
        else:
            out += run
        run = []
        if key is not None:
            out.append(key)
    return out


def decode(codes: list[int], decode_one: Callable[[list[int]], tuple[list[Any], list[int]]]):
    """(keys, rest): the keys of `codes` up to where urwid's own parser must take over (an
    escape sequence near the end, which may be incomplete; a terminal report), and the codes
    left for it. A printable ASCII run is one `Paste` (urwid decodes a read key by key and
    copies the rest of it each time: quadratic in a long paste); anything else is decoded by
    `decode_one` from a short window, so the whole stays linear."""
    keys: list[Any] = []
    i, n = 0, len(codes)
    while i < n:
        j = i
        while j < n and 32 <= codes[j] <= 126:
            j += 1
        if j - i > 1:
            keys.append(Paste(bytes(codes[i:j]).decode("ascii")))
        elif j - i == 1:
            keys.append(chr(codes[i]))
        if j > i:
            i = j
            continue
        if n - i <= WINDOW:
            break
        run, rest = decode_one(codes[i : i + WINDOW])
        if not run or not all(isinstance(k, str) for k in run):
            break
        keys += run
        i += WINDOW - len(rest)
    return keys, codes[i:]


class CappedEdit(urwid.Edit):
    """An Edit that takes no character past `max_len` (a character typed there calls `full`)."""

    def __init__(self, value: str, mask: str | None, max_len: int, full: Callable[[], None]):
        super().__init__("", value, mask=mask)
        self.max_len, self.full = max_len, full

    def keypress(self, size: tuple[int], key: str) -> str | None:
        if self.valid_char(key) and len(self.edit_text) >= self.max_len:
            self.full()
            return None
        return super().keypress(size, key)
