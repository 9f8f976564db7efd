"""The guide's cluster shape, through the real CLI: at least Cluster Size agents (the cluster
initialises only once that many are installed, guide section 3.2), one cluster size for all
controllers, and an HA group of exactly three controllers (MongoDB replica set rs0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cos_installer.answers.document import GROUP_MISSING

ROOT = Path(__file__).parents[2]
FIRST = "192.168.122.170/24"


def cos(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "cos_installer.cli", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)


def generated(tmp_path: Path, *options: str) -> dict:
    """The mapping `cos-installer fleet` writes with these options."""
    path = tmp_path / "generated.yaml"
    done = cos("fleet", "--first-address", FIRST, *options, "-o", str(path))
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(path.read_text())


def check(tmp_path: Path, mapping: dict) -> subprocess.CompletedProcess:
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(mapping, sort_keys=False))
    return cos("check-answers", str(path))


def problems(done: subprocess.CompletedProcess, path: Path) -> list[str]:
    """check-answers' error lines (warnings about placeholders left out)."""
    assert done.returncode == 2 and done.stdout == "", done.stdout
    assert "Traceback" not in done.stderr
    return [x for x in done.stderr.splitlines() if not x.startswith("warning: ")]


def role_entries(mapping: dict, role: str) -> list[dict]:
    return [h for h in mapping["hosts"] if h["role"] == role]


# --- cos-installer fleet ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "agents", "size"),
    [([], 1, 3), ([], 2, 3), (["--cluster-size", "5"], 3, 5), (["--cluster-size", "9"], 0, 9)],
)
def test_fleet_refuses_fewer_agents_than_the_cluster_size(tmp_path, options, agents, size):
    path = tmp_path / "f.yaml"
    done = cos("fleet", "--first-address", FIRST, "--agents", str(agents), *options,
               "-o", str(path))  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"cos-installer fleet: --agents {agents} is fewer than --cluster-size {size}: the guide: "
        "at least Cluster Size agents must be installed before the cluster initialises; give "
        f"--agents {size} or more, or a smaller --cluster-size\n"
    )
    assert not path.exists()  # nothing written, not even half a file
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize(("size", "controllers"), [("1", "1"), ("3", "3"), ("5", "1"), ("9", "3")])
def test_fleet_with_exactly_cluster_size_agents_is_valid(tmp_path, size, controllers):
    mapping = generated(tmp_path, "--cluster-size", size, "--agents", size,
                        "--controllers", controllers)  # fmt: skip
    assert len(role_entries(mapping, "agent")) == int(size)
    assert mapping["controller"]["cluster_size"] == int(size)
    done = check(tmp_path, mapping)
    assert done.returncode == 0, done.stderr
    assert f"valid ({int(size) + int(controllers)} host entries" in done.stdout


@pytest.mark.parametrize("controllers", ["2", "4", "5", "99"])
def test_fleet_refuses_controllers_other_than_one_or_three(tmp_path, controllers):
    done = cos("fleet", "--first-address", FIRST, "--controllers", controllers)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"cos-installer fleet: --controllers {controllers}: expected 1 (a single controller) or 3 "
        "(the guide's HA group: MongoDB replica set rs0 of three members)\n"
    )


@pytest.mark.parametrize(("controllers", "ha"), [("1", False), ("3", True)])
def test_fleet_switches_ha_on_only_for_three_controllers(tmp_path, controllers, ha):
    mapping = generated(tmp_path, "--controllers", controllers)
    assert len(role_entries(mapping, "controller")) == int(controllers)
    assert mapping["controller"]["ha"] is ha
    done = check(tmp_path, mapping)
    assert done.returncode == 0, done.stderr


# --- cos-installer check-answers ---------------------------------------------------------------


def test_too_few_agent_entries_is_a_problem(tmp_path):
    mapping = generated(tmp_path)
    mapping["hosts"] = mapping["hosts"][:4]  # controller1..3 and node1 only
    done = check(tmp_path, mapping)
    path = tmp_path / "fleet.yaml"
    assert problems(done, path) == [
        f"{path}: controller.cluster_size 3: the cluster initialises only once at least 3 agents "
        "are installed (the guide, section 3.2), but the file has 1 entry with role agent: add "
        "agent entries, or lower controller.cluster_size"
    ]
    mapping["controller"]["cluster_size"] = 1  # what the message suggests
    assert check(tmp_path, mapping).returncode == 0


def test_controllers_only_file_is_a_problem(tmp_path):
    mapping = generated(tmp_path)
    mapping["hosts"] = role_entries(mapping, "controller")
    del mapping["agent"]
    err = "\n".join(problems(check(tmp_path, mapping), tmp_path / "fleet.yaml"))
    assert "but the file has 0 entries with role agent" in err


