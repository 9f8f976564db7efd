"""`cos-installer render`: answers file in, the cloud-config it would install out.

A fleet file (a `hosts:` list) describes several machines, so it needs the one to render:
`--host MAC|HOSTNAME` picks the entry as `check-answers --host` does, and `--machine PROFILE`
matches the entry against that machine's NICs, disks and DMI and resolves the disk and NIC
rules on it. Without a machine, disk rules do not change the cloud-config (it names no disk);
a NIC rule does (the networkd file names the NIC), so that needs --machine.
"""

from __future__ import annotations

import argparse
import sys

from cos_installer.answers.document import AnswersError, from_mapping
from cos_installer.answers.fleet import (
    FleetError,
    check_entries,
    host_entry,
    label,
    match_host,
    resolve_entry,
)
from cos_installer.answers.fleet_rules import get_path, match_values, stand_in
from cos_installer.answers.loader import machine_nics, read_mapping
from cos_installer.answers.model import InstallConfig
from cos_installer.render.config import RenderError, render_config

HELP = "print the cloud-config an answers file (or a fleet file's host) produces; exit 2 if bad"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", metavar="FILE", required=True, help="the answers file (YAML)")
    parser.add_argument(
        "--machine",
        metavar="PROFILE",
        help="resolve disk and NIC rules on this machine profile (a bundled name or a YAML "
        "file; 'local' probes this computer) and, for a fleet file, pick its entry",
    )
    parser.add_argument(
        "--host",
        metavar="MAC|HOSTNAME",
        help="a fleet file's entry to render: a NIC's MAC or the entry's hostname",
    )


def how_to_pick(mapping: dict, source: str) -> str:
    """Why a fleet file needs a host, and the --host values that pick each entry."""
    ways = []
    for i, entry in enumerate(mapping["hosts"]):
        picks = [str(name)] if (name := get_path(entry, "system.hostname")) else []
        if "mac" in entry["match"]:
            picks += match_values(entry["match"], "mac")
        options = " or ".join(f"--host {p}" for p in picks) or "--machine PROFILE only"
        ways.append(f"  {label(mapping, i)}: {options}")
    return (
        f"{source}: hosts: this fleet file has {len(ways)} host entries and each machine gets "
        "its own cloud-config: say which one to render with --host MAC|HOSTNAME, or with "
        "--machine PROFILE (a machine profile, or 'local' on the machine itself):\n"
        + "\n".join(ways)
    )


def _open(profile: str | None) -> object:
    from cos_installer.hardware import ProfileError, open_machine

    if profile is None:
        return None
    try:
        return open_machine(profile)
    except ProfileError as exc:
        raise FleetError(f"cos-installer: {exc}") from None


def _without_machine(mapping: dict, index: int | None, where: str) -> dict:
    """The entry with disk rules stood in (the cloud-config names no disk); a NIC rule
    cannot be: the networkd file names the NIC."""
    plain, shown = stand_in(host_entry(mapping, index))
    if "network.interface" in shown:
        raise FleetError(
            f"{where}: network.interface: {shown['network.interface']}; the cloud-config "
            "names that NIC: give --machine PROFILE (that machine's profile, or 'local' on it) "
            "to resolve it, or write the NIC's name in the file"
        )
    return plain


def load_config(args: argparse.Namespace) -> InstallConfig:
    """The InstallConfig to render: the file itself, or the fleet entry --host/--machine
    picks. Raises AnswersError or FleetError (both carry `.errors`)."""
    source = args.answers
    mapping = read_mapping(source)
    problems = check_entries(mapping, source)
    if problems:
        raise FleetError(problems)
    machine = _open(args.machine)
    index, where = None, source
    if "hosts" in mapping:
        if args.host is None and machine is None:
            raise FleetError(how_to_pick(mapping, source))
        index = match_host(mapping, machine, source=source, host=args.host)[0]
        where = f"{source} {label(mapping, index)}"
    elif args.host is not None:
        raise FleetError(
            f"{source}: --host {args.host!r}: this file has no hosts: list (it is one "
            "machine's answers), so there is no entry to pick: leave --host out"
        )
    if machine is not None:
        plain = resolve_entry(mapping, index, machine, source=source)  # type: ignore[arg-type]
    else:
        plain = _without_machine(mapping, index, where)
    return from_mapping(plain, where, nics=machine_nics(machine))  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> int:
    try:
        text = render_config(load_config(args))
    except AnswersError as exc:
        print(str(exc), file=sys.stderr)
        print(f"cos-installer: {len(exc.errors)} problem(s) in {args.answers}", file=sys.stderr)
        return 2
    except FleetError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except RenderError as exc:
        print(f"cos-installer: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
