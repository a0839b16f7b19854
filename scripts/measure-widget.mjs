#!/usr/bin/env node
// Measures the docs widget's budgets (issue 12) against the built widget and package in dist/
// (or KUBEHARDEN_DIST), on pages made here and served from 127.0.0.1, in headless Chromium:
//
//   1. download size of a read-only page: every script and wasm the page requests until its
//      widget shows a result (the widget, the package's JS, the check-only wasm), gzipped
//      (zlib level 9); budget (issue 12): at most 350 KiB. The editor (editable widgets
//      only), the full wasm (the fixer and the differ, fetched when a Hardened YAML or Diff
//      tab opens) and rules.json (a rule's docs, when opened) are listed, not counted.
//      Checked, not assumed: the read-only page must request neither the editor nor the full
//      wasm, and opening its Hardened YAML tab must then fetch the full wasm (once) and show
//      the hardened text.
//   2. first result: from the moment the widget is scrolled into view (nothing of the engine
//      loaded before) to its `kubeharden-result` event with the findings rendered, median of 5
//      fresh loads (new browser context each: empty cache); budget: at most 1000 ms.
//   3. many widgets: a page with 10 widgets, all scrolled into view, requests the wasm once.
//   4. a finding-dense manifest (DENSE_PODS Pods with nothing hardened, about 30,000
//      findings) set as a read-only widget's source: the time until its result event, with
//      the first page of the list rendered (a timing, printed only), and how many entries
//      the list then holds.
//
// Budgets 1 and 3 are deterministic and enforced (exit 1). Budget 2 is a timing: measured,
// printed and written down, enforced only with KUBEHARDEN_ENFORCE_TIMING=1 (a busy 2-core
// machine must not fail a correct build). A page that does not load or shows no result is a
// correctness failure (exit 2). Writes target/widget-budgets.json.
// Run: `node scripts/measure-widget.mjs` (after `make dist`).

import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { HANG_MS, distDir, launchBrowser, median, repoRoot, startServer } from "../tests/e2e/harness.mjs";

const BUDGET = { gzippedKiB: 350, firstResultMs: 1000, wasmFetches: 1 };
const ENFORCE_TIMING = process.env.KUBEHARDEN_ENFORCE_TIMING === "1";
const LOADS = 5;
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: true}
`;

const DENSE_PODS = Number(process.env.DENSE_PODS || 2000);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const gz = (file) => gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;

function fail(code, message) {
  console.error(`measure-widget: ${message}`);
  process.exit(code);
}

for (const f of ["kubeharden-widget.js", "kubeharden-widget-worker.js", "kubeharden-widget-editor.js", "pkg/kubeharden.js", "pkg/kubeharden_check_bg.wasm", "pkg/kubeharden_wasm_bg.wasm", "pkg/rules.json"]) {
  if (!existsSync(join(distDir, f))) fail(2, `${join(distDir, f)} is missing: run \`make dist\``);
}

