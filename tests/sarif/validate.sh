#!/usr/bin/env bash
# Validate kubeharden's SARIF against the SARIF 2.1.0 schema and Microsoft's SARIF rules
# (the validator GitHub code scanning recommends). Fails on any error-level result.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
cd "$here"
[[ -d node_modules/@microsoft/sarif-multitool-linux ]] || npm ci --no-audit --no-fund >/dev/null
tool="$here/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
chmod +x "$tool"
bin="$root/target/debug/kubeharden"
[[ -x $bin ]] || (cd "$root" && cargo build --quiet)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Relative paths (as code scanning uploads them), absolute paths, stdin, errors and notes.
(cd "$root" && "$bin" check --format sarif tests/fixtures tests/data >"$work/relative.sarif" || true)
"$bin" check --format sarif "$root/tests/data" >"$work/absolute.sarif" || true
printf 'a: [1\n---\napiVersion: v1\nkind: Pod\nspec: {hostPID: true, containers: []}\n' |
    "$bin" check --format sarif - >"$work/stdin.sarif" || true
if [[ -d $root/../shared/corpus ]]; then
    (cd "$root/.." && "$bin" check --format sarif shared/corpus/peers >"$work/peers.sarif" || true)
fi

status=0
for log in "$work"/*.sarif; do
    out="$log.validation"
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$tool" validate "$log" --output "$out" --log ForceOverwrite \
        --max-file-size-in-kb 204800 >/dev/null
    python3 - "$log" "$out" <<'PY' || status=1
import json, sys
log, out = sys.argv[1], sys.argv[2]
results = json.load(open(out))["runs"][0].get("results", [])
errors = [r for r in results if r.get("level", "warning") == "error"]
n = len(json.load(open(log))["runs"][0]["results"])
for r in errors[:20]:
    print(f"  {r['ruleId']}: {r['message'].get('arguments')}")
print(f"{log.split('/')[-1]}: {n} results, {len(errors)} validation errors, {len(results) - len(errors)} warnings")
sys.exit(1 if errors else 0)
PY
done
exit $status
