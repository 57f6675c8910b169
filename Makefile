# Tollgate developer entry points. `make test` is what CI runs (.ci/run).
# Swift comes from swift.org, usually unpacked to /opt/swift; use it when swift is not on PATH.
ifeq ($(shell command -v swift 2>/dev/null),)
export PATH := /opt/swift/usr/bin:$(PATH)
endif
SWIFT ?= swift

.PHONY: deps venv build test run demo bench clean

deps:
	scripts/install-deps.sh

# Python tools for the API fuzz and browser tests (.venv; offline once installed).
venv: deps
	scripts/venv.sh

build:
	$(SWIFT) build

# Unit/integration tests and the end-to-end suite share one throwaway PostgreSQL cluster.
test: venv
	scripts/install-deps.sh --test
	scripts/test-postgres.sh sh -c '$(SWIFT) build --build-tests && SWIFT=$(SWIFT) scripts/swift-test.sh && scripts/e2e.sh .build/debug/tollgate'

# Starts with the embedded PostgreSQL under the data directory unless DATABASE_URL is set.
run: deps
	$(SWIFT) build -c release
	.build/release/tollgate serve

# The control plane, a sample site behind tollgate-edge, a demo tenant with a price and a demo crawler.
demo: venv
	$(SWIFT) build --product tollgate
	$(SWIFT) build --product tollgate-edge
	scripts/demo.sh

bench:
	scripts/install-deps.sh --bench
	bench/run.sh
	bench/top-ups.sh
	bench/edge.sh

# `swift package clean` keeps the fetched dependencies, so a rebuild needs no network (rm -rf .build would not).
clean:
	$(SWIFT) package clean
	rm -rf .test-run

