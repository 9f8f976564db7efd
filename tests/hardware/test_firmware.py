"""Missing firmware read from the kernel log (cos_installer.hardware.firmware)."""

from __future__ import annotations

from pathlib import Path

from cos_installer.hardware import firmware
from cos_installer.hardware.firmware import MissingFirmware

DMESG = "\n".join(
    [
        "[ 3.21] r8169 0000:02:00.0: firmware: failed to load rtl_nic/rtl8168h-2.fw (-2)",
        "[ 3.21] firmware_class: See https://wiki.debian.org/Firmware for information about"
        " missing firmware",
        "[ 3.21] r8169 0000:02:00.0: Direct firmware load for rtl_nic/rtl8168h-2.fw failed"
        " with error -2",
        "[ 4.10] bnx2x 0000:01:00.0: Direct firmware load for bnx2x/bnx2x-e2-7.13.21.0.fw"
        " failed with error -2",
        "[ 4.10] bnx2x: [bnx2x_init_firmware:13473(eth0)]Can't load firmware file"
        " bnx2x/bnx2x-e2-7.13.21.0.fw",
        "[ 5.00] e1000e 0000:00:19.0 eth1: NIC Link is Up 1000 Mbps Full Duplex",
    ]
)


def test_each_missing_file_once_with_driver_and_device() -> None:
    assert firmware.parse(DMESG) == [
        MissingFirmware("r8169", "0000:02:00.0", "rtl_nic/rtl8168h-2.fw"),
        MissingFirmware("bnx2x", "0000:01:00.0", "bnx2x/bnx2x-e2-7.13.21.0.fw"),
    ]


def test_kmsg_records(tmp_path: Path) -> None:
    kmsg = tmp_path / "kmsg"
    kmsg.write_text(
        "6,512,3210000,-;qede 0000:05:00.0: firmware: failed to load "
        "qed/qed_init_values_zipped-8.59.1.0.bin (-2)\n"
        " SUBSYSTEM=pci\n"
        "6,513,3210001,-;virtio_net virtio0 ens16: renamed from eth0\n"
    )
    assert firmware.missing_firmware(str(kmsg)) == [
        MissingFirmware("qede", "0000:05:00.0", "qed/qed_init_values_zipped-8.59.1.0.bin")
    ]


def test_nothing_missing_or_no_log(tmp_path: Path) -> None:
    assert firmware.parse("[ 1.0] e1000e 0000:00:19.0: loaded\n") == []
    assert firmware.missing_firmware(str(tmp_path / "none")) == []
