"""e2e (p): the live probe on a bond and a VLAN, where the kernel has bonding and 8021q.

One boot of the ISO (no answers); the wizard is left for the root shell on ttyS0. A drive
labelled COSPROBE carries this tree's `cos_installer` (put ahead of the installed one) and
iso/netprobe_guest.sh, which builds two NICs (veth c1, c2) whose peers are bridged with
VLAN 100 on the bridge, serving DHCPv4 and IPv6 router advertisements (iso/netprobe_peer.py:
the live ISO has no dnsmasq), then runs `cos-installer netprobe`:
  - c1 untagged: no DHCP answer (the server is on VLAN 100 only);
  - bond c1+c2 (active-backup) > VLAN 100: the lease, the RA's SLAAC prefix, the active
    member; afterwards no link of the probe is left and c1/c2 have their MAC, flags and MTU;
  - a probe killed (SIGKILL) with its stack up leaves it; the next probe removes it first,
    and works on c2 > VLAN 100.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import e2e_shared
import vm

HERE = Path(__file__).parent


def drive(workdir: Path) -> Path:
    """ext4 labelled COSPROBE: src/cos_installer, the guest script, the peer (mkfs -d)."""
    content = workdir / "probe-drive"
    shutil.copytree(HERE.parent / "cos_installer", content / "src" / "cos_installer",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    for name in ("netprobe_guest.sh", "netprobe_peer.py"):
        shutil.copy(HERE / name, content / name)
    image = workdir / "probe-drive.img"
    subprocess.run(["mkfs.ext4", "-q", "-L", "COSPROBE", "-d", str(content), str(image), "32M"],
                   check=True)  # fmt: skip
    shutil.rmtree(content)
    return image


def lines(text: str) -> dict[str, str]:
    """The guest script's `P:key rest` / `P:key=value` lines."""
    found = {}
    for match in re.finditer(r"^P:([\w-]+)[= ]?(.*)$", text, re.M):
        found[match.group(1)] = match.group(2).strip()
    return found


def section(text: str, name: str) -> str:
    """The probe's output between P:NAME-begin and P:NAME-rc."""
    start = text.find(f"P:{name}-begin")
    end = text.find(f"P:{name}-rc", start)
    return text[start:end] if start >= 0 and end > start else ""


def checks(text: str) -> list[str]:
    problems: list[str] = []

    def want(ok: bool, what: str, output: str = "") -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            problems.append(what)
            print("       " + output.strip().replace("\n", "\n       ")[-1200:], flush=True)

    p = lines(text)
    untagged, bond, again = (section(text, n) for n in ("untagged", "bond", "again"))
    want("no DHCP answer on c1" in untagged, "c1 untagged: no DHCP answer (server on VLAN 100)",
         untagged)  # fmt: skip
    want(p.get("bond-rc") == "0", f"the bond probe exits 0 (got {p.get('bond-rc')})", bond)
    for fact in ("bond cosprobe-b: c1+c2 (active-backup)", "VLAN 100 on cosprobe-b: cosprobe-v",
                 "DHCP on bond (c1+c2, active-backup) > VLAN 100 (cosprobe-v): 10.100.0.5",
                 "via 10.100.0.1", "IPv6 prefix 2001:db8:100::/64 (SLAAC allowed)",
                 "IPv6 suggestion: slaac", "bond cosprobe-b: active member c",
                 "taken down: cosprobe-v, cosprobe-b; c1, c2 as before"):  # fmt: skip
        want(fact in bond, f"the bond probe says: {fact}", bond)
    want(p.get("leftover-links") == "0", "no link of the probe is left after it", text[-800:])
    want(bool(p.get("before")) and p.get("before") == p.get("after"),
         f"c1, c2 as before (MAC flags MTU): {p.get('after')}")  # fmt: skip
    want(p.get("bond-clients") == "0", f"no DHCP client outlives the bond probe "
         f"({p.get('bond-clients')})")  # fmt: skip
    want(p.get("killed-left") == "2",
         f"a probe killed by SIGKILL leaves its 2 links ({p.get('killed-left')}) "
         f"and its DHCP client ({p.get('killed-clients')})")  # fmt: skip
    want("removed what an earlier probe left: cosprobe-v, cosprobe-b" in again
         and "DHCP on c2 > VLAN 100 (cosprobe-v): 10.100.0." in again,
         "the next probe removes them first, and works on c2 > VLAN 100", again)  # fmt: skip
    want(p.get("final-links") == "0", "nothing of the probe is left in the end")
    want(p.get("clients") == "0", f"the next probe also ended the killed one's DHCP client "
         f"({p.get('clients')} left)")  # fmt: skip
    return problems


def run(workdir: Path, iso: str, accel: str, kernel: str, initrd: str) -> list[str]:
    cmdline = (HERE / "live" / "cmdline").read_text().strip()
    guest = vm.VM("e2e-p-netprobe", str(workdir))
    guest.disk(str(drive(workdir)), "raw", ro=True)
    guest.cdrom(iso)
    guest.kernel(kernel, initrd, cmdline)
    guest.start(accel)
    try:
        sh = e2e_shared.shell_from_wizard(guest)
        code, out = sh.run("mkdir -p /probe && mount -o ro -L COSPROBE /probe")
        if code != 0:
            return [f"(p): the COSPROBE drive does not mount: {out[-500:]}"]
        code, out = sh.run("sh /probe/netprobe_guest.sh 2>&1", 600)
    finally:
        guest.stop()
    return checks(out)
