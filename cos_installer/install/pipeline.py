"""The install pipeline: preflight, wipe, write, re-read, config, data disk, finish.

Each stage emits events (stage start/end, progress, error, finished) for the TUI, the plain
text output and the log. Expected failures never raise: `run_install` returns an
InstallResult naming the stage, the device, the cause and the next step, after resetting the
partition table of every disk it touched (unless keep_on_error), so no half-valid disk is
left behind. The wizard calls it from a worker thread and sets `cancel` for Ctrl+C.
"""

from __future__ import annotations

import threading

from cos_installer.answers.document import dump_yaml
from cos_installer.answers.effective import redacted_answers
from cos_installer.answers.model import DATA_LABEL, USER_DATA_PATH, InstallConfig
from cos_installer.hardware.holders import holder_clear_text
from cos_installer.install import blockdev
from cos_installer.install.backends import open_data_disk
from cos_installer.install.backends.base import Backend, BackendError, FileSpec
from cos_installer.install.preflight import (
    CheckError,
    check_target,
    describe_target,
    find_payload,
    render,
)
from cos_installer.install.stages import (
    TITLES,  # noqa: E402,F401
    InstallResult,
    Run,
    StageError,
)
from cos_installer.support.events import Event, Listener

ANSWERS_COPY = "/var/log/cos-installer/answers.yaml"
LOG_COPY = "/var/log/cos-installer/install.log"
ROOT_NAME = "ROOT"


def _config_files(config: InstallConfig, user_data: str, run: Run) -> list[FileSpec]:
    files = [FileSpec(USER_DATA_PATH, user_data.encode(), 0o600, 0o700, "the cloud-config")]
    answers = dump_yaml(redacted_answers(config))
    files.append(FileSpec(ANSWERS_COPY, answers.encode(), 0o600, 0o700, "redacted answers"))
    if run.log is not None:
        files.append(FileSpec(LOG_COPY, run.log.redacted_copy(), 0o600, 0o700, "install log"))
    return files


def run_install(
    config: InstallConfig,
    *,
    backend: Backend,
    payload: str | None,
    listener: Listener,
    cancel: threading.Event | None = None,
    machine: object | None = None,
    log_path: str | None = None,
    keep_on_error: bool = False,
    clear_holders: bool = False,
    chosen: object | None = None,
    chosen_data: object | None = None,
) -> InstallResult:
    """Install COS on the backend's disk. Never raises for expected failures.

    chosen, chosen_data: the Disks the operator confirmed (the wizard's probe); the disks
    written must still have their size, serial and by-id name."""
    run = Run(listener, log_path, cancel)
    run.backends.append(backend)
    user_data, root, data = "", "", None
    try:
        with run.stage("preflight", backend):
            user_data, info, data = _preflight(
                run, config, backend, payload, machine, log_path, clear_holders, chosen,
                chosen_data,
            )  # fmt: skip
        with run.stage("wipe", backend, writes=True):
            backend.wipe()
        with run.stage("write", backend):
            backend.write_image(info, cancel=cancel, on_progress=run.progress)
        with run.stage("reread", backend):
            reread = backend.reread()
            root = _find_root(backend, reread)
        with run.stage("config", backend):
            backend.write_files(root, _config_files(config, user_data, run))
        if data is not None:
            with run.stage("data-disk", data, writes=True):
                node = data.make_data_disk(DATA_LABEL)
                run.bus.emit(Event("message", "data-disk", f"{node} is XFS labelled {DATA_LABEL}"))
        with run.stage("finish", backend):
            backend.commit()  # the partition table, last: before, a stopped install left none
        return _finished(run, backend, root, user_data)
    except StageError as exc:
        return _failed(run, exc, keep_on_error, user_data)
    finally:
        run.flush_backend_logs()
        for other in run.backends[1:]:  # the data disk (the caller closes the OS disk's)
            other.close()
        if run.log:
            run.log.close()


