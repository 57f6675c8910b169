#!/usr/bin/env bash
# `make demo`: the control plane on its embedded PostgreSQL, a sample site, tollgate-edge in front of it, a demo
# tenant with a price and a demo crawler (the RFC 9421 test key). Everything lives under .demo/ (reset each run).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DEMO_PORT:-8080}
url="http://127.0.0.1:$port"

rm -rf .demo && mkdir -p .demo/control-plane
export TOLLGATE_DATA_DIR=$PWD/.demo/control-plane TOLLGATE_LISTEN=127.0.0.1:$port TOLLGATE_PUBLIC_URL=$url
unset DATABASE_URL
server=""
cleanup() { [ -z "$server" ] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }; }
trap cleanup EXIT
trap 'exit 130' INT

# The demo's platform operator (it credits the demo crawler's account) is created before the server starts,
# since the embedded database belongs to one process at a time.
export DEMO_PASSWORD=Demo-correct-horse-battery-9
.build/debug/tollgate migrate >.demo/control-plane.log 2>&1
TOLLGATE_OPERATOR_PASSWORD=$DEMO_PASSWORD .build/debug/tollgate admin create-operator --email operator@demo.test \
  >>.demo/control-plane.log 2>&1
.build/debug/tollgate serve >>.demo/control-plane.log 2>&1 &
server=$!
for _ in $(seq 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] && break
  kill -0 "$server" 2>/dev/null || { cat .demo/control-plane.log >&2; echo "error: tollgate serve exited" >&2; exit 1; }
  sleep 0.1
done
.venv/bin/python scripts/demo.py up --control-plane "$url" --operator operator@demo.test
