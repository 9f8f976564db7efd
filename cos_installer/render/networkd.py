"""NetworkSettings -> the installed system's systemd-networkd files (path, content).

The stack, bottom up: each NIC (one, or a bond's members) matched by its permanent MAC where
known, by its live name otherwise; the bond `bond0` over the members; the VLAN `vlanN` on the
NIC or the bond; the addresses on the top interface only. MTUBytes= goes on every layer.

Why `PermanentMACAddress=` and not `Name=`: the installed OS may name a NIC differently
(another naming scheme, net.ifnames=0, another kernel, another PCI slot), and then a file
matching the live name configures nothing. Why not `MACAddress=`: a bond member's current
MAC becomes the bond's once enslaved, so a member would not match its own file when networkd
matches again (restart, reload). `PermanentMACAddress=` needs systemd >= 245; the demo OS
(Debian bookworm) has 252. Files are numbered so that networkd's first match is ours: 10 the
NICs, 20 the bond, 30 the VLAN.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from cos_installer.answers.model import BOND_NAME, Ipv6Mode, NetworkSettings

NETWORK_DIR = "/etc/systemd/network"
MAC_MATCH = "PermanentMACAddress"

Pairs = list[tuple[str, object]]


@dataclass(frozen=True)
class NetworkFile:
    path: str
    content: str
    comment: str  # shown above the file in the cloud-config

    @property
    def name(self) -> str:
        """The coreos.units name: coreos-cloudinit puts a *.network/*.netdev unit in
        NETWORK_DIR and restarts systemd-networkd for it."""
        return self.path.rsplit("/", 1)[1]


def network_files(env: jinja2.Environment, net: NetworkSettings) -> list[NetworkFile]:
    """Every .netdev/.network file of the stack, bottom up."""
    template = env.get_template("networkd-file.j2")

    def file(name: str, comment: str, *sections: tuple[str, Pairs]) -> NetworkFile:
        shown = [(head, pairs) for head, pairs in sections if pairs]
        return NetworkFile(f"{NETWORK_DIR}/{name}", template.render(sections=shown), comment)

    bonded, vlan, link = len(net.interfaces) > 1, net.vlan, ("Link", _mtu(net))
    # the layer under the VLAN carries it; without a VLAN the bond or the NIC is the top
    above = _carrier(net) if vlan is not None else _addresses(net)
    files: list[NetworkFile] = []
    for nic in net.interfaces:
        mac = net.macs.get(nic)
        match: Pairs = [(MAC_MATCH, mac)] if mac else [("Name", nic)]
        how = f"by its permanent MAC {mac}" if mac else "by its name (no MAC known)"
        role, what = above, f"{nic}, matched {how}."
        if bonded:
            primary = net.bond is not None and net.bond.primary == nic
            role = [("Bond", BOND_NAME)] + ([("PrimarySlave", "yes")] if primary else [])
            what = f"{nic}, a member of {BOND_NAME}, matched {how}."
        files.append(file(f"10-{nic}.network", what, ("Match", match), link, ("Network", role)))
    if bonded and net.bond is not None:
        bond = net.bond
        options: Pairs = [("Mode", bond.mode), ("MIIMonitorSec", f"{bond.miimon}ms")]
        options += [("LACPTransmitRate", bond.lacp_rate)] if bond.lacp_rate is not None else []
        netdev = [("Name", BOND_NAME), ("Kind", "bond")] + _mtu(net)
        what = f"The bond {BOND_NAME} ({'+'.join(net.interfaces)}, {bond.mode})."
        files.append(file(f"20-{BOND_NAME}.netdev", what, ("NetDev", netdev), ("Bond", options)))
        match = [("Name", BOND_NAME)]
        what = f"{BOND_NAME}'s settings."
        files.append(file(f"20-{BOND_NAME}.network", what, ("Match", match), link,
                          ("Network", above)))  # fmt: skip
    if vlan is not None:
        netdev = [("Name", net.top), ("Kind", "vlan")] + _mtu(net)
        what = f"VLAN {vlan} ({net.top}) on {net.interface}."
        files.append(
            file(f"30-{net.top}.netdev", what, ("NetDev", netdev), ("VLAN", [("Id", vlan)]))
        )
        what = f"{net.top}'s settings."
        files.append(file(f"30-{net.top}.network", what, ("Match", [("Name", net.top)]), link,
                          ("Network", _addresses(net))))  # fmt: skip
    return files


def _mtu(net: NetworkSettings) -> Pairs:
    return [("MTUBytes", net.mtu)] if net.mtu is not None else []


def _carrier(net: NetworkSettings) -> Pairs:
    """A layer that only carries the VLAN: no address of its own, no IPv6 autoconfiguration."""
    return [("VLAN", net.top), ("LinkLocalAddressing", "no"), ("IPv6AcceptRA", "no")]


def _addresses(net: NetworkSettings) -> Pairs:
    """The top interface's [Network]: IPv4 static or DHCP as before, IPv6 by its mode, DNS."""
    pairs: Pairs = []
    dhcp6 = net.ipv6 is Ipv6Mode.DHCP
    dhcp = {(True, True): "yes", (True, False): "ipv4", (False, True): "ipv6"}.get(
        (net.dhcp, dhcp6)
    )
    if dhcp:
        pairs.append(("DHCP", dhcp))
    if not net.dhcp:
        pairs += [("Address", net.address), ("Gateway", net.gateway)]
    if net.ipv6 is Ipv6Mode.OFF:
        pairs += [("LinkLocalAddressing", "no"), ("IPv6AcceptRA", "no")]
    elif net.ipv6 is Ipv6Mode.STATIC:
        pairs += [("Address", net.address6)]
        pairs += [("Gateway", net.gateway6)] if net.gateway6 is not None else []
        pairs += [("IPv6AcceptRA", "no")]
    else:  # slaac, dhcp: router advertisements give the prefix (slaac) and the default route
        pairs += [("IPv6AcceptRA", "yes")]
    pairs += [("DNS", server) for server in net.dns]
    return pairs
