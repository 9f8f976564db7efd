"""The Agent screen's container IP pool (guide 3.4): the engine's validator, who sets it (this
agent by default when a pool is given here), an answers file's ranges, and the Summary and
Done screens showing it."""

from __future__ import annotations

from .conftest import AGENT_VALUES, CONTROLLER_VALUES, at, changed

POOL = "192.168.122.200/24-192.168.122.250/24"


def test_a_pool_given_makes_this_agent_set_it_unless_the_operator_says_otherwise():
    h = at("agent", AGENT_VALUES)
    view = h.app.view
    assert view.owner.selected is False, "no pool: nothing for this agent to set"
    view.focus_widget(view.pool)
    h.type(POOL)
    assert view.owner.selected is True
    h.press("enter")
    assert h.step == "system"
    agent = h.app.wizard.answers["agent"]
    assert (agent["ip_pool"], agent["ip_pool_owner"]) == (POOL, True)


def test_the_operators_choice_is_kept_while_typing():
    h = at("agent", AGENT_VALUES)
    view = h.app.view
    view.focus_widget(view.owner)
    h.press("down", " ")  # another agent sets it
    view.focus_widget(view.pool)
    h.type(POOL)
    assert view.owner.selected is False
    h.press("enter")
    assert h.app.wizard.answers["agent"]["ip_pool_owner"] is False


def test_a_bad_pool_is_said_under_the_field_by_the_engines_validator():
    h = at("agent", AGENT_VALUES)  # its address 192.168.122.103/24 is known (Esc back)
    view = h.app.view
    view.pool.value = "192.168.122.100/24-192.168.122.110/24"
    h.press("enter")
    assert h.step == "agent"
    assert "contains 192.168.122.103, a host's address or gateway" in view.pool.error
    view.pool.value = "192.168.122.250-192.168.122.200"
    h.press("enter")
    assert "start 192.168.122.250 is after end 192.168.122.200" in view.pool.error


def test_an_answers_files_ranges_prefill_the_field():
    from cos_installer.screens.state import prefill

    data = changed(AGENT_VALUES, agent__ip_pool=[
        {"start": "192.168.122.200/24", "end": "192.168.122.210/24"},
        {"start": "192.168.122.220/24", "end": "192.168.122.230/24"}])  # fmt: skip
    h = at("agent", prefill(data))
    assert h.app.view.pool.value == (
        "192.168.122.200/24-192.168.122.210/24, 192.168.122.220/24-192.168.122.230/24"
    )
    assert h.app.view.owner.selected is True


def flat(h) -> str:
    return " ".join(line.strip("│ ") for line in h.text())


def test_summary_and_done_show_the_pool_and_who_sets_it():
    owner = changed(AGENT_VALUES, agent__ip_pool=POOL, agent__ip_pool_owner=True)
    shown = flat(at("confirm", owner))
    assert "IP pool     192.168.122.200/24-192.168.122.250/24 (this agent sets it)" in shown
    assert "172.17.0.1/16-172.17.0.254/16 at first boot" in flat(at("done", owner))  # Ipvlan
    other = changed(owner, agent__ip_pool_owner=False)
    assert "IP pool: 192.168.122.200/24-192.168.122.250/24 (another agent sets it)" in flat(
        at("done", other)
    )
    ipvlan_only = changed(AGENT_VALUES, agent__ip_pool_owner=True)
    assert "IP pool     172.17.0.1/16-172.17.0.254/16 (this agent sets it)" in flat(
        at("confirm", ipvlan_only)
    )


def test_summary_and_done_show_the_group_with_the_primary_marked():
    for step in ("confirm", "done"):
        shown = flat(at(step, CONTROLLER_VALUES))
        assert "192.168.122.101 (primary, this machine), 192.168.122.102," in shown, step
