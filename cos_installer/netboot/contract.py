"""The answers URL contract: where the answers for one machine identity live under a base URL.

    BASE/answers/mac/52:54:00:12:34:56.yaml
    BASE/answers/system_uuid/4c4c4544-0042-3510-8052-b4c04f4d4d32.yaml
    BASE/answers/system_serial/<serial>.yaml
    BASE/answers/disk_serial/<serial>.yaml

One file per value a fleet entry's `match:` names (the keys of cos_installer.answers.fleet_rules);
404 when no entry names that value. Values are the fleet's normal form (lower case, MACs with
colons); every character outside [a-z0-9._:-], and a leading dot, is written `~XX` (its UTF-8
bytes in hex), so a serial cannot leave its directory or need URL escaping. The same names
serve `netboot export`'s static tree and the embedded server that may follow.

The live system asks by every identity it has, in this fixed order, and takes the first
document found whose entry matches it (cos_installer.netboot.lookup): the MAC of the NIC it
booted from (BOOTIF=), the other NICs' MACs by NIC name, the DMI system UUID, the DMI system
serial, then the disks' serials by device name.
"""

from __future__ import annotations

import string

ORDER = ("mac", "system_uuid", "system_serial", "disk_serial")
ANSWERS_DIR = "answers"
SAFE = frozenset(string.ascii_lowercase + string.digits + ".:_-")
MAX_VALUE = 128  # characters of an identity value (DMI and disk serials are far shorter)


def file_name(value: str) -> str:
    """The file name (without .yaml) for an identity value in its normal form."""
    out = []
    for i, char in enumerate(value):
        if char in SAFE and not (i == 0 and char == "."):
            out.append(char)
        else:
            out.extend(f"~{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def identity_path(key: str, value: str) -> str:
    """KEY/NAME.yaml for one identity (the value in the fleet's normal form), relative to
    the answers directory (`cos.answers=BASE/answers/`)."""
    if key not in ORDER:
        raise ValueError(f"unknown identity key {key!r}: expected one of {', '.join(ORDER)}")
    return f"{key}/{file_name(value)}.yaml"


def relative_path(key: str, value: str) -> str:
    """answers/KEY/NAME.yaml: where the identity's document lies under the server's BASE."""
    return f"{ANSWERS_DIR}/{identity_path(key, value)}"


def value_problem(value: str) -> str:
    """Why a match value cannot name a file ("" when it can): empty, control characters,
    or longer than MAX_VALUE characters."""
    if not value:
        return "empty"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "it holds control characters"
    if len(value) > MAX_VALUE:
        return f"{len(value)} characters, more than {MAX_VALUE}"
    return ""


def bootif_mac(value: str) -> str | None:
    """The MAC of pxelinux/iPXE's BOOTIF=01-52-54-00-12-34-56 (hardware type 01 first)."""
    parts = value.strip().lower().split("-")
    if len(parts) == 7 and parts[0] == "01":
        parts = parts[1:]
    mac = ":".join(parts)
    return mac if len(parts) == 6 and all(len(p) == 2 for p in parts) else None
