"""A drop-in for ``dns.dnssec.validate`` and ``dns.dnssec.validate_rrsig``.

A dnspython user switches with one import::

    from zoneverify.dnssec import validate, validate_rrsig

Same arguments, same results, same exception (``dns.dnssec.ValidationFailure``),
but the verification runs in zoneverify's Rust core, and a failure says
why each RRSIG failed instead of "no RRSIGs validated".

Where zoneverify is stricter than dnspython (each is an RFC rule; the
differential test in ``tests/test_dropin.py`` keeps to inputs where both
must agree):

- a DNSKEY with the REVOKE flag only validates the DNSKEY RRset
  (RFC 5011 §2.1);
- the RRset's owner must be at or below the RRSIG's signer (RFC 4035
  §5.3.1);
- the validity window is compared in RFC 1982 serial arithmetic
  (RFC 4034 §3.1.5), dnspython compares plain integers: they differ only
  for windows of 68 years or more;
- RSA keys below 1024 bits are not verified (unsupported), so their
  RRSIGs do not validate;
- Ed448 (algorithm 16) keys and signature points with a small-order
  component are refused (OpenSSL, and so dnspython, verifies with the
  cofactor and accepts them); honest signers never make them;
- an RRSIG whose covered type is not the RRset's type fails outright.

For many RRsets at once use :class:`zoneverify.Verifier`: one call per
batch instead of one per RRset.
"""

from __future__ import annotations

import time
from typing import Any

try:
    import dns.dnssec
    import dns.name
    import dns.node
    import dns.rdataclass
    import dns.rdatatype
except ImportError as e:  # pragma: no cover - exercised only without dnspython
    raise ImportError("zoneverify.dnssec needs dnspython: pip install dnspython") from e

from . import _native, _wire
from ._status import Status

ValidationFailure = dns.dnssec.ValidationFailure

__all__ = ["ValidationFailure", "validate", "validate_rrsig"]


