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
import { EditorView, GutterMarker, gutterLineClass, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter } from "@codemirror/view";
import { Annotation, EditorSelection, RangeSet, StateEffect, StateField } from "@codemirror/state";
import { forEachDiagnostic, lintGutter, lintKeymap, setDiagnostics as lintSetDiagnostics } from "@codemirror/lint";
import { indentWithTab, isolateHistory } from "@codemirror/commands";
import { foldGutter, foldKeymap, foldedRanges, syntaxHighlighting, unfoldEffect } from "@codemirror/language";
import { classHighlighter } from "@lezer/highlight";
import { search, searchKeymap } from "@codemirror/search";
import { foldByIndent, yamlLanguage } from "./yaml-language.js";

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

// A folded block hides its lines' gutter markers (a gutter shows only the markers of the
// lines it draws): the line a fold starts on gets the class `cm-kh-folded-<severity>` of
// the most severe finding folded away (kubeharden's severity, the diagnostic's `level`;
// without one, as the lint severity says: a YAML error is "error", drawn as critical),
// which style.css draws in the lint gutter. Related locations and suppressed findings do not
// count.
class FoldedFindings extends GutterMarker {
  constructor(severity) {
    super();
    this.elementClass = `cm-kh-folded cm-kh-folded-${severity}`;
  }
  eq(other) {
    return other.elementClass === this.elementClass;
  }
}
const LEVELS = ["info", "low", "medium", "high", "critical"];
const LINT_LEVEL = { hint: "low", info: "medium", warning: "high", error: "critical" };
const FOLDED_MARKERS = LEVELS.map((n) => new FoldedFindings(n));

function foldedFindings(state) {
  const folds = [];
  foldedRanges(state).between(0, state.doc.length, (from, to) => {
    folds.push({ from, to, rank: -1 });
  });
  if (folds.length === 0) return RangeSet.empty;
  // Both come in order of position: one sweep (a fold hides what is after the end of its
  // first line, up to its end; folds may nest), not every fold for every finding.
  let first = 0;
  forEachDiagnostic(state, (d, from) => {
    if (d.markClass === "cm-kh-related" || d.markClass === "cm-kh-suppressed") return;
    while (first < folds.length && folds[first].to < from) first++;
    const rank = LEVELS.indexOf(d.khLevel ?? LINT_LEVEL[d.severity]);
    for (let i = first; i < folds.length && folds[i].from < from; i++) {
      if (from <= folds[i].to && rank > folds[i].rank) folds[i].rank = rank;
    }
  });
  const marks = folds.filter((f) => f.rank >= 0).map((f) => FOLDED_MARKERS[f.rank].range(state.doc.lineAt(f.from).from));
  return RangeSet.of(marks, true);
}

const foldedFindingsField = StateField.define({
  create: foldedFindings,
  update(value, tr) {
    // Folds change by effects, by the selection entering one and by edits; findings by
    // `setDiagnostics`, which sends `setCount`.
    const changed = foldedRanges(tr.state) !== foldedRanges(tr.startState) || tr.effects.some((e) => e.is(setCount));
    return changed ? foldedFindings(tr.state) : value;
  },
  provide: (f) => gutterLineClass.from(f),
});

const editorTheme = EditorView.theme({
  "&": { height: "100%" },
  ".cm-scroller": {
    overflow: "auto",
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  },
  ".cm-diagnosticSource": { fontFamily: "monospace" },
  "& > .cm-scroller.cm-kh-typing > .cm-cursorLayer": { animationName: "none !important" },
});

// While the reader types, the cursor stays drawn instead of blinking, and blinks again a
// second after the last key (as most editors do). The blink is a CSS animation, and while one
// runs each keystroke waits for the display's next frame: 6–7 ms more at the median in
// scripts/measure-keystrokes.mjs (issue 16).
const TYPING_MS = 1000;
const steadyWhileTyping = EditorView.domEventHandlers({
  keydown(_event, view) {
    view.scrollDOM.classList.add("cm-kh-typing");
    clearTimeout(view.khTyping);
    view.khTyping = setTimeout(() => view.scrollDOM.classList.remove("cm-kh-typing"), TYPING_MS);
    return false;
  },
});

