"""The `report:` field (and `cos.report=`, `install --report`): where install events go.

One rule for the three: an http(s) URL with a host, no user:password@ (it would be shown in
logs and carried in the cloud-config), nothing unprintable, at most REPORT_MAX characters."""

from __future__ import annotations

import urllib.parse

from cos_installer.answers.validate.base import FieldError, as_text, quoted
from cos_installer.i18n import _

REPORT_MAX = 2048
REPORT_EXAMPLE = "http://10.0.0.1:8080/events"


def report_url(value: object) -> str:
    """The events URL, or FieldError saying what is wrong and what is expected."""
    text = as_text(value)
    expected = _("expected an http:// or https:// URL, e.g. {example}").format(
        example=REPORT_EXAMPLE
    )
    if len(text) > REPORT_MAX:
        raise FieldError(
            _("it is {count} characters long; at most {limit} are allowed").format(
                count=len(text), limit=REPORT_MAX
            )
        )
    if not all(c.isprintable() and not c.isspace() and c.isascii() for c in text):
        raise FieldError(
            _("{value} has spaces, control or non-ASCII characters: {expected}").format(
                value=quoted(text), expected=expected
            )
        )
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not text.startswith(f"{parts.scheme}://")
    ):
        raise FieldError(f"{quoted(text.split('?')[0])}: {expected}")
    if "@" in parts.netloc:  # never echoed: the part before @ may be a password
        raise FieldError(_("a user or password in the URL (user@host) is not allowed: {expected}")
                         .format(expected=expected))  # fmt: skip
    if not parts.hostname or (parts.netloc.endswith(":") and port is None):
        raise FieldError(_("{value} has no host: {expected}").format(
            value=quoted(text.split("?")[0]), expected=expected))  # fmt: skip
    return text
