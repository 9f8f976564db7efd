"""A real HTTP server in a thread for the download tests: a static directory with HEAD, Range,
If-Range and ETag like nginx's, and faults on demand: connections cut after N body bytes,
Range ignored, no Content-Length. It counts the body bytes it sent, per path."""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import threading
from pathlib import Path

RANGE = re.compile(r"bytes=(\d+)-(\d*)\Z")


class Faults:
    def __init__(self) -> None:
        self.cuts: list[int] = []  # the next GETs of a big file stop after this many bytes
        self.ignore_range = False
        self.no_length = False
        self.status: dict[str, int] = {}  # path -> status to answer instead
        self.sent: dict[str, int] = {}  # path -> body bytes sent
        self.ranges: list[str] = []  # Range headers of GETs, in order
        self.requests: list[str] = []  # "GET /path"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root: Path
    faults: Faults

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        f = self.faults
        f.requests.append(f"{self.command} {self.path}")
        path = self.root / self.path.lstrip("/")
        if self.path in f.status:
            self._plain(f.status[self.path])
            return
        if ".." in self.path.split("/") or not path.is_file():
            self._plain(404)
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        start, end, status = 0, len(data) - 1, 200
        asked = self.headers.get("Range")
        if body and asked:
            f.ranges.append(asked)
        same = self.headers.get("If-Range") in (None, etag)
        found = RANGE.match(asked or "")
        if found and same and not f.ignore_range:
            start = int(found.group(1))
            end = min(int(found.group(2) or end), len(data) - 1)
            status = 206
        part = data[start : end + 1]
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        if f.no_length:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        if not body:
            return
        if f.cuts and len(part) > (1 << 20):
            part = part[: f.cuts.pop(0)]
            self._write(part)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._write(part)
        if f.no_length:
            self.close_connection = True

    def _write(self, part: bytes) -> None:
        self.wfile.write(part)
        self.wfile.flush()
        self.faults.sent[self.path] = self.faults.sent.get(self.path, 0) + len(part)

    def _plain(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server:
    """`with Server(dir) as s:` s.url(name), s.faults."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.faults = Faults()
        handler = type("H", (Handler,), {"root": Path(root), "faults": self.faults})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def __enter__(self) -> Server:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
