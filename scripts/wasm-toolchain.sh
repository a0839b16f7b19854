#!/usr/bin/env bash
# WebAssembly toolchain for kubeharden (recipe: /work/shared/TOOLCHAIN.md).
#
#   ensure-rust  make sure a Rust toolchain that can target wasm32-unknown-unknown exists
#   build-lib    build the library alone (rlib, no `web` feature) for wasm32
#   ensure-web   install wasm-bindgen-cli, trunk, Chromium and the npm packages (playground)
#   dist         build the playground into dist/ with Trunk (CSP-safe start-up script)
#   playground   the playground alone into dist/ (extras rebuilt; no lessons, JS package, widget): quicker
#   wasm-test    run the wasm-bindgen-test tests in headless Chromium
#   js-wasm      build the JavaScript package's two wasm, full and check-only (scripts/js-pkg.sh makes dist/pkg/ of them)
#   extras       build the playground's extras (target/wasm/extras/, copied to dist/extras/ by dist)
#
# Every wasm32 build uses one target dir (target/wasm) and one profile (`web`, the one Trunk
# builds the playground with): build-std compiles std once, and the dependencies the
# playground compiled are reused by the tests and the library build. `wasm-test` links the
# library without the `web` feature, so it also proves the library alone builds for wasm32.
#
# Two ways to get wasm32:
#   1. rustup already has the wasm32-unknown-unknown target installed: use the normal cargo.
#   2. Otherwise (rustup cannot download here): Debian's rustc-web 1.96 + rust-web-src, building
#      std from source with cargo's build-std, linked by wasm-ld from lld-22.
# Every step is idempotent: what is already present is skipped. Meant to run as root on Debian 12.
set -euo pipefail

TARGET=wasm32-unknown-unknown
WASM_TARGET_DIR=target/wasm               # separate dir: never invalidates the host build cache
WASM_PROFILE=web                          # Cargo.toml [profile.web]; Trunk.toml/index.html use it too
DEBIAN_RUST_PKGS=(rustc-web cargo-web rust-web-src lld-22)
WASM_LD=/usr/lib/llvm-22/bin/wasm-ld
WASM_BINDGEN_VERSION=0.2.130              # must equal the wasm-bindgen crate version exactly
TRUNK_VERSION=0.21.14                     # 0.22.x needs rustc >= 1.96.1

cd "$(dirname "${BASH_SOURCE[0]}")/.."    # repository root
export PATH="$PATH:$HOME/.cargo/bin"      # where `cargo install` puts binaries

log() { echo "wasm-toolchain: $*" >&2; }

# Install the given Debian packages that are not installed yet (apt-get update only if needed).
apt_ensure() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "already installed: $*"
        return
    fi
    log "installing: ${missing[*]}"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" apt-get update
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y "${missing[@]}"
}

# True when rustup exists and already has the wasm32 target (the ordinary path).
have_rustup_target() {
    command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}

ensure_rust() {
    if have_rustup_target; then
        log "rustup has $TARGET; using the normal cargo"
        return
    fi
    apt_ensure "${DEBIAN_RUST_PKGS[@]}"
    [[ -x $WASM_LD ]] || { log "missing $WASM_LD"; exit 1; }
    log "Debian toolchain ready: $(/usr/bin/rustc --version)"
}

# std for the playground's size budget (README "Budgets"; every wasm32 build uses the same
# settings, so dist, wasm-test and build-lib share one std and one dependency build):
#   optimize_for_size       std's small sort, formatting and string code (-33 KiB gzipped)
#   panic=immediate-abort   a panic is a trap, without message formatting (-19 KiB gzipped)
#   -Zpanic_abort_tests     lets `wasm-test` build its tests with that panic strategy (a
#                           failing assertion is a trap: the test still fails, unexplained);
#                           it is passed to every build so that all share one set of flags
# They need build-std (std compiled from source) and RUSTC_BOOTSTRAP=1.
WASM_STD_FEATURES=optimize_for_size
WASM_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zpanic_abort_tests"

# Run a cargo-driven command for wasm32: with rustup's target and its rust-src when
# present, else with Debian's toolchain; std is built from source either way (set for
# this command only). rustup's prebuilt std (no rust-src) still builds, over the budget.
with_wasm_env() {
    if have_rustup_target; then
        if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
            PATH="$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1 \
            CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
            CARGO_UNSTABLE_BUILD_STD_FEATURES="$WASM_STD_FEATURES" RUSTFLAGS="$WASM_RUSTFLAGS" "$@"
        else
            log "rust-src missing (rustup component add rust-src): prebuilt std, over the size budget"
            PATH="$HOME/.cargo/bin:$PATH" "$@"
        fi
    else
        PATH="/usr/bin:$HOME/.cargo/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
        CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
        CARGO_UNSTABLE_BUILD_STD_FEATURES="$WASM_STD_FEATURES" RUSTFLAGS="$WASM_RUSTFLAGS" \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$WASM_LD" "$@"
    fi
}

