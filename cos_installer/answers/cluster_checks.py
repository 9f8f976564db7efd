"""Fleet-wide rules for what the installer sets up itself: one HA group that every controller
of it names the same way (one primary, one member order), and one container IP pool that
overlaps no host and is set by one agent. Inputs are the fleet's checked configs."""

from __future__ import annotations

from typing import Any

from cos_installer.answers import validate


def group_problems(configs: list[tuple[str, Any]], source: str) -> list[str]:
    """Every controller with a group names the same three addresses in the same order."""
    groups = [(label, [str(ip) for ip in cfg.controller.group]) for label, cfg in configs
              if cfg.controller is not None and cfg.controller.group]  # fmt: skip
    if len({tuple(g) for _, g in groups}) <= 1:
        return []
    which = "; ".join(f"{label} [{', '.join(g)}]" for label, g in groups)
    return [f"{source}: controller.group: the controllers name different groups or orders "
            f"({which}): one group, the primary first, for all three"]  # fmt: skip


def pool_problems(configs: list[tuple[str, Any]], source: str) -> list[str]:
    """The pool against every address and gateway the file knows; one agent sets it."""
    errors: list[str] = []
    taken = {ip for _, cfg in configs for ip in
             (cfg.network.address.ip if cfg.network.address else None, cfg.network.gateway)
             if ip is not None}  # fmt: skip
    agents = [(label, cfg) for label, cfg in configs if cfg.agent is not None]
    ordered = sorted(taken)  # once: a fleet may have 10,000 hosts
    for label, cfg in agents:
        if not cfg.agent.ip_pool:
            continue
        problem = validate.pool_conflicts(cfg.agent.ip_pool, ordered)
        if problem:
            errors.append(f"{source}: {label}: agent.ip_pool: {problem}")
    owners = [label for label, cfg in agents if cfg.agent.ip_pool_owner]
    if len(owners) > 1:
        errors.append(
            f"{source}: agent.ip_pool_owner: {len(owners)} agents would set the IP pool "
            f"({', '.join(owners)}): set ip_pool_owner: true on one agent only"
        )
    return errors