def _preflight(
    run: Run,
    config: InstallConfig,
    backend: Backend,
    payload: str | None,
    machine: object | None,
    log_path: str | None,
    clear_holders: bool,
    chosen: object | None,
    chosen_data: object | None,
) -> tuple[str, object, Backend | None]:
    """Every check before the first write, on both disks; then (--clear-holders) the RAID/LVM
    stopped. Returns the rendered config, the payload and the data disk's backend."""
    data = None
    if run.log_error is not None:
        raise CheckError(
            "",
            f"cannot write the install log {log_path}: {run.log_error.strerror}",
            "pass --log FILE in a writable directory, or run the installer as root",
        )
    user_data = render(config)
    info = find_payload(payload, machine, backend.dry_run)
    warn = lambda m: run.bus.emit(Event("message", "preflight", m))  # noqa: E731
    facts = check_target(
        backend, config, info, machine, warn=warn, allow_holders=clear_holders,
        chosen=chosen,
    )  # fmt: skip
    line = describe_target(backend, facts, machine)
    if backend.dry_run:
        backend.plan.insert(0, line)
    run.bus.emit(Event("message", "preflight", line))
    if config.data_disk:
        data = open_data_disk(config.data_disk, backend, run.backends.append)
        check_target(
            data, config, None, machine, role="data disk", warn=warn,
            media_files=(info.path, info.sha256_file) if info else (),
            allow_holders=clear_holders, chosen=chosen_data,
        )  # fmt: skip
    if clear_holders:  # only now: every check of both disks has passed
        for b in (backend, data):
            held = list(b.facts().holders) if b is not None else []
            if held:
                cmds = holder_clear_text(held)
                run.bus.emit(Event("message", "preflight", f"clearing {b.device}: {cmds}"))
                b.clear_holders(held)
            elif b is not None and b.dry_run and machine is not None:
                _plan_profile_holders(b, machine)
    return user_data, info, data


def _finished(run: Run, backend: Backend, root: str, user_data: str) -> InstallResult:
    """The last event and the result of an install that went through."""
    message = f"COS installed on {backend.describe()}; ROOT is {root}."
    if backend.dry_run:
        message = f"Dry run: nothing was written; {len(_plan(run))} steps planned."
    done = {"device": backend.device, "root": root}
    if backend.dry_run:
        done["plan"] = _plan(run)
    run.bus.emit(Event("finished", "finish", message, data=done))
    return InstallResult(
        True, "finished", message, user_data, _plan(run), backend.device, root=root
    )


def _failed(run: Run, exc: StageError, keep_on_error: bool, user_data: str) -> InstallResult:
    """The error event and the result of a stage that failed, after the disk was reset."""
    reset = _reset(run, keep_on_error)
    message = exc.sentence(reset)
    run.bus.emit(
        Event(
            "error",
            exc.stage,
            message,
            data={"device": exc.device, "cause": exc.cause, "hint": exc.hint},
        )
    )
    return InstallResult(
        False, exc.stage, message, user_data, _plan(run), exc.device, exc.cause, exc.hint
    )


def _plan(run: Run) -> list[str]:
    return [line for b in run.backends for line in b.plan]


def _find_root(backend: Backend, reread: object) -> str:
    if backend.dry_run:
        return f"the {ROOT_NAME} partition of {backend.device}"
    for part in reread.table:
        if part.name == ROOT_NAME:
            return reread.nodes[part.number]
    for _number, node in sorted(reread.nodes.items()):
        proc = blockdev.run(["blkid", "-p", "-o", "value", "-s", "LABEL", node], check=False)
        if proc.stdout.strip() == ROOT_NAME:
            return node
    raise BackendError(
        f"the image on {backend.device} has no partition named or labelled {ROOT_NAME}",
        "use a COS image",
    )


def _plan_profile_holders(backend: Backend, machine: object) -> None:
    """A dry run on a machine profile: the profile names its holders but not their stacks, so
    the plan says what would be stopped and that the commands are chosen at install time."""
    disk = machine.disk(backend.device) if hasattr(machine, "disk") else None
    if disk is not None and disk.holders:
        backend.plan.append(
            f"stop what holds {backend.device}: {'; '.join(disk.holders)} "
            "(the commands are chosen from the live stack at install time)"
        )


def _reset(run: Run, keep_on_error: bool) -> str:
    """Reset every disk touched; returns the clause the failure message ends with."""
    touched = [b for b in run.touched if getattr(b, "changed", True)]  # a byte was erased
    if not touched:
        stopped = [cmd for b in run.backends if b is not None for cmd in getattr(b, "cleared", [])]
        if stopped:
            return f"; no partition table was touched, but these already ran: {'; '.join(stopped)}"
        return "; no disk was changed"
    if touched[0].dry_run:
        return ""
    if keep_on_error:
        return "; the disk was left as it is (--keep-on-error)"
    failed = []
    for b in touched:
        try:
            b.reset()
        except Exception as exc:  # the device may be gone; say so
            failed.append(f"{b.describe()}: {exc}")
            run.note(f"reset of {b.describe()} failed: {exc}")
    run.flush_backend_logs()
    if failed:
        return f"; the partition table could not be reset ({'; '.join(failed)})"
    return "; the partition table was reset"
