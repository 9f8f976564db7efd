"""The HA group and the container IP pool as the Summary and the Done screen show them: the
group's primary and this machine marked, the pool with who sets it (guide 3.1.2, 3.4)."""

from __future__ import annotations

from typing import Any

from cos_installer.answers.model import IPVLAN_POOL, NetworkModel
from cos_installer.i18n import _


def rows(config: Any) -> list[tuple[str, str]]:
    """(label, value) pairs; none for a single controller or an agent without a pool."""
    ctl, agent = config.controller, config.agent
    if ctl is not None and ctl.group:
        own = config.network.address.ip if config.network.address is not None else None
        shown = []
        for n, ip in enumerate(ctl.group):
            marks = ([_("primary")] if n == 0 else []) + ([_("this machine")] if ip == own else [])
            shown.append(f"{ip} ({', '.join(marks)})" if marks else str(ip))
        return [(_("HA group"), ", ".join(shown))]
    if agent is None:
        return []
    ranges = [str(r) for r in agent.ip_pool]  # one row: the Summary has no room to spare
    if not ranges and agent.ip_pool_owner and agent.network_model is NetworkModel.IPVLAN:
        ranges.append("-".join(IPVLAN_POOL))  # with a pool, Done's next steps name it too
    if not ranges:
        return []
    who = _("this agent sets it") if agent.ip_pool_owner else _("another agent sets it")
    return [(_("IP pool"), f"{', '.join(ranges)} ({who})")]
