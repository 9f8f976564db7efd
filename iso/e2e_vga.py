"""e2e (v): the wizard on the VGA console, read by OCR, with no key pressed anywhere.

The ISO boots through its GRUB menu (BIOS) with QEMU's standard VGA and a serial line on which
nothing is typed. QMP `screendump` takes the screen; tesseract (Debian's tesseract-ocr with
chi_sim) must read the Welcome on it. Then, on the VGA keyboard only (QMP send-key), 中文 is
chosen and Enter pressed: the next screen's Chinese title must be on the screen, and the serial
line, which had the wizard too, now says the installer runs on tty1. The screenshots (PPM as
QEMU writes them, PNG beside them) stay in the work directory.
"""

from __future__ import annotations

import re
import struct
import subprocess
import time
import zlib
from pathlib import Path

import vm

WELCOME = "Welcome to the COS installer"
ZH_WELCOME = "欢迎使用"  # 欢迎使用 COS 安装引导程序
ZH_ROLE = "角色"  # the Role screen: title 角色, question 这台机器在COS集群中的角色


def read_ppm(path: Path) -> tuple[int, int, bytes]:
    """QEMU's screendump: binary PPM (P6, maxval 255)."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path}: not a P6 PPM with maxval 255")
    width, height = int(fields[1]), int(fields[2])
    return width, height, fields[4][: width * height * 3]


def write_png(path: Path, width: int, height: int, rgb: bytes) -> None:
    """An RGB PNG with the standard library only (no imaging package needed)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))  # fmt: skip


def binarize(rgb: bytes) -> bytes:
    """Dark text on white, one byte a pixel: the wizard draws light text on black and a white
    title on blue; a pixel is text when its red or green is bright (blue alone is not).
    tesseract reads this far better than the colours."""
    bright = bytes(0 if i > 120 else 255 for i in range(256))
    red, green = rgb[0::3].translate(bright), rgb[1::3].translate(bright)
    size = len(red)
    both = int.from_bytes(red, "big") & int.from_bytes(green, "big")  # black where either is
    return both.to_bytes(size, "big")


def screenshot(guest: vm.VM, workdir: Path, name: str) -> Path:
    """The VGA screen now: NAME.ppm (QMP screendump) and NAME.png in the work directory."""
    ppm = workdir / f"{name}.ppm"
    guest.qmp_command("screendump", filename=str(ppm))
    width, height, rgb = read_ppm(ppm)
    write_png(workdir / f"{name}.png", width, height, rgb)
    return ppm


def ocr(ppm: Path, lang: str = "eng") -> str:
    width, height, rgb = read_ppm(ppm)
    pgm = ppm.with_suffix(".ocr.pgm")
    pgm.write_bytes(b"P5 %d %d 255\n" % (width, height) + binarize(rgb))
    done = subprocess.run(["tesseract", str(pgm), "stdout", "-l", lang], capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    pgm.unlink()
    (ppm.with_suffix(f".{lang}.txt")).write_text(done.stdout)
    return done.stdout


def squeeze(text: str) -> str:
    """OCR text without white space: CJK comes out with spaces between the glyphs."""
    return re.sub(r"\s+", "", text)


def wait_screen(guest: vm.VM, workdir: Path, name: str, want: str, lang: str,
                seconds: float) -> tuple[bool, str]:  # fmt: skip
    """Screenshots every few seconds until OCR reads `want` (spaces ignored) or time is up."""
    deadline, text = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        text = ocr(screenshot(guest, workdir, name), lang)
        if squeeze(want) in squeeze(text):
            return True, text
        guest._pump(3.0)  # keep draining the serial log meanwhile
    return False, text


def send_keys(guest: vm.VM, *keys: str) -> None:
    """Keys on the VGA console's keyboard (QEMU qcodes: down, spc, ret)."""
    for key in keys:
        guest.qmp_command("send-key", keys=[{"type": "qcode", "data": key}])
        time.sleep(0.5)


def run(workdir: Path, iso: str, accel: str) -> list[str]:
    problems: list[str] = []

    def want(ok: bool, what: str, seen: str = "") -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            problems.append(what)
            if seen:
                print("       OCR read: " + " ".join(seen.split())[:400], flush=True)

    guest = vm.VM("e2e-v-vga", str(workdir))
    guest.args += ["-vga", "std"]
    guest.cdrom(iso, bootindex=1)
    guest.nic(link=True)
    guest.start(accel)
    try:
        guest.expect(r"Booting .Install COS", 120)
        guest.expect(r"Found \d+ network card", 400)  # the wizard is up (on serial too)
        ok, seen = wait_screen(guest, workdir, "vga-welcome", WELCOME, "eng", 60)
        want(ok, "VGA shows the wizard's Welcome with no key pressed", seen)
        send_keys(guest, "down", "spc")  # Language: 中文, switched at once
        ok, seen = wait_screen(guest, workdir, "vga-zh-welcome", ZH_WELCOME, "chi_sim", 40)
        want(ok, f"after choosing 中文 on VGA, the Welcome reads {ZH_WELCOME}", seen)
        send_keys(guest, "ret")
        ok, seen = wait_screen(guest, workdir, "vga-zh-role", ZH_ROLE, "chi_sim", 40)
        want(ok, f"the next screen's Chinese title {ZH_ROLE} is on VGA", seen)
        try:
            guest.expect(r"The COS installer is running on tty1", 30)
            want(True, "the serial line now offers the take-over from tty1")
        except TimeoutError:
            want(False, "the serial line now offers the take-over from tty1")
    except (TimeoutError, RuntimeError) as error:
        want(False, f"VGA console: {error}")
    finally:
        guest.stop()
    return problems
