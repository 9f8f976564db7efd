"""Rules a new user met in the wizard (issue 19), held in the one validator per field: a port
has one spelling, an empty field says it is required, DNS servers are separated by ',' only,
a host name's ends are trimmed and a full name is one; the Summary's warnings on risky
choices (answers/risks.py) and the HA Done step's URL."""

from __future__ import annotations

import re

import pytest

from cos_installer.answers import validate
from cos_installer.answers.document import AnswersError, from_mapping
from cos_installer.answers.risks import risks
from cos_installer.answers.schema import answers_schema
from cos_installer.render.nextsteps import steps_of
from tests.engine.helpers import AGENT, CONTROLLER, DELETE, answers


@pytest.mark.parametrize("value", ["080", "0080", "00443", "0"])
def test_a_port_with_a_leading_zero_is_refused_not_read_as_another_spelling(value):
    with pytest.raises(validate.FieldError) as err:
        validate.http_port(value)
    if value != "0":
        assert f"'{value}' has a leading zero: write the port without it" in str(err.value)
    with pytest.raises(AnswersError, match="controller.http_port"):
        from_mapping(answers(CONTROLLER, controller__http_port=value))
    with pytest.raises(AnswersError, match="has a leading zero"):
        from_mapping(answers(AGENT, agent__controllers="192.168.122.170:080"))


def test_the_schema_refuses_the_leading_zero_the_validator_refuses():
    pattern = answers_schema()["properties"]["controller"]["properties"]["http_port"]["anyOf"][1]

    assert not re.search(pattern["pattern"], "080")
    assert re.search(pattern["pattern"], " 8080 ")
    assert validate.http_port(" 8080 ") == 8080


@pytest.mark.parametrize(
    ("validator", "args"),
    [
        (validate.http_port, ()),
        (validate.ipv4, ()),
        (validate.address, ()),
        (validate.hostname, ()),
        (validate.dns_servers, ()),
        (validate.gateway, (validate.address("10.0.0.5/24"),)),
    ],
)
def test_an_empty_field_says_it_is_required(validator, args):
    message = validate.error_of(validator, "", *args)
    assert message is not None and message.startswith("required: ")
    assert "''" not in message


def test_dns_servers_are_separated_by_a_comma_and_nothing_else():
    got = validate.dns_servers("10.0.0.2, 10.0.0.3")
    assert [str(s) for s in got] == ["10.0.0.2", "10.0.0.3"]
    assert validate.error_of(validate.dns_servers, "10.0.0.2 10.0.0.3") == (
        "'10.0.0.2 10.0.0.3': separate DNS servers with ',', e.g. 10.0.0.2,10.0.0.3"
    )
    assert "item 2 is empty" in validate.error_of(validate.dns_servers, "10.0.0.2,")
    assert [str(s) for s in validate.dns_servers(["10.0.0.2", "10.0.0.3"])] == [
        "10.0.0.2",
        "10.0.0.3",
    ]


def test_a_host_name_is_trimmed_and_may_be_a_full_name():
    assert validate.hostname("  node1 ") == "node1"
    assert validate.hostname("node1.example.com") == "node1.example.com"
    config = from_mapping(answers(AGENT, system__hostname=" node1.example.com "))
    assert config.system.hostname == "node1.example.com"
    assert "'_' is not allowed" in validate.error_of(validate.hostname, "node_1")


# --- the Summary's warnings -------------------------------------------------------------------

SIZE_1 = "HA with Cluster Size 1"
IPVLAN_DHCP = "Ipvlan agent on DHCP"
NO_LINK = "has no link [NoLink] now"
DHCP = {"network__dhcp": True, "network__address": DELETE, "network__gateway": DELETE,
        "network__dns": DELETE}  # fmt: skip


def warned(base: dict, linked: bool | None = True, **changes) -> list[str]:
    found = risks(from_mapping(answers(base, **changes)), linked)
    return [w for w in (SIZE_1, IPVLAN_DHCP, NO_LINK) if any(w in f for f in found)]


def test_a_plain_install_gets_no_warning():
    assert warned(CONTROLLER) == [] and warned(AGENT) == []
    assert warned(CONTROLLER, linked=None) == [], "a carrier not known is no warning"


def test_each_risky_choice_gets_its_warning():
    with pytest.raises(AnswersError, match="controller.group: an HA group needs this machine's"):
        warned(CONTROLLER, **DHCP)  # refused outright since the group is asked, so no warning
    single = {"controller__ha": False, "controller__group": DELETE}
    assert warned(CONTROLLER, **single, **DHCP) == [], "a single controller may"
    assert warned(CONTROLLER, controller__cluster_size=1) == [SIZE_1]
    assert warned(AGENT, agent__network_model="ipvlan", **DHCP) == [IPVLAN_DHCP]
    assert warned(AGENT, agent__network_model="bridge", **DHCP) == []
    assert warned(AGENT, linked=False) == [NO_LINK]
    (line,) = risks(from_mapping(answers(AGENT)), False)
    assert line.startswith("eth0 has no link")


def test_the_ha_done_step_browses_to_the_groups_first_controller():
    group = ["192.168.122.171", "192.168.122.170", "192.168.122.172"]
    config = from_mapping(answers(CONTROLLER, controller__group=group))
    text = " ".join(line for _kind, line in steps_of(config))
    assert "http://192.168.122.171/" in text and "<controller1 IP>" not in text
    no_group = from_mapping(answers(CONTROLLER))
    no_group.controller.group = None  # answers refuse it now; the steps still cope
    unknown = " ".join(line for _kind, line in steps_of(no_group))
    assert "http://<controller1 IP>/" in unknown, "without the group it is not known"


def test_a_bond_is_warned_of_by_its_unplugged_member_not_by_its_own_name():
    """bond0 is no NIC: its carrier is not read; each member's is (found by the merge of the
    bond and the Summary's warnings: every bond was 'bond0 has no link')."""
    bond = from_mapping(answers(AGENT, network__interface=["eth0", "eth1"]))
    (line,) = risks(bond, {"eth0": True, "eth1": False})
    assert line.startswith("eth1 has no link") and "bond0" not in line
    assert risks(bond, {"eth0": True, "eth1": True}) == []
    assert risks(bond, {}) == [], "a member whose carrier is not known is no warning"
