"""A small test OS image: GPT with a BIOS boot partition, an ESP and an ext4 ROOT, compressed,
with its `.sha256` beside it. Built without root (sfdisk on a file, mkfs at an offset).

The `.sha256` is the checksum of the payload file *as stored* (compressed), in `sha256sum`
format; the installer verifies it while streaming. Used by the tests and by `make demo`:
    python -m tests.payloadkit OUT_DIR [--size-mib 64] [--compression zstd]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

from cos_installer.install import blockdev

BIOS_BOOT = "21686148-6453-6F6E-7420-4E6565644546"
ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
LINUX = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
COMPRESSORS = {
    "zstd": (".zst", ["zstd", "-q", "-3", "-T0", "-c"]),
    "xz": (".xz", ["xz", "-3", "-T0", "-c"]),
    "gzip": (".gz", ["gzip", "-3", "-c"]),
    "bzip2": (".bz2", ["bzip2", "-c"]),
    "raw": ("", []),
}
OS_RELEASE = 'NAME="COS test image"\nID=cos\nVERSION_ID=test\n'


def write_sha256(path: str) -> str:
    """Write `<path>.sha256` (sha256sum format) and return the hex digest."""
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    digest = sha.hexdigest()
    with open(path + ".sha256", "w") as f:
        f.write(f"{digest}  {os.path.basename(path)}\n")
    return digest


def build_raw(path: str, size_mib: int = 64, esp_mib: int = 8) -> list[blockdev.TablePart]:
    """The uncompressed disk image; returns its partition table."""
    if size_mib < 16:
        raise ValueError("the test image needs at least 16 MiB")
    with open(path, "wb") as f:
        f.truncate(size_mib << 20)
    script = (
        "label: gpt\n"
        f"start=2048, size=2048, type={BIOS_BOOT}, name=BIOS\n"
        f"size={esp_mib * 2048}, type={ESP}, name=ESP\n"
        f"type={LINUX}, name=ROOT\n"
    )
    blockdev.run(["sfdisk", "--quiet", path], input=script)
    table = blockdev.read_table(path) or []
    esp, root = table[1], table[2]
    with tempfile.TemporaryDirectory() as tree:
        for sub in ("etc", "boot", "var/lib", "var/log"):
            os.makedirs(os.path.join(tree, sub))
        with open(os.path.join(tree, "etc/os-release"), "w") as f:
            f.write(OS_RELEASE)
        blockdev.run(
            ["mkfs.ext4", "-q", "-F", "-L", "ROOT", "-b", "4096", "-d", tree]
            + ["-E", f"offset={root.start * 512},root_owner=0:0", path, str(root.size // 8)]
        )
    blockdev.run(
        ["mkfs.vfat", "-n", "ESP", "--offset", str(esp.start), path, str(esp.size // 2)],
        check=False,  # an unformatted ESP is fine for the tests; the demo image formats it
    )
    return table


def build_test_payload(out_dir: str, *, size_mib: int = 64, compression: str = "zstd") -> str:
    """Build the image in out_dir, compress it, write its .sha256; returns the payload path."""
    if compression not in COMPRESSORS:
        raise ValueError(f"compression must be one of {', '.join(COMPRESSORS)}")
    ext, argv = COMPRESSORS[compression]
    os.makedirs(out_dir, exist_ok=True)
    raw = os.path.join(out_dir, "cos-image.raw")
    build_raw(raw, size_mib)
    payload = raw + ext
    if argv:
        with open(payload, "wb") as dst:  # a file argument lets zstd record the content size
            subprocess.run([*argv, raw], stdout=dst, check=True)
        os.unlink(raw)
    write_sha256(payload)
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.payloadkit", description=__doc__)
    parser.add_argument("out_dir")
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--compression", choices=sorted(COMPRESSORS), default="zstd")
    args = parser.parse_args(argv)
    print(build_test_payload(args.out_dir, size_mib=args.size_mib, compression=args.compression))
    return 0


if __name__ == "__main__":
    sys.exit(main())
