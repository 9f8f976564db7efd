"""Block-device plumbing: ioctls, sysfs, mounts, partition tables, partx.

Everything here takes the sysfs and proc roots as parameters where it reads them, so the
RAID/LVM holder logic can be tested on a sysfs tree fixture (this host has no dm or md).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from cos_installer.hardware.sysfs import read_attr

BLKROGET = 0x125E
BLKRRPART = 0x125F
BLKSSZGET = 0x1268
BLKGETSIZE64 = 0x80081272

Log = Callable[[str], None]


class CommandError(RuntimeError):
    """A helper program failed; carries its last line of stderr as the cause."""

    def __init__(self, argv: list[str], returncode: int, stderr: str) -> None:
        self.argv, self.returncode, self.stderr = argv, returncode, stderr.strip()
        lines = [ln.strip() for ln in self.stderr.splitlines() if ln.strip()]
        self.reason = lines[0] if lines else f"exit status {returncode}"  # usage text follows
        super().__init__(f"{argv[0]} failed: {self.reason}")


def run(
    argv: list[str],
    *,
    log: Log | None = None,
    timeout: float = 120,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess:
    """Run a helper program (never with secrets in argv), logging the command and its errors."""
    if log:
        log("$ " + " ".join(argv) + (f" <<< {input!r}" if input else ""))
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise CommandError(argv, 127, f"{argv[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandError(argv, 124, f"{argv[0]} did not finish in {timeout:.0f} s") from exc
    if log and proc.stderr.strip():
        log("  " + proc.stderr.strip().replace("\n", "\n  "))
    if check and proc.returncode != 0:
        raise CommandError(argv, proc.returncode, proc.stderr)
    return proc


# ---- identity ------------------------------------------------------------------------------


def kernel_name(device: str, sysfs: str = "/sys") -> str:
    """The kernel's name of a block device node (/dev/disk/by-id/x -> sda), via its dev_t."""
    st = os.stat(device)
    if not stat.S_ISBLK(st.st_mode):
        raise OSError(errno.ENOTBLK, "not a block device", device)
    link = f"{sysfs}/dev/block/{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    return os.path.basename(os.path.realpath(link))


def is_partition(name: str, sysfs: str = "/sys") -> bool:
    return os.path.exists(f"{sysfs}/class/block/{name}/partition")


def parent_disk(name: str, sysfs: str = "/sys") -> str:
    """The whole disk a partition belongs to (the name itself for a whole disk)."""
    if not is_partition(name, sysfs):
        return name
    return os.path.basename(os.path.dirname(os.path.realpath(f"{sysfs}/class/block/{name}")))


def device_size(path: str) -> int:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return struct.unpack("Q", fcntl.ioctl(fd, BLKGETSIZE64, b"\0" * 8))[0]
    finally:
        os.close(fd)


def logical_block_size(fd: int) -> int:
    return struct.unpack("i", fcntl.ioctl(fd, BLKSSZGET, b"\0" * 4))[0]


def read_only(path: str) -> bool:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return struct.unpack("i", fcntl.ioctl(fd, BLKROGET, b"\0" * 4))[0] != 0
    finally:
        os.close(fd)


def serial_of(name: str, sysfs: str = "/sys") -> str:
    """The serial number as the disk screen shows it (hardware.disks reads the same places in
    the same order): a SATA/SAS disk's is in VPD page 0x80, not in its longer wwid."""
    base = f"{sysfs}/class/block/{name}"
    value = read_attr(f"{base}/serial") or read_attr(f"{base}/device/serial")
    if value:
        return value
    try:
        with open(f"{base}/device/vpd_pg80", "rb") as f:
            raw = f.read()
        value = raw[4 : 4 + raw[3]].decode("ascii", "replace").strip(" \x00")
    except (OSError, IndexError):
        value = ""
    return value or read_attr(f"{base}/device/wwid") or read_attr(f"{base}/wwid")


