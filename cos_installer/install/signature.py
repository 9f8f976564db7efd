"""Is the OS image the one its publisher signed? The OpenPGP check before the first write.

The publisher signs the payload's checksum file (`<payload>.sha256`, sha256sum format) with a
detached signature `<payload>.sha256.sig` (binary or ASCII-armoured). The installer checks it
with Debian's `gpgv` against a keyring shipped in the live system, then hashes the whole
payload against that signed checksum, both before the disk is touched: a swapped image, a
changed checksum file, a signature by another key or a missing one is refused with nothing
written. The checksum file is read once; the bytes verified are the bytes whose digest is
used (no second read an attacker could race).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass

from cos_installer.install.payload import (
    Payload,
    PayloadError,
    parse_sha256,
    read_checksum_bytes,
)
from cos_installer.install.stream import Cancelled

DEFAULT_KEYRING = "/usr/share/keyrings/cos-payload.gpg"  # the live system's (iso/build-iso.sh)
KEYRING_ENV = "COS_KEYRING"  # overrides the default (tests, a development box)
SIG_SUFFIX = ".sig"  # <payload>.sha256.sig
ARMOR = b"-----BEGIN PGP PUBLIC KEY BLOCK-----"
UNSIGNED_HINT = (
    "use a signed image (README, 'Signing a real COS image'), or, for development only, run with "
    "--allow-unsigned"
)
AGAIN = "download the image, its .sha256 and .sha256.sig again from a trusted source"


class SignatureError(PayloadError):
    """The checksum file's signature is missing, bad, by an unknown key, or uncheckable."""


@dataclass(frozen=True)
class Trust:
    """How the payload must be authenticated. keyring "": the default (COS_KEYRING, else
    DEFAULT_KEYRING). allow_unsigned: development only; the check is skipped, loudly."""

    keyring: str = ""
    allow_unsigned: bool = False

    @property
    def keyring_path(self) -> str:
        return self.keyring or os.environ.get(KEYRING_ENV) or DEFAULT_KEYRING


UNSIGNED_WARNING = (
    "WARNING: the OS image's signature is NOT verified (--allow-unsigned, for development "
    "only): anyone who could change the image or its .sha256 could have changed this install"
)


def signature_path(sha256_file: str) -> str:
    return sha256_file + SIG_SUFFIX


def verify_checksum_file(sha256_file: str, data: bytes, trust: Trust) -> str:
    """Check the detached signature over `data` (the checksum file's bytes, read once by the
    caller); returns the signing key's fingerprint. Raises SignatureError naming the file,
    the cause and the next step."""
    sig = signature_path(sha256_file)
    if not os.path.isfile(sig):
        raise SignatureError(
            f"the OS image is not signed: no signature {sig} beside {sha256_file}", UNSIGNED_HINT
        )
    keyring = trust.keyring_path
    gpgv = shutil.which("gpgv")
    if gpgv is None:
        raise SignatureError(
            f"cannot check {sig}: gpgv is not installed", "install gpgv (apt-get install gpgv)"
        )
    with tempfile.TemporaryDirectory(prefix="cos-gpgv-") as home:
        ring = _binary_keyring(keyring, home)
        proc = subprocess.run(
            [gpgv, "--homedir", home, "--status-fd", "1", "--keyring", ring, sig, "-"],
            input=data,
            capture_output=True,
            check=False,
        )
    return _judge(proc, sig, sha256_file, keyring)


