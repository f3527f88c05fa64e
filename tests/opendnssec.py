"""OpenDNSSEC 2.1 (Debian's `opendnssec` with `softhsm2`) set up in a work
folder for one test: a SoftHSM token, conf.xml, a short KASP policy, one
zone; the enforcer and the signer started, and stopped afterwards (also on
failure). The signer's pid and socket files are compiled into it
(/run/opendnssec), so this needs root, as the packages do."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

SCHEMA = Path("/usr/share/opendnssec/schema.sqlite")
SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


def available() -> str | None:
    """Why OpenDNSSEC cannot run here, or None."""
    for tool in ("ods-enforcerd", "ods-signerd", "ods-enforcer", "ods-signer", "softhsm2-util"):
        if not (shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/bin")):
            return f"{tool} is not installed (Debian packages opendnssec, softhsm2)"
    if not SCHEMA.exists() or not Path(SOFTHSM).exists():
        return "the OpenDNSSEC schema or the SoftHSM module is missing"
    if os.geteuid() != 0:
        return "the signer's pid and socket files are in /run/opendnssec: root needed"
    return None


KASP = """<?xml version="1.0" encoding="UTF-8"?>
<KASP>
  <Policy name="test">
    <Description>short test policy</Description>
    <Signatures>
      <Resign>PT2H</Resign><Refresh>P3D</Refresh>
      <Validity><Default>P14D</Default><Denial>P14D</Denial></Validity>
      <Jitter>PT1H</Jitter><InceptionOffset>PT3600S</InceptionOffset><MaxZoneTTL>P1D</MaxZoneTTL>
    </Signatures>
    <Denial><NSEC/></Denial>
    <Keys>
      <TTL>PT3600S</TTL><RetireSafety>PT3600S</RetireSafety><PublishSafety>PT3600S</PublishSafety><Purge>P14D</Purge>
      <KSK><Algorithm length="256">13</Algorithm><Lifetime>P365D</Lifetime><Repository>SoftHSM</Repository></KSK>
      <ZSK><Algorithm length="256">13</Algorithm><Lifetime>P90D</Lifetime><Repository>SoftHSM</Repository></ZSK>
    </Keys>
    <Zone>
      <PropagationDelay>PT3600S</PropagationDelay>
      <SOA><TTL>PT3600S</TTL><Minimum>PT3600S</Minimum><Serial>counter</Serial></SOA>
    </Zone>
    <Parent>
      <PropagationDelay>PT9999S</PropagationDelay>
      <DS><TTL>PT3600S</TTL></DS>
      <SOA><TTL>PT172800S</TTL><Minimum>PT10800S</Minimum></SOA>
    </Parent>
  </Policy>
</KASP>
"""


class OpenDnssec:
    def __init__(self, workdir: Path, zone: str, unsigned_text: str, notify_command: str):
        self.d = Path(workdir)
        self.zone = zone.rstrip(".")
        self.unsigned_text = unsigned_text
        self.notify = notify_command
        self.env = dict(os.environ, SOFTHSM2_CONF=str(self.d / "softhsm2.conf"))
        self.procs: list[subprocess.Popen] = []
        self.signed = self.d / "signed" / self.zone

    def run(self, *cmd: str, timeout: float = 60) -> str:
        p = subprocess.run(list(cmd), env=self.env, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p.stdout + p.stderr

    def start(self) -> "OpenDnssec":
        d = self.d
        for sub in ("tokens", "enforcer", "signer", "unsigned", "signed"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        (d / "softhsm2.conf").write_text(f"directories.tokendir = {d / 'tokens'}\n")
        self.run("softhsm2-util", "--init-token", "--free", "--label", "OpenDNSSEC", "--pin", "1234", "--so-pin", "1234")
        (d / "conf.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<Configuration>
  <RepositoryList>
    <Repository name="SoftHSM"><Module>{SOFTHSM}</Module><TokenLabel>OpenDNSSEC</TokenLabel><PIN>1234</PIN><SkipPublicKey/></Repository>
  </RepositoryList>
  <Common>
    <Logging><Verbosity>3</Verbosity></Logging>
    <PolicyFile>{d}/kasp.xml</PolicyFile>
    <ZoneListFile>{d}/zonelist.xml</ZoneListFile>
  </Common>
  <Enforcer>
    <Datastore><SQLite>{d}/kasp.db</SQLite></Datastore>
    <AutomaticKeyGenerationPeriod>P1M</AutomaticKeyGenerationPeriod>
    <PidFile>{d}/enforcerd.pid</PidFile>
    <SocketFile>{d}/enforcer.sock</SocketFile>
    <WorkingDirectory>{d}/enforcer</WorkingDirectory>
  </Enforcer>
  <Signer>
    <WorkingDirectory>{d}/signer</WorkingDirectory>
    <WorkerThreads>2</WorkerThreads>
    <NotifyCommand>{self.notify}</NotifyCommand>
  </Signer>
</Configuration>
""")
        (d / "kasp.xml").write_text(KASP)
        (d / "zonelist.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<ZoneList>
  <Zone name="{self.zone}">
    <Policy>test</Policy>
    <SignerConfiguration>{d}/signer/{self.zone}.xml</SignerConfiguration>
    <Adapters>
      <Input><File>{d}/unsigned/{self.zone}</File></Input>
      <Output><File>{self.signed}</File></Output>
    </Adapters>
  </Zone>
</ZoneList>
""")
        (d / "unsigned" / self.zone).write_text(self.unsigned_text)
        # What ods-enforcer-db-setup does, for a database of our own
        # (that tool reads only /etc/opendnssec/conf.xml).
        db = sqlite3.connect(d / "kasp.db")
        db.executescript(SCHEMA.read_text())
        db.execute("INSERT INTO databaseVersion ( version ) VALUES ( 1 )")
        db.commit()
        db.close()
        Path("/run/opendnssec").mkdir(parents=True, exist_ok=True)
        for daemon in ("ods-enforcerd", "ods-signerd"):
            log = open(d / f"{daemon}.log", "w")
            self.procs.append(subprocess.Popen([daemon, "-d", "-c", str(d / "conf.xml")], env=self.env, stdout=log,
                                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True))
            if daemon == "ods-enforcerd":
                self._wait(lambda: (d / "enforcer.sock").exists(), "the enforcer's socket")
        sock = ["-s", str(d / "enforcer.sock")]
        self.run("ods-enforcer", *sock, "policy", "import")
        self.run("ods-enforcer", *sock, "zonelist", "import")
        self._wait(lambda: (d / "signer" / f"{self.zone}.xml").exists(), "the signer configuration", 60)
        return self

    def _wait(self, cond, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{p.args[0]} exited ({p.returncode}) waiting for {what}:\n{self.logs()}")
            time.sleep(0.1)
        raise RuntimeError(f"no {what} within {timeout} s:\n{self.logs()}")

    def sign(self) -> None:
        """Asks the signer to sign the zone now (it then runs NotifyCommand)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.run("ods-signer", "sign", self.zone)
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)  # the signer's socket is not up yet

    def logs(self) -> str:
        return "".join((self.d / f"{n}.log").read_text(errors="replace") for n in ("ods-enforcerd", "ods-signerd")
                       if (self.d / f"{n}.log").exists())

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        self.procs = []

    def __enter__(self) -> "OpenDnssec":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
