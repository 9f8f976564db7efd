"""The live system's own network, brought up only when an answers URL needs it.

The live ISO configures no network at boot (the wizard's DHCP probe changes nothing), so a
`cos.answers=http://...` would have no route to its server. Before such a download: when
there is no default route yet, ask DHCP on each NIC with a link, in the probe's order, and
apply the first lease (address, default route, DNS servers). Nothing is kept running: the
lease outlives the download by far, and the installed system configures its own network.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from cos_installer.hardware.types import DhcpLease

RESOLV_CONF = "/etc/resolv.conf"
BRING_UP_DEADLINE = 45.0  # seconds of DHCP attempts over all NICs before giving up
Log = Callable[[str], None]


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False)


def has_default_route() -> bool:
    return bool(_ip("-4", "route", "show", "default").stdout.strip())


def apply_lease(
    interface: str, lease: DhcpLease, resolv_conf: str = RESOLV_CONF
) -> list[tuple[str, ...]]:
    """Configure the lease on the interface, or nothing: a failed step (a /32 lease whose
    gateway cannot be routed, an unwritable resolv.conf) takes the earlier ones back, and
    raises OSError naming the step. Returns the `ip` steps that take it back (take_back)."""
    address = str(lease.address)
    steps = [
        (("link", "set", interface, "up"), None),
        (("-4", "addr", "replace", address, "dev", interface),
         ("-4", "addr", "del", address, "dev", interface)),
    ]  # fmt: skip
    if lease.gateway is not None:
        route = ("-4", "route", "replace", "default", "via", str(lease.gateway), "dev", interface)
        steps.append((route, ("-4", "route", "del", "default", "dev", interface)))
    undo: list[tuple[str, ...]] = []
    try:
        for step, back in steps:
            done = _ip(*step)
            if done.returncode != 0:
                raise OSError(f"ip {' '.join(step)}: {done.stderr.strip() or 'failed'}")
            if back:
                undo.append(back)
        if lease.dns:
            _write_resolv_conf(resolv_conf, interface, lease)
    except OSError:
        take_back(undo)
        raise
    return undo


def take_back(undo: list[tuple[str, ...]]) -> None:
    for back in reversed(undo):
        _ip(*back)


def reachable(host: str, port: int, timeout: float = 3.0) -> str:
    """'' when a TCP connection to host:port opens (the name resolved with the lease's DNS),
    else why not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return ""
    except OSError as error:
        return error.strerror or str(error) or type(error).__name__


def _write_resolv_conf(path: str, interface: str, lease: DhcpLease) -> None:
    """A new file in place of the old one (a symlink into a resolver's runtime directory
    is replaced, not written through)."""
    text = f"# written by cos-installer from the DHCP lease on {interface}\n" + "".join(
        f"nameserver {server}\n" for server in lease.dns
    )
    tmp = f"{path}.cos-installer"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OSError(f"cannot write {path}: {error.strerror or error}") from error


def bring_up(machine: Any, log: Log, timeout: float = 10.0, resolv_conf: str = RESOLV_CONF,
             reach: tuple[str, int] | None = None,
             deadline: float = BRING_UP_DEADLINE) -> str | None:  # fmt: skip
    """The interface now carrying the network, or None (already up, or no NIC could be
    configured within `deadline` seconds: the download then fails with its own message).
    `reach`: the answers server; a lease from which it cannot be reached (a management
    network, say) is taken back and the next NIC with a link is tried. The NICs are asked
    again until the deadline: a switch port still in spanning-tree learning, or a slow DHCP
    server, answers only after some seconds."""
    if has_default_route():
        return None
    end = time.monotonic() + deadline
    leases = 0
    while True:
        nics = [nic for nic in machine.nics() if nic.linked] or machine.nics()
        for nic in nics:
            name, got = _try_nic(machine, nic.name, log, timeout, resolv_conf, reach)
            leases += got
            if name:
                return name
        if not nics or time.monotonic() + 1.0 >= end:
            break
        log("network: no usable lease yet; asking again")
        time.sleep(1.0)
    if leases:
        log("network: no DHCP lease could be applied or reach the server; "
            "the answers URL cannot be reached")  # fmt: skip
    else:
        log("network: no DHCP lease on any NIC; the answers URL cannot be reached")
    return None


def _try_nic(machine: Any, nic: str, log: Log, timeout: float, resolv_conf: str,
             reach: tuple[str, int] | None) -> tuple[str | None, int]:  # fmt: skip
    """(nic, 1) when its lease is applied and reaches the server; (None, leases seen)."""
    result = machine.dhcp(nic, timeout=timeout)
    if result.lease is None:
        log(f"network: {result.message}")
        return None, 0
    try:
        undo = apply_lease(nic, result.lease, resolv_conf)
    except OSError as error:
        log(f"network: {nic}: the lease {result.lease.address} was not applied: {error}")
        return None, 1
    via = f" via {result.lease.gateway}" if result.lease.gateway else ""
    why = reachable(*reach) if reach else ""
    if why:
        log(f"network: {nic} is {result.lease.address}{via}, but {reach[0]}:{reach[1]} "
            f"cannot be reached from it ({why}); trying the next NIC")  # fmt: skip
        take_back(undo)
        return None, 1
    log(f"network: {nic} is {result.lease.address}{via} ({result.message})")
    return nic, 1


def server_of(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL, for `bring_up(reach=...)`."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)
