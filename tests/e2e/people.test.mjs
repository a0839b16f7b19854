// The playground as people use it (issue 9): every screen size, honest coverage, fixes
// that say what they do, keyboard access, sharing that never loses work, filters,
// export, editor basics, dark mode, the gallery and an axe-core audit. Each test types and
// clicks as a person does, in headless Chromium against the built site in dist/.
// Screenshots go to target/e2e-screens/ (taken by the layout test, checked for overlap).
//
// A missing dist/ (or Chromium) FAILS every test with the reason: it is never skipped.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import {
  HANG_MS,
  editorText,
  findings,
  launchBrowser,
  openApp,
  replaceEditorText,
  repoRoot,
  requireDist,
  startServer,
} from "./harness.mjs";

const WAIT = { timeout: HANG_MS };
const SCREENS = join(repoRoot, "target", "e2e-screens");

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
          image: nginx:1.27
          securityContext:
            privileged: true
`;

// Kinds the pod rules do not judge, and one no rule knows.
const NOT_PODS = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: e2e-reader
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: e2e-deny
  namespace: e2e
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: e2e-widget
spec:
  size: 3
`;

/** A share-link fragment holding `state` (as the playground writes them). */
function shareFragment(state) {
  return "#v1." + deflateRawSync(Buffer.from(JSON.stringify(state))).toString("base64url");
}

/** The state in a share link (a URL or its fragment). */
function readLink(url) {
  const data = url.slice(url.indexOf("#v1.") + 4);
  return JSON.parse(inflateRawSync(Buffer.from(data, "base64url")).toString("utf8"));
}

let server;
let browser;
const pageErrors = [];

before(async () => {
  requireDist();
  server = await startServer();
  browser = await launchBrowser();
  mkdirSync(SCREENS, { recursive: true });
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
});

/** A fresh context (empty storage), clipboard allowed, page errors recorded. */
async function newContext(options = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin }).catch(() => {});
  ctx.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
  return ctx;
}

/** Opens the app in a fresh context and pastes `text`; waits for the first check. */
async function withText(text, options = {}) {
  const ctx = await newContext(options);
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

/** Drops a file holding `text` on the editor, as a person dragging it from the desktop. */
async function dropFile(page, text) {
  await page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], "dropped.yaml", { type: "text/yaml" }));
    const target = document.querySelector("[data-testid=editor] .cm-content");
    target.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
}

const card = (page, rule) => page.locator(`[data-testid=finding][data-rule="${rule}"]`).first();

// ---------------------------------------------------------------------------------------

