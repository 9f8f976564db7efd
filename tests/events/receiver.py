"""Real report servers on 127.0.0.1 for the event tests: one that answers (with a scripted
list of statuses, recording every body), one that accepts TCP and never answers (black hole),
one whose accept queue is full (never accepts: the SYN goes unanswered), a refused port."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cos_installer.support.eventwire import WireError, parse_body


class Receiver(ThreadingHTTPServer):
    """POST bodies are kept raw (`bodies`) and parsed (`events`); `statuses` are answered in
    turn (the last one repeats); a body the contract refuses gets 400 with the reason."""

    daemon_threads = True

    def __init__(self, statuses: list[int] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = list(statuses or [204])
        self.bodies: list[bytes] = []
        self.events: list[dict] = []
        self.answered: list[int] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    def wait_for(self, count: int, limit: float = 30) -> list[dict]:
        """The events once `count` have arrived (or what has, after `limit` seconds)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.events) >= count, limit)
            return list(self.events)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/events"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        server: Receiver = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with server.lock:
            server.bodies.append(body)
            status = server.statuses.pop(0) if len(server.statuses) > 1 else server.statuses[0]
            reason = b""
            if status == 204:
                try:
                    server.events += parse_body(body)
                except WireError as exc:
                    status, reason = 400, str(exc).encode()
            server.answered.append(status)
            server.arrived.notify_all()
        self.send_response(status)
        self.send_header("Content-Length", str(len(reason)))
        self.end_headers()
        self.wfile.write(reason)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def receiver(statuses: list[int] | None = None) -> Iterator[Receiver]:
    server = Receiver(statuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class BlackHole:
    """Accepts every connection and never answers; `accepted` counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/events"
        self.accepted = 0
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                self.accepted += 1
                self.held.append(conn)

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


class NeverAccepts:
    """A listening socket whose accept queue is full: new connections are never completed."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.fillers = []
        for _ in range(3):  # fill the backlog (0 still takes one or two): the next SYN hangs
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(self.sock.getsockname())
            self.fillers.append(filler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/events"

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.sock.close()


def refused_url() -> str:
    """A port nothing listens on (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/events"
