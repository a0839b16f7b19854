// The playground's reports and versions as people use them (issues 9, 11 and 14): the JSON
// and SARIF exports are byte for byte what the CLI writes for the same text, profile,
// version and configuration (the CLI is run on the command the playground copies); hardened
// YAML leaves no `add:` behind; what no fix covers shows each rule's own remediation and a
// link to its documentation; a patch release typed in the version field reaches the checks,
// the share link and the target note; the Rules tab lists the Config tab's custom rules and
// its overrides; the extras that make the reports and the diff load only when first asked
// for, and a load that failed is said and tried again. Each test types and clicks as a person does, in headless Chromium against
// the built site in dist/; the CLI is target/debug/kubeharden (`cargo build`) or
// KUBEHARDEN_BIN.
//
// A missing dist/, Chromium or CLI FAILS every test with the reason: it is never skipped.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { HANG_MS, editorText, launchBrowser, openApp, replaceEditorText, repoRoot, requireDist, startServer } from "./harness.mjs";

const WAIT = { timeout: HANG_MS };
// Findings of a collapsed group are in the page but not visible.
const ATTACHED = { state: "attached", timeout: HANG_MS };
const cli = resolve(process.env.KUBEHARDEN_BIN || join(repoRoot, "target", "debug", "kubeharden"));

// A comment with characters of 2 bytes / 1 UTF-16 unit (é) and 4 bytes / 2 units (🦀): the
// reports' byte and UTF-16 columns differ after it.
const MANIFEST = `# café 🦀: a privileged web server
apiVersion: apps/v1
kind: Deployment
metadata:
  name: e2e-web
  namespace: e2e
spec:
  selector:
    matchLabels:
      app: e2e-web
  template:
    metadata:
      labels:
        app: e2e-web
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: quay.io/e2e/web:1.27
          securityContext:
            privileged: true
`;

// Two capabilities the baseline forbids, each removed by its own fix.
const CAPS = `apiVersion: v1
kind: Pod
metadata:
  name: e2e-caps
  namespace: e2e
spec:
  containers:
    - name: c
      image: nginx:1.27
      securityContext:
        capabilities:
          add:
            - SYS_ADMIN
            - NET_ADMIN
          drop: [ALL]
`;

const CONFIG = `profile: baseline
rules:
  cpu-limits: off
  run-as-non-root: {severity: high}
custom-rules:
  - id: images-from-our-registry
    title: Image from a registry we do not run
    severity: high
    area: controls
    template: image-registry
    params: {allowed: [registry.example.com]}
    fix: {guidance: Push the image to registry.example.com.}
    rationale: Only images built by our pipeline may run.
    remediation: Mirror the image into registry.example.com.
    references: [https://kubernetes.io/docs/concepts/containers/images/]
exemptions:
  - rule: host-namespaces
    objects: [{kind: Deployment, name: "e2e-*"}]
    reason: the e2e agent needs the node network
`;

let server;
let browser;
let dir;
const pageErrors = [];

before(async () => {
  requireDist();
  if (!existsSync(cli)) throw new Error(`the CLI is missing: ${cli} does not exist; run \`cargo build\` or set KUBEHARDEN_BIN`);
  server = await startServer();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), "kubeharden-export-"));
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(pageErrors, [], "no page errors");
});

async function newContext() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin }).catch(() => {});
  ctx.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
  return ctx;
}

/** Opens the app in a fresh context and pastes `text`; waits for the first check. */
async function withText(text) {
  const ctx = await newContext();
  const page = await openApp(ctx, server.origin);
  await page.waitForSelector("[data-testid=finding]", WAIT);
  await replaceEditorText(page, text);
  return { ctx, page };
}

async function waitForText(page, selector, re) {
  await page.waitForFunction(
    ([sel, src]) => new RegExp(src).test(document.querySelector(sel)?.textContent ?? ""),
    [selector, re.source],
    WAIT,
  );
  return page.locator(selector).first().textContent();
}

/** Opens the Config tab and replaces its text as a person pasting would. */
async function typeConfig(page, text) {
  await page.click("[data-testid=tab-config]");
  const content = page.locator("[data-testid=config-editor] .cm-content");
  await content.waitFor({ state: "visible", timeout: HANG_MS });
  await content.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
}

/** Types a version into the version field and leaves it (Enter), as a person does. */
async function typeVersion(page, text) {
  const field = page.locator("input[data-testid=kube-version-text]");
  await field.fill("");
  await field.pressSequentially(text);
  await field.press("Enter");
}

