"""Small readers for sysfs, /proc and blkid, shared by the disk and NIC probes.

Every function takes the roots it reads as parameters so that tests can point them at a fake
tree (holders of RAID/LVM cannot be made on the CI kernel).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def read_attr(path: str | Path, default: str = "") -> str:
    """One sysfs attribute, stripped; `default` when missing or unreadable (EINVAL when down)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def read_int(path: str | Path, default: int | None = None) -> int | None:
    try:
        return int(read_attr(path))
    except ValueError:
        return default


def devno_of_sysfs(sysdir: str | Path) -> tuple[int, int] | None:
    """The (major, minor) of a block device's sysfs directory, from its `dev` file."""
    text = read_attr(Path(sysdir) / "dev")
    major, _, minor = text.partition(":")
    try:
        return int(major), int(minor)
    except ValueError:
        return None


def mount_table(mountinfo: str = "/proc/self/mountinfo") -> list[tuple[tuple[int, int], str, str]]:
    """(device number, mount point, fstype) of every mount, in mount order."""
    try:
        with open(mountinfo, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    table = []
    for line in lines:
        fields = line.split()
        if len(fields) < 5 or " - " not in line:
            continue
        major, _, minor = fields[2].partition(":")
        fstype = line.split(" - ", 1)[1].split()[0]
        try:
            table.append(((int(major), int(minor)), fields[4].replace("\\040", " "), fstype))
        except ValueError:
            continue
    return table


def mounts_by_devno(mountinfo: str = "/proc/self/mountinfo") -> dict[tuple[int, int], str]:
    """Where each block device is mounted (first mount point), matched by device number.

    Device numbers survive names like /dev/root or by-uuid paths in the mount table.
    """
    result: dict[tuple[int, int], str] = {}
    for devno, mountpoint, _ in mount_table(mountinfo):
        result.setdefault(devno, mountpoint)
    return result


def swaps_by_devno(swaps: str = "/proc/swaps") -> set[tuple[int, int]]:
    """Device numbers of active swap devices (swap files are not block devices: skipped)."""
    result: set[tuple[int, int]] = set()
    try:
        with open(swaps, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return result
    for line in lines:
        name = line.split()[0] if line.split() else ""
        try:
            st = os.stat(name)
        except OSError:
            continue
        if st.st_rdev:
            result.add((os.major(st.st_rdev), os.minor(st.st_rdev)))
    return result


def blkid_info(paths: list[str], timeout: float = 5.0) -> dict[str, dict[str, str]]:
    """Filesystem TYPE/LABEL of each device by a low-level probe (no cache, no udev needed).

    One `blkid -p` call per device: a device that stalls when opened (an empty floppy or CD
    drive on some machines) loses only its own answer, not everyone's. Devices without a
    filesystem are simply absent.
    """
    blkid = shutil.which("blkid")
    if blkid is None:
        return {}
    result: dict[str, dict[str, str]] = {}
    for path in paths:
        if not os.path.exists(path):
            continue
        try:
            out = subprocess.run(
                [blkid, "-p", "-o", "export", path],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        fields = dict(line.partition("=")[::2] for line in out.splitlines() if "=" in line)
        if fields:
            result[fields.get("DEVNAME", path)] = fields
    return result


def by_id_links(by_id_dir: str = "/dev/disk/by-id") -> dict[str, list[str]]:
    """Real device path -> its /dev/disk/by-id names (made by udev; empty in containers)."""
    result: dict[str, list[str]] = {}
    try:
        names = os.listdir(by_id_dir)
    except OSError:
        return result
    for name in names:
        link = os.path.join(by_id_dir, name)
        result.setdefault(os.path.realpath(link), []).append(link)
    return result


def best_by_id(links: list[str]) -> str | None:
    """The by-id name a person can read (model_serial) over wwn/eui numbers."""
    if not links:
        return None

    def rank(link: str) -> tuple[int, int, str]:
        base = os.path.basename(link)
        opaque = base.startswith(("wwn-", "nvme-eui.", "nvme-nvme.", "dm-uuid-", "lvm-pv-"))
        return (int(opaque), len(base), base)

    return sorted(links, key=rank)[0]
