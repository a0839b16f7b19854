#!/usr/bin/env bash
# Peak memory and wall time of `kubeharden check` in every output format on a
# finding-dense input: the YAML files of ../shared/corpus/pss and ../shared/corpus/peers
# concatenated (as documents of one stream) four times, about 10.7 MB.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
corpus=../shared/corpus
[[ -d $corpus/pss && -d $corpus/peers ]] || { echo "bench-memory: $corpus is missing" >&2; exit 1; }
cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$corpus" "$work/big.yaml" <<'PY'
import os, sys
root, out = sys.argv[1], sys.argv[2]
parts = []
for sub in ("pss", "peers"):
    for d, _, files in os.walk(os.path.join(root, sub)):
        for f in sorted(files):
            if f.endswith((".yaml", ".yml")):
                t = open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
                parts.append(t if t.endswith("\n") else t + "\n")
one = "---\n".join(parts)
open(out, "w").write("---\n".join([one] * 4))
PY
size=$(stat -c %s "$work/big.yaml")
echo "input: $size bytes"
for format in human json sarif; do
    /usr/bin/time -f "$format: peak %M KiB, %e s" ./target/release/kubeharden check -j 1 \
        --format "$format" "$work/big.yaml" >/dev/null 2>"$work/time" || true
    tail -1 "$work/time"
done
