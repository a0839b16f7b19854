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

// A custom rule and a baseline profile, inline.
const INLINE_CONFIG = `profile: baseline
custom-rules:
  - id: images-from-our-registry
    title: Image from a registry we do not run
    severity: high
    area: controls
    template: image-registry
    params: {allowed: [registry.example.com]}
    fix: {guidance: Push the image to registry.example.com.}
    rationale: Only images built and scanned by our pipeline may run.
    remediation: Mirror the image into registry.example.com.
    references: [https://kubernetes.io/docs/concepts/containers/images/]
`;
// A site's configuration: restricted, and the privileged web pod exempted with a reason.
const SITE_CONFIG = `profile: restricted
exemptions:
  - rule: privileged-container
    objects: [{kind: Pod, name: web}]
    reason: the course's example of what not to do
`;
const BAD_CONFIG = `rules:
  host-namespace: off
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
  for (const f of ["kubeharden-widget.js", "kubeharden-widget-worker.js", "kubeharden-widget-editor.js", "pkg/kubeharden.js", "pkg/kubeharden_wasm_bg.wasm", "pkg/kubeharden_check_bg.wasm"]) {
    if (!existsSync(join(distDir, f))) throw new Error(`the built widget is missing: ${join(distDir, f)} does not exist; run \`make dist\``);
  }
  root = mkdtempSync(join(tmpdir(), "kubeharden-widget-"));
  for (const f of ["kubeharden-widget.js", "kubeharden-widget-worker.js", "kubeharden-widget-editor.js", "pkg"]) cpSync(join(distDir, f), join(root, f), { recursive: true });
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
  // Configurations: inline (`config`), from a file shared by two widgets (`config-src`), wrong
  // ones, and one on another origin.
  writeFileSync(join(root, "site.kubeharden.yaml"), SITE_CONFIG);
  writeFileSync(
    join(root, "config.html"),
    page(`
<kubeharden-check id="inline" config="${escape(INLINE_CONFIG).replace(/"/g, "&quot;")}"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>
<kubeharden-check id="site1" config-src="site.kubeharden.yaml"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>
<kubeharden-check id="site2" config-src="site.kubeharden.yaml" profile="all"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>
<kubeharden-check id="bad" config="${escape(BAD_CONFIG)}"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>
<kubeharden-check id="foreign" config-src="http://203.0.113.9/kubeharden.yaml"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>
<kubeharden-check id="missing" config-src="no-such.yaml"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>
<pre data-config-src="site.kubeharden.yaml"><code class="language-yaml kubeharden" id="fenced">${escape(PRIVILEGED)}</code></pre>`),
  );
  // Faults: manifests that cannot be read, an editable widget (for a blocked full engine), a
  // src= changed later, and MkDocs' Pygments output (classes and data- on a wrapper <div>).
  writeFileSync(join(root, "pod.yaml"), PRIVILEGED);
  writeFileSync(
    join(root, "faults.html"),
    page(`
<kubeharden-check id="foreign" src="http://203.0.113.9/app.yaml"></kubeharden-check>
<kubeharden-check id="missing" src="missing.yaml"></kubeharden-check>
<kubeharden-check id="ed" editable><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>
<kubeharden-check id="file" src="host-pid.yaml"></kubeharden-check>
<div class="kubeharden highlight" data-profile="restricted"><pre><span></span><code>${escape(PRIVILEGED).replace("privileged: true", '<span class="nt">privileged</span>: true')}</code></pre></div>`),
  );
  // The demo page as built, with its files.
  cpSync(join(distDir, "widget-demo.html"), join(root, "widget-demo.html"));
  cpSync(join(distDir, "widget-demo"), join(root, "widget-demo"), { recursive: true });
  const spacer = '<div class="tall"></div>';
  writeFileSync(join(root, "tall.css"), ".tall { height: 3000px; }");
  writeFileSync(
    join(root, "ten.html"),
    page(
      `<link rel="stylesheet" href="tall.css">${spacer}` +
        Array.from({ length: 10 }, (_, i) => `<kubeharden-check id="w${i}"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>`).join(spacer),
    ),
  );
  // One editable widget, for the worker's tests: long texts are set as its source (one rule,
  // so that a long check has a short report).
  writeFileSync(join(root, "worker.html"), page(`<kubeharden-check id="big" rules="privileged-container" editable loading="eager"><pre>${escape(HOST_PID)}</pre></kubeharden-check>`));
  // One read-only widget checked with every rule, for a text with thousands of findings.
  writeFileSync(join(root, "dense.html"), page(`<kubeharden-check id="dense" loading="eager"><pre>${escape(PRIVILEGED)}</pre></kubeharden-check>`));
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

