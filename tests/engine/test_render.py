"""Rendering: golden cloud-configs for the four bundled samples, their structure, the CLI."""

import dataclasses
import os
import subprocess

import pytest
import yaml

from cos_installer.answers.document import from_mapping
from cos_installer.answers.loader import load_answers
from cos_installer.answers.model import ROLE_ENV_PATH
from cos_installer.render.checker import check
from cos_installer.render.config import (
    RenderError,
    env_value,
    render_config,
    yaml_block,
    yaml_scalar,
)
from tests.engine.helpers import (
    AGENT,
    CONTROLLER,
    DELETE,
    FIXED_HASH,
    GOLDEN,
    SAMPLES,
    answers,
    run_cli,
)
from tests.netunits import NETWORK_SUFFIXES, network_files

NAMES = ["controller-ha", "controller-single", "agent-bridge", "agent-ipvlan"]


@pytest.mark.parametrize("name", NAMES)
def test_golden(name):
    text = render_config(load_answers(SAMPLES / f"{name}.yaml"))
    golden = GOLDEN / f"{name}.cloud-config"
    if os.environ.get("COS_UPDATE_GOLDEN") == "1":
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("name", NAMES)
def test_golden_parses_back_and_passes_the_rules(name):
    text = (GOLDEN / f"{name}.cloud-config").read_text()
    assert text.split("\n", 1)[0] == "#cloud-config"
    assert check(text) == []
    doc = yaml.safe_load(text)
    (user,) = doc["users"]
    assert user == {"name": "cos", "passwd": FIXED_HASH, "groups": ["sudo", "docker"]}
    files = {f["path"]: f for f in doc["write_files"]}
    assert files[ROLE_ENV_PATH]["permissions"] == "0600"
    assert "/etc/systemd/network/10-eth0.network" not in files  # a unit: networkd restarts
    assert list(network_files(doc)) == ["/etc/systemd/network/10-eth0.network"]


def units_of(text):
    """The systemd units (the network's units, first in the list, are left out)."""
    return [
        (u["name"], u.get("command"), u.get("enable"))
        for u in yaml.safe_load(text)["coreos"]["units"]
        if not u["name"].endswith(NETWORK_SUFFIXES)
    ]


def env_of(text):
    files = {f["path"]: f["content"] for f in yaml.safe_load(text)["write_files"]}
    return dict(line.split("=", 1) for line in files[ROLE_ENV_PATH].splitlines())


def test_ha_controller_leaves_prometheus_controller_agent_to_the_monitor():
    """Only MongoDB and the group's one-shot (3.1.2): it starts etcd, docker and monitor
    after rs0; monitor starts prometheus, controller and agent."""
    text = render_config(from_mapping(CONTROLLER))
    started = [name for name, command, _ in units_of(text) if command == "start"]
    assert started == ["csphere-mongodb.service", "cos-ha-group.service"]
    assert env_of(text) == {
        "COS_ROLE": "controller",
        "COS_CONTROLLER_PORT": "80",
        "COS_CLUSTER_SIZE": "3",
        "COS_CONTROLLER_HA": "true",
    }


def test_single_controller_starts_everything_itself():
    single = answers(CONTROLLER, controller__ha=False, controller__group=DELETE)
    text = render_config(from_mapping(single))
    names = [name for name, command, _ in units_of(text) if command == "start"]
    assert names[-3:] == ["csphere-prometheus.service", "csphere-controller.service",
                          "csphere-agent.service"]  # fmt: skip
    assert "csphere-monitor.service" not in names


def test_agent_env_and_units():
    data = answers(AGENT, agent__docker_gateway="10.0.0.1", agent__docker_dns="10.0.0.2",
                   agent__controllers=["b.example:8080", "10.0.0.9:80"])  # fmt: skip
    text = render_config(from_mapping(data))
    assert env_of(text) == {
        "COS_ROLE": "agent",
        "COS_CONTROLLERS": "b.example:8080,10.0.0.9:80",
        "COS_INSTALL_CODE": "8070",
        "COS_NETWORK_MODE": "bridge",
        "COS_CUSTOM_DOCKERGW": "10.0.0.1",
        "COS_CUSTOM_DOCKERDNS": "10.0.0.2",
    }
    assert [n for n, _, _ in units_of(text)] == [
        f"csphere-{n}.service"
        for n in ("etcd2-agent", "skydns", "dockeripam", "docker-agent", "agent")
    ]
    # the guide tells users to edit these two lines in user_data: they must be literal lines
    assert "      COS_CUSTOM_DOCKERGW=10.0.0.1\n" in text


