"""The network stack in the answers file: bonds, VLAN, MTU, IPv6, IPv6 DNS. Tables of valid
and invalid sections with the message each gives; the rules that need the machine's NICs;
property tests for the field validators the wizard calls."""

from __future__ import annotations

import contextlib
import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cos_installer.answers import validate
from cos_installer.answers.document import AnswersError, from_mapping
from cos_installer.answers.effective import redacted_answers
from cos_installer.answers.model import BondSettings, Ipv6Mode
from cos_installer.hardware.types import Nic
from tests.engine.helpers import AGENT, DELETE, answers

M1, M2 = "52:54:00:00:00:01", "52:54:00:00:00:02"
BOND = {"network__interface": ["eth0", "eth1"]}
V6 = {"network__ipv6": "static", "network__address6": "2001:db8:122::101/64"}

VALID = [
    # (changes, what the NetworkSettings holds)
    ({}, {"interfaces": ["eth0"], "bond": None, "vlan": None, "mtu": None, "ipv6": Ipv6Mode.OFF}),
    ({"network__interface": ["eth0"]}, {"interfaces": ["eth0"], "bond": None}),
    (BOND, {"interfaces": ["eth0", "eth1"], "bond": BondSettings(), "top": "bond0"}),
    ({"network__interface": "eth0, eth1"}, {"interfaces": ["eth0", "eth1"]}),
    (BOND | {"network__bond": {"mode": "802.3ad", "miimon": 100, "lacp_rate": "fast"}},
     {"bond": BondSettings("802.3ad", 100, "fast", None)}),
    (BOND | {"network__bond": {"miimon": "250"}}, {"bond": BondSettings(miimon=250)}),
    (BOND | {"network__bond": {"mode": "Active-Backup", "primary": "eth1"}},
     {"bond": BondSettings("active-backup", 100, None, "eth1")}),
    (BOND | {"network__vlan": 100}, {"vlan": 100, "top": "vlan100"}),
    ({"network__vlan": "4094", "network__mtu": 9000}, {"vlan": 4094, "mtu": 9000}),
    ({"network__vlan": 1}, {"top": "vlan1"}),
    ({"network__mtu": 576}, {"mtu": 576}),
    ({"network__ipv6": False}, {"ipv6": Ipv6Mode.OFF}),  # YAML's unquoted `off`
    ({"network__ipv6": "SLAAC"}, {"ipv6": Ipv6Mode.SLAAC, "address6": None}),
    ({"network__ipv6": "dhcp"}, {"ipv6": Ipv6Mode.DHCP}),
    (V6, {"address6": ipaddress.IPv6Interface("2001:db8:122::101/64"), "gateway6": None}),
    (V6 | {"network__gateway6": "2001:db8:122::1"},
     {"gateway6": ipaddress.IPv6Address("2001:db8:122::1")}),
    (V6 | {"network__gateway6": "fe80::1"}, {"gateway6": ipaddress.IPv6Address("fe80::1")}),
    ({"network__dns": ["192.168.122.1", "2001:db8::53"]},
     {"dns": [ipaddress.IPv4Address("192.168.122.1"), ipaddress.IPv6Address("2001:db8::53")]}),
    ({"network__mac": M1.upper()}, {"macs": {"eth0": M1}, "mac": M1}),
    (BOND | {"network__mac": [M1, M2]}, {"macs": {"eth0": M1, "eth1": M2}, "mac": None}),
    ({"network__dhcp": True, "network__address": DELETE, "network__gateway": DELETE,
      "network__dns": DELETE, "network__ipv6": "slaac"}, {"dhcp": True, "ipv6": Ipv6Mode.SLAAC}),
]  # fmt: skip

