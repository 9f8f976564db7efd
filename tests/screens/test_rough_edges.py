"""What a new user's walk through the wizard found (issue 19): each rough edge, as seen on the
80x24 screen."""

from __future__ import annotations

import re

import pytest

from cos_installer.hardware.types import Disk

from .conftest import (
    AGENT_VALUES,
    CONTROLLER_VALUES,
    GIB,
    FakeEngine,
    FakeMachine,
    at,
    changed,
    demo_disks,
)
from .test_fields import flat
from .test_layout import installed

DHCP = {"network__dhcp": True, "network__address": None, "network__gateway": None,
        "network__dns": None}  # fmt: skip


def retype(h, attr: str, value: str) -> str:
    view = h.app.view
    view.focus_widget(getattr(view, attr))
    h.press(*["backspace"] * 60)
    h.type(value)
    return h.press("enter")


def test_a_port_with_a_leading_zero_is_refused_on_the_controller_screen():
    h = at("controller", CONTROLLER_VALUES)
    shown = flat(retype(h, "port", "080"))
    assert h.step == "controller"
    assert "'080' has a leading zero: write the port without it, e.g. 80" in shown


@pytest.mark.parametrize(
    ("step", "values", "attr"),
    [
        ("controller", CONTROLLER_VALUES, "port"),
        ("address", CONTROLLER_VALUES, "address"),
        ("address", CONTROLLER_VALUES, "gateway"),
        ("system", CONTROLLER_VALUES, "hostname"),
    ],
)
def test_an_empty_field_says_required_not_that_nothing_is_not_a_value(step, values, attr):
    h = at(step, values)
    shown = flat(retype(h, attr, ""))
    assert h.step == step
    assert getattr(h.app.view, attr).error.startswith("required: ")
    assert "''" not in shown


def test_the_dhcp_clients_words_never_reach_the_address_screen(language):
    """Pre-filled by DHCP, the address edited, back to the NIC screen and on again: the
    screen says, in the wizard's language, that the typed address is kept."""
    h = at("nic", changed(CONTROLLER_VALUES, network__address=None, network__gateway=None))
    h.press("enter")
    assert h.step == "address" and "192.168.122.57/24" in h.show()
    retype(h, "address", "192.168.122.101/24")
    h.press("esc", "esc")
    assert h.step == "nic"
    shown = h.press("enter")
    assert h.step == "address"
    assert "192.168.122.101/24" in shown
    assert "lease from DHCP" not in shown
    kept = "the address entered is kept" if language == "en" else "保留已填写的地址"
    assert kept in flat(shown)


def test_a_long_serial_is_cut_with_a_mark_and_the_summary_has_it_whole():
    disks = demo_disks()
    disks[1] = Disk("/dev/sdb", 200 * GIB, "SAMSUNG MZ7LH960HAJR-00005", "S45NNA0M123456789012",
                    transport="sata")  # fmt: skip
    h = at("disk", CONTROLLER_VALUES, machine=FakeMachine(disks_list=disks))
    shown = h.show()
    assert "S45NNA0M12345... sata" in shown and "SAMSUNG MZ7LH960H... " in shown
    h = at("confirm", CONTROLLER_VALUES, machine=FakeMachine(disks_list=disks))
    assert "serial S45NNA0M123456789012" in flat(h.show())


def test_the_host_name_prompt_says_the_rule_the_validator_applies():
    h = at("system", CONTROLLER_VALUES)
    prompt = flat(h.show())
    assert "a-z, 0-9 and '-', and '.' between the parts of a full name" in prompt
    retype(h, "hostname", " node1.example.com ")
    assert h.step != "system"
    assert h.app.wizard.answers["system"]["hostname"] == "node1.example.com"


def test_dns_servers_take_a_comma_as_the_prompt_says_and_a_space_is_refused():
    h = at("address", CONTROLLER_VALUES)
    assert "several: 10.0.0.2,10.0.0.3" in h.show()
    shown = flat(retype(h, "dns", "10.0.0.2 10.0.0.3"))
    assert h.step == "address"
    assert "separate DNS servers with ','" in shown
    retype(h, "dns", "10.0.0.2,10.0.0.3")
    assert h.step == "disk"


