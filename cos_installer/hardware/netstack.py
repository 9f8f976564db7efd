"""The operator's network stack (bond of NICs, VLAN on top) brought up in the live system for
the DHCP and router-advertisement probe, and taken down after.

Everything made here is named with PREFIX, so a probe that was killed before its cleanup (the
wizard's process killed, the machine's power cut is moot) leaves nothing the next probe does not
remove first. iproute2 does the work (`ip link add ... type bond|vlan`): the kernel's bonding
and 8021q modules load on demand. Taking the bond down releases its members, and the kernel
gives each back its own MAC address and MTU; the members' admin state is put back as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

from cos_installer.hardware.dhcp import WORKDIR_PREFIX
from cos_installer.hardware.types import Stack

PREFIX = "cosprobe"
BOND = f"{PREFIX}-b"
VLAN = f"{PREFIX}-v"
LOCK = "/run/cos-installer-netprobe.lock"
SYS_NET = "/sys/class/net"


class StackError(RuntimeError):
    """A step of bringing the stack up failed; the message names the command and the cause."""


@dataclass
class _Made:
    links: list[str] = field(default_factory=list)  # created by us, top first when deleted
    was_up: dict[str, bool] = field(default_factory=dict)
    accept_ra: dict[str, str] = field(default_factory=dict)


def ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackError(f"ip {' '.join(args)}: {done.stderr.strip() or 'failed'}")


def is_up(name: str) -> bool:
    try:
        with open(f"{SYS_NET}/{name}/flags", encoding="ascii") as f:
            return bool(int(f.read(), 16) & 0x1)
    except (OSError, ValueError):
        return False


def _accept_ra_path(name: str) -> str:
    return f"/proc/sys/net/ipv6/conf/{name}/accept_ra"


def set_accept_ra(name: str, value: str) -> str | None:
    """Set the kernel's RA processing on a link; the old value, None when there is no IPv6.
    The probe only listens: the kernel must not configure a SLAAC address from what it hears."""
    try:
        with open(_accept_ra_path(name), encoding="ascii") as f:
            old = f.read().strip()
        with open(_accept_ra_path(name), "w", encoding="ascii") as f:
            f.write(value)
        return old
    except OSError:
        return None


def leftovers() -> list[str]:
    try:
        return sorted(n for n in os.listdir(SYS_NET) if n.startswith(PREFIX))
    except OSError:
        return []


def stray_clients(proc: str = "/proc") -> list[int]:
    """DHCP clients a killed probe left running on one of our links: started with the probe's
    hook script (hardware/dhcp.py, in a `cos-dhcp-` directory) on a PREFIX interface."""
    found = []
    for pid in filter(str.isdigit, os.listdir(proc)):
        try:
            with open(f"{proc}/{pid}/cmdline", "rb") as f:
                argv = f.read().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        ours = any(f"/{WORKDIR_PREFIX}" in a for a in argv) and any(
            a.startswith(PREFIX) for a in argv
        )
        if ours:
            found.append(int(pid))
    return found


def remove_leftovers() -> list[str]:
    """Delete links an earlier probe made and could not take down (killed), and end its DHCP
    client; their names. VLANs go first: deleting a bond with a VLAN on it is fine too."""
    ended = []
    for pid in stray_clients():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # the client leads its own session (dhcp.py)
            ended.append(f"DHCP client {pid}")
    gone = []
    for name in sorted(leftovers(), key=lambda n: n != VLAN):
        with contextlib.suppress(StackError):
            ip("link", "del", name)
            gone.append(name)
    return gone + ended


def _bond(stack: Stack, made: _Made) -> str:
    args = ["link", "add", BOND, "type", "bond", "mode", stack.bond_mode,
            "miimon", str(stack.miimon)]  # fmt: skip
    if stack.lacp_rate:
        args += ["lacp_rate", stack.lacp_rate]
    ip(*args)
    made.links.insert(0, BOND)
    _quiet_ra(BOND, made)
    for member in stack.members:
        ip("link", "set", member, "down")  # the bonding driver takes only down NICs
        ip("link", "set", member, "master", BOND)
    if stack.primary:
        ip("link", "set", BOND, "type", "bond", "primary", stack.primary)
    ip("link", "set", BOND, "up")
    return BOND


def _quiet_ra(name: str, made: _Made) -> None:
    old = set_accept_ra(name, "0")
    if old is not None:
        made.accept_ra[name] = old


def _take_down(made: _Made) -> None:
    for name in made.links:
        with contextlib.suppress(StackError):
            ip("link", "del", name)
    for name, old in made.accept_ra.items():
        if name not in made.links:
            set_accept_ra(name, old)
    for name, up in made.was_up.items():
        with contextlib.suppress(StackError):
            ip("link", "set", name, "up" if up else "down")


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One probe at a time (the wizard may run on two consoles): a second one fails at once."""
    with open(LOCK, "a", encoding="ascii") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise StackError("another network probe is running; try again when it ends") from error
        yield


@contextlib.contextmanager
def brought_up(stack: Stack, facts: list[str]) -> Iterator[str]:
    """The stack up for the duration of the block: yields the top interface; takes all of it
    down after, whatever happens (an exception, a KeyboardInterrupt, SystemExit on SIGTERM)."""
    with _locked():
        gone = remove_leftovers()
        if gone:
            facts.append(f"removed what an earlier probe left: {', '.join(gone)}")
        made = _Made(was_up={m: is_up(m) for m in stack.members})
        try:
            top = stack.members[0]
            if len(stack.members) > 1:
                top = _bond(stack, made)
                facts.append(f"bond {BOND}: {'+'.join(stack.members)} ({stack.bond_mode})")
            else:
                ip("link", "set", top, "up")
                _quiet_ra(top, made)
            if stack.vlan:
                ip("link", "add", "link", top, "name", VLAN, "type", "vlan", "id", str(stack.vlan))
                made.links.insert(0, VLAN)
                _quiet_ra(VLAN, made)
                ip("link", "set", VLAN, "up")
                facts.append(f"VLAN {stack.vlan} on {top}: {VLAN}")
                top = VLAN
            yield top
        finally:
            _take_down(made)
            if made.links:
                facts.append(f"taken down: {', '.join(made.links)}; "
                             f"{', '.join(stack.members)} as before")  # fmt: skip