test("every screen size: nothing overlaps, the findings are reachable and tall, and 320 px reflows", async () => {
  const sizes = [
    { name: "1366x768", viewport: { width: 1366, height: 768 } },
    { name: "1024x768", viewport: { width: 1024, height: 768 } },
    { name: "820x1180", viewport: { width: 820, height: 1180 } },
    // 200 % zoom of a 1366x768 screen: half the CSS pixels, twice the device pixels.
    { name: "zoom200", viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 },
    { name: "390x844", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
    { name: "320x640", viewport: { width: 320, height: 640 } },
  ];
  for (const size of sizes) {
    const { name, ...options } = size;
    const { ctx, page } = await withText(MANIFEST, options);
    try {
      await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
      await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
      const layout = await page.evaluate(() => {
        const box = (sel) => {
          const r = document.querySelector(sel).getBoundingClientRect();
          return { top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right, height: r.height };
        };
        return {
          parts: Object.fromEntries(
            [".top", ".gallery", ".editor-pane", ".side-pane", ".foot"].map((s) => [s, box(s)]),
          ),
          scrollWidth: document.documentElement.scrollWidth,
          width: innerWidth,
        };
      });
      const names = Object.keys(layout.parts);
      for (let i = 0; i < names.length; i++) {
        for (let j = i + 1; j < names.length; j++) {
          const [a, b] = [layout.parts[names[i]], layout.parts[names[j]]];
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          assert.ok(w <= 1 || h <= 1, `${name}: ${names[i]} and ${names[j]} overlap (${JSON.stringify([a, b])})`);
        }
      }
      assert.ok(layout.scrollWidth <= layout.width + 1, `${name}: scrolls sideways (${layout.scrollWidth} > ${layout.width})`);
      assert.ok(layout.parts[".side-pane"].height >= 200, `${name}: findings panel ${layout.parts[".side-pane"].height}px tall`);
      // A person scrolls to the findings and can read and click one.
      const first = card(page, "privileged-container");
      await first.scrollIntoViewIfNeeded();
      assert.ok(await first.isVisible(), `${name}: a finding can be scrolled into view`);
      await first.locator(":scope > button.jump").click();
      await page.waitForFunction(() => String(getSelection()).includes("privileged"), null, WAIT);
    } finally {
      await ctx.close();
    }
  }
});

test("the split between editor and findings is resizable by mouse and keyboard, and kept", async () => {
  const { ctx, page } = await withText(MANIFEST, { viewport: { width: 1366, height: 768 } });
  try {
    const editor = page.locator(".editor-pane");
    const before = (await editor.boundingBox()).width;
    const handle = page.locator("[role=separator]#splitter");
    const box = await handle.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 250, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const dragged = (await editor.boundingBox()).width;
    assert.ok(dragged < before - 150, `dragging narrows the editor: ${before} -> ${dragged}`);
    await handle.focus();
    const now = Number(await handle.getAttribute("aria-valuenow"));
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    assert.equal(Number(await handle.getAttribute("aria-valuenow")), now + 10);
    assert.ok((await editor.boundingBox()).width > dragged + 50, "the arrow keys widen it");
    await page.reload();
    await page.waitForSelector("[data-testid=finding]", WAIT);
    assert.equal(Number(await page.locator("#splitter").getAttribute("aria-valuenow")), now + 10, "kept across a reload");
  } finally {
    await ctx.close();
  }
});

test("coverage: every document says what was checked and what not; an unchecked one never reads as 'no findings'", async () => {
  const { ctx, page } = await withText(NOT_PODS);
  try {
    await page.selectOption("select[data-testid=profile]", "baseline");
    const coverage = page.locator("[data-testid=coverage]");
    await page.waitForFunction(
      () => document.querySelectorAll("[data-testid=doc-coverage]").length === 3 &&
        [...document.querySelectorAll("[data-testid=doc-coverage]")].every((d) => d.dataset.status === "unchecked"),
      null,
      WAIT,
    );
    assert.notEqual(await coverage.getAttribute("open"), null, "the coverage is open when something was not checked");
    const rows = await page.locator("[data-testid=doc-coverage]").allTextContents();
    assert.match(rows[0], /ClusterRole e2e-reader/);
    assert.match(rows[0], /baseline profile judges pod specs only.*RBAC.*"all" profile/);
    assert.match(rows[1], /NetworkPolicy e2e\/e2e-deny/);
    assert.match(rows[1], /network policy/);
    assert.match(rows[2], /Widget e2e-widget/);
    const empty = await page.locator("[data-testid=empty]").textContent();
    assert.doesNotMatch(empty, /No findings for this profile/, empty);
    assert.match(empty, /3 documents were not \(fully\) checked/);
    assert.match(await page.locator("[data-testid=status]").textContent(), /0 findings · 3 documents not \(fully\) checked/);

    await page.selectOption("select[data-testid=profile]", "all");
    await page.waitForFunction(
      () => document.querySelector('[data-testid=doc-coverage][data-document="1"]')?.dataset.status === "checked",
      null,
      WAIT,
    );
    const all = await page.locator("[data-testid=doc-coverage]").allTextContents();
    assert.match(all[0], /Checked: .*RBAC \(\d+ rules\)/);
    assert.match(all[1], /Checked: .*network policy/);
    assert.equal(await page.locator('[data-testid=doc-coverage][data-document="3"]').getAttribute("data-status"), "unchecked");
    assert.match(all[2], /custom resource .*not checked/, "the engine's reason for the custom resource");

    // A YAML error is a document that could not be read, not a clean one.
    await page.locator("[data-testid=editor] .cm-content").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type('---\nbroken: "unterminated\n');
    await page.waitForSelector('[data-testid=doc-coverage][data-status="error"]', WAIT);
    // Clicking a document selects it in the editor.
    await page.locator('[data-testid=doc-coverage][data-document="2"] button').click();
    await page.waitForFunction(
      () => (document.querySelector("[data-testid=editor] .cm-activeLine")?.textContent ?? "").includes("apiVersion: networking"),
      null,
      WAIT,
    );
  } finally {
    await ctx.close();
  }
});

test("the hardened tab and the fix boxes agree with the unsafe switch and suppressions", async () => {
  const suppressed = MANIFEST.replace(
    "  namespace: e2e\n",
    '  namespace: e2e\n  annotations:\n    ignore.kubeharden.io/host-namespaces: "e2e: the node network on purpose"\n',
  );
  const { ctx, page } = await withText(suppressed);
  try {
    const priv = card(page, "privileged-container").locator("input[data-testid=fix-choice]").first();
    await priv.waitFor(WAIT);
    assert.equal(await page.locator("input[data-testid=unsafe-toggle]").isChecked(), false);
    assert.equal(await priv.isChecked(), false, "an unsafe fix is not ticked while unsafe fixes are off");
    assert.equal(await priv.isDisabled(), true);
    assert.match(await priv.getAttribute("aria-label"), /waits for the unsafe-fixes switch/);
    const host = card(page, "host-namespaces");
    assert.match(await host.getAttribute("class"), /suppressed/);
    const hostBox = host.locator("input[data-testid=fix-choice]").first();
    if ((await hostBox.count()) > 0) {
      assert.equal(await hostBox.isChecked(), false, "a suppressed finding is never fixed");
      assert.equal(await hostBox.isDisabled(), true);
    }
    await page.click("[data-testid=tab-hardened]");
    const summary = await waitForText(page, "[data-testid=hardened-summary]", /wait/);
    assert.match(summary, /(\d+) fix(es)? applied/);
    const waiting = Number(/(\d+) more fix/.exec(summary)[1]);
    assert.ok(waiting >= 1, summary);
    assert.ok((await page.locator("[data-testid=hardened]").textContent()).includes("privileged: true"));

    await page.locator("input[data-testid=unsafe-toggle]").check();
    await waitForText(page, "[data-testid=hardened]", /privileged: false/);
    assert.doesNotMatch(await page.locator("[data-testid=hardened-summary]").textContent(), /wait/);
    assert.ok((await page.locator("[data-testid=hardened]").textContent()).includes("hostNetwork: true"), "the suppressed finding is not fixed");
    await page.click("[data-testid=tab-findings]");
    assert.equal(await priv.isChecked(), true);
    assert.equal(await priv.isDisabled(), false);
  } finally {
    await ctx.close();
  }
});

test("fixes where you look: one fix to the editor (Ctrl+Z undoes it), the hardened YAML to the editor, and what no fix covers", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await card(page, "host-namespaces").locator("[data-testid=apply-fix]").click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=finding][data-rule="host-namespaces"]'), null, WAIT);
    let text = await editorText(page);
    assert.ok(!text.includes("hostNetwork: true"), text);
    assert.ok(text.includes("privileged: true"), "only that fix");
    assert.match(await page.locator("[data-testid=notice]").textContent(), /Fix applied.*Ctrl\+Z/);
    await page.locator("[data-testid=editor] .cm-content").focus();
    await page.keyboard.press("ControlOrMeta+z");
    await page.waitForSelector('[data-testid=finding][data-rule="host-namespaces"]', WAIT);
    assert.ok((await editorText(page)).includes("hostNetwork: true"), "Ctrl+Z brings it back");
    // An unsafe fix that changes what another rule says (privileged: false turns
    // net-raw-capability's "is privileged" into "keeps NET_RAW") applies by itself too.
    await card(page, "privileged-container").locator("[data-testid=apply-fix]").click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=finding][data-rule="privileged-container"]'), null, WAIT);
    assert.match(await page.locator("[data-testid=notice]").textContent(), /Fix applied/);
    assert.ok((await editorText(page)).includes("privileged: false"));
    await page.locator("[data-testid=editor] .cm-content").focus();
    await page.keyboard.press("ControlOrMeta+z");
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);

    // The quick fix in the editor's hover.
    await page.locator("[data-testid=editor] .cm-lintRange", { hasText: "hostNetwork" }).first().hover();
    const action = page.locator(".cm-tooltip-lint .cm-diagnosticAction", { hasText: "Fix:" }).first();
    await action.waitFor(WAIT);
    await action.click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=finding][data-rule="host-namespaces"]'), null, WAIT);
    await page.locator("[data-testid=editor] .cm-content").focus();
    await page.keyboard.press("ControlOrMeta+z");
    await page.waitForSelector('[data-testid=finding][data-rule="host-namespaces"]', WAIT);

    await page.locator("input[data-testid=unsafe-toggle]").check();
    await page.click("[data-testid=tab-hardened]");
    await waitForText(page, "[data-testid=hardened]", /privileged: false/);
    const hardened = await page.locator("[data-testid=hardened]").textContent();
    const uncovered = page.locator("[data-testid=uncovered]");
    await uncovered.locator("summary").click();
    assert.match(await uncovered.textContent(), /no automatic fix covers/);
    await page.click("[data-testid=apply-hardened]");
    await page.waitForFunction((h) => {
      const lines = [...document.querySelectorAll("[data-testid=editor] .cm-line")].map((l) => l.textContent).join("\n");
      return lines.trim() === h.trim();
    }, hardened, WAIT);
    text = await editorText(page);
    assert.ok(text.includes("privileged: false"));
  } finally {
    await ctx.close();
  }
});

