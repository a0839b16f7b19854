#!/usr/bin/env bash
# The JavaScript package `kubeharden` (dist/pkg/) and the docs widget (dist/kubeharden-widget*.js,
# dist/widget-demo.html), after the playground (`trunk build` replaces dist/, so this runs last).
#
#   1. the two wasm: bins kubeharden-js (check and fix) and kubeharden-js-check (check only)
#      with feature js, in the playground's target dir and profile, with its std
#      (scripts/wasm-toolchain.sh js-wasm)
#   2. wasm-bindgen --target web (the pinned CLI, = the crate version in Cargo.toml), then
#      wasm-opt -Os from npm's binaryen with the playground's flags (www/index.html: small
#      functions with one caller inlined, no others)
#   3. rules.json from the native CLI (`kubeharden rules --format json`: the docs the wasm
#      is built without), then www/pkg/build.mjs and www/widget/build.mjs assemble dist/
# Needs what `make web-setup` installs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/www/node_modules/.bin:$HOME/.cargo/bin:$PATH"

WASM_DIR=target/wasm/wasm32-unknown-unknown/web
OUT=target/wasm/js-pkg

bash scripts/wasm-toolchain.sh js-wasm
rm -rf "$OUT" && mkdir -p "$OUT"
# The full engine (init(): check and fix) and the check-only one (initCheck()).
for pair in kubeharden-js:kubeharden_wasm kubeharden-js-check:kubeharden_check; do
    bin=${pair%%:*} name=${pair#*:}
    wasm-bindgen --target web --out-dir "$OUT" --out-name "$name" --no-typescript "$WASM_DIR/$bin.wasm"
    # The features rustc 1.96 emits for wasm32 (the same set Trunk enables for the playground).
    wasm-opt -Os --low-memory-unused --strip-producers --strip-target-features \
        --one-caller-inline-max-function-size 10 \
        --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        "$OUT/${name}_bg.wasm" -o "$OUT/${name}_bg.wasm"
done
cargo run --quiet --bin kubeharden -- rules --format json > "$OUT/rules.json"
node www/pkg/build.mjs "$OUT" dist/pkg
node www/widget/build.mjs dist
