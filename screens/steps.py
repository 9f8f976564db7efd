"""Which view shows which step, and the work around it: `flow.Step` -> the screen module's
`View`, what runs before it is built (`BEFORE`) and once it is shown (`ENTER`), by plain imports
(the reader and the import checker see every edge). The work lives beside its view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cos_installer.flow import Step

from . import (
    address,
    agent,
    bond,
    confirm,
    controller,
    data_disk,
    dhcp,
    disk,
    done,
    group,
    ha,
    media,
    network_model,
    nic,
    progress,
    review,
    role,
    system,
    welcome,
)

VIEWS: dict[Step, type] = {
    Step.WELCOME: welcome.View,
    Step.ROLE: role.View,
    Step.CONTROLLER: controller.View,
    Step.HA: ha.View,
    Step.AGENT: agent.View,
    Step.SYSTEM: system.View,
    Step.NIC: nic.View,
    Step.BOND: bond.View,
    Step.NETWORK_MODEL: network_model.View,
    Step.DHCP: dhcp.View,
    Step.ADDRESS: address.View,
    Step.GROUP: group.View,
    Step.DISK: disk.View,
    Step.DATA_DISK: data_disk.View,
    Step.CONFIRM: confirm.View,
    Step.PROGRESS: progress.View,
    Step.REVIEW: review.View,
    Step.DONE: done.View,
}
BEFORE: dict[Step, Callable[[Any], None]] = {
    Step.CONFIRM: confirm.validate_answers,  # the Summary shows the InstallConfig
}
ENTER: dict[Step, Callable[[Any], None]] = {
    Step.NIC: nic.watch_links,
    Step.BOND: nic.watch_links,
    Step.DHCP: dhcp.start_probe,
    Step.PROGRESS: progress.start_install,
}
MEDIA_NOT_READY = media.View  # shown instead of Welcome while the install medium is missing


def view_for(step: Step, media_missing: bool = False) -> type:
    """The view class of `step` (the CDROM screen in Welcome's place when the medium is not
    found)."""
    if step is Step.WELCOME and media_missing:
        return MEDIA_NOT_READY
    return VIEWS[step]
