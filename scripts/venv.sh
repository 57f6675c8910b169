#!/usr/bin/env bash
# Create or update .venv with the pinned Python test tools from Tests/e2e/requirements.txt.
# pip is skipped when the stamp matches the requirements, so re-runs work offline.
set -euo pipefail
cd "$(dirname "$0")/.."

req=Tests/e2e/requirements.txt
venv=.venv
stamp=$venv/.requirements.stamp

# A venv whose interpreter has gone (python upgraded, dir copied) is recreated from scratch.
if [ -d "$venv" ] && ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
  rm -rf "$venv"
fi
if [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
  exit 0
fi
[ -d "$venv" ] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
echo "venv: installed $(grep -cv '^#' "$req") packages from $req into $venv"