test("keyboard: ARIA tabs, a skip link, distinct fix-box names, and Tab indents with Escape-then-Tab as the way out", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await page.locator("input[data-testid=unsafe-toggle]").check();
    const names = await page.locator("input[data-testid=fix-choice]").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
    assert.ok(names.length >= 2, `fix boxes: ${names}`);
    assert.equal(new Set(names).size, names.length, `every fix box has its own name: ${names.join(" | ")}`);

    const tab = page.locator("[data-testid=tab-findings]");
    assert.equal(await tab.getAttribute("aria-controls"), "tab-panel");
    assert.equal(await page.locator("#tab-panel").getAttribute("role"), "tabpanel");
    assert.equal(await page.locator("[data-testid=tab-hardened]").getAttribute("tabindex"), "-1");
    await tab.focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.activeElement?.id === "tab-hardened", null, WAIT);
    assert.equal(await page.locator("[data-testid=tab-hardened]").getAttribute("aria-selected"), "true");
    await page.keyboard.press("End");
    await page.waitForFunction(() => document.activeElement?.id === "tab-config", null, WAIT);
    await page.waitForSelector("[data-testid=config-editor] .cm-content", WAIT);
    await page.keyboard.press("ArrowLeft");
    await page.waitForFunction(() => document.activeElement?.id === "tab-rules", null, WAIT);
    await page.waitForSelector("[data-testid=catalogue-rule]", WAIT);
    await page.keyboard.press("Home");
    await page.waitForFunction(() => document.activeElement?.id === "tab-findings", null, WAIT);
    assert.equal(await page.locator("#tab-panel").getAttribute("aria-labelledby"), "tab-findings");

    // The skip link is the first stop of the Tab order.
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
    });
    await page.keyboard.press("Tab");
    assert.match(await page.evaluate(() => document.activeElement?.textContent), /Skip to the findings/);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "findings-start", null, WAIT);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => !!document.activeElement?.closest("[data-testid=editor]"), null, WAIT);

    // Tab indents in the editor; Escape then Tab moves on.
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("\nkey: value");
    await page.keyboard.press("Home");
    await page.keyboard.press("Tab");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=editor] .cm-line")].some((l) => /^\s+key: value$/.test(l.textContent)), null, WAIT);
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest("[data-testid=editor]")), "Tab stays in the editor");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    await page.waitForFunction(() => !document.activeElement?.closest("[data-testid=editor]"), null, WAIT);
  } finally {
    await ctx.close();
  }
});

