"""The site's own servers for a rack install: a dnsmasq.conf (DHCP or proxy-DHCP next to an
existing DHCP server, TFTP, iPXE chainloading) and an nginx server block for the tree.

Machines whose firmware PXE-boots get iPXE over TFTP (BIOS: undionly.kpxe; UEFI x86-64:
snponly.efi, with ipxe.efi beside it for NICs without SNP; both from Debian's `ipxe`); iPXE
(also a NIC's own iPXE ROM, as QEMU's) identifies itself with DHCP option 175 / user class
"iPXE" and gets the boot.ipxe URL instead, so nothing loops.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

BIOS_LOADER = "undionly.kpxe"
UEFI_LOADER = "snponly.efi"
LOADERS = (BIOS_LOADER, UEFI_LOADER, "ipxe.efi")
SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/+-]*\Z")
IFACE = re.compile(r"^[A-Za-z0-9_.:-]{1,15}\Z")


@dataclass(frozen=True)
class Dhcp:
    """Full DHCP (range of addresses to lease) or proxy-DHCP (a subnet whose DHCP server
    stays in charge of addresses)."""

    range_start: str = ""
    range_end: str = ""
    netmask: str = ""
    proxy_subnet: str = ""
    router: str = ""
    interface: str = ""


def parse_dhcp(
    dhcp_range: str | None, proxy: str | None, router: str | None, interface: str | None
) -> Dhcp:
    """ValueError naming the option, the value and what is expected."""
    if bool(dhcp_range) == bool(proxy):
        raise ValueError("give either --dhcp-range START,END/PREFIX or --proxy-dhcp SUBNET")
    if interface is not None and not IFACE.match(interface):
        raise ValueError(f"--interface {interface!r}: expected a NIC name such as eno1 or br0")
    if router:
        try:
            router = str(ipaddress.IPv4Address(router))
        except ValueError:
            raise ValueError(f"--router {router!r}: expected an IPv4 address") from None
    if proxy:
        try:
            net = ipaddress.IPv4Network(proxy, strict=False)
        except ValueError:
            raise ValueError(f"--proxy-dhcp {proxy!r}: expected a subnet: 10.0.0.0/24") from None
        return Dhcp(proxy_subnet=str(net.network_address), netmask=str(net.netmask),
                    router=router or "", interface=interface or "")  # fmt: skip
    found = re.match(r"^([0-9.]+),([0-9.]+)/(\d{1,2})\Z", dhcp_range or "")
    try:
        if not found:
            raise ValueError
        start, end = ipaddress.IPv4Address(found[1]), ipaddress.IPv4Address(found[2])
        net = ipaddress.IPv4Network(f"{start}/{found[3]}", strict=False)
        if end not in net or end < start:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"--dhcp-range {dhcp_range!r}: expected START,END/PREFIX in one subnet, "
            "e.g. 10.0.0.100,10.0.0.199/24"
        ) from None
    return Dhcp(str(start), str(end), str(net.netmask), router=router or "",
                interface=interface or "")  # fmt: skip


def dnsmasq_conf(dhcp: Dhcp, tftp_root: str, boot_url: str) -> str:
    lines = [
        "# COS rack install: DHCP, TFTP and iPXE chainloading (cos-installer netboot export).",
        "# Run: dnsmasq --conf-file=THIS (or copy it to /etc/dnsmasq.d/).",
        "port=0  # no DNS service",
    ]
    if dhcp.interface:
        lines += [f"interface={dhcp.interface}", "bind-interfaces"]
    if dhcp.proxy_subnet:
        lines.append(f"dhcp-range={dhcp.proxy_subnet},proxy,{dhcp.netmask}")
    else:
        lines.append(f"dhcp-range={dhcp.range_start},{dhcp.range_end},{dhcp.netmask},1h")
        if dhcp.router:
            lines.append(f"dhcp-option=option:router,{dhcp.router}")
    lines += [
        "log-dhcp",
        "enable-tftp",
        f"tftp-root={tftp_root}",
        "# iPXE says so (option 175, user class iPXE): it gets the script, not iPXE again",
        "dhcp-match=set:ipxe,175",
        "dhcp-userclass=set:ipxe,iPXE",
        "dhcp-match=set:efi64,option:client-arch,7",
        "dhcp-match=set:efi64,option:client-arch,9",
    ]
    if dhcp.proxy_subnet:
        lines += [
            f'pxe-service=tag:!ipxe,x86PC,"COS netboot (BIOS)",{BIOS_LOADER}',
            f'pxe-service=tag:!ipxe,X86-64_EFI,"COS netboot (UEFI)",{UEFI_LOADER}',
            f"dhcp-boot=tag:ipxe,{boot_url}",
        ]
    else:
        lines += [
            f"dhcp-boot=tag:!ipxe,tag:!efi64,{BIOS_LOADER}",
            f"dhcp-boot=tag:!ipxe,tag:efi64,{UEFI_LOADER}",
            f"dhcp-boot=tag:ipxe,{boot_url}",
        ]
    return "\n".join(lines) + "\n"


def server_url(text: str) -> urllib.parse.SplitResult:
    """--server: http://HOST[:PORT]/PATH/ with a plain path; ValueError otherwise."""
    parts = urllib.parse.urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = parts.hostname or ""
    ok = (
        parts.scheme == "http"
        and re.match(r"^[A-Za-z0-9.-]+\Z", host)
        and port != -1
        and not (parts.query or parts.fragment or parts.username or parts.password)
        and SAFE_PATH.match(parts.path or "/")
        and ".." not in parts.path.split("/")
    )
    if not ok:
        shown = text.encode("unicode_escape").decode("ascii")[:100]
        raise ValueError(
            f"--server {shown!r}: expected the http URL the tree is served at, "
            "http://HOST[:PORT]/PATH/ (letters, digits, ._/+- in the path), "
            "e.g. http://10.0.0.1/cos/ (iPXE and live-boot fetch plain http; the image "
            "is checked by its sha256)"
        )
    path = (parts.path or "/").rstrip("/") + "/"
    return parts._replace(path=path)


def nginx_conf(server: urllib.parse.SplitResult, root: str) -> str:
    """A server block for nginx's http {} (conf.d/): the tree at the URL's path, with its
    size (Content-Length) and Range, which the install's download needs."""
    if not SAFE_PATH.match(root):
        raise ValueError(f"--root {root!r}: expected an absolute path of letters, digits, ._/+-")
    port = server.port or 80
    alias = root.rstrip("/") + "/"
    return f"""# COS rack install: the exported tree (cos-installer netboot export).
# Include it in nginx's http {{}} block, e.g. as /etc/nginx/conf.d/cos-netboot.conf.
# It serves the agents' install code and the password hash: keep it on the install network.
server {{
    listen {port};
    server_name {server.hostname} _;
    location {server.path} {{
        alias {alias};
        autoindex off;
        sendfile on;
        tcp_nopush on;
        types {{ }}
        default_type application/octet-stream;
        add_header Accept-Ranges bytes;
    }}
    location {server.path}answers/ {{
        alias {alias}answers/;
        types {{ }}
        default_type text/plain;
    }}
}}
"""
