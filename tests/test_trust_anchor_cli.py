"""--trust-anchor from the command line, on the bundled sample zone (signed
by dnssec-signzone with a KSK and a ZSK)."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample.zone"
NOW = "20270101000000"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneverify", "check", str(SAMPLE), "--now", NOW, *args],
                          capture_output=True, text=True, timeout=120)


def dnskey_line(flags: int, corrupt: bool = False) -> str:
    """The sample's DNSKEY with these flags, as a one-line anchor record."""
    from zoneverify import _native

    recs = _native.parse_records(SAMPLE.read_bytes(), str(SAMPLE), None)
    (rd,) = [r[4] for r in recs if r[1] == 48 and int.from_bytes(r[4][:2], "big") == flags]
    key = bytearray(rd[4:])
    if corrupt:
        key[-1] ^= 0x01
    return f"sample. 3600 IN DNSKEY {flags} {rd[2]} {rd[3]} {base64.b64encode(bytes(key)).decode()}\n"


def test_ksk_as_anchor_passes(tmp_path):
    f = tmp_path / "ta.key"
    f.write_text(dnskey_line(257))
    p = run("--trust-anchor", str(f))
    assert p.returncode == 0, p.stdout + p.stderr


def test_anchor_matching_no_key_fails(tmp_path):
    """A key that is not in the zone's DNSKEY RRset cannot be the anchor."""
    f = tmp_path / "ta.key"
    f.write_text(dnskey_line(257, corrupt=True))
    p = run("--trust-anchor", str(f))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "trust-anchor-no-match" in p.stdout


def test_unusable_anchor_files_exit_2(tmp_path):
    p = run("--trust-anchor", str(tmp_path / "missing.ds"))
    assert p.returncode == 2 and "missing.ds" in p.stderr and "Traceback" not in p.stderr
    bad = tmp_path / "bad.ds"
    bad.write_text("sample. 3600 IN DS 12345 13 2 zzzz-not-hex\n")
    p = run("--trust-anchor", str(bad))
    assert p.returncode == 2 and "bad.ds:1" in p.stderr and "Traceback" not in p.stderr
