"""Fleet answers files: shared defaults plus a `hosts:` list, and disk/NIC rules.

One file installs a whole cluster. Its top level holds the defaults every machine shares;
each `hosts:` entry has a `match:` saying which machine it is for (a NIC's `mac`, a
`disk_serial`, the DMI `system_serial` or `system_uuid`; several keys must all match, a list
means any of) and overrides any other key. Nested sections merge key by key; a key set to
null in an entry removes the default; a disk or interface rule is replaced whole. The
shared `controller:` and `agent:` sections apply only to hosts of that role. `disk`,
`data_disk` and `network.interface` may be rules (`{smallest: true, min_size: 20G}`,
`{serial: ...}`, `{linked: first}`, `{matched: true}`), resolved against the hardware.

`resolve` turns a fleet file plus a machine into a plain answers mapping that
`cos_installer.answers.document.from_mapping` checks; `expand_all` yields every entry for checking
without a machine. Errors read "SOURCE: hosts[2].match: ..." like the answers file's.
"""

from __future__ import annotations

import copy

from cos_installer.answers.fleet_cluster import ClusterFacts, cluster_facts, fill_cluster
from cos_installer.answers.fleet_members import is_member_rule, pick_members
from cos_installer.answers.fleet_rules import (
    MAC_RE,
    MATCH_KEYS,
    RULE_FIELDS,
    describe_rule,
    get_path,
    identity,
    match_values,
    norm_mac,
    pick_disk,
    pick_nic,
    rule_problems,
    set_path,
)
from cos_installer.common.shown import printable
from cos_installer.hardware.types import Machine


class FleetError(Exception):
    """One or more problems in a fleet file; `.errors` holds one "SOURCE: path: ..." each."""

    def __init__(self, errors: list[str] | str) -> None:
        # escaped line by line: some messages list the entries, one per line
        self.errors = [
            "\n".join(printable(line) for line in e.split("\n"))
            for e in ([errors] if isinstance(errors, str) else errors)
        ]
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


def is_fleet(mapping: object) -> bool:
    """A fleet file (hosts: entries, or a disk/NIC chosen by rule), not plain answers."""
    if not isinstance(mapping, dict):
        return False
    return "hosts" in mapping or any(isinstance(get_path(mapping, f), dict) for f in RULE_FIELDS)


