# saml-edge — the commands. `make test` installs what it needs, then runs everything CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# A recipe that fails leaves no half-made target behind (e.g. an unoptimised .wasm).
.DELETE_ON_ERROR:

CARGO ?= cargo
PYTHON ?= python3
LXML_VERSION := 6.1.3
PYSAML2_VERSION := 7.5.5
CRYPTOGRAPHY_VERSION := 48.0.0
# PyJWT verifies the Worker's identity tokens in tests/js/identity.test.mjs (with cryptography).
PYJWT_VERSION := 2.15.1
# Run apt-get as root directly, otherwise through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup test lint unit fixtures-fresh dev bench cli clean

help:
	@echo "make dev    build and start the Worker locally (wrangler dev) with the demo IdP: http://localhost:8787/"
	@echo "make test   install test dependencies, then lint and run every test"
	@echo "make bench  criterion benchmarks of verification (5 KB response and the size series) and of decryption"
	@echo "make profile  stage profile of verification: native, callgrind instructions, wasm (WASI)"
	@echo "make cli    build the native saml-edge command (target/release/saml-edge)"
	@echo "make pkg    build the npm package saml-edge into pkg/ (wasm32 + wasm-bindgen + wasm-opt)"
	@echo "make js     node --test suites on the built package (Node, workerd, browser bundle)"
	@echo "make mutants  mutation testing of the verifier's core (cargo-mutants; tens of minutes)"
	@echo "make mutants-js  mutation testing of the Worker's pure JS modules (Stryker; minutes)"
	@echo "make bench-js  verifyPostResponse vs @node-saml/node-saml in one Node process"
	@echo "make bench-worker  the Worker's ACS request latency on workerd (Miniflare)"
	@echo "make bench-worker-jwt  the identity token's signing cost on workerd (Miniflare)"
	@echo "make bench-scim  SCIM requests per second one directory Durable Object sustains on workerd"
	@echo "make scim-conformance  scim2-tester (PyPI) against the Worker's /scim/v2 on workerd"

## Test dependencies: xmlsec1 (the C reference XML-DSig implementation, signs our test data
## independently of our code), lxml (builds attack variants), cryptography (encrypts the
## EncryptedAssertion cases), openssl (test keys), chromium (browser test of the demo flow,
## driven by playwright-core), pysaml2 (an independent SAML implementation that drives xmlsec1:
## the IdP of the Single Logout tests, tests/logout.rs).
setup:
	@command -v xmlsec1 >/dev/null && command -v openssl >/dev/null && command -v chromium >/dev/null || { \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq xmlsec1 openssl chromium >/dev/null; }
	@$(PYTHON) -c 'import lxml' 2>/dev/null || $(PYTHON) -m pip install -q "lxml==$(LXML_VERSION)"
	@$(PYTHON) -c 'import saml2' 2>/dev/null || $(PYTHON) -m pip install -q "pysaml2==$(PYSAML2_VERSION)"
	@$(PYTHON) -c 'import cryptography' 2>/dev/null || \
	  $(PYTHON) -m pip install -q "cryptography==$(CRYPTOGRAPHY_VERSION)"
	@$(PYTHON) -c 'import jwt, cryptography; assert jwt.__version__ == "$(PYJWT_VERSION)"' 2>/dev/null || \
	  $(PYTHON) -m pip install -q "PyJWT[crypto]==$(PYJWT_VERSION)"
	@rustup component add clippy rustfmt >/dev/null 2>&1 || true

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --all-features -- -D warnings

unit:
	$(CARGO) test --all-features

test: setup lint unit js scim-conformance

## The Worker on workerd (wrangler dev, local mode, no Cloudflare account): wrangler.toml's build
## command runs `make pkg`; with no IdP configured the Worker serves its demo IdP. .dev.vars
## (git-ignored) gets a random SESSION_SECRET and a P-256 JWT_SIGNING_KEY (PKCS#8, one line with
## \n, which wrangler's dotenv reads as line breaks) the first time; an existing .dev.vars gets
## whichever of the two it lacks appended.
DEV_PORT ?= 8787
.PHONY: dev-vars
dev: node_modules/.package-lock.json dev-vars
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@echo "saml-edge: open http://localhost:$(DEV_PORT)/ (demo IdP, sign in as B.Simon)"
	WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true \
	  node_modules/.bin/wrangler dev --port $(DEV_PORT)

