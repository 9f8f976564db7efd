"""Text from a file shown on a terminal: control characters and escape sequences escaped.

A key or value read from an answers, fleet or cloud-config file reaches error messages; raw, an
ESC sequence in it would move the cursor, retitle the window or hide the lines before it. Every
message built from such text goes through `printable` once, where it leaves the program (the
error classes and the check reports), so no caller has to remember.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi controls.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


REDACTED = "<redacted>"  # what a secret is replaced by, wherever it is shown


def printable(text: str) -> str:
    """`text` with each control character written as its escape (\\x1b, \\n, \\u202e)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def url_shown(url: str) -> str:
    """A URL as logs and events may say it: scheme, host, port and path only. Userinfo (a
    user:password@) and the query and fragment (tokens ride there) never leave the machine."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return printable(url.split("?", 1)[0].split("#", 1)[0])
    authority, slash, path = rest.partition("/")
    host = authority.rpartition("@")[2]
    path = path.split("?", 1)[0].split("#", 1)[0]
    return printable(f"{scheme}://{host}{slash}{path}")