/** Clicks an export button in the Export menu; the clipboard's text afterwards. */
async function exportMenu(page, testid) {
  const menu = page.locator("details.menu");
  if ((await menu.getAttribute("open")) === null) await menu.locator("summary").click();
  await page.click(`[data-testid=${testid}]`);
}

async function clipboardAfter(page, testid, startsWith) {
  await page.evaluate(() => navigator.clipboard.writeText(""));
  await exportMenu(page, testid);
  await page.waitForFunction(async (s) => (await navigator.clipboard.readText()).startsWith(s), startsWith, WAIT);
  return page.evaluate(() => navigator.clipboard.readText());
}

/** The text of the file the button downloads. */
async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent("download", WAIT), exportMenu(page, testid)]);
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), "utf8") };
}

/** Runs `command` (the playground's CLI command, with `format`) in a folder holding the
 * editor's text as manifest.yaml and the Config tab's as .kubeharden.yaml; its stdout. */
function runCli(command, format, text, config) {
  const [program, ...args] = command.split(" ");
  assert.equal(program, "kubeharden");
  assert.equal(args[0], "check");
  rmSync(join(dir, ".kubeharden.yaml"), { force: true });
  writeFileSync(join(dir, "manifest.yaml"), text);
  if (config !== undefined) writeFileSync(join(dir, ".kubeharden.yaml"), config);
  const r = spawnSync(cli, ["check", "--format", format, ...args.slice(1)], { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
  assert.ok([0, 1].includes(r.status), `${command} --format ${format}: status ${r.status}: ${r.stderr}`);
  return r.stdout;
}

test("export: the JSON and SARIF reports are the CLI's, byte for byte, also with a patch release and a configuration", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await typeVersion(page, "1.29.3");
    await page.waitForSelector('[data-testid=finding][data-rule="kube-version-cves"]', ATTACHED);
    const text = await editorText(page);
    assert.equal(text, MANIFEST, "the editor holds the manifest");
    const command = await clipboardAfter(page, "export-cli", "kubeharden check");
    assert.equal(command, "kubeharden check --kube-version 1.29.3 manifest.yaml");

    const json = await download(page, "export-json");
    assert.equal(json.name, "kubeharden.json");
    const cliJson = runCli(command, "json", text);
    const report = JSON.parse(json.text);
    assert.equal(report.version, 2);
    assert.equal(report.settings.kube_version, "v1.29.3");
    assert.ok(report.summary.target, "summary.target: the support of v1.29 on today's date");
    assert.equal(json.text, cliJson, "the downloaded JSON is the CLI's");
    assert.match(await page.locator("[data-testid=notice]").textContent(), /kubeharden\.json downloaded.*--format json/);
    assert.equal(await clipboardAfter(page, "export-json-copy", "{"), cliJson, "the copied JSON too");

    const sarif = await download(page, "export-sarif");
    assert.equal(sarif.name, "kubeharden.sarif");
    const cliSarif = runCli(command, "sarif", text);
    const log = JSON.parse(sarif.text);
    assert.ok(log.runs[0].tool.driver.rules.every((r) => r.fullDescription.text), "every rule's description (fetched)");
    assert.equal(sarif.text, cliSarif, "the downloaded SARIF is the CLI's");
    assert.equal(await clipboardAfter(page, "export-sarif-copy", "{"), cliSarif, "the copied SARIF too");

    // Another profile.
    await page.selectOption("select[data-testid=profile]", "restricted");
    await page.waitForFunction(() => !document.querySelector('[data-testid=finding][data-rule="kube-version-cves"]'), null, WAIT);
    const restricted = await clipboardAfter(page, "export-cli", "kubeharden check");
    assert.equal(restricted, "kubeharden check --profile restricted --kube-version 1.29.3 manifest.yaml");
    const rJson = await download(page, "export-json");
    assert.equal(rJson.text, runCli(restricted, "json", text));
    assert.equal(JSON.parse(rJson.text).settings.profile, "restricted");

    // With the Config tab's file: custom rule, severities, a rule off, an exemption, its profile.
    await typeConfig(page, CONFIG);
    await page.click("[data-testid=tab-findings]");
    await page.waitForSelector('[data-testid=finding][data-rule="images-from-our-registry"]', ATTACHED);
    const configured = await clipboardAfter(page, "export-cli", "kubeharden check");
    assert.equal(configured, "kubeharden check --kube-version 1.29.3 --config .kubeharden.yaml manifest.yaml");
    const cJson = await download(page, "export-json");
    assert.equal(cJson.text, runCli(configured, "json", text, CONFIG));
    assert.ok(JSON.parse(cJson.text).findings.some((f) => f.rule === "images-from-our-registry" && f.severity === "high"));
    const cSarif = await download(page, "export-sarif");
    assert.equal(cSarif.text, runCli(configured, "sarif", text, CONFIG));
  } finally {
    await ctx.close();
  }
});

