#!/usr/bin/env python3
"""Make a GPT disk image boot with BIOS GRUB, without loop devices or mounts.

Does what grub-bios-setup does for the embedded case (which cannot run here: it insists on
probing the host's root device): boot.img goes into the MBR code area (the protective MBR's
partition table is kept) pointing at core.img, and core.img goes into the BIOS boot partition
(type EF02) with its first-sector blocklist pointing at the rest of itself. core.img must carry
an early config that finds the ROOT filesystem by label (grub-mkimage -c).

Usage: grub-bios-embed.py DISK.img BOOT.img CORE.img
"""

import struct
import sys
from pathlib import Path

SECTOR = 512
BIOS_BOOT_GUID = "21686148-6449-6E6F-744E-656564454649"
KERNEL_SECTOR = 0x5C  # boot.img: 64-bit LBA of core.img's first sector
BOOT_DRIVE_CHECK = 0x66  # boot.img: jump over the floppy check for hard disks (0x9090)
MBR_TABLE = 0x1B8  # disk signature + partition table + 0x55AA, kept from the disk
BLOCKLIST = SECTOR - 12  # core.img: struct {u64 start; u16 len; u16 segment}
KERNEL_SEGMENT = 0x820


def guid(raw: bytes) -> str:
    a, b, c = struct.unpack("<IHH", raw[:8])
    return f"{a:08X}-{b:04X}-{c:04X}-{raw[8:10].hex().upper()}-{raw[10:16].hex().upper()}"


def bios_boot_partition(disk) -> tuple[int, int]:
    disk.seek(SECTOR)
    header = disk.read(SECTOR)
    if header[:8] != b"EFI PART":
        sys.exit("grub-bios-embed: no GPT header at LBA 1; partition the image first (sgdisk)")
    entries_lba, count, size = struct.unpack("<QII", header[72:88])
    disk.seek(entries_lba * SECTOR)
    table = disk.read(count * size)
    for i in range(count):
        entry = table[i * size : (i + 1) * size]
        if guid(entry[:16]) == BIOS_BOOT_GUID:
            first, last = struct.unpack("<QQ", entry[32:48])
            return first, last - first + 1
    sys.exit("grub-bios-embed: no BIOS boot partition (type EF02) in the GPT")


def main() -> int:
    disk_path, boot_path, core_path = sys.argv[1:4]
    boot = bytearray(Path(boot_path).read_bytes())
    core = bytearray(Path(core_path).read_bytes())
    if len(boot) != SECTOR:
        sys.exit(f"grub-bios-embed: {boot_path} is not 512 bytes")
    core += bytes(-len(core) % SECTOR)
    nsec = len(core) // SECTOR
    with open(disk_path, "r+b") as disk:
        first, length = bios_boot_partition(disk)
        if nsec > length:
            sys.exit(f"grub-bios-embed: core.img needs {nsec} sectors, BIOS boot has {length}")
        disk.seek(0)
        mbr = disk.read(SECTOR)
        boot[MBR_TABLE:SECTOR] = mbr[MBR_TABLE:SECTOR]
        struct.pack_into("<Q", boot, KERNEL_SECTOR, first)
        boot[BOOT_DRIVE_CHECK : BOOT_DRIVE_CHECK + 2] = b"\x90\x90"
        struct.pack_into("<QHH", core, BLOCKLIST, first + 1, nsec - 1, KERNEL_SEGMENT)
        struct.pack_into("<QHH", core, BLOCKLIST - 12, 0, 0, 0)  # terminator
        disk.seek(first * SECTOR)
        disk.write(core)
        disk.seek(0)
        disk.write(boot)
    print(f"grub-bios-embed: core.img ({nsec} sectors) at LBA {first}, boot.img in the MBR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
