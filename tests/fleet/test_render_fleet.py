"""`cos-installer render` of a fleet file: the host --host or --machine picks, else exit 2
with the ways to pick one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cos_installer.answers.document import dump_yaml
from cos_installer.cli import main
from tests.fleet.conftest import INSTALL_CODE, PASSWORD, profile_path
from tests.netunits import network_files

SAMPLES = Path(__file__).parents[2] / "cos_installer" / "samples"


def render(capsys, path: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["render", "--answers", str(path), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def networkd(text: str) -> str:
    (found,) = [c for p, c in network_files(text).items() if p.endswith(".network")]
    return found


@pytest.fixture
def named_nic_fleet(tmp_path, fleet) -> Path:
    """The test fleet with the NIC named (a disk rule stays: the cloud-config names no disk)."""
    fleet["network"]["interface"] = "eth0"
    path = tmp_path / "fleet.yaml"
    path.write_text(dump_yaml(fleet))
    return path


@pytest.mark.parametrize(
    ("host", "hostname", "address"),
    [
        ("node-b", "node-b", "192.168.122.103/24"),
        ("52:54:00:AA:00:02", "node-a", "192.168.122.101/24"),
        ("52-54-00-aa-00-02", "node-a", "192.168.122.101/24"),
    ],
)
def test_host_picks_the_entry_by_hostname_or_mac(capsys, named_nic_fleet, host, hostname, address):
    code, out, err = render(capsys, named_nic_fleet, "--host", host)
    assert code == 0, err
    assert out.startswith("#cloud-config\n")
    assert yaml.safe_load(out)["hostname"] == hostname
    assert f"Address={address}\n" in networkd(out)
    assert f"COS_INSTALL_CODE={INSTALL_CODE}" in out  # the shared agent: section applies


def test_machine_matches_the_entry_and_resolves_the_rules(capsys, tmp_path, fleet):
    path = tmp_path / "fleet.yaml"
    path.write_text(dump_yaml(fleet))  # network.interface: {linked: first}
    code, out, err = render(capsys, path, "--machine", profile_path("rack-a"))
    assert code == 0, err
    assert yaml.safe_load(out)["hostname"] == "node-a"
    assert networkd(out).startswith(
        "[Match]\nPermanentMACAddress=52:54:00:aa:00:01\n"
    )  # first linked
    # --host with --machine: the host's MAC stands in for the machine's NICs, as in check-answers
    code, out, err = render(capsys, path, "--machine", profile_path("rack-a"), "--host", "node-b")
    assert code == 0, err
    assert yaml.safe_load(out)["hostname"] == "node-b"


def test_a_nic_rule_without_a_machine_asks_for_one(capsys, tmp_path, fleet):
    path = tmp_path / "fleet.yaml"
    path.write_text(dump_yaml(fleet))
    code, out, err = render(capsys, path, "--host", "node-a")
    assert (code, out) == (2, "")
    assert err.startswith(f"{path} hosts[0] (node-a): network.interface: resolved at install "
                          "time: the first linked NIC; ")  # fmt: skip
    assert "give --machine PROFILE" in err


def test_a_fleet_file_without_a_host_lists_how_to_pick_one(capsys, named_nic_fleet):
    code, out, err = render(capsys, named_nic_fleet)
    assert (code, out) == (2, "")
    assert "unknown key" not in err and "Traceback" not in err
    assert err.startswith(f"{named_nic_fleet}: hosts: this fleet file has 5 host entries")
    assert "--host MAC|HOSTNAME, or with --machine PROFILE" in err
    lines = err.splitlines()
    assert "  hosts[0] (node-a): --host node-a or --host 52:54:00:aa:00:02" in lines
    assert "  hosts[1] (node-b): --host node-b" in lines
    assert PASSWORD not in err and INSTALL_CODE not in err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--host", "52:54:00:99:99:99"], "hosts: no entry matches this machine"),
        (["--host", "node-z"], "hosts: no entries have the hostname 'node-z'"),
        (["--machine", profile_path("bare")], "hosts: no entry matches this machine"),
        (["--machine", "/nonexistent/profile.yaml"], "cos-installer: "),
    ],
)
def test_no_such_host_exits_2(capsys, named_nic_fleet, extra, words):
    code, out, err = render(capsys, named_nic_fleet, *extra)
    assert (code, out) == (2, "")
    assert words in err and "Traceback" not in err


def test_host_on_a_single_machines_answers_file_exits_2(capsys):
    path = SAMPLES / "agent-bridge.yaml"
    code, out, err = render(capsys, path, "--host", "node1")
    assert (code, out) == (2, "")
    assert "--host 'node1': this file has no hosts: list" in err
