"""Install events as they arrive at POST /events (the wire contract of issue 15): a body is one
event object or an array of at most 100; each is checked against EVENT_SCHEMA with jsonschema.
Anything else is a BadBody whose text is the 400's reason (one line, control characters
escaped, at most 300 characters). Unknown keys are ignored: the sender may grow. The contract's
constants (kinds, roles, batch and body limits) are the sender's (support.eventwire); this
schema accepts what it sends and more (longer texts), never less.
"""

from __future__ import annotations

import json
from typing import Any

from cos_installer.support.eventwire import KINDS, MAX_BATCH, MAX_BODY, ROLES, WIRE_VERSION

__all__ = ["EVENT_SCHEMA", "KINDS", "MAX_BATCH", "MAX_BODY", "BadBody", "parse"]

LINE = r"^[^\x00-\x1f\x7f]*$"  # one line: no control characters at all
TEXT = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"  # a cause or hint may hold newlines and tabs


def _string(limit: int, pattern: str = LINE) -> dict:
    return {"type": "string", "maxLength": limit, "pattern": pattern}


EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["v", "run", "seq", "kind", "host"],
    "properties": {
        "v": {"const": WIRE_VERSION},
        "run": {"type": "string", "pattern": "^[0-9a-f]{8,64}$"},
        "seq": {"type": "integer", "minimum": 0, "maximum": 2**53},
        "time": _string(64),
        "host": {
            "type": "object",
            "properties": {
                "hostname": _string(253),
                "role": {"enum": list(ROLES)},
                "mac": {
                    "type": "array",
                    "maxItems": 64,
                    "items": {"type": "string", "pattern": "^[0-9a-f]{2}(:[0-9a-f]{2}){5}$"},
                },
                "system_uuid": _string(128),
                "system_serial": _string(128),
            },
        },
        "kind": {"enum": list(KINDS)},
        "stage": _string(64),
        "stage_title": _string(200),
        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
        "message": _string(2000, TEXT),
        "cause": _string(4000, TEXT),
        "hint": _string(4000, TEXT),
    },
}


class BadBody(ValueError):
    """Why a body is refused: the text of the 400."""


def _validator() -> Any:
    import jsonschema

    cls = jsonschema.validators.validator_for(EVENT_SCHEMA)
    cls.check_schema(EVENT_SCHEMA)
    return cls(EVENT_SCHEMA)


_VALIDATOR = None


def _shown(text: str, limit: int = 300) -> str:
    line = text.encode("unicode_escape").decode("ascii")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _no_constant(name: str) -> None:
    raise BadBody(f"{name} is not a JSON number")


def parse(body: bytes) -> list[dict]:
    """The events in a body, each checked; BadBody otherwise."""
    global _VALIDATOR
    if len(body) > MAX_BODY:
        raise BadBody(f"{len(body)} bytes, more than {MAX_BODY}")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise BadBody("the body is not UTF-8") from None
    except RecursionError:
        raise BadBody("the JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BadBody(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    events = data if isinstance(data, list) else [data]
    if isinstance(data, list) and not 1 <= len(data) <= MAX_BATCH:
        raise BadBody(f"an array of {len(data)} events: expected 1 to {MAX_BATCH}")
    if _VALIDATOR is None:
        _VALIDATOR = _validator()
    for n, event in enumerate(events):
        error = next(iter(_VALIDATOR.iter_errors(event)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(the event)"
            at = f"event {n}: " if isinstance(data, list) else ""
            raise BadBody(_shown(f"{at}{where}: {error.message}"))
    return events
