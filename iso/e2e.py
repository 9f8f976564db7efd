#!/usr/bin/env python3
"""`make e2e`: the installer ISO under QEMU, end to end, with every phase timed.

(a) boot the ISO with `cos.answers=label:COSCFG:/answers.yaml cos.autoinstall` (the answers on a
    small ext4 drive labelled COSCFG) -> unattended install onto /dev/vda (OS) and /dev/vdb
    (data) -> the live system powers off;
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
    is checked (iso/e2e_netboot.py).
Exit 0 only when every check passed. Under TCG (no working KVM) the whole run takes minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vm  # noqa: E402

NIC = "ens16"  # the first NIC at PCI slot 0x10 (vm.VM.nic) in the live system and installed OS
HOSTNAME = "e2e-agent1"
ADDRESS = "10.0.2.15/24"
PHASES: list[tuple[str, float]] = []


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


def answers_yaml(password: str) -> str:
    return f"""role: agent
agent:
  controllers: "10.0.2.10:80,10.0.2.11:80"
  install_code: "8070"
  network_model: bridge
system:
  hostname: {HOSTNAME}
  password: "{password}"
network:
  interface: {NIC}
  dhcp: false
  address: {ADDRESS}
  gateway: 10.0.2.2
  dns: 10.0.2.3
disk: /dev/vda
data_disk: /dev/vdb
"""


def make_cfg_drive(workdir: Path, answers: str, name: str = "cfg") -> Path:
    """A small ext4 image labelled COSCFG holding answers.yaml (mkfs -d: nothing mounted)."""
    content = workdir / name
    content.mkdir()
    (content / "answers.yaml").write_text(answers)
    (content / "answers.yaml").chmod(0o600)
    image = workdir / f"{name}.img"
    subprocess.run(["mkfs.ext4", "-q", "-L", "COSCFG", "-d", str(content), str(image), "16M"],
                   check=True)  # fmt: skip
    shutil.rmtree(content)
    return image


def qcow2(path: Path, size: str) -> Path:
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), size], check=True)
    return path


def nics(guest: vm.VM, mac: str | None) -> None:
    """The NICs of (a)/(b): ens16 linked, ens17 without link; with `mac`, ens16 alone and
    carrying that MAC (the fleet phase tells its VMs apart by it)."""
    guest.nic(link=True)
    if mac is None:
        guest.nic(link=False)
        return
    default = "mac=52:54:00:c0:5e:01"  # vm.VM.nic's first MAC
    (i,) = [i for i, arg in enumerate(guest.args) if default in arg]
    guest.args[i] = guest.args[i].replace(default, f"mac={mac}")


def unattended_install(workdir: Path, iso: str, accel: str, cfg: Path | None, os_disk: Path,
                       data_disk: Path | None, kernel: str, initrd: str, *,
                       name: str = "e2e-a-install", mac: str | None = None,
                       answers: str = "label:COSCFG:/answers.yaml") -> str:  # fmt: skip
    """Boot the ISO with `cos.answers=ANSWERS cos.autoinstall` (and the COSCFG drive, when
    given); returns the serial text."""
    cmdline = (Path(__file__).parent / "live" / "cmdline").read_text().strip()
    append = f"{cmdline} cos.answers={answers} cos.autoinstall"
    guest = vm.VM(name, str(workdir))
    guest.disk(str(os_disk), "qcow2")
    if data_disk is not None:
        guest.disk(str(data_disk), "qcow2")
    if cfg is not None:
        guest.disk(str(cfg), "raw", ro=True)
    guest.cdrom(iso)
    nics(guest, mac)
    guest.kernel(kernel, initrd, append)
    guest.start(accel)
    try:
        guest.expect(r"COS-INSTALLER-START on ttyS0", 400)
        guest.expect(r"Unattended install onto /dev/vda", 120)
        found = guest.expect(r"COS-INSTALL-DONE|install failed|cos-installer: answers", 1500)
        if "DONE" not in found.group(0):
            guest.expect(r"Press Enter", 30)
            raise SystemExit(f"e2e {name}: the unattended install failed:\n{guest.text()[-3000:]}")
        guest.wait_exit(180)
        return guest.text()
    finally:
        guest.stop()


def installed_report(workdir: Path, accel: str, os_disk: Path, data_disk: Path | None, *,
                     name: str = "e2e-b-installed", mac: str | None = None) -> dict:  # fmt: skip
    guest = vm.VM(name, str(workdir), uefi=True)
    guest.disk(str(os_disk), "qcow2", bootindex=1)
    if data_disk is not None:
        guest.disk(str(data_disk), "qcow2")
    nics(guest, mac)
    guest.start(accel)
    try:
        guest.expect(r"=== COS-DEMO-REPORT END ===", 600)
        text = guest.text()
    finally:
        guest.stop()
    return parse_report(text)


def parse_report(text: str) -> dict[str, list[str]]:
    """The demo OS's report block as key -> values (env: lines under "env")."""
    begin = text.rindex("=== COS-DEMO-REPORT BEGIN ===")
    block = text[begin : text.index("=== COS-DEMO-REPORT END", begin)]
    report: dict[str, list[str]] = {}
    for raw in block.splitlines()[1:]:
        line = raw.strip()
        if line.startswith("env:"):
            key, value = "env", line[4:]
        else:
            key, _, value = line.partition("=")
        if key and value:
            report.setdefault(key, []).append(value.strip())
    return report