test("hardened YAML leaves no empty add:, and what no fix covers shows each rule's remediation and a link to its documentation", async () => {
  const docs = JSON.parse(execFileSync(cli, ["rules", "--format", "json"], { encoding: "utf8", maxBuffer: 64 << 20 }));
  const { ctx, page } = await withText(CAPS);
  try {
    await page.locator("input[data-testid=unsafe-toggle]").check();
    await page.click("[data-testid=tab-hardened]");
    await waitForText(page, "[data-testid=hardened]", /runAsNonRoot: true/);
    const hardened = await page.locator("[data-testid=hardened]").textContent();
    assert.ok(!hardened.includes("add:"), `every added capability is removed, and its key: ${hardened}`);
    assert.ok(!hardened.includes("SYS_ADMIN") && hardened.includes("drop: [ALL]"), hardened);

    const uncovered = page.locator("[data-testid=uncovered]");
    await uncovered.locator("summary").click();
    const items = uncovered.locator("[data-testid=uncovered-item]");
    assert.ok((await items.count()) >= 2, "cpu-limits and the image digest have no automatic fix");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=uncovered-item] [data-testid=remedy]").length === document.querySelectorAll("[data-testid=uncovered-item]").length, null, WAIT);
    for (let i = 0; i < (await items.count()); i++) {
      const item = items.nth(i);
      const rule = await item.getAttribute("data-rule");
      const doc = docs.find((d) => d.id === rule);
      // The rule's own remediation, rendered from its Markdown (code spans lose their backticks).
      const plain = doc.remediation.replace(/`/g, "").replace(/\*\*/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\s+/g, " ");
      const shown = (await item.locator("[data-testid=remedy]").textContent()).replace(/\s+/g, " ");
      assert.ok(shown.startsWith(plain.slice(0, 40)), `${rule}: ${shown} / ${plain}`);
      assert.ok(!shown.includes("Change it by hand"), "no generic text");
    }
    const item = uncovered.locator('[data-testid=uncovered-item][data-rule="cpu-limits"]');
    await item.locator("[data-testid=uncovered-doc]").click();
    await page.waitForSelector("[data-testid=tab-rules][aria-selected=true]", WAIT);
    const row = page.locator("#rule-cpu-limits");
    await row.locator("details.rule-doc[open]").waitFor(WAIT);
    const rationale = docs.find((d) => d.id === "cpu-limits").rationale.replace(/`/g, "").slice(0, 30);
    await waitForText(page, "#rule-cpu-limits [data-testid=rule-rationale]", new RegExp(rationale.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.ok(await row.isVisible());
    const box = await row.boundingBox();
    const panel = await page.locator("[data-testid=catalogue]").boundingBox();
    assert.ok(box.y < panel.y + panel.height && box.y + box.height > panel.y, `the row is scrolled into view: ${JSON.stringify([box, panel])}`);
  } finally {
    await ctx.close();
  }
});

test("versions: a patch release is typed, checked, shared and noted; a bad one is said, never applied", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    const note = page.locator("[data-testid=target-note]");
    assert.equal(await note.count(), 0, "the newest version: nothing to say");
    await typeVersion(page, "1.29.3");
    await page.waitForSelector('[data-testid=finding][data-rule="kube-version-cves"]', ATTACHED);
    assert.equal(await page.locator("select[data-testid=kube-version]").inputValue(), "1.29.3");
    // Past its end of support: said once, as the CLI's human output says it.
    const human = spawnSync(cli, ["check", "--kube-version", "1.29.3", "--color", "never", "-"], { input: MANIFEST, encoding: "utf8" });
    const cliLine = human.stdout.trim().split("\n").pop();
    assert.match(cliLine, /^warning: target v1\.29 reached its end of support/);
    await waitForText(page, "[data-testid=target-note]", /end of support/);
    assert.equal(await note.count(), 1);
    assert.equal((await note.textContent()).trim(), cliLine);

    // A minor version from the menu drops the patch: the CVE list of one release goes.
    await page.selectOption("select[data-testid=kube-version]", "1.29");
    await page.waitForFunction(() => document.querySelector("input[data-testid=kube-version-text]").value === "1.29", null, WAIT);
    // A supported version: nothing to say (as the CLI says nothing).
    await page.selectOption("select[data-testid=kube-version]", "1.35");
    await page.waitForFunction(() => !document.querySelector("[data-testid=target-note]"), null, WAIT);
    const quiet = spawnSync(cli, ["check", "--kube-version", "1.35", "--color", "never", "-"], { input: MANIFEST, encoding: "utf8" });
    assert.ok(!quiet.stdout.includes("target v1.35"), quiet.stdout);

    // A bad value is said next to the field and changes nothing.
    await typeVersion(page, "1.29.3");
    await page.waitForSelector('[data-testid=finding][data-rule="kube-version-cves"]', ATTACHED);
    await typeVersion(page, "1.29.x");
    await waitForText(page, "[data-testid=kube-version-error]", /invalid Kubernetes version "1\.29\.x"/);
    assert.equal(await page.locator("input[data-testid=kube-version-text]").getAttribute("aria-invalid"), "true");
    assert.equal(await page.locator("select[data-testid=kube-version]").inputValue(), "1.29.3", "the version stays");

    // The share link carries the patch release; opening it restores it.
    await page.click("[data-testid=share]");
    await page.waitForFunction(async () => (await navigator.clipboard.readText()).includes("#v1."), null, WAIT);
    const url = await page.evaluate(() => navigator.clipboard.readText());
    const state = JSON.parse(inflateRawSync(Buffer.from(url.slice(url.indexOf("#v1.") + 4), "base64url")).toString("utf8"));
    assert.equal(state.k, "1.29.3");
    const ctx2 = await newContext();
    try {
      const opened = await openApp(ctx2, server.origin, url.slice(url.indexOf("#")));
      await opened.waitForSelector('[data-testid=finding][data-rule="kube-version-cves"]', ATTACHED);
      assert.equal(await opened.locator("input[data-testid=kube-version-text]").inputValue(), "1.29.3");
      // A link with a version that cannot be read says so, and keeps the text.
      const bad = "#v1." + deflateRawSync(Buffer.from(JSON.stringify({ t: MANIFEST, k: "1.29.3-gke.100" }))).toString("base64url");
      const page3 = await openApp(ctx2, server.origin, bad);
      await waitForText(page3, "[data-testid=notice]", /Kubernetes version is not valid.*1\.29\.3-gke\.100/);
      assert.equal(await page3.locator("select[data-testid=kube-version]").inputValue(), "");
      assert.ok((await editorText(page3)).includes("e2e-web"));
    } finally {
      await ctx2.close();
    }
  } finally {
    await ctx.close();
  }
});

