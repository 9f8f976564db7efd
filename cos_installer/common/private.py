"""Private directories and files for the log, the kept config/probe and the diagnostics bundle.

The installer runs as root, often with a log or a bundle in a directory another local user can
reach (/tmp). One place holds the rules, so that root never follows a symlink or a hard link
someone planted there, and never writes into a directory another user controls:

- a directory is created fresh (mode 0700) or, when it exists, must be a real directory (not a
  symlink: lstat), owned by this user or root, and not writable by others unless sticky (/tmp);
- every file is opened with O_NOFOLLOW; a new file with O_EXCL; a file that is replaced is
  written beside it under a fresh name and renamed over it; an existing file appended to must be
  a regular file of this user with a single link.

Refusals are UnsafePathError, an OSError whose strerror says what is wrong and what to do, so
the callers' `except OSError` print it as they print a full disk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile

_NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePathError(OSError):
    """A path that another user could have planted; `strerror` is the whole sentence."""


def _refuse(path: str, why: str) -> UnsafePathError:
    return UnsafePathError(errno.EPERM, f"{why}; refusing to use it (remove it, or choose another "
                           "path)", path)  # fmt: skip


def check_dir(path: str) -> None:
    """Raise UnsafePathError unless `path` is a directory only this user (or root) can change."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise _refuse(path, f"{path} is a symbolic link")
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
    if st.st_uid not in (os.geteuid(), 0):
        raise _refuse(path, f"{path} belongs to uid {st.st_uid}, not to this user "
                      f"(uid {os.geteuid()})")  # fmt: skip
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        mode = stat.S_IMODE(st.st_mode)
        raise _refuse(path, f"{path} is writable by other users (mode {mode:04o})")


def private_dir(path: str) -> str:
    """`path` created with mode 0700 (parents as needed), or checked when it exists."""
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        os.makedirs(parent, mode=0o755, exist_ok=True)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        check_dir(path)
    return path


def fresh_dir(prefix: str) -> str:
    """A new directory of mode 0700 under $TMPDIR (or /tmp) that nobody could have planted."""
    return tempfile.mkdtemp(prefix=prefix)


def _dir_of(path: str) -> str:
    return private_dir(os.path.dirname(os.path.abspath(path)))


def _open(path: str, flags: int) -> int:
    try:
        return os.open(path, flags | _NOFOLLOW, 0o600)
    except OSError as exc:  # a symlink is ELOOP, or EACCES when created in a sticky directory
        if exc.errno in (errno.ELOOP, errno.EACCES) and os.path.islink(path):
            raise _refuse(path, f"{path} is a symbolic link") from None
        if exc.errno == errno.EEXIST:
            raise _refuse(path, f"{path} already exists") from None
        raise


def open_new(path: str) -> int:
    """A new file (mode 0600) in a checked directory; fails when the name exists."""
    _dir_of(path)
    return _open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)


def replace_file(path: str, data: bytes) -> None:
    """Write `data` as `path` (mode 0600): a new file beside it, renamed over the old name (a
    planted symlink is replaced, never followed)."""
    directory = _dir_of(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def open_append(path: str) -> int:
    """The log file for appending: created (0600) in a checked directory, or an existing regular
    file of this user with one link."""
    _dir_of(path)
    fd = _open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        _check_own_file(path, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_own_file(path: str, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, f"{path} is not a regular file")
    if st.st_uid != os.geteuid():
        raise _refuse(path, f"{path} belongs to uid {st.st_uid}, not to this user")
    if st.st_nlink > 1:
        raise _refuse(path, f"{path} has {st.st_nlink} hard links")


def read_text(path: str) -> str:
    """A regular file's text, opened without following a symlink (OSError otherwise)."""
    fd = _open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, encoding="utf-8", errors="replace") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise _refuse(path, f"{path} is not a regular file")
        return f.read()