test("sharing never loses work: an opened link keeps the autosave and offers it back", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    const mine = "# my own unsaved-anywhere-else work\n" + MANIFEST;
    await replaceEditorText(page, mine);
    await page.waitForFunction(() => !!localStorage.getItem("kubeharden.state"), null, WAIT);
    await page.waitForTimeout(1000);
    const saved = await page.evaluate(() => localStorage.getItem("kubeharden.state"));
    assert.ok(readLink("#" + saved).t.includes("my own"), "autosaved");
    await page.close();

    const linked = await openApp(ctx, server.origin, shareFragment({ t: NOT_PODS }));
    const notice = linked.locator("[data-testid=notice]");
    await notice.waitFor(WAIT);
    assert.match(await notice.textContent(), /autosaved text is kept/);
    assert.ok((await editorText(linked)).includes("e2e-reader"), "the link's manifest is shown");
    // Typing in the link's text does not overwrite the autosave.
    await linked.locator("[data-testid=editor] .cm-content").click();
    await linked.keyboard.press("ControlOrMeta+End");
    await linked.keyboard.type("# edited the link\n");
    await linked.waitForTimeout(1200);
    assert.equal(await linked.evaluate(() => localStorage.getItem("kubeharden.state")), saved, "the autosave is untouched");
    assert.match(linked.url(), /#v1\./);
    assert.ok(readLink(linked.url()).t.includes("# edited the link"), "the address bar follows the edits");
    await linked.click("[data-testid=restore-autosave]");
    await linked.waitForFunction((t) => [...document.querySelectorAll("[data-testid=editor] .cm-line")].map((l) => l.textContent).join("\n").startsWith(t), "# my own", WAIT);
    assert.equal((await editorText(linked)).trimEnd(), mine.trimEnd(), "the autosaved text is back");
  } finally {
    await ctx.close();
  }
});

