"""Global keys: Esc goes back keeping values (never past the wipe confirmation), Ctrl+D
restarts with fresh probes and empty values, Ctrl+C leaves (asking once the install has
started), Tab moves between fields; the 80x24 guard."""

from __future__ import annotations

import urwid
import urwid.testing
from cos_installer.screens.app import App

from .conftest import CONTROLLER_VALUES, FakeEngine, Harness, at


def test_esc_goes_back_with_every_value_kept():
    h = Harness(FakeEngine())
    h.press("enter", "down", " ", "enter")  # Welcome, Role: Agent
    assert h.step == "agent"
    h.type("10.0.0.1:80")
    h.press("tab")
    h.type("8070")
    h.press("enter")
    assert h.step == "system"
    h.type("node1")
    h.press("esc")  # what was typed on System is kept as well
    assert h.step == "agent"
    text = h.show()
    assert "10.0.0.1:80" in text and "8070" in text
    h.press("esc")
    assert h.step == "role"
    assert "(*) Agent" in h.show()
    h.press("enter", "enter")
    assert h.step == "system"
    assert h.app.wizard.answers["agent"]["controllers"] == "10.0.0.1:80"
    assert "node1" in h.show()


def test_values_typed_on_a_screen_left_with_esc_are_not_applied_but_earlier_ones_are():
    h = at("address", CONTROLLER_VALUES)
    h.press("esc")  # DHCP is passed over on the way back
    assert h.step == "nic"
    assert "Enter: eth0 alone." in h.show()  # highlighted: Enter takes it


def test_esc_never_goes_past_the_wipe_confirmation():
    h = at("confirm", CONTROLLER_VALUES)
    h.confirm()
    assert h.step == "progress"
    text = h.press("esc")
    assert h.step == "progress"
    assert "there is no going back" in text
    h.press("enter", "esc")
    assert h.step == "review"


def test_ctrl_d_restarts_from_welcome_with_empty_values_and_fresh_probes():
    engine = FakeEngine()
    h = Harness(engine)
    h.press("enter", "enter", "enter", "enter")
    assert h.step == "system"
    opened = engine.opened
    text = h.press("ctrl d")
    assert h.step == "welcome"
    assert "Welcome to the COS installer" in text
    assert h.app.wizard.answers == {}
    assert engine.opened == opened + 1
    h.press("enter")
    assert "( ) Controller" in h.show(), "the role is asked again"


def test_ctrl_d_is_refused_while_the_install_runs():
    h = at("confirm", CONTROLLER_VALUES)
    h.app.install_state = "running"
    text = h.press("ctrl d")
    assert h.step == "confirm" and "Ctrl+D is not available" in text


def run_loop(
    app_kwargs: dict, keys: list[list[str]]
) -> tuple[App, int, urwid.testing.ScriptedScreen]:
    screen = urwid.testing.ScriptedScreen(size=(80, 24), inputs=keys)
    app = App(FakeEngine(), dry_run=True, screen=screen, sync=True, **app_kwargs)
    return app, app.run(), screen


def test_ctrl_c_leaves_at_once_before_the_install():
    app, code, screen = run_loop({}, [["enter"], ["enter"], ["ctrl c"], ["enter"]])
    assert code == 130
    assert "no disk was changed" in app.exit_message
    assert app.wizard.step.value == "controller", "the keys after Ctrl+C were not processed"
    assert screen.started is False, "the screen was stopped (terminal restored)"


def test_ctrl_c_during_the_install_asks_and_says_what_state_the_disk_is_in():
    h = at("confirm", CONTROLLER_VALUES)
    h.app.dry_run = False
    h.app.install_state = "running"
    h.app.wizard.step = h.app.wizard.step.__class__("progress")
    text = h.press("ctrl c")
    assert "Leave the installer?" in text
    flat = " ".join(line[10:70] for line in text.splitlines())  # inside the dialog box
    assert "/dev/sda is partly written and will not boot" in " ".join(flat.split())
    h.press("n")
    assert "Leave the installer?" not in h.show()
    h.press("ctrl c")
    try:
        h.press("y")
    except urwid.ExitMainLoop:
        pass
    else:
        raise AssertionError("y must leave")
    assert h.app.cancel.is_set(), "the install is told to stop"
    assert h.app.exit_code == 130


def test_tab_cycles_through_the_fields():
    h = at("system", CONTROLLER_VALUES)
    view = h.app.view
    assert view.listbox.focus is view.hostname
    h.press("tab")
    assert view.listbox.focus is view.password
    h.press("tab", "tab")
    assert view.listbox.focus is view.hostname
    h.press("shift tab")
    assert view.listbox.focus is view.again


def test_terminal_smaller_than_80x24_shows_a_notice_and_resizing_back_restores():
    h = at("system", CONTROLLER_VALUES)
    before = h.show()
    h.screen.size = (79, 24)
    text = h.show()
    assert "enlarge the terminal to 80x24" in " ".join(text.split())
    assert "HostName" not in text
    h.press("x")  # keys do not reach the hidden screen
    h.screen.size = (80, 23)
    assert "enlarge the terminal" in h.show()
    h.screen.size = (80, 24)
    assert h.show() == before


def test_no_mouse_is_asked_for():
    h = Harness(FakeEngine())
    assert h.app.loop.handle_mouse is False


def test_nic_rows_follow_the_link_state_the_app_polls():
    h = at("nic", CONTROLLER_VALUES)
    assert "eth2        [NoLink]" in h.show()
    h.app.machine.links["eth2"] = True
    h.app.machine.links["eth0"] = False
    view = h.app.view
    view.update_links(h.app.machine.link_states(view.names))
    text = h.show()
    assert "eth2        [Linked]" in text and "eth0        [NoLink]" in text


def test_answers_prefill_every_screen_and_can_still_be_changed():
    answers = {
        "role": "controller",
        "controller": {"http_port": 8080, "cluster_size": 5, "ha": False},
        "system": {"hostname": "controller2", "password": "pw"},
        "network": {"interface": "eth1", "dhcp": False, "address": "10.0.0.5/24",
                    "gateway": "10.0.0.1", "dns": ["10.0.0.2", "10.0.0.3"]},
        "disk": "/dev/sdb",
    }  # fmt: skip
    h = Harness(FakeEngine(), answers=answers)
    assert "(*) Controller" in h.press("enter")
    text = h.press("enter")
    assert "8080" in text and "(*) 5" in text
    h.press("backspace", "1")  # still editable: 8081
    assert "(*) No" in h.press("enter")
    assert "controller2" in h.press("enter")
    assert "Enter: eth1 alone." in h.press("enter")
    text = h.press("enter")  # DHCP (no answer on eth1) then the address screen
    assert h.step == "address"
    assert "10.0.0.5/24" in text and "10.0.0.2,10.0.0.3" in text
    assert "(*) /dev/sdb" in h.press("enter")
    h.press("enter", "enter")
    assert h.step == "confirm"
    assert h.app.facts.config_errors == []
    config = h.app.facts.config
    assert config.controller.http_port == 8081 and config.controller.cluster_size == 5
    assert config.system.hostname == "controller2" and config.disk == "/dev/sdb"
