"""What the e2e phases share: the answers they install with, the drives and disks they make,
an unattended install from the ISO, and reading and checking the installed system's report.
The phases (iso/e2e_*.py) import this module; the runner (iso/e2e.py) imports the phases."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import vm
import yaml

NIC = "ens16"  # the first NIC at PCI slot 0x10 (vm.VM.nic) in the live system and installed OS
HOSTNAME = "e2e-agent1"
ADDRESS = "10.0.2.15/24"
AGENT = {"controllers": "10.0.2.10:80,10.0.2.11:80", "install_code": "8070",
         "network_model": "bridge"}  # fmt: skip
STATIC_NIC = {"interface": NIC, "dhcp": False, "address": ADDRESS, "gateway": "10.0.2.2",
              "dns": "10.0.2.3"}  # fmt: skip


def answers_yaml(
    password: str,
    *,
    hostname: str = HOSTNAME,
    network: dict | None = None,
    disks: tuple[str, ...] = ("/dev/vda", "/dev/vdb"),
) -> str:
    """The agent the phases install: (a)'s one static NIC unless `network` says otherwise;
    `disks`: the OS disk and, if given, the data disk (none: the caller adds its own)."""
    answers = {
        "role": "agent",
        "agent": AGENT,
        "system": {"hostname": hostname, "password": password},
        "network": network or STATIC_NIC,
    }
    answers.update(zip(("disk", "data_disk"), disks, strict=False))
    return yaml.safe_dump(answers, sort_keys=False)


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


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 nobody uses now (for a QEMU socket netdev's local end)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def signed_install(text: str, who: str = "(a)") -> list[str]:
    """The install's serial text: the payload's signature was checked against the live
    system's keyring and the image hashed against it before anything was written."""
    problems = []
    for line in ("signature good (signed by key ", "sha256 matches the signed checksum"):
        ok = f"cos-image.raw.zst: {line}" in text
        print(f"  {'ok  ' if ok else 'FAIL'} {who} the install said: {line}...", flush=True)
        if not ok:
            problems.append(f"{who}: the install did not say {line!r} (a signed payload)")
    if "NOT verified (--allow-unsigned" in text:
        problems.append(f"{who}: the install ran with --allow-unsigned")
    return problems


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


class Shell:
    """The live system's root shell on the serial line: one command, its output, its status."""

    def __init__(self, guest: vm.VM) -> None:
        self.guest = guest

    def run(self, command: str, timeout: float = 120) -> tuple[int, str]:
        token = secrets.token_hex(4)
        begin = len(self.guest.text())
        self.guest.send(f"{command}; echo RC-{token}=$?\r")
        found = self.guest.expect(rf"RC-{token}=(\d+)", timeout)
        output = self.guest.text()[begin : found.start()]
        return int(found.group(1)), output


def shell_from_wizard(guest: vm.VM) -> Shell:
    """The wizard on ttyS0 at its Welcome: Ctrl+C ends it, the console then offers a root
    shell; taken without line editing or echo so that commands give plain lines back."""
    guest.expect(r"Found \d+ network card", 400)
    time.sleep(1)
    guest.send("\x03")  # Ctrl+C on Welcome: the wizard ends, the console offers a shell
    guest.expect(r"type\s+sh\s+and Enter for a root shell", 60)
    guest.send("sh\r")
    time.sleep(2)
    guest.send("exec bash --noediting --norc\r")  # no line editing: plain lines back
    time.sleep(1)
    guest.send("stty -echo cols 200; PS1=; PS2=\r")
    time.sleep(1)
    shell = Shell(guest)
    code, _ = shell.run("true", 60)
    if code != 0:
        raise RuntimeError("the root shell on ttyS0 does not answer")
    return shell
