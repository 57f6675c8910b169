#!/usr/bin/env python3
"""Fuzz the live API with schemathesis, authenticated as a fresh tenant's all-scopes API key.

Usage (TOLLGATE_URL set, inside .venv): python Tests/e2e/run_fuzz.py [extra `st run` options]
Exits with schemathesis' exit code (0 = no issues). Not collected by pytest (name is not test_*.py).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import api_signup, create_api_key, list_scopes, require_base_url  # noqa: E402


def main() -> None:
    base_url = require_base_url()
    tenant = api_signup(base_url)
    scopes = list_scopes(tenant)
    secret = create_api_key(tenant, "fuzz", scopes)["secret"]
    print(f"run_fuzz: tenant {tenant.id}, key with scopes {', '.join(scopes)}", flush=True)

    st = os.path.join(os.path.dirname(sys.executable), "st")  # the venv's schemathesis CLI
    args = [
        st, "run", f"{base_url}/openapi.json",
        # --origin (not --url): it keeps a base path from the spec's `servers` (e.g. "/v1") if there is one;
        # --url would replace it. Works whether the paths are "/v1/me" or servers "/v1" + path "/me".
        "--origin", base_url,
        "--checks", "all",  # no exclusions: every check must pass
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
    workdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".test-run", "fuzz")
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    os.execv(st, args)


if __name__ == "__main__":
    main()
