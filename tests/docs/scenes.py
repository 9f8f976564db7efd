"""The operator guide's pictures: the real wizard (cos_installer.screens.app.App) driven by
keys, as an operator drives it, on the bundled demo machine profile in a dry run, through
the screen tests' harness (tests/screens/conftest.Harness: an 80x24 ScriptedScreen).

Each scene is a walk that takes pictures on the way; `shoot(lang)` runs every scene in one
language and returns {picture name: canvas data}. Two things are made reproducible: the DHCP
probe of the profile answers at once (its dhcp_delay is 0: only the waiting changes) and
the password hash in the Cloud Config screen gets a fixed salt (a random one otherwise).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import urwid
import yaml
from passlib.hash import sha512_crypt

from cos_installer import i18n
from cos_installer.commands.wizard_engine import WizardEngine

from ..screens.conftest import Harness
from .canvasdata import SIZE, picture_data

DEMO = Path(i18n.__file__).with_name("profiles") / "demo.yaml"
SALT = "cosguide"  # the pictures' password hash: the same at every run
CONTROLLERS = "192.168.122.170:80,192.168.122.171:80,192.168.122.172:80"
LANGUAGES = ("en", "zh_CN")


class DocEngine(WizardEngine):
    """The real engine (profile machine, answers, dry-run install session); a DHCP probe
    calls `on_dhcp` first, so the DHCP screen is pictured while the probe runs."""

    def __init__(self, profile: str, *, dry_run: bool = True) -> None:
        super().__init__(dry_run=dry_run, profile=profile)
        self.on_dhcp: Callable[[], None] = lambda: None

    def open_machine(self) -> Any:
        return _Machine(super().open_machine(), self)

    def run_install(self, config: Any, **kw: Any) -> Any:
        if not self.dry_run:
            raise RuntimeError("the guide's pictures never install for real")
        return super().run_install(config, **kw)


class _Machine:
    def __init__(self, machine: Any, engine: DocEngine) -> None:
        self._machine, self._engine = machine, engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._machine, name)

    def dhcp(self, interface: str, timeout: float = 10.0) -> Any:
        self._engine.on_dhcp()
        return self._machine.dhcp(interface, timeout)


class Walk:
    """One run of the wizard on a profile, taking pictures into `shots`."""

    def __init__(self, shots: dict[str, Any], profile: Path, *, dry_run: bool = True) -> None:
        self.shots = shots
        self.engine = DocEngine(str(profile), dry_run=dry_run)
        self.h = Harness(self.engine, offer_language=True)

    def shot(self, name: str | None) -> None:
        """A picture of the screen as it is now, named `name` (None: none)."""
        if name is None:
            return
        urwid.CanvasCache.clear()
        canvas = self.h.app.loop.widget.render(SIZE, focus=True)
        assert name not in self.shots, f"two pictures named {name}"
        step = self.h.step if self.h.app.errors.failure is None else "error"
        self.shots[name] = picture_data(name, i18n.language(), step, canvas)

    def keys(self, *keys: str) -> None:
        self.h.press(*keys)

    def type(self, text: str) -> None:
        self.h.type(text)

    def field(self, text: str, width: int = 40) -> None:
        """Replace the focused field's text."""
        self.h.press("end", *(["backspace"] * width))
        self.h.type(text)

    def expect(self, step: str) -> None:
        assert self.h.step == step, f"expected the {step} screen, the wizard shows {self.h.step}"


# --- the walks -----------------------------------------------------------------------------


def head(w: Walk, role: str, welcome: str | None = None, chosen: str | None = None) -> None:
    """Welcome and Role."""
    w.expect("welcome")
    w.shot(welcome)
    w.keys("enter")
    w.expect("role")
    w.keys(*(["down"] if role == "agent" else []), " ")
    w.shot(chosen)
    w.keys("enter")


def system(w: Walk, name: str | None, hostname: str) -> None:
    w.expect("system")
    w.field(hostname)
    w.keys("tab")
    w.type("cos")
    w.keys("tab")
    w.type("cos")
    w.shot(name)
    w.keys("enter")


def nic(w: Walk, down: int, name: str | None) -> None:
    w.expect("nic")
    w.keys(*(["down"] * down), " ")
    if name:
        w.shot(name)
    w.keys("enter")


