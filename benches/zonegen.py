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
    for i in range(p.delegations):
        b = _h(p.seed, i, "d")
        label = _label(b)
        if label in seen:  # rare collision: make it unique, deterministically
            label = f"{label}{i}"
        seen.add(label)
        lines += _delegation_lines(p, label, b, _h(p.seed, i, "ds"), _h(p.seed, i, "glue"),
                                   _h(p.seed, i, "digest"))
    return "\n".join(lines) + "\n"


def _delegation_lines(p: ZoneParams, label: str, b: bytes, ds_h: bytes, glue_h: bytes,
                      digest: bytes) -> list[str]:
    """One delegation's records (relative owner names): NS, glue for a
    fraction, DS for a fraction, from the hash bytes given."""
    o = p.origin
    groups = SLD_GROUPS.get(p.variant)
    if groups:
        label = f"{label}.sld{b[28] % groups}"
    prov = _PROVIDERS[b[20] % len(_PROVIDERS)]
    pid = 1 + b[21] % 40
    lines = []
    if _frac(glue_h) < p.glue_fraction:
        lines.append(f"{label}\t172800\tIN\tNS\tns1.{label}.{o}")
        lines.append(f"{label}\t172800\tIN\tNS\t{prov.format(2, pid)}")
        lines.append(f"ns1.{label}\t172800\tIN\tA\t10.{b[22]}.{b[23]}.{1 + b[24] % 254}")
        lines.append(f"ns1.{label}\t172800\tIN\tAAAA\t2001:db8:{b[25]:x}{b[26]:02x}::{1 + b[27]:x}")
    else:
        lines.append(f"{label}\t172800\tIN\tNS\t{prov.format(1, pid)}")
        lines.append(f"{label}\t172800\tIN\tNS\t{prov.format(2, pid)}")
    if _frac(ds_h) < p.ds_fraction:
        tag = int.from_bytes(digest[:2], "big")
        alg = 13 if digest[2] % 3 else 8
        lines.append(f"{label}\t86400\tIN\tDS\t{tag} {alg} 2 {digest.hex().upper()}")
    return lines


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


def scan_zone(path: str | os.PathLike, inception: str | None = None) -> dict:
    """Summarise the DNSSEC records of a master file in any common layout.

    Returns the RRSIG count, RRSIG counts by algorithm number, the latest
    inception, earliest and latest expiration (UNIX seconds, RFC 1982 wrap ignored:
    the caller compares them with a time inside the window) and the DNSKEY
    algorithms with their RSA modulus sizes; with ``inception``
    (YYYYMMDDhhmmss as the file writes it), how many RRSIGs have it. Joins
    parenthesised continuation lines, ignores comments and quoted strings.
    """
    with_inception = 0
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
            with_inception += rd[5] == inception
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
            "dnskeys": dnskeys, "rrsigs_with_inception": with_inception}


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


@dataclasses.dataclass(frozen=True)
class NextParams:
    """The next publication of a signed zone, as a registry makes it.

    Version ``step`` is made from version ``step - 1`` (version 0 is the zone
    of the :class:`ZoneParams`) by BIND's dnssec-signzone with the same keys,
    re-signing a signed zone as a signer does between publications: the
    signatures of a ``resign_fraction`` of the signed RRsets are made anew
    (they have reached their refresh time), ``change_fraction`` of the
    delegations are removed and as many new ones registered (with NS, DS and
    glue as in the base zone), and the SOA serial is increased, so that the
    SOA, the new RRsets and the NSEC or NSEC3 records around each change are
    signed again too. Every other signature is kept byte for byte, as a
    signer keeps signatures that are not due.

    New signatures get a window ``step`` hours later than the base zone's
    (inception and expiration), so a re-made signature differs from the one
    it replaces even where the algorithm is deterministic (RSA PKCS #1 v1.5
    over the same data and window would give the same octets).
    """

    step: int = 1
    resign_fraction: float = 0.01
    change_fraction: float = 0.0005

    def __post_init__(self) -> None:
        if not 1 <= self.step <= 240:
            raise ValueError("step must be within [1, 240] (new windows are step hours later)")
        for f in ("resign_fraction", "change_fraction"):
            if not 0.0 <= getattr(self, f) <= 1.0:
                raise ValueError(f"{f} must be within [0, 1]")


