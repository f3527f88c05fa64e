"""Policy files: every check option of ``zoneverify check`` in one TOML file.

A pipeline keeps one file per zone and per rollover stage::

    # stage 3 of an RSASHA256 -> ECDSAP256SHA256 rollover: both published
    expect_algorithms = ["RSASHA256", "ECDSAP256SHA256"]
    expect_signing_keys = [30441, 11012]
    require_ksk = true
    max_change = 2.5

The keys are the keyword arguments of :func:`zoneverify.verify_zone`
(:data:`KEYS`), so ``verify_zone(zone, **load_policy("stage3.toml"))``
runs the same checks as ``zoneverify check --policy stage3.toml zone``;
command-line flags override the file. Paths in the file (``trust_anchor``)
are relative to the file's folder. The zone files of one run
(``previous``, ``unsigned``) are not policy: they are given per run.

An unknown key, a value of the wrong type or a file that is not TOML is a
:class:`PolicyFileError` naming the file, the line and the key (the CLI
exits 2 with that message).
"""

from __future__ import annotations

import os
import re
import tomllib
from typing import Any, Callable

from ._policy import CHANGE_KINDS, algorithms, key_tags
from ._time import parse_duration

__all__ = ["KEYS", "PolicyFileError", "load_policy"]


class PolicyFileError(ValueError):
    """A policy file that cannot be used: where and why."""

    def __init__(self, path: str, line: int, key: str | None, reason: str) -> None:
        self.path, self.line, self.key, self.reason = path, line, key, reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key + ': ' if key else ''}{reason}")


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, not {v!r}")
    return v


def _choice(*allowed: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v not in allowed:
            raise ValueError(f"expected one of {', '.join(repr(a) for a in allowed)}, not {v!r}")
        return v

    return check


def _duration(v: Any) -> int | str:
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise ValueError(f"expected seconds or a duration such as \"7d\", not {v!r}")
    parse_duration(v)  # raises ValueError with the reason
    return v


def _percent(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < float("inf"):
        raise ValueError(f"expected a percentage (a number of 0 or more), not {v!r}")
    return float(v)


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(f"expected a string, not {v!r}")
    return v


def _change_kinds(v: Any) -> list[str]:
    items = v if isinstance(v, list) else [v]
    for k in items:
        if k not in CHANGE_KINDS:
            raise ValueError(f"expected a list of {', '.join(CHANGE_KINDS)}, not {k!r}")
    return list(items)


#: Every key a policy file may hold, with its check (the keyword arguments
#: of ``verify_zone`` that are policy).
KEYS: dict[str, Callable[[Any], Any]] = {
    "origin": _str,
    "zone_checks": _bool,
    "signed_by": _choice("every-algorithm", "any"),
    "redundant_failures": _choice("error", "warning"),
    "require_ksk": _bool,
    "require_zonemd": _bool,
    "trust_anchor": _str,
    "expire_within": _duration,
    "inception_margin": _duration,
    "warnings_as_errors": _bool,
    "allow_unsupported": _bool,
    "allow_include": _bool,
    "expect_keys": key_tags,
    "expect_signing_keys": key_tags,
    "forbid_keys": key_tags,
    "expect_algorithms": algorithms,
    "forbid_algorithms": algorithms,
    "prepublished_algorithms": algorithms,
    "max_change": _percent,
    "flag_changes": _change_kinds,
    "signer_adds_cds": _bool,
}


def _line_of(text: str, key: str) -> int:
    """The line of ``key = ...`` in the file (0 when not found)."""
    k = re.escape(key)
    pat = re.compile(rf'^\s*(?:(?:{k}|"{k}"|\'{k}\')\s*=|\[\s*(?:{k}|"{k}")\s*\])')
    for i, line in enumerate(text.splitlines(), 1):
        if pat.match(line):
            return i
    return 0


def load_policy(path: "str | os.PathLike[str]") -> dict[str, Any]:
    """Reads a policy file; returns keyword arguments for ``verify_zone``.

    Raises :class:`PolicyFileError` (a ``ValueError``) naming the file, the
    line and the key; ``OSError`` when the file cannot be read.
    """
    name = os.fspath(path)
    with open(name, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PolicyFileError(name, 0, None, f"not UTF-8 text: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise PolicyFileError(name, int(m.group(1)) if m else 0, None, f"not valid TOML: {reason}") from None
    out: dict[str, Any] = {}
    for key, value in data.items():
        line = _line_of(text, key)
        check = KEYS.get(key)
        if check is None:
            hint = f" (did you mean {key.replace('-', '_')!r}?)" if key.replace("-", "_") in KEYS else ""
            raise PolicyFileError(name, line, key, f"unknown key{hint}; known keys: {', '.join(KEYS)}")
        try:
            out[key] = check(value)
        except ValueError as e:
            raise PolicyFileError(name, line, key, str(e)) from None
    if "trust_anchor" in out and not os.path.isabs(out["trust_anchor"]):
        out["trust_anchor"] = os.path.join(os.path.dirname(name) or ".", out["trust_anchor"])
    return out