test("the Rules tab lists the Config tab's custom rules, severities and rules turned off", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await page.click("[data-testid=tab-rules]");
    await page.waitForSelector("[data-testid=catalogue-rule]", WAIT);
    const builtin = await page.locator("[data-testid=catalogue-rule]").count();
    assert.equal(await page.locator('[data-testid=catalogue-rule][data-rule="images-from-our-registry"]').count(), 0);
    await typeConfig(page, CONFIG);
    await page.click("[data-testid=tab-rules]");
    const custom = page.locator('[data-testid=catalogue-rule][data-rule="images-from-our-registry"]');
    await custom.waitFor(WAIT);
    assert.equal(await page.locator("[data-testid=catalogue-rule]").count(), builtin + 1);
    assert.equal(await custom.getAttribute("data-custom"), "true");
    const text = await custom.textContent();
    assert.match(text, /Image from a registry we do not run/);
    assert.match(text, /template: image-registry/);
    assert.match(await custom.locator("[data-testid=rule-severity]").textContent(), /^high/);
    await custom.locator("details.rule-doc summary").click();
    assert.match(await custom.locator("[data-testid=rule-remediation]").textContent(), /Mirror the image into registry\.example\.com/);
    assert.match(await page.locator("[data-testid=catalogue] .note").textContent(), /1 of them custom/);
    const off = page.locator('[data-testid=catalogue-rule][data-rule="cpu-limits"]');
    assert.equal(await off.getAttribute("data-enabled"), "false");
    assert.match(await off.locator("[data-testid=rule-off]").textContent(), /off \(set by \.kubeharden\.yaml, line 3\)/);
    const raised = page.locator('[data-testid=catalogue-rule][data-rule="run-as-non-root"] [data-testid=rule-severity]');
    assert.equal((await raised.textContent()).trim(), "high (set by .kubeharden.yaml, line 4)");
    // An invalid configuration is not applied: the list is the built-in one again.
    await typeConfig(page, "rules:\n  cpu-limit: off\n");
    await page.click("[data-testid=tab-rules]");
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=catalogue-rule]").length === n, builtin, WAIT);
    assert.equal(await page.locator('[data-testid=catalogue-rule][data-rule="cpu-limits"]').getAttribute("data-enabled"), "true");
  } finally {
    await ctx.close();
  }
});

