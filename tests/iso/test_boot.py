"""Kernel command line options and answers sources of the live system (cos_installer.live.boot)."""

from __future__ import annotations

import http.server
import secrets
import subprocess
import threading
from pathlib import Path

import pytest

from cos_installer.commands import autostart
from cos_installer.live import boot, reportopt
from tests.realparts import need_root, need_tools

ANSWERS = "role: agent\ndisk: /dev/vda\n"


# --- the command line ---


def test_cmdline_options_and_consoles() -> None:
    opts = boot.parse_cmdline(
        "BOOT_IMAGE=/live/vmlinuz boot=live quiet console=tty0 console=ttyS0,115200n8 "
        "cos.answers=label:COSCFG:/answers.yaml cos.autoinstall cos.after=reboot\n"
    )
    assert opts.answers == "label:COSCFG:/answers.yaml"
    assert opts.autoinstall is True
    assert opts.after == "reboot"
    assert opts.consoles == ("tty0", "ttyS0")
    assert opts.primary_console == "ttyS0"


def test_cmdline_defaults_without_cos_options() -> None:
    opts = boot.parse_cmdline("boot=live components quiet")
    assert opts == boot.BootOptions()
    assert opts.primary_console == "tty1"
    assert opts.after == "poweroff"


def test_tty0_as_the_primary_console_is_the_first_virtual_terminal() -> None:
    """console=tty0 names the foreground VT, where cos-installer@tty1 runs: the wizard must
    start there first (it used to race the serial console)."""
    opts = boot.parse_cmdline("boot=live console=ttyS0,115200n8 console=tty0")
    assert opts.primary_console == "tty1"


@pytest.mark.parametrize(
    ("cmdline", "expected"),
    [
        ("cos.autoinstall", "cos.autoinstall needs cos.answers=SOURCE"),
        ("cos.answers=", "cos.answers: empty"),
        ("cos.answers=ftp://x/a.yaml", "unknown source"),
        ("cos.answers=label:COSCFG", "expected label:LABEL:/PATH"),
        ("cos.answers=cdrom:answers.yaml", "the path must be absolute"),
        ("cos.answers=cdrom:/../etc/shadow", "the path must be absolute"),
        ("cos.answers=/a.yaml cos.after=halt", "cos.after=halt: expected one of poweroff"),
        ("cos.answer=/a.yaml", "cos.answer=/a.yaml: unknown option"),
        ("cos.answers=/a.yaml cos.autoinstall=no", "expected the bare option"),
    ],
)
def test_cmdline_errors_name_the_option(cmdline: str, expected: str) -> None:
    with pytest.raises(boot.BootOptionError) as error:
        boot.parse_cmdline(cmdline)
    assert expected in str(error.value)


def test_read_cmdline_from_file(tmp_path: Path) -> None:
    (tmp_path / "cmdline").write_text("console=ttyS0 cos.answers=cdrom:/answers.yaml\n")
    assert boot.read_cmdline(str(tmp_path / "cmdline")).answers == "cdrom:/answers.yaml"


def test_a_kernel_line_with_bytes_that_are_not_utf8_is_read_not_a_traceback(tmp_path: Path):
    """A boot loader passes bytes as given: the autostart and `install` read the same line
    the same way (one reader), the odd bytes replaced, the options around them understood."""
    line = tmp_path / "cmdline"
    line.write_bytes(
        b"quiet \xff\xfe cos.report=http://10.0.0.1/events BOOTIF=01-52-54-00-12-34-56\n"
    )
    options = boot.read_cmdline(str(line))
    assert (options.report, options.bootif) == ("http://10.0.0.1/events", "52:54:00:12:34:56")
    assert reportopt.kernel_report(str(line)) == (options.report, options.bootif)


def test_a_kernel_line_is_read_at_most_to_its_kernel_limit(tmp_path: Path):
    line = tmp_path / "cmdline"
    line.write_text("quiet " + "x" * 10_000_000 + " cos.after=reboot\n")
    assert boot.read_cmdline(str(line)).after == "poweroff", "the end past the limit is not read"
    assert reportopt.kernel_report(str(line)) == ("", None)


