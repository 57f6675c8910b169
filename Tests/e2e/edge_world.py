"""A whole Tollgate arrangement for end-to-end tests and `make demo`: a tenant with a priced site, a crawler operator
whose crawler signs with the RFC 9421 Ed25519 test key, a funded crawler account, a small upstream site, and
`tollgate-edge` in front of it. Everything goes through the public HTTP API and the real binaries."""

import base64
import datetime as dt
import hashlib
import http.server
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import urllib.parse
import time
import uuid
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

REPO = Path(__file__).resolve().parents[2]
TEST_KEY_FILE = REPO / "../shared/data/web-bot-auth-vectors/ed25519.json"
PRICE_MICROS = 10_000  # USD 0.01
TIMEOUT = 15


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(response: requests.Response, status: int) -> dict:
    if response.status_code != status:
        raise AssertionError(f"{response.request.method} {response.url} -> {response.status_code}: {response.text}")
    return response.json() if response.content else {}


class SigningTestKey(HTTPSignatureKeyResolver):
    __test__ = False  # not a pytest test class
    """The RFC 9421 Ed25519 test key (keyid = its JWK thumbprint)."""

    def __init__(self):
        jwk = json.loads(TEST_KEY_FILE.read_text())
        self.private = Ed25519PrivateKey.from_private_bytes(unb64u(jwk["d"]))
        self.public_jwk = {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]}
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]}, separators=(",", ":"), sort_keys=True)
        self.key_id = b64u(hashlib.sha256(canonical.encode()).digest())

    def resolve_private_key(self, key_id):
        return self.private

    def resolve_public_key(self, key_id):
        return self.private.public_key()


class Crawler:
    """Sends Web Bot Auth-signed requests, covering the price headers as pay-per-crawl requires."""

    user_agent = "Mozilla/5.0 (compatible; ExampleBot/1.0; +https://crawler.example/bot)"

    def __init__(self, key: SigningTestKey):
        self.key = key
        self.signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=key)
        self.session = requests.Session()

    def get(self, url: str, host: str, headers: dict | None = None, sign: bool = True) -> requests.Response:
        headers = {"Host": host, "User-Agent": self.user_agent, **(headers or {})}
        request = requests.Request("GET", url, headers=headers).prepare()
        if sign:
            request.headers["Signature-Agent"] = 'sig1="https://crawler.example"'
            # @authority is taken from the URL: point it at the site's host, then send to the agent's port.
            signed_url = request.url
            request.url = request.url.replace(request.url.split("/")[2], host, 1)
            covered = ["@authority", '"signature-agent";key="sig1"']
            covered += [h for h in ("crawler-exact-price", "crawler-max-price") if h in request.headers]
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            self.signer.sign(request, key_id=self.key.key_id, label="sig1", tag="web-bot-auth",
                             covered_component_ids=tuple(covered), created=now, expires=now + dt.timedelta(minutes=1),
                             nonce=base64.b64encode(secrets.token_bytes(32)).decode())
            request.url = signed_url
        return self.session.send(request, timeout=TIMEOUT, allow_redirects=False)


class Upstream:
    """A small site: 200 with a fixed body (404 for /missing), recording what reached it. `?price=<price string>`
    makes it name an in-band price (`crawler-price`), as an origin priced by its own code would."""

    def __init__(self):
        self.seen: list[dict] = []
        world = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self):
                world.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
                status = 404 if self.path.startswith("/missing") else 200
                body = f"<html><body>page {self.path}</body></html>\n".encode()
                self.send_response(status)
                price = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("price")
                if price:
                    self.send_header("crawler-price", price[0])
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.shutdown()


