// <kubeharden-check>: a Kubernetes manifest checked live in the reader's browser, for docs
// pages. One tag loads it:
//
//   <script type="module" src="kubeharden-widget.js"></script>
//   <kubeharden-check profile="restricted" kube-version="1.29">
//     <pre><code>apiVersion: v1 ...</code></pre>          (or a <template>, or src="app.yaml")
//   </kubeharden-check>
//
// Attributes (docs/widget.md): profile, kube-version, rules, show (findings | hardened |
// diff), editable, unsafe-fixes, theme (auto | light | dark), height, src, config (the text
// of a .kubeharden.yaml) or config-src (a same-origin URL of one), loading (lazy | eager),
// playground. Changing one re-checks. Events: `kubeharden-result` (detail: the
// report) after each check. Theming: CSS custom properties (--kh-*) and ::part().
//
// Every widget of a page shares one engine (the `kubeharden` package in ./pkg/), run in one
// Web Worker (engine.js; on the page where no worker can start): its wasm is fetched once,
// when the first widget scrolls into view: the check-only engine when every widget opens on
// its findings, the full one (the fixer and the differ) when one opens on the hardened YAML
// or the diff, or once the reader opens such a tab. CodeMirror is loaded only for
// `editable` widgets. No inline script or style (styles are a constructed style sheet),
// no eval, no request to another origin. User text only ever goes into textContent.
//
// Importing this module on a server (static site generators) defines nothing and touches
// no browser global.

import { ask, canFix, loadFull, onPage } from "./engine.js";

const TAG = "kubeharden-check";
const SEVERITIES = ["critical", "high", "medium", "low", "info"];
// Severity is told by a symbol and a word, never by colour alone.
const SYMBOL = { critical: "‼", high: "!", medium: "▲", low: "▽", info: "i", error: "✖" };
const RECHECK_MS = 150;
// The findings list renders this many entries, and "Show more" as many again, up to
// MAX_RENDERED; at most UNDERLINES findings are marked in the code, the most severe first.
// A page pasted with thousands of Pods would otherwise hold the reader's thread for
// seconds (the playground's limits: src/web/findings.rs, src/web/editor.rs).
const WINDOW = 200;
const MAX_RENDERED = 5000;
const UNDERLINES = 10000;
const CHUNK_LINES = 100;

const CSS = `
:host {
  --kh-bg: light-dark(#ffffff, #1e1f22);
  --kh-fg: light-dark(#1f2328, #e6e6e6);
  --kh-muted: light-dark(#59636e, #9aa0a6);
  --kh-border: light-dark(#d0d7de, #3c4043);
  --kh-code-bg: light-dark(#f6f8fa, #26282c);
  --kh-accent: light-dark(#0b57d0, #8ab4f8);
  --kh-critical: light-dark(#a50e0e, #ff8a80);
  --kh-high: light-dark(#c5221f, #f28b82);
  --kh-medium: light-dark(#8a5300, #fdd663);
  --kh-low: light-dark(#1a5fb4, #8ab4f8);
  --kh-info: light-dark(#5f6368, #bdc1c6);
  --kh-key: light-dark(#0550ae, #79c0ff);
  --kh-string: light-dark(#0a3069, #a5d6ff);
  --kh-comment: light-dark(#57606a, #8b949e);
  --kh-literal: light-dark(#8250df, #d2a8ff);
  --kh-added: light-dark(#dafbe1, #1c3a26);
  --kh-removed: light-dark(#ffebe9, #4a2125);
  --kh-font: system-ui, sans-serif;
  --kh-font-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  --kh-radius: 6px;
  color-scheme: light dark;
  display: block;
  margin: 1em 0;
  font: 14px/1.45 var(--kh-font);
  color: var(--kh-fg);
}
:host([theme="light"]) { color-scheme: light; }
:host([theme="dark"]) { color-scheme: dark; }
:host([hidden]) { display: none; }
.frame { border: 1px solid var(--kh-border); border-radius: var(--kh-radius); background: var(--kh-bg); overflow: hidden; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: .25em .75em; padding: .3em .6em; border-bottom: 1px solid var(--kh-border); }
.tabs { display: flex; gap: .25em; }
.tab { font: inherit; color: inherit; background: none; border: 0; border-bottom: 2px solid transparent; padding: .25em .5em; cursor: pointer; }
.tab[aria-selected="true"] { border-bottom-color: var(--kh-accent); font-weight: 600; }
a:focus-visible, .code:focus-visible, .line:focus, button:focus-visible { outline: 2px solid var(--kh-accent); outline-offset: 1px; }
.status { margin: 0; color: var(--kh-muted); flex: 1; }
.meter { width: 6em; }
a { color: var(--kh-accent); }
.panel { overflow: auto; }
.code { box-sizing: border-box; margin: 0; padding: .4em 0; background: var(--kh-code-bg); font: 13px/1.5 var(--kh-font-mono); white-space: pre; overflow: auto; tab-size: 2; }
.line { display: block; padding-right: .6em; }
.chunk { display: block; content-visibility: auto; min-width: 100%; width: max-content; }
.line.current { background: color-mix(in srgb, var(--kh-accent) 15%, transparent); }
.gutter { display: inline-block; width: 4.2em; user-select: none; color: var(--kh-muted); text-align: right; }
.num { display: inline-block; min-width: 2.4em; }
.marker { display: inline-block; width: 1.4em; text-align: center; font-weight: 700; }
.k { color: var(--kh-key); } .s { color: var(--kh-string); } .c { color: var(--kh-comment); font-style: italic; } .l { color: var(--kh-literal); } .p { color: var(--kh-muted); }
.u { text-decoration: underline wavy; text-decoration-skip-ink: none; text-underline-offset: 3px; }
.u-critical, .u-error { text-decoration-color: var(--kh-critical); } .m-critical, .sev-critical, .m-error, .sev-error { color: var(--kh-critical); }
.u-high { text-decoration-color: var(--kh-high); } .m-high, .sev-high { color: var(--kh-high); }
.u-medium { text-decoration-color: var(--kh-medium); } .m-medium, .sev-medium { color: var(--kh-medium); }
.u-low { text-decoration-color: var(--kh-low); } .m-low, .sev-low { color: var(--kh-low); }
.u-info { text-decoration-color: var(--kh-info); } .m-info, .sev-info { color: var(--kh-info); }
.list { list-style: none; margin: 0; padding: 0; }
.item { padding: .45em .7em; border-top: 1px solid var(--kh-border); }
.item:first-child { border-top: 0; }
.head { display: flex; flex-wrap: wrap; gap: .2em .6em; align-items: baseline; }
.sev { font-weight: 700; text-transform: uppercase; font-size: .8em; letter-spacing: .03em; }
.rule { font: 12px var(--kh-font-mono); color: var(--kh-muted); }
.goto { font: inherit; color: var(--kh-accent); background: none; border: 0; padding: 0; cursor: pointer; text-decoration: underline; }
.msg { margin: .15em 0 0; }
details { margin-top: .25em; color: var(--kh-muted); }
details p { margin: .3em 0; color: var(--kh-fg); }
summary { cursor: pointer; }
.more { padding: .5em .7em; margin: 0; color: var(--kh-muted); }
.more button { font: inherit; margin-left: .5em; }
.empty, .note { padding: .6em .7em; margin: 0; color: var(--kh-muted); }
.alert { padding: .6em .7em; margin: 0; color: var(--kh-critical); }
.diff .add { background: var(--kh-added); } .diff .del { background: var(--kh-removed); } .diff .hunk { color: var(--kh-muted); }
.diff .line { padding-left: .6em; }
.tools { display: flex; gap: .6em; padding: .4em .7em; border-top: 1px solid var(--kh-border); align-items: center; flex-wrap: wrap; }
.tools button { font: inherit; color: inherit; background: var(--kh-code-bg); border: 1px solid var(--kh-border); border-radius: 4px; padding: .1em .6em; cursor: pointer; }
.editor .cm-editor { background: var(--kh-code-bg); font-size: 13px; max-height: inherit; }
.editor .cm-scroller { overflow: auto; }
.editor .cm-editor.cm-focused { outline: 2px solid var(--kh-accent); }
@media (prefers-reduced-motion: no-preference) { .line.current { transition: background .3s; } }
`;

