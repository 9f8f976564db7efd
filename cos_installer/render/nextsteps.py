"""The guide's steps after an install of one node ("Next steps"), as data and as plain text.

A forgotten one leaves docker or the containers unable to start. When the answers carry the
HA group (controller.group) or this agent sets the IP pool (agent.ip_pool_owner), the
installed system does those steps itself at first boot (render.oneshots), and the steps say
so instead of listing commands to type. The Done screen (screens/done.py) shows them;
`cos-installer install` prints them, with every command, after its success line.
"""

from __future__ import annotations

import ipaddress
import textwrap
from typing import Any

from cos_installer.answers.model import (
    DEFAULT_CLUSTER_SIZE,
    DEFAULT_HA,
    DEFAULT_HTTP_PORT,
    IPVLAN_POOL,
    NetworkModel,
)
from cos_installer.i18n import N_, _
from cos_installer.render.oneshots import HA_UNIT, POOL_UNIT, replica_set_document

# Commands as the guide gives them (3.1.2, 3.4); never translated. The pool is the operator's:
# the guide's example is 192.168.122.200/24 - 192.168.122.250/24, in the hosts' mask.
POOL = "net-plugin ip-range --ip-start=<first IP>/{prefix} --ip-end=<last IP>/{prefix}"
IPVLAN_CMD = "net-plugin ip-range --ip-start={} --ip-end={}".format(*IPVLAN_POOL)
MONGO_ONLY = ("sudo cspherectl stop", "sudo cspherectl start mongodb")
REPLICA_SET = replica_set_document(["IP1", "IP2", "IP3"])
START_REST = (
    "sudo cspherectl start etcd",
    "sudo cspherectl start docker",
    "sudo cspherectl start monitor",
    "sudo systemctl enable csphere-monitor",
)
HEADING = N_("Next steps (sections of the install guide in brackets):")

Step = tuple[str, str]  # ("say", a translated sentence) or ("run", a command typed as shown)


def next_steps(
    role: str,
    *,
    ha: bool = DEFAULT_HA,
    network_model: str = NetworkModel.BRIDGE,
    address: str | None = None,
    http_port: Any = DEFAULT_HTTP_PORT,
    cluster_size: Any = DEFAULT_CLUSTER_SIZE,
    data_disk: str | None = None,
    every_command: bool = False,
    group: list[str] | None = None,
    pool: list[str] | None = None,
    pool_owner: bool = False,
) -> list[Step]:
    """The guide's post-install steps for this node. `every_command` adds the cspherectl lines
    the Done screen only describes (no room at 80x24; the CLI output has no such limit).
    `group` (the HA group, primary first), `pool` and `pool_owner` (this agent sets the pool):
    the steps the installed system does itself at first boot, said instead of commands."""
    if role == "agent":
        return _agent_steps(network_model, address, data_disk, pool or [], pool_owner)
    if role != "controller":
        return []
    if not ha:
        return [_browse(address, http_port, cluster_size, primary=False)]
    if group:
        return [_group_done(group), _browse(group[0], http_port, cluster_size, primary=True)]
    return [
        ("say", _("All three controllers: stop all components, start mongodb alone (3.1.2.1).")),
        *[("run", cmd) for cmd in MONGO_ONLY if every_command],
        ("say", _("On controller1, in mongo; IP1 (controller1) becomes the primary (3.1.2.2):")),
        *([("run", "mongo")] if every_command else []),
        ("run", REPLICA_SET),
        (
            "say",
            _(
                "All three: start etcd, docker, monitor; enable monitor at boot; never start "
                "prometheus, controller or agent by hand (3.1.2.3)."
            ),
        ),
        *[("run", cmd) for cmd in START_REST if every_command],
        _browse(None, http_port, cluster_size, primary=True),
    ]


def _group_done(group: list[str]) -> Step:
    say = _(
        "At first boot only MongoDB starts; once all three answer, {primary} initiates rs0 "
        "with {members} in this order, then each controller starts etcd, docker and monitor "
        "(3.1.2). Follow it: journalctl -u {unit}"
    ).format(primary=group[0], members=", ".join(group), unit=HA_UNIT)
    return ("say", say)


