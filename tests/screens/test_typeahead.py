"""Typed-ahead keys never cross the point of no return: keys that arrive before the Summary is
drawn, or in its first second, are dropped; it opens on [Back]; erasing is moving to
[Erase and install] and Enter there. The same for the Summary that offers to clear RAID/LVM.
The clock is the harness's (no sleeping); the real terminal is in test_typeahead_terminal."""

from __future__ import annotations

import copy
import os
import pty
import select

import pytest
import urwid.testing

from cos_installer.common.typeahead import GUARD_S, flush_input
from cos_installer.flow import Step

from .conftest import AGENT_VALUES, CONTROLLER_VALUES, FakeEngine, Harness, at, changed
from .test_layout import held_machine


def test_a_double_enter_on_the_data_disk_screen_stops_at_the_summary():
    h = at("data_disk", CONTROLLER_VALUES)
    h.press("enter", "enter")  # one batch: the second Enter arrives before the Summary is drawn
    assert h.step == "confirm", "the second Enter started the install"
    assert h.engine.installs == []


@pytest.mark.parametrize("burst", [["enter"], ["tab", "enter"], ["right", "enter"], ["esc"]])
def test_keys_in_the_summarys_first_second_are_dropped(burst):
    h = at("confirm", CONTROLLER_VALUES)
    h.show()  # drawn
    h.clock.advance(GUARD_S - 0.05)
    h.press(*burst)
    assert h.step == "confirm" and h.engine.installs == []
    assert h.app.view.focused_button is h.app.view.back_button, "Tab was dropped too"


def test_the_summary_opens_on_back_and_enter_there_goes_back():
    h = at("confirm", CONTROLLER_VALUES)
    shown = h.show()
    assert "[ Back ]" in shown and "[ Erase and install ]" in shown
    assert "Move to [Erase and install] (Tab) and press Enter there" in shown
    h.clock.advance(GUARD_S)
    h.press("enter")
    assert h.step == "data_disk" and h.engine.installs == []


def test_moving_to_erase_and_enter_there_installs():
    h = at("confirm", CONTROLLER_VALUES)
    h.confirm()
    assert h.step == "progress" and len(h.engine.installs) == 1


def test_left_and_right_move_between_the_buttons_and_space_presses_nothing():
    h = at("confirm", CONTROLLER_VALUES)
    h.show()
    h.clock.advance(GUARD_S)
    view = h.app.view
    h.press("right", "right")
    assert view.focused_button is view.erase_button
    h.press(" ")
    assert h.step == "confirm", "Space is not the erase key"
    h.press("left")
    assert view.focused_button is view.back_button


def test_the_summary_that_clears_raid_lvm_has_the_same_guard():
    h = at("confirm", CONTROLLER_VALUES, machine=held_machine(mounted=False))
    h.press("enter", "tab", "enter")  # before the drawing
    h.show()
    h.press("tab", "enter")  # within the first second
    assert h.step == "confirm" and h.engine.cleared == []
    h.confirm()
    assert h.engine.cleared == [True]


def test_a_summary_with_errors_offers_only_back():
    h = at("confirm", changed(AGENT_VALUES, system__hostname="Bad_Host"))
    h.show()
    h.clock.advance(GUARD_S)
    assert h.app.view.erase_button is None
    h.press("tab", "enter")
    assert h.step == "data_disk" and h.engine.installs == []


def test_the_drawing_flushes_what_the_terminal_holds_unread():
    """A real pty: bytes typed before the Summary is drawn are gone from the tty's queue."""
    master, slave = pty.openpty()
    try:

        class PtyScreen(urwid.testing.ScriptedScreen):
            def _input_fileno(self) -> int:
                return slave

        h = Harness(FakeEngine(), screen=PtyScreen(size=(80, 24)))
        h.app.wizard.answers.update(copy.deepcopy(CONTROLLER_VALUES))
        h.app.show(Step.CONFIRM)
        os.write(master, b"\t\r\r")
        assert select.select([slave], [], [], 2)[0], "the pty delivers the bytes"
        h.show()  # the first drawing
        assert not select.select([slave], [], [], 0.2)[0], "typed-ahead bytes are still queued"
    finally:
        os.close(master)
        os.close(slave)


def test_flush_input_is_a_no_op_off_a_terminal():
    read, write = os.pipe()
    try:
        os.write(write, b"\r")
        assert flush_input(read) is False and flush_input(None) is False
        assert os.read(read, 1) == b"\r"
    finally:
        os.close(read)
        os.close(write)
