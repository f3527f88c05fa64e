"""The ``zoneverify`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from . import __version__
from ._errors import ZoneParseError
from ._time import parse_now
from .api import verify_zone

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2

_EXIT_TEXT = """\
exit status:
  0  every RRSIG of every zone is valid
  1  at least one RRSIG is not valid (bad, expired, no key, unsupported, ...)
  2  unusable input (a zone that cannot be read or parsed) or a usage error
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, one line
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


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
        help="verify every RRSIG of one or more zone files",
        description=(
            "Verify every RRSIG of each ZONE (RFC 1035 master format). Prints one line per "
            "RRSIG that is not valid (file:line: owner, covered type, algorithm, key tag, "
            "status code, reason), then a summary per algorithm."
        ),
        epilog=_EXIT_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("zones", nargs="+", metavar="ZONE", help="zone file path, or - to read the zone from standard input")
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
    c.add_argument(
        "--allow-unsupported",
        action="store_true",
        help="do not fail on RRSIGs whose algorithm or key size cannot be verified "
        "(they are still reported as unsupported, never as valid)",
    )
    c.add_argument("--allow-include", action="store_true", help="honour $INCLUDE directives (off by default)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``zoneverify`` command; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return _check(args)
    except KeyboardInterrupt:
        print("zoneverify: interrupted", file=sys.stderr)
        return 130
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
    if args.jobs is not None and args.jobs < 1:
        print("zoneverify: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    worst = EXIT_OK
    for zone in args.zones:
        try:
            if zone == "-":
                data = sys.stdin.buffer.read()
                report = _verify_stdin(data, args, now)
            else:
                report = verify_zone(
                    zone,
                    origin=args.origin,
                    now=now,
                    jobs=args.jobs,
                    allow_include=args.allow_include,
                    allow_unsupported=args.allow_unsupported,
                )
        except ZoneParseError as e:
            print(f"zoneverify: {e}", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
            continue
        except OSError as e:
            name = e.filename if e.filename else zone
            print(f"zoneverify: {name}: {e.strerror or e}", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
            continue
        except ValueError as e:
            print(f"zoneverify: {zone}: {e}", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
            continue
        if args.format == "json":
            print(report.to_json())
        else:
            _print_text(report)
        if not report.ok:
            worst = max(worst, EXIT_FAIL)
        sys.stdout.flush()
    return worst


def _verify_stdin(data: bytes, args: argparse.Namespace, now: int):
    from . import _native
    from .report import Report

    raw = _native.verify_text(data, "<stdin>", args.origin, now, args.jobs, args.allow_include)
    return Report(raw, allow_unsupported=args.allow_unsupported)


def _print_text(report) -> None:
    out = sys.stdout
    for f in report.findings:
        out.write(f"{f}\n")
    for line in report.summary_lines():
        out.write(line + "\n")


if __name__ == "__main__":
    sys.exit(main())
