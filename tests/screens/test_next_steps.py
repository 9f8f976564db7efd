"""The Done screen's "Next steps" and the same steps after `cos-installer install`: each role
gets the guide's post-install commands (quoted below from the guide), and the screen still fits
80x24 in English and in Chinese."""

from __future__ import annotations

import re

import pytest
from urwid.str_util import calc_width

from cos_installer.answers.loader import load_answers
from cos_installer.render import nextsteps

from .conftest import AGENT_VALUES, CONTROLLER_VALUES, at, changed
from .test_fields import flat

# As the guide writes them (3.1.2.1, 3.1.2.2, 3.1.2.3, 3.4); whitespace runs count as one.
GUIDE_IPVLAN = "# net-plugin ip-range --ip-start=172.17.0.1/16  --ip-end=172.17.0.254/16"
GUIDE_POOL = "# net-plugin ip-range --ip-start=192.168.122.200/24  --ip-end=192.168.122.250/24"
GUIDE_RS = (
    '> rs.initiate({ _id: "rs0", version: 1, members: [ { _id: 0, host: "192.168.122.170:27017"}'
    ', { _id: 1, host: "192.168.122.171:27017"}, { _id: 2, host: "192.168.122.172:27017"}  ] });'
)
GUIDE_HA_ORDER = [
    "$ sudo cspherectl stop",
    "$ sudo cspherectl start mongodb",
    "$ mongo",
    GUIDE_RS,
    "$ sudo cspherectl  start etcd",
    "$ sudo cspherectl  start docker",
    "$ sudo cspherectl  start monitor",
    "$ sudo systemctl enable csphere-monitor",
]
SAMPLES = "cos_installer/samples"

VARIANTS = {
    "controller-ha": CONTROLLER_VALUES,
    "controller-single": changed(
        CONTROLLER_VALUES,
        controller__ha=False,
        controller__http_port="8080",
        controller__cluster_size=5,
    ),
    "agent-bridge": changed(AGENT_VALUES, agent__network_model="bridge", data_disk="/dev/sdb"),
    "agent-ipvlan": AGENT_VALUES,  # no data disk
    "agent-dhcp": changed(AGENT_VALUES, network__dhcp=True),
    "agent-pool": changed(
        AGENT_VALUES,
        agent__ip_pool="192.168.122.200/24-192.168.122.250/24",
        agent__ip_pool_owner=True,
    ),
}


def command(guide_line: str) -> str:
    """A guide line without its prompt, whitespace runs made one space."""
    return " ".join(guide_line.split()[1:])


def rows_of(h) -> list[str]:
    """The rows inside the box, right-trimmed."""
    return [line[2:-1].rstrip() for line in h.text()[2:-2]]


def shown_commands(h) -> list[str]:
    """Commands on the Done screen: rows indented by 4; a wrapped command keeps the indent."""
    commands: list[str] = []
    for row in rows_of(h):
        if row.startswith("    ") and not row.startswith("     "):
            if row.strip().startswith(("net-plugin", "rs.initiate", "sudo", "mongo")):
                commands.append(row.strip())
            else:
                commands[-1] += " " + row.strip()
    return commands


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_done_screen_fits_80x24_with_its_next_steps(language, name):
    h = at("done", VARIANTS[name])
    lines = h.text()
    assert len(lines) == 24 and all(calc_width(line, 0, len(line)) <= 80 for line in lines)
    need = sum(w.rows((76,), False) for w in h.app.view.walker)
    assert need <= 20, f"{need} rows: the Done screen would scroll"
    heading = "Next steps" if language == "en" else "后续步骤"
    assert any(heading in row for row in rows_of(h))


def test_ha_controller_done_says_the_group_is_set_up_at_first_boot():
    """The group is known (the wizard asks it, answers files must give it): no hand step."""
    h = at("done", CONTROLLER_VALUES)
    assert shown_commands(h) == []
    text = flat(h.show())
    assert "once all three answer, 192.168.122.101 initiates rs0 with 192.168.122.101, " in text
    assert "192.168.122.102, 192.168.122.103 in this order" in text
    assert "journalctl -u cos-ha-group.service" in text and "http://<controller1 IP>/" in text


