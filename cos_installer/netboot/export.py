"""`netboot export`: the static tree a site's nginx serves and its dnsmasq boots from.

    OUT/boot.ipxe                      the iPXE script (cos_installer.netboot.ipxe)
    OUT/live/{vmlinuz,initrd.img,filesystem.squashfs}
    OUT/cos/cos-image.raw.zst(.sha256, .sha256.sig, .size)
    OUT/answers/KEY/NAME.yaml          one per identity (cos_installer.netboot.contract)
    OUT/tftp/{undionly.kpxe,snponly.efi,ipxe.efi}
    OUT/dnsmasq.conf, OUT/nginx.conf   (cos_installer.netboot.configs)

Everything is checked first and the tree is written under a temporary name beside OUT, then
renamed: a refused export leaves nothing, a failed one no half tree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

from cos_installer.hardware.media import PAYLOAD
from cos_installer.netboot.configs import LOADERS
from cos_installer.netboot.ipxe import INITRD, KERNEL, SQUASHFS

IPXE_DIR = "/usr/lib/ipxe"  # Debian's `ipxe`
TFTP_DIR = "tftp"


@dataclass(frozen=True)
class Tree:
    """What goes into OUT: file contents by relative path, and files to copy."""

    texts: dict[str, str]
    copies: dict[str, str]  # relative path -> source file


def boot_file_copies(boot_files: str, ipxe_dir: str = IPXE_DIR) -> dict[str, str]:
    """The live system, the payload (+ .sha256, .sha256.sig, .size) and the iPXE loaders to
    copy; ValueError naming the first one missing."""
    wanted = {p: os.path.join(boot_files, p) for p in (KERNEL, INITRD, SQUASHFS, PAYLOAD)}
    wanted[PAYLOAD + ".sha256"] = os.path.join(boot_files, PAYLOAD + ".sha256")
    for optional in (".size", ".sha256.sig"):  # the size when gzip/bzip2; the signature
        path = os.path.join(boot_files, PAYLOAD + optional)
        if os.path.isfile(path):
            wanted[PAYLOAD + optional] = path
    for name in LOADERS:
        own = os.path.join(boot_files, TFTP_DIR, name)
        wanted[f"{TFTP_DIR}/{name}"] = own if os.path.isfile(own) else os.path.join(ipxe_dir, name)
    for src in wanted.values():
        if not os.path.isfile(src):
            raise ValueError(
                f"--boot-files {boot_files}: no {src} (run `make netboot`, which writes "
                "build/netboot/, or install Debian's ipxe package for the iPXE loaders)"
            )
    return wanted


def check_out(out: str) -> None:
    """OUT must be new or an empty directory (an export never mixes with an older tree)."""
    if os.path.lexists(out) and not (os.path.isdir(out) and not os.listdir(out)):
        raise ValueError(f"--out {out}: exists and is not an empty directory; choose a new one")
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        raise ValueError(f"--out {out}: {parent} is not a directory")


def write_tree(tree: Tree, out: str) -> None:
    """Write under a temporary name beside OUT, then rename it into place."""
    out = os.path.abspath(out)
    tmp = tempfile.mkdtemp(prefix=".netboot-", dir=os.path.dirname(out))
    try:
        os.chmod(tmp, 0o755)
        for rel, src in tree.copies.items():
            dest = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(dest), mode=0o755, exist_ok=True)
            try:
                os.link(src, dest)  # the squashfs and the image are big: no copy when it can
            except OSError:
                shutil.copyfile(src, dest)
                os.chmod(dest, 0o644)
        for rel, text in tree.texts.items():
            dest = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(dest), mode=0o755, exist_ok=True)
            with open(dest, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(dest, 0o644)  # nginx's workers read it (see nginx.conf's note)
        if os.path.isdir(out):
            os.rmdir(out)  # checked empty
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
