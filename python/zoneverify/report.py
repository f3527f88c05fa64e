"""The result of a verification: per-RRSIG numpy columns, findings, counts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import _native
from ._status import Status
from ._time import format_time

if TYPE_CHECKING:
    import numpy as np

# The per-RRSIG columns: name and struct format (native byte order, as the
# core writes them). numpy is imported only when a column is asked for as
# an array, so that `zoneverify check` does not pay for it.
_COLUMNS = {
    "owner": "I",
    "type_covered": "H",
    "algorithm": "B",
    "key_tag": "H",
    "inception": "I",
    "expiration": "I",
    "status": "B",
    "line": "I",
    "file": "I",
}
_DTYPES = {"B": "uint8", "H": "uint16", "I": "uint32"}


class _Column:
    """A per-RRSIG column of a :class:`Report` as a read-only numpy array,
    made (and numpy imported) on first access, then kept."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, report: Any, objtype: type | None = None) -> np.ndarray:
        if report is None:
            return self  # type: ignore[return-value]
        report._need_column(self.name)
        import numpy as np

        a = np.frombuffer(report._raw_columns[self.name], dtype=_DTYPES[_COLUMNS[self.name]])
        report.__dict__[self.name] = a
        return a


@dataclass(frozen=True)
class Finding:
    """One problem found in the zone, with the reason.

    Per-RRSIG findings (an RRSIG that is not valid) have ``status`` set and
    ``code`` equal to ``status.code``. Zone-level findings (completeness,
    NSEC/NSEC3, keys, TTLs, ZONEMD, trust anchor) have ``status`` None and
    one of the codes listed in the README. ``severity`` is ``"error"`` or
    ``"warning"``; ``type`` is the mnemonic of the RR type concerned (the
    covered type for an RRSIG); ``line`` and ``file`` locate the record
    (line 0: no single record).
    """

    owner: str
    type: str
    key_tag: int | None
    algorithm: int | None
    status: Status | None
    code: str
    severity: str
    reason: str
    line: int
    file: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.name if self.status is not None else None
        return d

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.status is not None:
            what = f"{self.owner} RRSIG {self.type} alg {self.algorithm} tag {self.key_tag}"
        else:
            what = f"{self.owner} {self.type}" if self.type else self.owner
            if self.key_tag is not None:
                what += f" tag {self.key_tag}"
        sev = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {what}: {sev}{self.code}: {self.reason}"


