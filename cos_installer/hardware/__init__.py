"""Hardware probes behind one `Machine` interface: real hardware or a machine profile.

machine = open_machine()            # this computer (sysfs, pyudev, netifaces, DHCP client)
machine = open_machine("demo")      # a bundled profile (cos_installer/profiles/demo.yaml)
machine = open_machine("x.yaml")    # a profile file
"""

from __future__ import annotations

from cos_installer.hardware.media import MEDIA_DIR, MEDIA_DIR_ENV, PAYLOAD, PAYLOAD_SHA256
from cos_installer.hardware.profile_schema import ProfileError
from cos_installer.hardware.snapshot import disk_json, nic_json, snapshot_json
from cos_installer.hardware.types import (
    LOCAL,
    MIN_DISK_BYTES,
    DhcpLease,
    DhcpResult,
    Disk,
    InstallMedia,
    Machine,
    MediaNotReady,
    Nic,
    Partition,
    human_size,
)
from cos_installer.hardware.watch import NicChange, NicWatcher

__all__ = [
    "LOCAL",
    "MEDIA_DIR",
    "MEDIA_DIR_ENV",
    "MIN_DISK_BYTES",
    "PAYLOAD",
    "PAYLOAD_SHA256",
    "DhcpLease",
    "DhcpResult",
    "Disk",
    "InstallMedia",
    "Machine",
    "MediaNotReady",
    "Nic",
    "NicChange",
    "NicWatcher",
    "Partition",
    "ProfileError",
    "disk_json",
    "human_size",
    "nic_json",
    "open_machine",
    "snapshot_json",
]


def open_machine(profile: str | None = None, *, all_nics: bool = False) -> Machine:
    """This computer (profile None or "local"), or the machine a profile describes.

    Raises ProfileError (a message naming file, key path and what is expected) for a bad
    profile.
    """
    if profile is None or profile == LOCAL:
        from cos_installer.hardware.real import RealMachine

        return RealMachine(all_nics=all_nics)
    from cos_installer.hardware.profile import ProfileMachine

    return ProfileMachine(profile, all_nics=all_nics)
