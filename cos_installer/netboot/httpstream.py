"""An OS image on an HTTP server read as one file: its size first, then one pass that resumes.

The safety rule needs the image's size before the first write, so `probe` insists on it
(Content-Length, or the total of a Content-Range). `RangeReader` then reads the body once:
when the connection breaks it asks for the rest with `Range: bytes=N-` (and `If-Range`, so a
file replaced on the server is not spliced onto the old one), after a pause that doubles from
1 s up to 8 s; it gives up after `attempts` failures in a row without a byte of progress.
Nothing is read twice: the bytes before a break are not asked for again. Standard library
only: the install pipeline imports this module.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

TIMEOUT = 30.0  # seconds a connect or a read may stall before it counts as a failure
ATTEMPTS = 8  # failures in a row, without progress, before the download is given up
RETRY_STATUS = (408, 429, 500, 502, 503, 504)
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)\Z")
NET_ERRORS = (OSError, http.client.HTTPException)  # URLError and timeouts are OSErrors


class HttpError(Exception):
    """A download that cannot go on: the URL, the cause, the next step."""

    def __init__(self, cause: str, hint: str = "", status: int | None = None) -> None:
        super().__init__(cause)
        self.cause, self.hint, self.status = cause, hint, status


@dataclass(frozen=True)
class Remote:
    url: str
    size: int  # the stored (compressed) bytes
    validator: str = ""  # ETag or Last-Modified: If-Range on a resume


@dataclass
class Retry:
    """How requests are retried: attempts in a row, the first pause, the longest pause."""

    attempts: int = ATTEMPTS
    first: float = 1.0
    longest: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = field(default=lambda line: None)

    def pause(self, failures: int) -> None:
        self.sleep(min(self.longest, self.first * 2 ** (failures - 1)))


def _request(url: str, headers: dict[str, str], method: str = "GET") -> urllib.request.Request:
    return urllib.request.Request(
        url, method=method, headers={"Accept-Encoding": "identity", **headers}
    )


def _why(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__


def _permanent(exc: BaseException) -> bool:
    return isinstance(exc, urllib.error.HTTPError) and exc.code not in RETRY_STATUS


def with_retries(url: str, what: str, action: Callable[[], object], retry: Retry) -> object:
    """`action()` retried on network errors and 5xx; a 4xx (404 too) is raised at once."""
    for failures in range(1, retry.attempts + 1):
        try:
            return action()
        except NET_ERRORS as exc:
            if _permanent(exc) or failures == retry.attempts:
                raise
            retry.log(f"{what} {url}: attempt {failures} failed ({_why(exc)}); trying again")
            retry.pause(failures)
    raise AssertionError("unreachable")


def fetch_small(url: str, limit: int, retry: Retry, *, missing_ok: bool = False) -> bytes | None:
    """A small file (a checksum, a size, an answers document); None when it is not there
    (404/410) and `missing_ok`. HttpError names the URL and the cause otherwise."""

    def get() -> bytes:
        with urllib.request.urlopen(_request(url, {}), timeout=TIMEOUT) as response:
            return response.read(limit + 1)

    try:
        data = with_retries(url, "download", get, retry)
    except urllib.error.HTTPError as exc:
        if missing_ok and exc.code in (404, 410):
            return None
        raise HttpError(f"{url}: {_why(exc)}", "check the URL and the server", exc.code) from exc
    except NET_ERRORS as exc:
        raise HttpError(f"{url}: {_why(exc)}", "check the network and the server") from exc
    if len(data) > limit:
        raise HttpError(f"{url}: larger than {limit} bytes", "is the URL right?")
    return data


def probe(url: str, retry: Retry) -> Remote:
    """The image's stored size and validator, from HEAD (or a one-byte Range GET when HEAD
    gives no Content-Length); HttpError when the server does not tell the size."""

    def ask(method: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        with urllib.request.urlopen(_request(url, headers, method), timeout=TIMEOUT) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}

    try:
        status, headers = with_retries(url, "HEAD", lambda: ask("HEAD", {}), retry)
        size = _int(headers.get("content-length")) if status == 200 else None
        if size is None:
            status, headers = with_retries(
                url, "GET", lambda: ask("GET", {"Range": "bytes=0-0"}), retry
            )
            found = CONTENT_RANGE.match(headers.get("content-range", ""))
            size = int(found.group(3)) if status == 206 and found else None
    except urllib.error.HTTPError as exc:
        raise HttpError(f"{url}: {_why(exc)}", "check the URL (cos.payload=)", exc.code) from exc
    except NET_ERRORS as exc:
        raise HttpError(f"{url}: {_why(exc)}", "check the network and the server") from exc
    if size is None or size <= 0:
        raise HttpError(
            f"{url}: the server does not say how big the image is (no Content-Length)",
            "serve it from a static file server such as nginx, which sends its size",
        )
    return Remote(url, size, headers.get("etag") or headers.get("last-modified") or "")


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def fetch_range(remote: Remote, start: int, length: int, retry: Retry) -> bytes:
    """Bytes [start, start + length) of the image (fewer at its end); a server that ignores
    Range is read from the start and cut."""
    end = min(remote.size, start + length) - 1

    def get() -> bytes:
        headers = {"Range": f"bytes={start}-{end}"}
        with urllib.request.urlopen(_request(remote.url, headers), timeout=TIMEOUT) as resp:
            if resp.status == 206:
                return resp.read(end - start + 1)
            if start == 0:
                return resp.read(end + 1)
            raise HttpError(f"{remote.url}: the server ignores Range requests", RANGE_HINT)

    try:
        return with_retries(remote.url, "GET", get, retry)
    except NET_ERRORS as exc:
        raise HttpError(f"{remote.url}: {_why(exc)}", "check the network and the server") from exc


RANGE_HINT = "serve the image from a server that answers Range requests (nginx does)"


class RangeReader:
    """The image's bytes in order, read once; resumes after a broken connection."""

    def __init__(self, remote: Remote, retry: Retry | None = None) -> None:
        self.remote = remote
        self.retry = retry or Retry()
        self.pos = 0  # bytes handed out so far (= bytes received: nothing is read twice)
        self.resumes = 0
        self.response: http.client.HTTPResponse | None = None

    def _open(self) -> None:
        url, pos = self.remote.url, self.pos
        headers = {}
        if pos:
            headers["Range"] = f"bytes={pos}-"
            if self.remote.validator:
                headers["If-Range"] = self.remote.validator
        response = urllib.request.urlopen(_request(url, headers), timeout=TIMEOUT)
        try:
            length = _int(response.headers.get("Content-Length"))
            found = CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if pos and response.status != 206:
                raise HttpError(
                    f"{url}: asked for the rest from byte {pos}, the server sent the whole "
                    "file again (it ignores Range, or the file changed on the server)",
                    RANGE_HINT,
                )
            if pos and not (found and int(found.group(1)) == pos):
                raise HttpError(f"{url}: the server sent another part than byte {pos} on")
            total = int(found.group(3)) if found else length
            if total != self.remote.size:
                raise HttpError(
                    f"{url}: the image is now {total} bytes, it was {self.remote.size} when "
                    "the install started (it changed on the server)",
                    "start the install again once the server's image is complete",
                )
        except BaseException:
            response.close()
            raise
        self.response = response

    def readinto(self, view: memoryview | bytearray) -> int:
        """Up to len(view) bytes; 0 only at the image's end. HttpError when it cannot go on."""
        want = min(len(view), self.remote.size - self.pos)
        failures = 0
        while want > 0:
            try:
                if self.response is None:
                    self._open()
                n = self.response.readinto(memoryview(view)[:want])
                if n == 0:
                    raise ConnectionError("the connection closed before the end")
                self.pos += n
                return n
            except HttpError:
                raise
            except NET_ERRORS as exc:
                self._drop()
                failures += 1
                if _permanent(exc) or failures >= self.retry.attempts:
                    raise HttpError(
                        f"{self.remote.url}: the download broke at byte {self.pos} of "
                        f"{self.remote.size} ({_why(exc)}; {failures} attempt(s) in a row)",
                        "check the network and the server, then start the install again",
                    ) from exc
                self.resumes += 1
                self.retry.log(
                    f"download {self.remote.url}: broke at byte {self.pos} ({_why(exc)}); "
                    f"resuming from there (attempt {failures + 1})"
                )
                self.retry.pause(failures)
        return 0

    def read(self, size: int = -1) -> bytes:
        size = self.remote.size - self.pos if size < 0 else size
        buf = bytearray(size)
        n = self.readinto(buf)
        return bytes(buf[:n])

    def _drop(self) -> None:
        if self.response is not None:
            self.response.close()
            self.response = None

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> RangeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
