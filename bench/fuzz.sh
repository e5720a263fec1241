#!/usr/bin/env bash
# Hostile input at every entrance, for a bounded time (docs/fuzzing.md):
#   1. the property-based fuzz targets (crates/*/tests/fuzz_*.rs, modules of each crate's test binary) — never a panic, never a 5xx,
#      every refusal names a field — each run for GUOHE_FUZZ_SECONDS;
#   2. schemathesis, an independent client, against the API's own OpenAPI document, anonymous
#      and signed in, on `guohe serve --demo` on a random port with a temporary database.
# GUOHE_FUZZ_SECONDS (default 60) is the budget per fuzz target and per schemathesis run.
# `bench/fuzz.sh targets` runs only the first part, `bench/fuzz.sh api` only the second.
# Everything it installs or writes stays under target/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never
SECONDS_PER_TARGET="${GUOHE_FUZZ_SECONDS:-60}"
PART="${1:-all}"
WORK=target/fuzz
mkdir -p "$WORK"

if [[ "$PART" != api ]]; then
echo "== fuzz targets (${SECONDS_PER_TARGET}s each)"
# The targets read GUOHE_FUZZ_SECONDS: they generate cases until the time is spent.
# Each crate's integration tests are one binary (its tests/main.rs); a target is a module of it.
TARGETS=(
  "policy fuzz_policy"
  "policy fuzz_facts"
  "domain fuzz_simulation"
  "web fuzz_api"
  "web fuzz_forms"
  "app fuzz_import"
)
for t in "${TARGETS[@]}"; do
  read -r binary module <<<"$t"
  echo "-- $binary $module"
  # The whole workspace is selected (only the one test binary runs, filtered to the module): the
  # same selection as `cargo test --workspace` resolves the same features, so nothing is built
  # again.
  GUOHE_FUZZ_SECONDS="$SECONDS_PER_TARGET" cargo test -q --workspace --test "$binary" "$module::" -- --nocapture
done
fi
[[ "$PART" == targets ]] && exit 0

echo "== schemathesis"
VENV="$WORK/venv"
if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check 'schemathesis>=4,<5'
fi
"$VENV/bin/schemathesis" --version

# The binary `cargo test --workspace` builds (a build of `-p guohe` alone resolves other features
# and would build much of the tree again).
cargo test -q --workspace --no-run
DATA="$(mktemp -d "$PWD/$WORK/serve.XXXXXX")"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
target/debug/guohe serve --demo --bind "127.0.0.1:$PORT" --database "sqlite://$DATA/guohe.db" \
  --key-file "$DATA/keys.json" >"$DATA/serve.log" 2>&1 &
SERVER=$!
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 300); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/serve.log"; echo "guohe serve stopped"; exit 1; }
  sleep 1
done
curl -fs "$BASE/healthz" >/dev/null || { echo "guohe serve did not start"; exit 1; }

# Signed in as the Hunan department (the role with the most operations): the demo prints the
# account's TOTP secret; the session cookie and CSRF token are sent on every request.
SECRET="$(sed 's/\x1b\[[0-9;]*m//g' "$DATA/serve.log" | grep -o 'hn-dept .*TOTP secret: [A-Z2-7]*' | awk '{print $NF}')"
read -r SID CSRF < <(python3 bench/fuzz_signin.py "$BASE" hn-dept 'Guohe@Demo2026' "$SECRET")

run_schemathesis() {
  local who="$1" config="$2"
  echo "-- schemathesis, $who (${SECONDS_PER_TARGET}s)"
  "$VENV/bin/schemathesis" --config-file "$config" run "$BASE/api/v1/openapi.json" \
    --checks all --max-time "$SECONDS_PER_TARGET" --max-examples 50 --workers 2 \
    --suppress-health-check all --report junit --report-dir "$WORK/schemathesis-$who" "${@:3}"
}
run_schemathesis anonymous bench/schemathesis.toml
# Signed in: the document's two security schemes, filled. Signing out or in again would end the
# session the run is using, so /api/v1/session is left to the anonymous run.
SIGNED_IN="$WORK/schemathesis-signed-in.toml"
cat bench/schemathesis.toml - >"$SIGNED_IN" <<TOML

[auth.openapi.session]
api_key = "$SID"

[auth.openapi.csrf]
api_key = "$CSRF"
TOML
run_schemathesis signed-in "$SIGNED_IN" --exclude-path /api/v1/session
grep -q "panicked" "$DATA/serve.log" && { grep -A5 panicked "$DATA/serve.log"; echo "the server panicked"; exit 1; }
echo "== fuzzing passed"
