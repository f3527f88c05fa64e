"""The whole-zone path as the streaming pipeline's oracle (issue 11).

While the tests run, every zone verification through the public API
(`verify_zone` on a file, text, a dnspython zone or a transfer, hence every corpus zone,
every zone a real signer produces in the tests, every defect and mutation)
is run again on the whole-zone path, and, for files, once more through the
streaming stage with 4 KiB windows (so that owner names cross window
boundaries and the records are thinned part by part); for files, these two
verify in batches of a few work items, as a run with progress counters
does in larger ones (so that batching is compared too). All must give the
same report: statuses, reasons, findings, counts and line numbers. A
difference fails the test that made the call.
"""

from __future__ import annotations

import array
import collections
from typing import Any

# Report keys that are allowed to differ: which path ran and how long it took.
# "cache": what the call's verified-signature cache did (the references run
# without one, so a warm call is compared with a run that verified all).
NOT_COMPARED = {"timings", "canonicalise_cpu", "crypto", "pipeline", "checked_by_name", "cache"}

# How often each path was taken, for test_pipeline.py's check that the
# comparison is not vacuous.
TAKEN: collections.Counter = collections.Counter()


def _call(fn, args, policy) -> tuple[str, Any]:
    try:
        return "ok", fn(*args, policy)
    except Exception as e:  # noqa: BLE001 - compared, then re-raised by the caller
        return "raise", e


def _same(a: tuple[str, Any], b: tuple[str, Any], what: str) -> None:
    if a[0] != b[0]:
        raise AssertionError(f"pipeline oracle: {what}: one path raised, the other did not: {a[1]!r} / {b[1]!r}")
    if a[0] == "raise":
        ea, eb = a[1], b[1]
        if type(ea) is not type(eb) or str(ea) != str(eb):
            raise AssertionError(f"pipeline oracle: {what}: different errors: {ea!r} / {eb!r}")
        return
    ra, rb = a[1], b[1]
    keys = (set(ra) | set(rb)) - NOT_COMPARED
    for k in sorted(keys):
        if k == "fingerprint" and ra.get(k) is not None and rb.get(k) is not None:
            if not ra[k].same(rb[k]):
                raise AssertionError(f"pipeline oracle: {what}: the fingerprints differ: {ra[k].first_difference(rb[k])}")
            continue
        if ra.get(k) != rb.get(k):
            raise AssertionError(
                f"pipeline oracle: {what}: '{k}' differs between the streaming and the whole-zone path "
                f"({ra.get('pipeline')} / {rb.get('pipeline')}):\n{str(ra.get(k))[:2000]}\n---\n{str(rb.get(k))[:2000]}"
            )


def count(r: tuple[str, Any]) -> None:
    TAKEN[r[1].get("pipeline", "").split(":")[0] if r[0] == "ok" else "error"] += 1
    if r[0] == "ok" and r[1].get("checked_by_name"):
        TAKEN["checked by name"] += 1
        covered = r[1].get("type_covered", b"")
        if 50 in array.array("H", covered[: len(covered) // 2 * 2]):
            TAKEN["NSEC3 checked by name"] += 1


def wrap(native) -> dict[str, Any]:
    """Replacements for the _native entry points that run both paths."""
    orig = {n: getattr(native, n) for n in ("verify_file", "verify_text", "verify_wire_zone", "verify_axfr")}

    def with_policy(policy, **extra):
        p = dict(policy or {})
        if extra:
            # The references: without the call's cache (and not writing it).
            p.pop("cache", None)
            p.pop("cache_max_entries", None)
        p.update(extra)
        return p

    def verify_file(path, origin, now, jobs, allow_include, policy=None, progress=None):
        args = (path, origin, now, jobs, allow_include)
        if progress is not None:
            # The call with the caller's progress counters (a cancelled run
            # raises KeyboardInterrupt here, as without the oracle).
            orig["verify_file"](*args, with_policy(policy), progress)
        main = _call(orig["verify_file"], args, with_policy(policy))
        # The reference and the 4 KiB windows verify in tiny batches (as a
        # run with progress counters does, in batches of 4096 work items):
        # the batching is compared with the unbatched main call too.
        ref = _call(lambda *a: orig["verify_file"](*a, native.NativeProgress(batch=5)), args,
                    with_policy(policy, whole_zone=True))
        _same(main, ref, f"verify_file({path})")
        small = _call(lambda *a: orig["verify_file"](*a, native.NativeProgress(batch=3)), args,
                      with_policy(policy, window_bytes=4096))
        _same(small, ref, f"verify_file({path}) in 4 KiB windows")
        for r in (main, small):
            count(r)
        return _result(main)

    def both(name, args, policy, what):
        """The call as made, and again on the whole-zone path: compared."""
        main = _call(orig[name], args, with_policy(policy))
        ref = _call(orig[name], args, with_policy(policy, whole_zone=True))
        _same(main, ref, what)
        count(main)
        return _result(main)

    def verify_text(text, filename, origin, now, jobs, allow_include, policy=None):
        return both("verify_text", (text, filename, origin, now, jobs, allow_include), policy, f"verify_text({filename})")

    def verify_wire_zone(wire, source, origin, now, jobs, policy=None):
        return both("verify_wire_zone", (wire, source, origin, now, jobs), policy, f"verify_wire_zone({source})")

    def verify_axfr(url, tsig, connect_timeout, timeout, now, jobs, policy=None):
        # Transferred twice: streamed, and whole.
        return both("verify_axfr", (url, tsig, connect_timeout, timeout, now, jobs), policy, f"verify_axfr({url})")

    return {"verify_file": verify_file, "verify_text": verify_text, "verify_wire_zone": verify_wire_zone,
            "verify_axfr": verify_axfr}


def _result(r: tuple[str, Any]) -> Any:
    if r[0] == "raise":
        raise r[1]
    return r[1]