@pytest.mark.parametrize(
    ("values", "machine", "warning"),
    [
        (changed(CONTROLLER_VALUES, **DHCP), None, "HA controller on DHCP"),
        (changed(AGENT_VALUES, **DHCP), None, "Ipvlan agent on DHCP"),
        (changed(CONTROLLER_VALUES, controller__cluster_size=1), None, "HA with Cluster Size 1"),
        (CONTROLLER_VALUES, FakeMachine(links={"eth0": False}), "eth0 has no link [NoLink]"),
    ],
    ids=["ha-dhcp", "ipvlan-dhcp", "ha-size-1", "nolink"],
)
def test_the_summary_warns_of_a_risky_choice_and_still_offers_the_install(
    language, values, machine, warning
):
    h = at("confirm", values, machine=machine)
    shown = flat(h.show())
    assert (warning in shown) is (language == "en")
    assert h.app.facts.warnings, "the engine found it"
    assert all(w[:12] in shown for w in h.app.facts.warnings)
    erase = "[ Erase and install ]" if language == "en" else "清空并安装"
    assert erase in shown, "a warning, not an error"


def test_a_plain_summary_has_no_warning():
    h = at("confirm", CONTROLLER_VALUES)
    assert h.app.facts.warnings == [] and "!" not in h.show()


def test_the_summary_shows_the_docker_gateway_and_dns_an_agent_sets():
    values = changed(
        AGENT_VALUES, agent__docker_gateway="172.17.0.1", agent__docker_dns="10.0.0.53"
    )
    assert "Docker      gateway 172.17.0.1  DNS 10.0.0.53" in at("confirm", values).show()


@pytest.mark.parametrize("step", ["controller", "agent", "system", "address"])
def test_every_screen_with_text_fields_names_ctrl_d_in_its_footer(language, step):
    values = AGENT_VALUES if step == "agent" else CONTROLLER_VALUES
    footer = at(step, values).text()[-1]
    assert "Ctrl+D" in footer


def test_a_stage_is_one_line_on_the_progress_screen():
    h = installed(CONTROLLER_VALUES)
    rows = h.text()
    assert sum("Writing the COS image" in row for row in rows[4:]) == 1
    assert any(row.strip("│ ").endswith("Writing the COS image: done") for row in rows)


class PlanEngine(FakeEngine):
    """A dry run whose plan is longer than the screen."""

    def run_install(self, config, **kw):
        result = super().run_install(config, **kw)
        result.plan = [f"step {n}: what the dry run would do" for n in range(40)]
        return result


def test_the_whole_dry_run_plan_can_be_read_by_scrolling():
    h = at("confirm", CONTROLLER_VALUES)
    h.engine.__class__ = PlanEngine
    h.confirm()
    seen = set()
    for _page in range(6):
        seen |= {int(m) for m in re.findall(r"step (\d+):", h.show())}
        h.press("page down")
    assert seen == set(range(40))
    assert "Dry run: would have done (40 steps):" in h.press(*["page up"] * 6)
    h.press("enter")
    assert h.step == "review"


def test_each_page_down_on_the_cloud_config_moves_a_page():
    h = installed(CONTROLLER_VALUES)
    h.press("enter")
    assert h.step == "review"
    before = h.text()[2:22]
    after = h.press("page down").splitlines()[2:22]
    overlap = max(k for k in range(len(after)) if k == 0 or before[-k:] == after[:k])
    assert overlap <= 1, f"the first PgDn moved {len(after) - overlap} row(s), not a page"
    again = h.press("page down").splitlines()[2:22]
    assert max(k for k in range(len(again)) if k == 0 or after[-k:] == again[:k]) <= 1
    h.press("page up")
    back = h.press("page up").splitlines()[2:22]
    assert back == before


def test_the_ha_done_screen_names_the_first_controller_when_it_knows_it():
    group = ["192.168.122.101", "192.168.122.102", "192.168.122.103"]
    h = at("done", changed(CONTROLLER_VALUES, controller__group=group))
    shown = flat(h.show())
    assert "http://192.168.122.101/" in shown and "<controller1 IP>" not in shown
