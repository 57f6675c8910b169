#!/usr/bin/env bash
# Authenticated GET /v1/me under wrk: once with an API key, once with a session cookie.
# Release build, PostgreSQL (a throwaway cluster from scripts/test-postgres.sh) on the same machine, loopback.
# Usage: bench/run.sh            (make bench installs wrk first)
# Tunables: BENCH_DURATION (default 15s), BENCH_CONNECTIONS (64), BENCH_THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TOLLGATE_TEST_DATABASE_URL:-}" ]; then
  swift build -c release --product tollgate
  exec scripts/test-postgres.sh "$0" "$@"
fi

command -v wrk >/dev/null || { echo "error: wrk is not installed (make bench installs it)" >&2; exit 1; }
duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
port=18300
url="http://127.0.0.1:$port"
out=.test-run/bench
mkdir -p "$out"

data=$(mktemp -d)
server=""
stop_server() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""; }; }
trap 'stop_server; rm -rf "$data"' EXIT

# serve SECONDS: (re)starts the server with that auth-cache lifetime; 0 means every request checks PostgreSQL.
serve() {
  stop_server
  TOLLGATE_AUTH_CACHE_SECONDS=$1 DATABASE_URL="${TOLLGATE_TEST_DATABASE_URL%/*}/tollgate_bench" TOLLGATE_DATA_DIR="$data" \
    TOLLGATE_LISTEN="127.0.0.1:$port" TOLLGATE_PUBLIC_URL="$url" .build/release/tollgate serve >>"$out/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "$url/readyz" >/dev/null && return; sleep 0.1; done
  echo "error: server did not become ready; see $out/server.log" >&2
  exit 1
}

psql "$TOLLGATE_TEST_DATABASE_URL" -q -v ON_ERROR_STOP=1 \
  -c 'DROP DATABASE IF EXISTS tollgate_bench WITH (FORCE)' -c 'CREATE DATABASE tollgate_bench' 2>/dev/null
: >"$out/server.log"
serve 5
signup=$(curl -sf -D "$out/signup.headers" -H 'Content-Type: application/json' \
  -d '{"tenant_name":"Bench Co","email":"bench@example.com","password":"bench-correct-horse"}' "$url/v1/signup")
cookie=$(grep -i '^set-cookie: tollgate_session=' "$out/signup.headers" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
csrf=$(printf '%s' "$signup" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
key=$(curl -sf -H 'Content-Type: application/json' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -d '{"name":"bench","scopes":["tenant:read"]}' "$url/v1/api-keys" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')

run() {  # run NAME HEADER
  local name=$1 header=$2
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$url/v1/me")" = 200 ] || { echo "error: $name credential rejected" >&2; exit 1; }
  wrk -t"$threads" -c"$connections" -d5s -H "$header" "$url/v1/me" >/dev/null   # warm-up
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "$header" "$url/v1/me" >"$out/$name.txt"
  local rps p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' "$out/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$out/$name.txt")
  errors=$(grep -E 'Non-2xx|Socket errors' "$out/$name.txt" | tr '\n' ' ' || true)
  printf '%-22s %10s req/s   p99 %8s   %s\n' "$name" "$rps" "$p99" "${errors:-no errors}"
}

echo "GET /v1/me, wrk -t$threads -c$connections -d$duration, $(nproc) cores, release build, PostgreSQL on the same machine"
run api-key-cached "Authorization: Bearer $key"
run session-cached "Cookie: $cookie"
serve 0
run api-key-uncached "Authorization: Bearer $key"
run session-uncached "Cookie: $cookie"
echo "full wrk output in $out/"
