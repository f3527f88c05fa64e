"""The ``zoneverify`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Sequence

from . import __version__
from ._errors import ZoneParseError
from ._policy import CHANGE_KINDS, algorithms, key_tags
from ._time import parse_now
from . import progress
from .api import verify_zone
from .metrics import ZoneRun, write_metrics

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2

_EXIT_TEXT = """\
exit status:
  0  every zone passes: every RRSIG valid, no zone-level error
     (warnings alone pass unless --warnings-as-errors)
  1  at least one error: an RRSIG not valid (bad, expired, no key,
     unsupported, ...) or a zone-level error (missing algorithm, NSEC/NSEC3
     chain, ZONEMD, trust anchor, ...)
  2  unusable input (a zone or trust-anchor file that cannot be read or
     parsed) or a usage error
"""


def _key_tag(text: str) -> int:
    try:
        return key_tags(text)[0]
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _algorithm(text: str) -> int:
    try:
        return algorithms(text)[0]
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = -1.0
    if not 0 < v < float("inf"):
        raise argparse.ArgumentTypeError(f"a positive number of seconds, not {text!r}")
    return v


def _percent(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = -1.0
    if not 0 <= v < float("inf"):
        raise argparse.ArgumentTypeError(f"a percentage of 0 or more, not {text!r}")
    return v


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, one line
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_verify_options(c: argparse.ArgumentParser, same_zone: bool) -> None:
    """The options of how a zone is verified (policy, gate, cache), the
    same for check and bench."""
    c.add_argument(
        "--allow-unsupported",
        action="store_true",
        default=None,
        help="do not fail on RRSIGs whose algorithm or key size cannot be verified "
        "(they are still reported as unsupported, never as valid)",
    )
    c.add_argument("--allow-include", action="store_true", default=None, help="honour $INCLUDE directives (off by default)")
    pol = c.add_argument_group("policy (strict by default)")
    pol.add_argument(
        "--policy",
        metavar="FILE",
        help="read the options below (and --origin, --allow-include, --allow-unsupported) from a TOML "
        "policy file (keys as verify_zone's arguments, see the README); flags given here override it",
    )
    pol.add_argument(
        "--signatures-only",
        action="store_true",
        default=None,
        help="verify the RRSIGs only and skip the zone-level checks (for RRset fragments); "
        "the summary says the checks were not run",
    )
    pol.add_argument(
        "--signed-by",
        choices=("every-algorithm", "any"),
        default=None,
        help="every authoritative RRset must be signed by every algorithm of the apex DNSKEY RRset "
        "(every-algorithm, the default; RFC 4035 section 2.2) or by any one",
    )
    pol.add_argument(
        "--redundant-failures",
        choices=("error", "warning"),
        default=None,
        help="a failing RRSIG next to a valid RRSIG of the same algorithm on the same RRset is an "
        "error (default) or a warning",
    )
    pol.add_argument("--require-ksk", action="store_true", default=None, help="the DNSKEY RRset must be signed by an unrevoked SEP key of each algorithm")
    pol.add_argument("--require-zonemd", action="store_true", default=None, help="a ZONEMD RRset must be present at the apex")
    pol.add_argument(
        "--trust-anchor",
        metavar="FILE",
        help="DS RRset, DNSKEY RRset or IANA root-anchors.xml; one anchor for the zone, in force at "
        "the verification time (validFrom/validUntil), must match a DNSKEY that validly signs the DNSKEY RRset",
    )
    pol.add_argument(
        "--expire-within",
        metavar="DURATION",
        help="flag valid RRSIGs that expire within DURATION of the verification time "
        "(seconds, or units s m h d w: 7d, 1w2d)",
    )
    pol.add_argument(
        "--inception-margin",
        metavar="DURATION",
        help="flag valid RRSIGs whose inception is less than DURATION before the verification time",
    )
    pol.add_argument("--warnings-as-errors", action="store_true", default=None, help="exit 1 on warnings too")
    gate = c.add_argument_group(
        "publication gate (README: Publication gate)",
        "What this stage of a rollover expects, and comparisons with the previous version and the "
        "signer's input. Each unmet expectation is an error finding with its own code. Repeatable "
        "flags take one value each; given on the command line, they replace the policy file's list.",
    )
    gate.add_argument("--expect-key", action="append", type=_key_tag, metavar="TAG",
                      help="a DNSKEY with this key tag is in the apex DNSKEY RRset")
    gate.add_argument("--expect-signing-key", action="append", type=_key_tag, metavar="TAG",
                      help="... and validly signs the DNSKEY RRset and, without the SEP flag, every authoritative RRset")
    gate.add_argument("--forbid-key", action="append", type=_key_tag, metavar="TAG",
                      help="no DNSKEY and no RRSIG with this key tag (the old key is gone)")
    gate.add_argument("--expect-algorithm", action="append", type=_algorithm, metavar="ALG",
                      help="the apex DNSKEY RRset has a key of this algorithm (number or mnemonic); "
                      "with --signed-by every-algorithm it then signs every RRset")
    gate.add_argument("--forbid-algorithm", action="append", type=_algorithm, metavar="ALG",
                      help="the apex DNSKEY RRset has no key of this algorithm")
    gate.add_argument("--prepublished-algorithm", action="append", type=_algorithm, metavar="ALG",
                      help="RFC 6781 4.1.4 stage 'new RRSIGs': signatures of ALG whose key is not published yet are "
                      "accepted unverified (warning prepublished-signature) while no DNSKEY of ALG is published, "
                      "and every authoritative RRset must carry one")
    gate.add_argument("--previous", metavar="FILE",
                      help="the zone file published before this one: the SOA serial must increase; changes of "
                      "delegations, DS, and the apex DNSKEY, CDS/CDNSKEY and NS RRsets are reported")
    gate.add_argument("--max-change", type=_percent, metavar="PERCENT",
                      help="with --previous: fail when more than PERCENT of the previous zone's delegations were "
                      "added, or removed, or of its data RRsets changed")
    gate.add_argument("--flag-changes", action="append", choices=CHANGE_KINDS, metavar="KIND",
                      help="with --previous: also report changes of KIND (dnskey, cds, ns, ds) as warnings")
    if same_zone:
        gate.add_argument("--same-zone", action="store_true",
                          help="every ZONE is a copy of one zone (for example axfr:// from each name server): fail when "
                          "a copy differs from the others in serial or content, naming the copy and the first difference")
    gate.add_argument("--unsigned", metavar="FILE",
                      help="the zone file that went into the signer: every record the signer dropped, added or "
                      "altered is an error (signatures, NSEC/NSEC3, DNSKEY, ZONEMD and the SOA serial excepted)")
    gate.add_argument("--signer-adds-cds", action="store_true", default=None,
                      help="with --unsigned: the signer may add or change CDS and CDNSKEY records")
    cache = c.add_argument_group("verified-signature cache")
    cache.add_argument("--cache", metavar="DIR",
                       help="keep the digests of the signatures verified in DIR (made if missing, owner-only) and "
                       "skip the public-key operation of those seen again in the next run; everything else is "
                       "checked in full (README: Verified-signature cache). One directory per zone")
    cache.add_argument("--cache-max-entries", type=int, metavar="N",
                       help="with --cache: store at most N entries (default 10,000,000: 320 MB)")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="zoneverify",
        description="DNSSEC zone verifier: checks every RRSIG of a signed zone, on all cores.",
        epilog=_EXIT_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"zoneverify {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    c = sub.add_parser(
        "check",
        help="verify every RRSIG of one or more zones (files, standard input, axfr:// transfers)",
        description=(
            "Verify every RRSIG of each ZONE (a file in RFC 1035 master format, standard input, or a zone "
            "transfer from axfr://HOST[:PORT]/ZONE). Prints one line per "
            "RRSIG that is not valid (file:line: owner, covered type, algorithm, key tag, "
            "status code, reason), then a summary per algorithm; with --previous, --unsigned or --same-zone, "
            "what they found."
        ),
        epilog=_EXIT_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("zones", nargs="+", metavar="ZONE",
                   help="zone file path, - to read the zone from standard input, or axfr://HOST[:PORT]/ZONE to "
                   "transfer it from a name server (IPv6 addresses in brackets: axfr://[::1]:53/example.)")
    c.add_argument("--origin", metavar="NAME", help="zone apex and initial $ORIGIN (default: the owner of the SOA record)")
    c.add_argument(
        "--now",
        metavar="TIME",
        help="verification time: YYYYMMDDHHMMSS (UTC), ISO 8601 (2026-06-01T00:00:00Z; no offset means UTC) "
        "or UNIX seconds (default: the current time)",
    )
    c.add_argument("--jobs", "-j", type=int, metavar="N", help="worker threads (default: one per core)")
    c.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: one JSON object per zone, one per line",
    )
    xfr = c.add_argument_group("zone transfers (axfr:// sources)")
    xfr.add_argument("--tsig", metavar="NAME:ALGORITHM:BASE64",
                     help="TSIG key for the transfers (visible to other users in the process list: prefer --tsig-file)")
    xfr.add_argument("--tsig-file", metavar="FILE", help="TSIG key file in BIND's format (key \"name\" { algorithm ...; secret \"...\"; };)")
    xfr.add_argument("--connect-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                     help="seconds to connect to each server (default 10)")
    xfr.add_argument("--timeout", type=_seconds, default=900.0, metavar="SECONDS",
                     help="seconds for each whole transfer, connection included (default 900)")
    _add_verify_options(c, same_zone=True)
    _add_progress_options(c)
    _add_dask_options(c)
    c.add_argument("--metrics", metavar="FILE",
                   help="write the run's metrics in the Prometheus text format to FILE, atomically (for "
                   "node_exporter's textfile collector: name it *.prom); see the README's Metrics")
    c.add_argument(
        "--max-findings",
        type=int,
        metavar="N",
        help="print at most N findings per zone (text format; all are checked, and counted in the summary)",
    )
    from .hook import add_parser as add_hook

    add_hook(sub)
    b = sub.add_parser(
        "bench",
        help="verify one zone file and report the time of each phase",
        description=(
            "Verify every RRSIG of ZONE once, exactly as 'check' does with the same options (the verdict and "
            "exit status are check's; findings are counted, not listed), and print the wall time of each "
            "phase (read, parse, model, verify, zone checks) and the path taken. A file of 8 MiB or more "
            "is read in parts while the parts before are parsed in parallel, so 'read' is only the time "
            "to its first part; on the streamed path the signatures of each part are verified while the "
            "next part is parsed, so 'verify' is the time the verification took, most of it beside the "
            "parsing, and 'parse' what the parsing took beyond it. Then the CPU "
            "time inside verification "
            "(canonical form and signed data; signature verification per algorithm, hashing included), "
            "RRSIGs per second, threads and peak memory; with --cache, the signatures reused and verified and "
            "the lookups' CPU time. To compare with other verifiers on the same "
            "zone, run benches/compare.py from a source checkout."
        ),
        epilog="exit status: 0 the zone passes, 1 it does not, 2 unusable input or usage error",
    )
    b.add_argument("zone", metavar="ZONE", help="zone file path")
    b.add_argument("--origin", metavar="NAME", help="zone apex (default: the owner of the SOA record)")
    b.add_argument("--now", metavar="TIME", help="verification time, as for check (default: now)")
    b.add_argument("--jobs", "-j", type=int, metavar="N", help="worker threads (default: one per core)")
    b.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    _add_verify_options(b, same_zone=False)
    _add_progress_options(b)
    _add_dask_options(b)
    r = sub.add_parser(
        "report",
        help="verify one zone file and write a self-contained HTML report page",
        description=(
            "Verify ZONE exactly as 'check' does with the same options and write one self-contained HTML file "
            "(no network fetches): the verdict, the findings in a table filtered by code and severity, RRSIG "
            "counts per algorithm and per key, and a timeline of signature expiration and inception per key "
            "tag and algorithm with the verification time and the --expire-within margin marked. Everything "
            "taken from the zone is escaped."
        ),
        epilog=_EXIT_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("zone", metavar="ZONE", help="zone file path (plain or compressed)")
    r.add_argument("-o", "--output", metavar="FILE", required=True, help="the HTML file to write (atomically)")
    r.add_argument("--origin", metavar="NAME", help="zone apex (default: the owner of the SOA record)")
    r.add_argument("--now", metavar="TIME", help="verification time, as for check (default: now)")
    r.add_argument("--jobs", "-j", type=int, metavar="N", help="worker threads (default: one per core)")
    _add_verify_options(r, same_zone=False)
    _add_progress_options(r)
    return p


def _add_progress_options(p: argparse.ArgumentParser) -> None:
    """--progress and --no-progress (check, bench, report)."""
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--progress", action="store_true", default=None,
                       help="show progress on standard error (the default when it is a terminal and the format is "
                       "text): bytes read, RRSIGs verified, rate and time left")
    shown.add_argument("--no-progress", action="store_false", dest="progress", help="no progress display")


def _add_dask_options(p: argparse.ArgumentParser) -> None:
    """--dask and --dask-parts (check, bench)."""
    g = p.add_argument_group("on a Dask cluster (see the README's 'On a Dask cluster')")
    g.add_argument("--dask", metavar="ADDRESS|local:N",
                   help="verify with a Dask cluster's help: the address of a running scheduler "
                   "(tcp://host:8786), or local:N to start N worker processes on this machine for the run; "
                   "the verdict is the one without it. Zone files of 64 MiB or more are split across the "
                   "workers, smaller ones verified whole by one worker each; the workers must read the files "
                   "at the same paths (shared storage)")
    g.add_argument("--dask-parts", type=int, metavar="N",
                   help="with --dask: split each zone file into at least N byte ranges, whatever its size "
                   "(more where a range would be over 256 MiB)")


def _dask_client(args: argparse.Namespace):
    """(client, close) for --dask, (None, no-op) without it; raises
    ValueError (usage) or ClusterError (no cluster)."""
    if getattr(args, "dask_parts", None) is not None and args.dask is None:
        raise ValueError("--dask-parts needs --dask")
    if getattr(args, "dask_parts", None) is not None and args.dask_parts < 1:
        raise ValueError("--dask-parts must be at least 1")
    if args.dask is None:
        return None, lambda: None
    from .cluster import connect

    return connect(args.dask)


def _shows_progress(args: argparse.Namespace) -> bool:
    """Whether to draw the progress bar: as asked, else when standard error
    is a terminal and the output is text."""
    if args.progress is not None:
        return bool(args.progress)
    return sys.stderr.isatty() and getattr(args, "format", "text") == "text"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``zoneverify`` command; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command in ("bench", "report"):
            # One zone file, verified as check does: the same options.
            if args.jobs is not None and args.jobs < 1:
                print("zoneverify: error: --jobs must be at least 1", file=sys.stderr)
                return EXIT_USAGE
            options = _policy_options(args)
            if options is None:
                return EXIT_USAGE
            if args.command == "bench":
                from .bench import main_bench

                return main_bench(args, options, _shows_progress(args))
            return _report_page(args, options)
        if args.command == "hook":
            from .hook import main_hook

            return main_hook(args)
        return _check(args)
    except KeyboardInterrupt:
        print("zoneverify: interrupted", file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        # A run that cannot be cancelled (a transfer, standard input) may
        # still be working in its thread: do not wait for it.
        os._exit(130)
    except BrokenPipeError:
        # Output closed early (e.g. piped into head): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAIL


def _check(args: argparse.Namespace) -> int:
    try:
        now = parse_now(args.now)
    except (ValueError, TypeError) as e:
        print(f"zoneverify: error: --now: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.max_findings is not None and args.max_findings < 0:
        print("zoneverify: error: --max-findings must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print("zoneverify: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    options = _policy_options(args)
    if options is None:
        return EXIT_USAGE
    tsig = None
    if args.tsig is not None and args.tsig_file is not None:
        print("zoneverify: error: --tsig and --tsig-file: give one", file=sys.stderr)
        return EXIT_USAGE
    try:
        from .tsig import load_key_file, parse_tsig

        if args.tsig is not None:
            tsig = parse_tsig(args.tsig)
        elif args.tsig_file is not None:
            tsig = load_key_file(args.tsig_file)
    except (ValueError, OSError) as e:
        what = f"{e.filename}: {e.strerror}" if isinstance(e, OSError) and e.filename else str(e)
        print(f"zoneverify: error: {'--tsig' if args.tsig else '--tsig-file'}: {what}", file=sys.stderr)
        return EXIT_USAGE
    if args.same_zone:
        options["fingerprint"] = True
    if args.dask is not None or args.dask_parts is not None:
        bad = [z for z in args.zones if z == "-" or z.startswith("axfr://")]
        if bad or args.same_zone:
            print(f"zoneverify: error: --dask takes zone files (not {'--same-zone' if args.same_zone else bad[0]})",
                  file=sys.stderr)
            return EXIT_USAGE
        if args.cache is not None or options.get("cache") is not None:
            print("zoneverify: error: --cache with --dask is not supported yet", file=sys.stderr)
            return EXIT_USAGE
    try:
        client, close_cluster = _dask_client(args)
    except ValueError as e:
        print(f"zoneverify: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        print(f"zoneverify: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _check_zones(args, options, now, tsig, client)
    finally:
        close_cluster()


def _check_zones(args: argparse.Namespace, options: dict, now: int, tsig, client) -> int:
    """check's loop over its zones (with ``client``, a Dask cluster's, the
    zones' runs go on at once, one thread each, and are printed in order)."""
    worst = EXIT_OK
    copies: list[tuple[str, object]] = []
    runs = []
    show_progress = _shows_progress(args)
    ahead: dict = {}
    if client is not None:
        from concurrent.futures import ThreadPoolExecutor

        from .progress import Progress

        pool = ThreadPoolExecutor(max_workers=min(len(args.zones), 8), thread_name_prefix="zoneverify-zone")
        for k, zone in enumerate(args.zones):
            p = Progress()
            # Several zones: the final runs on workers too, the client only waits.
            ahead[k] = (p, pool.submit(verify_zone, Path(zone), now=now, jobs=args.jobs, columns=False, client=client,
                                       parts=args.dask_parts, progress=p,
                                       final_run="worker" if len(args.zones) > 1 else "here", **options))
        pool.shutdown(wait=False)
    for k, zone in enumerate(args.zones):
        started = time.monotonic()
        report = None
        try:
            # A file name as a path, never as a str: verify_zone reads a
            # str holding a newline as zone text, and a file may be so named.
            source = sys.stdin.buffer.read() if zone == "-" else zone if zone.startswith("axfr://") else Path(zone)
            xfr = {}
            if zone.startswith("axfr://"):
                xfr = dict(tsig=tsig, connect_timeout=args.connect_timeout, timeout=args.timeout)
                xfr_options = {k: v for k, v in options.items() if k != "origin"}
            # In a worker thread, so that Ctrl-C stops the run at once (a
            # file's run is cancelled within a part; a transfer or standard
            # input is left to the process's exit).
            report = progress.run(
                lambda p: ahead[k][1].result() if client is not None else verify_zone(
                    source,
                    now=now,
                    jobs=args.jobs,
                    filename="<stdin>" if zone == "-" else None,
                    # What the summary and findings print: every RRSIG's status
                    # and algorithm, the other columns of those not valid.
                    columns=False,
                    progress=p,
                    **(xfr_options if xfr else options),
                    **xfr,
                ),
                zone,
                show=show_progress,
                cancellable=isinstance(source, Path) and client is None,
                watch=ahead[k][0] if client is not None else None,
            )
        except (ZoneParseError, OSError, ValueError) as e:
            print(_zone_error(e, zone), file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
        runs.append(ZoneRun(zone, report, time.monotonic() - started, time.time()))
        if report is None:
            continue
        for w in (report.cache or {}).get("warnings", []):
            print(f"zoneverify: warning: {w}", file=sys.stderr)
        if args.format == "json":
            print(report.to_json())
        else:
            _print_text(report, args.max_findings)
        if not report.ok:
            worst = max(worst, EXIT_FAIL)
        if args.same_zone:
            copies.append((zone, report))
        sys.stdout.flush()
    if args.same_zone:
        worst = max(worst, _same_zone(copies, len(args.zones)))
    if args.metrics is not None:
        try:
            write_metrics(args.metrics, runs)
        except OSError as e:
            print(f"zoneverify: error: --metrics {e.filename or args.metrics}: {e.strerror or e}", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
    return worst


def _zone_error(e: Exception, zone: str) -> str:
    """The one line for a zone that could not be verified (exit 2)."""
    if isinstance(e, ZoneParseError):
        return f"zoneverify: {e}"  # file:line:column: reason
    if isinstance(e, OSError):
        if e.filename is None and e.strerror is None:
            # The core's message names its source (file or server) itself.
            return f"zoneverify: {e}"
        return f"zoneverify: {e.filename or zone}: {e.strerror or e}"
    return f"zoneverify: {zone}: {e}"


def _report_page(args: argparse.Namespace, options: dict) -> int:
    """zoneverify report: the check, then the page."""
    from ._time import parse_duration
    from .htmlreport import render, write_page

    try:
        now = parse_now(args.now)
        report = progress.run(
            lambda p: verify_zone(Path(args.zone), now=now, jobs=args.jobs, progress=p, **options),
            args.zone,
            show=_shows_progress(args),
        )
        margin = parse_duration(options["expire_within"]) if options.get("expire_within") is not None else None
    except (ZoneParseError, OSError, ValueError) as e:
        print(_zone_error(e, args.zone), file=sys.stderr)
        return EXIT_USAGE
    try:
        write_page(args.output, render(report, args.zone, margin))
    except OSError as e:
        print(f"zoneverify: error: --output {e.filename or args.output}: {e.strerror or e}", file=sys.stderr)
        return EXIT_USAGE
    for line in report.summary_lines()[-1:]:
        print(line)
    print(f"report: {args.output}")
    return EXIT_OK if report.ok else EXIT_FAIL


def _same_zone(copies: list, wanted: int) -> int:
    """--same-zone: each copy against the one most copies agree with."""
    if len(copies) < wanted:
        print(f"zoneverify: --same-zone: {wanted - len(copies)} of {wanted} copies could not be read: not the same zone",
              file=sys.stderr)
        return EXIT_FAIL
    if not copies:
        return EXIT_OK
    agree = [sum(1 for _, o in copies if o.difference_from(r) is None) for _, r in copies]
    ref_name, ref = copies[agree.index(max(agree))]
    bad = 0
    for name, r in copies:
        diff = r.difference_from(ref)
        if diff is not None:
            bad += 1
            print(f"same-zone: {name}: differs from {ref_name}: {diff}")
    print(f"same-zone: {len(copies) - bad} of {len(copies)} copies the same (serial {ref.serial}): {'OK' if not bad else 'FAIL'}")
    return EXIT_FAIL if bad else EXIT_OK


def _policy_options(args: argparse.Namespace) -> dict | None:
    """:func:`_options`, or None after printing why the policy file
    cannot be used."""
    try:
        return _options(args)
    except ValueError as e:  # a policy file that cannot be used (file:line: key: why)
        print(f"zoneverify: error: --policy {e}", file=sys.stderr)
    except OSError as e:
        print(f"zoneverify: error: --policy {e.filename or args.policy}: {e.strerror or e}", file=sys.stderr)
    return None


def _options(args: argparse.Namespace) -> dict:
    """verify_zone's keyword arguments: the policy file's, then the flags
    given on the command line over them."""
    options: dict = {}
    if args.policy is not None:
        from .policyfile import load_policy

        options.update(load_policy(args.policy))
    flags = {
        "origin": args.origin,
        "allow_include": args.allow_include,
        "allow_unsupported": args.allow_unsupported,
        "zone_checks": False if args.signatures_only else None,
        "signed_by": args.signed_by,
        "redundant_failures": args.redundant_failures,
        "require_ksk": args.require_ksk,
        "require_zonemd": args.require_zonemd,
        "trust_anchor": args.trust_anchor,
        "expire_within": args.expire_within,
        "inception_margin": args.inception_margin,
        "warnings_as_errors": args.warnings_as_errors,
        "expect_keys": args.expect_key,
        "expect_signing_keys": args.expect_signing_key,
        "forbid_keys": args.forbid_key,
        "expect_algorithms": args.expect_algorithm,
        "forbid_algorithms": args.forbid_algorithm,
        "prepublished_algorithms": args.prepublished_algorithm,
        "previous": args.previous,
        "unsigned": args.unsigned,
        "max_change": args.max_change,
        "flag_changes": args.flag_changes,
        "signer_adds_cds": args.signer_adds_cds,
        "cache": args.cache,
        "cache_max_entries": args.cache_max_entries,
    }
    options.update({k: v for k, v in flags.items() if v is not None})
    return options


def _print_text(report, max_findings: int | None = None) -> None:
    out = sys.stdout
    shown = report.findings if max_findings is None else report.findings[:max_findings]
    for f in shown:
        out.write(f"{f}\n")
    if len(shown) < len(report.findings):
        out.write(f"... {len(report.findings) - len(shown)} more findings not shown (--max-findings {max_findings})\n")
    for line in report.summary_lines():
        out.write(line + "\n")


if __name__ == "__main__":
    sys.exit(main())
