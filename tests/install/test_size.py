"""The decompressed size is known before the first write, for every payload format: "big
enough" is checked before the disk is touched (a write that met the end of the disk had already
wiped it), and a payload whose size cannot be established is refused up front."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from cos_installer.install.payload import PayloadError, inspect_payload
from cos_installer.install.stream import copy_payload
from tests.install.conftest import make_old_table
from tests.install.test_faults import assert_reported, cli_install
from tests.install.test_stream import Recorder, sample_bytes
from tests.payloadkit import build_raw, write_sha256
from tests.realparts import need_tools

PROGRAMS = {"gzip": ["gzip", "-1"], "xz": ["xz", "-0", "-T2"], "bzip2": ["bzip2", "-1"]}


@pytest.fixture(scope="module")
def raw_image(real_parts, tmp_path_factory) -> str:
    """A 64 MiB disk image with a real GPT (sfdisk) and an ext4 ROOT."""
    need_tools("gzip", "xz", "bzip2", "zstd")
    path = str(tmp_path_factory.mktemp("raw") / "cos-image.raw")
    build_raw(path, 64)
    return path


def compress(raw: str, out_dir, kind: str) -> str:
    """The payload as its makers would write it: a program reading a pipe (no size known to
    it), python-zstandard without a content size, or two zstd frames of which only the first
    states a size (the first frame alone is half the image)."""
    out_dir.mkdir(exist_ok=True)
    data = open(raw, "rb").read()  # noqa: SIM115 - 64 MiB, read once
    if kind in PROGRAMS:
        path = str(out_dir / f"cos-image.raw.{kind}")
        blob = subprocess.run(PROGRAMS[kind] + ["-c"], input=data, capture_output=True).stdout
    else:
        import zstandard

        path = str(out_dir / f"cos-image.raw.{kind}.zst")
        if kind == "zstd-no-size":
            blob = zstandard.ZstdCompressor(write_content_size=False).compress(data)
        else:
            half = len(data) // 2
            blob = zstandard.ZstdCompressor().compress(data[:half])
            blob += zstandard.ZstdCompressor(write_content_size=False).compress(data[half:])
    with open(path, "wb") as f:
        f.write(blob)
    write_sha256(path)
    return path


def digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@pytest.mark.parametrize("kind", ["gzip", "xz", "bzip2", "zstd-no-size", "zstd-two-frames"])
def test_an_image_bigger_than_the_disk_is_refused_before_any_write(
    raw_image, loops, tmp_path, kind
):
    payload = compress(raw_image, tmp_path / "payload", kind)
    disk = loops.device(48)
    make_old_table(disk, 1, size_mib=8)
    before = digest(disk)
    rc, err, log = cli_install(tmp_path, disk, payload)
    assert rc == 1
    assert_reported(err, log, "preflight", disk, "too small (ENOSPC)", "needs 64.0 MiB")
    assert "no disk was changed" in err
    assert digest(disk) == before


def test_each_source_of_the_size(raw_image, tmp_path):
    """Frame headers, the xz index, a .size file, the GPT in the first MiB, a first pass."""
    image = os.path.getsize(raw_image)
    found = {}
    for kind in ("gzip", "bzip2", "zstd-no-size"):
        found[kind] = inspect_payload(compress(raw_image, tmp_path / kind, kind))
    plain = tmp_path / "plain.raw"  # no GPT: nothing in the first MiB says the size
    plain.write_bytes(sample_bytes(3 << 20))
    for kind in ("xz", "bzip2"):
        found[f"plain {kind}"] = inspect_payload(compress(str(plain), tmp_path / kind, kind))
    sized = compress(str(plain), tmp_path / "sized", "bzip2")
    with open(sized + ".size", "w") as f:
        f.write(f"{3 << 20}\n")
    found["size file"] = inspect_payload(sized)
    sources = {name: (p.content_size, p.size_source) for name, p in found.items()}
    gpt = "the GPT in its first MiB"
    assert sources == {
        "gzip": (image, gpt),
        "bzip2": (image, gpt),
        "zstd-no-size": (image, gpt),
        "plain xz": (3 << 20, "its xz index"),
        "plain bzip2": (3 << 20, "a first pass (decompressed to count it)"),
        "size file": (3 << 20, "cos-image.raw.bzip2.size"),
    }


def test_a_payload_whose_size_cannot_be_established_is_refused_up_front(loops, tmp_path):
    """A truncated bzip2 image without a GPT or a .size file: the first pass fails, so the
    disk is never touched (it was wiped before, and the write failed)."""
    plain = tmp_path / "plain.raw"
    plain.write_bytes(sample_bytes(3 << 20))
    payload = compress(str(plain), tmp_path / "p", "bzip2")
    os.truncate(payload, os.path.getsize(payload) // 2)
    write_sha256(payload)
    disk = loops.device(32)
    make_old_table(disk, 1, size_mib=8)
    before = digest(disk)
    rc, err, log = cli_install(tmp_path, disk, payload)
    assert rc == 1
    assert_reported(
        err, log, "preflight", disk, "the decompressed size of cos-image.raw.bzip2 cannot be "
        "established: decompressing it to count failed", "cos-image.raw.bzip2.size",
    )  # fmt: skip
    assert "no disk was changed" in err and digest(disk) == before


def test_a_bad_or_contradicting_size_file_is_refused(tmp_path):
    plain = tmp_path / "plain.raw"
    plain.write_bytes(sample_bytes(1 << 20))
    payload = compress(str(plain), tmp_path / "p", "xz")
    with open(payload + ".size", "wb") as f:
        f.write(b"12 MiB\x1b[2J")
    with pytest.raises(PayloadError, match=r"holds '12 MiB\\\\x1b\[2J', expected the image"):
        inspect_payload(payload)
    with open(payload + ".size", "w") as f:
        f.write("1000\n")
    with pytest.raises(PayloadError, match="says 1000 bytes, but its xz index say 1048576"):
        inspect_payload(payload)


def test_an_image_larger_than_its_size_file_says_stops_before_the_excess(tmp_path):
    plain = tmp_path / "plain.raw"
    plain.write_bytes(sample_bytes(6 << 20))
    payload = compress(str(plain), tmp_path / "p", "gzip")
    with open(payload + ".size", "w") as f:
        f.write(f"{5 << 20}\n")
    sink = Recorder(tmp_path / "out")
    with pytest.raises(PayloadError, match=r"larger than cos-image.raw.gzip.size says"):
        copy_payload(inspect_payload(payload), sink, capacity=64 << 20)
    assert 0 not in sink.offsets and os.path.getsize(tmp_path / "out") <= 5 << 20
