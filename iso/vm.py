#!/usr/bin/env python3
"""QEMU for the installer ISO and the installed disk: accelerator probe, VM start, serial I/O.

KVM is used only when a short probe boot under KVM reaches the guest kernel's first messages
(nested virtualisation can hang right after the boot loader); otherwise TCG. The VM starts
paused so that the second NIC's link can be set down over QMP before the guest runs: the
wizard then shows one [Linked] and one [NoLink] NIC for real.

CLI (make qemu-demo): vm.py demo ISO [--uefi]  - serial console in this terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
PROBE_CACHE = "/run/cos-installer-kvm-probe"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMNOZ]|\x0f|\x0e")


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} [vm] {message}", file=sys.stderr, flush=True)


def accelerator(kernel: str | None = None) -> str:
    """'kvm' when a probe boot under KVM gets the kernel talking on the serial line, else 'tcg'."""
    forced = os.environ.get("COS_ACCEL")
    if forced in ("kvm", "tcg"):
        return forced
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg"
    if os.path.exists(PROBE_CACHE):
        return Path(PROBE_CACHE).read_text().strip() or "tcg"
    if not kernel:
        return "tcg"
    argv = ["qemu-system-x86_64", "-accel", "kvm", "-m", "256", "-display", "none",
            "-no-reboot", "-serial", "stdio", "-monitor", "none", "-kernel", kernel,
            "-append", "console=ttyS0 panic=-1"]  # fmt: skip
    result = "tcg"
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        deadline = time.monotonic() + 20
        out = b""
        os.set_blocking(proc.stdout.fileno(), False)
        while time.monotonic() < deadline and proc.poll() is None:
            out += proc.stdout.read() or b""
            if b"Kernel panic" in out or b"VFS:" in out:
                result = "kvm"
                break
            time.sleep(0.2)
        proc.kill()
    log(f"KVM probe boot: {'works' if result == 'kvm' else 'hangs or fails'}; using {result}")
    Path(PROBE_CACHE).write_text(result)
    return result


class VM:
    """One QEMU guest, started paused, with its serial line and QMP on unix sockets."""

    def __init__(self, name: str, workdir: str, *, uefi: bool = False, memory: int = 2048):
        self.name, self.workdir, self.uefi, self.memory = name, workdir, uefi, memory
        self.args: list[str] = []
        self.prefix: list[str] = []  # e.g. ip netns exec NS: QEMU opens its taps there
        self.nics = 0
        self.proc: subprocess.Popen | None = None
        self.serial: socket.socket | None = None
        self.qmp: socket.socket | None = None
        self.output = bytearray()  # everything read from the serial line
        self.mark = 0  # expect() searches the escape-free text from here
        self.down_links: list[str] = []
        self.logfile = open(os.path.join(workdir, f"{name}.serial.log"), "ab")  # noqa: SIM115

    def disk(self, path: str, fmt: str = "raw", bootindex: int | None = None, ro=False) -> None:
        dev = f"disk{len(self.args)}"
        readonly = "on" if ro else "off"
        self.args += ["-drive", f"file={path},if=none,id={dev},format={fmt},readonly={readonly}"]
        extra = f",bootindex={bootindex}" if bootindex is not None else ""
        self.args += ["-device", f"virtio-blk-pci,drive={dev}{extra}"]

    def cdrom(self, iso: str, bootindex: int | None = None) -> None:
        extra = f",bootindex={bootindex}" if bootindex is not None else ""
        self.args += ["-drive", f"file={iso},if=none,id=cd0,media=cdrom,readonly=on,format=raw"]
        self.args += ["-device", "ide-cd,drive=cd0,bus=ide.1" + extra]

    def nic(self, link: bool = True, hostfwd: str = "") -> None:
        self.nics += 1
        nid = f"nic{self.nics}"
        fwd = f",hostfwd={hostfwd}" if hostfwd else ""
        self.args += ["-netdev", f"user,id=n{self.nics},net=10.0.{self.nics + 1}.0/24{fwd}"]
        mac = f"52:54:00:c0:5e:{self.nics:02x}"
        slot = 0x0F + self.nics  # fixed slots: the guest names them ens16, ens17 everywhere
        self.args += [
            "-device",
            f"virtio-net-pci,netdev=n{self.nics},id={nid},mac={mac},addr={slot:#x}",
        ]
        if not link:
            self.down_links.append(nid)

    def kernel(self, kernel: str, initrd: str, append: str) -> None:
        self.args += ["-kernel", kernel, "-initrd", initrd, "-append", append]

    def command(self, accel: str, serial_stdio: bool = False) -> list[str]:
        sock = os.path.join(self.workdir, f"{self.name}")
        argv = [*self.prefix, "qemu-system-x86_64", "-name", self.name, "-machine", "pc",
                "-accel", accel, "-m", str(self.memory), "-smp", "2", "-S",
                "-qmp", f"unix:{sock}.qmp,server=on,wait=off"]  # fmt: skip
        if serial_stdio:
            # The serial line and QEMU's monitor share this terminal, so Ctrl+A x quits:
            # -nographic alone does not do that when -qmp is on the command line (the escape
            # keys then reach the guest). No -no-reboot: the installed disk boots next.
            argv += ["-nographic", "-serial", "mon:stdio"]
        else:
            argv += ["-no-reboot", "-display", "none", "-monitor", "none",
                     "-chardev", f"socket,id=ser0,path={sock}.serial,server=on,wait=off",
                     "-serial", "chardev:ser0"]  # fmt: skip
        if self.uefi:
            vars_copy = os.path.join(self.workdir, f"{self.name}.vars.fd")
            shutil.copyfile(OVMF_VARS, vars_copy)
            argv += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                     "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]  # fmt: skip
        return argv + self.args

    def start(self, accel: str, serial_stdio: bool = False) -> None:
        argv = self.command(accel, serial_stdio)
        log(f"{self.name}: {' '.join(argv)}")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=None if serial_stdio else subprocess.DEVNULL)
        self.qmp = _connect(os.path.join(self.workdir, f"{self.name}.qmp"), self.proc)
        self.qmp_command("qmp_capabilities")
        for nid in self.down_links:
            self.qmp_command("set_link", name=nid, up=False)
        if not serial_stdio:
            self.serial = _connect(os.path.join(self.workdir, f"{self.name}.serial"), self.proc)
            self.serial.setblocking(False)
        self.qmp_command("cont")

    def qmp_command(self, command: str, **arguments: object) -> dict:
        assert self.qmp is not None
        self.qmp.sendall(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        buffer = b""
        while True:
            chunk = self.qmp.recv(65536)
            if not chunk:
                raise RuntimeError(f"{self.name}: QMP closed")
            buffer += chunk
            for line in buffer.split(b"\n"):
                if line.strip() and (b'"return"' in line or b'"error"' in line):
                    reply = json.loads(line)
                    if "error" in reply:
                        raise RuntimeError(f"{self.name}: QMP {command}: {reply['error']}")
                    return reply

    def _pump(self, timeout: float) -> None:
        assert self.serial is not None
        import select

        ready, _, _ = select.select([self.serial], [], [], timeout)
        if ready:
            try:
                data = self.serial.recv(65536)
            except BlockingIOError:
                return
            if data:
                self.output += data
                self.logfile.write(data)
                self.logfile.flush()

    def text(self, start: int = 0) -> str:
        """Serial output since `start`, without terminal escape sequences."""
        return ANSI.sub(b"", bytes(self.output[start:])).decode("utf-8", "replace")

    def expect(self, pattern: str, timeout: float) -> re.Match:
        """Wait for a regex in the escape-free output after the previous match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            found = regex.search(self.text(), self.mark)
            if found:
                self.mark = found.end()
                return found
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: QEMU exited while waiting for {pattern!r}")
            if time.monotonic() > deadline:
                tail = self.text()[-2000:]
                raise TimeoutError(f"{self.name}: no {pattern!r} in {timeout:.0f} s; last:\n{tail}")
            self._pump(0.5)

    def send(self, data: str | bytes) -> None:
        assert self.serial is not None
        self.serial.setblocking(True)
        self.serial.sendall(data.encode() if isinstance(data, str) else data)
        self.serial.setblocking(False)

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: did not power off within {timeout:.0f} s")
            if self.serial:
                self._pump(0.5)
            else:
                time.sleep(0.5)
        return self.proc.returncode

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for s in (self.serial, self.qmp):
            if s:
                s.close()
        self.logfile.close()


