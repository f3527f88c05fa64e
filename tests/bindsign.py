"""Zones signed by BIND's dnssec-signzone with keys made by dnssec-keygen,
for the publication gate and zone-transfer tests: a small TLD-like zone
(apex, a few data names, delegations with and without DS and glue)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

NOW = "20260601000000"
ORIGIN = "roll.example"


def zone_text(serial: int = 2026010101, delegations: int = 3, extra: str = "") -> str:
    lines = [
        f"$ORIGIN {ORIGIN}.",
        "$TTL 3600",
        f"@   IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300",
        "@   IN NS  ns1",
        "ns1 IN A   192.0.2.1",
        "www IN A   192.0.2.10",
        "www IN TXT \"hello\"",
    ]
    for i in range(delegations):
        lines += [
            f"d{i} IN NS ns1.d{i}",
            f"d{i} IN NS ns.provider.example.net.",
            f"ns1.d{i} IN A 192.0.2.{100 + i}",
        ]
        if i % 2 == 0:
            lines.append(f"d{i} IN DS {1000 + i} 13 2 {'AB' * 32}")
    return "\n".join(lines) + "\n" + extra


@dataclass
class K:
    base: str
    tag: int


def keygen(d: Path, alg: str, ksk: bool, bits: int | None = None) -> K:
    cmd = ["dnssec-keygen", "-q", "-K", ".", "-a", alg] + (["-b", str(bits)] if bits else []) + (["-f", "KSK"] if ksk else [])
    base = subprocess.run(cmd + [ORIGIN], cwd=d, capture_output=True, text=True, check=True).stdout.strip()
    return K(base, int(base.rsplit("+", 1)[1]))


def sign(d: Path, name: str, text: str, published: list[K], signing: list[K]) -> Path:
    """Signs `text` with the keys `signing`; the DNSKEY RRset holds `published`
    (dnssec-signzone signs with the keys named on its command line, and
    publishes the DNSKEYs the zone file holds)."""
    src = d / f"{name}.db"
    src.write_text(text + "".join((d / f"{k.base}.key").read_text() for k in published))
    out = f"{name}.signed"
    subprocess.run(
        ["dnssec-signzone", "-o", ORIGIN, "-s", "20260101000000", "-e", "20360101000000", "-f", out, src.name]
        + [k.base for k in signing],
        cwd=d, capture_output=True, text=True, check=True,
    )
    return d / out




def break_one_signature(text: str, tag: int, after_line: int = 0) -> str:
    """`text` (a zone as dnssec-signzone writes it) with one character of
    one signature changed: the first RRSIG by key `tag` whose inception line
    comes after line `after_line`; the line after it holds signature text."""
    lines = text.splitlines()
    i = next(n for n, l in enumerate(lines) if f" {tag} {ORIGIN}." in l and "RRSIG" not in l and n > after_line)
    c = lines[i + 1].strip()[3]
    lines[i + 1] = lines[i + 1].replace(c, "A" if c != "A" else "B", 1)
    return "\n".join(lines) + "\n"