def _binary_keyring(keyring: str, home: str) -> str:
    """gpgv reads binary keyrings only: an armoured one (gpg --armor --export) is decoded."""
    try:
        with open(keyring, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise SignatureError(
            f"cannot read the keyring {keyring} to check the OS image's signature ({exc.strerror})",
            "pass --keyring FILE (the publisher's public key, gpg --export), or, for "
            "development only, --allow-unsigned",
        ) from exc
    if not raw.lstrip().startswith(ARMOR):
        return os.path.abspath(keyring)
    try:
        body = raw.decode("ascii").split("\n\n", 1)[1].replace("\r", "")
        lines = [ln for ln in body.split("\n") if ln and not ln.startswith(("=", "-----"))]
        decoded = base64.b64decode("".join(lines), validate=True)
    except (IndexError, UnicodeDecodeError, ValueError) as exc:
        raise SignatureError(
            f"the keyring {keyring} is not a valid armoured OpenPGP key block",
            "export it again (gpg --export KEY > keyring.gpg)",
        ) from exc
    path = os.path.join(home, "keyring.gpg")
    with open(path, "wb") as f:
        f.write(decoded)
    return path


def _judge(proc: subprocess.CompletedProcess, sig: str, sha: str, keyring: str) -> str:
    """gpgv's status lines to a verdict: only GOODSIG + VALIDSIG with exit 0 pass."""
    status: dict[str, list[str]] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "[GNUPG:]":
            status.setdefault(words[1], words[2:])
    if "BADSIG" in status:
        key = (status["BADSIG"] or ["?"])[0]
        raise SignatureError(
            f"BAD signature: {sig} (key {key}) does not match {sha}: the checksum file or its "
            "signature was changed after signing",
            AGAIN,
        )
    if "NO_PUBKEY" in status or "ERRSIG" in status:
        key = (status.get("NO_PUBKEY") or status.get("ERRSIG") or ["?"])[0]
        raise SignatureError(
            f"{sig} is signed by key {key}, which is not in the keyring {keyring}",
            "use an image signed with the COS key, or pass --keyring with the key that signed it",
        )
    valid = status.get("VALIDSIG")
    if proc.returncode == 0 and "GOODSIG" in status and valid:
        return valid[0]
    if "NODATA" in status:
        raise SignatureError(f"{sig} holds no OpenPGP signature", AGAIN)
    detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    raise SignatureError(
        f"{sig} could not be verified (gpgv exit {proc.returncode}: "
        f"{detail[-1] if detail else 'no message'})",
        AGAIN,
    )


def signed_digest(sha256_file: str, trust: Trust) -> tuple[str, str]:
    """(the digest in the checksum file, the signer's fingerprint; "" when unsigned images
    are allowed): the file is read once, and what is verified is what is used."""
    data = read_checksum_bytes(sha256_file, "put the image's .sha256 and .sha256.sig beside it")
    signer = "" if trust.allow_unsigned else verify_checksum_file(sha256_file, data, trust)
    return parse_sha256(sha256_file, data), signer


def authenticate(
    info: Payload,
    say: Callable[[str], None],
    plan: list[str] | None,
    cancel: threading.Event | None,
) -> None:
    """A signed image is hashed whole against its signed checksum before the first write
    (prove_payload), saying so; a dry run (`plan`) only plans it. A streamed (netbooted)
    image is not downloaded twice: its signed sha256 is checked while it is written, and the
    partition table is held back until it matched (the stream's own check)."""
    if not info.signer:
        return
    where = f"signed by key {info.signer}"
    if info.opener is not None:
        say(f"{info.name}: signature good ({where}); its sha256 is checked while it streams, "
            "the partition table is written only once it matched")  # fmt: skip
        return
    if plan is not None:
        plan.append(f"verify the sha256 of {info.name} ({where}) before writing")
        return
    say(f"{info.name}: signature good ({where}); hashing {info.stored_size} bytes before writing")
    prove_payload(info, cancel)
    say(f"{info.name}: sha256 matches the signed checksum")


def prove_payload(payload: Payload, cancel: threading.Event | None = None) -> None:
    """Hash the whole image as stored against its signed checksum, before the first write:
    a changed byte is refused with the disk untouched (the write pass checks it again).
    Cancelled (the bytes hashed) when `cancel` is set."""
    try:
        digest = file_sha256(payload.path, cancel=cancel)
    except OSError as exc:
        raise PayloadError(
            f"cannot read the OS image {payload.path}: {exc.strerror}", AGAIN
        ) from exc
    if digest != payload.sha256:
        raise PayloadError(
            f"checksum mismatch: {payload.path} has sha256 {digest[:16]}..., the signed "
            f"{os.path.basename(payload.sha256_file)} expects {payload.sha256[:16]}...: the "
            "image was changed or damaged after signing",
            AGAIN,
        )


def file_sha256(path: str, bufsize: int = 4 << 20, cancel: threading.Event | None = None) -> str:
    """The sha256 of the file as stored: the pass that proves the image before any write."""
    sha, done = hashlib.sha256(), 0
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(bufsize):
            if cancel is not None and cancel.is_set():
                raise Cancelled(done)
            sha.update(chunk)
            done += len(chunk)
    return sha.hexdigest()