def test_dhcp_and_mac_in_the_networkd_file():
    data = answers(AGENT, network__dhcp=True, network__address=DELETE, network__gateway=DELETE,
                   network__dns=DELETE, network__mac="52:54:00:AB:cd:01")  # fmt: skip
    doc = yaml.safe_load(render_config(from_mapping(data)))
    (content,) = network_files(doc).values()
    assert content.startswith(  # the permanent MAC alone: the installed OS may name it otherwise
        "[Match]\nPermanentMACAddress=52:54:00:ab:cd:01\n\n[Network]\nDHCP=ipv4\n"
    )


def test_several_dns_servers():
    data = answers(AGENT, network__dns="10.0.0.2, 10.0.0.3", network__interface="enp0s3")
    doc = yaml.safe_load(render_config(from_mapping(data)))
    networkd = network_files(doc)["/etc/systemd/network/10-enp0s3.network"]
    assert networkd.endswith("DNS=10.0.0.2\nDNS=10.0.0.3\n")


def test_data_disk_mount_unit():
    text = render_config(from_mapping(answers(CONTROLLER, data_disk="/dev/vdb")))
    units = {u["name"]: u for u in yaml.safe_load(text)["coreos"]["units"]}
    mount = units["xfs.mount"]
    assert mount["command"] == "start" and mount["enable"] is True
    lines = mount["content"].splitlines()
    assert "What=/dev/disk/by-label/COSDATA" in lines and "Where=/xfs" in lines
    assert "Type=xfs" in lines and "Options=prjquota" in lines
    assert "WantedBy=multi-user.target" in lines
    assert "Before=csphere-docker-controller.service" in lines
    names = list(units)
    assert names.index("cos-docker-data.service") < names.index("csphere-docker-controller.service")


def test_bad_values_that_bypassed_validation_raise_render_error():
    config = from_mapping(AGENT)
    broken = dataclasses.replace(
        config, network=dataclasses.replace(config.network, interfaces=["eth0\nDNS=6.6.6.6"])
    )
    with pytest.raises(RenderError, match="systemd setting"):
        render_config(broken)
    agent = dataclasses.replace(config.agent, install_code="80\n70")
    with pytest.raises(RenderError, match="environment value"):
        render_config(dataclasses.replace(config, agent=agent))


@pytest.mark.parametrize(
    "value", ['a"b', "back\\slash", "new\nline", "tab\t", "é ü 中 🎉", "\x85\u2028", "#x: [y]", ""]
)
def test_yaml_scalar_reads_back_exactly(value):
    assert yaml.safe_load(f"k: {yaml_scalar(value)}\n") == {"k": value}


@pytest.mark.parametrize(
    "value", ["a\nb\n", "  lead\n", "x\n\n", "tab\there\n", "no newline", "k: v\n- x\n#c\n"]
)
def test_yaml_block_reads_back_exactly(value):
    assert yaml.safe_load(f"a:\n  k: {yaml_block(value, 4)}\n  z: 1\n") == {
        "a": {"k": value, "z": 1}
    }


@pytest.mark.parametrize("value", ["plain", "a b", "$HOME", 'q"', "`x`", "back\\", ""])
def test_env_value_survives_the_shell(value, tmp_path):
    script = tmp_path / "env.sh"
    script.write_text(f'X={env_value(value)}\nprintf %s "$X"\n')
    out = subprocess.run(["sh", str(script)], capture_output=True, check=True).stdout.decode()
    assert out == value


def test_render_cli_prints_config_or_all_errors(tmp_path):
    ok = run_cli("render", "--answers", str(SAMPLES / "agent-ipvlan.yaml"))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.decode() == (GOLDEN / "agent-ipvlan.cloud-config").read_text()
    # on a machine (here the demo profile) the NIC is matched by its MAC, as install does
    on_demo = run_cli("render", "--answers", str(SAMPLES / "agent-ipvlan.yaml"), "--machine",
                      "demo")  # fmt: skip
    assert on_demo.returncode == 0, on_demo.stderr
    (eth0,) = network_files(on_demo.stdout.decode()).values()
    assert eth0.startswith("[Match]\nPermanentMACAddress=52:54:00:c0:50:01\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("role: agent\nagent: {install_code: '1'}\nsystem: {hostname: A_}\n")
    result = run_cli("render", "--answers", str(bad))
    assert result.returncode == 2 and result.stdout == b""
    err = result.stderr.decode()
    for path in ("agent.controllers", "agent.install_code", "system.hostname", "network", "disk"):
        assert f"{bad}: {path}: " in err
    assert "Traceback" not in err
    missing = run_cli("render", "--answers", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and b"cannot read" in missing.stderr
