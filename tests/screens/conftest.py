"""Screen-test helpers: a Machine fake (a collaborator of the UI), an App driven by
urwid.testing's ScriptedScreen at 80x24, and text-rendering helpers."""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import urwid
import urwid.testing
from cos_installer.screens.app import App

from cos_installer.commands.wizard_engine import WizardEngine
from cos_installer.hardware.types import (
    DhcpLease,
    DhcpResult,
    Disk,
    InstallMedia,
    MediaNotReady,
    Nic,
    Partition,
)

GOLDEN = Path(__file__).parent / "golden"
GIB = 1024**3


def demo_nics() -> list[Nic]:
    return [
        Nic("eth0", "52:54:00:12:34:56", True, "virtio_net", 1000),
        Nic("eth1", "52:54:00:12:34:57", True, "e1000", 100),
        Nic("eth2", "52:54:00:12:34:58", False, "e1000"),
    ]


def demo_disks() -> list[Disk]:
    return [
        Disk("/dev/sda", 64 * GIB, "QEMU HARDDISK", "QM00001", transport="sata",
             partitions=(Partition("/dev/sda1", 1 * GIB, "ext4", "old-root"),)),
        Disk("/dev/sdb", 200 * GIB, "QEMU HARDDISK", "QM00002", transport="sata"),
        Disk("/dev/sdc", 2 * GIB, "Tiny Disk", "T1", transport="sata"),
        Disk("/dev/sdd", 4 * GIB, "USB Stick", "U1", transport="usb", removable=True,
             is_install_media=True,
             partitions=(Partition("/dev/sdd1", 4 * GIB, "iso9660", "CDROM", "/run/media"),)),
        Disk("/dev/sde", 100 * GIB, "Busy Disk", "B1", transport="sas",
             partitions=(Partition("/dev/sde1", 100 * GIB, "xfs", None, "/mnt/data"),)),
    ]  # fmt: skip


@dataclass
class FakeMachine:
    """Machine protocol with settable link states and DHCP answers."""

    nics_list: list[Nic] = field(default_factory=demo_nics)
    disks_list: list[Disk] = field(default_factory=demo_disks)
    links: dict[str, bool] = field(default_factory=dict)
    media_ok: bool = True
    dhcp_calls: list[str] = field(default_factory=list)

    def disks(self) -> list[Disk]:
        return list(self.disks_list)

    def nics(self, all_nics: bool = False) -> list[Nic]:
        return list(self.nics_list)

    def link_states(self, names: list[str]) -> dict[str, bool]:
        base = {n.name: n.linked for n in self.nics_list}
        base.update(self.links)
        return {name: base.get(name, False) for name in names}

    def dhcp(self, interface: str, timeout: float = 10.0) -> DhcpResult:
        self.dhcp_calls.append(interface)
        if interface == "eth0":
            lease = DhcpLease(
                ipaddress.IPv4Interface("192.168.122.57/24"),
                ipaddress.IPv4Address("192.168.122.1"),
                (ipaddress.IPv4Address("192.168.122.1"),),
            )
            return DhcpResult(interface, lease=lease, message="lease from DHCP")
        return DhcpResult(interface, message=f"no DHCP answer on {interface} in 10 s")

    def install_media(self) -> InstallMedia:
        if not self.media_ok:
            raise MediaNotReady("no device with the label CDROM was found")
        return InstallMedia("/dev/sdd1", "/run/media/cos.img.zst")


class FakeEngine(WizardEngine):
    """Real engine (from_mapping, render); fake hardware; a recorded install."""

    def __init__(self, machine: FakeMachine | None = None, dry_run: bool = True) -> None:
        super().__init__(dry_run=dry_run, profile=None)
        self.machine = machine or FakeMachine()
        self.installs: list[Any] = []
        self.cleared: list[bool] = []  # clear_holders of each install
        self.opened = 0

    def open_machine(self) -> FakeMachine:
        self.opened += 1
        return self.machine

    def run_install(
        self, config, *, listener, cancel, machine, payload, chosen=None, chosen_data=None,
        clear_holders=False,
    ):  # fmt: skip
        from cos_installer.render.config import render_config
        from cos_installer.support.events import Event

        self.installs.append(config)
        self.cleared.append(clear_holders)
        listener(Event("stage-start", stage="write"))
        listener(Event("progress", stage="write", done=GIB, total=4 * GIB, rate=GIB, eta=3))
        listener(Event("stage-end", stage="write"))
        return _Result(ok=True, user_data=render_config(config))


@dataclass
class _Result:
    ok: bool
    stage: str = "finish"
    message: str = ""
    user_data: str = ""
    plan: list = field(default_factory=list)


