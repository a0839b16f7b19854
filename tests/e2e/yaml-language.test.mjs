// The editors' folding by indentation (www/yaml-language.js), in Node: which lines a fold at
// a line hides, against YAML's block structure (YAML 1.2, 8.2: block collections, whose
// entries are indented deeper than their key, or, for a sequence, at the key's own
// indentation). Run: `node --test tests/e2e/yaml-language.test.mjs` (needs `npm ci` in www/).

import assert from "node:assert/strict";
import { test } from "node:test";
import { EditorState } from "../../www/node_modules/@codemirror/state/dist/index.js";
import { foldable } from "../../www/node_modules/@codemirror/language/dist/index.js";
import { foldByIndent, yamlLanguage } from "../../www/yaml-language.js";

/** The lines (1-based, inclusive) a fold at line `n` of `text` hides, or null. */
function folds(text, n) {
  const state = EditorState.create({ doc: text, extensions: [yamlLanguage, foldByIndent] });
  const line = state.doc.line(n);
  const range = foldable(state, line.from, line.to);
  return range && [state.doc.lineAt(range.from).number + 1, state.doc.lineAt(range.to).number];
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  # a comment inside the block
  labels:
    app: web

spec:
  containers:
  - name: web
    image: nginx
    args:
      - |
        a block scalar
        of two lines
---
kind: Other
`;

test("a key folds the lines indented deeper, through blank and comment lines, to its block's last line", () => {
  assert.deepEqual(folds(POD, 3), [4, 7], "metadata: to app: web (the blank line after it is not the block's)");
  assert.deepEqual(folds(POD, 6), [7, 7], "labels:");
  assert.equal(folds(POD, 1), null, "apiVersion: v1 has no block");
  assert.equal(folds(POD, 5), null, "a comment line does not fold");
  assert.equal(folds(POD, 8), null, "a blank line does not fold");
});

test("a key's sequence at its own indentation is its block; an entry folds its map; a block scalar folds", () => {
  assert.deepEqual(folds(POD, 10), [11, 16], "containers: then `- name` at the same indentation");
  assert.deepEqual(folds(POD, 11), [12, 16], "- name: web");
  assert.deepEqual(folds(POD, 14), [15, 16], "- |");
  assert.deepEqual(folds(POD, 9), [10, 16], "spec: stops at the next document's ---");
  assert.equal(folds(POD, 17), null, "--- has no block");
});

test("a block of more than 20,000 lines does not fold; one of 20,000 that ends the text does", () => {
  const items = (n) => Array.from({ length: n }, (_, i) => `- name: item-${i}`);
  const long = ["kind: List", "items:", ...items(20001), "metadata: {}"].join("\n") + "\n";
  assert.equal(folds(long, 2), null, "items: with 20,001 entries");
  const toEnd = ["kind: List", "items:", ...items(20000)].join("\n");
  assert.deepEqual(folds(toEnd, 2), [3, 20002], "items: with 20,000 entries, the last line of the text");
});
