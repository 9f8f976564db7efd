"""e2e (f): install faults made for real in the live system, where the kernel has md and dm.

One boot of the ISO (no answers) with tty1 as the primary console: ttyS0 takes the installer
over on Enter, the wizard is left with Ctrl+C and the root shell the console then offers is
taken; over the serial line:
  1. leftover RAID/LVM: vda1 and vdb1 in an md RAID1, an LVM volume group on md0, a volume in
     it. Stopped and replayed as a boot would (coldplug events), nothing is assembled or
     activated by the live system. Assembled again by hand, `install` onto vda refuses and
     names md0 and the volume (nothing changed); with the volume mounted, `--clear-holders`
     refuses too and names the mount; with md0 held open, it stops the volume group, fails
     on the RAID and says what already ran; then it stops the RAID and installs.
  2. an I/O error: vdc is a QEMU `blkdebug` drive whose writes fail at 200 MiB. `install`
     exits 1 naming the write stage, /dev/vdc and the Input/output error; afterwards (read on
     the host from the image file) the disk's old partition table is gone at both ends.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import e2e_shared
import vm

FAIL_AT = 200 << 20  # bytes: the blkdebug drive fails every write touching this offset
BLKDEBUG = f"""[inject-error]
event = "write_aio"
errno = "5"
sector = "{FAIL_AT // 512}"
iotype = "write"
once = "off"
"""
SIZE = 2 << 30  # each disk: the demo payload (~1 GiB) fits, nothing more


def old_table(path: Path) -> None:
    """Two partitions left by a previous system, on the image file the blkdebug drive wraps."""
    script = "label: gpt\n,256MiB,L\n,512MiB,L\n"
    subprocess.run(["sfdisk", "-q", str(path)], input=script, text=True, check=True)


def gpt_at_both_ends(path: Path) -> tuple[bool, bool]:
    with open(path, "rb") as f:
        f.seek(512)
        primary = f.read(8) == b"EFI PART"
        f.seek(SIZE - 512)
        backup = f.read(8) == b"EFI PART"
    return primary, backup


def take_shell(guest: vm.VM) -> e2e_shared.Shell:
    """tty1 is the primary console here: ttyS0 says where the installer runs and takes it
    over on Enter (what an operator on IPMI SOL does); then the wizard is left for a shell."""
    guest.expect(r"The COS installer is running on tty1", 400)
    guest.expect(r"Press Enter here to move it to ttyS0", 30)
    guest.send("\r")
    guest.expect(r"COS-INSTALLER-START on ttyS0", 60)
    guest.expect(r"Welcome to the COS installer", 120)
    return e2e_shared.shell_from_wizard(guest)


class Checks:
    """Each check printed as it is made; the failed ones kept for the phase's report."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def __call__(self, ok: bool, what: str, output: str = "") -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.problems.append(what)
            if output:
                print("       " + output.strip().replace("\n", "\n       ")[-1500:], flush=True)


INSTALL = "cos-installer install --yes --answers /cfg/answers-{}.yaml 2>&1"


def _drives(workdir: Path, password: str) -> tuple[Path, dict[str, Path], Path]:
    """The COSCFG drive with one answers file per target, three blank disks (vdc with an old
    GPT at both ends) and the blkdebug rules that make vdc fail writes."""
    base = e2e_shared.answers_yaml(password, disks=())
    cfg_dir = workdir / "cfg-f"
    cfg_dir.mkdir()
    for disk in ("vda", "vdc"):
        (cfg_dir / f"answers-{disk}.yaml").write_text(base + f"disk: /dev/{disk}\n")
    cfg = workdir / "cfg-f.img"
    subprocess.run(["mkfs.ext4", "-q", "-L", "COSCFG", "-d", str(cfg_dir), str(cfg), "16M"],
                   check=True)  # fmt: skip
    disks = {name: workdir / f"{name}-f.raw" for name in ("vda", "vdb", "vdc")}
    for path in disks.values():
        path.unlink(missing_ok=True)
        with open(path, "wb") as f:
            f.truncate(SIZE)
    old_table(disks["vdc"])
    rules = workdir / "blkdebug-f.conf"
    rules.write_text(BLKDEBUG)

    return cfg, disks, rules


def _guest(workdir: Path, iso: str, kernel: str, initrd: str, cfg: Path, disks: dict,
           rules: Path) -> vm.VM:  # fmt: skip
    cmdline = (Path(__file__).parent / "live" / "cmdline").read_text().strip()
    consoles = "console=tty0 console=ttyS0,115200n8"
    assert consoles in cmdline
    cmdline = cmdline.replace(consoles, "console=ttyS0,115200n8 console=tty0")  # tty1 primary
    guest = vm.VM("e2e-f-faults", str(workdir))
    guest.disk(str(disks["vda"]))
    guest.disk(str(disks["vdb"]))
    guest.disk(f"blkdebug:{rules}:{disks['vdc']}")
    guest.disk(str(cfg), "raw", ro=True)
    guest.cdrom(iso)
    guest.nic(link=True)
    guest.kernel(kernel, initrd, cmdline)
    return guest


