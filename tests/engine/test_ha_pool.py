"""The HA group (controller.group, guide 3.1.2) and the container IP pool (agent.ip_pool,
guide 3.4): golden configs of a group's three controllers and of the agent that sets the pool,
the order of the units, the validation tables, and what a fleet file fills in."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from cos_installer.answers.document import AnswersError, from_mapping
from cos_installer.answers.fleet import host_entry
from cos_installer.answers.loader import load_for_machine
from cos_installer.render.checker import check
from cos_installer.render.config import render_config
from tests.engine.helpers import AGENT, CONTROLLER, GOLDEN, run_cli

FLEET = GOLDEN / "ha-fleet.yaml"
HOSTS = ["controller1", "controller2", "controller3", "node1", "node2"]
GROUP = ["192.168.122.170", "192.168.122.171", "192.168.122.172"]


def rendered(host: str, path=FLEET) -> str:
    return render_config(load_for_machine(str(path), None, host=host))  # type: ignore[arg-type]


@pytest.mark.parametrize("host", HOSTS + ["agent-ipvlan-pool"])
def test_golden(host):
    if host == "agent-ipvlan-pool":
        text = rendered("node1", GOLDEN / "agent-ipvlan-pool.yaml")
    else:
        text = rendered(host)
    golden = GOLDEN / f"ha-fleet-{host}.cloud-config"
    if os.environ.get("COS_UPDATE_GOLDEN") == "1":
        golden.write_text(text)
    assert text == golden.read_text()
    assert check(text) == []  # check-config's rules hold on every one of them


def units(text: str) -> list[tuple]:
    return [(u["name"], u.get("command"), u.get("enable"))
            for u in yaml.safe_load(text)["coreos"]["units"]]  # fmt: skip


@pytest.mark.parametrize("host", ["controller1", "controller2", "controller3"])
def test_an_ha_controller_starts_only_mongodb_and_the_group_unit(host):
    started = [(n, c) for n, c, _ in units(rendered(host)) if c == "start"]
    assert started[-2:] == [("csphere-mongodb.service", "start"), ("cos-ha-group.service", "start")]
    names = [n for n, _, _ in units(rendered(host))]
    for never in ("prometheus", "controller", "agent", "etcd2-controller", "monitor"):
        assert f"csphere-{never}.service" not in names, never


def test_the_data_disk_still_binds_docker_started_by_the_group_script():
    (docker,) = [u for u in yaml.safe_load(rendered("controller3"))["coreos"]["units"]
                 if u["name"] == "csphere-docker-controller.service"]  # fmt: skip
    assert "command" not in docker and docker["drop-ins"][0]["name"] == "10-cos-requires-xfs.conf"


def test_only_the_first_agent_sets_the_pool():
    assert "cos-ip-pool" in rendered("node1")
    assert "cos-ip-pool" not in rendered("node2") and "net-plugin" not in rendered("node3")


def test_the_fleet_fills_the_group_in_file_order_and_the_owner():
    mapping = yaml.safe_load(FLEET.read_text())
    for i in range(3):
        assert host_entry(mapping, i)["controller"]["group"] == GROUP
    assert [host_entry(mapping, i)["agent"]["ip_pool_owner"] for i in (3, 4, 5)] == [
        True, False, False]  # fmt: skip
    mapping["hosts"][5]["agent"] = {"ip_pool_owner": True}  # the operator's choice wins
    assert [host_entry(mapping, i)["agent"].get("ip_pool_owner") for i in (3, 4, 5)] == [
        None, None, True]  # fmt: skip
    mapping["hosts"][1]["controller"] = {"ha": False}  # two HA controllers: no group filled
    assert "group" not in host_entry(mapping, 0)["controller"]


# --- validation tables --------------------------------------------------------------------

GROUP_CASES = [
    (GROUP, None),
    ("192.168.122.170, 192.168.122.171, 192.168.122.172", None),
    (GROUP[:2], "controller.group: '192.168.122.170, 192.168.122.171': expected exactly 3"),
    (GROUP + ["192.168.122.173"], "expected exactly 3 controller addresses, the primary first"),
    ([GROUP[0], GROUP[0], GROUP[2]], "an address appears twice"),
    ([GROUP[0], "10.0.0.2", GROUP[2]], "controller.group: 10.0.0.2 is not inside 192.168.122.0/24"),
    (["192.168.122.171", "192.168.122.172", "192.168.122.173"],
     "this machine's address 192.168.122.170 is not in the group 192.168.122.171, "),
    ([GROUP[0], "192.168.122.300", GROUP[2]], "controller.group: '192.168.122.300' is not an IPv4"),
    ([GROUP[0], {"a": 1}, GROUP[2]], "controller.group: expected a list of single values"),
]  # fmt: skip


@pytest.mark.parametrize(("group", "problem"), GROUP_CASES)
def test_group_validation(group, problem):
    data = copy.deepcopy(CONTROLLER)
    data["controller"]["group"] = group
    if problem is None:
        assert [str(ip) for ip in from_mapping(data).controller.group] == GROUP
        return
    with pytest.raises(AnswersError) as err:
        from_mapping(data)
    (line,) = err.value.errors
    assert line.startswith("answers: controller.group: ") and problem in line


def test_a_group_needs_ha_and_a_static_address():
    data = copy.deepcopy(CONTROLLER)
    data["controller"].update(ha=False, group=GROUP)
    with pytest.raises(AnswersError, match="controller.group: is for an HA group"):
        from_mapping(data)
    data["controller"]["ha"] = True
    data["network"] = {"interface": "eth0", "dhcp": True}
    with pytest.raises(AnswersError, match="needs this machine's static address"):
        from_mapping(data)


R = {"start": "192.168.122.200", "end": "192.168.122.250"}
POOL_CASES = [
    ([R], None),
    (R, None),
    ([{"start": "192.168.122.200/24", "end": "192.168.122.250/24"}], None),
    ([R, {"start": "192.168.122.20", "end": "192.168.122.20"}], None),
    ("192.168.122.200-192.168.122.250, 192.168.122.20-192.168.122.29", None),
    ("192.168.122.200", "range 1: '192.168.122.200': expected {start: 192.168.122.200, end: "),
    ([{"start": "192.168.122.250", "end": "192.168.122.200"}],
     "range 1: start 192.168.122.250 is after end 192.168.122.200"),
    ([{"start": "192.168.122.200/16", "end": "192.168.122.250"}],
     "start '192.168.122.200/16': the pool's mask must be the hosts' mask /24"),
    ([{"start": "10.1.1.10", "end": "10.1.1.20"}],
     "range 1: 10.1.1.10 is not a host address inside 192.168.122.0/24"),
    ([{"start": "192.168.122.200", "end": "192.168.122.255"}], "192.168.122.255 is not a host"),
    ([{"start": "192.168.122.100", "end": "192.168.122.110"}],
     "contains 192.168.122.101, a host's address or gateway"),
    ([{"start": "192.168.122.1", "end": "192.168.122.9"}], "contains 192.168.122.1, a host's"),
    ([R, {"start": "192.168.122.240", "end": "192.168.122.245"}], "overlap"),
    ([R, R], "overlap"),
    (["192.168.122.200-192.168.122.250"], "range 1: '192.168.122.200-192.168.122.250': expected"),
    ([{"start": "192.168.122.200"}], "range 1: "),
    ([{"start": "x", "end": "192.168.122.250"}], "'x' is not an IPv4 address"),
]  # fmt: skip


@pytest.mark.parametrize(("pool", "problem"), POOL_CASES)
def test_pool_validation(pool, problem):
    data = copy.deepcopy(AGENT)
    data["agent"]["ip_pool"] = pool
    if problem is None:
        assert from_mapping(data).agent.ip_pool
        return
    with pytest.raises(AnswersError) as err:
        from_mapping(data)
    (line,) = err.value.errors
    assert line.startswith("answers: agent.ip_pool: ") and problem in line


def test_a_pool_overlapping_another_host_of_the_fleet_is_refused(tmp_path):
    mapping = yaml.safe_load(FLEET.read_text())
    mapping["agent"]["ip_pool"] = [{"start": "192.168.122.102", "end": "192.168.122.102"}]
    mapping["hosts"][4]["agent"] = {"ip_pool": None}  # node2 itself has no pool to refuse
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(mapping))
    done = run_cli("check-answers", str(path))
    stderr = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in stderr
    assert (
        "hosts[3] (node1): agent.ip_pool: range 192.168.122.102/24-192.168.122.102/24 "
        "contains 192.168.122.102" in stderr
    )


def test_two_owners_are_refused(tmp_path):
    mapping = yaml.safe_load(FLEET.read_text())
    mapping["agent"]["ip_pool_owner"] = True
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(mapping))
    done = run_cli("check-answers", str(path))
    assert done.returncode == 2
    assert "agent.ip_pool_owner: 3 agents would set the IP pool" in done.stderr.decode()


def test_the_fleet_command_writes_the_group_and_the_pool(tmp_path):
    out = tmp_path / "f.yaml"
    done = run_cli("fleet", "--first-address", "192.168.122.170/24", "--ip-pool",
                   "192.168.122.200-192.168.122.250", "-o", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    mapping = yaml.safe_load(out.read_text())
    assert mapping["controller"]["group"] == GROUP
    assert mapping["agent"]["ip_pool"] == [
        {"start": "192.168.122.200/24", "end": "192.168.122.250/24"}]  # fmt: skip
    bad = run_cli("fleet", "--first-address", "192.168.122.170/24", "--ip-pool",
                  "192.168.122.172-192.168.122.180")  # fmt: skip
    assert bad.returncode == 2 and bad.stdout == b""
    assert bad.stderr.decode().startswith("cos-installer fleet: --ip-pool: range ")


# --- the Done screen's and the CLI's next steps ---------------------------------------------


def steps(host: str, path=FLEET) -> list[tuple[str, str]]:
    from cos_installer.render.nextsteps import steps_of

    config = load_for_machine(str(path), None, host=host)  # type: ignore[arg-type]
    return steps_of(config, every_command=True)


def test_next_steps_say_rs0_is_set_up_instead_of_the_commands():
    said = steps("controller2")
    assert [kind for kind, _ in said] == ["say", "say"]  # no command left to type
    assert (
        "192.168.122.170 initiates rs0 with 192.168.122.170, 192.168.122.171, "
        "192.168.122.172 in this order" in said[0][1]
    )
    assert "journalctl -u cos-ha-group.service" in said[0][1]


def test_next_steps_say_the_pool_is_set_instead_of_the_commands():
    owner = " ".join(text for _, text in steps("node1"))
    assert (
        "sets the container IP pool 192.168.122.200/24-192.168.122.250/24, "
        "192.168.122.20/24-192.168.122.29/24 at first boot" in owner
    )
    assert [k for k, _ in steps("node1")] == ["say"] * 3
    other = [text for _, text in steps("node2")]
    assert "Another agent sets the container IP pool" in other[1]
    ipvlan = " ".join(t for k, t in steps("node1", GOLDEN / "agent-ipvlan-pool.yaml"))
    assert "192.168.122.200/24-192.168.122.250/24, 172.17.0.1/16-172.17.0.254/16" in ipvlan


def test_controllers_naming_different_orders_are_refused(tmp_path):
    mapping = yaml.safe_load(FLEET.read_text())
    mapping["hosts"][1]["controller"] = {"group": [GROUP[1], GROUP[0], GROUP[2]]}
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(mapping))
    done = run_cli("check-answers", str(path))
    assert done.returncode == 2
    assert "controller.group: the controllers name different groups or orders" in (
        done.stderr.decode()
    )
