"""`cos-installer probe`: the disks and NICs as the wizard would show them."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "list the disks and NICs the wizard would offer (this machine or a profile)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: the top-level parser defines these too (wizard options); either place works
    parser.add_argument(
        "--machine",
        metavar="PROFILE",
        default=argparse.SUPPRESS,
        help="a machine profile (bundled name such as 'demo', or a YAML file) "
        "instead of this machine's hardware",
    )
    parser.add_argument(
        "--all-nics",
        action="store_true",
        default=argparse.SUPPRESS,
        help="list virtual NICs too (veth, bridge, tun)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--save-profile",
        metavar="FILE",
        help="also record what was probed as a machine profile (YAML) for --machine",
    )


def _text(snap: dict) -> str:
    from cos_installer.hardware import human_size

    lines = ["Disks:"]
    for d in snap["disks"]:
        state = "offered" if d["offered"] else f"not offered: {d['reason']}"
        lines.append(
            f"  {d['path']:<14} {d['size_human']:>10}  {d['transport'] or '-':<6} "
            f"{d['model'] or '-'}  serial {d['serial'] or '-'}  [{state}]"
        )
        if d["by_id"]:
            lines.append(f"      {d['by_id']}")
        for p in d["partitions"]:
            extra = f" on {p['mountpoint']}" if p["mountpoint"] else ""
            lines.append(
                f"      {p['path']:<14} {human_size(p['size']):>10}  {p['fstype'] or '-'} "
                f"{p['label'] or ''}{extra}".rstrip()
            )
        for reason in d["in_use"]:
            lines.append(f"      in use: {reason}")
    if not snap["disks"]:
        lines.append("  (none)")
    lines.append("NICs:")
    for n in snap["nics"]:
        link = "[Linked]" if n["linked"] else "[NoLink]"
        speed = f"{n['speed_mbps']} Mb/s" if n["speed_mbps"] else "-"
        addrs = ", ".join(n["addresses"]) or "-"
        driver = n["driver"] or "-"
        lines.append(f"  {n['name']:<12} {link:<9} {n['mac']:<17} {driver:<10} {speed:<10} {addrs}")
    if not snap["nics"]:
        lines.append("  (none)")
    if snap.get("missing_firmware"):
        lines.append("Missing firmware (the kernel log; the driver may not work without it):")
        for m in snap["missing_firmware"]:
            lines.append(f"  {m['driver']} {m['device']}: {m['file']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from cos_installer.hardware import ProfileError, open_machine, snapshot_json
    from cos_installer.hardware.snapshot import profile_data

    profile = getattr(args, "machine", None)
    all_nics = bool(getattr(args, "all_nics", False))
    try:
        machine = open_machine(profile, all_nics=all_nics)
        snap = snapshot_json(machine, all_nics=all_nics)
        if profile is None:  # this machine: what its kernel log says about firmware
            from dataclasses import asdict

            from cos_installer.hardware.firmware import missing_firmware

            snap["missing_firmware"] = [asdict(m) for m in missing_firmware()]
    except ProfileError as exc:
        print(f"cos-installer probe: {exc}", file=sys.stderr)
        return 2
    if args.save_profile:
        import yaml

        data = profile_data(machine, all_nics=all_nics)
        header = "# Machine profile recorded by `cos-installer probe --save-profile`\n"
        try:
            with open(args.save_profile, "w", encoding="utf-8") as f:
                f.write(header + yaml.safe_dump(data, sort_keys=False))
        except OSError as exc:
            print(f"cos-installer probe: cannot write {args.save_profile}: {exc.strerror}",
                  file=sys.stderr)  # fmt: skip
            return 1
    if args.json:
        print(json.dumps(snap, indent=2))
    else:
        print(_text(snap))
    return 0
