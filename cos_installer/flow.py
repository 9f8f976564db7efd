"""The wizard's steps, their order per role, and next/back/restart. Pure: no I/O, no urwid.

Screens ask `Wizard` what comes next; role-specific skipping, the steps that only some answers
need (the bond mode, asked only when several NICs were marked) and the point of no return (the
wipe confirmation) are decided here and nowhere else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from cos_installer.answers import validate
from cos_installer.answers.model import DEFAULT_HA, Role


class Step(enum.StrEnum):
    WELCOME = "welcome"
    ROLE = "role"
    CONTROLLER = "controller"  # HTTP Port, Cluster Size
    HA = "ha"
    AGENT = "agent"  # Controller list, InstallCode
    SYSTEM = "system"  # HostName, Password (twice)
    NIC = "nic"
    BOND = "bond"  # the bond mode: only when several NICs were marked
    NETWORK_MODEL = "network_model"  # agent only: Bridge / Ipvlan
    DHCP = "dhcp"
    ADDRESS = "address"  # IP/Mask, Gateway, DnsMaster
    GROUP = "group"  # HA controller only: the group's three addresses, the primary first
    DISK = "disk"
    DATA_DISK = "data_disk"  # optional Docker data disk (guide section 3.5)
    CONFIRM = "confirm"  # summary + wipe confirmation: the point of no return
    PROGRESS = "progress"
    REVIEW = "review"  # the generated cloud-config, scrollable
    DONE = "done"


_COMMON_HEAD = (Step.WELCOME, Step.ROLE)
_ADDRESS = (Step.DHCP, Step.ADDRESS)
_TAIL = (
    Step.DISK,
    Step.DATA_DISK,
    Step.CONFIRM,
    Step.PROGRESS,
    Step.REVIEW,
    Step.DONE,
)
_NIC = (Step.NIC, Step.BOND)
STEPS: dict[Role, tuple[Step, ...]] = {
    Role.CONTROLLER: _COMMON_HEAD
    + (Step.CONTROLLER, Step.HA, Step.SYSTEM, *_NIC, *_ADDRESS, Step.GROUP)
    + _TAIL,
    Role.AGENT: _COMMON_HEAD
    + (Step.AGENT, Step.SYSTEM, *_NIC, Step.NETWORK_MODEL, *_ADDRESS)
    + _TAIL,
}
POINT_OF_NO_RETURN = Step.CONFIRM


def bonded(answers: dict[str, Any] | None) -> bool:
    """Several NICs chosen (`network.interface` a list of two or more): they make a bond."""
    network = (answers or {}).get("network")
    interface = network.get("interface") if isinstance(network, dict) else None
    return isinstance(interface, list | tuple) and len(interface) > 1


def ha_controller(answers: dict[str, Any] | None) -> bool:
    """An HA controller (the HA screen's answer, or the default until it is given): its
    group's addresses are asked after the address screen (the group is checked against it)."""
    controller = (answers or {}).get("controller")
    value = controller.get("ha") if isinstance(controller, dict) else None
    try:
        return validate.yes_no(value) if value is not None else DEFAULT_HA
    except validate.FieldError:
        return DEFAULT_HA  # the engine says what is wrong with it on the Summary


# steps shown only when the answers so far need them
_ONLY_WHEN = {Step.BOND: bonded, Step.GROUP: ha_controller}


def steps_for(role: Role | None, answers: dict[str, Any] | None = None) -> tuple[Step, ...]:
    """The steps for a role and the answers so far; before a role is chosen, only the common
    head is known."""
    if role is None:
        return _COMMON_HEAD
    return tuple(s for s in STEPS[role] if s not in _ONLY_WHEN or _ONLY_WHEN[s](answers))


def next_step(step: Step, role: Role | None, answers: dict[str, Any] | None = None) -> Step | None:
    steps = steps_for(role, answers)
    if step not in steps:
        raise ValueError(f"step {step} is not part of the {role or 'unchosen'} flow")
    index = steps.index(step)
    return steps[index + 1] if index + 1 < len(steps) else None


def previous_step(
    step: Step, role: Role | None, answers: dict[str, Any] | None = None
) -> Step | None:
    """The step Esc returns to, or None: at Welcome, and from the confirmation on."""
    steps = steps_for(role, answers)
    if step not in steps:
        raise ValueError(f"step {step} is not part of the {role or 'unchosen'} flow")
    index = steps.index(step)
    if index == 0:
        return None
    if role is not None and index > steps.index(POINT_OF_NO_RETURN):
        return None  # the disk has been written: there is nothing to go back to
    return steps[index - 1]


def can_go_back(step: Step, role: Role | None, answers: dict[str, Any] | None = None) -> bool:
    return previous_step(step, role, answers) is not None


@dataclass
class Wizard:
    """Where the operator is and the answers entered so far (kept across back and forth), in
    the nested shape of an answers file (role, controller, agent, system, network, disk, ...)."""

    step: Step = Step.WELCOME
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[Step] = field(default_factory=list)

    @property
    def role(self) -> Role | None:
        value = self.answers.get("role")
        return Role(value) if value is not None else None

    @property
    def ha(self) -> bool:
        """An HA controller (the HA screen's answer, or the default until it is given)."""
        return ha_controller(self.answers)

    @property
    def steps(self) -> tuple[Step, ...]:
        return steps_for(self.role, self.answers)

    @property
    def position(self) -> tuple[int, int]:
        """1-based index of the current step and the number of steps, for "Step 3 of 14"."""
        steps = self.steps
        return (steps.index(self.step) + 1 if self.step in steps else 0, len(steps))

    @property
    def past_point_of_no_return(self) -> bool:
        role = self.role
        return role is not None and self.steps.index(self.step) > self.steps.index(
            POINT_OF_NO_RETURN
        )

    def advance(self) -> Step:
        if self.step is Step.ROLE and self.role is None:
            raise ValueError("choose a role before going on")
        nxt = next_step(self.step, self.role, self.answers)
        if nxt is None:
            raise ValueError(f"{self.step} is the last step")
        self.history.append(self.step)
        self.step = nxt
        return nxt

    def back(self) -> Step | None:
        """Go to the previous step keeping every value; None (and no move) when not allowed."""
        prev = previous_step(self.step, self.role, self.answers)
        if prev is None:
            return None
        self.step = prev
        return prev

    def restart(self) -> None:
        """Ctrl+D: start again from Welcome with no answers (fresh probes are the UI's job)."""
        self.step = Step.WELCOME
        self.answers.clear()
        self.history.clear()
