"""The system fields: the host name and the password (plain, confirmed, or as its hash)."""

from __future__ import annotations

import re

from cos_installer.answers.validate.base import FieldError, as_text, quoted
from cos_installer.i18n import _

# --- system ----------------------------------------------------------------------------------

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")  # \Z: "$" would let a "\n" through
HOSTNAME_MAX = 253  # RFC 1123 (the wizard's field takes no more)
PASSWORD_MAX = 256  # crypt(3) hashing stays bounded (the wizard's field takes no more)


def host_problem(name: str) -> str | None:
    """Why `name` is not an RFC 1123 host name, or None when it is one."""
    if not name:
        return _("it is empty")
    if len(name) > HOSTNAME_MAX:
        return _("it is {count} characters long; at most 253 are allowed").format(count=len(name))
    for label in name.split("."):
        if not label:
            return _("it has an empty label (two dots in a row, or a dot at an end)")
        if "_" in label:
            return _("'_' is not allowed in host names (RFC 1123): use '-' instead, e.g. node-1")
        if label.lower() != label and _DNS_LABEL.match(label.lower()):
            return _("upper-case letters are not allowed: use lower case")
        if len(label) > 63:
            return _("the label '{start}...' is {count} characters; at most 63 are allowed").format(
                start=label[:20], count=len(label)
            )
        if label.startswith("-") or label.endswith("-"):
            return _("the label {label} starts or ends with '-'").format(label=repr(label))
        if not _DNS_LABEL.match(label):
            bad = sorted({c for c in label if not (c.isascii() and (c.isalnum() or c == "-"))})
            shown = " ".join(repr(c) for c in bad) or "characters"
            return _("{shown} not allowed: only a-z, 0-9 and '-'").format(shown=shown)
    return None


def hostname(value: object) -> str:
    """Spaces at either end are trimmed (as every field's are); a dotted name (FQDN) is one."""
    text = as_text(value)
    if not text:
        raise FieldError(_("required: a host name such as node1 or node1.example.com"))
    problem = host_problem(text)
    if problem:
        raise FieldError(
            _("{value} is not a valid host name: {problem}").format(
                value=quoted(value), problem=problem
            )
        )
    return text


def password(value: object) -> str:
    """The plain password: non-empty. Never echoed back in a message."""
    if not isinstance(value, str) or value == "":
        raise FieldError(_("the password of the cos account cannot be empty"))
    if "\n" in value or "\r" in value:
        raise FieldError(_("the password cannot contain a line break"))
    if "\x00" in value or len(value) > PASSWORD_MAX:  # crypt(3) stops at NUL; bounded hashing
        raise FieldError(_("the password cannot contain a NUL character or exceed 256 characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError(_("the password contains characters that cannot be encoded")) from None
    return value


def password_confirmation(first: str, again: str) -> str:
    password(first)
    if first != again:
        raise FieldError(_("the two passwords differ: type the same password twice"))
    return first


_CRYPT_SHA512 = re.compile(r"^\$6\$(rounds=\d{4,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}\Z")


def password_hash(value: object) -> str:
    text = as_text(value)
    if not _CRYPT_SHA512.match(text):
        raise FieldError(_("not a SHA-512 crypt hash: expected '$6$<salt>$<86 characters>'"))
    return text
