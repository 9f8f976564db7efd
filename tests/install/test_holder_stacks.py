"""Stacks found on reused servers, built as sysfs trees the way the kernel lays them out
(holders/ and slaves/ on both ends, partitions as subdirectories): every layer is named with
the devices off the target it also uses, and the stop commands come in an order in which
each can succeed. The same stacks are made for real in the QEMU guest by iso/e2e_faults.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from cos_installer.hardware import holders
from cos_installer.install import devusage

VG0 = "LVM-" + "v" * 32  # a VG uuid; each LV adds its own 32 characters


class Sys:
    """A /sys/class/block tree: disks with partitions, md arrays, dm devices."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.block = root / "class" / "block"
        self.block.mkdir(parents=True)
        self.minor = 0

    def _dev(self, path: Path) -> None:
        self.minor += 1
        path.mkdir(parents=True, exist_ok=True)
        (path / "dev").write_text(f"250:{self.minor}\n")

    def disk(self, name: str, *parts: int) -> None:
        self._dev(self.block / name)
        self.partitions(name, *parts)

    def partitions(self, name: str, *parts: int) -> None:
        sep = "p" if name[-1].isdigit() else ""
        for n in parts:
            part = self.block / name / f"{name}{sep}{n}"
            self._dev(part)
            (part / "partition").write_text(f"{n}\n")
            (self.block / f"{name}{sep}{n}").symlink_to(part)

    def stack(self, name: str, on: list[str]) -> Path:
        self._dev(self.block / name)
        for below in on:
            (self.block / below / "holders").mkdir(exist_ok=True)
            (self.block / below / "holders" / name).mkdir()
            (self.block / name / "slaves").mkdir(exist_ok=True)
            (self.block / name / "slaves" / below).mkdir()
        return self.block / name

    def md(self, name: str, on: list[str], level: str, version: str = "1.2") -> None:
        base = self.stack(name, on)
        (base / "md").mkdir()
        (base / "md" / "level").write_text(level + "\n")
        (base / "md" / "metadata_version").write_text(version + "\n")

    def dm(self, name: str, on: list[str], dm_name: str, uuid: str) -> None:
        base = self.stack(name, on)
        (base / "dm").mkdir()
        (base / "dm" / "name").write_text(dm_name + "\n")
        (base / "dm" / "uuid").write_text(uuid + "\n")

    def lv(self, name: str, on: list[str], dm_name: str, lv: str) -> None:
        self.dm(name, on, dm_name, VG0 + lv * 32)


@pytest.fixture
def sys_tree(tmp_path):
    return Sys(tmp_path / "sys")


def stops(found) -> list[str]:
    return [" ".join(c) for c in holders.holder_clear_commands(found)]


def test_a_raid0_and_a_volume_group_that_span_other_disks_say_so(sys_tree):
    """md0 = raid0 of sda1 + sdb1; VG vg0 on md0 and on sdc1; the target is sda."""
    for disk in ("sda", "sdb", "sdc"):
        sys_tree.disk(disk, 1)
    sys_tree.md("md0", ["sda1", "sdb1"], "raid0")
    sys_tree.lv("dm-0", ["md0", "sdc1"], "vg0-data", "a")
    sys_tree.lv("dm-1", ["sdc1"], "vg0-home", "b")  # only on sdc, deactivated all the same
    found = holders.holders("sda", str(sys_tree.root))
    assert [str(h) for h in found] == [
        "sda1 is held by RAID /dev/md0 (raid0), which also uses /dev/sdb1",
        "md0 is held by LVM /dev/mapper/vg0-data, which also uses /dev/sdb1, /dev/sdc1",
    ]
    assert stops(found) == ["vgchange -an vg0", "mdadm --stop /dev/md0",
                            "mdadm --zero-superblock /dev/sda1"]  # fmt: skip
    paths = holders.stacked_devices(found, str(sys_tree.root))
    assert paths["dm-1"] == "/dev/mapper/vg0-home", "the VG's other volume is checked for mounts"


def test_dm_crypt_inside_one_volume_of_a_group_that_also_sits_on_a_raid(sys_tree):
    """vg0: LV a on md0 (sda1 + sdb1), LV b on sda2 with dm-crypt `secret` inside LV b. The
    crypt mapping must go before the VG, the VG before the RAID."""
    sys_tree.disk("sda", 1, 2)
    sys_tree.disk("sdb", 1)
    sys_tree.md("md0", ["sda1", "sdb1"], "raid1")
    sys_tree.lv("dm-0", ["md0"], "vg0-a", "a")
    sys_tree.lv("dm-1", ["sda2"], "vg0-b", "b")
    sys_tree.dm("dm-2", ["dm-1"], "secret", "CRYPT-LUKS2-" + "c" * 32 + "-secret")
    found = holders.holders("sda", str(sys_tree.root))
    assert "/dev/mapper/vg0-b is held by dm-crypt /dev/mapper/secret" in [str(h) for h in found]
    assert stops(found) == [
        "dmsetup remove --retry secret",
        "vgchange -an vg0",
        "mdadm --stop /dev/md0",
        "mdadm --zero-superblock /dev/sda1",
    ]


def test_intel_firmware_raid_volume_stops_before_its_container(sys_tree):
    """IMSM: container md127 and volume md126 both hold sda and sdb; md126 is partitioned and
    md126p1 carries LVM."""
    sys_tree.disk("sda")
    sys_tree.disk("sdb")
    sys_tree.md("md127", ["sda", "sdb"], "container", "external:imsm")
    sys_tree.md("md126", ["sda", "sdb"], "raid1", "external:/md127/0")
    sys_tree.partitions("md126", 1, 2)
    sys_tree.lv("dm-0", ["md126p1"], "vg0-root", "r")
    found = holders.holders("sda", str(sys_tree.root))
    assert "md126p1 is held by LVM /dev/mapper/vg0-root, which also uses /dev/sdb" in [
        str(h) for h in found
    ]
    assert stops(found) == [
        "vgchange -an vg0",
        "mdadm --stop /dev/md126",
        "mdadm --stop /dev/md127",
        "mdadm --zero-superblock /dev/sda",
    ]


def test_mounts_on_a_partitioned_array_and_on_its_volumes_count(sys_tree, tmp_path):
    sys_tree.disk("sda", 1)
    sys_tree.disk("sdb", 1)
    sys_tree.md("md126", ["sda1", "sdb1"], "raid1")
    sys_tree.partitions("md126", 1, 2)
    sys_tree.lv("dm-0", ["md126p1"], "vg0-root", "r")
    devnums = {p.name: (p / "dev").read_text().strip() for p in sys_tree.block.iterdir()}
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "swaps").write_text("Filename Type Size Used Priority\n")
    (proc / "self" / "mountinfo").write_text(
        f"36 25 {devnums['dm-0']} / /mnt rw - ext4 /dev/mapper/vg0-root rw\n"
        f"37 25 {devnums['md126p2']} / /srv rw - xfs /dev/md126p2 rw\n"
    )
    assert devusage.mounts("sda", str(sys_tree.root), str(proc)) == [
        "/dev/mapper/vg0-root is mounted on /mnt",
        "/dev/md126p2 is mounted on /srv",
    ]


def test_a_device_mapper_device_without_a_name_is_removed_by_path(sys_tree):
    sys_tree.disk("sda", 1)
    sys_tree.dm("dm-5", ["sda1"], "", "")
    found = holders.holders("sda", str(sys_tree.root))
    assert [str(h) for h in found] == ["sda1 is held by device-mapper /dev/dm-5"]
    assert stops(found) == ["dmsetup remove --retry /dev/dm-5"]
