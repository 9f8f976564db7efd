"""e2e (w): the wizard, driven over the serial console, builds a bond > VLAN 100 stack and its
DHCP pre-fill works over that stack.

The live system boots (kernel and initrd from the ISO, its own command line, no answers) with
(h)'s two NICs on a QEMU hub whose uplink is (h)'s user-space peer, which answers on VLAN 100
only and serves DHCPv4 there. The walk: controller, no HA; Space marks both NICs, the bond mode
active-backup; the first DHCP probe runs over the bond untagged and gets no answer (the peer
is on VLAN 100); VLAN 100 is typed on the address screen and "Ask DHCP again" probes over
bond > VLAN 100: the peer's lease pre-fills the address. The walk ends at the Summary, where
the answers have become the config to install (the stack on one line), and erases nothing.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import e2e_bond
import e2e_shared
import l2peer
import vm
from e2e_wizard import press, type_text

LEASE = "10.100.0.50/24"


def wrapped(words: str) -> str:
    """A regex for `words` as a screen may wrap them: across rows, between the box's sides."""
    return r"[\s│|]+".join(re.escape(word) for word in words.split())


def walk(guest: vm.VM, want: e2e_bond.Checks) -> None:
    guest.expect(r"Welcome to the COS installer", 600)
    guest.expect(r"Found \d+ network card", 120)
    press(guest, "Enter")
    guest.expect(r"Which role", 60)
    press(guest, "Enter")  # Controller
    guest.expect(r"HTTP Port:", 60)
    press(guest, "Enter")
    guest.expect(r"Enable the controller HA", 60)
    press(guest, "Down", "Space", "Enter")  # No: one controller, no group screen
    guest.expect(r"HostName:", 60)
    type_text(guest, "e2e-stack1")
    for _ in range(2):
        press(guest, "Tab")
        type_text(guest, "e2e-Secret-1")
    press(guest, "Enter")
    guest.expect(r"ens17\s+\[Linked\]", 60)
    press(guest, "Space", "Down", "Space", "Enter")  # both NICs marked: a bond
    guest.expect(r"How they share the traffic", 60)
    press(guest, "Enter")  # active-backup
    untagged = guest.expect(r"Asking for an address by DHCP on ([^\r\n.]+)\.\.\.", 60).group(1)
    want("bond (ens16+ens17, active-backup)" in untagged,
         f"the first probe asks over the bond: {untagged.strip()}")  # fmt: skip
    first = guest.expect(r"no DHCP answer[^\r\n]*|Pre-filled from the DHCP answer", 90).group(0)
    want("no DHCP answer" in first, f"untagged, the VLAN's DHCP server is not reached: {first}")
    time.sleep(1)  # the message is the address screen's last row: the screen is drawn
    press(guest, "Tab", "Tab", "Tab")  # Gateway, DnsMaster, VLAN
    type_text(guest, "100")
    press(guest, "Tab", "Tab", "Tab")  # MTU, IPv6, the button
    press(guest, "Enter")
    stack = "bond (ens16+ens17, active-backup) > VLAN 100"
    guest.expect(wrapped(f"Asking for an address by DHCP on {stack}"), 60)
    found = guest.expect(
        wrapped(f"Pre-filled from the DHCP answer on {stack}") + "|no DHCP answer", 90
    )
    want("Pre-filled" in found.group(0), f"DHCP over bond > VLAN 100 pre-filled: {found.group(0)}")
    drawn = guest.text()[max(0, found.start() - 4000) : found.end()]  # the screen, drawn down
    want(LEASE in drawn, f"the address screen shows the lease {LEASE}")
    press(guest, "Enter")
    guest.expect(r"Choose the disk", 60)
    press(guest, "Enter")
    guest.expect(r"Optional: a second disk", 60)
    press(guest, "Enter")  # no data disk
    line = f"bond0 (ens16+ens17, active-backup) > vlan100 > {LEASE}"
    try:
        guest.expect(wrapped(line), 60)
        want(True, f"the Summary shows the stack: {line}")
    except TimeoutError:
        want(False, f"the Summary shows the stack {line}:\n{guest.text()[-2000:]}")


def run(workdir: Path, iso: str, accel: str, kernel: str, initrd: str) -> list[str]:
    want = e2e_bond.Checks()
    disk = e2e_shared.qcow2(workdir / "os-w.qcow2", "10G")
    peer = l2peer.L2Peer(100, e2e_bond.PEER4, e2e_bond.PEER6, lease=LEASE)
    peer.start()
    guest = vm.VM("e2e-w-wizard", str(workdir))
    guest.disk(str(disk), "qcow2")
    guest.cdrom(iso)  # the live system's medium (and the payload the Summary names)
    for slot, mac in zip(e2e_bond.LIVE_SLOTS, e2e_bond.MACS, strict=True):
        e2e_bond.hub_nic(guest, slot, mac)
    e2e_bond.uplink(guest, peer, e2e_shared.free_udp_port())
    cmdline = (Path(__file__).parent / "live" / "cmdline").read_text().strip()
    guest.kernel(kernel, initrd, cmdline)
    guest.start(accel)
    try:
        walk(guest, want)
    except (TimeoutError, RuntimeError) as error:
        want(False, f"the walk: {error}")
    finally:
        guest.stop()
        peer.stop()
    want(bool(peer.seen.acked), f"the peer acked a lease on VLAN 100 to {peer.seen.acked}")
    return [p.replace("(h)", "(w)", 1) for p in want.problems]