dev-vars:
	@touch .dev.vars
	@[ -z "$$(tail -c1 .dev.vars)" ] || echo >> .dev.vars
	@grep -q '^SESSION_SECRET=' .dev.vars || { \
	  node -e "console.log('SESSION_SECRET=' + require('crypto').randomBytes(32).toString('hex'))" >> .dev.vars; \
	  echo ".dev.vars: SESSION_SECRET added"; }
	@grep -q '^JWT_SIGNING_KEY=' .dev.vars || { \
	  node -e "const { privateKey } = require('crypto').generateKeyPairSync('ec', { namedCurve: 'P-256' }); \
	    console.log('JWT_SIGNING_KEY=\"' + privateKey.export({ type: 'pkcs8', format: 'pem' }).trim().replace(/\n/g, '\\\\n') + '\"')" >> .dev.vars; \
	  echo ".dev.vars: JWT_SIGNING_KEY added (a dev key: the origin gets Saml-Edge-Jwt-Assertion, /saml/jwks.json publishes it)"; }

cli:
	$(CARGO) build --release --bin saml-edge

## The size series (100 KB and 0.75 MB responses, signed by xmlsec1): target/bench-data/.
BENCH_DATA := target/bench-data/entra_100k.xml target/bench-data/entra_750k.xml
$(BENCH_DATA) &: bench/make_sizes.py tests/data/generated/entra2021_groups150.xml
	$(PYTHON) bench/make_sizes.py

bench: $(BENCH_DATA)
	$(CARGO) bench --bench verify --bench decrypt

## The stage profile (README "Performance"): native wall clock, instructions per stage under
## callgrind (repeatable whatever the machine load), and the same code as wasm in Node (WASI).
.PHONY: profile
profile:
	$(CARGO) build --release --example stage_profile
	target/release/examples/stage_profile
	@command -v valgrind >/dev/null && for s in base64 parse c14n sha256 rsa dsig document total; do \
	  valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/stage_profile $$s 0 2>&1 \
	    | awk '/Collected/ { print $$4 }' > target/profile-0.txt; \
	  valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/stage_profile $$s 20 2>&1 \
	    | awk -v s=$$s -v z=$$(cat target/profile-0.txt) '/Collected/ { printf "%9s: %8d instructions\n", s, ($$4 - z) / 20 }'; \
	done || echo "valgrind not found: no instruction counts"
	@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	$(CARGO) build --release --example stage_profile --target wasm32-wasip1
	node --no-warnings bench/wasi-run.mjs target/wasm32-wasip1/release/examples/stage_profile.wasm

clean:
	$(CARGO) clean

## Fuzzing: cargo-fuzz (libFuzzer) on the stable toolchain through RUSTC_BOOTSTRAP=1, targets in
## fuzz/fuzz_targets/ (see SECURITY.md "Fuzzing and differential testing"). Runs each target for
## FUZZ_SECONDS on fuzz/corpus/<target> (built from fuzz/seeds and the test fixtures); crashes go
## to fuzz/artifacts/<target>/, logs to fuzz/logs/<target>.log. Fails on the first crash.
FUZZ_SECONDS ?= 60
## Mutation testing of the security core (issue #20; not part of `make test`: about two hours
## on 2 cores). cargo-mutants, pinned, configured by .cargo/mutants.toml (the files, the fast test
## targets, each exclusion with its reason); prints caught / missed / unviable / timeouts, lists in
## mutants.out/. On a change only: `git diff main > /tmp/change.diff` then
## `make mutants MUTANTS_FLAGS="--in-diff /tmp/change.diff"`. SECURITY.md has the last figures.
CARGO_MUTANTS_VERSION := 25.3.1
MUTANTS_JOBS ?= 2
MUTANTS_FLAGS ?=
.PHONY: mutants
mutants:
	@[ "$$(cargo mutants --version 2>/dev/null)" = "cargo-mutants $(CARGO_MUTANTS_VERSION)" ] || \
	  $(CARGO) install cargo-mutants --locked --version =$(CARGO_MUTANTS_VERSION)
	$(CARGO) mutants --jobs $(MUTANTS_JOBS) --timeout 40 $(MUTANTS_FLAGS)

## The same for the Worker's pure JS modules (access rules, return paths, SCIM filter and PATCH):
## Stryker, pinned in tools/stryker/ (its own lockfile, out of the project's install), judged by
## their node:test files in one process (tools/stryker/run-tests.mjs). Minutes, not hours.
.PHONY: mutants-js
mutants-js: tools/stryker/node_modules/.package-lock.json
	tools/stryker/node_modules/.bin/stryker run tools/stryker/stryker.config.json

tools/stryker/node_modules/.package-lock.json: tools/stryker/package.json tools/stryker/package-lock.json
	cd tools/stryker && npm ci --no-audit --no-fund

