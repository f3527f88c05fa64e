"""zoneverify report ZONE -o report.html (issue 15, part 2), opened in
headless Chromium: the verdict, the key tags and the findings are in the
page's DOM after its script ran; the filter works; a zone whose owner
names and TXT hold markup renders them as text; a screenshot is taken."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bindsign

HOSTILE_OWNER = '\\"><img\\032src=x\\032onerror=alert\\(1\\)>'
HOSTILE_OWNER2 = "<script>alert\\(2\\)</script>"
HOSTILE_TXT = '"<script>alert(3)</script>" "\\"><img src=x onerror=alert(4)>"'


def _chromium(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium missing (tests/run.sh installs it)")
    return subprocess.run([exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--user-data-dir=/tmp/zv-chromium-profile", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    extra = (f"{HOSTILE_OWNER} IN TXT {HOSTILE_TXT}\n"
             f"{HOSTILE_OWNER2} IN TXT {HOSTILE_TXT}\n")
    ksk = bindsign.keygen(d, "ECDSAP256SHA256", True)
    zsk = bindsign.keygen(d, "ECDSAP256SHA256", False)
    signed = bindsign.sign(d, "hostile", bindsign.zone_text(extra=extra), [ksk, zsk], [ksk, zsk])
    text = signed.read_text()
    # Break the RRSIGs of both hostile names' TXT RRsets: their owners are
    # then quoted in findings.
    lines = text.splitlines()
    for owner_start in ('\\"', "<script>"):
        at = next(i for i, l in enumerate(lines) if l.startswith(owner_start))
        text = bindsign.break_one_signature(text, zsk.tag, after_line=at)
        lines = text.splitlines()
    zone = d / "hostile.zone"
    zone.write_text(text)
    out = d / "report.html"
    r = subprocess.run([sys.executable, "-m", "zoneverify", "report", str(zone), "-o", str(out),
                        "--now", bindsign.NOW, "--expire-within", "3650d"], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr  # the broken signatures
    assert f"report: {out}" in r.stdout
    return {"dir": d, "html": out, "ksk": ksk, "zsk": zsk}


def test_the_page_shows_verdict_keys_and_findings(page):
    dom = _chromium("--dump-dom", page["html"].as_uri()).stdout
    assert re.search(r'id="verdict" class="fail">FAIL<', dom), dom[:2000]
    keys = re.findall(r'<tr class="key" data-key="(\d+)">', dom)
    assert sorted(map(int, keys)) == sorted([page["ksk"].tag, page["zsk"].tag])
    rows = re.findall(r'<tr data-code="([^"]+)" data-severity="([^"]+)"', dom)
    assert ("bad-signature", "error") in rows and len([r for r in rows if r[0] == "bad-signature"]) == 2
    # The script ran (it writes the count) and no markup from the zone did.
    assert re.search(r'id="f-count">\d+ shown<', dom), dom[-2000:]
    assert dom.count("<script") == 1
    assert "<img" not in dom
    # The hostile names are there, as text.
    assert "&lt;img\\032src=x\\032onerror=alert\\(1\\)&gt;" in dom
    assert "&lt;script&gt;alert\\(2\\)&lt;/script&gt;" in dom
    # The timeline has a bar per key, and the margin.
    assert re.search(r'<rect class="bin" data-key="%d"' % page["zsk"].tag, dom)
    assert "--expire-within" in dom


def test_the_filter_hides_other_rows(page):
    """#code=bad-signature (the address presets the filter, as a click
    would): the other codes' rows are hidden, the broken signatures' not."""
    dom = _chromium("--dump-dom", page["html"].as_uri() + "#code=bad-signature").stdout
    rows = re.findall(r'<tr data-code="([^"]+)" data-severity="[^"]+"( style="display: none;")?>', dom)
    assert {c for c, hidden in rows if hidden} == {"expires-soon"}, rows[:5]
    assert [c for c, hidden in rows if not hidden] == ["bad-signature", "bad-signature"]
    assert re.search(r'id="f-count">2 shown<', dom)


def test_a_screenshot_is_taken(page):
    png = page["dir"] / "report.png"
    _chromium("--window-size=1100,1400", f"--screenshot={png}", page["html"].as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000


def test_the_page_fetches_nothing_and_bad_output_is_exit_2(page, tmp_path):
    html = Path(page["html"]).read_text()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "Content-Security-Policy" in html
    r = subprocess.run([sys.executable, "-m", "zoneverify", "report", str(page["dir"] / "hostile.zone"),
                        "-o", str(tmp_path / "no" / "such" / "r.html")], capture_output=True, text=True)
    assert r.returncode == 2 and "--output" in r.stderr and "Traceback" not in r.stderr