test("sharing: the copied link holds the last keystroke, failures say so, and notices go away", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await page.locator("[data-testid=editor] .cm-content").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("# last-second edit");
    await page.click("[data-testid=share]"); // within the typing pause
    const notice = page.locator("[data-testid=notice]");
    await waitForText(page, "[data-testid=notice]", /Link copied/);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(readLink(copied).t.includes("# last-second edit"), `the copied link has the latest text: ${readLink(copied).t}`);
    // Information goes away by itself.
    await notice.waitFor({ state: "detached", timeout: 15000 });
  } finally {
    await ctx.close();
  }

  // A browser that refuses the clipboard: the notice says so, never "copied".
  const refused = await newContext();
  try {
    await refused.addInitScript(() => {
      Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } });
      document.execCommand = () => false;
    });
    const page = await openApp(refused, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await replaceEditorText(page, MANIFEST);
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
    page.on("dialog", (d) => d.accept());
    await page.click("[data-testid=share]");
    const text = await waitForText(page, "[data-testid=notice]", /did not allow copying/);
    assert.doesNotMatch(text, /Link copied/);
    assert.equal(await page.locator("[data-testid=notice]").getAttribute("role"), "alert");
    await page.waitForTimeout(7000);
    assert.equal(await page.locator("[data-testid=notice]").count(), 1, "a warning stays until dismissed");
  } finally {
    await refused.close();
  }
});

test("sharing: a manifest over 2 MB copies nothing and leaves no older link in the address bar", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await page.click("[data-testid=share]");
    await waitForText(page, "[data-testid=notice]", /Link copied/);
    assert.match(page.url(), /#v1\./);
    const big = MANIFEST + "# filler line to pass two megabytes of text\n".repeat(52000);
    await dropFile(page, big);
    await page.waitForFunction(() => /too large for a share link/.test(document.querySelector("[data-testid=status]")?.textContent ?? ""), null, WAIT);
    await page.evaluate(() => navigator.clipboard.writeText("untouched"));
    await page.click("[data-testid=share]");
    await waitForText(page, "[data-testid=notice]", /too large for a link.*nothing was copied/);
    assert.doesNotMatch(page.url(), /#v1\./, "the old link is gone from the address bar");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "untouched");
  } finally {
    await ctx.close();
  }
});

test("sharing: fix choices travel in the link and survive a reload", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await page.locator("input[data-testid=unsafe-toggle]").check();
    const box = () => card(page, "privileged-container").locator("input[data-testid=fix-choice]").first();
    await box().uncheck();
    await page.waitForTimeout(1200);
    await page.reload();
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
    assert.equal(await box().isChecked(), false, "kept across a reload");
    await page.click("[data-testid=share]");
    await waitForText(page, "[data-testid=notice]", /Link copied/);
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(readLink(link).x.length, 1);
    const other = await newContext();
    try {
      const opened = await openApp(other, server.origin, link.slice(link.indexOf("#")));
      await opened.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
      const b = opened.locator('[data-testid=finding][data-rule="privileged-container"] input[data-testid=fix-choice]').first();
      assert.equal(await b.isChecked(), false, "the link carries the choice");
      await opened.click("[data-testid=tab-hardened]");
      await waitForText(opened, "[data-testid=hardened]", /privileged: true/);
    } finally {
      await other.close();
    }
  } finally {
    await ctx.close();
  }
});

test("sharing: the secret warning reads the model under every profile (spaced kind, comments, ConfigMap credentials)", async () => {
  const cases = [
    ["apiVersion: v1\nkind:   Secret   # the database login\nmetadata:\n  name: db\nstringData:\n  user: admin\n", /a Secret/],
    ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  DB_PASSWORD: hunter2hunter2\n", /a credential in a ConfigMap/],
  ];
  for (const [text, expected] of cases) {
    const { ctx, page } = await withText(text);
    try {
      await page.selectOption("select[data-testid=profile]", "baseline");
      await page.waitForFunction(() => /\b0 findings\b/.test(document.querySelector("[data-testid=status]")?.textContent ?? ""), null, WAIT);
      const messages = [];
      page.on("dialog", (d) => {
        messages.push(d.message());
        d.dismiss();
      });
      await page.click("[data-testid=share]");
      await page.waitForTimeout(800);
      assert.equal(messages.length, 1, `asked once: ${messages}`);
      assert.match(messages[0], expected);
      assert.equal(await page.locator("[data-testid=notice]").count(), 0, "nothing copied after No");
    } finally {
      await ctx.close();
    }
  }
  // No warning for a plain Deployment.
  const { ctx, page } = await withText(MANIFEST);
  try {
    let asked = false;
    page.on("dialog", (d) => ((asked = true), d.dismiss()));
    await page.click("[data-testid=share]");
    await waitForText(page, "[data-testid=notice]", /Link copied/);
    assert.equal(asked, false);
  } finally {
    await ctx.close();
  }
});

