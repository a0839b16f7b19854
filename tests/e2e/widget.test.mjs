// Browser tests of the docs widget <kubeharden-check> (www/widget/), as a docs page uses it:
// headless Chromium driven by playwright-core (tests/e2e/harness.mjs) against pages made
// here, served from 127.0.0.1 with the built widget and package (dist/kubeharden-widget*.js,
// dist/pkg/) beside them, under the strict Content Security Policy the widget promises.
// Run: `node --test tests/e2e/widget.test.mjs` (after `make dist`).
//
// A missing build (or Chromium) FAILS every test with the reason: it is never skipped.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { inflateRawSync } from "node:zlib";
import { HANG_MS, distDir, launchBrowser, startServer } from "./harness.mjs";

const WAIT = { timeout: Number(process.env.KUBEHARDEN_WAIT_MS) || HANG_MS };
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

const PRIVILEGED = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
`;
const HOST_PID = `apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  hostPID: true
  containers:
    - name: shell
      image: busybox:1.36
`;
const BROKEN = `apiVersion: v1
kind: Pod
metadata:
  name: broken
  labels: [unclosed
`;

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const page = (body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>widget test</title>
<script src="record.js"></script>
<script type="module" src="kubeharden-widget.js"></script>
</head><body>${body}</body></html>`;

// Collects every kubeharden-result event and every CSP violation (no inline script: a file).
const RECORD = `window.results = []; window.violations = [];
document.addEventListener("kubeharden-result", (e) => window.results.push({ id: e.target.id, report: e.detail, at: performance.now() }));
document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective + " " + e.blockedURI));`;

let root;
let server;
let browser;

before(async () => {
  for (const f of ["kubeharden-widget.js", "kubeharden-widget-editor.js", "pkg/kubeharden.js", "pkg/kubeharden_wasm_bg.wasm"]) {
    if (!existsSync(join(distDir, f))) throw new Error(`the built widget is missing: ${join(distDir, f)} does not exist; run \`make dist\``);
  }
  root = mkdtempSync(join(tmpdir(), "kubeharden-widget-"));
  for (const f of ["kubeharden-widget.js", "kubeharden-widget-editor.js", "pkg"]) cpSync(join(distDir, f), join(root, f), { recursive: true });
  writeFileSync(join(root, "record.js"), RECORD);
  writeFileSync(join(root, "host-pid.yaml"), HOST_PID);
  writeFileSync(
    join(root, "three.html"),
    page(`
<kubeharden-check id="a" profile="restricted" kube-version="1.29"><pre><code>${escape(PRIVILEGED)}</code></pre></kubeharden-check>
<kubeharden-check id="b" editable><template>${escape(HOST_PID)}</template></kubeharden-check>
<kubeharden-check id="c" show="hardened" unsafe-fixes src="host-pid.yaml"></kubeharden-check>
<kubeharden-check id="broken"><pre>${escape(BROKEN)}</pre></kubeharden-check>
<pre><code class="language-yaml kubeharden" id="fence">${escape(PRIVILEGED)}</code></pre>`),
  );
  const spacer = '<div class="tall"></div>';
  writeFileSync(join(root, "tall.css"), ".tall { height: 3000px; }");
  writeFileSync(
    join(root, "ten.html"),
    page(
      `<link rel="stylesheet" href="tall.css">${spacer}` +
        Array.from({ length: 10 }, (_, i) => `<kubeharden-check id="w${i}"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>`).join(spacer),
    ),
  );
  server = await startServer(root);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (root && !process.env.KUBEHARDEN_KEEP) rmSync(root, { recursive: true, force: true });
});

/** Opens `path` in a fresh context; records every request. */
async function open(path) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const requests = [];
  p.on("request", (r) => requests.push(r.url()));
  const errors = [];
  p.on("pageerror", (e) => errors.push(String(e)));
  await p.goto(server.origin + "/" + path);
  return { context, page: p, requests, errors };
}

const findings = (p, id) =>
  p.$$eval(`#${id} [data-testid=finding]`, (els) => els.map((e) => ({ rule: e.dataset.rule, line: Number(e.dataset.line), severity: e.dataset.severity })));

/** Scrolls each widget into view in turn (they check when seen), waiting for its result. */
async function showAll(p) {
  const ids = await p.$$eval("kubeharden-check", (els) => els.map((e, i) => (e.id ||= `anon${i}`)));
  for (const id of ids) {
    await p.evaluate((id) => document.getElementById(id).scrollIntoView(), id);
    await p.waitForFunction((id) => document.getElementById(id).report || document.getElementById(id).shadowRoot.querySelector("[data-testid=widget-error]"), id, WAIT).catch((e) => {
      throw new Error(`widget #${id} was not checked after it scrolled into view: ${e.message}`);
    });
  }
}

