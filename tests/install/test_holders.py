"""RAID/LVM holder detection on a sysfs tree fixture (this host has no md and no dm).

The fixture mirrors a real loop device (same name and dev number), so the preflight of a real
install reads its holders from the fixture while every ioctl still hits the real device."""

from __future__ import annotations

import os
from pathlib import Path

from cos_installer.answers.loader import load_answers
from cos_installer.hardware import holders
from cos_installer.install import devusage
from cos_installer.install.backends import BlockDeviceBackend
from cos_installer.install.pipeline import run_install
from tests.install.conftest import Events, answers_file, make_old_table, partition_table


def write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def sysfs_tree(root: Path, disk: str, devnum: str) -> Path:
    """disk held by md0 (raid1); its partition 1 held by dm-0, an LVM volume vg0-root."""
    block = root / "class" / "block"
    write(block / disk / "dev", devnum)
    (block / disk / "holders").mkdir(parents=True)
    (block / disk / "holders" / "md0").mkdir()
    part = block / disk / f"{disk}p1"
    for leaf, value in (
        ("partition", "1"),
        ("start", "2048"),
        ("size", "32768"),
        ("dev", "259:91"),
    ):
        write(part / leaf, value)
    (part / "holders" / "dm-0").mkdir(parents=True)
    (block / f"{disk}p1").symlink_to(part)
    write(block / "md0" / "md" / "level", "raid1")
    write(block / "dm-0" / "dm" / "name", "vg0-root")
    write(block / "dm-0" / "dm" / "uuid", "LVM-Zx81lqAbcdEfgh")
    (root / "dev" / "block").mkdir(parents=True)
    (root / "dev" / "block" / devnum).symlink_to(block / disk)
    return root


def held_loop_disk(loops, tmp_path: Path) -> tuple[str, str, str, list | None]:
    """A loop disk with an old partition table, seen through a sysfs tree in which md0 and an
    LVM volume hold it: (device, kernel name, sysfs root, its partition table now)."""
    disk = loops.device(128)
    make_old_table(disk, 1)
    before = partition_table(disk)
    name = os.path.basename(disk)
    devnum = Path(f"/sys/class/block/{name}/dev").read_text().strip()
    return disk, name, str(sysfs_tree(tmp_path / "sys", name, devnum)), before


def test_holders_of_the_disk_and_its_partitions_are_named(tmp_path):
    sysfs = str(sysfs_tree(tmp_path, "sdb", "8:16"))
    found = holders.holders("sdb", sysfs)
    assert [str(h) for h in found] == [
        "sdb is held by RAID /dev/md0 (raid1)",
        "sdbp1 is held by LVM /dev/mapper/vg0-root",
    ]
    assert holders.holder_clear_commands(found) == [
        ["mdadm", "--stop", "/dev/md0"],
        ["vgchange", "-an", "vg0"],
        ["mdadm", "--zero-superblock", "/dev/sdb"],
    ]


def stacked_tree(root: Path) -> Path:
    """sdb1 and sdc1 in a RAID1 md0, an LVM volume group my-vg on md0 (a volume my-vg/root)."""
    block = root / "class" / "block"
    for disk, devnum in (("sdb", "8:16"), ("sdc", "8:32")):
        write(block / disk / "dev", devnum)
        part = block / disk / f"{disk}1"
        for leaf, value in (("partition", "1"), ("start", "2048"), ("size", "32768")):
            write(part / leaf, value)
        write(part / "dev", devnum[:-2] + str(int(devnum[-2:]) + 1))
        (part / "holders" / "md0").mkdir(parents=True)
        (block / f"{disk}1").symlink_to(part)
    write(block / "md0" / "md" / "level", "raid1")
    write(block / "md0" / "dev", "9:0")
    (block / "md0" / "holders" / "dm-0").mkdir(parents=True)
    write(block / "dm-0" / "dm" / "name", "my--vg-root")
    write(block / "dm-0" / "dm" / "uuid", "LVM-Zx81lqAbcdEfgh")
    write(block / "dm-0" / "dev", "253:0")
    return root


def test_a_volume_group_on_a_raid_is_found_and_stopped_before_the_raid(tmp_path):
    sysfs = str(stacked_tree(tmp_path))
    found = holders.holders("sdb", sysfs)
    assert [(str(h), h.depth) for h in found] == [
        ("sdb1 is held by RAID /dev/md0 (raid1)", 0),
        ("md0 is held by LVM /dev/mapper/my--vg-root", 1),
    ]
    assert holders.holder_clear_commands(found) == [
        ["vgchange", "-an", "my-vg"],
        ["mdadm", "--stop", "/dev/md0"],
        ["mdadm", "--zero-superblock", "/dev/sdb1"],
    ]


def test_a_mounted_volume_on_a_raid_on_the_disk_counts_as_a_mount(tmp_path):
    sysfs = str(stacked_tree(tmp_path / "sys"))
    proc = tmp_path / "proc"
    write(proc / "self" / "mountinfo", "36 25 253:0 / /srv rw,relatime - ext4 /dev/dm-0 rw")
    write(proc / "swaps", "Filename Type Size Used Priority")
    assert devusage.mounts("sdc", sysfs, str(proc)) == [
        "/dev/mapper/my--vg-root is mounted on /srv"
    ]
    write(proc / "self" / "mountinfo", "36 25 8:33 / /boot rw - ext4 /dev/sdc1 rw")
    assert devusage.mounts("sdc", sysfs, str(proc)) == ["/dev/sdc1 is mounted on /boot"]
    assert devusage.mounts("sdb", sysfs, str(proc)) == []


