"""The cloud-config keys coreos-cloudinit v1.14.0 knows, as its config structs declare them.

One table per struct of config/config.go, file.go, unit.go, user.go, update.go, locksmith.go,
flannel.go and oem.go: each key's type and, where the struct has a `valid:` tag, its pattern.
`cloudconfig` walks a document against it; the project's own rules live there, not here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scalar:
    kind: str  # string | int | bool | float64
    valid: str | None = None  # a regular expression the value must match


@dataclass(frozen=True)
class Seq:
    item: object


@dataclass(frozen=True)
class Deprecated:
    """A section still parsed by cloudinit but flagged; its inside is not checked further."""

    why: str


class Struct(dict):
    kind = "struct"


STR, BOOL = Scalar("string"), Scalar("bool")
ENCODINGS = r"^(base64|b64|gz|gzip|gz\+base64|gzip\+base64|gz\+b64|gzip\+b64)$"
UNIT_COMMANDS = r"^(start|stop|restart|reload|try-restart|reload-or-restart|reload-or-try-restart)$"
NOT_SHIPPED = "{} is no longer shipped in Container Linux"


def _fields(strings: str, **others: object) -> Struct:
    """A struct whose space-separated `strings` keys are strings, plus `others`."""
    return Struct(dict.fromkeys(strings.split(), STR), **others)


SCHEMA = _fields(
    "hostname",
    ssh_authorized_keys=Seq(STR),
    coreos=Struct(
        etcd=Deprecated(NOT_SHIPPED.format("etcd")),
        etcd2=Deprecated(NOT_SHIPPED.format("etcd2")),
        fleet=Deprecated(NOT_SHIPPED.format("fleet")),
        flannel=_fields(
            "etcd_endpoints etcd_cafile etcd_certfile etcd_keyfile etcd_prefix etcd_username "
            "etcd_password ip_masq subnet_file interface public_ip"
        ),
        locksmith=_fields(
            "endpoint etcd_cafile etcd_certfile etcd_keyfile etcd_username etcd_password group",
            window_start=Scalar(
                "string",
                r"^((?i:sun|mon|tue|wed|thu|fri|sat|sun) )?"
                r"0*([0-9]|1[0-9]|2[0-3]):0*([0-9]|[1-5][0-9])$",
            ),
            window_length=Scalar("string", r"^[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+$"),
        ),
        oem=_fields("id name version_id home_url bug_report_url"),
        update=_fields(
            "group server",
            reboot_strategy=Scalar("string", r"^(etcd-lock|reboot|off)$"),
        ),
        units=Seq(
            _fields(
                "name content",
                mask=BOOL,
                enable=BOOL,
                runtime=BOOL,
                command=Scalar("string", UNIT_COMMANDS),
                drop_ins=Seq(_fields("name content")),
            )
        ),
    ),
    write_files=Seq(
        _fields(
            "content owner path",
            encoding=Scalar("string", ENCODINGS),
            permissions=Scalar("string", r"^0?[0-7]{3,4}$"),
        )
    ),
    users=Seq(
        _fields(
            "name passwd coreos_ssh_import_github coreos_ssh_import_url gecos homedir "
            "primary_group shell",
            ssh_authorized_keys=Seq(STR),
            coreos_ssh_import_github_users=Seq(STR),
            groups=Seq(STR),
            no_create_home=BOOL,
            no_user_group=BOOL,
            system=BOOL,
            no_log_init=BOOL,
        )
    ),
    manage_etc_hosts=STR,  # no valid: pattern upstream; see cloudconfig.ETC_HOSTS
)
USER_IMPORTS = "trying to fetch from a remote endpoint introduces too many intermittent errors"
DEPRECATED_USER_KEYS = {
    "coreos_ssh_import_github",
    "coreos_ssh_import_github_users",
    "coreos_ssh_import_url",
}