def test_controllers_disagreeing_on_cluster_size(tmp_path):
    mapping = generated(tmp_path)
    mapping["hosts"][1]["controller"] = {"cluster_size": 5}  # controller2 alone
    path = tmp_path / "fleet.yaml"
    assert problems(check(tmp_path, mapping), path) == [
        f"{path}: controller.cluster_size: all controllers must use the same cluster size, but: "
        "hosts[0] (controller1) 3, hosts[1] (controller2) 5, hosts[2] (controller3) 3",
        f"{path}: controller.cluster_size 5 (the largest): the cluster initialises only once at "
        "least 5 agents are installed (the guide, section 3.2), but the file has 3 entries with "
        "role agent: add agent entries, or lower controller.cluster_size",
    ]


def test_agent_entries_with_their_own_rules_still_count(tmp_path):
    """Disk and NIC rules are resolved at install time; they must not hide an agent."""
    mapping = generated(tmp_path, "--data-disk", "{largest: true}")
    node3 = mapping["hosts"][5]
    node3["disk"] = {"serial": "S3Z1NB0K"}
    node3["network"]["interface"] = {"linked": "first"}
    mapping["hosts"][0]["disk"] = {"largest": True, "min_size": "100G"}
    done = check(tmp_path, mapping)
    assert done.returncode == 0, done.stderr
    assert "# disk (hosts[0] (controller1)" in done.stdout  # the rules really are there
    mapping["controller"]["cluster_size"] = 5
    err = "\n".join(problems(check(tmp_path, mapping), tmp_path / "fleet.yaml"))
    assert "controller.cluster_size 5: " in err and "the file has 3 entries with role agent" in err


def test_an_invalid_agent_entry_is_still_counted(tmp_path):
    """Its own problem is reported; no second, wrong one about too few agents."""
    mapping = generated(tmp_path)
    mapping["hosts"][5]["network"]["address"] = "192.168.122.300/24"
    lines = problems(check(tmp_path, mapping), tmp_path / "fleet.yaml")
    assert len(lines) == 1 and "hosts[5] (node3): network.address: " in lines[0], lines


@pytest.mark.parametrize(
    ("change", "labels", "grouped"),
    [
        (lambda m: m["hosts"][2].update(controller={"ha": False}),
         ["hosts[0] (controller1)", "hosts[1] (controller2)"],
         "2 entries with role controller have ha: true (hosts[0] (controller1), "
         "hosts[1] (controller2))"),
        (lambda m: (m["hosts"].insert(3, dict(m["hosts"][2], system={"hostname": "controller4"},
                                              match={"mac": "00:00:00:00:00:04"},
                                              network={"address": "192.168.122.180/24"}))),
         ["hosts[0] (controller1)", "hosts[1] (controller2)", "hosts[2] (controller3)",
          "hosts[3] (controller4)"],
         "4 entries with role controller have ha: true (hosts[0] (controller1), hosts[1] "
         "(controller2), hosts[2] (controller3), hosts[3] (controller4))"),
        (lambda m: (m["hosts"].__delitem__(slice(1, 3)), m["controller"].pop("ha")),
         ["hosts[0] (controller1)"],
         "1 entry with role controller has ha: true (hosts[0] (controller1))"),
    ],
)  # fmt: skip
def test_ha_on_other_than_none_or_three_controllers(tmp_path, change, labels, grouped):
    """The fleet fills in the group of exactly three HA controllers only: each other HA
    controller is refused for its missing group (named, with the shape expected), and the
    fleet's rule says why there is no group."""
    mapping = generated(tmp_path)
    change(mapping)
    path = tmp_path / "fleet.yaml"
    assert problems(check(tmp_path, mapping), path) == [
        f"{path} {label}: controller.group: {GROUP_MISSING}" for label in labels
    ] + [
        f"{path}: controller.ha: {grouped}; the guide's HA group is exactly 3 controllers "
        "(MongoDB replica set rs0 of three members): set ha: true on exactly 3, or ha: false on "
        "each (not given: true)"
    ]


def test_three_ha_controllers_and_a_separate_one_without_ha(tmp_path):
    """The count is of ha: true; ha: false controllers do not join the group."""
    mapping = generated(tmp_path)
    mapping["hosts"].insert(3, {"match": {"mac": "00:00:00:00:00:04"}, "role": "controller",
                                "controller": {"ha": False}, "system": {"hostname": "c4"},
                                "network": {"address": "192.168.122.180/24"}})  # fmt: skip
    done = check(tmp_path, mapping)
    assert done.returncode == 0, done.stderr


def test_a_single_controllers_answers_file_is_not_a_fleet(tmp_path):
    """One machine's file of an HA group has ha: true and no agents: that is fine."""
    path = ROOT / "cos_installer" / "samples" / "controller-ha.yaml"
    assert yaml.safe_load(path.read_text())["controller"]["ha"] is True
    done = cos("check-answers", str(path))
    assert done.returncode == 0, done.stderr
