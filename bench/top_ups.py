"""Top-ups through the control plane against a loopback vendor fake: throughput and our own overhead per top-up.

Run by bench/top-ups.sh (a release server on URL, the fake at FAKE_URL). Prints one line per measurement.
"""
import concurrent.futures
import os
import re
import statistics
import sys
import threading
import time
import uuid

import requests

url, fake_url, operator_password = sys.argv[1], sys.argv[2], sys.argv[3]
api_key, webhook_secret = sys.argv[4], sys.argv[5]
count = int(os.environ.get("BENCH_TOP_UPS", "2000"))
concurrency = int(os.environ.get("BENCH_TOP_UP_CONCURRENCY", "16"))


def call(method, path, expect, token=None, json=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    r = requests.request(method, url + path, json=json, headers=h, timeout=30)
    if r.status_code != expect:
        sys.exit("error: %s %s → %d %s" % (method, path, r.status_code, r.text))
    return r.json() if r.content else None


operator = call("POST", "/v1/operator/sessions", 201, json={"email": "root@bench.example", "password": operator_password})["token"]
call("POST", "/v1/operator/gateways", 201, operator, {
    "name": "bench", "kind": "generic", "base_url": fake_url, "minimum_top_up_micros": 1000000,
    "credentials": {"api_key": api_key, "webhook_secret": webhook_secret}})
crawler = call("POST", "/v1/crawler/signup", 201, json={"email": "bot@bench.example", "password": operator_password, "name": "Bench bot"})["token"]
account = call("POST", "/v1/crawler/accounts", 201, crawler, {"name": "bench", "currency": "USD"})["id"]
method = call("POST", "/v1/crawler/payment-methods", 201, crawler, {"gateway": "bench", "token": "tok_visa"})["id"]

local = threading.local()


def top_up(_):
    session = getattr(local, "session", None)
    if session is None:
        session = local.session = requests.Session()
    started = time.perf_counter()
    r = session.post(url + "/v1/crawler/accounts/%s/top-ups" % account, timeout=30,
                     json={"payment_method_id": method, "amount": {"micros": 1000000, "currency": "USD"}},
                     headers={"Authorization": "Bearer " + crawler, "Idempotency-Key": str(uuid.uuid4())})
    if r.status_code != 201:
        raise SystemExit("error: top-up → %d %s" % (r.status_code, r.text))
    return time.perf_counter() - started


with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:   # warm-up
    list(pool.map(top_up, range(min(200, count))))
metrics_before = requests.get(url + "/metrics", timeout=10).text
started = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
    latencies = sorted(pool.map(top_up, range(count)))
elapsed = time.perf_counter() - started
metrics_after = requests.get(url + "/metrics", timeout=10).text


def metric(text, name, labels):
    pattern = re.escape(name) + r"\{" + ",".join(re.escape('%s="%s"' % kv) for kv in labels) + r"\} ([0-9.e+-]+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def delta(name, labels):
    return metric(metrics_after, name, labels) - metric(metrics_before, name, labels)


top_up_sum = delta("tollgate_payments_top_up_duration_seconds_sum", [("status", "succeeded")])
top_up_count = delta("tollgate_payments_top_up_duration_seconds_count", [("status", "succeeded")])
vendor_sum = delta("tollgate_payments_gateway_call_duration_seconds_sum", [("gateway", "generic"), ("operation", "charge")])
vendor_count = delta("tollgate_payments_gateway_call_duration_seconds_count", [("gateway", "generic"), ("operation", "charge")])
balance = call("GET", "/v1/crawler/accounts/%s" % account, 200, crawler)["balance"]["micros"]
expected = (count + min(200, count)) * 1000000
if balance != expected:
    sys.exit("error: balance %d, expected %d" % (balance, expected))
print("top-ups             %d in %.2f s = %.0f top-ups/s (concurrency %d); balance exact (%d micros)" % (
    count, elapsed, count / elapsed, concurrency, balance))
print("request latency     p50 %.1f ms   p99 %.1f ms (client-side, includes the fake)" % (
    statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.99) - 1] * 1000))
print("server per top-up   %.2f ms total, %.2f ms inside the vendor call (%d calls), %.2f ms our overhead" % (
    top_up_sum / top_up_count * 1000, vendor_sum / max(vendor_count, 1) * 1000, vendor_count,
    (top_up_sum - vendor_sum) / top_up_count * 1000))
