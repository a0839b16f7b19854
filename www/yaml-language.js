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
//
// The mode reads a block scalar only from a bare `|` or `>` after a key: with a chomping or
// indentation indicator (`|-`, `>+`, `|2`), or as a sequence entry (`- |`), it went on to
// read the scalar's lines as keys and comments. Here any block scalar header (YAML 1.2,
// 8.1.1) after a key or an entry's `- ` starts the scalar, whose lines are those indented
// deeper than the header's line.
const BLOCK_HEADER = /^\s*[|>][1-9+-]*\s*(#.*)?$/;
export const yamlLanguage = StreamLanguage.define({
  ...yaml,
  startState: () => ({ ...yaml.startState(), entry: false }),
  token(stream, state) {
    if ((state.pairStart || state.entry) && stream.match(BLOCK_HEADER)) {
      state.literal = true;
      state.keyCol = stream.indentation();
      state.pairStart = state.entry = false;
      return "meta";
    }
    const start = stream.pos;
    const style = yaml.token(stream, state);
    // An entry's `- ` read at the start of a line (the mode's "meta"): a value may follow.
    state.entry = start === 0 && style === "meta" && /^\s*-\s+$/.test(stream.current());
    return style;
  },
  tokenTable: { atom: tags.propertyName },
});

// Folding by indentation, YAML's block structure: a line folds the lines after it that are
// indented deeper, and a key's sequence written at the key's own indentation (`key:` then
// `- item`). Blank lines, and comment lines no deeper than the line, inside a block belong to
// it; its end is the last line that is neither. The fold gutter asks this of every line in
// view after every edit, so a block of more than FOLD_LINES lines (a List's `items:` in a
// 5 MB paste) does not fold, rather than cost each keystroke a scan to its end.
const FOLD_LINES = 10000;
const SPACE = 32;
/** The indentation of `text` in spaces, or -1 for a blank line. */
function indentOf(text) {
  let i = 0;
  while (text.charCodeAt(i) === SPACE) i++;
  return /\S/.test(text) ? i : -1;
}
export const foldByIndent = foldService.of((state, from) => {
  const line = state.doc.lineAt(from);
  const indent = indentOf(line.text);
  if (indent < 0 || line.text[indent] === "#") return null;
  const opensSequence = /:\s*(#.*)?$/.test(line.text) && !/^\s*-\s/.test(line.text);
  let end = 0;
  const range = () => (end ? { from: line.to, to: state.doc.line(end).to } : null);
  let n = line.number;
  const last = Math.min(state.doc.lines, line.number + FOLD_LINES);
  const lines = state.doc.iterLines(line.number + 1, last + 1);
  for (let next = lines.next(); !next.done; next = lines.next()) {
    n++;
    const text = next.value;
    const i = indentOf(text);
    if (i < 0 || (i <= indent && text[i] === "#")) continue;
    if (i > indent || (opensSequence && i === indent && text[i] === "-" && (i + 1 === text.length || text[i + 1] === " "))) end = n;
    else return range();
  }
  // The scan reached FOLD_LINES lines, or the end of the text, inside the block.
  return last === state.doc.lines ? range() : null;
});
