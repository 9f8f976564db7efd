"""Fleet tests: machine profiles (tests/fleet/profiles) and a small fleet that names them."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from cos_installer.hardware import open_machine

PROFILES = Path(__file__).parent / "profiles"
PASSWORD = "S3cret-Pa55"  # distinctive, so tests can prove it never reaches the output
INSTALL_CODE = "4711"

FLEET = {
    "role": "agent",
    "agent": {"controllers": "192.168.122.170:80", "install_code": INSTALL_CODE},
    "system": {"password": PASSWORD},
    "network": {
        "interface": {"linked": "first"},
        "gateway": "192.168.122.1",
        "dns": "192.168.122.1",
    },
    "disk": {"smallest": True, "min_size": "20G"},
    "hosts": [
        {"match": {"mac": "52:54:00:AA:00:02"}, "system": {"hostname": "node-a"},
         "network": {"address": "192.168.122.101/24"}},
        {"match": {"disk_serial": "B-OS"}, "system": {"hostname": "node-b"},
         "network": {"address": "192.168.122.103/24"}},
        {"match": {"system_serial": "sys-c"}, "system": {"hostname": "node-c"},
         "network": {"address": "192.168.122.105/24"}},
        {"match": {"system_uuid": "44444444-dddd-4ddd-8ddd-000000000004"},
         "system": {"hostname": "node-d"}, "network": {"address": "192.168.122.107/24"}},
        {"match": {"mac": "52:54:00:ee:00:01", "system_serial": "SYS-NOPE"},
         "system": {"hostname": "node-e"}, "network": {"address": "192.168.122.109/24"}},
    ],
}  # fmt: skip


def profile_path(name: str) -> str:
    return str(PROFILES / f"{name}.yaml")


@pytest.fixture
def machine():
    """machine("rack-a"): the Machine a test profile describes."""
    return lambda name: open_machine(profile_path(name))


@pytest.fixture
def fleet() -> dict:
    return copy.deepcopy(FLEET)
