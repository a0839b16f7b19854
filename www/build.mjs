// Bundles www/editor.js (CodeMirror 6 and its YAML and lint packages) into one ES module,
// www/editor.bundle.js, which the Rust side imports with
// `#[wasm_bindgen(module = "/www/editor.bundle.js")]`. The bundle is generated: run
// `npm ci && node build.mjs` in www/ (or `node www/build.mjs` from the repository root)
// before building the Rust crate for the browser.
//
//   node build.mjs            build once, print the size (raw and gzipped)
//   node build.mjs --watch    rebuild on change
//
// The build fails if the bundle refers to a remote origin (a CDN, a font URL, ...): the
// playground must make no network request. XML namespace identifiers (the SVG namespace in
// CodeMirror's inline data: images) are not requests and are allowed.

import * as esbuild from "esbuild";
import { existsSync, readFileSync, statSync, utimesSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "editor.bundle.js");
const watch = process.argv.includes("--watch");

const ALLOWED_URLS = [/^http:\/\/www\.w3\.org\/\d{4}\/(svg|xlink|xhtml)$/, /^http:\/\/www\.w3\.org\/1999\/xhtml$/];

function audit() {
  const code = readFileSync(outfile, "utf8");
  const problems = [];
  for (const m of code.matchAll(/(?:https?:|wss?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)\\]*/gi)) {
    const url = m[0];
    if (!/^(https?|wss?):/i.test(url)) continue; // a comment or regex, not an absolute URL
    if (ALLOWED_URLS.some((re) => re.test(url))) continue;
    problems.push(url);
  }
  if (/\bimport\s*\(/.test(code)) problems.push("dynamic import()");
  if (/@import\b|@font-face\b/.test(code)) problems.push("CSS @import/@font-face");
  const raw = code.length;
  const gz = gzipSync(Buffer.from(code), { level: 9 }).length;
  return { problems, raw: Buffer.byteLength(code), gz };
}

function report() {
  const { problems, raw, gz } = audit();
  const kib = (n) => (n / 1024).toFixed(1) + " KiB";
  console.log(`${relative(process.cwd(), outfile) || outfile}: ${raw} bytes (${kib(raw)}), gzipped ${gz} bytes (${kib(gz)})`);
  if (problems.length) {
    console.error("editor bundle refers to remote origins or loads code at run time:\n  " + [...new Set(problems)].join("\n  "));
    return false;
  }
  return true;
}

// CodeMirror's styles under the page's Content Security Policy (`style-src 'self'`, no inline
// styles): style-mod mounts its rules as a <style> element on a document (it uses constructed
// style sheets only in shadow roots), which the policy blocks. Constructed style sheets are
// not inline styles, so the bundle's copy of style-mod uses one on documents too, and puts
// every rule in the cascade layer `codemirror`: adopted sheets come after the page's
// stylesheets in the cascade, and the layer keeps the page's own rules (www/style.css) taking
// precedence over CodeMirror's, as they do over the <style> element it would have written.
// The patch is checked: a style-mod release that changes these lines fails the build.
const STYLE_MOD_PATCHES = [
  ["if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {", "if (root.adoptedStyleSheets && win.CSSStyleSheet) {"],
  ["sheet.insertRule(mod.rules[k], pos++)", 'sheet.insertRule("@layer codemirror{" + mod.rules[k] + "}", pos++)'],
];
const cspStyles = {
  name: "csp-styles",
  setup(build) {
    build.onLoad({ filter: /[\\/]style-mod[\\/]src[\\/]style-mod\.js$/ }, ({ path }) => {
      let code = readFileSync(path, "utf8");
      for (const [from, to] of STYLE_MOD_PATCHES) {
        if (code.split(from).length !== 2) {
          throw new Error(`${path}: expected exactly one \`${from}\` to patch for the Content Security Policy`);
        }
        code = code.replace(from, to);
      }
      patched = true;
      return { contents: code, loader: "js" };
    });
  },
};
let patched = false;

const options = {
  absWorkingDir: here,
  entryPoints: ["editor.js"],
  outfile,
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  platform: "browser",
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
  plugins: [cspStyles],
};

if (watch) {
  const ctx = await esbuild.context({
    ...options,
    plugins: [cspStyles, { name: "report", setup: (b) => b.onEnd((r) => { if (!r.errors.length) report(); }) }],
  });
  await ctx.watch();
  console.log("watching www/editor.js ...");
} else {
  // An unchanged bundle keeps its modification time, so cargo does not rebuild the app.
  const before = existsSync(outfile) ? { code: readFileSync(outfile), stat: statSync(outfile) } : null;
  await esbuild.build(options);
  if (before && Buffer.compare(before.code, readFileSync(outfile)) === 0) {
    utimesSync(outfile, before.stat.atime, before.stat.mtime);
  }
  if (!patched) {
    console.error("style-mod was not bundled from the expected path: the Content Security Policy patch was not applied");
    process.exit(1);
  }
  if (!report()) process.exit(1);
}