FUZZ_TARGETS := xml_parse c14n encoding metadata verify_post_response rsa_verify xmlenc
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

## The npm package `saml-edge` (pkg/): the wasm32 build of src/wasm/ + wasm-bindgen (--target web)
## + wasm-opt, written into pkg/ next to the hand-written entry points (git-ignored output).
## The wasm-bindgen CLI must be the exact version of the wasm-bindgen crate in Cargo.lock.
## Profile `wasm-release` (Cargo.toml) and wasm-opt flags chosen by measuring the final .wasm
## (gzip -9; verify = median of the Entra response in Node 20, interleaved; 2026-11 tree):
##   opt-level "s", LTO, 1 CGU, wasm-opt -Oz without inlining   198.0 KB gz, 0.81 ms   <- chosen
##   same, wasm-opt -Oz with inlining (default) / -O1 / none       207.5 / 200.5 / 203.2 KB gz
##   opt-level "z"                                                 190.3 KB gz, 1.15 ms (+43 %)
##   opt-level 3                                                   234.3 KB gz, 0.71 ms
##   LTO off: 198.0 KB (+0.1), 0.84 ms; codegen-units 16: 202.5 KB (+4.5); feature `sign`: +25 KB
##   panic = "abort" is already wasm32-unknown-unknown's strategy (kept explicit; 0 bytes).
##   The x509-parser stack (nom, asn1-rs, der-parser, oid-registry) was ~76 KB of the 198 KB.
## XML Encryption (2026-12, issue 17): the same build with src/xmlenc/ in was 246.6 KB gz; reading
## certificates and RSA private keys with src/der.rs instead of x509-parser and rsa's PKCS#1/#8
## decoders brought it to 190.3 KB gz (x509-cert 0.3 instead: 233.1, with its Name Display
## avoided 205.1); with the exports of the WebCrypto unwrap (verifyPostResponseAsync) 193.8 KB
## gz, against 198.8 for main without XML Encryption. Tried and not kept: opt-level "z" for the cold crates (der, aes, des, aes-gcm,
## miniz_oxide…) +0.7 KB; --cfg aes_backend_soft="compact" -0.4 KB (not worth a RUSTFLAGS).
## Single Logout (2026-12, issue 15): 194.7 KB gz by default (the SP's SLO URL, the NameID
## qualifiers); the four npm SLO exports made it 212.7 KB: 7.2 KB of it miniz_oxide's inflate
## (Redirect-bound messages are DEFLATEd), the rest the logout checks, the query-signature reader
## and the glue. With the public-key RSA of src/crypto/modexp.rs: 197.0 KB gz without them.
## Then (2026-12) three cuts made room for them: IdP public keys read by src/der.rs instead of
## rsa's "encoding" (der, spki, pkcs1, pkcs8 crates: -7.8 KB), src/deflate.rs instead of
## miniz_oxide's encoder (-7.0 KB), and incoming Redirect messages inflated by the JS platform's
## DecompressionStream instead of miniz_oxide's decoder (cargo feature `inflate`, off in the
## .wasm: -6.9 KB). With every SLO export: 194.0 KB gz.
## Speed, second round (2026-12, issue 18): the npm build enables simd128 (.cargo/config.toml) for
## the RSA rows of src/crypto/modexp/lazy.rs (27-bit limbs), which replace the 64-bit-limb
## emulation in the .wasm: 196.2 -> 192.9 KB gz; wasm-opt then needs --enable-simd.
WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
WASM_OPT = $(firstword $(wildcard node_modules/.bin/wasm-opt) $(shell command -v wasm-opt))
WASM_OPT_FLAGS := -Oz --always-inline-max-function-size=0 --one-caller-inline-max-function-size=0 \
  --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue --enable-simd
NODE_TEST := node --test
.PHONY: pkg js lint-wasm bench-js bench-worker bench-worker-jwt

## Rebuilt only when a Rust source, the manifest or the lockfile changed (wrangler dev runs
## `make pkg` at every start and again when its watcher starts).
WASM_SOURCES = $(shell find src -name '*.rs') Cargo.toml Cargo.lock
## The inspector page (www/inspector/) loads the browser entry point from www/pkg/ (git-ignored).
WWW_PKG := www/pkg/browser.js www/pkg/core.js www/pkg/saml_edge.js www/pkg/saml_edge_bg.wasm
pkg: pkg/saml_edge_bg.wasm $(WWW_PKG)
pkg/saml_edge.js: pkg/saml_edge_bg.wasm ;
www/pkg/%: pkg/%
	@mkdir -p www/pkg && cp $< $@
