#!/usr/bin/env python3
"""Deterministic TLD-like zone generator, signed by BIND's dnssec-signzone.

The *unsigned* zone is a pure function of its parameters (delegation count,
seed, DS and glue fractions, origin): every pseudo-random choice comes from
SHA-256 over (seed, index), so it does not depend on the Python version.
The *signed* zone is not byte-reproducible across machines (dnssec-keygen makes
fresh keys, ECDSA signatures are randomised), which is why it is cached on
disk, keyed by every parameter and the signer's version, and reused.

Command line::

    python benches/zonegen.py --delegations 100000 --variant rsa2048
    python benches/zonegen.py --self-test

prints the path of the signed zone. Importable::

    from zonegen import ZoneParams, signed_zone
    z = signed_zone(ZoneParams(delegations=300, variant="p256"))
    z.path, z.origin, z.now, z.meta["rrsigs"]
"""

from __future__ import annotations

import argparse
import base64
import calendar
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GENERATOR_VERSION = 1

# Fixed signing window, so that the signed zones stay usable for two decades
# and verification results do not depend on the day they are produced.
INCEPTION = "20261101000000"
EXPIRATION = "20461101000000"
# A verification time inside that window (2027-01-01T00:00:00Z).
DEFAULT_NOW = 1798761600

# variant -> (list of dnssec-keygen algorithm/size pairs, NSEC3 signer args)
VARIANTS: dict[str, tuple[list[tuple[str, int | None]], list[str]]] = {
    "rsa2048": ([("RSASHA256", 2048)], []),
    "p256": ([("ECDSAP256SHA256", None)], []),
    "ed25519": ([("ED25519", None)], []),
    # NSEC3, no salt, 0 additional iterations (RFC 9276), opt-out.
    "rsa2048-nsec3": ([("RSASHA256", 2048)], ["-3", "-", "-H", "0", "-A"]),
    # Algorithm rollover midpoint: algorithms 8 and 13 both sign everything.
    "rollover": ([("RSASHA256", 2048), ("ECDSAP256SHA256", None)], []),
    # Second-level registrations: every delegation two labels below the
    # apex, under one of SLD_GROUPS empty non-terminals (as a registry with
    # co.example-style names in one zone would have them).
    "p256-sld": ([("ECDSAP256SHA256", None)], []),
}

# The variants whose delegations lie under empty non-terminals, and how many.
SLD_GROUPS = {"p256-sld": 100}

# Out-of-bailiwick name server hosts, as at a real TLD: a few big providers.
_PROVIDERS = [
    "ns{}.dnsprovider-{}.net.",
    "ns{}.hosting-{}.com.",
    "dns{}.registrar-{}.org.",
    "{}.nameserver-{}.de.",
]


@dataclasses.dataclass(frozen=True)
class ZoneParams:
    delegations: int = 1000
    variant: str = "rsa2048"
    seed: int = 1
    ds_fraction: float = 0.3
    glue_fraction: float = 0.05
    origin: str = "bench."
    inception: str = INCEPTION  # YYYYMMDDhhmmss, UTC
    expiration: str = EXPIRATION

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}; one of {', '.join(VARIANTS)}")
        if self.delegations < 0:
            raise ValueError("delegations must be >= 0")
        for f in ("ds_fraction", "glue_fraction"):
            if not 0.0 <= getattr(self, f) <= 1.0:
                raise ValueError(f"{f} must be within [0, 1]")
        for f in ("inception", "expiration"):
            if _sigtime(getattr(self, f)) is None or len(getattr(self, f)) != 14:
                raise ValueError(f"{f} must be YYYYMMDDhhmmss")
        if not _sigtime(self.inception) < DEFAULT_NOW < _sigtime(self.expiration):
            raise ValueError(f"the signing window must contain {DEFAULT_NOW} (2027-01-01), "
                             "the verification time the benchmarks use")
        if not self.origin.endswith("."):
            object.__setattr__(self, "origin", self.origin + ".")
        object.__setattr__(self, "origin", self.origin.lower())