const root = mkdtempSync(join(tmpdir(), "kubeharden-widget-budget-"));
for (const f of ["kubeharden-widget.js", "kubeharden-widget-worker.js", "kubeharden-widget-editor.js", "pkg"]) cpSync(join(distDir, f), join(root, f), { recursive: true });
const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="stylesheet" href="page.css"><script src="record.js"></script><script type="module" src="kubeharden-widget.js"></script></head><body>`;
const widget = (id) => `<kubeharden-check id="${id}"><pre>${MANIFEST}</pre></kubeharden-check>`;
writeFileSync(join(root, "page.css"), ".tall { height: 4000px; }");
writeFileSync(
  join(root, "record.js"),
  `window.results = []; document.addEventListener("kubeharden-result", (e) => window.results.push({ id: e.target.id, at: performance.now() }));`,
);
writeFileSync(join(root, "one.html"), `${head}<div class="tall"></div>${widget("w")}</body></html>`);
writeFileSync(join(root, "ten.html"), `${head}${Array.from({ length: 10 }, (_, i) => `<div class="tall"></div>${widget(`w${i}`)}`).join("")}</body></html>`);

const server = await startServer(root);
const browser = await launchBrowser();
const results = { budgets: BUDGET, enforced: { size: true, first_result: ENFORCE_TIMING, wasm_fetches: true } };
try {
  // 1 and 2: the read-only page, LOADS times.
  const times = [];
  let requested = null;
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls = [];
    page.on("request", (r) => urls.push(new URL(r.url()).pathname.slice(1)));
    await page.goto(`${server.origin}/one.html`);
    await page.waitForFunction(() => customElements.get("kubeharden-check") && document.querySelector("#w").shadowRoot?.querySelector(".line"), null, { timeout: HANG_MS });
    if (urls.some((u) => u.endsWith(".wasm"))) fail(2, "the wasm was fetched before the widget was in view");
    const at = await page.evaluate(() => {
      const t = performance.now();
      document.querySelector("#w").scrollIntoView();
      return t;
    });
    await page
      .waitForFunction(() => window.results.length && document.querySelector("#w").shadowRoot.querySelector("[data-testid=finding]"), null, { timeout: HANG_MS })
      .catch(() => fail(2, "the read-only widget showed no finding"));
    const done = await page.evaluate(() => window.results[0].at);
    times.push(done - at);
    requested ??= [...urls];
    if (i === 0) {
      // The hardened tab fetches the full engine, once, and shows the engine's fixed text and summary.
      await page.evaluate(() => document.querySelector("#w").shadowRoot.querySelector("[data-tab=hardened]").click());
      await page
        .waitForFunction(() => {
          const root = document.querySelector("#w").shadowRoot;
          return /applied/.test(root.querySelector("[part~=fix-summary]").textContent) && /kind: Deployment/.test(root.querySelector("[data-testid=hardened]").textContent);
        }, null, { timeout: HANG_MS })
        .catch(() => fail(2, "the Hardened YAML tab showed no hardened text"));
      const full = urls.filter((u) => u === "pkg/kubeharden_wasm_bg.wasm").length;
      if (full !== 1) fail(2, `opening the Hardened YAML tab fetched the full wasm ${full} times, not once`);
    }
    await context.close();
  }
  // The page's own record.js is the test harness, not the widget.
  const counted = requested.filter((u) => /\.(m?js|wasm)$/.test(u) && u !== "record.js");
  if (counted.some((u) => u.includes("editor"))) fail(1, "the read-only page loaded the editor");
  if (counted.includes("pkg/kubeharden_wasm_bg.wasm")) fail(1, "the read-only page loaded the full wasm before any fixed text was asked for");
  if (!counted.includes("pkg/kubeharden_check_bg.wasm")) fail(2, "the read-only page did not load the check-only wasm");
  const files = counted.map((file) => ({ file, gzip: gz(file) }));
  const total = files.reduce((n, f) => n + f.gzip, 0);
  const firstMs = median(times);
  results.download = { files, gzip: total, not_counted: ["kubeharden-widget-editor.js", "pkg/kubeharden_wasm_bg.wasm", "pkg/kubeharden_wasm.js", "pkg/rules.json"].map((file) => ({ file, gzip: gz(file) })) };
  results.first_result_ms = { median: Math.round(firstMs), runs: times.map(Math.round) };

  // 3: ten widgets, one wasm.
  const context = await browser.newContext();
  const page = await context.newPage();
  let wasm = 0;
  page.on("request", (r) => (wasm += r.url().endsWith(".wasm") ? 1 : 0));
  await page.goto(`${server.origin}/ten.html`);
  for (let i = 0; i < 10; i++) {
    await page.evaluate((i) => document.querySelector(`#w${i}`).scrollIntoView(), i);
    await page.waitForFunction((i) => document.querySelector(`#w${i}`).report, i, { timeout: HANG_MS });
  }
  await context.close();
  results.wasm_fetches_for_10_widgets = wasm;

  // 4: a finding-dense manifest, once the engine is loaded.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/one.html`);
    await page.evaluate(() => document.querySelector("#w").scrollIntoView());
    await page.waitForFunction(() => window.results.length, null, { timeout: HANG_MS });
    const dense = Array.from({ length: DENSE_PODS }, (_, i) => `{apiVersion: v1, kind: Pod, metadata: {name: p-${i}, namespace: shop}, spec: {containers: [{name: c, image: nginx}]}}`).join("\n---\n") + "\n";
    const ms = await page.evaluate(async (text) => {
      const w = document.querySelector("#w");
      const t = performance.now();
      const done = new Promise((resolve) => w.addEventListener("kubeharden-result", resolve, { once: true }));
      w.source = text;
      await done;
      return performance.now() - t;
    }, dense);
    const shown = await page.evaluate(() => document.querySelector("#w").shadowRoot.querySelectorAll("[data-testid=finding]").length);
    const findings = await page.evaluate(() => document.querySelector("#w").report.findings.length);
    results.dense = { pods: DENSE_PODS, findings, rendered: shown, to_result_ms: Math.round(ms) };
    await context.close();
  }

  const ok = { size: total <= BUDGET.gzippedKiB * 1024, first: firstMs <= BUDGET.firstResultMs, wasm: wasm === BUDGET.wasmFetches };
  results.pass = ok.size && ok.wasm && (!ENFORCE_TIMING || ok.first);
  const verdict = (within, enforced) => (within ? "ok" : enforced ? "FAIL" : "over (timing, not enforced)");
  console.log("widget budgets (read-only page, loopback):");
  for (const f of files) console.log(`  ${f.file.padEnd(32)} ${kib(f.gzip).padStart(10)} gzipped`);
  for (const f of results.download.not_counted) console.log(`  ${f.file.padEnd(32)} ${kib(f.gzip).padStart(10)} gzipped (on demand, not counted)`);
  console.log(`  download (script + wasm, gzip -9)  ${kib(total)}  <= ${BUDGET.gzippedKiB} KiB  ${verdict(ok.size, true)}`);
  console.log(`  first result after scrolling into view  median ${Math.round(firstMs)} ms of ${times.map(Math.round).join(", ")}  <= ${BUDGET.firstResultMs} ms  ${verdict(ok.first, ENFORCE_TIMING)}`);
  console.log(`  wasm requests for 10 widgets  ${wasm}  = ${BUDGET.wasmFetches}  ${verdict(ok.wasm, true)}`);
  const d = results.dense;
  console.log(`  ${d.pods} unhardened Pods (${d.findings} findings): result with ${d.rendered} entries rendered ${d.to_result_ms} ms after the source was set (timing, not a budget)`);
  mkdirSync(join(repoRoot, "target"), { recursive: true });
  writeFileSync(join(repoRoot, "target", "widget-budgets.json"), JSON.stringify(results, null, 2) + "\n");
  if (!results.pass) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
  rmSync(root, { recursive: true, force: true });
}
