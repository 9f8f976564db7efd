"""Every fleet host's install state, from the events and the answers requests `serve` saw.

An event counts when its seq is the highest yet of its run (the sender retries and batches, so
events arrive late and twice); a host shows its newest run, except that a first-boot event only
sets `firstboot`. Events no fleet entry matches, and machines that asked for answers and got a
404 or 409 (until a later request of the same address succeeds), are listed as unmatched.
Memory is bounded: at most MAX_RUNS runs and MAX_UNMATCHED unmatched machines are remembered.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections import OrderedDict

from cos_installer.serve.fleetindex import FleetIndex

MAX_RUNS = 20000
MAX_UNMATCHED = 1000
HISTORY = 64  # kinds of the last events of a host's run, for the operator and the e2e
RESULTS = {
    "started": "running",
    "stage": "running",
    "progress": "running",
    "failed": "failed",
    "done": "done",
}


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _blank(index: FleetIndex, i: int) -> dict:
    host = index.hosts[i]
    return {
        "hostname": host.hostname,
        "role": host.role,
        "mac": host.mac,
        "stage": "",
        "stage_title": "",
        "percent": 0,
        "result": "pending",
        "message": "",
        "cause": "",
        "hint": "",
        "updated": "",
        "firstboot": False,
        "run": "",
        "history": [],
    }


def identity(event: dict) -> tuple[dict[str, list[str]], str]:
    host = event.get("host") or {}
    ident = {"mac": [m.lower() for m in host.get("mac") or []]}
    for key in ("system_uuid", "system_serial"):
        value = str(host.get(key) or "").strip().lower()
        ident[key] = [value] if value else []
    return ident, str(host.get("hostname") or "")


class Board:
    def __init__(self, index: FleetIndex) -> None:
        self.index = index
        self.hosts = [_blank(index, i) for i in range(len(index.hosts))]
        self.runs: OrderedDict[str, int] = OrderedDict()  # run -> highest seq seen
        self.unmatched: OrderedDict[str, dict] = OrderedDict()
        self.version = 0
        self._json: tuple[int, bytes] = (-1, b"")
        self.lock = threading.Lock()  # serve's loops run on several threads (serve.runner)

    def _changed(self) -> None:
        self.version += 1

    def _newest(self, event: dict) -> bool:
        run, seq = event["run"], event["seq"]
        if run in self.runs and self.runs[run] >= seq:
            return False
        self.runs[run] = seq
        self.runs.move_to_end(run)
        while len(self.runs) > MAX_RUNS:
            self.runs.popitem(last=False)
        return True

    def event(self, event: dict) -> None:
        """Apply one checked event (cos_installer.serve.wire)."""
        with self.lock:
            self._event(event)

    def _event(self, event: dict) -> None:
        if not self._newest(event):
            return
        ident, hostname = identity(event)
        i, why = self.index.find(ident, hostname)
        if i is None:
            self._unmatched(f"run:{event['run']}", ident, hostname, why, event)
            return
        self._apply(self.hosts[i], event)
        self._changed()

    def _apply(self, row: dict, event: dict) -> None:
        kind = event["kind"]
        row["updated"] = now()
        if kind == "firstboot":
            row["firstboot"] = True
            row["message"] = event.get("message") or "first boot of the installed system"
            return
        if row["run"] != event["run"]:
            row.update(run=event["run"], history=[], cause="", hint="")
        row["history"] = (row["history"] + [kind])[-HISTORY:]
        row["result"] = RESULTS[kind]
        if event.get("stage"):  # a progress event may leave the title out
            if event["stage"] != row["stage"] or event.get("stage_title"):
                row["stage_title"] = event.get("stage_title") or event["stage"]
            row["stage"] = event["stage"]
        if "percent" in event:
            row["percent"] = event["percent"]
        if kind == "done":
            row["percent"] = 100
        row["message"] = event.get("message", "")
        if kind == "failed":
            row["cause"], row["hint"] = event.get("cause", ""), event.get("hint", "")

    def _unmatched(self, key: str, ident: dict, hostname: str, why: str, event=None) -> None:
        row = self.unmatched.pop(key, None) or {
            "hostname": hostname,
            "identity": ident,
            "reason": why,
            "result": "",
            "stage": "",
            "percent": 0,
            "message": "",
        }
        row.update(identity=ident, reason=why, updated=now())
        if event is not None:
            row["result"] = RESULTS.get(event["kind"], "done")
            row["stage"] = event.get("stage") or row["stage"]
            row["percent"] = event.get("percent", row["percent"])
            row["message"] = event.get("message", "")
        self.unmatched[key] = row
        while len(self.unmatched) > MAX_UNMATCHED:
            self.unmatched.popitem(last=False)
        self._changed()

    def asked(self, client: str, key: str, name: str, status: int, body: str) -> None:
        """An answers request: a 404/409 lists the address as unmatched until one succeeds."""
        with self.lock:
            self._asked(client, key, name, status, body)

    def _asked(self, client: str, key: str, name: str, status: int, body: str) -> None:
        slot = f"answers:{client}"
        if status == 200:
            if self.unmatched.pop(slot, None) is not None:
                self._changed()
            return
        row = self.unmatched.get(slot)
        asked = (row["identity"].get(key, []) if row else []) + [name]
        ident = dict(row["identity"]) if row else {"address": [client]}
        ident[key] = asked[-8:]
        self._unmatched(slot, ident, "", body.strip())

    def answered(self, i: int, client: str) -> None:
        with self.lock:
            row = self.hosts[i]
            if row["result"] == "pending":
                row.update(message=f"answers sent to {client}", updated=now())
                self._changed()

    def snapshot(self) -> dict:
        """A copy of every row, taken under the lock."""
        with self.lock:
            return {"hosts": [dict(h) for h in self.hosts],
                    "unmatched": [dict(u) for u in self.unmatched.values()]}  # fmt: skip

    def json(self) -> bytes:
        """GET /status's body, built once per change."""
        with self.lock:
            if self._json[0] == self.version:
                return self._json[1]
            version = self.version
            body = json.dumps({"hosts": self.hosts,
                               "unmatched": list(self.unmatched.values())}).encode()  # fmt: skip
            self._json = (version, body)
            return body