async function results(p, n) {
  await showAll(p);
  await p.waitForFunction((n) => window.results.length >= n, n, WAIT);
  return p.evaluate(() => window.results);
}

test("three widgets render their findings on the right lines, with one wasm fetch and no other origin", async () => {
  const { context, page: p, requests, errors } = await open("three.html");
  const all = await results(p, 5);
  const ids = new Set(all.map((r) => r.id));
  for (const id of ["a", "b", "c", "broken"]) assert.ok(ids.has(id), `a kubeharden-result from #${id}`);

  const a = await findings(p, "a");
  assert.ok(a.some((f) => f.rule === "privileged-container" && f.line === 10 && f.severity === "critical"), JSON.stringify(a));
  const reportA = all.find((r) => r.id === "a").report;
  assert.equal(reportA.version, 2);
  assert.equal(reportA.settings.profile, "restricted");
  assert.equal(reportA.settings.kube_version, "v1.29");
  // The underline and the gutter marker are on line 10.
  const marked = await p.$$eval("#a .line[data-marked]", (els) => els.map((e) => Number(e.dataset.line)));
  assert.ok(marked.includes(10), `gutter markers on ${marked}`);
  const underlined = await p.$eval("#a .line[data-line='10']", (e) => [...e.querySelectorAll(".u")].map((u) => u.textContent).join(""));
  assert.match(underlined, /privileged: true/);

  const b = await findings(p, "b");
  assert.ok(b.some((f) => f.rule === "host-namespaces" && f.line === 6), JSON.stringify(b));

  const wasm = requests.filter((u) => u.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `the wasm is requested once: ${wasm}`);
  const foreign = requests.filter((u) => !u.startsWith(server.origin + "/"));
  assert.deepEqual(foreign, [], "no request leaves the origin");
  assert.deepEqual(await p.evaluate(() => window.violations), [], "nothing breaks the Content Security Policy");
  assert.deepEqual(errors, []);
  // The fenced block was upgraded into a widget that kept its <pre>.
  const fence = await p.$eval("kubeharden-check:has(#fence)", (w) => w.report && w.report.findings.some((f) => f.rule === "privileged-container"));
  assert.equal(fence, true);
  await context.close();
});

test("the hardened tab shows the engine's fixed text; the diff tab its diff", async () => {
  const { context, page: p } = await open("three.html");
  await results(p, 5);
  await p.locator("#c [data-testid=hardened] .line").first().waitFor(WAIT);
  const hardened = await p.$eval("#c [data-testid=hardened]", (e) => [...e.querySelectorAll(".line .text")].map((l) => l.textContent).join("\n") + "\n");
  const expected = await p.evaluate(
    async (text) => (await import("./pkg/kubeharden.js")).fix(text, { unsafe: true }).text,
    HOST_PID,
  );
  assert.equal(hardened, expected);
  assert.notEqual(hardened, HOST_PID);
  assert.equal(await p.$eval("#c [role=tab][aria-selected=true]", (t) => t.dataset.tab), "hardened");
  // Keyboard: arrow right moves to the Diff tab.
  await p.locator("#c [role=tab][aria-selected=true]").focus();
  await p.keyboard.press("ArrowRight");
  assert.equal(await p.$eval("#c [role=tab][aria-selected=true]", (t) => t.dataset.tab), "diff");
  const diff = await p.$eval("#c [data-testid=diff]", (e) => e.textContent);
  assert.match(diff, /^--- a\/host-pid\.yaml/m, "named after the src= file");
  assert.match(diff, /^-  hostPID: true/m);
  await context.close();
});

test("editing an editable widget re-checks", async () => {
  const { context, page: p, requests } = await open("three.html");
  await results(p, 5);
  const content = p.locator("#b [data-testid=widget-editor]");
  await content.waitFor(WAIT);
  assert.ok(requests.some((u) => u.endsWith("/kubeharden-widget-editor.js")), "the editor is loaded for the editable widget");
  const before = (await p.evaluate(() => window.results.length));
  await content.click();
  await p.keyboard.press("ControlOrMeta+a");
  await p.keyboard.insertText(PRIVILEGED);
  await p.waitForFunction((n) => window.results.filter((r) => r.id === "b").length >= 2 && window.results.length > n, before, WAIT);
  await p.waitForFunction(() => document.querySelector("#b").report.findings.some((f) => f.rule === "privileged-container"), null, WAIT);
  const b = await findings(p, "b");
  assert.ok(b.some((f) => f.rule === "privileged-container" && f.line === 10), JSON.stringify(b));
  assert.ok(!b.some((f) => f.rule === "host-namespaces"), "the old finding is gone");
  await context.close();
});

