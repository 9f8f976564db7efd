"""Choices that install but are likely to hurt later: the Summary shows them as warnings
before the disk is erased (one place for these rules; the screen only draws them).

They are not errors: a lab may want an agent on DHCP (an HA controller on DHCP is one:
its group needs a static address, answers/validate/group.py). Each says what goes wrong and what
to do instead, after the guide.
"""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import NetworkModel, Role
from cos_installer.i18n import _


def risks(config: Any, linked: bool | dict[str, bool] | None = None) -> list[str]:
    """The warnings for an InstallConfig; `linked`: the chosen NICs' carrier now, by name
    (a bond's members each), or one value for all (None or a NIC left out: not known, no
    warning)."""
    found: list[str] = []
    net, ctl, agent = config.network, config.controller, config.agent
    if config.role is Role.CONTROLLER and ctl is not None and ctl.ha and ctl.cluster_size == 1:
        found.append(
            _(
                "HA with Cluster Size 1: etcd has a single member, so losing one node "
                "stops the cluster. The guide recommends 3."
            )
        )
    ipvlan = agent is not None and agent.network_model is NetworkModel.IPVLAN
    if config.role is Role.AGENT and ipvlan and net.dhcp:
        found.append(
            _(
                "Ipvlan agent on DHCP: Ipvlan needs fixed, non-consecutive addresses "
                "(.101, .103, ...); a lease can break that. Use a static address."
            )
        )
    for nic in net.interfaces:
        if (linked.get(nic) if isinstance(linked, dict) else linked) is False:
            found.append(
                _(
                    "{nic} has no link [NoLink] now: the installed system will not reach the "
                    "network until a cable is plugged in (or choose another NIC)."
                ).format(nic=nic)
            )
    return found
