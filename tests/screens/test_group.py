"""The HA group screen: this machine's address in its place, the engine's validator's message
under the address it is about, and the group kept in the answers' shape."""

from __future__ import annotations

from .conftest import CONTROLLER_VALUES, at, changed, clear

NO_GROUP = changed(CONTROLLER_VALUES, controller__group=None)


def values(h) -> list[str]:
    return [field.value for field in h.app.view.members]


def test_this_machine_is_prefilled_first_and_moves_to_the_place_chosen():
    h = at("group", NO_GROUP)
    assert values(h) == ["192.168.122.101", "", ""]
    view = h.app.view
    view.members[1].value = "192.168.122.102"
    view.focus_widget(view.place)
    h.press("down", " ")  # this machine is controller2
    assert values(h) == ["192.168.122.102", "192.168.122.101", ""]


def test_a_duplicate_then_this_machine_missing_then_a_good_group():
    h = at("group", NO_GROUP)
    view = h.app.view
    view.members[1].value = "192.168.122.101"
    view.members[2].value = "192.168.122.103"
    h.press("enter")
    assert h.step == "group"
    assert [f.error is not None for f in view.members] == [False, True, False]
    assert "an address appears twice" in view.members[1].error
    assert view.listbox.focus is view.members[1]
    view.members[0].value = "192.168.122.110"
    view.members[1].value = "192.168.122.102"
    h.press("enter")
    assert h.step == "group"
    message = view.members[0].error  # about this machine: its place
    assert message and "this machine's address 192.168.122.101 is not in the group" in message
    view.focus_widget(view.members[0])
    clear(h, 20)
    h.type("192.168.122.101")
    h.press("enter")
    assert h.step == "disk"
    assert h.app.wizard.answers["controller"]["group"] == [
        "192.168.122.101", "192.168.122.102", "192.168.122.103"]  # fmt: skip


def test_outside_the_network_is_said_under_that_address():
    h = at("group", NO_GROUP)
    view = h.app.view
    view.members[1].value = "10.0.0.2"
    view.members[2].value = "192.168.122.103"
    h.press("enter")
    assert view.members[1].error and "is not inside 192.168.122.0/24" in view.members[1].error


def test_an_answers_files_group_prefills_it_and_its_place():
    group = ["192.168.122.100", "192.168.122.101", "192.168.122.102"]
    h = at("group", changed(CONTROLLER_VALUES, controller__group=", ".join(group)))
    assert values(h) == group and h.app.view.place.selected == 1
    h.press("enter")
    assert h.step == "disk"


def test_under_dhcp_it_says_a_static_address_is_needed():
    h = at("group", changed(NO_GROUP, network__dhcp=True))
    assert "DHCP: an HA group needs a static address (Esc)" in h.show()
    view = h.app.view
    view.members[0].value, view.members[1].value = "192.168.122.1", "192.168.122.2"
    view.members[2].value = "192.168.122.3"
    h.press("enter")
    assert h.step == "group" and "static address" in view.members[0].error


def test_a_single_controller_skips_it_and_its_group_is_not_installed():
    h = at("address", changed(CONTROLLER_VALUES, controller__ha=False))
    h.press("enter")
    assert h.step == "disk"
    h.app.show(h.app.wizard.steps[h.app.wizard.steps.index(h.app.wizard.step) + 2])
    assert h.step == "confirm" and h.app.facts.config_errors == []
    assert h.app.facts.config.controller.group is None
