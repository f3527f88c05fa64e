"""Verifying on a Dask cluster (``verify_zone(path, client=...)``,
``zoneverify check --dask``), with the verdict a single machine gives.

How the work is shared (the README's "On a Dask cluster" says why the
verdict cannot differ):

- **One large zone** (a file of ``MIN_SPLIT`` octets or more, or any file
  when ``parts`` is given): the client cuts the file into byte ranges
  between subtrees and reads the apex's first run of records; each worker
  parses, verifies and checks by name its own range, the NSEC3 chain
  and the subtrees are checked by hash range on the workers
  (:func:`in_parts`), and the client joins the parts and runs the
  zone-wide checks once. Where the parts cannot show the single machine's
  report (a layout the checks by name do not take, ZONEMD, a subtree cut
  in two, the publication gate, ...: ``Report.cluster["not_in_parts"]``
  says why), the fallback: each worker verifies its range's RRSIGs and
  sends back the verified-signature cache entries of the successes (32
  octets a signature, keyed with a secret made for this run,
  :func:`prepass`), and the client runs the ordinary pipeline over the
  whole file with an in-memory cache that knows those entries.
- **Many zones**: each smaller file is verified whole by one worker (the
  ordinary pipeline there), the large ones as above, their final runs on
  workers too (``final_run="worker"``, what ``zoneverify check`` asks for
  when it has several zones), so that the client only waits; reports come
  back in the order given.

Workers must read the zone file (and ``previous``/``unsigned`` files) at
the same path as the client: shared storage. A worker that cannot is a
:class:`~zoneverify.ClusterError` naming it. A worker that dies mid-run
is replaced by Dask (its tasks run again elsewhere); a scheduler that goes
away ends the run with :class:`~zoneverify.ClusterError`, never with a
verdict.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from . import _native
from ._errors import ClusterError

__all__ = ["MIN_SPLIT", "RANGE_BYTES", "Prepass", "apex_run", "connect", "cut_points", "gather", "in_parts", "prepass",
           "run_final_task", "run_zone_task", "submit_zone", "verify_on_cluster"]

#: Files from this size on are split across the workers; smaller ones are
#: verified whole by one worker (the split's fixed costs outweigh it).
MIN_SPLIT = 64 << 20

#: Octets per range at most (a worker holds its range's text and records).
RANGE_BYTES = 256 << 20

# What a scheduler that went away or cannot be reached raises in Dask.
_GONE = ("CommClosedError", "StreamClosedError", "TimeoutError", "CancelledError", "FutureCancelledError",
         "ConnectionRefusedError", "ConnectionResetError", "BrokenPipeError")


def _is_gone(e: BaseException) -> bool:
    return any(c.__name__ in _GONE for c in type(e).__mro__) and not isinstance(e, ClusterError)


@dataclass
class Prepass:
    """What the workers did for one split zone (``Report.cluster``)."""

    workers: int
    parts: int
    #: The secret the entries are keyed with, and the entries (32 octets each).
    secret: bytes = field(repr=False)
    entries: bytes = field(repr=False)
    rrsigs: int = 0
    verified: int = 0
    #: Ranges a worker could not parse on its own (left to the final run).
    unparsed: int = 0
    split_seconds: float = 0.0
    #: Wall time from the first task submitted to the last result.
    workers_seconds: float = 0.0
    #: Per range: (octets, seconds read, parsed, verified) on its worker.
    ranges: list[tuple[int, float, float, float]] = field(default_factory=list)
    #: The highest peak resident memory a worker process reported.
    worker_peak_rss: int = 0

    def as_dict(self) -> dict[str, Any]:
        busy = [r[1] + r[2] + r[3] for r in self.ranges]
        return {
            "workers": self.workers,
            "parts": self.parts,
            "entries": len(self.entries) // 32,
            "rrsigs_seen": self.rrsigs,
            "verified_by_workers": self.verified,
            "unparsed_parts": self.unparsed,
            "split_seconds": self.split_seconds,
            "workers_seconds": self.workers_seconds,
            "part_seconds_max": max(busy, default=0.0),
            "part_seconds_sum": sum(busy),
            "parse_seconds_sum": sum(r[2] for r in self.ranges),
            "verify_seconds_sum": sum(r[3] for r in self.ranges),
            "worker_peak_rss_bytes": self.worker_peak_rss,
        }


def connect(spec: str) -> tuple[Any, Callable[[], None]]:
    """A Dask client for ``--dask SPEC``: ``local:N`` starts a
    ``LocalCluster`` of N worker processes (one thread each) on loopback,
    anything else is a scheduler's address (``tcp://host:8786``). Returns
    the client and a function that closes what was opened."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:  # pragma: no cover - the extra is installed by tests
        raise ClusterError("--dask needs Dask's distributed package: pip install 'zoneverify[cluster]'") from e
    # Dask's own log lines (a lost scheduler is logged at ERROR with a
    # traceback): zoneverify says what happened in one line of its own.
    import logging

    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    if spec.startswith("local:"):
        try:
            n = int(spec[len("local:"):])
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"--dask local:N needs a number of workers of 1 or more, not {spec!r}")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0", silence_logs=logging.CRITICAL)
        client = Client(cluster)

        def close_local() -> None:
            client.close()
            cluster.close()

        return client, close_local
    try:
        client = Client(spec, timeout=10)
    except Exception as e:  # noqa: BLE001 - any failure to connect is the same to the user
        raise ClusterError(f"--dask {spec}: cannot reach the scheduler: {e}") from e
    return client, client.close


