"""`cos-installer netboot export`: a rack's network install as a static tree for the site's own
dnsmasq (DHCP/proxy-DHCP + TFTP + iPXE) and nginx (HTTP), from one fleet file.

Exit 0 with the tree written, 2 when the fleet file or an option is refused (nothing is
written), 1 when writing failed (nothing is left behind).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys

HELP = "write the static tree (boot files, boot.ipxe, answers per machine, dnsmasq/nginx configs)"
DEFAULT_BOOT_FILES = "build/netboot"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="netboot_command", metavar="ACTION", required=True)
    ex = sub.add_parser("export", help=HELP, description=__doc__.split("\n\n")[0])
    ex.add_argument("--fleet", required=True, metavar="FILE", help="the fleet answers file")
    ex.add_argument("--server", required=True, metavar="URL",
                    help="where nginx serves the tree, e.g. http://10.0.0.1/cos/")  # fmt: skip
    ex.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory")
    ex.add_argument("--boot-files", default=DEFAULT_BOOT_FILES, metavar="DIR",
                    help=f"`make netboot`'s output (default {DEFAULT_BOOT_FILES})")  # fmt: skip
    ex.add_argument("--root", metavar="PATH",
                    help="where the tree will lie on the server (default: --out's absolute "
                    "path); dnsmasq's tftp-root and nginx's alias point there")  # fmt: skip
    ex.add_argument("--dhcp-range", metavar="START,END/PREFIX",
                    help="dnsmasq leases these (e.g. 10.0.0.100,10.0.0.199/24)")  # fmt: skip
    ex.add_argument("--proxy-dhcp", metavar="SUBNET",
                    help="proxy-DHCP beside the site's DHCP server (10.0.0.0/24)")  # fmt: skip
    ex.add_argument("--router", metavar="IP", help="the default gateway leased (--dhcp-range)")
    ex.add_argument("--interface", metavar="NIC", help="dnsmasq answers on this NIC only")
    ex.add_argument("--no-autoinstall", action="store_true",
                    help="boot into the wizard, pre-filled, instead of installing")  # fmt: skip
    ex.add_argument("--after", choices=("poweroff", "reboot", "wizard"), default="poweroff",
                    help="after an unattended install (default poweroff: a machine that "
                    "netboots first would install again after a reboot)")  # fmt: skip


def _err(lines: list[str]) -> int:
    from cos_installer.common.shown import printable

    for line in lines:
        print(f"cos-installer netboot export: {printable(line)}", file=sys.stderr)
    return 2


def _check_fleet(path: str) -> tuple[dict, list[str]]:
    from cos_installer.answers.document import AnswersError
    from cos_installer.answers.fleet import FleetError
    from cos_installer.answers.loader import read_mapping
    from cos_installer.commands.check_answers import check_all

    try:
        mapping = read_mapping(path)
        if "hosts" not in mapping:
            return mapping, [f"{path}: hosts: missing: netboot export writes one answers "
                             "document per entry's match: (MAC, serial, UUID)"]  # fmt: skip
        errors, _report = check_all(mapping, path)
    except (AnswersError, FleetError) as exc:
        return {}, list(exc.errors)
    return mapping, errors


def run(args: argparse.Namespace) -> int:
    from cos_installer.answers.passwords import hash_password
    from cos_installer.netboot import configs, documents, export, ipxe

    mapping, errors = _check_fleet(args.fleet)
    if errors:
        return _err(errors)
    try:
        server = configs.server_url(args.server)
        dhcp = configs.parse_dhcp(args.dhcp_range, args.proxy_dhcp, args.router, args.interface)
        root = os.path.abspath(args.root or args.out)
        base = server.geturl()
        texts = documents.documents(mapping, args.fleet, functools.lru_cache(hash_password))
        texts["boot.ipxe"] = ipxe.boot_script(
            base, autoinstall=not args.no_autoinstall, after=args.after
        )
        texts["dnsmasq.conf"] = configs.dnsmasq_conf(
            dhcp, f"{root}/{export.TFTP_DIR}", f"{base}boot.ipxe"
        )
        texts["nginx.conf"] = configs.nginx_conf(server, root)
        copies = export.boot_file_copies(args.boot_files)
        export.check_out(args.out)
    except documents.ExportError as exc:
        return _err(exc.errors)
    except ValueError as exc:
        return _err([str(exc)])
    try:
        export.write_tree(export.Tree(texts, copies), args.out)
    except OSError as exc:
        print(f"cos-installer netboot export: writing {args.out} failed: {exc.strerror or exc}; "
              "nothing was left behind", file=sys.stderr)  # fmt: skip
        return 1
    answers = sorted(p for p in texts if p.startswith("answers/"))
    print(f"{args.out}: {len(answers)} answers document(s) for {len(mapping['hosts'])} "
          f"host(s); serve it at {base} (nginx.conf), boot with dnsmasq.conf")  # fmt: skip
    for path in answers:
        print(f"  {base}{path}")
    return 0
