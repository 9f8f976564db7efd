"""iso/prune_live.py on a small modules tree: dropped trees go unless a kept driver needs
them, firmware stays only when a kept driver names it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ISO = Path(__file__).resolve().parents[2] / "iso"
spec = importlib.util.spec_from_file_location("prune_live", ISO / "prune_live.py")
prune_live = importlib.util.module_from_spec(spec)
sys.modules["prune_live"] = prune_live
spec.loader.exec_module(prune_live)

DEP = """kernel/drivers/net/ethernet/intel/igb/igb.ko: kernel/drivers/hwmon/hwmon.ko
kernel/drivers/hwmon/hwmon.ko:
kernel/drivers/hwmon/coretemp.ko: kernel/drivers/hwmon/hwmon.ko
kernel/sound/core/snd.ko:
kernel/drivers/gpu/drm/drm.ko:
kernel/drivers/gpu/drm/tiny/bochs.ko: kernel/drivers/gpu/drm/drm.ko
kernel/drivers/gpu/drm/i915/i915.ko: kernel/drivers/gpu/drm/drm.ko
kernel/drivers/net/ethernet/realtek/r8169.ko:
kernel/drivers/net/bonding/bonding.ko:
kernel/net/8021q/8021q.ko:
"""


def make_tree(root: Path) -> Path:
    moddir = root / "usr/lib/modules/6.1.0-test"
    for line in DEP.splitlines():
        path = moddir / line.split(":")[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x7fELF...")
    (moddir / "modules.dep").write_text(DEP)
    r8169 = moddir / "kernel/drivers/net/ethernet/realtek/r8169.ko"
    r8169.write_bytes(b"\x7fELF\x00license=GPL\x00firmware=rtl_nic/rtl8168h-2.fw\x00x")
    fw = root / "usr/lib/firmware"
    for name in ("rtl_nic/rtl8168h-2.fw", "rtw88/rtw8822c_fw.bin", "rtl_bt/rtl8761b_fw.bin"):
        (fw / name).parent.mkdir(parents=True, exist_ok=True)
        (fw / name).write_bytes(b"fw")
    (root / "lib").symlink_to("usr/lib")
    return moddir


def test_dropped_trees_go_but_what_kept_drivers_need_stays(tmp_path: Path) -> None:
    moddir = make_tree(tmp_path)
    assert prune_live.main([str(tmp_path)]) == 0
    left = {str(p.relative_to(moddir)) for p in moddir.rglob("*.ko")}
    assert left == {
        "kernel/drivers/net/ethernet/intel/igb/igb.ko",
        "kernel/drivers/hwmon/hwmon.ko",  # igb needs it though hwmon is dropped
        "kernel/drivers/gpu/drm/drm.ko",  # bochs (the console's framebuffer) needs it
        "kernel/drivers/gpu/drm/tiny/bochs.ko",
        "kernel/drivers/net/ethernet/realtek/r8169.ko",
        "kernel/drivers/net/bonding/bonding.ko",
        "kernel/net/8021q/8021q.ko",
    }


def test_firmware_stays_only_when_a_kept_driver_names_it(tmp_path: Path) -> None:
    make_tree(tmp_path)
    prune_live.main([str(tmp_path)])
    fw = tmp_path / "usr/lib/firmware"
    assert sorted(str(p.relative_to(fw)) for p in fw.rglob("*") if p.is_file()) == [
        "rtl_nic/rtl8168h-2.fw"
    ]
    assert not (fw / "rtw88").exists()


def test_a_named_symlink_keeps_its_target(tmp_path: Path) -> None:
    fw = tmp_path / "fw"
    (fw / "qed").mkdir(parents=True)
    (fw / "qed/real.bin").write_bytes(b"x")
    (fw / "qed/named.bin").symlink_to("real.bin")
    (fw / "qed/other.bin").write_bytes(b"y")
    prune_live.prune_firmware(fw, {"qed/named.bin"})
    assert sorted(p.name for p in (fw / "qed").iterdir()) == ["named.bin", "real.bin"]


def test_usage(capsys) -> None:
    assert prune_live.main([]) == 2
    assert "usage: prune_live.py ROOT" in capsys.readouterr().err
