"""Answers mapping/file -> InstallConfig: every field's bad values, defaults, YAML gotchas."""

import pytest

from cos_installer.answers.document import AnswersError, dump_yaml, from_mapping
from cos_installer.answers.effective import redacted_answers
from cos_installer.answers.loader import load_answers, read_mapping
from cos_installer.answers.model import NetworkModel, Role
from cos_installer.answers.passwords import verify_password
from tests.engine.helpers import AGENT, CONTROLLER, DELETE, FIXED_HASH, SAMPLES, answers

C, A = CONTROLLER, AGENT
INVALID = [
    # (base, changes, key path, message fragment)
    (C, {"role": "master"}, "role", "'master' is not a role: expected controller or agent"),
    (C, {"role": DELETE}, "role", "missing"),
    (C, {"controller": "x"}, "controller", "expected a mapping of keys"),
    (C, {"controller__http_port": 0}, "controller.http_port", "0 is out of range"),
    (C, {"controller__http_port": 70000}, "controller.http_port", "from 1 to 65535"),
    (C, {"controller__http_port": "eighty"}, "controller.http_port", "is not a port"),
    (C, {"controller__http_port": 80.5}, "controller.http_port", "is not a port"),
    (C, {"controller__cluster_size": 4}, "controller.cluster_size", "one of 1, 3, 5, 7, 9"),
    (C, {"controller__cluster_size": "three"}, "controller.cluster_size", "not a cluster size"),
    (C, {"controller__ha": "maybe"}, "controller.ha", "is not yes or no"),
    (C, {"controller__port": 80}, "controller.port", "unknown key"),
    (C, {"agent": {"install_code": "8070"}}, "agent", "for role agent, but role is controller"),
    (A, {"controller": {}}, "controller", "for role controller, but role is agent"),
    (A, {"agent": DELETE}, "agent", "missing"),
    (A, {"agent__controllers": ""}, "agent.controllers", "missing"),
    (A, {"agent__controllers": "192.168.122.170"}, "agent.controllers", "has no port"),
    (A, {"agent__controllers": "10.0.0.300:80"}, "agent.controllers", "not an IPv4 address"),
    (A, {"agent__controllers": "a:80,a:80"}, "agent.controllers", "repeats"),
    (A, {"agent__controllers": "ctl_1:80"}, "agent.controllers", "not a host name"),
    (A, {"agent__controllers": "1.2.3.4:99999"}, "agent.controllers", "out of range"),
    (A, {"agent__controllers": [{"a": 1}]}, "agent.controllers", "list of single values"),
    (A, {"agent__install_code": "807"}, "agent.install_code", "exactly 4 digits"),
    (A, {"agent__install_code": "80a0"}, "agent.install_code", "exactly 4 digits"),
    (A, {"agent__install_code": DELETE}, "agent.install_code", "missing"),
    (A, {"agent__network_model": "macvlan"}, "agent.network_model", "bridge or ipvlan"),
    (A, {"agent__docker_gateway": "1.2.3"}, "agent.docker_gateway", "not an IPv4 address"),
    (A, {"agent__docker_dns": "dns"}, "agent.docker_dns", "not an IPv4 address"),
    (A, {"system": "node1"}, "system", "expected a mapping of keys"),
    (A, {"system__hostname": "Node1"}, "system.hostname", "upper-case"),
    (A, {"system__hostname": "node_1"}, "system.hostname", "'_' is not allowed"),
    (A, {"system__hostname": "-node"}, "system.hostname", "starts or ends with '-'"),
    (A, {"system__hostname": "a" * 64}, "system.hostname", "at most 63"),
    (A, {"system__hostname": "a\n.b"}, "system.hostname", "not a valid host name"),
    (A, {"system__hostname": ""}, "system.hostname", "missing"),
    (A, {"system__hostname": True}, "system.hostname", "YAML read this as yes/no"),
    (A, {"system__hostname": 1e3}, "system.hostname", "put it in quotes"),
    (A, {"system__hostname": ["a"]}, "system.hostname", "expected a single value, got a list"),
    (A, {"system__password_hash": "$1$abc$def"}, "system.password_hash", "not a SHA-512"),
    (A, {"system__password": "x"}, "system", "either password or password_hash, not both"),
    (A, {"system__password_hash": DELETE}, "system.password", "missing"),
    (A, {"system__pasword": "x"}, "system.pasword", "did you mean 'password'"),
    (A, {"network": DELETE}, "network", "missing"),
    (A, {"network__interface": ""}, "network.interface", "missing"),
    (A, {"network__interface": "eth 0"}, "network.interface", "not a network interface"),
    (A, {"network__interface": "averyveryverylongname"}, "network.interface", "interface"),
    (A, {"network__interface": "eth*"}, "network.interface", "not a network interface"),
    (A, {"network__dhcp": "maybe"}, "network.dhcp", "is not yes or no"),
    (A, {"network__address": "192.168.122.101"}, "network.address", "has no prefix"),
    (A, {"network__address": "192.168.122.0/24"}, "network.address", "the network address"),
    (A, {"network__address": "192.168.122.101/32"}, "network.address", "a /32 leaves no room"),
    (A, {"network__address": "300.1.1.1/24"}, "network.address", "is not valid"),
    (A, {"network__address": DELETE}, "network.address", "missing"),
    (A, {"network__gateway": "192.168.123.1"}, "network.gateway", "not inside 192.168.122.0/24"),
    (A, {"network__gateway": "192.168.122.101"}, "network.gateway", "own address"),
    (A, {"network__gateway": "gw"}, "network.gateway", "not an IPv4 address"),
    (A, {"network__gateway": DELETE}, "network.gateway", "missing"),
    (A, {"network__dns": "8.8.8.8, x"}, "network.dns", "'x' is not an IP address"),
    (A, {"network__dns": DELETE}, "network.dns", "missing"),
    (A, {"network__mac": "52:54:00:zz:00:01"}, "network.mac", "not a MAC address"),
    (A, {"network__adress": "1"}, "network.adress", "did you mean 'address'"),
    (A, {"disk": "sda"}, "disk", "is not a device path"),
    (A, {"disk": DELETE}, "disk", "missing"),
    (A, {"data_disk": "/dev/sda"}, "data_disk", "already the OS disk"),
    (A, {"data_disk": "sdb"}, "data_disk", "is not a device path"),
    (A, {"hostname": "node1"}, "hostname", "unknown key"),
]