def test_source_forms() -> None:
    assert boot.parse_source("cdrom:/a/b.yaml") == boot.AnswerSource("cdrom", path="/a/b.yaml")
    assert boot.parse_source("label:CFG:/x.yaml") == boot.AnswerSource(
        "label", path="/x.yaml", label="CFG"
    )
    assert boot.parse_source("https://h/a").url == "https://h/a"
    assert boot.parse_source("/run/a.yaml").kind == "file"
    with pytest.raises(boot.BootOptionError, match="no host"):
        boot.parse_source("http:///a.yaml")


# --- the sources ---


def test_cdrom_source_copies_from_the_medium(tmp_path: Path) -> None:
    medium, dest = tmp_path / "medium", tmp_path / "dest"
    (medium / "cfg").mkdir(parents=True)
    dest.mkdir()
    (medium / "cfg" / "a.yaml").write_text(ANSWERS)
    lines: list[str] = []
    path = boot.fetch_answers(
        "cdrom:/cfg/a.yaml", str(dest), medium_dir=str(medium), log=lines.append
    )
    assert Path(path).read_text() == ANSWERS
    assert Path(path).stat().st_mode & 0o777 == 0o600
    assert lines == ["answers: read cdrom:/cfg/a.yaml"]
    with pytest.raises(boot.SourceError, match="not found on the install medium"):
        boot.fetch_answers("cdrom:/missing.yaml", str(dest), medium_dir=str(medium))


@pytest.fixture
def labelled_loop(tmp_path: Path):
    """An ext4 filesystem labelled COSCFG-like (unique) on a loop device, holding answers.yaml."""
    need_root()
    need_tools("mkfs.ext4", "losetup", "blkid", "mount")
    label = "CT" + secrets.token_hex(4).upper()
    content = tmp_path / "content"
    content.mkdir()
    (content / "answers.yaml").write_text(ANSWERS)
    image = tmp_path / "cfg.img"
    subprocess.run(
        ["mkfs.ext4", "-q", "-L", label, "-d", str(content), str(image), "8M"], check=True
    )
    device = subprocess.run(
        ["losetup", "-f", "--show", str(image)], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        yield label, device
    finally:
        subprocess.run(["losetup", "-d", device], check=False)


def test_label_source_mounts_read_only_and_cleans_up(labelled_loop, tmp_path: Path) -> None:
    label, device = labelled_loop
    lines: list[str] = []
    path = boot.fetch_answers(f"label:{label}:/answers.yaml", str(tmp_path), log=lines.append)
    assert Path(path).read_text() == ANSWERS
    assert any(f"{device} (label {label}) mounted read-only" in line for line in lines)
    assert device not in Path("/proc/mounts").read_text()  # unmounted again
    with pytest.raises(boot.SourceError, match=f"label {label}"):
        boot.fetch_answers(f"label:{label}:/nope.yaml", str(tmp_path))
    assert device not in Path("/proc/mounts").read_text()


def test_label_source_missing_label(tmp_path: Path) -> None:
    need_tools("blkid")
    with pytest.raises(boot.SourceError, match="no filesystem labelled NOSUCHLBL9 was found"):
        boot.fetch_answers("label:NOSUCHLBL9:/answers.yaml", str(tmp_path))


class _FlakyHandler(http.server.BaseHTTPRequestHandler):
    failures_left = 0
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).hits += 1
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            self.send_error(503, "not yet")
            return
        body = ANSWERS.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky_server():
    handler = type("Handler", (_FlakyHandler,), {"failures_left": 2, "hits": 0})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/answers.yaml", handler
    finally:
        server.shutdown()
        server.server_close()


def test_http_source_retries_until_the_server_answers(flaky_server, tmp_path: Path) -> None:
    url, handler = flaky_server
    lines: list[str] = []
    path = boot.fetch_answers(url, str(tmp_path), http_deadline=20, log=lines.append)
    assert Path(path).read_text() == ANSWERS
    assert handler.hits == 3
    assert [line for line in lines if "failed" in line] == [
        f"answers: {url}: attempt 1/5 failed: HTTP 503 not yet",
        f"answers: {url}: attempt 2/5 failed: HTTP 503 not yet",
    ]
    assert f"answers: {url}: attempt 3/5 ok" in lines