def _shift(stamp: str, hours: int) -> str:
    t = calendar.timegm(time.strptime(stamp, "%Y%m%d%H%M%S")) + 3600 * hours
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))


def _next_input(p: ZoneParams, n: NextParams, previous: Path, work: Path) -> dict:
    """Writes ``work/zone.input``: version ``n.step - 1`` with the RRSIGs of
    the chosen RRsets left out, the chosen delegations removed, new ones
    added and the serial increased. Returns what was changed."""
    full = work / "previous.full"
    # One record per line, every owner name absolute.
    _run(["named-compilezone", "-q", "-i", "none", "-s", "full", "-o", str(full),
          p.origin, str(previous)], work)
    apex = p.origin
    cuts: set[str] = set()
    with open(full) as f:
        for line in f:
            t = line.split(None, 4)
            if len(t) < 4 or line.startswith(";"):
                continue
            owner = t[0].lower()
            if t[3] == "NS" and owner != apex:
                cuts.add(owner)
    salt = f"next{n.step}"
    add = round(n.change_fraction * len(cuts))
    # As many removed as added: those whose hash is lowest.
    removed = set(sorted(cuts, key=lambda c: hashlib.sha256(f"{p.seed}:{salt}:rm:{c}".encode())
                         .digest())[:add])
    stripped = 0
    serial = None
    with open(full) as f, open(work / "zone.input", "w") as out:
        for line in f:
            t = line.split(None, 5)
            if len(t) < 4 or line.startswith(";"):
                continue
            owner = t[0].lower()
            o = owner
            gone = False
            while o != apex and len(o) > len(apex):
                if o in removed:
                    gone = True
                    break
                o = o.split(".", 1)[1]
            if gone:
                continue
            if t[3] == "SOA" and owner == apex:
                r = t[4].split() + (t[5].split() if len(t) > 5 else [])
                serial = int(r[2]) + 1
                r[2] = str(serial)
                line = "\t".join(t[:4] + r) + "\n"
            elif t[3] == "RRSIG":
                covered = t[4].split()[0]
                if _frac(hashlib.sha256(f"{p.seed}:{salt}:rrsig:{owner}/{covered}".encode()).digest()) \
                        < n.resign_fraction:
                    stripped += 1
                    continue
            out.write(line)
        out.write(f"$ORIGIN {apex}\n")
        added = 0
        i = 0
        while added < add:
            b = _h(p.seed, i, f"{salt}:d")
            recs = _delegation_lines(p, f"{_label(b)}{n.step}n", b, _h(p.seed, i, f"{salt}:ds"),
                                     _h(p.seed, i, f"{salt}:glue"), _h(p.seed, i, f"{salt}:digest"))
            i += 1
            cut = f"{recs[0].split()[0]}.{apex}"
            if cut in cuts:  # a name the zone has (or had in this version)
                continue
            cuts.add(cut)
            for rec in recs:
                out.write(rec + "\n")
            added += 1
    full.unlink()
    if serial is None:
        raise RuntimeError(f"{previous}: no SOA at {apex}")
    return {"serial": serial, "removed_delegations": len(removed), "added_delegations": added,
            "rrsigs_left_out": stripped, "delegations_before": len(cuts)}


