"""What a fleet file knows about the whole cluster and fills into each entry: the HA group
(`controller.group`, from its three HA controller entries, in file order: the first is rs0's
primary, guide 3.1.2.2) and which agent sets the container IP pool (`agent.ip_pool_owner`:
the first agent entry, unless some entry or the shared section says so itself, guide 3.4).

Values given in the file win; a missing or unreadable value is left for the entry's own check
to report.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ClusterFacts:
    """What the whole file says, computed once per file (a fleet may have 10,000 hosts)."""

    group: list[str] | None  # the three HA controllers' addresses, in file order
    first_agent: int | None  # the index of the first agent entry
    owner_given: bool  # some entry or the shared section sets agent.ip_pool_owner itself


def cluster_facts(mapping: dict) -> ClusterFacts:
    entries = [_merged(mapping, e) for e in mapping.get("hosts") or []]
    group = [_ip(m) for m in entries if _role(m) == "controller" and _ha(m)]
    agents = [i for i, m in enumerate(entries) if _role(m) == "agent"]
    owner_given = any(isinstance(m.get("agent"), dict) and "ip_pool_owner" in m["agent"]
                      for m in entries)  # fmt: skip
    return ClusterFacts(
        group=group if len(group) == HA_GROUP_SIZE and all(group) else None,  # type: ignore[arg-type]
        first_agent=agents[0] if agents else None,
        owner_given=owner_given,
    )


def fill_cluster(facts: ClusterFacts, index: int, merged: dict, own_group: bool = False) -> None:
    """Add the group and the pool owner to entry `index`'s merged mapping, in place. A shared
    `controller.group` applies to the HA group only: a controller with ha: false, or a file
    without exactly three HA controllers (check-answers says so), does not get it;
    `own_group`: the entry gives its own, which is kept and checked as given."""
    role = _role(merged)
    section = merged.get("controller")
    if role == "controller" and isinstance(section, dict):
        if not own_group and (not _ha(merged) or facts.group is None):
            section.pop("group", None)
        elif _ha(merged) and facts.group is not None:
            section.setdefault("group", list(facts.group))
    if role == "agent" and isinstance(merged.get("agent"), dict) and not facts.owner_given:
        merged["agent"]["ip_pool_owner"] = index == facts.first_agent
