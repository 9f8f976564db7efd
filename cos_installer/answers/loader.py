"""Reading answers files, and the answers for this machine: a plain answers file as it is, a
fleet file by picking this machine's entry and resolving its rules; both checked by
`from_mapping`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cos_installer.answers.document import AnswersError, from_mapping, kind_of
from cos_installer.answers.fleet import (
    FleetError,
    check_entries,
    label,
    match_host,
    resolve,
    resolve_entry,
)
from cos_installer.answers.model import InstallConfig
from cos_installer.answers.yamlfile import YamlFileError, load_yaml
from cos_installer.hardware.types import Machine, Nic


def read_mapping(path: str | Path) -> dict:
    """Read an answers file as YAML; a syntax error names the line. Raises AnswersError."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise AnswersError([f"{source}: cannot read the answers file: {exc.strerror}"]) from None
    try:
        data = load_yaml(raw)
    except YamlFileError as exc:
        raise AnswersError([f"{source}: {exc}"]) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else kind_of(data)
        raise AnswersError([f"{source}: expected a mapping of keys (role, system, ...), got {got}"])
    return data


def load_answers(path: str | Path) -> InstallConfig:
    """read_mapping + from_mapping: the unattended install's single entry point."""
    return from_mapping(read_mapping(path), source=str(path))


def load_for_machine(
    path: str,
    machine: Machine,
    *,
    host: str | None = None,
    report: Callable[[str], None] | None = None,
) -> InstallConfig:
    """The unattended install's entry point for plain and fleet answers files alike: read,
    pick this machine's entry, resolve rules, check. Raises AnswersError or FleetError (both
    carry `.errors`); messages of a fleet entry name it: "f.yaml hosts[3] (node1): ..."."""
    source = str(path)
    mapping = read_mapping(path)
    if "hosts" not in mapping:
        plain = resolve(mapping, machine, source=source)
        return from_mapping(plain, source, nics=machine_nics(machine))
    errors = check_entries(mapping, source)
    if errors:
        raise FleetError(errors)
    index, why = match_host(mapping, machine, source=source, host=host)
    if report is not None:
        report(f"{source}: this machine is {label(mapping, index)}, matched by {why}")
    plain = resolve_entry(mapping, index, machine, source=source)
    return from_mapping(plain, f"{source} {label(mapping, index)}", nics=machine_nics(machine))


def machine_nics(machine: Machine | None) -> list[Nic] | None:
    """Every NIC of the machine (virtual ones too: a name may be one), for the network rules
    that need hardware facts; None without a machine."""
    return None if machine is None else list(machine.nics(True))
