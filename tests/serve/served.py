"""`serve`'s application on a real aiohttp server on 127.0.0.1 (an ephemeral port), in a thread
with its own event loop, and plain HTTP clients (urllib) that return status, headers, body."""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web

from cos_installer.answers.loader import read_mapping
from cos_installer.answers.passwords import hash_password
from cos_installer.serve import fleetindex
from cos_installer.serve.app import Options, make_app
from cos_installer.serve.board import Board


def board_for(fleet: Path) -> Board:
    mapping = read_mapping(fleet)
    return Board(fleetindex.build(mapping, str(fleet), functools.lru_cache(hash_password)))


class Served:
    """`with Served(fleet, boot_dir) as s:` s.url("status"), s.board."""

    def __init__(self, fleet: Path, boot_dir: Path | None) -> None:
        self.board = board_for(fleet)
        self.app = make_app(self.board, Options(str(boot_dir) if boot_dir else None))
        self.loop = asyncio.new_event_loop()
        self.port = 0

    def url(self, rel: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{rel}"

    def __enter__(self) -> Served:
        self.runner = web.AppRunner(self.app, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = self.runner.addresses[0][1]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def request(url: str, data: bytes | None = None, headers: dict | None = None,
            method: str | None = None) -> tuple[int, Any, bytes]:  # fmt: skip
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def post(url: str, body: object) -> tuple[int, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    code, _, text = request(url, data, {"Content-Type": "application/json"})
    return code, text


def status(served: Served) -> dict:
    code, _, body = request(served.url("status"))
    assert code == 200
    return json.loads(body)


def event(kind: str, seq: int, *, run: str = "0123456789abcdef", mac: str = "", **extra) -> dict:
    host = {"hostname": extra.pop("hostname", ""), "role": "", "mac": [mac] if mac else [],
            "system_uuid": extra.pop("system_uuid", ""), "system_serial": ""}  # fmt: skip
    return {"v": 1, "run": run, "seq": seq, "time": "2026-12-06T11:40:02.123Z", "host": host,
            "kind": kind, **extra}  # fmt: skip
