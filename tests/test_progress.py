"""Progress on long runs and Ctrl-C (issue 15, part 1): the counters of a
run, cancellation through the API, and the bar and Ctrl-C in a real
terminal (tmux) on a zone BIND signed that takes a few seconds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time

import pytest

import bindsign
import signers
import zoneverify
from zoneverify import _native
from zoneverify.progress import Progress, line


def test_the_counters_of_a_run_and_a_cancelled_run(signed_zone_factory, tmp_path):
    z = signed_zone_factory("bind", 13, False)
    p = Progress()
    rep = zoneverify.verify_zone(z.path, now=signers.NOW, progress=p)
    s = p.snapshot()
    assert s.bytes_read == s.bytes_total == z.path.stat().st_size
    assert s.records == rep.records and s.rrsigs == len(rep) and s.phase == "done"
    p = Progress()
    p.cancel()
    with pytest.raises(KeyboardInterrupt):
        zoneverify.verify_zone(z.path, now=signers.NOW, progress=p)
    with pytest.raises(ValueError, match="zone files"):
        zoneverify.verify_zone(z.text, progress=Progress())


def test_the_bar_s_text():
    from zoneverify.progress import Snapshot

    assert line("z", Snapshot(50_000_000, 100_000_000, 1, 40_000, 0, "reading and verifying"), 10.0) == \
        "zoneverify: z:  50% of 100 MB, 40,000 RRSIGs verified (4,000/s), 0:10 left"
    assert "20 MB read" in line("z.gz", Snapshot(20_000_000, 0, 1, 10, 0, "reading and verifying"), 1.0)
    assert "zone checks" in line("z", Snapshot(1, 1, 1, 7, 0, "zone checks"), 3.0)
    # The file is in: the rate and the time left are the verification's.
    assert line("z", Snapshot(9, 9, 9, 30_000, 120_000, "verifying signatures"), 40.0, 10.0) == \
        "zoneverify: z: verifying  25% of 120,000 RRSIGs (3,000/s), 0:30 left"


@pytest.fixture(scope="module")
def apex_last_zone(big_zone, tmp_path_factory):
    """``big_zone`` one record per line (``named-compilezone -s full``) with
    the apex's records moved to the end: the streaming stage cannot take
    it (the apex's keys must come first), so the whole-zone path reads it
    whole and verifies all of it after the reading."""
    d = tmp_path_factory.mktemp("apexlast")
    full = d / "full"
    subprocess.run(["named-compilezone", "-q", "-s", "full", "-o", str(full), bindsign.ORIGIN, str(big_zone)],
                   check=True, capture_output=True)
    lines = [l for l in full.read_text().splitlines() if l.strip()]
    apex = bindsign.ORIGIN.rstrip(".").lower() + "."
    at_apex = [l for l in lines if l.split()[0].lower() == apex]
    out = d / "apex-last.zone"
    out.write_text("\n".join([l for l in lines if l.split()[0].lower() != apex] + at_apex) + "\n")
    return out


def test_a_zone_verified_after_its_reading_counts_and_stops_by_batch(apex_last_zone):
    """The whole-zone path (and a file read whole) verifies in batches: the
    counters say how many RRSIGs there are, and a stop asked for in the
    middle of the verification ends the run there, with no report."""
    p = Progress()
    rep = zoneverify.verify_zone(apex_last_zone, now=bindsign.NOW, jobs=2, progress=p)
    assert rep.ok and rep.pipeline.startswith("whole-zone"), rep.pipeline
    s = p.snapshot()
    assert s.rrsigs == s.rrsigs_total == len(rep) and s.phase == "done"
    # Tiny batches: the stop is seen a few RRSIGs after it was asked for.
    p = Progress()
    p._native = _native.NativeProgress(batch=8)
    seen: list = []

    def stop_when_verifying():
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            s = p.snapshot()
            if s.phase == "verifying signatures" and s.rrsigs > 0:
                p.cancel()
                seen.append(s)
                return
            time.sleep(0.001)

    t = threading.Thread(target=stop_when_verifying)
    t.start()
    with pytest.raises(KeyboardInterrupt):
        zoneverify.verify_zone(apex_last_zone, now=bindsign.NOW, jobs=2, progress=p)
    t.join()
    assert seen, "the verification phase was not seen"
    end = p.snapshot()
    assert 0 < end.rrsigs < end.rrsigs_total == len(rep), end


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def _pane(session: str) -> str:
    return _tmux("capture-pane", "-p", "-t", session)


def _run_in_tmux(session: str, cmd: str) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux missing (tests/run.sh installs it)")
    _tmux("kill-session", "-t", session)
    _tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "30", cmd + "; echo EXIT=$?; sleep 60")


def _wait_for(session: str, pattern: str, seconds: float) -> tuple[str, float]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        out = _pane(session)
        if re.search(pattern, out):
            return out, time.monotonic() - t0
        time.sleep(0.05)
    return _pane(session), time.monotonic() - t0


def test_the_bar_in_a_terminal_appears_updates_and_is_cleaned(big_zone):
    s = "zv-progress-bar"
    try:
        _run_in_tmux(s, f"{sys.executable} -m zoneverify check {big_zone} --now {bindsign.NOW} --jobs 2")
        first, _ = _wait_for(s, r"RRSIGs verified \(", 20)
        m = re.search(r"(\d+)% of [\d.,]+ MB, ([\d,]+) RRSIGs verified", first)
        assert m, first
        # It updates: a later line differs from the first.
        seen = {m.group(0)}
        t0 = time.monotonic()
        while time.monotonic() - t0 < 20 and len(seen) < 2 and "EXIT=" not in _pane(s):
            m2 = re.search(r"(\d+)% of [\d.,]+ MB, ([\d,]+) RRSIGs verified", _pane(s))
            if m2:
                seen.add(m2.group(0))
            time.sleep(0.05)
        assert len(seen) >= 2, seen
        end, _ = _wait_for(s, r"EXIT=\d+", 60)
        assert "EXIT=0" in end, end
        assert "RRSIGs verified (" not in end  # the bar was cleared
        assert re.search(r"zone roll\.example\.: \d+ RRSIGs, 0 not valid", end), end
    finally:
        _tmux("kill-session", "-t", s)


@pytest.mark.parametrize("how", ["streamed", "one-thread", "whole-zone"])
def test_ctrl_c_stops_a_run_within_a_second(big_zone, apex_last_zone, how):
    """Ctrl-C while the file is read and verified in parts (two threads,
    and one), and while a zone read whole is verified (the whole-zone
    path, on one thread: some seconds of verification after the reading)."""
    s = "zv-progress-intr"
    zone, jobs, verifying = {
        "streamed": (big_zone, 2, r"RRSIGs verified \("),
        "one-thread": (big_zone, 1, r"RRSIGs verified \("),
        "whole-zone": (apex_last_zone, 1, r"verifying +\d+% of [\d,]+ RRSIGs \("),
    }[how]
    try:
        _run_in_tmux(s, f"{sys.executable} -m zoneverify check {zone} --now {bindsign.NOW} --jobs {jobs}")
        out, _ = _wait_for(s, verifying, 30)
        assert re.search(verifying, out), out
        _tmux("send-keys", "-t", s, "C-c")
        out, took = _wait_for(s, r"EXIT=\d+", 10)
        assert "EXIT=130" in out and "zoneverify: interrupted" in out, out
        assert "Traceback" not in out
        assert took < 1.0, took
    finally:
        _tmux("kill-session", "-t", s)


def test_the_whole_zone_path_s_bar_counts_the_verification(apex_last_zone):
    s = "zv-progress-whole"
    try:
        _run_in_tmux(s, f"{sys.executable} -m zoneverify check {apex_last_zone} --now {bindsign.NOW} --jobs 1")
        pattern = r"verifying +(\d+)% of ([\d,]+) RRSIGs \([\d,]+/s\)"
        seen: set = set()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60 and len(seen) < 2 and "EXIT=" not in _pane(s):
            m = re.search(pattern, _pane(s))
            if m:
                seen.add(m.group(0))
            time.sleep(0.05)
        assert len(seen) >= 2, seen  # it moves while the verification runs
        end, _ = _wait_for(s, r"EXIT=\d+", 60)
        assert "EXIT=0" in end and "RRSIGs (" not in end, end
    finally:
        _tmux("kill-session", "-t", s)


@pytest.mark.parametrize("command", ["bench", "report"])
def test_bench_and_report_show_the_bar(big_zone, tmp_path, command):
    extra = ["-o", str(tmp_path / "r.html")] if command == "report" else []
    base = [sys.executable, "-m", "zoneverify", command, str(big_zone), "--now", bindsign.NOW, *extra]
    r = subprocess.run(base + ["--progress"], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert b"RRSIGs verified (" in r.stderr and r.stderr.endswith(b"\r\x1b[K"), r.stderr[-300:]
    r = subprocess.run(base, capture_output=True, text=True)  # not a terminal: no bar
    assert r.returncode == 0 and r.stderr == "", r.stderr
    s = f"zv-progress-{command}"
    try:
        _run_in_tmux(s, " ".join([*base, "--jobs", "1"]))
        first, _ = _wait_for(s, r"RRSIGs verified \(", 30)
        assert "RRSIGs verified (" in first, first
        end, _ = _wait_for(s, r"EXIT=\d+", 60)
        assert "EXIT=0" in end and "RRSIGs verified (" not in end, end
        assert ("rrsigs/s" in end.lower()) if command == "bench" else ("report: " in end), end
    finally:
        _tmux("kill-session", "-t", s)


def test_no_bar_when_not_a_terminal_or_asked_not_to(big_zone):
    r = subprocess.run([sys.executable, "-m", "zoneverify", "check", str(big_zone), "--now", bindsign.NOW],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
    r = subprocess.run([sys.executable, "-m", "zoneverify", "check", str(big_zone), "--now", bindsign.NOW, "--progress"],
                       capture_output=True)
    assert r.returncode == 0 and b"RRSIGs verified (" in r.stderr and r.stderr.endswith(b"\r\x1b[K")
    r = subprocess.run([sys.executable, "-m", "zoneverify", "check", str(big_zone), "--now", bindsign.NOW,
                        "--progress", "--no-progress"], capture_output=True, text=True)
    assert r.returncode == 2 and "not allowed with" in r.stderr
