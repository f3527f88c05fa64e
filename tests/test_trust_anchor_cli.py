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


def root_anchors_xml(zone: str, valid_from: str, valid_until: str | None = None) -> str:
    """IANA's root-anchors.xml layout (RFC 9718 §2) with one KeyDigest: the
    sample's KSK, its DS digest computed by dnspython."""
    import dns.dnssec
    import dns.name
    import dns.rdata

    rdtext = dnskey_line(257).split("DNSKEY", 1)[1]
    key = dns.rdata.from_text("IN", "DNSKEY", rdtext)
    ds = dns.dnssec.make_ds(dns.name.from_text("sample."), key, "SHA256")
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="test" source="test">
<Zone>{zone}</Zone>
<KeyDigest id="k1" validFrom="{valid_from}"{until}>
<KeyTag>{ds.key_tag}</KeyTag>
<Algorithm>{ds.algorithm}</Algorithm>
<DigestType>{ds.digest_type}</DigestType>
<Digest>{ds.digest.hex().upper()}</Digest>
</KeyDigest>
</TrustAnchor>
"""


def test_xml_anchor_used_only_for_its_zone_and_inside_its_dates(tmp_path):
    """RFC 9718 §2.2: a KeyDigest is valid from validFrom and not after
    validUntil; an anchor is only for the <Zone> it names. NOW is 2027-01-01.
    (Before, every KeyDigest was used whatever its zone and dates.)"""
    f = tmp_path / "root-anchors.xml"
    f.write_text(root_anchors_xml("sample.", "2026-01-01T00:00:00+00:00"))
    p = run("--trust-anchor", str(f))
    assert p.returncode == 0, p.stdout + p.stderr
    f.write_text(root_anchors_xml("sample.", "2026-01-01T00:00:00+00:00", "2027-06-01T00:00:00Z"))
    assert run("--trust-anchor", str(f)).returncode == 0
    cases = {
        "expired": (root_anchors_xml("sample.", "2020-01-01T00:00:00+00:00", "2026-12-31T23:59:59+00:00"), "in force"),
        "not yet valid": (root_anchors_xml("sample.", "2027-01-01T00:00:01Z"), "in force"),
        "other zone": (root_anchors_xml("example.", "2026-01-01T00:00:00+00:00"), "for the zone"),
    }
    for what, (xml, why) in cases.items():
        f.write_text(xml)
        p = run("--trust-anchor", str(f))
        assert p.returncode == 1, (what, p.stdout + p.stderr)
        assert "trust-anchor-no-match" in p.stdout and why in p.stdout, (what, p.stdout)
    # 2027-01-01T01:00:00+02:00 is 2026-12-31T23:00:00Z: already valid.
    f.write_text(root_anchors_xml("sample.", "2027-01-01T01:00:00+02:00"))
    assert run("--trust-anchor", str(f)).returncode == 0
    f.write_text(root_anchors_xml("sample.", "2027-01-01"))
    p = run("--trust-anchor", str(f))
    assert p.returncode == 2 and "root-anchors.xml:4" in p.stderr and "validFrom" in p.stderr, p.stderr


def test_dnskey_anchor_for_another_zone_does_not_match(tmp_path):
    """A DNSKEY anchor is an anchor for its owner's zone: the sample's own key
    published as an anchor of another zone is not the sample's anchor."""
    f = tmp_path / "ta.key"
    f.write_text(dnskey_line(257).replace("sample.", "other.example.", 1))
    p = run("--trust-anchor", str(f))
    assert p.returncode == 1 and "for the zone" in p.stdout, p.stdout
