"""The live system's own network, brought up only when an answers URL needs it.

The live ISO configures no network at boot (the wizard's DHCP probe changes nothing), so a
`cos.answers=http://...` would have no route to its server. Before such a download: when
there is no default route yet, ask DHCP on each NIC with a link, in the probe's order, and
apply the first lease (address, default route, DNS servers). Nothing is kept running: the
lease outlives the download by far, and the installed system configures its own network.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

from cos_installer.hardware.types import DhcpLease

RESOLV_CONF = "/etc/resolv.conf"
Log = Callable[[str], None]


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False)


def has_default_route() -> bool:
    return bool(_ip("-4", "route", "show", "default").stdout.strip())


def apply_lease(interface: str, lease: DhcpLease, resolv_conf: str = RESOLV_CONF) -> None:
    """Configure the lease on the interface; raises OSError with ip's words when it fails."""
    steps = [
        ("link", "set", interface, "up"),
        ("-4", "addr", "replace", str(lease.address), "dev", interface),
    ]
    if lease.gateway is not None:
        steps.append(("-4", "route", "replace", "default", "via", str(lease.gateway),
                      "dev", interface))  # fmt: skip
    for step in steps:
        done = _ip(*step)
        if done.returncode != 0:
            raise OSError(f"ip {' '.join(step)}: {done.stderr.strip() or 'failed'}")
    if lease.dns:
        with open(resolv_conf, "w", encoding="utf-8") as f:
            f.write("# written by cos-installer from the DHCP lease on " + interface + "\n")
            f.writelines(f"nameserver {server}\n" for server in lease.dns)


def bring_up(machine: Any, log: Log, timeout: float = 10.0,
             resolv_conf: str = RESOLV_CONF) -> str | None:  # fmt: skip
    """The interface now carrying the network, or None (already up, or no lease anywhere:
    the download then fails with its own message)."""
    if has_default_route():
        return None
    nics = [nic for nic in machine.nics() if nic.linked] or machine.nics()
    for nic in nics:
        result = machine.dhcp(nic.name, timeout=timeout)
        if result.lease is None:
            log(f"network: {result.message}")
            continue
        try:
            apply_lease(nic.name, result.lease, resolv_conf)
        except OSError as error:
            log(f"network: {nic.name}: {error}")
            continue
        via = f" via {result.lease.gateway}" if result.lease.gateway else ""
        log(f"network: {nic.name} is {result.lease.address}{via} ({result.message})")
        return nic.name
    log("network: no DHCP lease on any NIC; the answers URL cannot be reached")
    return None