dist() {
    [[ -d www/node_modules/.bin ]] || (cd www && npm ci --no-audit --no-fund)
    node www/build.mjs                           # the CodeMirror bundle the app imports
    # The rule examples the playground fetches on demand (not compiled into its wasm),
    # from the native CLI's catalogue (host toolchain, default features).
    cargo run --quiet --bin kubeharden -- rules --format json | node scripts/rule-examples.mjs
    # wasm-opt from npm's binaryen (Debian's is too old for rustc 1.96), trunk and
    # wasm-bindgen from ~/.cargo/bin; cargo from the toolchain chosen above.
    export PATH="$PWD/www/node_modules/.bin:$PATH"
    with_wasm_env cargo fetch --quiet
    playground_page
    lessons_page
}

# The playground's page into dist/: the extras first (the page is told their file name:
# src/web/extras.rs reads it when compiled), then Trunk, the start-up script moved into a
# file, the extras copied beside it and the JavaScript minified.
playground_page() {
    extras
    local extras_js
    extras_js=$(cd "$EXTRAS_OUT" && ls kubeharden-extras-*.js)
    KUBEHARDEN_EXTRAS_JS="extras/$extras_js" CARGO_TARGET_DIR="$PWD/$WASM_TARGET_DIR" \
        with_wasm_env nice -n 10 trunk build --release
    python3 scripts/csp-boot.py dist/index.html
    cp -r "$EXTRAS_OUT" dist/extras
    node scripts/minify-js.mjs dist
}

# The playground alone into dist/ (no lessons page, JS package or widget): a quicker build
# to measure the first download while working on it.
playground_only() {
    export PATH="$PWD/www/node_modules/.bin:$PATH"
    node www/build.mjs
    playground_page
}

# The playground's extras (src/web/extras_main.rs: the JSON and SARIF export, the target
# version's note, the Diff tab's diff): a wasm of their own, which the playground loads the
# first time one is asked for, so that none of it is in the first download. The same target
# dir, profile, features and std as the playground (only the bin is compiled again), then
# wasm-bindgen --target web and wasm-opt with the playground's flags (www/index.html). Built
# before the playground: its files are named after their content (kubeharden-extras-<hash>),
# so that no browser keeps a stale copy, and the playground is compiled with that name.
EXTRAS_OUT=target/wasm/extras
extras() {
    export PATH="$PWD/www/node_modules/.bin:$PATH"
    with_wasm_env nice -n 10 cargo build --bin playground-extras --no-default-features \
        --features web --target "$TARGET" --target-dir "$WASM_TARGET_DIR" --profile "$WASM_PROFILE"
    rm -rf "$EXTRAS_OUT" && mkdir -p "$EXTRAS_OUT"
    wasm-bindgen --target web --out-dir "$EXTRAS_OUT" --out-name kubeharden-extras --no-typescript \
        "$WASM_TARGET_DIR/$TARGET/$WASM_PROFILE/playground-extras.wasm"
    wasm-opt -Os --low-memory-unused --strip-producers --strip-target-features \
        --one-caller-inline-max-function-size 10 \
        --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        "$EXTRAS_OUT/kubeharden-extras_bg.wasm" -o "$EXTRAS_OUT/kubeharden-extras_bg.wasm"
    local hash
    hash=$(cat "$EXTRAS_OUT/kubeharden-extras.js" "$EXTRAS_OUT/kubeharden-extras_bg.wasm" | sha256sum | cut -c1-16)
    mv "$EXTRAS_OUT/kubeharden-extras_bg.wasm" "$EXTRAS_OUT/kubeharden-extras-${hash}_bg.wasm"
    sed "s/kubeharden-extras_bg\.wasm/kubeharden-extras-${hash}_bg.wasm/g" "$EXTRAS_OUT/kubeharden-extras.js" \
        > "$EXTRAS_OUT/kubeharden-extras-${hash}.js"
    rm "$EXTRAS_OUT/kubeharden-extras.js"
    grep -q "kubeharden-extras-${hash}_bg.wasm" "$EXTRAS_OUT/kubeharden-extras-${hash}.js" \
        || { log "the extras' glue does not name their wasm"; exit 1; }
}

