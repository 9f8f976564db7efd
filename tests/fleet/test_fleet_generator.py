"""`cos-installer fleet`: the guide's names and addresses, and a file check-answers accepts."""

from __future__ import annotations

import ipaddress
import stat

import pytest
import yaml

from cos_installer.answers.document import from_mapping
from cos_installer.answers.fleet import expand_all, resolve
from cos_installer.cli import main


def generate(capsys, *options: str) -> tuple[int, str, str]:
    code = main(["fleet", *options])
    out, err = capsys.readouterr()
    return code, out, err


def hosts(text: str) -> dict[str, tuple[str, str]]:
    """hostname -> (role, address) of every entry."""
    data = yaml.safe_load(text)
    return {h["system"]["hostname"]: (h["role"], h["network"]["address"]) for h in data["hosts"]}


def test_the_guides_cluster(capsys, tmp_path):
    code, out, err = generate(capsys, "--first-address", "192.168.122.170/24")
    assert code == 0, err
    assert hosts(out) == {
        "controller1": ("controller", "192.168.122.170/24"),
        "controller2": ("controller", "192.168.122.171/24"),
        "controller3": ("controller", "192.168.122.172/24"),
        "node1": ("agent", "192.168.122.173/24"),
        "node2": ("agent", "192.168.122.174/24"),
        "node3": ("agent", "192.168.122.175/24"),
    }
    data = yaml.safe_load(out)
    assert data["agent"]["controllers"] == (
        "192.168.122.170:80,192.168.122.171:80,192.168.122.172:80"
    )
    assert data["network"]["gateway"] == "192.168.122.1" == data["network"]["dns"]
    group = ["192.168.122.170", "192.168.122.171", "192.168.122.172"]  # primary first
    assert data["controller"] == {"http_port": 80, "cluster_size": 3, "ha": True, "group": group}
    assert data["disk"] == {"smallest": True, "min_size": "20G"}
    assert "FILL IN" in out and "# CHANGE ME" in out  # comments tell the operator what to do
    path = tmp_path / "fleet.yaml"
    path.write_text(out)
    assert main(["check-answers", str(path)]) == 0
    out2, err2 = capsys.readouterr()
    assert "valid (6 host entries" in out2
    assert "install_code: still the placeholder" in err2 and "still a placeholder" in err2


def test_ipvlan_agents_step_by_two(capsys, tmp_path):
    code, out, _ = generate(capsys, "--first-address", "192.168.159.100/24", "--controllers",
                            "1", "--agents", "4", "--network-model", "ipvlan")  # fmt: skip
    assert code == 0
    got = hosts(out)
    agents = [ipaddress.IPv4Interface(got[f"node{n}"][1]).ip for n in range(1, 5)]
    assert [str(a) for a in agents] == [
        "192.168.159.102", "192.168.159.104", "192.168.159.106", "192.168.159.108",
    ]  # fmt: skip
    assert got["controller1"] == ("controller", "192.168.159.100/24")
    data = yaml.safe_load(out)
    assert data["agent"]["network_model"] == "ipvlan" and data["controller"]["ha"] is False
    path = tmp_path / "f.yaml"
    path.write_text(out)
    assert main(["check-answers", str(path)]) == 0


def test_agent_address_like_the_guides_ipvlan_example(capsys):
    code, out, _ = generate(capsys, "--first-address", "192.168.159.170/24", "--agent-address",
                            "192.168.159.101/24", "--network-model", "ipvlan")  # fmt: skip
    assert code == 0
    got = hosts(out)
    assert [got[f"node{n}"][1] for n in (1, 2, 3)] == [
        "192.168.159.101/24", "192.168.159.103/24", "192.168.159.105/24",
    ]  # fmt: skip


def test_filled_in_file_installs_the_demo_machine(capsys, tmp_path):
    code, out, _ = generate(capsys, "--first-address", "192.168.122.170/24", "--controller-port",
                            "8080", "--data-disk", "{largest: true}")  # fmt: skip
    assert code == 0
    out = out.replace("00:00:00:00:01:02", "52:54:00:c0:50:02")  # node2 is demo's eth1
    mapping = yaml.safe_load(out)
    resolved = resolve(mapping, _demo(), source="f")
    config = from_mapping(resolved, "f")
    assert config.system.hostname == "node2"
    assert (config.network.interface, config.network.mac) == ("eth1", "52:54:00:c0:50:02")
    assert (config.disk, config.data_disk) == ("/dev/sda", "/dev/sdb")
    assert config.agent.controllers_text.endswith("192.168.122.172:8080")
    assert [label for label, _ in expand_all(mapping, "f")][-1] == "hosts[5] (node3)"


def _demo():
    from cos_installer.hardware import open_machine

    return open_machine("demo")


def test_output_file_is_private(capsys, tmp_path):
    path = tmp_path / "fleet.yaml"
    code, out, err = generate(capsys, "--first-address", "10.0.0.10/24", "-o", str(path))
    assert (code, out) == (0, "")
    assert f"wrote {path}" in err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert generate(capsys, "--first-address", "10.0.0.10/24")[1] == path.read_text()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--first-address", "192.168.122.170"], "--first-address: '192.168.122.170' has no"),
        (["--first-address", "192.168.122.253/24"], "controller3's address: 192.168.122.255/24 is "
                                                    "the broadcast address"),
        (["--first-address", "10.0.0.1/24"], "controller1 10.0.0.1/24: gateway 10.0.0.1 is this "
                                             "machine's own address"),
        (["--first-address", "10.0.0.10/24", "--agent-address", "10.0.1.10/24"],
         "node1 10.0.1.10/24: gateway 10.0.0.1 is not inside 10.0.1.0/24"),
        (["--first-address", "10.0.0.10/24", "--disk", "{smalest: true}"],
         "--disk '{smalest: true}': unknown rule key 'smalest'"),
        (["--first-address", "10.0.0.10/24", "--cluster-size", "4"], "--cluster-size: '4' is not"),
        (["--first-address", "10.0.0.10/24", "--controllers", "0"], "--controllers 0: the agents"),
        (["--first-address", "10.0.0.10/24", "--password-hash", "plain"], "--password-hash: not a"),
    ],
)  # fmt: skip
def test_bad_options_exit_2_naming_the_option(capsys, options, expected):
    code, out, err = generate(capsys, *options)
    assert (code, out) == (2, "")
    assert err.startswith("cos-installer fleet: ") and expected in err, err
