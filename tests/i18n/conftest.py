"""Screens in Chinese: the `zh` fixture switches the catalogue for one test and back."""

from __future__ import annotations

import re

import pytest
from urwid.str_util import calc_width

from cos_installer import i18n

COLS, ROWS = 80, 24
# three lower-case English words in a row: a sentence nobody translated
ENGLISH = re.compile(r"\b[a-z]{3,}(?: [a-z]{2,}){2,}\b")


@pytest.fixture
def zh():
    i18n.set_language("zh_CN")
    try:
        yield
    finally:
        i18n.set_language("en")


def width(line: str) -> int:
    """Terminal columns of a rendered row: a CJK character takes two (urwid's own count)."""
    return calc_width(line, 0, len(line))


def assert_fits(h, scrolls: bool = False) -> list[str]:
    """The frame is 80x24, no row is wider, the key bar is one row, and (unless the screen
    scrolls by design) every row of the screen's content is on the screen."""
    lines = h.text()
    assert len(lines) == ROWS
    wide = [line for line in lines if width(line) > COLS]
    assert not wide, wide
    footer = h.app.frame.footer.rows((COLS,))
    assert footer == 1, "the key bar wraps to a second row"
    if not scrolls:
        view = h.app.view
        inner = COLS - 4  # box lines and the one-column padding each side
        need = sum(w.rows((inner,), False) for w in view.walker)
        assert need <= ROWS - 1 - footer - 2, f"{need} rows of content do not fit"
    return lines


def untranslated(lines: list[str]) -> list[str]:
    return [line for line in lines if ENGLISH.search(line)]
