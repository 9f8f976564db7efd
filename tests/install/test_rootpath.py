"""The config files land inside the target even when the OS image's own paths are symlinks,
absolute ones included (they mean the image's root, not the live system's)."""

from __future__ import annotations

import errno
import os

import pytest

from cos_installer.install.rootpath import resolve_in_root


@pytest.fixture
def image_root(tmp_path):
    root = tmp_path / "target"
    (root / "usr" / "var" / "lib").mkdir(parents=True)
    (root / "var").symlink_to("/usr/var")  # absolute: the image's /usr/var
    (root / "usr" / "var" / "log").symlink_to("../../tmp/log")  # relative
    (root / "tmp").mkdir()
    return root


def test_absolute_links_are_followed_from_the_images_root(image_root):
    got = resolve_in_root(str(image_root), "/var/lib/coreos-install/user_data")
    assert got == str(image_root / "usr/var/lib/coreos-install/user_data")


def test_relative_links_and_dotdot_stay_inside(image_root):
    assert resolve_in_root(str(image_root), "/var/log/cos-installer/x") == str(
        image_root / "tmp/log/cos-installer/x"
    )
    (image_root / "tmp" / "up").symlink_to("../../../../../../etc")
    assert resolve_in_root(str(image_root), "/tmp/up/passwd") == str(image_root / "etc/passwd")


def test_a_link_loop_is_an_error_not_a_hang(image_root):
    (image_root / "a").symlink_to("/b")
    (image_root / "b").symlink_to("/a")
    with pytest.raises(OSError) as caught:
        resolve_in_root(str(image_root), "/a/file")
    assert caught.value.errno == errno.ELOOP


@pytest.mark.parametrize("path", ["", "/", "/tmp/..", "/var/../.."])
def test_a_path_that_names_the_root_itself_is_refused(image_root, path):
    with pytest.raises(OSError) as caught:
        resolve_in_root(str(image_root), path)
    assert caught.value.errno == errno.EISDIR


def test_plain_paths_are_unchanged(tmp_path):
    assert resolve_in_root(str(tmp_path), "/etc/hostname") == os.path.join(tmp_path, "etc/hostname")


def test_the_block_backend_writes_through_the_images_absolute_link(loops, tmp_path):
    """A real ext4 filesystem whose /var is an absolute symlink: user_data lands in the
    filesystem's /usr/var, and nothing is written under the live system's /usr/var."""
    import subprocess

    from cos_installer.install.backends import BlockDeviceBackend
    from cos_installer.install.backends.base import FileSpec

    tree = tmp_path / "tree"
    (tree / "usr" / "var").mkdir(parents=True)
    (tree / "var").symlink_to("/usr/var")
    disk = loops.device(64)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-d", str(tree), disk], check=True)
    spec = FileSpec("/var/lib/coreos-install/user_data", b"#cloud-config\n", 0o600, 0o700)
    before = os.path.exists("/usr/var/lib/coreos-install")
    BlockDeviceBackend(disk).write_files(disk, [spec])
    assert os.path.exists("/usr/var/lib/coreos-install") == before
    listing = subprocess.run(["debugfs", "-R", "stat /usr/var/lib/coreos-install/user_data",
                              disk], capture_output=True, text=True)  # fmt: skip
    assert "Mode:  0600" in listing.stdout and "Size: 14" in listing.stdout, listing.stdout
