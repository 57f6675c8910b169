#!/usr/bin/env python3
"""Fuzz the live API with schemathesis, authenticated as a fresh tenant's all-scopes API key.

Usage (TOLLGATE_URL set, inside .venv): python Tests/e2e/run_fuzz.py [extra `st run` options]
Exits with schemathesis' exit code (0 = no issues).
"""

import os
import sys
import uuid

import requests

TIMEOUT = 15


def main() -> None:
    base_url = os.environ.get("TOLLGATE_URL", "").rstrip("/")
    if not base_url:
        raise SystemExit("TOLLGATE_URL is not set (e.g. http://127.0.0.1:18080); scripts/e2e.sh sets it")

    http = requests.Session()
    r = http.post(f"{base_url}/v1/signup", timeout=TIMEOUT, json={
        "tenant_name": "Fuzz Corp", "email": f"fuzz-{uuid.uuid4().hex[:10]}@example.com",
        "password": "E2e-correct-horse-battery-9"})
    assert r.status_code == 201, f"POST /v1/signup -> {r.status_code}: {r.text[:500]}"
    session = r.json()
    r = http.get(f"{base_url}/v1/scopes", timeout=TIMEOUT)
    assert r.status_code == 200, f"GET /v1/scopes -> {r.status_code}: {r.text[:500]}"
    scopes = [item["name"] for item in r.json()["items"]]
    r = http.post(f"{base_url}/v1/api-keys", timeout=TIMEOUT, json={"name": "fuzz", "scopes": scopes},
                  headers={"X-CSRF-Token": session["csrf_token"]})
    assert r.status_code == 201, f"POST /v1/api-keys -> {r.status_code}: {r.text[:500]}"
    secret = r.json()["secret"]
    print(f"run_fuzz: tenant {session['tenant']['id']}, key with scopes {', '.join(scopes)}", flush=True)

    here = os.path.dirname(os.path.abspath(__file__))
    st = os.path.join(os.path.dirname(sys.executable), "st")  # the venv's schemathesis CLI
    args = [
        st, "--config-file", os.path.join(here, "schemathesis.toml"),
        "run", f"{base_url}/openapi.json",
        "--url", base_url,
        # Every check runs: schemathesis.toml enables them all (a `--checks all` here would override its
        # per-operation exceptions).
        "--max-examples", "30",
        "-w", "1",  # one worker: deterministic order with --seed, and gentle on a 2-core CI box
        "--seed", "1",
        # No example database: replaying earlier failures first would make runs depend on history.
        "--generation-database", "none",
        "-H", f"Authorization: Bearer {secret}",
        *sys.argv[1:],
    ]
    # schemathesis and Hypothesis write .schemathesis/ and .hypothesis/ into the working directory;
    # keep them in the gitignored .test-run/ (run `st replay ID` from there to reproduce a failure).
    workdir = os.path.join(here, "..", "..", ".test-run", "fuzz")
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    os.execv(st, args)


if __name__ == "__main__":
    main()