def _leftover_raid_lvm(sh, want: Checks) -> None:
    """An md RAID1 + LVM left on the target: refused and named, then --clear-holders."""
    install = INSTALL
    # 1. leftover RAID1 + LVM on the target
    steps = [
        "for d in vda vdb; do printf 'label: gpt\\n,600MiB,R\\n' | sfdisk -q /dev/$d; done",
        "udevadm settle",
        "mdadm --create /dev/md0 --run --assume-clean --level=1 --raid-devices=2 "
        "--metadata=1.2 /dev/vda1 /dev/vdb1 </dev/null",
        "pvcreate -q /dev/md0 && vgcreate -q cosvg /dev/md0 && "
        "lvcreate -q -y -n data -L 64M cosvg && mkfs.ext4 -q /dev/cosvg/data",
    ]
    for step in steps:
        code, out = sh.run(step, 180)
        want(code == 0, f"set-up: {step[:60]}", out)
    # what a boot does with leftover metadata: the coldplug `add` events
    code, out = sh.run("vgchange -an cosvg && mdadm --stop /dev/md0 && udevadm trigger "
                       "--action=add --subsystem-match=block && udevadm settle; "
                       "cat /proc/mdstat", 120)  # fmt: skip
    want(code == 0 and not re.search(r"(?m)^md\d+ :", out),
         "the live system does not assemble leftover RAID (coldplug)", out)  # fmt: skip
    code, out = sh.run("mdadm --assemble /dev/md0 /dev/vda1 /dev/vdb1 && udevadm settle; "
                       "dmsetup ls", 120)  # fmt: skip
    want(code == 0 and "cosvg-data" not in out,
         "nor activates leftover LVM on an array that appears", out)  # fmt: skip
    code, out = sh.run("vgchange -ay cosvg && udevadm settle", 120)
    want(code == 0, "the volume group activates by hand", out)
    code, out = sh.run(install.format("vda"), 300)
    want(code == 1, f"install onto a disk held by RAID/LVM exits 1 (got {code})", out)
    want("vda1 is held by RAID /dev/md0 (raid1), which also uses /dev/vdb1" in out,
         "preflight names md0 on vda1 and its other member", out)  # fmt: skip
    want("md0 is held by LVM /dev/mapper/cosvg-data" in out,
         "preflight names the LVM volume on md0", out)  # fmt: skip
    want("--clear-holders" in out, "preflight says --clear-holders", out)
    code, out = sh.run("cat /proc/mdstat; lsblk -lno NAME /dev/vda")
    want("md0 : active" in out and "vda1" in out, "nothing was changed (md0 active)", out)
    code, out = sh.run("cos-installer probe 2>&1")
    vda = re.search(r"(?ms)^  /dev/vda .*?(?=^  /dev/|^NICs:)", out)
    want(bool(vda) and "in use: held by md0 (RAID raid1, also on /dev/vdb1)" in vda.group(0),
         "the disk probe (what the wizard lists) flags vda as held by md0", out)  # fmt: skip

    code, out = sh.run("mount /dev/cosvg/data /mnt && " + install.format("vda") +
                       " --clear-holders", 300)  # fmt: skip
    want(code == 1 and "/dev/mapper/cosvg-data is mounted on /mnt" in out,
         f"--clear-holders refuses while the volume is mounted (exit {code})", out)  # fmt: skip

    # md0 held open by the shell: the VG stops, the RAID cannot
    code, out = sh.run("umount /mnt && exec 3</dev/md0 && " + install.format("vda") +
                       " --clear-holders", 300)  # fmt: skip
    clearing = "clearing /dev/vda: vgchange -an cosvg; mdadm --stop /dev/md0; " + (
        "mdadm --zero-superblock /dev/vda1"
    )
    want(clearing in out, "--clear-holders announces the VG first, then the RAID", out)
    want(code == 1 and "no partition table was touched, but these already ran: "
         "vgchange -an cosvg" in out,
         f"a clearing that fails halfway says what already ran (exit {code})", out)  # fmt: skip
    code, out = sh.run("exec 3<&- ; " + install.format("vda") + " --clear-holders", 900)
    want(code == 0, f"--clear-holders then stops the RAID and installs (exit {code})", out)
    code, out = sh.run("cat /proc/mdstat; lsblk -lno NAME,LABEL /dev/vda")
    want(not re.search(r"md\d+ : active .*vda", out), "no RAID holds vda any more", out)
    want(bool(re.search(r"vda\d+\s+ROOT", out)), "vda carries the payload's ROOT", out)


def _io_error(sh, want: Checks) -> None:
    """A disk that fails writes (QEMU blkdebug): the guide's FAQ 5.3 line, the table reset."""
    install = INSTALL
    # 2. an I/O error from the disk itself
    code, out = sh.run(install.format("vdc"), 900)
    want(code == 1, f"install onto the failing disk exits 1 (got {code})", out)
    want("ERROR on Installing COS To Device /dev/vdc: stage write failed" in out,
         "the guide's line (FAQ 5.3) names the write stage", out)  # fmt: skip
    want("/dev/vdc" in out and "Input/output error" in out,
         "the message names /dev/vdc and the Input/output error", out)  # fmt: skip
    want("partition table was reset" in out, "the message says the table was reset", out)
    code, out = sh.run("grep -c 'Input/output error' /var/log/cos-installer/install.log")
    want(code == 0, "the install log keeps the error", out)
    sh.run("sync")


def run(workdir: Path, iso: str, accel: str, kernel: str, initrd: str, password: str) -> list:
    want = Checks()
    cfg, disks, rules = _drives(workdir, password)
    guest = _guest(workdir, iso, kernel, initrd, cfg, disks, rules)
    guest.start(accel)
    try:
        sh = take_shell(guest)
        code, out = sh.run("mkdir -p /cfg && mount -o ro -L COSCFG /cfg")
        want(code == 0, "the COSCFG drive mounts in the live shell", out)
        _leftover_raid_lvm(sh, want)
        _io_error(sh, want)
    except (TimeoutError, RuntimeError) as error:
        want(False, f"faults phase: {error}")
    finally:
        guest.stop()
    primary, backup = gpt_at_both_ends(disks["vdc"])
    want(not primary and not backup,
         f"vdc's old GPT is gone at both ends (primary {primary}, backup {backup})")  # fmt: skip
    for path in disks.values():
        path.unlink(missing_ok=True)
    return want.problems
