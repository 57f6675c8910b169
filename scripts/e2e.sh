#!/usr/bin/env bash
# End-to-end checks against a real `tollgate serve`:
#   (a) external PostgreSQL: API fuzzing with schemathesis, the dashboard journey in headless Chromium,
#       then graceful SIGTERM shutdown;
#   (b) embedded PostgreSQL: first start, data-dir locking, clean shutdown, restart with the same data.
# Usage: scripts/e2e.sh [path/to/tollgate]   (default .build/debug/tollgate)
# Needs TOLLGATE_TEST_DATABASE_URL (run it under scripts/test-postgres.sh). Logs go to .test-run/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-.build/debug/tollgate}
[ -x "$bin" ] || { echo "error: $bin is not an executable; build it first (swift build)" >&2; exit 1; }
bin=$(realpath "$bin")
: "${TOLLGATE_TEST_DATABASE_URL:?not set; run under scripts/test-postgres.sh}"
READY_TIMEOUT=${E2E_READY_TIMEOUT:-30}

scripts/venv.sh
logs=.test-run/e2e
rm -rf "$logs" && mkdir -p "$logs"   # no stale logs/screenshots from an earlier run
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-e2e.XXXXXX")
chmod 755 "$tmp"   # data dirs below must be traversable by a dedicated OS user (embedded postgres as root)

# Cheap Argon2 so signups/logins don't dominate the run; TOLLGATE_DATA_DIR so nothing lands in the repo.
export TOLLGATE_ARGON2_MEMORY_KIB=1024 TOLLGATE_ARGON2_ITERATIONS=1
unset DATABASE_URL TOLLGATE_LISTEN TOLLGATE_PUBLIC_URL TOLLGATE_DATA_DIR

