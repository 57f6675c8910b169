#!/usr/bin/env python3
"""Writes what bench/edge.sh needs: a standalone policy file (one site priced USD 0.01, the demo crawler with the
RFC 9421 test key) and a wrk Lua script that sends a Web Bot Auth-signed paid request (valid for 15 minutes, so
wrk can repeat it; the agent charges every repetition, which is what the measurement wants).

Usage: edge_setup.py OUT_DIR HOST AGENT_URL"""

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

request = requests.Request("GET", f"http://{host}/article", headers={
    "Host": host, "User-Agent": Crawler.user_agent, "crawler-exact-price": "USD 0.01",
    "Signature-Agent": 'sig1="https://crawler.example"'}).prepare()
now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=key).sign(
    request, key_id=key.key_id, label="sig1", tag="web-bot-auth",
    covered_component_ids=("@authority", '"signature-agent";key="sig1"', "crawler-exact-price"),
    created=now, expires=now + dt.timedelta(minutes=15), nonce="bench")
lua = "".join(f'wrk.headers["{name}"] = {json.dumps(value)}\n' for name, value in request.headers.items())
(out / "paid.lua").write_text(lua)
(out / "hey-paid.args").write_text("\n".join(f"-H\n{name}: {value}" for name, value in request.headers.items()
                                             if name.lower() != "host") + "\n")
