"""SHA-512 crypt (`$6$`) for the `cos` account: the only form in which a password is kept.

Python 3.13 dropped the `crypt` module, so this goes through libpass (`passlib.hash`), which
works on 3.11-3.13. Rounds stay at the crypt default (5000), so the result is the exact string
`openssl passwd -6` or `mkpasswd -m sha-512` would give, and any glibc reads it.
"""

from __future__ import annotations

from passlib.hash import sha512_crypt

CRYPT_ROUNDS = 5000  # glibc's default: the hash carries no "rounds=" field


def hash_password(plain: str, salt: str | None = None) -> str:
    """Hash `plain` with a random 16-character salt (or `salt`, for reproducible tests)."""
    if not isinstance(plain, str):
        raise TypeError("the password must be text")
    hasher = (
        sha512_crypt.using(rounds=CRYPT_ROUNDS, salt=salt)
        if salt
        else sha512_crypt.using(rounds=CRYPT_ROUNDS)
    )
    return hasher.hash(plain)


def verify_password(plain: str, password_hash: str) -> bool:
    """True when `plain` matches the `$6$` hash (used by tests and the review screen)."""
    return sha512_crypt.verify(plain, password_hash)
