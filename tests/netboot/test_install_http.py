"""`cos-installer install --image URL`: the whole pipeline from a real HTTP server that cuts
the connection, and the kernel command line of a netbooted live system."""

from __future__ import annotations

import os

import pytest

from cos_installer.commands.autostart import install_command
from cos_installer.hardware.media import PAYLOAD_URL_ENV, find_install_media
from cos_installer.live import boot
from tests.install.conftest import answers_file, partition_table, run_cli
from tests.netboot.server import Server

URL = "http://10.0.0.1/cos/cos-image.raw.zst"


def served(payload: str, tmp_path, signed: bool = True) -> tuple[str, str]:
    """The image, its .sha256 and (signed) the .sha256.sig the session key made."""
    root = tmp_path / "www"
    root.mkdir()
    name = os.path.basename(payload)
    for suffix in ("", ".sha256", ".sha256.sig") if signed else ("", ".sha256"):
        os.link(payload + suffix, root / (name + suffix))
    return str(root), name


@pytest.fixture(scope="module")
def raw_payload(real_parts, tmp_path_factory) -> str:
    """An uncompressed test image: big enough to cut, its size is its Content-Length."""
    from tests.payloadkit import build_test_payload

    return build_test_payload(str(tmp_path_factory.mktemp("raw")), size_mib=40, compression="raw")


def test_cli_streams_the_image_over_http_through_a_cut(raw_payload, loops, tmp_path):
    payload = raw_payload
    root, name = served(payload, tmp_path)
    stored = os.path.getsize(payload)
    assert stored > (2 << 20), "the test payload must be big enough to cut"
    image = str(tmp_path / "vm.img")
    loops.files.append(image)
    answers = answers_file(tmp_path, disk="/dev/sda")
    with Server(root) as server:
        server.faults.cuts = [stored // 2]
        proc = run_cli("--answers", answers, "--target", image, "--size", "128M",
                       "--image", server.url(name), "--yes")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"broke at byte {stored // 2}" in proc.stderr and "resuming from there" in proc.stderr
    assert server.faults.sent[f"/{name}"] == (1 << 20) + stored  # the preflight's MiB + once
    local = tmp_path / "local.img"
    loops.files.append(str(local))
    proc = run_cli("--answers", answers, "--target", str(local), "--size", "128M",
                   "--image", payload, "--yes")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert partition_table(image) == partition_table(str(local))


def test_cli_refuses_an_image_whose_size_is_unknown_before_touching_the_disk(
    payload, loops, tmp_path
):
    root, name = served(payload, tmp_path)
    disk = loops.device(128)
    with open(disk, "r+b") as f:
        f.write(b"OLD-DATA" * 512)
    answers = answers_file(tmp_path, disk=disk)
    with Server(root) as server:
        server.faults.no_length = True
        server.faults.ignore_range = True
        proc = run_cli("--answers", answers, "--image", server.url(name), "--yes")
    assert proc.returncode == 1, proc.stderr
    assert "Install failed at stage preflight" in proc.stderr
    assert "does not say how big the image is" in proc.stderr
    with open(disk, "rb") as f:
        assert f.read(4096) == b"OLD-DATA" * 512


def test_an_unsigned_image_over_http_is_refused_before_touching_the_disk(payload, loops, tmp_path):
    """A netbooted image is signature-checked like a medium's: no URL.sha256.sig, no write."""
    root, name = served(payload, tmp_path, signed=False)
    disk = loops.device(128)
    with open(disk, "r+b") as f:
        f.write(b"OLD-DATA" * 512)
    answers = answers_file(tmp_path, disk=disk)
    with Server(root) as server:
        proc = run_cli("--answers", answers, "--image", server.url(name), "--yes")
    assert proc.returncode == 1, proc.stderr
    assert f"no signature {server.url(name)}.sha256.sig" in proc.stderr, proc.stderr
    assert "/tmp/cos-sig-" not in proc.stderr  # the URL is named, not the scratch copy
    assert server.faults.sent.get(f"/{name}", 0) <= 1 << 20  # the image was not streamed
    with open(disk, "rb") as f:
        assert f.read(4096) == b"OLD-DATA" * 512


def test_the_kernel_command_line_of_a_netbooted_machine():
    line = (
        "boot=live fetch=http://10.0.0.1/cos/live/filesystem.squashfs console=ttyS0 "
        f"BOOTIF=01-52-54-00-AB-CD-EF cos.payload={URL} "
        "cos.answers=http://10.0.0.1/cos/answers/ cos.autoinstall"
    )
    options = boot.parse_cmdline(line)
    assert options.payload == URL and options.bootif == "52:54:00:ab:cd:ef"
    assert options.answers == "http://10.0.0.1/cos/answers/" and options.autoinstall
    command = install_command("/tmp/a.yaml", "/run/live/medium", payload=options.payload)
    assert command[command.index("--image") + 1] == URL and command[-1] == "--yes"


@pytest.mark.parametrize("value", ["", "ftp://x/y", "http://", "/run/live/medium/cos/img"])
def test_a_bad_payload_option_is_named(value):
    with pytest.raises(boot.BootOptionError, match=r"cos\.payload=.*expected the OS image's"):
        boot.parse_cmdline(f"cos.payload={value}")


def test_a_netbooted_live_system_asks_for_no_medium(monkeypatch, tmp_path):
    monkeypatch.setenv(PAYLOAD_URL_ENV, URL)
    media = find_install_media(sysfs_root=str(tmp_path))  # no device labelled CDROM at all
    assert (media.device, media.payload) == (URL, URL)
