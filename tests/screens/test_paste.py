"""A long paste does not freeze the wizard: the work to take it is linear in its length (the
characters urwid lays out are counted, not seconds), every field has a length cap, and a paste
the cap cuts says so. Timing is in benchmarks/paste.py."""

from __future__ import annotations

import pytest
import urwid

from cos_installer.answers import validate
from cos_installer.answers.model import ControllerAddress

from .conftest import AGENT_VALUES, at, changed

ITEM = "192.168.122.170:80,"


def controllers(n: int) -> str:
    return (ITEM * (n // len(ITEM) + 1))[:n]


@pytest.fixture
def laid_out(monkeypatch):
    """Characters urwid's text layout has processed since the fixture started."""
    counted = [0]
    layout = urwid.text_layout.default_layout
    real = layout.layout

    def counting(text, *args, **kwargs):
        counted[0] += len(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(layout, "layout", counting)
    return counted


def paste_work(laid_out, n: int) -> int:
    """Characters laid out to take a paste of `n` characters into the Controller field and
    draw the result, less what drawing the screen costs anyway."""
    h = at("agent", {"role": "agent"})
    h.show()
    before = laid_out[0]
    h.show()
    drawing = laid_out[0] - before
    before = laid_out[0]
    h.paste(controllers(n))
    assert len(h.app.view.controllers.value) == n
    return laid_out[0] - before - drawing


def test_a_paste_into_the_controller_field_costs_work_linear_in_its_length(laid_out):
    small = paste_work(laid_out, 400)
    assert small <= 10 * 400, f"{small} characters laid out for a 400-character paste"
    large = paste_work(laid_out, 4000)
    assert large <= 10 * 4000, f"{large} characters laid out for a 4000-character paste"


def test_a_100k_paste_is_cut_at_the_cap_and_says_so(laid_out):
    h = at("agent", {"role": "agent"})
    h.show()
    before = laid_out[0]
    shown = h.paste(controllers(100_000))
    field = h.app.view.controllers
    assert len(field.value) == field.max_len == 4096
    assert "cut at 4096 characters" in shown.replace("\n", " ").replace("│", " ")
    assert laid_out[0] - before <= 20 * 4096 + 20_000, "the cut-off part cost work too"


def test_typing_at_the_cap_is_refused_with_the_message():
    h = at("agent", {"role": "agent"})
    h.paste(controllers(5000))
    field = h.app.view.controllers
    field.set_error(None)
    h.press("x")
    assert len(field.value) == 4096 and "cut at 4096 characters" in (field.error or "")


@pytest.mark.parametrize(
    ("step", "attr", "cap"),
    [
        ("agent", "code", 255),
        ("agent", "gateway", 255),
        ("system", "hostname", 253),
        ("system", "password", 256),
        ("address", "dns", 255),
        ("controller", "port", 255),
    ],
)
def test_every_field_has_a_cap(step, attr, cap):
    h = at(step, changed(AGENT_VALUES, network__dhcp=False))
    field = getattr(h.app.view, attr)
    h.app.view.focus_widget(field)
    field.value = ""
    h.paste("1" * 10_000)
    assert len(field.value) == field.max_len == cap


def test_a_burst_on_a_list_screen_still_acts_key_by_key():
    h = at("data_disk", AGENT_VALUES)
    h.paste("  ")  # a space selects on a list: a run of them is not swallowed as a paste
    assert h.app.view.choice.selected == ""
    h.press("down")
    h.paste(" x")
    assert h.app.view.choice.selected == "/dev/sdb"


def test_controller_list_validation_is_linear_in_the_number_of_items(monkeypatch):
    compared = [0]
    real = ControllerAddress.__eq__

    def counting(self, other):
        compared[0] += 1
        return real(self, other)

    monkeypatch.setattr(ControllerAddress, "__eq__", counting)
    many = ",".join(f"10.0.{i // 250}.{i % 250 + 1}:80" for i in range(2000))
    assert len(validate.controller_list(many)) == 2000
    assert compared[0] <= 2000, f"{compared[0]} comparisons for 2000 controllers"


# --- the terminal's input: a long read is decoded in linear time, to the same keys ----------

TOKENS = [b"a", b"Z", b" ", b"192.168.1.1:80,", b"\r", b"\t", b"\x7f", b"\x1b[A", b"\x1b[B",
          "中".encode(), "é".encode(), b"\x1b", b"\x03", b"~"]  # fmt: skip


def keys_of(screen_class, data: bytes) -> list[str]:
    """The keys a raw screen decodes from `data` as one read, pastes spelt out key by key."""
    from cos_installer.screens.paste import Paste

    keys, _raw = screen_class().parse_input(None, None, list(data), wait_for_more=False)
    out: list[str] = []
    for key in keys:
        out += list(key.text) if isinstance(key, Paste) else [key]
    return out


@pytest.mark.parametrize(
    "data",
    [b"", b"x", b"abc\rdef", b"\x1b[A" * 300, b"x" * 300 + b"\x1b[B" + "中".encode() * 200,
     b"\t".join([b"a" * 100] * 10), b"ab\x1b", b"\x1b[1;5A" + b"q" * 500],
)  # fmt: skip
def test_the_wizards_screen_decodes_a_read_as_urwid_does(data):
    from cos_installer.screens.theme import SerialSafeScreen

    assert keys_of(SerialSafeScreen, data) == keys_of(urwid.display.raw.Screen, data)


def test_the_same_keys_for_any_mix_of_text_escapes_and_utf8():
    from cos_installer.screens.theme import SerialSafeScreen
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.sampled_from(TOKENS), max_size=400))
    def same(tokens):
        data = b"".join(tokens)
        assert keys_of(SerialSafeScreen, data) == keys_of(urwid.display.raw.Screen, data)

    same()


def test_a_100k_read_is_decoded_with_work_linear_in_its_length(monkeypatch):
    """urwid decodes key by key and copies what is left each time; the wizard's screen hands
    it only what is not a printable run (counted: the copies urwid makes)."""
    from cos_installer.screens.theme import SerialSafeScreen

    copied = [0]
    real = urwid.display.escape.process_keyqueue

    def counting(codes, *args, **kwargs):
        copied[0] += len(codes)
        return real(codes, *args, **kwargs)

    monkeypatch.setattr(urwid.display.escape, "process_keyqueue", counting)
    data = controllers(100_000).encode() + b"\r" + controllers(1000).encode()
    keys, _raw = SerialSafeScreen().parse_input(None, None, list(data), wait_for_more=False)
    assert sum(len(k) for k in keys if k != "enter") == 101_000 and "enter" in keys
    assert copied[0] <= 2 * len(data), f"{copied[0]} codes handled for a {len(data)}-byte read"
