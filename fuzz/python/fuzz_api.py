#!/usr/bin/env python3
"""atheris target for zoneverify's Python entry points.

Only the exceptions the README and docstrings document for unusable input
are allowed: ZoneParseError, ValueError and TypeError. Anything else (a
SystemError or PanicException from the native module, an IndexError, ...)
is a crash. The native module is not instrumented (maturin builds it
without sanitizer coverage), so coverage feedback comes from the Python
layer; the Rust core has its own cargo-fuzz targets.

Input: one octet choosing the entry point, then its data:
  0  verify_zone(bytes): octet of flags, then the zone text
  1  Verifier(wire DNSKEY RRs).verify_wire: octet of item count, two-octet
     length and the DNSKEY RRs, one octet per item (low nibble RRs, high
     nibble RRSIGs), then the wire buffer
  2  Verifier.verify_raw: two-octet split point, then signed data and
     signature; an octet of key index
  3  verify_zone(trust_anchor=file with the data)
  4  Verifier(keys given as bytes and as text)

    python3 fuzz/python/fuzz_api.py fuzz/corpus/python_api -max_total_time=600
"""

from __future__ import annotations

import os
import struct
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["zoneverify"]):
    import zoneverify

ALLOWED = (zoneverify.ZoneParseError, ValueError, TypeError)
NOW = 1_700_000_000
# A small zone signed with one Ed25519 key, and its DNSKEY RRset as text.
ZONE = (Path(__file__).resolve().parent.parent / "anchor_zone.txt").read_bytes()
KEYS_TEXT = "\n".join(line for line in ZONE.decode().splitlines() if "\tDNSKEY\t" in line or " DNSKEY " in line) + "\n"
RAW_VERIFIER = zoneverify.Verifier(KEYS_TEXT, origin=".", now=NOW, jobs=1)
ANCHOR = os.path.join(tempfile.gettempdir(), f"zoneverify-atheris-{os.getpid()}.anchor")


def zone(data: bytes) -> None:
    flags, text = (data[0], data[1:]) if data else (0, b"")
    origin = "example." if flags & 1 else None
    r = zoneverify.verify_zone(text, origin=origin, now=NOW, jobs=1, zone_checks=not flags & 2,
                               signed_by="any" if flags & 4 else "every-algorithm",
                               allow_unsupported=bool(flags & 8))
    assert isinstance(r.ok, bool)
    r.to_json()


def wire(data: bytes) -> None:
    if len(data) < 3:
        return
    n = data[0] & 7
    klen = struct.unpack(">H", data[1:3])[0]
    keys, rest = data[3:3 + klen], data[3 + klen:]
    counts, buf = rest[:n], rest[n:]
    v = zoneverify.Verifier(keys, now=NOW, jobs=1)
    r = v.verify_wire(buf, [c & 15 for c in counts], [c >> 4 for c in counts])
    assert len(r.rrset_status) == len(counts)
    r.failures()


def raw(data: bytes) -> None:
    if len(data) < 3:
        return
    split = struct.unpack(">H", data[:2])[0]
    ki = data[2] % 4 - 1
    body = data[3:]
    d, s = body[:split], body[split:]
    r = RAW_VERIFIER.verify_raw(d, [0, len(d)], s, [0, len(s)], key_index=[ki])
    assert len(r.status) == 1
    r.failures()


def anchor(data: bytes) -> None:
    with open(ANCHOR, "wb") as f:
        f.write(data)
    r = zoneverify.verify_zone(ZONE, now=NOW, jobs=1, trust_anchor=ANCHOR)
    assert isinstance(r.ok, bool)


def keys(data: bytes) -> None:
    for k in (data, data.decode("utf-8", "replace")):
        try:
            zoneverify.Verifier(k, now=NOW, jobs=1).keys
        except ALLOWED:
            pass


ENTRIES = [zone, wire, raw, anchor, keys]


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    try:
        ENTRIES[data[0] % len(ENTRIES)](data[1:])
    except ALLOWED:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