@pytest.mark.parametrize(("base", "changes", "path", "fragment"), INVALID)
def test_invalid_value_names_key_path(base, changes, path, fragment):
    with pytest.raises(AnswersError) as caught:
        from_mapping(answers(base, **changes), source="answers.yaml")
    errors = caught.value.errors
    hits = [e for e in errors if e.startswith(f"answers.yaml: {path}: ")]
    assert hits, errors
    assert any(fragment in e for e in hits), hits
    assert str(caught.value) == "\n".join(errors)


def test_the_briefs_gateway_example_word_for_word():
    with pytest.raises(AnswersError) as caught:
        from_mapping(answers(A, network__gateway="192.168.123.1"), source="answers.yaml")
    assert caught.value.errors[0].startswith(
        "answers.yaml: network.gateway: 192.168.123.1 is not inside 192.168.122.0/24"
    )


def test_all_errors_are_reported_at_once():
    bad = answers(A, system__hostname="Bad_", network__gateway="x", disk="sda", extra=1)
    with pytest.raises(AnswersError) as caught:
        from_mapping(bad, source="f.yaml")
    paths = [e.split(": ")[1] for e in caught.value.errors]
    assert sorted(paths) == ["disk", "extra", "network.gateway", "system.hostname"]


def test_defaults_follow_the_guide():
    config = from_mapping(answers(C, controller=DELETE, network__dhcp=DELETE))
    assert (config.controller.http_port, config.controller.cluster_size) == (80, 3)
    assert config.controller.ha is True and config.network.dhcp is False
    agent = from_mapping(answers(A, agent__network_model=DELETE, agent__docker_dns=DELETE))
    assert agent.agent.network_model is NetworkModel.BRIDGE
    assert agent.agent.docker_dns is None and agent.agent.docker_gateway is None
    assert agent.role is Role.AGENT and agent.controller is None and agent.data_disk is None


def test_dhcp_makes_the_address_fields_optional():
    config = from_mapping(
        answers(
            A, network__dhcp=True, network__address=DELETE, network__gateway=DELETE, network__dns=""
        )  # fmt: skip
    )
    assert config.network.dhcp and config.network.address is None and config.network.dns == []


def test_plain_password_is_hashed_and_verifies():
    config = from_mapping(answers(A, system__password_hash=DELETE, system__password="s3cr3t!"))
    stored = config.system.password_hash
    assert stored.startswith("$6$") and "s3cr3t!" not in stored
    assert verify_password("s3cr3t!", stored)