INVALID = [
    # (changes, key path, message fragment)
    ({"network__interface": []}, "network.interface", "no NIC given"),
    ({"network__interface": ["eth0", "eth0"]}, "network.interface", "'eth0' is named twice"),
    ({"network__interface": "eth0,eth0"}, "network.interface", "'eth0' is named twice"),
    ({"network__interface": ["eth0", "eth*"]}, "network.interface", "item 2: 'eth*' is not a ne"),
    ({"network__interface": ["eth0", "bond0"]}, "network.interface", "'bond0' is the name"),
    ({"network__interface": "vlan100"}, "network.interface", "the bond or the VLAN"),
    ({"network__interface": "eth 0"}, "network.interface", "not a network interface name"),
    ({"network__interface": [["eth0"]]}, "network.interface", "list of single values"),
    ({"network__bond": {"mode": "active-backup"}}, "network.bond", "a bond of one NIC (eth0)"),
    ({"network__interface": ["eth0"], "network__bond": {}}, "network.bond", "a bond of one NIC"),
    (BOND | {"network__bond": "lacp"}, "network.bond", "expected a mapping such as {mode: ac"),
    (BOND | {"network__bond": {"mode": "lacp"}}, "network.bond.mode",
     "'lacp' is not a bond mode: expected one of active-backup, 802.3ad"),
    (BOND | {"network__bond": {"mod": "802.3ad"}}, "network.bond.mod", "did you mean 'mode'"),
    (BOND | {"network__bond": {"miimon": 0}}, "network.bond.miimon", "0 is out of range"),
    (BOND | {"network__bond": {"miimon": "fast"}}, "network.bond.miimon", "'fast' is not a num"),
    (BOND | {"network__bond": {"mode": "802.3ad", "lacp_rate": "1"}}, "network.bond.lacp_rate",
     "'1' is not an LACP rate: expected slow or fast"),
    (BOND | {"network__bond": {"lacp_rate": "fast"}}, "network.bond.lacp_rate",
     "is for mode 802.3ad only, and the mode is active-backup"),
    (BOND | {"network__bond": {"primary": "eth2"}}, "network.bond.primary",
     "'eth2' is not a member of the bond: expected one of eth0, eth1"),
    (BOND | {"network__bond": {"mode": "802.3ad", "primary": "eth0"}}, "network.bond.primary",
     "is for modes active-backup, balance-tlb, balance-alb only"),
    ({"network__vlan": 0}, "network.vlan", "0 is out of range: a VLAN ID is a number from 1 to"),
    ({"network__vlan": 4095}, "network.vlan", "4095 is out of range"),
    ({"network__vlan": "ten"}, "network.vlan", "'ten' is not a number: a VLAN ID"),
    ({"network__vlan": True}, "network.vlan", "True is not a number"),
    ({"network__vlan": [100]}, "network.vlan", "expected a single value, got a list"),
    ({"network__mtu": 9217}, "network.mtu", "9217 is out of range: an MTU is a number of bytes"),
    ({"network__mtu": 575}, "network.mtu", "575 is out of range"),
    ({"network__mtu": 1000, "network__ipv6": "slaac"}, "network.mtu", "1000 is below 1280"),
    ({"network__ipv6": "auto"}, "network.ipv6", "'auto' is not an IPv6 mode: expected off, sla"),
    ({"network__ipv6": True}, "network.ipv6", "is not an IPv6 mode"),
    ({"network__ipv6": "static"}, "network.address6", "missing: a value is required, e.g. 2001:"),
    (V6 | {"network__address6": "2001:db8::1"}, "network.address6", "'2001:db8::1' has no prefix"),
    (V6 | {"network__address6": "2001:db8::g/64"}, "network.address6", "is not valid: expected"),
    (V6 | {"network__address6": "192.168.1.1/24"}, "network.address6", "is not valid"),
    (V6 | {"network__address6": "fe80::5/64"}, "network.address6", "link-local"),
    (V6 | {"network__address6": "::ffff:1.2.3.4/96"}, "network.address6", "IPv4-mapped"),
    (V6 | {"network__address6": "2001:db8::/64"}, "network.address6", "subnet-router address"),
    (V6 | {"network__gateway6": "2001:db9::1"}, "network.gateway6",
     "2001:db9::1 is not inside 2001:db8:122::/64"),
    (V6 | {"network__gateway6": "2001:db8:122::101"}, "network.gateway6", "own address"),
    (V6 | {"network__gateway6": "ff02::1"}, "network.gateway6", "cannot be a gateway"),
    (V6 | {"network__gateway6": "192.168.122.1"}, "network.gateway6", "is not an IPv6 address"),
    ({"network__address6": "2001:db8::5/64"}, "network.address6",
     "2001:db8::5/64 is for ipv6: static, and ipv6 is off"),
    ({"network__ipv6": "slaac", "network__gateway6": "fe80::1"}, "network.gateway6",
     "is for ipv6: static, and ipv6 is slaac"),
    ({"network__dns": "2001:db8::53, nope"}, "network.dns", "'nope' is not an IP address"),
    (BOND | {"network__mac": M1}, "network.mac", "1 MAC address(es) for 2 NIC(s)"),
    (BOND | {"network__mac": [M1, M1]}, "network.mac", "a MAC address is given twice"),
    (BOND | {"network__mac": [M1, "x"]}, "network.mac", "'x' is not a MAC address"),
    ({"network__vlans": 100}, "network.vlans", "did you mean 'vlan'"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "expected"), VALID)
