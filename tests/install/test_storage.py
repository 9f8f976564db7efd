"""Identity by storage (install.storage) on sysfs tree fixtures: byte ranges that do and
do not overlap, loop devices over a file or a range of it, md and dm stacked on another name
of a disk (this host has neither md nor dm), and the install refusing such a disk."""

from __future__ import annotations

import os
from pathlib import Path

from cos_installer.answers.loader import load_answers
from cos_installer.hardware.storage import Extent, StorageMap, file_extent, overlap
from cos_installer.install import devusage
from cos_installer.install.backends import BlockDeviceBackend
from cos_installer.install.pipeline import run_install
from tests.install.conftest import Events, answers_file, make_old_table, partition_table

MiB = 1 << 20


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def loop(block: Path, name: str, devnum: str, backing: str, size: int, offset: int = 0) -> None:
    write(block / name / "dev", devnum)
    write(block / name / "size", str(size // 512))
    write(block / name / "loop" / "backing_file", backing)
    write(block / name / "loop" / "offset", str(offset))
    (block / name / "holders").mkdir(exist_ok=True)


def partition(block: Path, disk: str, number: int, devnum: str, start: int, size: int) -> str:
    name = f"{disk}p{number}"
    part = block / disk / name
    for leaf, value in (("partition", number), ("start", start // 512), ("size", size // 512)):
        write(part / leaf, str(value))
    write(part / "dev", devnum)
    (part / "holders").mkdir()
    (block / name).symlink_to(part)
    return name


def stack(block: Path, name: str, devnum: str, on: list[str], kind: str) -> None:
    """md0 (raid1) or dm-N (an LVM volume) with `on` as its slaves."""
    write(block / name / "dev", devnum)
    if kind == "md":
        write(block / name / "md" / "level", "raid1")
    else:
        write(block / name / "dm" / "name", f"vg{name[-1]}-data")
        write(block / name / "dm" / "uuid", f"LVM-{name}")
    for below in on:
        (block / name / "slaves" / below).mkdir(parents=True)
        holders = block / below / "holders"
        holders.mkdir(exist_ok=True)
        (holders / name).mkdir()


def image_tree(tmp_path: Path) -> tuple[Path, str]:
    """A 64 MiB image file: loop0 over all of it (partitions at 1 and 17 MiB), loop1 over all of
    it too, loop2 over 16 MiB from byte 1 MiB (partition 1's bytes), loop3 over the last
    16 MiB (partition 2 ends at 33 MiB: no overlap with it), loop4 over another file."""
    image = tmp_path / "vm.img"
    image.write_bytes(b"")
    os.truncate(image, 64 * MiB)
    other = tmp_path / "other.img"
    other.write_bytes(b"")
    block = tmp_path / "sys" / "class" / "block"
    loop(block, "loop0", "7:0", str(image), 64 * MiB)
    partition(block, "loop0", 1, "259:0", 1 * MiB, 16 * MiB)
    partition(block, "loop0", 2, "259:1", 17 * MiB, 16 * MiB)
    loop(block, "loop1", "7:1", str(image), 64 * MiB)
    loop(block, "loop2", "7:2", str(image), 16 * MiB, offset=1 * MiB)
    loop(block, "loop3", "7:3", str(image), 16 * MiB, offset=48 * MiB)
    loop(block, "loop4", "7:4", str(other), 8 * MiB)
    return block, str(image)


def test_byte_ranges_overlap_only_when_they_share_a_byte():
    f = ("file", 1, 2)
    assert Extent(f, 0, 10).overlaps(Extent(f, 9, 20))
    assert Extent(f, 5, 6).overlaps(Extent(f, 0, 100))  # inside
    assert not Extent(f, 0, 10).overlaps(Extent(f, 10, 20))  # adjacent: end is exclusive
    assert not Extent(f, 10, 20).overlaps(Extent(f, 0, 10))
    assert not Extent(f, 0, 10).overlaps(Extent(("file", 1, 3), 0, 10))  # another inode
    assert not Extent(("dev", "sda"), 0, 10).overlaps(Extent(("dev", "sdb"), 0, 10))
    assert overlap((Extent(f, 0, 1), Extent(f, 50, 60)), (Extent(f, 55, 56),))
    assert not overlap((Extent(f, 0, 1),), ())


def test_loop_devices_over_a_file_and_over_ranges_of_it(tmp_path):
    block, image = image_tree(tmp_path)
    smap = StorageMap(str(block))
    st = os.stat(image)
    assert smap.device("loop0").extents == (Extent(("file", st.st_dev, st.st_ino), 0, 64 * MiB),)
    assert smap.device("loop0p2").extents == (
        Extent(("file", st.st_dev, st.st_ino), 17 * MiB, 33 * MiB),
    )
    assert smap.device("loop2").extents == (
        Extent(("file", st.st_dev, st.st_ino), 1 * MiB, 17 * MiB),
    )
    dev = lambda name: smap.device(name).extents  # noqa: E731
    assert overlap(dev("loop2"), dev("loop0p1")) and not overlap(dev("loop2"), dev("loop0p2"))
    assert not overlap(dev("loop3"), dev("loop0p1")) and not overlap(dev("loop3"), dev("loop0p2"))
    assert not overlap(dev("loop4"), dev("loop0"))
    found = {a.name: a.label for a in smap.aliases("loop0")}
    assert found == {
        "loop1": f"/dev/loop1 (another name for /dev/loop0: the same file {image})",
        "loop2": f"/dev/loop2 (part of /dev/loop0: a loop device over {image} from byte {MiB})",
        "loop3": f"/dev/loop3 (part of /dev/loop0: a loop device over {image} from byte "
        f"{48 * MiB})",
    }
    assert overlap((file_extent(image),), dev("loop3"))
    assert file_extent(str(tmp_path)) is None  # a directory is no storage


def test_md_and_dm_on_another_name_are_holders_and_their_mounts_count(tmp_path):
    """md0 on loop1 (the same file as loop0), an LVM volume dm-0 on loop2 (partition 1's
    bytes), mounted: each is named as what it is, on which other name."""
    block, image = image_tree(tmp_path)
    stack(block, "md0", "9:0", ["loop1", "loop4"], "md")
    stack(block, "dm-0", "253:0", ["loop2"], "dm")
    stack(block, "dm-1", "253:1", ["loop3"], "dm")
    proc = tmp_path / "proc"
    write(proc / "self" / "mountinfo", "36 25 253:0 / /srv rw - ext4 /dev/dm-0 rw")
    write(proc / "swaps", "Filename Type Size Used Priority")
    sysfs = str(tmp_path / "sys")
    use = devusage.alias_use("loop0", {"loop0", "loop0p1", "loop0p2"}, sysfs, str(proc))
    assert use.held == (
        f"/dev/loop1 (another name for /dev/loop0: the same file {image}) is held by RAID "
        "/dev/md0 (raid1)",
        f"/dev/loop2 (part of /dev/loop0: a loop device over {image} from byte {MiB}) is held "
        "by LVM /dev/mapper/vg0-data",
        f"/dev/loop3 (part of /dev/loop0: a loop device over {image} from byte {48 * MiB}) is "
        "held by LVM /dev/mapper/vg1-data",
    )
    assert use.busy == (
        "/dev/mapper/vg0-data (sharing storage with /dev/loop0: device-mapper "
        "/dev/mapper/vg0-data on /dev/loop2) is mounted on /srv",
    )
    smap = StorageMap(str(block))  # dm-1 is on loop3, beyond partition 1
    assert not overlap(smap.device("dm-1").extents, smap.device("loop0p1").extents)


def mirrored_tree(root: Path, disk: str, devnum: str, backing: str) -> str:
    """The real loop disk as sysfs shows it, and a second (fixture) loop device over the same
    file with an md RAID on it: what a live system with md shows."""
    block = root / "class" / "block"
    loop(block, disk, devnum, backing, 128 * MiB)
    loop(block, "loop250", "7:250", backing, 128 * MiB)
    stack(block, "md0", "9:0", ["loop250"], "md")
    (root / "dev" / "block").mkdir(parents=True)
    (root / "dev" / "block" / devnum).symlink_to(block / disk)
    return str(root)


def test_preflight_refuses_a_disk_whose_other_name_holds_a_raid(payload, loops, tmp_path):
    """--clear-holders would stop only what sits on the disk itself: a RAID on another name
    of its storage is refused, named, and nothing is written."""
    disk = loops.device(128)
    make_old_table(disk, 1)
    before = partition_table(disk)
    name = os.path.basename(disk)
    devnum = Path(f"/sys/class/block/{name}/dev").read_text().strip()
    sysfs = mirrored_tree(tmp_path / "sys", name, devnum, loops.files[-1])
    for clear in (False, True):
        result = run_install(
            load_answers(answers_file(tmp_path, disk=disk)),
            backend=BlockDeviceBackend(disk, sysfs=sysfs), payload=payload, listener=Events(),
            clear_holders=clear,
        )  # fmt: skip
        assert not result.ok and result.stage == "preflight", result.message
        assert f"{disk} is in use under another name: /dev/loop250 (another name for {disk}" in (
            result.message
        )
        assert "is held by RAID /dev/md0 (raid1)" in result.message
        assert "no disk was changed" in result.message
    assert partition_table(disk) == before
