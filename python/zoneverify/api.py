"""The public functions of zoneverify."""

from __future__ import annotations

import errno
import os
from typing import Union

from . import _native
from ._time import NowLike, parse_now
from .report import Report

Source = Union[str, bytes, bytearray, memoryview, "os.PathLike[str]"]


def verify_zone(
    source: Source,
    origin: str | None = None,
    now: NowLike = None,
    jobs: int | None = None,
    allow_include: bool = False,
    allow_unsupported: bool = False,
) -> Report:
    """Verifies every RRSIG of a signed zone and returns a :class:`Report`.

    Args:
        source: a path (``str`` without a newline, or ``os.PathLike``) to a
            zone file in RFC 1035 master format, or the zone text itself
            (``bytes``, or a ``str`` that contains a newline).
        origin: the zone apex (and initial ``$ORIGIN``). Default: the owner
            of the SOA record.
        now: verification time: ``None`` for the current time, UNIX
            seconds, a ``datetime``, or a string (``YYYYMMDDHHMMSS``, ISO
            8601, UNIX seconds). RRSIG windows use RFC 1982 arithmetic.
        jobs: worker threads (default: one per core).
        allow_include: honour ``$INCLUDE`` (off by default).
        allow_unsupported: let RRSIGs whose algorithm or key size cannot be
            verified count as passing in :attr:`Report.ok`. They are still
            reported as unsupported, never as valid.

    Raises:
        ZoneParseError: the zone cannot be parsed (file, line, column, reason).
        OSError: the file cannot be read.
        ValueError: bad arguments (origin, now, jobs), or no apex can be
            found (no SOA and no ``origin``).

    Verification failures are not exceptions: they are in the report.

    >>> import zoneverify
    >>> r = zoneverify.verify_zone("examples/sample.zone", now="20270101000000")  # doctest: +SKIP
    >>> r.ok, len(r), r.findings  # doctest: +SKIP
    (True, 160, [])
    """
    t = parse_now(now)
    if jobs is not None:
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = _native.verify_text(bytes(source), "<text>", origin, t, jobs, allow_include)
    elif isinstance(source, str) and ("\n" in source or "\r" in source):
        raw = _native.verify_text(source.encode("utf-8", "surrogateescape"), "<text>", origin, t, jobs, allow_include)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        raw = _native.verify_file(path, origin, t, jobs, allow_include)
    else:
        raise TypeError(f"source must be a path, str or bytes, not {type(source).__name__}")
    return Report(raw, allow_unsupported=allow_unsupported)


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
