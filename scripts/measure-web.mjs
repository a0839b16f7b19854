#!/usr/bin/env node
// Measures the playground's budgets against the built site (dist/, or KUBEHARDEN_DIST):
//
//   1. download size: every .wasm and .js file in dist/, raw and gzipped (zlib level 9);
//      budget: at most 600 KiB gzipped (README "Budgets": issue 9's budget for the
//      playground with its features; the 437 KiB of issue 7 held for the 30-rule catalogue). The other files are listed
//      too: the page and its style sheet, and the assets fetched on demand
//      (rule-examples.json, the rule docs' text and examples, when a rule doc panel
//      opens; examples/*.yaml when a gallery example is chosen), which are not part
//      of the first check. That is checked, not assumed: every request of the first loads
//      (below) up to the first finding must be the page, its style sheet, a .js or the
//      .wasm, else the run fails (exit 2).
//   2. first findings: time from navigation start to the first [data-testid=finding] being
//      visible for the default example, median of 5 fresh loads (new browser context each:
//      empty cache and storage); budget: at most 1000 ms
//   3. re-check: the engine's worker export, workerCheck (src/web/worker.rs: the check and
//      its result written as arrays), called in the page (window.wasmBindings, which Trunk's
//      start-up script sets) on a generated 2,000-line manifest, runs = 20 (median
//      milliseconds around the call); budget: under 16 ms (one frame)
//
// Budget 1 is deterministic (the same build gives the same bytes) and is enforced: exit 1
// when it is exceeded. Budgets 2 and 3 are timings, i.e. benchmarks: they depend on how busy
// the machine is, so they are measured, printed and written down, but never fail the run
// (set KUBEHARDEN_ENFORCE_TIMING=1 on a quiet machine to make them fail too). A page that
// does not load, shows no finding or whose bench hook misbehaves is a correctness failure
// (exit 2), as is a missing site or browser. Every wait is a generous guard against hangs
// (HANG_MS), not a measurement.
//
// Prints a table and writes the numbers to target/web-budgets.json (`enforced` tells which
// budgets decided `pass`). Run: `node scripts/measure-web.mjs` (needs `npm ci` in www/ for
// playwright-core, and /usr/bin/chromium).

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { HANG_MS, distDir, launchBrowser, median, repoRoot, requireDist, startServer } from "../tests/e2e/harness.mjs";

const BUDGET = {
  // 533.3 KiB before the issue-9 playground (+34 KiB of its features, -10 KiB of deflate
  // moved to the browser's CompressionStream): 557.4 KiB; the configuration reader, the
  // Config tab and the known-CVE rules took it to about 600 (issue 9 allows 600).
  gzippedKiB: 600,
  firstFindingMs: 1000,
  recheckMs: 16,
};
// Timing budgets fail the run only on request (benchmarks, not tests).
const ENFORCE_TIMING = process.env.KUBEHARDEN_ENFORCE_TIMING === "1";
const LOADS = 5;
const BENCH_LINES = 2000;
const BENCH_RUNS = 20;

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

/** What a first check may load: the page, its style sheet, the JavaScript and the wasm. */
const FIRST_CHECK_FILE = /(^|\/)(index\.html)?$|\.(css|m?js|wasm)$/i;

/** The docs widget and the JavaScript package (scripts/js-pkg.sh): not the playground's
 * downloads; scripts/measure-widget.mjs measures them. Nor is the lessons page (lessons/,
 * its own wasm, loaded only when a learner opens it): it is listed apart, unbudgeted. */
const WIDGET_FILE = /^(pkg\/|kubeharden-widget|widget-demo|lessons\/|extras\/)/;

/** The playground's extras (extras/, src/web/extras_main.rs): a wasm of their own that the
 * playground loads the first time the export, the version note, the Diff tab or the Access
 * and Reach tabs ask (never for the first check: that is checked below). Listed apart, not
 * counted. */
const EXTRAS_FILE = /^extras\//;