def address(w: Walk, cidr: str, name: str) -> None:
    w.expect("address")
    w.field(cidr, 24)
    w.shot(name)
    w.keys("enter")


def disks(w: Walk, os_name: str | None, data_name: str | None, data: bool = True) -> None:
    w.expect("disk")
    w.keys(" ")  # /dev/sda, the first disk offered
    if os_name:
        w.shot(os_name)
    w.keys("enter")
    w.expect("data_disk")
    if data:
        w.keys("down", " ")  # /dev/sdb (/dev/sda is the OS disk)
    if data_name:
        w.shot(data_name)
    w.keys("enter")
    w.expect("confirm")


def tail(w: Walk, prefix: str, progress: bool = True) -> None:
    """Summary, Progress, Cloud Config, Done."""
    w.h.show()  # drawn: the Summary's one-second guard starts
    w.shot(f"{prefix}summary")
    w.h.confirm()
    w.expect("progress")
    w.shot(f"{prefix}progress" if progress else None)
    w.keys("enter")
    w.expect("review")
    w.shot(f"{prefix}cloud-config")
    w.keys("enter")
    w.expect("done")
    w.shot(f"{prefix}done")


def controller(shots: dict[str, Any], demo: Path) -> None:
    """controller1 of the HA group: the guide's section 3.1.1, screen by screen."""
    w = Walk(shots, demo)
    w.engine.on_dhcp = lambda: w.shot("controller-dhcp")
    head(w, "controller", "controller-welcome", "controller-role")
    w.expect("controller")
    w.shot("controller-settings")
    w.keys("enter")
    w.expect("ha")
    w.shot("controller-ha")
    w.keys("enter")
    system(w, "controller-system", "controller1")
    nic(w, 0, "controller-nic")
    address(w, "192.168.122.170/24", "controller-address")
    w.expect("group")  # this machine is pre-filled first: controller1, the primary
    w.keys("tab")
    w.type("192.168.122.170")  # typed twice: the field says so
    w.keys("tab")
    w.type("192.168.122.172")
    w.keys("enter")
    w.shot("controller-group-error")
    w.field("192.168.122.171", 20)
    w.shot("controller-group")
    w.keys("enter")
    disks(w, "controller-disk", "controller-data-disk")
    tail(w, "controller-")


def agent_bridge(shots: dict[str, Any], demo: Path) -> None:
    """node1: an agent with the Bridge model and a Docker data disk (guide 3.2)."""
    w = Walk(shots, demo)
    head(w, "agent", None, "agent-role")
    w.expect("agent")
    w.field(CONTROLLERS, 80)
    w.keys("tab")
    w.type("807")  # a digit short: the field says what it wants
    w.keys("enter")
    w.shot("agent-settings-error")
    w.type("0")
    w.keys("tab", "tab", "tab")  # the container IP pool (3.4): this agent sets it
    w.type("192.168.122.200/24-192.168.122.250/24")
    w.shot("agent-settings")
    w.keys("enter")
    system(w, "agent-system", "node1")
    nic(w, 0, None)
    w.expect("network_model")
    w.shot("agent-network-model")
    w.keys("enter")
    address(w, "192.168.122.173/24", "agent-address")
    disks(w, None, "agent-data-disk")
    tail(w, "agent-", progress=False)


def agent_ipvlan(shots: dict[str, Any], demo: Path) -> None:
    """node2 on vSphere: Ipvlan, addresses two apart, no data disk (the Summary warns)."""
    w = Walk(shots, demo)
    head(w, "agent")
    w.field(CONTROLLERS, 80)
    w.keys("tab")
    w.type("8070")
    w.keys("enter")
    system(w, None, "node2")
    nic(w, 0, None)
    w.expect("network_model")
    w.keys("down", " ")
    w.shot("ipvlan-network-model")
    w.keys("enter")
    address(w, "192.168.122.175/24", "ipvlan-address")
    disks(w, None, None, data=False)
    w.h.show()
    w.shot("ipvlan-summary")