class Agent:
    """A `tollgate-edge` process in proxy mode; survives restarts through its data directory."""

    def __init__(self, binary: str, data_dir: Path, upstream: str, control_plane: str | None, token: str | None,
                 log: Path, policy_file: Path | None = None, extra_env: dict | None = None):
        """Enrolls with `control_plane` using `token`, or runs standalone on `policy_file`."""
        self.binary, self.data_dir, self.upstream, self.control_plane, self.token, self.log = (
            binary, data_dir, upstream, control_plane, token, log)
        self.policy_file, self.extra_env = policy_file, extra_env or {}
        self.port, self.admin_port = free_port(), free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def start(self, timeout: float = 30):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_EDGE_")}
        env.update({
            "TOLLGATE_EDGE_MODE": "proxy",
            "TOLLGATE_EDGE_LISTEN": f"127.0.0.1:{self.port}",
            "TOLLGATE_EDGE_ADMIN_LISTEN": f"127.0.0.1:{self.admin_port}",
            "TOLLGATE_EDGE_UPSTREAM": self.upstream,
            "TOLLGATE_EDGE_DATA_DIR": str(self.data_dir),
            "TOLLGATE_EDGE_NAME": "e2e-agent",
            "TOLLGATE_EDGE_LOG_FORMAT": "text",
        })
        if self.control_plane:
            env["TOLLGATE_EDGE_CONTROL_PLANE_URL"] = self.control_plane
        if self.policy_file:
            env["TOLLGATE_EDGE_POLICY_FILE"] = str(self.policy_file)
        if self.token:
            env["TOLLGATE_EDGE_ENROLLMENT_TOKEN"] = self.token
        env.update(self.extra_env)
        log = open(self.log, "ab")
        self.process = subprocess.Popen([self.binary], env=env, stdout=log, stderr=log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"tollgate-edge exited with {self.process.returncode}; see {self.log}")
            try:
                if requests.get(self.admin_url + "/readyz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"tollgate-edge not ready within {timeout}s; see {self.log}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def metric(self, name: str) -> float:
        for line in requests.get(self.admin_url + "/metrics", timeout=TIMEOUT).text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        raise AssertionError(f"metric {name} not exposed")

    def wait_shipped(self, timeout: float = 60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.metric("tollgate_edge_usage_spool_unacknowledged") == 0:
                return
            time.sleep(0.2)
        raise AssertionError("the agent's usage spool did not drain")


class ControlPlane:
    """The API calls that set up a tenant, a crawler and its money."""

    def __init__(self, base_url: str, tollgate_bin: str, env: dict, operator_email: str | None = None):
        """`operator_email`: a platform operator created beforehand (with the password World gets); otherwise one
        is created with `tollgate admin create-operator`, which needs `env` to reach the database."""
        self.base_url, self.tollgate_bin, self.env = base_url.rstrip("/"), tollgate_bin, env
        self.operator_email = operator_email
        self.http = requests.Session()

    def api(self, method: str, path: str, status: int, token: str | None = None, **kwargs) -> dict:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return check(self.http.request(method, self.base_url + path, headers=headers, timeout=TIMEOUT, **kwargs), status)

    def tenant(self, name: str, password: str) -> str:
        """Signs up a tenant; returns an API key with every scope."""
        session = requests.Session()
        email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
        body = check(session.post(self.base_url + "/v1/signup", json={
            "tenant_name": name, "email": email, "password": password}, timeout=TIMEOUT), 201)
        key = check(session.post(self.base_url + "/v1/api-keys", headers={"X-CSRF-Token": body["csrf_token"]}, json={
            "name": "e2e", "scopes": ["sites:read", "sites:write", "billing:read"]}, timeout=TIMEOUT), 201)
        return key["secret"]

    def operator_token(self, password: str) -> str:
        email = self.operator_email
        if email is None:
            email = f"operator-{uuid.uuid4().hex[:10]}@example.com"
            subprocess.run([self.tollgate_bin, "admin", "create-operator", "--email", email],
                           env={**self.env, "TOLLGATE_OPERATOR_PASSWORD": password}, check=True, capture_output=True)
        return self.api("POST", "/v1/operator/sessions", 201, json={"email": email, "password": password})["token"]


class World:
    """Tenant + site + crawler + funded account + enrollment token, ready for an agent."""

    def __init__(self, control_plane: ControlPlane, password: str, credit_micros: int = 10_000_000,
                 host: str | None = None, product_token: str | None = None):
        """`host` and `product_token` default to unique values, so several worlds can share one database."""
        cp = self.control_plane = control_plane
        self.key = SigningTestKey()
        self.tenant_key = cp.tenant(f"Shop {uuid.uuid4().hex[:6]}", password)
        self.host = host or f"shop-{uuid.uuid4().hex[:8]}.test"
        self.site = cp.api("POST", "/v1/sites", 201, self.tenant_key, json={
            "name": "Demo shop", "hostnames": [self.host],
            "pricing": {"currency": "USD", "default_price": {"micros": PRICE_MICROS, "currency": "USD"},
                        "free_paths": ["/public/*"]}})
        self.enrollment_token = cp.api("POST", "/v1/agents/enrollment-tokens", 201, self.tenant_key,
                                       json={"label": "e2e", "ttl_seconds": 3600})["token"]
        email = f"crawler-{uuid.uuid4().hex[:10]}@example.com"
        self.crawler_token = cp.api("POST", "/v1/crawler/signup", 201, json={
            "email": email, "password": password, "name": "Example Crawling Ltd"})["token"]
        self.account = cp.api("POST", "/v1/crawler/accounts", 201, self.crawler_token,
                              json={"name": "Main", "currency": "USD"})
        product = product_token or "ExampleBot" + uuid.uuid4().hex[:6]
        self.crawler = cp.api("POST", "/v1/crawler/crawlers", 201, self.crawler_token, json={
            "name": "Example Bot", "product_token": product, "user_agent": Crawler.user_agent,
            "contact": "https://crawler.example/bot", "purposes": ["training"], "keys": [self.key.public_jwk]})
        operator = cp.operator_token(password)
        cp.api("POST", f"/v1/operator/crawler-accounts/{self.account['id']}/credits", 201, operator,
               headers={"Idempotency-Key": uuid.uuid4().hex}, json={
            "amount": {"micros": credit_micros, "currency": "USD"}, "memo": "e2e funding"})
        self.credit_micros = credit_micros

    def balance_micros(self) -> int:
        account = self.control_plane.api("GET", f"/v1/crawler/accounts/{self.account['id']}", 200, self.crawler_token)
        return account["balance"]["micros"]
