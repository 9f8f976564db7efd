"""The disk fields: the OS disk and the optional Docker data disk."""

from __future__ import annotations

import os
import stat

from cos_installer.answers.validate.base import FieldError, as_text, quoted
from cos_installer.i18n import _

# --- disks -----------------------------------------------------------------------------------


def disk_path(value: object) -> str:
    """A whole disk by its path. What exists there must be a block device: an answers file, a
    fleet file and the wizard never name an image file (only `install --target FILE` does),
    so a database file named by mistake is never erased."""
    text = as_text(value)
    if not text.startswith("/") or not all(c.isprintable() and not c.isspace() for c in text):
        raise FieldError(
            _("{value} is not a device path: expected e.g. /dev/sda").format(value=quoted(value))
        )
    try:
        mode = os.stat(text).st_mode
    except (OSError, ValueError):  # absent here (a profile, another machine): checked at install
        return text
    if not stat.S_ISBLK(mode):
        kind = _("a regular file") if stat.S_ISREG(mode) else _("a special file")
        if stat.S_ISDIR(mode):
            kind = _("a directory")
        raise FieldError(
            _(
                "{value} is {kind}, not a block device: expected a whole disk such as /dev/sda "
                "(an image file is named only with install --target FILE)"
            ).format(value=quoted(value), kind=kind)
        )
    return text


def data_disk(value: object, os_disk: str) -> str | None:
    text = as_text(value)
    if not text:
        return None
    path = disk_path(text)
    if path == os_disk:
        raise FieldError(
            _("{path} is already the OS disk: choose another disk for Docker data").format(
                path=path
            )
        )
    return path
