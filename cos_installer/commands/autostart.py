"""`cos-installer autostart --console ttyS0`: what the live system runs on each console at boot.

One console installs at a time: the first to take the lock runs the wizard (or, with
`cos.autoinstall`, the unattended install after a countdown any key cancels); the others say
where the installer runs and offer to take it over. Kernel options: see cos_installer.boot.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty

from .. import boot
from ..hardware.media import MEDIA_DIR, PAYLOAD
from ..hardware.types import Machine

HELP = "start the installer on a console at boot (used by the live system's services)"
LOCK = "/run/cos-installer.lock"
HANDOVER_WAIT = 10.0  # seconds the taking console waits for the other to let go


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--console", required=True, help="this console's name: tty1, ttyS0, ...")
    parser.add_argument("--cmdline", default="/proc/cmdline", help="kernel command line file")
    parser.add_argument("--lock", default=LOCK, help="lock file: one install at a time")
    parser.add_argument("--countdown", type=int, default=10, help="seconds before autoinstall")
    parser.add_argument("--medium", default=MEDIA_DIR, help="where the install medium is mounted")


def say(text: str) -> None:
    print(text, flush=True)


def prepare_terminal(console: str) -> None:
    """TERM per console, 80x24 where the line reports no size, kernel messages off the screen."""
    serial = console.startswith("ttyS")
    os.environ["TERM"] = "vt220" if serial else "linux"
    if serial:  # line drawing stays ASCII (vt220); colours are shown by IPMI SOL and QEMU
        os.environ.setdefault("COS_COLOURS", "16")
    os.environ.setdefault("LANG", "C.UTF-8")
    with contextlib.suppress(OSError):
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, bytes(8)))
        if not rows or not cols:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    if os.geteuid() == 0:
        subprocess.run(["dmesg", "--console-level", "1"], capture_output=True, check=False)


def wait_key(seconds: float) -> bool:
    """True when a key was pressed on stdin within `seconds`."""
    if not sys.stdin.isatty():
        time.sleep(seconds)
        return False
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # not TCSAFLUSH: a key pressed already counts
        ready, _, _ = select.select([fd], [], [], seconds)
        if ready:
            os.read(fd, 64)
            return True
        return False
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def take_lock(path: str, console: str) -> int:
    """Hold the installer lock (returns its fd); meanwhile tell this console where it runs."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = os.pread(fd, 100, 0).decode(errors="replace").split()
            where, pid = (holder + ["another console", "0"])[:2]
            if not told:
                sys.stdout.write("\x1b[H\x1b[2J")  # a clean screen, not firmware leftovers
                say(f"The COS installer is running on {where}.")
                say(f"Press Enter here to move it to {console} (it stops on {where}).")
                told = True
            if wait_key(2.0):
                with contextlib.suppress(ProcessLookupError, ValueError, PermissionError):
                    os.kill(int(pid), signal.SIGTERM)
                told = False
                if _lock_when_freed(fd, HANDOVER_WAIT):
                    break
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{console} {os.getpid()}\n".encode(), 0)
    return fd


def _lock_when_freed(fd: int, seconds: float) -> bool:
    """Right after asking the holder to stop: take the lock the moment it is freed, before
    systemd restarts the holder's console (RestartSec=1), which would take it back."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            time.sleep(0.05)
    return False


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
    from ..fleet import is_fleet

    if is_fleet(data):
        from ..fleet import load_for_machine
        from ..hardware import open_machine

        with contextlib.suppress(Exception):
            return load_for_machine(path, machine or open_machine(None)).disk
        return None
    return data["disk"] if isinstance(data.get("disk"), str) else None


def network_for_download(url: str) -> None:
    """The live system has no network of its own: DHCP on a linked NIC from which the
    answers server can be reached."""
    from .. import livenet
    from ..hardware import open_machine

    try:
        livenet.bring_up(open_machine(None), say, reach=livenet.server_of(url))
    except Exception as error:  # the download reports the consequence; say the cause too
        say(f"network: could not be brought up: {error}")


def installer() -> list[str]:
    return [sys.executable, "-m", "cos_installer.cli"]


def install_command(answers: str, medium: str) -> list[str]:
    """No --target: `install` takes the disk from the answers, for a fleet file from this
    machine's entry (a --target from the file's defaults would override the entry's disk)."""
    image = os.path.join(medium, PAYLOAD)
    return installer() + ["install", "--answers", answers, "--image", image, "--yes"]


def unattended(answers: str, medium: str, after: str) -> int:
    disk = answers_disk(answers)
    command = install_command(answers, medium)
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
    prepare_terminal(args.console)
    try:
        options = boot.read_cmdline(args.cmdline)
        option_error = ""
    except boot.BootOptionError as error:
        options, option_error = boot.BootOptions(), str(error)
    if args.console != options.primary_console:
        time.sleep(3)  # the primary console (the kernel's /dev/console) starts first
    lock = take_lock(args.lock, args.console)
    child: subprocess.Popen | None = None

    def stop(signum: int, frame: object) -> None:
        if child and child.poll() is None:
            child.terminate()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    say(f"COS-INSTALLER-START on {args.console}")
    wizard = installer()
    if option_error:
        say(f"cos-installer: kernel command line: {option_error}")
        say("Press Enter for the wizard.")
        wait_key(600)
    elif options.answers:
        workdir = tempfile.mkdtemp(prefix="cos-boot-")
        try:
            if options.answers.startswith(("http://", "https://")):
                network_for_download(options.answers)
            answers = boot.fetch_answers(options.answers, workdir, medium_dir=args.medium, log=say)
        except (boot.SourceError, OSError) as error:
            say(f"cos-installer: {error}")
            answers = None
        if answers and options.autoinstall:
            disk = answers_disk(answers) or "the disk named in the answers"
            if countdown(args.countdown, disk):
                code = unattended(answers, args.medium, options.after)
                if code == 0 and options.after != "wizard":
                    return 0
                say("Press Enter for the wizard.")
                wait_key(3600)
        if answers:
            wizard += ["--answers", answers]
    child = subprocess.Popen(wizard)
    code = child.wait()
    os.close(lock)
    return after_wizard(code)


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
