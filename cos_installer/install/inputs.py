"""What the install reads before it writes, each refused with a CheckError naming it: the
rendered cloud-config, and the OS image (given, or the install medium's) with its signature
checked and its size known."""

from __future__ import annotations

from cos_installer.install.payload import Payload, PayloadError
from cos_installer.install.preflight import CheckError
from cos_installer.install.remote import inspect_any
from cos_installer.install.signature import Trust


def render(config: object) -> str:
    """The cloud-config for this install; raises CheckError naming what does not render."""
    from cos_installer.render.config import RenderError, render_config

    try:
        return render_config(config)
    except RenderError as exc:
        raise CheckError(
            getattr(config, "disk", ""),
            f"the configuration does not render: {exc}",
            "fix the answers and run again",
        ) from exc


def find_payload(
    payload: str | None, machine: object | None, dry_run: bool, trust: Trust | None = None
) -> Payload | None:
    """The OS image (given, or the media's), its signature checked; None only in a dry run."""
    if payload is None:
        if machine is None:
            if dry_run:
                return None
            raise CheckError("", "no OS image given", "pass --image PAYLOAD")
        from cos_installer.hardware.types import MediaNotReady

        try:
            media = machine.install_media()
        except MediaNotReady as exc:
            if dry_run:
                return None
            raise CheckError(
                "",
                f"CDROM Device Not Ready: {exc}",
                "insert the install medium (a USB stick must be labelled CDROM)",
            ) from exc
        if media.payload is None:
            if dry_run:
                return None
            raise CheckError(media.device, "CDROM Device Not Ready: no OS image on the medium")
        payload = media.payload
    try:
        return inspect_any(payload, trust)
    except PayloadError as exc:
        raise CheckError("", exc.cause, exc.hint) from exc