def _workers(client: Any) -> int:
    try:
        n = len(client.scheduler_info().get("workers", {}))
        if n == 0:
            client.wait_for_workers(1, timeout=30)
            n = len(client.scheduler_info().get("workers", {}))
    except Exception as e:  # noqa: BLE001
        raise ClusterError(f"the Dask scheduler cannot be reached: {e}") from e
    if n == 0:
        raise ClusterError("the Dask cluster has no workers")
    return n


def _where() -> str:
    try:
        from distributed import get_worker

        return f"worker {get_worker().address}"
    except Exception:  # noqa: BLE001 - not on a worker (tests call the task directly)
        return "worker"


def _readable_here(path: str) -> None:
    """On a worker: the zone file must be readable at the client's path."""
    if not os.access(path, os.R_OK):
        raise ClusterError(f"{_where()} cannot read {path} (workers must see the zone file at the same path)")


T = TypeVar("T")


def _on_scheduler(call: Callable[[], T]) -> T:
    """``call()`` (a submit or scatter); a scheduler that cannot be reached
    is a ClusterError."""
    try:
        return call()
    except Exception as e:  # noqa: BLE001
        if _is_gone(e):
            raise ClusterError(f"the Dask scheduler cannot be reached: {e}") from e
        raise


def _refuse_unsupported(policy: dict) -> None:
    if "cache" in policy or "fingerprint" in policy:
        raise ValueError("a verified-signature cache (cache=, --cache) and fingerprints (--same-zone) are not "
                         "supported on a Dask cluster yet")


