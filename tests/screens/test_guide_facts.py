"""What the screens say about the cluster matches the guide: the Role screen's cluster shape
(guide 2, 3.1, 3.2) and the Summary's warning when an agent keeps Docker data off XFS (3.5)."""

from __future__ import annotations

import pytest

from .conftest import AGENT_VALUES, CONTROLLER_VALUES, at, changed
from .test_fields import flat
from .test_layout import held_machine

XFS_WARNING = "Container disk quotas need Docker data on XFS, prjquota (guide 3.5)"


def content_rows(h) -> int:
    """Rows the screen's content takes at 80 columns (76 inside the box and padding)."""
    return sum(w.rows((76,), False) for w in h.app.view.walker)


def test_role_screen_states_the_guides_cluster_shape():
    text = flat(at("role").show())
    assert "1 controller, or 3 as an HA group" in text
    assert "at least Cluster Size agents (3 by default)" in text
    assert "any number of agents" not in text


def test_summary_warns_an_agent_without_a_data_disk_and_erases_only_the_os_disk():
    h = at("confirm", AGENT_VALUES)
    text = flat(h.show())
    assert XFS_WARNING in text and "choose a data disk (Esc) or do 3.5 by hand" in text
    assert "none (Docker data stays on the OS disk)" in text
    assert "ALL DATA WILL BE ERASED ON: /dev/sda (QEMU HARDDISK" in text
    assert "/dev/sdb" not in text, "no second disk is erased by default"
    h.confirm()
    assert h.engine.installs[-1].data_disk is None


@pytest.mark.parametrize(
    "values",
    [
        changed(AGENT_VALUES, data_disk="/dev/sdb"),
        changed(CONTROLLER_VALUES, data_disk=None),
    ],
    ids=["agent-with-data-disk", "controller"],
)
def test_summary_has_no_xfs_warning_when_it_does_not_apply(values):
    assert XFS_WARNING not in flat(at("confirm", values).show())


def test_the_warning_leaves_room_for_the_wipe_question_even_with_a_held_disk(language):
    """The busiest agent Summary (dry run, a RAID holder to stop, no data disk) fits 80x24."""
    h = at("confirm", AGENT_VALUES, machine=held_machine(mounted=False))
    assert content_rows(h) <= 20
    question = "Move to [Erase and install]" if language == "en" else "移到 [清空并安装]"
    shown = h.show()
    assert question in shown and h.app.view.focused_button is h.app.view.back_button
