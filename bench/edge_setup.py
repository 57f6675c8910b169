#!/usr/bin/env python3
"""Writes what bench/edge.sh needs: a standalone policy file (one site priced USD 0.01, the demo crawler with the
RFC 9421 test key) and a wrk Lua script that sends Web Bot Auth-signed paid requests, each with its own nonce (valid
for 15 minutes), so every one is verified, priced, charged and spooled.

Usage: edge_setup.py OUT_DIR HOST AGENT_URL [PRE-SIGNED REQUESTS]"""

import base64
import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests/e2e"))
import datetime as dt  # noqa: E402

import requests  # noqa: E402
from edge_world import Crawler, SigningTestKey  # noqa: E402
from http_message_signatures import HTTPMessageSigner, algorithms  # noqa: E402

out, host, agent = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
key = SigningTestKey()
account = str(uuid.uuid4())
policy = {
    "version": "bench", "full": True,
    "sites": [{"id": str(uuid.uuid4()), "tenant_id": str(uuid.uuid4()), "name": "bench", "hostnames": [host],
               "status": "active", "version": 1,
               "pricing": {"currency": "USD", "default_price": {"micros": 10000, "currency": "USD"}}}],
    "crawlers": [{"id": str(uuid.uuid4()), "operator_id": str(uuid.uuid4()), "name": "Bench Bot",
                  "product_token": "BenchBot", "purposes": ["training"], "status": "active",
                  "keys": [{"thumbprint": key.key_id, "jwk": key.public_jwk}],
                  "accounts": [{"id": account, "currency": "USD"}]}],
}
(out / "policy.json").write_text(json.dumps(policy, indent=1))

# Paid requests must each carry their own nonce: the agent serves a replayed signature without charging it again.
# The signature base is built here (RFC 9421 §2.5) and checked once against http-message-signatures' own.
created = int(dt.datetime.now(dt.timezone.utc).timestamp())
expires = created + 900
agent_header = 'sig1="https://crawler.example"'
components = '("@authority" "signature-agent";key="sig1" "crawler-exact-price")'


def signature_input(nonce: str) -> str:
    return (f'{components};created={created};keyid="{key.key_id}";alg="ed25519";expires={expires};'
            f'nonce="{nonce}";tag="web-bot-auth"')


def sign(nonce: str) -> str:
    base = (f'"@authority": {host}\n"signature-agent";key="sig1": "https://crawler.example"\n'
            f'"crawler-exact-price": USD 0.01\n"@signature-params": {signature_input(nonce)}')
    return base64.b64encode(key.private.sign(base.encode())).decode()


sample = requests.Request("GET", f"http://{host}/article", headers={
    "Host": host, "crawler-exact-price": "USD 0.01", "Signature-Agent": agent_header}).prepare()
HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=key).sign(
    sample, key_id=key.key_id, label="sig1", tag="web-bot-auth",
    covered_component_ids=("@authority", '"signature-agent";key="sig1"', "crawler-exact-price"),
    created=dt.datetime.fromtimestamp(created, dt.timezone.utc), expires=dt.datetime.fromtimestamp(expires, dt.timezone.utc),
    nonce="check")
assert sample.headers["Signature"] == f"sig1=:{sign('check')}:", "hand-built signature base differs from the library's"
assert sample.headers["Signature-Input"] == f"sig1={signature_input('check')}", sample.headers["Signature-Input"]

count = int(sys.argv[4]) if len(sys.argv) > 4 else 300_000
with open(out / "paid.txt", "w") as signed:
    for i in range(count):
        signed.write(f"n{i} {sign(f'n{i}')}\n")
# LuaJIT caps the constants of one chunk, so wrk's script reads the pre-signed requests from paid.txt; thread k of
# n takes every n-th line starting at k, so no two threads send the same nonce.
(out / "paid.lua").write_text(f'''local prefix = {json.dumps(components + f';created={created};keyid="{key.key_id}";alg="ed25519";expires={expires};nonce="')}
wrk.headers["Host"] = "{host}"
wrk.headers["crawler-exact-price"] = "USD 0.01"
wrk.headers["Signature-Agent"] = {json.dumps(agent_header)}
wrk.headers["User-Agent"] = {json.dumps(Crawler.user_agent)}
local created = 0
function setup(thread)
  thread:set("offset", created)
  created = created + 1
end
local signed, index = {{}}, 1
function init(args)
  local threads = tonumber(os.getenv("WRK_THREADS") or "2")
  local line = 0
  for text in io.lines("{out / 'paid.txt'}") do
    if line % threads == offset then
      local nonce, signature = text:match("(%S+) (%S+)")
      signed[#signed + 1] = {{nonce, signature}}
    end
    line = line + 1
  end
end
-- With PACE_MS set, each connection waits an exponentially distributed time (that mean) between requests: a
-- Poisson arrival rate of connections × 1000 / PACE_MS per second, for latency at a fixed load.
local pace = tonumber(os.getenv("PACE_MS") or "")
if pace then
  function delay() return -math.log(1 - math.random()) * pace end
end
function request()
  local entry = signed[index]
  if entry == nil then error("out of pre-signed requests; pass a larger count to bench/edge_setup.py") end
  index = index + 1
  wrk.headers["Signature-Input"] = "sig1=" .. prefix .. entry[1] .. '";tag="web-bot-auth"'
  wrk.headers["Signature"] = "sig1=:" .. entry[2] .. ":"
  return wrk.format("GET", "/article")
end
''')
(out / "paced.lua").write_text('''-- Poisson arrivals: see paid.lua.
local pace = tonumber(os.getenv("PACE_MS"))
function delay() return -math.log(1 - math.random()) * pace end
''')
