"""Whatever YAML a fleet file holds, the answer is a result or a FleetError, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cos_installer.answers.fleet import FleetError, expand_all, resolve
from cos_installer.hardware import open_machine
from tests.fleet.conftest import FLEET, profile_path

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**12), st.text(max_size=8),
    st.sampled_from(["52:54:00:aa:00:01", "B-OS", "SYS-C", "first", "20G", "/dev/sda", "eth0"]),
)  # fmt: skip
KEYS = st.sampled_from(["match", "mac", "disk_serial", "system_serial", "disk", "network",
                        "interface", "linked", "smallest", "min_size", "serial", "role",
                        "system", "hostname", "data_disk", "matched", "x"])  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
MATCH = st.dictionaries(
    st.sampled_from(["mac", "disk_serial", "system_serial", "system_uuid"]),
    SCALARS | st.lists(SCALARS, max_size=2),
    min_size=1,
    max_size=2,
)
ENTRY = st.builds(lambda m, extra: {**extra, "match": m}, MATCH,
                  st.dictionaries(KEYS, VALUES, max_size=3))  # fmt: skip
MACHINE = open_machine(profile_path("rack-a"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top=st.dictionaries(KEYS, VALUES, max_size=4), hosts=st.lists(ENTRY | VALUES, max_size=3))
def test_random_fleets_resolve_or_fail_cleanly(top, hosts):
    mapping = {**FLEET, **top, "hosts": hosts}
    for call in (lambda: expand_all(mapping, "f"), lambda: resolve(mapping, MACHINE, source="f")):
        try:
            result = call()
        except FleetError as exc:
            assert exc.errors and all(e.startswith("f: ") for e in exc.errors)
        else:
            assert isinstance(result, list | dict)
