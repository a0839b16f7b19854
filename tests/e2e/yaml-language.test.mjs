// The editors' YAML language (www/yaml-language.js), in Node, against YAML 1.2: which lines
// a fold at a line hides (8.2: a block collection's entries are indented deeper than their
// key or, for a sequence, at the key's own indentation), and which lines the highlighter
// reads as a block scalar's content (8.1). Run: `node --test tests/e2e/yaml-language.test.mjs`
// (needs `npm ci` in www/).

import assert from "node:assert/strict";
import { test } from "node:test";
import { EditorState } from "../../www/node_modules/@codemirror/state/dist/index.js";
import { StringStream, foldable } from "../../www/node_modules/@codemirror/language/dist/index.js";
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

test("a block of more than 10,000 lines does not fold; one of 10,000 that ends the text does", () => {
  const items = (n) => Array.from({ length: n }, (_, i) => `- name: item-${i}`);
  const long = ["kind: List", "items:", ...items(10001), "metadata: {}"].join("\n") + "\n";
  assert.equal(folds(long, 2), null, "items: with 10,001 entries");
  const toEnd = ["kind: List", "items:", ...items(10000)].join("\n");
  assert.deepEqual(folds(toEnd, 2), [3, 10002], "items: with 10,000 entries, the last line of the text");
});

/** Each line of `text` as the highlighter reads it: [token, style] pairs, spaces left out. */
function tokens(text) {
  const parser = yamlLanguage.streamParser;
  const state = parser.startState(2);
  return text.split("\n").map((line) => {
    const stream = new StringStream(line, 4, 2);
    const out = [];
    while (!stream.eol()) {
      const style = parser.token(stream, state);
      const token = stream.current().trim();
      if (token) out.push([token, style ?? null]);
      stream.start = stream.pos;
    }
    return out;
  });
}

test("a block scalar's lines are its content, whatever its header's indicators, after a key or an entry's -", () => {
  for (const header of ["|", "|-", "|+", ">", ">-", "|2", "|2-", "| # a comment"]) {
    const lines = tokens(`data:\n  a.conf: ${header}\n    server: example\n    # not a comment\n  b: 1`);
    assert.deepEqual(lines[2], [["server: example", "string"]], `${header}: a key-like line`);
    assert.deepEqual(lines[3], [["# not a comment", "string"]], `${header}: a comment-like line`);
    assert.deepEqual(lines[4][0], ["b", "atom"], `${header}: the next key, at the key's indentation, is a key again`);
  }
  const entry = tokens("command:\n  - |\n    echo start: now\n  - sleep");
  assert.deepEqual(entry[2], [["echo start: now", "string"]], "- |");
  assert.notDeepEqual(entry[3].at(-1)?.[1], "string", "the next entry is not the scalar's");
});

test("a block scalar folds to its last line, a comment-like one included", () => {
  assert.deepEqual(folds("script: |\n  echo a\n  # done\nnext: 1\n", 1), [2, 3]);
});
