#!/usr/bin/env bash
# The README's peer figure (issue 16): Checkov (PyPI, pinned) and kubeharden on the same
# install manifests (../shared/corpus/real: well-known projects), wall-clock time of each,
# kubeharden on one thread. Both write a JSON report to /dev/null; each is run RUNS times
# (default 3) and the median is printed, with the ratio.
#
#   scripts/compare-checkov.sh [CORPUS]     (default ../shared/corpus/real)
#
# Installs Checkov into target/checkov-venv (python3 -m venv, pip from PyPI) when missing,
# and builds the release CLI. Not part of `make test` (Checkov's install takes minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CHECKOV_VERSION=3.3.30
CORPUS=${1:-../shared/corpus/real}
RUNS=${RUNS:-3}
VENV=target/checkov-venv

[[ -d $CORPUS ]] || { echo "compare-checkov: $CORPUS is not a directory" >&2; exit 2; }
if [[ $("$VENV/bin/checkov" --version 2>/dev/null) != "$CHECKOV_VERSION" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
cargo build --release --quiet --bin kubeharden

# The median wall-clock seconds of RUNS runs of the command.
median_seconds() {
    local times=() start end status
    for _ in $(seq "$RUNS"); do
        start=$(date +%s.%N)
        status=0
        "$@" > /dev/null 2>&1 || status=$?
        end=$(date +%s.%N)
        # Both exit 1 when they report findings; anything else is a failure.
        [[ $status -le 1 ]] || { echo "compare-checkov: $* exited with $status" >&2; exit 1; }
        times+=("$(echo "$end - $start" | bc)")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

files=$(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l)
bytes=$(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
checkov=$(median_seconds "$VENV/bin/checkov" --directory "$CORPUS" --framework kubernetes --output json --quiet --skip-download)
ours=$(median_seconds target/release/kubeharden check --jobs 1 --format json "$CORPUS")
echo "corpus: $CORPUS ($files files, $bytes bytes); median of $RUNS runs, wall clock"
printf 'checkov %s (kubernetes framework, JSON): %.2f s\n' "$CHECKOV_VERSION" "$checkov"
printf 'kubeharden %s (check --jobs 1 --format json): %.3f s\n' "$(target/release/kubeharden --version | cut -d' ' -f2)" "$ours"
printf 'ratio: %.0fx\n' "$(echo "$checkov / $ours" | bc -l)"
