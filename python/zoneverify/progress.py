"""Progress of a long run, and stopping it.

:class:`Progress` holds counters the Rust pipeline adds to once per part
of the file (some 32k records) or per batch of signatures (some thousands;
no lock, never the GIL): bytes read, records parsed, RRSIGs verified and,
once the file is in, how many there are in all, the phase. Pass one to
``verify_zone(path, progress=p)`` and read :meth:`Progress.snapshot` from
another thread; :meth:`Progress.cancel` makes the run stop at its next
part or batch with KeyboardInterrupt.

:func:`run` is how ``zoneverify check``, ``bench`` and ``report`` use it:
the verification runs in a worker thread while the main thread draws a
one-line bar on standard error (when asked) and waits for Ctrl-C, which
cancels the run and returns promptly (within a part or a batch, well under
a second).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from typing import Any, Callable, NamedTuple, TextIO

from . import _native

__all__ = ["Progress", "Snapshot", "run"]

_PHASES = {0: "starting", 1: "reading and verifying", 2: "zone checks", 3: "done", 4: "verifying signatures"}


class Snapshot(NamedTuple):
    bytes_read: int
    #: The file's size when the text's is known (a plain file), else 0.
    bytes_total: int
    records: int
    #: RRSIGs given a verdict so far (counted a batch of some thousands at
    #: a time).
    rrsigs: int
    #: In the phase "verifying signatures" (the file is in: read whole, as
    #: a small file is, or for the whole-zone path): the RRSIGs to verify
    #: in all, else 0.
    rrsigs_total: int
    #: "starting", "reading and verifying" (a file read in parts, each
    #: part's signatures verified while the next is read), "verifying
    #: signatures", "zone checks" or "done".
    phase: str


class Progress:
    """Counters of one run and its stop switch (see the module)."""

    def __init__(self) -> None:
        self._native = _native.NativeProgress()
        #: With a Dask cluster: (parts the workers verified, parts in all)
        #: while they work (``zoneverify.cluster``), else None.
        self.cluster_parts: tuple[int, int] | None = None

    def snapshot(self) -> Snapshot:
        b, t, r, s, st, p = self._native.snapshot()
        return Snapshot(b, t, r, s, st, _PHASES.get(p, "?"))

    def cancel(self) -> None:
        self._native.cancel()


def _width(stream: TextIO) -> int:
    """The terminal's width (the terminal's own, before $COLUMNS)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return shutil.get_terminal_size((80, 24)).columns


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e7 else f"{n / 1e6:,.1f} MB"


def _left(seconds: float | None) -> str:
    return f", {int(seconds) // 60}:{int(seconds) % 60:02d} left" if seconds is not None else ""


def line(name: str, s: Snapshot, elapsed: float, in_phase: float | None = None) -> str:
    """The bar's text for snapshot ``s`` after ``elapsed`` seconds, of
    which ``in_phase`` in the snapshot's phase (the rate and the time left
    of "verifying signatures" are the phase's)."""
    if s.phase == "zone checks":
        return f"zoneverify: {name}: {s.rrsigs:,} RRSIGs verified; zone checks ({elapsed:.0f} s)"
    if s.phase == "verifying signatures" and s.rrsigs_total:
        t = in_phase if in_phase is not None else elapsed
        rate = s.rrsigs / t if t > 0 else 0.0
        frac = min(s.rrsigs / s.rrsigs_total, 1.0)
        left = (s.rrsigs_total - s.rrsigs) / rate if rate > 0 and frac > 0.01 else None
        return (f"zoneverify: {name}: verifying {frac:4.0%} of {s.rrsigs_total:,} RRSIGs "
                f"({rate:,.0f}/s){_left(left)}")
    rate = s.rrsigs / elapsed if elapsed > 0 else 0.0
    if s.bytes_total:
        frac = min(s.bytes_read / s.bytes_total, 1.0)
        left = elapsed * (1 - frac) / frac if frac > 0.01 else None
        where = f"{frac:4.0%} of {_mb(s.bytes_total)}"
        eta = _left(left)
    else:
        where, eta = f"{_mb(s.bytes_read)} read", ""
    return f"zoneverify: {name}: {where}, {s.rrsigs:,} RRSIGs verified ({rate:,.0f}/s){eta}"


def run(fn: Callable[[Progress | None], Any], name: str, show: bool, cancellable: bool = True,
        stream: TextIO | None = None, every: float = 0.2, delay: float = 0.5,
        watch: Progress | None = None) -> Any:
    """Calls ``fn(progress)`` in a worker thread (``progress`` is None when
    not ``cancellable``: sources that are not files, runs on a cluster) and
    returns its result or raises its exception; with ``show``, draws the
    bar on ``stream`` (standard error) every ``every`` seconds after
    ``delay`` (from ``watch`` when not cancellable: the counters of a run
    made elsewhere), and clears it at the end. Ctrl-C cancels the run and
    raises KeyboardInterrupt once the worker stopped (at once when it
    cannot be cancelled: the worker is then left to the process's exit)."""
    stream = stream or sys.stderr
    p = Progress() if cancellable else None
    shown = p if p is not None else watch
    out: dict[str, Any] = {}

    def work() -> None:
        try:
            out["value"] = fn(p)
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            out["error"] = e

    t = threading.Thread(target=work, name="zoneverify-run", daemon=True)
    t0 = time.monotonic()
    drawn = False
    phase, since = "", t0
    t.start()
    try:
        while t.is_alive():
            t.join(every)
            if show and shown is not None and t.is_alive() and time.monotonic() - t0 >= delay:
                s = shown.snapshot()
                now = time.monotonic()
                if s.phase != phase:
                    phase, since = s.phase, now
                base = os.path.basename(name) or name
                if s.phase == "starting" and shown.cluster_parts is not None:
                    done, total = shown.cluster_parts
                    text = f"zoneverify: {base}: the workers verified {done} of {total} parts ({now - t0:.0f} s)"
                else:
                    text = line(base, s, now - t0, now - since)
                text = text[: max(_width(stream) - 1, 10)]
                stream.write("\r" + text + "\x1b[K")
                stream.flush()
                drawn = True
    except KeyboardInterrupt:
        if p is not None:
            p.cancel()
            t.join()
        raise
    finally:
        if drawn:
            stream.write("\r\x1b[K")
            stream.flush()
    if "error" in out:
        raise out["error"]
    return out.get("value")
