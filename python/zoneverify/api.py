"""The public functions of zoneverify."""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING, Any, Iterable, Union

from . import _native
from ._policy import CHANGE_KINDS, Policy, algorithms, cache_policy, key_tags
from ._time import NowLike, parse_duration, parse_now
from ._wire import is_dns
from .report import Report

if TYPE_CHECKING:
    from .progress import Progress
    from .tsig import TsigKey

Source = Union[str, bytes, bytearray, memoryview, "os.PathLike[str]"]


def verify_zone(
    source: Source,
    origin: str | None = None,
    now: NowLike = None,
    jobs: int | None = None,
    allow_include: bool = False,
    allow_unsupported: bool = False,
    *,
    zone_checks: bool = True,
    signed_by: str = "every-algorithm",
    redundant_failures: str = "error",
    require_ksk: bool = False,
    require_zonemd: bool = False,
    trust_anchor: "str | os.PathLike[str] | None" = None,
    expire_within: "int | str | None" = None,
    inception_margin: "int | str | None" = None,
    warnings_as_errors: bool = False,
    filename: str | None = None,
    expect_keys: Iterable[int] = (),
    expect_signing_keys: Iterable[int] = (),
    forbid_keys: Iterable[int] = (),
    expect_algorithms: Iterable["int | str"] = (),
    forbid_algorithms: Iterable["int | str"] = (),
    prepublished_algorithms: Iterable["int | str"] = (),
    previous: "str | os.PathLike[str] | None" = None,
    unsigned: "str | os.PathLike[str] | None" = None,
    max_change: "float | None" = None,
    flag_changes: Iterable[str] = (),
    signer_adds_cds: bool = False,
    tsig: "str | TsigKey | os.PathLike[str] | None" = None,
    connect_timeout: float = 10.0,
    timeout: float = 900.0,
    fingerprint: bool = False,
    columns: bool = True,
    cache: "str | os.PathLike[str] | None" = None,
    cache_max_entries: int | None = None,
    progress: "Progress | None" = None,
    client: Any = None,
    parts: int | None = None,
    final_run: str = "here",
) -> Report:
    """Verifies every RRSIG of a signed zone and returns a :class:`Report`.

    Args:
        source: a path (``str`` without a newline, or ``os.PathLike``) to a
            zone file in RFC 1035 master format, the zone text itself
            (``bytes``, or a ``str`` that contains a newline), or a
            ``dns.zone.Zone`` (its records are handed over in wire form;
            findings then carry the record's position in the zone's
            iteration order in place of a line number).
        origin: the zone apex (and initial ``$ORIGIN``). Default: the owner
            of the SOA record (for a ``dns.zone.Zone``: its origin).
        now: verification time: ``None`` for the current time, UNIX
            seconds, a ``datetime``, or a string (``YYYYMMDDHHMMSS``, ISO
            8601, UNIX seconds). RRSIG windows use RFC 1982 arithmetic.
        jobs: worker threads (default: one per core).
        allow_include: honour ``$INCLUDE`` (off by default).
        allow_unsupported: let RRSIGs whose algorithm or key size cannot be
            verified count as passing in :attr:`Report.ok`. They are still
            reported as unsupported (as warnings), never as valid.
        zone_checks: run the zone-level checks (default). ``False`` checks
            the RRSIGs only, e.g. for RRset fragments; the report then says
            that the zone-level checks were not run.
        signed_by: ``"every-algorithm"`` (default; RFC 4035 §2.2: every
            authoritative RRset signed by each algorithm of the apex DNSKEY
            RRset) or ``"any"`` (one algorithm suffices).
        redundant_failures: ``"error"`` (default) or ``"warning"``: how to
            report a failing RRSIG when another RRSIG of the same algorithm
            validly signs the same RRset.
        require_ksk: the DNSKEY RRset must be signed by a SEP key without
            the REVOKE flag, of each algorithm.
        require_zonemd: a ZONEMD RRset must be present at the apex.
        trust_anchor: file with a DS RRset, a DNSKEY RRset or IANA's
            ``root-anchors.xml``; one anchor for the zone (the records'
            owner, the XML ``<Zone>``), in force at ``now`` (the XML
            ``validFrom``/``validUntil``), must match a DNSKEY that validly
            signs the DNSKEY RRset.
        expire_within: flag valid RRSIGs expiring within this duration of
            ``now`` (seconds, or ``"7d"``, ``"12h"``, ``"1w2d"``).
        inception_margin: flag valid RRSIGs whose inception is less than
            this duration before ``now``.
        warnings_as_errors: :attr:`Report.ok` is False on any warning too.
        filename: name used in messages when ``source`` is text (default
            ``"<text>"``).

    A ``source`` of the form ``axfr://HOST[:PORT]/ZONE`` (HOST a name, an
    IPv4 address or an IPv6 address in brackets) is transferred by AXFR and
    verified as it arrives; findings then carry the record's position in
    the transfer in place of a line number.

    Args:
        tsig: for ``axfr://``: a :class:`zoneverify.tsig.TsigKey`, a
            ``NAME:ALGORITHM:BASE64`` string, or the path of a key file in
            BIND's format. The secret never appears in reports or errors.
        connect_timeout: for ``axfr://``: seconds for the TCP connection.
        timeout: for ``axfr://``: seconds for the whole transfer.
        fingerprint: keep what the zone holds (serial, every RRset's
            records) so that copies can be compared:
            :meth:`Report.difference_from` (``--same-zone``).
        columns: keep every RRSIG's columns (default). ``False`` keeps the
            ``status`` and ``algorithm`` of every RRSIG and the other
            columns only of those that are not valid: the counts, ``ok``
            and every finding are the same, at less memory on a large zone
            (what ``zoneverify check`` does); the other columns then raise
            :class:`ValueError`.
        cache: a directory for the verified-signature cache (made if
            missing, owner-only): the public-key operations that succeed are
            stored there as digests, and the next run skips those it finds
            again; the validity window and every other check run in full.
            :attr:`Report.cache` says how many were reused and verified.
            One directory per zone (a run keeps only its own entries).
        progress: a :class:`zoneverify.progress.Progress` whose counters the
            run updates (bytes read, records, RRSIGs verified, phase), to be
            read from another thread; its ``cancel()`` stops the run with
            KeyboardInterrupt. Zone files only.
        cache_max_entries: with ``cache``: store at most this many entries
            (default 10,000,000).

    The publication gate (README "Publication gate"; each unmet
    expectation is an error finding with its own code):

    Args:
        expect_keys: key tags that must be in the apex DNSKEY RRset.
        expect_signing_keys: key tags that must also validly sign the
            DNSKEY RRset and, for a key without the SEP flag, every
            authoritative RRset.
        forbid_keys: key tags of which no DNSKEY and no RRSIG may remain.
        expect_algorithms / forbid_algorithms: algorithms (numbers or
            mnemonics) the apex DNSKEY RRset must (not) hold a key of.
        prepublished_algorithms: algorithms whose signatures are published
            before their key (RFC 6781 §4.1.4): while no key of the
            algorithm is in the DNSKEY RRset, its RRSIGs (``no-matching-key``,
            not verified) are warnings, and every authoritative RRset must
            carry one.
        previous: the zone file published before this one: the serial must
            increase; changes are reported in :attr:`Report.changes`.
        unsigned: the zone file that went into the signer: the signed zone
            must hold exactly its data (:attr:`Report.unsigned`).
        max_change: with ``previous``: the largest share, in percent of the
            previous zone, of delegations added, of delegations removed, and
            of data RRsets changed.
        flag_changes: with ``previous``: changes (``"dnskey"``, ``"cds"``,
            ``"ns"``, ``"ds"``) also reported as warning findings.
        signer_adds_cds: with ``unsigned``: the signer may add or change
            CDS and CDNSKEY records.
        client: a ``distributed.Client``: verify the file with a Dask
            cluster's help (:mod:`zoneverify.cluster`): the same report as
            without one, plus :attr:`Report.cluster`. Workers must read the
            file at the same path. A file of 64 MiB or more is split across
            the workers: each byte range parsed, verified and checked there,
            the parts joined here (or, where the parts cannot show this
            machine's report, their public-key operations reused by a run
            over the whole file: ``Report.cluster["not_in_parts"]`` says
            why); a smaller one is verified whole by one worker.
        parts: with ``client``: split the file into at least this many
            byte ranges, whatever its size (more where a range would be over
            256 MiB).
        final_run: with ``client``, for a split file that is not checked
            in parts: where the run over the whole file goes, ``"here"`` (this process: its cores, and
            ``progress`` shows it) or ``"worker"`` (one of the cluster's;
            this process only waits: for many large zones at once).

    Raises:
        ZoneParseError: the zone cannot be parsed (file, line, column, reason).
        OSError: the file cannot be read.
        ValueError: bad arguments (origin, now, jobs), or no apex can be
            found (no SOA and no ``origin``).

    Verification failures are not exceptions: they are in the report.

    >>> import zoneverify
    >>> r = zoneverify.verify_zone("examples/sample.zone", now="20270101000000")
    >>> r.ok, len(r), r.findings
    (True, 45, [])
    """
    t = parse_now(now)
    policy = build_policy(
        zone_checks=zone_checks, signed_by=signed_by, redundant_failures=redundant_failures, require_ksk=require_ksk,
        require_zonemd=require_zonemd, trust_anchor=trust_anchor, expire_within=expire_within,
        inception_margin=inception_margin, expect_keys=expect_keys, expect_signing_keys=expect_signing_keys,
        forbid_keys=forbid_keys, expect_algorithms=expect_algorithms, forbid_algorithms=forbid_algorithms,
        prepublished_algorithms=prepublished_algorithms, previous=previous, unsigned=unsigned, max_change=max_change,
        flag_changes=flag_changes, signer_adds_cds=signer_adds_cds, fingerprint=fingerprint, columns=columns,
        allow_unsupported=allow_unsupported, cache=cache, cache_max_entries=cache_max_entries)
    if jobs is not None:
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    is_file = isinstance(source, os.PathLike) or (
        isinstance(source, str) and not source.startswith("axfr://") and "\n" not in source and "\r" not in source)
    if progress is not None and not is_file:
        raise ValueError("progress is for zone files (not text, zones in memory or transfers)")
    if (client is not None or parts is not None) and not is_file:
        raise ValueError("client and parts are for zone files (not text, zones in memory or transfers)")
    if parts is not None and (client is None or isinstance(parts, bool) or not isinstance(parts, int) or parts < 1):
        raise ValueError(f"parts must be a positive integer, with client, got {parts!r}")
    if final_run != "here" and (client is None or final_run != "worker"):
        raise ValueError(f"final_run is 'here' or, with client, 'worker'; got {final_run!r}")
    if isinstance(source, str) and source.startswith("axfr://"):
        from .tsig import TsigKey, load_key_file, parse_tsig

        if origin is not None:
            raise ValueError("origin: an axfr:// source names its zone")
        key = None
        if isinstance(tsig, TsigKey):
            key = tsig
        elif isinstance(tsig, str) and tsig.count(":") == 2 and not os.path.exists(tsig):
            key = parse_tsig(tsig)
        elif tsig is not None:
            key = load_key_file(tsig)
        raw = _native.verify_axfr(source, key.as_native() if key else None, float(connect_timeout), float(timeout),
                                  t, jobs, policy)
    elif tsig is not None:
        raise ValueError("tsig is for axfr:// sources")
    elif is_dns(source, "dns.zone", "Zone"):
        from ._wire import zone_wire

        if origin is None:
            origin = source.origin.to_text()
        raw = _native.verify_wire_zone(zone_wire(source), filename or "<dns.zone.Zone>", origin, t, jobs, policy)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        raw = _native.verify_text(bytes(source), filename or "<text>", origin, t, jobs, allow_include, policy)
    elif isinstance(source, str) and ("\n" in source or "\r" in source):
        raw = _native.verify_text(
            source.encode("utf-8", "surrogateescape"), filename or "<text>", origin, t, jobs, allow_include, policy
        )
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if client is not None:
            from .cluster import verify_on_cluster

            raw = verify_on_cluster(client, path, origin, t, jobs, allow_include, dict(policy), parts, progress,
                                    final_run=final_run)
        else:
            raw = _native.verify_file(path, origin, t, jobs, allow_include, policy,
                                      None if progress is None else progress._native)
    else:
        raise TypeError(f"source must be a path, str, bytes or dns.zone.Zone, not {type(source).__name__}")
    return Report(raw, allow_unsupported=allow_unsupported, warnings_as_errors=warnings_as_errors)


