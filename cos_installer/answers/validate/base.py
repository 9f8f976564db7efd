"""What every field validator shares: the error it raises, and how it reads and quotes a value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class FieldError(ValueError):
    """A value a user typed is not acceptable; the message says what is expected."""


def error_of(validator: Callable[..., Any], *args: Any) -> str | None:
    """Run a validator; return its message, or None when the value is good."""
    try:
        validator(*args)
    except FieldError as exc:
        return str(exc)
    return None


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # YAML yes/no: never a number or a name
        return str(value).lower()
    return str(value).strip()


def quoted(value: object) -> str:
    """Quote what the user gave, shortened, for messages (never used for secrets)."""
    shown = repr(as_text(value)) if not isinstance(value, int | float) else str(value)
    return shown if len(shown) <= 40 else shown[:37] + "...'"
