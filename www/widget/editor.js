// The editable widget's editor: CodeMirror 6 in the widget's shadow root, loaded by
// kubeharden-widget.js only for widgets with the `editable` attribute (a read-only page
// never downloads it). Bundled by build.mjs into dist/kubeharden-widget-editor.js.
//
// Positions are UTF-16 offsets, what CodeMirror counts and what the report's `offset_utf16`
// gives. In a shadow root CodeMirror's styles go into a constructed style sheet (adopted by
// the root), which a `style-src 'self'` policy allows.

import { minimalSetup } from "codemirror";
import { EditorView, lineNumbers } from "@codemirror/view";
import { yamlLanguage } from "../yaml-language.js";
import { lintGutter, setDiagnostics as lintSetDiagnostics } from "@codemirror/lint";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

// The read-only view's colours (the widget's --kh-* properties), in light and dark alike.
const colours = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.propertyName, color: "var(--kh-key)" },
    { tag: tags.string, color: "var(--kh-string)" },
    { tag: tags.comment, color: "var(--kh-comment)", fontStyle: "italic" },
    { tag: [tags.number, tags.bool, tags.keyword, tags.atom, tags.variableName], color: "var(--kh-literal)" },
  ]),
);

// @codemirror/lint draws its underlines and gutter markers as data: images, which the strict
// policy (`default-src 'self'`, no img-src data:) blocks: the widget draws them with text
// decoration and characters instead (severity by shape, not colour alone).
const noDataImages = EditorView.theme({
  ".cm-lintRange": { backgroundImage: "none !important", textDecoration: "underline wavy", textDecorationSkipInk: "none", textUnderlineOffset: "3px" },
  ".cm-lintRange-error": { textDecorationColor: "var(--kh-critical)" },
  ".cm-lintRange-warning": { textDecorationColor: "var(--kh-medium)" },
  ".cm-lintRange-info": { textDecorationColor: "var(--kh-low)" },
  ".cm-lint-marker": { content: "none !important", width: "auto", height: "auto", fontWeight: "700", textAlign: "center" },
  ".cm-lint-marker-error": { color: "var(--kh-critical)" },
  ".cm-lint-marker-error::before": { content: '"!"' },
  ".cm-lint-marker-warning": { color: "var(--kh-medium)" },
  ".cm-lint-marker-warning::before": { content: '"▲"' },
  ".cm-lint-marker-info": { color: "var(--kh-low)" },
  ".cm-lint-marker-info::before": { content: '"i"' },
  ".cm-gutters": { backgroundColor: "var(--kh-code-bg)", color: "var(--kh-muted)", borderRight: "1px solid var(--kh-border)" },
  "&": { color: "var(--kh-fg)" },
  ".cm-content": { caretColor: "var(--kh-fg)" },
});

/**
 * An editor in `parent` (inside `root`, the shadow root) holding `text`; `onChange(text)`
 * after each edit by the reader. `label` is its accessible name.
 */
export function createEditor(parent, root, text, onChange, label) {
  const view = new EditorView({
    doc: text,
    parent,
    root,
    extensions: [
      minimalSetup,
      lineNumbers(),
      yamlLanguage,
      colours,
      lintGutter(),
      noDataImages,
      EditorView.contentAttributes.of({ "aria-label": label, "data-testid": "widget-editor" }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u.state.doc.toString());
      }),
    ],
  });
  return view;
}

/** Shows `diagnostics` ({from, to, severity: error|warning|info, message, source}) in `view`. */
export function setDiagnostics(view, diagnostics) {
  const length = view.state.doc.length;
  const clamped = diagnostics.map((d) => ({
    ...d,
    from: Math.min(d.from, length),
    to: Math.min(Math.max(d.to, d.from), length),
  }));
  view.dispatch(lintSetDiagnostics(view.state, clamped));
}