@pytest.mark.parametrize("secret", ["hunter2-secret", "Top$ecret: {x}\t"])
def test_plain_password_never_appears_in_errors(secret):
    bad = answers(A, system__password_hash=DELETE, system__password=secret, disk="x")
    bad["system"]["hostname"] = secret
    bad["network"]["password"] = secret
    with pytest.raises(AnswersError) as caught:
        from_mapping(bad)
    assert caught.value.errors  # hostname, unknown key and disk errors
    # the hostname validator may quote the hostname, so check it is not shown as a password
    assert all(
        secret not in e or e.split(": ")[1] == "system.hostname" for e in caught.value.errors
    )


def test_install_code_is_never_shown_in_errors():
    with pytest.raises(AnswersError) as caught:
        from_mapping(answers(A, agent__install_code="80701"))
    assert "80701" not in str(caught.value)


def test_wizard_style_values_are_accepted():
    # the wizard passes what its widgets hold: strings, bools, ints
    data = answers(C, controller={"http_port": "8080", "cluster_size": "5", "ha": "no"})
    config = from_mapping(data)
    assert (config.controller.http_port, config.controller.cluster_size) == (8080, 5)
    assert config.controller.ha is False


def write(tmp_path, text: str):
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    return path


AGENT_FILE = f"""\
role: agent
agent:
  controllers: 192.168.122.170:80, 192.168.122.171:80
  install_code: {{code}}
system: {{{{hostname: node1, password_hash: "{FIXED_HASH}"}}}}
network: {{{{interface: eth0, address: 192.168.122.101/24, gateway: 192.168.122.1, dns: 10.0.0.2}}}}
disk: /dev/sda
"""


def test_unquoted_four_digit_install_code_is_accepted(tmp_path):
    config = load_answers(write(tmp_path, AGENT_FILE.format(code="8070")))
    assert config.agent.install_code == "8070"
    assert [str(c) for c in config.agent.controllers] == [
        "192.168.122.170:80",
        "192.168.122.171:80",
    ]


@pytest.mark.parametrize("code", ["0123", "0x1F90", "01234"])
def test_install_code_changed_by_yaml_says_to_quote_it(tmp_path, code):
    path = write(tmp_path, AGENT_FILE.format(code=code))
    with pytest.raises(AnswersError) as caught:
        load_answers(path)
    (error,) = caught.value.errors
    assert error.startswith(f"{path}: agent.install_code: ") and "quotes" in error


def test_quoted_install_code_keeps_its_leading_zero(tmp_path):
    config = load_answers(write(tmp_path, AGENT_FILE.format(code='"0123"')))
    assert config.agent.install_code == "0123"


@pytest.mark.parametrize(("text", "expected"), [("yes", True), ("no", False), ("on", True)])
def test_yaml_yes_no_for_ha(tmp_path, text, expected):
    doc = dump_yaml(answers(C, controller__ha="X")).replace("ha: X", f"ha: {text}")
    assert load_answers(write(tmp_path, doc)).controller.ha is expected


def test_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "role: agent\nsystem:\n  hostname: node1\n password: [oops\n")
    with pytest.raises(AnswersError) as caught:
        read_mapping(path)
    assert "line 4" in str(caught.value) and str(caught.value).startswith(str(path))
    assert "oops" not in str(caught.value)  # the offending line (maybe a password) is not quoted


def test_a_key_given_twice_is_an_error(tmp_path):
    path = write(tmp_path, "role: agent\ndisk: /dev/sda\ndisk: /dev/sdb\n")
    with pytest.raises(AnswersError, match=r"line 3, column 1: .*'disk' appears twice"):
        read_mapping(path)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "cannot read the answers file: No such file"), (b"", "got an empty file"),
     (b"- a\n- b\n", "got a list"), (b"role: \xff\n", "not UTF-8")],
)  # fmt: skip
def test_unreadable_files(tmp_path, content, fragment):
    path = tmp_path / "a.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AnswersError, match=fragment):
        read_mapping(path)


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_redacted_answers_redact_and_round_trip(sample):
    config = load_answers(sample)
    effective = redacted_answers(config)
    text = dump_yaml(effective)
    assert config.system.password_hash not in text
    assert effective["system"]["password_hash"] == "<redacted>"
    if config.agent:
        assert effective["agent"]["install_code"] == "<redacted>"
        assert config.agent.install_code not in text
        effective["agent"]["install_code"] = config.agent.install_code
    effective["system"]["password_hash"] = config.system.password_hash
    assert from_mapping(effective) == config
    assert set(effective) <= set(read_mapping(sample)) | {"controller"}
