"""`cos-installer serve` and `cos-installer status` as an operator runs them: the server starts,
serves and stops on SIGTERM; refused options exit 2 naming the option; a taken port exits 1;
https with --tls-cert; the status table fits 80 columns and escapes what the server sends."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import ssl
import subprocess
import sys
import urllib.request

import pytest

from cos_installer.serve.table import render
from tests.realparts import need_tools
from tests.serve.served import Served, event, post

COS = [sys.executable, "-m", "cos_installer.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(*args: str):
    proc = subprocess.Popen([*COS, "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = proc.stdout.readline()
        assert "host(s) from" in line, line + proc.stderr.read()
        yield proc, line
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def test_serve_starts_serves_and_stops_on_sigterm(rack, tmp_path):
    port = free_port()
    log = tmp_path / "files.log"
    with serving("--fleet", str(rack[0]), "--boot-dir", str(rack[1]), "--files-log", str(log),
                 "--listen", f"127.0.0.1:{port}") as (proc, line):  # fmt: skip
        assert line.startswith(f"cos-installer serve: 6 host(s) from {rack[0]}; status at "
                               f"http://127.0.0.1:{port}/")  # fmt: skip
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/live/vmlinuz") as resp:
            assert resp.read() == b"kernel"
        ranged = urllib.request.Request(f"http://127.0.0.1:{port}/live/filesystem.squashfs",
                                        headers={"Range": "bytes=100-"})  # fmt: skip
        with urllib.request.urlopen(ranged) as resp:
            assert len(resp.read()) == (8 << 20) - 100
        # a second serve on the same port: exit 1, naming it
        taken = subprocess.run([*COS, "serve", "--fleet", str(rack[0]), "--events-only",
                                "--listen", f"127.0.0.1:{port}"],
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        assert taken.returncode == 1
        assert f"--listen 127.0.0.1:{port}: " in taken.stderr and "another" in taken.stderr
        assert "Traceback" not in taken.stderr
    assert proc.returncode == 0
    assert proc.stderr.read() == ""  # no request ended in an error (a file prepared twice did)
    assert log.read_text().splitlines() == [
        '127.0.0.1 "GET /live/vmlinuz HTTP/1.1" 200 6 "-"',
        f'127.0.0.1 "GET /live/filesystem.squashfs HTTP/1.1" 206 {(8 << 20) - 100} "bytes=100-"',
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--events-only", "--listen", "nowhere"], "--listen 'nowhere': expected ADDR:PORT"),
        (["--events-only", "--listen", "1.2.3.4:99999"], "expected ADDR:PORT"),
        (["--listen", "127.0.0.1:8080"], "--boot-dir DIR: missing"),
        (["--events-only", "--boot-dir", "/tmp"], "--events-only serves no files"),
        (["--boot-dir", "/nonexistent"], "--boot-dir /nonexistent: not a directory"),
        (["--events-only", "--tls-cert", "/x.pem"], "--tls-cert and --tls-key go together"),
    ],
)
def test_refused_options_exit_2_naming_them(rack, args, words):
    done = subprocess.run([*COS, "serve", "--fleet", str(rack[0]), *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("cos-installer serve: ") and words in done.stderr


def test_a_fleet_check_answers_refuses_is_refused_with_its_words(rack, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(rack[0].read_text().replace("hostname: node2", "hostname: node1"))
    done = subprocess.run([*COS, "serve", "--fleet", str(bad), "--events-only"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert "system.hostname node1 is also hosts[3] (node1)'s" in done.stderr


def test_https_with_a_certificate(rack, tmp_path):
    need_tools("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)  # fmt: skip
    port = free_port()
    with serving("--fleet", str(rack[0]), "--events-only", "--listen", f"127.0.0.1:{port}",
                 "--tls-cert", str(cert), "--tls-key", str(key)) as (_proc, line):  # fmt: skip
        assert f"https://127.0.0.1:{port}/" in line
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/status", context=context) as r:
            assert len(json.load(r)["hosts"]) == 6


def test_the_status_table_against_a_live_server(rack):
    with Served(rack[0], None) as s:
        post(s.url("events"), [
            event("failed", 3, run="3" * 32, mac="52:54:00:aa:00:01", stage="write", percent=40,
                  stage_title="Writing the OS image", cause="the disk /dev/sda went away",
                  hint="check its cable, then install again"),
            event("progress", 1, run="4" * 32, mac="52:54:00:c0:f1:99", percent=5,
                  hostname="evil\u202e-name"),
        ])  # fmt: skip
        done = subprocess.run([*COS, "status", "--url", s.url("status")],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == ["HOST", "ROLE", "STAGE", "%", "RESULT"]
    assert lines[1].split() == ["controller1", "controller", "Writing", "the", "OS", "image",
                                "40", "failed"]  # fmt: skip
    assert lines[2] == "  ! the disk /dev/sda went away check its cable, then install again"
    assert "unmatched (1):" in lines and any("evil\\u202e-name" in line for line in lines)
    assert lines[-1] == "6 hosts: 0 done, 0 running, 1 failed, 5 pending; 1 unmatched"


def test_the_table_cuts_and_escapes_what_the_server_sends():
    status = {"hosts": [{"hostname": "h" * 300 + "\x1b[2J", "role": "agent\x07",
                         "stage_title": "s" * 100, "percent": 7, "result": "failed",
                         "cause": "c\x1b]0;title\x07" * 40, "hint": ""}],
              "unmatched": []}  # fmt: skip
    text = render(status)
    assert "\x1b" not in text and "\x07" not in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_status_of_an_unreachable_server_exits_1_naming_it():
    url = f"http://127.0.0.1:{free_port()}/status"
    done = subprocess.run([*COS, "status", "--url", url], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert (
        done.stderr.startswith(f"cos-installer status: {url}: ") and "Traceback" not in done.stderr
    )


def test_the_installer_runs_without_aiohttp_and_serve_says_what_is_missing(rack):
    """The ISO installs the wheel without the serve extra: nothing else may import aiohttp."""
    blocked = ("import sys; sys.modules['aiohttp'] = None; sys.modules['jsonschema'] = None; "
               "from cos_installer.cli import main; sys.exit(main(sys.argv[1:]))")  # fmt: skip
    helped = subprocess.run([sys.executable, "-c", blocked, "--help"], capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert helped.returncode == 0 and "serve" in helped.stdout, helped.stderr
    argv = [sys.executable, "-c", blocked, "serve", "--fleet", str(rack[0]), "--events-only"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == ("cos-installer serve: aiohttp is not installed: pip install "
                           "'cos-installer[serve]'\n")  # fmt: skip
