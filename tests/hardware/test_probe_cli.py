"""`cos-installer probe` on this very machine (read-only: no --all-nics, nothing changed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.hardware.conftest import REPO

DISK_KEYS = {
    *("path", "size", "model", "serial", "offered", "reason", "transport", "by_id"),
    *("partitions", "in_use", "install_media", "removable", "rotational", "read_only"),
}
NIC_KEYS = {"name", "mac", "linked", "addresses", "driver", "speed_mbps", "virtual"}


def probe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "probe", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_probe_json_on_this_machine():
    result = probe("--json")
    assert result.returncode == 0, result.stderr
    snap = json.loads(result.stdout)
    assert set(snap) >= {"disks", "nics"}
    for disk in snap["disks"]:
        assert set(disk) >= DISK_KEYS, disk
        name = disk["path"].removeprefix("/dev/")
        assert os.path.isdir(f"/sys/block/{name}")
        assert isinstance(disk["size"], int) and disk["size"] > 0
        assert disk["offered"] is (disk["reason"] is None)
        assert not name.startswith(("loop", "zram", "ram", "sr"))
    if os.path.isdir("/sys/block/vda"):
        assert "/dev/vda" in [d["path"] for d in snap["disks"]]
    physical = sorted(
        n for n in os.listdir("/sys/class/net") if os.path.exists(f"/sys/class/net/{n}/device")
    )
    assert [n["name"] for n in snap["nics"]] == physical
    for nic in snap["nics"]:
        assert set(nic) >= NIC_KEYS
        assert isinstance(nic["linked"], bool) and isinstance(nic["addresses"], list)
        with open(f"/sys/class/net/{nic['name']}/address") as f:
            assert nic["mac"] == f.read().strip()


def test_probe_text_lists_links():
    result = probe("--machine", "demo")
    assert result.returncode == 0, result.stderr
    assert "[Linked]" in result.stdout and "[NoLink]" in result.stdout
    assert "not offered: too small: 4.0 GiB < 8.0 GiB" in result.stdout
    real = probe()
    assert real.returncode == 0 and real.stdout.startswith("Disks:"), real.stderr
