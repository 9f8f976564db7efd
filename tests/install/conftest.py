"""Fixtures for the install tests: real loop devices over sparse files, a real test payload,
answers files, and readers that look inside the installed disk without mounting it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.realparts import need_root, need_tools

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "cos_installer" / "samples" / "agent-bridge.yaml"
PASSWORD = "Gr33n-Tea-Kettle"  # plain password of the secrets tests
INSTALL_CODE = "6271"
TOOLS = ("losetup", "partx", "sfdisk", "wipefs", "mkfs.ext4", "mkfs.xfs", "zstd", "debugfs")


def sh(*argv: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=check, **kw)


@pytest.fixture(scope="session")
def real_parts() -> None:
    need_root()
    need_tools(*TOOLS)


@pytest.fixture(scope="session")
def payload(real_parts, tmp_path_factory) -> str:
    """The 64 MiB zstd test payload (session-wide; tests copy it before damaging it)."""
    from tests.payloadkit import build_test_payload

    return build_test_payload(str(tmp_path_factory.mktemp("payload")), size_mib=64)


@pytest.fixture(scope="session")
def payload_table(payload, tmp_path_factory) -> list[dict]:
    raw = tmp_path_factory.mktemp("raw") / "image.raw"
    with open(raw, "wb") as out:
        subprocess.run(["zstd", "-dcq", payload], stdout=out, check=True)
    table = partition_table(str(raw))
    raw.unlink()
    return table


def partition_table(path: str) -> list[dict] | None:
    """start, size, type, uuid and name of each partition, as sfdisk reads them."""
    proc = sh("sfdisk", "--json", path, check=False)
    if proc.returncode != 0:
        return None
    parts = json.loads(proc.stdout)["partitiontable"]["partitions"]
    return [{k: p.get(k) for k in ("start", "size", "type", "uuid", "name")} for p in parts]


class Loops:
    """Creates loop devices over sparse files and always removes them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.devices, self.files = tmp, [], []

    def file(self, size_mib: int, name: str | None = None) -> str:
        path = self.tmp / (name or f"disk{len(self.files)}.img")
        with open(path, "wb") as f:
            f.truncate(size_mib << 20)
        self.files.append(str(path))
        return str(path)

    def device(self, size_mib: int = 128) -> str:
        backing = self.file(size_mib)
        dev = sh("losetup", "--find", "--show", "--partscan", backing).stdout.strip()
        self.devices.append(dev)
        return dev

    def attached_to(self, backing: str) -> list[str]:
        out = sh("losetup", "--associated", backing, "--noheadings", "-O", "NAME", check=False)
        return out.stdout.split()

    def cleanup(self) -> None:
        for dev in self.devices:
            sh("partx", "-d", dev, check=False)
            sh("losetup", "--detach", dev, check=False)
        for backing in self.files:  # image-file backends must have detached their own loops
            for dev in self.attached_to(backing):
                sh("partx", "-d", dev, check=False)
                sh("losetup", "--detach", dev, check=False)


@pytest.fixture
def loops(real_parts, tmp_path):
    made = Loops(tmp_path)
    try:
        yield made
    finally:
        made.cleanup()


def make_old_table(dev: str, count: int, size_mib: int = 16) -> None:
    """An old GPT with `count` partitions, registered with the kernel (partx)."""
    lines = ["label: gpt"] + [f"size={size_mib}MiB, type=linux" for _ in range(count)]
    sh("sfdisk", "--quiet", dev, input="\n".join(lines) + "\n")
    sh("partx", "-u", dev, check=False)


def answers_file(tmp: Path, *, disk: str, data_disk: str | None = None, plain: bool = False) -> str:
    """The agent sample with our disk, optionally a data disk and a plain password."""
    text = SAMPLE.read_text()
    text = re.sub(r"(?m)^disk:.*$", f"disk: {disk}", text)
    text = text.replace('install_code: "8070"', f'install_code: "{INSTALL_CODE}"')
    if plain:
        text = re.sub(r"(?m)^  password_hash:.*$", f'  password: "{PASSWORD}"', text)
    if data_disk:
        text += f"data_disk: {data_disk}\n"
    path = tmp / "answers.yaml"
    path.write_text(text)
    return str(path)


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return sh(
        sys.executable, "-m", "cos_installer.cli", "install", *args, check=False, timeout=timeout
    )


def root_offset(path: str) -> int:
    for p in partition_table(path) or []:
        if p["name"] == "ROOT":
            return p["start"] * 512
    raise AssertionError(f"no ROOT partition on {path}")


def read_root_file(disk: str, path: str) -> tuple[bytes, str, str]:
    """(content, file mode, parent directory mode) of a file in the ROOT ext4, via debugfs."""
    spec = f"{disk}?offset={root_offset(disk)}"
    content = subprocess.run(
        ["debugfs", "-R", f"cat {path}", spec], capture_output=True, check=True
    ).stdout
    modes = []
    for target in (path, os.path.dirname(path)):
        out = sh("debugfs", "-R", f"stat {target}", spec).stdout
        found = re.search(r"Mode:\s+(\d+)", out)
        assert found, f"{target} not found on {disk}: {out}"
        modes.append(found.group(1))
    return content, modes[0], modes[1]


def no_signatures(path: str) -> bool:
    """True when nothing (no partition table, no filesystem) is recognised on the disk."""
    return sh("blkid", "-p", path, check=False).returncode == 2 and partition_table(path) is None


@contextlib.contextmanager
def holding_open(node: str):
    """A separate process (sleep) that holds a block device open."""
    with open(node, "rb") as f:
        proc = subprocess.Popen(["sleep", "300"], stdin=f)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(params=["module", "pipe"])
def zstd_path(request, monkeypatch) -> str:
    """Run a test with zstd decoded in-process (python-zstandard) and by the zstd program."""
    from tests.realparts import unavailable

    if request.param == "module":
        monkeypatch.delenv("COS_INSTALLER_ZSTD_PIPE", raising=False)
        try:
            import zstandard  # noqa: F401
        except ImportError:
            unavailable("python-zstandard is not installed (pip install -e '.[test]')")
    else:
        monkeypatch.setenv("COS_INSTALLER_ZSTD_PIPE", "1")
    return request.param


class Events(list):
    def __call__(self, event) -> None:
        self.append(event)

    def kinds(self, kind: str) -> list:
        return [e for e in self if e.kind == kind]


class CancelOn(Events):
    """A listener that records the events and presses Cancel (sets `cancel`) at the first
    event of `kind` (and `stage`, when given), as the wizard's Ctrl+C does from its thread."""

    def __init__(self, kind: str, stage: str | None = None) -> None:
        super().__init__()
        self.kind, self.stage = kind, stage
        self.cancel = threading.Event()

    def __call__(self, event) -> None:
        super().__call__(event)
        if event.kind == self.kind and self.stage in (None, event.stage):
            self.cancel.set()


def copy_payload(payload: str, dest: Path) -> str:
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / os.path.basename(payload)
    shutil.copy(payload, target)
    shutil.copy(payload + ".sha256", str(target) + ".sha256")
    return str(target)
