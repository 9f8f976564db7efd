"""Pasted text in the wizard: a run of printable characters that came in one input batch is
one `Paste` key, which a form field takes in one insertion (one relayout, not one per
character: 10,000 characters used to take ~105 s), and fields that take no character past
their cap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import urwid


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
    """`keys` with every run of two or more printable characters made one `Paste`."""
    out: list[Any] = []
    run: list[str] = []
    for key in [*keys, None]:
        if isinstance(key, str) and len(key) == 1 and key.isprintable():
            run.append(key)
            continue
        if len(run) > 1:
            out.append(Paste("".join(run)))
        else:
            out += run
        run = []
        if key is not None:
            out.append(key)
    return out


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