def _pool_steps(network_model: str, pool: list[str], owner: bool) -> list[Step] | None:
    """What is said instead of the pool commands when the installer sets the pool."""
    if not owner:
        if not pool:
            return None
        return [("say", _("Another agent sets the container IP pool at its first boot (3.4)."))]
    ranges = list(pool) + (["-".join(IPVLAN_POOL)] if network_model == "ipvlan" else [])
    if not ranges:
        return None
    say = _(
        "This agent sets the container IP pool {ranges} at first boot, once the cluster is up "
        "(3.4). Follow it: journalctl -u {unit}"
    ).format(ranges=", ".join(ranges), unit=POOL_UNIT)
    return [("say", say)]


def _agent_steps(network_model: str, address: str | None, data_disk: str | None,
                 pool: list[str], owner: bool) -> list[Step]:  # fmt: skip
    steps: list[Step] = [
        (
            "say",
            _(
                "After its first boot this agent waits for the others: do not reboot it until "
                "at least Cluster Size agents (3 by default) are installed (3.2)."
            ),
        ),
    ]
    done = _pool_steps(network_model, pool, owner)
    if done is not None:
        steps += done
    else:
        steps += _pool_commands(network_model, address)
    if not data_disk:
        xfs = _("Docker data is on the OS disk: for disk quotas move it to XFS (3.5).")
        steps.append(("say", xfs))
    return steps


def _pool_commands(network_model: str, address: str | None) -> list[Step]:
    steps: list[Step] = [
        (
            "say",
            _(
                "Then, on any one node, set the container IP pool in the hosts' mask; without "
                'it containers do not start ("Key not found in store", 3.4, 5.4):'
            ),
        ),
        ("run", POOL.format(prefix=_prefix(address))),
    ]
    if network_model == "ipvlan":
        steps.append(("say", _("Ipvlan: also run this, or docker does not start (3.4):")))
        steps.append(("run", IPVLAN_CMD))
    return steps


def _browse(address: str | None, port: Any, size: Any, *, primary: bool) -> Step:
    """`address`: the controller to browse to (the group's first when known), else a blank."""
    host = _ip(address) or (_("<controller1 IP>") if primary else _("<this controller's IP>"))
    url = f"http://{host}/" if str(port) == "80" else f"http://{host}:{port}/"
    say = _(
        "Browse to {url}: first account, Enterprise license, then the install code for the "
        "agents, at least {size} of them (3.1.3, 3.2)."
    ).format(url=url, size=size)
    return ("say", say)


def _ip(address: str | None) -> str | None:
    try:
        return str(ipaddress.IPv4Interface(str(address)).ip) if address else None
    except ValueError:
        return None


def _prefix(address: str | None) -> str:
    """The hosts' prefix length: the guide wants the pool in the hosts' mask."""
    try:
        return str(ipaddress.IPv4Interface(str(address)).network.prefixlen)
    except ValueError:
        return "<mask>"


def steps_of(config: Any, *, every_command: bool = False) -> list[Step]:
    """Next steps from an InstallConfig: the Done screen's (`every_command` off: 80x24) and the
    unattended install's (with every command)."""
    ctl, agent, net = config.controller, config.agent, config.network
    return next_steps(
        str(config.role),
        ha=ctl.ha if ctl is not None else DEFAULT_HA,
        network_model=str(agent.network_model) if agent is not None else str(NetworkModel.BRIDGE),
        address=None if net.dhcp or net.address is None else str(net.address),
        http_port=ctl.http_port if ctl is not None else DEFAULT_HTTP_PORT,
        cluster_size=ctl.cluster_size if ctl is not None else DEFAULT_CLUSTER_SIZE,
        data_disk=config.data_disk,
        every_command=every_command,
        group=[str(ip) for ip in ctl.group] if ctl is not None and ctl.group else None,
        pool=[str(r) for r in agent.ip_pool] if agent is not None else None,
        pool_owner=agent is not None and agent.ip_pool_owner,
    )


def plain_text(steps: list[Step], width: int = 78) -> str:
    """The steps for a terminal or a log: sentences wrapped after "- ", commands indented
    further and never wrapped (a command stays one line to be copied)."""
    if not steps:
        return ""
    lines = [_(HEADING)]
    for kind, line in steps:
        if kind == "run":
            lines.append("      " + line)
        else:
            lines += textwrap.wrap(line, width, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"
