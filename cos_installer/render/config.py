"""InstallConfig -> `#cloud-config` text, checked against coreos-cloudinit's rules.

Jinja2 with StrictUndefined; every value goes through a filter made for where it lands (a
YAML scalar, a literal block, a shell/systemd environment value, a systemd INI value), so no
value can change the document's structure. The result must pass `cloudconfig.check` with no
entry at all, or RenderError is raised: a config coreos-cloudinit would complain about is
never written to a disk.
"""

from __future__ import annotations

import re
from importlib import resources

import jinja2

from cos_installer.answers.model import (
    DATA_LABEL,
    DATA_MOUNT_POINT,
    DEFAULT_USER,
    ROLE_ENV_PATH,
    USER_DATA_PATH,
    InstallConfig,
    Role,
)
from cos_installer.render import oneshots
from cos_installer.render.checker import Report, check
from cos_installer.render.networkd import network_files

DOCKER_DATA_SCRIPT = "/opt/bin/cos-docker-data"
DOCKER_UNITS = {
    Role.CONTROLLER: "csphere-docker-controller.service",
    Role.AGENT: "csphere-docker-agent.service",
}


class RenderError(Exception):
    """The config could not be rendered, or breaks a cloud-config rule (`.reports`)."""

    def __init__(self, message: str, reports: list[Report] | None = None) -> None:
        self.reports = list(reports or [])
        lines = [message] + [f"  {r}" for r in self.reports]
        super().__init__("\n".join(lines))


def yaml_scalar(value: object) -> str:
    """A YAML scalar that reads back as exactly `value`: numbers and booleans as such,
    anything else as a double-quoted string with every non-printable-ASCII escaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    out = ['"']
    for ch in str(value):
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def yaml_block(value: object, indent: int) -> str:
    """File content as a readable literal block (`|`) when that is unambiguous (printable
    ASCII lines, the first not indented, one final newline); else a quoted scalar."""
    text = str(value)
    lines = text[:-1].split("\n") if text.endswith("\n") else []
    readable = (
        bool(lines)
        and lines[0][:1] not in ("", " ")
        and lines[-1] != ""
        and all(line.isascii() and line.isprintable() for line in lines)
    )
    if not readable:
        return yaml_scalar(text)
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line else "" for line in lines)


_ENV_PLAIN = re.compile(r"[A-Za-z0-9_.,:/@%+=-]*\Z")


def env_value(value: object) -> str:
    """A value for a `KEY=value` line read by both sh and systemd's EnvironmentFile=."""
    text = "" if value is None else str(value)
    if not all(ch.isprintable() for ch in text):
        raise RenderError("an environment value contains a control character or line break")
    if _ENV_PLAIN.match(text):
        return text
    return '"' + re.sub(r'([\\"$`])', r"\\\1", text) + '"'


def ini_value(value: object) -> str:
    """A value for a systemd unit/network file line: one line, no surrounding white space."""
    text = "" if value is None else str(value)
    if value is None or not text or text != text.strip() or not text.isprintable():
        raise RenderError(f"a systemd setting cannot be {'empty' if not text else 'multi-line'}")
    return text


def environment() -> jinja2.Environment:
    """The Jinja environment over the packaged templates/cloud-config/*.j2."""
    folder = resources.files("cos_installer.templates") / "cloud-config"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(yaml=yaml_scalar, block=yaml_block, env=env_value, ini=ini_value)
    return env


def render_config(config: InstallConfig) -> str:
    """The cloud-config for `config`; RenderError lists every rule it would break."""
    env = environment()
    context = {
        "config": config,
        "net": config.network,
        "user": DEFAULT_USER,
        "env_path": ROLE_ENV_PATH,
        "user_data_path": USER_DATA_PATH,
        "data_label": DATA_LABEL,
        "data_mount": DATA_MOUNT_POINT,
        "docker_unit": DOCKER_UNITS[config.role],
        "docker_data_script": DOCKER_DATA_SCRIPT,
        "docker_by_script": False,  # the HA group's script starts Docker after rs0
    }
    try:
        context["network_files"] = network_files(env, config.network)
        if config.data_disk:
            for key, name in (
                ("xfs_mount", "xfs.mount.j2"),
                ("docker_data_unit", "docker-data.service.j2"),
                ("docker_data_sh", "docker-data.sh.j2"),
                ("docker_requires_xfs", "docker-requires-xfs.conf.j2"),
            ):
                context[key] = env.get_template(name).render(context)
        context |= oneshots.context(env, config, context)
        text = env.get_template(f"{config.role.value}.j2").render(context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"cloud-config template: {exc}") from None
    reports = check(text)
    if reports:
        raise RenderError("the generated cloud-config breaks coreos-cloudinit's rules:", reports)
    return text
