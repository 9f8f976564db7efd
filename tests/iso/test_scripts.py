"""Fast checks of the iso/ build scripts: argument handling, BIOS boot embedding, medium layout."""

from __future__ import annotations

import hashlib
import importlib.util
import struct
import subprocess
from pathlib import Path

import pytest

from cos_installer.hardware.media import PAYLOAD
from tests.realparts import need_tools

ISO = Path(__file__).resolve().parents[2] / "iso"


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    ("script", "args", "expected"),
    [
        ("build-iso.sh", [], "usage: build-iso.sh PAYLOAD OUT.iso"),
        ("build-iso.sh", ["/nonexistent.raw.zst", "x.iso"], "/nonexistent.raw.zst: no such file"),
        ("build-demo-os.sh", [], "usage: build-demo-os.sh OUTDIR"),
        ("make-medium.sh", ["a"], "usage: make-medium.sh KERNEL INITRD SQUASHFS PAYLOAD OUT.iso"),
    ],
)
def test_scripts_refuse_bad_arguments(script: str, args: list[str], expected: str) -> None:
    result = run(str(ISO / script), *args)
    assert result.returncode != 0
    assert expected in result.stderr


def test_build_iso_needs_the_checksum_beside_the_payload(tmp_path: Path) -> None:
    payload = tmp_path / "cos.raw.zst"
    payload.write_bytes(b"x")
    result = run(str(ISO / "build-iso.sh"), str(payload), str(tmp_path / "x.iso"))
    assert result.returncode != 0
    assert f"no {payload}.sha256 beside it" in result.stderr


def _fake_medium_inputs(tmp_path: Path) -> list[str]:
    files = []
    for name, data in (("vmlinuz", b"kernel"), ("initrd.img", b"initrd"), ("fs.sq", b"sq")):
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))
    payload = tmp_path / "my-image.raw.zst"
    payload.write_bytes(b"payload bytes")
    files.append(str(payload))
    return files


def test_make_medium_rejects_a_checksum_file_without_a_checksum(tmp_path: Path) -> None:
    files = _fake_medium_inputs(tmp_path)
    Path(files[3] + ".sha256").write_text("not a checksum\n")
    result = run(str(ISO / "make-medium.sh"), *files, str(tmp_path / "x.iso"))
    assert result.returncode != 0
    assert "no sha256 checksum in it" in result.stderr


def test_medium_layout_label_and_payload_path(tmp_path: Path) -> None:
    """A real (tiny) ISO from fake parts: volume CDROM, live/ files, the payload at its path."""
    need_tools("grub-mkrescue", "xorriso", "mformat")
    files = _fake_medium_inputs(tmp_path)
    digest = hashlib.sha256(b"payload bytes").hexdigest()
    Path(files[3] + ".sha256").write_text(f"{digest}  my-image.raw.zst\n")
    iso = tmp_path / "out" / "x.iso"
    result = run(str(ISO / "make-medium.sh"), *files, str(iso))
    assert result.returncode == 0, result.stderr
    listing = run("xorriso", "-indev", str(iso), "-find", "/", "-type", "f")
    names = {line.strip().strip("'") for line in listing.stdout.splitlines()}
    for path in ("/live/vmlinuz", "/live/initrd.img", "/live/filesystem.squashfs",
                 f"/{PAYLOAD}", f"/{PAYLOAD}.sha256", "/boot/grub/grub.cfg"):  # fmt: skip
        assert path in names, f"{path} missing from the medium: {sorted(names)}"
    pvd = run("xorriso", "-indev", str(iso), "-pvd_info")
    assert "Volume id    : 'CDROM'" in pvd.stdout + pvd.stderr
    out = tmp_path / "x"
    out.mkdir()
    for path in (f"/{PAYLOAD}.sha256", "/boot/grub/grub.cfg", f"/{PAYLOAD}"):
        target = out / Path(path).name
        run("xorriso", "-osirrox", "on", "-indev", str(iso), "-extract", path, str(target))
    assert (out / "cos-image.raw.zst.sha256").read_text() == f"{digest}  cos-image.raw.zst\n"
    assert (out / "cos-image.raw.zst").read_bytes() == b"payload bytes"
    grub = (out / "grub.cfg").read_text()
    assert "boot=live components" in grub and "console=ttyS0,115200n8" in grub
    assert "@CMDLINE@" not in grub
    boot = run("xorriso", "-indev", str(iso), "-report_el_torito", "plain")
    partitions = boot.stdout + boot.stderr
    assert "UEFI" in partitions and "BIOS" in partitions  # boots both ways