test("the extras load on demand: not for the first check; an export or the Diff tab that cannot load them says so, and the next try loads them", async () => {
  const ctx = await newContext();
  const extras = [];
  let blocked = true;
  await ctx.route("**/extras/**", (route) => {
    extras.push(new URL(route.request().url()).pathname);
    return blocked ? route.abort("connectionrefused") : route.continue();
  });
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    assert.deepEqual(extras, [], "the first check loads no extras");

    // The Diff tab while the extras cannot be loaded: an error, not an empty diff (the
    // hardened YAML the diff is of is made by the extras' fixer, in the engine's worker).
    await page.click("[data-testid=tab-diff]");
    assert.match(await waitForText(page, "[data-testid=hardened-error]", /could not be made/), /The hardened YAML could not be made: .+\./);
    assert.equal(await page.locator("[data-testid=diff]").count(), 0);
    assert.ok(extras.some((p) => /\/extras\/kubeharden-extras-[0-9a-f]{16}\.js$/.test(p)), `the extras' script was asked for: ${extras}`);

    // The export too: a warning, and nothing downloaded or copied.
    await exportMenu(page, "export-json");
    assert.match(await waitForText(page, "[data-testid=notice]", /No report was made/), /No report was made: .+/);

    // Once the network is back the failed load is not remembered: the export works.
    blocked = false;
    const json = await download(page, "export-json");
    assert.equal(json.name, "kubeharden.json");
    assert.equal(JSON.parse(json.text).version, 2);
    assert.equal(await page.locator("details.menu").getAttribute("open"), null, "the menu closes once an item is chosen");
    // And the diff of another text is made.
    await page.click("[data-testid=tab-findings]");
    await replaceEditorText(page, CAPS);
    await page.locator("input[data-testid=unsafe-toggle]").check();
    await page.click("[data-testid=tab-diff]");
    const diff = await waitForText(page, "[data-testid=diff]", /^--- /);
    assert.match(diff, /^--- manifest\.yaml\n\+\+\+ hardened\.yaml\n/);
    assert.match(diff, /^-\s+- SYS_ADMIN$/m);
  } finally {
    await ctx.close();
  }
});

test("the Export menu closes on Escape (the focus back on it) and on a click elsewhere; the Diff tab's buttons say they act on the hardened YAML", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    const menu = page.locator("details.menu");
    const open = () => menu.evaluate((d) => d.open);
    await menu.locator("summary").click();
    assert.equal(await open(), true);
    await page.keyboard.press("Tab"); // onto the first item
    await page.keyboard.press("Escape");
    assert.equal(await open(), false, "Escape closes it");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Export", "and gives the focus back to it");
    await menu.locator("summary").click();
    assert.equal(await open(), true);
    await page.locator("[data-testid=editor] .cm-content").click();
    assert.equal(await open(), false, "a click elsewhere (the editor) closes it");
    await page.click("[data-testid=tab-diff]");
    await page.waitForSelector("[data-testid=diff], [data-testid=diff-empty]", WAIT);
    const labels = await page.locator(".hardened .toolbar button").allTextContents();
    assert.deepEqual(labels.slice(0, 2), ["Copy hardened YAML", "Download hardened YAML"]);
  } finally {
    await ctx.close();
  }
});

test("the Diff tab says when no fix changes the text", async () => {
  const { ctx, page } = await withText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: e2e\ndata:\n  a: b\n");
  try {
    await page.click("[data-testid=tab-diff]");
    assert.match(await waitForText(page, "[data-testid=diff-empty]", /No changes/), /No changes: no fix applies/);
    assert.equal(await page.locator("[data-testid=diff]").count(), 0);
  } finally {
    await ctx.close();
  }
});
