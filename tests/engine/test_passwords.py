"""SHA-512 crypt through libpass, checked against OpenSSL's implementation."""

import subprocess

import pytest

from cos_installer.answers.passwords import hash_password, verify_password
from cos_installer.answers.validate import password_hash
from tests.realparts import need_tools


@pytest.mark.parametrize(
    ("plain", "salt"),
    [("cos", "abcdefgh"), ("pä ss wörd $'\"!", "Zz./09"), ("x" * 100, "0123456789abcdef")],
)
def test_same_hash_as_openssl(plain, salt):
    need_tools("openssl")
    # the password goes on stdin, never on a command line
    expected = (
        subprocess.run(
            ["openssl", "passwd", "-6", "-salt", salt, "-stdin"],
            input=plain.encode(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    assert hash_password(plain, salt) == expected


def test_random_salt_each_time_and_verifies():
    first, second = hash_password("cos"), hash_password("cos")
    assert first != second
    assert first.startswith("$6$") and password_hash(first) == first
    assert verify_password("cos", first) and verify_password("cos", second)
    assert not verify_password("cos2", first)
