"""Tests leave no diagnostics bundle or dry-run log in the real /tmp: a test that starts a
child without the session's TMPDIR fails at that call (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess

import pytest


def test_a_child_started_without_the_session_tmpdir_fails_the_test():
    with pytest.raises(AssertionError, match="lacks the session's TMPDIR/XDG_RUNTIME_DIR"):
        subprocess.run(["true"], env={"PATH": os.environ["PATH"]}, check=False)
    assert subprocess.run(["true"], env=dict(os.environ, LANG="C"), check=False).returncode == 0
    assert subprocess.run(["true"], check=False).returncode == 0  # inherits it


def test_the_session_tmpdir_is_private_and_not_the_real_tmp():
    tmpdir = os.environ["TMPDIR"]
    assert os.path.isdir(tmpdir) and tmpdir != "/tmp"
    assert os.environ["XDG_RUNTIME_DIR"] == tmpdir == os.environ["TMUX_TMPDIR"]
