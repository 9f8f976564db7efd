"""The `zh` fixture (switch the catalogue to zh_CN for one test) for the error-screen tests."""

from tests.i18n.conftest import zh  # noqa: F401
