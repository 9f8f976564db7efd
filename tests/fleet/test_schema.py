"""The committed JSON Schema equals the one built from the model, and accepts what
check-answers accepts (bundled samples, generated fleets)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from cos_installer.answers import model, validate
from cos_installer.answers.document import KEYS
from cos_installer.answers.schema import YES_NO, answers_schema
from cos_installer.cli import main
from tests.fleet.conftest import FLEET

PACKAGE = Path(__file__).parents[2] / "cos_installer"
COMMITTED = PACKAGE / "answers" / "answers.schema.json"


def jsonschema_validator():
    try:
        import jsonschema
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("the jsonschema package is missing: it belongs to the test extras")
        pytest.skip("jsonschema is not installed")
    schema = answers_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_the_generated_one():
    generated = json.dumps(answers_schema(), indent=2, ensure_ascii=False) + "\n"
    assert COMMITTED.read_text(encoding="utf-8") == generated, (
        "cos_installer/answers/answers.schema.json is stale: run "
        "python -m cos_installer.answers.schema > cos_installer/answers/answers.schema.json"
    )


def test_schema_keys_are_the_answers_keys():
    schema = answers_schema()
    top = schema["properties"]
    assert set(top) == set(KEYS[""]) | {"hosts"}
    for section, keys in KEYS.items():
        if section:
            head, *rest = section.split(".")
            node = top[head]
            for part in rest:  # a nested mapping such as network.bond
                node = node["properties"][part]
            assert set(node["properties"]) == set(keys), section
    host = schema["$defs"]["host"]["properties"]
    assert set(host) == set(KEYS[""]) | {"match"}


def test_enums_and_defaults_are_what_the_validators_accept():
    top = answers_schema()["properties"]
    for text in top["role"]["enum"]:
        assert validate.role(text).value == text.lower()
    agent = top["agent"]["properties"]
    for text in agent["network_model"]["enum"]:
        validate.network_model(text)
    assert agent["network_model"]["default"] == model.NetworkModel.BRIDGE.value
    ctl = top["controller"]["properties"]
    assert {validate.cluster_size(n) for n in ctl["cluster_size"]["enum"]} == set(
        model.CLUSTER_SIZES
    )
    assert ctl["cluster_size"]["default"] == model.DEFAULT_CLUSTER_SIZE
    assert ctl["http_port"]["default"] == model.DEFAULT_HTTP_PORT
    assert ctl["ha"]["default"] is model.DEFAULT_HA
    assert {validate.yes_no(text) for text in YES_NO} == {True, False}


def test_bundled_samples_validate():
    validator = jsonschema_validator()
    samples = sorted(PACKAGE.glob("samples/*.yaml"))
    assert samples
    for sample in samples:
        data = yaml.safe_load(sample.read_text())
        assert [e.message for e in validator.iter_errors(data)] == [], sample.name


def test_fleet_files_validate(capsys):
    validator = jsonschema_validator()
    assert list(validator.iter_errors(FLEET)) == []
    for model_name in ("bridge", "ipvlan"):
        options = ["--first-address", "192.168.122.170/24", "--network-model", model_name]
        assert main(["fleet", *options, "--data-disk", "{largest: true}"]) == 0
        data = yaml.safe_load(capsys.readouterr().out)
        assert [e.message for e in validator.iter_errors(data)] == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"role": "boss"}, ["role"]),
        ({"disk": {"smalest": True}}, ["disk"]),
        ({"network": {"interface": {"linked": "last"}}}, ["network", "interface"]),
        ({"controller": {"cluster_size": 4}}, ["controller", "cluster_size"]),
        ({"system": {"hostname": "a", "password": "x", "password_hash": "$6$x"}}, ["system"]),
        ({"hosts": [{"system": {"hostname": "a"}}]}, ["hosts", 0]),
        ({"hosts": [{"match": {"serial": "X"}}]}, ["hosts", 0, "match"]),
        ({"hosts": [{"match": {"mac": "52:54:00"}}]}, ["hosts", 0, "match", "mac"]),
        ({"colour": "red"}, []),
    ],
)
def test_the_schema_rejects_what_check_answers_rejects(change, path):
    validator = jsonschema_validator()
    data = yaml.safe_load((PACKAGE / "samples" / "controller-ha.yaml").read_text())
    data.update(change)
    errors = list(validator.iter_errors(data))
    assert errors and any(list(e.absolute_path) == path for e in errors), [
        (list(e.absolute_path), e.message) for e in errors
    ]


def test_the_schema_accepts_an_ha_group_and_an_ip_pool():
    validator = jsonschema_validator()
    golden = Path(__file__).parents[1] / "engine" / "golden"
    for name in ("ha-fleet.yaml", "agent-ipvlan-pool.yaml"):
        data = yaml.safe_load((golden / name).read_text())
        assert list(validator.iter_errors(data)) == [], name
    data = yaml.safe_load((golden / "ha-fleet.yaml").read_text())
    data["controller"]["group"] = ["192.168.122.170", "192.168.122.171"]
    data["agent"]["ip_pool"] = [{"start": "192.168.122.200"}]
    assert len(list(validator.iter_errors(data))) == 2


ISSUE_NETWORK = """
interface: [eth0, eth1]
bond: {mode: active-backup}
vlan: 100
mtu: 9000
address: 192.168.122.101/24
gateway: 192.168.122.1
dns: [192.168.122.1, "2001:db8:122::1"]
ipv6: static
address6: 2001:db8:122::101/64
gateway6: 2001:db8:122::1
mac: ["52:54:00:00:00:01", "52:54:00:00:00:02"]
"""


def test_the_schema_and_check_answers_take_the_network_stack():
    validator = jsonschema_validator()
    data = yaml.safe_load((PACKAGE / "samples" / "controller-ha.yaml").read_text())
    data["network"] = yaml.safe_load(ISSUE_NETWORK)
    assert [e.message for e in validator.iter_errors(data)] == []
    from cos_installer.answers.document import from_mapping

    net = from_mapping(data).network
    assert (net.top, net.bond.mode, net.mtu) == ("vlan100", "active-backup", 9000)
    for key, bad in (("vlan", 4095), ("mtu", 500), ("ipv6", "auto"), ("bond", {"mode": "x"}),
                     ("interface", ["eth0", "eth0"]), ("address6", "2001:db8::1")):  # fmt: skip
        wrong = dict(data, network=dict(data["network"], **{key: bad}))
        errors = list(validator.iter_errors(wrong))
        assert any(list(e.absolute_path)[:2] == ["network", key] for e in errors), key