@dataclasses.dataclass
class SignedZone:
    path: Path  # the signed zone file
    unsigned_path: Path
    origin: str
    now: int  # a verification time inside the signing window
    meta: dict


def _h(seed: int, i: int, what: str) -> bytes:
    return hashlib.sha256(f"{seed}:{i}:{what}".encode()).digest()


def _frac(b: bytes) -> float:
    """Uniform float in [0, 1) from the first 8 bytes."""
    return int.from_bytes(b[:8], "big") / 2.0**64


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _label(b: bytes) -> str:
    """A registrable-looking label, 3-14 characters, from hash bytes."""
    n = 3 + b[0] % 12
    out = [_LETTERS[b[1] % 26]]
    for k in range(2, n + 1):
        c = _LABEL_CHARS[b[k] % 36]
        # an occasional hyphen inside, never first, last or doubled
        if b[k] % 29 == 0 and k < n and out[-1] != "-":
            c = "-"
        out.append(c)
    if out[-1] == "-":
        out[-1] = "x"
    return "".join(out)


def unsigned_zone_text(p: ZoneParams) -> str:
    """The unsigned zone: a pure, version-independent function of ``p``."""
    o = p.origin
    lines = [
        f"$ORIGIN {o}",
        "$TTL 86400",
        f"@\t86400\tIN\tSOA\ta.nic.{o} hostmaster.nic.{o} 2026110100 1800 900 604800 3600",
        f"@\t172800\tIN\tNS\ta.nic.{o}",
        f"@\t172800\tIN\tNS\tb.nic.{o}",
        f"@\t172800\tIN\tNS\tns1.dnsprovider-1.net.",
        f'@\t3600\tIN\tTXT\t"zoneverify benchmark zone" "seed={p.seed}" "delegations={p.delegations}"',
        f"a.nic\t172800\tIN\tA\t192.0.2.53",
        f"a.nic\t172800\tIN\tAAAA\t2001:db8::53",
        f"b.nic\t172800\tIN\tA\t198.51.100.53",
        f"b.nic\t172800\tIN\tAAAA\t2001:db8:1::53",
        f"nic\t3600\tIN\tA\t192.0.2.80",
        f"nic\t3600\tIN\tAAAA\t2001:db8::80",
        f'nic\t3600\tIN\tTXT\t"registry information"',
        f"www\t3600\tIN\tA\t192.0.2.80",
        f"www\t3600\tIN\tAAAA\t2001:db8::80",
        f'www\t3600\tIN\tTXT\t"v=spf1 -all"',
    ]
    reserved = {"nic", "www"}
    seen: set[str] = set(reserved)
    groups = SLD_GROUPS.get(p.variant)
    for i in range(p.delegations):
        b = _h(p.seed, i, "d")
        label = _label(b)
        if label in seen:  # rare collision: make it unique, deterministically
            label = f"{label}{i}"
        seen.add(label)
        if groups:
            label = f"{label}.sld{b[28] % groups}"
        ds = _frac(_h(p.seed, i, "ds")) < p.ds_fraction
        glue = _frac(_h(p.seed, i, "glue")) < p.glue_fraction
        prov = _PROVIDERS[b[20] % len(_PROVIDERS)]
        pid = 1 + b[21] % 40
        if glue:
            lines.append(f"{label}\t172800\tIN\tNS\tns1.{label}.{o}")
            lines.append(f"{label}\t172800\tIN\tNS\t{prov.format(2, pid)}")
            lines.append(f"ns1.{label}\t172800\tIN\tA\t10.{b[22]}.{b[23]}.{1 + b[24] % 254}")
            lines.append(f"ns1.{label}\t172800\tIN\tAAAA\t2001:db8:{b[25]:x}{b[26]:02x}::{1 + b[27]:x}")
        else:
            lines.append(f"{label}\t172800\tIN\tNS\t{prov.format(1, pid)}")
            lines.append(f"{label}\t172800\tIN\tNS\t{prov.format(2, pid)}")
        if ds:
            d = _h(p.seed, i, "digest")
            tag = int.from_bytes(d[:2], "big")
            alg = 13 if d[2] % 3 else 8
            lines.append(f"{label}\t86400\tIN\tDS\t{tag} {alg} 2 {d.hex().upper()}")
    return "\n".join(lines) + "\n"


