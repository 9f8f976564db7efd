"""InstallConfig: the one object that crosses from "asking" (wizard, answers file) to "doing".

Plain dataclasses holding already-validated, typed values. They are built by
`cos_installer.answers.document` (from a file) or by the wizard (from screens), both through the
validators in `cos_installer.answers.validate`; the install pipeline never knows which one was used.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field

DEFAULT_HTTP_PORT = 80
DEFAULT_CLUSTER_SIZE = 3
CLUSTER_SIZES = (1, 3, 5, 7, 9)
DEFAULT_HA = True  # the guide's walkthrough installs an HA controller group
DEFAULT_DHCP = False  # static: the guide's cluster expects fixed addresses
DEFAULT_USER = "cos"
USER_DATA_PATH = "/var/lib/coreos-install/user_data"
ROLE_ENV_PATH = "/etc/csphere/csphere.env"
DATA_MOUNT_POINT = "/xfs"
DATA_LABEL = "COSDATA"  # XFS label the install pipeline gives the data disk; xfs.mount uses it
HA_GROUP_SIZE = 3  # the guide's HA group: rs.initiate() with exactly three members (3.1.2.2)
MONGO_PORT = 27017
# The guide's fixed pool every Ipvlan cluster needs besides its own (3.4), in its notation.
IPVLAN_POOL = ("172.17.0.1/16", "172.17.0.254/16")


class Role(enum.StrEnum):
    CONTROLLER = "controller"
    AGENT = "agent"


class Ipv6Mode(enum.StrEnum):
    """How the top interface gets IPv6 (dual stack: the cluster's own addresses stay IPv4)."""

    OFF = "off"  # no IPv6 at all, not even link-local
    SLAAC = "slaac"  # router advertisements
    DHCP = "dhcp"  # DHCPv6 (and RAs, which carry the default route)
    STATIC = "static"  # address6 + gateway6


DEFAULT_IPV6 = Ipv6Mode.OFF
# Linux bonding modes by name (networkd's [Bond] Mode= takes the same words).
BOND_MODES = ("active-backup", "802.3ad", "balance-alb", "balance-tlb", "balance-rr",
              "balance-xor", "broadcast")  # fmt: skip
DEFAULT_BOND_MODE = "active-backup"  # works on any switch, no switch configuration needed
LACP_RATES = ("slow", "fast")
DEFAULT_MIIMON_MS = 100  # the kernel's default, 0, never notices a lost link: no failover
BOND_NAME = "bond0"  # the one bond the installer creates
VLAN_IDS = (1, 4094)  # 0 and 4095 are reserved by 802.1Q
MTU_BYTES = (576, 9216)  # IPv4's minimum; the largest jumbo frame switches commonly take
IPV6_MIN_MTU = 1280  # RFC 8200: IPv6 needs at least this


def vlan_name(vlan: int) -> str:
    """The VLAN interface's name: `vlan100`, not `<parent>.100`, because the parent's name
    in the installed OS is not known (NICs are matched by MAC, and a bond is bond0)."""
    return f"vlan{vlan}"


class NetworkModel(enum.StrEnum):
    BRIDGE = "bridge"  # Docker's default, recommended for most sites
    IPVLAN = "ipvlan"  # only for vSphere-virtualised sites


@dataclass(frozen=True)
class ControllerAddress:
    """One `host:port` entry of an agent's controller list (primary first)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class IpRange:
    """One container IP pool range (guide 3.4), both ends in the hosts' mask."""

    start: ipaddress.IPv4Interface
    end: ipaddress.IPv4Interface

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass
class ControllerSettings:
    http_port: int = DEFAULT_HTTP_PORT
    cluster_size: int = DEFAULT_CLUSTER_SIZE
    ha: bool = DEFAULT_HA
    # The HA group's three addresses, the primary first (rs0's member order, guide 3.1.2.2).
    # None: the group is not known, and the operator initiates rs0 by hand.
    group: list[ipaddress.IPv4Address] | None = None


@dataclass
class AgentSettings:
    controllers: list[ControllerAddress]
    install_code: str
    network_model: NetworkModel = NetworkModel.BRIDGE
    docker_gateway: ipaddress.IPv4Address | None = None  # COS_CUSTOM_DOCKERGW, empty by default
    docker_dns: ipaddress.IPv4Address | None = None  # COS_CUSTOM_DOCKERDNS, empty by default
    ip_pool: list[IpRange] = field(default_factory=list)  # the containers' pool (guide 3.4)
    ip_pool_owner: bool = False  # this agent sets the pool (and the Ipvlan one) at first boot

    @property
    def controllers_text(self) -> str:
        return ",".join(str(c) for c in self.controllers)


@dataclass
class SystemSettings:
    hostname: str
    password_hash: str  # SHA-512 crypt ($6$...); the plain password is never stored


@dataclass
class BondSettings:
    """The bond over several NICs (its name is BOND_NAME); None fields: the kernel's default."""

    mode: str = DEFAULT_BOND_MODE
    miimon: int = DEFAULT_MIIMON_MS  # link check interval in milliseconds
    lacp_rate: str | None = None  # 802.3ad only: slow or fast
    primary: str | None = None  # the member preferred while it has a link (active-backup...)


@dataclass
class NetworkSettings:
    """The NIC (or the bond of NICs) configured at install time, an optional VLAN on top,
    IPv4 and optional IPv6 on the top interface; other NICs are configured after install."""

    interfaces: list[str]  # one: a single NIC; several: the members of a bond
    dhcp: bool = DEFAULT_DHCP
    address: ipaddress.IPv4Interface | None = None
    gateway: ipaddress.IPv4Address | None = None
    dns: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = field(default_factory=list)
    # Permanent MAC per NIC name, where known: networkd matches the NIC by it, not by name.
    macs: dict[str, str] = field(default_factory=dict)
    bond: BondSettings | None = None  # set exactly when there are several interfaces
    vlan: int | None = None  # 802.1Q tag on the NIC or the bond
    mtu: int | None = None  # on every layer: members, bond, VLAN
    ipv6: Ipv6Mode = DEFAULT_IPV6
    address6: ipaddress.IPv6Interface | None = None  # with ipv6 static
    gateway6: ipaddress.IPv6Address | None = None

    @property
    def interface(self) -> str:
        """The single NIC's name, or the bond's (bond0) when there are several NICs."""
        return self.interfaces[0] if len(self.interfaces) == 1 else BOND_NAME

    @property
    def mac(self) -> str | None:
        """The single NIC's permanent MAC when known (None for a bond)."""
        return self.macs.get(self.interfaces[0]) if len(self.interfaces) == 1 else None

    @property
    def stack_text(self) -> str:
        """The whole stack on one line, as the Summary, Done screen and cloud-config show it:
        `bond0 (eth0+eth1, active-backup) > vlan100 > 192.168.122.101/24, 2001:db8::101/64`."""
        notes = ["+".join(self.interfaces), self.bond.mode] if self.bond is not None else []
        notes += [f"MTU {self.mtu}"] if self.mtu is not None else []
        layers = [self.interface + (f" ({', '.join(notes)})" if notes else "")]
        layers += [vlan_name(self.vlan)] if self.vlan is not None else []
        v6 = {Ipv6Mode.SLAAC: "SLAAC", Ipv6Mode.DHCP: "DHCPv6", Ipv6Mode.STATIC: self.address6}
        addresses = ["DHCP" if self.dhcp else str(self.address)]
        addresses += [str(v6[self.ipv6])] if self.ipv6 in v6 else []
        return " > ".join(layers + [", ".join(addresses)])

    @property
    def top(self) -> str:
        """The interface carrying the addresses: vlanN, else bond0, else the NIC."""
        return vlan_name(self.vlan) if self.vlan is not None else self.interface


@dataclass
class InstallConfig:
    role: Role
    system: SystemSettings
    network: NetworkSettings
    disk: str
    controller: ControllerSettings | None = None
    agent: AgentSettings | None = None
    data_disk: str | None = None  # optional Docker data disk: XFS, mounted with prjquota

    def __post_init__(self) -> None:
        if self.role is Role.CONTROLLER and (self.controller is None or self.agent is not None):
            raise ValueError("a controller config carries controller settings and no agent ones")
        if self.role is Role.AGENT and (self.agent is None or self.controller is not None):
            raise ValueError("an agent config carries agent settings and no controller ones")