function sizes() {
  const files = [];
  const other = [];
  const lessons = [];
  const extras = [];
  for (const p of walk(distDir)) {
    if (EXTRAS_FILE.test(relative(distDir, p))) {
      const data = readFileSync(p);
      extras.push({ file: relative(distDir, p), raw: data.length, gzip: gzipSync(data, { level: 9 }).length });
    }
    if (/^lessons\//.test(relative(distDir, p))) {
      const data = readFileSync(p);
      lessons.push({ file: relative(distDir, p), raw: data.length, gzip: gzipSync(data, { level: 9 }).length });
    }
    if (WIDGET_FILE.test(relative(distDir, p))) continue;
    const data = readFileSync(p);
    const entry = { file: relative(distDir, p), raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
    (/\.(wasm|m?js)$/i.test(p) ? files : other).push(entry);
  }
  files.sort((a, b) => b.gzip - a.gzip);
  other.sort((a, b) => a.file.localeCompare(b.file));
  const raw = files.reduce((n, f) => n + f.raw, 0);
  const gzip = files.reduce((n, f) => n + f.gzip, 0);
  const page = other.filter((f) => FIRST_CHECK_FILE.test(f.file));
  const onDemand = other.filter((f) => !FIRST_CHECK_FILE.test(f.file));
  const sum = (list, k) => list.reduce((n, f) => n + f[k], 0);
  return {
    files,
    raw,
    gzip,
    page: { files: page, gzip: sum(page, "gzip") },
    on_demand: { files: onDemand, raw: sum(onDemand, "raw"), gzip: sum(onDemand, "gzip") },
    lessons_page: { files: lessons.sort((a, b) => b.gzip - a.gzip), gzip: sum(lessons, "gzip") },
    extras: { files: extras.sort((a, b) => b.gzip - a.gzip), gzip: sum(extras, "gzip") },
  };
}

/** A realistic Deployment, repeated (with distinct names) into a stream of exactly `lines` lines. */
export function generateManifest(lines = BENCH_LINES) {
  const doc = (i) => `---
# service ${i}: a typical web Deployment with a few findings
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: shop
  labels:
    app.kubernetes.io/name: web-${i}
    app.kubernetes.io/part-of: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: web-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web-${i}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: web
          image: registry.example.com/shop/web-${i}:1.${i}.0
          ports:
            - containerPort: 8080
          env:
            - name: DB_PASSWORD
              value: "hunter2-${i}"
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
          resources:
            limits:
              memory: 256Mi
`;
  const out = [];
  for (let i = 0; out.length < lines; i++) out.push(...doc(i).trimEnd().split("\n"));
  // Cut at a document boundary at or before `lines`, then pad with comments to the exact count.
  let cut = out.length;
  while (cut > lines) cut = out.lastIndexOf("---", cut - 1);
  const kept = out.slice(0, cut);
  while (kept.length < lines) kept.push(`# padding ${kept.length + 1}`);
  return kept.join("\n") + "\n";
}

async function firstFindingTimes(browser, origin) {
  const times = [];
  const requested = new Set(); // every path requested up to the first finding
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    let firstSeen = false;
    context.on("request", (r) => {
      if (!firstSeen) requested.add(new URL(r.url()).pathname);
    });
    try {
      const page = await context.newPage();
      // Stamps the first moment a finding is laid out with a visible box (before paint),
      // relative to navigation start (performance.now()'s origin).
      await page.addInitScript(() => {
        const visible = (el) => {
          const r = el.getBoundingClientRect();
          const s = getComputedStyle(el);
          return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
        };
        const check = () => {
          if (window.__kubehardenFirstFinding != null) return true;
          for (const el of document.querySelectorAll("[data-testid=finding]")) {
            if (visible(el)) {
              window.__kubehardenFirstFinding = performance.now();
              return true;
            }
          }
          return false;
        };
        const obs = new MutationObserver(() => {
          if (check()) obs.disconnect();
        });
        obs.observe(document, { childList: true, subtree: true, attributes: true });
      });
      await page.goto(origin + "/");
      await page.locator("[data-testid=finding]").first().waitFor({ state: "visible", timeout: HANG_MS });
      const t = await page.waitForFunction(() => window.__kubehardenFirstFinding, null, { timeout: HANG_MS });
      firstSeen = true;
      times.push(await t.jsonValue());
    } finally {
      await context.close();
    }
  }
  const extra = [...requested].filter((p) => !FIRST_CHECK_FILE.test(p) || /(^|\/)extras\//.test(p));
  if (extra.length) {
    throw new Error(`the first check loaded files the size budget does not count: ${extra.join(", ")}`);
  }
  return { times, requested: [...requested].sort() };
}

async function recheck(browser, origin, text) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(origin + "/");
    await page.waitForFunction(() => typeof window.wasmBindings?.workerCheck === "function", null, { timeout: HANG_MS });
    const ms = await page.evaluate(([t, runs]) => {
      const times = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        window.wasmBindings.workerCheck(t, "all", "1.35", "");
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return times[times.length >> 1];
    }, [text, BENCH_RUNS]);
    if (typeof ms !== "number" || !Number.isFinite(ms)) throw new Error(`workerCheck's timing was ${JSON.stringify(ms)}`);
    return ms;
  } finally {
    await context.close();
  }
}

function table(rows) {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => String(v).padEnd(w[c])).join("  ").trimEnd()).join("\n");
}

