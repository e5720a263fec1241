#!/usr/bin/env bash
# The register's answers from `guohe serve` against nginx serving the same bytes as static files,
# in one run, at several register sizes (default 10,000 and 62,000 bases). For each size: load a
# fresh SQLite database (crates/web/examples/bench_bases.rs), start `guohe serve` (release), fetch
# each measured answer once and write it to a file, start nginx (Debian nginx-light, as the current
# user, its own temporary prefix and config, loopback only) serving those files, run the same wrk
# load against both, and print requests/s, p99 and the ratio guohe/nginx. Both servers are
# stopped by their PIDs at the end and on failure.
#
#   bench/nginx.sh                          # 10,000 and 62,000 bases, 10 s per endpoint and server
#   SIZES=2000 DURATION=3 bench/nginx.sh
#   ONLY='unit' bench/nginx.sh              # only the answers whose name matches (grep -E)
#
# Settings (environment): SIZES, APPLICATIONS, DURATION (seconds per endpoint and server), THREADS,
# CONNECTIONS, PORT (guohe), NGINX_PORT, WORKDIR (databases, answers, logs, results.txt), ONLY.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 62000"}
APPLICATIONS=${APPLICATIONS:-1000}
DURATION=${DURATION:-10}
ONLY=${ONLY:-}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18090}
NGINX_PORT=${NGINX_PORT:-18091}
WORKDIR=${WORKDIR:-$(mktemp -d /tmp/guohe-nginx.XXXXXX)}
mkdir -p "$WORKDIR"
# The server's business date: ten days before the 2026 annual reports are due (湖南第十四条, 湖北第二十二条:
# 于每年1月15日前), when every base owes one and the department's work queue is at its longest. The
# bench data is loaded on 2026-11-20 (crates/web/examples/bench_bases.rs).
TODAY=${TODAY:-2027-01-10}
BASE_URL="http://127.0.0.1:$PORT"
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
UA="guohe-bench"
NGINX=${NGINX:-/usr/sbin/nginx}

# Installs a Debian package when its program is missing (as root, or through sudo).
need() {
  local program=$1 package=$2
  command -v "$program" >/dev/null 2>&1 && return 0
  echo "== apt-get install -y $package"
  if [[ $(id -u) == 0 ]]; then
    apt-get install -y -q "$package" >/dev/null
  else
    sudo apt-get install -y -q "$package" >/dev/null
  fi
}
need wrk wrk
need "$NGINX" nginx-light

echo "== build (release)"
cargo build --release -q -p guohe -p guohe-web --bin guohe --example bench_bases
TARGET=${CARGO_TARGET_DIR:-target}
# shellcheck source=bench/common.sh
source bench/common.sh

SERVER_PID=""
NGINX_PID=""
stop_all() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
  # QUIT: nginx's graceful stop; its workers leave with the master.
  stop_pid "$NGINX_PID" QUIT
  NGINX_PID=""
}
trap stop_all EXIT

# Runs wrk for DURATION seconds; prints "requests/s p99".
load() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "$@")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "non-2xx answers under load: $*" >&2
    grep 'Non-2xx' <<<"$out" >&2
  fi
  awk '/^Requests\/sec:/ { rps = $2 } $1 == "99%" { p99 = $2 } END { print rps, p99 }' <<<"$out"
}

# wrk's latency (`850.00us`, `3.21ms`, `1.02s`) in milliseconds.
ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print "?" }'
}