def check_report(report: dict, password: str, *, hostname: str = HOSTNAME,
                 address: str = ADDRESS, data_disk: bool = True) -> list[str]:  # fmt: skip
    """What the answers said vs. the installed system's report; the failed checks."""
    from passlib.hash import sha512_crypt  # libpass, a project dependency

    problems = []

    def want(ok: bool, what: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            problems.append(what)

    one = {k: v[0] if v else "" for k, v in report.items()}
    want(one.get("hostname") == hostname, f"hostname {one.get('hostname')!r} == {hostname!r}")
    shadow = one.get("cos_shadow", "")
    want(shadow.startswith("$6$") and sha512_crypt.verify(password, shadow),
         "user cos has a SHA-512 hash of the answers' password")  # fmt: skip
    want(f"{NIC} {address}" in report.get("addr", []),
         f"{NIC} has {address} (got {report.get('addr')})")  # fmt: skip
    want(any(r.startswith("default via 10.0.2.2 dev " + NIC) for r in report.get("route", [])),
         f"default route via 10.0.2.2 on {NIC} (got {report.get('route')})")  # fmt: skip
    env = report.get("env", [])
    for line in ("COS_ROLE=agent", "COS_INSTALL_CODE=8070", "COS_NETWORK_MODE=bridge"):
        want(any(e.replace('"', "").replace("'", "") == line for e in env),
             f"/etc/csphere/csphere.env has {line}")  # fmt: skip
    want(any("10.0.2.10:80,10.0.2.11:80" in e for e in env), "csphere.env names the controllers")
    if data_disk:
        mount = one.get("mount", "").split()
        want(
            len(mount) >= 4
            and mount[0] == "/xfs"
            and mount[1].startswith("/dev/vdb")
            and mount[2] == "xfs"
            and "prjquota" in mount[3],
            f"/xfs is on vdb, xfs, prjquota (got {mount})",
        )
        want(
            one.get("xfs_label", "").startswith("/dev/vdb"),
            f"the data disk carries the label COSDATA (got {one.get('xfs_label')!r})",
        )
    want(one.get("user_data_mode") == "600", "user_data has mode 0600")
    want(one.get("apply_units") == "active", "coreos.units applied (cos-apply-units)")
    return problems


# Phases that share nothing run side by side, one guest per lane (TCG uses one core per guest):
# (b) boots the disk (a) installed, so they stay in one lane; the lanes take about as long.
LANES = ["abdfv", "ceg"]
NEEDS = {"b": "a"}  # (b) boots what (a) installed


def _phase_module(name: str):
    return __import__(name)


def run_lanes(lanes: list[list[tuple[str, str, object]]]) -> list[str]:
    """Run each lane's phases in order, the lanes at the same time; a phase that raises is a
    problem of its own, and the phases that need it are not run."""
    problems: list[str] = []

    failed: set[str] = set()

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
    parser.add_argument("--phases", default="abcdefgv", help="which phases to run (default all)")
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
              lambda: unattended_install(workdir, args.iso, accel, cfg, os_disk, data_disk,
                                         kernel, initrd) and []),
        "b": ("(b) boot the installed disk (UEFI) and check it",
              lambda: check_report(installed_report(workdir, accel, os_disk, data_disk), password)),
        "c": ("(c) interactive install over the serial console (BIOS, controller)",
              lambda: _phase_module("e2e_wizard").run(workdir, args.iso, accel)),
        "d": ("(d) the ISO on a USB stick labelled otherwise: CDROM Device Not Ready",
              lambda: _phase_module("e2e_wizard").usb_with_other_label(
                  workdir, args.iso, accel, kernel, initrd)),
        "e": ("(e) fleet: one ISO, one fleet file, two MACs install as node1 and node2",
              lambda: _phase_module("e2e_fleet").run(
                  workdir, args.iso, accel, kernel, initrd, password)),
        "f": ("(f) faults: leftover RAID/LVM, --clear-holders, a blkdebug I/O error",
              lambda: _phase_module("e2e_faults").run(
                  workdir, args.iso, accel, kernel, initrd, password)),
        "g": ("(g) netboot: iPXE, dnsmasq + nginx, two VMs install at once, one stranger",
              lambda: _phase_module("e2e_netboot").run(
                  workdir, os.path.abspath(args.netboot), accel, password)),
        "v": ("(v) the wizard on the VGA console by OCR: Welcome, then 中文",
              lambda: _phase_module("e2e_vga").run(workdir, args.iso, accel)),
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