def bond_vlan(shots: dict[str, Any], demo: Path) -> None:
    """controller1 on a datacenter network: eth0 and eth1 bonded (active-backup), VLAN 100
    on the bond, jumbo frames and a static IPv6 address next to the IPv4 one."""
    w = Walk(shots, demo)
    head(w, "controller")
    w.keys("enter", "enter")
    system(w, None, "controller1")
    w.expect("nic")
    w.keys(" ", "down", " ")  # Space marks eth0 and eth1
    w.shot("bond-nic")
    w.keys("enter")
    w.expect("bond")
    w.shot("bond-mode")
    w.keys("enter")  # active-backup
    w.expect("address")
    w.field("192.168.122.170/24", 24)
    w.keys("tab", "tab", "tab")
    w.type("100")
    w.keys("tab")
    w.type("9000")
    w.keys("tab", "right", "right", "right", " ")  # IPv6 static
    w.keys("tab")
    w.type("2001:db8:122::170/64")
    w.keys("tab")
    w.type("2001:db8:122::1")
    w.shot("bond-address")
    w.keys("enter")
    w.expect("group")  # the HA group: the cluster's own addresses stay IPv4
    w.keys("tab")
    w.type("192.168.122.171")
    w.keys("tab")
    w.type("192.168.122.172")
    w.keys("enter")
    disks(w, None, None)
    w.h.show()
    w.shot("bond-summary")


# --- what goes wrong -----------------------------------------------------------------------


def no_link_no_dhcp(shots: dict[str, Any], demo: Path) -> None:
    """eth1 has a cable but no DHCP server answers; eth2 has no cable."""
    w = Walk(shots, demo)
    head(w, "controller")
    w.keys("enter", "enter")
    system(w, None, "controller1")
    nic(w, 1, None)
    w.shot("address-no-dhcp")
    w.keys("esc")  # back to the NIC screen (DHCP is passed over)
    nic(w, 1, None)  # eth2: no link
    w.shot("address-no-link")


def media_not_found(shots: dict[str, Any], profile: Path) -> None:
    """The USB stick's label is not CDROM: the guide's `CDROM Device Not Ready`. Not a dry
    run (a dry run does not look for the medium); nothing is installed: Enter only looks
    again."""
    w = Walk(shots, profile, dry_run=False)
    w.expect("welcome")
    w.shot("error-media")


def leftovers(shots: dict[str, Any], profile: Path, name: str | None) -> Walk:
    """A controller walk to the Summary on a machine whose /dev/sda is in use or held."""
    w = Walk(shots, profile)
    head(w, "controller")
    w.keys("enter", "enter")
    system(w, None, "controller1")
    nic(w, 0, None)
    w.keys("enter")  # the address from DHCP
    w.expect("group")
    w.keys("tab")
    w.type("192.168.122.102")
    w.keys("tab")
    w.type("192.168.122.103")
    w.keys("enter")
    disks(w, None, None, data=False)
    w.h.show()
    w.shot(name)
    return w


def disk_in_use(shots: dict[str, Any], profile: Path) -> None:
    w = leftovers(shots, profile, "summary-in-use")
    w.h.confirm()
    w.shot("error-in-use")


def raid_lvm(shots: dict[str, Any], profile: Path) -> None:
    leftovers(shots, profile, "summary-raid-lvm")


def failing_stage(shots: dict[str, Any], profile: Path, name: str, backend: type) -> None:
    """An install that fails in the pipeline at a disk stage: the dry run's backend, with the
    one step that fails doing what the real backend does (or raising what it raises)."""
    import cos_installer.install.backends as backends

    def open_backend(target: str, **_kw: Any) -> Any:
        return backend(target)

    w = leftovers(shots, profile, None)
    with mock.patch.object(backends, "open_backend", open_backend):
        w.h.confirm()
    w.shot(name)


class _FileSink:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def pwrite(self, data: memoryview, offset: int) -> None:
        os.pwrite(self.fd, data, offset)

    def fsync(self) -> None:
        os.fsync(self.fd)

    def check(self) -> None:
        """A file does not go away."""


