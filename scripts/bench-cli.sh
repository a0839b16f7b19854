#!/usr/bin/env bash
# Wall time of `kubeharden check --format json` over the whole ../shared/corpus directory
# with 1 and 2 threads and with the default (every core): directories are checked in
# parallel (reading, parsing, modelling and the per-document rules; the whole-bundle
# rules, the sort and the JSON report run on one thread). Best of $RUNS (default 5) per
# setting, the JSON to /dev/null; the CPU time (user + sys) of the best run is printed
# beside it, so a machine busy with other work shows as CPU time that wall time did not
# get. BIN=path skips the build and times that binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
corpus=../shared/corpus
[[ -d $corpus ]] || { echo "SKIPPED: $corpus is absent"; exit 0; }
if [[ -z ${BIN:-} ]]; then
    cargo build --release --quiet
fi
bin=${BIN:-target/release/kubeharden}
runs=${RUNS:-5}
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for jobs in 1 2 default; do
    best= cpu=
    for _ in $(seq "$runs"); do
        args=(check --format json "$corpus")
        [[ $jobs == default ]] || args+=(-j "$jobs")
        # TIMEFORMAT: wall, then user + sys.
        t=$( { TIMEFORMAT='%R %U %S'; time "$bin" "${args[@]}" >/dev/null 2>&1 || true; } 2>&1 )
        read -r wall user sys <<<"$t"
        ms=$(awk -v w="$wall" 'BEGIN { printf "%d", w * 1000 }')
        if [[ -z $best || $ms -lt $best ]]; then
            best=$ms
            cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')
        fi
    done
    echo "check $corpus -j $jobs: best of $runs ${best} ms wall (${cpu} ms CPU)"
done
