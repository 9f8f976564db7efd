"""Disk and install-media probes on loop devices with real GPTs and filesystems."""

from __future__ import annotations

import os

import pytest

from cos_installer.hardware import PAYLOAD, MediaNotReady, open_machine
from cos_installer.hardware.disks import ProbeContext, list_disk_names, probe_block_device
from cos_installer.hardware.media import find_install_media
from tests.hardware.conftest import sh
from tests.realparts import need_tools

pytestmark = pytest.mark.realparts
MiB = 1024 * 1024


def test_partitions_filesystems_and_mounted_partition(make_loop_disk, tmp_path):
    need_tools("mkfs.ext4")
    disk = make_loop_disk(64, [16, 8])
    sh("mkfs.ext4", "-q", "-L", "citdata", disk.partitions[0])
    make_loop_disk.mount(disk.partitions[0], tmp_path / "mnt")

    probed = probe_block_device(disk.path)
    assert probed.path == disk.path
    assert probed.size == 64 * MiB
    assert [p.path for p in probed.partitions] == disk.partitions
    assert [p.size for p in probed.partitions] == [16 * MiB, 8 * MiB]
    first, second = probed.partitions
    assert (first.fstype, first.label) == ("ext4", "citdata")
    assert first.mountpoint == str(tmp_path / "mnt")
    assert second.fstype is None and second.mountpoint is None
    assert probed.in_use == [f"{disk.partitions[0]} is mounted on {tmp_path / 'mnt'}"]
    assert probed.read_only is False and probed.is_install_media is False
    # an active swap partition, as /proc/swaps lists it (matched by device number)
    swaps = tmp_path / "swaps"
    swaps.write_text(
        f"Filename Type Size Used Priority\n{disk.partitions[1]} partition 8188 0 -2\n"
    )
    swapping = probe_block_device(disk.path, ProbeContext(swaps=str(swaps)))
    assert swapping.partitions[1].mountpoint == "[SWAP]"
    assert f"{disk.partitions[1]} is active swap" in swapping.in_use
    # 64 MiB is below the minimum: not offered, and the reason says by how much
    assert probed.reason_not_offered() == "too small: 64.0 MiB < 8.0 GiB"
    assert probed.reason_not_offered(min_bytes=32 * MiB) is None


def test_loop_devices_are_never_listed(make_loop_disk):
    disk = make_loop_disk(16, [])
    name = os.path.basename(disk.path)
    assert name not in list_disk_names()
    assert open_machine().disk(disk.path) is None  # preflight re-read refuses non-disks


def test_read_only_device(make_loop_disk):
    disk = make_loop_disk(16, [], read_only=True)
    probed = probe_block_device(disk.path)
    assert probed.read_only is True
    assert probed.reason_not_offered(min_bytes=1) == "read-only"


def test_install_stick_labelled_cdrom(make_loop_disk, tmp_path, monkeypatch):
    need_tools("mkfs.ext4")
    monkeypatch.delenv("COS_MEDIA_DIR", raising=False)
    stick = make_loop_disk(48, [40])
    # a real stick is FAT or iso9660; this kernel mounts neither, ext4 carries the label too
    sh("mkfs.ext4", "-q", "-L", "CDROM", stick.partitions[0])
    # not mounted yet: found by its label, payload unknown
    media = find_install_media()
    assert media.device == stick.partitions[0] and media.payload is None
    probed = probe_block_device(stick.path, ProbeContext())
    assert probed.is_install_media and probed.reason_not_offered() == "install media"

    medium = tmp_path / "medium"
    make_loop_disk.mount(stick.partitions[0], medium)
    with pytest.raises(MediaNotReady) as err:
        find_install_media()
    assert str(err.value).startswith("CDROM Device Not Ready: ")
    assert f"{stick.partitions[0]} (label CDROM, mounted on {medium}) has no {PAYLOAD}" in str(
        err.value
    )
    (medium / "cos").mkdir()
    (medium / PAYLOAD).write_bytes(b"\x28\xb5\x2f\xfd")
    media = find_install_media()
    assert media.device == stick.partitions[0]
    assert media.payload == str(medium / PAYLOAD)

    # COS_MEDIA_DIR (tests, dry runs): the directory stands for the medium
    monkeypatch.setenv("COS_MEDIA_DIR", str(medium))
    assert open_machine().install_media().device == stick.partitions[0]
    assert open_machine().install_media().payload == str(medium / PAYLOAD)


def test_no_cdrom_device(tmp_path, monkeypatch):
    monkeypatch.delenv("COS_MEDIA_DIR", raising=False)
    (tmp_path / "block").mkdir()
    with pytest.raises(MediaNotReady) as err:
        find_install_media(sysfs_root=str(tmp_path))
    message = str(err.value)
    assert message.startswith("CDROM Device Not Ready: no device with the label CDROM was found")
    assert "volume label CDROM" in message  # what to check next
    monkeypatch.setenv("COS_MEDIA_DIR", str(tmp_path / "empty"))
    with pytest.raises(MediaNotReady, match=r"no cos/cos-image\.raw\.zst in .*empty"):
        open_machine().install_media()


def test_udev_properties_fill_what_sysfs_lacks(make_loop_disk, tmp_path, monkeypatch):
    """Where udev's database exists, pyudev's properties are read (here: the uevent ones)."""
    from cos_installer.hardware import disks

    disk = make_loop_disk(16, [])
    sysdir = disks.Path("/sys/block") / os.path.basename(disk.path)
    assert disks._udev_props(sysdir, ProbeContext()) == {} or os.path.isdir(disks.UDEV_DATA)
    monkeypatch.setattr(disks, "UDEV_DATA", str(tmp_path))
    props = disks._udev_props(sysdir, ProbeContext())
    assert props["DEVNAME"] == disk.path and props["DEVTYPE"] == "disk"
    assert disks._udev_props(sysdir, ProbeContext(use_udev=False)) == {}


def test_a_disk_mounted_under_another_name_is_shown_in_use(make_loop_disk, tmp_path):
    """A loop device over the disk's partition 1, mounted: the disk screen's probe says the
    disk is in use and names that device (the disk's own partitions are not mounted)."""
    need_tools("mkfs.ext4")
    disk = make_loop_disk(64, [16, 8])
    over = sh("losetup", "--find", "--show", disk.partitions[0]).stdout.strip()
    try:
        sh("mkfs.ext4", "-q", over)
        make_loop_disk.mount(over, tmp_path / "mnt")
        probed = probe_block_device(disk.path)
        assert [p.mountpoint for p in probed.partitions] == [None, None]
        assert probed.in_use == [
            f"{over} (part of {disk.path}: a loop device over {disk.partitions[0]}) is mounted "
            f"on {tmp_path / 'mnt'}"
        ]
    finally:
        sh("umount", str(tmp_path / "mnt"), check=False)
        sh("losetup", "-d", over, check=False)
