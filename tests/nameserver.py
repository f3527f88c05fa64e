"""NSD (Debian's `nsd` package) started on loopback for the zone-transfer
tests: on free ports of 127.0.0.1 and ::1, in the foreground, as the
current user, with its files in a work folder; stopped when the test ends,
also when it fails (use it as a context manager or through a fixture)."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def nsd_binary() -> str:
    path = shutil.which("nsd") or shutil.which("nsd", path="/usr/sbin:/usr/bin")
    if not path:
        raise RuntimeError("nsd is not installed (Debian package nsd; tests/run.sh installs it)")
    return path


def free_port() -> int:
    """A TCP and UDP port free on both 127.0.0.1 and ::1 (asked of the kernel)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    with socket.socket(fam, kind) as t:
                        t.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port on loopback")


@dataclass
class Zone:
    name: str
    file: Path
    #: provide-xfr lines: (address, key name or "NOKEY")
    acl: list[tuple[str, str]] = field(default_factory=lambda: [("127.0.0.1", "NOKEY"), ("::1", "NOKEY")])
    #: More lines of its zone: clause (request-xfr, verifier, ...).
    extra: list[str] = field(default_factory=list)


@dataclass
class Key:
    name: str
    algorithm: str
    secret: str  # base64


class Nsd:
    """One NSD instance serving `zones` on 127.0.0.1 and ::1, port `port`."""

    def __init__(self, workdir: Path, zones: list[Zone], keys: list[Key] = (), clauses: str = ""):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.zones = zones
        self.keys = list(keys)
        #: More clauses (a verify: clause, ...), as nsd.conf text.
        self.clauses = clauses
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def config(self) -> str:
        d = self.dir
        lines = [
            "server:",
            f"    ip-address: 127.0.0.1@{self.port}",
            f"    ip-address: ::1@{self.port}",
            '    username: ""',
            '    chroot: ""',
            f'    zonesdir: "{d}"',
            '    database: ""',
            f'    zonelistfile: "{d}/zone.list"',
            f'    xfrdfile: "{d}/xfrd.state"',
            f'    xfrdir: "{d}"',
            f'    pidfile: "{d}/nsd.pid"',
            f'    logfile: "{d}/nsd.log"',
            "    verbosity: 2",
            "remote-control:",
            "    control-enable: no",
        ]
        for k in self.keys:
            lines += ["key:", f'    name: "{k.name}"', f"    algorithm: {k.algorithm}", f'    secret: "{k.secret}"']
        lines += self.clauses.splitlines()
        for z in self.zones:
            lines += ["zone:", f'    name: "{z.name}"', f'    zonefile: "{z.file}"']
            lines += [f"    provide-xfr: {a} {key}" for a, key in z.acl]
            lines += [f"    {x}" for x in z.extra]
        return "\n".join(lines) + "\n"

    def start(self) -> "Nsd":
        conf = self.dir / "nsd.conf"
        conf.write_text(self.config())
        out = open(self.dir / "nsd.out", "w")
        self.proc = subprocess.Popen([nsd_binary(), "-d", "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nsd exited ({self.proc.returncode}):\n{self.log()}")
            log = self.log()
            if "nsd started" in log:
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nsd did not start in 20 s:\n{self.log()}")

    def log(self) -> str:
        text = ""
        for f in ("nsd.log", "nsd.out"):
            p = self.dir / f
            if p.exists():
                text += p.read_text(errors="replace")
        return text

    def reload(self) -> None:
        """SIGHUP: NSD reads the zone files whose mtime changed (and notifies)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGHUP)

    def wait_log(self, text: str, timeout: float = 30, after: int = 0) -> str:
        """Waits until the log holds `text` after offset `after`; returns the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log()
            if text in log[after:]:
                return log
            time.sleep(0.05)
        raise AssertionError(f"nsd log has no {text!r} within {timeout} s:\n{self.log()[after:]}")

    def url(self, zone: str, host: str = "127.0.0.1") -> str:
        h = f"[{host}]" if ":" in host else host
        return f"axfr://{h}:{self.port}/{zone}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> "Nsd":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
