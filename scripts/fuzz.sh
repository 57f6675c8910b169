#!/usr/bin/env bash
# Runs schemathesis (Tests/e2e/run_fuzz.py) against `tollgate serve` on a fresh database of the test PostgreSQL.
# Usage: scripts/test-postgres.sh scripts/fuzz.sh [path/to/tollgate]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/tollgate}")
: "${TOLLGATE_TEST_DATABASE_URL:?not set; run under scripts/test-postgres.sh}"
scripts/venv.sh
psql "$TOLLGATE_TEST_DATABASE_URL" -q -c 'DROP DATABASE IF EXISTS tollgate_fuzz WITH (FORCE)' -c 'CREATE DATABASE tollgate_fuzz'
data=$(mktemp -d)
DATABASE_URL="${TOLLGATE_TEST_DATABASE_URL%/*}/tollgate_fuzz" TOLLGATE_DATA_DIR="$data" TOLLGATE_LISTEN=127.0.0.1:18199 \
  TOLLGATE_ARGON2_MEMORY_KIB=1024 TOLLGATE_ARGON2_ITERATIONS=1 "$bin" serve >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18199/readyz >/dev/null && break; sleep 0.1; done
TOLLGATE_URL=http://127.0.0.1:18199 .venv/bin/python Tests/e2e/run_fuzz.py
