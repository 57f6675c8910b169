#!/usr/bin/env python3
"""`make demo`: the whole arrangement on this machine.

  demo.py up      sets up a demo tenant with a priced site, a demo crawler whose key is the RFC 9421 test key, a
                  funded crawler account, a sample site and tollgate-edge in front of it; prints the URLs; runs until
                  Ctrl-C. Expects `tollgate serve` at --control-plane (scripts/demo.sh starts it).
  demo.py crawl PATH [--pay]
                  sends a Web Bot Auth-signed request as the demo crawler (with crawler-exact-price when --pay) and
                  prints the answer's status and pay-per-crawl headers.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests/e2e"))
from edge_world import Agent, ControlPlane, Crawler, SigningTestKey, Upstream, World  # noqa: E402

STATE = Path(".demo/demo.json")
PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo-correct-horse-battery-9")


def up(args):
    control_plane = ControlPlane(args.control_plane, args.tollgate, dict(os.environ), operator_email=args.operator)
    world = World(control_plane, PASSWORD, host="shop.demo", product_token="DemoBot")
    site = Upstream()
    agent = Agent(args.edge, Path(".demo/edge"), site.url, args.control_plane, world.enrollment_token,
                  log=Path(".demo/edge.log"))
    agent.port, agent.admin_port = args.agent_port, args.admin_port
    agent.start()
    STATE.write_text(json.dumps({"agent": agent.url, "host": world.host}))
    me = Path(sys.argv[0])
    print(f"""
Tollgate demo is running.
  control plane   {args.control_plane}          (dashboard: {args.control_plane}/app)
  sample site     {site.url}
  edge agent      {agent.url}  (Host: {world.host})   admin: {agent.admin_url}/metrics
  demo crawler    {world.crawler['product_token']}, key id {world.key.key_id} (RFC 9421 test key)
  crawler account {world.account['id']}, funded with USD {world.credit_micros / 1e6:.2f}; price USD 0.01 per page

Try:
  curl -si -H 'Host: {world.host}' {agent.url}/article        # a human: passes, uncharged
  python3 {me} crawl /article                                  # the crawler: 402 with crawler-price
  python3 {me} crawl /article --pay                            # paid: 200 with crawler-charged
  curl -s {agent.admin_url}/metrics | grep tollgate_edge_requests_total
Agent log: .demo/edge.log. Ctrl-C stops the demo.
""", flush=True)
    try:
        while agent.process.poll() is None:
            time.sleep(1)
        print(f"tollgate-edge exited with {agent.process.returncode}; see .demo/edge.log", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        agent.stop()
        site.close()


def crawl(args):
    state = json.loads(STATE.read_text())
    headers = {"crawler-exact-price": "USD 0.01"} if args.pay else {}
    response = Crawler(SigningTestKey()).get(state["agent"] + args.path, state["host"], headers)
    print(response.status_code, response.reason)
    for name, value in response.headers.items():
        if name.lower().startswith(("crawler-", "payment-", "link", "cache-control")):
            print(f"{name}: {value}")
    print()
    print(response.text[:500])


parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
commands = parser.add_subparsers(dest="command", required=True)
start = commands.add_parser("up")
start.add_argument("--control-plane", default="http://127.0.0.1:8080")
start.add_argument("--tollgate", default=".build/debug/tollgate")
start.add_argument("--edge", default=".build/debug/tollgate-edge")
start.add_argument("--operator", help="email of a platform operator whose password is the demo password")
start.add_argument("--agent-port", type=int, default=8081)
start.add_argument("--admin-port", type=int, default=9091)
start.set_defaults(run=up)
fetch = commands.add_parser("crawl")
fetch.add_argument("path")
fetch.add_argument("--pay", action="store_true")
fetch.set_defaults(run=crawl)
args = parser.parse_args()
args.run(args)
