#!/usr/bin/env bash
# Peak memory and wall time of `kubeharden check` in every output format on a
# finding-dense input: the YAML files of ../shared/corpus/pss and ../shared/corpus/peers
# concatenated (as documents of one stream) four times, about 10.7 MB: with every rule, and
# with the rules of the catalogue before the whole-bundle engine.
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
echo "input: $size bytes (16x: $((size * 16 / 1024)) KiB)"
# The 29 rules of the catalogue when the whole-bundle engine was designed (commit e4b565d):
# the same rules before and after, for the architecture's own cost.
before=(allow-privilege-escalation apparmor-override capabilities-baseline capabilities-restricted
    container-runtime-socket cpu-limits duplicate-key host-namespaces host-path-volumes host-ports
    host-probes invalid-field-type invalid-suppression memory-limits net-raw-capability
    privileged-container proc-mount-restricted proc-mount-unmasked read-only-root-filesystem
    restricted-volume-types run-as-non-root run-as-user-root seccomp-required seccomp-unconfined
    secret-in-env selinux-override sensitive-host-path unsafe-sysctls windows-host-process)
only=()
for r in "${before[@]}"; do only+=(--rule "$r"); done
for rules in all before; do
    for format in human json sarif; do
        args=()
        [[ $rules == before ]] && args=("${only[@]}")
        /usr/bin/time -f "$format, $rules rules: peak %M KiB, %e s" ./target/release/kubeharden \
            check -j 1 "${args[@]}" --format "$format" "$work/big.yaml" >/dev/null 2>"$work/time" || true
        tail -1 "$work/time"
    done
done
