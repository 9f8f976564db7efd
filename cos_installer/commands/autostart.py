"""`cos-installer autostart --console ttyS0`: what the live system runs on each console at boot.

One console installs at a time: the first to take the lock runs the wizard (or, with
`cos.autoinstall`, the unattended install after a countdown any key cancels); the others say
where the installer runs and offer to take it over. Kernel options: see cos_installer.live.boot.

Size: just over 300 lines with netboot's image URL and the answers' authenticity note passed
through to `install`; the unattended/wizard command builders are the part to move out next.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

from cos_installer.hardware.media import MEDIA_DIR, PAYLOAD, PAYLOAD_URL_ENV
from cos_installer.hardware.types import LOCAL, Machine
from cos_installer.live import boot, consoles, ptyrelay, takeover
from cos_installer.live.takeover import take_lock, wait_key

HELP = "start the installer on a console at boot (used by the live system's services)"
LOCK_FD = "COS_LOCK_FD"  # the installer lock, taken before fbterm started this autostart
LOCK = "/run/cos-installer.lock"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--console", required=True, help="this console's name: tty1, ttyS0, ...")
    parser.add_argument("--cmdline", default="/proc/cmdline", help="kernel command line file")
    parser.add_argument("--lock", default=LOCK, help="lock file: one install at a time")
    parser.add_argument("--countdown", type=int, default=10, help="seconds before autoinstall")
    parser.add_argument("--medium", default=MEDIA_DIR, help="where the install medium is mounted")


def say(text: str) -> None:
    print(text, flush=True)


def prepare_terminal(console: str, term: str) -> None:
    """TERM per console, 80x24 where the line reports no size, kernel messages off the screen."""
    serial = consoles.is_serial(console)
    os.environ["TERM"] = term
    if serial:  # line drawing stays ASCII (vt220); colours are shown by IPMI SOL and QEMU
        os.environ.setdefault("COS_COLOURS", "16")
    os.environ.setdefault("LANG", "C.UTF-8")
    with contextlib.suppress(OSError):
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, bytes(8)))
        if not rows or not cols:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    if os.geteuid() == 0:
        subprocess.run(["dmesg", "--console-level", "1"], capture_output=True, check=False)


def countdown(seconds: int, disk: str) -> bool:
    """True when the unattended install should go ahead (no key pressed)."""
    for left in range(seconds, 0, -1):
        sys.stdout.write(
            f"\rUnattended install onto {disk} in {left:2d} s - press any key for the wizard "
        )
        sys.stdout.flush()
        if wait_key(1.0):
            say("\ncancelled: opening the wizard with these answers")
            return False
    say("")
    return True


def answers_disk(path: str, machine: Machine | None = None) -> str | None:
    """The OS disk the countdown names. A fleet file (hosts:, or a disk rule) is resolved
    for this machine (`machine`, else the real one) as the install will resolve it, so a
    host entry's own disk wins over the default. None when it cannot be told: the install
    itself then reports what is wrong with the file."""
    import yaml  # the answers module validates later; here only the target is needed

    data = None
    with contextlib.suppress(Exception), open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        return None
    from cos_installer.answers.fleet import is_fleet

    if is_fleet(data):
        from cos_installer.answers.loader import load_for_machine
        from cos_installer.hardware import open_machine

        with contextlib.suppress(Exception):
            return load_for_machine(path, machine or open_machine(None)).disk
        return None
    return data["disk"] if isinstance(data.get("disk"), str) else None


def network_for_download(url: str) -> None:
    """The live system has no network of its own: DHCP on a linked NIC from which the
    answers server can be reached."""
    from cos_installer.hardware import open_machine
    from cos_installer.live import livenet

    try:
        livenet.bring_up(open_machine(None), say, reach=livenet.server_of(url))
    except Exception as error:  # the download reports the consequence; say the cause too
        say(f"network: could not be brought up: {error}")


def installer() -> list[str]:
    return [sys.executable, "-m", "cos_installer.cli"]


def answers_note(options: boot.BootOptions) -> str:
    """How far downloaded answers were authenticated ("" for the medium's and a drive's)."""
    if not (options.answers or "").startswith(("http://", "https://")):
        return ""
    return boot.authenticity(options.answers or "", options.answers_pin)


def note_args(note: str) -> list[str]:
    return ["--answers-note", f"answers: {note}"] if note else []


def install_command(
    answers: str, medium: str, note: str = "", payload: str | None = None
) -> list[str]:
    """No --target: `install` takes the disk from the answers, for a fleet file from this
    machine's entry (a --target from the file's defaults would override the entry's disk).
    --machine local: the live system installs the machine it runs on, so its NICs are
    probed and each chosen NIC's permanent MAC goes into the config (the installed OS may
    name the NIC otherwise). note: how the answers were authenticated, the install's first
    event. The image: cos.payload's URL when netbooted, else the medium's."""
    image = payload or os.path.join(medium, PAYLOAD)
    return installer() + ["install", "--answers", answers, "--image", image, "--machine",
                          LOCAL, "--yes", *note_args(note)]  # fmt: skip


def unattended(
    answers: str, medium: str, after: str, note: str = "", payload: str | None = None
) -> int:
    disk = answers_disk(answers)
    command = install_command(answers, medium, note, payload)
    say(f"cos-installer: unattended install onto {disk or '(disk from the answers)'}")
    code = subprocess.run(command, check=False).returncode
    if code != 0:
        say(f"cos-installer: the unattended install failed (exit {code}); see the messages above.")
        return code
    say(f"COS-INSTALL-DONE: installed onto {disk}; next: {after}")
    if after in ("poweroff", "reboot"):
        subprocess.run(["sync"], check=False)
        subprocess.run(["systemctl", after], check=False)
        time.sleep(60)
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        options = boot.read_cmdline(args.cmdline)
        option_error = ""
    except boot.BootOptionError as error:
        options, option_error = boot.BootOptions(), str(error)
    if options.payload:  # netbooted: no medium; the wizard and the install stream this URL
        os.environ[PAYLOAD_URL_ENV] = options.payload
    mark = os.environ.pop("COS_FBTERM_MARK", "")
    if mark:  # fbterm started this autostart: the one outside need not fall back
        open(mark, "w").close()
    plan = consoles.plan(args.console, options)
    mirror = plan.mirror and not option_error
    held = os.environ.pop(LOCK_FD, "")
    lock = int(held) if held.isdigit() else None
    children: list[subprocess.Popen] = []

    def stop(signum: int, frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    if plan.fbterm:
        if not mirror:  # the lock first: fbterm and a second Python start take seconds
            lock = take_lock_in_turn(args, options)
        code = in_fbterm(args, lock, children)
        if code is not None:
            return code
        plan = consoles.Plan("linux", False, plan.mirror)  # fbterm did not start: text console
    prepare_terminal(args.console, plan.term)
    if lock is not None:  # held since before fbterm: record this process as the holder
        lock = take_lock(args.lock, args.console, lock)
    elif mirror:
        code = mirrored_wizard(args, options, children)
        if code is not None:
            return code
        lock = take_lock(args.lock, args.console)
    else:
        lock = take_lock_in_turn(args, options)
    say(f"COS-INSTALLER-START on {args.console}")
    wizard = installer()
    if options.payload and not (options.answers or "").startswith(("http://", "https://")):
        network_for_download(options.payload)  # an http answers source brings it up below
    if option_error:
        say(f"cos-installer: kernel command line: {option_error}")
        say("Press Enter for the wizard.")
        wait_key(600)
    elif options.answers:
        workdir = tempfile.mkdtemp(prefix="cos-boot-")
        try:
            if options.answers.startswith(("http://", "https://")):
                network_for_download(options.answers)
            answers = boot.fetch_answers(
                options.answers, workdir, medium_dir=args.medium, log=say,
                pin=options.answers_pin, bootif=options.bootif,
            )  # fmt: skip
        except (boot.SourceError, OSError) as error:
            say(f"cos-installer: {error}")
            answers = None
        note = answers_note(options)
        if answers and options.autoinstall:
            disk = answers_disk(answers) or "the disk named in the answers"
            if countdown(args.countdown, disk):
                code = unattended(answers, args.medium, options.after, note, options.payload)
                if code == 0 and options.after != "wizard":
                    return 0
                say("Press Enter for the wizard.")
                wait_key(3600)
        if answers:
            wizard += ["--answers", answers, *note_args(note)]
    children.append(subprocess.Popen(wizard))
    code = children[-1].wait()
    os.close(lock)
    return after_wizard(code)


def wizard_command(options: boot.BootOptions, medium: str) -> list[str]:
    """The wizard, pre-filled from answers on the medium or a labelled drive when given."""
    if not options.answers:
        return installer()
    workdir = tempfile.mkdtemp(prefix="cos-boot-")
    try:
        answers = boot.fetch_answers(
            options.answers,
            workdir,
            medium_dir=medium,
            log=say,
            pin=options.answers_pin,
            bootif=options.bootif,
        )
    except (boot.SourceError, OSError) as error:
        say(f"cos-installer: {error}")
        return installer()
    return installer() + ["--answers", answers, *note_args(answers_note(options))]


def mirrored_wizard(
    args: argparse.Namespace, options: boot.BootOptions, children: list[subprocess.Popen]
) -> int | None:
    """The wizard on this console and the other at once (cos_installer.live.consoles): the exit
    status when this console got the first key and ran it; None when the other one did."""
    fd = os.open(args.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if takeover.claimed_elsewhere(fd):
            return None
        say(f"COS-INSTALLER-START on {args.console}")
        code = ptyrelay.relay(
            wizard_command(options, args.medium),
            claim=lambda: takeover.claim(fd, args.console),
            lost=lambda: takeover.claimed_elsewhere(fd),
            started=children.append,
        )
        if code is None:
            sys.stdout.write("\x1b[0m\x1b[?25h")  # the stopped wizard's colours and cursor
            return None
    finally:
        os.close(fd)
    return after_wizard(code)


def take_lock_in_turn(args: argparse.Namespace, options: boot.BootOptions) -> int:
    if args.console != options.primary_console:
        time.sleep(3)  # the primary console (the kernel's /dev/console) starts first
    return take_lock(args.lock, args.console)


def in_fbterm(
    args: argparse.Namespace, lock: int | None, children: list[subprocess.Popen]
) -> int | None:
    """autostart again inside fbterm on this VT (CJK on the framebuffer); None when fbterm
    could not start (no usable framebuffer or font): the text console then."""
    mark = f"/run/cos-installer-fbterm.{args.console}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(mark)
    inner = installer() + ["autostart", "--console", args.console, "--cmdline", args.cmdline,
                           "--lock", args.lock, "--countdown", str(args.countdown),
                           "--medium", args.medium]  # fmt: skip
    env = dict(os.environ, **{consoles.IN_FBTERM: "1", "COS_FBTERM_MARK": mark})
    if lock is not None:  # the autostart inside holds it on (and records its own pid)
        env[LOCK_FD] = str(lock)
    fds = () if lock is None else (lock,)
    children.append(subprocess.Popen(consoles.fbterm_command(inner), env=env, pass_fds=fds))
    code = children[-1].wait()
    if os.path.exists(mark):
        return code
    say(f"cos-installer: fbterm did not start (status {code}); the text console follows.")
    return None


def after_wizard(code: int) -> int:
    """The wizard has ended (Ctrl+C, an error): offer it again, or a root shell."""
    say(f"\nThe installer has exited (status {code}).")
    say("Press Enter (or Ctrl+D) to start it again, or type  sh  and Enter for a root shell.")
    try:
        answer = sys.stdin.readline().strip()
    except OSError:
        answer = ""
    if answer == "sh":
        os.execv("/bin/bash", ["/bin/bash", "-l"])
    return code
