"""Verification time: one explicit argument, several spellings; durations."""

from __future__ import annotations

import datetime as _dt
import re
import time as _time
from typing import Union

NowLike = Union[None, int, float, str, _dt.datetime]

_RRSIG_FORM = re.compile(r"^\d{14}$")


def parse_now(now: NowLike) -> int:
    """Returns the verification time as whole UNIX seconds.

    Accepts ``None`` (the current time), an ``int``/``float`` of UNIX
    seconds, a :class:`datetime.datetime` (naive means UTC), or a string:
    RRSIG style ``YYYYMMDDHHMMSS`` (UTC), decimal UNIX seconds, or ISO 8601
    (``2026-06-01T00:00:00Z``; without an offset it is read as UTC).

    >>> parse_now("20170827000000")
    1503792000
    >>> parse_now("2017-08-27T00:00:00Z")
    1503792000
    >>> parse_now("1503792000")
    1503792000
    """
    if now is None:
        return int(_time.time())
    if isinstance(now, bool):
        raise TypeError("now must be a time, not a bool")
    if isinstance(now, (int, float)):
        if now != now or now < 0:
            raise ValueError(f"now must be a non-negative UNIX time, got {now!r}")
        return int(now)
    if isinstance(now, _dt.datetime):
        return _from_datetime(now)
    if isinstance(now, str):
        s = now.strip()
        if _RRSIG_FORM.match(s):
            try:
                d = _dt.datetime.strptime(s, "%Y%m%d%H%M%S")
            except ValueError:
                raise ValueError(f"bad time {now!r}: not a valid YYYYMMDDHHMMSS date") from None
            return _from_datetime(d)
        if s.isdigit():
            return int(s)
        try:
            d = _dt.datetime.fromisoformat(s.replace("z", "Z"))
        except ValueError:
            raise ValueError(
                f"bad time {now!r}: use YYYYMMDDHHMMSS, ISO 8601 (2026-06-01T00:00:00Z) or UNIX seconds"
            ) from None
        return _from_datetime(d)
    raise TypeError(f"now must be None, int, float, str or datetime, not {type(now).__name__}")


def _from_datetime(d: _dt.datetime) -> int:
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    t = int(d.timestamp())
    if t < 0:
        raise ValueError(f"time {d.isoformat()} is before 1970")
    return t


def format_time(t: int) -> str:
    """``YYYYMMDDHHMMSS`` in UTC for UNIX seconds."""
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y%m%d%H%M%S")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: "int | str") -> int:
    """Seconds for a duration: an int, or a string of digits with optional
    units s, m, h, d, w (``"7d"``, ``"1w2d"``, ``"3600"``).

    >>> parse_duration("1w2d")
    777600
    """
    if isinstance(value, bool):
        raise TypeError("a duration is not a bool")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"negative duration {value}")
        return value
    text = str(value).strip().lower()
    if text.isdigit():
        return int(text)
    total, num = 0, ""
    for ch in text:
        if ch.isdigit():
            num += ch
        elif ch in _UNITS and num:
            total += int(num) * _UNITS[ch]
            num = ""
        else:
            raise ValueError(f"bad duration {value!r}: use seconds or units s, m, h, d, w (e.g. 7d, 1w2d)")
    if num:
        raise ValueError(f"bad duration {value!r}: a number without a unit at the end")
    return total