def test_http_source_gives_up_bounded(flaky_server, tmp_path: Path) -> None:
    url, handler = flaky_server
    handler.failures_left = 100
    with pytest.raises(boot.SourceError, match="not downloaded after 2 attempts"):
        boot.fetch_answers(
            url, str(tmp_path), http_attempts=2, http_deadline=10, log=lambda s: None
        )
    assert handler.hits == 2


# --- autostart helpers ---


def test_answers_disk(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ANSWERS)
    (tmp_path / "b.yaml").write_text("role: agent\n")
    assert autostart.answers_disk(str(tmp_path / "a.yaml")) == "/dev/vda"
    assert autostart.answers_disk(str(tmp_path / "b.yaml")) is None


def test_lock_records_the_console(tmp_path: Path) -> None:
    import os

    fd = autostart.take_lock(str(tmp_path / "lock"), "ttyS0")
    try:
        assert (tmp_path / "lock").read_text() == f"ttyS0 {os.getpid()}\n"
        probe = subprocess.run(
            ["flock", "-n", str(tmp_path / "lock"), "true"], capture_output=True, check=False
        )
        assert probe.returncode != 0  # held
    finally:
        os.close(fd)


HOLDER = """
import signal, sys, time
from cos_installer.commands import autostart
fd = autostart.take_lock(sys.argv[1], sys.argv[2])
print("TAKEN", flush=True)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
time.sleep(60)
"""


def test_take_over_wins_against_the_restarted_holder(tmp_path: Path) -> None:
    """tty1 holds the installer and, like the systemd unit (Restart=always, RestartSec=1),
    comes back a second after it stops. Enter on ttyS0 must end with ttyS0 holding the lock;
    it used to poll every 2 s and lose it to the restarted tty1."""
    import os
    import select
    import sys
    import time

    lock = tmp_path / "lock"
    repo = Path(__file__).parents[2]
    holder = [sys.executable, "-c", HOLDER, str(lock)]
    loop = " ".join(f"'{a}'" for a in holder) + " tty1"
    restarter = subprocess.Popen(["sh", "-c", f"while true; do {loop}; sleep 1; done"],
                                 cwd=repo, start_new_session=True,
                                 stdout=subprocess.DEVNULL)  # fmt: skip
    master, slave = os.openpty()
    taker = None
    try:
        deadline = time.monotonic() + 20
        while not (lock.exists() and lock.read_text().startswith("tty1")):
            assert time.monotonic() < deadline, "the holder never took the lock"
            time.sleep(0.1)
        taker = subprocess.Popen([*holder, "ttyS0"], stdin=slave, stdout=slave, cwd=repo,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        seen = b""

        def read_until(text: bytes, seconds: float) -> None:
            nonlocal seen
            end = time.monotonic() + seconds
            while text not in seen:
                ready, _, _ = select.select([master], [], [], max(0.0, end - time.monotonic()))
                assert ready, f"no {text!r} within {seconds} s: {seen!r}"
                seen += os.read(master, 4096)

        read_until(b"Press Enter here", 20)
        os.write(master, b"\r")
        read_until(b"TAKEN", 5)  # the holder stops at once; ttyS0 must not wait for a poll
        time.sleep(2.5)  # the restarted tty1 has tried by now, and keeps trying
        assert lock.read_text().startswith("ttyS0 ")
    finally:
        if taker is not None:
            taker.terminate()
            taker.wait(timeout=10)
        os.killpg(restarter.pid, 15)
        restarter.wait(timeout=10)
        os.close(master)
        os.close(slave)


def test_a_key_pressed_before_the_wait_counts(tmp_path: Path) -> None:
    """The Enter an operator types while the console prints its prompt must not be thrown
    away when the wait starts (cbreak with TCSAFLUSH did that: the take-over then hung)."""
    import os
    import sys

    master, slave = os.openpty()
    try:
        os.write(master, b"\r")  # pressed before wait_key() is even called
        code = "from cos_installer.commands import autostart; print(autostart.wait_key(1.0))"
        done = subprocess.run([sys.executable, "-c", code], stdin=slave, capture_output=True,
                              text=True, timeout=30, cwd=Path(__file__).parents[2])  # fmt: skip
        assert done.stdout.strip() == "True", done.stdout + done.stderr
    finally:
        os.close(master)
        os.close(slave)
