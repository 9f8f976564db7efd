"""The network stack in the rendered cloud-config: systemd-networkd .netdev/.network files for
a single NIC matched by its permanent MAC, a bond, a VLAN on a bond, MTU, IPv6 static and
SLAAC (goldens), each passing coreos-cloudinit's rules; and the files' INI read back."""

from __future__ import annotations

import configparser
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cos_installer.answers.document import AnswersError, from_mapping
from cos_installer.render.checker import check
from cos_installer.render.config import render_config
from tests.engine.helpers import AGENT, CONTROLLER, DELETE, GOLDEN, answers
from tests.netunits import network_files

M1, M2 = "52:54:00:00:00:01", "52:54:00:00:00:02"
BOND = {"network__interface": ["eth0", "eth1"], "network__mac": [M1, M2]}
V6 = {"network__ipv6": "static", "network__address6": "2001:db8:122::101/64",
      "network__gateway6": "2001:db8:122::1",
      "network__dns": ["192.168.122.1", "2001:db8::53"]}  # fmt: skip
VARIANTS = {
    "single-mac": {"network__mac": M1},
    "single-name": {},
    "bond": BOND | {"network__bond": {"mode": "active-backup", "primary": "eth1"}},
    "bond-lacp": BOND | {"network__bond": {"mode": "802.3ad", "lacp_rate": "fast", "miimon": 50}},
    "vlan-on-bond": BOND | {"network__vlan": 100, "network__mtu": 9000} | V6,
    "vlan-on-nic": {"network__mac": M1, "network__vlan": 42},
    "mtu": {"network__mac": M1, "network__mtu": 9000},
    "ipv6-static": {"network__mac": M1} | V6,
    "ipv6-slaac": {"network__mac": M1, "network__ipv6": "slaac"},
    "ipv6-dhcp": {
        "network__dhcp": True,
        "network__address": DELETE,
        "network__gateway": DELETE,
        "network__dns": DELETE,
        "network__ipv6": "dhcp",
    },  # fmt: skip
}


def shown(files: dict[str, str]) -> str:
    return "".join(f"# {path}\n{content}\n" for path, content in files.items())


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_golden_network_files(name):
    text = render_config(from_mapping(answers(AGENT, **VARIANTS[name])))
    assert check(text) == []
    got = shown(network_files(text))
    golden = GOLDEN / f"net-{name}.networkd"
    if os.environ.get("COS_UPDATE_GOLDEN") == "1":
        golden.write_text(got)
    assert got == golden.read_text()


def ini(content: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keep networkd's key case
    parser.read_string(content)
    return parser


def test_a_vlan_on_a_bond_is_the_stack_bottom_up():
    text = render_config(from_mapping(answers(CONTROLLER, **VARIANTS["vlan-on-bond"])))
    files = {path.rpartition("/")[2]: ini(c) for path, c in network_files(text).items()}
    assert list(files) == ["10-eth0.network", "10-eth1.network", "20-bond0.netdev",
                           "20-bond0.network", "30-vlan100.netdev",
                           "30-vlan100.network"]  # fmt: skip
    for nic, mac in (("eth0", M1), ("eth1", M2)):
        member = files[f"10-{nic}.network"]
        assert dict(member["Match"]) == {"PermanentMACAddress": mac}  # not the live name
        assert member["Network"]["Bond"] == "bond0"
        assert member["Link"]["MTUBytes"] == "9000"
    assert dict(files["20-bond0.netdev"]["NetDev"]) == {"Name": "bond0", "Kind": "bond",
                                                        "MTUBytes": "9000"}  # fmt: skip
    assert files["20-bond0.netdev"]["Bond"]["MIIMonitorSec"] == "100ms"
    bond = files["20-bond0.network"]
    assert bond["Network"]["VLAN"] == "vlan100" and "Address" not in bond["Network"]
    assert files["30-vlan100.netdev"]["VLAN"]["Id"] == "100"
    top = files["30-vlan100.network"]
    assert top["Link"]["MTUBytes"] == "9000"
    assert top["Network"]["Gateway"] == "2001:db8:122::1"  # the last Gateway= read back


def test_the_top_interface_carries_the_addresses_and_dns_once():
    text = render_config(from_mapping(answers(AGENT, **VARIANTS["vlan-on-bond"])))
    files = network_files(text)
    carrying = [p for p, c in files.items() if "\nAddress=" in c or "\nDNS=" in c]
    assert carrying == ["/etc/systemd/network/30-vlan100.network"]
    content = files[carrying[0]]
    assert "Address=192.168.122.101/24\n" in content and "Address=2001:db8:122::101/64\n" in content
    assert "DNS=192.168.122.1\nDNS=2001:db8::53\n" in content


def test_ipv6_off_is_off_and_a_nic_without_mac_is_matched_by_name():
    files = network_files(render_config(from_mapping(AGENT)))
    (content,) = files.values()
    assert content.startswith("[Match]\nName=eth0\n\n")
    assert "LinkLocalAddressing=no\nIPv6AcceptRA=no\n" in content


def test_a_name_that_bypassed_validation_cannot_break_out_of_a_comment():
    import dataclasses

    from cos_installer.render.config import RenderError

    config = from_mapping(answers(AGENT, network__mac=M1))
    net = dataclasses.replace(config.network, interfaces=["eth0\nhostname: x"],
                              macs={"eth0\nhostname: x": M1})  # fmt: skip
    with pytest.raises(RenderError, match="systemd setting cannot be multi-line"):
        render_config(dataclasses.replace(config, network=net))


stacks = st.fixed_dictionaries(
    {"network__interface": st.lists(st.sampled_from(["eth0", "eth1", "ens3", "eno1"]),
                                    min_size=1, max_size=3, unique=True)},
    optional={
        "network__vlan": st.integers(1, 4094),
        "network__mtu": st.integers(1280, 9216),
        "network__ipv6": st.sampled_from(["off", "slaac", "dhcp"]),
        "network__bond": st.fixed_dictionaries({}, optional={
            "mode": st.sampled_from(["active-backup", "802.3ad", "balance-alb"]),
            "miimon": st.integers(1, 60000)}),
        "network__with_macs": st.booleans(),
    },
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(stacks)
def test_any_valid_stack_renders_clean_bottom_up_files(changes):
    names = changes["network__interface"]
    if changes.pop("network__with_macs", False):
        changes["network__mac"] = [f"52:54:00:00:00:{i:02x}" for i in range(len(names))]
    try:
        config = from_mapping(answers(AGENT, **changes))
    except AnswersError as exc:  # only a bond of one NIC may be refused here
        assert all("a bond of one NIC" in e for e in exc.errors), exc.errors
        return
    text = render_config(config)
    assert check(text) == []
    files = network_files(text)
    tops = [p for p, c in files.items() if "\nAddress=192.168.122.101/24\n" in c]
    layer = "30" if config.network.vlan else "10" if len(names) == 1 else "20"
    assert tops == [f"/etc/systemd/network/{layer}-{config.network.top}.network"]
    for path, content in files.items():
        parsed = ini(content)
        if path.endswith(".network") and path.startswith("/etc/systemd/network/10-"):
            key = "PermanentMACAddress" if config.network.macs else "Name"
            assert list(parsed["Match"]) == [key]
        if config.network.mtu and path.endswith(".network"):
            assert parsed["Link"]["MTUBytes"] == str(config.network.mtu)
