"""Live NIC changes for the NIC screen: link up/down and NICs plugged in or removed.

Carrier changes raise no udev event, so link state is polled: `poll()` reads one small sysfs
file per NIC (profiles: one stat of the file), cheap enough for every 0.2-0.5 s; a cable
plugged in therefore shows within one poll interval. Hotplug (add/remove/rename) comes from a
pyudev monitor (udev's events when udevd runs, the kernel's otherwise); its `fileno()` can be
handed to the UI loop (urwid `watch_file`) to react at once. Machines without a monitor
(profiles) are compared by their NIC list on each poll.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from cos_installer.hardware.types import Machine


@dataclass(frozen=True)
class NicChange:
    kind: str  # "link" (linked tells the new state), "added", "removed"
    name: str
    linked: bool | None = None


def _udev_monitor() -> Any | None:
    try:
        import pyudev

        source = "udev" if os.path.exists("/run/udev/control") else "kernel"
        monitor = pyudev.Monitor.from_netlink(pyudev.Context(), source=source)
        monitor.filter_by("net")
        monitor.start()
        return monitor
    except Exception:  # noqa: BLE001 - no netlink (sandbox): fall back to list comparison
        return None


class NicWatcher:
    """Call `poll()` from the UI loop; it returns what changed since the last call."""

    def __init__(self, machine: Machine, all_nics: bool = False, hotplug: bool = True) -> None:
        self.machine = machine
        self.all_nics = all_nics
        self.names = self._names()
        self.states = machine.link_states(self.names)
        real = hasattr(machine, "nic_names")
        self.monitor = _udev_monitor() if hotplug and real else None

    def _names(self) -> list[str]:
        names = getattr(self.machine, "nic_names", None)
        if names is not None:
            return list(names(self.all_nics))
        return [n.name for n in self.machine.nics(self.all_nics)]

    def fileno(self) -> int | None:
        return self.monitor.fileno() if self.monitor is not None else None

    def _hotplug_pending(self) -> bool:
        if self.monitor is None:
            return True  # no events to rely on: compare the list every poll
        seen = False
        while self.monitor.poll(timeout=0) is not None:
            seen = True
        return seen

    def poll(self) -> list[NicChange]:
        changes: list[NicChange] = []
        if self._hotplug_pending():
            names = self._names()
            changes += [NicChange("removed", n) for n in self.names if n not in names]
            changes += [NicChange("added", n) for n in names if n not in self.names]
            self.names = names
        states = self.machine.link_states(self.names)
        for name, linked in states.items():
            if self.states.get(name) != linked:
                changes.append(NicChange("link", name, linked))
        self.states = states
        return changes

    def close(self) -> None:
        self.monitor = None
