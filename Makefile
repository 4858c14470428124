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