/** What the package itself answers, on the page's thread (the widget's engine runs in its worker). */
const engine = (p, kind, text, options) =>
  p.evaluate(
    async ([kind, text, options]) => {
      const m = await import("./pkg/kubeharden.js");
      await m.init();
      return m[kind](text, options);
    },
    [kind, text, options],
  );

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
  const expected = (await engine(p, "fix", HOST_PID, { unsafe: true })).text;
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

test("a src= that cannot be read stays an error: no result, no clean report", async () => {
  const { context, page: p } = await open("faults.html");
  await showAll(p);
  await p.waitForTimeout(500); // a check scheduled after the failure would have replaced it by now
  for (const [id, said] of [["foreign", /is on another origin/], ["missing", /could not read src="missing.yaml"/]]) {
    assert.match(await p.$eval(`#${id} [data-testid=widget-error]`, (e) => e.textContent), said);
    assert.equal(await p.$eval(`#${id}`, (e) => e.report), null);
    assert.equal(await p.$eval(`#${id}`, (e) => e.check()), null, "check() resolves to null: nothing was read");
    await p.locator(`#${id} [data-tab=hardened]`).click();
    assert.match(await p.$eval(`#${id} [part~=fix-summary]`, (e) => e.textContent), said, "the Hardened tab says it too");
  }
  assert.deepEqual(await p.evaluate(() => window.results.map((r) => r.id).filter((id) => id === "foreign" || id === "missing")), [], "no kubeharden-result for them");
  await context.close();
});

test("with the full engine blocked, checks go on with the check-only one; the fix tabs say so and retry", async () => {
  const { context, page: p, requests } = await open("faults.html");
  await p.route("**/kubeharden_wasm_bg.wasm", (route) => route.abort());
  await showAll(p);
  await p.locator("#ed [data-tab=hardened]").click();
  await p.waitForFunction(() => /could not be loaded/.test(document.getElementById("ed").shadowRoot.querySelector("[part~=fix-summary]").textContent), null, WAIT);
  await p.locator("#ed [data-tab=findings]").click();
  const before = await p.evaluate(() => window.results.filter((r) => r.id === "ed").length);
  const content = p.locator("#ed [data-testid=widget-editor]");
  await content.click();
  await p.keyboard.press("ControlOrMeta+a");
  await p.keyboard.insertText(HOST_PID);
  await p.waitForFunction((n) => window.results.filter((r) => r.id === "ed").length > n, before, WAIT);
  assert.ok((await findings(p, "ed")).some((f) => f.rule === "host-namespaces"), "re-checked on the check-only engine");
  assert.equal(await p.locator("#ed [data-testid=widget-error]").count(), 0);
  await p.unroute("**/kubeharden_wasm_bg.wasm");
  await p.locator("#ed [data-tab=hardened]").click();
  await p.waitForFunction(() => /applied/.test(document.getElementById("ed").shadowRoot.querySelector("[part~=fix-summary]").textContent), null, WAIT);
  const expected = (await engine(p, "fix", HOST_PID)).text;
  const shown = await p.$eval("#ed [data-testid=hardened]", (e) => [...e.querySelectorAll(".line .text")].map((l) => l.textContent).join("\n") + "\n");
  assert.equal(shown, expected, "opening the tab again loaded the full engine");
  assert.equal(requests.filter((u) => u.endsWith("/kubeharden_check_bg.wasm")).length, 1);
  await context.close();
});

