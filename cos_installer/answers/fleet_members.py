"""Fleet rules that pick a bond's members, next to the single-NIC `interface:` rules.

    network:
      interface: {members: 2, linked: true, min_speed: 10G}   # the two linked 10G NICs
      interface: {members: all, driver: ixgbe}                # every ixgbe NIC (two or more)
      interface: {mac: [52:54:00:00:00:01, 52:54:00:00:00:02]}   # these two, by MAC
      bond: {mode: 802.3ad}

A rule with `members:` (a number from 2, or `all`), or with a list of MACs or names, picks
several NICs; the network section's `bond:` then applies to them. Filters: `linked: true`
(a cable on each), `min_speed` (10G, 2.5G, 1000M, or Mbit/s; a NIC shows its speed only with
a link), `driver`, `mac`/`name` lists. `members: 2` wants exactly two NICs to fit, in the
wizard's order; more or fewer is an error listing every NIC and why it does (not) fit, so a
rack's odd machine is never bonded over the wrong ports.
"""

from __future__ import annotations

import re

from cos_installer.hardware.types import Machine, Nic

MEMBER_RULE_KEYS = ("members", "linked", "min_speed", "driver", "mac", "name")
_SPEED = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([gGmM]?)(?:b(?:it)?(?:/s|ps)?|bE)?\s*\Z")


def is_member_rule(rule: dict) -> bool:
    """A rule for several NICs: `members:`, or a list of MACs or names."""
    return "members" in rule or any(isinstance(rule.get(k), list) for k in ("mac", "name"))


def speed_mbps(value: object) -> int:
    """10G -> 10000, 2.5G -> 2500, 1000M or 1000 -> 1000 (Mbit/s). ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    found = _SPEED.match(str(value)) if isinstance(value, str) else None
    if found is None or float(found.group(1)) <= 0:
        raise ValueError(f"{value!r} is not a speed: expected e.g. 10G, 2.5G or 1000M")
    scale = 1000 if found.group(2).lower() == "g" else 1
    return int(float(found.group(1)) * scale)


def member_rule_problems(rule: dict, mac_re: re.Pattern[str]) -> list[str]:
    """What is wrong with a members rule (empty when it is fine)."""
    allowed = ", ".join(MEMBER_RULE_KEYS)
    problems = [
        f"unknown rule key {k!r} in a rule for bond members: expected {allowed}"
        for k in rule
        if k not in MEMBER_RULE_KEYS
    ]
    count = rule.get("members")
    if (
        "members" in rule
        and count != "all"
        and (isinstance(count, bool) or not isinstance(count, int) or count < 2)
    ):
        problems.append(f"members: expected a number of NICs from 2, or all, got {count!r}")
    if "linked" in rule and rule["linked"] is not True:
        problems.append(
            f"linked: a rule for bond members takes linked: true, got {rule['linked']!r}"
        )
    if "min_speed" in rule:
        try:
            speed_mbps(rule["min_speed"])
        except ValueError as exc:
            problems.append(f"min_speed: {exc}")
    for key in ("mac", "name"):
        items = _items(rule.get(key))
        if key in rule and (not items or any(not isinstance(i, str) or not i for i in items)):
            problems.append(
                f"{key}: expected a list of {key == 'mac' and 'MAC addresses' or 'names'}"
            )
        elif len(set(map(str, items))) != len(items):
            problems.append(f"{key}: {', '.join(map(str, items))} names a NIC twice")
        elif key == "mac":
            bad = [m for m in items if not mac_re.match(_norm(m))]
            problems += [f"mac: {m!r} is not a MAC address like 52:54:00:12:34:56" for m in bad]
    listed = [len(rule[k]) for k in ("mac", "name") if isinstance(rule.get(k), list)]
    if isinstance(count, int) and listed and listed[0] != count:
        problems.append(f"members: {count}, but {listed[0]} NICs are listed: give one or the other")
    return problems


def describe_members(rule: dict) -> str:
    """'2 NICs with linked true, min_speed 10G' for messages and `check-answers`."""
    count = rule.get("members", "the")
    head = "every NIC" if count == "all" else f"{count} NICs"
    rest = [f"{k} {v}" for k, v in rule.items() if k != "members"]
    return "bond members: " + head + (" with " + ", ".join(rest) if rest else "")


def _items(value: object) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _norm(mac: object) -> str:
    return str(mac).strip().lower().replace("-", ":")


def _why_not(rule: dict, nic: Nic) -> str | None:
    macs, names = _items(rule.get("mac")), _items(rule.get("name"))
    mine = {(nic.perm_mac or "").lower(), nic.mac.lower()} - {""}
    if macs and not mine & {_norm(m) for m in macs}:
        return "other MAC"
    if names and nic.name not in names:
        return "other name"
    if rule.get("linked") and not nic.linked:
        return "no link"
    if "driver" in rule and nic.driver != str(rule["driver"]):
        return f"driver {nic.driver or '?'}"
    if "min_speed" in rule:
        least = speed_mbps(rule["min_speed"])
        if nic.speed_mbps is None or nic.speed_mbps < least:
            return f"speed {nic.speed_mbps or '?'} Mbit/s"
    return None


def pick_members(rule: dict, machine: Machine) -> tuple[list[Nic] | None, str]:
    """The NICs the rule picks (the wizard's order), or None and why, every NIC listed."""
    nics = machine.nics("mac" in rule or "name" in rule)  # virtual NICs only when named
    reasons = [(nic, _why_not(rule, nic)) for nic in nics]
    fit = [nic for nic, why in reasons if why is None]
    count = rule.get("members")
    listed = next((len(rule[k]) for k in ("mac", "name") if isinstance(rule.get(k), list)), None)
    wanted = listed if count in (None, "all") and listed else count
    if (wanted == "all" and len(fit) >= 2) or (isinstance(wanted, int) and len(fit) == wanted):
        return fit, ""
    shown = "; ".join(f"{n.name} {n.perm_mac or n.mac} ({why or 'fits'})" for n, why in reasons)
    need = "at least 2" if wanted == "all" else str(wanted)
    return None, f"{len(fit)} NICs fit, {need} wanted: {shown or 'no NICs found'}"
