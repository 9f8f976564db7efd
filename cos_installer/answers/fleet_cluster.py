"""What a fleet file knows about the whole cluster and fills into each entry: the HA group
(`controller.group`, from its three HA controller entries, in file order: the first is rs0's
primary, guide 3.1.2.2) and which agent sets the container IP pool (`agent.ip_pool_owner`:
the first agent entry, unless some entry or the shared section says so itself, guide 3.4).

Values given in the file win; a missing or unreadable value is left for the entry's own check
to report.
"""

from __future__ import annotations

import ipaddress

from cos_installer.answers.model import HA_GROUP_SIZE


def _merged(mapping: dict, entry: object) -> dict:
    """Defaults with one entry's top-level sections over them (enough for role/address/ha)."""
    from cos_installer.answers.fleet import merge

    defaults = {k: v for k, v in mapping.items() if k != "hosts"}
    return merge(defaults, entry) if isinstance(entry, dict) else defaults


def _role(merged: dict) -> str:
    return str(merged.get("role", "")).strip().lower()


def _ha(merged: dict) -> bool:
    section = merged.get("controller")
    value = section.get("ha", True) if isinstance(section, dict) else True
    return value is True or str(value).strip().lower() in {"yes", "y", "true", "on", "1"}


def _ip(merged: dict) -> str | None:
    network = merged.get("network")
    try:
        return str(ipaddress.IPv4Interface(str(network.get("address"))).ip)
    except (AttributeError, ValueError):
        return None


def fill_cluster(mapping: dict, index: int, merged: dict) -> None:
    """Add the group and the pool owner to entry `index`'s merged mapping, in place."""
    entries = [_merged(mapping, e) for e in mapping.get("hosts") or []]
    role = _role(merged)
    if role == "controller" and _ha(merged) and isinstance(merged.get("controller", {}), dict):
        group = [_ip(m) for m in entries if _role(m) == "controller" and _ha(m)]
        if len(group) == HA_GROUP_SIZE and all(group):
            merged.setdefault("controller", {}).setdefault("group", group)
    if role == "agent" and isinstance(merged.get("agent"), dict):
        owners = [m for m in entries if isinstance(m.get("agent"), dict)
                  and "ip_pool_owner" in m["agent"]]  # fmt: skip
        agents = [i for i, m in enumerate(entries) if _role(m) == "agent"]
        if not owners and agents:
            merged["agent"]["ip_pool_owner"] = index == agents[0]
