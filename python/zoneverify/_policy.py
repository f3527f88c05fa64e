"""The policy the core takes: one dict type from the Python API to Rust.

`api._policy` builds it from the keyword arguments of `verify_zone` (and
the CLI from its flags, through `verify_zone`); `rust/python.rs` reads it
(`options`), and rejects any other key. `tests/test_api_units.py` checks
that this TypedDict and the core's `policy_keys()` list the same keys.
"""

from __future__ import annotations

import os
from typing import Any, TypedDict

from . import _native


class Policy(TypedDict, total=False):
    zone_checks: bool
    every_algorithm: bool
    redundant_failures_warning: bool
    require_ksk: bool
    require_zonemd: bool
    expire_within: int
    inception_margin: int
    nsec3_max_hashes: int
    #: Unsupported algorithms and keys (and ZONEMD schemes) are warnings.
    allow_unsupported: bool
    #: CPU time per phase (``zoneverify bench``).
    profile: bool
    #: The whole-zone path even where the streaming stage could run (the
    #: equivalence tests' reference).
    whole_zone: bool
    #: Read files in windows of this many bytes (tests).
    window_bytes: int
    #: (file contents, file name) of a trust-anchor file.
    trust_anchor: tuple[bytes, str]
    # The publication gate: expectations of this rollover stage (key tags,
    # algorithm numbers) ...
    expect_keys: list[int]
    expect_signing_keys: list[int]
    forbid_keys: list[int]
    expect_algorithms: list[int]
    forbid_algorithms: list[int]
    prepublished_algorithms: list[int]
    # ... and the zones to compare with (paths), and what they may differ by.
    previous: str
    unsigned: str
    max_change: float
    flag_changes: list[str]
    signer_adds_cds: bool
    #: Keep what the zone holds, to compare copies (``--same-zone``).
    fingerprint: bool
    #: False: keep status and algorithm of every RRSIG, the other columns
    #: of those not valid only (``zoneverify check``).
    columns: bool
    #: The verified-signature cache's directory, and its bound.
    cache: str
    cache_max_entries: int
    #: On a Dask cluster (zoneverify.cluster): an in-memory cache of the
    #: workers' successes, (secret, entries of 32 octets each).
    cache_known: tuple[bytes, bytes]


#: What ``flag_changes`` can name: the apex DNSKEY, CDS/CDNSKEY and NS
#: RRsets, and DS RRsets.
CHANGE_KINDS = ("dnskey", "cds", "ns", "ds")


def key_tags(value: Any) -> list[int]:
    """Key tags from a list (or one value) of integers 0-65535 or digit strings."""
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in items:
        if isinstance(v, str) and v.strip().isdigit():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 65535:
            raise ValueError(f"a key tag is an integer from 0 to 65535, not {v!r}")
        out.append(v)
    return out


def algorithms(value: Any) -> list[int]:
    """DNSSEC algorithm numbers from numbers or mnemonics (``13``, ``"ECDSAP256SHA256"``)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in items:
        n = None
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255:
            n = v
        elif isinstance(v, str):
            n = _native.algorithm_number(v)
        if n is None:
            raise ValueError(f"not a DNSSEC algorithm number or mnemonic: {v!r}")
        out.append(n)
    return out


def cache_policy(cache: Any, cache_max_entries: Any) -> "Policy":
    """The policy keys of the verified-signature cache (``cache=``,
    ``cache_max_entries=`` of ``verify_zone``, ``bench_zone`` and
    ``Verifier``), checked: an empty dict without a cache."""
    out: Policy = {}
    if cache is not None:
        out["cache"] = os.fspath(cache)
    if cache_max_entries is not None:
        if cache is None:
            raise ValueError("cache_max_entries needs cache (the cache directory)")
        if isinstance(cache_max_entries, bool) or not isinstance(cache_max_entries, int) or cache_max_entries < 1:
            raise ValueError(f"cache_max_entries must be a positive integer, got {cache_max_entries!r}")
        out["cache_max_entries"] = cache_max_entries
    return out
