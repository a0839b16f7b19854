import { StreamLanguage, foldService } from "@codemirror/language";
import { yaml } from "@codemirror/legacy-modes/mode/yaml";
import { tags } from "@lezer/highlight";

// The YAML language of both editors (the playground's, www/editor.js, and the widget's,
// www/widget/editor.js), bundled into each by esbuild.
//
// YAML highlighting by CodeMirror's line-by-line YAML mode, whose state is kept per line: an
// edit re-reads the lines from it to the end of the view. (Lezer's YAML grammar,
// @codemirror/lang-yaml, re-parsed the whole text after every keystroke, its incremental
// parse reusing nothing: 16 ms per keystroke at 5,000 lines, issue 16.) Keys are coloured as
// property names, as the grammar did.
export const yamlLanguage = StreamLanguage.define({ ...yaml, tokenTable: { atom: tags.propertyName } });

// Folding by indentation, YAML's block structure: a line folds the lines after it that are
// indented deeper, and a key's sequence written at the key's own indentation (`key:` then
// `- item`). Blank and comment lines inside a block belong to it; its end is the last line
// that is neither. The fold gutter asks this of every line in view after every edit, so a
// block of more than FOLD_LINES lines (a List's `items:` in a 5 MB paste) does not fold,
// rather than cost each keystroke a scan to its end.
const FOLD_LINES = 20000;
const indentOf = (text) => (/\S/.test(text) ? /^ */.exec(text)[0].length : -1);
export const foldByIndent = foldService.of((state, from) => {
  const line = state.doc.lineAt(from);
  const indent = indentOf(line.text);
  if (indent < 0 || /^\s*#/.test(line.text)) return null;
  const opensSequence = /:\s*(#.*)?$/.test(line.text) && !/^\s*-\s/.test(line.text);
  let end = 0;
  const last = Math.min(state.doc.lines, line.number + FOLD_LINES);
  for (let n = line.number + 1; ; n++) {
    if (n > last) return last === state.doc.lines && end ? { from: line.to, to: state.doc.line(end).to } : null;
    const text = state.doc.line(n).text;
    const i = indentOf(text);
    if (i < 0 || /^\s*#/.test(text)) continue;
    if (i > indent || (opensSequence && i === indent && /^ *-(\s|$)/.test(text))) end = n;
    else break;
  }
  return end ? { from: line.to, to: state.doc.line(end).to } : null;
});
