"""The install tests' real parts (loop devices, the test payload) for the netboot tests."""

from tests.install.conftest import Loops, loops, payload, real_parts, zstd_path  # noqa: F401
