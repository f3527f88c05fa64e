"""Metrics for monitoring: the Prometheus text format, for node_exporter's
textfile collector (``zoneverify check --metrics FILE``).

Every metric is a gauge (a snapshot of the last run) and carries the labels
``source`` (the zone file, ``-`` or the axfr:// URL as given) and ``zone``
(the apex, empty when the input could not be used):

- ``zoneverify_zone_checked``: 1 when the zone was verified, 0 when its
  input could not be used (exit status 2; no other zone metric then);
- ``zoneverify_zone_ok``: 1 when the zone passed, 0 when it failed;
- ``zoneverify_rrsigs{status, algorithm}``: RRSIGs by status code and
  algorithm number;
- ``zoneverify_findings{code, severity}``: findings by code and severity;
- ``zoneverify_signature_expiration_earliest_timestamp_seconds{key_tag,
  algorithm}``: the earliest expiration among the RRSIGs of each key tag
  and algorithm, as UNIX time (RRSIG times read in RFC 1982 arithmetic
  around the verification time);
- ``zoneverify_soa_serial``: the apex SOA serial (absent without an SOA);
- ``zoneverify_verification_timestamp_seconds``: the verification time
  (``--now``, else the time of the run);
- ``zoneverify_run_duration_seconds``: how long the zone took, reading and
  verifying;
- ``zoneverify_run_timestamp_seconds``: when the zone's run ended.

The file is written to a temporary file in the same directory and renamed
into place, so the collector never reads half of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from ._files import write_atomically

if TYPE_CHECKING:
    from .report import Report

__all__ = ["ZoneRun", "prometheus_text", "write_metrics"]

_HELP = {
    "zoneverify_zone_checked": "1 when the zone was verified, 0 when its input could not be used",
    "zoneverify_zone_ok": "1 when the zone passed every check, 0 when it failed",
    "zoneverify_rrsigs": "RRSIGs by status and algorithm",
    "zoneverify_findings": "Findings by code and severity",
    "zoneverify_signature_expiration_earliest_timestamp_seconds":
        "Earliest RRSIG expiration per key tag and algorithm, as UNIX time",
    "zoneverify_soa_serial": "SOA serial of the zone",
    "zoneverify_verification_timestamp_seconds": "Verification time of the run, as UNIX time",
    "zoneverify_run_duration_seconds": "Wall time the zone took to read and verify",
    "zoneverify_run_timestamp_seconds": "When the zone's run ended, as UNIX time",
}


@dataclass
class ZoneRun:
    """One zone's run: where it came from, its report (None when the input
    could not be used), how long it took and when it ended."""

    source: str
    report: "Report | None"
    duration: float
    finished: float


def _escape(value: str) -> str:
    # The text format's label escaping: backslash, double quote, newline.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Iterable[tuple[str, object]]) -> str:
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in pairs) + "}"


def prometheus_text(runs: Iterable[ZoneRun]) -> str:
    """The metrics of these runs in the Prometheus text format (0.0.4)."""
    samples: dict[str, list[str]] = {name: [] for name in _HELP}

    def add(name: str, labels: list[tuple[str, object]], value: float | int) -> None:
        samples[name].append(f"{name}{_labels(labels)} {value}")

    for run in runs:
        rep = run.report
        base: list[tuple[str, object]] = [("source", run.source), ("zone", (rep.apex or "") if rep is not None else "")]
        add("zoneverify_zone_checked", base, 0 if rep is None else 1)
        add("zoneverify_run_duration_seconds", base, f"{run.duration:.6f}")
        add("zoneverify_run_timestamp_seconds", base, f"{run.finished:.3f}")
        if rep is None:
            continue
        add("zoneverify_zone_ok", base, 1 if rep.ok else 0)
        add("zoneverify_verification_timestamp_seconds", base, rep.now)
        if rep.serial is not None:
            add("zoneverify_soa_serial", base, rep.serial)
        for alg, per in sorted(rep.counts["by_algorithm"].items(), key=lambda kv: int(kv[0])):
            for status, n in sorted(per.items()):
                add("zoneverify_rrsigs", base + [("status", status), ("algorithm", int(alg))], n)
        by_code: dict[tuple[str, str], int] = {}
        for f in rep.findings:
            k = (f.code, f.severity)
            by_code[k] = by_code.get(k, 0) + 1
        for (code, severity), n in sorted(by_code.items()):
            add("zoneverify_findings", base + [("code", code), ("severity", severity)], n)
        for tag, alg, exp in rep.earliest_expirations():
            add("zoneverify_signature_expiration_earliest_timestamp_seconds",
                base + [("key_tag", tag), ("algorithm", alg)], exp)
    lines = []
    for name, rows in samples.items():
        if not rows:
            continue
        lines.append(f"# HELP {name} {_HELP[name]}")
        lines.append(f"# TYPE {name} gauge")
        lines.extend(rows)
    return "\n".join(lines) + "\n"


def write_metrics(path: "str | os.PathLike[str]", runs: Iterable[ZoneRun]) -> None:
    """Writes :func:`prometheus_text` to ``path`` atomically (a temporary
    file in the same directory, renamed into place), readable by all (the
    collector runs as another user). Raises OSError."""
    write_atomically(path, prometheus_text(runs), ".zoneverify-metrics.")
