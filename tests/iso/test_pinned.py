"""Answers over HTTPS pinned to the server certificate (cos.answers_pin): a real TLS server on
127.0.0.1 with a self-signed certificate made by openssl; over plain HTTP the log and the
install's first event say the answers were not authenticated."""

from __future__ import annotations

import hashlib
import http.server
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from cos_installer.commands import autostart
from cos_installer.live import boot
from tests.realparts import need_tools

ANSWERS = "role: agent\ndisk: /dev/vda\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).hits += 1
        body = ANSWERS.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def self_signed(tmp: Path, name: str) -> tuple[Path, Path, str]:
    """(certificate, key, the certificate's sha256 fingerprint as `openssl x509` prints it)."""
    cert, key = tmp / f"{name}.pem", tmp / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-subj", f"/CN={name}", "-days", "2", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    shown = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", str(cert)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return cert, key, shown.strip().split("=", 1)[1]  # AB:CD:...


def serve(handler, cert: Path | None = None, key: Path | None = None):
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    if cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if cert is not None else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}/answers.yaml"


@pytest.fixture
def tls(tmp_path):
    need_tools("openssl")
    cert, key, shown = self_signed(tmp_path, "answers.test")
    handler = type("Handler", (_Handler,), {"hits": 0})
    server, url = serve(handler, cert, key)
    try:
        yield url, shown, handler, cert
    finally:
        server.shutdown()
        server.server_close()


def test_the_pinned_certificate_is_accepted_self_signed(tls, tmp_path):
    url, shown, handler, _ = tls
    pin = boot.parse_cmdline(f"cos.answers={url} cos.answers_pin=sha256:{shown}").answers_pin
    lines: list[str] = []
    path = boot.fetch_answers(url, str(tmp_path), log=lines.append, pin=pin, http_deadline=20)
    assert Path(path).read_text() == ANSWERS and handler.hits == 1
    assert (
        f"answers: {url}: authenticated (the server certificate matches cos.answers_pin)" in lines
    )


def test_a_wrong_certificate_is_refused_before_the_request(tls, tmp_path):
    url, _, handler, _ = tls
    _, _, other = self_signed(tmp_path, "other.test")
    pin = boot.parse_pin(f"sha256:{other}")
    with pytest.raises(boot.SourceError) as caught:
        boot.fetch_answers(url, str(tmp_path), log=lambda _s: None, pin=pin, http_deadline=20)
    message = str(caught.value)
    assert f"answers {url}: refused: the server's certificate has sha256 " in message
    assert f"cos.answers_pin expects {pin}" in message and "openssl x509" in message
    assert handler.hits == 0, "nothing was asked of a server that is not the pinned one"
    assert not (tmp_path / "answers.yaml").exists()


def test_https_without_a_pin_still_wants_a_trusted_ca(tls, tmp_path):
    url, _, handler, _ = tls
    with pytest.raises(boot.SourceError, match="CERTIFICATE_VERIFY_FAILED|certificate verify"):
        boot.fetch_answers(url, str(tmp_path), log=lambda _s: None, http_attempts=1)
    assert handler.hits == 0


def test_plain_http_says_not_authenticated_in_the_log_and_first_event(tmp_path):
    handler = type("Handler", (_Handler,), {"hits": 0})
    server, url = serve(handler)
    try:
        lines: list[str] = []
        boot.fetch_answers(url, str(tmp_path), log=lines.append, http_deadline=20)
    finally:
        server.shutdown()
        server.server_close()
    warning = f"answers: WARNING: {url} came over plain HTTP: the answers were NOT authenticated"
    assert any(line.startswith(warning) for line in lines), lines
    command = autostart.install_command("/tmp/a.yaml", "/m", boot.authenticity(url))
    note = command[command.index("--answers-note") + 1]
    assert note.startswith(warning)

    from cos_installer.answers.loader import load_answers
    from cos_installer.install.backends import open_backend
    from cos_installer.install.pipeline import run_install
    from tests.install.conftest import Events, answers_file

    events = Events()
    config = load_answers(answers_file(tmp_path, disk="/dev/sda"))
    run_install(config, backend=open_backend("/dev/sda", dry_run=True), payload=None,
                listener=events, notes=(note,))  # fmt: skip
    assert events[0].kind == "message" and events[0].message == note


@pytest.mark.parametrize(
    ("cmdline", "expected"),
    [
        ("cos.answers=https://h/a cos.answers_pin=sha256:abc", "expected sha256:<64 hex digits>"),
        (f"cos.answers=https://h/a cos.answers_pin=md5:{'a' * 64}", "expected sha256:"),
        (
            f"cos.answers=http://h/a cos.answers_pin=sha256:{'a' * 64}",
            "applies to cos.answers=https",
        ),
        (
            f"cos.answers_pin=sha256:{'a' * 64}",
            "applies to cos.answers=https://...; got cos.answers=",
        ),
        (
            f"cos.answers=https://h/cos/answers/ cos.answers_pin=sha256:{'a' * 64}",
            "applies to one answers file, not an answers directory",
        ),
    ],
)
def test_bad_pins_are_refused_naming_the_option(cmdline: str, expected: str) -> None:
    with pytest.raises(boot.BootOptionError, match="cos.answers_pin") as caught:
        boot.parse_cmdline(cmdline)
    assert expected in str(caught.value)


def test_pin_forms() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    colons = ":".join(digest[i : i + 2] for i in range(0, 64, 2)).upper()
    assert boot.parse_pin(f"sha256:{colons}") == boot.parse_pin(f"SHA256:{digest}") == digest


def test_the_wizard_and_the_install_are_told_how_the_answers_came() -> None:
    pin = "a" * 64
    said = {
        cmdline: autostart.note_args(autostart.answers_note(boot.parse_cmdline(cmdline)))
        for cmdline in (
            "cos.answers=http://h/a.yaml",
            "cos.answers=https://h/a.yaml",
            f"cos.answers=https://h/a.yaml cos.answers_pin=sha256:{pin}",
            "cos.answers=cdrom:/a.yaml",
        )
    }
    notes = [args[1] if args else "" for args in said.values()]
    assert notes[0].startswith("answers: WARNING: http://h/a.yaml came over plain HTTP")
    assert (
        notes[1] == "answers: https://h/a.yaml: authenticated by the live system's CA "
        "certificates (not pinned)"
    )
    assert notes[2].endswith("authenticated (the server certificate matches cos.answers_pin)")
    assert notes[3] == ""
    from cos_installer.cli import build_parser

    args = build_parser()[0].parse_args(["--answers-note", notes[0]])
    assert args.answers_note == [notes[0]]  # the wizard keeps it for its log
