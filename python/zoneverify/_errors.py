"""Exceptions raised by zoneverify.

Verification outcomes are never exceptions: they are data in a
:class:`~zoneverify.Report`. Exceptions are for input that cannot be used.
"""

from __future__ import annotations


class ZoneverifyError(Exception):
    """Base class of zoneverify's own exceptions."""


class ZoneParseError(ZoneverifyError, ValueError):
    """A zone file that cannot be parsed.

    Attributes:
        reason: one-line description of what is wrong.
        filename: the file (``"<text>"`` or ``"<stdin>"`` for text input).
        line: 1-based line number (0 when not known).
        column: 1-based column (0 when not known).
    """

    def __init__(self, reason: str, filename: str, line: int = 0, column: int = 0) -> None:
        self.reason = reason
        self.filename = filename
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.filename
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.reason}"

    def __reduce__(self):  # keep it picklable with its fields
        return (type(self), (self.reason, self.filename, self.line, self.column))


class ClusterError(ZoneverifyError, OSError):
    """A Dask cluster could not do its share of a run (``verify_zone(...,
    client=...)``, ``zoneverify check --dask``): the scheduler cannot be
    reached or went away during the run, no worker is there, or a worker
    cannot read the zone file at the path it was given (workers must see
    the file at the same path: shared storage). The run gives no verdict
    (``zoneverify`` exits 2); it never passes on a partial result."""