let sheet = null;
function styleSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

/** `el` with its attributes, classes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c != null) el.append(c);
  return el;
}

/** Text written inside HTML: without its first and last blank lines and common indentation. */
export function dedent(text) {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length && !lines[0].trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)[0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join("\n") + (lines.length ? "\n" : "");
}

// YAML tokens of one line, as [from, to, class] (k key, s string, c comment, l literal,
// p punctuation). A highlighter for reading, not a parser: the engine parses.
const LITERAL = /^(true|false|yes|no|on|off|null|~|-?\d[\d_]*(\.\d+)?([eE][-+]?\d+)?|0x[\da-fA-F]+|0o?[0-7]+)$/i;
function tokens(line) {
  const out = [];
  let i = 0;
  const n = line.length;
  const push = (a, b, c) => b > a && out.push([a, b, c]);
  if (/^(---|\.\.\.)(\s|$)/.test(line)) return [[0, 3, "p"], ...commentAt(line, 3)];
  while (i < n) {
    const ch = line[i];
    if (ch === " " || ch === "\t") { i++; continue; }
    if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]))) { push(i, n, "c"); break; }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < n && line[j] !== ch) j += line[j] === "\\" && ch === '"' ? 2 : 1;
      j = Math.min(j + 1, n);
      const key = /^\s*:(\s|$)/.test(line.slice(j));
      push(i, j, key ? "k" : "s");
      i = j;
      continue;
    }
    if ("-?:,[]{}|>&*!".includes(ch) && (ch !== "-" || /\s|$/.test(line[i + 1] ?? " "))) {
      if (ch === "&" || ch === "*" || ch === "!") {
        let j = i + 1;
        while (j < n && !/[\s,\]}]/.test(line[j])) j++;
        push(i, j, "l");
        i = j;
        continue;
      }
      push(i, i + 1, "p");
      i++;
      continue;
    }
    // A plain scalar: up to ": ", " #", or a flow indicator.
    let j = i;
    while (j < n && !(line[j] === ":" && /\s|$/.test(line[j + 1] ?? " ")) && !(line[j] === "#" && /\s/.test(line[j - 1])) && !",[]{}".includes(line[j])) j++;
    let end = j;
    while (end > i && /\s/.test(line[end - 1])) end--;
    const word = line.slice(i, end);
    const isKey = line[j] === ":";
    push(i, end, isKey ? "k" : LITERAL.test(word) ? "l" : "s");
    i = j;
  }
  return out;
}
function commentAt(line, from) {
  const m = /\s#.*$/.exec(line.slice(from));
  return m ? [[from + m.index + 1, line.length, "c"]] : [];
}

/**
 * The text as lines of spans: highlighted tokens, and `marks` ({from, to, severity, label}
 * in UTF-16 offsets) underlined, with a gutter marker on each mark's first line. Returns
 * the line elements (index 0 = line 1).
 */
