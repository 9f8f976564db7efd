"""Signed payloads: the checksum file's OpenPGP signature is checked with gpgv against the
keyring, and the whole image hashed against it, before the first write. Real keys (gpg in
temporary GNUPGHOMEs), real loop devices; the target's bytes are compared before and after."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from cos_installer.install.payload import PayloadError
from cos_installer.install.signature import KEYRING_ENV, Trust, signed_digest
from tests.install.conftest import answers_file, copy_payload, run_cli
from tests.realparts import need_tools
from tests.signkit import make_key, sign, stop_agent

PATTERN = bytes(range(256)) * 4096  # 1 MiB the install would have overwritten


@pytest.fixture
def other_key(tmp_path):
    need_tools("gpg", "gpgv")
    key = make_key(tmp_path, "intruder")
    yield key
    stop_agent(key)


def patterned_disk(loops) -> tuple[str, str]:
    """A loop device whose every MiB holds PATTERN; returns it and its sha256."""
    dev = loops.device(128)
    with open(dev, "r+b") as f:
        for _ in range(128):
            f.write(PATTERN)
    return dev, digest_of(dev)


def digest_of(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def flip_byte(path: str, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0x01]))


def install(tmp_path: Path, disk: str, image: str, *extra: str) -> tuple[int, str, str]:
    log = tmp_path / "install.log"
    proc = run_cli(
        "--answers", answers_file(tmp_path, disk=disk), "--target", disk, "--image", image,
        "--yes", "--log", str(log), *extra,
    )  # fmt: skip
    return proc.returncode, proc.stderr, log.read_text() if log.exists() else ""


def refused(tmp_path, loops, image: str, *causes: str, extra: tuple[str, ...] = ()) -> str:
    """The install is refused at preflight, naming each cause, and no byte of the disk changed."""
    disk, before = patterned_disk(loops)
    rc, err, log = install(tmp_path, disk, image, *extra)
    assert rc == 1, err
    error = next(line for line in err.splitlines() if line.startswith("error: "))
    assert error.startswith(f"error: Install failed at stage preflight on {disk}: "), error
    assert error.endswith("; no disk was changed."), error
    for cause in causes:
        assert cause in error, error
    assert causes[0] in log
    assert "[wipe]" not in err and "[write]" not in err
    assert digest_of(disk) == before, "the target changed"
    return error


def test_a_signed_payload_installs_and_says_who_signed_it(payload, signing_key, loops, tmp_path):
    disk = loops.device(128)
    rc, err, log = install(tmp_path, disk, payload)
    assert rc == 0, err
    good = f"signature good (signed by key {signing_key.fingerprint})"
    assert good in err and good in log
    assert "sha256 matches the signed checksum" in err
    assert "NOT verified" not in err + log


def test_one_byte_changed_in_the_payload_is_refused_before_any_write(payload, loops, tmp_path):
    bad = copy_payload(payload, tmp_path / "bad")
    flip_byte(bad, os.path.getsize(bad) // 2)
    refused(
        tmp_path, loops, bad,
        f"checksum mismatch: {bad} has sha256",
        "the signed cos-image.raw.zst.sha256 expects",
        "the image was changed or damaged after signing",
        "download the image, its .sha256 and .sha256.sig again from a trusted source",
    )  # fmt: skip


def test_one_byte_changed_in_the_checksum_file_is_refused(payload, loops, tmp_path):
    bad = copy_payload(payload, tmp_path / "bad")
    text = Path(bad + ".sha256").read_text()
    Path(bad + ".sha256").write_text(("1" if text[0] != "1" else "2") + text[1:])
    refused(
        tmp_path, loops, bad,
        f"BAD signature: {bad}.sha256.sig (key ",
        f"does not match {bad}.sha256: the checksum file or its signature was changed",
    )  # fmt: skip


def test_a_signature_by_another_key_is_refused(payload, other_key, signing_key, loops, tmp_path):
    bad = copy_payload(payload, tmp_path / "bad")
    sign(bad, other_key)
    refused(
        tmp_path, loops, bad,
        f"{bad}.sha256.sig is signed by key {other_key.fingerprint[-16:]}, which is not in "
        f"the keyring {signing_key.keyring}",
        "pass --keyring with the key that signed it",
    )  # fmt: skip


def test_a_missing_signature_is_refused(payload, loops, tmp_path):
    bad = copy_payload(payload, tmp_path / "bad")
    os.unlink(bad + ".sha256.sig")
    refused(
        tmp_path, loops, bad,
        f"the OS image is not signed: no signature {bad}.sha256.sig beside {bad}.sha256",
        "or, for development only, run with --allow-unsigned",
    )  # fmt: skip


def test_junk_for_a_signature_is_refused(payload, loops, tmp_path):
    bad = copy_payload(payload, tmp_path / "bad")
    Path(bad + ".sha256.sig").write_bytes(b"not a signature\n")
    refused(tmp_path, loops, bad, f"{bad}.sha256.sig holds no OpenPGP signature")


def test_a_missing_keyring_is_refused_naming_the_option(payload, loops, tmp_path):
    refused(
        tmp_path, loops, payload,
        f"cannot read the keyring {tmp_path}/none.gpg to check the OS image's signature",
        "pass --keyring FILE",
        extra=("--keyring", str(tmp_path / "none.gpg")),
    )  # fmt: skip


def test_keyring_option_and_armoured_keyring(payload, other_key, tmp_path):
    """--keyring names the trusted keys; an armoured export works like a binary one."""
    image = copy_payload(payload, tmp_path / "img")
    sign(image, other_key)
    armoured = tmp_path / "intruder.asc"
    with open(armoured, "wb") as out:
        subprocess.run(
            ["gpg", "--homedir", other_key.home, "--armor", "--export"], stdout=out, check=True
        )
    for ring in (other_key.keyring, str(armoured)):
        digest, signer = signed_digest(image + ".sha256", Trust(ring))
        assert signer == other_key.fingerprint and len(digest) == 64
    with pytest.raises(PayloadError, match="not in the keyring"):
        signed_digest(image + ".sha256", Trust())  # the session's keyring ($COS_KEYRING)
    assert os.environ[KEYRING_ENV] != other_key.keyring


def test_allow_unsigned_installs_and_says_so_loudly(payload, loops, tmp_path):
    image = copy_payload(payload, tmp_path / "img")
    os.unlink(image + ".sha256.sig")
    disk = loops.device(128)
    rc, err, log = install(tmp_path, disk, image, "--allow-unsigned")
    assert rc == 0, err
    warning = "WARNING: the OS image's signature is NOT verified (--allow-unsigned"
    assert err.startswith(f"cos-installer: {warning}"), err
    assert f"[preflight] {warning}" in err and warning in log


def test_a_cancel_while_the_image_is_hashed_stops_the_hashing(payload, loops, tmp_path):
    """Ctrl+C during the (possibly long) hash of a big image stops it at a buffer, in
    preflight, with nothing written."""
    from cos_installer.answers.loader import load_answers
    from cos_installer.install.backends import open_backend
    from cos_installer.install.pipeline import run_install
    from tests.install.conftest import CancelOn

    disk, before = patterned_disk(loops)
    events = CancelOn("message", "preflight")  # the target line comes before the hashing
    config = load_answers(answers_file(tmp_path, disk=disk))
    backend = open_backend(disk)
    try:
        result = run_install(config, backend=backend, payload=payload, listener=events,
                             cancel=events.cancel)  # fmt: skip
    finally:
        backend.close()
    assert not result.ok and result.stage == "preflight", result.message
    assert "cancelled by the user after 0 bytes" in result.message
    assert result.message.endswith("no disk was changed."), result.message
    assert not any("sha256 matches" in e.message for e in events)
    assert digest_of(disk) == before


def test_the_wizard_takes_the_same_trust_options(capsys, tmp_path):
    """`cos-installer --keyring FILE --allow-unsigned` (the wizard) reaches its engine, which
    hands it to the install session; the warning is said at once."""
    from cos_installer.cli import build_parser
    from cos_installer.commands.trust import trust_of
    from cos_installer.commands.wizard_engine import WizardEngine

    args = build_parser()[0].parse_args(["--keyring", str(tmp_path / "k.gpg"), "--allow-unsigned"])
    trust = trust_of(args)
    assert trust == Trust(str(tmp_path / "k.gpg"), True)
    assert "WARNING: the OS image's signature is NOT verified" in capsys.readouterr().err
    assert WizardEngine(dry_run=True, trust=trust).trust is trust
