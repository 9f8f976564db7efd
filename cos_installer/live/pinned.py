"""An HTTPS download pinned to the server certificate's SHA-256 fingerprint (as Proxmox's
automated installer pins its answer server): the certificate is compared before the request
is sent, so a self-signed answer server works and any other certificate, whoever issued it,
is refused. `cos.answers_pin=sha256:HEX` on the kernel command line (cos_installer.boot).
"""

from __future__ import annotations

import hashlib
import http.client
import re
import ssl
import urllib.error
import urllib.parse

PIN_FORM = (
    "sha256:<64 hex digits>, the answer server certificate's fingerprint "
    "(openssl x509 -noout -fingerprint -sha256 -in CERT; colons allowed)"
)


class PinMismatch(Exception):
    """The server presented another certificate than the pinned one."""

    def __init__(self, got: str, want: str) -> None:
        super().__init__(f"certificate sha256:{got}, pinned sha256:{want}")
        self.got, self.want = got, want


def parse_pin(text: str) -> str:
    """The pin as 64 lowercase hex digits; ValueError saying what is expected."""
    algo, sep, value = text.partition(":")
    hexes = re.sub(r"[:\s]", "", value).lower() if sep else ""
    if algo.lower() != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", hexes):
        raise ValueError(f"cos.answers_pin={text!r}: expected {PIN_FORM}")
    return hexes


def fetch_pinned(url: str, pin: str, timeout: float, limit: int) -> bytes:
    """GET url over TLS, refusing (PinMismatch) a certificate whose sha256 is not `pin`;
    at most limit + 1 bytes are read. HTTPError for a status other than 200 (no redirect is
    followed: it would leave the pinned server)."""
    parts = urllib.parse.urlsplit(url)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the pin, not a CA or a name, says who the server is
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(
        parts.hostname or "", parts.port or 443, timeout=timeout, context=context
    )
    try:
        conn.connect()
        der = conn.sock.getpeercert(binary_form=True) or b""
        got = hashlib.sha256(der).hexdigest()
        if got != pin:
            raise PinMismatch(got, pin)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target)
        response = conn.getresponse()
        if response.status != 200:
            raise urllib.error.HTTPError(url, response.status, response.reason, None, None)
        return response.read(limit + 1)
    finally:
        conn.close()