function renderCode(pre, text, marks = []) {
  pre.replaceChildren();
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const els = [];
  let start = 0;
  const rank = (s) => (s === "error" ? -1 : SEVERITIES.indexOf(s));
  const worst = (ms) => ms.reduce((a, m) => (a && rank(a.severity) <= rank(m.severity) ? a : m), null);
  // The marks' indices by where they start: each line takes those that start by its end and
  // keeps those still open, so that the work grows with lines plus marks, not their product.
  const byStart = marks.map((_, i) => i).sort((x, y) => marks[x].from - marks[y].from || x - y);
  let next = 0;
  let open = [];
  // A long text's lines go into blocks of CHUNK_LINES that the browser lays out only near
  // the view (content-visibility: auto): a text of thousands of lines shows at once.
  let chunk = null;
  for (let li = 0; li < lines.length; li++) {
    if (lines.length > CHUNK_LINES && li % CHUNK_LINES === 0) {
      chunk = h("span", { class: "chunk" });
      chunk.style.containIntrinsicBlockSize = `auto ${1.5 * Math.min(CHUNK_LINES, lines.length - li)}em`;
      pre.append(chunk);
    }
    const line = lines[li];
    const end = start + line.length;
    while (next < byStart.length && marks[byStart[next]].from <= end) open.push(byStart[next++]);
    // Marks on this line (an empty one, where a missing field would go, at its position), in
    // the order they were given.
    open = open.filter((i) => (marks[i].from === marks[i].to ? marks[i].from >= start : marks[i].to > start));
    const here = [...open].sort((x, y) => x - y).map((i) => marks[i]);
    const starting = here.filter((m) => m.from >= start);
    const gutterMark = worst(starting);
    const bounds = new Set([0, line.length]);
    const toks = tokens(line);
    for (const [a, b] of toks) bounds.add(a).add(b);
    const local = here.map((m) => {
      let a = Math.max(0, m.from - start);
      let b = Math.min(line.length, m.to - start);
      if (b <= a) b = Math.min(line.length, a + 1);
      if (b <= a) a = Math.max(0, b - 1);
      bounds.add(a).add(b);
      return { a, b, m };
    });
    const cuts = [...bounds].sort((x, y) => x - y);
    const text = h("span", { class: "text" });
    for (let k = 0; k + 1 < cuts.length; k++) {
      const [a, b] = [cuts[k], cuts[k + 1]];
      const tok = toks.find(([x, y]) => x <= a && b <= y);
      const over = local.filter((x) => x.a <= a && b <= x.b).map((x) => x.m);
      const cls = [tok ? tok[2] : "", over.length ? `u u-${worst(over).severity}` : ""].join(" ").trim();
      const seg = line.slice(a, b);
      text.append(cls ? h("span", { class: cls, title: over.map((m) => m.label).join("\n") || null, text: seg }) : seg);
    }
    const marker = h("span", { class: "marker" + (gutterMark ? ` m-${gutterMark.severity}` : ""), title: gutterMark ? starting.map((m) => m.label).join("\n") : null, text: gutterMark ? SYMBOL[gutterMark.severity] : "" });
    const el = h("span", { class: "line", "data-line": li + 1, "data-marked": gutterMark ? gutterMark.severity : null, tabindex: "-1" },
      h("span", { class: "gutter", "aria-hidden": "true" }, h("span", { class: "num", text: String(li + 1) }), marker), text, "\n");
    (chunk ?? pre).append(el);
    els.push(el);
    start = end + 1;
  }
  return els;
}

function renderDiff(pre, diff) {
  pre.replaceChildren();
  for (const line of diff.replace(/\n$/, "").split("\n")) {
    const cls = line.startsWith("@@") ? "hunk" : line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : "";
    pre.append(h("span", { class: `line ${cls}`, text: line + "\n" }));
  }
}

const base64url = (bytes) => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

/** The playground's share fragment (src/web/share.rs: `v1.` base64url(raw deflate(JSON))). */
export async function shareFragment(text, profile, kubeVersion, unsafeFixes, config) {
  const state = { t: text };
  if (config) state.c = config;
  if (profile === "baseline" || profile === "restricted") state.p = profile;
  const minor = /^v?1\.(\d+)(\.\d+)?$/.exec((kubeVersion || "").trim());
  if (minor) state.k = `1.${Number(minor[1])}${minor[2] ? `.${Number(minor[2].slice(1))}` : ""}`;
  if (unsafeFixes) state.u = true;
  const stream = new Blob([JSON.stringify(state)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return "#v1." + base64url(new Uint8Array(await new Response(stream).arrayBuffer()));
}

// One observer for every widget: each is checked when it first comes near the viewport.
let observer = null;
function whenVisible(el, then) {
  if (typeof IntersectionObserver === "undefined") return then();
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        observer.unobserve(e.target);
        e.target._khVisible?.();
      }
    },
    { rootMargin: "200px" },
  );
  el._khVisible = then;
  observer.observe(el);
}

// Same-origin files by URL (manifests of src=, configurations of config-src=), fetched once
// for the page: a site's one .kubeharden.yaml serves all its widgets. A failed fetch is
// forgotten, so a later widget tries again.
const files = new Map();
function fetchText(url) {
  let p = files.get(url);
  if (!p) {
    p = fetch(url).then((r) => {
      if (!r.ok) throw new Error(`the server answered ${r.status}`);
      return r.text();
    });
    p.catch(() => files.delete(url));
    files.set(url, p);
  }
  return p;
}

/** The URL of `value` (relative to the page) if it is on this origin, else null. */
function sameOrigin(value) {
  const url = new URL(value, document.baseURI);
  return url.origin === location.origin ? url.href : null;
}

// Which engine a page loads: the check-only one (initCheck()) when every widget of the page
// opens on its findings, else the full one (init(): the fixer and the differ), for all of
// them, so a page fetches one wasm; the full one also when a reader opens a Hardened YAML
// or Diff tab (once for the page).
const opensOnFixes = (el) => ["hardened", "diff"].includes(el.getAttribute("show"));

let editorModule = null;
const loadEditor = () => (editorModule ??= import("./kubeharden-widget-editor.js"));

