"""``zoneverify hook``: verification in a server's publication path.

The calling program's contract is read from its environment or command
line, and what it hands over is verified:

- **NSD** (``verifier:`` in ``nsd.conf``; NSD 4.6.1 sets ``VERIFY_ZONE``,
  ``VERIFY_ZONE_ON_STDIN=yes`` with ``verifier-feed-zone: yes``,
  ``VERIFY_IP_ADDRESSES`` as ``ADDRESS@PORT``, ``VERIFY_IP_ADDRESS``,
  ``VERIFY_PORT``, ``VERIFY_IPV4_ADDRESS``/``VERIFY_IPV4_PORT`` and
  ``VERIFY_IPV6_ADDRESS``/``VERIFY_IPV6_PORT``): the zone on standard input,
  or by AXFR from the address NSD serves the candidate version on.
- **Cascade** (review hooks: ``CASCADE_ZONE``, ``CASCADE_SERIAL``,
  ``CASCADE_SERVER_IP``, ``CASCADE_SERVER_PORT``, or ``CASCADE_SERVER`` as
  ``HOST:PORT``): by AXFR from the review server; the serial transferred
  must be the one under review.
- **OpenDNSSEC** (``NotifyCommand``: ``zoneverify hook ... %zone
  %zonefile``): the signed file; when it passes, ``--then COMMAND`` (the copy
  into the name server's folder and its reload, for example) runs, never
  when it fails.

Exit status: 0 approves; 1 refuses (the zone fails a check); 2 refuses
because the zone could not be verified (unusable input, a failed
transfer, a usage error, the ``--timeout`` reached); with ``--then``, its
own non-zero status if it fails. One summary line goes to standard error
(the server's log); ``--report-dir`` keeps the JSON report of each zone
and serial.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from ._time import parse_now

EXIT_OK, EXIT_FAIL, EXIT_UNUSABLE = 0, 1, 2


def add_parser(sub) -> argparse.ArgumentParser:
    h = sub.add_parser(
        "hook",
        help="verify what NSD, Cascade or OpenDNSSEC is about to publish (exit 0 approves)",
        description=(
            "Verify the zone a server is about to publish, reading the server's contract: NSD's verifier "
            "environment (VERIFY_ZONE, ...; zone on standard input or by AXFR from NSD's verify address), "
            "Cascade's review hook environment (CASCADE_ZONE, CASCADE_SERIAL, CASCADE_SERVER_IP, "
            "CASCADE_SERVER_PORT; by AXFR), or OpenDNSSEC's NotifyCommand (ZONE ZONEFILE arguments). "
            "Exits 0 to approve and non-zero to refuse; logs one summary line on standard error."
        ),
        epilog=(
            "exit status: 0 approve; 1 refuse: the zone fails; 2 refuse: the zone could not be verified "
            "(unusable input, failed transfer, usage error, --timeout reached); with --then, its status "
            "if it fails"
        ),
    )
    h.add_argument("zone", nargs="?", metavar="ZONE", help="OpenDNSSEC: the zone (%%zone)")
    h.add_argument("zonefile", nargs="?", metavar="ZONEFILE", help="OpenDNSSEC: the signed zone file (%%zonefile)")
    h.add_argument("--contract", choices=("auto", "nsd", "cascade", "opendnssec"), default="auto",
                   help="whose contract to read (default: NSD's if VERIFY_ZONE is set, Cascade's if "
                   "CASCADE_ZONE is, OpenDNSSEC's if ZONE and ZONEFILE are given)")
    h.add_argument("--policy", metavar="FILE", help="policy file (TOML; see zoneverify check --policy)")
    h.add_argument("--now", metavar="TIME", help="verification time (default: now)")
    h.add_argument("--jobs", "-j", type=int, metavar="N", help="worker threads (default: one per core)")
    h.add_argument("--report-dir", metavar="DIR",
                   help="write the JSON report to DIR/ZONE_SERIAL.json (written before the verdict is returned)")
    h.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="refuse (exit 2) when the whole check takes longer (default 600; keep it below the "
                   "server's own verifier timeout)")
    h.add_argument("--tsig-file", metavar="FILE", help="TSIG key file (BIND format) for the AXFR")
    h.add_argument("--then", metavar="COMMAND",
                   help="after a pass only: run COMMAND (through the shell; %%zone and %%zonefile replaced; "
                   "ZONEVERIFY_ZONE, ZONEVERIFY_ZONEFILE, ZONEVERIFY_SERIAL in its environment)")
    return h


def _log(line: str) -> None:
    """One line to standard error (the server's log), or to syslog when the
    server gave none (OpenDNSSEC's signer runs NotifyCommand without)."""
    try:
        sys.stderr.write(f"zoneverify hook: {line}\n")
        sys.stderr.flush()
        return
    except (AttributeError, OSError, ValueError):
        pass
    try:
        import syslog

        syslog.openlog("zoneverify", syslog.LOG_PID, syslog.LOG_DAEMON)
        syslog.syslog(syslog.LOG_NOTICE, f"hook: {line}")
    except Exception:  # noqa: BLE001 - logging must never change the verdict
        pass


def _nsd_source(env: dict[str, str]) -> tuple[str, str]:
    """(zone, source) from NSD's verifier environment: "-" for standard input."""
    zone = env["VERIFY_ZONE"]
    if env.get("VERIFY_ZONE_ON_STDIN", "").lower() == "yes":
        return zone, "-"
    # NSD's preference first: VERIFY_IP_ADDRESSES is "ADDRESS@PORT ...".
    first = env.get("VERIFY_IP_ADDRESSES", "").split()
    if first:
        addr, _, port = first[0].partition("@")
        port = port or env.get("VERIFY_PORT", "53")
    elif env.get("VERIFY_IPV6_ADDRESS"):
        addr, port = env["VERIFY_IPV6_ADDRESS"], env.get("VERIFY_IPV6_PORT", env.get("VERIFY_PORT", "53"))
    elif env.get("VERIFY_IPV4_ADDRESS"):
        addr, port = env["VERIFY_IPV4_ADDRESS"], env.get("VERIFY_IPV4_PORT", env.get("VERIFY_PORT", "53"))
    elif env.get("VERIFY_IP_ADDRESS"):
        addr, port = env["VERIFY_IP_ADDRESS"], env.get("VERIFY_PORT", "53")
    else:
        raise ValueError("NSD gave neither the zone on standard input nor an address (VERIFY_IP_ADDRESSES)")
    return zone, _axfr(addr, port, zone)


def _axfr(addr: str, port: str, zone: str) -> str:
    host = f"[{addr}]" if ":" in addr and not addr.startswith("[") else addr
    return f"axfr://{host}:{port}/{zone}"


def _cascade_source(env: dict[str, str]) -> tuple[str, str, int | None]:
    zone = env["CASCADE_ZONE"]
    serial = env.get("CASCADE_SERIAL")
    if env.get("CASCADE_SERVER_IP"):
        src = _axfr(env["CASCADE_SERVER_IP"], env.get("CASCADE_SERVER_PORT", "53"), zone)
    elif env.get("CASCADE_SERVER"):
        text = env["CASCADE_SERVER"].strip()
        # [v6]:port, [v6], host:port, host, or a bare IPv6 address.
        m = (re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", text) or re.fullmatch(r"([^:\[\]]+)(?::(\d+))?", text)
             or re.fullmatch(r"([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)()", text))
        if not m:
            raise ValueError(f"CASCADE_SERVER {env['CASCADE_SERVER']!r} is not HOST[:PORT]")
        src = _axfr(m.group(1), m.group(2) or "53", zone)
    else:
        raise ValueError("Cascade gave no review server (CASCADE_SERVER_IP, CASCADE_SERVER)")
    if serial is not None and not serial.isdigit():
        raise ValueError(f"CASCADE_SERIAL {serial!r} is not a number")
    return zone, src, int(serial) if serial is not None else None


def main_hook(args: argparse.Namespace, env: dict[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    t0 = time.monotonic()
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(args.timeout):
            _log(f"refused: no verdict within --timeout {args.timeout:g} s")
            sys.stderr.flush()
            os._exit(EXIT_UNUSABLE)

    if args.timeout <= 0:
        _log("usage: --timeout must be positive")
        return EXIT_UNUSABLE
    threading.Thread(target=watchdog, daemon=True).start()
    try:
        return _run(args, env, t0)
    finally:
        done.set()


def _run(args: argparse.Namespace, env: dict[str, str], t0: float) -> int:
    from ._errors import ZoneParseError
    from .api import verify_zone
    from .policyfile import load_policy

    contract = args.contract
    if contract == "auto":
        contract = ("nsd" if "VERIFY_ZONE" in env else "cascade" if "CASCADE_ZONE" in env
                    else "opendnssec" if args.zonefile else None)
    if contract is None:
        _log("usage: no contract found: neither VERIFY_ZONE (NSD) nor CASCADE_ZONE (Cascade) is set, and no "
             "ZONE ZONEFILE arguments (OpenDNSSEC's NotifyCommand: zoneverify hook %zone %zonefile)")
        return EXIT_UNUSABLE
    expect_serial = None
    try:
        options = load_policy(args.policy) if args.policy else {}
        now = parse_now(args.now)
        if contract == "nsd":
            zone, source = _nsd_source(env)
        elif contract == "cascade":
            zone, source, expect_serial = _cascade_source(env)
        else:
            if not (args.zone and args.zonefile):
                raise ValueError("OpenDNSSEC: give ZONE and ZONEFILE (NotifyCommand: zoneverify hook %zone %zonefile)")
            zone, source = args.zone, args.zonefile
    except (ValueError, OSError) as e:
        _log(f"{contract}: refused, cannot verify: {e}")
        return EXIT_UNUSABLE
    if not zone.endswith("."):
        zone += "."
    # The report the hook logs and writes (findings, counts) needs every
    # RRSIG's status, the other columns only of those not valid.
    kw: dict = dict(options, now=now, jobs=args.jobs, columns=False)
    if source.startswith("axfr://"):
        kw.pop("origin", None)
        kw.update(timeout=max(1.0, args.timeout - (time.monotonic() - t0)))
        if args.tsig_file:
            kw["tsig"] = args.tsig_file
    else:
        kw["origin"] = zone
    what = f"{contract} {zone}"
    try:
        if source == "-":
            report = verify_zone(sys.stdin.buffer.read(), filename=f"<{contract} {zone} on stdin>", **kw)
        else:
            report = verify_zone(source, **kw)
    except (ZoneParseError, OSError, ValueError) as e:
        _log(f"{what}: refused, cannot verify: {e}")
        return EXIT_UNUSABLE
    serial = report.serial
    if args.report_dir:
        d = Path(args.report_dir)
        try:
            d.mkdir(parents=True, exist_ok=True)
            name = f"{zone.rstrip('.') or 'root'}_{serial if serial is not None else 'noserial'}.json"
            tmp = d / (name + ".tmp")
            tmp.write_text(json.dumps(dict(report.to_dict(), hook={"contract": contract, "source": source}), indent=1))
            tmp.replace(d / name)
        except OSError as e:
            _log(f"{what}: refused: cannot write the report to {d}: {e}")
            return EXIT_UNUSABLE
    errors = report.errors
    ok = report.ok
    if ok and expect_serial is not None and serial != expect_serial:
        ok = False
        why = f"the review server served serial {serial}, not CASCADE_SERIAL {expect_serial}"
    elif not ok:
        first = errors[0] if errors else None
        why = f"{len(errors)} errors; first: {first}" if first else "nothing was verified"
    else:
        why = ""
    counts = (f"{len(report)} RRSIGs, {len(report) - report.counts['by_status'].get('valid', 0)} not valid, "
              f"{sum(1 for f in errors if f.status is None)} zone errors, {len(report.warnings)} warnings")
    took = f"{time.monotonic() - t0:.2f} s"
    if not ok:
        _log(f"{what} serial {serial}: REFUSED ({counts}; {why}) in {took}")
        return EXIT_FAIL
    _log(f"{what} serial {serial}: approved ({counts}) in {took}")
    if args.then:
        cmd = args.then.replace("%zonefile", args.zonefile or "").replace("%zone", zone)
        run_env = dict(env, ZONEVERIFY_ZONE=zone, ZONEVERIFY_ZONEFILE=args.zonefile or "", ZONEVERIFY_SERIAL=str(serial))
        # Its output goes where ours would; none when the server gave none.
        out = None if sys.stderr is not None else subprocess.DEVNULL
        p = subprocess.run(cmd, shell=True, env=run_env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        if p.returncode != 0:
            _log(f"{what} serial {serial}: --then {shlex.quote(args.then)} failed with status {p.returncode}")
            return p.returncode if 0 < p.returncode < 256 else EXIT_FAIL
    return EXIT_OK
