"""dnspython objects to uncompressed DNS wire records, fast.

dnspython's own ``to_wire`` costs 10-20 µs per rdata (it goes through a
file object and the compression machinery); the batch API would spend more
time there than in the crypto. The encoders below write the wire form of
the types a signed zone is made of straight from the rdata attributes (a
few µs each, mostly ``Name.to_wire`` for names in the RDATA; signer names
are cached per batch); every other type falls back to ``rdata.to_wire()``.
``tests/test_batch.py`` checks each encoder against ``to_wire``.

Names are written as they are (case kept, no compression): the Rust core
puts them in canonical form (RFC 4034 §6.2).
"""

from __future__ import annotations

import socket
import struct
from array import array
from typing import Any, Callable, Iterable, Iterator

_RR = struct.Struct("!HHIH").pack
_RRSIG = struct.Struct("!HBBIIIH").pack
_HBB = struct.Struct("!HBB").pack
_NSEC3 = struct.Struct("!BBHB").pack
_SRV = struct.Struct("!HHH").pack
_inet_pton = socket.inet_pton
_AF_INET = socket.AF_INET
_AF_INET6 = socket.AF_INET6

RRSIG = 46
DNSKEY = 48


def name_wire(name: Any, origin: Any) -> bytes:
    """Wire form of a dnspython name, made absolute with ``origin``."""
    if name.is_absolute():
        return name.to_wire()
    if origin is None:
        raise ValueError(f"relative name '{name}' and no origin to make it absolute")
    return name.derelativize(origin).to_wire()


def _windows(windows: Iterable[tuple[int, bytes]]) -> bytes:
    return b"".join(bytes((w, len(b))) + b for w, b in windows)


def _a(rd: Any, origin: Any) -> bytes:
    return _inet_pton(_AF_INET, rd.address)


def _aaaa(rd: Any, origin: Any) -> bytes:
    return _inet_pton(_AF_INET6, rd.address)


def _target(rd: Any, origin: Any) -> bytes:
    t = rd.target
    return t.to_wire() if t.is_absolute() else name_wire(t, origin)


def _ds(rd: Any, origin: Any) -> bytes:
    return _HBB(rd.key_tag, rd.algorithm, rd.digest_type) + rd.digest


def _dnskey(rd: Any, origin: Any) -> bytes:
    return _HBB(rd.flags, rd.protocol, rd.algorithm) + rd.key


def _rrsig(rd: Any, origin: Any, signers: dict | None = None) -> bytes:
    s = rd.signer
    if signers is None:
        sw = s.to_wire() if s.is_absolute() else name_wire(s, origin)
    else:
        # A batch has few distinct signers: their wire form is cached by
        # label tuple (case kept: the labels are compared as written).
        sw = signers.get(s.labels)
        if sw is None:
            sw = signers[s.labels] = name_wire(s, origin)
    return (
        _RRSIG(rd.type_covered, rd.algorithm, rd.labels, rd.original_ttl,
               rd.expiration, rd.inception, rd.key_tag)
        + sw + rd.signature
    )


def _nsec(rd: Any, origin: Any) -> bytes:
    n = rd.next
    return (n.to_wire() if n.is_absolute() else name_wire(n, origin)) + _windows(rd.windows)


def _nsec3(rd: Any, origin: Any) -> bytes:
    return (
        _NSEC3(rd.algorithm, rd.flags, rd.iterations, len(rd.salt)) + rd.salt
        + bytes((len(rd.next),)) + rd.next + _windows(rd.windows)
    )


def _mx(rd: Any, origin: Any) -> bytes:
    x = rd.exchange
    return rd.preference.to_bytes(2, "big") + (x.to_wire() if x.is_absolute() else name_wire(x, origin))


def _srv(rd: Any, origin: Any) -> bytes:
    t = rd.target
    return _SRV(rd.priority, rd.weight, rd.port) + (t.to_wire() if t.is_absolute() else name_wire(t, origin))


def _txt(rd: Any, origin: Any) -> bytes:
    return b"".join(bytes((len(s),)) + s for s in rd.strings)


def _generic(rd: Any, origin: Any) -> bytes:
    return rd.to_wire(origin=origin)


#: rdtype -> encoder. Types not listed use ``rdata.to_wire()``.
ENCODERS: dict[int, Callable[[Any, Any], bytes]] = {
    1: _a, 28: _aaaa,
    2: _target, 5: _target, 12: _target, 39: _target,  # NS CNAME PTR DNAME
    43: _ds, 59: _ds,  # DS CDS
    48: _dnskey, 60: _dnskey,  # DNSKEY CDNSKEY
    46: _rrsig, 47: _nsec, 50: _nsec3, 16: _txt, 15: _mx, 33: _srv,
}


def rdata_wire(rd: Any, origin: Any = None) -> bytes:
    """Uncompressed wire RDATA of one dnspython rdata."""
    return ENCODERS.get(rd.rdtype, _generic)(rd, origin)