/**
 * Creates the editor inside `parent`, holding `text`. `onChange()` is called after every
 * change made in the editor (typing, paste, undo), but not after `setText`; it reads the
 * text with `getText` when it needs it (copying a 5 MB text on each keystroke would cost
 * the keystroke milliseconds).
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {() => void} onChange
 * @param {(id: string) => void} onFix  a quick fix chosen in a hover (the finding id)
 * @param {string} [label]  the editor's accessible name (default "Kubernetes manifests")
 * @param {string} [testid]  its content's data-testid (default "editor-content")
 * @returns {EditorView}
 */
export function createEditor(parent, text, onChange, onFix, label, testid) {
  const view = new EditorView({
    parent,
    doc: String(text ?? ""),
    extensions: [
      lineNumbers(),
      foldGutter(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      lintGutter(),
      search({ top: true }),
      // history, default keymap, selection drawing, fallback syntax highlighting
      minimalSetup,
      yamlLanguage,
      foldByIndent,
      // Stable token classes (tok-string, tok-comment, …) coloured by style.css, in light
      // and dark alike (replaces the built-in light-only fallback style).
      syntaxHighlighting(classHighlighter),
      diagnosticsCount,
      foldedFindingsField,
      // The main selection as `from-to` (UTF-16) on the editor's DOM, for tests (what a
      // click in a view of the extras selected, whatever the DOM selection shows).
      EditorView.editorAttributes.compute(["selection"], (s) => ({ "data-selection": `${s.selection.main.from}-${s.selection.main.to}` })),
      // Tab indents; Escape then Tab (or Ctrl-m, then Tab) moves focus on, so the editor
      // never traps keyboard users (CodeMirror's tab focus mode). F8 / Ctrl-Shift-m walk
      // the diagnostics, Ctrl-f searches, Ctrl-Shift-[ folds.
      keymap.of([...searchKeymap, ...foldKeymap, ...lintKeymap, indentWithTab]),
      // A file dropped on the editor replaces its text (undoable with Ctrl+Z).
      EditorView.domEventHandlers({
        drop(event, v) {
          const file = event.dataTransfer?.files?.[0];
          if (!file) return false;
          event.preventDefault();
          file.text().then((t) => replaceAll(v, t));
          return true;
        },
      }),
      editorTheme,
      steadyWhileTyping,
      EditorView.contentAttributes.of({
        "aria-label": label ? String(label) : "Kubernetes manifests",
        // Already in the Tab order (contenteditable); said explicitly so that checkers
        // such as axe see the scroller's focusable content.
        tabindex: "0",
        "data-testid": testid ? String(testid) : "editor-content",
      }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        if (update.transactions.some((tr) => tr.annotation(external))) return;
        if (typeof onChange === "function") onChange();
      }),
    ],
  });
  view.khFix = typeof onFix === "function" ? onFix : null;
  return view;
}

// Replace the document as a user edit (calls onChange; undoable).
function replaceAll(view, text) {
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: String(text ?? "") },
    selection: EditorSelection.cursor(0),
    userEvent: "input.drop",
    annotations: isolateHistory.of("full"),
    scrollIntoView: true,
  });
  view.focus();
}

/**
 * Lets the user choose a local file; its text replaces the document (undoable).
 * @param {EditorView} view
 */
export function pickFile(view) {
  const input = document.createElement("input");
  input.type = "file";
  input.accept = ".yaml,.yml,.json,text/yaml,application/json,text/plain";
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) file.text().then((t) => replaceAll(view, t));
  });
  input.click();
}

/**
 * The colour scheme: "light", "dark" or "" (follow the system), kept in localStorage.
 * `setTheme(name)` applies and stores it; `theme()` reads it.
 */
export function theme() {
  try {
    return localStorage.getItem("kubeharden.theme") || "";
  } catch (_) {
    return "";
  }
}

