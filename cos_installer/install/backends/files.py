"""Files written into the installed ROOT filesystem (the cloud-config, the answers, the log):
mounted privately, each file written beside its place, synced and renamed over it."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable

from cos_installer.install import blockdev
from cos_installer.install.backends.base import BackendError, FileSpec
from cos_installer.install.rootpath import resolve_in_root

Say = Callable[[str], None]


def write_files(node: str, files: list[FileSpec], fstype: str, *, did: Say, log: Say) -> None:
    """Mount `node`, write the files, sync, unmount with retries. `did`: the plan's lines."""
    os.makedirs("/run/cos-installer", mode=0o700, exist_ok=True)
    mnt = tempfile.mkdtemp(prefix="target-", dir="/run/cos-installer")
    did(f"mount {node} privately")
    try:
        try:
            blockdev.mount_private(node, fstype, mnt, log=log)
        except blockdev.CommandError as exc:
            raise BackendError(f"cannot mount {node}: {exc.reason}") from exc
        try:
            for spec in files:
                _write_one(mnt, node, spec, did)
            os.sync()
        finally:
            did(f"unmount {node}")
            try:
                blockdev.umount_retry(mnt, log=log)
            except blockdev.CommandError as exc:
                raise BackendError(f"cannot unmount {node}: {exc.reason}") from exc
    finally:
        if not os.path.ismount(mnt):
            shutil.rmtree(mnt, ignore_errors=True)


def _write_one(root: str, node: str, spec: FileSpec, did: Say) -> None:
    what = spec.describe or f"{len(spec.data)} bytes"
    did(f"write {spec.path} ({spec.mode:04o}, {what}) on {node}")
    path = resolve_in_root(root, spec.path)  # the image's symlinks, never out of it
    parent = os.path.dirname(path)
    os.makedirs(parent, mode=spec.dir_mode, exist_ok=True)
    os.chmod(parent, spec.dir_mode)
    tmp = path + ".tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, spec.mode)
    try:
        os.fchmod(fd, spec.mode)
        os.write(fd, spec.data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
