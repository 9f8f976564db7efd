#!/usr/bin/env python3
"""`make e2e`: the installer ISO under QEMU, end to end, with every phase timed.

(a) boot the ISO with `cos.answers=label:COSCFG:/answers.yaml cos.autoinstall` (the answers on a
    small ext4 drive labelled COSCFG) -> unattended install onto /dev/vda (OS) and /dev/vdb
    (data) of the signed payload (its signature and hash checked first) -> power off;
(b) boot the installed disk alone (UEFI) and read the demo OS's report on the serial console:
    hostname, the cos password hash, the static address, the role env file, the /xfs mount
    must be what the answers said;
(c) boot the ISO (BIOS, through its GRUB menu) and drive the wizard over the serial console for
    the other role up to the Done screen (iso/e2e_wizard.py);
(d) boot the ISO as a USB stick with another label: `CDROM Device Not Ready`;
(e) one fleet file served over HTTP, the ISO booted twice with two NIC MACs: each VM
    installs unattended as its own host (node1, node2), then each installed disk is checked
    for that host's hostname and address (iso/e2e_fleet.py);
(f) faults in the live system's shell: an md RAID1 + LVM left on the target (refused, named,
    cleared with --clear-holders), and a QEMU blkdebug drive failing writes (iso/e2e_faults.py);
(v) the VGA console by OCR with no key pressed: the Welcome, then 中文 chosen there and the next
    screen's Chinese title; screenshots kept in the work directory (iso/e2e_vga.py);
(g) netboot: dnsmasq + nginx in a network namespace serve a `netboot export` tree; two VMs
    with no medium boot from their NIC's iPXE ROM and install at the same time from one fleet
    file, a third with no entry gets no answers and leaves its disk alone, one installed disk
    is checked (iso/e2e_netboot.py);
(h) bond0 (active-backup) of two NICs > VLAN 100 > MTU 9000, static IPv4 and IPv6, installed
    unattended, then booted with its NICs at other PCI slots (other names): the report shows
    the stack, a peer on VLAN 100 (user space on the host, over a QEMU hub) answers over both
    protocols and jumbo frames, and still after the active member's link is cut over QMP;
    (a)'s disk booted with its one NIC at another slot is still configured (iso/e2e_bond.py);
(p) the live probe on a bond of two NICs with VLAN 100 on top, inside the live system (the
    kernel there has bonding and 8021q): DHCP and the IPv6 router advertisement seen, the
    stack taken down, a killed probe's leftovers removed by the next (iso/e2e_netprobe.py).
Exit 0 only when every check passed. Under TCG (no working KVM) the whole run takes minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_bond  # noqa: E402
import e2e_faults  # noqa: E402
import e2e_fleet  # noqa: E402
import e2e_netboot  # noqa: E402
import e2e_netprobe  # noqa: E402
import e2e_stackwizard  # noqa: E402
import e2e_vga  # noqa: E402
import e2e_wizard  # noqa: E402
import vm  # noqa: E402
from e2e_shared import (  # noqa: E402
    answers_yaml,
    check_report,
    installed_report,
    make_cfg_drive,
    qcow2,
    signed_install,
    unattended_install,
)

PHASES: list[tuple[str, float]] = []
FAILED: set[str] = set()  # phases that raised


@contextlib.contextmanager
def phase(name: str):
    start = time.monotonic()
    print(f"=== e2e: {name} ...", flush=True)
    try:
        yield
    finally:
        took = time.monotonic() - start
        PHASES.append((name, took))
        print(f"=== e2e: {name}: {took:.0f} s", flush=True)


# Phases that share nothing run side by side, one guest per lane (TCG uses one core per guest):
# (b) boots the disk (a) installed, and (h) boots it again with its NIC at another slot, so
# they stay in one lane; the lanes take about as long.
LANES = ["abdfvhpw", "ceg"]
DEFAULT_PHASES = "abcdefghpvw"
NEEDS = {"b": "a"}  # (b) boots what (a) installed


def run_lanes(lanes: list[list[tuple[str, str, object]]]) -> list[str]:
    """Run each lane's phases in order, the lanes at the same time; a phase that raises is a
    problem of its own, and the phases that need it are not run."""
    problems: list[str] = []
    failed = FAILED

    def lane(items: list[tuple[str, str, object]]) -> None:
        for key, name, run in items:
            if NEEDS.get(key) in failed:
                problems.append(f"{name}: not run, phase ({NEEDS[key]}) failed")
                continue
            try:
                with phase(name):
                    problems.extend(run() or [])
            except BaseException as exc:  # SystemExit from a phase carries its report
                failed.add(key)
                problems.append(f"{name}: {exc}")

    threads = [threading.Thread(target=lane, args=(items,)) for items in lanes if items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iso", required=True)
    parser.add_argument("--workdir", default="build/e2e")
    parser.add_argument("--netboot", default="build/netboot", help="`make netboot`'s output (g)")
    parser.add_argument("--phases", default=DEFAULT_PHASES, help="which phases to run")
    parser.add_argument("--lanes", type=int, default=2, help="2: two guests at a time (default)")
    args = parser.parse_args()
    workdir = Path(args.workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    started = time.monotonic()
    password = "e2e-" + secrets.token_hex(6)  # never printed; checked against the hash
    kernel, initrd = vm.extract_from_iso(
        args.iso, str(workdir), "/live/vmlinuz", "/live/initrd.img"
    )
    accel = vm.accelerator(kernel)
    print(f"e2e: accelerator {accel}; ISO {args.iso} ({os.path.getsize(args.iso)} bytes)")
    cfg = make_cfg_drive(workdir, answers_yaml(password))
    os_disk, data_disk = qcow2(workdir / "os.qcow2", "10G"), qcow2(workdir / "data.qcow2", "4G")
    steps = {
        "a": ("(a) unattended install from the ISO",
              lambda: signed_install(unattended_install(workdir, args.iso, accel, cfg, os_disk,
                                                        data_disk, kernel, initrd))),
        "b": ("(b) boot the installed disk (UEFI) and check it",
              lambda: check_report(installed_report(workdir, accel, os_disk, data_disk), password)),
        "c": ("(c) interactive install over the serial console (BIOS, controller)",
              lambda: e2e_wizard.run(workdir, args.iso, accel)),
        "d": ("(d) the ISO on a USB stick labelled otherwise: CDROM Device Not Ready",
              lambda: e2e_wizard.usb_with_other_label(
                  workdir, args.iso, accel, kernel, initrd)),
        "e": ("(e) fleet: one ISO, one fleet file, two MACs install as node1 and node2",
              lambda: e2e_fleet.run(
                  workdir, args.iso, accel, kernel, initrd, password)),
        "f": ("(f) faults: leftover RAID/LVM, --clear-holders, a blkdebug I/O error",
              lambda: e2e_faults.run(
                  workdir, args.iso, accel, kernel, initrd, password)),
        "g": ("(g) netboot: iPXE, dnsmasq + serve, two VMs install at once, one stranger",
              lambda: e2e_netboot.run(
                  workdir, os.path.abspath(args.netboot), accel, password)),
        "h": ("(h) bond + VLAN 100 + MTU 9000 + IPv6 installed, booted on other PCI slots",
              lambda: e2e_bond.run(workdir, args.iso, accel, kernel, initrd, password,
                                   (os_disk, data_disk) if "a" in args.phases
                                   and "a" not in FAILED else None)),
        "w": ("(w) the wizard builds bond > VLAN 100; DHCP pre-fill over it (serial console)",
              lambda: e2e_stackwizard.run(workdir, args.iso, accel, kernel, initrd)),
        "p": ("(p) live probe: bond + VLAN 100 in the live system, DHCP and IPv6 RA, cleanup",
              lambda: e2e_netprobe.run(workdir, args.iso, accel, kernel, initrd)),
        "v": ("(v) the wizard on the VGA console by OCR: Welcome, then 中文",
              lambda: e2e_vga.run(workdir, args.iso, accel)),
    }  # fmt: skip
    lanes = LANES if args.lanes > 1 else ["".join(LANES)]
    problems = run_lanes([[(k, *steps[k]) for k in lane if k in args.phases] for lane in lanes])
    print("\ne2e phases:")
    for name, took in PHASES:
        print(f"  {took:6.0f} s  {name}")
    print(f"  {time.monotonic() - started:6.0f} s  total (accelerator {accel})")
    if problems:
        print(f"e2e: FAILED, {len(problems)} mismatch(es):\n  " + "\n  ".join(problems))
        return 1
    print("e2e: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