export function setTheme(name) {
  name = name === "light" || name === "dark" ? name : "";
  try {
    if (name) localStorage.setItem("kubeharden.theme", name);
    else localStorage.removeItem("kubeharden.theme");
  } catch (_) {
    // storage unavailable: the choice lasts for this page only
  }
  if (name) document.documentElement.dataset.theme = name;
  else delete document.documentElement.dataset.theme;
}

// Not in the engine's worker (src/web/worker.rs), which loads this module with the engine
// but has no document.
if (typeof document !== "undefined") setTheme(theme());

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
    // Its own undo step: Ctrl+Z undoes exactly this replacement (an applied fix).
    annotations: [external.of(true), isolateHistory.of("full")],
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
 * `level` is the finding's kubeharden severity (info, low, medium, high, critical), for what a
 * fold that hides it shows (the lint severities have four steps, the severities five).
 * @param {Array<{from:number,to:number,severity:string,level?:string,message:string,source:string,related?:boolean}>} diagnostics
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
    if (LEVELS.includes(d.level)) diagnostic.khLevel = d.level;
    if (d.source != null && d.source !== "") diagnostic.source = String(d.source);
    if (d.related) {
      diagnostic.severity = "hint";
      diagnostic.markClass = "cm-kh-related";
    } else {
      primary += 1;
      if (d.suppressed) diagnostic.markClass = "cm-kh-suppressed";
      else if (d.critical) diagnostic.markClass = "cm-kh-critical";
    }
    if (d.fixId && d.fixTitle) {
      const id = String(d.fixId);
      diagnostic.fixId = id;
      diagnostic.actions = [
        {
          name: "Fix: " + String(d.fixTitle),
          apply: (v) => v.khFix && v.khFix(id),
        },
      ];
    }
    list.push(diagnostic);
  }
  list.sort((a, b) => a.from - b.from || a.to - b.to);
  if (shown(view.state, list)) return;
  const spec = lintSetDiagnostics(view.state, list);
  view.dispatch({ ...spec, effects: [].concat(spec.effects ?? [], setCount.of(primary)) });
}

const SAME = ["severity", "khLevel", "message", "source", "markClass", "fixId"];

/**
 * Whether `list` (sorted by position) is what `state` already shows, each at its range
 * mapped through the edits since it was set. Then `setDiagnostics` dispatches nothing: the
 * underlines change only where a check changed a finding (a keystroke that moves findings
 * along, as typing does, redraws none of them).
 */
function shown(state, list) {
  const now = [];
  forEachDiagnostic(state, (d, from, to) => now.push({ d, from, to }));
  if (now.length !== list.length) return false;
  now.sort((a, b) => a.from - b.from || a.to - b.to);
  return now.every(({ d, from, to }, i) => {
    const n = list[i];
    return from === n.from && to === n.to && SAME.every((k) => d[k] === n[k]);
  });
}

/**
 * A function `(from, to)` that selects the UTF-16 range `from..to` in `view` as
 * `selectRange` does, but leaves the keyboard focus where it is: what the playground's
 * extras' views (Access, Reach) call to land on a line, so that the cell or link pressed
 * keeps the focus and the next Tab goes on through the view instead of indenting the
 * selected lines in the editor.
 */
export function selector(view) {
  return (from, to) => selectRange(view, from, to, false);
}

/**
 * Selects `from..to`, scrolls it into view (centred) and, unless `focus` is false,
 * focuses the editor.
 * @param {EditorView} view
 * @param {number} from
 * @param {number} to
 * @param {boolean} [focus]
 */
