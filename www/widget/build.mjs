// Builds the docs widget into OUT (dist/): node www/widget/build.mjs OUT
//   kubeharden-widget.js         the <kubeharden-check> element (imports ./pkg/kubeharden.js)
//   kubeharden-widget.d.ts       its types (the element, its event, the loader)
//   kubeharden-widget-worker.js  the engine's Web Worker (worker.js), started by the widget
//   kubeharden-widget-editor.js  CodeMirror for `editable` widgets, loaded only by them
//   widget-demo.html, widget-demo/*.yaml   the demo page and the manifest it loads by src=
// The scripts are minified ES modules (esbuild, from www/node_modules). The build fails if
// either refers to another origin or evaluates code, and prints the gzipped sizes.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "..", "dist"));
const common = { bundle: true, format: "esm", minify: true, target: "es2022", platform: "browser", legalComments: "eof", charset: "utf8", logLevel: "warning", absWorkingDir: here };

// The widget's style sheet is a template literal (`const CSS = `…``), which esbuild leaves as
// written: minified as CSS here (a read-only page's download is at issue 12's budget).
const minifyStyleSheet = {
  name: "minify-style-sheet",
  setup(build) {
    build.onLoad({ filter: /kubeharden-widget\.js$/ }, async (args) => {
      const source = readFileSync(args.path, "utf8");
      const m = /const CSS = `([^`$]*)`;/.exec(source);
      if (!m) throw new Error(`${args.path}: no \`const CSS = \`…\`;\` without interpolations to minify`);
      const css = (await esbuild.transform(m[1], { loader: "css", minify: true })).code.trim();
      return { contents: source.replace(m[0], () => `const CSS = ${JSON.stringify(css)};`), loader: "js" };
    });
  },
};

await esbuild.build({
  ...common,
  plugins: [minifyStyleSheet],
  entryPoints: [join(here, "kubeharden-widget.js")],
  outfile: join(out, "kubeharden-widget.js"),
  // Loaded from next to the widget at run time: the package (one engine for the page)
  // and the editor (only for editable widgets).
  external: ["./pkg/kubeharden.js", "./kubeharden-widget-editor.js"],
});
await esbuild.build({ ...common, entryPoints: [join(here, "worker.js")], outfile: join(out, "kubeharden-widget-worker.js"), external: ["./pkg/kubeharden.js"] });
await esbuild.build({ ...common, entryPoints: [join(here, "editor.js")], outfile: join(out, "kubeharden-widget-editor.js") });

mkdirSync(join(out, "widget-demo"), { recursive: true });
copyFileSync(join(here, "widget-demo.html"), join(out, "widget-demo.html"));
copyFileSync(join(here, "kubeharden-widget.d.ts"), join(out, "kubeharden-widget.d.ts"));
for (const f of readdirSync(join(here, "demo"))) copyFileSync(join(here, "demo", f), join(out, "widget-demo", f));

const ALLOWED = [/^http:\/\/www\.w3\.org\/\d{4}\/(svg|xlink|xhtml)$/, /^http:\/\/www\.w3\.org\/1999\/xhtml$/];
let failed = false;
for (const f of ["kubeharden-widget.js", "kubeharden-widget-worker.js", "kubeharden-widget-editor.js"]) {
  const code = readFileSync(join(out, f), "utf8");
  const remote = (code.match(/\b(?:https?|wss?):\/\/[^\s"'`)\\]+/g) || []).filter((u) => !ALLOWED.some((re) => re.test(u)));
  if (remote.length || /\beval\s*\(|new Function\s*\(/.test(code)) {
    console.error(`${f}: refers to another origin or evaluates code: ${[...new Set(remote)].join(", ") || "eval"}`);
    failed = true;
  }
  const gz = gzipSync(Buffer.from(code), { level: 9 }).length;
  console.log(`dist/${f}: ${Buffer.byteLength(code)} bytes, gzipped ${(gz / 1024).toFixed(1)} KiB`);
}
if (failed) process.exit(1);
