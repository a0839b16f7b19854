# kubeharden — make targets.
#   make serve   build the playground and serve it at http://127.0.0.1:8080
#   make test    install what the tests need, then run every test
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
PORT ?= 8080

.PHONY: test setup ci-tools lint unit sarif report-schema wasm-lib web-setup dist serve e2e wasm-test web-budgets js-test widget-budgets workshop build bench fmt fuzz fuzz-smoke

## test: install missing tools; lint; unit, corpus and CLI tests; SARIF validation; the
## playground (wasm32): wasm-bindgen tests of the library, budgets, end-to-end tests.
## Fails on correctness and on the deterministic download-size budget only: the timing
## budgets are measured and reported (target/web-budgets.json), never a reason to fail.
## Order matters: `dist` builds std and the dependencies for wasm32 that `wasm-test` reuses
## (one target dir, one profile); e2e runs last so the output ends with its summary.
## The library alone (no `web` feature) for wasm32 is proven by `wasm-test`, which links it.
## fuzz-smoke runs each fuzz target for 10 s (issue 16): a crash, hang or broken invariant fails.
## `dist` also builds the JavaScript package and the docs widget (same target dir, profile
## and std); js-test and widget-budgets test and measure them, e2e drives the widget too.
test: setup ci-tools lint unit fuzz-smoke sarif report-schema dist js-test wasm-test web-budgets widget-budgets e2e

setup: web-setup
	bash scripts/setup.sh
	node www/build.mjs

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --features web --bin playground -- -D warnings
	cargo clippy --features web --bin lessons -- -D warnings
	cargo clippy --features web --bin playground-extras -- -D warnings
	cargo clippy --features js --bin kubeharden-js --bin kubeharden-js-check -- -D warnings

# The shared corpora (../shared/corpus) are required: a missing folder fails loudly.
unit:
	KUBEHARDEN_REQUIRE_CORPUS=1 KUBEHARDEN_REQUIRE_CI=1 cargo test
	# The playground's catalogue (built without the rule docs) equals the full one but for them.
	cargo test --no-default-features --lib catalogue
	# The JavaScript package's option parsing and JSON (src/js/), natively.
	cargo test --features js --bin kubeharden-js

# pre-commit and xmlschema (PyPI) for tests/config_ci.rs, in target/ci-venv.
ci-tools:
	bash tests/ci/setup.sh

sarif:
	cargo build --quiet
	bash tests/sarif/validate.sh

# The JSON report of real runs against docs/report.schema.json (ajv, from npm).
report-schema:
	cargo build --quiet
	[[ -d tests/schema/node_modules/yaml ]] || (cd tests/schema && npm ci --no-audit --no-fund)
	node --test tests/schema/

# The library alone for wasm32-unknown-unknown (no fs, threads, clocks, stdout); `make test`
# gets the same proof from wasm-test.
wasm-lib:
	bash scripts/wasm-toolchain.sh ensure-rust
	bash scripts/wasm-toolchain.sh build-lib

## web-setup: the wasm toolchain, wasm-bindgen, Trunk, Chromium, npm packages (skips what is present)
web-setup:
	bash scripts/wasm-toolchain.sh ensure-rust
	bash scripts/wasm-toolchain.sh ensure-web

## dist: the static playground in dist/ (works from any static server, also under a sub-path),
## then the JavaScript package (dist/pkg/) and the docs widget (dist/kubeharden-widget*.js,
## dist/widget-demo.html): after Trunk, which replaces dist/.
dist: web-setup
	bash scripts/wasm-toolchain.sh dist
	bash scripts/js-pkg.sh

## workshop: target/workshop/kubeharden-workshop/ and its .zip: the playground, the lessons,
## the instructor notes, the widget demo and an instructor README, for offline use
## (serve with `python3 -m http.server`). tests/e2e/lessons.test.mjs builds it from dist/.
workshop: dist
	bash scripts/workshop.sh

## serve: build, then serve dist/ on loopback
serve: dist
	@echo "kubeharden playground: http://127.0.0.1:$(PORT)/"
	python3 -m http.server $(PORT) --bind 127.0.0.1 --directory dist

wasm-test: web-setup
	bash scripts/wasm-toolchain.sh wasm-test

# --test-timeout only guards each test against a hang (10 minutes). The export tests
# compare the playground's reports with the CLI's (target/debug/kubeharden).
e2e: dist
	cargo build --quiet
	node --test --test-timeout=600000 tests/e2e/

web-budgets: dist
	node scripts/measure-web.mjs

## js-test: the package in Node against the CLI, and its TypeScript declarations (tsc)
js-test: dist
	cargo build --quiet
	[[ -d tests/js/node_modules ]] || (cd tests/js && npm ci --no-audit --no-fund)
	node --test tests/js/

## widget-budgets: the widget's download size (fails over 350 KiB), first-result time, wasm fetches
widget-budgets: dist
	node scripts/measure-widget.mjs

build:
	cargo build --release

## bench: engine throughput and fix cost, and parallel directory checks
## fuzz: every fuzz target of fuzz/ for FUZZ_SECONDS each (default 60; cargo-fuzz and
## libFuzzer, installed when missing; see scripts/fuzz.sh). fuzz-smoke: 10 s each.
FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke:
	bash scripts/fuzz.sh 10

bench:
	cargo bench --bench throughput
	cargo bench --bench fix
	bash scripts/bench-cli.sh
	bash scripts/bench-memory.sh

fmt:
	cargo fmt
