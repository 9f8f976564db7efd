"""The one-shot scripts the cloud-config carries, run on this host as the installed system
would run them: cos-ha-group (guide 3.1.2) and cos-ip-pool (3.4).

`mongo`, `cspherectl`, `systemctl` and `net-plugin` are STAND-INS (tests/engine/standins/):
no COS image exists here, so small scripts on PATH record each call (in order, with its
arguments) and answer from a state directory: a member that is still down, rs0 already
initiated, net-plugin failing until the agent's services are up. The scripts themselves are
the exact text of the rendered cloud-config's write_files.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from cos_installer.answers.loader import load_for_machine
from cos_installer.render.config import render_config
from cos_installer.render.oneshots import HA_SCRIPT, POOL_SCRIPT
from tests.engine.helpers import GOLDEN

STANDINS = Path(__file__).resolve().parent / "standins"
FLEET = GOLDEN / "ha-fleet.yaml"
INITIATE = (
    'rs.initiate({ _id: "rs0", version: 1, members: [ { _id: 0, host: "192.168.122.170:27017"}, '
    '{ _id: 1, host: "192.168.122.171:27017"}, { _id: 2, host: "192.168.122.172:27017"} ] });'
)
PING = "mongo --quiet --host {} --port 27017 --eval print(db.adminCommand({{ ping: 1 }}).ok)"
PINGS = [
    PING.format(h) for h in ("127.0.0.1", "192.168.122.170", "192.168.122.171", "192.168.122.172")
]
STATUS = "mongo --quiet --eval print(rs.status().ok)"
START_REST = [
    "cspherectl start etcd",
    "cspherectl start docker",
    "cspherectl start monitor",
    "systemctl enable csphere-monitor",
]


def script(host: str, path: str, fleet: Path = FLEET) -> str:
    config = load_for_machine(str(fleet), None, host=host)  # type: ignore[arg-type]
    files = {f["path"]: f for f in yaml.safe_load(render_config(config))["write_files"]}
    assert files[path]["permissions"] == "0755"
    return files[path]["content"]


def run(text: str, fake: Path, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run a script with the stand-ins first on PATH; its output and the calls it made."""
    (fake / "down").mkdir(parents=True, exist_ok=True)
    (fake / "script").write_text(text)
    environ = dict(os.environ, PATH=f"{STANDINS}:{os.environ['PATH']}", FAKE=str(fake),
                   COS_HA_DELAY="0", COS_POOL_DELAY="0", COS_STATE_DIR=str(fake / "state"),
                   **env)  # fmt: skip
    calls = fake / "calls"
    calls.write_text("")
    done = subprocess.run(["sh", str(fake / "script")], capture_output=True, text=True,
                          env=environ, timeout=60)  # fmt: skip
    return done, calls.read_text().splitlines()


