"""One validator per field: text in, typed value out, or a FieldError saying what is expected.

The wizard and the answers file both call these, so each rule lives here and nowhere else.
`error_of` turns a validator into the "message or None" form the screens show next to a field.
The validators live in one module per group of fields; this package names them all.
"""

from cos_installer.answers.validate.base import (  # noqa: F401
    FieldError,
    as_text,
    error_of,
    quoted,
)
from cos_installer.answers.validate.cluster import (  # noqa: F401
    cluster_size,
    controller_list,
    http_port,
    install_code,
    network_model,
    optional_ipv4,
    port,
    role,
    yes_no,
)
from cos_installer.answers.validate.disks import (  # noqa: F401
    data_disk,
    disk_path,
)
from cos_installer.answers.validate.group import (  # noqa: F401
    ha_group,
    ip_pool,
    pool_conflicts,
)
from cos_installer.answers.validate.netrules import stack_problems  # noqa: F401
from cos_installer.answers.validate.netstack import (  # noqa: F401
    address6,
    bond_mode,
    bond_primary,
    gateway6,
    interface_list,
    ipv6,
    ipv6_mode,
    lacp_rate,
    miimon,
    mtu,
    vlan_id,
)
from cos_installer.answers.validate.network import (  # noqa: F401
    address,
    dns_servers,
    gateway,
    interface_name,
    ip_address,
    ipv4,
    ipvlan_note,
    mac_address,
)
from cos_installer.answers.validate.system import (  # noqa: F401
    HOSTNAME_MAX,
    PASSWORD_MAX,
    host_problem,
    hostname,
    password,
    password_confirmation,
    password_hash,
)
