"""The kernel command line as every reader takes it: the autostart (live.boot) and the
`install` command and the wizard (live.reportopt) read the same words the same way.

A boot loader passes bytes as given: bytes that are not UTF-8 are replaced, not a traceback.
The kernel keeps at most a few KiB (COMMAND_LINE_SIZE, 2048 on x86); a file given for tests
(--cmdline FILE) is read to MAX_BYTES and no further, so a huge one cannot stall shlex.
"""

from __future__ import annotations

import shlex

PATH = "/proc/cmdline"
MAX_BYTES = 65536


def read(path: str = PATH) -> str:
    """The line's text ("" for an unreadable file is the caller's choice: this raises OSError)."""
    with open(path, "rb") as f:
        return f.read(MAX_BYTES).decode("utf-8", errors="replace")


def words(text: str) -> list[str]:
    """The line's words, quotes as the kernel reads them (shlex; a line whose quotes do not
    close is split on white space)."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