def signer_version() -> str:
    try:
        r = subprocess.run(["dnssec-signzone", "-V"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RuntimeError(
            "dnssec-signzone not found; install BIND's tools: apt-get install -y bind9-utils"
        ) from None
    return (r.stdout or r.stderr).strip().splitlines()[0]


def default_cache_dir() -> Path:
    env = os.environ.get("ZONEVERIFY_BENCH_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "zoneverify-bench"


def cache_key(p: ZoneParams, version: str) -> str:
    blob = json.dumps({**dataclasses.asdict(p), "signer": version, "gen": GENERATOR_VERSION},
                      sort_keys=True)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    origin = p.origin.rstrip(".") or "root"
    return f"{origin}-{p.variant}-n{p.delegations}-s{p.seed}-{digest}"


def count_rrsigs(path: str | os.PathLike) -> int:
    """Number of RRSIG records in a master file."""
    return scan_zone(path)["rrsigs"]


def scan_zone(path: str | os.PathLike) -> dict:
    """Summarise the DNSSEC records of a master file in any common layout.

    Returns the RRSIG count, RRSIG counts by algorithm number, the latest
    inception, earliest and latest expiration (UNIX seconds, RFC 1982 wrap ignored:
    the caller compares them with a time inside the window) and the DNSKEY
    algorithms with their RSA modulus sizes. Joins parenthesised
    continuation lines, ignores comments and quoted strings.
    """
    rrsigs = 0
    by_alg: dict[int, int] = {}
    max_inception = None
    min_expiration = None
    max_expiration = None
    dnskeys: list[tuple[int, int | None]] = []
    for toks in _records(path):
        k = 0
        while k < len(toks) and (toks[k][:1].isdigit() or toks[k].upper() in _CLASSES):
            k += 1
        if k >= len(toks):
            continue
        t = toks[k].upper()
        rd = toks[k + 1:]
        if t == "RRSIG" and len(rd) >= 6:
            rrsigs += 1
            alg = int(rd[1]) if rd[1].isdigit() else -1
            by_alg[alg] = by_alg.get(alg, 0) + 1
            exp, inc = _sigtime(rd[4]), _sigtime(rd[5])
            if inc is not None and (max_inception is None or inc > max_inception):
                max_inception = inc
            if exp is not None and (min_expiration is None or exp < min_expiration):
                min_expiration = exp
            if exp is not None and (max_expiration is None or exp > max_expiration):
                max_expiration = exp
        elif t == "DNSKEY" and len(rd) >= 4 and rd[2].isdigit():
            alg = int(rd[2])
            bits = None
            if alg in (5, 7, 8, 10):
                try:
                    key = base64.b64decode("".join(rd[3:]))
                    off = 3 + int.from_bytes(key[1:3], "big") if key[0] == 0 else 1 + key[0]
                    bits = (len(key) - off) * 8
                except (ValueError, IndexError):
                    pass
            dnskeys.append((alg, bits))
    return {"rrsigs": rrsigs, "rrsigs_by_algorithm": by_alg,
            "max_inception": max_inception, "min_expiration": min_expiration,
            "max_expiration": max_expiration,
            "dnskeys": dnskeys}


def _sigtime(s: str) -> int | None:
    if len(s) == 14 and s.isdigit():
        return calendar.timegm(time.strptime(s, "%Y%m%d%H%M%S"))
    if s.isdigit():
        return int(s)
    return None


def _records(path: str | os.PathLike):
    """Yield each record's tokens (owner dropped), continuation lines joined."""
    depth = 0
    cur: list[str] = []
    with open(path, "rb") as f:
        for raw in f:
            line = _strip(raw.decode("ascii", "replace"))
            toks = line.replace("(", " ( ").replace(")", " ) ").split()
            if depth == 0:
                if cur:
                    yield cur
                    cur = []
                if not toks or toks[0].startswith("$"):
                    continue
                if line[:1] not in (" ", "\t"):
                    toks = toks[1:]  # owner name
            for t in toks:
                if t == "(":
                    depth += 1
                elif t == ")":
                    depth -= 1
                else:
                    cur.append(t)
    if cur:
        yield cur


_CLASSES = {"IN", "CH", "HS", "CS"}


def _strip(line: str) -> str:
    """Line without quoted strings and comments."""
    if '"' not in line and ";" not in line:
        return line
    out = []
    q = False
    esc = False
    for c in line:
        if esc:
            esc = False
            continue
        if c == "\\":
            esc = True
            continue
        if c == '"':
            q = not q
            out.append(" x ")
            continue
        if q:
            continue
        if c == ";":
            break
        out.append(c)
    return "".join(out)


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def _keygen(origin: str, alg: str, bits: int | None, ksk: bool, cwd: Path) -> str:
    cmd = ["dnssec-keygen", "-q", "-K", ".", "-a", alg, "-n", "ZONE", "-L", "3600"]
    if bits:
        cmd += ["-b", str(bits)]
    if ksk:
        cmd += ["-f", "KSK"]
    cmd.append(origin)
    return _run(cmd, cwd).stdout.strip()


def _build(p: ZoneParams, version: str, work: Path, jobs: int) -> dict:
    algs, nsec3 = VARIANTS[p.variant]
    unsigned = unsigned_zone_text(p)
    (work / "zone.unsigned").write_text(unsigned)
    t0 = time.monotonic()
    keys = []
    for alg, bits in algs:
        keys.append(_keygen(p.origin, alg, bits, True, work))
        keys.append(_keygen(p.origin, alg, bits, False, work))
    dnskeys = []
    for k in keys:
        for line in (work / f"{k}.key").read_text().splitlines():
            if line and not line.startswith(";"):
                dnskeys.append(line)
    (work / "zone.input").write_text(unsigned + "\n".join(dnskeys) + "\n")
    t1 = time.monotonic()
    cmd = ["dnssec-signzone", "-K", ".", "-o", p.origin, "-N", "keep", "-j", "0",
           "-n", str(jobs), "-s", p.inception, "-e", p.expiration, *nsec3,
           "-f", "zone.signed", "zone.input", *keys]
    r = _run(cmd, work)
    t2 = time.monotonic()
    (work / "zone.input").unlink()
    signed = work / "zone.signed"
    return {
        "params": dataclasses.asdict(p),
        "signer": version,
        "generator_version": GENERATOR_VERSION,
        "sign_command": " ".join(cmd),
        "signer_output": r.stdout.strip() + ("\n" + r.stderr.strip() if r.stderr.strip() else ""),
        "keys": keys,
        "inception": p.inception,
        "expiration": p.expiration,
        "now": DEFAULT_NOW,
        "keygen_seconds": round(t1 - t0, 3),
        "sign_seconds": round(t2 - t1, 3),
        "size_bytes": signed.stat().st_size,
        "unsigned_size_bytes": (work / "zone.unsigned").stat().st_size,
        "rrsigs": count_rrsigs(signed),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def cached_entry(name: str, build, cache_dir: Path | None = None, force: bool = False,
                 log=None, announce: str = "") -> tuple[Path, dict | None]:
    """The cache directory ``name``, built by ``build(work_dir) -> meta`` if
    it is missing (or ``force``). Returns the directory and the new meta, or
    None when it was already cached.

    The entry is built under a temporary name in the cache directory and
    renamed into place, so a reader never sees a half-written entry and two
    concurrent generators do not corrupt each other.
    """
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    final = cache / name
    if force and final.exists():
        shutil.rmtree(final)
    if (final / "meta.json").exists():
        return final, None
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=cache))
    try:
        if log and announce:
            log(announce)
        meta = build(work)
        os.chmod(work, 0o755)  # mkdtemp makes it 0700
        (work / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        try:
            os.rename(work, final)
        except OSError:
            if not (final / "meta.json").exists():
                raise
            # another process won the race; use its entry
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final, meta


def signed_zone(p: ZoneParams, cache_dir: Path | None = None, jobs: int = 2,
                force: bool = False, log=None) -> SignedZone:
    """Return the signed zone for ``p``, generating and caching it if needed
    (see :func:`cached_entry`)."""
    version = signer_version()
    name = cache_key(p, version)
    final, built = cached_entry(
        name, lambda work: _build(p, version, work, jobs), cache_dir, force, log,
        f"generating {name} (variant {p.variant}, {p.delegations} delegations) ...")
    if log and built:
        log(f"signed in {built['sign_seconds']} s: {built['rrsigs']} RRSIGs, {built['size_bytes']} bytes")
    meta = json.loads((final / "meta.json").read_text())
    return SignedZone(final / "zone.signed", final / "zone.unsigned", p.origin, meta["now"], meta)


def self_test(cache_dir: Path | None, delegations: int = 200) -> int:
    """Generate every variant for a small zone and check it with dnssec-verify.

    dnssec-verify (BIND 9.18) verifies at the current time, which lies inside
    the fixed signing window from 2026-11-01 until 2046.
    """
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(cache_dir) if cache_dir else Path(tmp)
        a = unsigned_zone_text(ZoneParams(delegations=delegations, seed=7))
        b = unsigned_zone_text(ZoneParams(delegations=delegations, seed=7))
        c = unsigned_zone_text(ZoneParams(delegations=delegations, seed=8))
        ok = a == b and a != c
        print(f"determinism: {'ok' if ok else 'FAILED'}")
        failures += not ok
        for v in VARIANTS:
            z = signed_zone(ZoneParams(delegations=delegations, variant=v), cache)
            r = subprocess.run(["dnssec-verify", "-q", "-o", z.origin, str(z.path)],
                               capture_output=True, text=True, check=False)
            status = "ok" if r.returncode == 0 else f"FAILED ({r.returncode}): {r.stderr.strip()}"
            print(f"{v:14s} {z.meta['rrsigs']:6d} RRSIGs  dnssec-verify: {status}")
            failures += r.returncode != 0
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--delegations", "-N", type=int, default=1000)
    ap.add_argument("--variant", choices=list(VARIANTS), default="rsa2048")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ds-fraction", type=float, default=0.3)
    ap.add_argument("--glue-fraction", type=float, default=0.05)
    ap.add_argument("--origin", default="bench.")
    ap.add_argument("--inception", default=INCEPTION, help="RRSIG inception, YYYYMMDDhhmmss")
    ap.add_argument("--expiration", default=EXPIRATION,
                    help="RRSIG expiration, YYYYMMDDhhmmss. The default, in 2046, is past "
                         "2038-01-19: ldns-verify-zone 1.8.3 and validns 0.8 reject such "
                         "timestamps; use 20371201000000 to benchmark them")
    ap.add_argument("--jobs", "-n", type=int, default=2, help="signer threads (dnssec-signzone -n)")
    ap.add_argument("--cache-dir", type=Path, default=None,
                    help="default: $ZONEVERIFY_BENCH_CACHE or ~/.cache/zoneverify-bench")
    ap.add_argument("--force", action="store_true", help="regenerate even if cached")
    ap.add_argument("--unsigned", action="store_true",
                    help="write the unsigned zone to stdout and exit (no signer needed)")
    ap.add_argument("--json", action="store_true", help="print the cache entry's metadata as JSON")
    ap.add_argument("--self-test", action="store_true",
                    help="generate every variant at 200 delegations, check with dnssec-verify")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test(a.cache_dir)
    p = ZoneParams(a.delegations, a.variant, a.seed, a.ds_fraction, a.glue_fraction, a.origin,
                   a.inception, a.expiration)
    if a.unsigned:
        sys.stdout.write(unsigned_zone_text(p))
        return 0
    z = signed_zone(p, a.cache_dir, a.jobs, a.force, log=lambda m: print(m, file=sys.stderr))
    if a.json:
        print(json.dumps({"path": str(z.path), "origin": z.origin, **z.meta}, indent=2))
    else:
        print(z.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
