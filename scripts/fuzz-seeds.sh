#!/usr/bin/env bash
# Rewrite the committed fuzz seeds, fuzz/seeds/<target>.tar.xz (issue 16), from the corpora
# libFuzzer grew in target/fuzz-corpus/<target>/ (`make fuzz`, or scripts/fuzz.sh SECONDS):
# `scripts/fuzz-seeds.sh [TARGET...]`. See fuzz/seeds/README.md.
#
# For each target: libFuzzer's merge (-merge=1) into an empty target/fuzz-seeds/<target>.all/
# keeps only the inputs that add coverage (features), named by the SHA-1 of their content;
# when their archive is over the target's budget (below: 1.5 MB in all), the largest inputs
# are dropped until it fits. The kept ones are copied to target/fuzz-seeds/<target>/ and
# archived deterministically (sorted names, mtime 0, owner 0, mode 0644, xz -9e on one
# thread): the same inputs give the same bytes (the merge itself may keep a few inputs more
# or less from run to run, as hash-map order varies the coverage a little). Then `-runs=0`
# on the kept inputs prints their coverage (cov: edges, ft: features) into
# target/fuzz-seeds/<target>.cov.
#
# ../shared/corpus (other projects' manifests, read in place: its README asks that they not
# be copied into this repository) reaches check's corpus through scripts/fuzz.sh's `seed`,
# and libFuzzer's mutations of it stay there. So before the merge, every input holding a line
# (24 characters or more, spaces trimmed) that occurs in ../shared/corpus and in no file of
# the repository is left out; `seed` adds the shared corpus again at run time when it is
# there. (Without ../shared/corpus nothing is left out: a corpus grown where it was absent
# holds none of it; SEEDS_KEEP_SHARED=1 keeps such inputs too.)
#
# FUZZ_CORPUS: where the grown corpora are (default target/fuzz-corpus). SEEDS_MAX_BYTES:
# one budget (bytes of archive) for every target named, instead of the ones below.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1
CORPUS=${FUZZ_CORPUS:-target/fuzz-corpus}
# Archive budgets, 1,500,000 bytes in all: check's inputs are the largest (whole manifests).
declare -A BUDGET=([check]=550000 [config]=420000 [js_options]=280000 [fix]=150000 [share_link]=100000)
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(check fix share_link config js_options)

# archive DIR OUT [N]: the N smallest files of DIR (all when N is absent), by name, as OUT.
archive() {
    local dir=$1 out=$2 n=${3:-}
    if [[ -n $n ]]; then
        (cd "$dir" && find . -maxdepth 1 -type f -printf '%s %f\n' | LC_ALL=C sort -k1,1n -k2,2 |
            sed -n "1,${n}p" | cut -d' ' -f2- | LC_ALL=C sort)
    else
        (cd "$dir" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort)
    fi >"$dir.list"
    tar -C "$dir" --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=0644 \
        -cf - -T "$dir.list" | xz -9e -T1 -c >"$out"
}

# without_shared FROM TO: copy the inputs of FROM holding no text of ../shared/corpus to TO.
without_shared() {
    python3 - "$1" "$2" <<'PY'
import os, shutil, subprocess, sys
src, dst = sys.argv[1:]
def lines(path):
    with open(path, 'rb') as f:
        return {l for l in (l.strip() for l in f.read().split(b'\n')) if len(l) >= 24}
shared = set()
for root, _, files in os.walk('../shared/corpus'):
    for name in files:
        shared |= lines(os.path.join(root, name))
for name in subprocess.check_output(['git', 'ls-files', '-z']).split(b'\0'):
    if name and os.path.isfile(name) and not name.endswith(b'.tar.xz'):
        shared -= lines(name)
names = sorted(os.listdir(src))
kept = [n for n in names if not (lines(os.path.join(src, n)) & shared)]
for n in kept:
    shutil.copy(os.path.join(src, n), os.path.join(dst, n))
print(f'fuzz-seeds: {src}: {len(names) - len(kept)} of {len(names)} inputs hold text of ../shared/corpus, left out')
PY
}

bytes() { find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }

mkdir -p fuzz/seeds target/fuzz-seeds
for t in "${TARGETS[@]}"; do
    src=$CORPUS/$t all=target/fuzz-seeds/$t.all min=target/fuzz-seeds/$t out=fuzz/seeds/$t.tar.xz
    max=${SEEDS_MAX_BYTES:-${BUDGET[$t]:-300000}}
    [[ -d $src ]] || { echo "fuzz-seeds: no $src, skipped" >&2; continue; }
    rm -rf "$all" "$min" && mkdir -p "$all" "$min"
    if [[ -d ../shared/corpus && -z ${SEEDS_KEEP_SHARED:-} ]]; then
        clean=target/fuzz-seeds/$t.clean
        rm -rf "$clean" && mkdir -p "$clean"
        without_shared "$src" "$clean"
        src=$clean
    fi
    echo "fuzz-seeds: $t: merging $(find "$src" -type f | wc -l) inputs of $src"
    nice -n 10 cargo fuzz run --fuzz-dir fuzz -s none --release "$t" "$all" "$src" -- \
        -merge=1 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 2>"target/fuzz-seeds/$t.merge.log" ||
        { echo "fuzz-seeds: $t: the merge failed, see target/fuzz-seeds/$t.merge.log" >&2; exit 1; }
    total=$(find "$all" -type f | wc -l)
    archive "$all" "$out"
    kept=$total full=$(stat -c %s "$out")
    if ((full > max)); then
        # The most inputs, smallest first, whose archive fits: a binary search on the count.
        lo=0 hi=$total
        while ((lo < hi)); do
            mid=$(((lo + hi + 1) / 2))
            archive "$all" "$out" "$mid"
            if (($(stat -c %s "$out") <= max)); then lo=$mid; else hi=$((mid - 1)); fi
        done
        kept=$lo
        archive "$all" "$out" "$kept"
    fi
    (cd "$all" && xargs -r cp -t "../$t" <"../$t.all.list")
    nice -n 10 cargo fuzz run --fuzz-dir fuzz -s none --release "$t" "$min" -- \
        -runs=0 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 2>&1 | tr '\r' '\n' |
        grep -E 'INITED|DONE' | tail -1 >"target/fuzz-seeds/$t.cov" || true
    printf 'fuzz-seeds: %s: %d inputs after merge (%d bytes, archive %d), %d kept (%d bytes), archive %d bytes (budget %d); %s\n' \
        "$t" "$total" "$(bytes "$all")" "$full" "$kept" "$(bytes "$min")" "$(stat -c %s "$out")" "$max" \
        "$(cat "target/fuzz-seeds/$t.cov")"
done
