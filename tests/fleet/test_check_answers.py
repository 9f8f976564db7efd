"""`cos-installer check-answers`: exit codes, what it shows, and that secrets stay out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cos_installer.answers.document import dump_yaml
from cos_installer.cli import main
from tests.fleet.conftest import INSTALL_CODE, PASSWORD, profile_path

SAMPLES = Path(__file__).parents[2] / "cos_installer" / "samples"


def check(capsys, path: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["check-answers", str(path), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def no_secrets(text: str) -> None:
    assert PASSWORD not in text
    assert INSTALL_CODE not in text
    assert "$6$" not in text  # not even the hash


@pytest.fixture
def fleet_file(tmp_path, fleet) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(dump_yaml(fleet))
    return path


def test_a_valid_fleet_lists_every_entry(capsys, fleet_file):
    code, out, err = check(capsys, fleet_file)
    assert code == 0, err
    assert out.startswith(f"# {fleet_file}: valid (5 host entries; secrets redacted)\n")
    for n, name in enumerate("abcde"):
        assert f"hosts[{n}] (node-{name})" in out
    assert "# disk: resolved at install time: the smallest disk with min_size 20G" in out
    assert "# network.interface: resolved at install time: the first linked NIC" in out
    no_secrets(out + err)


def test_machine_gets_its_entry_and_resolved_answers_redacted(capsys, fleet_file):
    code, out, err = check(capsys, fleet_file, "--machine", profile_path("rack-a"))
    assert code == 0, err
    head, _, body = out.partition("# effective answers (secrets redacted):\n")
    assert "hosts[0] (node-a) matches this machine by mac 52:54:00:aa:00:02" in head
    effective = yaml.safe_load(body)
    assert effective["system"] == {"hostname": "node-a", "password_hash": "<redacted>"}
    assert effective["agent"]["install_code"] == "<redacted>"
    assert effective["disk"] == "/dev/sdb"
    assert effective["network"]["interface"] == "eth0"
    assert effective["network"]["address"] == "192.168.122.101/24"
    no_secrets(out + err)


def test_host_option_without_a_machine_shows_rules_unresolved(capsys, fleet_file):
    code, out, _ = check(capsys, fleet_file, "--host", "node-d")
    assert code == 0
    effective = yaml.safe_load(out.partition("(secrets redacted):\n")[2])
    assert effective["disk"] == "<resolved at install time: the smallest disk with min_size 20G>"
    assert effective["network"]["address"] == "192.168.122.107/24"
    no_secrets(out)


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        ("bare", ["no entry matches this machine", "hosts[0] (node-a) by mac"]),
        ("twin", ["2 entries match this machine", "hosts[1] (node-b) by disk_serial b-os"]),
    ],
)
def test_machine_without_exactly_one_entry_exits_2(capsys, fleet_file, profile, words):
    code, out, err = check(capsys, fleet_file, "--machine", profile_path(profile))
    assert (code, out) == (2, "")
    for word in words:
        assert word in err
    assert "Traceback" not in err


def test_all_errors_of_all_entries_at_once(capsys, tmp_path, fleet):
    fleet["hosts"][1]["network"]["address"] = "192.168.122.300/24"
    fleet["hosts"][3]["system"]["hostname"] = "Node_D"
    fleet["hosts"][4]["agent"] = {"install_code": "12"}
    path = tmp_path / "bad.yaml"
    path.write_text(dump_yaml(fleet))
    code, out, err = check(capsys, path)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert any(x.startswith(f"{path} hosts[1] (node-b): network.address: ") for x in lines)
    assert any(x.startswith(f"{path} hosts[3] (Node_D): system.hostname: ") for x in lines)
    assert any(x.startswith(f"{path} hosts[4] (node-e): agent.install_code: ") for x in lines)
    assert "'12'" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f["hosts"][2]["system"].update(hostname="node-a"),
         "hosts[2] (node-a): system.hostname node-a is also hosts[0] (node-a)'s"),
        (lambda f: f["hosts"][1]["network"].update(address="192.168.122.101/24"),
         "hosts[1] (node-b): network.address 192.168.122.101 is also hosts[0] (node-a)'s"),
        (lambda f: f["hosts"][1].update(agent={"network_model": "ipvlan"}),
         "agent.network_model: all agents must use the same network model, but: "
         "hosts[0] (node-a) bridge, hosts[1] (node-b) ipvlan"),
        (lambda f: (f["agent"].update(network_model="ipvlan"),
                    f["hosts"][1]["network"].update(address="192.168.122.102/24")),
         "hosts[1] (node-b): network.address 192.168.122.102 follows hosts[0] (node-a)'s "
         "192.168.122.101: Ipvlan agents' addresses must not be consecutive"),
    ],
)  # fmt: skip
def test_fleet_wide_rules(capsys, tmp_path, fleet, change, expected):
    path = tmp_path / "f.yaml"
    path.write_text(dump_yaml(fleet))
    assert check(capsys, path)[0] == 0  # the fleet is fine before the change
    change(fleet)
    path.write_text(dump_yaml(fleet))
    code, _, err = check(capsys, path)
    assert code == 2
    assert f"{path}: {expected}" in err


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.yaml")))
def test_bundled_samples_are_valid_and_shown_redacted(capsys, sample):
    code, out, err = check(capsys, SAMPLES / sample)
    assert code == 0, err
    effective = yaml.safe_load(out)
    assert effective["system"]["password_hash"] == "<redacted>"
    assert "$6$" not in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read the answers file"),
        ("role: [", "YAML syntax error"),
        ("role: agent\nrole: agent\n", "appears twice"),
        ("- a\n", "expected a mapping of keys"),
    ],
)
def test_unreadable_files_exit_2(capsys, tmp_path, content, expected):
    path = tmp_path / "x.yaml"
    if content is not None:
        path.write_text(content)
    code, out, err = check(capsys, path)
    assert (code, out) == (2, "")
    assert expected in err and "Traceback" not in err


def test_unknown_profile_exits_2(capsys, fleet_file):
    code, _, err = check(capsys, fleet_file, "--machine", "no-such-profile")
    assert code == 2
    assert "machine profile 'no-such-profile'" in err and "Traceback" not in err


def test_the_installed_command_in_a_real_process(fleet_file):
    """The console script's argv and environment carry no secret; output neither."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    argv = [sys.executable, "-m", "cos_installer.cli", "check-answers", str(fleet_file),
            "--machine", profile_path("rack-b")]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "hosts[1] (node-b) matches this machine by disk_serial b-os" in done.stdout
    assert "interface: ens4" in done.stdout and "disk: /dev/nvme0n1" in done.stdout
    no_secrets(done.stdout + done.stderr)
    argv[-1] = profile_path("bare")
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "no entry matches" in done.stderr


def test_malformed_entries_are_reported_before_matching(capsys, tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text('role: agent\nhosts: [1, {match: {mac: "52:54:00:aa:00:01"}}]\n')
    code, out, err = check(capsys, path, "--machine", profile_path("rack-a"))
    assert (code, out) == (2, "")
    assert err == f"{path}: hosts[0]: expected a mapping with match: and overrides\n"
