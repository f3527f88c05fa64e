"""Shared fixtures: peer signers (installed on demand), the corpus, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pipeline_oracle  # noqa: E402
import signers  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# binary -> Debian 12 package that ships it
SIGNING_TOOLS = {
    "dnssec-signzone": "bind9-utils",
    "dnssec-keygen": "bind9-utils",
    "dnssec-verify": "bind9-utils",
    "ldns-signzone": "ldnsutils",
    "ldns-keygen": "ldnsutils",
    "ldns-verify-zone": "ldnsutils",
    "kzonesign": "knot-dnssecutils",
    "kzonecheck": "knot-dnssecutils",
    "keymgr": "knot",  # /usr/sbin/keymgr is in the server package on Debian 12
    "nsd": "nsd",  # the name server of the zone-transfer tests
    "ods-signerd": "opendnssec",  # the signer of the hook's NotifyCommand test
    "softhsm2-util": "softhsm2",
}


def _which(tool: str) -> str | None:
    # keymgr lives in /usr/sbin, which a non-login PATH may lack
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin")


def _ensure_tools() -> None:
    missing = sorted({pkg for tool, pkg in SIGNING_TOOLS.items() if not _which(tool)})
    if not missing:
        return
    if os.geteuid() != 0:
        pytest.fail(
            "signing tools missing and not root, cannot install them: "
            f"apt-get install -y {' '.join(missing)}", pytrace=False)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update"],
                ["apt-get", "install", "-y", "--no-install-recommends", *missing]):
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if p.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}",
                        pytrace=False)
    still = [t for t in SIGNING_TOOLS if not _which(t)]
    if still:
        pytest.fail(f"installed {missing} but still missing: {still}", pytrace=False)


@pytest.fixture(scope="session")
def signing_tools() -> dict[str, str]:
    """Make sure BIND, ldns and Knot signing tools exist; return versions."""
    _ensure_tools()
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    return {s: signers.tool_version(s) for s in ("bind", "ldns", "knot")}


@pytest.fixture(scope="session")
def signed_zone_factory(signing_tools, tmp_path_factory):
    """sign(signer, alg, nsec3) -> SignedZone, cached for the session."""
    cache: dict[tuple, signers.SignedZone] = {}

    def get(signer: str, alg: int, nsec3: bool) -> signers.SignedZone:
        key = (signer, alg, nsec3)
        if key not in cache:
            d = tmp_path_factory.mktemp(signers.combo_id(key))
            cache[key] = signers.sign(signer, alg, nsec3, d)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus: $ZONEVERIFY_CORPUS or <repo>/../shared/corpus.
    Read in place at test time; never copied into the repository."""
    env = os.environ.get("ZONEVERIFY_CORPUS")
    path = Path(env) if env else REPO.parent / "shared" / "corpus"
    if not (path / "MANIFEST.md").is_file():
        msg = (f"corpus not found at {path} (set ZONEVERIFY_CORPUS or put "
               "shared/corpus beside the repository)")
        if IN_CI:
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return path


def zoneverify_commands() -> list[tuple[str, list[str]]]:
    """The two ways the CLI is run: module and console script."""
    cmds = [("module", [sys.executable, "-m", "zoneverify"])]
    # The script beside this interpreter first: in a virtualenv, a
    # "zoneverify" earlier on PATH may be another installation.
    here = Path(sys.executable).parent / "zoneverify"
    script = str(here) if here.exists() else shutil.which("zoneverify") or str(here)
    cmds.append(("script", [script]))
    return cmds


@pytest.fixture(params=zoneverify_commands(), ids=lambda c: c[0])
def cli(request):
    """A function running the CLI (module or console script) -> CompletedProcess."""
    name, base = request.param
    if name == "script" and not Path(base[0]).exists():
        pytest.fail(f"console script 'zoneverify' not installed (looked at {base[0]})",
                    pytrace=False)

    def run(*args: str, input: bytes | None = None, timeout: int = 120):
        return subprocess.run([*base, *args], input=input, capture_output=True,
                              timeout=timeout)

    run.name = name
    return run


@pytest.fixture(scope="session")
def zv():
    import zoneverify
    return zoneverify


def pytest_report_header(config):
    out = []
    for s in ("bind", "ldns", "knot"):
        try:
            out.append(f"{s}: {signers.tool_version(s)}")
        except (OSError, IndexError):
            out.append(f"{s}: not installed yet")
    return out


@pytest.fixture(autouse=True)
def both_pipelines(monkeypatch):
    """Every verification through the API also runs on the whole-zone path
    (and, for files, in 4 KiB windows) and must agree: pipeline_oracle.py."""
    from zoneverify import _native

    for name, fn in pipeline_oracle.wrap(_native).items():
        monkeypatch.setattr(_native, name, fn)
    yield


@pytest.fixture(scope="session")
def big_zone(tmp_path_factory):
    """A P-256 zone of 60,000 delegations signed by dnssec-signzone (23 MB,
    80,015 RRSIGs: a few seconds on two threads), for what needs a run
    that lasts (progress, Ctrl-C, a cluster's faults)."""
    import bindsign

    d = tmp_path_factory.mktemp("big")
    ksk = bindsign.keygen(d, "ECDSAP256SHA256", True)
    zsk = bindsign.keygen(d, "ECDSAP256SHA256", False)
    extra = "".join(f"big{i} IN NS ns{i % 7}.provider.example.net.\n"
                    + (f"big{i} IN DS {i % 65536} 13 2 {'CD' * 32}\n" if i % 3 == 0 else "")
                    for i in range(60000))
    return bindsign.sign(d, "big", bindsign.zone_text(extra=extra), [ksk, zsk], [ksk, zsk])
