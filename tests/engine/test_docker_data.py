"""The Docker data disk on the installed system: Docker requires the XFS mount (systemd's own
verifier resolves the units the cloud-config writes), and the old /var/lib/docker is moved,
as the guide does, by the real script in a chroot whose /xfs is another file system."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from cos_installer.answers.document import from_mapping
from cos_installer.render.config import DOCKER_DATA_SCRIPT, render_config
from tests.engine.helpers import AGENT, CONTROLLER, answers
from tests.realparts import need_root, need_tools

DROP_IN = "10-cos-requires-xfs.conf"


def rendered(base: dict, **changes: object) -> dict:
    return yaml.safe_load(render_config(from_mapping(answers(base, **changes))))


def units(doc: dict) -> dict[str, dict]:
    return {u["name"]: u for u in doc["coreos"]["units"]}


def write_units(doc: dict, folder: Path, docker: str) -> Path:
    """The units as coreos-cloudinit writes them, plus the image's Docker unit (a stand-in)."""
    for name, unit in units(doc).items():
        if "content" in unit:
            (folder / name).write_text(unit["content"])
        for drop_in in unit.get("drop-ins", []):
            (folder / f"{name}.d").mkdir(exist_ok=True)
            (folder / f"{name}.d" / drop_in["name"]).write_text(drop_in["content"])
    (folder / docker).write_text("[Service]\nExecStart=/bin/true\n")
    return folder / docker


def verify(unit: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SYSTEMD_UNIT_PATH=f"{unit.parent}:")
    return subprocess.run(["systemd-analyze", "verify", str(unit)], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.parametrize(
    ("base", "docker"),
    [(CONTROLLER, "csphere-docker-controller.service"), (AGENT, "csphere-docker-agent.service")],
)
def test_docker_requires_the_xfs_mount_not_only_after_it(tmp_path, base, docker):
    doc = rendered(base, data_disk="/dev/vdb")
    (drop_in,) = units(doc)[docker]["drop-ins"]
    assert drop_in["name"] == DROP_IN
    lines = drop_in["content"].splitlines()
    assert "Requires=xfs.mount cos-docker-data.service" in lines
    assert "After=xfs.mount cos-docker-data.service" in lines
    need_tools("systemd-analyze")
    unit = write_units(doc, tmp_path, docker)
    ok = verify(unit)
    assert (ok.returncode, ok.stderr) == (0, ""), ok.stderr  # no unknown key, all units found
    # Without the mount unit, starting Docker fails: a requirement (an ordering alone would not)
    (tmp_path / "xfs.mount").unlink()
    missing = verify(unit)
    assert missing.returncode != 0
    assert f"{docker}: Failed to create {docker}/start: Unit xfs.mount not found" in missing.stderr


def test_without_a_data_disk_docker_has_no_drop_in():
    doc = rendered(AGENT)
    assert "drop-ins" not in units(doc)["csphere-docker-agent.service"]
    assert "xfs.mount" not in units(doc)


def test_the_config_says_the_old_docker_data_is_moved():
    text = render_config(from_mapping(answers(AGENT, data_disk="/dev/vdb")))
    assert (
        "move\n  # /var/lib/docker to /xfs/docker once (moved, not kept: the OS disk keeps no\n"
        in text
    )


def chroot_root(tmp_path: Path, script: str) -> Path:
    root = tmp_path / "root"
    for folder in ("usr", "xfs", "opt/bin", "var/lib/docker/image/overlay2"):
        (root / folder).mkdir(parents=True)
    for name in ("bin", "lib", "lib64", "sbin"):
        if Path("/", name).is_symlink():  # merged /usr: /bin -> usr/bin
            (root / name).symlink_to(os.readlink(Path("/", name)))
    (root / "var/lib/docker/image/overlay2/repositories.json").write_text("{}\n")
    (root / "var/lib/docker/volumes").mkdir()
    (root / "var/lib/docker/volumes/db").write_bytes(b"\0data" * 1000)
    (root / DOCKER_DATA_SCRIPT.lstrip("/")).write_text(script)
    (root / DOCKER_DATA_SCRIPT.lstrip("/")).chmod(0o755)
    return root


def test_the_script_moves_var_lib_docker_onto_the_xfs_disk(tmp_path):
    need_root()
    need_tools("unshare", "chroot", "mount")
    if not Path("/bin").is_symlink():
        pytest.skip("the chroot borrows a merged-/usr host's /usr")
    doc = rendered(AGENT, data_disk="/dev/vdb")
    (script,) = [f["content"] for f in doc["write_files"] if f["path"] == DOCKER_DATA_SCRIPT]
    root = chroot_root(tmp_path, script)
    after = tmp_path / "after"
    # /xfs is a tmpfs, another file system as the data disk is; a partial copy from a run cut
    # short is there already; the script runs twice, as on two boots
    steps = (f"mount -o bind,ro /usr {root}/usr && mount -t tmpfs cosdata {root}/xfs && "
             f"mkdir -p {root}/xfs/docker/volumes && "
             f"echo partial > {root}/xfs/docker/volumes/db && "
             f"chroot {root} {DOCKER_DATA_SCRIPT} && chroot {root} {DOCKER_DATA_SCRIPT} && "
             f"cp -a {root}/xfs {after}")  # fmt: skip
    done = subprocess.run(["unshare", "--mount", "sh", "-ec", steps], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert os.readlink(root / "var/lib/docker") == "/xfs/docker"
    assert sorted(p.name for p in (root / "var/lib").iterdir()) == ["docker"]  # nothing kept
    assert (after / "docker/image/overlay2/repositories.json").read_text() == "{}\n"
    assert (after / "docker/volumes/db").read_bytes() == b"\0data" * 1000