let serial = 0;

function defineElement() {
  class KubehardenCheck extends HTMLElement {
    static observedAttributes = ["profile", "kube-version", "rules", "show", "editable", "unsafe-fixes", "theme", "height", "src", "config", "config-src", "playground"];

    #root;
    #ui = null;
    #text = null;
    // The configuration's text ("" for none); null while config-src loads or when it failed.
    #config = "";
    #configError = null;
    #report = null;
    #fixed = null;
    #visible = false;
    #timer = 0;
    #editor = null;
    #id = ++serial;
    #shareToken = 0;
    /** Checks started (the newest answers) and the promise of the newest. */
    #checks = 0;
    #checking = null;
    /** Why the manifest of `src` could not be read (nothing is checked then), or null. */
    #sourceError = null;
    /** The last failure #fail showed (the Hardened YAML and Diff tabs show it too). */
    #lastError = null;

    constructor() {
      super();
      this.#root = this.attachShadow({ mode: "open" });
      this.#root.adoptedStyleSheets = [styleSheet()];
    }

    /** The manifest text (setting it re-checks). */
    get source() {
      return this.#text ?? "";
    }
    set source(text) {
      this.#sourceError = null;
      this.#text = String(text);
      this.#fixed = null;
      if (this.#editor && this.#editor.state.doc.toString() !== this.#text) {
        this.#editor.dispatch({ changes: { from: 0, to: this.#editor.state.doc.length, insert: this.#text } });
      }
      this.#renderSource();
      this.#schedule(0);
    }

    /** The `config` attribute: a .kubeharden.yaml's text (setting it re-checks; null removes it). */
    get config() {
      return this.getAttribute("config");
    }
    set config(text) {
      if (text == null) this.removeAttribute("config");
      else this.setAttribute("config", String(text));
    }

    /** The last report (null before the first check). */
    get report() {
      return this.#report;
    }

    connectedCallback() {
      if (!this.#ui) this.#build();
      Promise.all([this.#loadSource(), this.#loadConfig()]).then(() => {
        if (this.getAttribute("loading") === "eager") this.#becomeVisible();
        else whenVisible(this, () => this.#becomeVisible());
      });
    }

    disconnectedCallback() {
      observer?.unobserve(this);
    }

    attributeChangedCallback(name, old, value) {
      if (!this.#ui || old === value) return;
      if (name === "theme") return;
      if (name === "height") return this.#applyHeight();
      if (name === "show") return this.#select(this.#tabName());
      if (name === "src") {
        this.#fixed = null;
        return void this.#loadSource().then(() => this.#schedule(0));
      }
      if (name === "config" || name === "config-src") {
        this.#fixed = null;
        return void this.#loadConfig().then(() => this.#schedule(0));
      }
      if (name === "editable") return this.#setupEditor();
      this.#fixed = null;
      this.#schedule(0);
    }

    /** Checks now (after the engine loads) and resolves to the report. */
    check() {
      return this.#run();
    }

    /** The engine this widget would load first: the full one when it shows a fixed text, else the check-only one (any loaded engine checks). */
    #engineName() {
      return this.#current !== "findings" || [...document.querySelectorAll(TAG)].some(opensOnFixes) ? "full" : "check";
    }

    #options() {
      const o = {};
      const profile = this.getAttribute("profile");
      if (profile) o.profile = profile;
      const v = this.getAttribute("kube-version");
      if (v) o.kubeVersion = v;
      // A manifest read from src= is named after its file in the report and the diff.
      const src = this.getAttribute("src");
      const file = src && decodeURIComponent(new URL(src, document.baseURI).pathname.split("/").pop());
      if (file) o.file = file;
      const rules = this.getAttribute("rules");
      if (rules && rules.trim()) o.rules = rules.split(/[\s,]+/).filter(Boolean);
      if (this.#config) o.config = this.#config;
      return o;
    }

    #fixOptions() {
      return { ...this.#options(), unsafe: this.hasAttribute("unsafe-fixes") };
    }

    /** Reads the configuration: the `config` attribute's text, or the file at `config-src`. */
    async #loadConfig() {
      const inline = this.getAttribute("config");
      const src = this.getAttribute("config-src");
      this.#configError = null;
      this.#config = inline ?? "";
      if (src === null) return;
      this.#config = null;
      if (inline !== null) return void (this.#configError = "give the configuration as config or as config-src, not both");
      const url = sameOrigin(src);
      if (!url) return void (this.#configError = `config-src="${src}" is on another origin: the widget only reads files from this site`);
      try {
        const text = await fetchText(url);
        // A newer attribute value may have been set meanwhile: keep only the current one's.
        if (this.getAttribute("config-src") === src) this.#config = text;
      } catch (e) {
        if (this.getAttribute("config-src") === src) this.#configError = `could not read config-src="${src}": ${e.message}`;
      }
      if (this.#text !== null) this.#updateLink();
    }

    #tabName() {
      const s = this.getAttribute("show");
      return s === "hardened" || s === "diff" ? s : "findings";
    }

    #build() {
      const id = (s) => `kh${this.#id}-${s}`;
      const tab = (name, label) =>
        h("button", { class: "tab", part: "tab", role: "tab", id: id(`tab-${name}`), "aria-controls": id(name), "aria-selected": "false", tabindex: "-1", "data-tab": name, text: label });
      const tabs = h("div", { class: "tabs", part: "tabs", role: "tablist", "aria-label": "kubeharden views" }, tab("findings", "Findings"), tab("hardened", "Hardened YAML"), tab("diff", "Diff"));
      const status = h("p", { class: "status", part: "status", role: "status", "aria-live": "polite", text: "Checked when visible…" });
      // How far a long check has come: beside the live region, not in it (a percentage read out each time it grew would chatter).
      const meter = h("progress", { class: "meter", part: "progress", max: 100, value: 0, "aria-label": "Checking", hidden: true });
      const link = h("a", { part: "playground-link", href: this.#playgroundUrl(), target: "_blank", rel: "noopener", text: "Open in playground" });
      const code = h("pre", { class: "code", part: "code", tabindex: "0", role: "region", "aria-label": "Manifest" });
      const editor = h("div", { class: "editor", part: "editor", hidden: true });
      const list = h("ul", { class: "list", part: "findings", "aria-label": "Findings" });
      const findings = h("div", { class: "panel", part: "panel findings-panel", role: "tabpanel", id: id("findings"), "aria-labelledby": id("tab-findings") }, code, editor, list);
      const hardenedCode = h("pre", { class: "code", part: "code hardened", tabindex: "0", role: "region", "aria-label": "Hardened YAML", "data-testid": "hardened" });
      const hardenedInfo = h("p", { class: "note", part: "fix-summary", role: "status", "aria-live": "polite" });
      const copy = h("button", { type: "button", text: "Copy hardened YAML" });
      const hardened = h("div", { class: "panel", part: "panel hardened-panel", role: "tabpanel", id: id("hardened"), "aria-labelledby": id("tab-hardened"), hidden: true }, hardenedCode, h("div", { class: "tools" }, copy, hardenedInfo));
      const diffCode = h("pre", { class: "code diff", part: "code diff", tabindex: "0", role: "region", "aria-label": "Diff from the manifest to the hardened YAML", "data-testid": "diff" });
      const diff = h("div", { class: "panel", part: "panel diff-panel", role: "tabpanel", id: id("diff"), "aria-labelledby": id("tab-diff"), hidden: true }, diffCode);
      const frame = h("div", { class: "frame", part: "frame" }, h("div", { class: "bar", part: "toolbar" }, tabs, status, meter, link), findings, hardened, diff);
      this.#root.replaceChildren(frame);
      this.#ui = { tabs, status, meter, link, code, editor, list, findings, hardened, hardenedCode, hardenedInfo, diff, diffCode, lines: [] };
      tabs.addEventListener("click", (e) => {
        const t = e.target.closest("[data-tab]");
        if (t) this.#select(t.dataset.tab, true);
      });
      tabs.addEventListener("keydown", (e) => {
        const order = ["findings", "hardened", "diff"];
        const i = order.indexOf(this.#current);
        const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: 2 }[e.key];
        if (next === undefined) return;
        e.preventDefault();
        this.#select(order[(next + 3) % 3], true);
      });
      copy.addEventListener("click", () => {
        if (this.#fixed) navigator.clipboard?.writeText(this.#fixed.text).then(() => (copy.textContent = "Copied"), () => (copy.textContent = "Copy failed: select the text"));
      });
      this.#applyHeight();
      this.#select(this.#tabName());
    }

    #current = "findings";
    #select(name, focus = false) {
      this.#current = name;
      for (const t of this.#ui.tabs.children) {
        const on = t.dataset.tab === name;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        if (on && focus) t.focus();
      }
      this.#ui.findings.hidden = name !== "findings";
      this.#ui.hardened.hidden = name !== "hardened";
      this.#ui.diff.hidden = name !== "diff";
      if (name !== "findings") this.#renderFixed();
      // Not checked yet, or the engine failed to load: opening a tab tries again.
      if (!this.#report && this.#visible) this.#schedule(0);
    }

    #applyHeight() {
      const v = this.getAttribute("height");
      const css = v && /^\d+$/.test(v) ? `${v}px` : v || "";
      for (const p of [this.#ui.code, this.#ui.hardenedCode, this.#ui.diffCode, this.#ui.editor]) p.style.maxHeight = css;
    }

    #playgroundUrl() {
      const given = this.getAttribute("playground");
      return new URL(given || "index.html", given ? document.baseURI : import.meta.url).href.replace(/#.*$/, "");
    }

    async #loadSource() {
      const src = this.getAttribute("src");
      this.#sourceError = null;
      if (src) {
        const url = sameOrigin(src);
        if (!url) {
          this.#sourceError = `src="${src}" is on another origin: the widget only reads manifests from this site`;
          this.#fail(this.#sourceError);
          return;
        }
        try {
          const text = await fetchText(url);
          // A newer src may have been set meanwhile: keep only the current one's.
          if (this.getAttribute("src") !== src) return;
          this.#text = text;
        } catch (e) {
          if (this.getAttribute("src") !== src) return;
          this.#sourceError = `could not read src="${src}": ${e.message}`;
          this.#fail(this.#sourceError);
          return;
        }
      } else if (this.#text === null) {
        const t = this.querySelector(":scope > template");
        const block = this.querySelector(":scope > pre, :scope > code");
        this.#text = dedent(t ? t.content.textContent : block ? block.textContent : this.textContent);
      }
      this.#renderSource();
      this.#setupEditor();
    }

    #renderSource() {
      if (!this.#ui || this.#text === null) return;
      this.#ui.lines = renderCode(this.#ui.code, this.#text, this.#marks());
      this.#updateLink();
    }

    async #updateLink() {
      const token = ++this.#shareToken;
      try {
        const fragment = await shareFragment(this.#text, this.getAttribute("profile"), this.getAttribute("kube-version"), this.hasAttribute("unsafe-fixes"), this.#config);
        if (token === this.#shareToken) this.#ui.link.href = this.#playgroundUrl() + fragment;
      } catch {
        this.#ui.link.href = this.#playgroundUrl();
      }
    }

    async #setupEditor() {
      const editable = this.hasAttribute("editable");
      this.#ui.code.hidden = editable;
      this.#ui.editor.hidden = !editable;
      if (!editable) return void this.#renderSource(); // the text as edited, not as it was
      if (this.#editor || this.#text === null) return;
      try {
        const { createEditor } = await loadEditor();
        if (this.#editor || !this.hasAttribute("editable")) return;
        this.#editor = createEditor(this.#ui.editor, this.#root, this.#text, (text) => {
          this.#text = text;
          this.#fixed = null;
          this.#updateLink();
          this.#schedule(RECHECK_MS);
        }, "Manifest (editable)");
        this.#showDiagnostics();
      } catch (e) {
        this.#ui.code.hidden = false;
        this.#ui.editor.hidden = true;
        this.#fail(`the editor could not be loaded (${e.message}); the manifest is shown read-only`);
      }
    }

    #becomeVisible() {
      this.#visible = true;
      this.#schedule(0);
    }

    #schedule(ms) {
      if (!this.#visible || !this.#ui) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#run(), ms);
    }

    #fail(message, ...more) {
      if (!this.#ui) return;
      this.#ui.status.textContent = "Not checked";
      this.#ui.list.replaceChildren(h("li", { class: "alert", role: "alert", "data-testid": "widget-error", text: message }), ...more);
      this.#lastError = more.length ? `${message} (each error is listed on the Findings tab)` : message;
      if (this.#current !== "findings") this.#renderFixed();
    }

    /** The configuration's errors, each at its line and column of the config text. */
    #failConfig(e) {
      const src = this.getAttribute("config-src");
      const where = src === null ? "The configuration (attribute config)" : `The configuration config-src="${src}"`;
      this.#fail(
        `${where} is invalid, so nothing was checked:`,
        ...e.errors.map((x) => h("li", { class: "item", part: "config-error", "data-testid": "config-error", "data-line": x.line, "data-column": x.column, text: `line ${x.line}, column ${x.column}: ${x.message}` })),
      );
    }

    /** Checks the text as it is now; resolves to the report (that of a newer check if one superseded this), or null. */
    #run() {
      const mine = ++this.#checks;
      return (this.#checking = this.#checkNow(mine));
    }

    async #checkNow(mine) {
      if (!this.#ui) return null; // not connected yet: checked once it is
      if (this.#sourceError) {
        // Nothing was read, so nothing is checked (never an empty text's "no findings").
        this.#report = null;
        this.#fail(this.#sourceError);
        return null;
      }
      if (this.#text === null) return null;
      if (this.#configError || this.#config === null) {
        this.#report = null;
        if (this.#configError) this.#fail(this.#configError);
        return null;
      }
      const text = this.#text;
      const options = this.#options();
      const { status, meter } = this.#ui;
      status.setAttribute("aria-busy", "true");
      // Said (and its progress shown) only when it takes a while: a live region that said it on every keystroke would chatter.
      const slow = setTimeout(() => {
        status.textContent = "Checking…";
        meter.hidden = false;
      }, 300);
      meter.value = 0;
      const told = (percent) => this.#checks === mine && (meter.value = percent);
      let report;
      try {
        report = await ask(`${this.#id}:check`, "check", text, options, this.#engineName(), told);
      } catch (e) {
        if (this.#checks !== mine) return this.#checking;
        this.#report = null;
        if (e.load) this.#fail(`the checker could not be loaded (${e.message.replace(/^kubeharden: /, "")}); it is tried again on the next change or tab`);
        else if (e.name === "OptionError" && e.option === "config") this.#failConfig(e);
        else this.#fail(e.name === "OptionError" ? `${e.message} (attribute ${attributeOf(e.option)})` : e.message);
        return null;
      } finally {
        clearTimeout(slow);
        if (this.#checks === mine) {
          status.removeAttribute("aria-busy");
          meter.hidden = true;
        }
      }
      // Superseded by a newer check, or the text or options changed while this one ran: the newer answers.
      if (this.#checks !== mine) return this.#checking;
      if (report === null || text !== this.#text || JSON.stringify(options) !== JSON.stringify(this.#options())) return this.#run();
      this.#report = report;
      this.#lastError = null;
      this.#render();
      if (this.#current !== "findings") this.#renderFixed();
      this.dispatchEvent(new CustomEvent("kubeharden-result", { detail: report, bubbles: true, composed: true }));
      return report;
    }

    #marks() {
      const r = this.#report;
      if (!r) return [];
      const label = (f) => `${f.severity}: ${f.message} [${f.rule}]`;
      return [
        ...this.#sorted().filter((f) => !f.suppressed).slice(0, UNDERLINES).map((f) => ({ from: f.span.start.offset_utf16, to: f.span.end.offset_utf16, severity: f.severity, label: label(f) })),
        ...r.errors.map((e) => ({ from: e.span.start.offset_utf16, to: e.span.end.offset_utf16, severity: "error", label: `error: ${e.message}` })),
      ];
    }

    #render() {
      const r = this.#report;
      const ui = this.#ui;
      const open = r.findings.filter((f) => !f.suppressed);
      const counts = SEVERITIES.filter((s) => r.summary.by_severity[s]).map((s) => `${r.summary.by_severity[s]} ${s}`);
      const parts = [open.length ? `${open.length} finding${open.length === 1 ? "" : "s"} (${counts.join(", ")})` : "No findings"];
      if (r.errors.length) parts.push(`${r.errors.length} YAML error${r.errors.length === 1 ? "" : "s"}`);
      if (r.summary.suppressed) parts.push(`${r.summary.suppressed} suppressed`);
      if (open.length > UNDERLINES) parts.push(`the ${UNDERLINES} most severe marked in the code`);
      ui.status.textContent = parts.join(" · ");
      if (!this.#editor || !this.hasAttribute("editable")) this.#renderSource();
      if (this.#editor) this.#showDiagnostics();
      this.#renderList();
    }

    #renderList() {
      const r = this.#report;
      const entries = [
        ...r.errors.map((e) => ["error", e.span.start.line, e.message, null, "error"]),
        ...this.#sorted().map((f) => [f.severity, f.span.start.line, f.message, f, "finding"]),
        ...r.notes.map((n) => ["info", n.span.start.line, n.message, null, "note"]),
      ];
      const shown = Math.min(entries.length, this.#limit);
      const items = entries.slice(0, shown).map((e) => this.#item(...e));
      if (!items.length) items.push(h("li", { class: "empty", text: "kubeharden found nothing to report for this manifest." }));
      if (shown < entries.length) items.push(this.#more(entries, shown));
      this.#ui.list.replaceChildren(...items);
    }

    // How many entries of the list are rendered: WINDOW more each time the reader asks.
    #limit = WINDOW;

    /** The report's findings, the most severe first, then in the order of the text. */
    #sorted() {
      const r = this.#report;
      if (this.#sortedOf !== r) {
        this.#sortedOf = r;
        this.#sortedFindings = [...r.findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.span.start.offset - b.span.start.offset);
      }
      return this.#sortedFindings;
    }
    #sortedOf = null;
    #sortedFindings = [];

    /** The list's last line when it shows the first `shown` of `entries`. */
    #more(entries, shown) {
      const total = entries.length;
      const li = h("li", { class: "more", part: "more", "data-testid": "more-findings" });
      if (shown >= MAX_RENDERED) {
        li.textContent = `Showing ${shown} of ${total} entries, the most this widget renders (kubeharden check lists them all).`;
        return li;
      }
      const more = h("button", { type: "button", text: `Show ${Math.min(total - shown, WINDOW)} more` });
      more.addEventListener("click", () => {
        // The next entries go after those shown (which are left as they are).
        this.#limit = Math.min(shown + WINDOW, MAX_RENDERED);
        const next = Math.min(total, this.#limit);
        const added = entries.slice(shown, next).map((e) => this.#item(...e));
        li.replaceWith(...added, ...(next < total ? [this.#more(entries, next)] : []));
        // Focus stays in the list: on the first entry just shown.
        added[0]?.querySelector(".goto")?.focus();
      });
      li.append(`Showing ${shown} of ${total} entries.`, more);
      return li;
    }

    #item(severity, line, message, finding, kind) {
      const word = kind === "note" ? "note" : severity;
      const head = h("div", { class: "head" },
        h("span", { class: `sev sev-${severity}` }, h("span", { "aria-hidden": "true", text: SYMBOL[severity] + " " }), word),
        h("button", { type: "button", class: "goto", "aria-label": `Go to line ${line}`, text: `line ${line}` }),
        finding ? h("code", { class: "rule", text: finding.rule }) : null,
        finding?.suppressed ? h("span", { class: "rule", text: `suppressed: ${finding.suppression_reason ?? ""}` }) : null,
      );
      const li = h("li", { class: "item", part: "finding", "data-testid": kind, "data-line": line, "data-severity": severity, "data-rule": finding?.rule ?? null }, head, h("p", { class: "msg", text: message }));
      if (finding?.fix) li.append(h("p", { class: "rule", text: `fix (${finding.fix.applicability}): ${finding.fix.title}` }));
      head.querySelector(".goto").addEventListener("click", () => this.#goto(line));
      if (finding) {
        const body = h("div", { text: "Loading…" });
        const details = h("details", { part: "rule-docs" }, h("summary", { text: `About ${finding.rule}` }), body);
        details.addEventListener("toggle", () => details.open && body.textContent === "Loading…" && this.#ruleDocs(finding.rule, body), { once: false });
        li.append(details);
      }
      return li;
    }

    async #ruleDocs(id, body) {
      try {
        const doc = await (await onPage()).rule(id);
        if (!doc) return void (body.textContent = this.#config ? `${id} is not a built-in rule: see its entry under custom-rules in the configuration.` : `No documentation for ${id}.`);
        const refs = doc.references.map((u) => h("li", {}, h("a", { href: u, rel: "noopener noreferrer", target: "_blank", text: u })));
        body.replaceChildren(
          h("p", { text: doc.title }),
          h("p", { text: doc.rationale }),
          h("p", { text: `How to fix: ${doc.remediation}` }),
          doc.fix ? h("p", { text: `${doc.fix.heading}: ${doc.fix.text}` }) : null,
          doc.pss ? h("p", { text: `Pod Security Standards ${doc.pss.level}: ${doc.pss.check} (since ${doc.pss.since})` }) : null,
          refs.length ? h("ul", {}, refs) : null,
          h("p", { text: `Suppress with the annotation ${doc.suppression}: "<reason>"` }),
        );
      } catch (e) {
        body.textContent = `The rule documentation could not be loaded: ${e.message}`;
      }
    }

    #goto(line) {
      if (this.#current !== "findings") this.#select("findings");
      if (this.#editor) {
        const l = this.#editor.state.doc.line(Math.min(line, this.#editor.state.doc.lines));
        this.#editor.dispatch({ selection: { anchor: l.from }, scrollIntoView: true });
        this.#editor.focus();
        return;
      }
      const el = this.#ui.lines[line - 1];
      if (!el) return;
      for (const l of this.#ui.code.querySelectorAll(".current")) l.classList.remove("current");
      el.classList.add("current");
      // The line to the middle of the code view (not its edge). With `height` the code view
      // scrolls, and then comes into the page's view as little as needed (the docs page moves
      // only if it must); without, the page scrolls.
      const code = this.#ui.code;
      const box = code.scrollHeight > code.clientHeight;
      if (box) code.scrollTop += el.getBoundingClientRect().top - code.getBoundingClientRect().top - code.clientHeight / 2;
      el.scrollIntoView({ block: box ? "nearest" : "center" });
      el.focus({ preventScroll: true });
    }

    async #showDiagnostics() {
      if (!this.#editor || !this.#report) return;
      const { setDiagnostics } = await loadEditor();
      const cm = { critical: "error", high: "error", error: "error", medium: "warning", low: "info", info: "info" };
      setDiagnostics(this.#editor, this.#marks().map((m) => ({ from: m.from, to: m.to, severity: cm[m.severity], message: m.label, source: "kubeharden" })));
    }

    #renderFixed() {
      if (!this.#ui) return;
      const say = (text) => {
        this.#ui.hardenedCode.textContent = "";
        this.#ui.hardenedInfo.textContent = text;
        this.#ui.diffCode.textContent = text;
      };
      if (!this.#report) return void say(this.#lastError ? `Not checked: ${this.#lastError}` : "Not checked yet: the manifest is checked when it scrolls into view.");
      if (this.#text === null || this.#config === null || this.#configError) return;
      if (!canFix()) {
        // Checked with the check-only engine: fetch the full one (once for the page), then render.
        say("Loading the fixes…");
        loadFull().then(
          () => this.#current !== "findings" && this.#renderFixed(),
          (e) => say(`The fixes could not be loaded (${e.message}); open the tab again to retry.`),
        );
        return;
      }
      if (!this.#fixed) {
        const text = this.#text;
        const options = this.#fixOptions();
        ask(`${this.#id}:fix`, "fix", text, options, "full").then(
          (fixed) => {
            // Superseded, or made of an older text: the newer check renders this tab again.
            if (!fixed || text !== this.#text || JSON.stringify(options) !== JSON.stringify(this.#fixOptions())) return;
            this.#fixed = fixed;
            if (this.#current !== "findings") this.#renderFixed();
          },
          (e) => text === this.#text && (this.#ui.hardenedInfo.textContent = e.message),
        );
        return;
      }
      const f = this.#fixed;
      renderCode(this.#ui.hardenedCode, f.text);
      const unsafe = this.hasAttribute("unsafe-fixes");
      // Fixes held back because they may change how the workload behaves (`fix --unsafe`).
      const waiting = unsafe ? 0 : f.remaining.findings.filter((x) => x.fix?.applicability === "unsafe" && !x.fix.unavailable).length;
      const more = waiting ? ` ${waiting} more finding${waiting === 1 ? " has an unsafe fix" : "s have unsafe fixes"}, applied only with the unsafe-fixes attribute (they harden, but may change how the workload behaves).` : "";
      const none = waiting ? "No changes with safe fixes." : "No changes: nothing here has an automatic fix.";
      renderDiff(this.#ui.diffCode, f.diff || `${none}${more}\n`);
      const kind = unsafe ? "safe and unsafe fixes" : "safe fixes only";
      const left = f.remaining.summary.findings;
      this.#ui.hardenedInfo.textContent = `${f.applied.length} fix${f.applied.length === 1 ? "" : "es"} applied (${kind}); ${f.skipped.length} skipped; ${left} finding${left === 1 ? "" : "s"} left.${more}`;
    }
  }

  if (!customElements.get(TAG)) customElements.define(TAG, KubehardenCheck);
}

function attributeOf(option) {
  return { kubeVersion: "kube-version", unsafe: "unsafe-fixes" }[option] ?? option;
}

/**
 * Upgrades fenced code blocks marked for kubeharden into widgets: `<pre><code>` whose class
 * list holds `kubeharden` (```` ```yaml kubeharden ```` → `class="language-yaml kubeharden"`;
 * mdBook's `yaml,kubeharden` too). The other class words `editable`, `hardened`, `diff` and
 * `unsafe-fixes`, and data-profile / data-kube-version / data-rules / data-theme /
 * data-height / data-show / data-loading / data-config-src on the <pre> or <code>, set the
 * widget's attributes. The <pre> stays inside the
 * widget, so the page reads the same without JavaScript. Returns the widgets made.
 */
export function upgradeCodeBlocks(root = document) {
  const made = [];
  for (const code of root.querySelectorAll("pre > code")) {
    const pre = code.parentElement;
    // Pygments (MkDocs' pymdownx.highlight) puts the fence's classes and data- attributes on
    // a <div class="highlight"> around the <pre>: that wrapper is then what is upgraded.
    const wrap = pre.parentElement?.matches("div.highlight") ? pre.parentElement : null;
    const words = [code, wrap].flatMap((el) => (el ? el.className.split(/[\s,]+/) : [])).map((w) => w.replace(/^language-/, ""));
    if (!words.includes("kubeharden") || code.closest(TAG)) continue;
    const widget = document.createElement(TAG);
    if (words.includes("editable")) widget.setAttribute("editable", "");
    if (words.includes("unsafe-fixes")) widget.setAttribute("unsafe-fixes", "");
    if (words.includes("hardened")) widget.setAttribute("show", "hardened");
    if (words.includes("diff")) widget.setAttribute("show", "diff");
    for (const el of [wrap, pre, code]) {
      for (const a of ["profile", "kube-version", "rules", "theme", "height", "show", "loading", "config-src"]) {
        const v = el?.getAttribute(`data-${a}`);
        if (v != null) widget.setAttribute(a, v);
      }
    }
    // The content first: the widget reads it when it is connected.
    const block = wrap && wrap.className.split(/\s+/).includes("kubeharden") ? wrap : pre;
    const [parent, next] = [block.parentNode, block.nextSibling];
    widget.append(pre);
    if (block !== pre) block.remove();
    parent.insertBefore(widget, next);
    made.push(widget);
  }
  return made;
}

// Defined in browsers only: importing this module during server-side rendering is a no-op.
if (typeof customElements !== "undefined" && typeof HTMLElement !== "undefined") {
  defineElement();
  const upgrade = () => upgradeCodeBlocks(document);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", upgrade, { once: true });
  else upgrade();
}
