"""Batches of in-memory RRsets verified against one DNSKEY set.

For tools that already hold the records (they build, sign or transfer
zones with dnspython or their own code): no zone file, no Python work per
signature. A :class:`Verifier` parses the DNSKEY RRset once; each call
hands a whole batch to the Rust core, which canonicalises and verifies
every RRSIG on all cores with the GIL released, and returns a
:class:`BatchResult` of numpy columns.

Three ways in, from most convenient to cheapest:

- :meth:`Verifier.verify`: dnspython objects ((rrset, rrsigset) pairs, a
  ``dns.zone.Zone``, or (name, node) pairs);
- :meth:`Verifier.verify_wire`: uncompressed wire RRs in one buffer plus
  per-item counts;
- :meth:`Verifier.verify_raw`: signed data already in RFC 4034 §3.1.8.1
  form and signatures, each one buffer plus numpy offsets (zero copy).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Iterable, NamedTuple, Sequence

import numpy as np

from . import _native, _wire
from ._policy import cache_policy
from ._status import Status
from ._time import NowLike, parse_now


class KeyInfo(NamedTuple):
    """One DNSKEY of a :class:`Verifier`, in the order given."""

    key_tag: int
    algorithm: int
    flags: int
    #: Key size in bits, or None when the key cannot be used.
    bits: int | None
    #: Why the key cannot be used (unsupported algorithm, malformed...), or None.
    problem: str | None
    #: The DNSKEY RDATA in wire form.
    rdata: bytes


@dataclass(frozen=True)
class Failure:
    """One RRSIG that is not valid."""

    item: int
    row: int
    status: Status
    key_tag: int
    algorithm: int
    reason: str


class BatchResult:
    """Verdicts of one batch: numpy columns per RRSIG and per RRset.

    Per RRSIG (one row each, in input order): ``item`` (index of the RRset
    in the batch), ``type_covered``, ``algorithm``, ``key_tag``,
    ``inception``, ``expiration`` (RRSIG fields, UNIX seconds mod 2**32)
    and ``status`` (a :class:`Status` value).

    Per RRset (one entry per batch item): ``rrset_status`` is
    :attr:`Status.VALID` when the RRset has RRSIGs and every one of them is
    valid, :attr:`Status.NO_RRSIG` when it has none,
    :attr:`Status.NOT_AUTHORITATIVE` when it has none and must have none
    (an NS RRset at a delegation point of the batch, glue, data below a
    zone cut or DNAME of the batch: RFC 4035 §2.2), and otherwise the
    status of its first RRSIG that is not valid; ``rrset_rrsigs`` counts
    its RRSIGs.

    >>> import numpy as np
    >>> r = BatchResult._from_native({"item": np.array([0, 0], np.uint32),
    ...     "type_covered": np.array([1, 1], np.uint16), "algorithm": np.array([13, 13], np.uint8),
    ...     "key_tag": np.array([1, 2], np.uint16), "inception": np.zeros(2, np.uint32),
    ...     "expiration": np.zeros(2, np.uint32), "status": np.array([0, 1], np.uint8),
    ...     "reasons": [(1, "signature does not verify")], "rrset_status": np.array([1], np.uint8),
    ...     "rrset_rrsigs": np.array([2], np.uint32), "threads": 1, "timings": {}}, 0)
    >>> r.ok, len(r), r.rrsets
    (False, 2, 1)
    >>> r.failures()[0].status.code
    'bad-signature'
    """

    def __init__(self) -> None:
        raise TypeError("BatchResult objects come from Verifier.verify*()")

    @classmethod
    def _from_native(cls, raw: dict[str, Any], now: int, owners: Sequence[bytes] | None = None) -> "BatchResult":
        self = object.__new__(cls)
        self.item = raw["item"]
        self.type_covered = raw["type_covered"]
        self.algorithm = raw["algorithm"]
        self.key_tag = raw["key_tag"]
        self.inception = raw["inception"]
        self.expiration = raw["expiration"]
        self.status = raw["status"]
        self.rrset_status = raw["rrset_status"]
        self.rrset_rrsigs = raw["rrset_rrsigs"]
        self.threads: int = raw["threads"]
        self.now = now
        #: Seconds by phase: ``encode`` (Python: dnspython objects to wire),
        #: ``split`` and ``verify`` (Rust), ``total`` (the whole call), and
        #: ``detached_start``/``detached_end`` (UNIX times between which the
        #: GIL was released).
        self.timings: dict[str, float] = dict(raw["timings"])
        self._reasons: dict[int, str] = dict(raw["reasons"])
        self._owners = owners
        return self

    def __len__(self) -> int:
        return int(self.status.shape[0])

    def __repr__(self) -> str:
        return f"<BatchResult rrsets={self.rrsets} rrsigs={len(self)} ok={self.ok}>"

    @property
    def rrsets(self) -> int:
        """Number of items (RRsets) in the batch."""
        return int(self.rrset_status.shape[0])

    @property
    def ok(self) -> bool:
        """True when every RRset that must be signed has RRSIGs and all of
        them are valid, and at least one RRSIG was verified. RRsets that
        must not be signed (:attr:`Status.NOT_AUTHORITATIVE`: delegation NS
        RRsets, glue) do not make a batch fail."""
        st = self.rrset_status
        return (bool(np.any(st == Status.VALID))
                and bool(np.all((st == Status.VALID) | (st == Status.NOT_AUTHORITATIVE))))

    def reason(self, row: int) -> str | None:
        """Why RRSIG ``row`` is not valid (None when it is)."""
        return self._reasons.get(row)

    def owner(self, item: int) -> str:
        """Owner name of batch item ``item`` (batches given to :meth:`Verifier.verify`)."""
        if self._owners is None:
            raise ValueError("owner names are known only for verify() batches (dnspython objects)")
        import dns.name  # owners are known only for batches of dnspython objects

        return dns.name.from_wire(self._owners[item], 0)[0].to_text()

    def failures(self) -> list[Failure]:
        """Every RRSIG that is not valid, in input order."""
        out = []
        for row in np.flatnonzero(self.status != Status.VALID):
            row = int(row)
            out.append(Failure(int(self.item[row]), row, Status(int(self.status[row])),
                               int(self.key_tag[row]), int(self.algorithm[row]),
                               self._reasons.get(row, "")))
        return out

    @property
    def counts(self) -> dict[str, Any]:
        """``{"rrsets": n, "rrsigs": n, "by_status": {code: n}, "rrsets_by_status": {code: n}}``."""
        def tally(col: np.ndarray) -> dict[str, int]:
            codes, n = np.unique(col, return_counts=True)
            return {Status(int(c)).code: int(k) for c, k in zip(codes, n)}

        return {"rrsets": self.rrsets, "rrsigs": len(self), "by_status": tally(self.status),
                "rrsets_by_status": tally(self.rrset_status)}


def _origin_text(origin: Any) -> str | None:
    if origin is None:
        return None
    return origin if isinstance(origin, str) else origin.to_text()


_is_dns = _wire.is_dns


def _as_name(x: Any) -> Any:
    import dns.name

    return _wire.as_name(x, dns.name.root)


class Verifier:
    """Verifies batches of RRSIGs made by one zone's DNSKEYs.

    Args:
        dnskeys: the zone's DNSKEY RRset, as a ``dns.rrset.RRset``, a
            ``dns.rdataset.Rdataset``, a ``dns.node.Node`` or a
            ``dns.zone.Zone`` (its apex DNSKEYs), a one-entry dict ``{zone
            name: any of these}`` (the ``keys`` of ``dns.dnssec.validate``), an iterable of DNSKEY
            rdata objects, zone-file text (``str``; the DNSKEY records owned
            by ``origin`` are used, other records ignored), or wire-format
            DNSKEY RRs (``bytes``-like, as ``rrset.to_wire(file)`` writes them).
        origin: the zone (``str`` or ``dns.name.Name``): every RRSIG's
            signer must be this name and every owner at or below it. Taken
            from the keys' owner when they have one.
        now: verification time for every call (``None``: the time of each
            call); see :func:`zoneverify.verify_zone`.
        jobs: worker threads (default: one per core).
        cache: a directory for the verified-signature cache (made if
            missing), as ``zoneverify check --cache``: a signature whose
            exact public-key operation succeeded before (same DNSKEY, signed
            data and signature) is not verified again; its validity window
            and every other check still are. The entries of this
            verifier's successes are written by :meth:`save_cache` (and at
            the end of a ``with`` block), and reused from then on, by this
            verifier and by later ones; :attr:`cache_stats` counts what
            was reused and verified. Opening the cache reads its file once.
        cache_max_entries: with ``cache``: keep and store at most this many
            entries (default 10,000,000: 320 MB on disk).

    Each DNSKEY is parsed once. A Verifier is immutable and thread-safe:
    several Python threads may call it at once, and the GIL is released
    while Rust verifies.

    >>> import dns.rrset
    >>> keys = dns.rrset.from_text("example.net.", 3600, "IN", "DNSKEY",  # RFC 6605 §6.1
    ...     "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb"
    ...     "krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")
    >>> v = Verifier(keys)
    >>> v.origin, [(k.key_tag, k.algorithm) for k in v.keys]
    ('example.net.', [(55648, 13)])
    """

    def __init__(self, dnskeys: Any, origin: Any = None, now: NowLike = None, jobs: int | None = None,
                 cache: "str | os.PathLike[str] | None" = None, cache_max_entries: int | None = None) -> None:
        self._now = None if now is None else parse_now(now)
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
            raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
        cache_opts = cache_policy(cache, cache_max_entries)
        origin_text = _origin_text(origin)
        if origin_text is not None and not origin_text.endswith("."):
            origin_text += "."
        self._native = self._make(dnskeys, origin_text, jobs)
        self._origin_name = None
        self._cache = None if cache is None else _native.NativeCache(cache_opts["cache"],
                                                                     cache_opts.get("cache_max_entries"))

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *exc: Any) -> None:
        # The entries are of successes whatever stopped the block.
        if self._cache is not None:
            self.save_cache()

    def save_cache(self) -> dict[str, Any]:
        """Writes the verified-signature cache: an entry for every
        signature this verifier found good (reused or verified) since it
        was made, at most ``cache_max_entries``; entries of the file it
        read that were not used are dropped. Atomic (a temporary file
        renamed into place). This verifier's later calls reuse the
        entries written (a call already running uses those it began
        with). Returns what :attr:`cache_stats` says, with
        ``stored`` (entries written) and ``save_seconds``; a file that
        could not be written is a warning there, not an exception.
        Raises ValueError without a cache."""
        if self._cache is None:
            raise ValueError("this Verifier has no cache (Verifier(..., cache=DIR))")
        return dict(self._cache.save())

    @property
    def cache_stats(self) -> dict[str, Any] | None:
        """With ``cache``: ``loaded`` (the entries it reuses: read when
        the verifier was made, or written by the last save), ``reused`` (public-key operations skipped) and ``verified``
        (done) over every call so far, ``warnings`` (a cache file ignored),
        ``load_seconds``; ``None`` without a cache."""
        return None if self._cache is None else dict(self._cache.stats())

    @staticmethod
    def _make(dnskeys: Any, origin: str | None, jobs: int | None) -> Any:
        if isinstance(dnskeys, str):
            return _native.NativeVerifier.from_text(dnskeys.encode(), "<dnskeys>", origin, jobs)
        if isinstance(dnskeys, (bytes, bytearray, memoryview)):
            return _native.NativeVerifier.from_wire(bytes(dnskeys), origin, jobs)
        name = None
        rdataset: Any = None
        if isinstance(dnskeys, dict):
            # The keys argument of dns.dnssec.validate: {signer name: keys}.
            if len(dnskeys) != 1:
                raise ValueError(f"a dict of keys must have exactly one signer (the verifier's zone), "
                                 f"not {len(dnskeys)}: use one Verifier per zone")
            (kname, kval), = dnskeys.items()
            kname = _as_name(kname)
            if origin is None:
                origin = kname.to_text()
            elif kname.to_text().lower() != origin.lower():
                raise ValueError(f"the dict's signer {kname} is not the origin {origin}")
            dnskeys = kval
        if _is_dns(dnskeys, "dns.zone", "Zone"):
            name = dnskeys.origin
            rdataset = dnskeys.get_rdataset(dnskeys.origin, "DNSKEY")
            if rdataset is None:
                raise ValueError(f"the zone {name} has no DNSKEY RRset at its apex")
        elif _is_dns(dnskeys, "dns.node", "Node"):
            rdataset = dnskeys.get_rdataset(1, _wire.DNSKEY)
            if rdataset is None:
                raise ValueError("the node has no DNSKEY RRset")
        elif _is_dns(dnskeys, "dns.rrset", "RRset"):
            name = dnskeys.name
            rdataset = dnskeys
        elif _is_dns(dnskeys, "dns.rdataset", "Rdataset"):
            rdataset = dnskeys
        elif isinstance(dnskeys, Iterable):
            rdataset = list(dnskeys)
        else:
            raise TypeError(f"dnskeys must be dnspython DNSKEYs, zone text or wire bytes, not {type(dnskeys).__name__}")
        if origin is None:
            if name is None or not name.is_absolute():
                raise ValueError("origin is required: the DNSKEYs given do not say which zone they belong to")
            origin = name.to_text()
        elif name is not None and name.is_absolute() and name.to_text().lower() != origin.lower():
            raise ValueError(f"the DNSKEY owner {name} is not the origin {origin}")
        rdatas = []
        for rd in rdataset:
            if getattr(rd, "rdtype", None) != _wire.DNSKEY:
                raise TypeError(f"expected DNSKEY records, got {rd!r}")
            rdatas.append(_wire.rdata_wire(rd))
        return _native.NativeVerifier.from_rdatas(origin, rdatas, jobs)

    @property
    def origin(self) -> str:
        """The zone whose RRSIGs this verifier checks."""
        return self._native.origin

    @property
    def keys(self) -> list[KeyInfo]:
        """The DNSKEYs, in the order given."""
        return [KeyInfo(*k) for k in self._native.keys]

    @property
    def threads(self) -> int:
        """Worker threads of this verifier."""
        return self._native.threads

    def _time(self, now: NowLike) -> int:
        if now is not None:
            return parse_now(now)
        return self._now if self._now is not None else int(time.time())

    def _dns_origin(self) -> Any:
        if self._origin_name is None:
            import dns.name

            self._origin_name = dns.name.from_text(self.origin)
        return self._origin_name

    def verify(self, batch: Any, *, origin: Any = None, now: NowLike = None) -> BatchResult:
        """Verifies every RRSIG of a batch of dnspython objects.

        Args:
            batch: an iterable of ``(rrset, rrsigset)`` pairs, each an
                ``RRset`` or a ``(name, rdataset)`` tuple (``rrsigset`` may
                be None: the RRset is then reported as NO_RRSIG); or a
                ``dns.zone.Zone``; or an iterable of ``(name, node)`` pairs
                such as ``zone.items()``. For zones and nodes every RRset
                is an item, paired with the RRSIGs covering its type, and
                RRSIGs whose covered type is absent are items of their own.
            origin: makes relative names absolute (default: the zone's
                origin for a Zone, else the verifier's origin).
            now: verification time for this call.

        Returns a :class:`BatchResult`; item ``i`` is the ``i``-th pair.
        Verification outcomes are never exceptions. This path checks RRSIGs
        only; for zone-level checks (NSEC chains, completeness...) use
        :func:`zoneverify.verify_zone`, which also accepts a Zone.

        >>> import dns.rrset
        >>> keys = dns.rrset.from_text("example.net.", 3600, "IN", "DNSKEY",  # RFC 6605 §6.1
        ...     "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb"
        ...     "krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")
        >>> a = dns.rrset.from_text("www.example.net.", 300, "IN", "A", "192.0.2.1")
        >>> r = Verifier(keys).verify([(a, None)])
        >>> r.ok, Status(int(r.rrset_status[0])).code
        (False, 'no-rrsig')
        """
        t0 = time.perf_counter()
        when = self._time(now)
        if _is_dns(batch, "dns.zone", "Zone"):
            dorigin = batch.origin if origin is None else _as_name(origin)
            items: Iterable[Any] = batch.items()
            nodes = True
        else:
            dorigin = self._dns_origin() if origin is None else _as_name(origin)
            items = batch
            nodes = None
        wb = _wire.WireBatch()
        add = wb.add
        for pos, x in enumerate(items):
            try:
                a, b = x
            except (TypeError, ValueError):
                raise TypeError(f"batch item {pos}: expected an (rrset, rrsigset) or (name, node) pair, "
                                f"got {type(x).__name__}") from None
            if nodes is None:
                nodes = _is_dns(b, "dns.node", "Node")
            if nodes:
                if not _is_dns(b, "dns.node", "Node"):
                    raise TypeError(f"batch item {pos}: expected a (name, node) pair like the items before it")
                name = _as_name(a)
                for n, rds, sn, sigs in _wire.node_items(name, b):
                    add(n, rds, sn, sigs, dorigin)
            else:
                try:
                    name, rds = _wire.split_rrset(a)
                    sname, sigs = _wire.split_rrset(b)
                except TypeError as e:
                    raise TypeError(f"batch item {pos}: {e}") from None
                if name is None and sname is None:
                    raise TypeError(f"batch item {pos}: both the RRset and the RRSIG set are None")
                try:
                    add(name, rds, sname, sigs, dorigin)
                except (TypeError, ValueError) as e:
                    raise type(e)(f"batch item {pos}: {e}") from None
        wire = wb.wire()
        t1 = time.perf_counter()
        raw = self._native.verify_wire(wire, _u32(wb.rr_counts), _u32(wb.sig_counts), when, self._cache)
        res = BatchResult._from_native(raw, when, wb.owners)
        res.timings["encode"] = t1 - t0
        res.timings["total"] = time.perf_counter() - t0
        return res

    def verify_wire(self, wire: Any, rr_counts: Any, sig_counts: Any, *, now: NowLike = None) -> BatchResult:
        """Verifies RRsets given as uncompressed DNS wire records.

        ``wire`` (any contiguous bytes-like object, read without copying)
        holds, for each item ``i`` in turn, ``rr_counts[i]`` RRs of one
        RRset and then ``sig_counts[i]`` RRSIG RRs covering it, each RR as
        RFC 1035 §4.1.3 lays it out (owner, type, class, TTL, RDLENGTH,
        RDATA) with absolute, uncompressed names. The core puts the RRset
        in canonical form itself. Counts are uint32 arrays.

        Raises ValueError when the buffer cannot be split into records or
        the counts do not add up.
        """
        t0 = time.perf_counter()
        when = self._time(now)
        rc = _ints(rr_counts, np.uint32, "rr_counts")
        sc = _ints(sig_counts, np.uint32, "sig_counts")
        raw = self._native.verify_wire(wire, rc, sc, when, self._cache)
        res = BatchResult._from_native(raw, when, None)
        res.timings["total"] = time.perf_counter() - t0
        return res

    def verify_raw(self, signed_data: Any, data_offsets: Any, signatures: Any, sig_offsets: Any,
                   key_index: Any = None, algorithm: Any = None, *, now: NowLike = None) -> BatchResult:
        """Verifies signatures over data the caller has canonicalised.

        The lowest-overhead path. Item ``i`` is the signed data
        ``signed_data[data_offsets[i]:data_offsets[i+1]]`` in RFC 4034
        §3.1.8.1 form (the RRSIG RDATA without its signature, signer name
        in canonical form, then the RRset's RRs in canonical form and
        order) and the signature ``signatures[sig_offsets[i]:sig_offsets[i+1]]``.
        Offsets are int64 arrays of length ``n + 1`` whose last entry is
        the buffer's length (a missing end offset is an error, not a
        silently dropped item). Buffers are any
        contiguous bytes-like object (``bytes``, ``memoryview``, numpy
        ``uint8``) and are read in place, without copying; they must not be
        modified while the call runs.

        The RRSIG fields (algorithm, key tag, validity window, signer,
        labels) are read from the head of each signed data, the owner from
        its first RR, and checked as for any RRSIG. ``key_index`` (int64
        per item, optional) names the key of :attr:`keys` to try, ``-1``
        meaning "every key with the RRSIG's key tag and algorithm";
        ``algorithm`` (uint8 per item, optional) must agree with the
        RRSIG's algorithm field (a mismatch is MALFORMED).

        Each item is its own RRset in the result (``rrset_status`` equals
        ``status``).
        """
        t0 = time.perf_counter()
        when = self._time(now)
        doff = _ints(data_offsets, np.int64, "data_offsets")
        soff = _ints(sig_offsets, np.int64, "sig_offsets")
        ki = None if key_index is None else _ints(key_index, np.int64, "key_index")
        al = None if algorithm is None else _ints(algorithm, np.uint8, "algorithm")
        raw = self._native.verify_raw(signed_data, doff, signatures, soff, ki, al, when, self._cache)
        res = BatchResult._from_native(raw, when, None)
        res.timings["total"] = time.perf_counter() - t0
        return res


def _ints(x: Any, dtype: Any, what: str) -> np.ndarray:
    """A contiguous integer array of ``dtype``; no copy when ``x`` already
    is one. Refuses non-integer input (floats would be truncated silently)
    and values the dtype cannot hold."""
    a = np.asarray(x)
    if a.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional, not of shape {a.shape}")
    if a.size and a.dtype.kind not in "iu":
        raise TypeError(f"{what} must hold integers, not {a.dtype}")
    if a.dtype != dtype:
        info = np.iinfo(dtype)
        if a.size and (a.min() < info.min or a.max() > info.max):
            raise ValueError(f"{what} has values outside {np.dtype(dtype).name}")
    return np.ascontiguousarray(a, dtype=dtype)


def _u32(a: Any) -> np.ndarray:
    # An empty array.array has no aligned buffer; numpy's empty arrays do.
    return np.frombuffer(a, dtype=np.uint32) if len(a) else np.zeros(0, np.uint32)
