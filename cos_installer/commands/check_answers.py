"""`cos-installer check-answers FILE`: is this answers (or fleet) file good, and what would a
given machine get from it?

Without --machine/--host every host entry is checked (rules that need the hardware are
shown as "resolved at install time") together with fleet-wide rules: unique hostnames and
addresses, one network model for all agents, Ipvlan agents not on consecutive addresses.
With --machine PROFILE (or --host MAC|HOSTNAME) the entry that machine gets and its
effective answers are printed as YAML, secrets redacted. Exit 0 when valid, 2 otherwise.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from typing import Any

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
        print(line, file=sys.stderr)
    return 2


def _open(profile: str) -> Any:
    from ..hardware import ProfileError, open_machine

    try:
        return open_machine(None if profile == "local" else profile)
    except ProfileError as exc:
        raise _Problem([f"cos-installer: {exc}"]) from None


class _Problem(Exception):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors


def _effective(plain: dict, shown: dict[str, str], source: str) -> tuple[Any, dict]:
    """Check one plain mapping; the config and its redacted mapping with rules described."""
    from ..answers import AnswersError, from_mapping, to_mapping
    from ..fleet_rules import set_path

    try:
        config = from_mapping(plain, source=source)
    except AnswersError as exc:
        raise _Problem(exc.errors) from None
    out = to_mapping(config)
    for field, text in shown.items():
        set_path(out, field, f"<{text}>")
    return config, out


def placeholder_notes(mapping: dict, source: str) -> list[str]:
    """Warnings for what `cos-installer fleet` leaves for the operator to fill in."""
    from .fleet import PLACEHOLDER_INSTALL_CODE, PLACEHOLDER_MAC_PREFIX

    notes, placeholders = [], []
    for i, entry in enumerate(mapping.get("hosts") or []):
        macs = entry.get("match", {}).get("mac", [])
        if any(str(m).lower().startswith(PLACEHOLDER_MAC_PREFIX) for m in
               (macs if isinstance(macs, list) else [macs])):  # fmt: skip
            placeholders.append(f"hosts[{i}]")
    if placeholders:
        notes.append(f"{source}: match.mac of {', '.join(placeholders)}: still a placeholder "
                     "(00:00:00:00:..): put the MAC of each machine's NIC there")  # fmt: skip
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
    for (low, low_label), (high, high_label) in zip(ipvlan, ipvlan[1:], strict=False):
        if int(high) - int(low) == 1:
            errors.append(f"{source}: {high_label}: network.address {high} follows {low_label}'s "
                          f"{low}: Ipvlan agents' addresses must not be consecutive (the guide: "
                          ".101, .103, .105)")  # fmt: skip
    return errors


def check_all(mapping: dict, source: str) -> tuple[list[str], list[str]]:
    """(errors, report lines) for every host entry, without a machine."""
    from ..answers import dump_yaml
    from ..fleet import expand_all
    from ..fleet_rules import stand_in

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
    for (field, text), labels in later.items():
        who = "" if len(labels) == len(entries) else f" ({', '.join(labels)})"
        report.append(f"# {field}{who}: {text}")
    return errors, report


def run(args: argparse.Namespace) -> int:
    from ..answers import AnswersError, dump_yaml, read_mapping
    from ..fleet import FleetError, check_entries, host_entry, label, match_host, resolve_entry
    from ..fleet_rules import stand_in

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
