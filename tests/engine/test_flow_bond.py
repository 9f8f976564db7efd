"""The bond mode step: flow asks it only when several NICs were chosen (screens never decide
the order)."""

from __future__ import annotations

import pytest

from cos_installer.answers.model import Role
from cos_installer.flow import Step, Wizard, bonded, next_step, previous_step, steps_for

BOND = {"network": {"interface": ["eth0", "eth1"]}}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, False),
        ({"network": {"interface": "eth0"}}, False),
        ({"network": {"interface": ["eth0"]}}, False),
        (BOND, True),
        ({"network": "eth0"}, False),
    ],
)
def test_several_nics_make_a_bond(answers, expected):
    assert bonded(answers) is expected


def test_the_bond_mode_follows_the_nic_only_for_several_nics():
    assert next_step(Step.NIC, Role.CONTROLLER, {"network": {"interface": "eth0"}}) is Step.DHCP
    assert next_step(Step.NIC, Role.CONTROLLER, BOND) is Step.BOND
    assert next_step(Step.BOND, Role.CONTROLLER, BOND) is Step.DHCP
    assert next_step(Step.BOND, Role.AGENT, BOND) is Step.NETWORK_MODEL
    assert previous_step(Step.NETWORK_MODEL, Role.AGENT, BOND) is Step.BOND
    assert previous_step(Step.NETWORK_MODEL, Role.AGENT, {}) is Step.NIC
    assert Step.BOND not in steps_for(Role.CONTROLLER, {})
    assert len(steps_for(Role.CONTROLLER, BOND)) == len(steps_for(Role.CONTROLLER, {})) + 1


def test_the_wizard_passes_over_the_bond_mode_once_one_nic_is_chosen_again():
    w = Wizard(step=Step.NIC, answers={"role": "controller", **BOND})
    assert w.advance() is Step.BOND
    assert w.back() is Step.NIC
    w.answers["network"]["interface"] = "eth1"
    assert w.advance() is Step.DHCP
    assert w.back() is Step.NIC