async function main() {
  try {
    requireDist();
  } catch (e) {
    console.error(`measure-web: ${e.message}`);
    process.exit(2);
  }
  const size = sizes();
  if (!size.files.some((f) => f.file.endsWith(".wasm"))) {
    // Zero bytes would pass the size budget: a site without its WebAssembly is not measured.
    console.error(`measure-web: no .wasm file in ${distDir}: the playground build is incomplete`);
    process.exit(2);
  }
  const text = generateManifest();

  const server = await startServer();
  let browser;
  let times;
  let requested;
  let benchMs;
  try {
    browser = await launchBrowser();
    ({ times, requested } = await firstFindingTimes(browser, server.origin));
    benchMs = await recheck(browser, server.origin, text);
  } catch (e) {
    console.error(`measure-web: ${e.message}`);
    await browser?.close().catch(() => {});
    await server.close();
    process.exit(2);
  }
  await browser.close();
  await server.close();

  const kib = (n) => (n / 1024).toFixed(1) + " KiB";
  const firstMs = median(times);
  const results = {
    dist: distDir,
    size: {
      raw_bytes: size.raw,
      gzip_bytes: size.gzip,
      budget_gzip_bytes: BUDGET.gzippedKiB * 1024,
      files: size.files,
      // Not counted: the page and its style sheet (info), and what is fetched on demand.
      page: size.page,
      on_demand: size.on_demand,
      lessons_page: size.lessons_page,
      extras: size.extras,
      first_check_requests: requested,
    },
    first_finding_ms: { median: firstMs, loads: times, budget: BUDGET.firstFindingMs },
    recheck_ms: {
      median: benchMs,
      lines: text.split("\n").length - 1,
      bytes: Buffer.byteLength(text),
      runs: BENCH_RUNS,
      budget_below: BUDGET.recheckMs,
    },
  };
  const ok = {
    size: size.gzip <= BUDGET.gzippedKiB * 1024,
    first: firstMs <= BUDGET.firstFindingMs,
    recheck: benchMs < BUDGET.recheckMs,
  };
  results.enforced = { size: true, first_finding: ENFORCE_TIMING, recheck: ENFORCE_TIMING };
  results.within = { size: ok.size, first_finding: ok.first, recheck: ok.recheck };
  results.pass = ok.size && (!ENFORCE_TIMING || (ok.first && ok.recheck));
  // A timing over its limit is reported as "over" (a benchmark result), unless enforced.
  const verdict = (within, enforced) => (within ? "ok" : enforced ? "FAIL" : "over (timing, not enforced)");

  console.log("files (.wasm, .js):");
  console.log(table([["  file", "raw", "gzip -9"], ...size.files.map((f) => ["  " + f.file, kib(f.raw), kib(f.gzip)])]));
  console.log(`not counted: the page and its style sheet, ${kib(size.page.gzip)} gzipped; fetched on demand (never for the first check), ${size.on_demand.files.length} files, ${kib(size.on_demand.gzip)} gzipped:`);
  console.log(table([["  file", "raw", "gzip -9"], ...size.on_demand.files.map((f) => ["  " + f.file, kib(f.raw), kib(f.gzip)])]));
  console.log(`not counted either: the lessons page (lessons/, opened from its link; every file), ${kib(size.lessons_page.gzip)} gzipped:`);
  console.log(table([["  file", "raw", "gzip -9"], ...size.lessons_page.files.map((f) => ["  " + f.file, kib(f.raw), kib(f.gzip)])]));
  console.log(`not counted either: the playground's extras (extras/, loaded when the export, the version note, the Hardened YAML or Diff tab, a fix applied from a finding, or the Access and Reach tabs first ask; the fixer's in the engine's worker), ${kib(size.extras.gzip)} gzipped:`);
  console.log(table([["  file", "raw", "gzip -9"], ...size.extras.files.map((f) => ["  " + f.file, kib(f.raw), kib(f.gzip)])]));
  console.log(`first check requested: ${requested.join(" ")}`);
  console.log();
  console.log(
    table([
      ["budget", "measured", "limit", "result"],
      ["download (.wasm + .js, gzip -9)", `${kib(size.gzip)} (raw ${kib(size.raw)})`, `<= ${BUDGET.gzippedKiB} KiB`, verdict(ok.size, true)],
      [
        `first finding, median of ${LOADS} loads`,
        `${firstMs.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(", ")})`,
        `<= ${BUDGET.firstFindingMs} ms`,
        verdict(ok.first, ENFORCE_TIMING),
      ],
      [
        `re-check, ${results.recheck_ms.lines} lines, median of ${BENCH_RUNS}`,
        `${benchMs.toFixed(2)} ms`,
        `< ${BUDGET.recheckMs} ms`,
        verdict(ok.recheck, ENFORCE_TIMING),
      ],
    ]),
  );

  const out = join(repoRoot, "target", "web-budgets.json");
  mkdirSync(join(repoRoot, "target"), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`\nwrote ${relative(process.cwd(), out) || out}`);
  console.log(
    ENFORCE_TIMING
      ? "enforced: download size and timings (KUBEHARDEN_ENFORCE_TIMING=1)"
      : "enforced: download size; timings are reported only (KUBEHARDEN_ENFORCE_TIMING=1 enforces them)",
  );
  process.exit(results.pass ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("measure-web.mjs")) {
  await main();
}
