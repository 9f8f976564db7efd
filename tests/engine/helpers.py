"""Shared helpers for the engine tests (imported, not a conftest): sample answers, a fixed
hash, the real CLI."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "cos_installer" / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
CLI = ROOT / ".venv" / "bin" / "cos-installer"
# SHA-512 crypt of "cos" with the salt "cosinstaller" (as `openssl passwd -6` gives it).
FIXED_HASH = (
    "$6$cosinstaller$bavCv1KS1lxm2PggXwDHCPBY.zv6yhc//GdsvNxsf4PeW84Xvu3s4VECYBSysXEorf"
    "sIjjYBO1gz7EmywXDxw1"
)

CONTROLLER = {
    "role": "controller",
    "controller": {
        "http_port": 80,
        "cluster_size": 3,
        "ha": True,
        "group": ["192.168.122.170", "192.168.122.171", "192.168.122.172"],
    },
    "system": {"hostname": "controller1", "password_hash": FIXED_HASH},
    "network": {
        "interface": "eth0",
        "dhcp": False,
        "address": "192.168.122.170/24",
        "gateway": "192.168.122.1",
        "dns": "192.168.122.1",
    },
    "disk": "/dev/sda",
}
AGENT = {
    "role": "agent",
    "agent": {
        "controllers": "192.168.122.170:80,192.168.122.171:80",
        "install_code": "8070",
        "network_model": "bridge",
        "docker_gateway": "",
        "docker_dns": "",
    },
    "system": {"hostname": "node1", "password_hash": FIXED_HASH},
    "network": {
        "interface": "eth0",
        "dhcp": False,
        "address": "192.168.122.101/24",
        "gateway": "192.168.122.1",
        "dns": "192.168.122.1",
    },
    "disk": "/dev/sda",
}


def answers(base: dict, **changes: object) -> dict:
    """A deep copy of `base` with dotted keys changed; the value DELETE removes the key."""
    data = copy.deepcopy(base)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for key in parents:
            target = target.setdefault(key, {})
        if value is DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    return data


DELETE = object()


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The installed entry point, as a user runs it."""
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: run `make venv` first")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [str(CLI), *args], input=stdin, capture_output=True, timeout=60, env=env, check=False
    )
