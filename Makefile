# kubeharden — make targets. `make test` installs what it needs and runs every test.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: test setup lint unit sarif wasm-lib build bench fmt

## test: install missing tools, then lint, unit/integration/corpus tests, SARIF validation, wasm build
test: setup lint unit sarif wasm-lib

setup:
	bash scripts/setup.sh

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

# The shared corpora (../shared/corpus) are required: a missing folder fails loudly.
unit:
	KUBEHARDEN_REQUIRE_CORPUS=1 cargo test

sarif:
	cargo build --quiet
	bash tests/sarif/validate.sh

# Proves the library builds for wasm32-unknown-unknown (no fs, threads, clocks, stdout).
wasm-lib:
	bash scripts/wasm-toolchain.sh build-lib

build:
	cargo build --release

## bench: single-threaded throughput on ../shared/corpus, and parallel directory checks
bench:
	cargo bench --bench throughput
	cargo bench --bench fix
	bash scripts/bench-cli.sh

fmt:
	cargo fmt