def merge(base: dict, override: dict) -> dict:
    """Deep merge: mappings merge key by key, anything else replaces; None removes the key."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def label(mapping: dict, index: int) -> str:
    """hosts[2] (node1): how messages name an entry."""
    entry = mapping["hosts"][index]
    name = get_path(entry, "system.hostname") if isinstance(entry, dict) else None
    return f"hosts[{index}] ({name})" if name else f"hosts[{index}]"


def check_entries(mapping: dict, source: str) -> list[str]:
    """Shape of `hosts:` and of every rule, plus matches shared by two entries."""
    errors = []
    hosts = mapping.get("hosts")
    if "hosts" in mapping and (not isinstance(hosts, list) or not hosts):
        return [f"{source}: hosts: expected a non-empty list of entries, each with a match:"]
    seen: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(hosts or []):
        where = f"hosts[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"{source}: {where}: expected a mapping with match: and overrides")
            continue
        match = entry.get("match")
        keys = ", ".join(MATCH_KEYS)
        if not isinstance(match, dict) or not match:
            errors.append(
                f"{source}: {where}.match: missing: say which machine this entry is "
                f'for with one of {keys}, e.g. match: {{mac: "52:54:00:12:34:56"}}'
            )
            continue
        for key in match:
            if key not in MATCH_KEYS:
                errors.append(f"{source}: {where}.match.{key}: unknown key: expected {keys}")
                continue
            raw = match[key]
            items = raw if isinstance(raw, list) else [raw]
            if not items or any(
                isinstance(x, dict | list | bool) or x in (None, "") for x in items
            ):
                errors.append(
                    f"{source}: {where}.match.{key}: expected {MATCH_KEYS[key]} "
                    "(text) or a list of them"
                )
                continue
            for value in match_values(match, key):
                if key == "mac" and not MAC_RE.match(value):
                    errors.append(
                        f"{source}: {where}.match.mac: {value!r} is not a MAC address: "
                        "expected six hex pairs like 52:54:00:12:34:56"
                    )
                elif (key, value) in seen and len(match) == 1:
                    errors.append(
                        f"{source}: {where}.match.{key}: {value} also matches "
                        f"{seen[key, value]}: each machine must match one entry"
                    )
                else:
                    seen.setdefault((key, value), label(mapping, i))
    facts = cluster_facts(mapping)  # once: a fleet may have 10,000 entries
    for i, entry in enumerate(hosts or []):
        if isinstance(entry, dict) and isinstance(entry.get("match"), dict):
            rule = get_path(host_entry(mapping, i, facts), "network.interface")
            if isinstance(rule, dict) and rule.get("matched") and "mac" not in entry["match"]:
                errors.append(f"{source}: {label(mapping, i)}: network.interface: {{matched: "
                              "true} needs match: {mac: ...} in this entry")  # fmt: skip
    rule = get_path(mapping, "network.interface")
    if "hosts" not in mapping and isinstance(rule, dict) and rule.get("matched"):
        errors.append(f"{source}: network.interface: {{matched: true}} needs a hosts: list "
                      "whose entries match: {mac: ...}")  # fmt: skip
    for scope, data in [("", mapping)] + [(f"hosts[{i}].", e) for i, e in enumerate(hosts or [])]:
        if not isinstance(data, dict):
            continue
        for field in RULE_FIELDS:
            rule = get_path(data, field)
            if isinstance(rule, dict):
                errors += [f"{source}: {scope}{field}: {p}" for p in rule_problems(field, rule)]
    return errors


def host_entry(mapping: dict, index: int | None, facts: ClusterFacts | None = None) -> dict:
    """Defaults merged with entry `index` (None: the file itself), without hosts/match, with
    the HA group and the pool owner filled in (`facts`: computed once for many entries)."""
    defaults = {k: v for k, v in mapping.items() if k != "hosts"}
    if index is None:
        return copy.deepcopy(defaults)
    entry = {k: v for k, v in mapping["hosts"][index].items() if k != "match"}
    merged = merge(defaults, entry)
    for field in RULE_FIELDS:  # a rule or name in the entry replaces the default as a whole
        if get_path(entry, field) is not None:
            set_path(merged, field, copy.deepcopy(get_path(entry, field)))
    role = str(merged.get("role", "")).strip().lower()
    for section, own in (("controller", "controller"), ("agent", "agent")):
        if role and role != own and section in merged and section not in entry:
            del merged[section]  # a shared section for the other role does not apply here
    own_group = get_path(entry, "controller.group") is not None
    fill_cluster(facts or cluster_facts(mapping), index, merged, own_group)
    return merged


def match_host(
    mapping: dict, machine: Machine | None, *, source: str, host: str | None = None
) -> tuple[int, str]:
    """(index, why) of the one entry that matches; FleetError naming candidates otherwise.
    `host` is a MAC address or an entry's hostname and selects instead of the machine's NICs."""
    hosts = mapping["hosts"]
    if host is not None and not MAC_RE.match(norm_mac(host)):
        named = [i for i, e in enumerate(hosts) if get_path(e, "system.hostname") == host]
        if len(named) == 1:
            return named[0], f"system.hostname {host}"
        raise FleetError(
            f"{source}: hosts: {len(named) or 'no'} entries have the hostname "
            f"{host!r}: give a MAC address or a hostname used once"
        )
    ident = identity(machine, host)
    hits: list[tuple[int, str]] = []
    for i, entry in enumerate(hosts):
        found = {
            k: [v for v in match_values(entry["match"], k) if v in ident[k]] for k in entry["match"]
        }
        if all(found.values()):
            hits.append((i, " and ".join(f"{k} {v[0]}" for k, v in found.items())))
    if len(hits) == 1:
        return hits[0]
    if hits:
        names = "; ".join(f"{label(mapping, i)} by {why}" for i, why in hits)
        raise FleetError(
            f"{source}: hosts: {len(hits)} entries match this machine: {names}: "
            "make each match: unique (add a key, e.g. system_serial)"
        )
    have = "; ".join(f"{k} {', '.join(sorted(v))}" for k, v in ident.items() if v) or "nothing"
    cands = "; ".join(f"{label(mapping, i)} {_show_match(e['match'])}" for i, e in enumerate(hosts))
    raise FleetError(
        f"{source}: hosts: no entry matches this machine ({have}); the entries "
        f"are: {cands}: add an entry for this machine or correct its match:"
    )


def _show_match(match: dict) -> str:
    return "by " + " and ".join(f"{k} {' or '.join(match_values(match, k))}" for k in match)


def _where(mapping: dict, index: int | None, field: str) -> str:
    if index is not None and get_path(mapping["hosts"][index], field) is not None:
        return f"hosts[{index}].{field}"
    return field


def resolve(
    mapping: dict, machine: Machine | None, *, source: str, host: str | None = None
) -> dict:
    """The plain answers mapping for this machine: the matching entry merged over the
    defaults, rules replaced by /dev paths and NIC names (and network.mac)."""
    errors = check_entries(mapping, source)
    if errors:
        raise FleetError(errors)
    index = (
        match_host(mapping, machine, source=source, host=host)[0] if "hosts" in mapping else None
    )
    return resolve_entry(mapping, index, machine, source=source)


def resolve_entry(
    mapping: dict, index: int | None, machine: Machine | None, *, source: str
) -> dict:
    """Entry `index` (None: a file without hosts:) merged over the defaults, rules resolved."""
    errors: list[str] = []
    merged = host_entry(mapping, index)
    for field in RULE_FIELDS:
        rule = get_path(merged, field)
        if not isinstance(rule, dict):
            continue
        where = f"{source}: {_where(mapping, index, field)}"
        if machine is None:
            errors.append(
                f"{where}: {describe_rule(rule)} is resolved at install time: "
                "give --machine to see the result"
            )
            continue
        if field == "network.interface":
            if rule.get("matched") and index is not None:  # check_entries: match has a mac
                macs = match_values(mapping["hosts"][index]["match"], "mac")
                mine = [m for m in macs if m in identity(machine)["mac"]] + macs
                rule = {k: x for k, x in rule.items() if k != "matched"} | {"mac": mine[0]}
            nics, why = (
                pick_members(rule, machine) if is_member_rule(rule) else pick_nic(rule, machine)
            )
            picked = nics if isinstance(nics, list) else [nics] if nics is not None else []
            macs = [norm_mac(n.perm_mac or n.mac) for n in picked]  # the burned-in MAC
            if picked and is_member_rule(rule):
                set_path(merged, field, [n.name for n in picked])
                set_path(merged, "network.mac", macs)
            elif picked:
                set_path(merged, field, picked[0].name)
                set_path(merged, "network.mac", macs[0])
        else:
            exclude = merged.get("disk") if field == "data_disk" else None
            disk, why = pick_disk(rule, machine, exclude)
            if disk is not None:
                merged[field] = disk.path
        if why:
            errors.append(f"{where}: {describe_rule(rule)}: {why}; change the rule or the hardware")
    if errors:
        raise FleetError(errors)
    return merged


def expand_all(mapping: dict, source: str) -> list[tuple[str, dict]]:
    """Every host entry merged over the defaults, labelled 'hosts[0] (controller1)' (the
    file itself, labelled '', when it has no hosts:). Rules stay as they are: they are
    resolved at install time (see `fleet_rules.stand_in`). Raises FleetError for shape problems."""
    errors = check_entries(mapping, source)
    if errors:
        raise FleetError(errors)
    if "hosts" not in mapping:
        return [("", host_entry(mapping, None))]
    facts = cluster_facts(mapping)
    return [
        (label(mapping, i), host_entry(mapping, i, facts)) for i in range(len(mapping["hosts"]))
    ]
