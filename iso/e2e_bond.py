"""e2e (h): the installed system brings up the stack the answers chose, on the NICs chosen,
whatever the installed kernel names them.

1. Install unattended (answers on a COSCFG drive) a VM with two NICs, ens16 and ens17, as
   bond0 (active-backup) > VLAN 100 > MTU 9000, static IPv4 and IPv6. Boot the installed
   disk with the same two NICs (same MACs) at other PCI slots: the installed kernel names
   them ens5 and ens6. Its report must show the bond with both members, the VLAN interface
   with both addresses and MTU 9000, and the peer reached over IPv4 and IPv6 (a jumbo ping
   too). The peer (iso/l2peer.py) is a host on VLAN 100, in user space on the host: QEMU's hub
   joins both NICs and a UDP uplink to it, and it answers tagged frames only. Then the active
   member's link is cut over QMP (`set_link off`): the bond fails over and the peer is still
   reached over both protocols.
2. Phase (a)'s installed disk (one NIC, ens16 in the live system) booted with that NIC at
   another slot (ens7): still configured, the address and the default route on ens7.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import e2e_shared
import l2peer
import vm

MACS = ("52:54:00:c0:b0:01", "52:54:00:c0:b0:02")
LIVE_SLOTS, INSTALLED_SLOTS = (0x10, 0x11), (0x05, 0x06)  # ens16, ens17 -> ens5, ens6
PEER4, PEER6 = "10.100.0.1", "2001:db8:100::1"
ADDRESS4, ADDRESS6 = "10.100.0.101/24", "2001:db8:100::101/64"
HOSTNAME = "e2e-bond1"
RENAMED_SLOT = 0x07  # phase (a)'s NIC, ens16 when installed, boots as ens7


def answers(password: str) -> str:
    network = {"interface": ["ens16", "ens17"], "bond": {"mode": "active-backup"}, "vlan": 100,
               "mtu": 9000, "dhcp": False, "address": ADDRESS4, "gateway": PEER4, "dns": PEER4,
               "ipv6": "static", "address6": ADDRESS6, "gateway6": PEER6}  # fmt: skip
    return e2e_shared.answers_yaml(password, hostname=HOSTNAME, network=network,
                                   disks=("/dev/vda",))  # fmt: skip


def hub_nic(guest: vm.VM, slot: int, mac: str) -> str:
    """A virtio NIC at PCI `slot` (named ens<slot> by the guest) on QEMU's hub 1 with the
    VM's other hub NICs and the uplink; its QMP id for set_link."""
    guest.nics += 1
    nid = f"nic{guest.nics}"
    device = f"virtio-net-pci,netdev=n{guest.nics},id={nid},mac={mac},addr={slot:#x}"
    guest.args += ["-netdev", f"hubport,id=n{guest.nics},hubid=1", "-device", device]
    return nid


def uplink(guest: vm.VM, peer: l2peer.L2Peer, port: int) -> None:
    guest.args += ["-netdev", peer.netdev(port), "-netdev", "hubport,id=up,hubid=1,netdev=uplink"]


def install(workdir: Path, iso: str, accel: str, kernel: str, initrd: str, password: str,
            disk: Path) -> None:  # fmt: skip
    cfg = e2e_shared.make_cfg_drive(workdir, answers(password), "cfg-h")
    cmdline = (Path(__file__).parent / "live" / "cmdline").read_text().strip()
    guest = vm.VM("e2e-h-install", str(workdir))
    guest.disk(str(disk), "qcow2")
    guest.disk(str(cfg), "raw", ro=True)
    guest.cdrom(iso)
    for slot, mac in zip(LIVE_SLOTS, MACS, strict=True):
        hub_nic(guest, slot, mac)
    guest.kernel(
        kernel, initrd, f"{cmdline} cos.answers=label:COSCFG:/answers.yaml cos.autoinstall"
    )
    guest.start(accel)
    try:
        guest.expect(r"Unattended install onto /dev/vda", 500)
        found = guest.expect(r"COS-INSTALL-DONE|install failed|cos-installer: answers", 1500)
        if "DONE" not in found.group(0):
            time.sleep(3)
            raise SystemExit(f"e2e (h): the unattended install failed:\n{guest.text()[-3000:]}")
        guest.wait_exit(180)
    finally:
        guest.stop()


