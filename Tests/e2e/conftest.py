"""Fixtures for the browser tests, which run against a live server whose base URL is in TOLLGATE_URL
(scripts/e2e.sh starts one)."""

import os
import uuid

import pytest

PASSWORD = "E2e-correct-horse-battery-9"
TIMEOUT = 15  # seconds per HTTP request; Argon2 is cheap in tests (TOLLGATE_ARGON2_* env)


def unique(prefix: str) -> str:
    """Unique value per call, so the suite can run repeatedly against the same database."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("TOLLGATE_URL", "").rstrip("/")
    if not url:
        pytest.exit("TOLLGATE_URL is not set (e.g. http://127.0.0.1:18080); scripts/e2e.sh sets it", returncode=2)
    return url


# Record each phase's report on the test item, so browser fixtures can tell whether the test failed.
@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
