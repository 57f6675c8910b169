#!/usr/bin/env bash
# The edge agent against nginx, on loopback (docs/benchmarks.md "Edge agent"): one small upstream (nginx returning
# a 6-byte page); wrk against (1) the upstream directly, (2) nginx proxy_pass with keep-alive, (3) tollgate-edge
# (release, standalone policy file, access log on, to a file) for human requests, (4) for Web Bot Auth-signed paid
# requests (each verified, priced, charged and fsync'd to the spool). Then Poisson-paced wrk at half the agent's peak
# rate for the added p99 latency. wrk and the servers share the machine's cores: read the ratios.
# Usage: bench/edge.sh   (make bench installs wrk and nginx-light). Tunables: BENCH_DURATION (10s),
# BENCH_CONNECTIONS (64).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
for tool in wrk nginx; do
  command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || { echo "error: $tool is missing (make bench installs it)" >&2; exit 1; }
done
swift build -c release --product tollgate-edge
scripts/venv.sh >/dev/null

work=$(mktemp -d)
out=.test-run/bench && mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"' EXIT
up=18401 proxy=18402 agent=18403 admin=18404
host=bench.test

mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream site { server 127.0.0.1:$up; keepalive 128; }
  server { listen 127.0.0.1:$up; location / { return 200 "hello\n"; } }
  server {
    listen 127.0.0.1:$proxy;
    location / {
      proxy_pass http://site;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)

.venv/bin/python bench/edge_setup.py "$work" "$host" "http://127.0.0.1:$agent"
TOLLGATE_EDGE_POLICY_FILE=$work/policy.json TOLLGATE_EDGE_UPSTREAM=http://127.0.0.1:$up \
  TOLLGATE_EDGE_LISTEN=127.0.0.1:$agent TOLLGATE_EDGE_ADMIN_LISTEN=127.0.0.1:$admin \
  TOLLGATE_EDGE_DATA_DIR=$work/edge TOLLGATE_EDGE_LOG_LEVEL=warning \
  .build/release/tollgate-edge >"$work/access.log" 2>"$out/edge-agent.err" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "http://127.0.0.1:$agent/")" = 200 ] || { echo "agent not answering" >&2; exit 1; }

rate_of() { awk '/Requests\/sec/ { print $2 }' "$1"; }
p99_of() { awk '$1 == "99%" { print $2; exit }' "$1"; }
run_wrk() {  # NAME URL [wrk args...]
  local name=$1 url=$2
  shift 2
  wrk -t2 -c"$connections" -d"$duration" --latency "$@" "$url" >"$out/wrk-$name.txt"
  printf '%-22s %10s req/s   p99 %s\n' "$name" "$(rate_of "$out/wrk-$name.txt")" "$(p99_of "$out/wrk-$name.txt")"
}
echo "== throughput: wrk -t2 -c$connections -d$duration"
run_wrk direct "http://127.0.0.1:$up/"
run_wrk nginx-proxy "http://127.0.0.1:$proxy/" -H "Host: $host"
run_wrk agent-human "http://127.0.0.1:$agent/" -H "Host: $host"
run_wrk agent-signed-paid "http://127.0.0.1:$agent/article" -s "$work/paid.lua"
sleep 0.5   # the access log is written every 20 ms
charged=$(grep -c '"action":"charge"' "$work/access.log" || true)
spooled=$(cat "$work"/edge/spool/usage-*.log | wc -l)
echo "paid run: $charged requests charged (access log), $spooled charges in the spool"

# Added latency at half the agent's peak: the same Poisson-paced rate (wrk with a Lua delay per request) straight to
# the upstream, through nginx (for scale, human requests) and through the agent, for human and for signed paid ones.
paced() {  # NAME RATE URL [wrk args...]
  local name=$1 rate=$2 url=$3
  shift 3
  local pace
  pace=$(awk -v c="$connections" -v r="$rate" 'BEGIN { printf "%.3f", c * 1000 / r }')
  PACE_MS=$pace wrk -t2 -c"$connections" -d"$duration" --latency "$@" "$url" >"$out/paced-$name.txt"
  printf '%-22s %10s req/s   p50 %-8s p99 %s\n' "$name" "$(rate_of "$out/paced-$name.txt")" \
    "$(awk '$1 == "50%" { print $2; exit }' "$out/paced-$name.txt")" "$(p99_of "$out/paced-$name.txt")"
}
half=$(awk -v r="$(rate_of "$out/wrk-agent-human.txt")" 'BEGIN { printf "%d", r / 2 }')
echo "== latency at half the agent's peak for human requests: $half req/s offered"
paced direct "$half" "http://127.0.0.1:$up/" -s "$work/paced.lua"
paced nginx-proxy "$half" "http://127.0.0.1:$proxy/" -s "$work/paced.lua" -H "Host: $host"
paced agent-human "$half" "http://127.0.0.1:$agent/" -s "$work/paced.lua" -H "Host: $host"
paid_half=$(awk -v r="$(rate_of "$out/wrk-agent-signed-paid.txt")" 'BEGIN { printf "%d", r / 2 }')
echo "== latency at half the agent's peak for signed paid requests: $paid_half req/s offered"
paced direct-at-paid-rate "$paid_half" "http://127.0.0.1:$up/" -s "$work/paced.lua"
paced agent-signed-paid "$paid_half" "http://127.0.0.1:$agent/article" -s "$work/paid.lua"
echo "raw outputs in $out/"
