"""The demo OS applies user_data at every boot, as coreos-cloudinit does on COS: a unit gives
cloud-init a new instance id before cloud-init-local reads its NoCloud seed. cloud-init's
NoCloud keeps its cached data while the seed's instance-id equals the cached one
(DataSourceNoCloud.check_instance_id); a new id makes it read user_data again and run its
per-instance modules (write_files, users, passwords). Checked here on the host: the script
the unit runs, over two boots, and how the image build installs and orders it."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

import yaml

from tests.realparts import need_tools

DEMO = Path(__file__).resolve().parents[2] / "iso" / "demo-os"
SCRIPT = DEMO / "cos-cloud-instance"
UNIT = DEMO / "cos-cloud-instance.service"
BUILD = DEMO.parent / "build-demo-os.sh"


def boot(tmp_path: Path, boot_id: str) -> dict:
    """One boot's run of the script on a tree under tmp_path; the seed's meta-data after it."""
    need_tools("sh", "tr")
    (tmp_path / "boot_id").write_text(boot_id + "\n")
    env = dict(os.environ, COS_SEED_DIR=str(tmp_path / "seed"),
               COS_BOOT_ID=str(tmp_path / "boot_id"),
               COS_CLOUD_DIR=str(tmp_path / "cloud"))  # fmt: skip
    done = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load((tmp_path / "seed" / "meta-data").read_text())


def test_every_boot_gives_cloud_init_a_new_instance_id(tmp_path):
    first = boot(tmp_path, "1f0e2a9c-0000-4000-8000-00000000000a")
    again = boot(tmp_path, "1f0e2a9c-0000-4000-8000-00000000000a")
    second = boot(tmp_path, "77aa5d10-0000-4000-8000-00000000000b")
    assert first == again, "the same boot: the same instance"
    assert first["instance-id"] != second["instance-id"], "a reboot: a new instance"
    assert second == {"instance-id": "cos-demo-77aa5d1000004000800000000000000b",
                      "local-hostname": "cos-demo"}  # fmt: skip


def test_only_the_last_boots_instance_directory_is_kept(tmp_path):
    instances = tmp_path / "cloud" / "instances"
    for name in ("cos-demo-node", "cos-demo-a", "cos-demo-b"):
        (instances / name).mkdir(parents=True)
    (tmp_path / "cloud" / "instance").symlink_to(instances / "cos-demo-b")
    boot(tmp_path, "c")
    assert sorted(p.name for p in instances.iterdir()) == ["cos-demo-b"]


def test_the_unit_runs_before_cloud_init_reads_its_seed_and_the_image_enables_it():
    unit = configparser.ConfigParser(strict=False)
    unit.optionxform = str
    unit.read_string(UNIT.read_text())
    assert unit["Unit"]["Before"] == "cloud-init-local.service"
    assert unit["Unit"]["DefaultDependencies"] == "no"  # cloud-init-local runs before sysinit
    assert unit["Unit"]["RequiresMountsFor"] == "/var/lib/cloud"
    assert unit["Service"]["ExecStart"] == "/usr/local/sbin/cos-cloud-instance"
    assert unit["Install"]["WantedBy"] == "cloud-init-local.service"
    build = BUILD.read_text().replace("\\\n", " ")
    enable = next(line for line in build.splitlines() if "systemctl enable" in line)
    assert "cos-cloud-instance.service" in enable.split()
    installs = [line for line in build.splitlines() if line.startswith("install ")]
    assert any('"$ISO_DIR/demo-os/cos-cloud-instance"' in line and "usr/local/sbin" in line
               for line in installs)  # fmt: skip
    assert any("cos-cloud-instance.service" in line and "etc/systemd/system" in line
               for line in installs)  # fmt: skip
    assert os.access(SCRIPT, os.X_OK)
