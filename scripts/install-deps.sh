#!/usr/bin/env bash
# Install the system packages Tollgate needs to build and test (Debian 12).
# Idempotent: only missing packages are installed, and `apt-get update` is skipped
# when nothing is missing. Usage: scripts/install-deps.sh [--test] [--bench]
set -euo pipefail

bench=0
test=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    --test) test=1 ;;
    *) echo "usage: $0 [--test] [--bench]" >&2; exit 2 ;;
  esac
done

# libargon2-dev + pkg-config: the CArgon2 system-library target.
# postgresql-15: test clusters and the embedded database.
wanted=(libargon2-dev pkg-config postgresql-15 postgresql-client-15 curl)
# Debian's python3 ships without ensurepip unless python3-venv is installed.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  wanted+=(python3-venv)
fi
# The dashboard test drives Debian's headless Chromium through chromedriver; the PayPal fake makes its
# certificates with the openssl command.
if [ "$test" = 1 ]; then
  wanted+=(chromium chromium-driver openssl)
fi
if [ "$bench" = 1 ]; then
  wanted+=(wrk nginx-light)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in "${wanted[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  for pkg in "${missing[@]}"; do
    echo "installed $pkg"
  done
fi

# Swift is not in Debian's archive; it comes from swift.org (we expect it under /opt/swift).
swift_bin=$(command -v swift || true)
if [ -z "$swift_bin" ] && [ -x /opt/swift/usr/bin/swift ]; then
  swift_bin=/opt/swift/usr/bin/swift
fi
if [ -z "$swift_bin" ]; then
  echo "error: swift not found on PATH or at /opt/swift/usr/bin; Swift 6.x must be installed (https://swift.org/install)" >&2
  exit 1
fi
if ! "$swift_bin" --version 2>/dev/null | grep -q 'Swift version 6\.'; then
  echo "error: $swift_bin is not Swift 6.x; Swift 6.x must be installed (https://swift.org/install)" >&2
  exit 1
fi
