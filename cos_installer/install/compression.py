"""The compressions an OS image may come in: how each is recognised and which program
decompresses it (the zstd module is used instead when it is installed, see `decode`)."""

from __future__ import annotations

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
XZ_MAGIC = b"\xfd7zXZ\x00"
MAGICS = (
    (ZSTD_MAGIC, "zstd"),
    (XZ_MAGIC, "xz"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
)

DECODERS = {
    "zstd": ["zstd", "-dcq"],
    "xz": ["xz", "-dcq"],
    "gzip": ["gzip", "-dc"],
    "bzip2": ["bzip2", "-dc"],
}


def detect_compression(head: bytes) -> str:
    return next((kind for magic, kind in MAGICS if head.startswith(magic)), "raw")
