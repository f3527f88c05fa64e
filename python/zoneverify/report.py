"""The result of a verification: per-RRSIG numpy columns, findings, counts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np

from . import _native
from ._status import Status
from ._time import format_time


@dataclass(frozen=True)
class Finding:
    """One RRSIG that is not valid, with the reason.

    ``type`` is the mnemonic of the type the RRSIG covers; ``line`` and
    ``file`` say where the RRSIG record is in the zone file.
    """

    owner: str
    type: str
    key_tag: int
    algorithm: int
    status: Status
    code: str
    reason: str
    line: int
    file: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.name
        return d

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.owner} RRSIG {self.type} "
            f"alg {self.algorithm} tag {self.key_tag}: {self.code}: {self.reason}"
        )


class Report:
    """Verification result of one zone.

    One row per RRSIG, in zone-file order, as numpy columns:
    ``owner`` (index into :attr:`names`), ``type_covered``, ``algorithm``,
    ``key_tag``, ``inception``, ``expiration``, ``status`` (values of
    :class:`Status`), ``line`` and ``file`` (index into :attr:`files`).

    :attr:`ok` is True only when the zone has RRSIGs and every one of them
    is :attr:`Status.VALID` (or, with ``allow_unsupported``, could not be
    verified only because its algorithm or key is unsupported).
    """

    def __init__(self, raw: dict[str, Any], allow_unsupported: bool = False) -> None:
        self.apex: str | None = raw["apex"]
        self.names: list[str] = raw["names"]
        self.owner: np.ndarray = raw["owner"]
        self.type_covered: np.ndarray = raw["type_covered"]
        self.algorithm: np.ndarray = raw["algorithm"]
        self.key_tag: np.ndarray = raw["key_tag"]
        self.inception: np.ndarray = raw["inception"]
        self.expiration: np.ndarray = raw["expiration"]
        self.status: np.ndarray = raw["status"]
        self.line: np.ndarray = raw["line"]
        self.file: np.ndarray = raw["file"]
        self.files: list[str] = raw["files"]
        self.records: int = raw["records"]
        self.threads: int = raw["threads"]
        self.now: int = raw["now"]
        self.timings: dict[str, float] = dict(raw["timings"])
        self.allow_unsupported = allow_unsupported
        self._reasons: list[tuple[int, str]] = raw["reasons"]

    def __len__(self) -> int:
        return int(self.status.shape[0])

    def __repr__(self) -> str:
        return f"<Report apex={self.apex} rrsigs={len(self)} ok={self.ok}>"

    @property
    def ok(self) -> bool:
        """True when there is at least one RRSIG and every RRSIG passed."""
        if len(self) == 0:
            return False
        if self.allow_unsupported:
            passed = np.isin(
                self.status,
                [Status.VALID, Status.UNSUPPORTED_ALGORITHM, Status.UNSUPPORTED_KEY],
            )
            return bool(passed.all())
        return bool((self.status == Status.VALID).all())

    @cached_property
    def findings(self) -> list[Finding]:
        """Every RRSIG whose status is not VALID, in zone order."""
        out = []
        for row, reason in self._reasons:
            st = Status(int(self.status[row]))
            out.append(
                Finding(
                    owner=self.names[int(self.owner[row])],
                    type=_native.type_name(int(self.type_covered[row])),
                    key_tag=int(self.key_tag[row]),
                    algorithm=int(self.algorithm[row]),
                    status=st,
                    code=st.code,
                    reason=reason,
                    line=int(self.line[row]),
                    file=self.files[int(self.file[row])] if self.files else "",
                )
            )
        return out

    @cached_property
    def counts(self) -> dict[str, Any]:
        """``{"rrsigs": N, "by_status": {code: n}, "by_algorithm": {alg: {code: n}}}``."""
        by_status: dict[str, int] = {}
        codes, n = np.unique(self.status, return_counts=True)
        for c, k in zip(codes, n):
            by_status[Status(int(c)).code] = int(k)
        by_alg: dict[int, dict[str, int]] = {}
        for alg in np.unique(self.algorithm):
            sel = self.status[self.algorithm == alg]
            codes, n = np.unique(sel, return_counts=True)
            by_alg[int(alg)] = {Status(int(c)).code: int(k) for c, k in zip(codes, n)}
        return {"rrsigs": len(self), "by_status": by_status, "by_algorithm": by_alg}

    def summary_lines(self) -> list[str]:
        """Human-readable summary: one line per algorithm, then the verdict."""
        lines = []
        for alg, per in sorted(self.counts["by_algorithm"].items()):
            total = sum(per.values())
            parts = ", ".join(f"{k} {v}" for k, v in sorted(per.items(), key=lambda kv: (kv[0] != "valid", kv[0])))
            lines.append(f"algorithm {alg} ({_native.algorithm_name(alg)}): {total} RRSIGs: {parts}")
        failed = len(self) - self.counts["by_status"].get("valid", 0)
        verdict = "OK" if self.ok else "FAIL"
        zone = self.apex or "?"
        if len(self) == 0:
            lines.append(f"zone {zone}: no RRSIG records, nothing was verified: FAIL")
        else:
            lines.append(
                f"zone {zone}: {len(self)} RRSIGs, {failed} not valid, at {format_time(self.now)}: {verdict}"
            )
        return lines

    def to_dict(self, columns: bool = False) -> dict[str, Any]:
        """Plain-data form (what :meth:`to_json` writes).

        With ``columns=True`` the per-RRSIG columns are included as lists.
        """
        d: dict[str, Any] = {
            "apex": self.apex,
            "ok": self.ok,
            "now": self.now,
            "now_text": format_time(self.now),
            "files": self.files,
            "records": self.records,
            "threads": self.threads,
            "counts": {
                "rrsigs": self.counts["rrsigs"],
                "by_status": self.counts["by_status"],
                "by_algorithm": {str(k): v for k, v in self.counts["by_algorithm"].items()},
            },
            "timings": self.timings,
            "findings": [f.to_dict() for f in self.findings],
        }
        if columns:
            d["names"] = self.names
            for c in ("owner", "type_covered", "algorithm", "key_tag", "inception",
                      "expiration", "status", "line", "file"):
                d[c] = getattr(self, c).tolist()
        return d

    def to_json(self, columns: bool = False, indent: int | None = None) -> str:
        """The report as JSON (findings, counts, timings; see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(columns=columns), indent=indent)