pkg/saml_edge_bg.wasm: $(WASM_SOURCES) node_modules/.package-lock.json
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || \
	  $(CARGO) install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION)
	$(CARGO) build --lib --profile wasm-release --target $(WASM_TARGET) --no-default-features
	wasm-bindgen --target web --no-typescript --omit-default-module-path \
	  --remove-name-section --remove-producers-section \
	  --experimental-reset-state-function --out-dir pkg \
	  target/$(WASM_TARGET)/wasm-release/saml_edge.wasm
	@if [ -n "$(WASM_OPT)" ]; then \
	  echo "$(WASM_OPT) $(WASM_OPT_FLAGS)"; \
	  $(WASM_OPT) $(WASM_OPT_FLAGS) pkg/saml_edge_bg.wasm -o pkg/saml_edge_bg.wasm; \
	else echo "wasm-opt not found (npm ci, or apt-get install binaryen): .wasm left unoptimised"; fi
	@echo "pkg/saml_edge_bg.wasm: $$(wc -c < pkg/saml_edge_bg.wasm) bytes, $$(gzip -9c pkg/saml_edge_bg.wasm | wc -c) gzipped"

## Dev tooling from package-lock.json (wrangler, miniflare, esbuild, binaryen, typescript,
## @node-saml/node-saml); pkg/ is linked in as the dependency `saml-edge`.
node_modules/.package-lock.json: package.json package-lock.json pkg/package.json
	npm ci --no-audit --no-fund

## The wasm-only code compiles for wasm32 only: lint it there too.
lint-wasm:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	$(CARGO) clippy --lib --target $(WASM_TARGET) --no-default-features -- -D warnings

## The package imported by name: the `node` condition, then the `workerd` condition (Node
## emulates wrangler's .wasm module import), then packaging (esbuild browser bundle, wrangler +
## Miniflare/workerd, tsc). The manifest suite runs tests/data/generated/cases.json.
js: lint-wasm pkg node_modules/.package-lock.json
	$(NODE_TEST) tests/js/manifest.test.mjs tests/js/api.test.mjs tests/js/xmlenc.test.mjs tests/js/slo.test.mjs
	$(NODE_TEST) --conditions=workerd --import ./tests/js/register-wasm-modules.mjs \
	  tests/js/manifest.test.mjs tests/js/api.test.mjs tests/js/xmlenc.test.mjs tests/js/slo.test.mjs
	$(NODE_TEST) tests/js/packaging.test.mjs tests/js/layout.test.mjs tests/js/return-path.test.mjs tests/js/access.test.mjs \
	  tests/js/scim-filter.test.mjs tests/js/scim-patch.test.mjs tests/js/scim-migrations.test.mjs
	$(NODE_TEST) tests/js/worker.test.mjs tests/js/edge.test.mjs tests/js/identity.test.mjs tests/js/scim.test.mjs \
	  tests/js/worker-attacks.test.mjs tests/js/worker-slo.test.mjs
	$(NODE_TEST) tests/js/browser.test.mjs

bench-js: pkg node_modules/.package-lock.json $(BENCH_DATA)
	node bench/compare.mjs

## The Worker's ACS request on workerd (Miniflare), over sequential sign-ins through the demo IdP.
bench-worker: pkg node_modules/.package-lock.json
	node bench/worker-acs.mjs

## The identity token (JWT_SIGNING_KEY): one signature per algorithm in workerd, and a proxied
## page view without a key, with the token reused, and signed on every request.
bench-worker-jwt: pkg node_modules/.package-lock.json
	node bench/worker-jwt.mjs
## SCIM conformance: python-scim's scim2-tester (PyPI, pinned in tests/scim/requirements.txt, in
## its own venv) against the Worker's /scim/v2 on workerd (Miniflare on a free loopback port,
## a random SCIM_TOKEN). Discovery, CRUD, PATCH add/replace/remove per attribute, attributes /
## excludedAttributes; fails on any ERROR/CRITICAL check.
SCIM_TESTER_VENV := target/scim2-tester-venv
.PHONY: scim-conformance bench-scim
$(SCIM_TESTER_VENV)/.installed: tests/scim/requirements.txt
	$(PYTHON) -m venv $(SCIM_TESTER_VENV)
	$(SCIM_TESTER_VENV)/bin/pip install -q -r tests/scim/requirements.txt
	touch $@
scim-conformance: pkg node_modules/.package-lock.json $(SCIM_TESTER_VENV)/.installed
	node tests/scim/conformance.mjs $(SCIM_TESTER_VENV)/bin/python

## SCIM requests per second one directory Durable Object sustains (bench/scim.mjs).
bench-scim: pkg node_modules/.package-lock.json
	node bench/scim.mjs
