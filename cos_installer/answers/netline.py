"""The network stack in one line, bottom to top, for the wizard's Summary and Done screens and
`install`'s output: `bond0 (eth0+eth1, active-backup) > vlan100 > 192.168.122.101/24,
2001:db8:122::101/64`. One place, so every front end names the interfaces the same way the
rendered networkd files do (model.BOND_NAME, model.vlan_name)."""

from __future__ import annotations

from cos_installer.answers.model import Ipv6Mode, NetworkSettings, vlan_name

IPV6_SHOWN = {Ipv6Mode.SLAAC: "SLAAC", Ipv6Mode.DHCP: "DHCPv6"}


def stack_line(net: NetworkSettings) -> str:
    """NIC or bond (members, mode, MTU) > VLAN > IPv4, IPv6 (an address, or how it is got)."""
    details = []
    if len(net.interfaces) > 1:
        details.append("+".join(net.interfaces))
        if net.bond is not None:
            details.append(net.bond.mode)
    if net.mtu is not None:
        details.append(f"MTU {net.mtu}")
    layers = [f"{net.interface} ({', '.join(details)})" if details else net.interface]
    if net.vlan is not None:
        layers.append(vlan_name(net.vlan))
    addresses = ["DHCP" if net.dhcp or net.address is None else str(net.address)]
    if net.ipv6 is Ipv6Mode.STATIC and net.address6 is not None:
        addresses.append(str(net.address6))
    elif net.ipv6 in IPV6_SHOWN:
        addresses.append(IPV6_SHOWN[net.ipv6])
    layers.append(", ".join(addresses))
    return " > ".join(layers)