class Clock:
    """A monotonic clock the test moves: the confirmations' one-second guard without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Harness:
    """An App at 80x24 on a ScriptedScreen; `press()` feeds keys one batch each and returns
    the text of the last frame."""

    def __init__(self, engine: FakeEngine, answers: dict | None = None, size=(80, 24), **kw):
        self.engine = engine
        self.screen = kw.pop("screen", None) or urwid.testing.ScriptedScreen(size=size)
        self.clock = kw.pop("clock", None) or Clock()
        self.app = App(engine, dry_run=engine.dry_run, answers=answers,
                       screen=self.screen, sync=True, clock=self.clock, **kw)  # fmt: skip
        self.app.probe()

    def confirm(self) -> str:
        """Erase on the Summary as an operator does: read it (drawn, a second passes), move
        to [Erase and install], Enter."""
        from cos_installer.common.typeahead import GUARD_S

        assert self.step == "confirm", f"not on the Summary but on {self.step}"
        self.show()
        self.clock.advance(GUARD_S + 0.1)
        return self.press("tab", "enter")

    def text(self) -> list[str]:
        size = self.screen.size
        urwid.CanvasCache.clear()
        canvas = self.app.loop.widget.render(size, focus=True)
        return [line.rstrip() for line in canvas.decoded_text]

    def show(self) -> str:
        return "\n".join(self.text())

    def press(self, *keys: str) -> str:
        for key in keys:
            keys_left = self.app.keys.filter([key], [])
            for k in keys_left:
                left = self.app.loop.widget.keypress(self.screen.size, k)
                if left is not None:
                    self.app.keys.unhandled(left)
        return self.show()

    def type(self, text: str) -> str:
        return self.press(*list(text))

    def paste(self, text: str) -> str:
        """`text` as a terminal delivers a paste: every character in one input batch."""
        for k in self.app.keys.filter(list(text), []):
            left = self.app.loop.widget.keypress(self.screen.size, k)
            if left is not None:
                self.app.keys.unhandled(left)
        return self.show()

    @property
    def step(self) -> str:
        return self.app.wizard.step.value


@pytest.fixture
def machine() -> FakeMachine:
    return FakeMachine()


@pytest.fixture
def harness(machine: FakeMachine) -> Harness:
    return Harness(FakeEngine(machine))


def clear(harness: Harness, n: int = 40) -> None:
    harness.press(*(["backspace"] * n))


CONTROLLER_VALUES = {
    "role": "controller",
    "controller": {"http_port": 80, "cluster_size": 3, "ha": True,
                   "group": ["192.168.122.101", "192.168.122.102", "192.168.122.103"]},
    "system": {"hostname": "controller1", "password": "cos"},
    "network": {"interface": "eth0", "dhcp": False, "address": "192.168.122.101/24",
                "gateway": "192.168.122.1", "dns": "192.168.122.1"},
    "disk": "/dev/sda", "data_disk": "/dev/sdb",
}  # fmt: skip
AGENT_VALUES = {
    "role": "agent",
    "agent": {"controllers": "192.168.122.170:80,192.168.122.171:80", "install_code": "8070",
              "docker_gateway": "", "docker_dns": "", "network_model": "ipvlan"},
    "system": {"hostname": "node1", "password": "cos"},
    "network": {"interface": "eth1", "dhcp": False, "address": "192.168.122.103/24",
                "gateway": "192.168.122.1", "dns": "192.168.122.1"},
    "disk": "/dev/sda",
}  # fmt: skip


def changed(answers: dict, **paths) -> dict:
    """A copy of `answers` with `section__key=value` changes (`None` removes the key)."""
    out = copy.deepcopy(answers)
    for path, value in paths.items():
        *sections, key = path.split("__")
        where = out
        for name in sections:
            where = where.setdefault(name, {})
        if value is None:
            where.pop(key, None)
        else:
            where[key] = value
    return out


def at(step: str, answers: dict | None = None, machine: FakeMachine | None = None,
       entered: dict | None = None, **kw) -> Harness:  # fmt: skip
    """A harness showing `step` with `answers` already entered (as if walked there); the
    password counts as typed twice unless `entered` says otherwise."""
    from cos_installer.screens.state import entered_from

    from cos_installer.flow import Step

    h = Harness(FakeEngine(machine or FakeMachine()), **kw)
    h.app.wizard.answers.update(copy.deepcopy(answers or {}))
    h.app.entered = dataclasses.replace(entered_from(h.app.wizard.answers), **(entered or {}))
    if step in ("progress", "review", "done"):
        h.app.show(Step.CONFIRM)  # the Summary validates the answers into the InstallConfig
    h.app.show(Step(step))
    return h


@pytest.fixture(params=["en", "zh_CN"])
def language(request):
    """Each test once in English and once in Chinese (the screens must fit in both)."""
    from cos_installer import i18n

    i18n.set_language(request.param)
    try:
        yield request.param
    finally:
        i18n.set_language("en")