def test_grub_bios_embed_patches_mbr_and_core(tmp_path: Path) -> None:
    need_tools("sgdisk")
    disk = tmp_path / "d.img"
    with disk.open("wb") as f:
        f.truncate(64 * 1024 * 1024)
    subprocess.run(["sgdisk", "-n1:2048:+1M", "-t1:EF02", "-n2:0:0", "-t2:8300", str(disk)],
                   check=True, capture_output=True)  # fmt: skip
    mbr_before = disk.read_bytes()[:512]
    boot = bytes(range(256)) * 2
    core = bytearray(b"\xaa" * (512 * 5 + 100))
    (tmp_path / "boot.img").write_bytes(boot)
    (tmp_path / "core.img").write_bytes(core)
    result = run("python3", str(ISO / "grub-bios-embed.py"), str(disk),
                 str(tmp_path / "boot.img"), str(tmp_path / "core.img"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = disk.read_bytes()
    mbr = data[:512]
    assert mbr[:0x5C] == boot[:0x5C]
    assert struct.unpack_from("<Q", mbr, 0x5C)[0] == 2048  # core.img's first sector
    assert mbr[0x66:0x68] == b"\x90\x90"
    assert mbr[0x1B8:] == mbr_before[0x1B8:]  # protective MBR's table kept
    core_on_disk = data[2048 * 512 : 2048 * 512 + 6 * 512]
    start, length, segment = struct.unpack_from("<QHH", core_on_disk, 500)
    assert (start, length, segment) == (2049, 5, 0x820)  # 6 sectors: the first + 5 more
    assert core_on_disk[512:1024] == b"\xaa" * 512


def test_grub_bios_embed_needs_a_bios_boot_partition(tmp_path: Path) -> None:
    need_tools("sgdisk")
    disk = tmp_path / "d.img"
    with disk.open("wb") as f:
        f.truncate(16 * 1024 * 1024)
    subprocess.run(["sgdisk", "-n1:2048:0", "-t1:8300", str(disk)], check=True, capture_output=True)
    (tmp_path / "b").write_bytes(bytes(512))
    (tmp_path / "c").write_bytes(bytes(1024))
    result = run("python3", str(ISO / "grub-bios-embed.py"), str(disk),
                 str(tmp_path / "b"), str(tmp_path / "c"))  # fmt: skip
    assert result.returncode != 0
    assert "no BIOS boot partition (type EF02)" in result.stderr


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), ISO / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.path.insert(0, str(ISO))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ISO))
    return module


def test_e2e_report_parsing_and_checks() -> None:
    pytest.importorskip("passlib")
    from passlib.hash import sha512_crypt

    e2e = _load("e2e_shared")
    hashed = sha512_crypt.using(rounds=5000).hash("pw-1")
    text = f"""noise
=== COS-DEMO-REPORT BEGIN ===
hostname={e2e.HOSTNAME}
cos_shadow={hashed}
addr={e2e.NIC} {e2e.ADDRESS}
route=default via 10.0.2.2 dev {e2e.NIC} proto static
env:COS_ROLE=agent
env:COS_CONTROLLERS="10.0.2.10:80,10.0.2.11:80"
env:COS_INSTALL_CODE="8070"
env:COS_NETWORK_MODE=bridge
mount=/xfs   /dev/vdb1 xfs    rw,relatime,prjquota
xfs_label=/dev/vdb1
user_data_mode=600
apply_units=active
=== COS-DEMO-REPORT END ===
"""
    report = e2e.parse_report(text)
    assert e2e.check_report(report, "pw-1") == []
    wrong = e2e.check_report(report, "pw-2")
    assert wrong == ["user cos has a SHA-512 hash of the answers' password"]
    report["mount"] = ["/xfs /dev/vdb1 xfs rw,relatime"]
    assert any("prjquota" in p for p in e2e.check_report(report, "pw-1"))


def test_ansi_is_stripped_from_serial_text() -> None:
    vm = _load("vm")
    assert (
        vm.ANSI.sub(b"", b"\x1b[1;1H\x1b[0;32mHostName:\x1b[0m\x1b(B x").decode() == "HostName: x"
    )
