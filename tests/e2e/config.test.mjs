// The playground's Config tab (issue 14): the same .kubeharden.yaml as the CLI, checked as
// it is typed (errors underlined where they are, listed with line:column), applied to the
// checks (rules off, severities, custom rules, exemptions, profile), and kept by the
// autosave, a reload and share links. Each test types and clicks as a person does, in
// headless Chromium against the built site in dist/.
//
// A missing dist/ (or Chromium) FAILS every test with the reason: it is never skipped.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { inflateRawSync } from "node:zlib";
import { HANG_MS, findings, launchBrowser, openApp, replaceEditorText, requireDist, startServer } from "./harness.mjs";

const WAIT = { timeout: HANG_MS };

const MANIFEST = `apiVersion: apps/v1
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

const OFF = `rules:
  host-namespaces: off
  privileged-container: {severity: low}
`;

const TYPO = `rules:
  host-namespace: off
`;

const CUSTOM = `profile: baseline
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
const pageErrors = [];

before(async () => {
  requireDist();
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
  assert.deepEqual(pageErrors, [], "no page errors");
});

async function newContext() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin }).catch(() => {});
  ctx.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
  return ctx;
}

/** The state in a share link (a URL or its fragment). */
function readLink(url) {
  const data = url.slice(url.indexOf("#v1.") + 4);
  return JSON.parse(inflateRawSync(Buffer.from(data, "base64url")).toString("utf8"));
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

/** The Config tab's editor text, from its rendered lines. */
async function configText(page) {
  return page.$$eval("[data-testid=config-editor] .cm-line", (lines) => lines.map((l) => l.textContent).join("\n"));
}

/** Waits until the findings tab lists findings for which `check(rules)` holds. */
async function waitForFindings(page, check, what) {
  await page.click("[data-testid=tab-findings]");
  const deadline = Date.now() + HANG_MS;
  let seen;
  for (;;) {
    seen = await findings(page);
    if (seen.length > 0 && check(seen)) return seen;
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(seen)}`);
    await page.waitForTimeout(100);
  }
}

const has = (list, rule) => list.some((f) => f.rule === rule);

test("a rule the Config tab turns off loses its findings; a severity changes; a typo is underlined at line:col and not applied", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await replaceEditorText(page, MANIFEST);
    await waitForFindings(page, (f) => has(f, "host-namespaces") && has(f, "privileged-container"), "before");

    await typeConfig(page, OFF);
    await page.waitForFunction(
      () => /Applied to the checks: 2 rule settings/.test(document.querySelector("[data-testid=config-status]")?.textContent ?? ""),
      null,
      WAIT,
    );
    const after = await waitForFindings(page, (f) => !has(f, "host-namespaces"), "host-namespaces is off");
    assert.equal(after.find((f) => f.rule === "privileged-container")?.severity, "low", JSON.stringify(after));

    // A typo: the error is listed with its place, underlined there, and the file is not applied.
    await typeConfig(page, TYPO);
    const error = page.locator("[data-testid=config-error]").first();
    await error.waitFor({ state: "visible", timeout: HANG_MS });
    assert.equal(
      (await error.textContent()).trim(),
      '.kubeharden.yaml:2:3: unknown rule "host-namespace" (did you mean "host-namespaces"?)',
    );
    const underline = page.locator("[data-testid=config-editor] .cm-lintRange-error");
    await underline.first().waitFor({ state: "attached", timeout: HANG_MS });
    assert.equal(await underline.first().textContent(), "host-namespace");
    assert.match(await page.locator("[data-testid=config-status]").textContent(), /1 error: the configuration is not applied/);
    assert.match(await page.locator("[data-testid=status]").textContent(), /\.kubeharden\.yaml has 1 error and is not applied/);
    const broken = await waitForFindings(page, (f) => has(f, "host-namespaces"), "an invalid file changes nothing");
    assert.equal(broken.find((f) => f.rule === "privileged-container")?.severity, "critical");

    // Clicking the error selects its place in the configuration.
    await page.click("[data-testid=tab-config]");
    await page.locator("[data-testid=config-error] button").click();
    const selected = await page.evaluate(() => window.getSelection()?.toString());
    assert.equal(selected, "host-namespace");
  } finally {
    await ctx.close();
  }
});

test("the configuration survives a reload, the autosave and a share link", async () => {
  const ctx = await newContext();
  let link;
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await replaceEditorText(page, MANIFEST);
    await typeConfig(page, OFF);
    await waitForFindings(page, (f) => !has(f, "host-namespaces") && has(f, "privileged-container"), "applied");
    // The URL fragment and the autosave are written within a second.
    await page.waitForFunction(() => location.hash.startsWith("#v1."), null, WAIT);
    await page.waitForTimeout(1200);
    assert.equal(readLink(page.url()).c, OFF, "the URL carries the configuration");

    await page.reload();
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await waitForFindings(page, (f) => !has(f, "host-namespaces") && has(f, "privileged-container"), "after a reload");
    await page.click("[data-testid=tab-config]");
    await page.locator("[data-testid=config-editor] .cm-content").waitFor({ state: "visible", timeout: HANG_MS });
    assert.equal(await configText(page), OFF, "the Config tab shows it again");

    // The autosave alone (no fragment) brings it back too.
    await page.goto(server.origin + "/");
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await waitForFindings(page, (f) => !has(f, "host-namespaces"), "from the autosave");

    await page.click("[data-testid=share]");
    await page.waitForFunction(() => /Link copied/.test(document.querySelector("[data-testid=notice]")?.textContent ?? ""), null, WAIT);
    link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(readLink(link).c, OFF, "the share link carries the configuration");
  } finally {
    await ctx.close();
  }

  // Someone else opens the link: same configuration, same findings.
  const other = await newContext();
  try {
    const page = await openApp(other, server.origin, link.slice(link.indexOf("#")));
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await waitForFindings(page, (f) => !has(f, "host-namespaces") && has(f, "privileged-container"), "the opened link");
  } finally {
    await other.close();
  }
});

test("custom rules, exemptions and the profile of the configuration reach the checks and the menus", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await replaceEditorText(page, MANIFEST);
    await typeConfig(page, CUSTOM);
    const seen = await waitForFindings(page, (f) => has(f, "images-from-our-registry"), "the custom rule runs");
    assert.equal(seen.find((f) => f.rule === "images-from-our-registry").severity, "high");
    // The profile menu shows the file's profile, disabled, and says where it was set.
    const profile = page.locator("select[data-testid=profile]");
    assert.equal(await profile.inputValue(), "baseline");
    assert.ok(await profile.isDisabled());
    assert.match(await profile.getAttribute("title"), /Config tab's \.kubeharden\.yaml, line 1/);
    // Restricted-only checks are gone under baseline.
    assert.ok(!has(seen, "run-as-non-root"), JSON.stringify(seen));
    // The exemption suppresses host-namespaces with its reason.
    const card = page.locator("[data-testid=finding][data-rule=host-namespaces]");
    await card.first().waitFor({ state: "attached", timeout: HANG_MS });
    assert.match(await card.first().textContent(), /the e2e agent needs the node network/);
    assert.match(await page.locator("[data-testid=status]").textContent(), /^\d+ findings?/);
  } finally {
    await ctx.close();
  }
});