test("filters: hiding severities never reads as 'no findings'; rule, text and suppressed filters; overview counts", async () => {
  const suppressed = MANIFEST.replace(
    "  namespace: e2e\n",
    '  namespace: e2e\n  annotations:\n    ignore.kubeharden.io/host-namespaces: "e2e: accepted for this test, with a long reason that must wrap instead of squeezing into one narrow column"\n',
  );
  const { ctx, page } = await withText(suppressed);
  try {
    await page.waitForSelector('[data-testid=finding][data-rule="host-namespaces"].suppressed', WAIT);
    const overview = await page.locator("[data-testid=overview]").textContent();
    assert.match(overview, /critical 1/);
    assert.match(overview, /1 suppressed/);
    const total = (await findings(page)).length;
    for (const label of await page.locator("fieldset.filters label[class*=sev-] input").all()) await label.uncheck();
    const empty = await waitForText(page, "[data-testid=empty]", /hidden by the filters/);
    assert.match(empty, new RegExp(`${total} findings are hidden`));
    assert.doesNotMatch(empty, /No findings/);
    await page.locator("[data-testid=empty] button").click();
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=finding]").length === n, total, WAIT);

    await page.selectOption("select[data-testid=rule-filter]", "privileged-container");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=finding]")].every((f) => f.dataset.rule === "privileged-container"), null, WAIT);
    await page.click("text=Clear filters");
    await page.fill("[data-testid=query]", "hostnetwork");
    await page.waitForFunction(
      (n) => {
        const shown = [...document.querySelectorAll("[data-testid=finding]")];
        return shown.length > 0 && shown.length < n && shown.every((f) => /hostnetwork|host-namespaces/i.test(f.textContent));
      },
      total,
      WAIT,
    );
    await page.fill("[data-testid=query]", "");
    await page.locator("[data-testid=hide-suppressed]").check();
    await page.waitForFunction(() => !document.querySelector("[data-testid=finding].suppressed"), null, WAIT);
    await page.locator("[data-testid=hide-suppressed]").uncheck();
    // The suppression reason wraps across the card instead of a squeezed column.
    const reason = page.locator(".finding.suppressed .suppressed-reason").first();
    const [r, c] = [await reason.boundingBox(), await page.locator(".finding.suppressed .jump").first().boundingBox()];
    assert.ok(r.width > c.width * 0.8, `the reason spans the card: ${r.width} of ${c.width}`);
    // Groups collapse.
    const group = page.locator("details.group").first();
    await group.locator(":scope > summary").click();
    assert.equal(await group.getAttribute("open"), null);
  } finally {
    await ctx.close();
  }
});

test("export: findings as Markdown and the equivalent CLI command", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    await page.selectOption("select[data-testid=profile]", "restricted");
    await page.selectOption("select[data-testid=kube-version]", "1.29");
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
    await page.click("details.menu summary");
    await page.click("[data-testid=export-markdown]");
    await waitForText(page, "[data-testid=notice]", /copied/);
    const md = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(md, /^## kubeharden: \d+ findings/);
    assert.match(md, /- \*\*critical\*\* `privileged-container` line 20/);
    // Choosing an item closes the menu (an open one covers the tabs); it opens again.
    assert.equal(await page.locator("details.menu").getAttribute("open"), null);
    await page.click("details.menu summary");
    await page.click("[data-testid=export-cli]");
    await page.waitForFunction(async () => (await navigator.clipboard.readText()).startsWith("kubeharden check"), null, WAIT);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "kubeharden check --profile restricted --kube-version 1.29 manifest.yaml");
  } finally {
    await ctx.close();
  }
});

