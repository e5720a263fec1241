#!/usr/bin/env bash
# Load benchmark of the web application on loopback: `guohe serve` (release build) against a fresh
# SQLite file holding 10,000 bases (and 1,000 applications), driven by wrk (or oha). Prints requests per second and p99
# latency per endpoint, then stops the server it started.
#
#   bench/load.sh                      # 10,000 bases, 15 s per endpoint, 2 threads, 32 connections
#   BASES=2000 DURATION=5 bench/load.sh
#
# Settings (environment): BASES, APPLICATIONS, DURATION (seconds per endpoint), THREADS, CONNECTIONS, PORT,
# TOOL (wrk or oha; default: wrk if installed, else oha), WORKDIR (where the database goes).
set -euo pipefail
cd "$(dirname "$0")/.."

BASES=${BASES:-10000}
APPLICATIONS=${APPLICATIONS:-1000}
DURATION=${DURATION:-15}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18090}
WORKDIR=${WORKDIR:-$(mktemp -d /tmp/guohe-bench.XXXXXX)}
mkdir -p "$WORKDIR"
TODAY=2026-11-20
BASE_URL="http://127.0.0.1:$PORT"
UA="guohe-bench"

if [[ -z "${TOOL:-}" ]]; then
  if command -v wrk >/dev/null 2>&1; then TOOL=wrk
  elif command -v oha >/dev/null 2>&1; then TOOL=oha
  else
    echo "neither wrk nor oha is installed: apt-get install -y wrk (or cargo install oha)" >&2
    exit 1
  fi
fi

echo "== build (release)"
cargo build --release -q -p guohe -p guohe-web --bin guohe --example bench_bases
TARGET=${CARGO_TARGET_DIR:-target}
DB="$WORKDIR/guohe.db"
# shellcheck source=bench/common.sh
source bench/common.sh

echo "== load $BASES bases and $APPLICATIONS applications into $DB"
load_bench_data "$DB" "$BASES" "$APPLICATIONS" "$WORKDIR/load.log"
tail -n 1 "$WORKDIR/load.log"

SERVER_PID=""
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}
trap stop_server EXIT

echo "== guohe serve on $BASE_URL (business date $TODAY)"
start_guohe "$DB" "$WORKDIR/server.log"

# A department session for the signed-in endpoints, through the sign-in page.
sign_in "$WORKDIR/cookies.txt"
COOKIE="guohe_sid=$SID"

TOTAL=$(curl -fsS "$BASE_URL/bases" | sed -n 's/.*<strong id="total">\([0-9]*\)<\/strong>.*/\1/p' | head -n1)
echo "   the register lists ${TOTAL:-?} bases"

# name|path|cookie(0/1)
ENDPOINTS=(
  "register, first page|/bases|0"
  "register, search + filter|/bases?q=%E7%94%9F%E7%89%A9%E5%8C%BB%E8%8D%AF&policy=hunan-2026&status=on_register&sort=recognised&dir=desc&page=3|0"
  "register, page 100|/bases?page=100|0"
  "API bases, page 1|/api/v1/bases?page=1&per_page=20|0"
  "API bases, page 200|/api/v1/bases?page=200&per_page=20|0"
  "API bases, search|/api/v1/bases?q=%E7%94%9F%E7%89%A9%E5%8C%BB%E8%8D%AF&policy=hunan-2026&per_page=50|0"
  "API applications (session)|/api/v1/applications?page=1&per_page=20|1"
  "department dashboard (session)|/dept|1"
)

RESULTS="$WORKDIR/results.txt"
: >"$RESULTS"
for e in "${ENDPOINTS[@]}"; do
  IFS='|' read -r name path auth <<<"$e"
  url="$BASE_URL$path"
  hdr=(-H "User-Agent: $UA")
  [[ "$auth" == 1 ]] && hdr+=(-H "Cookie: $COOKIE")
  code=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "$url")
  if [[ "$code" != 200 ]]; then
    printf '%-34s %8s %10s   (HTTP %s: not measured)\n' "$name" "-" "-" "$code" | tee -a "$RESULTS"
    continue
  fi
  if [[ "$TOOL" == wrk ]]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "${hdr[@]}" "$url")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errs=$(awk '/Non-2xx|Socket errors/ { $1=$1; print }' <<<"$out" | paste -sd ';' -)
  else
    out=$(oha -z "${DURATION}s" -c "$CONNECTIONS" --no-tui "${hdr[@]}" "$url")
    rps=$(awk '/Requests\/sec:/ { print $2 }' <<<"$out")
    p99=$(awk '/ 99.00% in / { print $3 $4 }' <<<"$out")
    errs=""
  fi
  printf '%-34s %8s req/s   p99 %8s   %s\n' "$name" "$rps" "$p99" "$errs" | tee -a "$RESULTS"
done

stop_server
trap - EXIT
echo "== done: $BASES bases, $TOOL ${DURATION}s per endpoint, $THREADS threads, $CONNECTIONS connections"
echo "   results: $RESULTS, server log: $WORKDIR/server.log"