test("a widget with invalid YAML shows the error at its line", async () => {
  const { context, page: p } = await open("three.html");
  await results(p, 5);
  const errs = await p.$$eval("#broken [data-testid=error]", (els) => els.map((e) => ({ line: Number(e.dataset.line), text: e.textContent })));
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.equal(errs[0].line, 5);
  const marked = await p.$$eval("#broken .line[data-marked=error]", (els) => els.map((e) => Number(e.dataset.line)));
  assert.deepEqual(marked, [5]);
  await context.close();
});

test("changing an attribute re-checks; a bad attribute is shown, naming it", async () => {
  const { context, page: p } = await open("three.html");
  await results(p, 5);
  await p.evaluate(() => document.querySelector("#a").setAttribute("profile", "baseline"));
  await p.waitForFunction(() => window.results.some((r) => r.id === "a" && r.report.settings.profile === "baseline"), null, WAIT);
  await p.evaluate(() => document.querySelector("#a").setAttribute("kube-version", "1.99"));
  const alert = p.locator("#a [data-testid=widget-error]");
  await alert.waitFor(WAIT);
  assert.match(await alert.textContent(), /kube-version/);
  await context.close();
});

test("theme follows the attribute without a re-render; height limits the code view", async () => {
  const { context, page: p } = await open("three.html");
  await results(p, 5);
  const bg = () => p.$eval("#a", (w) => getComputedStyle(w.shadowRoot.querySelector(".frame")).backgroundColor);
  const light = await bg();
  const before = await p.evaluate(() => window.results.length);
  await p.evaluate(() => document.querySelector("#a").setAttribute("theme", "dark"));
  const dark = await bg();
  assert.equal(light, "rgb(255, 255, 255)");
  assert.equal(dark, "rgb(30, 31, 34)");
  assert.equal(await p.evaluate(() => window.results.length), before, "a theme change does not re-check");
  await p.evaluate(() => document.querySelector("#a").setAttribute("height", "60"));
  const height = await p.$eval("#a", (w) => w.shadowRoot.querySelector(".code").getBoundingClientRect().height);
  assert.ok(height <= 60.5, `height ${height}`);
  await context.close();
  // theme="auto" (the default) follows the reader's colour scheme.
  const darkContext = await browser.newContext({ colorScheme: "dark" });
  const dp = await darkContext.newPage();
  await dp.goto(server.origin + "/three.html");
  await dp.waitForFunction(() => document.querySelector("#a")?.shadowRoot?.querySelector(".frame"), null, WAIT);
  assert.equal(await dp.$eval("#a", (w) => getComputedStyle(w.shadowRoot.querySelector(".frame")).backgroundColor), "rgb(30, 31, 34)");
  await darkContext.close();
});

test("the Open in playground link carries the manifest and options in the share fragment", async () => {
  const { context, page: p } = await open("three.html");
  await results(p, 5);
  await p.waitForFunction(() => document.querySelector("#a").shadowRoot.querySelector("[part=playground-link]").href.includes("#v1."), null, WAIT);
  const href = await p.$eval("#a [part=playground-link]", (a) => a.href);
  assert.ok(href.startsWith(server.origin + "/index.html#v1."), href);
  const state = JSON.parse(inflateRawSync(Buffer.from(href.split("#v1.")[1], "base64url")).toString());
  assert.deepEqual(state, { t: PRIVILEGED, p: "restricted", k: "1.29" });
  await context.close();
});

test("ten widgets: the wasm is fetched once, only when the first scrolls into view", async () => {
  const { context, page: p, requests } = await open("ten.html");
  await p.waitForFunction(() => customElements.get("kubeharden-check"), null, WAIT);
  await p.waitForTimeout(300);
  assert.equal(requests.filter((u) => u.endsWith(".wasm")).length, 0, "nothing visible, nothing fetched");
  await p.evaluate(() => document.querySelector("#w0").scrollIntoView());
  await p.waitForFunction(() => window.results.length > 0, null, WAIT);
  const [first] = await p.evaluate(() => window.results);
  assert.equal(first.id, "w0");
  const all = await results(p, 10);
  assert.deepEqual(new Set(all.map((r) => r.id)).size, 10);
  assert.equal(requests.filter((u) => u.endsWith(".wasm")).length, 1, "one wasm for ten widgets");
  assert.ok(!requests.some((u) => u.includes("editor")), "read-only widgets never load the editor");
  await context.close();
});
