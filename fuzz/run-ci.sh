#!/usr/bin/env bash
# CI's fuzz step (called by tests/run.sh after the tests): builds the
# cargo-fuzz targets, replays each seed corpus, fuzzes each target briefly,
# then does the same for the atheris target of the Python API. Exits non-zero
# on any crash, hang (-timeout), or memory beyond the bounds.
#
#   FUZZ_SECONDS=20   seconds of fuzzing per target (default 20; 0: replay only)
#
# Long runs are by hand (README "Fuzzing"), e.g.
#   cargo +nightly fuzz run -a parse_zone -- -max_total_time=1800 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048
set -euo pipefail
cd "$(dirname "$0")"
secs=${FUZZ_SECONDS:-20}
limits=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048)

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz/run-ci.sh: the Rust nightly toolchain is missing (cargo-fuzz needs it):" >&2
    echo "    rustup toolchain install nightly" >&2
    exit 2
fi
if ! command -v cargo-fuzz >/dev/null; then
    echo "fuzz/run-ci.sh: installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz
fi

echo "== fuzz: build (nightly, ASan, debug assertions and overflow checks on) =="
cargo +nightly fuzz build -a
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The targets that go through verify::verify_text start and drop a thread
# pool per input; LeakSanitizer then sometimes catches a worker's
# thread-local destructor list or thread handle while the thread is still
# exiting, after an input or at exit (a false leak of some 100 octets that
# does not reproduce), so LeakSanitizer is off there.
declare -A asan=([denial]=detect_leaks=0 [anchor]=detect_leaks=0)
passed=0
for t in $(cargo +nightly fuzz list); do
    echo "== fuzz $t: replay $(ls corpus/$t | wc -l) seeds, then ${secs} s =="
    ASAN_OPTIONS=${asan[$t]:-} cargo +nightly fuzz run -a "$t" "corpus/$t" -- -runs=0 "${limits[@]}" >"$work/$t.replay" 2>&1 || {
        tail -n 60 "$work/$t.replay"; echo "fuzz/run-ci.sh: $t fails on its seed corpus" >&2; exit 1; }
    grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t.replay"
    if [ "$secs" -gt 0 ]; then
        mkdir -p "$work/$t"
        ASAN_OPTIONS=${asan[$t]:-} cargo +nightly fuzz run -a "$t" "$work/$t" "corpus/$t" -- -max_total_time="$secs" "${limits[@]}" >"$work/$t.log" 2>&1 || {
            tail -n 60 "$work/$t.log"; echo "fuzz/run-ci.sh: $t crashed (input in fuzz/artifacts/$t/)" >&2; exit 1; }
        grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t.log" || tail -n 2 "$work/$t.log"
    fi
    passed=$((passed + 1))
done

echo "== fuzz python_api (atheris): replay seeds, then ${secs} s =="
# atheris goes into a venv of its own that sees the installed zoneverify.
venv="$work/venv"
python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check atheris
"$venv/bin/python" python/fuzz_api.py corpus/python_api -runs=0 "${limits[@]}" >"$work/py.replay" 2>&1 || {
    tail -n 60 "$work/py.replay"; echo "fuzz/run-ci.sh: python_api fails on its seed corpus" >&2; exit 1; }
grep -E '^#[0-9]+[[:space:]]+DONE' "$work/py.replay"
if [ "$secs" -gt 0 ]; then
    mkdir -p "$work/py" artifacts/python_api
    "$venv/bin/python" python/fuzz_api.py "$work/py" corpus/python_api -max_total_time="$secs" "${limits[@]}" \
        -artifact_prefix=artifacts/python_api/ >"$work/py.log" 2>&1 || {
        tail -n 60 "$work/py.log"; echo "fuzz/run-ci.sh: python_api crashed (input in fuzz/artifacts/python_api/)" >&2; exit 1; }
    grep -E '^#[0-9]+[[:space:]]+DONE' "$work/py.log" || tail -n 2 "$work/py.log"
fi
passed=$((passed + 1))
echo "fuzz: $passed passed, 0 failed"
