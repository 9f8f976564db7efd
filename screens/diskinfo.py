"""How a disk is described on the disk screens and the summary (one formatting, three places)."""

from __future__ import annotations

from typing import Any

from cos_installer.hardware.types import human_size


def headline(disk: Any) -> str:
    """`/dev/sda  20.0 GiB  QEMU HARDDISK  serial QM0001  sata`"""
    parts = [f"{disk.path:<13}", f"{human_size(disk.size):>10}", f"{(disk.model or '-')[:20]:<20}"]
    parts.append(f"{(disk.serial or '-')[:16]:<16}")
    parts.append(disk.transport or "-")
    return " ".join(parts)


def identity(disk: Any) -> str:
    """For the wipe warning: path, model, serial and size in one sentence."""
    model = disk.model or "unknown model"
    serial = f"serial {disk.serial}" if disk.serial else "no serial"
    return f"{disk.path} ({model}, {serial}, {human_size(disk.size)})"


def partition_lines(disk: Any) -> list[str]:
    lines = []
    for part in disk.partitions:
        bits = [part.path, human_size(part.size), part.fstype or "no filesystem"]
        if part.label:
            bits.append(f"label {part.label!r}")
        if part.mountpoint:
            bits.append("active swap" if part.mountpoint == "[SWAP]" else f"on {part.mountpoint}")
        lines.append("  ".join(bits))
    if not lines:
        lines.append("no partitions")
    return lines


def by_path(disks: list[Any], path: str | None) -> Any:
    return next((d for d in disks if d.path == path), None)
