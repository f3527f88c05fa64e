#!/usr/bin/env python3
"""RRsets signed by dnspython with one ECDSAP256SHA256 key, for the batch API benchmark.

``test_bench_batch.py`` verifies the same N signed RRsets three ways
(``Verifier.verify`` over dnspython objects, ``Verifier.verify_raw`` over
raw buffers, a ``dns.dnssec.validate`` loop). This module makes that data:

- N RRsets under the zone ``bench.``, a mix of A, AAAA, NS (two targets),
  TXT, DS, MX and CNAME; owner names, types, TTLs and RDATA come from
  SHA-256 over (seed, index), like zonegen's zone, so they do not depend on
  the Python version;
- one ZSK (ECDSAP256SHA256, flags 256) whose private scalar is derived from
  the seed, and one RRSIG per RRset made with ``dns.dnssec.sign`` (dnspython
  signs ECDSA deterministically, RFC 6979), inception 2026-01-01, expiration
  2036-01-01; the benchmark verifies at :data:`NOW` (2027-01-01);
- for the raw path, built once here: the signed data of every RRSIG in
  RFC 4034 §3.1.8.1 form, from ``dns.dnssec._make_rrsig_signature_data``,
  concatenated into one ``bytes`` with int64 offsets of length N + 1, and
  the signatures likewise.

Signing is the slow part (dnspython spends about 0.3-0.5 ms per RRset), so
the result is cached on disk next to zonegen's zones
(``$ZONEVERIFY_BENCH_CACHE`` or ``~/.cache/zoneverify-bench``), in a
directory keyed by every parameter, :data:`GENERATOR_VERSION` and the
dnspython version (the cache holds pickled dnspython objects)::

    batch-p256-n100000-s1-<digest>/
        data.pickle   the objects and the raw buffers (see load())
        key.pem       the private key (PKCS#8, unencrypted: benchmark data only)
        meta.json     parameters, versions, counts by type, digests, timings

An entry is built in a temporary directory and renamed into place.

Command line::

    python benches/batchgen.py --rrsets 100000      # prints the cache entry
    python benches/batchgen.py --rrsets 1000 --json

Importable::

    from batchgen import BatchParams, batch_data
    d = batch_data(BatchParams(rrsets=500))
    d.dnskey_rrset, d.pairs, d.signed_data, d.data_offsets, d.signatures, d.sig_offsets
"""

from __future__ import annotations

import argparse
import calendar
import dataclasses
import gc
import hashlib
import json
import os
import pickle
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import zonegen

#: Bump when the generated data changes for the same parameters (it is part
#: of the cache key).
GENERATOR_VERSION = 1

INCEPTION = calendar.timegm((2026, 1, 1, 0, 0, 0))  # 1767225600
EXPIRATION = calendar.timegm((2036, 1, 1, 0, 0, 0))  # 2082758400
#: The verification time, inside the signing window: 2027-01-01T00:00:00Z.
NOW = calendar.timegm((2027, 1, 1, 0, 0, 0))  # 1798761600

ALGORITHM = 13  # ECDSAP256SHA256
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

#: (type, weight): the mix of RRset types, weights in percent.
TYPE_MIX: tuple[tuple[str, int], ...] = (
    ("A", 22), ("AAAA", 18), ("NS", 20), ("DS", 12), ("TXT", 10), ("MX", 12), ("CNAME", 6),
)

_PROVIDERS = ("ns{}.dnsprovider-{}.net.", "ns{}.hosting-{}.com.", "dns{}.registrar-{}.org.")

# Below this many RRsets, signing in worker processes costs more than it saves.
_PARALLEL_MIN = 4000


@dataclasses.dataclass(frozen=True)
class BatchParams:
    rrsets: int = 100_000
    seed: int = 1
    origin: str = "bench."
    inception: int = INCEPTION
    expiration: int = EXPIRATION

    def __post_init__(self) -> None:
        if self.rrsets < 1:
            raise ValueError("rrsets must be >= 1")
        if not self.inception < NOW < self.expiration:
            raise ValueError(f"the signing window must contain NOW ({NOW}, 2027-01-01)")
        o = self.origin if self.origin.endswith(".") else self.origin + "."
        object.__setattr__(self, "origin", o.lower())


@dataclasses.dataclass
class BatchData:
    params: BatchParams
    path: Path  # the cache entry
    meta: dict
    origin: Any  # dns.name.Name
    now: int
    dnskey_rrset: Any  # dns.rrset.RRset, one DNSKEY
    #: [(rrset, rrsigset)], dns.rrset.RRset each; one RRSIG per RRset.
    pairs: list
    #: RFC 4034 §3.1.8.1 signed data of RRSIG i: signed_data[data_offsets[i]:data_offsets[i+1]].
    signed_data: bytes
    data_offsets: Any  # numpy int64, length n + 1
    signatures: bytes
    sig_offsets: Any  # numpy int64, length n + 1

    @property
    def n(self) -> int:
        return len(self.pairs)


