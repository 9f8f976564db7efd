"""Secrets out of every text that leaves the installer's memory: the log, the kept config, the
diagnostics bundle. One place for what counts as a secret (hashes, passwords, install codes)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from cos_installer.common.shown import REDACTED

_PATTERNS = [
    # SHA-512 crypt hashes anywhere, with or without a rounds=N field
    re.compile(r"\$6\$(?:rounds=\d+\$)?[^\s\"'$]{1,16}\$[./0-9A-Za-z]{20,}"),
    re.compile(r"(?im)^(\s*passwd:\s*).+$"),
    re.compile(r"(?im)^(\s*password(?:_hash)?\s*[:=]\s*).+$"),
    re.compile(r"(?im)(COS_INSTALL_CODE=)\S*"),
    re.compile(r"(?im)^(\s*install_code\s*[:=]\s*).+$"),
    re.compile(r"(?i)(install[ _]code[ :=]+)\d{4}\b"),
]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without password hashes, passwords, install codes (by key), and the given
    literal `secrets` (the plain password, the install code) wherever they appear."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
