"""Planted /tmp: root never appends to, overwrites or reads through a symlink another user put
where the installer keeps its log, the kept config and the bundle (issue 12, item 6).

Real filesystem, run as root: a directory owned by another uid with mode 0777 (what a local user
makes of /tmp/cos-installer-0 before root's first dry run) and a sticky world-writable directory
like /tmp itself, each with symlinks to a file root can write."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

import pytest

from cos_installer.cli import main
from cos_installer.support import bundle, installlog
from tests.install.conftest import answers_file
from tests.realparts import need_root

NOBODY = 65534
PRECIOUS = "precious: root's file\n"


@pytest.fixture
def victim(tmp_path) -> Path:
    need_root()
    path = tmp_path / "victim.txt"
    path.write_text(PRECIOUS)
    return path


def foreign_dir(path: Path) -> Path:
    """A directory another user owns, mode 0777."""
    path.mkdir()
    os.chown(path, NOBODY, NOBODY)
    path.chmod(0o777)
    return path


def sticky_dir(path: Path) -> Path:
    """A root-owned world-writable sticky directory: /tmp in small."""
    path.mkdir()
    path.chmod(0o1777)
    return path


def plant(directory: Path, name: str, target: Path) -> Path:
    link = directory / name
    link.symlink_to(target)
    os.lchown(link, NOBODY, NOBODY)
    return link


def cli(capsys, *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("where", [foreign_dir, sticky_dir])
def test_install_log_is_never_appended_through_a_planted_symlink(where, victim, tmp_path, capsys):
    directory = where(tmp_path / "shared")
    plant(directory, "install.log", victim)
    answers = answers_file(tmp_path, disk="/dev/sda")
    code, err = cli(capsys, "install", "--answers", answers, "--machine", "demo", "--dry-run",
                    "--log", str(directory / "install.log"))  # fmt: skip
    assert victim.read_text() == PRECIOUS
    assert code == 1
    assert f"cannot write the install log {directory}/install.log" in err
    assert "refusing to use it" in err


@pytest.mark.parametrize("name", [installlog.CONFIG_NAME, installlog.PROBE_NAME])
def test_kept_files_replace_a_planted_symlink_never_its_target(name, victim, tmp_path):
    directory = sticky_dir(tmp_path / "shared")
    link = plant(directory, name, victim)
    if name == installlog.CONFIG_NAME:
        installlog.keep_config("hostname: x\n", str(directory / "install.log"))
    else:
        installlog.keep_probe({"disks": []}, str(directory / "install.log"))
    assert victim.read_text() == PRECIOUS
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == 0o600


def test_kept_config_refuses_a_directory_of_another_user(victim, tmp_path):
    directory = foreign_dir(tmp_path / "shared")
    plant(directory, installlog.CONFIG_NAME, victim)
    with pytest.raises(OSError, match="belongs to uid 65534"):
        installlog.keep_config("hostname: x\n", str(directory / "install.log"))
    assert victim.read_text() == PRECIOUS


def bundle_names(now: float) -> list[str]:
    """The names `snap` will pick during the next minute (the timestamp is predictable)."""
    host = bundle.re.sub(r"[^A-Za-z0-9.-]", "_", bundle.socket.gethostname()) or "host"
    stamps = {time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now + s)) for s in range(-2, 60)}
    return [f"cos-installer-snap-{host}-{stamp}.tar.gz" for stamp in sorted(stamps)]


@pytest.mark.parametrize("where", [foreign_dir, sticky_dir])
def test_snap_never_overwrites_through_planted_bundle_names(where, victim, tmp_path, capsys):
    directory = where(tmp_path / "out")
    for name in bundle_names(time.time()):
        plant(directory, name, victim)
    log = tmp_path / "install.log"
    log.write_text("a line\n")
    code, err = cli(capsys, "snap", "--machine", "demo", "--log", str(log), "-o", str(directory))
    assert victim.read_text() == PRECIOUS
    assert code == 1
    assert f"cannot write the bundle in {directory}" in err and "refusing to use it" in err


def test_snap_does_not_read_a_planted_log_into_the_bundle(victim, tmp_path):
    directory = foreign_dir(tmp_path / "shared")
    plant(directory, "install.log", victim)
    files = bundle.collect(str(directory / "install.log"), "demo", timeout=5)
    assert all(PRECIOUS not in text for text in files.values())


def test_a_dry_run_log_never_goes_into_a_directory_planted_in_tmp(victim, tmp_path, monkeypatch):
    """The old default, /tmp/cos-installer-<uid>, was a fixed name anyone could create first."""
    planted = foreign_dir(tmp_path / f"cos-installer-{os.geteuid()}")
    plant(planted, "install.log", victim)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for environ in ({}, {"XDG_RUNTIME_DIR": str(planted)}, {"XDG_RUNTIME_DIR": "relative"}):
        log = installlog.default_log(True, environ)
        directory = Path(log).parent
        assert directory.parent == tmp_path and directory != planted
        st = directory.lstat()
        assert stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()
        assert stat.S_IMODE(st.st_mode) == 0o700
        installlog.Journal(log).note("a line")
    assert victim.read_text() == PRECIOUS


def test_a_private_runtime_dir_is_preferred(tmp_path):
    need_root()
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    assert installlog.default_log(True, {"XDG_RUNTIME_DIR": str(runtime)}) == str(
        runtime / "cos-installer" / "install.log"
    )
