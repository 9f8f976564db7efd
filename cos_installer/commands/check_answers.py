"""`cos-installer check-answers FILE`: is this answers (or fleet) file good, and what would a
given machine get from it?

Without --machine/--host every host entry is checked (rules that need the hardware are
shown as "resolved at install time") together with fleet-wide rules: unique hostnames and
addresses, one network model for all agents, Ipvlan agents not on consecutive addresses, and
the guide's cluster shape: one cluster size for all controllers, at least that many agents,
and ha: true on none or on exactly three controllers.
With --machine PROFILE (or --host MAC|HOSTNAME) the entry that machine gets and its
effective answers are printed as YAML, secrets redacted. Exit 0 when valid, 2 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import ipaddress
import sys
from collections.abc import Callable
from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.cluster_checks import group_problems, pool_problems
from cos_installer.answers.model import DEFAULT_CLUSTER_SIZE, DEFAULT_HA, HA_GROUP_SIZE, Role
from cos_installer.common.shown import printable

HELP = "check an answers or fleet file; show the entry and answers a machine would get"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the answers file (YAML)")
    parser.add_argument(
        "--machine",
        metavar="PROFILE",
        help="resolve for this machine profile (a bundled name or a YAML file); "
        "'local' probes this computer",
    )
    parser.add_argument(
        "--host", metavar="MAC", help="pick the host entry by this MAC (or an entry's hostname)"
    )


def _err(lines: list[str]) -> int:
    for line in lines:
        print(printable(line), file=sys.stderr)
    return 2


def _open(profile: str) -> Any:
    from cos_installer.hardware import ProfileError, open_machine

    try:
        return open_machine(profile)
    except ProfileError as exc:
        raise _Problem([f"cos-installer: {exc}"]) from None


class _Problem(Exception):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors


@functools.lru_cache(maxsize=16)
def _hash_once(plain: str) -> str:
    """The hosts of a fleet share a password: hash it once per check, not once per host (the
    hash is redacted in the report; nothing is installed from it)."""
    from cos_installer.answers.passwords import hash_password

    return hash_password(plain)


def _effective(plain: dict, shown: dict[str, str], source: str) -> tuple[Any, dict]:
    """Check one plain mapping; the config and its redacted mapping with rules described."""
    from cos_installer.answers.document import AnswersError, from_mapping
    from cos_installer.answers.effective import redacted_answers
    from cos_installer.answers.fleet_rules import set_path

    try:
        config = from_mapping(plain, source=source, hasher=_hash_once)
    except AnswersError as exc:
        raise _Problem(exc.errors) from None
    out = redacted_answers(config)
    for field, text in shown.items():
        set_path(out, field, f"<{text}>")
    return config, out


def placeholder_notes(mapping: dict, source: str) -> list[str]:
    """Warnings for what `cos-installer fleet` leaves for the operator to fill in."""
    from cos_installer.commands.fleet_file import PLACEHOLDER_INSTALL_CODE, PLACEHOLDER_MAC_PREFIX

    notes, placeholders = [], []
    for i, entry in enumerate(mapping.get("hosts") or []):
        macs = entry.get("match", {}).get("mac", [])
        if any(str(m).lower().startswith(PLACEHOLDER_MAC_PREFIX) for m in
               (macs if isinstance(macs, list) else [macs])):  # fmt: skip
            placeholders.append(f"hosts[{i}]")
    if placeholders:
        shown = ", ".join(placeholders[:5])
        if len(placeholders) > 5:
            shown += f" and {len(placeholders) - 5} more"
        notes.append(f"{source}: match.mac of {shown}: still a placeholder "
                     "(00:00:00:..): put the MAC of each machine's NIC there")  # fmt: skip
    codes = [mapping.get("agent")] + [e.get("agent") for e in mapping.get("hosts") or []]
    if any(isinstance(a, dict) and str(a.get("install_code")) == PLACEHOLDER_INSTALL_CODE
           for a in codes):  # fmt: skip
        notes.append(f"{source}: agent.install_code: still the placeholder: put the code from "
                     "the controller's web page here before installing the agents")  # fmt: skip
    return notes


def fleet_problems(configs: list[tuple[str, Any]], source: str) -> list[str]:
    """Rules across host entries: unique names and addresses, the guide's agent rules."""
    errors: list[str] = []
    names: dict[str, str] = {}
    addrs: dict[ipaddress.IPv4Address, str] = {}
    for label, cfg in configs:
        name = cfg.system.hostname
        if name in names:
            errors.append(f"{source}: {label}: system.hostname {name} is also {names[name]}'s")
        names.setdefault(name, label)
        ip = cfg.network.address.ip if cfg.network.address else None
        if ip is not None and ip in addrs:
            errors.append(f"{source}: {label}: network.address {ip} is also {addrs[ip]}'s")
        if ip is not None:
            addrs.setdefault(ip, label)
    agents = [(label, cfg) for label, cfg in configs if cfg.agent is not None]
    models = {cfg.agent.network_model.value for _, cfg in agents}
    if len(models) > 1:
        which = ", ".join(f"{label} {cfg.agent.network_model.value}" for label, cfg in agents)
        errors.append(f"{source}: agent.network_model: all agents must use the same network "
                      f"model, but: {which}")  # fmt: skip
    ipvlan = sorted(
        (cfg.network.address.ip, label)
        for label, cfg in agents
        if cfg.agent.network_model.value == "ipvlan" and cfg.network.address
    )
    errors += pool_problems(configs, source) + group_problems(configs, source)
    for (low, low_label), (high, high_label) in zip(ipvlan, ipvlan[1:], strict=False):
        if int(high) - int(low) == 1:
            errors.append(f"{source}: {high_label}: network.address {high} follows {low_label}'s "
                          f"{low}: Ipvlan agents' addresses must not be consecutive (the guide: "
                          ".101, .103, .105)")  # fmt: skip
    return errors


