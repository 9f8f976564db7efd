"""`make qemu-demo`: the key its banner and iso/README.md give (Ctrl+A then x) quits QEMU.

The demo's own VM (iso/vm.py demo_vm, started by VM.start as the demo starts it: QMP, the
second NIC's link down, cont) runs under TCG in a real pty; its CD is an empty file, since
only QEMU's terminal escape matters, not what the guest boots."""

from __future__ import annotations

import importlib.util
import os
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.realparts import need_tools

ISO = Path(__file__).resolve().parents[2] / "iso"
GUARD = 60  # seconds: a failure guard for a QEMU that never quits, not a timing assertion


def load_vm():
    spec = importlib.util.spec_from_file_location("vm", ISO / "vm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_keeps_qmp_and_puts_the_monitor_on_the_terminal(tmp_path):
    need_tools("qemu-img")
    vm = load_vm()
    argv = vm.demo_vm(str(tmp_path / "none.iso"), str(tmp_path)).command("tcg", serial_stdio=True)
    assert argv[argv.index("-serial") + 1] == "mon:stdio"
    assert "-qmp" in argv
    assert vm.DEMO_QUIT == "Ctrl+A then x"


def read_until_exit(master: int, proc: subprocess.Popen) -> bytes:
    out, deadline = b"", time.monotonic() + GUARD
    while proc.poll() is None and time.monotonic() < deadline:
        if select.select([master], [], [], 0.5)[0]:
            try:
                out += os.read(master, 4096)
            except OSError:  # EIO: every writer of the pty has gone
                break
    return out


def test_ctrl_a_x_quits_the_demo_vm(tmp_path):
    need_tools("qemu-system-x86_64", "qemu-img")
    iso = tmp_path / "empty.iso"
    iso.write_bytes(b"")
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import vm; "
              "guest = vm.demo_vm(sys.argv[2], sys.argv[3]); "
              "guest.start('tcg', serial_stdio=True); sys.exit(guest.proc.wait())")  # fmt: skip
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(ISO), str(iso), str(tmp_path / "demo")],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    try:
        deadline = time.monotonic() + GUARD
        # QEMU's stdio character device puts the terminal in raw mode once it is set up
        while termios.tcgetattr(master)[3] & termios.ICANON:
            assert proc.poll() is None, f"the demo VM exited early with {proc.returncode}"
            assert time.monotonic() < deadline, "QEMU never took over the terminal"
            if select.select([master], [], [], 0.2)[0]:
                os.read(master, 4096)
        os.write(master, b"\x01x")  # Ctrl+A, then x
        out = read_until_exit(master, proc)
        try:
            code = proc.wait(timeout=GUARD)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"QEMU still runs after Ctrl+A x; it printed {out!r}") from None
        assert code == 0
        assert b"QEMU: Terminated" in out
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        os.close(master)
