"""The policy the core takes: one dict type from the Python API to Rust.

`api._policy` builds it from the keyword arguments of `verify_zone` (and
the CLI from its flags, through `verify_zone`); `rust/python.rs` reads it
(`options`), and rejects any other key. `tests/test_api_units.py` checks
that this TypedDict and the core's `policy_keys()` list the same keys.
"""

from __future__ import annotations

from typing import TypedDict


class Policy(TypedDict, total=False):
    zone_checks: bool
    every_algorithm: bool
    redundant_failures_warning: bool
    require_ksk: bool
    require_zonemd: bool
    expire_within: int
    inception_margin: int
    nsec3_max_hashes: int
    #: CPU time per phase (``zoneverify bench``).
    profile: bool
    #: The whole-zone path even where the streaming stage could run (the
    #: equivalence tests' reference).
    whole_zone: bool
    #: Read files in windows of this many bytes (tests).
    window_bytes: int
    #: (file contents, file name) of a trust-anchor file.
    trust_anchor: tuple[bytes, str]
