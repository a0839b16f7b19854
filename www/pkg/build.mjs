// Assembles the `kubeharden` package: node www/pkg/build.mjs WASM_DIR OUT_DIR
//   WASM_DIR  what scripts/js-pkg.sh made: wasm-bindgen's kubeharden_wasm.js and
//             kubeharden_check.js, the optimised kubeharden_wasm_bg.wasm (check and fix) and
//             kubeharden_check_bg.wasm (check only), and rules.json
//   OUT_DIR   the package (dist/pkg/): those, kubeharden.js and kubeharden.d.ts from here,
//             package.json and README.md, the version set to the crate's (Cargo.toml); the
//             JavaScript modules minified
// Fails when a file refers to another origin (the package must make no such request).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { transformSync } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const [wasmDir, outDir] = process.argv.slice(2).map((p) => resolve(p));
if (!wasmDir || !outDir) {
  console.error("usage: node www/pkg/build.mjs WASM_DIR OUT_DIR");
  process.exit(2);
}
const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
const version = /^\[package\][^[]*?^version\s*=\s*"([^"]+)"/ms.exec(cargo)?.[1];
if (!version) throw new Error("Cargo.toml: no [package] version");

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const js = readFileSync(join(here, "kubeharden.js"), "utf8");
if (js.split("__KUBEHARDEN_VERSION__").length !== 2) throw new Error("kubeharden.js: expected one version placeholder");
writeFileSync(join(outDir, "kubeharden.js"), js.replace("__KUBEHARDEN_VERSION__", version));
copyFileSync(join(here, "kubeharden.d.ts"), join(outDir, "kubeharden.d.ts"));
copyFileSync(join(here, "README.md"), join(outDir, "README.md"));
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
pkg.version = version;
writeFileSync(join(outDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
const GLUE = ["kubeharden_wasm.js", "kubeharden_check.js"];
for (const f of [...GLUE, "kubeharden_wasm_bg.wasm", "kubeharden_check_bg.wasm", "rules.json"]) copyFileSync(join(wasmDir, f), join(outDir, f));

// The modules are minified (esbuild, from www/node_modules): a docs page's widget loads
// kubeharden.js and one glue module before its first result (2.2 KiB less gzipped); their
// documentation is kubeharden.d.ts and README.md, and www/pkg/kubeharden.js is the readable
// source.
for (const f of ["kubeharden.js", ...GLUE]) {
  const source = readFileSync(join(outDir, f), "utf8");
  writeFileSync(join(outDir, f), transformSync(source, { format: "esm", minify: true, target: "es2022", legalComments: "eof", charset: "utf8" }).code);
}
for (const f of ["kubeharden.js", ...GLUE]) {
  const code = readFileSync(join(outDir, f), "utf8");
  const remote = code.match(/\b(?:https?|wss?):\/\/[^\s"'`)]+/g);
  if (remote) throw new Error(`${f} refers to another origin: ${remote.join(", ")}`);
}
const gz = (f) => gzipSync(readFileSync(join(outDir, f)), { level: 9 }).length;
const kib = (n) => (n / 1024).toFixed(1) + " KiB";
console.log(
  `dist/pkg (kubeharden ${version}), gzipped: wasm ${kib(gz("kubeharden_wasm_bg.wasm"))} (check and fix), ` +
    `${kib(gz("kubeharden_check_bg.wasm"))} (check only); JS ${kib(gz("kubeharden.js") + gz("kubeharden_wasm.js"))} ` +
    `(${kib(gz("kubeharden.js") + gz("kubeharden_check.js"))} check only); rules.json ${kib(gz("rules.json"))} (on demand)`,
);