def test_without_a_group_the_steps_are_the_guides_hand_steps_in_order():
    """Kept for a config built without a group (an answers file cannot give one)."""
    steps = nextsteps.next_steps("controller", ha=True, every_command=True)
    text = " ".join(line for _, line in steps)
    for section in ("3.1.2.1", "3.1.2.2", "3.1.2.3", "3.1.3"):
        assert f"{section}" in text
    order = [text.index(word) for word in ("start mongodb alone", "in mongo", "start etcd")]
    assert order == sorted(order), "stop and mongodb, then the replica set, then the rest"
    assert "never start prometheus, controller or agent by hand" in text
    shown = [_generic(line) for kind, line in steps if kind == "run"]
    assert shown == [_generic(command(line)) for line in GUIDE_HA_ORDER]


def _ip_n(match: re.Match) -> str:
    return f"IP{int(match.group(1)) + 1}"


def test_single_controller_is_browsed_at_its_own_address_and_needs_no_replica_set():
    h = at("done", VARIANTS["controller-single"])
    text = flat(h.show())
    assert shown_commands(h) == []
    assert "http://192.168.122.101:8080/" in text and "at least 5 of them" in text
    assert "mongo" not in text


@pytest.mark.parametrize("name", ["agent-bridge", "agent-ipvlan", "agent-dhcp"])
def test_agents_get_the_ip_pool_and_ipvlan_its_second_range(name):
    values = VARIANTS[name]
    h = at("done", values)
    text = flat(h.show())
    pool = command(GUIDE_POOL).replace("192.168.122.200", "<first IP>")
    pool = pool.replace("192.168.122.250", "<last IP>")
    prefix = "<mask>" if values["network"]["dhcp"] else "24"  # the hosts' mask; DHCP: not known yet
    expected = [pool.replace("/24", f"/{prefix}")]
    if values["agent"]["network_model"] == "ipvlan":
        expected.append(command(GUIDE_IPVLAN))
    assert shown_commands(h) == expected
    assert "do not reboot it until at least Cluster Size agents" in text
    assert '"Key not found in store"' in text
    assert ("move it to XFS (3.5)" in text) is (not values.get("data_disk"))


def test_a_wrapped_command_keeps_its_indentation():
    from cos_installer.screens.done import _step_row

    canvas = _step_row("run", nextsteps.REPLICA_SET).render((76,))
    rows = [line.rstrip() for line in canvas.decoded_text]
    assert len(rows) > 1, "the replica-set command is longer than a row"
    assert all(row.startswith("    ") and row[4] != " " for row in rows)


@pytest.mark.parametrize(
    ("sample", "commands"),
    [
        ("controller-ha", []),  # the group is given: set up at first boot
        ("agent-ipvlan", [command(GUIDE_POOL), command(GUIDE_IPVLAN)]),
        ("agent-bridge", [command(GUIDE_POOL)]),
        ("controller-single", []),
    ],
)
def test_plain_text_for_the_cli_has_every_command_of_the_guide_on_one_line(sample, commands):
    config = load_answers(f"{SAMPLES}/{sample}.yaml")
    out = nextsteps.plain_text(nextsteps.steps_of(config, every_command=True))
    assert out.startswith("Next steps") and out.endswith("\n")
    shown = [line.strip() for line in out.splitlines() if line.startswith("      ")]
    generic = [_generic(c) for c in commands]
    assert [_generic(c) for c in shown] == generic
    prose = [line for line in out.splitlines() if not line.startswith("      ")]
    assert all(len(line) <= 78 for line in prose), "sentences are wrapped for a terminal"


def _generic(cmd: str) -> str:
    """Site-specific addresses in the guide's examples become the placeholders shown."""
    cmd = re.sub(r"192\.168\.122\.17(\d):27017", lambda m: f"IP{int(m.group(1)) + 1}:27017", cmd)
    cmd = re.sub(r"192\.168\.122\.(200|250)/\d+", "POOL", cmd)
    return re.sub(r"<(first|last) IP>/\d+", "POOL", cmd)
