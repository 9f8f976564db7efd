"""A served rack: tests/netboot/rack.py's fleet and stand-in boot files, plus a squashfs-sized
file of random bytes for the download tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.netboot.rack import boot_files, fleet_file
from tests.serve.served import Served

BIG = 8 << 20  # bytes of live/filesystem.squashfs here


@pytest.fixture
def rack(tmp_path) -> tuple[Path, Path]:
    boot = boot_files(tmp_path)
    (boot / "live/filesystem.squashfs").write_bytes(os.urandom(BIG))
    return fleet_file(tmp_path), boot


@pytest.fixture
def served(rack):
    with Served(*rack) as s:
        yield s


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
