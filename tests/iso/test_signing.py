"""iso/sign-payload.sh, the build step that signs a tree of payloads (the ISO's, a netboot
tree's): the demo's throw-away key made once in $COS_CACHE, or SIGNING_KEY; the signatures it
writes pass the installer's own check against the keyring it exports."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from cos_installer.install.signature import DEFAULT_KEYRING, Trust, signed_digest
from tests.realparts import need_tools

ISO = Path(__file__).resolve().parents[2] / "iso"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    need_tools("gpg", "gpgv", "gpgconf")
    d = tmp_path / "tree"
    d.mkdir()
    (d / "cos-image.raw.zst").write_bytes(b"payload bytes")
    digest = hashlib.sha256(b"payload bytes").hexdigest()
    (d / "cos-image.raw.zst.sha256").write_text(f"{digest}  cos-image.raw.zst\n")
    return d


def sign(tree: Path, keyring: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("SIGNING_KEY", "GNUPGHOME")}
    return subprocess.run(
        [str(ISO / "sign-payload.sh"), str(tree), str(keyring)],
        capture_output=True, text=True, timeout=120, check=False, env=full | env,
    )  # fmt: skip


def test_demo_key_is_made_once_and_shared_by_every_tree(tree, tmp_path):
    cache = tmp_path / "cache"
    first = sign(tree, tmp_path / "iso.gpg", COS_CACHE=str(cache))
    assert first.returncode == 0, first.stderr
    assert "signing with the demo's THROW-AWAY key" in first.stderr
    assert "generated the demo's throw-away signing key" in first.stderr
    digest, signer = signed_digest(str(tree / "cos-image.raw.zst.sha256"),
                                   Trust(str(tmp_path / "iso.gpg")))  # fmt: skip
    assert digest == hashlib.sha256(b"payload bytes").hexdigest()
    assert (cache / "demo-signing-key" / "fingerprint").read_text().strip() == signer
    second = sign(tree, tmp_path / "netboot.gpg", COS_CACHE=str(cache))  # another tree
    assert second.returncode == 0, second.stderr
    assert "generated" not in second.stderr
    assert (tmp_path / "netboot.gpg").read_bytes() == (tmp_path / "iso.gpg").read_bytes()
    assert not list((cache / "demo-signing-key").glob("S.*")), "no agent socket in the cache"


def test_signing_key_file_with_a_passphrase_file(tree, tmp_path):
    home = tmp_path / "publisher"
    home.mkdir(mode=0o700)
    pw = tmp_path / "pw"
    pw.write_text(PASSPHRASE)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--quiet", "--pinentry-mode", "loopback",
           "--passphrase-file", str(pw)]  # fmt: skip
    subprocess.run([*gpg, "--quick-gen-key", "COS publisher <release@cos.invalid>", "ed25519",
                    "sign", "never"], check=True, capture_output=True)  # fmt: skip
    secret = tmp_path / "secret.asc"
    with open(secret, "wb") as out:
        subprocess.run([*gpg, "--armor", "--export-secret-keys"], stdout=out, check=True)
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
    no_pw = sign(tree, tmp_path / "k.gpg", SIGNING_KEY=str(secret), COS_CACHE=str(tmp_path))
    assert no_pw.returncode != 0 and "signing with key" in no_pw.stderr
    done = sign(tree, tmp_path / "k.gpg", SIGNING_KEY=str(secret),
                SIGNING_KEY_PASSPHRASE_FILE=str(pw), COS_CACHE=str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert PASSPHRASE not in done.stderr + done.stdout
    assert not (tmp_path / "demo-signing-key").exists()
    _, signer = signed_digest(
        str(tree / "cos-image.raw.zst.sha256"), Trust(str(tmp_path / "k.gpg"))
    )
    assert "THROW-AWAY" not in done.stderr and f"signed {tree}" in done.stderr
    assert signer in done.stderr


def test_sign_payload_refuses_a_tree_without_checksums(tmp_path):
    need_tools("gpg")
    result = sign(tmp_path, tmp_path / "k.gpg", COS_CACHE=str(tmp_path))
    assert result.returncode != 0 and "no *.sha256 checksum file to sign" in result.stderr


def test_the_live_keyring_path_is_the_installers_default():
    assert f"LIVE_KEYRING={DEFAULT_KEYRING} " in (ISO / "build-iso.sh").read_text()