def _backends() -> tuple[type, type]:
    from cos_installer.install.backends import BackendError, DryRunBackend
    from cos_installer.install.backends.rereadfail import kernel_kept_old_table
    from cos_installer.install.stream import copy_payload

    class Checksum(DryRunBackend):
        """Streams the payload for real (into a scratch file): the checksum is verified."""

        def write_image(self, payload: Any, **kw: Any) -> int:
            with tempfile.TemporaryFile() as scratch:
                return copy_payload(payload, _FileSink(scratch.fileno()), capacity=1 << 40)

    class Reread(DryRunBackend):
        """The kernel keeps the old table (EBUSY): the block backend's own error."""

        def reread(self) -> Any:
            busy = OSError(errno.EBUSY, os.strerror(errno.EBUSY))
            error = kernel_kept_old_table(self.device, busy, [])
            assert isinstance(error, BackendError)
            raise error

    return Checksum, Reread


# --- profiles --------------------------------------------------------------------------------


def _profile(folder: Path, name: str, change: Callable[[dict[str, Any]], None]) -> Path:
    data = copy.deepcopy(yaml.safe_load(DEMO.read_text(encoding="utf-8")))
    for entry in data["nics"]:
        if "dhcp_delay" in entry:
            entry["dhcp_delay"] = 0
    change(data)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _disk(data: dict[str, Any], path: str) -> dict[str, Any]:
    return next(d for d in data["disks"] if d["path"] == path)


def _payload(folder: Path) -> str:
    """A small raw OS image whose .sha256 names another file's checksum, signed (by a key of
    this run, which the installer then trusts: $COS_KEYRING), so that the signature passes
    and the write's own checksum check is what fails."""
    from cos_installer.install.signature import KEYRING_ENV
    from tests.signkit import make_key, sign, stop_agent

    image = folder / "cos-image.raw"
    image.write_bytes(b"COS" * 700_000)
    (folder / "cos-image.raw.sha256").write_text(f"{'5e' * 32}  cos-image.raw\n")
    key = make_key(folder, "guide")
    sign(str(image), key)
    stop_agent(key)
    os.environ[KEYRING_ENV] = key.keyring  # restored by profiles()
    return str(image)


@contextlib.contextmanager
def profiles() -> Iterator[dict[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="cos-guide-") as tmp, mock.patch.dict(os.environ):
        folder = Path(tmp)
        payload = _payload(folder)

        def no_cdrom(d: dict[str, Any]) -> None:
            _disk(d, "/dev/sdd")["partitions"][0]["label"] = "COS_ISO"

        def in_use(d: dict[str, Any]) -> None:
            _disk(d, "/dev/sda")["partitions"][1]["mountpoint"] = "/mnt/old"

        def held(d: dict[str, Any]) -> None:
            _disk(d, "/dev/sda")["holders"] = ["md0 (RAID raid1, also on /dev/sdb1)"]

        def bad_image(d: dict[str, Any]) -> None:
            d["media_payload"] = payload

        yield {
            "demo": _profile(folder, "demo", lambda d: None),
            "no-cdrom": _profile(folder, "no-cdrom", no_cdrom),
            "in-use": _profile(folder, "in-use", in_use),
            "held": _profile(folder, "held", held),
            "bad-image": _profile(folder, "bad-image", bad_image),
        }


@contextlib.contextmanager
def _fixed_salt() -> Iterator[None]:
    using = sha512_crypt.using

    def salted(**kw: Any) -> Any:
        kw.setdefault("salt", SALT)
        return using(**kw)

    with mock.patch.object(sha512_crypt, "using", salted):
        yield


def shoot(lang: str) -> dict[str, dict[str, Any]]:
    """Every picture of the guide in `lang`: {name: canvas data}."""
    shots: dict[str, dict[str, Any]] = {}
    old = i18n.language()
    i18n.set_language(lang)
    checksum, reread = _backends()
    try:
        with profiles() as p, _fixed_salt():
            controller(shots, p["demo"])
            agent_bridge(shots, p["demo"])
            agent_ipvlan(shots, p["demo"])
            bond_vlan(shots, p["demo"])
            no_link_no_dhcp(shots, p["demo"])
            media_not_found(shots, p["no-cdrom"])
            disk_in_use(shots, p["in-use"])
            raid_lvm(shots, p["held"])
            failing_stage(shots, p["bad-image"], "error-checksum", checksum)
            failing_stage(shots, p["demo"], "error-reread", reread)
    finally:
        i18n.set_language(old)
    return shots