def build_policy(
    *,
    zone_checks: bool = True,
    signed_by: str = "every-algorithm",
    redundant_failures: str = "error",
    require_ksk: bool = False,
    require_zonemd: bool = False,
    trust_anchor: "str | os.PathLike[str] | None" = None,
    expire_within: "int | str | None" = None,
    inception_margin: "int | str | None" = None,
    expect_keys: Iterable[int] = (),
    expect_signing_keys: Iterable[int] = (),
    forbid_keys: Iterable[int] = (),
    expect_algorithms: Iterable["int | str"] = (),
    forbid_algorithms: Iterable["int | str"] = (),
    prepublished_algorithms: Iterable["int | str"] = (),
    previous: "str | os.PathLike[str] | None" = None,
    unsigned: "str | os.PathLike[str] | None" = None,
    max_change: "float | None" = None,
    flag_changes: Iterable[str] = (),
    signer_adds_cds: bool = False,
    fingerprint: bool = False,
    columns: bool = True,
    allow_unsupported: bool = False,
    cache: "str | os.PathLike[str] | None" = None,
    cache_max_entries: int | None = None,
) -> Policy:
    """The core's policy dict from :func:`verify_zone`'s keyword arguments
    of the same names, checked (ValueError, or OSError for a file that
    cannot be read); also what ``zoneverify bench`` verifies with."""
    policy = _policy(zone_checks, signed_by, redundant_failures, require_ksk, require_zonemd, trust_anchor,
                     expire_within, inception_margin)
    policy.update(_gate_policy(expect_keys, expect_signing_keys, forbid_keys, expect_algorithms, forbid_algorithms,
                               prepublished_algorithms, previous, unsigned, max_change, flag_changes, signer_adds_cds))
    if fingerprint:
        policy["fingerprint"] = True
    if not columns:
        policy["columns"] = False
    if allow_unsupported:
        policy["allow_unsupported"] = True
    policy.update(cache_policy(cache, cache_max_entries))
    expecting = [k for k in ("expect_keys", "expect_signing_keys", "forbid_keys", "expect_algorithms",
                             "forbid_algorithms", "prepublished_algorithms") if k in policy]
    if expecting and not zone_checks:
        # An expectation is a zone-level check: never skip one silently.
        raise ValueError(f"{', '.join(expecting)} need the zone-level checks, which zone_checks=False "
                         "(--signatures-only) turns off")
    if max_change is not None and previous is None:
        raise ValueError("max_change needs previous (the zone to compare with)")
    if list(flag_changes or ()) and previous is None:
        raise ValueError("flag_changes needs previous (the zone to compare with)")
    if signer_adds_cds and unsigned is None:
        raise ValueError("signer_adds_cds needs unsigned (the signer's input)")
    return policy


