"""Install events on the wire (issue 15): the one place that builds, checks and parses them.

The sender (install.reporting, support.report) and the receiver (`cos-installer serve`)
share these functions, so the contract lives in one module (the first boot's shell script,
templates/cloud-config/report-firstboot.sh.j2, is held to `parse_body` by its test):

    make_event(run=..., seq=0, kind="started", host=host_identity(...), now=time.time())
    encode_batch([event, ...]) -> bytes        # one object, or an array of at most 100
    parse_body(body) -> [event, ...]           # WireError (400's reason) when malformed

Nothing secret goes out: `message`, `cause` and `hint` are one printable line each, with the
userinfo and the query of any URL in them taken out (common.shown.url_shown).
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from cos_installer.common.shown import printable, url_shown

WIRE_VERSION = 1
KINDS = ("started", "stage", "progress", "failed", "done", "firstboot")
FINAL_KINDS = ("failed", "done", "firstboot")  # a run ends with one of these
HOST_KEYS = ("hostname", "role", "mac", "system_uuid", "system_serial")
ROLES = ("controller", "agent", "")
MAX_BATCH = 100  # events per request
MAX_BODY = 64 * 1024  # bytes per request (the server answers 413 beyond it)
MAX_TEXT = 1000  # characters of message, cause and hint
MAX_MACS = 64
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_TEXT_KEYS = ("message", "cause", "hint")


class WireError(ValueError):
    """A body or event that breaks the contract; the text is the server's 400 reason."""


def new_run() -> str:
    """A run id: uuid4 hex."""
    return uuid.uuid4().hex


def wire_time(now: float) -> str:
    """UTC, milliseconds, Z: 2026-12-06T11:40:02.123Z."""
    moment = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def one_line(text: str, limit: int = MAX_TEXT) -> str:
    """Text for people on the wire: one line, printable, URLs without userinfo and query."""
    text = _URL.sub(lambda m: url_shown(m.group()), " ".join(str(text).split()))
    return printable(text)[:limit]


def host_identity(
    hostname: str = "",
    role: str = "",
    macs: Iterable[str] = (),
    system_uuid: str = "",
    system_serial: str = "",
) -> dict[str, Any]:
    """The host object: MACs lower case with colons, each once, in the order given (BOOTIF
    first); the DMI values as the fleet's match: normal form (stripped, lower case)."""
    seen: list[str] = []
    for mac in macs:
        norm = str(mac).strip().lower().replace("-", ":")
        if _MAC.match(norm) and norm != "00:00:00:00:00:00" and norm not in seen:
            seen.append(norm)
    return {
        "hostname": one_line(hostname, 253),
        "role": role if role in ROLES else "",
        "mac": seen[:MAX_MACS],
        "system_uuid": one_line(system_uuid, 64).lower(),
        "system_serial": one_line(system_serial, 64).lower(),
    }


def make_event(
    *,
    run: str,
    seq: int,
    kind: str,
    host: dict[str, Any],
    now: float,
    stage: str = "",
    stage_title: str = "",
    percent: int | None = None,
    message: str = "",
    cause: str = "",
    hint: str = "",
) -> dict[str, Any]:
    """One event object as the contract spells it; WireError for a kind or value outside it."""
    event: dict[str, Any] = {
        "v": WIRE_VERSION, "run": run, "seq": seq, "time": wire_time(now), "host": host,
        "kind": kind, "stage": stage, "stage_title": stage_title,
        "message": one_line(message),
    }  # fmt: skip
    if percent is not None:
        event["percent"] = max(0, min(100, int(percent)))
    if kind == "failed":
        event["cause"], event["hint"] = one_line(cause), one_line(hint)
    return check_event(event)


def check_event(obj: Any, where: str = "event") -> dict[str, Any]:
    """A received (or built) event, checked key by key; WireError names the key at fault.
    Unknown keys are kept (the contract may grow); the text fields are made one safe line."""
    if not isinstance(obj, dict):
        raise WireError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    _expect(obj, where, "v", lambda v: v == WIRE_VERSION, f"wire version {WIRE_VERSION}")
    _expect(obj, where, "run", lambda v: isinstance(v, str) and 0 < len(v) <= 64 and
            v.isalnum(), "the run id (hex, at most 64 characters)")  # fmt: skip
    _expect(obj, where, "seq", lambda v: type(v) is int and 0 <= v < 2**31, "0, 1, 2 ...")
    _expect(obj, where, "time", lambda v: isinstance(v, str) and len(v) <= 40, "ISO time")
    _expect(obj, where, "kind", lambda v: v in KINDS, " | ".join(KINDS))
    for key in ("stage", "stage_title", *_TEXT_KEYS):
        if key in obj:
            _expect(obj, where, key, lambda v: isinstance(v, str), "text")
            obj[key] = one_line(obj[key])
    if "percent" in obj:
        _expect(obj, where, "percent", lambda v: type(v) is int and 0 <= v <= 100, "0..100")
    obj["host"] = _check_host(obj.get("host"), f"{where}.host")
    return obj


def _check_host(host: Any, where: str) -> dict[str, Any]:
    if not isinstance(host, dict):
        raise WireError(f"{where}: expected an object with {', '.join(HOST_KEYS)}")
    macs = host.get("mac", [])
    if not isinstance(macs, list) or not all(isinstance(m, str) for m in macs):
        raise WireError(f"{where}.mac: expected a list of MAC addresses")
    for key in ("hostname", "role", "system_uuid", "system_serial"):
        if not isinstance(host.get(key, ""), str):
            raise WireError(f"{where}.{key}: expected text")
    return host_identity(host.get("hostname", ""), host.get("role", ""), macs,
                         host.get("system_uuid", ""), host.get("system_serial", ""))  # fmt: skip


def _expect(obj: dict, where: str, key: str, ok: Any, expected: str) -> None:
    if key not in obj or not ok(obj[key]):
        got = json.dumps(obj.get(key))[:60] if key in obj else "missing"
        raise WireError(f"{where}.{key}: {printable(got)}: expected {expected}")


def encode_batch(events: Sequence[dict[str, Any]]) -> bytes:
    """The request body: one object, or an array of at most MAX_BATCH."""
    if not events or len(events) > MAX_BATCH:
        raise WireError(f"a batch holds 1 to {MAX_BATCH} events, not {len(events)}")
    body = events[0] if len(events) == 1 else list(events)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_body(body: bytes) -> list[dict[str, Any]]:
    """The events of a POST body, each checked; WireError (the 400 reason) otherwise."""
    if len(body) > MAX_BODY:
        raise WireError(f"body of {len(body)} bytes: at most {MAX_BODY} are taken")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"not UTF-8 JSON: {printable(str(exc))[:120]}") from None
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_BATCH:
        raise WireError(f"expected one event or an array of 1 to {MAX_BATCH}, got {len(items)}")
    return [check_event(item, f"event[{i}]") for i, item in enumerate(items)]
