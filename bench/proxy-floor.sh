#!/usr/bin/env bash
# Where a proxied request's time goes (docs/benchmarks.md "Where the proxy's time goes"). At one Poisson-paced rate
# (default: half the agent's peak for human requests), the same small upstream is reached directly, through nginx
# proxy_pass, through three do-nothing NIO proxies (bench/proxy-floor: bytes only; NIO's HTTP/1 codec to the client
# and bytes to the upstream; NIO's codecs on both sides) and through tollgate-edge. For each: p50 and p99 as wrk
# sees them, and the proxy's own CPU per request, user and kernel, from /proc.
# Usage: bench/proxy-floor.sh [RATE]   (make bench installs wrk and nginx-light). BENCH_DURATION (10s).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10s}
for tool in wrk nginx; do
  command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || { echo "error: $tool is missing (make bench installs it)" >&2; exit 1; }
done
swift build -c release --product tollgate-edge
swift build -c release --package-path bench/proxy-floor
scripts/venv.sh >/dev/null

work=$(mktemp -d)
out=.test-run/bench && mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"' EXIT
up=18411 nginx=18412 agent=18413 admin=18414 bytes=18415 half=18416 niohttp=18417
host=bench.test

start_nginx() {  # NAME CONFIG-BODY
  mkdir -p "$work/$1/logs"
  cat >"$work/$1/nginx.conf" <<CONF
worker_processes auto;
pid $work/$1/nginx.pid;
error_log $work/$1/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; $2 }
CONF
  /usr/sbin/nginx -p "$work/$1" -c "$work/$1/nginx.conf" -g 'daemon off;' &
  pids+=($!)
}
start_nginx upstream "server { listen 127.0.0.1:$up; location / { return 200 \"hello\n\"; } }"
start_nginx proxy "upstream site { server 127.0.0.1:$up; keepalive 128; }
  server { listen 127.0.0.1:$nginx; location / { proxy_pass http://site; proxy_http_version 1.1;
    proxy_set_header Connection \"\"; proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } }"
declare -A proxy_pids
floor=bench/proxy-floor/.build/release/proxy-floor
for mode in bytes:$bytes half:$half nio-http:$niohttp; do
  $floor "${mode%%:*}" "${mode##*:}" $up &
  pids+=($!)
  proxy_pids[${mode%%:*}]=$!
done
.venv/bin/python bench/edge_setup.py "$work" "$host" "http://127.0.0.1:$agent" >/dev/null
TOLLGATE_EDGE_POLICY_FILE=$work/policy.json TOLLGATE_EDGE_UPSTREAM=http://127.0.0.1:$up \
  TOLLGATE_EDGE_LISTEN=127.0.0.1:$agent TOLLGATE_EDGE_ADMIN_LISTEN=127.0.0.1:$admin \
  TOLLGATE_EDGE_DATA_DIR=$work/edge TOLLGATE_EDGE_LOG_LEVEL=warning \
  .build/release/tollgate-edge >"$work/access.log" 2>"$out/proxy-floor-agent.err" &
pids+=($!)
proxy_pids[agent]=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null && break; sleep 0.1; done
sleep 0.5
proxy_pids[nginx]=$(pgrep -f "nginx: worker" -P "$(cat "$work/proxy/nginx.pid")" | tr '\n' ' ')

rate=${1:-}
if [ -z "$rate" ]; then
  wrk -t2 -c64 -d"$duration" "http://127.0.0.1:$agent/" -H "Host: $host" >"$out/proxy-floor-peak.txt"
  rate=$(awk '/Requests\/sec/ { printf "%d", $2 / 2 }' "$out/proxy-floor-peak.txt")
fi
pace=$(awk -v r="$rate" 'BEGIN { printf "%.3f", 64 * 1000 / r }')
per() { awk -v a="$1" -v b="$2" -v n="$requests" 'BEGIN { printf "%.1f", (b - a) * 1000000 / 100 / n }'; }  # ticks → µs
ticks() { local user=0 sys=0; for p in "$@"; do read -r u s < <(awk '{ print $14, $15 }' "/proc/$p/stat"); user=$((user + u)); sys=$((sys + s)); done; echo "$user $sys"; }
echo "== wrk -t2 -c64 -d$duration, Poisson arrivals at $rate req/s; CPU is the proxy's own, per request"
printf '%-10s %10s %9s %9s %12s %12s\n' through req/s p50 p99 "user us/req" "sys us/req"
for target in direct:$up nginx:$nginx bytes:$bytes half:$half nio-http:$niohttp agent:$agent; do
  name=${target%%:*} port=${target##*:}
  read -r u0 s0 < <(ticks ${proxy_pids[$name]:-})
  PACE_MS=$pace wrk -t2 -c64 -d"$duration" --latency -s "$work/paced.lua" -H "Host: $host" \
    "http://127.0.0.1:$port/" >"$out/proxy-floor-$name.txt"
  read -r u1 s1 < <(ticks ${proxy_pids[$name]:-})
  requests=$(awk '/requests in/ { print $1 }' "$out/proxy-floor-$name.txt")
  printf '%-10s %10s %9s %9s %12s %12s\n' "$name" "$(awk '/Requests\/sec/ { print $2 }' "$out/proxy-floor-$name.txt")" \
    "$(awk '$1 == "50%" { print $2; exit }' "$out/proxy-floor-$name.txt")" \
    "$(awk '$1 == "99%" { print $2; exit }' "$out/proxy-floor-$name.txt")" \
    "$([ -n "${proxy_pids[$name]:-}" ] && per "$u0" "$u1" || echo -)" "$([ -n "${proxy_pids[$name]:-}" ] && per "$s0" "$s1" || echo -)"
done
echo "raw outputs in $out/"