test("changing src= after the Hardened tab rendered re-renders it; the Diff tab names unsafe fixes held back", async () => {
  const { context, page: p } = await open("faults.html");
  await showAll(p);
  await p.locator("#file [data-tab=diff]").click();
  await p.waitForFunction(() => /host-pid\.yaml|No changes/.test(document.getElementById("file").shadowRoot.querySelector("[data-testid=diff]").textContent), null, WAIT);
  await p.$eval("#file", (e) => e.setAttribute("src", "pod.yaml"));
  await p.locator("#file [data-tab=hardened]").click();
  await p.waitForFunction(() => /privileged: true/.test(document.getElementById("file").shadowRoot.querySelector("[data-testid=hardened]").textContent), null, WAIT);
  // `kubeharden fix pod.yaml` applies nothing and says "7 more fixes need --unsafe".
  await p.locator("#file [data-tab=diff]").click();
  assert.match(await p.$eval("#file [data-testid=diff]", (e) => e.textContent), /No changes with safe fixes\. 7 more findings have unsafe fixes, applied only with the unsafe-fixes attribute/);
  await context.close();
});

test("MkDocs' Pygments output (classes and data- attributes on a div.highlight) is upgraded", async () => {
  const { context, page: p } = await open("faults.html");
  await showAll(p);
  const upgraded = await p.$eval("kubeharden-check[profile=restricted]", (w) => ({ wrapper: !!document.querySelector("div.highlight"), findings: w.report.findings.map((f) => f.rule) }));
  assert.equal(upgraded.wrapper, false, "the wrapper is replaced by the widget");
  assert.ok(upgraded.findings.includes("privileged-container"), JSON.stringify(upgraded));
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
  const wasm = () => requests.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname);
  assert.deepEqual(wasm(), ["/pkg/kubeharden_check_bg.wasm"], "one wasm for ten widgets: the check-only one, since none shows a fixed text");
  assert.ok(!requests.some((u) => u.includes("editor")), "read-only widgets never load the editor");
  assert.ok(!requests.some((u) => u.endsWith("/rules.json")), "nor the rule docs, until one is opened");
  await p.locator("#w0 [data-rule=privileged-container] summary").click();
  await p.waitForFunction(() => /privileged/i.test(document.querySelector("#w0").shadowRoot.querySelector("[data-rule=privileged-container] details div").textContent) && !/Loading/.test(document.querySelector("#w0").shadowRoot.querySelector("[data-rule=privileged-container] details div").textContent), null, WAIT);
  await p.locator("#w1 [data-rule=privileged-container] summary").click();
  assert.equal(requests.filter((u) => u.endsWith("/rules.json")).length, 1, "opening rule docs loads rules.json once for the page");
  // The Hardened YAML tab fetches the full engine, once for the page, and shows its fixed text.
  const hardenedOf = (id) => p.$eval(`#${id} [data-testid=hardened]`, (e) => [...e.querySelectorAll(".line .text")].map((l) => l.textContent).join("\n") + "\n");
  for (const id of ["w0", "w1"]) {
    await p.locator(`#${id} [data-tab=hardened]`).click();
    await p.locator(`#${id} [data-testid=hardened] .line`).first().waitFor(WAIT);
    await p.waitForFunction((id) => /applied/.test(document.getElementById(id).shadowRoot.querySelector("[part~=fix-summary]").textContent), id, WAIT);
  }
  assert.deepEqual(wasm(), ["/pkg/kubeharden_check_bg.wasm", "/pkg/kubeharden_wasm_bg.wasm"], "the full wasm once, for both tabs");
  const expected = (await engine(p, "fix", PRIVILEGED)).text;
  assert.equal(await hardenedOf("w1"), expected);
  await context.close();
});