class WireBatch:
    """Accumulates RRsets and their RRSIGs as wire records plus counts.

    ``parts`` is joined into one buffer at the end; ``rr_counts[i]`` and
    ``sig_counts[i]`` say how many records of item ``i`` are the RRset and
    how many are its RRSIGs (the layout ``NativeVerifier.verify_wire``
    reads).
    """

    __slots__ = ("parts", "rr_counts", "sig_counts", "owners", "signers")

    def __init__(self) -> None:
        self.signers: dict[tuple, bytes] = {}
        self.parts: list[bytes] = []
        self.rr_counts = array("I")
        self.sig_counts = array("I")
        self.owners: list[bytes] = []

    def add(self, name: Any, rdataset: Any, signame: Any, sigset: Any, origin: Any) -> None:
        """One item: ``rdataset`` owned by ``name`` (either may be None for
        an item that is only RRSIGs), and ``sigset`` (RRSIG rdataset or
        None) owned by ``signame``."""
        parts = self.parts
        owner = name_wire(name if name is not None else signame, origin)
        n = 0
        if rdataset is not None:
            rdtype = rdataset.rdtype
            head = _RR(rdtype, rdataset.rdclass, rdataset.ttl, 0)[:8]
            enc = ENCODERS.get(rdtype, _generic)
            for rd in rdataset:
                w = enc(rd, origin)
                parts += (owner, head, len(w).to_bytes(2, "big"), w)
            n = len(rdataset)
        self.rr_counts.append(n)
        m = 0
        if sigset is not None:
            if signame is None or signame is name or (name is not None and signame.labels == name.labels):
                sowner = owner
            else:
                sowner = name_wire(signame, origin)
            if sigset.rdtype != RRSIG:
                raise TypeError(f"expected an RRSIG rdataset at {signame}, got type {sigset.rdtype}")
            head = _RR(RRSIG, sigset.rdclass, sigset.ttl, 0)[:8]
            signers = self.signers
            for rd in sigset:
                w = _rrsig(rd, origin, signers)
                parts += (sowner, head, len(w).to_bytes(2, "big"), w)
            m = len(sigset)
        self.sig_counts.append(m)
        self.owners.append(owner)

    def wire(self) -> bytes:
        return b"".join(self.parts)


def is_dns(obj: Any, module: str, cls: str) -> bool:
    """True when ``obj`` is a ``module.cls`` from dnspython (or a subclass),
    without importing dnspython."""
    return any(k.__module__ == module and k.__name__ == cls for k in type(obj).__mro__)


def as_name(x: Any, origin: Any = None) -> Any:
    """A dnspython name from a ``str`` (relative to ``origin``: ``None``
    keeps it relative unless it ends with a dot), or ``x`` itself."""
    if isinstance(x, str):
        import dns.name

        return dns.name.from_text(x, origin)
    return x


def split_rrset(obj: Any) -> tuple[Any, Any]:
    """(name, rdataset) of a dnspython RRset or of a (name, rdataset) tuple."""
    if obj is None:
        return None, None
    if isinstance(obj, tuple):
        if len(obj) != 2:
            raise TypeError(f"expected (name, rdataset), got a tuple of {len(obj)} items")
        name, rds = obj
        return as_name(name), rds
    name = getattr(obj, "name", None)
    if name is None or not hasattr(obj, "rdtype"):
        raise TypeError(f"expected a dns.rrset.RRset or a (name, rdataset) tuple, got {type(obj).__name__}")
    return name, obj


def node_items(name: Any, node: Any) -> Iterator[tuple[Any, Any, Any, Any]]:
    """The (name, rdataset, name, rrsig rdataset) items of one dnspython
    node: every RRset with the RRSIGs covering its type, then RRSIG
    rdatasets whose covered type is absent (items without an RRset)."""
    sigs = {}
    for rds in node.rdatasets:
        if rds.rdtype == RRSIG:
            sigs[rds.covers] = rds
    for rds in node.rdatasets:
        if rds.rdtype != RRSIG:
            yield name, rds, name, sigs.pop(rds.rdtype, None)
    for rds in sigs.values():
        yield None, None, name, rds


def zone_wire(zone: Any) -> bytes:
    """Every record of a dns.zone.Zone as absolute wire RRs, zone order."""
    origin = zone.origin
    parts: list[bytes] = []
    for name, node in zone.items():
        owner = name_wire(name, origin)
        for rds in node.rdatasets:
            head = _RR(rds.rdtype, rds.rdclass, rds.ttl, 0)[:8]
            enc = ENCODERS.get(rds.rdtype, _generic)
            for rd in rds:
                w = enc(rd, origin)
                parts += (owner, head, len(w).to_bytes(2, "big"), w)
    return b"".join(parts)