def private_key(seed: int):
    """The P-256 key of ``seed``: its scalar is SHA-256 of the seed, reduced."""
    from cryptography.hazmat.primitives.asymmetric import ec

    d = int.from_bytes(hashlib.sha256(f"zoneverify-batch-key:{seed}".encode()).digest(), "big")
    return ec.derive_private_key(d % (_P256_ORDER - 1) + 1, ec.SECP256R1())


def _frac(b: bytes) -> float:
    return int.from_bytes(b[:8], "big") / 2.0**64


def _pick_type(b: bytes) -> str:
    total = sum(w for _, w in TYPE_MIX)
    x = _frac(b) * total
    for t, w in TYPE_MIX:
        if x < w:
            return t
        x -= w
    return TYPE_MIX[-1][0]


def item_specs(p: BatchParams) -> list[tuple[str, str, int, list[str]]]:
    """(owner, type, ttl, [rdata text]) of every RRset: a pure function of ``p``."""
    o = p.origin
    seen: set[str] = set()
    specs = []
    for i in range(p.rrsets):
        b = zonegen._h(p.seed, i, "batch")
        label = zonegen._label(b)
        if label in seen:  # rare collision: make it unique, deterministically
            label = f"{label}{i}"
        seen.add(label)
        t = _pick_type(zonegen._h(p.seed, i, "type"))
        r = zonegen._h(p.seed, i, "rdata")
        two = r[0] & 1
        owner = f"{label}.{o}"
        if t not in ("NS", "DS") and r[1] % 4 == 0:
            owner = f"www.{label}.{o}"
        if t == "A":
            rd = [f"10.{r[2]}.{r[3]}.{1 + r[4] % 254}"]
            if two:
                rd.append(f"10.{r[5]}.{r[6]}.{1 + r[7] % 254}")
            ttl = 3600
        elif t == "AAAA":
            rd = [f"2001:db8:{r[2]:x}{r[3]:02x}::{1 + r[4]:x}"]
            if two:
                rd.append(f"2001:db8:{r[5]:x}{r[6]:02x}::{1 + r[7]:x}")
            ttl = 3600
        elif t == "NS":
            if r[2] % 10 == 0:  # in bailiwick
                rd = [f"ns1.{label}.{o}", f"ns2.{label}.{o}"]
            else:
                prov = _PROVIDERS[r[3] % len(_PROVIDERS)]
                pid = 1 + r[4] % 40
                rd = [prov.format(1, pid), prov.format(2, pid)]
            ttl = 172800
        elif t == "DS":
            d = zonegen._h(p.seed, i, "digest")
            alg = 13 if d[2] % 3 else 8
            rd = [f"{int.from_bytes(d[:2], 'big')} {alg} 2 {d.hex().upper()}"]
            ttl = 86400
        elif t == "TXT":
            n = 8 + r[2] % 48
            s = hashlib.sha256(r).hexdigest()[: min(n, 64)]
            rd = [f'"v=bench1 {s}"' + (f' "item={i}"' if two else "")]
            ttl = 3600
        elif t == "MX":
            rd = [f"10 mx1.{label}.{o}"]
            if two:
                rd.append(f"20 mx.mailhost-{1 + r[2] % 50}.net.")
            ttl = 3600
        else:  # CNAME
            rd = [f"{label}.cdn-{1 + r[2] % 20}.example.net."]
            ttl = 300
        specs.append((owner, t, ttl, rd))
    return specs


def _sign_specs(args: tuple[BatchParams, list[tuple[str, str, int, list[str]]]]) -> list[tuple[Any, Any, bytes]]:
    """[(rrset, rrsigset, signed data)] for some specs (runs in a worker)."""
    import dns.dnssec
    import dns.name
    import dns.rrset

    p, specs = args
    key = private_key(p.seed)
    dnskey = dns.dnssec.make_dnskey(key.public_key(), ALGORITHM)
    signer = dns.name.from_text(p.origin)
    out = []
    for owner, t, ttl, rd in specs:
        rrset = dns.rrset.from_text_list(owner, ttl, "IN", t, rd)
        rrsig = dns.dnssec.sign(rrset, key, signer, dnskey, inception=p.inception,
                                expiration=p.expiration, deterministic=True)
        sigset = dns.rrset.from_rdata(rrset.name, ttl, rrsig)
        out.append((rrset, sigset, dns.dnssec._make_rrsig_signature_data(rrset, rrsig)))
    return out


