#!/usr/bin/env bash
# Run the coverage-guided fuzz targets of fuzz/ (cargo-fuzz, libFuzzer), each for a bounded
# time: `make fuzz` (FUZZ_SECONDS, default 60) or `scripts/fuzz.sh SECONDS [TARGET...]`.
#
#   check        parse + check arbitrary bytes (seeds: every manifest of tests/fixtures and,
#                when it is beside the repository, ../shared/corpus)
#   fix          check + fix + re-check a generated workload (structure-aware: arbitrary)
#   share_link   the playground's share-link decoder
#   config       the configuration loader (seeds: tests/config and docs examples)
#   js_options   the JavaScript API's option parsing and calls
#
# The crate forbids `unsafe`, so no sanitizer is needed (`-s none`): the stable toolchain
# builds it with RUSTC_BOOTSTRAP=1 for cargo-fuzz's unstable flags, as the wasm build does.
# cargo-fuzz is installed from crates.io when missing. A crash, a hang (an input taking over
# FUZZ_TIMEOUT seconds: default 10, since a busy machine starves the fuzzer; 1 on a quiet
# one, as issue 16 sets the bar) or a broken invariant stops the run with the input saved in fuzz/artifacts/<target>/;
# make each one a regression test before fixing it. The corpora are in
# target/fuzz-corpus/<target>/ (libFuzzer adds what it finds there, uncommitted); each starts
# from the committed seeds, fuzz/seeds/<target>.tar.xz (a minimised corpus of earlier long
# runs, unpacked once, never over a file already there; see fuzz/seeds/README.md and
# scripts/fuzz-seeds.sh, which rewrites them), plus the fixtures and ../shared/corpus (kept
# out of the archives) as below, so a new fixture reaches the fuzzer without a new archive.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(check fix share_link config js_options)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

seed() {
    local target=$1 dir=target/fuzz-corpus/$1 seeds=fuzz/seeds/$1.tar.xz
    local stamp=target/fuzz-corpus/.$target.seeds sum
    [[ -d $dir ]] || rm -f "$stamp"
    mkdir -p "$dir"
    if [[ -f $seeds ]]; then
        # Unpacked once per archive (and corpus folder): the stamp, beside the folder where
        # libFuzzer does not read it, holds the archive's hash; --skip-old-files keeps what
        # is there.
        sum=$(sha256sum "$seeds" | cut -d' ' -f1)
        if [[ ! -f $stamp || $(cat "$stamp") != "$sum" ]]; then
            tar -xJf "$seeds" -C "$dir" --skip-old-files && echo "$sum" >"$stamp"
        fi
    fi
    case $target in
        check)
            find tests/fixtures -type f \( -name '*.yaml' -o -name '*.json' \) -exec cp -n {} "$dir/" \; 2>/dev/null || true
            if [[ -d ../shared/corpus ]]; then
                # One file per name: the corpora's names repeat across folders.
                # (sed, not head: head would cut find's pipe short under pipefail)
                find ../shared/corpus -type f \( -name '*.yaml' -o -name '*.yml' \) -size -64k |
                    sed -n '1,2000p' | while read -r f; do
                        cp "$f" "$dir/$(printf '%s' "$f" | md5sum | cut -c1-16).yaml"
                    done
            fi ;;
        config)
            find tests/config docs -type f -name '*.yaml' -exec cp -n {} "$dir/" \; 2>/dev/null || true ;;
    esac
}

export RUSTC_BOOTSTRAP=1
for t in "${TARGETS[@]}"; do
    seed "$t"
    echo "fuzz: $t for ${SECONDS_EACH}s"
    cargo fuzz run --fuzz-dir fuzz -s none --release "$t" "target/fuzz-corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -print_final_stats=1
done
