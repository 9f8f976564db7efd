"""The GUID partition table read from bytes in memory (UEFI 2.10, 5.3), not from a disk.

The installer holds the image's first MiB back until the install is complete; what the
kernel needs meanwhile (the partitions, for BLKPG) and the disk image's size (for the "big
enough" check, before the first write) are read from those bytes.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass

from cos_installer.install.blockdev import TablePart

SIGNATURE = b"EFI PART"
SECTOR_SIZES = (512, 4096)
MAX_ENTRIES = 1024


@dataclass(frozen=True)
class Header:
    sector: int  # logical sector size the table was written for
    alternate_lba: int  # the backup header: the image's last sector
    first_usable: int
    last_usable: int
    entries_lba: int
    entries: int
    entry_size: int
    entries_crc: int

    @property
    def disk_bytes(self) -> int:
        """The size of the disk image the table describes (its backup header ends it)."""
        return (self.alternate_lba + 1) * self.sector


def header(head: bytes, sector: int) -> Header | None:
    """The primary header at LBA 1, when its signature, size, position and CRC are right."""
    raw = head[sector : sector + 512]
    if len(raw) < 92 or not raw.startswith(SIGNATURE):
        return None
    size, crc = struct.unpack_from("<II", raw, 12)
    if not 92 <= size <= min(sector, 512):
        return None
    if zlib.crc32(raw[:16] + b"\0\0\0\0" + raw[20:size]) != crc:
        return None
    my_lba, alternate, first, last = struct.unpack_from("<QQQQ", raw, 24)
    entries_lba, count, entry_size, entries_crc = struct.unpack_from("<QIII", raw, 72)
    if my_lba != 1 or not first <= last < alternate or entry_size < 128 or entry_size % 8:
        return None
    return Header(sector, alternate, first, last, entries_lba, count, entry_size, entries_crc)


def find_header(head: bytes) -> Header | None:
    """The primary header for 512-byte or 4096-byte sectors, whichever is valid."""
    return next((h for s in SECTOR_SIZES if (h := header(head, s)) is not None), None)


def partitions(head: bytes) -> list[TablePart] | None:
    """The partitions of the primary table (sectors of 512 bytes, as sfdisk gives them);
    None when there is no valid table, or its entries do not lie within `head`."""
    hdr = find_header(head)
    if hdr is None or hdr.entries > MAX_ENTRIES:
        return None
    start = hdr.entries_lba * hdr.sector
    blob = head[start : start + hdr.entries * hdr.entry_size]
    if len(blob) != hdr.entries * hdr.entry_size or zlib.crc32(blob) != hdr.entries_crc:
        return None
    scale = hdr.sector // 512
    parts = []
    for number in range(1, hdr.entries + 1):
        entry = blob[(number - 1) * hdr.entry_size : number * hdr.entry_size]
        if entry[:16] == bytes(16):
            continue  # an unused entry
        first, last = struct.unpack_from("<QQ", entry, 32)
        name = entry[56:128].decode("utf-16-le", "replace").split("\0", 1)[0]
        parts.append(
            TablePart(
                number,
                first * scale,
                (last - first + 1) * scale,
                str(uuid.UUID(bytes_le=entry[:16])).upper(),
                name,
                str(uuid.UUID(bytes_le=entry[16:32])).upper(),
            )
        )
    return parts
