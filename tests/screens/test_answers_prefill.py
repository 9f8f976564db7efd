"""What an answers file pre-fills in the wizard: yes/no read as the engine reads them, and a
fleet file resolved for this machine (its own entry), never rule mappings as text."""

from __future__ import annotations

import argparse
import subprocess
import sys

from cos_installer.screens.state import prefill

from cos_installer.answers.loader import read_mapping
from cos_installer.commands.wizard import for_this_machine
from cos_installer.flow import Step

from .conftest import FakeEngine, Harness


def shown(answers: dict, step: Step) -> str:
    """The screen `step` as the wizard shows it when started with `answers`."""
    h = Harness(FakeEngine(), answers=answers)
    h.app.show(step)
    return h.show()


def test_quoted_no_and_false_are_no():
    answers = {"role": "controller", "controller": {"ha": "no"}, "network": {"dhcp": "false"}}
    assert "(*) No" in shown(answers, Step.HA)
    assert "(*) Static" in shown(answers, Step.ADDRESS)
    answers = {"role": "controller", "controller": {"ha": "yes"}, "network": {"dhcp": True}}
    assert "(*) Yes" in shown(answers, Step.HA)
    assert "(*) DHCP" in shown(answers, Step.ADDRESS)


def test_a_value_that_is_neither_keeps_the_screens_default():
    answers = {"role": "controller", "controller": {"ha": "maybe"}, "network": {"dhcp": "often"}}
    assert "(*) Yes" in shown(answers, Step.HA)  # model.DEFAULT_HA
    assert "(*) Static" in shown(answers, Step.ADDRESS)


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
    answers = prefill(resolved)
    assert note == "a fleet file: this machine's entry"
    assert answers["role"] == "agent" and answers["system"]["hostname"] == "node2"
    assert answers["network"]["interface"] == "eth0" and answers["disk"] == "/dev/sda"


def test_a_fleet_file_without_this_machine_prefills_only_the_shared_defaults(tmp_path):
    path = fleet_file(tmp_path, "52:54:00:ff:ff:ff")
    resolved, note = for_this_machine(read_mapping(path), args(path))
    answers = prefill(resolved)
    assert note.startswith("a fleet file, shared defaults only (") and "match" in note
    assert "hostname" not in answers.get("system", {}) and "disk" not in answers
    assert "interface" not in answers["network"]
    leaves = [
        v
        for value in answers.values()
        for v in (value.values() if isinstance(value, dict) else [value])
    ]  # noqa: E501
    assert not any("{" in str(v) for v in leaves), answers
    assert answers["network"]["gateway"] == "192.168.122.1"


def test_plain_answers_pass_through(tmp_path):
    plain = {"role": "agent", "disk": "/dev/sdb"}
    assert for_this_machine(plain, args("plain.yaml")) == (plain, "")
