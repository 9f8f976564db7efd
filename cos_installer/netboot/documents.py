"""One answers document per identity a fleet's `match:` entries name (the URL contract of
cos_installer.netboot.contract), each a fleet file cut down to the entries naming it.

A document keeps the fleet's shared defaults and the entries whose match names that value (one
entry, or several when entries share a value and differ by another key: the live system then
picks the one that matches it whole). Disk and NIC rules stay rules, resolved on the machine as
today. A plain `system.password` is replaced by its SHA-512 hash: the served tree carries no
plain password.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

from cos_installer.answers.fleet import host_entry
from cos_installer.answers.fleet_cluster import cluster_facts
from cos_installer.answers.fleet_rules import MATCH_KEYS, get_path, match_values, set_path
from cos_installer.netboot.contract import relative_path, value_problem

HEADER = (
    "# COS answers for the machines named below (cos-installer netboot export).\n"
    "# Served as {path}; rules are resolved on the machine.\n"
)


class ExportError(ValueError):
    """Fleet values that cannot become a served tree; `.errors` names each key path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def plain(value: object) -> object:
    """The mapping as safe_dump takes it (read_mapping's ints remember their source text)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _hash_secrets(section: dict, hasher: Callable[[str], str]) -> None:
    system = section.get("system")
    if isinstance(system, dict) and isinstance(system.get("password"), str):
        system = dict(system)
        system["password_hash"] = hasher(system.pop("password"))
        section["system"] = system


def identity_paths(mapping: dict, source: str) -> dict[str, list[int]]:
    """relative path -> indexes of the entries naming it; ExportError for values that cannot
    name a file (control characters, too long)."""
    paths: dict[str, list[int]] = {}
    errors = []
    for i, entry in enumerate(mapping["hosts"]):
        for key in entry["match"]:
            if key not in MATCH_KEYS:
                continue
            for value in match_values(entry["match"], key):
                problem = value_problem(value)
                if problem:
                    shown = value.encode("unicode_escape").decode("ascii")[:60]
                    errors.append(f"{source}: hosts[{i}].match.{key}: {shown!r}: {problem}; "
                                  "expected a MAC, serial or UUID as reported")  # fmt: skip
                    continue
                owners = paths.setdefault(relative_path(key, value), [])
                if i not in owners:
                    owners.append(i)
    if errors:
        raise ExportError(errors)
    return paths


def _keep_cluster(entry: dict, merged: dict) -> None:
    """What the whole fleet decides for an entry (the HA group, which agent sets the IP
    pool), written into it: a document cut down to one entry no longer knows the others."""
    for path in ("controller.group", "agent.ip_pool_owner"):
        value = get_path(merged, path)
        if value is not None and get_path(entry, path) is None:
            set_path(entry, path, plain(value))


def documents(
    mapping: dict,
    source: str,
    hasher: Callable[[str], str],
    paths: dict[str, list[int]] | None = None,
) -> dict[str, str]:
    """relative path -> YAML text; the mapping must have passed the fleet checks. paths:
    identity_paths(mapping, source) when the caller has it already."""
    shared = {k: plain(v) for k, v in mapping.items() if k != "hosts"}
    _hash_secrets(shared, hasher)
    entries = []
    facts = cluster_facts(mapping)  # once, of the whole fleet: a document holds a part of it
    for i, entry in enumerate(mapping["hosts"]):
        entry = plain(entry)
        _hash_secrets(entry, hasher)
        _keep_cluster(entry, host_entry(mapping, i, facts))
        entries.append(entry)
    out = {}
    if paths is None:
        paths = identity_paths(mapping, source)
    for path, owners in sorted(paths.items()):
        names = [
            str(get_path(entries[i], "system.hostname") or f"hosts[{i}]")
            .encode("unicode_escape")
            .decode("ascii")
            for i in owners
        ]
        doc = dict(shared, hosts=[entries[i] for i in owners])
        text = yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)
        head = HEADER.format(path=path) + f"# for: {', '.join(names)}\n"
        out[path] = head + text
    return out
