#!/usr/bin/env bash
# National-scale data: generates the national data set through the real commands
# (`guohe generate`, 31 provinces × 2,000 bases × 10 years by default) into a SQLite file, then
# starts `guohe serve` on it three times and prints, in one run:
#   - the generator's wall clock, CPU and peak memory;
#   - start-up by replaying every event (snapshots removed) — the reference;
#   - start-up from the snapshot the first server took — against the 5 s target, and as a ratio
#     to the replay;
#   - the server's memory with everything loaded (after the register, the dashboard and the API
#     lists were each asked once) — against the 1 GB target.
# Everything runs on loopback and stops by itself; the server is stopped by its PID.
#
#   bench/national.sh                                   # the national run (about 1.3 M events)
#   PROVINCES=4 BASES_PER_PROVINCE=500 bench/national.sh   # a quick one
#   DB=/path/national.db bench/national.sh              # reuse a generated file (kept afterwards)
#   GUOHE_BIN=target/release/guohe bench/national.sh    # use that binary, no build
set -euo pipefail
cd "$(dirname "$0")/.."

PROVINCES=${PROVINCES:-31}
BASES_PER_PROVINCE=${BASES_PER_PROVINCE:-2000}
YEARS=${YEARS:-10}
TODAY=${TODAY:-2026-11-20}
PORT=${PORT:-18094}
BASE_URL="http://127.0.0.1:$PORT"
UA="guohe-bench/national"
WORKDIR=$(mktemp -d /tmp/guohe-national.XXXXXX)
KEEP_DB=${DB:+1}
DB=${DB:-$WORKDIR/national.db}

TARGET=${CARGO_TARGET_DIR:-target}
if [[ -n "${GUOHE_BIN:-}" ]]; then
  GUOHE=$GUOHE_BIN # a release build made earlier, as it is
else
  echo "== build (release)"
  cargo build --release -q -p guohe --bin guohe
  GUOHE="$TARGET/release/guohe"
fi
# shellcheck source=bench/common.sh
source bench/common.sh

SERVER_PID=""
cleanup() {
  stop_pid "$SERVER_PID"
  if [[ -z "$KEEP_DB" ]]; then rm -rf "$WORKDIR"; fi
}
trap cleanup EXIT

# Runs a command; prints "wall_s cpu_s peak_rss_mib" of it (children included).
measured() {
  python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
if code != 0:
    sys.exit(f"{sys.argv[1:]} exited with {code}")
print(f"{wall:.1f} {r.ru_utime + r.ru_stime:.1f} {r.ru_maxrss / 1024:.0f}")
EOF
}

sql() {
  python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"
}

if [[ ! -s "$DB" ]]; then
  echo "== generate $PROVINCES provinces × $BASES_PER_PROVINCE bases × $YEARS years into $DB" >&2
  read -r GEN_WALL GEN_CPU GEN_RSS < <(measured "$GUOHE" --database "sqlite://$DB" generate \
    --provinces "$PROVINCES" --bases-per-province "$BASES_PER_PROVINCE" --years "$YEARS" --until "$TODAY")
else
  GEN_WALL="-" GEN_CPU="-" GEN_RSS="-"
fi
EVENTS=$(sql "SELECT MAX(seq) FROM events")

# Starts the server (SERVER_PID); sets STARTED_IN, the seconds until it answered /healthz. Not
# called in a subshell: the PID must reach the caller, who stops the server.
timed_start() {
  local log=$1 t0 t1
  if curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; then
    echo "something already answers on $BASE_URL" >&2
    return 1
  fi
  t0=$(date +%s.%N)
  "$GUOHE" --database "sqlite://$DB" serve --today "$TODAY" --bind "127.0.0.1:$PORT" >"$log" 2>&1 &
  SERVER_PID=$!
  until curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.05
  done
  t1=$(date +%s.%N)
  STARTED_IN=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

rss_mib() { awk -v k="$2" '$1 == k":" { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# 1. Replay: no snapshot.
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM snapshots"); c.commit()' "$DB"
echo "== start by replaying $EVENTS events" >&2
timed_start "$WORKDIR/replay.log"
REPLAY_S=$STARTED_IN
# The clock pass at start takes the snapshot the next start uses.
for _ in $(seq 1 1200); do
  [[ $(sql "SELECT COUNT(*) FROM snapshots") -gt 0 ]] && break
  sleep 0.5
done
SNAP_SEQ=$(sql "SELECT MAX(seq) FROM snapshots")
SNAP_MIB=$(sql "SELECT LENGTH(body) / 1048576 FROM snapshots ORDER BY seq DESC LIMIT 1")
stop_pid "$SERVER_PID"
SERVER_PID=""

# 2. From the snapshot; then everything loaded.
echo "== start from the snapshot at seq $SNAP_SEQ" >&2
timed_start "$WORKDIR/snapshot.log"
SNAP_S=$STARTED_IN
grep -q "started from a snapshot" "$WORKDIR/snapshot.log" || echo "warning: the server did not start from the snapshot" >&2
for path in / /bases "/bases?page=50" /api/v1/bases /stats; do
  curl -fsS -o /dev/null -A "$UA" "$BASE_URL$path" || echo "warning: $path did not answer 200" >&2
done
RSS=$(rss_mib "$SERVER_PID" VmRSS)
HWM=$(rss_mib "$SERVER_PID" VmHWM)
stop_pid "$SERVER_PID"
SERVER_PID=""

{
  echo "# bench/national.sh $(date -u +%FT%TZ) on $(nproc) cores: $PROVINCES × $BASES_PER_PROVINCE × $YEARS, $EVENTS events"
  printf '%-44s %s\n' "generate: wall s, CPU s, peak MiB" "$GEN_WALL $GEN_CPU $GEN_RSS"
  printf '%-44s %s\n' "database file MiB" "$(du -m "$DB" | cut -f1)"
  printf '%-44s %s\n' "snapshot body MiB (seq $SNAP_SEQ)" "$SNAP_MIB"
  printf '%-44s %s\n' "start by full replay, s (reference)" "$REPLAY_S"
  printf '%-44s %s\n' "start from the snapshot, s (target < 5)" "$SNAP_S"
  printf '%-44s %s\n' "ratio snapshot / replay" "$(awk -v a="$SNAP_S" -v b="$REPLAY_S" 'BEGIN { printf "%.2f", a / b }')"
  printf '%-44s %s\n' "server RSS, everything loaded, MiB (< 1024)" "$RSS (peak $HWM)"
}