def test_primary_initiates_rs0_with_the_members_in_order_then_starts_the_rest(tmp_path):
    done, calls = run(script("controller1", HA_SCRIPT), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls == [
        PINGS[0],
        STATUS,
        *PINGS[1:],
        f"mongo --quiet --eval printjson({INITIATE})",
        STATUS,
        *START_REST,
    ]
    assert (tmp_path / "initiated").read_text() == f"printjson({INITIATE})\n"
    sections = [line.split("(guide ", 1)[1].split(")")[0] for line in done.stdout.splitlines()]
    assert sections[0] == "3.1.2.1" and sections[-1] == "3.1.2.3"
    assert sorted(set(sections)) == ["3.1.2.1", "3.1.2.2", "3.1.2.3"]
    assert not any("prometheus" in c or "controller" in c.split()[-1] for c in calls)


def test_a_rerun_leaves_rs0_alone(tmp_path):
    text = script("controller1", HA_SCRIPT)
    run(text, tmp_path)
    done, calls = run(text, tmp_path)
    assert done.returncode == 0
    assert calls == [PINGS[0], STATUS, STATUS, *START_REST]
    assert not any("rs.initiate" in c for c in calls)
    assert "rs0 exists: left alone" in done.stdout


def test_the_primary_waits_while_a_peer_is_down(tmp_path):
    (tmp_path / "down").mkdir()
    (tmp_path / "down" / "192.168.122.172").write_text("4")
    done, calls = run(script("controller1", HA_SCRIPT), tmp_path)
    assert done.returncode == 0, done.stdout
    pings = [c for c in calls if "--host 192.168.122.172" in c]
    assert len(pings) == 5  # four refused, then it answers
    first_initiate = next(i for i, c in enumerate(calls) if "rs.initiate" in c)
    assert first_initiate > calls.index(pings[-1])
    assert "waiting for member 192.168.122.172:27017 (try 1 of 720)" in done.stdout


def test_the_wait_is_bounded_and_nothing_else_starts(tmp_path):
    (tmp_path / "down").mkdir()
    (tmp_path / "down" / "192.168.122.171").write_text("1000")
    done, calls = run(script("controller1", HA_SCRIPT), tmp_path, COS_HA_TRIES="7")
    assert done.returncode == 1
    assert len([c for c in calls if "--host 192.168.122.171" in c]) == 7
    assert not any(c.startswith(("cspherectl", "systemctl")) or "rs.initiate" in c for c in calls)
    assert "gave up waiting for member 192.168.122.171:27017 after 7 tries" in done.stdout


@pytest.mark.parametrize("host", ["controller2", "controller3"])
def test_a_secondary_never_initiates_and_waits_for_rs0(tmp_path, host):
    (tmp_path / "rs0.countdown").write_text("3")
    done, calls = run(script(host, HA_SCRIPT), tmp_path)
    assert done.returncode == 0, done.stdout
    assert calls == [PINGS[0], STATUS, STATUS, STATUS, STATUS, *START_REST]
    assert "initiated by 192.168.122.170" in done.stdout


# --- the container IP pool (guide 3.4) ----------------------------------------------------


def test_the_pool_owner_sets_each_range_once_its_services_answer(tmp_path):
    (tmp_path / "net-plugin.down").write_text("2")
    done, calls = run(script("node1", POOL_SCRIPT), tmp_path)
    assert done.returncode == 0, done.stdout
    first = "net-plugin ip-range --ip-start=192.168.122.200/24 --ip-end=192.168.122.250/24"
    second = "net-plugin ip-range --ip-start=192.168.122.20/24 --ip-end=192.168.122.29/24"
    assert calls == [first, first, first, second]
    assert "(guide 3.4): set the container IP pool 192.168.122.20/24 - 192.168.122.29/24" in (
        done.stdout
    )
    again, calls = run(script("node1", POOL_SCRIPT), tmp_path)
    assert again.returncode == 0 and calls == []  # the marker file: nothing set twice
    assert again.stdout.count("left alone") == 2


def test_a_half_done_pool_resumes_where_it_stopped(tmp_path):
    (tmp_path / "net-plugin.down").write_text("0")
    state = tmp_path / "state"
    state.mkdir()
    (state / "ip-pool.done").write_text("192.168.122.200/24 192.168.122.250/24\n")
    done, calls = run(script("node1", POOL_SCRIPT), tmp_path)
    assert done.returncode == 0
    assert calls == ["net-plugin ip-range --ip-start=192.168.122.20/24 --ip-end=192.168.122.29/24"]


def test_the_pool_gives_up_after_its_tries(tmp_path):
    (tmp_path / "net-plugin.down").write_text("1000")
    done, calls = run(script("node1", POOL_SCRIPT), tmp_path, COS_POOL_TRIES="5")
    assert done.returncode == 1 and len(calls) == 5
    assert "run: net-plugin ip-range --ip-start=192.168.122.200/24" in done.stdout
    assert (tmp_path / "state" / "ip-pool.done").read_text() == ""


def test_the_ipvlan_owner_also_sets_the_fixed_ipvlan_range(tmp_path):
    fleet = GOLDEN / "agent-ipvlan-pool.yaml"
    done, calls = run(script("node1", POOL_SCRIPT, fleet), tmp_path)
    assert done.returncode == 0
    assert calls == [
        "net-plugin ip-range --ip-start=192.168.122.200/24 --ip-end=192.168.122.250/24",
        "net-plugin ip-range --ip-start=172.17.0.1/16 --ip-end=172.17.0.254/16",
    ]