class Report:
    """Verification result of one zone.

    One row per RRSIG, in zone-file order, as numpy columns:
    ``owner`` (index into :attr:`names`), ``type_covered``, ``algorithm``,
    ``key_tag``, ``inception``, ``expiration``, ``status`` (values of
    :class:`Status`), ``line`` and ``file`` (index into :attr:`files`).
    The arrays are read-only views of the core's result, made (and numpy
    imported) on first access.

    :attr:`ok` is True only when the zone has RRSIGs and every one of them
    is :attr:`Status.VALID` (or, with ``allow_unsupported``, could not be
    verified only because its algorithm or key is unsupported).
    """

    def __init__(
        self, raw: dict[str, Any], allow_unsupported: bool = False, warnings_as_errors: bool = False
    ) -> None:
        self.apex: str | None = raw["apex"]
        #: The SOA serial at the apex (None without an SOA there).
        self.serial: int | None = raw.get("serial")
        # Owner names: one text and where each starts (the core's form);
        # the list is made on first use of :attr:`names`.
        self._names_text: bytes = raw["names_text"]
        self._names_start = memoryview(raw["names_start"]).cast("I")
        self._raw_columns: dict[str, bytes] = {c: raw[c] for c in _COLUMNS}
        self._rows: dict[str, memoryview] = {
            c: memoryview(raw[c]).cast(fmt) for c, fmt in _COLUMNS.items()
        }
        # With columns=False: the rows whose columns were kept (those not
        # valid; status and algorithm are kept for every row), and where
        # each is in the kept columns.
        self._kept: dict[int, int] | None = None
        if "rows" in raw:
            self._kept = {row: k for k, row in enumerate(memoryview(raw["rows"]).cast("I"))}
        self._status_counts: list[tuple[int, int, int]] = raw["status_counts"]
        self._earliest: list[tuple[int, int, int]] = raw.get("earliest_expirations", [])
        self.files: list[str] = raw["files"]
        self.records: int = raw["records"]
        #: Which path verified the signatures: ``"streamed"`` (each owner
        #: name as the file was read), or ``"whole-zone: <why>"`` when the
        #: zone's shape needs the whole zone in memory first (apex not the
        #: first name, an owner name in two places). Same results either way.
        self.pipeline: str = raw.get("pipeline", "")
        #: Whether the zone-level checks ran in the stream, each owner name
        #: checked once its signatures were verified and then dropped (the
        #: layout BIND and ldns write, NSEC, no NSEC3 or ZONEMD);
        #: else over the whole zone's model. Same results either way.
        self.checked_by_name: bool = bool(raw.get("checked_by_name", False))
        #: With ``cache=``: what the run did with the verified-signature
        #: cache: ``loaded`` (entries read), ``reused`` (public-key
        #: operations skipped), ``verified`` (done), ``stored`` (entries
        #: written), ``warnings`` (a cache file ignored or not written),
        #: ``load_seconds`` and ``save_seconds`` (wall time to read and
        #: check the file, and to write this run's). ``None`` without a
        #: cache.
        self.cache: dict[str, Any] | None = raw.get("cache")
        #: With ``client=`` (a Dask cluster, ``--dask``): what the cluster
        #: did: ``workers``, ``parts`` (byte ranges verified by workers; 0
        #: when the zone was verified whole by one worker), ``entries`` (the
        #: workers' successes), ``reused`` (public-key operations the run
        #: over the whole file took from them) and
        #: ``verified_by_final_run``, and the times of each stage. ``None``
        #: without a cluster.
        self.cluster: dict[str, Any] | None = raw.get("cluster")
        self.threads: int = raw["threads"]
        self.now: int = raw["now"]
        self.timings: dict[str, float] = dict(raw["timings"])
        self.allow_unsupported = allow_unsupported
        self.warnings_as_errors = warnings_as_errors
        self._reasons: list[tuple[int, str]] = raw["reasons"]
        self._zone_findings: list[tuple] = raw.get("zone_findings", [])
        # row -> (code or None, note): failures that policy downgrades to
        # warnings (the core decides which).
        self._downgraded: dict[int, tuple[str | None, str]] = {
            row: (code, note) for row, code, note in raw.get("downgraded", [])
        }
        self.zone_checks: bool = raw.get("zone_checks", True)
        #: With ``previous``: what changed since that version (serials,
        #: ``delegations``/``rrsets``/``ds`` counts before, after, added,
        #: removed, changed; DNSKEYs added and removed as (tag, algorithm,
        #: flags); whether the apex CDS, CDNSKEY and NS RRsets changed;
        #: example names). ``None`` without ``previous``.
        self.changes: dict[str, Any] | None = raw.get("changes")
        #: With ``unsigned``: data records compared on each side and how
        #: many the signer dropped, added or altered. ``None`` without it.
        self.unsigned: dict[str, Any] | None = raw.get("unsigned")
        # With --same-zone: what this copy holds (zoneverify._native.ZoneFingerprint).
        self._fingerprint = raw.get("fingerprint")

    @cached_property
    def names(self) -> list[str]:
        """The owner names the ``owner`` column indexes (case as first written)."""
        text = self._names_text.decode("utf-8", "surrogateescape")
        return text.split("\n")[:-1] if text else []

    def _name(self, i: int) -> str:
        """Owner name ``i``, without making the whole list."""
        if "names" in self.__dict__:
            return self.names[i]
        a, b = self._names_start[i], self._names_start[i + 1]
        return self._names_text[a:b - 1].decode("utf-8", "surrogateescape")

    owner = _Column()
    type_covered = _Column()
    algorithm = _Column()
    key_tag = _Column()
    inception = _Column()
    expiration = _Column()
    status = _Column()
    line = _Column()
    file = _Column()

    def _need_column(self, name: str) -> None:
        if self._kept is not None and name not in ("status", "algorithm"):
            raise ValueError(f"the {name} column was not kept (columns=False keeps status and algorithm "
                             "of every RRSIG, the other columns of those not valid)")

    def _cell(self, name: str, row: int) -> int:
        """Column ``name`` of report row ``row``."""
        if self._kept is not None and name not in ("status", "algorithm"):
            return self._rows[name][self._kept[row]]
        return self._rows[name][row]

    def earliest_expirations(self) -> list[tuple[int, int, int]]:
        """``(key_tag, algorithm, earliest expiration)`` for each key tag and
        algorithm the zone's RRSIGs name, sorted; the expiration as UNIX
        time (RRSIG times read in RFC 1982 arithmetic around :attr:`now`).
        Kept by the core for every RRSIG, with or without the columns."""
        return [tuple(t) for t in self._earliest]

    def __len__(self) -> int:
        return len(self._rows["status"])

    def __repr__(self) -> str:
        return f"<Report apex={self.apex} rrsigs={len(self)} ok={self.ok}>"

    @property
    def ok(self) -> bool:
        """True when the zone passes: it has RRSIGs and no finding is an
        error (with ``warnings_as_errors``, no finding at all).

        Every RRSIG that is not VALID is an error, except unsupported ones
        with ``allow_unsupported`` and failures that policy downgrades. Under
        every policy at least one RRSIG must be VALID: a zone in which nothing
        was verified does not pass (the ``nothing-verified`` finding)."""
        if self.counts["by_status"].get(Status.VALID.code, 0) == 0:
            return False
        if self.warnings_as_errors:
            return not self.findings
        return not any(f.is_error for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @cached_property
    def findings(self) -> list[Finding]:
        """Every finding, per-RRSIG and zone-level, in zone order (file, line)."""
        files = self.files or [""]
        rows = self._rows
        out = []
        for row, reason in self._reasons:
            st = Status(rows["status"][row])
            severity = "error"
            code = st.code
            if row in self._downgraded:
                # A failure that policy downgrades, decided in the core
                # (checks::apply_policy_severity and the checks): a redundant
                # failure, a pre-published signature, an unsupported
                # algorithm with allow_unsupported. The status, never valid,
                # still says what was found.
                severity = "warning"
                own, note = self._downgraded[row]
                code = own or st.code
                if note:
                    reason = f"{st.code} ({note}): {reason}"
            cell = self._cell
            out.append(
                Finding(
                    owner=self._name(cell("owner", row)),
                    type=_native.type_name(cell("type_covered", row)),
                    key_tag=cell("key_tag", row),
                    algorithm=cell("algorithm", row),
                    status=st,
                    code=code,
                    severity=severity,
                    reason=reason,
                    line=cell("line", row),
                    file=files[cell("file", row)],
                )
            )
        for code, severity, owner, rtype, key_tag, file, line, reason in self._zone_findings:
            out.append(
                Finding(
                    owner=owner,
                    type=_native.type_name(rtype) if rtype else "",
                    key_tag=key_tag,
                    algorithm=None,
                    status=None,
                    code=code,
                    severity=severity,
                    reason=reason,
                    line=line,
                    file=files[file] if file < len(files) else "",
                )
            )
        out.sort(key=lambda f: (f.line == 0, files.index(f.file) if f.file in files else 0, f.line))
        return out

    @cached_property
    def counts(self) -> dict[str, Any]:
        """``{"rrsigs": N, "by_status": {code: n}, "by_algorithm": {alg: {code: n}},
        "findings": {code: n}}`` (the last counts every finding, per-RRSIG and
        zone-level, by code)."""
        by_status: dict[str, int] = {}
        by_alg: dict[int, dict[str, int]] = {}
        # (algorithm, status, count), counted by the core.
        for st in sorted({st for _, st, _ in self._status_counts}):
            by_status[Status(st).code] = sum(k for _, s, k in self._status_counts if s == st)
        for alg, st, k in self._status_counts:
            by_alg.setdefault(alg, {})[Status(st).code] = k
        by_code: dict[str, int] = {}
        for f in self.findings:
            by_code[f.code] = by_code.get(f.code, 0) + 1
        return {"rrsigs": len(self), "by_status": by_status, "by_algorithm": by_alg, "findings": by_code}

    def summary_lines(self) -> list[str]:
        """Human-readable summary: one line per algorithm, then the verdict."""
        lines = []
        for alg, per in sorted(self.counts["by_algorithm"].items()):
            total = sum(per.values())
            parts = ", ".join(f"{k} {v}" for k, v in sorted(per.items(), key=lambda kv: (kv[0] != "valid", kv[0])))
            lines.append(f"algorithm {alg} ({_native.algorithm_name(alg)}): {total} RRSIGs: {parts}")
        lines.extend(self._gate_lines())
        if self.cache is not None:
            c = self.cache
            lines.append(f"cache: {c['reused']} signatures reused, {c['verified']} verified; "
                         f"{c['loaded']} entries read, {c['stored']} stored")
        if self.cluster is not None:
            c = self.cluster
            if c.get("final_run") == "parts":
                lines.append(f"cluster: {c['parts']} parts on {c['workers']} workers, each parsed, verified and "
                             f"checked there ({c['rrsigs_seen']} signatures), joined here")
            elif c.get("parts"):
                lines.append(f"cluster: {c['parts']} parts on {c['workers']} workers, {c['reused']} signatures "
                             f"verified there, {c['verified_by_final_run']} verified by the final run")
            else:
                lines.append(f"cluster: verified whole on one worker ({c['workers']} in the cluster)")
        failed = len(self) - self.counts["by_status"].get("valid", 0)
        verdict = "OK" if self.ok else "FAIL"
        zone = self.apex or "?"
        zone_errors = sum(1 for f in self.findings if f.status is None and f.is_error)
        warnings = len(self.warnings)
        if len(self) == 0:
            lines.append(f"zone {zone}: no RRSIG records, nothing was verified: FAIL")
        else:
            checks = f"{zone_errors} zone errors" if self.zone_checks else "zone-level checks NOT run"
            lines.append(
                f"zone {zone}: {len(self)} RRSIGs, {failed} not valid; {checks}, "
                f"{warnings} warnings; at {format_time(self.now)}: {verdict}"
            )
        return lines

    def difference_from(self, reference: "Report") -> str | None:
        """How this copy of the zone differs from ``reference``'s: the serial,
        or the first RRset one holds and the other not, or with other
        records; ``None`` when they are the same. Both reports must come
        from ``verify_zone(..., fingerprint=True)``."""
        if self._fingerprint is None or reference._fingerprint is None:
            raise ValueError("difference_from needs reports made with fingerprint=True")
        if self._fingerprint.same(reference._fingerprint):
            return None
        return self._fingerprint.first_difference(reference._fingerprint) or "the copies differ"

    def _gate_lines(self) -> list[str]:
        """The publication gate's information: changes, the unsigned input."""
        lines = []
        c = self.changes
        if c is not None:
            def delta(d: dict[str, int], what: str) -> str:
                return (f"{what} {d['after']} (was {d['before']}): +{d['added']} -{d['removed']}"
                        + (f" ~{d['changed']}" if what != "delegations" else ""))

            def keys(v: list) -> str:
                return ", ".join(f"{t}/{a}" for t, a, _ in v) or "none"

            lines.append(
                f"since {c['previous_file']} (serial {c['previous_serial']} -> {c['serial']}): "
                f"{delta(c['delegations'], 'delegations')}; {delta(c['rrsets'], 'data RRsets')}; "
                f"{delta(c['ds'], 'DS RRsets')}"
            )
            apex = [f"DNSKEY added {keys(c['dnskey_added'])}, removed {keys(c['dnskey_removed'])}"]
            for key, what in (("cds_changed", "CDS"), ("cdnskey_changed", "CDNSKEY"), ("apex_ns_changed", "NS")):
                apex.append(f"{what} {'changed' if c[key] else 'unchanged'}")
            lines.append("  apex: " + "; ".join(apex))
            for kind, what in (("delegations_added", "delegations added"), ("delegations_removed", "delegations removed"),
                               ("ds_changed", "DS RRsets changed")):
                names = c["examples"].get(kind) or []
                if names:
                    lines.append(f"  {what}: {', '.join(names)}{' ...' if len(names) >= 10 else ''}")
        u = self.unsigned
        if u is not None:
            lines.append(
                f"against the unsigned input {u['file']}: {u['unsigned_records']} data records in, "
                f"{u['signed_records']} signed: {u['dropped']} dropped, {u['added']} added, {u['altered']} altered by the signer"
            )
        return lines

    def to_dict(self, columns: bool = False) -> dict[str, Any]:
        """Plain-data form (what :meth:`to_json` writes).

        With ``columns=True`` the per-RRSIG columns are included as lists.
        """
        d: dict[str, Any] = {
            "apex": self.apex,
            "serial": self.serial,
            "ok": self.ok,
            "zone_checks": self.zone_checks,
            "now": self.now,
            "now_text": format_time(self.now),
            "files": self.files,
            "records": self.records,
            "threads": self.threads,
            "counts": {
                "rrsigs": self.counts["rrsigs"],
                "by_status": self.counts["by_status"],
                "by_algorithm": {str(k): v for k, v in self.counts["by_algorithm"].items()},
                "findings": self.counts["findings"],
            },
            "timings": self.timings,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.changes is not None:
            d["changes"] = self.changes
        if self.unsigned is not None:
            d["unsigned"] = self.unsigned
        if self.cache is not None:
            d["cache"] = self.cache
        if self.cluster is not None:
            d["cluster"] = self.cluster
        if columns:
            for c in _COLUMNS:
                self._need_column(c)
            d["names"] = self.names
            for c in ("owner", "type_covered", "algorithm", "key_tag", "inception",
                      "expiration", "status", "line", "file"):
                d[c] = self._rows[c].tolist()
        return d

    def to_json(self, columns: bool = False, indent: int | None = None) -> str:
        """The report as JSON (findings, counts, timings; see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(columns=columns), indent=indent)