def test_volume_group_names_with_dashes():
    assert holders.volume_group("vg0-root") == "vg0"
    assert holders.volume_group("my--vg-root") == "my-vg"
    assert holders.volume_group("a--b--c-lv--x") == "a-b-c"


def test_plain_device_mapper_holder(tmp_path):
    sysfs = sysfs_tree(tmp_path, "sdc", "8:32")
    write(sysfs / "class" / "block" / "dm-0" / "dm" / "uuid", "CRYPT-LUKS2-abc")
    found = holders.holders("sdc", str(sysfs))
    assert found[1].kind == "dm-crypt"
    assert ["dmsetup", "remove", "--retry", "vg0-root"] in holders.holder_clear_commands(found)


def test_preflight_refuses_a_held_disk_and_says_how_to_clear_it(payload, loops, tmp_path):
    disk, name, sysfs, before = held_loop_disk(loops, tmp_path)
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)),
        backend=BlockDeviceBackend(disk, sysfs=sysfs), payload=payload, listener=Events(),
    )  # fmt: skip
    assert not result.ok and result.stage == "preflight" and result.device == disk
    assert f"{name} is held by RAID /dev/md0 (raid1)" in result.message
    assert f"{name}p1 is held by LVM /dev/mapper/vg0-root" in result.message
    assert f"mdadm --stop /dev/md0; vgchange -an vg0; mdadm --zero-superblock {disk}" in (
        result.message
    )
    assert "--clear-holders" in result.message and "no disk was changed" in result.message
    assert partition_table(disk) == before


def test_clear_holders_says_what_it_stops_and_stops_at_the_first_failure(payload, loops, tmp_path):
    """On this host the stop commands fail (no md, no such array): the install must announce
    the commands, stop in preflight naming the failed one, and leave the disk as it was."""
    disk, name, sysfs, before = held_loop_disk(loops, tmp_path)
    events = Events()
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)),
        backend=BlockDeviceBackend(disk, sysfs=sysfs), payload=payload, listener=events,
        clear_holders=True,
    )  # fmt: skip
    said = [e.message for e in events.kinds("message") if e.message.startswith("clearing")]
    assert said == [
        f"clearing {disk}: mdadm --stop /dev/md0; vgchange -an vg0; "
        f"mdadm --zero-superblock /dev/{name}"
    ]
    assert not result.ok and result.stage == "preflight" and "mdadm" in result.message
    assert "stop the rest by hand (cat /proc/mdstat and dmsetup ls" in result.message
    assert "no disk was changed" in result.message  # the first command failed: nothing ran
    assert not [e for e in events if e.stage == "wipe"]
    assert partition_table(disk) == before


def test_dry_run_on_a_profile_with_a_held_disk(tmp_path):
    """A machine profile's holders refuse the install unless --clear-holders; a mounted
    partition refuses it even then (nobody stops what is mounted)."""
    import subprocess
    import sys

    profile = tmp_path / "held.yaml"
    answers = answers_file(tmp_path, disk="/dev/sda")

    def install(mountpoint: str, *extra: str) -> subprocess.CompletedProcess:
        profile.write_text(
            "nics:\n  - {name: eth0, mac: '52:54:00:ee:00:01', linked: true}\n"
            "disks:\n  - {path: /dev/sda, size: 64GiB, serial: H-1, holders: [md0 (RAID raid1)],\n"
            f"     partitions: [{{path: /dev/sda1, size: 1GiB, mountpoint: {mountpoint}}}]}}\n"
        )
        argv = ["install", "--answers", answers, "--machine", str(profile), "--dry-run", *extra]
        return subprocess.run([sys.executable, "-m", "cos_installer.cli", *argv],
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    refused = install("null")
    assert refused.returncode == 1 and "held by md0 (RAID raid1)" in refused.stderr
    cleared = install("null", "--clear-holders")
    assert cleared.returncode == 0
    assert "stop what holds /dev/sda: md0 (RAID raid1)" in cleared.stdout + cleared.stderr
    mounted = install("/srv", "--clear-holders")
    assert mounted.returncode == 1 and "/dev/sda1 is mounted on /srv" in mounted.stderr
    assert "held by md0" not in mounted.stderr


def test_a_clearing_that_fails_halfway_says_what_already_ran(payload, loops, tmp_path):
    """The first stop ran, the second failed (on the ISO: an array someone holds open, see
    e2e (f)): the message must not say "no disk was changed"."""
    from cos_installer.install.backends.base import BackendError

    class SecondStopFails(BlockDeviceBackend):
        def clear_holders(self, holders) -> None:
            self.cleared.append("vgchange -an vg0")
            raise BackendError("mdadm --stop /dev/md0 failed (exit 1): Cannot get exclusive "
                               "access to /dev/md0", "stop the rest by hand")  # fmt: skip

    disk, _, sysfs, before = held_loop_disk(loops, tmp_path)
    result = run_install(
        load_answers(answers_file(tmp_path, disk=disk)),
        backend=SecondStopFails(disk, sysfs=sysfs), payload=payload, listener=Events(),
        clear_holders=True,
    )  # fmt: skip
    assert not result.ok and result.stage == "preflight"
    assert "no partition table was touched, but these already ran: vgchange -an vg0" in (
        result.message
    )
    assert "no disk was changed" not in result.message and partition_table(disk) == before