def test_valid_network_sections(changes, expected):
    net = from_mapping(answers(AGENT, **changes)).network
    for key, value in expected.items():
        assert getattr(net, key) == value, key


@pytest.mark.parametrize(("changes", "path", "fragment"), INVALID)
def test_invalid_network_sections_name_the_key_and_value(changes, path, fragment):
    with pytest.raises(AnswersError) as caught:
        from_mapping(answers(AGENT, **changes), source="a.yaml")
    hits = [e for e in caught.value.errors if e.startswith(f"a.yaml: {path}: ")]
    assert any(fragment in e for e in hits), caught.value.errors


def _nic(name: str, linked: bool = True, max_mtu: int | None = None) -> Nic:
    return Nic(name=name, mac="52:54:00:00:00:0" + name[-1], linked=linked, max_mtu=max_mtu)


HARDWARE = [
    # (changes, NICs of the machine, key path, message fragment)
    (BOND, [_nic("eth0")], "network.interface", "eth1 is not a NIC of this machine (it has: eth0)"),
    (BOND | {"network__bond": {"mode": "802.3ad"}}, [_nic("eth0"), _nic("eth1", linked=False)],
     "network.bond.mode", "802.3ad needs a link on every member, and eth1 has none [NoLink]"),
    (BOND | {"network__mtu": 9000}, [_nic("eth0", max_mtu=9216), _nic("eth1", max_mtu=1500)],
     "network.mtu", "9000 is more than eth1 takes (its driver's maximum is 1500)"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "nics", "path", "fragment"), HARDWARE)
def test_rules_with_the_machines_nics(changes, nics, path, fragment):
    data = answers(AGENT, **changes)
    from_mapping(data)  # without facts, the same section passes
    with pytest.raises(AnswersError) as caught:
        from_mapping(data, source="a.yaml", nics=nics)
    assert [e for e in caught.value.errors if e.startswith(f"a.yaml: {path}: {fragment}")], (
        caught.value.errors
    )


def test_active_backup_takes_a_member_without_link_and_a_fitting_mtu():
    nics = [_nic("eth0", max_mtu=9216), _nic("eth1", linked=False, max_mtu=9216)]
    net = from_mapping(answers(AGENT, **BOND, network__mtu=9000), nics=nics).network
    assert net.bond == BondSettings() and net.mtu == 9000


def test_effective_answers_read_back_to_the_same_stack():
    changes = BOND | V6 | {"network__vlan": 100, "network__mtu": 9000, "network__mac": [M1, M2],
                           "network__bond": {"mode": "802.3ad", "lacp_rate": "fast"},
                           "network__gateway6": "fe80::1"}  # fmt: skip
    first = from_mapping(answers(AGENT, **changes))
    shown = redacted_answers(first)
    assert shown["network"]["interface"] == ["eth0", "eth1"]
    again = from_mapping(answers(AGENT, network=shown["network"]))
    assert again.network == first.network


# --- property tests of the field validators the wizard calls ---------------------------------

junk = st.one_of(st.text(max_size=30), st.integers(-(10**7), 10**7), st.booleans(), st.none(),
                 st.lists(st.text(max_size=6), max_size=3))  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(junk)
