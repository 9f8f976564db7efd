"""The fleet file as `serve` holds it: built once at start-up, then every answers request and
every event is a dictionary look-up, whatever the size of the fleet.

`documents` are the same bytes `netboot export` writes (cos_installer.netboot.documents), by
the same relative paths (cos_installer.netboot.contract). A path that several entries name (they
differ by another match: key) answers 409 naming them: the live system then asks by its next
identity, which tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cos_installer.answers.fleet import expand_all
from cos_installer.answers.fleet_rules import MATCH_KEYS, get_path, match_values
from cos_installer.netboot.documents import documents, identity_paths


@dataclass(frozen=True)
class Host:
    """One fleet entry as the status shows it."""

    hostname: str
    role: str
    mac: str  # the first MAC its match: names ("" when it is matched otherwise)
    keys: tuple[tuple[str, str], ...]  # every (key, value) its match: names


@dataclass
class FleetIndex:
    hosts: list[Host]
    by_identity: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    by_hostname: dict[str, int] = field(default_factory=dict)  # hostnames used once
    texts: dict[str, str] = field(default_factory=dict)  # answers/KEY/NAME.yaml -> YAML
    owners: dict[str, list[int]] = field(default_factory=dict)  # the same paths -> entries

    def answer(self, rel: str) -> tuple[int, str]:
        """(HTTP status, body) for answers/KEY/NAME.yaml: one dictionary look-up."""
        owners = self.owners.get(rel)
        if not owners:
            key, _, name = rel.removeprefix("answers/").partition("/")
            what = f"{key} {name.removesuffix('.yaml')}" if key in MATCH_KEYS else rel
            return 404, (
                f"no fleet entry has match: {what}: add a hosts: entry for this "
                "machine to the fleet file and restart serve\n"
            )
        if len(owners) > 1:
            names = ", ".join(self.label(i) for i in owners)
            return 409, (
                f"{len(owners)} fleet entries name {rel}: {names}; the machine is "
                "told apart by its other identities (make each match: unique)\n"
            )
        return 200, self.texts[rel]

    def label(self, index: int) -> str:
        name = self.hosts[index].hostname
        return f"hosts[{index}] ({name})" if name else f"hosts[{index}]"

    def find(self, ident: dict[str, list[str]], hostname: str) -> tuple[int | None, str]:
        """The entry an event's identity names: (index, "") or (None, why). Every key is one
        look-up; the entry named by most keys wins, else the hostname decides."""
        hits: dict[int, int] = {}
        for key, values in ident.items():
            for value in values:
                for i in self.by_identity.get((key, value), ()):
                    hits[i] = hits.get(i, 0) + 1
        if hits:
            best = max(hits.values())
            top = [i for i, n in hits.items() if n == best]
            if len(top) == 1:
                return top[0], ""
            named = self.by_hostname.get(hostname)
            if named in top:
                return named, ""
            return None, "matches " + ", ".join(self.label(i) for i in sorted(top)[:5])
        if hostname and hostname in self.by_hostname:
            return self.by_hostname[hostname], ""
        return None, "no fleet entry matches its MACs, DMI UUID or serial, or its hostname"


def build(mapping: dict, source: str, hasher: Callable[[str], str]) -> FleetIndex:
    """The index of a fleet file that passed check-answers (O(entries), once)."""
    hosts = []
    for (_label, merged), entry in zip(expand_all(mapping, source), mapping["hosts"], strict=True):
        keys = tuple((k, v) for k in entry["match"] for v in match_values(entry["match"], k))
        macs = [v for k, v in keys if k == "mac"]
        hosts.append(
            Host(
                hostname=str(get_path(merged, "system.hostname") or ""),
                role=str(merged.get("role") or ""),
                mac=macs[0] if macs else "",
                keys=keys,
            )
        )
    index = FleetIndex(hosts)
    seen: dict[str, int] = {}
    for i, host in enumerate(hosts):
        for key in host.keys:
            owners = index.by_identity.setdefault(key, [])
            if i not in owners:
                owners.append(i)
        if host.hostname:
            seen[host.hostname] = seen.get(host.hostname, 0) + 1
            index.by_hostname.setdefault(host.hostname, i)
    for name, count in seen.items():
        if count > 1:
            del index.by_hostname[name]
    index.owners = identity_paths(mapping, source)
    index.texts = documents(mapping, source, hasher, index.owners)
    return index
