"""How a disk is described on the disk screens and the summary (one formatting, three places)."""

from __future__ import annotations

from typing import Any

from cos_installer.hardware.types import human_size
from cos_installer.i18n import _

from .widgets import clip


def headline(disk: Any) -> str:
    """`/dev/sda  20.0 GiB  QEMU HARDDISK  serial QM0001  sata`"""
    model, serial = clip(disk.model or "-", 20), clip(disk.serial or "-", 16)  # "..." if cut
    parts = [f"{disk.path:<13}", f"{human_size(disk.size):>10}", f"{model:<20}", f"{serial:<16}"]
    parts.append(disk.transport or "-")
    return " ".join(parts)


def identity(disk: Any) -> str:
    """For the wipe warning: path, model, serial and size in one sentence."""
    model = disk.model or _("unknown model")
    serial = _("serial {serial}").format(serial=disk.serial) if disk.serial else _("no serial")
    return f"{disk.path} ({model}, {serial}, {human_size(disk.size)})"


def partition_lines(disk: Any) -> list[str]:
    lines = []
    for part in disk.partitions:
        bits = [part.path, human_size(part.size), part.fstype or _("no filesystem")]
        if part.label:
            bits.append(_("label {label}").format(label=repr(part.label)))
        if part.mountpoint:
            swap = part.mountpoint == "[SWAP]"
            bits.append(_("active swap") if swap else _("on {where}").format(where=part.mountpoint))
        lines.append("  ".join(bits))
    if not lines:
        lines.append(_("no partitions"))
    return lines


def by_path(disks: list[Any], path: str | None) -> Any:
    return next((d for d in disks if d.path == path), None)