# name|path|session (0: none, 1: bench-dept, 2: bench-unit, 3: bench-rec)|file extension (the content type nginx sends)
ENDPOINTS=(
  "register, first page|/bases|0|html"
  "register, filtered|/bases?domain=%E7%94%9F%E7%89%A9%E5%8C%BB%E8%8D%AF&country=DE&status=on_register&sort=recognised&dir=desc|0|html"
  "register, search + filter|/bases?q=%E7%94%9F%E7%89%A9%E5%8C%BB%E8%8D%AF&policy=hunan-2026&status=on_register&sort=recognised&dir=desc&page=3|0|html"
  "register, page 100|/bases?page=100|0|html"
  "API bases, page 1|/api/v1/bases?page=1&per_page=20|0|json"
  "API bases, filtered|/api/v1/bases?policy=hunan-2026&country=DE&sort=-recognised_on&per_page=50|0|json"
  "department dashboard (session)|/dept|1|html"
  "work queue, page 1 (session)|/dept/due|1|html"
  "work queue, reports p.20 (session)|/dept/due?kind=annual_report&page=20|1|html"
  "API applications, page 1 (session)|/api/v1/applications?per_page=20|1|json"
  "API applications, search, by unit (session)|/api/v1/applications?q=%E7%94%9F%E7%89%A9&sort=-unit&page=2|1|json"
  "applications by stage, page 3 (session)|/dept/applications?sort=7&dir=desc&page=3|1|html"
  "unit's home (unit session)|/unit|2|html"
  "API applications, a unit's (unit session)|/api/v1/applications?per_page=20|2|json"
  "recommender queue (rec session)|/recommender|3|html"
  "recommender bases, page 2 (rec session)|/recommender/bases?page=2|3|html"
  "API applications, jurisdiction (rec session)|/api/v1/applications?per_page=20|3|json"
)
if [[ -n "$ONLY" ]]; then
  kept=()
  for e in "${ENDPOINTS[@]}"; do
    grep -qE -- "$ONLY" <<<"${e%%|*}" && kept+=("$e")
  done
  (( ${#kept[@]} > 0 )) || { echo "ONLY=$ONLY matches no answer" >&2; exit 1; }
  ENDPOINTS=("${kept[@]}")
fi

RESULTS="$WORKDIR/results.txt"
: >"$RESULTS"
{
  echo "# bench/nginx.sh $(date -u +%FT%TZ) on $(nproc) cores; wrk ${DURATION}s, $THREADS threads, $CONNECTIONS connections"
  printf '%-7s %-32s %10s %9s %10s %9s %7s %9s\n' bases endpoint guohe_rps p99_ms nginx_rps p99_ms ratio bytes
} | tee -a "$RESULTS"

for BASES in $SIZES; do
  DIR="$WORKDIR/$BASES"
  mkdir -p "$DIR/www" "$DIR/nginx"
  DB="$DIR/guohe.db"
  echo "== load $BASES bases and $APPLICATIONS applications into $DB" >&2
  load_bench_data "$DB" "$BASES" "$APPLICATIONS" "$DIR/load.log"
  tail -n 1 "$DIR/load.log" >&2
  echo "== guohe serve on $BASE_URL" >&2
  start_guohe "$DB" "$DIR/server.log"
  sign_in "$DIR/cookies.txt"
  sign_in_unit "$DIR/unit-cookies.txt"
  sign_in_rec "$DIR/rec-cookies.txt"

  # Each answer once, as nginx will serve it.
  for i in "${!ENDPOINTS[@]}"; do
    IFS='|' read -r name path auth ext <<<"${ENDPOINTS[$i]}"
    hdr=(-H "User-Agent: $UA")
    [[ "$auth" == 1 ]] && hdr+=(-H "Cookie: guohe_sid=$SID")
    [[ "$auth" == 2 ]] && hdr+=(-H "Cookie: guohe_sid=$UNIT_SID")
    [[ "$auth" == 3 ]] && hdr+=(-H "Cookie: guohe_sid=$REC_SID")
    code=$(curl -s -o "$DIR/www/e$i.$ext" -w '%{http_code}' "${hdr[@]}" "$BASE_URL$path")
    [[ "$code" == 200 ]] || { echo "$name: HTTP $code from guohe" >&2; exit 1; }
  done

  cat >"$DIR/nginx/nginx.conf" <<EOF
$( [[ $(id -u) == 0 ]] && echo "user $(id -un) $(id -gn);" )
worker_processes auto;
daemon off;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  types { text/html html; application/json json; }
  charset utf-8;
  sendfile on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $DIR/www;
  }
}
EOF
  "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" &
  NGINX_PID=$!
  for _ in $(seq 1 100); do
    curl -sS -o /dev/null "$NGINX_URL/" 2>/dev/null && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$DIR/nginx/error.log" >&2; exit 1; }
    sleep 0.1
  done

  for i in "${!ENDPOINTS[@]}"; do
    IFS='|' read -r name path auth ext <<<"${ENDPOINTS[$i]}"
    hdr=(-H "User-Agent: $UA")
    [[ "$auth" == 1 ]] && hdr+=(-H "Cookie: guohe_sid=$SID")
    [[ "$auth" == 2 ]] && hdr+=(-H "Cookie: guohe_sid=$UNIT_SID")
    [[ "$auth" == 3 ]] && hdr+=(-H "Cookie: guohe_sid=$REC_SID")
    cmp -s <(curl -fsS "${hdr[@]}" "$NGINX_URL/e$i.$ext") "$DIR/www/e$i.$ext" \
      || { echo "$name: nginx does not serve the same bytes" >&2; exit 1; }
    read -r g_rps g_p99 < <(load "${hdr[@]}" "$BASE_URL$path")
    read -r n_rps n_p99 < <(load -H "User-Agent: $UA" "$NGINX_URL/e$i.$ext")
    ratio=$(awk -v a="$g_rps" -v b="$n_rps" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "?" }')
    printf '%-7s %-32s %10s %9s %10s %9s %7s %9s\n' "$BASES" "$name" "$g_rps" "$(ms "$g_p99")" \
      "$n_rps" "$(ms "$n_p99")" "$ratio" "$(stat -c %s "$DIR/www/e$i.$ext")" | tee -a "$RESULTS"
  done
  stop_all
  rm -f "$DB" "$DB-wal" "$DB-shm"
done

trap - EXIT
echo "== done; results: $RESULTS" >&2
