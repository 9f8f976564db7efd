"""`install`'s own listener on the install events: one plain line per stage and about every
tenth of the write on the terminal, or one JSON object per event with --json."""

from __future__ import annotations

import json
import sys
import time

from cos_installer.hardware.types import human_size
from cos_installer.support.events import Event


class Printer:
    """Progress lines on stderr: stage, percent, MB/s, ETA (a line per 10% off a terminal)."""

    def __init__(self, stream=None, as_json: bool = False) -> None:
        self.stream, self.as_json = stream or sys.stderr, as_json  # sys.stderr at call time
        self.tty = self.stream.isatty()
        self.last = (-1, 0.0)
        self.device = ""

    def __call__(self, event: Event) -> None:
        if self.as_json:
            print(json.dumps(event.to_json_dict()), flush=True)
        if event.kind == "progress":
            self._progress(event)
        elif event.kind == "stage-start":
            device = event.data.get("device", "")
            where = f" on {device}" if device and device != self.device else ""
            self.device = device or self.device
            self._line(f"[{event.stage}] {event.message}{where}")
        elif event.kind == "message":
            self._line(f"[{event.stage}] {event.message}")
        elif event.kind == "error":  # the guide's own "ERROR on Installing ..." needs no prefix
            prefix = "" if event.message.startswith("ERROR") else "error: "
            self._line(prefix + event.message)
        elif event.kind == "finished":
            self._line(event.message)

    def _line(self, text: str) -> None:
        end = "\n"
        if self.tty and self.last[0] >= 0:
            self.stream.write("\n")
        self.last = (-1, 0.0)
        self.stream.write(text + end)
        self.stream.flush()

    def _progress(self, e: Event) -> None:
        pct = int(100 * e.done / e.total) if e.total else 0
        now = time.monotonic()
        step = pct // 10 if not self.tty else pct
        if step == self.last[0] and now - self.last[1] < 5 and e.done != e.total:
            return
        self.last = (step, now)
        eta = f"ETA {int(e.eta) // 60}:{int(e.eta) % 60:02d}" if e.eta is not None else "ETA ?"
        approx = "~" if e.data.get("estimated") else ""
        text = (
            f"[write] {approx}{pct:3d}%  {human_size(e.done)} of {approx}{human_size(e.total)}  "
            f"{e.rate / 1e6:.1f} MB/s  {eta}"
        )
        self.stream.write(("\r" + text) if self.tty else text + "\n")
        self.stream.flush()


def print_next_steps(config) -> None:
    """After the success line: the guide's steps that follow an install of this role (the Done
    screen's list, with every command), so an unattended install does not end at a node that
    waits, or a docker that cannot start, without saying why."""
    from cos_installer.render.nextsteps import plain_text, steps_of

    sys.stderr.write(plain_text(steps_of(config, every_command=True)))
    sys.stderr.flush()


def print_network(config, as_json: bool) -> None:
    """The network stack in one line, as the wizard's Summary and Done screen show it."""
    if not as_json:
        print(f"network: {config.network.stack_text}", file=sys.stderr)


def warnings(config, machine=None) -> list[str]:
    """What the Summary warns of (answers/risks.py, the chosen NICs' links when the machine
    is known), as `warning:` lines, and a `note:` when the chosen NICs can only be matched by
    name on the installed system."""
    from cos_installer.answers.risks import risks

    members = list(config.network.interfaces)  # the wizard's Summary asks the same way
    linked = None if machine is None else machine.link_states(members)
    lines = [f"warning: {text}" for text in risks(config, linked)]
    by_name = [n for n in config.network.interfaces if n not in config.network.macs]
    if by_name:
        lines.append(
            f"note: network.interface {', '.join(by_name)}: matched by name on the installed "
            "system (no MAC known: this machine's NICs were not probed); an OS that names the "
            "NIC otherwise leaves it unconfigured. On the machine itself give --machine local, "
            "or pin network.mac"
        )
    return lines


def print_warnings(config, machine=None) -> None:
    """warnings() on stderr, one line each."""
    for line in warnings(config, machine):
        print(line, file=sys.stderr)
