"""The live system's side of the answers URL contract (cos_installer.netboot.contract): ask an
answers directory by every identity this machine has, in the contract's order, and keep the
first document whose entry matches this machine.

A document is a fleet file cut down to one host entry, so an entry matched by two keys (a MAC
and a serial) is served under both and taken only where both match; a 404 means "not this
one", anything else (5xx, no route) is retried, then reported. When no document matches,
NoAnswers says which URLs were asked: the machine gets no answers and no disk is touched.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cos_installer.answers.fleet import FleetError, is_fleet, match_host
from cos_installer.answers.fleet_rules import norm_mac
from cos_installer.hardware.types import Machine
from cos_installer.netboot.contract import bootif_mac, identity_path, value_problem

__all__ = ["NoAnswers", "bootif_mac", "fetch_by_identity", "identities"]
from cos_installer.netboot.httpstream import HttpError, Retry, fetch_small

MAX_DOCUMENT = 1 << 20


class NoAnswers(RuntimeError):
    """No answers document for this machine (every identity asked was a 404 or another host's)."""


def identities(machine: Machine, bootif: str | None = None) -> list[tuple[str, str]]:
    """(key, value) in the contract's order, each once, in the fleet's normal form."""
    found: list[tuple[str, str]] = []

    def add(key: str, value: str) -> None:
        if value and not value_problem(value) and (key, value) not in found:
            found.append((key, value))

    if bootif:
        add("mac", norm_mac(bootif))
    for nic in sorted(machine.nics(True), key=lambda n: n.name):
        if nic.mac:
            add("mac", norm_mac(nic.mac))
    dmi = machine.dmi() if hasattr(machine, "dmi") else {}
    for key in ("system_uuid", "system_serial"):
        add(key, str(dmi.get(key, "")).strip().lower())
    for disk in sorted(machine.disks(), key=lambda d: d.path):
        if disk.serial:
            add("disk_serial", disk.serial.strip().lower())
    return found


def _mismatch(path: str, machine: Machine, source: str) -> str:
    """Why the document at `path` is not for this machine ("" when it is, or when it is no
    fleet file: the install then reads it and reports what is wrong with it)."""
    from cos_installer.answers.loader import read_mapping

    try:
        mapping = read_mapping(path)
    except Exception:  # noqa: BLE001 - the install reports a broken file with its own words
        return ""
    if not (is_fleet(mapping) and isinstance(mapping.get("hosts"), list)):
        return ""
    try:
        match_host(mapping, machine, source=source)
    except FleetError as exc:
        return str(exc)
    except Exception:  # noqa: BLE001 - a malformed entry: the install names it
        return ""
    return ""


def fetch_by_identity(
    base: str,
    dest: str,
    machine: Machine,
    *,
    bootif: str | None = None,
    retry: Retry | None = None,
    log: Callable[[str], None] = print,
) -> str:
    """Write the first matching document to `dest` (mode 0600); return its URL."""
    retry = retry or Retry(log=log)
    asked = []
    for key, value in identities(machine, bootif):
        url = base + identity_path(key, value)
        asked.append(url)
        try:
            data = fetch_small(url, MAX_DOCUMENT, retry, missing_ok=True)
        except HttpError as exc:
            log(f"answers: {exc.cause}")
            continue
        if data is None:
            log(f"answers: {url}: none (404)")
            continue
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        why = _mismatch(dest, machine, url)
        if why:
            log(f"answers: {url}: not for this machine ({why.splitlines()[0][:200]})")
            os.unlink(dest)
            continue
        log(f"answers: {url}: found for {key} {value}")
        return url
    raise NoAnswers(
        f"answers {base}: no document for this machine (asked {len(asked)} URL(s): "
        f"{', '.join(asked) or 'it has no MAC, DMI or disk serial'}); add a hosts: entry "
        "matching it to the fleet file and export again, or install with the wizard"
    )
