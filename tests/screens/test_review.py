"""The Cloud Config review keeps YAML's structure visible: a line wider than the screen
continues at its own indentation behind a marker, never at column 0, and loses nothing."""

from __future__ import annotations

import pytest
from cos_installer.screens.review import ASCII_MARKER, MARKER, fold
from hypothesis import given
from hypothesis import strategies as st
from urwid.str_util import calc_width

from .conftest import CONTROLLER_VALUES, changed
from .test_layout import HASH, installed


def width(text: str) -> int:
    return calc_width(text, 0, len(text))


def review():
    h = installed(changed(CONTROLLER_VALUES, system__password=None, system__password_hash=HASH))
    h.press("enter")
    assert h.step == "review"
    return h


def test_a_long_indented_value_continues_under_its_own_key():
    h = review()
    rows = [line[2:-1].rstrip() for line in h.text()[2:-2]]
    at = next(i for i, row in enumerate(rows) if row.startswith('    passwd: "$6$'))
    assert rows[at + 1].startswith("    " + MARKER), rows[at + 1]
    joined = rows[at] + rows[at + 1].removeprefix("    " + MARKER)
    assert joined == f'    passwd: "{HASH}"'


def test_no_row_of_the_review_starts_a_fake_top_level_key():
    """Every row is a line of the file, or a continuation behind the marker."""
    h = review()
    lines = set(h.app.view.ctx.facts.user_data.splitlines())
    assert any(width(line) > 76 for line in lines), "the case needs a line wider than the box"
    for _page in range(12):
        for line in h.text()[2:-2]:
            row = line[2:-1].rstrip()
            assert MARKER.strip() in row or any(full.startswith(row) for full in lines), row
        h.press("page down")


def test_ascii_terminals_get_an_ascii_marker():
    assert fold("    key: " + "x" * 90, 40, ASCII_MARKER)[1][0] == "    " + ASCII_MARKER


@pytest.mark.parametrize(
    ("line", "width_", "leads"),
    [
        ("short", 10, [""]),
        ("  # a comment that is a little too long", 30, ["", "  " + MARKER]),
        ("      " + "A" * 50, 30, ["", "      " + MARKER, "      " + MARKER]),
        (" " * 30 + "deep: " + "v" * 40, 40, ["", MARKER, MARKER]),  # too deep: marker only
    ],
)
def test_fold_leads(line, width_, leads):
    assert [lead for lead, _part in fold(line, width_)] == leads


def test_fold_breaks_after_a_space_when_one_is_near_the_end():
    rows = fold("  # words words words words words", 20)
    assert rows[0] == ("", "  # words words ")
    assert rows[1][1].startswith("words")


def test_fold_keeps_the_items_of_a_comma_list_whole():
    line = "      COS_CONTROLLERS=192.168.122.170:80,192.168.122.171:80,192.168.122.172:80"
    rows = fold(line, 76)
    assert rows == [
        ("", "      COS_CONTROLLERS=192.168.122.170:80,192.168.122.171:80,"),
        ("      " + MARKER, "192.168.122.172:80"),
    ]


@given(
    line=st.text(alphabet=st.sampled_from(list(" ab:-\"'#中文")), max_size=200),
    indent=st.integers(0, 40),
    cols=st.integers(4, 120),
)
def test_fold_loses_nothing_and_every_row_fits(line, indent, cols):
    line = " " * indent + line
    rows = fold(line, cols)
    assert "".join(part for _lead, part in rows) == line
    assert rows[0][0] == ""
    for lead, part in rows:
        assert width(lead + part) <= cols or width(part) == width(part[:1]) > cols - width(lead)
