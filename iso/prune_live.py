#!/usr/bin/env python3
"""Shrinks the live root's kernel modules and firmware to what an installer can use.

Modules: everything under the DROP trees goes (sound, wireless, GPUs other than the console
ones, ...) unless a module outside them depends on it (modules.dep), so no kept driver loses
a symbol it needs. Firmware: a file stays only when a kept module names it (`firmware=` in its
.modinfo, as `modinfo -F firmware` shows), so the NIC and storage firmware the packages ship
stays and their Wi-Fi/Bluetooth parts and files for other kernels go.

Usage: prune_live.py ROOT   (then run depmod in ROOT)
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from pathlib import Path

# Module trees (under lib/modules/KVER/kernel/) no installer needs. Storage, NICs, bonding,
# 8021q, bridge and the console framebuffer drivers are outside these or kept by KEEP.
DROP = (
    "sound", "drivers/gpu", "drivers/media", "drivers/net/wireless", "net/wireless",
    "net/mac80211", "net/bluetooth", "drivers/bluetooth", "drivers/staging",
    "drivers/infiniband", "drivers/iio", "drivers/input/touchscreen", "drivers/input/joystick",
    "drivers/input/tablet", "drivers/isdn", "drivers/net/can", "net/can",
    "drivers/usb/gadget", "drivers/video/fbdev", "drivers/platform/chrome", "drivers/comedi",
    "drivers/hwmon", "drivers/mtd", "drivers/target", "drivers/atm", "net/atm",
    "drivers/soundwire", "drivers/accessibility", "drivers/w1", "drivers/firewire",
    "drivers/pcmcia", "drivers/nfc", "net/nfc", "drivers/ufs", "drivers/nvdimm",
    "drivers/power/supply", "drivers/net/wwan", "drivers/net/hamradio",
    "drivers/net/ieee802154", "drivers/net/arcnet", "drivers/net/fddi", "drivers/net/wan",
    "drivers/net/ppp", "drivers/net/slip", "drivers/net/plip", "drivers/watchdog",
    "drivers/leds", "drivers/edac", "drivers/vfio", "drivers/misc", "drivers/mfd",
    "drivers/spi", "drivers/gnss", "drivers/fpga", "drivers/counter",
    "fs/ocfs2", "fs/gfs2", "fs/afs", "fs/ubifs", "fs/dlm", "fs/nilfs2", "fs/ceph", "fs/f2fs",
    "fs/nfsd", "fs/smb", "fs/cifs", "fs/jffs2", "fs/reiserfs", "fs/jfs", "fs/orangefs",
    "fs/coda", "fs/btrfs", "fs/hfs", "fs/hfsplus", "fs/ntfs3", "fs/9p", "fs/zonefs",
    "fs/omfs", "fs/minix", "fs/sysv", "fs/ufs", "fs/qnx4", "fs/qnx6", "fs/befs", "fs/bfs",
    "fs/efs", "fs/affs", "fs/romfs", "fs/cramfs", "fs/erofs", "fs/gfs2", "fs/bcache",
    "net/netfilter", "net/ipv4/netfilter", "net/ipv6/netfilter", "net/bridge/netfilter",
    "net/sctp", "net/tipc", "net/rxrpc", "net/ceph", "net/batman-adv", "net/rds",
    "net/l2tp", "net/dccp", "net/appletalk", "net/x25", "net/6lowpan", "net/ieee802154",
    "net/mac802154", "net/mpls", "net/openvswitch", "net/9p", "net/ax25", "net/netrom",
    "net/rose", "net/lapb", "net/phonet", "net/qrtr", "net/smc", "net/caif", "net/kcm",
    "net/nsh", "net/netlabel", "net/sunrpc/xprtrdma",
)  # fmt: skip
# Console framebuffer drivers kept from drivers/gpu: QEMU/Bochs, ASPEED and Matrox BMCs,
# virtio-gpu (UEFI machines get efifb, which is built in).
KEEP = ("drivers/gpu/drm/tiny/bochs.ko", "drivers/gpu/drm/ast/", "drivers/gpu/drm/mgag200/",
        "drivers/gpu/drm/virtio/")  # fmt: skip
FIRMWARE_RE = re.compile(rb"(?:^|\x00)firmware=([^\x00]+)")


def dropped(path: str) -> bool:
    """True for a module path (relative to the kernel/ tree) inside a DROP tree, not in KEEP."""
    rel = path.removeprefix("kernel/")
    if any(rel.startswith(keep) for keep in KEEP):
        return False
    return any(rel.startswith(d + "/") for d in DROP)


def read_deps(modules_dep: Path) -> dict[str, list[str]]:
    """modules.dep as {module: [modules it needs]}, paths relative to lib/modules/KVER."""
    deps: dict[str, list[str]] = {}
    for line in modules_dep.read_text().splitlines():
        module, _, needs = line.partition(":")
        if module:
            deps[module.strip()] = needs.split()
    return deps


def keep_closure(deps: dict[str, list[str]]) -> set[str]:
    """The modules outside the DROP trees and everything they need, transitively."""
    keep = {m for m in deps if not dropped(m)}
    todo = list(keep)
    while todo:
        for need in deps.get(todo.pop(), []):
            if need not in keep:
                keep.add(need)
                todo.append(need)
    return keep


def firmware_names(module_files: list[Path]) -> set[str]:
    """The firmware files these modules may ask for (their .modinfo `firmware=` entries)."""
    names: set[str] = set()
    for path in module_files:
        data = path.read_bytes()
        names.update(m.group(1).decode(errors="replace") for m in FIRMWARE_RE.finditer(data))
    return names


def needed_firmware(rel: str, names: set[str], patterns: list[str]) -> bool:
    return rel in names or any(fnmatch.fnmatch(rel, p) for p in patterns)


def prune_firmware(firmware: Path, names: set[str]) -> int:
    """Delete firmware files no name asks for (a named symlink keeps its target); bytes freed."""
    patterns = [n for n in names if any(c in n for c in "*?[")]
    keep: set[Path] = set()
    for rel in names:
        path = firmware / rel
        if path.is_symlink() or path.exists():
            keep.add(path)
            keep.add(path.resolve())
    freed = 0
    for dirpath, _dirs, files in os.walk(firmware):
        for name in files:
            path = Path(dirpath, name)
            rel = str(path.relative_to(firmware))
            if path in keep or path.resolve() in keep or needed_firmware(rel, names, patterns):
                continue
            freed += path.lstat().st_size
            path.unlink()
    for dirpath, _dirs, _files in sorted(os.walk(firmware), reverse=True):
        if dirpath != str(firmware) and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return freed


def prune_modules(moddir: Path) -> tuple[int, list[Path]]:
    """Delete the dropped modules of one kernel; (bytes freed, the modules kept)."""
    deps = read_deps(moddir / "modules.dep")
    keep = keep_closure(deps)
    freed = 0
    for module in deps:
        if module not in keep and (moddir / module).exists():
            freed += (moddir / module).stat().st_size
            (moddir / module).unlink()
    return freed, [moddir / m for m in sorted(keep) if (moddir / m).exists()]


def lib_dir(root: Path) -> Path:
    """ROOT/usr/lib on a merged-/usr root (/lib is a symlink), else ROOT/lib."""
    return root / "usr/lib" if (root / "lib").is_symlink() else root / "lib"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: prune_live.py ROOT", file=sys.stderr)
        return 2
    lib = lib_dir(Path(argv[0]))
    kept: list[Path] = []
    for moddir in sorted((lib / "modules").iterdir()):
        freed, modules = prune_modules(moddir)
        kept += modules
        print(f"prune_live: {moddir.name}: {freed >> 20} MiB of modules removed, "
              f"{len(modules)} kept")  # fmt: skip
    if (lib / "firmware").is_dir():
        freed = prune_firmware(lib / "firmware", firmware_names(kept))
        print(f"prune_live: {freed >> 20} MiB of firmware no kept driver names removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