def _setting(section: object, key: str, check: Callable[[object], Any], default: Any) -> Any:
    """One value read as the answers checker reads it; None when it is not valid (the
    entry's own check reports that), so the fleet-wide rule that needs it is skipped."""
    if section is None:
        return default
    if not isinstance(section, dict):
        return None
    raw = section.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    try:
        return check(raw)
    except validate.FieldError:
        return None


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def cluster_problems(entries: list[tuple[str, dict]], source: str) -> list[str]:
    """The guide's cluster shape across a fleet file's entries (merged, rules unresolved):
    at least Cluster Size agents before the cluster initialises (section 3.2), one cluster
    size, and an HA group of exactly three controllers (replica set rs0 of three members)."""
    roles = [
        (label, _setting(merged, "role", validate.role, None), merged) for label, merged in entries
    ]
    controllers = [(label, merged.get("controller")) for label, role, merged in roles
                   if role is Role.CONTROLLER]  # fmt: skip
    if not controllers:
        return []
    errors: list[str] = []
    sizes = [(label, _setting(s, "cluster_size", validate.cluster_size, DEFAULT_CLUSTER_SIZE))
             for label, s in controllers]  # fmt: skip
    known = {size for _, size in sizes if size is not None}
    if len(known) > 1:
        which = ", ".join(f"{label} {size}" for label, size in sizes if size is not None)
        errors.append(f"{source}: controller.cluster_size: all controllers must use the same "
                      f"cluster size, but: {which}")  # fmt: skip
    agents = sum(role is Role.AGENT for _, role, _ in roles)
    if known and all(role is not None for _, role, _ in roles) and agents < max(known):
        largest = max(known)
        errors.append(f"{source}: controller.cluster_size {largest}"
                      f"{' (the largest)' if len(known) > 1 else ''}: the cluster initialises "
                      f"only once at least {largest} agents are installed (the guide, section "
                      f"3.2), but the file has {_entries(agents)} with role agent: add agent "
                      "entries, or lower controller.cluster_size")  # fmt: skip
    ha = [(label, _setting(s, "ha", validate.yes_no, DEFAULT_HA)) for label, s in controllers]
    grouped = [label for label, on in ha if on]
    if all(on is not None for _, on in ha) and len(grouped) not in (0, HA_GROUP_SIZE):
        errors.append(f"{source}: controller.ha: {_entries(len(grouped))} with role controller "
                      f"{'has' if len(grouped) == 1 else 'have'} ha: true ({', '.join(grouped)}); "
                      f"the guide's HA group is exactly {HA_GROUP_SIZE} controllers (MongoDB "
                      f"replica set rs0 of three members): set ha: true on exactly "
                      f"{HA_GROUP_SIZE}, or ha: false on each (not given: true)")  # fmt: skip
    return errors


