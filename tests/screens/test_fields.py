"""Every field's error shows where the field is, as the validator phrases it; Next refuses
and moves the focus to the first bad field."""

from __future__ import annotations

import ipaddress

import pytest
from cos_installer.screens.widgets import LABEL_WIDTH

from cos_installer.answers import validate

from .conftest import AGENT_VALUES, CONTROLLER_VALUES, at, changed

NET = ipaddress.IPv4Interface("192.168.122.101/24")

# (step, values, field attribute, bad input, expected message)
CASES = [
    ("controller", CONTROLLER_VALUES, "port", "0", validate.error_of(validate.http_port, "0")),
    ("controller", CONTROLLER_VALUES, "port", "http",
     validate.error_of(validate.http_port, "http")),
    ("agent", AGENT_VALUES, "controllers", "", validate.error_of(validate.controller_list, "")),
    ("agent", AGENT_VALUES, "controllers", "10.0.0.1",
     validate.error_of(validate.controller_list, "10.0.0.1")),
    ("agent", AGENT_VALUES, "code", "80a0", validate.error_of(validate.install_code, "80a0")),
    ("agent", AGENT_VALUES, "gateway", "10.0.0.300",
     validate.error_of(validate.optional_ipv4, "10.0.0.300")),
    ("agent", AGENT_VALUES, "dns", "dns", validate.error_of(validate.optional_ipv4, "dns")),
    ("system", CONTROLLER_VALUES, "hostname", "node_1",
     validate.error_of(validate.hostname, "node_1")),
    ("system", CONTROLLER_VALUES, "password", "", validate.error_of(validate.password, "")),
    ("system", CONTROLLER_VALUES, "again", "cos2",
     validate.error_of(validate.password_confirmation, "cos", "cos2")),
    ("address", CONTROLLER_VALUES, "address", "192.168.122.101",
     validate.error_of(validate.address, "192.168.122.101")),
    ("address", CONTROLLER_VALUES, "gateway", "10.1.1.1",
     validate.error_of(validate.gateway, "10.1.1.1", NET)),
    ("address", CONTROLLER_VALUES, "dns", "", validate.error_of(validate.dns_servers, "")),
]  # fmt: skip


def flat(text: str) -> str:
    """The screen's text with borders and line breaks removed (messages wrap)."""
    rows = [line.strip("│|").strip() for line in text.splitlines()]
    return " ".join(" ".join(rows).split())


@pytest.mark.parametrize(("step", "values", "attr", "bad", "message"), CASES)
def test_field_error_shows_at_the_field_and_next_refuses(step, values, attr, bad, message):
    assert message, "the case must be a bad value"
    h = at(step, values)
    view = h.app.view
    field = getattr(view, attr)
    view.focus_widget(field)
    h.press(*["backspace"] * 60)
    screen = h.type(bad)
    screen = h.press("enter")
    assert h.step == step, "Next must refuse an invalid screen"
    assert message in flat(screen)
    assert field.error == message
    assert view.listbox.focus is field, "focus goes to the first bad field"
    lines = screen.splitlines()
    cell = f"{field.label}:".ljust(LABEL_WIDTH + 1)
    label_row = next(i for i, line in enumerate(lines) if line[2:].startswith(cell))
    assert message.split()[0] in lines[label_row + 1], "the message is right under its field"


def test_first_bad_field_gets_the_focus_and_fixing_clears_the_message():
    h = at("address", CONTROLLER_VALUES)
    view = h.app.view
    view.address.value = "bad"
    view.dns.value = "bad"
    view.focus_widget(view.dns)
    h.press("enter")
    assert view.listbox.focus is view.address
    assert view.address.error and view.dns.error
    h.press(*["backspace"] * 5)
    h.type("192.168.122.101/24")
    assert view.address.error is None, "typing clears the stale message"
    view.dns.value = "192.168.122.1"
    h.press("enter")
    assert h.step == "group"  # an HA controller's next question


def test_ipvlan_note_follows_the_address():
    h = at("address", AGENT_VALUES)
    view = h.app.view
    assert "192.168.122.105" in flat(h.show())
    view.focus_widget(view.address)
    h.press(*["backspace"] * 6)
    h.type("21/24")
    assert validate.ipvlan_note(ipaddress.IPv4Interface("192.168.122.21/24")) in flat(h.show())


def test_dhcp_mode_needs_no_address():
    h = at(
        "address",
        changed(CONTROLLER_VALUES, network__address="", network__gateway="", network__dns=""),
    )
    h.press("enter")
    assert h.step == "address"
    view = h.app.view
    view.focus_widget(view.mode)
    h.press("down", " ", "enter")
    assert h.step == "group"
    assert h.app.wizard.answers["network"]["dhcp"] is True


def test_disk_screen_offers_only_usable_disks():
    h = at("disk", changed(CONTROLLER_VALUES, disk=None))
    choices = h.app.view.choice.choices
    assert set(choices) == {"/dev/sda", "/dev/sdb", "/dev/sde"}
    text = h.show()
    assert "not offered: install media" in text
    assert "not offered: too small" in text
    assert "IN USE: /dev/sde1 is mounted on /mnt/data" in text
    h.press("down", "down", "down", " ", "enter")  # sda, sdb, sde
    assert h.app.wizard.answers["disk"] == "/dev/sde"


def test_summary_names_the_disk_that_is_wiped_and_lists_engine_errors():
    h = at("confirm", CONTROLLER_VALUES)
    text = flat(h.show())
    assert "ALL DATA WILL BE ERASED ON: /dev/sda (QEMU HARDDISK, serial QM00001, 64.0 GiB)" in text
    assert "/dev/sdb (QEMU HARDDISK, serial QM00002, 200.0 GiB)" in text
    bad = at("confirm", changed(CONTROLLER_VALUES, system__hostname="Bad_Host"))
    text = flat(bad.show())
    assert "wizard: system.hostname:" in text
    bad.press("enter")
    assert bad.step == "confirm", "Enter refuses while the engine reports errors"


@pytest.mark.parametrize(
    ("address", "gateway"),
    [("192.168.122.101", "192.168.1"), ("", "gw.example"), ("10.0.0.0/33", "10.0.0.256")],
)
def test_gateway_syntax_is_checked_while_the_address_is_still_wrong(address, gateway):
    """No network to judge the gateway against yet, but a malformed one is said at once."""
    h = at(
        "address", changed(CONTROLLER_VALUES, network__address=address, network__gateway=gateway)
    )
    screen = h.press("enter")
    view = h.app.view
    assert h.step == "address"
    assert view.address.error == validate.error_of(validate.address, address)
    assert view.gateway.error == validate.error_of(validate.ipv4, gateway)
    assert view.gateway.error and view.gateway.error in flat(screen)
    assert view.listbox.focus is view.address, "the first bad field keeps the focus"


def test_a_well_formed_gateway_waits_for_the_address_before_its_network_is_judged():
    h = at(
        "address",
        changed(CONTROLLER_VALUES, network__address="192.168.122.101", network__gateway="10.1.1.1"),
    )
    h.press("enter")
    view = h.app.view
    assert view.address.error and view.gateway.error is None
    view.address.value = "192.168.122.101/24"
    h.press("enter")
    assert h.step == "address"
    assert view.gateway.error == validate.error_of(validate.gateway, "10.1.1.1", NET)
