#!/usr/bin/env bash
# Installs what the tests need and runs every test: Rust unit tests, the
# Python suites (tests/), the benchmark suites as smoke tests (benches/) and
# the fuzz targets briefly (fuzz/run-ci.sh).
# This is the README's second command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real signers and peers from Debian's packages, installed when missing.
need=()
command -v dnssec-signzone >/dev/null || need+=(bind9-utils)
command -v ldns-signzone >/dev/null || need+=(ldnsutils)
command -v kzonesign >/dev/null || need+=(knot-dnssecutils)
[ -x /usr/sbin/keymgr ] || command -v keymgr >/dev/null || need+=(knot)  # keymgr is in the server package
command -v validns >/dev/null || need+=(validns)
[ -x /usr/sbin/nsd ] || command -v nsd >/dev/null || need+=(nsd)  # the zone-transfer and hook tests
[ -x /usr/sbin/ods-signerd ] || need+=(opendnssec)  # the hook's NotifyCommand test
command -v softhsm2-util >/dev/null || need+=(softhsm2)
# The compressed-zone tests compress with the real tools.
command -v gzip >/dev/null || need+=(gzip)
command -v xz >/dev/null || need+=(xz-utils)
command -v bzip2 >/dev/null || need+=(bzip2)
command -v zstd >/dev/null || need+=(zstd)
command -v chromium >/dev/null || need+=(chromium)  # the report page's browser test
command -v tmux >/dev/null || need+=(tmux)  # the progress bar's terminal test
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "tests/run.sh: missing Debian packages ${need[*]}; run as root or install them" >&2
        exit 2
    fi
    echo "tests/run.sh: installing ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

echo "== cargo test (Rust core, no Python) =="
cargo test --quiet

echo "== pytest tests/ =="
python3 -m pytest -q tests

echo "== pytest benches/ (smoke: --benchmark-disable) =="
python3 -m pytest -q benches --benchmark-disable

echo "== fuzz targets (brief: replay the seed corpora, ~20 s each; fuzz/run-ci.sh) =="
bash fuzz/run-ci.sh