def _connect(path: str, proc: subprocess.Popen) -> socket.socket:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"QEMU exited with {proc.returncode} before {path} was ready")
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.1)
    raise RuntimeError(f"QEMU socket {path} did not appear")


def extract_from_iso(iso: str, dest: str, *paths: str) -> list[str]:
    """Copy files out of an ISO with xorriso (the host kernel cannot mount iso9660)."""
    out = []
    for path in paths:
        target = os.path.join(dest, os.path.basename(path))
        subprocess.run(["xorriso", "-osirrox", "on", "-indev", iso, "-extract", path, target],
                       check=True, capture_output=True)  # fmt: skip
        out.append(target)
    return out


DEMO_QUIT = "Ctrl+A then x"  # what the demo's banner, iso/README.md and its test say quits QEMU


def demo_vm(iso: str, workdir: str, *, uefi: bool = False) -> VM:
    """The demo's VM (its argv: `.command(accel, serial_stdio=True)`): OS and data disks
    (qcow2, created once), the ISO, one NIC with a link and one without."""
    os.makedirs(workdir, exist_ok=True)
    os_disk = os.path.join(workdir, "os.qcow2")
    data_disk = os.path.join(workdir, "data.qcow2")
    for path, size in ((os_disk, "10G"), (data_disk, "4G")):
        if not os.path.exists(path):
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, size], check=True)
    vm = VM("demo", workdir, uefi=uefi)
    vm.disk(os_disk, "qcow2", bootindex=1)
    vm.disk(data_disk, "qcow2")
    vm.cdrom(iso, bootindex=2)
    vm.nic(link=True)
    vm.nic(link=False)
    return vm


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vm.py demo", description="make qemu-demo")
    parser.add_argument("iso")
    parser.add_argument("--uefi", action="store_true")
    parser.add_argument("--workdir", default="build/qemu-demo")
    args = parser.parse_args(argv)
    vm = demo_vm(args.iso, args.workdir, uefi=args.uefi)
    with tempfile.TemporaryDirectory() as tmp:
        kernel = extract_from_iso(args.iso, tmp, "/live/vmlinuz")[0]
        accel = accelerator(kernel)
    print(f"COS installer demo ({accel.upper()}): OS disk {args.workdir}/os.qcow2 (/dev/vda), "
          f"data disk {args.workdir}/data.qcow2 (/dev/vdb), NICs: one linked, one without "
          f"link. Serial console here; {DEMO_QUIT} quits QEMU. Delete "
          f"{args.workdir}/*.qcow2 to start over.")  # fmt: skip
    vm.start(accel, serial_stdio=True)
    assert vm.proc is not None
    vm.proc.wait()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        sys.exit(demo(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] == "accel":
        print(accelerator(sys.argv[2] if len(sys.argv) > 2 else None))
        sys.exit(0)
    print(__doc__, file=sys.stderr)
    sys.exit(2)
