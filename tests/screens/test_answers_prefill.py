"""What an answers file pre-fills in the wizard: yes/no read as the engine reads them, and a
fleet file resolved for this machine (its own entry), never rule mappings as text."""

from __future__ import annotations

import argparse
import subprocess
import sys

from cos_installer.screens.services import from_answers

from cos_installer.answers.document import read_mapping
from cos_installer.commands.wizard import for_this_machine


def test_quoted_no_and_false_are_no():
    values = from_answers({"controller": {"ha": "no"}, "network": {"dhcp": "false"}})
    assert values["ha"] is False and values["dhcp"] is False
    values = from_answers({"controller": {"ha": "yes"}, "network": {"dhcp": True}})
    assert values["ha"] is True and values["dhcp"] is True


def test_a_value_that_is_neither_keeps_the_screens_default():
    values = from_answers({"controller": {"ha": "maybe"}, "network": {"dhcp": "sometimes"}})
    assert "ha" not in values and "dhcp" not in values


def fleet_file(tmp_path, mac: str) -> str:
    path = tmp_path / "fleet.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "cos_installer.cli", "fleet", "--first-address",
         "192.168.122.170/24", "--agents", "3", "-o", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    path.write_text(path.read_text().replace("00:00:00:00:01:02", mac))  # node2's MAC
    return str(path)


def args(path: str) -> argparse.Namespace:
    return argparse.Namespace(answers=path, machine="demo", all_nics=False)


def test_a_fleet_file_prefills_this_machines_entry(tmp_path):
    path = fleet_file(tmp_path, "52:54:00:c0:50:01")  # the demo machine's first NIC
    resolved, note = for_this_machine(read_mapping(path), args(path))
    values = from_answers(resolved)
    assert note == "a fleet file: this machine's entry"
    assert values["role"] == "agent" and values["hostname"] == "node2"
    assert values["interface"] == "eth0" and values["disk"] == "/dev/sda"


def test_a_fleet_file_without_this_machine_prefills_only_the_shared_defaults(tmp_path):
    path = fleet_file(tmp_path, "52:54:00:ff:ff:ff")
    resolved, note = for_this_machine(read_mapping(path), args(path))
    values = from_answers(resolved)
    assert note.startswith("a fleet file, shared defaults only (") and "match" in note
    assert "hostname" not in values and "interface" not in values and "disk" not in values
    assert not any("{" in str(v) for v in values.values()), values
    assert values["gateway"] == "192.168.122.1"


def test_plain_answers_pass_through(tmp_path):
    plain = {"role": "agent", "disk": "/dev/sdb"}
    assert for_this_machine(plain, args("plain.yaml")) == (plain, "")