def test_validators_answer_a_value_or_a_field_error(value):
    for check in (validate.interface_list, validate.bond_mode, validate.vlan_id, validate.mtu,
                  validate.ipv6_mode, validate.address6, validate.dns_servers, validate.miimon,
                  validate.lacp_rate):  # fmt: skip
        try:
            check(value)
        except validate.FieldError as exc:
            assert str(exc) and "\n" not in str(exc)
    with contextlib.suppress(validate.FieldError):
        validate.gateway6(value, ipaddress.IPv6Interface("2001:db8::5/64"))


@given(st.integers(-(10**5), 10**5))
def test_vlan_and_mtu_ranges(number):
    for check, low, high in ((validate.vlan_id, 1, 4094), (validate.mtu, 576, 9216)):
        if low <= number <= high:
            assert check(number) == number == check(str(number))
        else:
            with pytest.raises(validate.FieldError, match="out of range|not a number"):
                check(number)


@given(st.ip_addresses(v=6), st.integers(8, 127))
def test_gateway6_is_inside_the_prefix_or_link_local(gw, prefix):
    addr6 = ipaddress.IPv6Interface(f"2001:db8:1:2::10/{prefix}")
    inside = gw in addr6.network and gw != addr6.ip
    usable = not (gw.is_multicast or gw.is_loopback or gw.is_unspecified)
    if usable and (gw.is_link_local or inside):
        assert validate.gateway6(str(gw), addr6) == gw
    else:
        with pytest.raises(validate.FieldError):
            validate.gateway6(str(gw), addr6)


@given(st.lists(st.from_regex(r"[a-z]{1,4}[0-9]{1,3}", fullmatch=True), min_size=1, max_size=4))
def test_interface_list_keeps_order_and_refuses_repeats(names):
    reserved = any(n == "bond0" or (n.startswith("vlan") and n[4:].isdigit()) for n in names)
    if len(set(names)) == len(names) and not reserved:
        assert validate.interface_list(names) == names == validate.interface_list(",".join(names))
    else:
        with pytest.raises(validate.FieldError):
            validate.interface_list(names)


def test_the_readme_example_is_a_valid_network_section():
    import yaml

    from tests.engine.helpers import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Bonds, VLANs, MTU and IPv6", 1)[1].split("```yaml\n", 1)[1]
    section = yaml.safe_load(block.split("```", 1)[0])["network"]
    net = from_mapping(answers(AGENT, network=section)).network
    assert net.stack_text == (
        "bond0 (eth0+eth1, active-backup, MTU 9000) > vlan100 > 192.168.122.101/24, "
        "2001:db8:122::101/64"
    )


def test_the_wizard_engine_learns_the_chosen_nics_permanent_mac():
    from cos_installer.commands.wizard_engine import WizardEngine

    engine = WizardEngine(dry_run=True, profile="demo")
    nics = [Nic(name="eth0", mac="02:00:00:00:00:07", linked=True, perm_mac=M1)]
    config, errors = engine.build_config(answers(AGENT), nics)
    assert errors == [] and config.network.macs == {"eth0": M1}
    config, errors = engine.build_config(answers(AGENT, network__mtu=9000), [
        Nic(name="eth0", mac=M1, linked=True, max_mtu=1500)])  # fmt: skip
    assert config is None and any("network.mtu: 9000 is more than eth0" in e for e in errors)


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({}, "eth0 > 192.168.122.101/24"),
        ({"network__mtu": 9000, "network__ipv6": "slaac"},
         "eth0 (MTU 9000) > 192.168.122.101/24, SLAAC"),
        ({"network__vlan": 7, "network__dhcp": True, "network__ipv6": "dhcp"},
         "eth0 > vlan7 > DHCP, DHCPv6"),
        (BOND | {"network__bond": {"mode": "802.3ad"}} | V6,
         "bond0 (eth0+eth1, 802.3ad) > 192.168.122.101/24, 2001:db8:122::101/64"),
    ],
)  # fmt: skip
def test_the_stack_on_one_line(changes, shown):
    assert from_mapping(answers(AGENT, **changes)).network.stack_text == shown