def by_id_links(name: str, dev: str = "/dev") -> list[str]:
    root = f"{dev}/disk/by-id"
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return []
    return [f"{root}/{e}" for e in entries if os.path.realpath(f"{root}/{e}") == f"{dev}/{name}"]


def loop_backing(name: str, sysfs: str = "/sys") -> str | None:
    """The file (or device) a loop device reads from; None for any other device."""
    path = read_attr(f"{sysfs}/block/{name}/loop/backing_file")
    return path.removesuffix(" (deleted)") or None


# ---- partitions the kernel shows -----------------------------------------------------------


@dataclass(frozen=True)
class KernelPart:
    name: str  # loop0p3
    number: int
    start: int  # sectors of 512 bytes
    size: int


def kernel_partitions(disk: str, sysfs: str = "/sys") -> list[KernelPart]:
    base = f"{sysfs}/class/block/{disk}"
    parts = []
    try:
        entries = sorted(os.listdir(base))
    except OSError:
        return []
    for entry in entries:
        if os.path.exists(f"{base}/{entry}/partition"):
            parts.append(
                KernelPart(
                    entry,
                    int(read_attr(f"{base}/{entry}/partition", "0")),
                    int(read_attr(f"{base}/{entry}/start", "0")),
                    int(read_attr(f"{base}/{entry}/size", "0")),
                )
            )
    return sorted(parts, key=lambda p: p.number)


# ---- partition tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class TablePart:
    number: int
    start: int
    size: int
    type: str
    name: str
    uuid: str


def read_table(device: str, *, log: Log | None = None) -> list[TablePart] | None:
    """The partition table on the device as user space reads it (sfdisk), None without one."""
    proc = run(["sfdisk", "--json", device], log=log, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    table = json.loads(proc.stdout)["partitiontable"]
    parts = []
    for p in table.get("partitions", []):
        digits = re.search(r"(\d+)$", p["node"])
        if digits is None:
            continue
        parts.append(
            TablePart(
                int(digits.group(1)),
                int(p["start"]),
                int(p["size"]),
                p.get("type", ""),
                p.get("name", ""),
                p.get("uuid", ""),
            )
        )
    return parts


def table_matches(table: list[TablePart], kernel: list[KernelPart]) -> bool:
    want = {(p.number, p.start, p.size) for p in table}
    have = {(p.number, p.start, p.size) for p in kernel}
    return want == have


def reread_ioctl(device: str, *, tries: int = 3, delay: float = 0.25) -> OSError | None:
    """BLKRRPART, retried while the kernel says busy; returns the last error, None on success."""
    last: OSError | None = None
    for attempt in range(tries):
        fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fcntl.ioctl(fd, BLKRRPART)
            return None
        except OSError as exc:
            last = exc
            if exc.errno != errno.EBUSY:
                return exc
        finally:
            os.close(fd)
        if attempt < tries - 1:
            time.sleep(delay * (attempt + 1))
    return last


def settle(timeout: int = 10, *, log: Log | None = None) -> None:
    if shutil.which("udevadm"):
        run(
            ["udevadm", "settle", f"--timeout={timeout}"], log=log, check=False, timeout=timeout + 5
        )


def wait_for_node(path: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# ---- mounts --------------------------------------------------------------------------------


def mount_private(node: str, fstype: str, target: str, *, log: Log | None = None) -> None:
    run(["mount", "-t", fstype, "-o", "nosuid,nodev", node, target], log=log)
    run(["mount", "--make-private", target], log=log, check=False)


def umount_retry(target: str, *, tries: int = 5, log: Log | None = None) -> None:
    """Unmount, retrying while busy (udev probes, a slow flush); raises the last failure."""
    for attempt in range(tries):
        proc = run(["umount", target], log=log, check=False)
        if proc.returncode == 0:
            return
        if attempt == tries - 1:
            raise CommandError(["umount", target], proc.returncode, proc.stderr)
        time.sleep(0.3 * (attempt + 1))
