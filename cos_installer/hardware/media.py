"""Install media: the device labelled CDROM (the guide's rule) and the OS image on it."""

from __future__ import annotations

import os
from pathlib import Path

from cos_installer.hardware.disks import MEDIA_LABEL
from cos_installer.hardware.sysfs import blkid_info, devno_of_sysfs, mounts_by_devno, read_int
from cos_installer.hardware.types import InstallMedia, MediaNotReady
from cos_installer.i18n import N_, _

MEDIA_DIR = "/run/live/medium"  # where live-boot mounts the boot medium
MEDIA_DIR_ENV = "COS_MEDIA_DIR"  # tests and dry runs point this at a directory of theirs
PAYLOAD_URL_ENV = "COS_PAYLOAD_URL"  # netbooted: cos.payload=URL (set by autostart)
PAYLOAD = "cos/cos-image.raw.zst"  # the OS image, relative to the medium's root
PAYLOAD_SHA256 = PAYLOAD + ".sha256"

CHECKS = N_(
    "check that the install USB stick carries the volume label CDROM "
    "(for example `fatlabel /dev/sdX1 CDROM`), that it is plugged in, "
    "or burn the ISO to a CD and boot from the optical drive"
)


def media_dir() -> str:
    return os.environ.get(MEDIA_DIR_ENV) or MEDIA_DIR


def not_ready(cause: str) -> MediaNotReady:
    # the guide's words stay English (FAQ 5.2 quotes them); what follows is translated
    return MediaNotReady(f"CDROM Device Not Ready: {cause}; {_(CHECKS)}")


def _candidates(sysfs_root: str) -> list[tuple[str, Path]]:
    """Every block device and partition that could hold a filesystem labelled CDROM."""
    result = []
    block = Path(sysfs_root) / "block"
    try:
        names = sorted(os.listdir(block))
    except OSError:
        return result
    for name in names:
        if name.startswith(("ram", "zram", "fd")) or not (read_int(block / name / "size") or 0):
            continue  # also skips floppies and optical drives with no disc (opening them stalls)
        result.append((f"/dev/{name}", block / name))
        try:
            subs = sorted(os.listdir(block / name))
        except OSError:
            continue
        parts = [s for s in subs if (block / name / s / "partition").exists()]
        result += [(f"/dev/{s}", block / name / s) for s in parts]
    return result


def find_labelled(label: str = MEDIA_LABEL, sysfs_root: str = "/sys") -> list[tuple[str, Path]]:
    """Devices whose filesystem label is `label`, with their sysfs directories."""
    candidates = _candidates(sysfs_root)
    info = blkid_info([path for path, _ in candidates])
    return [(p, d) for p, d in candidates if info.get(p, {}).get("LABEL") == label]


def _payload_in(directory: str) -> str | None:
    path = os.path.join(directory, PAYLOAD)
    return path if os.path.isfile(path) else None


def find_install_media(
    sysfs_root: str = "/sys", mountinfo: str = "/proc/self/mountinfo"
) -> InstallMedia:
    """The medium the wizard installs from, or the guide's `CDROM Device Not Ready`.

    With COS_MEDIA_DIR set, that directory stands for the mounted medium (tests, dry runs):
    the device is whatever is mounted there (the directory itself when it is no mount).
    Otherwise the device is the one labelled CDROM; when it is mounted, the payload must be
    on it; when it is not mounted, payload is None (the pipeline mounts it).
    A netbooted live system (COS_PAYLOAD_URL, from cos.payload=) has no medium: the image
    is that URL, streamed by the install.
    """
    url = os.environ.get(PAYLOAD_URL_ENV)
    if url:
        return InstallMedia(device=url, payload=url)
    override = os.environ.get(MEDIA_DIR_ENV)
    if override:
        payload = _payload_in(override)
        if payload is None:
            raise not_ready(
                _("no {payload} in {where} ({env})").format(
                    payload=PAYLOAD, where=override, env=MEDIA_DIR_ENV
                )
            )
        return InstallMedia(device=_mount_source(override, mountinfo) or override, payload=payload)
    labelled = find_labelled(MEDIA_LABEL, sysfs_root)
    if not labelled:
        raise not_ready(_("no device with the label CDROM was found"))
    mounts = mounts_by_devno(mountinfo)
    for device, sysdir in labelled:
        where = mounts.get(devno_of_sysfs(sysdir) or (-1, -1))
        if where:
            payload = _payload_in(where)
            if payload is None:
                raise not_ready(
                    _("{device} (label CDROM, mounted on {where}) has no {payload}").format(
                        device=device, where=where, payload=PAYLOAD
                    )
                )
            return InstallMedia(device=device, payload=payload)
    return InstallMedia(device=labelled[0][0], payload=None)


def _mount_source(directory: str, mountinfo: str) -> str | None:
    """The device mounted exactly on `directory`, if it is a mount point."""
    real = os.path.realpath(directory)
    try:
        with open(mountinfo, encoding="utf-8") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 4 and fields[4].replace("\\040", " ") == real and " - " in line:
                    source = line.split(" - ", 1)[1].split()
                    if len(source) > 1 and source[1].startswith("/dev/"):
                        return source[1]
    except OSError:
        return None
    return None
