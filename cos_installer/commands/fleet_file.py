"""The starter fleet file `cos-installer fleet` writes: a checked plan of hosts and shared
settings, put as commented YAML an operator edits (placeholders say what to fill in)."""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import json
import re

import yaml

from cos_installer.answers.model import HA_GROUP_SIZE

# kind 0: controllers, 1: agents; the number's high byte first (00 up to host 255)
PLACEHOLDER_MAC = "00:00:00:{high:02x}:{kind:02x}:{low:02x}"
PLACEHOLDER_MAC_PREFIX = "00:00:00:"
PLACEHOLDER_INSTALL_CODE = "0000"


def flow(value: object) -> str:
    """One value as inline YAML: quoted text, or a flow mapping for a rule."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(x)}" for k, x in value.items()) + "}"
    if isinstance(value, bool | int):
        return json.dumps(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9_./-]+", text) and yaml.safe_load(text) == text
    return text if plain else json.dumps(text)


@dataclasses.dataclass(frozen=True)
class Plan:
    """What the options ask for, every value checked: the addresses of each host and the
    settings they share."""

    first: ipaddress.IPv4Interface
    ctl: list[ipaddress.IPv4Interface]
    agents: list[ipaddress.IPv4Interface]
    port: int
    cluster: int
    ipvlan: bool
    gateway: ipaddress.IPv4Address
    dns: list
    pw_hash: str | None
    disk: object
    data_disk: object
    interface: object
    pool: list  # agent.ip_pool ranges (IpRange), checked against every host


def fleet_text(args: argparse.Namespace, plan: Plan) -> str:
    """The commented fleet file for a checked plan."""
    first, ctl, agents, port, cluster = plan.first, plan.ctl, plan.agents, plan.port, plan.cluster
    ipvlan, gateway, dns, pw_hash = plan.ipvlan, plan.gateway, plan.dns, plan.pw_hash
    disk, data_disk, interface = plan.disk, plan.data_disk, plan.interface
    controllers = ",".join(f"{a.ip}:{port}" for a in ctl)
    argv = (
        f"fleet --controllers {len(ctl)} --agents {len(agents)} --first-address {first} "
        f"--network-model {args.network_model}"
    )
    password = (
        f"  password_hash: {flow(pw_hash)}"
        if pw_hash
        else '  password: "cos"             # CHANGE ME (the guide\'s example); or password_hash: '
        '"$6$..." (openssl passwd -6)'
    )
    lines = [
        f"# COS fleet answers file, written by: cos-installer {argv}",
        "# One file for the whole cluster: the top level is shared by every machine; each",
        "# hosts: entry names one machine (match:) and overrides what differs for it.",
        "# Before installing:",
        "#   1. replace each placeholder MAC (00:00:00:..) with the MAC of that machine's NIC",
        "#      (or match it by disk_serial, system_serial or system_uuid instead);",
        "#   2. set the password of the cos account (stored only as a SHA-512 hash);"
        if not pw_hash
        else "#   2. (the cos account's password is given as a hash below);",
        "#   3. install the controllers, then put the install code shown on the controller's",
        f'#      web page into agent.install_code ("{PLACEHOLDER_INSTALL_CODE}" is a placeholder).',
        "# Check it: cos-installer check-answers FILE [--machine PROFILE | --host MAC]",
        "system:",
        password,
        "network:",
        f"  interface: {flow(interface)}   # the NIC whose MAC is in match:; or eth0, "
        "{linked: first}",
        "  dhcp: false",
        f"  gateway: {gateway}",
        f"  dns: {','.join(str(d) for d in dns)}",
        f"disk: {flow(disk)}   # ALL DATA ON THIS DISK IS ERASED; a path or a rule",
    ]
    if data_disk is not None:
        lines.append(f"data_disk: {flow(data_disk)}   # Docker data: XFS with prjquota on /xfs")
    lines += [
        "controller:   # shared by the controllers",
        f"  http_port: {port}",
        f"  cluster_size: {cluster}   # the cluster starts once this many agents are installed",
        "  ha: true   # the three controllers: MongoDB replica set rs0"
        if len(ctl) == HA_GROUP_SIZE
        else "  ha: false   # a single controller; an HA group is exactly three",
    ]
    if len(ctl) == HA_GROUP_SIZE:
        lines.append(f"  group: [{', '.join(str(a.ip) for a in ctl)}]   # rs0's members in this "
                     "order, the PRIMARY first: set up at first boot (guide 3.1.2)")  # fmt: skip
    if agents:
        lines += [
            "agent:        # shared by the agents",
            f'  controllers: "{controllers}"   # the PRIMARY controller first',
            f'  install_code: "{PLACEHOLDER_INSTALL_CODE}"   # FILL IN: the code from the '
            "controller's web page",
            f"  network_model: {args.network_model}"
            + ("   # Ipvlan: agents' addresses are not consecutive" if ipvlan else ""),
        ]
        if plan.pool:
            ranges = ", ".join(f"{{start: {r.start}, end: {r.end}}}" for r in plan.pool)
            lines.append(f"  ip_pool: [{ranges}]   # containers' IPs: node1 sets them at "
                         "first boot (guide 3.4)")  # fmt: skip
    lines.append("hosts:")
    for kind, role, name, addrs in ((0, "controller", "controller", ctl), (1, "agent", "node",
                                                                           agents)):  # fmt: skip
        for n, addr in enumerate(addrs, start=1):
            mac = PLACEHOLDER_MAC.format(kind=kind, high=n >> 8, low=n & 0xFF)
            lines += [
                f'  - match: {{mac: "{mac}"}}   # FILL IN: the MAC of {name}{n}',
                f"    role: {role}",
                f"    system: {{hostname: {name}{n}}}",
                f"    network: {{address: {addr}}}",
            ]
    return "\n".join(lines) + "\n"