# The lessons page (dist/lessons/, after the playground's build, which replaces dist/): a
# wasm of its own (bin `lessons`), so none of it is in the playground's first download; the
# same target dir, profile and std, so only that bin is compiled again. Its data and the
# instructor notes come from the native CLI: the built-in lessons, validated when loaded.
lessons_page() {
    export PATH="$PWD/www/node_modules/.bin:$PATH"
    CARGO_TARGET_DIR="$PWD/$WASM_TARGET_DIR" with_wasm_env nice -n 10 \
        trunk build www/lessons/index.html --release --dist dist/lessons
    python3 scripts/csp-boot.py dist/lessons/index.html
    node scripts/minify-js.mjs dist/lessons
    cargo run --quiet --bin kubeharden -- lesson list --json > dist/lessons/lessons.json
    cargo run --quiet --bin kubeharden -- lesson instructor > dist/lessons/instructor.html
}

wasm_test() {
    # wasm-bindgen-test-runner drives /usr/bin/chromium through chromedriver, with the
    # flags in webdriver.json (headless, no sandbox as root, no background network).
    # In the playground's profile and target dir: std and the dependencies are built already.
    # The runner's limits (20 s for the tests, 5 s for chromedriver to start by default) are
    # raised to guards against hangs only: a busy machine must not fail a correct test.
    CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_TIMEOUT=300 \
    WASM_BINDGEN_TEST_DRIVER_TIMEOUT=120 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        with_wasm_env nice -n 10 cargo test --target "$TARGET" --target-dir "$WASM_TARGET_DIR" \
        --profile "$WASM_PROFILE" --test wasm_adapter
}

build_lib() {
    [[ -x $WASM_LD ]] || have_rustup_target \
        || { log "wasm toolchain missing: run '$0 ensure-rust' first"; exit 1; }
    with_wasm_env nice -n 10 cargo build --lib --target "$TARGET" --target-dir "$WASM_TARGET_DIR" \
        --profile "$WASM_PROFILE"
    local rlib="$WASM_TARGET_DIR/$TARGET/$WASM_PROFILE/libkubeharden.rlib"
    [[ -f $rlib ]] || { log "expected $rlib was not produced"; exit 1; }
    echo "$rlib $(stat -c %s "$rlib") bytes ($(du -h "$rlib" | cut -f1))"
}

# The two wasm of the JavaScript package (bins kubeharden-js and kubeharden-js-check, check
# only; feature js), in the playground's
# target dir and profile with the same std: only the crate itself and wasm-bindgen are
# compiled again. scripts/js-pkg.sh runs wasm-bindgen, wasm-opt and assembles dist/pkg/.
js_wasm() {
    with_wasm_env nice -n 10 cargo build --bin kubeharden-js --bin kubeharden-js-check --no-default-features \
        --features js --target "$TARGET" --target-dir "$WASM_TARGET_DIR" \
        --profile "$WASM_PROFILE"
}

# Print the version a tool reports ("wasm-bindgen 0.2.130" -> "0.2.130"), or nothing.
tool_version() { "$1" --version 2>/dev/null | awk '{print $2; exit}' || true; }

ensure_web() {
    if [[ $(tool_version wasm-bindgen) == "$WASM_BINDGEN_VERSION" ]]; then
        log "wasm-bindgen $WASM_BINDGEN_VERSION present"
    else
        # NOT --locked: its lockfile pins a crate the registry lacks.
        nice -n 10 cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    fi
    if [[ $(tool_version trunk) == "$TRUNK_VERSION" ]]; then
        log "trunk $TRUNK_VERSION present"
    else
        # --locked: without it 0.21 resolves an incompatible cssparser.
        # Trunk's own release profile (fat LTO, one codegen unit) makes its last crate compile
        # for minutes on one core; Trunk only drives cargo, wasm-bindgen and wasm-opt, so it
        # is built without LTO and in parallel codegen units instead.
        CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
            nice -n 10 cargo install trunk --version "$TRUNK_VERSION" --locked \
            --no-default-features --features rustls
    fi
    apt_ensure chromium chromium-driver   # /usr/bin/chromium, /usr/bin/chromedriver
    [[ -d www/node_modules/.bin ]] || (cd www && npm ci --no-audit --no-fund)
}

case "${1:-}" in
    ensure-rust) ensure_rust ;;
    build-lib) build_lib ;;
    ensure-web) ensure_web ;;
    dist) dist ;;
    lessons-page) lessons_page ;;
    wasm-test) wasm_test ;;
    js-wasm) js_wasm ;;
    extras) extras ;;
    playground) playground_only ;;
    *) echo "usage: $0 {ensure-rust|build-lib|ensure-web|dist|playground|lessons-page|wasm-test|js-wasm|extras}" >&2; exit 2 ;;
esac
