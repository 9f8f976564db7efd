"""`make netboot` (iso/build-netboot.py) on a real tiny ISO from make-medium.sh: the live
files, the payload with its checksum and decompressed size, the iPXE loaders and boot.ipxe;
`netboot export` takes the result as its boot files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from cos_installer.hardware.media import PAYLOAD
from tests.netboot.rack import export, fleet_file
from tests.realparts import need_tools

ISO = Path(__file__).resolve().parents[2] / "iso"


def tiny_iso(tmp: Path) -> tuple[Path, bytes]:
    image = bytes(range(256)) * 4096 + b"tail"  # 1 MiB + 4 bytes decompressed
    files = []
    for name, data in (("vmlinuz", b"kernel"), ("initrd.img", b"initrd"), ("fs.sq", b"sq")):
        (tmp / name).write_bytes(data)
        files.append(str(tmp / name))
    raw = tmp / "img.raw"
    raw.write_bytes(image)
    subprocess.run(["zstd", "-q", "-f", str(raw), "-o", str(tmp / "img.raw.zst")], check=True)
    payload = tmp / "img.raw.zst"
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    (tmp / "img.raw.zst.sha256").write_text(f"{digest}  img.raw.zst\n")
    iso = tmp / "x.iso"
    subprocess.run([str(ISO / "make-medium.sh"), *files, str(payload), str(iso)], check=True,
                   capture_output=True)  # fmt: skip
    return iso, image


def test_make_netboot_lays_out_the_boot_files_from_the_iso(tmp_path):
    need_tools("grub-mkrescue", "xorriso", "mformat", "zstd")
    iso, image = tiny_iso(tmp_path)
    out = tmp_path / "netboot"
    proc = subprocess.run([sys.executable, str(ISO / "build-netboot.py"), str(iso), str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_mode & 0o777 == 0o755
    assert (out / "live/vmlinuz").read_bytes() == b"kernel"
    assert (out / "live/initrd.img").read_bytes() == b"initrd"
    assert (out / "live/filesystem.squashfs").read_bytes() == b"sq"
    digest = hashlib.sha256((out / PAYLOAD).read_bytes()).hexdigest()
    assert (out / f"{PAYLOAD}.sha256").read_text().split()[0] == digest
    assert (out / f"{PAYLOAD}.size").read_text() == f"{len(image)}\n"
    for name in ("undionly.kpxe", "snponly.efi", "ipxe.efi"):
        assert (out / "tftp" / name).read_bytes() == Path("/usr/lib/ipxe", name).read_bytes()
    script = (out / "boot.ipxe").read_text()
    assert "set base http://${next-server}/" in script and "cos.payload=${base}cos/" in script
    tree = tmp_path / "tree"
    fleet = fleet_file(tmp_path)
    proc = export("--fleet", str(fleet), "--server", "http://10.0.0.1/cos/", "--out", str(tree),
                  "--boot-files", str(out), "--proxy-dhcp", "10.0.0.0/24")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tree / f"{PAYLOAD}.size").read_text() == f"{len(image)}\n"
