"""Fixtures shared by several test areas."""

import pytest

from tests.realparts import need_tools


@pytest.fixture
def term():
    """A private tmux server at 80x24 running the real installer (see tests/screens/tmuxterm)."""
    from tests.screens.tmuxterm import Tmux

    need_tools("tmux")
    t = Tmux()
    try:
        yield t
    finally:
        t.kill()
