"""The rules between the network stack's fields, in one place: the answers file, the fleet
check and the wizard all ask `stack_problems`. With the machine's NICs (`nics`), the rules
that need hardware facts run too: members that exist, links for 802.3ad, each NIC's max MTU."""

from __future__ import annotations

from collections.abc import Sequence

from cos_installer.answers.model import IPV6_MIN_MTU, Ipv6Mode, NetworkSettings
from cos_installer.answers.validate.netstack import PRIMARY_MODES
from cos_installer.hardware.types import Nic
from cos_installer.i18n import _

Problems = list[tuple[str, str]]  # (key path, message)


def stack_problems(net: NetworkSettings, nics: Sequence[Nic] | None = None) -> Problems:
    """(key path, message) for every rule between fields the settings break."""
    out: Problems = []
    bond = net.bond
    if bond is not None and len(net.interfaces) == 1:
        msg = _("a bond of one NIC ({name}): list two or more NICs in network.interface, or "
                "remove bond")  # fmt: skip
        out.append(("network.bond", msg.format(name=net.interfaces[0])))
    if bond is not None and bond.lacp_rate is not None and bond.mode != "802.3ad":
        msg = _("is for mode 802.3ad only, and the mode is {mode}: remove lacp_rate")
        out.append(("network.bond.lacp_rate", msg.format(mode=bond.mode)))
    if bond is not None and bond.primary is not None and bond.mode not in PRIMARY_MODES:
        msg = _("is for modes {modes} only, and the mode is {mode}: remove primary")
        out.append(("network.bond.primary", msg.format(modes=", ".join(PRIMARY_MODES),
                                                       mode=bond.mode)))  # fmt: skip
    for key, given in (("address6", net.address6), ("gateway6", net.gateway6)):
        if given is not None and net.ipv6 is not Ipv6Mode.STATIC:
            msg = _("{value} is for ipv6: static, and ipv6 is {mode}: set ipv6: static or "
                    "remove {key}")  # fmt: skip
            out.append((f"network.{key}", msg.format(value=given, mode=net.ipv6, key=key)))
    if net.mtu is not None and net.mtu < IPV6_MIN_MTU and net.ipv6 is not Ipv6Mode.OFF:
        msg = _("{mtu} is below 1280, the least IPv6 takes: raise the MTU or set ipv6: off")
        out.append(("network.mtu", msg.format(mtu=net.mtu)))
    if nics is not None:
        out += _hardware_problems(net, nics)
    return out


def _hardware_problems(net: NetworkSettings, nics: Sequence[Nic]) -> Problems:
    """The rules that need this machine's NICs (live facts, or a hardware profile)."""
    out: Problems = []
    by_name = {nic.name: nic for nic in nics}
    have = ", ".join(sorted(by_name)) or _("none")
    for name in net.interfaces:
        if name not in by_name:
            msg = _("{name} is not a NIC of this machine (it has: {have}): name one of those")
            out.append(("network.interface", msg.format(name=name, have=have)))
    members = [by_name[name] for name in net.interfaces if name in by_name]
    unlinked = [nic.name for nic in members if not nic.linked]
    if net.bond is not None and net.bond.mode == "802.3ad" and unlinked:
        msg = _("802.3ad needs a link on every member, and {names} has none [NoLink]: "
                "cable it to the switch's LACP group, or use active-backup")  # fmt: skip
        out.append(("network.bond.mode", msg.format(names=", ".join(unlinked))))
    for nic in members:
        if net.mtu is not None and nic.max_mtu is not None and net.mtu > nic.max_mtu:
            msg = _("{mtu} is more than {name} takes (its driver's maximum is {most}): "
                    "lower the MTU to {most} or less")  # fmt: skip
            out.append(("network.mtu", msg.format(mtu=net.mtu, name=nic.name, most=nic.max_mtu)))
    return out
