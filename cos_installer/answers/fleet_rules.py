"""What fleet answers files ask of the hardware: disk/NIC rules and the machine's identity.

A fleet of identical servers names its disks and NICs differently from machine to machine
(sda/vda/nvme0n1, eth0/ens3), so an answers file may give a rule instead of a name:
`disk: {smallest: true, min_size: 20G}`, `disk: {serial: S3Z1NB0K}`, `data_disk: {largest:
true}`, `network: {interface: {linked: first}}`, `interface: {mac: 52:54:00:12:34:56}`,
`interface: {matched: true}` (the NIC whose MAC the fleet entry's `match:` names).
Sizes: 20G and 20GiB are 1024-based (as lsblk prints), 20GB is 1000-based.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from cos_installer.answers.fleet_members import (
    describe_members,
    is_member_rule,
    member_rule_problems,
)
from cos_installer.common.units import parse_size
from cos_installer.hardware.types import MIN_DISK_BYTES, Disk, Machine, Nic, human_size

DISK_RULE_KEYS = ("serial", "model", "min_size", "max_size", "smallest", "largest")
NIC_RULE_KEYS = ("mac", "name", "linked", "matched")
LINKED_CHOICES = ("first", "only")
RULE_FIELDS = ("disk", "data_disk", "network.interface")
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}\Z")
MATCH_KEYS = {
    "mac": "a NIC's MAC address",
    "disk_serial": "a disk's serial number",
    "system_serial": "the DMI system serial number",
    "system_uuid": "the DMI system UUID",
}


def norm_mac(value: object) -> str:
    return str(value).strip().lower().replace("-", ":")


def rule_problems(field: str, rule: dict) -> list[str]:
    """What is wrong with a disk or interface rule (empty list when it is fine)."""
    if field == "network.interface" and is_member_rule(rule):
        return member_rule_problems(rule, MAC_RE)
    allowed = NIC_RULE_KEYS if field == "network.interface" else DISK_RULE_KEYS
    problems = [f"unknown rule key {k!r}: expected {', '.join(allowed)}" for k in rule
                if k not in allowed]  # fmt: skip
    if not rule:
        problems.append(f"an empty rule: give a name or path, or a rule with {', '.join(allowed)}")
    for key in ("min_size", "max_size"):
        if key in rule and field != "network.interface":
            try:
                parse_size(rule[key])
            except ValueError as exc:
                problems.append(f"{key}: {exc}")
    for key in ("smallest", "largest", "matched"):
        if key in rule and not isinstance(rule[key], bool):
            problems.append(f"{key}: expected true or false, got {rule[key]!r}")
    if rule.get("smallest") and rule.get("largest"):
        problems.append("smallest and largest exclude each other: keep one")
    if field == "network.interface" and "linked" in rule and rule["linked"] not in LINKED_CHOICES:
        problems.append(f"linked: expected {' or '.join(LINKED_CHOICES)}, got {rule['linked']!r}")
    if "mac" in rule and not MAC_RE.match(norm_mac(rule["mac"])):
        problems.append(f"mac: {rule['mac']!r} is not a MAC address like 52:54:00:12:34:56")
    return problems


def describe_rule(rule: dict) -> str:
    """Human text for a rule: 'the smallest disk with min_size 20G'."""
    if is_member_rule(rule):
        return describe_members(rule)
    nic = any(k in rule for k in NIC_RULE_KEYS)
    if rule.get("matched"):
        head = "the NIC whose MAC the entry's match: names"
    elif "linked" in rule:
        head = f"the {rule['linked']} linked NIC"
    elif rule.get("smallest") or rule.get("largest"):
        head = f"the {'smallest' if rule.get('smallest') else 'largest'} disk"
    else:
        head = "the one NIC" if nic else "the one disk"
    rest = [
        f"{k} {v}" for k, v in rule.items() if k not in ("smallest", "largest", "linked", "matched")
    ]
    return head + (" with " + ", ".join(rest) if rest else "")


def pick_disk(rule: dict, machine: Machine, exclude: str | None) -> tuple[Disk | None, str]:
    """The disk the rule names, or None and why (every disk listed with its reason). Disks
    the wizard would not offer (install media, read-only, too small, in use) never fit;
    `smallest`/`largest` break ties by path (sda before sdb)."""
    listed, notes = [], []
    for d in machine.disks():
        why = "the OS disk" if d.path == exclude else d.reason_not_offered(MIN_DISK_BYTES)
        why = why or ("; ".join(d.in_use) if d.in_use else None)
        if why is None and "serial" in rule:
            why = None if d.serial.lower() == str(rule["serial"]).lower() else "other serial"
        if why is None and "model" in rule:
            why = None if d.model.lower() == str(rule["model"]).lower() else "other model"
        if why is None and d.size < parse_size(rule.get("min_size", 0)):
            why = f"smaller than {rule['min_size']}"
        if why is None and "max_size" in rule and d.size > parse_size(rule["max_size"]):
            why = f"larger than {rule['max_size']}"
        notes.append(f"{d.path} {human_size(d.size)} serial {d.serial or '?'} ({why or 'fits'})")
        if why is None:
            listed.append(d)
    listed.sort(key=lambda d: (d.size, d.path))
    if listed and rule.get("smallest"):
        return listed[0], ""
    if listed and rule.get("largest"):
        return sorted(listed, key=lambda d: (-d.size, d.path))[0], ""
    if len(listed) == 1:
        return listed[0], ""
    return None, ("several disks fit" if listed else "no disk fits") + ": " + "; ".join(notes)


def pick_nic(rule: dict, machine: Machine) -> tuple[Nic | None, str]:
    """The NIC the rule names, or None and why. `linked: first` is the first NIC with a
    cable in the order the wizard lists them; `linked: only` wants exactly one."""
    nics = machine.nics("mac" in rule or "name" in rule)
    fit = [n for n in nics if ("mac" not in rule or norm_mac(n.mac) == norm_mac(rule["mac"]))
           and ("name" not in rule or n.name == rule["name"])
           and ("linked" not in rule or n.linked)]  # fmt: skip
    if fit and (rule.get("linked") == "first" or len(fit) == 1):
        return fit[0], ""
    shown = "; ".join(f"{n.name} {n.mac} {'[Linked]' if n.linked else '[NoLink]'}" for n in nics)
    return None, f"{'several NICs fit' if fit else 'no NIC fits'}: {shown or 'no NICs found'}"


def get_path(mapping: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        mapping = mapping.get(part) if isinstance(mapping, dict) else None
    return mapping


def set_path(mapping: dict, dotted: str, value: Any) -> None:
    *head, last = dotted.split(".")
    for part in head:
        mapping = mapping.setdefault(part, {})
    mapping[last] = value


def stand_in(merged: dict) -> tuple[dict, dict[str, str]]:
    """Rules replaced by stand-in values the answers checker accepts, and per field the text
    to show instead ('resolved at install time: the smallest disk with min_size 20G')."""
    plain, shown = copy.deepcopy(merged), {}
    stand = {
        "disk": "/dev/fleet-rule-disk",
        "data_disk": "/dev/fleet-rule-data-disk",
        "network.interface": "rule0",
    }
    for field in RULE_FIELDS:
        rule = get_path(merged, field)
        if isinstance(rule, dict):
            several = is_member_rule(rule)
            count = rule.get("members") if isinstance(rule.get("members"), int) else 2
            set_path(plain, field, [f"rule{i}" for i in range(count)] if several else stand[field])
            if several and isinstance(get_path(plain, "network.mac"), list):
                set_path(plain, "network.mac", None)  # resolved with the members
            shown[field] = f"resolved at install time: {describe_rule(rule)}"
    return plain, shown


def match_values(match: dict, key: str) -> list[str]:
    raw = match[key]
    values = raw if isinstance(raw, list) else [raw]
    return [norm_mac(v) if key == "mac" else str(v).strip().lower() for v in values]


def identity(machine: Machine | None, host: str | None = None) -> dict[str, set[str]]:
    """What a machine can be matched by; `host` (a MAC) stands in for the machine's NICs."""
    found: dict[str, set[str]] = {key: set() for key in MATCH_KEYS}
    if host is not None:
        found["mac"].add(norm_mac(host))
    if machine is not None:
        if host is None:
            found["mac"] |= {norm_mac(n.mac) for n in machine.nics(True) if n.mac}
        found["disk_serial"] |= {d.serial.strip().lower() for d in machine.disks() if d.serial}
        dmi = machine.dmi() if hasattr(machine, "dmi") else {}
        for key in ("system_serial", "system_uuid"):
            if dmi.get(key, "").strip():
                found[key].add(dmi[key].strip().lower())
    return found
