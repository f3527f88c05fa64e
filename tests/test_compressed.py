"""Compressed zone files (issue 15, part 4): gzip, xz, bzip2 and zstd,
made by the real tools, recognised by their magic bytes and decompressed
as a stream: the report is the plain file's (findings with the same
lines), on one thread (read whole) and on two (the windowed reader); a
corrupt or truncated stream is exit 2 with the format and the reason."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import mutations
import signers
import zoneverify

TOOLS = {"gzip": ["gzip", "-c"], "xz": ["xz", "-c"], "bzip2": ["bzip2", "-c"], "zstd": ["zstd", "-q", "-c"]}


def _compress(tool: str, src, dst) -> None:
    if shutil.which(TOOLS[tool][0]) is None:
        pytest.fail(f"{tool} missing (tests/run.sh installs it)")
    with open(dst, "wb") as out:
        subprocess.run(TOOLS[tool] + [str(src)], stdout=out, check=True)


def _same(r) -> dict:
    d = r.to_dict(columns=True)
    d.pop("timings", None)
    d.pop("files", None)
    d.pop("threads", None)
    for f in d.get("findings", []):
        f.pop("file", None)
    return d


@pytest.mark.parametrize("tool", list(TOOLS))
def test_a_compressed_zone_gives_the_plain_zone_s_report(signed_zone_factory, tmp_path, tool):
    z = signed_zone_factory("bind", 13, True)
    flipped, _ = mutations.flip_signature(z.text, z.origin, z.zsk.tag)
    plain = tmp_path / "zone"
    plain.write_text(flipped)
    packed = tmp_path / "zone.packed"  # the name says nothing: the magic bytes do
    _compress(tool, plain, packed)
    for jobs in (1, 2):
        a = zoneverify.verify_zone(plain, now=signers.NOW, jobs=jobs)
        b = zoneverify.verify_zone(packed, now=signers.NOW, jobs=jobs)
        assert not a.ok and a.findings
        assert _same(a) == _same(b), (tool, jobs)
        assert b.files == [str(packed)]
        assert [f.line for f in a.findings] == [f.line for f in b.findings]


def test_the_name_does_not_decide_and_members_are_joined(signed_zone_factory, tmp_path):
    z = signed_zone_factory("ldns", 13, False)
    plain_named_gz = tmp_path / "zone.gz"
    plain_named_gz.write_text(z.text)
    ref = zoneverify.verify_zone(z.path, now=signers.NOW)
    assert _same(zoneverify.verify_zone(plain_named_gz, now=signers.NOW)) == _same(ref)
    # Two gzip members (cat a.gz b.gz) are one stream, as gzip -d reads them.
    lines = z.text.splitlines(keepends=True)
    half = len(lines) // 2
    (tmp_path / "a").write_text("".join(lines[:half]))
    (tmp_path / "b").write_text("".join(lines[half:]))
    _compress("gzip", tmp_path / "a", tmp_path / "a.gz")
    _compress("gzip", tmp_path / "b", tmp_path / "b.gz")
    joined = tmp_path / "joined"
    joined.write_bytes((tmp_path / "a.gz").read_bytes() + (tmp_path / "b.gz").read_bytes())
    for jobs in (1, 2):
        assert _same(zoneverify.verify_zone(joined, now=signers.NOW, jobs=jobs)) == _same(ref)


@pytest.mark.parametrize("tool", list(TOOLS))
def test_a_corrupt_or_truncated_stream_is_exit_2_with_the_reason(signed_zone_factory, tmp_path, tool):
    z = signed_zone_factory("bind", 8, True)
    packed = tmp_path / "z.packed"
    _compress(tool, z.path, packed)
    data = packed.read_bytes()
    truncated = tmp_path / "truncated"
    truncated.write_bytes(data[: len(data) // 2])
    corrupt = tmp_path / "corrupt"
    mid = len(data) // 2
    corrupt.write_bytes(data[:mid] + bytes([data[mid] ^ 0x5A]) + bytes(b ^ 0xFF for b in data[mid + 1: mid + 64]) + data[mid + 64:])
    for bad in (truncated, corrupt):
        for jobs in ("1", "2"):
            r = subprocess.run([sys.executable, "-m", "zoneverify", "check", str(bad), "--now", "20260601000000",
                                "--jobs", jobs], capture_output=True, text=True)
            assert r.returncode == 2, (tool, bad.name, r.stdout[-500:], r.stderr)
            assert "Traceback" not in r.stderr and "panicked" not in r.stderr
            assert str(bad) in r.stderr, r.stderr
            # The decoder's reason, or (where the damage still decompresses)
            # the parser's at a line of the decompressed text.
            assert f"{tool} stream cannot be decompressed" in r.stderr or f"{bad}:" in r.stderr, r.stderr
    # Truncation is always the decoder's finding.
    r = subprocess.run([sys.executable, "-m", "zoneverify", "check", str(truncated)], capture_output=True, text=True)
    assert f"{tool} stream cannot be decompressed" in r.stderr, r.stderr
