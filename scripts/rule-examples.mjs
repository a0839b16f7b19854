#!/usr/bin/env node
// The playground's rule examples, fetched on demand by a finding's rule doc panel
// (src/web/rule_doc.rs) instead of being compiled into the WebAssembly: reads the output of
// `kubeharden rules --format json` (the library's RuleDoc model, examples embedded from
// tests/fixtures by build.rs) on standard input and writes www/rule-examples.json with each
// rule's `id`, `example.text`, `use_instead.text` and `use_instead.kind` only. Trunk copies it
// into dist/ (www/index.html). Run by `scripts/wasm-toolchain.sh dist`.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const docs = JSON.parse(readFileSync(0, "utf8"));
if (!Array.isArray(docs) || docs.length === 0) throw new Error("expected the rule docs as a non-empty JSON array");
const out = docs.map((d) => {
  if (!d.example?.text) throw new Error(`rule ${d.id} has no example (built without the rule-examples feature?)`);
  return {
    id: d.id,
    example: { text: d.example.text },
    use_instead: d.use_instead ? { text: d.use_instead.text, kind: d.use_instead.kind } : null,
  };
});
const file = join(dirname(fileURLToPath(import.meta.url)), "..", "www", "rule-examples.json");
writeFileSync(file, JSON.stringify(out) + "\n");
console.log(`${file}: ${out.length} rules`);
