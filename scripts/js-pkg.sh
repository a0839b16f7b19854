#!/usr/bin/env bash
# The JavaScript package `kubeharden` (dist/pkg/) and the docs widget (dist/kubeharden-widget*.js,
# dist/widget-demo.html), after the playground (`trunk build` replaces dist/, so this runs last).
#
#   1. the wasm: bin kubeharden-js with feature js, in the playground's target dir and
#      profile, with its std (scripts/wasm-toolchain.sh js-wasm)
#   2. wasm-bindgen --target web (the pinned CLI, = the crate version in Cargo.toml), then
#      wasm-opt -Os from npm's binaryen with the playground's flags (www/index.html)
#   3. rules.json from the native CLI (`kubeharden rules --format json`: the docs the wasm
#      is built without), then www/pkg/build.mjs and www/widget/build.mjs assemble dist/
# Needs what `make web-setup` installs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/www/node_modules/.bin:$HOME/.cargo/bin:$PATH"

WASM=target/wasm/wasm32-unknown-unknown/web/kubeharden-js.wasm
OUT=target/wasm/js-pkg

bash scripts/wasm-toolchain.sh js-wasm
rm -rf "$OUT" && mkdir -p "$OUT"
wasm-bindgen --target web --out-dir "$OUT" --out-name kubeharden_wasm --no-typescript "$WASM"
# The features rustc 1.96 emits for wasm32 (the same set Trunk enables for the playground).
wasm-opt -Os --low-memory-unused --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$OUT/kubeharden_wasm_bg.wasm" -o "$OUT/kubeharden_wasm_bg.wasm"
cargo run --quiet --bin kubeharden -- rules --format json > "$OUT/rules.json"
node www/pkg/build.mjs "$OUT" dist/pkg
node www/widget/build.mjs dist
