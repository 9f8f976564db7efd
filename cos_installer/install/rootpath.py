"""Paths inside a mounted target filesystem, resolved as the installed system will see them.

The OS image's own symlinks must be followed from the image's root: an absolute link such as
/var -> /usr/var, followed naively while the image is mounted on /run/cos-installer/target-x,
would lead to the live system's /usr/var and the config would land outside the target.
"""

from __future__ import annotations

import errno
import os

MAX_LINKS = 40  # as the kernel's path walk


def resolve_in_root(root: str, path: str) -> str:
    """`path` (absolute inside the target) as a host path under `root`, every symlink followed
    within the target; components that do not exist yet are kept as they are."""
    pending = [p for p in path.split("/") if p]
    done: list[str] = []
    links = 0
    while pending:
        part = pending.pop(0)
        if part == ".":
            continue
        if part == "..":
            if done:
                done.pop()
            continue
        here = os.path.join(root, *done, part)
        if not os.path.islink(here):
            done.append(part)
            continue
        links += 1
        if links > MAX_LINKS:
            raise OSError(errno.ELOOP, f"too many symbolic links under {root} in {path}")
        target = os.readlink(here)
        if target.startswith("/"):
            done = []
        pending = [p for p in target.split("/") if p] + pending
    if not done:
        raise OSError(errno.EISDIR, f"{path} names the root of the target, not a file")
    return os.path.join(root, *done)
