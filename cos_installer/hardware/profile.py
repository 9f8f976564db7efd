"""A machine described by a profile file: the same `Machine` answers, no hardware touched.

Live link demos: the file is re-read (when its mtime or size changed) on every call, so a
test or a presenter can edit `linked: false` to `true` in a copy of the profile and the NIC
screen shows the cable plugged in at its next poll. A file that fails to parse while it is
being edited keeps the last good state.
"""

from __future__ import annotations

import contextlib
import os
import time
from importlib import resources
from pathlib import Path

import yaml

from cos_installer.hardware import stackprobe
from cos_installer.hardware.media import MEDIA_DIR_ENV, PAYLOAD, _payload_in, not_ready
from cos_installer.hardware.profile_schema import ProfileError, parse_profile
from cos_installer.hardware.stackprobe import StackProbe
from cos_installer.hardware.types import DhcpResult, Disk, InstallMedia, Nic, Stack
from cos_installer.i18n import _


def bundled_profiles() -> list[str]:
    folder = resources.files("cos_installer") / "profiles"
    try:
        return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
    except (FileNotFoundError, NotADirectoryError):
        return []


def resolve_profile(profile: str) -> Path:
    """A bundled name ('demo') or a path to a YAML file."""
    if os.sep not in profile and not profile.endswith((".yaml", ".yml")):
        path = Path(str(resources.files("cos_installer") / "profiles" / f"{profile}.yaml"))
        if path.is_file():
            return path
        raise ProfileError(
            f"machine profile '{profile}': no bundled profile of that name "
            f"(bundled: {', '.join(bundled_profiles()) or 'none'}) and no such file; "
            "give a bundled name or the path of a YAML file"
        )
    path = Path(profile)
    if not path.is_file():
        raise ProfileError(f"machine profile {profile}: no such file; give a YAML file path")
    return path


def load_profile(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"machine profile {path}: cannot read it ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ProfileError(f"machine profile {path}: not valid YAML{where}: {problem}") from None
    return parse_profile(data if data is not None else {}, str(path))


class ProfileMachine:
    """`Machine` backed by a profile file (dry runs, `make demo`, tests)."""

    def __init__(self, profile: str, all_nics: bool = False) -> None:
        self.path = resolve_profile(profile)
        self.all_nics = all_nics
        self._stamp = self._file_stamp()
        self._data = load_profile(self.path)

    def _file_stamp(self) -> tuple[int, int]:
        try:
            st = self.path.stat()
            return st.st_mtime_ns, st.st_size
        except OSError:
            return (0, 0)

    def _current(self) -> dict:
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            with contextlib.suppress(ProfileError):  # mid-edit: keep the last good state
                self._data = load_profile(self.path)
        return self._data

    def disks(self) -> list[Disk]:
        return list(self._current()["disks"])

    def disk(self, path: str) -> Disk | None:
        return next((d for d in self.disks() if path in (d.path, d.by_id)), None)

    def nics(self, all_nics: bool = False) -> list[Nic]:
        show_virtual = all_nics or self.all_nics
        return [n for n, _, _ in self._current()["nics"] if show_virtual or not n.virtual]

    def link_states(self, names: list[str]) -> dict[str, bool]:
        linked = {n.name: n.linked for n, _, _ in self._current()["nics"]}
        return {name: linked.get(name, False) for name in names}

    def dhcp(self, interface: str, timeout: float = 10.0) -> DhcpResult:
        from cos_installer.hardware.dhcp import no_answer

        entry = next((e for e in self._current()["nics"] if e[0].name == interface), None)
        if entry is None:
            missing = _("no NIC named {nic} on this machine").format(nic=interface)
            return DhcpResult(interface, message=missing)
        nic, lease, delay = entry
        if not nic.linked:
            return DhcpResult(interface, message=no_link(interface))
        time.sleep(min(delay, timeout))
        if lease is None or delay > timeout:
            return DhcpResult(interface, message=no_answer(interface, timeout))
        return DhcpResult(interface, lease=lease, message="lease from DHCP (profile)")

    def probe_stack(self, stack: Stack, timeout: float = 10.0) -> StackProbe:
        return stackprobe.simulated(stack, self.dhcp, timeout)

    def install_media(self) -> InstallMedia:
        data = self._current()
        device = None
        for disk in data["disks"]:
            labelled = [p.path for p in disk.partitions if p.label == "CDROM"]
            if disk.is_install_media:
                device = labelled[0] if labelled else disk.path
                break
        if device is None:
            raise not_ready("no device with the label CDROM was found")
        override = os.environ.get(MEDIA_DIR_ENV)
        if override:
            payload = _payload_in(override)
            if payload is None:
                raise not_ready(f"no {PAYLOAD} in {override} ({MEDIA_DIR_ENV})")
            return InstallMedia(device=device, payload=payload)
        payload = data["media_payload"]
        if payload is not None:
            payload = str((self.path.parent / payload).resolve())
        return InstallMedia(device=device, payload=payload)

    def dmi(self) -> dict[str, str]:
        return dict(self._current()["dmi"])


def no_link(interface: str) -> str:
    return _(
        "no link on {nic} (cable unplugged?) - no DHCP tried; enter the address by hand"
    ).format(nic=interface)
