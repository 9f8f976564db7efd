"""The e2e VGA phase's image helpers (iso/e2e_vga.py): QEMU's PPM in, PNG out, text for OCR."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "iso"))
import e2e_vga  # noqa: E402

RGB = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9])  # 2x2: red green / blue grey


def test_ppm_to_png_keeps_every_pixel(tmp_path: Path) -> None:
    ppm = tmp_path / "s.ppm"
    ppm.write_bytes(b"P6\n2 2\n255\n" + RGB)
    width, height, rgb = e2e_vga.read_ppm(ppm)
    assert (width, height, rgb) == (2, 2, RGB)
    e2e_vga.write_png(tmp_path / "s.png", width, height, rgb)
    data = (tmp_path / "s.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", data[16:24]) == (2, 2)
    idat = data.index(b"IDAT")
    size = struct.unpack(">I", data[idat - 4 : idat])[0]
    raw = zlib.decompress(data[idat + 4 : idat + 4 + size])
    assert raw == b"\x00" + RGB[:6] + b"\x00" + RGB[6:]


def test_binarize_makes_text_black_on_white() -> None:
    # light grey text, black background, white title on blue, the blue alone
    rgb = bytes([170, 170, 170, 0, 0, 0, 255, 255, 255, 0, 0, 170])
    assert e2e_vga.binarize(rgb) == bytes([0, 255, 0, 255])


def test_ocr_text_is_compared_without_spaces() -> None:
    assert e2e_vga.squeeze("欢 迎 使 用\n COS") == "欢迎使用COS"