def check_all(mapping: dict, source: str) -> tuple[list[str], list[str]]:
    """(errors, report lines) for every host entry, without a machine."""
    from cos_installer.answers.document import dump_yaml
    from cos_installer.answers.fleet import expand_all
    from cos_installer.answers.fleet_rules import stand_in

    errors: list[str] = []
    configs, report = [], []
    later: dict[tuple[str, str], list[str]] = {}  # (field, text) -> labels of the entries
    entries = expand_all(mapping, source)
    for label, merged in entries:
        plain, shown = stand_in(merged)
        for field, text in shown.items():
            later.setdefault((field, text), []).append(label)
        try:
            config, out = _effective(plain, shown, f"{source} {label}".strip())
        except _Problem as exc:
            errors += exc.errors
            continue
        configs.append((label, config))
        if label:
            addr = out["network"].get("address", "dhcp")
            report.append(f"#   {label:<28} {config.role.value:<10} {addr}")
        else:
            report.append(dump_yaml(out).rstrip())
    errors += fleet_problems(configs, source)
    if "hosts" in mapping:  # a single machine's answers file is one controller of a group
        errors += cluster_problems(entries, source)
    for (field, text), labels in later.items():
        who = "" if len(labels) == len(entries) else f" ({', '.join(labels)})"
        report.append(f"# {field}{who}: {text}")
    return errors, report


def run(args: argparse.Namespace) -> int:
    from cos_installer.answers.document import AnswersError, dump_yaml
    from cos_installer.answers.fleet import (
        FleetError,
        check_entries,
        host_entry,
        label,
        match_host,
        resolve_entry,
    )
    from cos_installer.answers.fleet_rules import stand_in
    from cos_installer.answers.loader import read_mapping

    source = args.file
    try:
        mapping = read_mapping(args.file)
        fleet = "hosts" in mapping
        if args.machine is None and not (args.host and fleet):
            errors, report = check_all(mapping, source)
            if errors:
                return _err(errors)
            for note in placeholder_notes(mapping, source):
                print(f"warning: {note}", file=sys.stderr)
            n = len(mapping["hosts"]) if fleet else 0
            count = f"{n} host {'entry' if n == 1 else 'entries'}" if fleet else "answers"
            print(f"# {source}: valid ({count}; secrets redacted)")
            print("\n".join(report))
            return 0
        machine = _open(args.machine) if args.machine else None
        problems = check_entries(mapping, source)
        if problems:
            return _err(problems)
        index, head = None, f"# {source}: valid"
        if fleet:
            index, why = match_host(mapping, machine, source=source, host=args.host)
            head = f"# {source}: {label(mapping, index)} matches this machine by {why}"
        if machine is not None:
            plain, shown = resolve_entry(mapping, index, machine, source=source), {}
        else:
            plain, shown = stand_in(host_entry(mapping, index))
        where = f"{source} {label(mapping, index)}" if fleet else source
        _, out = _effective(plain, shown, where)
    except (AnswersError, FleetError, _Problem) as exc:
        return _err(exc.errors)
    print(head)
    print("# effective answers (secrets redacted):")
    print(dump_yaml(out).rstrip())
    return 0
