"""Sizes as operators write them: one rule for machine profiles, fleet disk rules and --size.

20G and 20GiB are 1024-based (as lsblk prints them), 20GB is 1000-based (as disk vendors
print them); a bare number is bytes.
"""

from __future__ import annotations

import re

_UNITS = {
    "": 1, "b": 1,
    "k": 1024, "kib": 1024, "kb": 1000,
    "m": 1024**2, "mib": 1024**2, "mb": 1000**2,
    "g": 1024**3, "gib": 1024**3, "gb": 1000**3,
    "t": 1024**4, "tib": 1024**4, "tb": 1000**4,
}  # fmt: skip
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*\Z")


def parse_size(value: object) -> int:
    """Bytes from a size such as 20G, 500GiB, 1TB, 1.5T or a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    m = _SIZE.match(value) if isinstance(value, str) else None
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"{value!r} is not a size: expected e.g. 20G, 500GiB, 1TB or bytes")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])