test("editor basics: search, folding (a fold marks the findings it hides), distinct critical and high markers, suppressed drawn apart, open by picker and by drop", async () => {
  const suppressed = MANIFEST.replace(
    "  namespace: e2e\n",
    '  namespace: e2e\n  annotations:\n    ignore.kubeharden.io/host-namespaces: "e2e"\n',
  );
  const { ctx, page } = await withText(suppressed);
  try {
    await page.waitForSelector("[data-testid=editor] .cm-lint-marker-error", WAIT);
    assert.ok((await page.locator("[data-testid=editor] .cm-lint-marker-error").count()) > 0, "critical");
    await page.waitForSelector("[data-testid=editor] .cm-kh-suppressed", WAIT);
    await page.waitForSelector("[data-testid=editor] .cm-foldGutter", WAIT);
    // Keys are highlighted as keys; a block folds by its indentation (Ctrl-Shift-[), to the
    // last line indented deeper than its key, and unfolds (Ctrl-Shift-]).
    assert.equal(await page.textContent("[data-testid=editor] .cm-line .tok-propertyName"), "apiVersion");
    const lines = () => page.locator("[data-testid=editor] .cm-line").count();
    const all = await lines();
    await page.locator("[data-testid=editor] .cm-line", { hasText: /^  template:$/ }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Control+Shift+BracketLeft");
    await page.waitForSelector("[data-testid=editor] .cm-foldPlaceholder", WAIT);
    assert.equal(await lines(), all - 10, "template: folds its 10 lines, to privileged: true");
    // The gutter markers of folded lines are not drawn: the most severe finding folded away
    // (privileged: critical) marks the fold's own line in the lint gutter instead.
    const folded = "[data-testid=editor] .cm-gutter-lint .cm-gutterElement.cm-kh-folded";
    await page.waitForSelector(folded + ".cm-kh-folded-critical", WAIT);
    assert.equal(await page.locator(folded).count(), 1);
    await page.keyboard.press("Control+Shift+BracketRight");
    await page.waitForSelector("[data-testid=editor] .cm-foldPlaceholder", { state: "detached", ...WAIT });
    assert.equal(await lines(), all);
    assert.equal(await page.locator(folded).count(), 0, "unfolded: no fold mark");
    // A finding inside a folded block unfolds it when clicked: its line is shown and
    // selected, never a selection in hidden text.
    await page.locator("[data-testid=editor] .cm-line", { hasText: /^  template:$/ }).click();
    await page.keyboard.press("Control+Shift+BracketLeft");
    await page.waitForSelector("[data-testid=editor] .cm-foldPlaceholder", WAIT);
    await page.locator('[data-testid=finding][data-rule="privileged-container"] button').first().click();
    await page.waitForSelector("[data-testid=editor] .cm-foldPlaceholder", { state: "detached", ...WAIT });
    assert.equal(await lines(), all, "the fold holding the finding opened");
    await page.waitForFunction(() => /privileged: true/.test(document.querySelector("[data-testid=editor] .cm-activeLine")?.textContent ?? ""), null, WAIT);
    await page.locator("[data-testid=editor] .cm-content").click();
    await page.keyboard.press("ControlOrMeta+f");
    await page.waitForSelector("[data-testid=editor] .cm-search input[name=search]", WAIT);
    await page.keyboard.press("Escape");

    const chooser = page.waitForEvent("filechooser");
    await page.click("[data-testid=open-file]");
    await (await chooser).setFiles({ name: "picked.yaml", mimeType: "text/yaml", buffer: Buffer.from(NOT_PODS) });
    await page.waitForFunction(() => (document.querySelector("[data-testid=editor]")?.textContent ?? "").includes("e2e-reader"), null, WAIT);

    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], "dropped.yaml", { type: "text/yaml" }));
      document.querySelector("[data-testid=editor] .cm-content").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, MANIFEST);
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
    assert.equal(await editorText(page), MANIFEST, "the dropped file replaces the text");
    // High is not drawn like critical: MANIFEST has both.
    await page.waitForSelector("[data-testid=editor] .cm-lint-marker-warning", WAIT);
  } finally {
    await ctx.close();
  }
});

test("dark mode follows the system, a switch overrides it and is kept; a loading message; Helm templates are explained; YAML errors are clickable", async () => {
  const { ctx, page } = await withText(MANIFEST, { colorScheme: "dark" });
  try {
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const dark = (c) => c.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) < 200;
    assert.ok(dark(await bg()), `dark background: ${await bg()}`);
    await page.selectOption("select[data-testid=theme]", "light");
    assert.ok(!dark(await bg()), `light when chosen: ${await bg()}`);
    await page.reload();
    await page.waitForSelector("[data-testid=finding]", WAIT);
    assert.ok(!dark(await bg()), "the choice is kept");
    assert.equal(await page.locator("#loading").count(), 0, "the loading message is gone once the app runs");

    await replaceEditorText(page, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n");
    await waitForText(page, "[data-testid=helm]", /helm template/);

    await replaceEditorText(page, MANIFEST + '---\nbroken: "unterminated\n');
    const error = page.locator("[data-testid=yaml-error]");
    await error.waitFor(WAIT);
    await page.locator("[data-testid=editor] .cm-line").first().click();
    await error.click();
    await page.waitForFunction(
      () => (document.querySelector("[data-testid=editor] .cm-activeLine")?.textContent ?? "").includes("broken"),
      null,
      WAIT,
    );
  } finally {
    await ctx.close();
  }
  const html = await (await fetch(server.origin + "/")).text();
  assert.match(html, /id="loading"[^>]*>Loading the checker/);
});

