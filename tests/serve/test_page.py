"""GET /: the status page as people see it. Headless Chromium (Debian's `chromium`) renders it
after its script polled /status; the DOM it then holds and the screenshot read back by OCR
(tesseract) must show every hostname and the failed host's cause. Text from events is text:
markup in a hostname or a cause never becomes an element."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cos_installer.serve import page
from tests.realparts import need_tools
from tests.serve.served import Served, event, post

HOSTNAMES = ["controller1", "controller2", "controller3", "node1", "node2", "node3"]
CAUSE = "no disk fits: sda 8 GiB"
HOSTILE = "<img src=x onerror=\"document.title='owned'\"><script>document.title='owned'</script>"
SHOT = os.environ.get("COS_SERVE_SCREENSHOT")  # keep the picture here (the README's)


def rack_events(served: Served) -> None:
    uuid = "6b1c0a52-3f0e-4d2c-9a55-0c05e0d0a001"
    batch = [
        event("done", 9, run="1" * 32, mac="52:54:00:aa:00:01", message="installed"),
        event("failed", 4, run="3" * 32, system_uuid=uuid, stage="preflight", percent=3,
              stage_title="Checking the disks, the OS image and the configuration",
              message="install failed", cause=CAUSE, hint="use a disk of 20 GiB or more"),
        event("progress", 4, run="2" * 32, mac="52:54:00:aa:01:11", stage="write",
              stage_title="Writing the OS image", percent=57),
        event("stage", 2, run="5" * 32, mac="52:54:00:aa:01:03", stage="wipe", percent=8,
              stage_title="Erasing old signatures", message=HOSTILE),
        event("progress", 1, run="4" * 32, mac="52:54:00:c0:f1:99", hostname=HOSTILE, percent=5),
    ]  # fmt: skip
    assert post(served.url("events"), batch)[0] == 204


def chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--virtual-time-budget=4000", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def ocr_words(text: str) -> str:
    """OCR reads 1, l and I alike, and cases loosely: compare in lower case, each written 1."""
    return re.sub(r"\s+", " ", text.lower().replace("l", "1").replace("i", "1"))


def test_the_page_escapes_markup_from_the_fleet_and_the_events():
    status = {"hosts": [{"hostname": "n<1>", "role": "agent", "mac": "", "stage": "",
                         "stage_title": "", "percent": 250, "result": "failed\"><b>",
                         "message": HOSTILE, "cause": "</td><script>x</script>", "hint": "&",
                         "firstboot": False}],
              "unmatched": [{"hostname": HOSTILE, "identity": {"mac": ["<i>"]},
                             "reason": "<u>"}]}  # fmt: skip
    html = page.render(status)
    body = html.split("<tbody", 1)[1].split("<script>", 1)[0]
    assert "<img" not in body and "<b>" not in body and "<i>" not in body and "<u>" not in body
    assert "n&lt;1&gt;" in body and "&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;" in body
    assert 'style="width:100%"' in body  # the percent is clamped to 0..100
    assert html.count("<script>") == 1


def test_the_page_in_chromium_shows_every_host_and_the_failure(rack, tmp_path):
    need_tools("chromium", "tesseract")
    with Served(*rack) as served:
        rack_events(served)
        dom = chromium("--dump-dom", served.url(""))
        assert dom.returncode == 0, dom.stderr[-2000:]
        shot = tmp_path / "status.png"
        done = chromium("--window-size=1200,720", f"--screenshot={shot}", served.url(""))
        assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    html = dom.stdout
    assert 'data-refreshed="yes"' in html  # the script ran and redrew from /status
    assert re.search(r"6 hosts: 1 done, 2 running, 1 failed, 2 pending; 1 unmatched", html)
    for name in HOSTNAMES:
        assert f"<td>{name}</td>" in html
    assert f'<div class="cause">{CAUSE}</div>' in html
    assert "<title>COS rack install</title>" in html and "owned" not in html.split("<body")[0]
    assert "<img" not in html and "&lt;img src=x onerror=" in html
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000
    read = subprocess.run(["tesseract", str(shot), "-"], capture_output=True, text=True,
                          timeout=120, check=True).stdout  # fmt: skip
    words = ocr_words(read)
    for name in HOSTNAMES:
        assert ocr_words(name) in words, read
    assert ocr_words(CAUSE) in words, read
    if SHOT:
        shutil.copyfile(shot, Path(SHOT))


@pytest.fixture(autouse=True)
def _no_leftover_chromium_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # chromium's profile and crash dumps go here
