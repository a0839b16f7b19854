#!/usr/bin/env bash
# Install what `make test` needs on a fresh Debian 12 machine, skipping what is present:
# the Rust linters, Node.js for the SARIF validator, and the wasm32 toolchain.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { echo "setup: $*" >&2; }

command -v cargo >/dev/null || { log "cargo is required (https://rustup.rs)"; exit 1; }
for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
        log "adding rustup component $component"
        timeout 300 rustup component add "$component"
    fi
done

if ! command -v npm >/dev/null; then
    log "installing Node.js and npm"
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
fi
if [[ ! -d tests/sarif/node_modules/@microsoft/sarif-multitool-linux ]]; then
    log "installing the SARIF validator (npm ci in tests/sarif)"
    (cd tests/sarif && npm ci --no-audit --no-fund)
fi
command -v python3 >/dev/null || { apt-get update && apt-get install -y python3; }
# The CLI tests apply `fix --diff` output with both tools.
command -v patch >/dev/null || { apt-get update && apt-get install -y patch; }
command -v git >/dev/null || { apt-get update && apt-get install -y git; }

bash scripts/wasm-toolchain.sh ensure-rust
