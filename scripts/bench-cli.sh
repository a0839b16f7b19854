#!/usr/bin/env bash
# Wall time of `kubeharden check` over the whole ../shared/corpus directory with 1 and
# with all cores: directories are checked in parallel.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
corpus=../shared/corpus
[[ -d $corpus ]] || { echo "SKIPPED: $corpus is absent"; exit 0; }
cargo build --release --quiet
bin=target/release/kubeharden
cores=$(nproc)
for jobs in 1 "$cores"; do
    best=
    for _ in 1 2 3 4 5; do
        start=$(date +%s%N)
        "$bin" check --format json -j "$jobs" "$corpus" >/dev/null || true
        t=$(( ($(date +%s%N) - start) / 1000000 ))
        [[ -z $best || $t -lt $best ]] && best=$t
    done
    echo "check $corpus -j $jobs: best of 5 ${best} ms"
done
