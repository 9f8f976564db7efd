"""e2e (c): the wizard on the booted ISO's serial console, driven key by key, controller role.

The ISO boots through its own GRUB menu (BIOS); the wizard comes up on ttyS0 by itself. The
walk follows the screens of the guide up to the Done screen and checks what the real hardware
shows on the way: one NIC [Linked], one [NoLink], a DHCP answer from QEMU, the two disks.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import vm

KEYS = {"Enter": "\r", "Tab": "\t", "Down": "\x1b[B", "Up": "\x1b[A", "Space": " "}


def press(guest: vm.VM, *keys: str) -> None:
    for key in keys:
        guest.send(KEYS[key])
        time.sleep(0.4)  # a serial line at 115200 and urwid's escape-sequence timeout


def type_text(guest: vm.VM, text: str) -> None:
    for char in text:
        guest.send(char)
        time.sleep(0.05)


def fill_ha_group(guest: vm.VM) -> None:
    """An HA controller's group (guide 3.1.2): this machine's leased address is pre-filled
    first (the primary); the other two are typed in its network."""
    found = guest.expect(r"This machine \((10\.0\.2\.\d+)\) is:", 60)
    own = found.group(1)
    others = [f"10.0.2.{n}" for n in (101, 102) if f"10.0.2.{n}" != own]
    press(guest, "Tab")
    type_text(guest, others[0])
    press(guest, "Tab")
    type_text(guest, others[1])
    press(guest, "Enter")


def run(workdir: Path, iso: str, accel: str) -> list[str]:
    problems: list[str] = []

    def want(ok: bool, what: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            problems.append(what)

    for name, size in (("os-c.qcow2", "10G"), ("data-c.qcow2", "4G")):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(workdir / name), size],
                       check=True)  # fmt: skip
    guest = vm.VM("e2e-c-wizard", str(workdir))
    guest.disk(str(workdir / "os-c.qcow2"), "qcow2", bootindex=1)
    guest.disk(str(workdir / "data-c.qcow2"), "qcow2")
    guest.cdrom(iso, bootindex=2)
    guest.nic(link=True)
    guest.nic(link=False)
    guest.start(accel)
    try:
        guest.expect(r"Booting .Install COS", 120)
        guest.expect(r"COS-INSTALLER-START on ttyS0", 400)
        guest.expect(r"Welcome to the COS installer", 120)
        guest.expect(r"Found \d+ network card", 120)
        time.sleep(1)
        press(guest, "Enter")
        guest.expect(r"Which role", 60)
        press(guest, "Enter")  # Controller
        guest.expect(r"HTTP Port:", 60)
        press(guest, "Tab", "Down", "Space", "Enter")  # cluster size 5
        guest.expect(r"Enable the controller HA", 60)
        press(guest, "Enter")  # Yes
        guest.expect(r"HostName:", 60)
        type_text(guest, "e2e-controller1")
        press(guest, "Tab")
        type_text(guest, "e2e-Secret-1")
        press(guest, "Tab")
        type_text(guest, "e2e-Secret-1")
        before = len(guest.text())
        press(guest, "Enter")
        guest.expect(r"Network card", 60)
        try:
            guest.expect(r"ens17\s+\[NoLink\]", 30)
            nolink = True
        except TimeoutError:
            nolink = False
        shown = guest.text()[before:]
        want(bool(re.search(r"ens16\s+\[Linked\]", shown)), "ens16 shows [Linked]")
        want(nolink, "ens17 (link set down over QMP) shows [NoLink]")
        press(guest, "Space", "Enter")  # the first NIC (linked)
        found = guest.expect(r"Pre-filled from the DHCP answer on ens16|no DHCP answer", 120)
        want("Pre-filled" in found.group(0), "DHCP on ens16 pre-filled the address")
        press(guest, "Enter")
        fill_ha_group(guest)
        guest.expect(r"Choose the disk", 60)
        press(guest, "Enter")  # /dev/vda, the first disk offered
        guest.expect(r"Optional: a second disk", 60)
        press(guest, "Down", "Space", "Enter")  # /dev/vdb for Docker data
        guest.expect(r"ALL DATA WILL BE ERASED ON", 60)
        guest.expect(r"\[ Erase and install \]", 60)
        # The Summary opens on [Back] and takes no key in its first second: wait, move, Enter.
        time.sleep(1.5)
        press(guest, "Tab", "Enter")
        guest.expect(r"Press Enter to review the Cloud Config", 1500)
        press(guest, "Enter")
        guest.expect(r"#cloud-config", 60)
        press(guest, "Enter")
        guest.expect(r"The installation is complete", 60)
        want(True, "the wizard reached the Done screen")
    except (TimeoutError, RuntimeError) as error:
        want(False, f"interactive walk: {error}")
    finally:
        guest.stop()
    return problems


def usb_with_other_label(
    workdir: Path, iso: str, accel: str, kernel: str, initrd: str
) -> list[str]:
    """The ISO copied to a "USB stick" whose volume label is not CDROM: the guide's screen."""
    stick = workdir / "usb-other-label.img"
    subprocess.run(["xorriso", "-indev", iso, "-outdev", str(stick), "-volid", "COSUSB",
                    "-boot_image", "any", "replay"], check=True, capture_output=True)  # fmt: skip
    cmdline = (Path(__file__).parent / "live" / "cmdline").read_text().strip()
    guest = vm.VM("e2e-d-usb", str(workdir))
    guest.args += ["-device", "qemu-xhci,id=xhci",
                   "-drive", f"file={stick},if=none,id=stick,format=raw,readonly=on",
                   "-device", "usb-storage,bus=xhci.0,drive=stick"]  # fmt: skip
    guest.nic(link=True)
    guest.kernel(kernel, initrd, cmdline)
    guest.start(accel)
    try:
        guest.expect(r"COS-INSTALLER-START on ttyS0", 400)
        guest.expect(r"CDROM Device Not Ready", 120)
        print("  ok   a USB stick labelled COSUSB shows CDROM Device Not Ready", flush=True)
        return []
    except (TimeoutError, RuntimeError) as error:
        print(f"  FAIL USB stick with another label: {error}", flush=True)
        return [f"USB stick with another label: {error}"]
    finally:
        guest.stop()
        stick.unlink(missing_ok=True)