test("the gallery: descriptions, the current example marked, and a question before edited text is replaced", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    const first = page.locator('[data-testid=example][data-example="insecure-deployment"]');
    assert.equal(await first.getAttribute("aria-current"), "true");
    assert.match(await first.getAttribute("title"), /first-draft Deployment/);
    assert.match(await page.locator("[data-testid=example-desc]").textContent(), /^Insecure Deployment: A first-draft Deployment/);
    await page.click('[data-testid=example][data-example="hardened"]');
    await page.waitForFunction(() => document.querySelector('[data-example="hardened"]')?.getAttribute("aria-current") === "true", null, WAIT);
    await page.locator("[data-testid=editor] .cm-content").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("# my edit");
    await page.waitForFunction(() => !document.querySelector("[data-testid=example][aria-current]"), null, WAIT);
    // (A dialog blocks the page: it is answered in the handler, as the click needs it answered.)
    let asked = "";
    page.once("dialog", (d) => ((asked = d.message()), d.dismiss()));
    await page.click('[data-testid=example][data-example="rbac-wildcards"]');
    assert.match(asked, /Replace your edited text/);
    await page.waitForTimeout(400);
    assert.ok((await editorText(page)).includes("# my edit"), "No keeps the text");
    page.once("dialog", (d) => d.accept());
    await page.click('[data-testid=example][data-example="rbac-wildcards"]');
    await page.waitForFunction(() => document.querySelector('[data-example="rbac-wildcards"]')?.getAttribute("aria-current") === "true", null, WAIT);
    assert.ok(!(await editorText(page)).includes("# my edit"));
  } finally {
    await ctx.close();
  }
});

test("readable docs: rule explanations rendered from Markdown, a rule catalogue, and what the selectors do", async () => {
  const { ctx, page } = await withText(MANIFEST);
  try {
    const c = card(page, "privileged-container");
    await c.locator(":scope > details.rule-doc > summary").click();
    await c.locator(":scope > details.rule-doc code").first().waitFor(WAIT);
    assert.match(await c.locator(":scope > details.rule-doc").textContent(), /Remove securityContext\.privileged: true/);
    assert.doesNotMatch(await c.locator(":scope > details.rule-doc").textContent(), /`/, "no raw backticks");
    await page.click("details.help summary");
    assert.match(await page.locator("#settings-help").textContent(), /baseline runs the Pod Security Standards/);
    await page.click("[data-testid=tab-rules]");
    const rows = page.locator("[data-testid=catalogue-rule]");
    await rows.first().waitFor(WAIT);
    assert.ok((await rows.count()) > 30, `the catalogue lists the rules: ${await rows.count()}`);
    assert.match(await page.locator('[data-testid=catalogue-rule][data-rule="run-as-non-root"]').textContent(), /restricted/);
  } finally {
    await ctx.close();
  }
});

test("axe-core finds no serious or critical accessibility violation (findings, hardened, rules, config; light and dark)", async () => {
  const require = createRequire(join(repoRoot, "www", "package.json"));
  const axe = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  for (const colorScheme of ["light", "dark"]) {
    // axe is injected through the DevTools protocol: the page's CSP forbids inline scripts.
    const { ctx, page } = await withText(MANIFEST, { bypassCSP: true, colorScheme });
    try {
      await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
      await page.evaluate(axe);
      for (const tab of ["tab-findings", "tab-hardened", "tab-rules", "tab-config"]) {
        await page.click(`[data-testid=${tab}]`);
        await page.waitForTimeout(300);
        const bad = await page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ["violations"] });
          return r.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")})`);
        });
        assert.deepEqual(bad, [], `${colorScheme}, ${tab}`);
      }
    } finally {
      await ctx.close();
    }
  }
});

test("no page threw", () => {
  assert.deepEqual(pageErrors, []);
});
