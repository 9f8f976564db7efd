"""The registry from the flow's steps to their views: every step has one, by plain import."""

from __future__ import annotations

from cos_installer.screens import media, welcome
from cos_installer.screens.steps import VIEWS, view_for

from cos_installer.flow import Step


def test_every_step_has_a_view_and_welcome_gives_way_to_the_cdrom_screen():
    assert set(VIEWS) == set(Step)
    assert all(cls.__name__ == "View" and cls.__module__.endswith(step.value)
               for step, cls in VIEWS.items())  # fmt: skip
    assert view_for(Step.WELCOME) is welcome.View
    assert view_for(Step.WELCOME, media_missing=True) is media.View
