"""`boot.ipxe`: the iPXE script a netbooted machine runs, and its live kernel command line.

The command line is the ISO's (iso/live/cmdline; a test keeps both equal) plus live-boot's
`fetch=` (the squashfs over HTTP into RAM), `BOOTIF=` (the NIC iPXE booted from: live-boot
configures it, the answers lookup asks its MAC first), `cos.payload=` (the image streamed by
the install) and `cos.answers=` (the answers directory of the URL contract). `initrd=` names
the initrd for an EFI-stub kernel (UEFI); BIOS kernels ignore it.
"""

from __future__ import annotations

from cos_installer.hardware.media import PAYLOAD
from cos_installer.netboot.contract import ANSWERS_DIR

LIVE_CMDLINE = (
    "boot=live components quiet loglevel=3 systemd.show_status=0 modprobe.blacklist=floppy "
    "console=tty0 console=ttyS0,115200n8"
)
KERNEL = "live/vmlinuz"
INITRD = "live/initrd.img"
SQUASHFS = "live/filesystem.squashfs"
AFTER = ("poweroff", "reboot", "wizard")
NEXT_SERVER = "http://${next-server}/"  # `make netboot`: nginx on the DHCP/TFTP host


def kernel_args(base: str, *, autoinstall: bool = True, after: str = "poweroff") -> str:
    """The live kernel's arguments after the kernel URL (iPXE expands ${...})."""
    words = [
        "initrd=initrd.img",
        LIVE_CMDLINE,
        f"fetch={base}{SQUASHFS}",
        "BOOTIF=01-${netX/mac:hexhyp}",
        f"cos.payload={base}{PAYLOAD}",
        f"cos.answers={base}{ANSWERS_DIR}/",
    ]
    if autoinstall:
        words.append("cos.autoinstall")
    if after != "poweroff":
        words.append(f"cos.after={after}")
    return " ".join(words)


def boot_script(base: str, *, autoinstall: bool = True, after: str = "poweroff") -> str:
    """boot.ipxe for the tree served at `base` (an http(s) URL ending in /)."""
    if after not in AFTER:
        raise ValueError(f"after: expected one of {', '.join(AFTER)}, got {after!r}")
    mode = "installs unattended" if autoinstall else "starts the wizard pre-filled"
    args = kernel_args("${base}", autoinstall=autoinstall, after=after)
    return f"""#!ipxe
# COS installer over the network (cos-installer netboot): the live system {mode}
# from the answers document for this machine's MAC, DMI serial/UUID or disk serial.
echo COS netboot: ${{netX/mac}} from {base}
set base {base}
kernel ${{base}}{KERNEL} {args} || goto failed
initrd ${{base}}{INITRD} || goto failed
boot || goto failed
:failed
echo COS netboot: could not load the live system from ${{base}}; retrying in 10 s
sleep 10
chain ${{base}}boot.ipxe
"""