export function selectRange(view, from, to, focus = true) {
  const len = view.state.doc.length;
  const anchor = clamp(from, len);
  const head = clamp(to ?? from, len);
  // A range inside a folded block unfolds it: never a selection (and typing) in hidden text.
  const [lo, hi] = anchor < head ? [anchor, head] : [head, anchor];
  const unfold = [];
  foldedRanges(view.state).between(0, len, (a, b) => {
    if (a < hi && b >= lo) unfold.push(unfoldEffect.of({ from: a, to: b }));
  });
  view.dispatch({
    selection: EditorSelection.single(anchor, head),
    effects: [...unfold, EditorView.scrollIntoView(EditorSelection.range(anchor, head), { y: "center" })],
    userEvent: "select",
  });
  if (focus) view.focus();
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

/**
 * Focuses the editor (the skip link from the findings).
 * @param {EditorView} view
 */
export function focusEditor(view) {
  view.focus();
}

/**
 * Menus (`<details class="menu">`, the Export menu) close on Escape, which gives the focus
 * back to their summary, and on a click or focus outside them, as menus do.
 */
export function installMenus() {
  if (document.documentElement.dataset.menus) return;
  document.documentElement.dataset.menus = "1";
  const close = (outside) => {
    for (const menu of document.querySelectorAll("details.menu[open]")) {
      if (!outside || !menu.contains(outside)) menu.removeAttribute("open");
    }
  };
  document.addEventListener("click", (e) => close(e.target));
  document.addEventListener("focusin", (e) => close(e.target));
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    const open = document.activeElement?.closest?.("details.menu[open]");
    close(null);
    open?.querySelector("summary")?.focus();
  });
}

/**
 * Makes `#splitter` resize the split of `#panes` between the editor and the side pane:
 * by dragging, or with the arrow keys (Home/End for the limits) when it has the focus.
 * The share (20–80 % of the width) is kept in localStorage and set through the CSSOM
 * (`--split`), which the Content Security Policy allows. Narrow layouts stack the panes
 * and ignore it.
 */
export function installSplit() {
  const handle = document.getElementById("splitter");
  const panes = document.getElementById("panes");
  if (!handle || !panes || handle.dataset.ready) return;
  handle.dataset.ready = "1";
  const KEY = "kubeharden.split";
  const set = (pct) => {
    pct = Math.round(Math.max(20, Math.min(80, pct)));
    panes.style.setProperty("--split", pct + "%");
    handle.setAttribute("aria-valuenow", String(pct));
    try {
      localStorage.setItem(KEY, String(pct));
    } catch (_) {
      // not kept
    }
  };
  handle.setAttribute("aria-valuemin", "20");
  handle.setAttribute("aria-valuemax", "80");
  let start = 55;
  try {
    start = Number(localStorage.getItem(KEY)) || 55;
  } catch (_) {
    // default
  }
  set(start);
  handle.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    const move = (ev) => {
      const r = panes.getBoundingClientRect();
      set(((ev.clientX - r.left) / r.width) * 100);
    };
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
  });
  handle.addEventListener("keydown", (e) => {
    const now = Number(handle.getAttribute("aria-valuenow")) || 55;
    const step = { ArrowLeft: -5, ArrowRight: 5, ArrowUp: 5, ArrowDown: -5 }[e.key];
    if (step) set(now + step);
    else if (e.key === "Home") set(20);
    else if (e.key === "End") set(80);
    else return;
    e.preventDefault();
  });
}

async function pipe(bytes, stream, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(stream).getReader();
  const parts = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (limit && total > limit) {
      await reader.cancel();
      const e = new Error("too large");
      e.kind = "large";
      throw e;
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Raw deflate (RFC 1951) with the browser's CompressionStream: share links.
 * @param {Uint8Array} bytes
 * @returns {Promise<Uint8Array>}
 */
export function deflateRaw(bytes) {
  return pipe(bytes, new CompressionStream("deflate-raw"), 0);
}

/**
 * Raw inflate with the browser's DecompressionStream, refusing more than `limit` bytes of
 * output. Rejects with a string: "large" (over the limit), "truncated" (the data ends
 * early) or "invalid" (not deflate data).
 * @param {Uint8Array} bytes
 * @param {number} limit
 * @returns {Promise<Uint8Array>}
 */
export async function inflateRaw(bytes, limit) {
  try {
    return await pipe(bytes, new DecompressionStream("deflate-raw"), limit);
  } catch (e) {
    if (e && e.kind === "large") throw "large";
    throw /truncat|end of|unexpected end/i.test(String(e && e.message)) ? "truncated" : "invalid";
  }
}
