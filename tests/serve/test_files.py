"""serve's files: sizes, Range and If-Range as the install's download needs them (206 with the
right bytes), and 50 machines downloading the squashfs at once, each getting it whole."""

from __future__ import annotations

import concurrent.futures
import hashlib
import urllib.request

from tests.serve.conftest import BIG, sha
from tests.serve.served import request

SQUASHFS = "live/filesystem.squashfs"


def test_head_gives_the_size_and_ranges(served, rack):
    code, headers, body = request(served.url(SQUASHFS), method="HEAD")
    assert (code, body, int(headers["Content-Length"])) == (200, b"", BIG)
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "application/octet-stream"


def test_a_range_request_gets_206_and_exactly_those_bytes(served, rack):
    data = (rack[1] / SQUASHFS).read_bytes()
    for asked, start, end in (("bytes=0-0", 0, 0), ("bytes=1000-4999", 1000, 4999),
                              (f"bytes={BIG - 10}-", BIG - 10, BIG - 1),
                              ("bytes=-16", BIG - 16, BIG - 1)):  # fmt: skip
        code, headers, body = request(served.url(SQUASHFS), headers={"Range": asked})
        assert code == 206, asked
        assert headers["Content-Range"] == f"bytes {start}-{end}/{BIG}"
        assert body == data[start : end + 1]
    code, headers, _ = request(served.url(SQUASHFS), headers={"Range": f"bytes={BIG}-"})
    assert code == 416


def test_if_range_with_a_stale_validator_gets_the_whole_file(served, rack):
    _, headers, _ = request(served.url(SQUASHFS), method="HEAD")
    fresh = {"Range": "bytes=100-199", "If-Range": headers["ETag"]}
    assert request(served.url(SQUASHFS), headers=fresh)[0] == 206
    stale = {"Range": "bytes=100-199", "If-Range": '"not-this-one"'}
    code, _, body = request(served.url(SQUASHFS), headers=stale)
    assert (code, len(body)) == (200, BIG)


def test_fifty_concurrent_downloads_each_get_the_whole_file(served, rack):
    want = sha((rack[1] / SQUASHFS).read_bytes())

    def fetch(_n: int) -> tuple[int, str]:
        digest = hashlib.sha256()
        with urllib.request.urlopen(served.url(SQUASHFS), timeout=120) as resp:
            while chunk := resp.read(1 << 16):
                digest.update(chunk)
            return resp.status, digest.hexdigest()

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        results = list(pool.map(fetch, range(50)))
    assert results == [(200, want)] * 50
