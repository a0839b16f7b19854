#!/usr/bin/env node
// Minifies the JavaScript Trunk and wasm-bindgen leave as written (the glue and the snippets
// under www/; the CodeMirror bundle is minified when it is built) with esbuild, and rewrites
// the Subresource Integrity hashes the page gives for them. Trunk's own minifier (minify-js)
// cannot read wasm-bindgen's glue. About 3 KiB of the playground's first download.
//
//   node scripts/minify-js.mjs DIR   (dist, dist/lessons: a page's index.html and its files)
//
// Idempotent: a file already minified is left as it is, and its hash stays right.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as esbuild from "../www/node_modules/esbuild/lib/main.js";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node scripts/minify-js.mjs DIR");
  process.exit(2);
}

function files(d) {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    if (statSync(p).isDirectory()) return name === "lessons" || name === "pkg" ? [] : files(p);
    return p.endsWith(".js") && !p.endsWith(".bundle.js") ? [p] : [];
  });
}

const index = join(dir, "index.html");
let html = readFileSync(index, "utf8");
let before = 0;
let after = 0;
for (const path of files(dir)) {
  const code = readFileSync(path, "utf8");
  const { code: small } = esbuild.transformSync(code, { minify: true, format: "esm", target: "es2022", legalComments: "none" });
  const out = small.length < code.length ? small : code;
  before += code.length;
  after += out.length;
  writeFileSync(path, out);
  // The page's integrity attribute for this file, when it has one.
  const href = "./" + relative(dir, path).split("\\").join("/");
  const sri = "sha384-" + createHash("sha384").update(out).digest("base64");
  const tag = new RegExp(`(href="${href.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[^>]*integrity=")[^"]*(")`);
  html = html.replace(tag, `$1${sri}$2`);
}
writeFileSync(index, html);
console.log(`${dir}: JavaScript minified, ${before} → ${after} bytes`);
