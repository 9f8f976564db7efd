"""autostart's unattended path with fleet files: the countdown names this machine's disk,
and the install command leaves the disk to `install`, which resolves the fleet entry."""

from __future__ import annotations

from pathlib import Path

from cos_installer.commands import autostart
from cos_installer.hardware import open_machine

FLEET = """system: {password: "cos-e2e-1"}
network: {interface: {matched: true}, dhcp: false, gateway: 192.168.122.1, dns: 192.168.122.1}
disk: /dev/sda
agent: {controllers: "192.168.122.170:80", install_code: "8070", network_model: bridge}
hosts:
  - match: {mac: "52:54:00:c0:50:01"}
    role: agent
    system: {hostname: node1}
    network: {address: 192.168.122.173/24}
    disk: %s
  - match: {mac: "52:54:00:c0:ff:02"}
    role: agent
    system: {hostname: node2}
    network: {address: 192.168.122.174/24}
"""


def write(tmp_path: Path, node1_disk: str) -> str:
    path = tmp_path / "fleet.yaml"
    path.write_text(FLEET % node1_disk)
    return str(path)


def test_fleet_entry_disk_wins_over_the_default(tmp_path: Path) -> None:
    demo = open_machine("demo")  # eth0 52:54:00:c0:50:01; /dev/sda 240 GB, /dev/sdb 2 TB
    assert autostart.answers_disk(write(tmp_path, "/dev/sdb"), demo) == "/dev/sdb"
    assert autostart.answers_disk(write(tmp_path, "{largest: true}"), demo) == "/dev/sdb"
    assert autostart.answers_disk(write(tmp_path, "/dev/sda"), demo) == "/dev/sda"


def test_fleet_without_an_entry_for_this_machine_names_no_disk(tmp_path: Path) -> None:
    path = write(tmp_path, "/dev/sdb").replace("fleet.yaml", "other.yaml")
    text = (tmp_path / "fleet.yaml").read_text().replace("52:54:00:c0:50:01", "52:54:00:c0:ff:01")
    Path(path).write_text(text)
    assert autostart.answers_disk(path, open_machine("demo")) is None


def test_install_command_leaves_the_disk_to_the_answers(tmp_path: Path) -> None:
    path = write(tmp_path, "/dev/sdb")
    command = autostart.install_command(path, "/run/live/medium")
    assert "--target" not in command
    assert command[command.index("--answers") + 1] == path
    assert command[command.index("--image") + 1] == "/run/live/medium/cos/cos-image.raw.zst"
    assert command[-1] == "--yes" and "install" in command
    # the live system installs the machine it runs on: its NICs are probed for their MACs
    assert command[command.index("--machine") + 1] == "local"
