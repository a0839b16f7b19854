#!/usr/bin/env node
// The playground's rule documentation text and examples, fetched on demand by a finding's
// rule doc panel (src/web/rule_doc.rs) instead of being compiled into the WebAssembly (its
// build has neither the library's `rule-docs` nor its `rule-examples` feature): reads the
// output of `kubeharden rules --format json` (the library's RuleDoc model, built with the
// default features: the docs from policies/, the examples embedded from tests/fixtures by
// build.rs) on standard input and writes www/rule-examples.json with each rule's `id`,
// `rationale`, `remediation`, `fix_text` (the fix policy's reason or guidance),
// `references`, `example.text`, `use_instead.text` and `use_instead.kind` only. Trunk copies
// it into dist/ (www/index.html). Run by `scripts/wasm-toolchain.sh dist`.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const docs = JSON.parse(readFileSync(0, "utf8"));
if (!Array.isArray(docs) || docs.length === 0) throw new Error("expected the rule docs as a non-empty JSON array");
const out = docs.map((d) => {
  if (!d.example?.text) throw new Error(`rule ${d.id} has no example (built without the rule-examples feature?)`);
  for (const key of ["rationale", "remediation"]) {
    if (!d[key]) throw new Error(`rule ${d.id} has no ${key} (built without the rule-docs feature?)`);
  }
  if (!d.fix?.text || !d.references?.length) throw new Error(`rule ${d.id} has no fix text or references`);
  return {
    id: d.id,
    rationale: d.rationale,
    remediation: d.remediation,
    fix_text: d.fix.text,
    references: d.references,
    example: { text: d.example.text },
    use_instead: d.use_instead ? { text: d.use_instead.text, kind: d.use_instead.kind } : null,
  };
});
const file = join(dirname(fileURLToPath(import.meta.url)), "..", "www", "rule-examples.json");
writeFileSync(file, JSON.stringify(out) + "\n");
console.log(`${file}: ${out.length} rules`);
