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
class NetworkSettings:
    """The one NIC configured at install time; others are configured after install."""

    interface: str
    dhcp: bool = DEFAULT_DHCP
    address: ipaddress.IPv4Interface | None = None
    gateway: ipaddress.IPv4Address | None = None
    dns: list[ipaddress.IPv4Address] = field(default_factory=list)
    mac: str | None = None  # when known, the networkd file matches on it as well


@dataclass
class InstallConfig:
    role: Role
    system: SystemSettings
    network: NetworkSettings
    disk: str
    controller: ControllerSettings | None = None
    agent: AgentSettings | None = None
    data_disk: str | None = None  # optional Docker data disk: XFS, mounted with prjquota
    report: str = ""  # where install events and the first boot's event go (http(s) URL)

    def __post_init__(self) -> None:
        if self.role is Role.CONTROLLER and (self.controller is None or self.agent is not None):
            raise ValueError("a controller config carries controller settings and no agent ones")
        if self.role is Role.AGENT and (self.agent is None or self.controller is not None):
            raise ValueError("an agent config carries agent settings and no controller ones")
