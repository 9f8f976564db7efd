"""Which view shows which step: `flow.Step` -> the screen module's `View`, by plain imports
(the reader and the import checker see every edge)."""

from __future__ import annotations

from cos_installer.flow import Step

from . import (
    address,
    agent,
    confirm,
    controller,
    data_disk,
    dhcp,
    disk,
    done,
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
    Step.NETWORK_MODEL: network_model.View,
    Step.DHCP: dhcp.View,
    Step.ADDRESS: address.View,
    Step.DISK: disk.View,
    Step.DATA_DISK: data_disk.View,
    Step.CONFIRM: confirm.View,
    Step.PROGRESS: progress.View,
    Step.REVIEW: review.View,
    Step.DONE: done.View,
}
MEDIA_NOT_READY = media.View  # shown instead of Welcome while the install medium is missing


def view_for(step: Step, media_missing: bool = False) -> type:
    """The view class of `step` (the CDROM screen in Welcome's place when the medium is not
    found)."""
    if step is Step.WELCOME and media_missing:
        return MEDIA_NOT_READY
    return VIEWS[step]
