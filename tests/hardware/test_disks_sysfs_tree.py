"""The disk list filter and holder detection on a fake sysfs tree.

RAID, LVM and device-mapper cannot be made on the CI kernel, so the tree has the same layout
as the kernel's /sys: block/<name> symlinks into devices/..., holders/ directories, md/ and dm/.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cos_installer.hardware.disks import ProbeContext, list_disk_names, probe_disks
from cos_installer.hardware.real import RealMachine

DEVICES = {
    # name: (device path under devices/, size in sectors, extra attribute files)
    "sda": ("pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", 500118192,
            {"device/model": "Samsung SSD 860", "device/vendor": "ATA",
             "device/vpd_pg80": b"\0\x80\0\x0cS3Z9NB0K1234", "queue/rotational": "0",
             "dev": "250:0"}),
    "sdb": ("pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb",
            31266816, {"device/model": "Cruzer Blade", "device/vendor": "SanDisk",
                       "removable": "1", "dev": "250:16"}),
    "sdc": ("pci0000:00/0000:00:01.0/0000:01:00.0/host1/port-1:0/end_device-1:0/target1:0:0/"
            "1:0:0:0/block/sdc", 3907029168, {"queue/rotational": "1", "dev": "250:32"}),
    "nvme0n1": ("pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1", 1000215216,
                {"device/serial": "S4EWNX0N123456", "device/model": "Samsung SSD 970",
                 "dev": "259:0"}),
    "nvme0c0n1": ("pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0c0n1", 1000215216,
                  {"hidden": "1"}),
    "vda": ("pci0000:00/0000:00:02.0/virtio1/block/vda", 41943040,
            {"serial": "vdisk1", "ro": "1", "dev": "252:0"}),
    "loop0": ("virtual/block/loop0", 2048, {}),
    "sr0": ("pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block/sr0", 1000, {}),
    "zram0": ("virtual/block/zram0", 8192, {}),
    "nbd0": ("virtual/block/nbd0", 0, {}),
    "md0": ("virtual/block/md0", 500000000, {"md/level": "raid1"}),
    "dm-0": ("virtual/block/dm-0", 100000, {"dm/uuid": "LVM-abcdef", "dm/name": "vg0-root"}),
    "dm-1": ("virtual/block/dm-1", 3907029168, {"dm/uuid": "mpath-3600508b4000156d7",
                                                "dm/name": "mpatha"}),
    "sdd": ("pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0/block/sdd", 0, {}),
}  # fmt: skip


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


@pytest.fixture
def fake_sys(tmp_path: Path) -> Path:
    root = tmp_path / "sys"
    (root / "block").mkdir(parents=True)
    for name, (devpath, size, attrs) in DEVICES.items():
        sysdir = root / "devices" / devpath
        write(sysdir / "size", f"{size}\n")
        (sysdir / "holders").mkdir()
        for rel, text in attrs.items():
            write(sysdir / rel, text)
        os.symlink(os.path.relpath(sysdir, root / "block"), root / "block" / name)
    sda = root / "block" / "sda"
    for number, holder in ((1, "md0"), (2, "dm-0")):
        part = sda / f"sda{number}"
        write(part / "partition", f"{number}\n")
        write(part / "size", "2048\n")
        write(part / "dev", f"250:{number}\n")
        (part / "holders").mkdir()
        (part / "holders" / holder).mkdir()
    (root / "block" / "sdc" / "holders" / "dm-1").mkdir()  # multipath path
    return root


def ctx(fake_sys: Path, tmp_path: Path) -> ProbeContext:
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text("40 1 252:0 / /srv/data rw - xfs /dev/vda rw\n")
    return ProbeContext(
        sysfs_root=str(fake_sys),
        mountinfo=str(mountinfo),
        swaps=str(tmp_path / "noswaps"),
        by_id_dir=str(tmp_path / "by-id"),
    )


def test_whole_disk_filter(fake_sys):
    # no loop/sr/zram/nbd/md, no plain dm, no hidden NVMe path, no empty reader; multipath kept
    assert list_disk_names(str(fake_sys)) == ["dm-1", "nvme0n1", "sda", "sdb", "sdc", "vda"]


def test_attributes_transport_and_holders(fake_sys, tmp_path):
    disks = {d.path: d for d in probe_disks(ctx(fake_sys, tmp_path))}
    sda = disks["/dev/sda"]
    assert (sda.model, sda.serial, sda.transport) == ("Samsung SSD 860", "S3Z9NB0K1234", "sata")
    assert sda.size == 500118192 * 512 and sda.rotational is False
    assert [p.path for p in sda.partitions] == ["/dev/sda1", "/dev/sda2"]
    assert sda.holders == ("md0 (RAID raid1)", "dm-0 (LVM vg0-root)")
    assert sda.in_use == ["held by md0 (RAID raid1)", "held by dm-0 (LVM vg0-root)"]

    sdb = disks["/dev/sdb"]
    assert (sdb.transport, sdb.removable, sdb.model) == ("usb", True, "SanDisk Cruzer Blade")
    assert disks["/dev/sdc"].transport == "sas" and disks["/dev/sdc"].rotational is True
    assert disks["/dev/sdc"].holders == ("dm-1 (multipath mpatha)",)
    nvme = disks["/dev/nvme0n1"]
    assert (nvme.transport, nvme.serial) == ("nvme", "S4EWNX0N123456")

    vda = disks["/dev/vda"]
    assert (vda.transport, vda.serial, vda.read_only) == ("virtio", "vdisk1", True)
    assert vda.mountpoint == "/srv/data"  # matched by device number, not by name
    assert vda.fstype == "xfs"  # from the mount table when blkid cannot tell
    assert vda.in_use == ["/dev/vda is mounted on /srv/data"]
    assert vda.reason_not_offered() == "read-only"
    assert disks["/dev/dm-1"].in_use == []


def test_by_id_prefers_readable_names(fake_sys, tmp_path):
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    target = tmp_path / "dev-sda"
    target.touch()
    for name in ("wwn-0x5002538e40a1b2c3", "ata-Samsung_SSD_860_S3Z9NB0K1234"):
        os.symlink(target, by_id / name)
    c = ctx(fake_sys, tmp_path)
    assert c.by_id(str(target)) == str(by_id / "ata-Samsung_SSD_860_S3Z9NB0K1234")


def test_real_machine_with_sysfs_root(fake_sys):
    machine = RealMachine(sysfs_root=str(fake_sys))
    assert [d.path for d in machine.disks()][:2] == ["/dev/dm-1", "/dev/nvme0n1"]
    assert machine.disk("/dev/sda").holders[0] == "md0 (RAID raid1)"
    assert machine.disk("/dev/md0") is None and machine.disk("/dev/nope") is None
    assert machine.dmi() == {"system_serial": "", "system_uuid": ""}
    write(fake_sys / "class/dmi/id/product_serial", "SRV-42\n")
    write(fake_sys / "class/dmi/id/product_uuid", "4c4c4544-0042\n")
    assert machine.dmi() == {"system_serial": "SRV-42", "system_uuid": "4c4c4544-0042"}


def test_a_holder_that_also_uses_another_disk_names_it(fake_sys, tmp_path):
    """md0 mirrors sda1 with sdb1: the disk list says so, and the Summary repeats it."""
    for member in ("sda1", "sdb1"):
        (fake_sys / "block" / "md0" / "slaves" / member).mkdir(parents=True)
    disks = {d.path: d for d in probe_disks(ctx(fake_sys, tmp_path))}
    assert disks["/dev/sda"].holders[0] == "md0 (RAID raid1, also on /dev/sdb1)"


def test_the_disk_list_shows_a_disk_in_use_under_another_name(fake_sys, tmp_path):
    """A loop device over sda1, mounted, and one over sda2 holding an md RAID: sda is listed
    as in use, each other name said (loop devices name their backing device by its node)."""
    from tests.realparts import need_root

    need_root()  # mknod: the backing "device nodes" carry sda1's and sda2's numbers
    nodes = []
    for number in (1, 2):
        node = tmp_path / f"node-sda{number}"
        os.mknod(node, 0o600 | stat.S_IFBLK, os.makedev(250, number))
        nodes.append(str(node))
    for loop, node, devnum in (("loop7", nodes[0], "7:7"), ("loop8", nodes[1], "7:8")):
        sysdir = fake_sys / "devices" / "virtual" / "block" / loop
        for rel, text in (("size", "2048"), ("dev", devnum), ("loop/backing_file", node),
                          ("loop/offset", "0")):  # fmt: skip
            write(sysdir / rel, text + "\n")
        (sysdir / "holders").mkdir()
        os.symlink(os.path.relpath(sysdir, fake_sys / "block"), fake_sys / "block" / loop)
    (fake_sys / "block" / "loop8" / "holders" / "md1").mkdir()
    write(fake_sys / "devices" / "virtual" / "block" / "md1" / "md" / "level", "raid1\n")
    (fake_sys / "devices" / "virtual" / "block" / "md1" / "slaves" / "loop8").mkdir(parents=True)
    os.symlink("../devices/virtual/block/md1", fake_sys / "block" / "md1")
    c = ctx(fake_sys, tmp_path)
    Path(c.mountinfo).write_text("41 1 7:7 / /mnt/old rw - ext4 /dev/loop7 rw\n")
    sda = {d.path: d for d in probe_disks(c)}["/dev/sda"]
    assert sda.mounted == [
        f"/dev/loop7 (part of /dev/sda: a loop device over {nodes[0]}) is mounted on /mnt/old",
        f"/dev/loop8 (part of /dev/sda: a loop device over {nodes[1]}) is held by md1 (RAID raid1)",
    ]
    assert {d.path: d for d in probe_disks(c)}["/dev/sdc"].mounted == []  # not the same storage
