"""The edge agent end to end: PostgreSQL, the control plane (TOLLGATE_URL), a small upstream and `tollgate-edge`
(TOLLGATE_EDGE_BIN) enrolled with a one-time token. A crawler signs with the RFC 9421 Ed25519 test key."""

import concurrent.futures
import json
import os
import shutil
import subprocess
import time
import uuid

import pytest
import requests

import edge_world
from edge_world import PRICE_MICROS, Agent, ControlPlane, Crawler, SigningTestKey, Upstream, World

PASSWORD = "E2e-correct-horse-battery-9"


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set; scripts/e2e.sh sets it", returncode=2)
    return value


def sql(query: str) -> str:
    """One value from PostgreSQL, as the platform (row-level security would hide other tenants' rows)."""
    out = subprocess.run(
        ["psql", env("TOLLGATE_E2E_DATABASE_URL"), "-XAtq", "-v", "ON_ERROR_STOP=1",
         "-c", "SELECT set_config('tollgate.platform', 'on', false)", "-c", query],
        check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return out[-1] if out else ""


@pytest.fixture(scope="module")
def world(base_url):
    control_plane = ControlPlane(base_url, env("TOLLGATE_BIN"), {
        **os.environ, "DATABASE_URL": env("TOLLGATE_E2E_DATABASE_URL")})
    return World(control_plane, PASSWORD)


@pytest.fixture(scope="module")
def upstream():
    server = Upstream()
    yield server
    server.close()


@pytest.fixture(scope="module")
def agent(world, upstream, base_url, tmp_path_factory):
    artifacts = os.environ.get("TOLLGATE_E2E_ARTIFACTS", str(tmp_path_factory.mktemp("logs")))
    process = Agent(env("TOLLGATE_EDGE_BIN"), tmp_path_factory.mktemp("edge-data"), upstream.url, base_url,
                    world.enrollment_token, log=os.path.join(artifacts, "edge-agent.log"))
    process.start()
    yield process
    process.stop()


def agent_id(agent: Agent) -> str:
    return sql("SELECT id FROM agents WHERE name = 'e2e-agent' ORDER BY created_at DESC LIMIT 1")


def posted(agent: Agent) -> tuple[int, int, int]:
    """(posted charges, their total in micros, highest sequence) for this agent."""
    prefix = f"agent:{agent_id(agent)}:"
    row = sql(f"SELECT count(*) || ',' || coalesce(sum(price_micros), 0) || ',' || "
              f"coalesce(max(split_part(event_id, ':', 3)::bigint), 0) FROM charges "
              f"WHERE event_id LIKE '{prefix}%' AND status = 'posted'")
    count, total, highest = (int(x) for x in row.split(","))
    return count, total, highest


def test_pay_per_crawl_through_the_agent(world, upstream, agent):
    crawler = Crawler(world.key)
    unpaid = crawler.get(agent.url + "/article/1", world.host)
    assert unpaid.status_code == 402, unpaid.text
    assert unpaid.headers["crawler-price"] == "USD 0.01"
    assert unpaid.headers["cache-control"] == "private, no-store"
    assert "payment-required" in unpaid.headers
    assert not any(seen["path"] == "/article/1" for seen in upstream.seen)

    paid = crawler.get(agent.url + "/article/1", world.host, {"crawler-exact-price": "USD 0.01"})
    assert paid.status_code == 200, paid.text
    assert paid.headers["crawler-charged"] == "USD 0.01"
    assert paid.text == "<html><body>page /article/1</body></html>\n"
    forwarded = [seen for seen in upstream.seen if seen["path"] == "/article/1"][-1]["headers"]
    assert forwarded["cf-pay-per-crawl"] == "protocol=cloudflare, pricing=zone-default"
    assert forwarded["x-tollgate-crawler"] == world.crawler["product_token"]
    assert forwarded["x-forwarded-for"] == "127.0.0.1"

    missing = crawler.get(agent.url + "/missing", world.host, {"crawler-max-price": "USD 0.05"})
    assert missing.status_code == 404
    assert "crawler-charged" not in missing.headers

    free = crawler.get(agent.url + "/robots.txt", world.host)
    assert free.status_code == 200 and "crawler-charged" not in free.headers

    human = requests.get(agent.url + "/article/1", headers={"Host": world.host, "User-Agent": "Mozilla/5.0"}, timeout=15)
    assert human.status_code == 200
    assert human.text == "<html><body>page /article/1</body></html>\n"
    assert not [h for h in human.headers if h.lower().startswith("crawler-")]
    forwarded = upstream.seen[-1]["headers"]
    assert forwarded["cf-pay-per-crawl"] == "protocol=cloudflare, pricing=bypass"
    assert "x-tollgate-crawler" not in forwarded

    agent.wait_shipped()
    deadline = time.time() + 30
    while posted(agent)[0] < 1 and time.time() < deadline:
        time.sleep(0.2)
    assert posted(agent) == (1, PRICE_MICROS, 1)
    assert world.balance_micros() == world.credit_micros - PRICE_MICROS
    site = world.site["id"]
    earned = int(sql(f"SELECT coalesce(sum(price_micros - fee_micros), 0) FROM charges WHERE site_id = '{site}' AND status = 'posted'"))
    fees = int(sql(f"SELECT coalesce(sum(fee_micros), 0) FROM charges WHERE site_id = '{site}' AND status = 'posted'"))
    tenant = sql(f"SELECT tenant_id FROM sites WHERE id = '{site}'")
    assert fees == PRICE_MICROS // 10  # the default platform fee, 10 %
    assert int(sql(f"SELECT balance_micros FROM ledger_accounts WHERE kind = 'tenant_earnings' AND tenant_id = '{tenant}'")) \
        == earned == PRICE_MICROS - fees


def test_sigkill_mid_run_loses_and_duplicates_nothing(world, upstream, agent):
    before_count, before_total, _ = posted(agent)
    balance_before = world.balance_micros()
    crawler_threads = 8
    total = 400
    outcomes = {"charged": 0, "failed": 0, "other": 0}

    def one(i: int):
        try:
            crawler = Crawler(world.key)
            response = crawler.get(agent.url + f"/bulk/{i}", world.host, {"crawler-exact-price": "USD 0.01"})
            if response.status_code == 200 and response.headers.get("crawler-charged") == "USD 0.01":
                return "charged"
            return "other"
        except requests.RequestException:
            return "failed"

    with concurrent.futures.ThreadPoolExecutor(crawler_threads) as pool:
        first = [pool.submit(one, i) for i in range(total // 2)]
        # Kill the agent while requests are in flight.
        while sum(f.done() for f in first) < total // 4:
            time.sleep(0.01)
        agent.kill()
        for future in first:
            outcomes[future.result()] += 1
        agent.start()
        for future in [pool.submit(one, i) for i in range(total // 2, total)]:
            outcomes[future.result()] += 1

    agent.wait_shipped()
    count, amount, highest = posted(agent)
    new = count - before_count
    assert outcomes["other"] == 0, outcomes
    # Every charge a crawler was told about is in the ledger; at most the requests cut off by the kill were
    # charged without the crawler seeing the answer (spooled, then killed before the response went out).
    assert outcomes["charged"] <= new <= outcomes["charged"] + outcomes["failed"], (outcomes, new)
    # No sequence is missing or posted twice: posted events are exactly 1..highest.
    assert count == highest
    assert amount - before_total == new * PRICE_MICROS
    assert world.balance_micros() == balance_before - new * PRICE_MICROS
    assert sql(f"SELECT count(*) FROM charges WHERE event_id LIKE 'agent:{agent_id(agent)}:%' AND status = 'rejected'") == "0"


def test_standalone_mode_decides_from_a_policy_file(upstream, tmp_path):
    """No control plane: a local policy file (the sync bundle format) prices the site; charges are still spooled."""
    key = SigningTestKey()
    account = str(uuid.uuid4())
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({
        "version": "local", "full": True,
        "sites": [{"id": str(uuid.uuid4()), "tenant_id": str(uuid.uuid4()), "name": "local", "status": "active",
                   "hostnames": ["local.test"], "version": 1, "license_url": "https://local.test/license.xml",
                   "pricing": {"currency": "USD", "default_price": {"micros": 20000, "currency": "USD"}}}],
        "crawlers": [{"id": str(uuid.uuid4()), "operator_id": str(uuid.uuid4()), "name": "Bot", "status": "active",
                      "product_token": "LocalBot", "purposes": ["search"],
                      "keys": [{"thumbprint": key.key_id, "jwk": key.public_jwk}],
                      "accounts": [{"id": account, "currency": "USD"}]}],
        "blocklist": [{"id": str(uuid.uuid4()), "scope": "ua", "value": "BadScraper", "action": "block",
                       "reason": "abuse", "deleted": False}],
    }))
    artifacts = os.environ.get("TOLLGATE_E2E_ARTIFACTS", str(tmp_path))
    agent = Agent(env("TOLLGATE_EDGE_BIN"), tmp_path / "data", upstream.url, None, None,
                  log=os.path.join(artifacts, "edge-standalone.log"), policy_file=policy,
                  extra_env={"TOLLGATE_EDGE_FAIL_MODE": "closed"})
    agent.start()
    try:
        crawler = Crawler(key)
        asked = crawler.get(agent.url + "/page", "local.test")
        assert asked.status_code == 402 and asked.headers["crawler-price"] == "USD 0.02"
        assert asked.headers["link"] == '<https://local.test/license.xml>; rel="license"'
        paid = crawler.get(agent.url + "/page", "local.test", {"crawler-max-price": "USD 0.05"})
        assert paid.status_code == 200 and paid.headers["crawler-charged"] == "USD 0.02"
        blocked = requests.get(agent.url + "/page", headers={"Host": "local.test", "User-Agent": "BadScraper/1"}, timeout=15)
        assert blocked.status_code == 403 and blocked.headers["crawler-error"] == "CrawlerForbidden"
        unknown = requests.get(agent.url + "/page", headers={"Host": "elsewhere.test"}, timeout=15)
        assert unknown.status_code == 503  # fail closed: no site claims the host
        spooled = [json.loads(line) for path in sorted((tmp_path / "data/spool").glob("usage-*.log"))
                   for line in path.read_text().splitlines()]
        assert [(r["sequence"], r["price"]["micros"], r["crawler_account_id"].lower()) for r in spooled] == [(1, 20000, account)]
        metrics = requests.get(agent.admin_url + "/metrics", timeout=15).text
        assert 'action="charge"' in metrics and 'crawler="LocalBot"' in metrics
    finally:
        agent.stop()
    assert agent.process.returncode == 0


def test_in_band_prices_come_from_the_origin(upstream, tmp_path):
    """A site with in-band pricing: the origin's crawler-price sets each page's price (protocols 1.5)."""
    key = SigningTestKey()
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({
        "version": "local", "full": True,
        "sites": [{"id": str(uuid.uuid4()), "tenant_id": str(uuid.uuid4()), "name": "dynamic", "status": "active",
                   "hostnames": ["dynamic.test"], "version": 1,
                   "pricing": {"currency": "USD", "default_price": {"micros": 20000, "currency": "USD"}, "in_band": True}}],
        "crawlers": [{"id": str(uuid.uuid4()), "operator_id": str(uuid.uuid4()), "name": "Bot", "status": "active",
                      "product_token": "DynamicBot", "purposes": ["search"],
                      "keys": [{"thumbprint": key.key_id, "jwk": key.public_jwk}],
                      "accounts": [{"id": str(uuid.uuid4()), "currency": "USD"}]}],
    }))
    artifacts = os.environ.get("TOLLGATE_E2E_ARTIFACTS", str(tmp_path))
    agent = Agent(env("TOLLGATE_EDGE_BIN"), tmp_path / "data", upstream.url, None, None,
                  log=os.path.join(artifacts, "edge-in-band.log"), policy_file=policy)
    agent.start()
    try:
        crawler = Crawler(key)
        seen_before = len(upstream.seen)
        asked = crawler.get(agent.url + "/dynamic?price=USD%200.05", "dynamic.test")
        assert asked.status_code == 402 and asked.headers["crawler-price"] == "USD 0.05", asked.text
        assert asked.headers["crawler-error"] == "MissingCrawlerPrice" and "page" not in asked.text
        asked_upstream = upstream.seen[seen_before]["headers"]
        assert asked_upstream["cf-pay-per-crawl"] == "protocol=cloudflare, pricing=in-band"

        paid = crawler.get(agent.url + "/dynamic?price=USD%200.05", "dynamic.test", {"crawler-max-price": "USD 0.10"})
        assert paid.status_code == 200 and paid.headers["crawler-charged"] == "USD 0.05" and "page /dynamic" in paid.text
        assert "crawler-price" not in paid.headers
        too_dear = crawler.get(agent.url + "/dynamic?price=USD%200.50", "dynamic.test", {"crawler-max-price": "USD 0.10"})
        assert too_dear.status_code == 402 and too_dear.headers["crawler-error"] == "InvalidCrawlerMaxPrice"
        free = crawler.get(agent.url + "/dynamic?price=USD%200.00", "dynamic.test")
        assert free.status_code == 200 and "crawler-charged" not in free.headers and "crawler-price" not in free.headers
        broken = crawler.get(agent.url + "/dynamic?price=cheap", "dynamic.test", {"crawler-max-price": "USD 0.10"})
        assert broken.status_code == 502 and broken.headers["crawler-error"] == "InvalidContentPrice"
        default = crawler.get(agent.url + "/plain", "dynamic.test", {"crawler-exact-price": "USD 0.02"})
        assert default.status_code == 200 and default.headers["crawler-charged"] == "USD 0.02"

        spooled = [json.loads(line) for path in sorted((tmp_path / "data/spool").glob("usage-*.log"))
                   for line in path.read_text().splitlines()]
        assert [r["price"]["micros"] for r in spooled] == [50000, 20000]
    finally:
        agent.stop()
    assert agent.process.returncode == 0


def test_serves_on_its_last_known_state_while_the_control_plane_is_down(world, upstream, agent, base_url, tmp_path):
    """The agent's data directory (credential, saved state, spool) is moved to an agent whose control plane does not
    answer: it decides from the saved state, keeps charging (fail-open) into its spool, and ships those charges once
    the control plane is back."""
    count_before, total_before, _ = posted(agent)
    agent.stop()
    offline_dir = tmp_path / "offline"
    shutil.copytree(agent.data_dir, offline_dir)
    artifacts = os.environ.get("TOLLGATE_E2E_ARTIFACTS", str(tmp_path))
    unreachable = f"http://127.0.0.1:{edge_world.free_port()}"
    offline = Agent(env("TOLLGATE_EDGE_BIN"), offline_dir, upstream.url, unreachable, None,
                    log=os.path.join(artifacts, "edge-offline.log"))
    offline.start()
    try:
        crawler = Crawler(world.key)
        asked = crawler.get(offline.url + "/offline", world.host)
        assert asked.status_code == 402 and asked.headers["crawler-price"] == "USD 0.01"
        paid = crawler.get(offline.url + "/offline", world.host, {"crawler-exact-price": "USD 0.01"})
        assert paid.status_code == 200 and paid.headers["crawler-charged"] == "USD 0.01"
        assert offline.metric("tollgate_edge_usage_spool_unacknowledged") == 1
    finally:
        offline.stop()
    assert posted(agent)[0] == count_before

    # The control plane is reachable again: the same data directory ships the charge, once.
    back = Agent(env("TOLLGATE_EDGE_BIN"), offline_dir, upstream.url, base_url, None,
                 log=os.path.join(artifacts, "edge-reconnected.log"))
    back.start()
    try:
        back.wait_shipped()
        assert posted(agent)[:2] == (count_before + 1, total_before + PRICE_MICROS)
    finally:
        back.stop()
    agent.start()