def _policy(zone_checks, signed_by, redundant_failures, require_ksk, require_zonemd, trust_anchor,
            expire_within, inception_margin) -> Policy:
    if signed_by not in ("every-algorithm", "any"):
        raise ValueError(f"signed_by must be 'every-algorithm' or 'any', not {signed_by!r}")
    if redundant_failures not in ("error", "warning"):
        raise ValueError(f"redundant_failures must be 'error' or 'warning', not {redundant_failures!r}")
    p: Policy = {
        "zone_checks": bool(zone_checks),
        "every_algorithm": signed_by == "every-algorithm",
        "redundant_failures_warning": redundant_failures == "warning",
        "require_ksk": bool(require_ksk),
        "require_zonemd": bool(require_zonemd),
    }
    if expire_within is not None:
        p["expire_within"] = parse_duration(expire_within)
    if inception_margin is not None:
        p["inception_margin"] = parse_duration(inception_margin)
    if trust_anchor is not None:
        path = os.fspath(trust_anchor)
        with open(path, "rb") as f:
            p["trust_anchor"] = (f.read(), path)
    return p


def _gate_policy(expect_keys, expect_signing_keys, forbid_keys, expect_algorithms, forbid_algorithms,
                 prepublished_algorithms, previous, unsigned, max_change, flag_changes, signer_adds_cds) -> Policy:

    p: Policy = {}
    for key, value, convert in (
        ("expect_keys", expect_keys, key_tags),
        ("expect_signing_keys", expect_signing_keys, key_tags),
        ("forbid_keys", forbid_keys, key_tags),
        ("expect_algorithms", expect_algorithms, algorithms),
        ("forbid_algorithms", forbid_algorithms, algorithms),
        ("prepublished_algorithms", prepublished_algorithms, algorithms),
    ):
        items = list(value or ())
        if items:
            try:
                p[key] = convert(items)  # type: ignore[literal-required]
            except ValueError as e:
                raise ValueError(f"{key}: {e}") from None
    for key, path in (("previous", previous), ("unsigned", unsigned)):
        if path is not None:
            path = os.fspath(path)
            if not os.path.isfile(path):
                raise FileNotFoundError(errno.ENOENT, f"{key} zone file not found", path)
            p[key] = path  # type: ignore[literal-required]
    if max_change is not None:
        if isinstance(max_change, bool) or not isinstance(max_change, (int, float)) or not 0 <= max_change < float("inf"):
            raise ValueError(f"max_change must be a percentage of 0 or more, not {max_change!r}")
        p["max_change"] = float(max_change)
    kinds = list(flag_changes or ())
    for k in kinds:
        if k not in CHANGE_KINDS:
            raise ValueError(f"flag_changes: {k!r} is not one of {', '.join(CHANGE_KINDS)}")
    if kinds:
        p["flag_changes"] = kinds
    if signer_adds_cds:
        p["signer_adds_cds"] = True
    return p


def key_tag(dnskey: str | bytes) -> int:
    """Key tag (RFC 4034 Appendix B) of a DNSKEY.

    ``dnskey`` is a full record line (``example. 3600 IN DNSKEY 257 3 8 ...``),
    presentation RDATA (``257 3 8 AwEAA...``), or wire-format RDATA bytes.

    >>> key_tag("257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")
    3613
    """
    if isinstance(dnskey, (bytes, bytearray, memoryview)):
        return _native.key_tag(bytes(dnskey))
    text = dnskey.strip()
    for candidate in (text, ". 0 IN DNSKEY " + text):
        try:
            recs = _native.parse_records(candidate.encode(), "<dnskey>", ".", 0)
        except ValueError:
            continue
        if len(recs) == 1 and recs[0][1] in (48, 60, 25):  # DNSKEY, CDNSKEY, KEY
            return _native.key_tag(recs[0][4])
    raise ValueError(f"not a DNSKEY record or RDATA: {dnskey!r}")


def supported_algorithms() -> frozenset[int]:
    """DNSSEC algorithm numbers whose signatures this build verifies."""
    return frozenset(_native.supported_algorithms())