pids=()   # servers we started and have not yet reaped
forget() { local keep=() p; for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; pids=("${keep[@]}"); }
cleanup() {
  local rc=$? pid
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  # An embedded postgres orphaned by a crashed server: match on our unique temp path only.
  pkill -KILL -f -- "$tmp/" 2>/dev/null || true
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

status=0
ok()   { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; status=1; }
die()  { echo "FAIL: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2fs", ms / 1000 }'; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_busy "$p"; do p=$((p + 1)); done; echo "$p"; }

# start NAME PORT [VAR=value...]: runs `tollgate serve` in the background; sets $pid.
start() {
  local name=$1 port=$2
  shift 2
  env "$@" TOLLGATE_LISTEN="127.0.0.1:$port" TOLLGATE_PUBLIC_URL="http://127.0.0.1:$port" \
    "$bin" serve >"$logs/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
}

# wait_ready NAME PID PORT: polls /readyz until 200; prints the log and dies if the server exits or times out.
wait_ready() {
  local name=$1 p=$2 port=$3 deadline=$((SECONDS + READY_TIMEOUT)) why="" rc=0
  while [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" != 200 ]; do
    if ! kill -0 "$p" 2>/dev/null; then
      wait "$p" || rc=$?
      why="exited with status $rc before GET /readyz returned 200"
    elif [ "$SECONDS" -ge "$deadline" ]; then
      why="GET /readyz did not return 200 within ${READY_TIMEOUT}s"
    fi
    if [ -n "$why" ]; then
      echo "--- $logs/$name.log" >&2
      cat "$logs/$name.log" >&2
      die "$name: $why"
    fi
    sleep 0.1
  done
}

# stop NAME PID: SIGTERM, then the process must exit with status 0 within 10 s (graceful shutdown).
stop() {
  local name=$1 p=$2 rc=0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$p" 2>/dev/null; then
    kill -KILL "$p"
    wait "$p" 2>/dev/null || true
    forget "$p"
    fail "$name: still running 10s after SIGTERM"
    return
  fi
  wait "$p" || rc=$?
  forget "$p"
  if [ "$rc" = 0 ]; then ok "$name: exited 0 after SIGTERM"; else fail "$name: exit status $rc after SIGTERM"; fi
}

# post_json URL JSON: prints the HTTP status; the body goes to $tmp/body.json.
post_json() {
  curl -s -o "$tmp/body.json" -w '%{http_code}' -H 'Content-Type: application/json' -d "$2" "$1" || true
}

# ---- (a) external PostgreSQL: API fuzzing ----------------------------------------------------------
db_url="${TOLLGATE_TEST_DATABASE_URL%/*}/tollgate_e2e"   # same server and role, fresh database
psql "$TOLLGATE_TEST_DATABASE_URL" -q -v ON_ERROR_STOP=1 \
  -c 'DROP DATABASE IF EXISTS tollgate_e2e WITH (FORCE)' -c 'CREATE DATABASE tollgate_e2e'

port=$(free_port 18080)
url="http://127.0.0.1:$port"
mkdir -m 755 "$tmp/external-data"
t0=$(now_ms)
start external "$port" DATABASE_URL="$db_url" TOLLGATE_DATA_DIR="$tmp/external-data"
wait_ready external "$pid" "$port"
external_ms=$(( $(now_ms) - t0 ))
ok "external-db server ready at $url in $(secs "$external_ms")"

# The pytest suite: the dashboard in headless Chromium, the edge agent end to end (it starts tollgate-edge from
# the same build directory, and reads the ledger with psql), the Helm chart. Screenshots, DOM dumps and the
# agent's log land in $logs too.
edge_bin="$(dirname "$bin")/tollgate-edge"
[ -x "$edge_bin" ] || die "$edge_bin is not an executable; build it first (swift build)"
if TOLLGATE_URL=$url TOLLGATE_E2E_ARTIFACTS=$logs TOLLGATE_BIN=$bin TOLLGATE_EDGE_BIN=$edge_bin \
    TOLLGATE_E2E_DATABASE_URL=$db_url .venv/bin/python -m pytest -c Tests/e2e/pytest.ini Tests/e2e \
    >"$logs/pytest.log" 2>&1; then
  ok "pytest (dashboard in headless Chromium, edge agent, Helm chart): $(tail -n 1 "$logs/pytest.log")"
else
  tail -n 80 "$logs/pytest.log" >&2
  fail "pytest suite (full output in $logs/pytest.log)"
fi

# Fuzzing last: its thousands of failed sign-ins trip the per-address login throttle that the tests above sign in
# past (the platform operator in the edge-agent tests).
if TOLLGATE_URL=$url .venv/bin/python Tests/e2e/run_fuzz.py >"$logs/fuzz.log" 2>&1; then
  ok "schemathesis: no issues"
else
  tail -n 80 "$logs/fuzz.log" >&2
  fail "schemathesis (full output in $logs/fuzz.log)"
fi
stop external "$pid"

# ---- (b) embedded PostgreSQL under TOLLGATE_DATA_DIR ---------------------------------------------
data="$tmp/embedded-data"
mkdir -m 755 "$data"
embedded=(TOLLGATE_DATA_DIR="$data")   # and no DATABASE_URL (unset above)
port1=$(free_port $((port + 1)))
port2=$(free_port $((port1 + 1)))
email="embedded-$$@example.com"
password="E2e-correct-horse-battery-9"

t0=$(now_ms)
start embedded-first "$port1" "${embedded[@]}"
first=$pid
wait_ready embedded-first "$first" "$port1"
first_ms=$(( $(now_ms) - t0 ))
ok "embedded first start (initdb + migrations) ready in $(secs "$first_ms")"

code=$(post_json "http://127.0.0.1:$port1/v1/signup" \
  "{\"tenant_name\":\"Embedded Co\",\"email\":\"$email\",\"password\":\"$password\"}")
[ "$code" = 201 ] || die "embedded: POST /v1/signup -> $code: $(cat "$tmp/body.json")"
ok "embedded: signed up $email"

# A second server on the same data dir must refuse to start, and must not disturb the first one.
start embedded-second "$port2" "${embedded[@]}"
second=$pid
for _ in $(seq 200); do kill -0 "$second" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$second" 2>/dev/null; then
  kill -KILL "$second"
  wait "$second" 2>/dev/null || true
  forget "$second"
  fail "embedded: second server on the same data dir still running after 20s"
else
  rc=0
  wait "$second" || rc=$?
  forget "$second"
  if [ "$rc" != 0 ] && grep -qi 'already in use' "$logs/embedded-second.log"; then
    ok "embedded: second server refused the data dir (exit $rc, 'already in use')"
  else
    fail "embedded: second server exit $rc, log: $(tail -n 5 "$logs/embedded-second.log")"
  fi
fi
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port1/readyz")" = 200 ] ||
  fail "embedded: first server not ready after the second one's attempt"

stop embedded-first "$first"
# The server must stop its postgres before exiting; allow 2 s for the process table to catch up.
for _ in $(seq 20); do pgrep -f -- "$data" >/dev/null || break; sleep 0.1; done
if pgrep -af -- "$data"; then fail "embedded: processes for $data remain after shutdown"; else ok "embedded: no postgres left"; fi

t0=$(now_ms)
start embedded-restart "$port1" "${embedded[@]}"
restart=$pid
wait_ready embedded-restart "$restart" "$port1"
restart_ms=$(( $(now_ms) - t0 ))
ok "embedded restart ready in $(secs "$restart_ms")"
code=$(post_json "http://127.0.0.1:$port1/v1/sessions" "{\"email\":\"$email\",\"password\":\"$password\"}")
if [ "$code" = 201 ]; then ok "embedded: login after restart"; else fail "embedded: POST /v1/sessions -> $code: $(cat "$tmp/body.json")"; fi
stop embedded-restart "$restart"

echo "timings: external-db start $(secs "$external_ms"), embedded first start $(secs "$first_ms"), embedded restart $(secs "$restart_ms")"
if [ "$status" = 0 ]; then echo "e2e: all checks passed"; else echo "e2e: FAILED (logs in $logs/)" >&2; fi
exit "$status"
