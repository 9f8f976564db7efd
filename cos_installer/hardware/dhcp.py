"""DHCP probe: ask a real DHCP client for a lease without configuring the interface.

The probe only pre-fills the address screen, so it must not change the live system: each
client runs in its no-configure mode with our own hook script, which writes the lease
variables to a file in a private temporary directory instead of setting addresses or routes.
  dhcpcd  -T (test mode: "the interface configuration isn't touched")
  udhcpc  -s SCRIPT (our script ignores deconfig/bound: nothing is configured)
  dhclient -sf SCRIPT (same idea; it would otherwise stay as a daemon: we stop it)
The client runs in its own session and the whole session is killed when the probe ends, so
no client process (dhcpcd's privilege-separation helpers included) outlives the probe.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass

from cos_installer.hardware.types import DhcpLease, DhcpResult
from cos_installer.i18n import _

CLIENT_ORDER = ("dhcpcd", "udhcpc", "dhclient")
RESULT_FILE = "lease.env"
WORKDIR_PREFIX = "cos-dhcp-"  # the hook script's directory: netstack finds stray clients by it
_VARS = ("ip", "mask", "cidr", "router", "dns", "hostname", "reason")


@dataclass(frozen=True)
class DhcpClient:
    """One client: its binary and how to ask it for a single lease, printing only."""

    name: str
    path: str

    def script_body(self, out: str) -> str:
        """Hook script: map this client's variable names to ours, write them atomically."""
        names = {
            "udhcpc": ("$1", "$ip", "$subnet", "$mask", "$router", "$dns", "$hostname"),
            "dhclient": (
                "$reason",
                "$new_ip_address",
                "$new_subnet_mask",
                "",
                "$new_routers",
                "$new_domain_name_servers",
                "$new_host_name",
            ),
            "dhcpcd": (
                "$reason",
                "$new_ip_address",
                "$new_subnet_mask",
                "$new_subnet_cidr",
                "$new_routers",
                "$new_domain_name_servers",
                "$new_host_name",
            ),
        }[self.name]
        reason, ip, mask, cidr, router, dns, host = names
        good = {"udhcpc": "bound|renew", "dhclient": "BOUND|REBOOT|RENEW", "dhcpcd": "TEST"}
        q = shlex.quote(out)
        return (
            "#!/bin/sh\n"
            f'case "{reason}" in {good[self.name]}) ;; *) exit 0 ;; esac\n'
            "{\n"
            f'  echo "reason={reason}"\n  echo "ip={ip}"\n  echo "mask={mask}"\n'
            f'  echo "cidr={cidr}"\n  echo "router={router}"\n  echo "dns={dns}"\n'
            f'  echo "hostname={host}"\n'
            f"}} > {q}.tmp && mv {q}.tmp {q}\n"
            "exit 0\n"
        )

    def argv(self, interface: str, script: str, workdir: str, timeout: float) -> list[str]:
        seconds = str(max(1, int(timeout + 0.999)))
        if self.name == "udhcpc":
            # -n: give up when no lease, -q: quit once bound, -t/-T: tries and spacing
            return [self.path, "-f", "-q", "-n", "-i", interface, "-s", script,
                    "-t", seconds, "-T", "1", "-A", "1"]  # fmt: skip
        if self.name == "dhclient":
            conf = os.path.join(workdir, "dhclient.conf")
            with open(conf, "w", encoding="utf-8") as f:
                f.write(f"timeout {seconds};\nretry 1;\n")
            return [self.path, "-d", "-1", "-4", "-sf", script, "-cf", conf,
                    "-lf", os.path.join(workdir, "dhclient.leases"),
                    "-pf", os.path.join(workdir, "dhclient.pid"), interface]  # fmt: skip
        conf = os.path.join(workdir, "dhcpcd.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("nodelay\noption domain_name_servers, host_name, routers, subnet_mask\n")
        return [self.path, "-T", "-1", "-4", "-t", seconds, "-c", script, "-f", conf,
                "--nobackground", interface]  # fmt: skip


def find_client(order: tuple[str, ...] = CLIENT_ORDER) -> DhcpClient | None:
    """The first DHCP client installed, in the order dhcpcd, udhcpc, dhclient."""
    for name in order:
        path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
        if path:
            return DhcpClient(name, path)
    return None


def parse_lease(text: str) -> DhcpLease | None:
    """Lease from our hook script's `key=value` lines; None when it has no usable address."""
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key in _VARS:
            values[key] = value.strip()
    try:
        prefix = values.get("cidr") or values.get("mask") or "32"
        address = ipaddress.IPv4Interface(f"{values['ip']}/{prefix}")
    except (KeyError, ValueError):
        return None
    gateway = None
    for word in values.get("router", "").split():
        with contextlib.suppress(ValueError):
            gateway = ipaddress.IPv4Address(word)
            break
    dns = []
    for word in values.get("dns", "").split():
        with contextlib.suppress(ValueError):
            dns.append(ipaddress.IPv4Address(word))
    return DhcpLease(address, gateway, tuple(dns), values.get("hostname") or None)


def _kill_session(proc: subprocess.Popen) -> None:
    """Stop the client and everything it started (same session, same process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=0.5)
            if sig == signal.SIGTERM:
                # helpers that ignored SIGTERM (dhcpcd's privsep proxy) get SIGKILL too
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
            return
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=1)


def no_answer(interface: str, timeout: float) -> str:
    return _("no DHCP answer on {nic} in {seconds} s - enter the address by hand").format(
        nic=interface, seconds=f"{timeout:g}"
    )


def _ask_once(
    client: DhcpClient, interface: str, script: str, workdir: str, out: str, deadline: float
) -> None:
    """Run the client until it writes a lease, gives up, or the deadline passes."""
    proc = subprocess.Popen(
        client.argv(interface, script, workdir, deadline - time.monotonic()),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=workdir,
        start_new_session=True,
    )
    try:
        while time.monotonic() < deadline:
            if os.path.exists(out) or proc.poll() is not None:
                break  # a lease, or the client gave up (-n / -1)
            time.sleep(0.05)
    finally:
        _kill_session(proc)


def run_dhcp(interface: str, timeout: float = 10.0, client: DhcpClient | None = None) -> DhcpResult:
    """One bounded DHCP exchange; never leaves a client process or an address behind."""
    client = client or find_client()
    if client is None:
        return DhcpResult(
            interface,
            message=_(
                "no DHCP client installed (dhcpcd, udhcpc or dhclient) - "
                "enter the address for {nic} by hand"
            ).format(nic=interface),
        )
    deadline = time.monotonic() + timeout
    lease = None
    with tempfile.TemporaryDirectory(prefix=WORKDIR_PREFIX) as workdir:
        out = os.path.join(workdir, RESULT_FILE)
        script = os.path.join(workdir, "hook.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(client.script_body(out))
        os.chmod(script, 0o700)
        # A client may give up at once (a carrier that came up a moment ago, dhcpcd seeing
        # the link still down): ask again while time is left.
        first = True
        while first or deadline - time.monotonic() >= 1:
            first = False
            try:
                _ask_once(client, interface, script, workdir, out, deadline)
            except OSError as exc:
                failed = _("{client} failed to start: {error}").format(
                    client=client.name, error=exc
                )
                return DhcpResult(interface, message=failed)
            if os.path.exists(out):
                with open(out, encoding="utf-8") as f:
                    lease = parse_lease(f.read())
                break
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    if lease is None:
        return DhcpResult(interface, message=no_answer(interface, timeout))
    return DhcpResult(interface, lease=lease, message=f"lease from DHCP ({client.name})")
