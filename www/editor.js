// The playground's editor: CodeMirror 6 behind a small, plain-value API that the Rust/Yew
// side imports with `#[wasm_bindgen(module = "/www/editor.bundle.js")]`.
//
// `node build.mjs` bundles this file with esbuild into `editor.bundle.js` (generated, not
// committed). The bundle loads nothing at run time: no network request, no remote fonts,
// no CDN; every style is injected from the bundle itself.
//
// Positions crossing this boundary are UTF-16 code-unit offsets into the document, which is
// what CodeMirror uses (and what kubeharden's `column_utf16`/offsets map to on the Rust side).
//
// The page's Content Security Policy allows no inline styles (`style-src 'self'`). CodeMirror
// styles the editor through style-mod, which on a document writes a <style> element (blocked);
// build.mjs makes it use a constructed style sheet instead (not an inline style), with its
// rules in a cascade layer so that the page's own stylesheet still takes precedence, as it
// does over the <style> element. CodeMirror sets element styles only through the CSSOM
// (`style.cssText`), which the policy allows.

import { minimalSetup } from "codemirror";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter } from "@codemirror/view";
import { Annotation, EditorSelection, StateEffect, StateField } from "@codemirror/state";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, lintKeymap, setDiagnostics as lintSetDiagnostics } from "@codemirror/lint";

// Marks transactions made by `setText`, so that they do not call `onChange`.
const external = Annotation.define();

// The number of diagnostics given by the last `setDiagnostics` call (the lint state itself only
// counts decoration ranges, which overlapping diagnostics split). Shown on the editor's DOM as
// `data-diagnostics` for tests.
const setCount = StateEffect.define();
const diagnosticsCount = StateField.define({
  create: () => 0,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setCount)) value = e.value;
    return value;
  },
  provide: (f) => EditorView.editorAttributes.from(f, (n) => ({ "data-diagnostics": String(n) })),
});

const SEVERITIES = new Set(["error", "warning", "info", "hint"]);

const theme = EditorView.theme({
  "&": { height: "100%" },
  ".cm-scroller": {
    overflow: "auto",
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  },
  ".cm-diagnosticSource": { fontFamily: "monospace" },
});

/**
 * Creates the editor inside `parent`, holding `text`. `onChange(text)` is called with the
 * whole document after every change made in the editor (typing, paste, undo), but not after
 * `setText`.
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {(text: string) => void} onChange
 * @returns {EditorView}
 */
export function createEditor(parent, text, onChange) {
  const view = new EditorView({
    parent,
    doc: String(text ?? ""),
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      lintGutter(),
      // history, default keymap, selection drawing, fallback syntax highlighting
      minimalSetup,
      yaml(),
      diagnosticsCount,
      // Tab is left unbound, so it moves focus on: the editor never traps keyboard users.
      // F8 / Ctrl-Shift-m walk the diagnostics.
      keymap.of(lintKeymap),
      theme,
      EditorView.contentAttributes.of({
        "aria-label": "Kubernetes manifests",
        "data-testid": "editor-content",
      }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        if (update.transactions.some((tr) => tr.annotation(external))) return;
        if (typeof onChange === "function") onChange(update.state.doc.toString());
      }),
    ],
  });
  return view;
}

/**
 * Replaces the whole document (undoable; does not call `onChange`).
 * @param {EditorView} view
 * @param {string} text
 */
export function setText(view, text) {
  text = String(text ?? "");
  const doc = view.state.doc;
  if (doc.length === text.length && doc.toString() === text) return;
  view.dispatch({
    changes: { from: 0, to: doc.length, insert: text },
    selection: EditorSelection.cursor(0),
    annotations: external.of(true),
    scrollIntoView: true,
  });
}

/**
 * @param {EditorView} view
 * @returns {string}
 */
export function getText(view) {
  return view.state.doc.toString();
}

function clamp(n, max) {
  n = Number(n);
  if (!Number.isFinite(n)) return 0;
  return Math.max(0, Math.min(Math.trunc(n), max));
}

/**
 * Shows `diagnostics` (replacing the previous ones): an underline per range, a severity
 * marker in the gutter, and on hover the message and its `source` (the rule id).
 * @param {EditorView} view
 * A diagnostic with `related: true` is a finding's secondary location: a dotted underline
 * (class `cm-kh-related`), no gutter severity of its own, not counted in `data-diagnostics`.
 * @param {Array<{from:number,to:number,severity:string,message:string,source:string,related?:boolean}>} diagnostics
 */
export function setDiagnostics(view, diagnostics) {
  const doc = view.state.doc;
  const len = doc.length;
  const list = [];
  let primary = 0;
  for (const d of Array.from(diagnostics ?? [])) {
    if (!d) continue;
    let from = clamp(d.from, len);
    let to = clamp(d.to, len);
    if (to < from) [from, to] = [to, from];
    if (from === to) {
      // Widen an empty range so that something is underlined: to the end of its line, or,
      // at the end of a line, back to the line's first non-blank character.
      const line = doc.lineAt(from);
      if (from < line.to) {
        to = line.to;
      } else {
        const indent = /^\s*/.exec(line.text)[0].length;
        from = Math.min(line.from + indent, from);
      }
    }
    const severity = SEVERITIES.has(d.severity) ? d.severity : "info";
    const diagnostic = { from, to, severity, message: String(d.message ?? "") };
    if (d.source != null && d.source !== "") diagnostic.source = String(d.source);
    if (d.related) {
      diagnostic.severity = "hint";
      diagnostic.markClass = "cm-kh-related";
    } else {
      primary += 1;
    }
    list.push(diagnostic);
  }
  list.sort((a, b) => a.from - b.from || a.to - b.to);
  const spec = lintSetDiagnostics(view.state, list);
  view.dispatch({ ...spec, effects: [].concat(spec.effects ?? [], setCount.of(primary)) });
}

/**
 * Selects `from..to`, scrolls it into view (centred) and focuses the editor.
 * @param {EditorView} view
 * @param {number} from
 * @param {number} to
 */
export function selectRange(view, from, to) {
  const len = view.state.doc.length;
  const anchor = clamp(from, len);
  const head = clamp(to ?? from, len);
  view.dispatch({
    selection: EditorSelection.single(anchor, head),
    effects: EditorView.scrollIntoView(EditorSelection.range(anchor, head), { y: "center" }),
    userEvent: "select",
  });
  view.focus();
}

/**
 * Copies `text` to the clipboard; rejects when neither the Clipboard API nor the
 * `execCommand("copy")` fallback works.
 * @param {string} text
 * @returns {Promise<void>}
 */
export async function copyText(text) {
  text = String(text ?? "");
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
  } catch (_) {
    // denied or unavailable: fall back below
  }
  const active = document.activeElement;
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;pointer-events:none;";
  document.body.appendChild(area);
  let ok = false;
  try {
    area.select();
    area.setSelectionRange(0, text.length);
    ok = document.execCommand("copy");
  } catch (_) {
    ok = false;
  } finally {
    area.remove();
    if (active && typeof active.focus === "function") active.focus();
  }
  if (!ok) throw new Error("copying to the clipboard is not allowed here");
}

/**
 * Offers `text` as a file download named `filename`.
 * @param {string} filename
 * @param {string} text
 */
export function downloadText(filename, text) {
  const blob = new Blob([String(text ?? "")], { type: "application/yaml;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = String(filename || "manifest.yaml");
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Revoke once the browser has taken the download.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

/**
 * High-resolution time in milliseconds (the Rust library has no clock of its own).
 * @returns {number}
 */
export function nowMs() {
  return performance.now();
}
