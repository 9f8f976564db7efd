"""The wizard's step order per role, back with values kept, restart, and the point of no return."""

import pytest

from cos_installer.answers.model import Role
from cos_installer.flow import POINT_OF_NO_RETURN, Step, Wizard, next_step, previous_step

CONTROLLER_ORDER = [
    "welcome", "role", "controller", "ha", "system", "nic", "dhcp", "address", "group",
    "disk", "data_disk", "confirm", "progress", "review", "done",
]  # fmt: skip
AGENT_ORDER = [
    "welcome", "role", "agent", "system", "nic", "network_model", "dhcp", "address",
    "disk", "data_disk", "confirm", "progress", "review", "done",
]  # fmt: skip


def walk(role: Role) -> list[str]:
    wizard = Wizard()
    seen = [wizard.step.value]
    wizard.advance()
    wizard.answers["role"] = role.value
    seen.append(wizard.step.value)
    while wizard.step is not Step.DONE:
        wizard.advance()
        seen.append(wizard.step.value)
    return seen


@pytest.mark.parametrize(
    ("role", "order"), [(Role.CONTROLLER, CONTROLLER_ORDER), (Role.AGENT, AGENT_ORDER)]
)
def test_each_role_walks_the_guides_order(role, order):
    assert walk(role) == order


@pytest.mark.parametrize(
    ("ha", "shown"), [(True, True), ("yes", True), (False, False), ("no", False)]
)
def test_the_group_is_asked_of_an_ha_controller_only(ha, shown):
    """After the address (the group is checked against it); a single controller skips it,
    forth and back."""
    wizard = Wizard(step=Step.ADDRESS, answers={"role": "controller", "controller": {"ha": ha}})
    assert wizard.advance() is (Step.GROUP if shown else Step.DISK)
    wizard.advance() if shown else None
    assert wizard.step is Step.DISK
    assert wizard.back() is (Step.GROUP if shown else Step.ADDRESS)
    assert (Step.GROUP in wizard.steps) is shown and wizard.position[1] == 14 + shown


def test_role_must_be_chosen_before_going_on():
    wizard = Wizard(step=Step.ROLE)
    with pytest.raises(ValueError, match="choose a role"):
        wizard.advance()


def test_back_keeps_answers_and_returns_to_previous_step():
    wizard = Wizard(step=Step.ROLE)
    entered = {"role": "agent", "system": {"hostname": "node1"}, "agent": {"install_code": "8070"}}
    wizard.answers.update(entered)
    wizard.advance()
    wizard.advance()  # agent -> system
    assert wizard.step is Step.SYSTEM
    assert wizard.back() is Step.AGENT
    assert wizard.back() is Step.ROLE
    assert wizard.answers == entered


def test_no_way_back_after_the_wipe_confirmation():
    for role in Role:
        assert previous_step(POINT_OF_NO_RETURN, role) is Step.DATA_DISK
        for step in (Step.PROGRESS, Step.REVIEW, Step.DONE):
            assert previous_step(step, role) is None
    wizard = Wizard(step=Step.PROGRESS, answers={"role": "controller"})
    assert wizard.past_point_of_no_return
    assert wizard.back() is None
    assert wizard.step is Step.PROGRESS


def test_welcome_has_no_previous_step():
    assert previous_step(Step.WELCOME, None) is None
    assert Wizard().back() is None


def test_role_specific_steps_are_skipped():
    assert next_step(Step.ROLE, Role.CONTROLLER) is Step.CONTROLLER
    assert next_step(Step.ROLE, Role.AGENT) is Step.AGENT
    assert next_step(Step.NIC, Role.CONTROLLER) is Step.DHCP
    assert next_step(Step.NIC, Role.AGENT) is Step.NETWORK_MODEL
    with pytest.raises(ValueError):
        next_step(Step.HA, Role.AGENT)


def test_restart_clears_answers_and_returns_to_welcome():
    wizard = Wizard(step=Step.DISK, answers={"role": "agent", "system": {"hostname": "node1"}})
    wizard.restart()
    assert wizard.step is Step.WELCOME
    assert wizard.answers == {}
    assert wizard.role is None


def test_position_counts_steps_of_the_chosen_role():
    wizard = Wizard(step=Step.SYSTEM, answers={"role": "agent"})
    assert wizard.position == (4, 14)
