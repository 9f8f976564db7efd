"""Run `serve` on several event loops, one per thread, each listening on the same address with
SO_REUSEPORT (the kernel spreads the connections evenly over them), sharing one Board.

Why: a file goes out by sendfile, whose copying is the kernel's work in the calling thread;
with one loop, 50 machines fetching the squashfs are served by one core, while nginx's workers
use them all. The syscalls release the GIL, so loops on threads send in parallel; the Python
work per request (the answers look-up, an event) is small and the Board takes a lock. The
address is first bound once without SO_REUSEPORT, so that a second serve (which could join
the group) is refused like any other program holding the port.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
import threading
from collections.abc import Callable

from aiohttp import web


async def _start(app: web.Application, sock: socket.socket,
                 context: ssl.SSLContext | None) -> web.AppRunner:  # fmt: skip
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock, ssl_context=context).start()
    return runner


def run(
    make: Callable[[], web.Application],
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    workers: int,
    ready: Callable[[], None],
) -> None:
    """Serve until SIGTERM or SIGINT; OSError when the address cannot be taken (by any loop:
    then none serves)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socket.create_server((host, port), family=family).close()  # taken: OSError
    socks = [socket.create_server((host, port), family=family, backlog=1024, reuse_port=True)
             for _ in range(workers)]  # fmt: skip
    loops = [asyncio.new_event_loop() for _ in range(workers)]
    runners: list[web.AppRunner] = []
    threads: list[threading.Thread] = []
    try:
        for loop, sock in zip(loops, socks, strict=True):
            sock.setblocking(False)
            runners.append(loop.run_until_complete(_start(make(), sock, context)))
        for loop in loops[1:]:
            threads.append(threading.Thread(target=loop.run_forever, daemon=True))
            threads[-1].start()
        stop = loops[0].create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loops[0].add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        ready()
        loops[0].run_until_complete(stop)
    finally:
        for n, runner in enumerate(runners):
            if 0 < n <= len(threads):  # its loop runs in its thread
                asyncio.run_coroutine_threadsafe(runner.cleanup(), loops[n]).result(30)
                loops[n].call_soon_threadsafe(loops[n].stop)
            else:
                loops[n].run_until_complete(runner.cleanup())
        for thread in threads:
            thread.join(30)
        for loop in loops:
            loop.close()
        for sock in socks:
            sock.close()
