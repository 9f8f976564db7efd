#!/usr/bin/env python3
"""`make netboot`: build/netboot/ from the ISO build's outputs, for a network install.

    live/vmlinuz, live/initrd.img, live/filesystem.squashfs   the live system (from the ISO)
    cos/cos-image.raw.zst (+ .sha256, .sha256.sig, .size)     the payload and its facts
    tftp/undionly.kpxe, tftp/snponly.efi, tftp/ipxe.efi       iPXE from Debian's `ipxe`
    boot.ipxe                                                 for a tree served at
                                                              http://<the TFTP server>/

`.size` (the decompressed size, established here from the image's own headers) lets the live
system check "big enough" before the first byte it streams. `cos-installer netboot export
--boot-files build/netboot` makes a rack's tree (answers per machine, dnsmasq, nginx) from it.
Usage: iso/build-netboot.py ISO OUT_DIR
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cos_installer.hardware.media import PAYLOAD  # noqa: E402
from cos_installer.install.imagesize import SIZE_SUFFIX  # noqa: E402
from cos_installer.install.payload import inspect_payload  # noqa: E402
from cos_installer.netboot.configs import LOADERS  # noqa: E402
from cos_installer.netboot.export import IPXE_DIR, TFTP_DIR  # noqa: E402
from cos_installer.netboot.ipxe import INITRD, KERNEL, NEXT_SERVER, SQUASHFS, boot_script  # noqa: E402


def log(message: str) -> None:
    print(f"[build-netboot] {message}", flush=True)


def extract(iso: str, inside: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["xorriso", "-osirrox", "on", "-indev", iso, "-extract", f"/{inside}",
                    str(dest)], check=True, capture_output=True)  # fmt: skip
    dest.chmod(0o644)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    iso, out = argv[0], Path(argv[1])
    if not os.path.isfile(iso):
        print(f"build-netboot: {iso}: no such ISO (run make iso)", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".netboot-", dir=out.parent))
    tmp.chmod(0o755)  # nginx's workers read the tree
    try:
        for rel in (KERNEL, INITRD, SQUASHFS, PAYLOAD, PAYLOAD + ".sha256"):
            extract(iso, rel, tmp / rel)
        with contextlib.suppress(subprocess.CalledProcessError):  # signed builds carry it
            extract(iso, PAYLOAD + ".sha256.sig", tmp / (PAYLOAD + ".sha256.sig"))
        payload = inspect_payload(str(tmp / PAYLOAD))
        (tmp / (PAYLOAD + SIZE_SUFFIX)).write_text(f"{payload.content_size}\n")
        (tmp / TFTP_DIR).mkdir()
        for name in LOADERS:
            shutil.copyfile(os.path.join(IPXE_DIR, name), tmp / TFTP_DIR / name)
        (tmp / "boot.ipxe").write_text(boot_script(NEXT_SERVER))
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    log(f"{out}: {total >> 20} MiB; payload {payload.content_size} bytes decompressed "
        f"({payload.size_source})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
