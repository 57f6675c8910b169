#!/usr/bin/env bash
# Top-ups per second through the control plane against the loopback generic-gateway fake, and the time our side
# adds per top-up outside the vendor call (from the server's own histograms).
# Release build, a throwaway PostgreSQL (scripts/test-postgres.sh) on the same machine, loopback.
# Usage: bench/top-ups.sh    Tunables: BENCH_TOP_UPS (2000), BENCH_TOP_UP_CONCURRENCY (16).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TOLLGATE_TEST_DATABASE_URL:-}" ]; then
  scripts/venv.sh
  swift build -c release --product tollgate
  exec scripts/test-postgres.sh "$0" "$@"
fi

port=18310
url="http://127.0.0.1:$port"
out=.test-run/bench
mkdir -p "$out"
data=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$data"' EXIT

api_key="gk_bench_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
webhook_secret="whsec_$(head -c 32 /dev/urandom | base64 -w0)"
password="bench-correct-horse"
database="${TOLLGATE_TEST_DATABASE_URL%/*}/tollgate_bench_payments"

PYTHONPATH=Tests/fakes .venv/bin/python -m gateway_fakes generic --option "api_key=$api_key" \
  --option "webhook_secret=$webhook_secret" >"$out/fake.out" 2>"$out/fake.log" &
pids+=($!)
for _ in $(seq 100); do grep -q '^READY ' "$out/fake.out" 2>/dev/null && break; sleep 0.1; done
fake_url=$(sed -n 's/^READY //p' "$out/fake.out")
[ -n "$fake_url" ] || { echo "error: the generic fake did not start; see $out/fake.log" >&2; exit 1; }

psql "$TOLLGATE_TEST_DATABASE_URL" -q -v ON_ERROR_STOP=1 \
  -c 'DROP DATABASE IF EXISTS tollgate_bench_payments WITH (FORCE)' -c 'CREATE DATABASE tollgate_bench_payments' 2>/dev/null
DATABASE_URL="$database" TOLLGATE_DATA_DIR="$data" .build/release/tollgate migrate >/dev/null
DATABASE_URL="$database" TOLLGATE_DATA_DIR="$data" TOLLGATE_OPERATOR_PASSWORD="$password" \
  .build/release/tollgate admin create-operator --email root@bench.example >/dev/null
TOLLGATE_PAYMENTS_INTERVAL_SECONDS=3600 LOG_LEVEL=warning DATABASE_URL="$database" TOLLGATE_DATA_DIR="$data" \
  TOLLGATE_LISTEN="127.0.0.1:$port" TOLLGATE_PUBLIC_URL="$url" .build/release/tollgate serve >"$out/payments-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.1; done

echo "top-ups against the generic fake ($(nproc) cores, $(date -u +%Y-%m-%d))"
.venv/bin/python bench/top_ups.py "$url" "$fake_url" "$password" "$api_key" "$webhook_secret"
