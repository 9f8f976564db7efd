"""Reading the answers for this machine: a plain answers file as it is, a fleet file by
picking this machine's entry and resolving its rules; both checked by `from_mapping`."""

from __future__ import annotations

from collections.abc import Callable

from cos_installer.answers.document import from_mapping, read_mapping
from cos_installer.answers.fleet import (
    FleetError,
    check_entries,
    label,
    match_host,
    resolve,
    resolve_entry,
)
from cos_installer.answers.model import InstallConfig
from cos_installer.hardware.types import Machine


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
        return from_mapping(resolve(mapping, machine, source=source), source)
    errors = check_entries(mapping, source)
    if errors:
        raise FleetError(errors)
    index, why = match_host(mapping, machine, source=source, host=host)
    if report is not None:
        report(f"{source}: this machine is {label(mapping, index)}, matched by {why}")
    plain = resolve_entry(mapping, index, machine, source=source)
    return from_mapping(plain, f"{source} {label(mapping, index)}")
