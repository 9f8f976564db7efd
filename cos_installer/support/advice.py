"""What a failure means for the operator: one sentence of what failed, the cause, what to try.

A failure in a stage that changes the disk opens with the guide's install-failure line (FAQ
5.3: `ERROR on Installing COS To Device /dev/xxx`), here and in the pipeline's own sentence
(install.stages.StageError.sentence), so the operator finds it in the guide; preflight (the disk is
refused before anything is touched) and a cancel keep their plain wording. The advice follows
the guide's FAQ where it applies (5.3: a partition table that cannot be re-read on older
servers -> reboot and install again; 5.2: `CDROM Device Not Ready` -> the USB stick's label
must be CDROM, or use a CD) and ends, like the FAQ's 5.1, with the diagnostics bundle to send.
The pipeline's cause and hint are shown as they are (English); the sentences around them are
translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cos_installer.i18n import N_, _

STAGES = {
    "preflight": N_("checking the disk, the OS image and the configuration"),
    "wipe": N_("erasing old signatures"),
    "write": N_("writing the OS image"),
    "reread": N_("re-reading the partition table"),
    "config": N_("writing the cloud-config"),
    "data-disk": N_("preparing the Docker data disk"),
    "finish": N_("finishing"),
    "probe": N_("probing the hardware"),
    "media": N_("looking for the install medium"),
}
# the stages that write to the disk (preflight refuses one before any write)
DISK_STAGES = ("wipe", "write", "reread", "config", "data-disk", "finish")  # finish: the table
CANCELLED = "cancelled by the user"  # how the pipeline's causes of a cancel begin
BUNDLE = N_(
    "Write the diagnostics bundle (key s) and send it with a description of the problem to support."
)

# what the pipeline's failure sentence ends with (install._reset), as a sentence of its own
DISK_STATES = [
    ("no disk was changed", N_("No disk was changed.")),
    (
        "partition table was reset",
        N_("The partition table was reset: nothing half-written is left."),
    ),
    ("could not be reset", N_("The partition table could not be reset: the disk will not boot.")),
    ("left as it is", N_("The disk was left as it is (--keep-on-error): it will not boot.")),
]

# (pattern on "stage: cause hint", advice lines) -- first match wins
RULES: list[tuple[str, list[str]]] = [
    # first: a cancel before the re-read is the operator's, not the old server's
    (CANCELLED, [N_("The install was cancelled: press Ctrl+D to start the wizard again.")]),
    (
        r"^reread:|re-read|old partition table|rereadpt",
        [
            N_(
                "Seen on older servers: the new partition table cannot be re-read while the "
                "system runs (blockdev --rereadpt)."
            ),  # fmt: skip
            N_(
                "Reboot the server so the partition table takes effect, then start the "
                "install again."
            ),  # fmt: skip
        ],
    ),
    (
        r"cdrom|^media:",
        [
            N_("A USB stick must have the volume label CDROM (exactly, upper case)."),
            N_("If it still fails, burn the ISO to a CD and boot from the CD drive."),
        ],
    ),
    (
        r"storage behind .* is full",
        [
            N_(
                "The disk is thin provisioned and the storage behind it is full: free space "
                "there (or grow it), then install again. A bigger disk will not help."
            ),  # fmt: skip
        ],
    ),
    (
        r"too small|enospc",
        [N_("Choose a bigger disk: press Ctrl+D to start again and choose another disk.")],
    ),
    (
        r"renamed|not the disk chosen",
        [N_("The disks were renamed: press Ctrl+D and choose the disk again.")],
    ),
    (
        r"in use|ebusy|held by|mounted",
        [
            N_(
                "Something still uses the disk: stop it (unmount, swapoff, stop RAID/LVM) "
                "from the shell (key !), or reboot, then install again."
            ),  # fmt: skip
        ],
    ),
    (
        r"sha256|checksum|truncated|damaged|download the image|changed while",
        [N_("The install medium is damaged: burn the ISO again or use another medium.")],
    ),
    (
        r"i/o error|input/output|eio",
        [
            N_(
                "The disk reported an I/O error: check the disk and its cable, see the kernel "
                "log (dmesg), or choose another disk."
            ),  # fmt: skip
        ],
    ),
    (
        r"is gone|no such device|enodev|enxio|detached",
        [N_("The disk disappeared during the install: check its connection, reboot and retry.")],
    ),
    (r"read-only", [N_("The disk is read-only: choose a writable disk.")]),
    (r"internal error", [N_("This is a bug in the installer.")]),
]


@dataclass
class Failure:
    """A failure explained: `what` (one sentence), `cause`, `advice` (sentences to try)."""

    what: str
    cause: str
    advice: list[str] = field(default_factory=list)
    stage: str = ""
    device: str = ""
    hint: str = ""
    details: list[str] = field(default_factory=list)  # what the pipeline reported, as said
    disk_state: str = ""  # what the failure left on the disk, when the pipeline said


def on_the_disk(stage: str, cause: str) -> bool:
    """Whether a failure gets the guide's line: it happened in a stage that changes the disk
    and was no cancel (preflight refuses a disk it has not touched; a cancel is no error)."""
    return stage in DISK_STAGES and not cause.startswith(CANCELLED)


def explain(stage: str, device: str, cause: str, hint: str = "") -> Failure:
    """The failure of `stage` on `device`, with the guide's advice where one applies."""
    if on_the_disk(stage, cause):
        # the guide's own error line (FAQ 5.3), as install.stages.StageError.sentence opens it
        what = _("ERROR on Installing COS To Device {device}: stage {stage} failed ({step}).")
        what = what.format(device=device or "?", stage=stage, step=_(STAGES[stage]))
    elif stage == "media":
        what = _("CDROM Device Not Ready")
    else:
        step = _(STAGES.get(stage, stage or "install"))
        where = _(" on {device}").format(device=device) if device else ""
        what = _("The install failed while {step}{where}.").format(step=step, where=where)
    key = f"{stage}: {cause} {hint}".lower()
    advice: list[str] = []
    for pattern, lines in RULES:
        if re.search(pattern, key):
            advice = [_(line) for line in lines]
            break
    if hint and hint not in " ".join(advice):
        advice.append(hint[:1].upper() + hint[1:] + ("" if hint.endswith(".") else "."))
    advice.append(_(BUNDLE))
    return Failure(what, cause or _("unknown"), advice, stage, device, hint)


def from_result(result: Any, device: str = "", reported: list[str] | None = None) -> Failure:
    """From the pipeline's InstallResult, or an exception the install worker raised.
    `device`: the disk chosen, when the result names none; `reported`: the error events'
    messages, kept as details when they say more than the cause."""
    if isinstance(result, BaseException):
        failure = explain("", device, _("internal error: {error}").format(error=repr(result)))
    else:
        failure = explain(
            getattr(result, "stage", ""),
            getattr(result, "device", "") or device,
            getattr(result, "cause", "") or getattr(result, "message", ""),
            getattr(result, "hint", ""),
        )
        message = getattr(result, "message", "")
        reported = [*(reported or []), message] if message else list(reported or [])
        failure.disk_state = next((_(s) for key, s in DISK_STATES if key in message), "")
    # a report that repeats the cause adds nothing; one that does not is shown as said
    failure.details = [m for m in dict.fromkeys(reported or []) if m and failure.cause not in m]
    return failure