class Checks:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def __call__(self, ok: bool, what: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.problems.append(f"(h) {what}")


def check_stack(report: dict, want: Checks) -> None:
    """The report of the installed bond + VLAN: members renamed, addresses, MTU, the peer."""
    bonds = report.get("bond", [])
    members = set(re.sub(r".*slaves=", "", bonds[0]).split(",")) if bonds else set()
    want(len(bonds) == 1 and "mode=active-backup" in bonds[0] and members == {"ens5", "ens6"},
         f"one bond, active-backup, of ens5+ens6 (the NICs at new slots): {bonds}")  # fmt: skip
    bond = bonds[0].split()[0] if bonds else "?"
    vlans = [v for v in report.get("vlan", []) if " id=100 " in f"{v} " and f"on={bond}" in v]
    want(len(vlans) == 1, f"VLAN 100 on the bond: {report.get('vlan')}")
    top = vlans[0].split()[0] if vlans else "?"
    links = {line.split()[0]: line for line in report.get("link", [])}
    for name in (top, bond, "ens5", "ens6"):
        want("mtu=9000" in links.get(name, ""), f"{name} has MTU 9000: {links.get(name)}")
    want(
        f"{top} {ADDRESS4}" in report.get("addr", []), f"{top} has {ADDRESS4}: {report.get('addr')}"
    )
    want(f"{top} {ADDRESS6}" in report.get("addr6", []),
         f"{top} has {ADDRESS6}: {report.get('addr6')}")  # fmt: skip
    pings = report.get("ping", []) + report.get("ping_mtu", [])
    for line in (f"{PEER4} ok", f"{PEER6} ok", f"{PEER4} 9000 ok"):
        want(line in pings, f"the peer on VLAN 100 answers: {line} ({pings})")


def failover(guest: vm.VM, nids: dict[str, str], want: Checks) -> None:
    """Cut the active member's link; the bond moves to the other, the peer still answers."""
    watch = guest.expect(r"watch: active=(\S+)\s", 60)
    active = watch.group(1)
    if active not in nids:
        want(False, f"an active member to cut (got {active!r})")
        return
    guest.qmp_command("set_link", name=nids[active], up=False)
    other = next(n for n in nids if n != active)
    pattern = rf"watch: active={other}\s+{re.escape(PEER4)}=ok\s+{re.escape(PEER6)}=ok"
    try:
        guest.expect(pattern, 60)
        want(True, f"link of {active} cut: {other} active, the peer answers on both protocols")
    except TimeoutError:
        tail = [x for x in guest.text().splitlines() if x.startswith("watch:")][-3:]
        want(False, f"link of {active} cut: expected {other} active and both pings ok: {tail}")


def boot_bond(workdir: Path, accel: str, disk: Path, peer: l2peer.L2Peer, want: Checks) -> None:
    guest = vm.VM("e2e-h-installed", str(workdir))
    guest.disk(str(disk), "qcow2", bootindex=1)
    nids = {f"ens{slot}": hub_nic(guest, slot, mac)
            for slot, mac in zip(INSTALLED_SLOTS, MACS, strict=True)}  # fmt: skip
    uplink(guest, peer, e2e_shared.free_udp_port())
    guest.start(accel)
    try:
        guest.expect(r"=== COS-DEMO-REPORT END ===", 600)
        report = e2e_shared.parse_report(guest.text())
        want(report.get("hostname") == [HOSTNAME], f"hostname {report.get('hostname')}")
        check_stack(report, want)
        failover(guest, nids, want)
    finally:
        guest.stop()
    seen = peer.seen
    want(bool(seen.macs), f"the peer saw frames tagged 100 from {sorted(seen.macs)} "
         f"({seen.untagged} untagged, {seen.other_vlan} on other VLANs ignored)")  # fmt: skip
    want(seen.biggest >= 9000, f"the peer saw jumbo frames ({seen.biggest} bytes)")


def renamed_single_nic(workdir: Path, accel: str, disks: tuple[Path, Path], want: Checks) -> None:
    """(a)'s disks (its NIC was ens16 in the live system) with that NIC at slot 7: ens7."""
    guest = vm.VM("e2e-h-renamed", str(workdir), uefi=True)
    guest.disk(str(disks[0]), "qcow2", bootindex=1)
    guest.disk(str(disks[1]), "qcow2")  # the data disk: its mount would wait 90 s without
    guest.nic(link=True)
    guest.args[-1] = guest.args[-1].replace("addr=0x10", f"addr={RENAMED_SLOT:#x}")
    guest.start(accel)
    try:
        guest.expect(r"=== COS-DEMO-REPORT END ===", 600)
        report = e2e_shared.parse_report(guest.text())
    finally:
        guest.stop()
    name = f"ens{RENAMED_SLOT}"
    want(f"{name} {e2e_shared.ADDRESS}" in report.get("addr", []),
         f"one NIC at another slot ({name}, was ens16): {e2e_shared.ADDRESS} on it "
         f"(got {report.get('addr')})")  # fmt: skip
    want(any(r.startswith(f"default via 10.0.2.2 dev {name}") for r in report.get("route", [])),
         f"default route on {name} (got {report.get('route')})")  # fmt: skip


def run(workdir: Path, iso: str, accel: str, kernel: str, initrd: str, password: str,
        a_disks: tuple[Path, Path] | None) -> list[str]:  # fmt: skip
    """(a_disks: phase (a)'s OS and data disks, when (a) ran; the single-NIC rename uses them.)"""
    want = Checks()
    disk = e2e_shared.qcow2(workdir / "os-h.qcow2", "8G")
    install(workdir, iso, accel, kernel, initrd, password, disk)
    peer = l2peer.L2Peer(100, PEER4, PEER6)
    peer.start()
    try:
        boot_bond(workdir, accel, disk, peer, want)
    finally:
        peer.stop()
    if a_disks is not None:
        renamed_single_nic(workdir, accel, a_disks, want)
    else:
        want(False, "the single-NIC rename needs phase (a)'s disk: run (a) before (h)")
    return want.problems