def _keys_for(keys: dict[Any, Any], signer: Any) -> Any:
    value = keys.get(signer)
    if isinstance(value, dns.node.Node):
        return value.get_rdataset(dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    return value


def _check(rrset: Any, rrsigs: list[Any], keys: dict[Any, Any], origin: Any, now: Any,
           policy: Any) -> list[str]:
    """Verifies each RRSIG; returns [] when one is valid, else one reason
    per RRSIG."""
    if policy is None:
        policy = dns.dnssec.default_policy
    if isinstance(origin, str):
        origin = dns.name.from_text(origin, dns.name.root)
    name, rdataset = _wire.split_rrset(rrset)
    reasons: list[str] = []
    # RRSIGs grouped by signer: one key set per signer.
    by_signer: dict[Any, list[Any]] = {}
    for rrsig in rrsigs:
        by_signer.setdefault(rrsig.signer, []).append(rrsig)
    # dnspython's now is float seconds; RRSIG times are whole seconds.
    when = int(time.time()) if now is None else int(now)
    for signer, sigs in by_signer.items():
        label = f"signer {signer}"
        dnskeys = _keys_for(keys, signer)
        abs_signer = signer
        if not signer.is_absolute():
            if origin is None:
                reasons += [f"{_sig_text(s)}: relative signer name without an origin" for s in sigs]
                continue
            abs_signer = signer.derelativize(origin)
        if dnskeys is None:
            reasons += [f"{_sig_text(s)}: unknown key: no DNSKEYs for {label} in keys" for s in sigs]
            continue
        allowed = [rd for rd in dnskeys if policy.ok_to_validate(rd)]
        if not allowed:
            reasons += [f"{_sig_text(s)}: the policy allows none of the DNSKEYs of {label}" for s in sigs]
            continue
        native = _native.NativeVerifier.from_rdatas(
            abs_signer.to_text(), [_wire.rdata_wire(rd) for rd in allowed], 1)
        wb = _wire.WireBatch()
        try:
            wb.add(name, rdataset, name, _SigList(sigs, rdataset.rdclass, rdataset.ttl), origin)
        except ValueError as e:  # a relative name and no origin
            reasons += [f"{_sig_text(s)}: {e}" for s in sigs]
            continue
        raw = native.verify_wire(wb.wire(), wb.rr_counts, wb.sig_counts, when)
        why = dict(raw["reasons"])
        for row, st in enumerate(raw["status"]):
            if st == Status.VALID:
                return []
            reasons.append(f"{_sig_text(sigs[row])}: {Status(int(st)).code}: {why.get(row, '')}")
    return reasons


class _SigList(list):
    """A list of RRSIG rdatas that looks enough like an rdataset."""

    rdtype = _wire.RRSIG

    def __init__(self, items: list[Any], rdclass: int, ttl: int) -> None:
        super().__init__(items)
        self.rdclass = rdclass
        self.ttl = ttl


def _sig_text(rrsig: Any) -> str:
    return f"RRSIG {dns.rdatatype.to_text(rrsig.type_covered)} alg {int(rrsig.algorithm)} key {rrsig.key_tag}"


def validate(rrset: Any, rrsigset: Any, keys: dict[Any, Any], origin: Any = None,
             now: float | None = None, policy: Any = None) -> None:
    """Validates an RRset against its RRSIG RRset, like ``dns.dnssec.validate``.

    Returns None when at least one RRSIG validates with a key of ``keys``
    (a dict from signer ``dns.name.Name`` to a ``dns.node.Node`` or
    DNSKEY ``dns.rdataset.Rdataset``). Raises ``ValidationFailure``
    otherwise, with the reason for every RRSIG::

        no RRSIGs validated: RRSIG A alg 13 key 12345: expired: expired at ...

    ``rrset`` and ``rrsigset`` are ``RRset`` objects or ``(name,
    rdataset)`` tuples; ``origin`` makes relative names absolute; ``now``
    is UNIX seconds (default: the current time); ``policy`` is a
    ``dns.dnssec.Policy`` (default ``dns.dnssec.default_policy``): keys it
    does not allow are not used.

    >>> import dns.rrset
    >>> keys = {dns.name.from_text("example."): dns.rrset.from_text(
    ...     "example.", 3600, "IN", "DNSKEY", "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")}
    >>> a = dns.rrset.from_text("www.example.", 300, "IN", "A", "192.0.2.1")
    >>> sig = dns.rrset.from_text("www.example.", 300, "IN", "RRSIG",
    ...     "A 15 2 300 20300101000000 20200101000000 3613 example. " + "A" * 86 + "==")
    >>> try:
    ...     validate(a, sig, keys, now=1700000000)
    ... except ValidationFailure as e:
    ...     print(e)
    no RRSIGs validated: RRSIG A alg 15 key 3613: bad-signature: signature does not verify with DNSKEY 3613 (ED25519)
    """
    if isinstance(origin, str):
        origin = dns.name.from_text(origin, dns.name.root)
    rrname, _ = _wire.split_rrset(rrset)
    signame, sigrds = _wire.split_rrset(rrsigset)
    if rrname.choose_relativity(origin) != signame.choose_relativity(origin):
        raise ValidationFailure("owner names do not match")
    rrsigs = []
    for rrsig in sigrds:
        if getattr(rrsig, "rdtype", None) != _wire.RRSIG:
            raise ValidationFailure("expected an RRSIG")
        rrsigs.append(rrsig)
    reasons = _check(rrset, rrsigs, keys, origin, now, policy)
    if reasons:
        raise ValidationFailure("no RRSIGs validated: " + "; ".join(reasons))


def validate_rrsig(rrset: Any, rrsig: Any, keys: dict[Any, Any], origin: Any = None,
                   now: float | None = None, policy: Any = None) -> None:
    """Validates an RRset against one RRSIG rdata, like
    ``dns.dnssec.validate_rrsig``: returns None or raises
    ``ValidationFailure`` with the reason. Arguments as :func:`validate`.
    """
    if getattr(rrsig, "rdtype", None) != _wire.RRSIG:
        raise ValidationFailure("expected an RRSIG")
    reasons = _check(rrset, [rrsig], keys, origin, now, policy)
    if reasons:
        raise ValidationFailure(reasons[0])
