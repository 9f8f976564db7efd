"""What the live system's kernel command line asks of the installer, and where answers come from.

Options (all optional):
  cos.answers=SOURCE   an answers file: `cdrom:/answers.yaml` (on the install medium),
                       `label:COSCFG:/answers.yaml` (on the filesystem labelled COSCFG),
                       `http://...` / `https://...`, or an absolute path in the live system;
                       an http(s) URL ending in `/` is an answers directory by identity
                       (`http://SERVER/cos/answers/`): the live system asks it for
                       `mac/<mac>.yaml`, `system_uuid/...`, `system_serial/...`,
                       `disk_serial/...` in that order and takes the first document for
                       this machine (cos_installer.netboot.contract); none: no answers
  cos.answers_pin=sha256:HEX  with cos.answers=https://... (one file): the server certificate's
                       SHA-256 fingerprint; any other certificate is refused (live.pinned)
  cos.payload=URL      netbooted: the OS image is streamed from this http(s) URL (with
                       URL.sha256, URL.sha256.sig and URL.size beside it) instead of read
                       from a medium; the live system then never asks for one
  cos.autoinstall      install unattended from those answers after a 10 s countdown
  cos.report=URL       install events (JSON) are POSTed there (live.reportopt)
  cos.after=ACTION     what follows a successful unattended install: poweroff (default),
                       reboot or wizard
  BOOTIF=01-MAC        (from iPXE or pxelinux) the NIC the machine booted from: its MAC is
                       asked first in an answers directory
The live system's consoles come from `console=`; the last one is the kernel's primary console.
A netbooted machine's whole line, as `netboot export` writes it in boot.ipxe:
  boot=live fetch=http://SERVER/cos/live/filesystem.squashfs ... BOOTIF=01-${net0/mac:hexhyp}
  cos.payload=http://SERVER/cos/cos-image.raw.zst cos.answers=http://SERVER/cos/answers/
  cos.autoinstall

Size: over 300 lines since the netboot options (cos.payload=, BOOTIF=, answers by identity)
met the pinned https answers: every option and every answers source is still here in one
place, so a reader sees all the live system accepts; the http fetching (pin, retries) is the
part to move out next, with SourceError.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from cos_installer.hardware.media import MEDIA_DIR
from cos_installer.live import cmdline
from cos_installer.live.pinned import PinMismatch, fetch_pinned, parse_pin
from cos_installer.live.reportopt import report_option
from cos_installer.netboot.contract import bootif_mac

AFTER_ACTIONS = ("poweroff", "reboot", "wizard")
SOURCE_FORMS = (
    "cdrom:/PATH, label:LABEL:/PATH, http://HOST/PATH, https://HOST/PATH or /PATH "
    "(for example label:COSCFG:/answers.yaml)"
)


class BootOptionError(ValueError):
    """A cos.* option that cannot be understood: says which, what was given, what is expected."""


class SourceError(RuntimeError):
    """An answers source that could not be read: the source, the cause, the next step."""


@dataclass(frozen=True)
class BootOptions:
    answers: str | None = None
    autoinstall: bool = False
    after: str = "poweroff"
    consoles: tuple[str, ...] = ()
    answers_pin: str = ""  # 64 hex digits: the answer server certificate's sha256
    payload: str | None = None  # cos.payload=URL: netbooted, the image comes over HTTP
    bootif: str | None = None  # the MAC of BOOTIF=01-..., the NIC the machine booted from
    report: str = ""  # cos.report=URL: where install events go

    @property
    def primary_console(self) -> str:
        """The console the kernel writes to last (/dev/console): the first to get the wizard.
        tty0 is "the foreground virtual terminal", tty1 at boot, where the service runs."""
        last = self.consoles[-1] if self.consoles else "tty1"
        return "tty1" if last == "tty0" else last


@dataclass(frozen=True)
class AnswerSource:
    kind: str  # cdrom, label, http, file
    path: str = ""  # path on the medium / labelled filesystem / live system
    label: str = ""
    url: str = ""


def parse_cmdline(text: str) -> BootOptions:
    """Parse a kernel command line; unknown cos.* options are errors, others are ignored."""
    answers, autoinstall, after, consoles, pin = None, False, "poweroff", [], ""
    payload, bootif, report = None, None, ""
    for word in cmdline.words(text):
        key, has_value, value = word.partition("=")
        if key == "console" and value:
            consoles.append(value.split(",", 1)[0])
        elif key == "cos.answers":
            if not value:
                raise BootOptionError(f"cos.answers: empty; expected {SOURCE_FORMS}")
            parse_source(value)
            answers = value
        elif key == "cos.answers_pin":
            try:
                pin = parse_pin(value)
            except ValueError as error:
                raise BootOptionError(str(error)) from None
        elif key == "cos.autoinstall":
            if has_value and value not in ("1", "yes", "true"):
                raise BootOptionError(
                    f"cos.autoinstall={value}: expected the bare option cos.autoinstall"
                )
            autoinstall = True
        elif key == "cos.payload":
            payload = _payload_url(value)
        elif key == "cos.report":
            report = report_option(value, error=BootOptionError)
        elif key == "BOOTIF":
            bootif = bootif_mac(value)
        elif key == "cos.after":
            if value not in AFTER_ACTIONS:
                raise BootOptionError(
                    f"cos.after={value}: expected one of {', '.join(AFTER_ACTIONS)}"
                )
            after = value
        elif key.startswith("cos."):
            raise BootOptionError(
                f"{word}: unknown option; known: cos.answers=SOURCE, "
                "cos.answers_pin=sha256:HEX, cos.payload=URL, cos.report=URL, cos.autoinstall, "
                f"cos.after={'|'.join(AFTER_ACTIONS)}"
            )
    if autoinstall and not answers:
        raise BootOptionError("cos.autoinstall needs cos.answers=SOURCE: " + SOURCE_FORMS)
    if pin and not (answers or "").startswith("https://"):
        raise BootOptionError(
            f"cos.answers_pin applies to cos.answers=https://...; got cos.answers={answers or ''}"
        )
    if pin and (answers or "").endswith("/"):
        raise BootOptionError(
            "cos.answers_pin applies to one answers file, not an answers directory by identity "
            f"(a URL ending in /); got cos.answers={answers}"
        )
    return BootOptions(
        answers, autoinstall, after, tuple(consoles), answers_pin=pin, payload=payload,
        bootif=bootif, report=report,
    )  # fmt: skip


def _payload_url(value: str) -> str:
    parts = value.split("/", 3)
    if not value.startswith(("http://", "https://")) or len(parts) < 4 or not parts[2]:
        raise BootOptionError(
            f"cos.payload={value}: expected the OS image's http(s) URL, for example "
            "cos.payload=http://10.0.0.1/cos/cos-image.raw.zst"
        )
    return value


def read_cmdline(path: str = cmdline.PATH) -> BootOptions:
    return parse_cmdline(cmdline.read(path))


def parse_source(spec: str) -> AnswerSource:
    """Split an answers SOURCE into its parts; BootOptionError names what is wrong."""
    if spec.startswith(("http://", "https://")):
        if len(spec.split("/", 3)) < 3 or not spec.split("/", 3)[2]:
            raise BootOptionError(f"cos.answers={spec}: no host in the URL")
        return AnswerSource("http", url=spec)
    if spec.startswith("cdrom:"):
        path = spec[len("cdrom:") :]
        _check_path(spec, path)
        return AnswerSource("cdrom", path=path)
    if spec.startswith("label:"):
        label, sep, path = spec[len("label:") :].partition(":")
        if not label or not sep:
            raise BootOptionError(f"cos.answers={spec}: expected label:LABEL:/PATH")
        _check_path(spec, path)
        return AnswerSource("label", path=path, label=label)
    if spec.startswith("/"):
        _check_path(spec, spec)
        return AnswerSource("file", path=spec)
    raise BootOptionError(f"cos.answers={spec}: unknown source; expected {SOURCE_FORMS}")


def _check_path(spec: str, path: str) -> None:
    if not path.startswith("/") or ".." in path.split("/"):
        raise BootOptionError(
            f"cos.answers={spec}: the path must be absolute and stay inside the filesystem "
            f"(got {path!r}, expected for example /answers.yaml)"
        )


Log = Callable[[str], None]


def fetch_answers(
    spec: str,
    dest_dir: str,
    *,
    medium_dir: str = MEDIA_DIR,
    http_attempts: int = 5,
    http_deadline: float = 60.0,
    log: Log = print,
    pin: str = "",
    machine: object | None = None,
    bootif: str | None = None,
) -> str:
    """Copy the answers file named by `spec` into dest_dir and return the copy's path.
    pin: the https server's certificate sha256 (cos.answers_pin); any other is refused.
    An answers directory (an http(s) URL ending in /) is asked by this machine's identities
    (`machine`, else the real one); SourceError when none of them has a document."""
    source = parse_source(spec)
    dest = os.path.join(dest_dir, "answers.yaml")
    if source.kind == "http" and source.url.endswith("/"):
        _fetch_by_identity(source.url, dest, machine, bootif, log)
        log(f"answers: {authenticity(source.url, pin)}")
    elif source.kind == "http":
        _fetch_http(source.url, dest, http_attempts, http_deadline, log, pin)
        log(f"answers: {authenticity(source.url, pin)}")
    elif source.kind == "cdrom":
        _copy(os.path.join(medium_dir, source.path.lstrip("/")), dest, spec, "the install medium")
    elif source.kind == "file":
        _copy(source.path, dest, spec, "the live system")
    else:
        _fetch_label(source, dest, spec, log)
    os.chmod(dest, 0o600)  # it may carry a password
    log(f"answers: read {spec}")
    return dest


def _fetch_by_identity(
    base: str, dest: str, machine: object | None, bootif: str | None, log: Log
) -> None:
    from cos_installer.hardware import open_machine
    from cos_installer.netboot.httpstream import Retry
    from cos_installer.netboot.lookup import NoAnswers, fetch_by_identity

    try:
        fetch_by_identity(
            base, dest, machine or open_machine(None), bootif=bootif,
            retry=Retry(attempts=5, log=log), log=log,
        )  # fmt: skip
    except NoAnswers as exc:
        raise SourceError(str(exc)) from exc


def _copy(path: str, dest: str, spec: str, where: str) -> None:
    if not os.path.isfile(path):
        raise SourceError(
            f"answers {spec}: {path} not found on {where}; "
            "check the path, or boot without cos.answers= to use the wizard"
        )
    shutil.copyfile(path, dest)


def _fetch_label(source: AnswerSource, dest: str, spec: str, log: Log) -> None:
    found = subprocess.run(
        ["blkid", "-L", source.label], capture_output=True, text=True, check=False
    )
    device = found.stdout.strip().splitlines()[0] if found.stdout.strip() else ""
    if found.returncode != 0 or not device:
        raise SourceError(
            f"answers {spec}: no filesystem labelled {source.label} was found; "
            f"plug in the drive that carries it (label it with e2label/fatlabel {source.label})"
        )
    mountpoint = tempfile.mkdtemp(prefix="cos-answers-")
    try:
        mounted = subprocess.run(
            ["mount", "-o", "ro", device, mountpoint], capture_output=True, text=True
        )
        if mounted.returncode != 0:
            raise SourceError(
                f"answers {spec}: cannot mount {device} (label {source.label}) read-only: "
                f"{mounted.stderr.strip() or 'mount failed'}; check the filesystem on it"
            )
        try:
            log(f"answers: {device} (label {source.label}) mounted read-only on {mountpoint}")
            _copy(
                os.path.join(mountpoint, source.path.lstrip("/")),
                dest,
                spec,
                f"{device} (label {source.label})",
            )
        finally:
            subprocess.run(["umount", mountpoint], capture_output=True, check=False)
    finally:
        os.rmdir(mountpoint)


def authenticity(url: str, pin: str = "") -> str:
    """How far answers fetched from url can be trusted: said in the log and the install's
    first event."""
    if pin:
        return f"{url}: authenticated (the server certificate matches cos.answers_pin)"
    if url.startswith("https://"):
        return f"{url}: authenticated by the live system's CA certificates (not pinned)"
    return (
        f"WARNING: {url} came over plain HTTP: the answers were NOT authenticated (anyone on "
        "the network path could have changed them); use https:// with cos.answers_pin="
    )


def _fetch_http(url: str, dest: str, attempts: int, deadline: float, log: Log, pin: str) -> None:
    """Download with retries and exponential backoff, bounded in count and in total time; a
    certificate that does not match the pin is refused at once (no retry can fix it)."""
    start = time.monotonic()
    delay, last = 1.0, ""
    for attempt in range(1, attempts + 1):
        remaining = deadline - (time.monotonic() - start)
        if remaining <= 0:
            break
        try:
            if pin:
                data = fetch_pinned(url, pin, min(10.0, remaining), 1024 * 1024)
            else:
                with urllib.request.urlopen(url, timeout=min(10.0, remaining)) as response:
                    data = response.read(1024 * 1024 + 1)
            if len(data) > 1024 * 1024:
                raise SourceError(f"answers {url}: larger than 1 MiB; is it an answers file?")
            with open(dest, "wb") as f:
                f.write(data)
            log(f"answers: {url}: attempt {attempt}/{attempts} ok")
            return
        except PinMismatch as error:
            raise SourceError(
                f"answers {url}: refused: the server's certificate has sha256 {error.got}, "
                f"cos.answers_pin expects {error.want} (another server, or someone in "
                "between); check the pin against the server's certificate (openssl x509 "
                "-noout -fingerprint -sha256), or boot without cos.answers= to use the wizard"
            ) from None
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code} {error.reason}"
            log(f"answers: {url}: attempt {attempt}/{attempts} failed: {last}")
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            last = str(getattr(error, "reason", None) or error)
            log(f"answers: {url}: attempt {attempt}/{attempts} failed: {last}")
        pause = min(delay, deadline - (time.monotonic() - start))
        if attempt < attempts and pause > 0:
            time.sleep(pause)
        delay *= 2
    raise SourceError(
        f"answers {url}: not downloaded after {attempt} attempts in "
        f"{time.monotonic() - start:.0f} s (last error: {last}); check the network and the "
        "server, or boot without cos.answers= to use the wizard"
    )
