#!/usr/bin/env bash
# Runs `swift test ARGS...` with its full output on the terminal and in .test-run/swift-test.log. On failure it
# writes the failing tests' issue lines to $TOLLGATE_TEST_FAILURES (set by scripts/test-postgres.sh, which prints
# that file last, where the tail of a CI log shows it) or, without it, to standard error.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .test-run
log=.test-run/swift-test.log
"${SWIFT:-swift}" test "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ]; then
  summary=${TOLLGATE_TEST_FAILURES:-/dev/stderr}
  {
    echo "--- swift test failed (exit $rc); the failing tests (whole output in $log):"
    # Swift Testing marks failures with ✘; XCTest says "error:" and "failed".
    grep -E "✘|error: |' failed \(" "$log" | grep -v "^✘ Test run with" | tail -n 30
  } >>"$summary"
fi
exit "$rc"
