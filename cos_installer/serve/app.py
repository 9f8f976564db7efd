"""`serve`'s HTTP side on aiohttp: the netboot tree (files by sendfile, with Range and
If-Range: aiohttp's FileResponse), boot.ipxe for the URL it was asked by, the answers URL
contract, POST /events, GET /status and the page. With `events_only` only the last three.

The tree is read from `boot_dir` as `make netboot` writes it; a path that leaves it (.., a
symbolic link pointing out) or names no regular file is a 404. aiohttp is imported here only:
nothing else of the installer needs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from cos_installer.netboot import ipxe
from cos_installer.netboot.contract import ANSWERS_DIR
from cos_installer.serve import page, wire
from cos_installer.serve.board import Board

TEXT = "text/plain"


@dataclass(frozen=True)
class Options:
    boot_dir: str | None  # None: --events-only
    autoinstall: bool = True
    after: str = "poweroff"
    files_log: Callable[[str], None] | None = None  # one line per file sent (--files-log)


BOARD = web.AppKey("board", Board)
OPTIONS = web.AppKey("options", Options)
ROOT = web.AppKey("root", str)


def _client(request: web.Request) -> str:
    return request.remote or "?"


# host[:port] as a Host header may name this server: a DNS name, an IPv4 address or a
# bracketed IPv6 address. Nothing else reaches boot.ipxe, whose `set base` and kernel line
# copy it (a space would add kernel options; a '/' a path).
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|"
    r"65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
)


def _base(request: web.Request) -> str | None:
    """The URL this server was asked by, or None when the Host header is no host[:port]."""
    host = request.host
    if len(host) > 261 or not _HOST.fullmatch(host):
        return None
    return f"{request.scheme}://{host}/"


async def status(request: web.Request) -> web.Response:
    board: Board = request.app[BOARD]
    return web.Response(
        body=board.json(), content_type="application/json", headers={"Cache-Control": "no-store"}
    )


async def index(request: web.Request) -> web.Response:
    board: Board = request.app[BOARD]
    return web.Response(
        text=page.render(board.snapshot()),
        content_type="text/html",
        headers={"Cache-Control": "no-store"},
    )


async def events(request: web.Request) -> web.Response:
    size = request.content_length
    if size is not None and size > wire.MAX_BODY:
        return web.Response(status=413, text=f"{size} bytes, more than {wire.MAX_BODY}\n")
    body = bytearray()
    async for chunk in request.content.iter_chunked(16384):
        body += chunk
        if len(body) > wire.MAX_BODY:
            return web.Response(status=413, text=f"more than {wire.MAX_BODY} bytes\n")
    try:
        batch = wire.parse(bytes(body))
    except wire.BadBody as exc:
        return web.Response(status=400, text=f"{exc}\n")
    board: Board = request.app[BOARD]
    for event in batch:
        board.event(event)
    return web.Response(status=204)


async def answers(request: web.Request) -> web.Response:
    board: Board = request.app[BOARD]
    key, name = request.match_info["key"], request.match_info["name"]
    rel = f"{ANSWERS_DIR}/{key}/{name}"
    code, body = board.index.answer(rel)
    board.asked(_client(request), key, name.removesuffix(".yaml"), code, body)
    if code == 200:
        board.answered(board.index.owners[rel][0], _client(request))
    return web.Response(
        status=code, text=body, content_type=TEXT, headers={"Cache-Control": "no-store"}
    )


async def boot_script(request: web.Request) -> web.Response:
    opts: Options = request.app[OPTIONS]
    base = _base(request)
    if base is None:
        shown = request.host.encode("unicode_escape").decode("ascii")[:80]
        return web.Response(status=400, text=f"Host {shown!r}: expected HOST[:PORT]\n")
    text = ipxe.boot_script(base, autoinstall=opts.autoinstall, after=opts.after)
    return web.Response(text=text, content_type=TEXT)


class _File(web.FileResponse):
    """aiohttp's FileResponse reads If-Range as a date only: an entity tag (what the install
    sends on a resume, cos_installer.netboot.httpstream) that is no longer the file's makes
    the answer the whole file (RFC 9110 13.1.5), never a range of another file. With a files
    log, each file sent is a line there once its body is out (prepare sends it whole)."""

    log: Callable[[str], None] | None = None

    async def prepare(self, request: web.BaseRequest):  # type: ignore[override]
        asked = request
        tag = request.headers.get("If-Range", "")
        if tag.startswith(('"', "W/")) and "Range" in request.headers:
            try:
                st = os.stat(self._path)
                current = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            except OSError:
                current = ""
            if tag != current:
                headers = request.headers.copy()
                del headers["Range"]
                request = request.clone(headers=headers)
        if self.log is None:
            return await super().prepare(request)
        sent = "-"  # the connection broke: unknown
        try:
            writer = await super().prepare(request)
            sent = "0" if request.method == "HEAD" else str(self.content_length or 0)
            return writer
        finally:
            self.log(f'{_client(asked)} "{asked.method} {asked.path_qs} HTTP/'
                     f'{asked.version.major}.{asked.version.minor}" {self.status} {sent} '
                     f'"{asked.headers.get("Range", "-")}"')  # fmt: skip


async def files(request: web.Request) -> web.StreamResponse:
    root: str = request.app[ROOT]
    tail = request.match_info["tail"]
    if "\x00" in tail or ".." in tail.split("/"):
        raise web.HTTPNotFound(text="no such file\n")
    path = os.path.realpath(os.path.join(root, tail))
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        raise web.HTTPNotFound(text="no such file\n")
    response = _File(path, headers={"Content-Type": "application/octet-stream"})
    response.log = request.app[OPTIONS].files_log
    return response


def make_app(board: Board, options: Options) -> web.Application:
    """The application; `serve` runs it, the tests start it on 127.0.0.1."""
    app = web.Application(client_max_size=wire.MAX_BODY)
    app[BOARD], app[OPTIONS] = board, options
    app.router.add_get("/", index)
    app.router.add_get("/status", status)
    app.router.add_post("/events", events)
    if options.boot_dir is not None:
        app[ROOT] = os.path.realpath(options.boot_dir)
        app.router.add_get("/boot.ipxe", boot_script)
        app.router.add_get(f"/{ANSWERS_DIR}/{{key}}/{{name}}", answers)
        app.router.add_get("/{tail:.+}", files)
    return app