test("a configuration applies: inline (config), from a same-origin file fetched once (config-src); attributes win over it", async () => {
  const { context, page: p, requests, errors } = await open("config.html");
  await showAll(p);
  const report = (id) => p.evaluate((id) => document.getElementById(id).report, id);
  const inline = await report("inline");
  assert.equal(inline.settings.profile, "baseline", "the configuration's profile");
  const custom = await findings(p, "inline");
  assert.ok(custom.some((f) => f.rule === "images-from-our-registry" && f.severity === "high" && f.line === 8), JSON.stringify(custom));
  // The same report as the package gives for that configuration.
  const expected = await engine(p, "check", PRIVILEGED, { config: INLINE_CONFIG });
  assert.deepEqual(inline, expected);
  // A custom rule's docs are in the configuration, not in rules.json: the widget says so.
  await p.locator("#inline [data-rule=images-from-our-registry] summary").click();
  await p.waitForFunction(() => /custom-rules/.test(document.querySelector("#inline").shadowRoot.querySelector("[data-rule=images-from-our-registry] details").textContent), null, WAIT);

  const site1 = await report("site1");
  assert.equal(site1.settings.profile, "restricted");
  const privileged = site1.findings.find((f) => f.rule === "privileged-container");
  assert.equal(privileged.suppressed, true);
  assert.match(privileged.suppression_reason, /^exempted by \.kubeharden\.yaml:\d+:\d+: the course's example/);
  assert.equal((await findings(p, "site1")).find((f) => f.rule === "privileged-container").severity, "critical", "listed, marked suppressed");
  assert.match(await p.$eval("#site1 [part=status]", (e) => e.textContent), /1 suppressed/);
  const site2 = await report("site2");
  assert.equal(site2.settings.profile, "all", "the profile attribute wins over the file's, as --profile does");
  assert.equal(site2.findings.find((f) => f.rule === "privileged-container").suppressed, true);
  const fenced = await p.$eval("kubeharden-check:has(#fenced)", (w) => w.report.findings.find((f) => f.rule === "privileged-container").suppressed);
  assert.equal(fenced, true, "the loader copies data-config-src");
  assert.equal(requests.filter((u) => u.endsWith("/site.kubeharden.yaml")).length, 1, "one fetch of a configuration for every widget using it");
  assert.ok(!requests.some((u) => u.includes("203.0.113.9")), "config-src on another origin is never requested");
  assert.deepEqual(await p.evaluate(() => window.violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a wrong configuration is shown error by error at its line and column, and nothing is checked", async () => {
  const { context, page: p } = await open("config.html");
  await showAll(p);
  assert.equal(await p.evaluate(() => document.getElementById("bad").report), null);
  const listed = await p.$$eval("#bad [data-testid=config-error]", (els) => els.map((e) => ({ line: Number(e.dataset.line), column: Number(e.dataset.column), text: e.textContent })));
  assert.equal(listed.length, 1, JSON.stringify(listed));
  assert.deepEqual([listed[0].line, listed[0].column], [2, 3]);
  assert.match(listed[0].text, /^line 2, column 3: unknown rule "host-namespace" \(did you mean "host-namespaces"\?\)$/);
  assert.match(await p.$eval("#bad [data-testid=widget-error]", (e) => e.textContent), /attribute config\) is invalid/);
  assert.equal(await p.$eval("#bad [part=status]", (e) => e.textContent), "Not checked");
  assert.match(await p.$eval("#foreign [data-testid=widget-error]", (e) => e.textContent), /another origin/);
  assert.match(await p.$eval("#missing [data-testid=widget-error]", (e) => e.textContent), /could not read config-src="no-such.yaml": the server answered 404/);
  // Fixing the attribute (or the property) re-checks with it.
  await p.evaluate(() => (document.getElementById("bad").config = "rules:\n  host-namespaces: off\n"));
  await p.waitForFunction(() => document.getElementById("bad").report, null, WAIT);
  const fixedReport = await p.evaluate(() => document.getElementById("bad").report);
  assert.ok(!fixedReport.settings.rules.includes("host-namespaces"), "the rule turned off does not run");
  assert.equal(await p.evaluate(() => document.getElementById("bad").getAttribute("config")), "rules:\n  host-namespaces: off\n", "the property is the attribute");
  // Both at once is refused.
  await p.evaluate(() => document.getElementById("inline").setAttribute("config-src", "site.kubeharden.yaml"));
  await p.waitForFunction(() => /not both/.test(document.getElementById("inline").shadowRoot.querySelector("[data-testid=widget-error]")?.textContent ?? ""), null, WAIT);
  await context.close();
});

test("the configuration reaches the hardened tab, and Open in playground carries it", async () => {
  const { context, page: p } = await open("config.html");
  await showAll(p);
  await p.evaluate(() => document.getElementById("site1").setAttribute("unsafe-fixes", ""));
  await p.evaluate(() => document.getElementById("site1").setAttribute("show", "hardened"));
  await p.locator("#site1 [data-testid=hardened] .line").first().waitFor(WAIT);
  const hardened = await p.$eval("#site1 [data-testid=hardened]", (e) => [...e.querySelectorAll(".line .text")].map((l) => l.textContent).join("\n") + "\n");
  const expected = (await engine(p, "fix", PRIVILEGED, { config: SITE_CONFIG, unsafe: true })).text;
  assert.equal(hardened, expected);
  assert.match(hardened, /privileged: true/, "the exempted finding is not fixed");
  await p.waitForFunction(() => document.querySelector("#site1").shadowRoot.querySelector("[part=playground-link]").href.includes("#v1."), null, WAIT);
  const href = await p.$eval("#site1 [part=playground-link]", (a) => a.href);
  const state = JSON.parse(inflateRawSync(Buffer.from(href.split("#v1.")[1], "base64url")).toString());
  assert.deepEqual(state, { t: PRIVILEGED, u: true, c: SITE_CONFIG });
  await context.close();
});

test("the demo page's configured widgets apply their configurations", async () => {
  const { context, page: p, errors } = await open("widget-demo.html");
  await showAll(p);
  const configured = await p.evaluate(() => document.getElementById("configured").report);
  assert.ok(configured, "checked, without a configuration error");
  assert.equal(configured.settings.profile, "restricted");
  assert.ok(configured.findings.some((f) => f.rule === "images-from-our-registry"), "the custom rule");
  assert.ok(configured.findings.some((f) => f.rule === "host-namespaces" && f.suppressed), "the exemption");
  const inline = await p.evaluate(() => document.getElementById("inline-config").report);
  assert.ok(inline.findings.some((f) => f.rule === "privileged-container" && f.severity === "low"));
  assert.ok(!inline.settings.rules.includes("host-namespaces"));
  assert.deepEqual(await p.evaluate(() => window.violations ?? []), []);
  assert.deepEqual(errors, []);
  await context.close();
});

// `n` Pods, one per line, none privileged but the first (a long check with a short report:
// the engine's work grows with the objects, the report with the findings).
const pods = (n, prefix) =>
  Array.from({ length: n }, (_, i) => `{apiVersion: v1, kind: Pod, metadata: {name: ${prefix}-${i}, namespace: shop}, spec: {containers: [{name: c, image: "nginx:1.27", securityContext: {privileged: ${i === 0}}}]}}`).join("\n---\n") + "\n";
const BIG = 10000;

/** Animation frames the page drew while #big's check ran (a check on the page's thread allows
 * none), and the progress bar's value at each frame it was shown; whether it is shown after. */
const framesWhileBusy = (p) =>
  p.evaluate(
    () =>
      new Promise((resolve) => {
        const root = document.getElementById("big").shadowRoot;
        const status = root.querySelector("[part=status]");
        const meter = root.querySelector("[part=progress]");
        let frames = 0;
        const shown = [];
        const tick = () => {
          if (status.getAttribute("aria-busy") !== "true") return resolve({ frames, shown, after: !meter.hidden });
          frames++;
          if (!meter.hidden) shown.push(meter.value);
          requestAnimationFrame(tick);
        };
        tick();
      }),
  );
const busy = (p) => p.waitForFunction(() => document.getElementById("big").shadowRoot.querySelector("[part=status]").getAttribute("aria-busy") === "true", null, WAIT);
// No check of #big under way (the editable widget's first ones done), so that the busy state
// waited for next is the new text's.
const idle = (p) => p.waitForFunction(() => !document.getElementById("big").shadowRoot.querySelector("[part=status]").hasAttribute("aria-busy"), null, WAIT);
const reportsOf = (p, id) => p.evaluate((id) => window.results.filter((r) => r.id === id).map((r) => r.report.findings.filter((f) => f.rule === "privileged-container").map((f) => f.object.name)), id);

test("the engine runs in the page's one Web Worker: the page draws frames through a long check, and a newer text supersedes a running one", async () => {
  const { context, page: p, errors } = await open("worker.html");
  await showAll(p);
  assert.ok(p.workers().some((w) => w.url().endsWith("/kubeharden-widget-worker.js")), `the widget's worker runs: ${p.workers().map((w) => w.url())}`);

  // A long text: the page keeps drawing while the worker checks it, and its result arrives.
  await idle(p);
  await p.evaluate((t) => (document.getElementById("big").source = t), pods(BIG, "a"));
  await busy(p);
  const { frames, shown, after: stillShown } = await framesWhileBusy(p);
  assert.ok(frames >= 3, `the page drew ${frames} frames while the check ran`);
  // Its progress bar (shown after 300 ms) grows as the engine tells it, and is gone after.
  assert.ok(shown.length > 0 && shown.every((v, i) => i === 0 || v >= shown[i - 1]) && shown.at(-1) > shown[0], `progress shown: ${shown}`);
  assert.equal(stillShown, false, "the bar is hidden once the check is done");
  await p.waitForFunction(() => window.results.some((r) => r.id === "big" && r.report.findings.some((f) => f.object?.name === "a-0")), null, WAIT);

  // Another long text, then, while it is being checked, a short one: the short one's result
  // is the next, and the long one's never comes.
  const before = (await reportsOf(p, "big")).length;
  await p.evaluate((t) => (document.getElementById("big").source = t), pods(BIG, "b"));
  await busy(p);
  await p.evaluate((t) => (document.getElementById("big").source = t), PRIVILEGED);
  await p.waitForFunction((n) => window.results.filter((r) => r.id === "big").length > n && !document.getElementById("big").shadowRoot.querySelector("[part=status]").hasAttribute("aria-busy"), before, WAIT);
  await p.waitForTimeout(300);
  const after = (await reportsOf(p, "big")).slice(before);
  assert.deepEqual(after, [["web"]], "one result after the short text, the short text's: the long one was superseded");
  const b = await findings(p, "big");
  assert.ok(b.some((f) => f.rule === "privileged-container" && f.line === 10), JSON.stringify(b));
  assert.deepEqual(errors, []);
  await context.close();
});

test("where no worker can start, widgets check on the page's thread, with the same results", async () => {
  for (const why of ["no Worker", "the worker's file cannot be fetched"]) {
    const context = await browser.newContext();
    if (why === "no Worker") await context.addInitScript(() => delete window.Worker);
    const p = await context.newPage();
    if (why !== "no Worker") await p.route("**/kubeharden-widget-worker.js", (route) => route.abort());
    const errors = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    await p.goto(server.origin + "/three.html");
    await results(p, 5);
    assert.ok((await findings(p, "a")).some((f) => f.rule === "privileged-container" && f.line === 10), why);
    assert.ok((await findings(p, "b")).some((f) => f.rule === "host-namespaces" && f.line === 6), why);
    await p.locator("#c [data-testid=hardened] .line").first().waitFor(WAIT);
    const hardened = await p.$eval("#c [data-testid=hardened]", (e) => [...e.querySelectorAll(".line .text")].map((l) => l.textContent).join("\n") + "\n");
    assert.equal(hardened, (await engine(p, "fix", HOST_PID, { unsafe: true })).text, why);
    assert.equal(p.workers().length, 0, `${why}: no worker runs`);
    assert.deepEqual(errors, [], why);
    await context.close();
  }
});

test("a text with thousands of findings renders 200 entries at a time and marks the 10,000 most severe", async () => {
  const { context, page: p, errors } = await open("dense.html");
  await showAll(p);
  // 1,000 Pods with nothing hardened: more than ten findings each (PSS, securityContext, images).
  const text = Array.from({ length: 1000 }, (_, i) => `{apiVersion: v1, kind: Pod, metadata: {name: p-${i}, namespace: shop}, spec: {containers: [{name: c, image: nginx}]}}`).join("\n---\n") + "\n";
  await p.evaluate((t) => (document.getElementById("dense").source = t), text);
  await p.waitForFunction(() => window.results.some((r) => r.id === "dense" && r.report.findings.length > 10000), null, WAIT);
  const report = await p.evaluate(() => window.results.findLast((r) => r.id === "dense").report);
  const total = report.errors.length + report.findings.length + report.notes.length;
  const listed = () => p.$$eval("#dense [data-testid=finding]", (els) => els.map((e) => e.dataset.severity));
  const first = await listed();
  assert.equal(first.length, 200, "the first page of the list");
  const rank = ["critical", "high", "medium", "low", "info"];
  const worst = report.findings.map((f) => f.severity).sort((a, b) => rank.indexOf(a) - rank.indexOf(b))[0];
  assert.equal(first[0], worst, "the most severe first");
  assert.equal(await p.textContent("#dense [data-testid=more-findings]"), `Showing 200 of ${total} entries.Show 200 more`);
  assert.match(await p.textContent("#dense [part=status]"), /the 10000 most severe marked in the code/);
  // A gutter marker on each line where one of the 10,000 most severe findings starts, and on no other.
  const marked = await p.$$eval("#dense [part=code] [data-marked]", (els) => els.map((e) => Number(e.dataset.line)));
  const severest = report.findings.filter((f) => !f.suppressed).sort((a, b) => rank.indexOf(a.severity) - rank.indexOf(b.severity) || a.span.start.offset - b.span.start.offset).slice(0, 10000);
  assert.deepEqual(marked, [...new Set(severest.map((f) => f.span.start.line))].sort((a, b) => a - b));

  await p.click("#dense [data-testid=more-findings] button");
  assert.equal((await listed()).length, 400, "Show more adds the next 200");
  const focused = await p.evaluate(() => {
    const root = document.getElementById("dense").shadowRoot;
    return [...root.querySelectorAll("[data-testid=finding] .goto")].indexOf(root.activeElement);
  });
  assert.equal(focused, 200, "focus moves to the first entry just shown");
  assert.equal(await p.textContent("#dense [data-testid=more-findings]"), `Showing 400 of ${total} entries.Show 200 more`);

  // Every line is in the code view (in blocks laid out near the view), and a finding far down
  // scrolls its line into view and focuses it.
  assert.equal(await p.$$eval("#dense [part=code] .line", (els) => els.length), text.split("\n").length - 1);
  const lines = await p.$$eval("#dense [data-testid=finding]", (els) => els.map((e) => Number(e.dataset.line)));
  const far = lines.indexOf(Math.max(...lines));
  assert.ok(lines[far] > 300, `a finding on line ${lines[far]}, blocks of 100 lines below the first`);
  await p.locator("#dense [data-testid=finding] .goto").nth(far).click();
  const at = await p.evaluate(() => {
    const root = document.getElementById("dense").shadowRoot;
    const code = root.querySelector("[part=code]").getBoundingClientRect();
    const line = root.activeElement.getBoundingClientRect();
    return { line: Number(root.activeElement.dataset.line), inView: line.top >= code.top && line.bottom <= code.bottom };
  });
  assert.deepEqual(at, { line: lines[far], inView: true });
  // One in the middle of the text is brought to the middle of the view, not its edge.
  const half = text.split("\n").length / 2;
  const mid = lines.reduce((best, l, i) => (Math.abs(l - half) < Math.abs(lines[best] - half) ? i : best), 0);
  await p.locator("#dense [data-testid=finding] .goto").nth(mid).click();
  const centred = () =>
    p.evaluate(() => {
      const root = document.getElementById("dense").shadowRoot;
      // The view: the widget's box that scrolls the code, or else (a widget without a
      // height: the code view grows) the page's.
      let box = root.activeElement.parentElement;
      while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
      const [top, height] = box ? [box.getBoundingClientRect().top, box.clientHeight] : [0, window.innerHeight];
      const line = root.activeElement.getBoundingClientRect();
      return { line: Number(root.activeElement.dataset.line), offset: (line.top + line.bottom) / 2 - (top + height / 2), height: line.height, box: !!box };
    });
  await p.waitForTimeout(300); // the blocks of lines near the view are laid out a frame after the scroll
  const c = await centred();
  assert.equal(c.line, lines[mid]);
  assert.ok(Math.abs(c.offset) <= c.height, `line ${c.line} is ${c.offset} px from the page's middle`);
  // With a height, the widget's own box scrolls: the line to its middle.
  await p.evaluate(() => document.getElementById("dense").setAttribute("height", "300"));
  await p.locator("#dense [data-testid=finding] .goto").nth(far).click();
  await p.locator("#dense [data-testid=finding] .goto").nth(mid).click();
  await p.waitForTimeout(300);
  const boxed = await centred();
  assert.equal(boxed.box, true, "the widget's box scrolls");
  assert.ok(Math.abs(boxed.offset) <= boxed.height, `line ${boxed.line} is ${boxed.offset} px from the box's middle`);

  // Show more keeps the entries shown (the same elements) and adds the next ones after them.
  const firstEntry = await p.evaluateHandle(() => document.getElementById("dense").shadowRoot.querySelector("[data-testid=finding]"));
  await p.click("#dense [data-testid=more-findings] button");
  assert.equal((await listed()).length, 600);
  assert.ok(await p.evaluate((e) => e === document.getElementById("dense").shadowRoot.querySelector("[data-testid=finding]"), firstEntry), "the first entry is the same element");
  assert.deepEqual(errors, []);
  await context.close();
});

test("an editable widget keeps to its height: its editor scrolls, the findings list stays below it", async () => {
  const { context, page: p, errors } = await open("worker.html");
  await showAll(p);
  await p.evaluate(() => document.getElementById("big").setAttribute("height", "200"));
  await p.evaluate((t) => (document.getElementById("big").source = t), pods(300, "h"));
  await p.waitForFunction(() => window.results.some((r) => r.id === "big" && r.report.findings.some((f) => f.object?.name === "h-0")), null, WAIT);
  const box = await p.evaluate(() => {
    const root = document.getElementById("big").shadowRoot;
    // CodeMirror's own box: the part around it has the height, but its content overflowed it.
    const editor = root.querySelector("[part~=editor] .cm-editor").getBoundingClientRect();
    const list = root.querySelector("[part~=findings]").getBoundingClientRect();
    return { height: Math.round(editor.height), listBelow: list.top >= editor.bottom - 1 };
  });
  assert.ok(box.height <= 200, `the editor is ${box.height} px high`);
  assert.equal(box.listBelow, true, "the list starts below the editor");
  assert.deepEqual(errors, []);
  await context.close();
});
