"""Firmware a driver asked for and did not get: the kernel log names it.

A NIC whose driver lacks its firmware comes up without a link or not at all, and the NIC list
alone does not say why. Lines such as
    r8169 0000:02:00.0: firmware: failed to load rtl_nic/rtl8168h-2.fw (-2)
    bnx2x 0000:01:00.0: Direct firmware load for bnx2x/bnx2x-e2-7.13.21.0.fw failed with error -2
name the driver, the device and the file (`cos-installer probe` lists them).
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass

KMSG = "/dev/kmsg"
_LINE = re.compile(
    r"(?P<driver>[\w.-]+) (?P<device>[^\s:]+(?::[^\s:]+)*): "
    r"(?:firmware: failed to load (?P<a>\S+)|Direct firmware load for (?P<b>\S+) failed)"
)


@dataclass(frozen=True)
class MissingFirmware:
    driver: str
    device: str
    file: str


def parse(log: str) -> list[MissingFirmware]:
    """Each (device, file) the kernel could not load, once, in the order logged."""
    found: dict[tuple[str, str], MissingFirmware] = {}
    for line in log.splitlines():
        match = _LINE.search(line.partition(";")[2] if _is_kmsg(line) else line)
        if match:
            file = match.group("a") or match.group("b")
            key = (match.group("device"), file)
            found.setdefault(key, MissingFirmware(match.group("driver"), key[0], file))
    return list(found.values())


def _is_kmsg(line: str) -> bool:
    """/dev/kmsg records: `PRIORITY,SEQ,USEC,FLAGS;TEXT`."""
    head, sep, _ = line.partition(";")
    return bool(sep) and head.count(",") >= 3 and head.split(",", 1)[0].isdigit()


def read_kernel_log(path: str = KMSG) -> str:
    """The kernel's log buffer as it is now (root only); empty when it cannot be read."""
    records: list[str] = []
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        while True:
            try:
                data = os.read(fd, 8192)
            except BlockingIOError:
                break
            except OSError as error:
                if error.errno == errno.EPIPE:  # a record was overwritten: read on
                    continue
                break
            if not data:
                break
            records.append(data.decode(errors="replace").rstrip("\n"))
    finally:
        os.close(fd)
    return "\n".join(records)


def missing_firmware(path: str = KMSG) -> list[MissingFirmware]:
    return parse(read_kernel_log(path))
