# Shared by bench/load.sh and bench/nginx.sh (sourced, not run): loading the bench data, starting
# `guohe serve`, signing the bench department and unit accounts in, stopping a process by its PID.
# Expects TARGET (cargo's target folder), PORT, BASE_URL, TODAY and UA to be set.

# Stops a process by its PID: SIGINT (or the signal given), then SIGKILL after 5 s.
stop_pid() {
  local pid=$1 signal=${2:-INT}
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -"$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

# load_bench_data DB BASES APPLICATIONS LOG: fills a fresh SQLite database through the application
# service (crates/web/examples/bench_bases.rs); sets SECRET, bench-dept's TOTP secret.
load_bench_data() {
  local db=$1 bases=$2 applications=$3 log=$4
  rm -f "$db" "$db-wal" "$db-shm"
  "$TARGET/release/examples/bench_bases" "sqlite://$db" "$bases" "$applications" >"$log" 2>&1 \
    || { cat "$log" >&2; return 1; }
  SECRET=$(sed -n 's/^bench-dept TOTP secret: \([A-Z2-7]*\)$/\1/p' "$log")
  [[ -n "$SECRET" ]] || { echo "no TOTP secret for bench-dept" >&2; return 1; }
}

# start_guohe DB LOG: starts `guohe serve` (release) on 127.0.0.1:$PORT at the business date
# $TODAY and waits until it answers; sets SERVER_PID.
start_guohe() {
  local db=$1 log=$2
  "$TARGET/release/guohe" --database "sqlite://$db" serve --today "$TODAY" --bind "127.0.0.1:$PORT" \
    >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.2
  done
  curl -fsS -o /dev/null "$BASE_URL/healthz"
}

# sign_in JAR: signs bench-dept in through the sign-in page (CSRF token, one-time code from
# $SECRET and all); sets SID, the session cookie's value.
sign_in() {
  local otp
  otp=$("$TARGET/release/examples/bench_bases" --totp "$SECRET")
  SID=$(sign_in_as "$1" bench-dept "$otp")
}

# sign_in_unit JAR: signs bench-unit (a support unit: no second factor) in; sets UNIT_SID.
sign_in_unit() {
  UNIT_SID=$(sign_in_as "$1" bench-unit "")
}

# sign_in_rec JAR: signs bench-rec (a recommender: no second factor) in; sets REC_SID.
sign_in_rec() {
  REC_SID=$(sign_in_as "$1" bench-rec "")
}

# sign_in_as JAR LOGIN OTP: signs LOGIN in through the sign-in page; prints the session cookie.
sign_in_as() {
  local jar=$1 login=$2 otp=$3 token sid
  token=$(curl -fsS -A "$UA" -c "$jar" "$BASE_URL/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
  curl -fsS -A "$UA" -b "$jar" -c "$jar" -o /dev/null -H "Origin: $BASE_URL" \
    --data-urlencode "_csrf=$token" --data-urlencode "login=$login" --data-urlencode "password=Guohe@Demo2026" \
    --data-urlencode "otp=$otp" "$BASE_URL/login"
  sid=$(awk '$6 == "guohe_sid" { print $7 }' "$jar")
  [[ -n "$sid" ]] || { echo "sign-in of $login failed: no session cookie" >&2; return 1; }
  echo "$sid"
}
