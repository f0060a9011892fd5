# The one entry point. `make help` lists the targets.
SHELL   := bash
MODULES := shared hw firmware cloud
GO      ?= go
ENV      = source .run/env &&
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 60s

.PHONY: help setup services test test-% lint bench fuzz soak run release deps-check clean

help: ## list the targets
	@grep -hE '^[a-z%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: ## install what the project needs from Debian packages
	@scripts/setup.sh

services: setup ## start PostgreSQL and pcscd for the tests (if not running)
	@scripts/services.sh

test: services deps-check ## run every test of every module (race detector) against real services; screenshots in .run/test-artifacts
	@scripts/test.sh

test-%: services ## run the tests of one module: make test-cloud
	@$(ENV) cd $* && $(GO) test -count=1 -timeout 12m ./...

deps-check: ## check the dependency direction between modules
	@scripts/check-deps.sh

lint: setup ## gofmt, go vet, staticcheck and an arm64 build check on every module
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	@set -e; for m in $(MODULES); do echo "== vet $$m"; (cd $$m && $(GO) vet ./...); done
	@set -e; for m in $(MODULES); do echo "== staticcheck $$m"; (cd $$m && $(GO) run $(STATICCHECK) ./...); done
	@set -e; for m in $(MODULES); do echo "== build $$m for linux/arm64 (cgo off)"; \
	  (cd $$m && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build ./...); done

bench: services ## run the benchmarks of docs/benchmarks.md, baselines in the same run (BENCH="cms web" for some)
	@scripts/bench.sh $(BENCH)

fuzz: ## run every fuzz target for FUZZTIME (default 60s) each
	@scripts/fuzz.sh $(FUZZTIME)

run: setup ## start the whole system on embedded defaults and simulated hardware
	@scripts/run.sh

soak: services ## long fault and soak campaigns (SOAKTIME, default 10m)
	@$(ENV) scripts/soak.sh $${SOAKTIME:-10m}

release: ## cross-build the binaries for the Raspberry Pi (linux/arm64) into bin/
	@scripts/cross-arm64.sh

clean: ## remove build and run products
	rm -rf bin .run