def _part_task(path: str, start: int, end: int, apex: str, keys: list[bytes], secret: bytes, now: int) -> dict:
    """One range on a worker (see the module)."""
    _readable_here(path)
    import resource

    got = _native.cluster_prepass(path, start, end, apex, keys, secret, now, 1)
    # The worker process's peak so far (Linux: KiB).
    got["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return got


def run_zone_task(path: str, origin: str | None, now: int, jobs: int | None, allow_include: bool,
                  policy: dict) -> dict:
    """One whole zone on a worker: the core's report dict, for
    :class:`~zoneverify.Report` on the client."""
    _readable_here(path)
    return _native.verify_file(path, origin, now, jobs, allow_include, policy)


def gather(client: Any, futures: list, on_done: Callable[[int], None] | None = None,
           stop: Callable[[Any], bool] | None = None) -> list:
    """The futures' results in order; a scheduler that goes away is a
    ClusterError (no partial result), a task's own error is raised as it
    is (a ZoneParseError, or a ClusterError for a file a worker cannot
    read). With ``stop``: once a result satisfies it, the other tasks are
    cancelled and their results are None."""
    from distributed import as_completed

    results: dict[Any, Any] = {}
    failed: BaseException | None = None
    try:
        for k, (fut, res) in enumerate(as_completed(futures, with_results=True, raise_errors=False)):
            if fut.status == "error":
                # The task's own: a ZoneParseError, a file a worker cannot read.
                failed = fut.exception()
                break
            if fut.status != "finished":
                # Cancelled: the scheduler went away (or the client closed).
                raise ClusterError(f"the Dask scheduler went away during the run: task {fut.status}")
            results[fut.key] = res
            if on_done is not None:
                on_done(k + 1)
            if stop is not None and stop(res):
                for f in futures:
                    if f.key not in results:
                        f.cancel()
                break
    except BaseException as e:
        for f in futures:
            f.cancel()
        if _is_gone(e):
            raise ClusterError(f"the Dask scheduler went away during the run: {type(e).__name__}: {e}") from e
        raise
    if failed is not None:
        for f in futures:
            f.cancel()
        raise failed
    return [results.get(f.key) for f in futures]


def cut_points(client: Any, path: str, parts: int | None, points: list[int] | None,
               apex: str | None = None) -> list[int] | None:
    """Where the file is cut (``[0, ..., size]``, see :func:`prepass`;
    with the ``apex``, between two of its subtrees where one is near), or
    None: the file is not to be split (smaller than :data:`MIN_SPLIT` with
    neither ``parts`` nor ``points`` given, or compressed)."""
    size = os.path.getsize(path)
    if parts is None and points is None:
        if size < MIN_SPLIT:
            return None
        parts = 2 * _workers(client)
    if points is not None:
        if points[0] != 0 or points[-1] != size or any(a >= b for a, b in zip(points, points[1:])):
            raise ValueError(f"points must rise from 0 to the file's size {size}")
        return points
    # No range longer than RANGE_BYTES, whatever was asked.
    return _native.cluster_points(path, max(parts or 1, -(-size // RANGE_BYTES)), apex)


def prepass(client: Any, path: str, origin: str | None, now: int, parts: int | None = None,
            on_part: Callable[[int, int], None] | None = None, points: list[int] | None = None) -> Prepass | None:
    """The workers' share of one zone file (see the module): None when the
    file cannot be split (compressed, not starting with its apex, no
    DNSKEY there) or is too small to be worth it (under
    :data:`MIN_SPLIT` with ``parts`` not given): the final run then
    verifies everything itself. ``points``: the cut offsets (``[0, ...,
    size]``) instead of those found for ``parts`` (the tests put a cut
    exactly where a defect is)."""
    workers = _workers(client)
    t0 = time.monotonic()
    points = cut_points(client, path, parts, points)
    if points is None or len(points) < 3:
        return None
    try:
        apex_keys = _native.cluster_apex_keys(path, origin)
    except ValueError:
        # Text that cannot be parsed (ZoneParseError) or no apex: the run
        # over the whole file says so, as it would without a cluster.
        apex_keys = None
    if points is None or apex_keys is None or not apex_keys[1] or len(points) < 2:
        return None
    apex, keys = apex_keys
    key = secrets.token_bytes(32)
    split = time.monotonic() - t0
    t1 = time.monotonic()
    futures = _on_scheduler(lambda: [client.submit(_part_task, path, a, b, apex, keys, key, now, pure=False,
                                                   key=f"zoneverify-part-{os.getpid()}-{t1}-{k}")
                                     for k, (a, b) in enumerate(zip(points, points[1:]))])
    got = gather(client, futures, None if on_part is None else (lambda done: on_part(done, len(futures))))
    del futures  # the workers may forget the results
    pp = Prepass(workers=workers, parts=len(got), secret=key, entries=b"".join(g.pop("entries") for g in got),
                 split_seconds=split, workers_seconds=time.monotonic() - t1)
    for (a, b), g in zip(zip(points, points[1:]), got):
        pp.rrsigs += g["rrsigs"]
        pp.verified += g["verified"]
        pp.unparsed += g["unparsed"] is not None
        pp.ranges.append((b - a, g["read_seconds"], g["parse_seconds"], g["verify_seconds"]))
        pp.worker_peak_rss = max(pp.worker_peak_rss, g.get("peak_rss_bytes", 0))
    return pp


def _scan_task(path: str, start: int, end: int) -> tuple[int, list[bytes]] | None:
    """A range's newlines and directive lines, on a worker (see :func:`in_parts`)."""
    _readable_here(path)
    return _native.cluster_scan(path, start, end)


def _check_task(path: str, start: int, end: int, at: bytes, apex_run: bytes, keys: bytes, origin: str | None,
                now: int, policy: dict, index: int, shards: int) -> dict:
    """A range parsed, verified and checked on a worker (see :func:`in_parts`);
    its share of each hash range stays there until a hash range's task asks."""
    _readable_here(path)
    import resource

    got = _native.cluster_check_part(path, start, end, at, apex_run, keys, origin, now, 1, policy, index, shards)
    got["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return got


def _without_shares(got: dict) -> dict:
    """What of a range's result comes to the client."""
    return {k: v for k, v in got.items() if k != "shares"}


def _share(got: dict, s: int) -> bytes:
    """A range's share of hash range ``s``."""
    return got["shares"][s]


def _shard_task(*shares: bytes) -> bytes | str:
    """One hash range checked on a worker, from every range's share of it."""
    return _native.cluster_check_shard(list(shares))


#: Policy options under which a split zone is not checked in parts, and why.
_NOT_IN_PARTS = {"previous": "the publication gate reads the whole file",
                 "unsigned": "the publication gate reads the whole file",
                 "whole_zone": "the whole-zone path was asked for"}


def apex_run(path: str, origin: str | None) -> tuple[str, bytes] | None:
    """The apex and its first run of records (as octets for the workers),
    read from the file's first part; None when the file does not start
    with its apex or that part cannot be parsed (the run over the whole
    file then says what is wrong, as without a cluster)."""
    try:
        return _native.cluster_apex_run(path, origin)
    except ValueError:
        return None


def in_parts(client: Any, path: str, origin: str | None, now: int, policy: dict, points: list[int],
             head: tuple[str, bytes], on_part: Callable[[int, int], None] | None = None) -> tuple[dict | None, str]:
    """The whole run of one split zone on the workers (the README's "On a
    Dask cluster"): each range parsed, verified and checked name by name
    where it is read, the parts joined here and the zone-wide checks run
    once. ``head``: :func:`apex_run`'s. Returns the core's report dict,
    or None and why the parts could not show the single machine's report
    (the caller then takes :func:`prepass` and the final run instead)."""
    why = next((w for k, w in _NOT_IN_PARTS.items() if k in policy), None)
    if why is not None:
        return None, why
    t0 = time.monotonic()
    apex, run = head
    # Whether the checks by name take the apex at all (not Knot's layout,
    # no ZONEMD, ...): asked here, before any worker starts.
    why = _native.cluster_apex_refused(run, origin, now, policy)
    if why is not None:
        return None, why
    ranges = list(zip(points, points[1:]))
    tag = f"{os.getpid()}-{t0}"
    scans = gather(client, _on_scheduler(lambda: [client.submit(_scan_task, path, a, b, pure=False,
                                                                key=f"zoneverify-scan-{tag}-{k}")
                                                  for k, (a, b) in enumerate(ranges)]))
    if any(sc is None for sc in scans):
        return None, "a range has too many or too long directive lines"
    plan = _native.cluster_plan(scans, origin)
    if plan is None:
        return None, "a directive other than $ORIGIN and $TTL, or one that cannot be read"
    split = time.monotonic() - t0
    keys = secrets.token_bytes(32)
    # The NSEC3 summaries and the subtree hashes are checked by hash range
    # on the workers: one range per worker.
    shards = max(1, _workers(client))
    t1 = time.monotonic()
    futures = _on_scheduler(lambda: [client.submit(_check_task, path, a, b, plan[k], run, keys, origin, now,
                                                   policy, k, shards, pure=False, key=f"zoneverify-check-{tag}-{k}")
                                     for k, (a, b) in enumerate(ranges)])
    heads = _on_scheduler(lambda: [client.submit(_without_shares, f, pure=False, key=f"zoneverify-head-{tag}-{k}")
                                   for k, f in enumerate(futures)])
    # The first part that cannot be checked alone ends them all.
    got = gather(client, heads, None if on_part is None else (lambda done: on_part(done, len(heads))),
                 stop=lambda g: "why" in g)
    workers_seconds = time.monotonic() - t1
    why = next((f"part {k}: {g['why']}" for k, g in enumerate(got) if g is not None and "why" in g), None)
    if why is not None:
        for f in futures:
            f.cancel()
        return None, why
    t2 = time.monotonic()
    shard_futures = _on_scheduler(lambda: [
        client.submit(_shard_task, *[client.submit(_share, f, s, pure=False, key=f"zoneverify-share-{tag}-{k}-{s}")
                                     for k, f in enumerate(futures)], pure=False, key=f"zoneverify-range-{tag}-{s}")
        for s in range(shards)])
    outs = gather(client, shard_futures, stop=lambda o: isinstance(o, str))
    del futures, heads, shard_futures
    shards_seconds = time.monotonic() - t2
    why = next((f"hash range {s}: {o}" for s, o in enumerate(outs) if isinstance(o, str)), None)
    if why is not None:
        return None, why
    t3 = time.monotonic()
    raw = _native.cluster_join(path, plan, [g.pop("part") for g in got], outs, apex, origin, now, None, policy)
    if isinstance(raw, str):
        return None, f"join: {raw}"
    raw["cluster"] = {
        "workers": _workers(client), "parts": len(got), "final_run": "parts",
        "split_seconds": split, "workers_seconds": workers_seconds,
        "part_seconds_max": max(g["seconds"] for g in got), "part_seconds_sum": sum(g["seconds"] for g in got),
        "hash_ranges": shards, "hash_ranges_seconds": shards_seconds,
        "join_seconds": time.monotonic() - t3, "in_parts_seconds": time.monotonic() - t0,
        "rrsigs_seen": sum(g["rrsigs"] for g in got), "records_seen": sum(g["records"] for g in got),
        "worker_peak_rss_bytes": max(g["peak_rss_bytes"] for g in got),
    }
    return raw, ""


def run_final_task(path: str, origin: str | None, now: int, jobs: int | None, allow_include: bool, policy: dict,
                   secret: bytes, entries: bytes) -> dict:
    """The run over the whole file on a worker (``final_run="worker"``),
    with the parts' entries: the core's report dict."""
    _readable_here(path)
    return _native.verify_file(path, origin, now, jobs, allow_include, {**policy, "cache_known": (secret, entries)})


def submit_zone(client: Any, path: str, origin: str | None, now: int, jobs: int | None, allow_include: bool,
                policy: dict) -> Any:
    """A whole zone's run on a worker, as a future (:func:`run_zone_task`)."""
    _refuse_unsupported(policy)
    return _on_scheduler(lambda: client.submit(run_zone_task, path, origin, now, jobs, allow_include, policy,
                                               pure=False, key=f"zoneverify-zone-{os.getpid()}-{time.monotonic()}-{path}"))


def verify_on_cluster(client: Any, path: str, origin: str | None, now: int, jobs: int | None, allow_include: bool,
                      policy: dict, parts: int | None = None, progress: Any = None,
                      on_part: Callable[[int, int], None] | None = None, points: list[int] | None = None,
                      final_run: str = "here") -> dict:
    """The core's report dict of one zone file verified with the cluster's
    help (see the module), with ``"cluster"``: what the cluster did
    (``"final_run": "parts"`` when it was checked in parts, :func:`in_parts`).
    ``final_run``: where the run over the whole file of a split zone that
    is not checked in parts goes,
    ``"here"`` (this process: its cores, and ``progress`` shows it) or
    ``"worker"`` (one of the cluster's, the entries sent to it: the client
    only waits, for many large zones at once)."""
    if final_run not in ("here", "worker"):
        raise ValueError(f"final_run must be 'here' or 'worker', not {final_run!r}")
    _refuse_unsupported(policy)
    if on_part is None and progress is not None:
        progress.cluster_parts = None

        def on_part(done: int, total: int) -> None:
            progress.cluster_parts = (done, total)

    not_in_parts = ""
    if allow_include:
        # An $INCLUDEd file is read by the final run only: split nothing.
        pp = None
    else:
        t0 = time.monotonic()
        head = apex_run(path, origin)
        cuts = cut_points(client, path, parts, points, None if head is None else head[0])
        if cuts is not None and len(cuts) >= 3:
            if head is None:
                not_in_parts = "the file does not start with its apex"
            else:
                raw, not_in_parts = in_parts(client, path, origin, now, policy, cuts, head, on_part)
                if raw is not None:
                    raw["cluster"]["split_seconds"] += time.monotonic() - t0 - raw["cluster"]["in_parts_seconds"]
                    return raw
        pp = prepass(client, path, origin, now, parts, on_part, cuts)
    if pp is None:
        # Not worth splitting, or cannot be: the whole zone on one worker.
        t0 = time.monotonic()
        raw = gather(client, [submit_zone(client, path, origin, now, jobs, allow_include, policy)])[0]
        raw["cluster"] = {"workers": _workers(client), "parts": 0, "whole_zone_on_worker_seconds": time.monotonic() - t0}
        return raw
    t0 = time.monotonic()
    if final_run == "worker":
        entries = _on_scheduler(lambda: client.scatter(pp.entries))
        fut = _on_scheduler(lambda: client.submit(run_final_task, path, origin, now, jobs, allow_include, policy,
                                                  pp.secret, entries, pure=False,
                                                  key=f"zoneverify-final-{os.getpid()}-{time.monotonic()}-{path}"))
        raw = gather(client, [fut])[0]
    else:
        raw = _native.verify_file(path, origin, now, jobs, allow_include,
                                  {**policy, "cache_known": (pp.secret, pp.entries)},
                                  None if progress is None else progress._native)
    stats = raw.pop("cache", None) or {}
    raw["cluster"] = {**pp.as_dict(), "final_run": final_run, "final_run_seconds": time.monotonic() - t0,
                      "not_in_parts": not_in_parts,
                      "reused": stats.get("reused", 0), "verified_by_final_run": stats.get("verified", 0)}
    return raw