def _build(p: BatchParams, work: Path, jobs: int, log) -> dict:
    import cryptography
    import dns.dnssec
    import dns.name
    import dns.rrset
    import dns.version
    import numpy as np
    from cryptography.hazmat.primitives import serialization

    t0 = time.monotonic()
    specs = item_specs(p)
    key = private_key(p.seed)
    dnskey = dns.dnssec.make_dnskey(key.public_key(), ALGORITHM)
    origin = dns.name.from_text(p.origin)
    dnskey_rrset = dns.rrset.from_rdata(origin, 3600, dnskey)
    t1 = time.monotonic()
    if jobs > 1 and len(specs) < _PARALLEL_MIN:
        jobs = 1
    if log:
        log(f"signing on {jobs} process(es) ...")
    if jobs > 1:
        step = -(-len(specs) // (jobs * 8))
        chunks = [(p, specs[k:k + step]) for k in range(0, len(specs), step)]
        # spawn, not fork: the caller may have started threads (zoneverify's
        # worker pool). spawn re-runs the caller's main script in each worker,
        # which fails when it has no file (python - < script): fork then.
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        method = "spawn" if main_file is None or os.path.exists(main_file) else "fork"
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context(method)) as ex:
            signed = [x for part in ex.map(_sign_specs, chunks) for x in part]
    else:
        signed = _sign_specs((p, specs))
    t2 = time.monotonic()

    pairs = [(rrset, sigset) for rrset, sigset, _ in signed]
    datas = [d for _, _, d in signed]
    sigs = [sigset[0].signature for _, sigset, _ in signed]
    data_offsets = np.zeros(len(datas) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in datas], out=data_offsets[1:])
    sig_offsets = np.zeros(len(sigs) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sigs], out=sig_offsets[1:])
    signed_data = b"".join(datas)
    signatures = b"".join(sigs)

    # A sample checked with dnspython, so a broken entry is never cached.
    keys = {origin: dnskey_rrset}
    for i in range(0, len(pairs), max(1, len(pairs) // 50)):
        dns.dnssec.validate(pairs[i][0], pairs[i][1], keys, now=NOW)

    with open(work / "data.pickle", "wb") as f:
        pickle.dump({"dnskey_rrset": dnskey_rrset, "pairs": pairs, "signed_data": signed_data,
                     "data_offsets": data_offsets, "signatures": signatures,
                     "sig_offsets": sig_offsets}, f, protocol=pickle.HIGHEST_PROTOCOL)
    (work / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    t3 = time.monotonic()
    by_type: dict[str, int] = {}
    for _, t, _, _ in specs:
        by_type[t] = by_type.get(t, 0) + 1
    return {
        "params": dataclasses.asdict(p),
        "generator_version": GENERATOR_VERSION,
        "dnspython": dns.version.version,
        "cryptography": cryptography.__version__,
        "python": sys.version.split()[0],
        "algorithm": ALGORITHM,
        "key_tag": dns.dnssec.key_id(dnskey),
        "dnskey": dnskey.to_text(),
        "now": NOW,
        "rrsets": len(pairs),
        "rrsigs": len(pairs),
        "records": sum(len(r) for r, _ in pairs),
        "rrsets_by_type": dict(sorted(by_type.items())),
        "signed_data_bytes": len(signed_data),
        "signed_data_sha256": hashlib.sha256(signed_data).hexdigest(),
        "signatures_sha256": hashlib.sha256(signatures).hexdigest(),
        "sign_jobs": jobs,
        "sign_seconds": round(t2 - t1, 3),
        "total_seconds": round(t3 - t0, 3),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def cache_key(p: BatchParams) -> str:
    import dns.version

    blob = json.dumps({**dataclasses.asdict(p), "gen": GENERATOR_VERSION,
                       "dnspython": dns.version.version}, sort_keys=True)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    return f"batch-p256-n{p.rrsets}-s{p.seed}-{digest}"


def batch_data(p: BatchParams, cache_dir: Path | None = None, jobs: int | None = None,
               force: bool = False, log=None) -> BatchData:
    """The signed batch for ``p``, generated and cached if needed, then loaded."""
    name = cache_key(p)
    final, built = zonegen.cached_entry(
        name, lambda work: _build(p, work, jobs or os.cpu_count() or 1, log), cache_dir, force, log,
        f"generating {name}: signing {p.rrsets} RRsets with dnspython ...")
    if log and built:
        log(f"signed in {built['sign_seconds']} s on {built['sign_jobs']} processes")
    return load(final)


def load(path: Path) -> BatchData:
    import dns.name

    path = Path(path)
    meta = json.loads((path / "meta.json").read_text())
    # Unpickling 100k RRsets takes seconds (dnspython's immutable objects
    # rebuild themselves through __setstate__); the cyclic GC adds to it.
    gc_was = gc.isenabled()
    gc.disable()
    try:
        with open(path / "data.pickle", "rb") as f:
            d = pickle.load(f)
    finally:
        if gc_was:
            gc.enable()
    p = BatchParams(**meta["params"])
    return BatchData(p, path, meta, dns.name.from_text(p.origin), meta["now"], d["dnskey_rrset"],
                     d["pairs"], d["signed_data"], d["data_offsets"], d["signatures"], d["sig_offsets"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rrsets", "-N", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", "-j", type=int, default=None, help="signing processes (default: cores)")
    ap.add_argument("--cache-dir", type=Path, default=None,
                    help="default: $ZONEVERIFY_BENCH_CACHE or ~/.cache/zoneverify-bench")
    ap.add_argument("--force", action="store_true", help="regenerate even if cached")
    ap.add_argument("--json", action="store_true", help="print the entry's metadata as JSON")
    a = ap.parse_args(argv)
    d = batch_data(BatchParams(rrsets=a.rrsets, seed=a.seed), a.cache_dir, a.jobs, a.force,
                   log=lambda m: print(m, file=sys.stderr))
    if a.json:
        print(json.dumps({"path": str(d.path), **d.meta}, indent=2))
    else:
        print(d.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
