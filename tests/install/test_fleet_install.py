"""`cos-installer install` takes fleet files too: the host entry and disk rule are matched
against the machine (here the bundled demo profile), and the plan targets the matched disk."""

import subprocess
import sys

COS = [sys.executable, "-m", "cos_installer.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*COS, *args], capture_output=True, text=True, timeout=60)


def make_fleet(tmp_path, mac: str) -> str:
    path = tmp_path / "fleet.yaml"
    done = run("fleet", "--first-address", "192.168.122.170/24", "--agents", "3", "-o", str(path))
    assert done.returncode == 0, done.stderr
    # node2 is the second agent; give it the demo machine's linked NIC.
    path.write_text(path.read_text().replace("00:00:00:00:01:02", mac))
    return str(path)


def test_fleet_entry_matching_this_machine_is_installed(tmp_path):
    fleet = make_fleet(tmp_path, "52:54:00:c0:50:01")
    done = run("install", "--answers", fleet, "--machine", "demo", "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    assert "target /dev/sda:" in done.stdout  # the smallest offered disk of at least 20G
    assert "this machine is hosts[4] (node2), matched by mac" in done.stderr


def test_fleet_without_matching_entry_is_invalid_input(tmp_path):
    fleet = make_fleet(tmp_path, "52:54:00:ff:ff:ff")
    done = run("install", "--answers", fleet, "--machine", "demo", "--dry-run")
    assert done.returncode == 2
    assert "hosts" in done.stderr and "match" in done.stderr
