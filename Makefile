# saml-edge — the commands. `make test` installs what it needs, then runs everything CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
PYTHON ?= python3
LXML_VERSION := 6.1.3
# Run apt-get as root directly, otherwise through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup test lint unit fixtures-fresh dev bench cli clean

help:
	@echo "make dev    build and start the Worker locally with the demo IdP (coming with the Worker)"
	@echo "make test   install test dependencies, then lint and run every test"
	@echo "make bench  criterion benchmark of verification"
	@echo "make cli    build the native saml-edge command (target/release/saml-edge)"

## Test dependencies: xmlsec1 (the C reference XML-DSig implementation, signs our test data
## independently of our code), lxml (builds attack variants), openssl (test keys).
setup:
	@command -v xmlsec1 >/dev/null && command -v openssl >/dev/null || { \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq xmlsec1 openssl >/dev/null; }
	@$(PYTHON) -c 'import lxml' 2>/dev/null || $(PYTHON) -m pip install -q "lxml==$(LXML_VERSION)"
	@rustup component add clippy rustfmt >/dev/null 2>&1 || true

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --all-features -- -D warnings

unit:
	$(CARGO) test --all-features

test: setup lint unit

dev:
	@echo "make dev: the Worker (wrangler dev + demo IdP) is coming; for now try:"
	@echo "  cargo run --release -- inspect < response.b64"

cli:
	$(CARGO) build --release --bin saml-edge

bench:
	$(CARGO) bench --bench verify

clean:
	$(CARGO) clean

## Fuzzing: cargo-fuzz (libFuzzer) on the stable toolchain through RUSTC_BOOTSTRAP=1, targets in
## fuzz/fuzz_targets/ (see SECURITY.md "Fuzzing and differential testing"). Runs each target for
## FUZZ_SECONDS on fuzz/corpus/<target> (built from fuzz/seeds and the test fixtures); crashes go
## to fuzz/artifacts/<target>/, logs to fuzz/logs/<target>.log. Fails on the first crash.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := xml_parse c14n encoding metadata verify_post_response
FUZZ_FLAGS ?= -rss_limit_mb=2048 -max_len=65536 -timeout=60 -print_final_stats=1
.PHONY: fuzz
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	$(PYTHON) fuzz/make_corpus.py
	cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz build -s none
	@mkdir -p fuzz/logs
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/artifacts/$$t; \
	  echo "fuzz $$t for $(FUZZ_SECONDS) s"; \
	  (cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -s none $$t -- \
	    -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS)) > fuzz/logs/$$t.log 2>&1 \
	    || { tail -n 40 fuzz/logs/$$t.log; exit 1; }; \
	  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units' fuzz/logs/$$t.log; \
	done
