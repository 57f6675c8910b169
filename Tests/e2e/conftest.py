"""Shared fixtures and API helpers for the end-to-end tests.

The tests run against a live server whose base URL is in TOLLGATE_URL (scripts/e2e.sh starts one).
run_fuzz.py imports the helpers below as well, so they must not depend on pytest fixtures.
"""

import os
import uuid

import pytest
import requests

PASSWORD = "E2e-correct-horse-battery-9"  # long enough for any sane password policy
TIMEOUT = 15  # seconds per HTTP request; Argon2 is cheap in tests (TOLLGATE_ARGON2_* env)


def require_base_url() -> str:
    url = os.environ.get("TOLLGATE_URL", "").rstrip("/")
    if not url:
        raise SystemExit("TOLLGATE_URL is not set (e.g. http://127.0.0.1:18080); scripts/e2e.sh sets it")
    return url


def unique(prefix: str) -> str:
    """Unique value per call, so the suite can run repeatedly against the same database."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class LoopbackSession(requests.Session):
    """A requests session that keeps sending `Secure` cookies over plain http://127.0.0.1, as browsers do
    (loopback is a secure context for them). Python's cookie jar would silently drop them."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for c in self.cookies:
            c.secure = False
        return response


class Tenant:
    """A tenant signed up through the API, with the owner's cookie session and CSRF token."""

    def __init__(self, base_url, http, tenant_name, email, password, body):
        self.base_url = base_url
        self.http = http
        self.tenant_name = tenant_name
        self.email = email
        self.password = password
        self.body = body
        self.id = body["tenant"]["id"]
        self.csrf_token = body["csrf_token"]

    def post(self, path, payload):
        """JSON POST authorized by the session cookie; mutations need the CSRF header."""
        return self.http.post(self.base_url + path, json=payload, timeout=TIMEOUT,
                              headers={"X-CSRF-Token": self.csrf_token})

    def get(self, path):
        return self.http.get(self.base_url + path, timeout=TIMEOUT)


def api_signup(base_url, tenant_name=None, email=None, password=PASSWORD) -> Tenant:
    tenant_name = tenant_name or unique("E2E Corp")
    email = email or unique("owner") + "@example.com"
    http = LoopbackSession()
    r = http.post(base_url + "/v1/signup", timeout=TIMEOUT,
                  json={"tenant_name": tenant_name, "email": email, "password": password})
    assert r.status_code == 201, f"POST /v1/signup -> {r.status_code}: {r.text[:500]}"
    return Tenant(base_url, http, tenant_name, email, password, r.json())


def list_scopes(tenant: Tenant) -> list:
    r = tenant.get("/v1/scopes")
    assert r.status_code == 200, f"GET /v1/scopes -> {r.status_code}: {r.text[:500]}"
    names = [item["name"] for item in r.json()["items"]]
    assert names, "GET /v1/scopes returned no scopes"
    return names


def create_api_key(tenant: Tenant, name: str, scopes: list) -> dict:
    """Returns the 201 body; its `secret` is shown only once."""
    r = tenant.post("/v1/api-keys", {"name": name, "scopes": scopes})
    assert r.status_code == 201, f"POST /v1/api-keys -> {r.status_code}: {r.text[:500]}"
    body = r.json()
    assert body.get("secret", "").startswith("tgk_"), f"unexpected api key response: {body}"
    return body


@pytest.fixture(scope="session")
def base_url() -> str:
    return require_base_url()


@pytest.fixture
def api_tenant(base_url) -> Tenant:
    return api_signup(base_url)


# Record each phase's report on the test item, so browser fixtures can tell whether the test failed.
@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