def _build_next(p: ZoneParams, n: NextParams, previous: SignedZone, base: SignedZone,
                version: str, work: Path, jobs: int) -> dict:
    _, nsec3 = VARIANTS[p.variant]
    t0 = time.monotonic()
    changes = _next_input(p, n, previous.path, work)
    inception, expiration = _shift(p.inception, n.step), _shift(p.expiration, n.step)
    keys = base.meta["keys"]
    # -i 3600: only signatures expiring within the hour would be refreshed
    # (none: the window ends in 2046); the missing ones are made.
    cmd = ["dnssec-signzone", "-K", str(base.path.parent), "-o", p.origin, "-N", "keep",
           "-j", "0", "-i", "3600", "-n", str(jobs), "-s", inception, "-e", expiration, *nsec3,
           "-f", "zone.signed", "zone.input", *keys]
    t1 = time.monotonic()
    r = _run(cmd, work)
    t2 = time.monotonic()
    (work / "zone.input").unlink()
    signed = work / "zone.signed"
    scan = scan_zone(signed, inception)
    new = scan["rrsigs_with_inception"]
    return {
        "params": dataclasses.asdict(p),
        "next": dataclasses.asdict(n),
        "previous": str(previous.path),
        "signer": version,
        "generator_version": GENERATOR_VERSION,
        "sign_command": " ".join(cmd),
        "signer_output": r.stdout.strip() + ("\n" + r.stderr.strip() if r.stderr.strip() else ""),
        "keys": keys,
        "inception": inception,
        "expiration": expiration,
        "now": DEFAULT_NOW,
        "edit_seconds": round(t1 - t0, 3),
        "sign_seconds": round(t2 - t1, 3),
        "size_bytes": signed.stat().st_size,
        "rrsigs": scan["rrsigs"],
        "new_rrsigs": new,
        "kept_rrsigs": scan["rrsigs"] - new,
        **changes,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def next_zone(p: ZoneParams, n: NextParams, cache_dir: Path | None = None, jobs: int = 2,
              force: bool = False, log=None) -> SignedZone:
    """Version ``n.step`` of the zone of ``p`` (see :class:`NextParams`),
    made from the previous version (generated first if needed) and cached
    like the base zone (``force`` remakes only this version)."""
    version = signer_version()
    base = signed_zone(p, cache_dir, jobs, log=log)
    previous = base if n.step == 1 else next_zone(
        p, dataclasses.replace(n, step=n.step - 1), cache_dir, jobs, log=log)
    blob = json.dumps(dataclasses.asdict(n), sort_keys=True)
    name = f"{cache_key(p, version)}-next{n.step}-{hashlib.sha256(blob.encode()).hexdigest()[:8]}"
    final, built = cached_entry(
        name, lambda work: _build_next(p, n, previous, base, version, work, jobs), cache_dir,
        force, log, f"generating {name} (version {n.step} of {base.path.parent.name}) ...")
    if log and built:
        log(f"signed in {built['sign_seconds']} s: {built['rrsigs']} RRSIGs, {built['new_rrsigs']} "
            f"of them new; {built['removed_delegations']} delegations removed, "
            f"{built['added_delegations']} added")
    meta = json.loads((final / "meta.json").read_text())
    return SignedZone(final / "zone.signed", base.unsigned_path, p.origin, meta["now"], meta)


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
    ap.add_argument("--next-version", type=int, default=0, metavar="K",
                    help="version K of the zone: the next publications, each re-signed from the "
                         "previous one by dnssec-signzone with the same keys (see NextParams)")
    ap.add_argument("--resign-fraction", type=float, default=NextParams.resign_fraction,
                    help="with --next-version: fraction of the signed RRsets whose signatures "
                         "are made anew in each version (default %(default)s)")
    ap.add_argument("--change-fraction", type=float, default=NextParams.change_fraction,
                    help="with --next-version: fraction of the delegations removed, and as many "
                         "added, in each version (default %(default)s)")
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
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if a.next_version:
        z = next_zone(p, NextParams(a.next_version, a.resign_fraction, a.change_fraction),
                      a.cache_dir, a.jobs, a.force, log=log)
    else:
        z = signed_zone(p, a.cache_dir, a.jobs, a.force, log=log)
    if a.json:
        print(json.dumps({"path": str(z.path), "origin": z.origin, **z.meta}, indent=2))
    else:
        print(z.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
