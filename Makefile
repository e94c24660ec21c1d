# Developer entry points. `make help` lists them.
# Everything runs with nothing but Go installed: without CRM_DATABASE_URL and
# CRM_REDIS_URL the server uses an SQLite file in ./data and an in-process
# Redis. The docs targets (docs, docs-check) live in Makefile.docs.

GO ?= go
BIN := bin/crm
# Benchmarks: 8 sub-benchmarks (4 on each backend); 2s each keeps `make
# bench` (setup included) well under 3 minutes on 2 cores.
BENCHTIME ?= 2s

.DEFAULT_GOAL := help

include Makefile.docs

.PHONY: help run build test bench bench-scale migrate seed seed-scale fmt vet

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'
	@echo "  docs         regenerate docs/ from the swag annotations (Makefile.docs)"
	@echo "  docs-check   fail when docs/ is stale (Makefile.docs)"

run: ## run the server (embedded SQLite + in-process Redis unless CRM_DATABASE_URL / CRM_REDIS_URL)
	$(GO) run ./cmd/crm serve

build: ## build a static binary into bin/crm
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/crm

# CRM_TEST_DATABASE_URL, CRM_TEST_REDIS_URL and CRM_TEST_REQUIRE_SERVICES are
# read by the tests from the environment (make passes it through).
test: ## run every test: embedded always, PostgreSQL+Redis too when reachable
	$(GO) test ./... -count=1 -timeout 9m

bench: ## run the HTTP benchmarks (internal/bench) on each backend, the 100k-row import ones once each, then bench-scale
	$(GO) test -run '^$$' -bench . -skip '100k' -benchmem -benchtime=$(BENCHTIME) -timeout 10m ./internal/bench/
	$(GO) test -run '^$$' -bench '100k' -benchmem -benchtime=1x -timeout 10m ./internal/bench/
	$(MAKE) bench-scale

# The scale figures of README: reports, lists and GET /leads/{id} on a
# PostgreSQL database of a million rows a table, built on first use (about
# ten minutes; CRM_BENCH_DATABASE_URL, default the local crm_bench_seed;
# CRM_BENCH_SCALE, default 1) and reused after. CRM_BENCH_PARTS=reports,lists,lead
# picks sections, CRM_BENCH_REPORTS=<part of a name> reports.
bench-scale: ## reports, lists and GET /leads/{id} at a million rows on PostgreSQL (builds crm_bench_seed once)
	$(GO) test -run '^$$' -bench Scale -benchtime=1x -timeout 60m ./internal/bench/scale/

migrate: ## apply database migrations and exit
	$(GO) run ./cmd/crm migrate

seed: ## load the demo organisation (crm seed --demo) into an empty database
	$(GO) run ./cmd/crm seed --demo

SCALE ?= 1
seed-scale: ## generate a large data set (crm seed --scale $(SCALE)) into an empty database
	$(GO) run ./cmd/crm seed --scale $(SCALE)

fmt: ## gofmt every Go file
	$(GO) fmt ./...

vet: ## go vet every package
	$(GO) vet ./...
