// Browser tests of the playground, as a person uses it: headless Chromium (Debian's
// /usr/bin/chromium) driven by playwright-core against the built site in dist/, served from
// 127.0.0.1. Run: `node --test tests/e2e/` (after `npm ci` in www/ and building dist/).
//
// A missing dist/ (or Chromium) FAILS every test with the reason: it is never skipped.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { deflateRawSync } from "node:zlib";
import {
  HANG_MS,
  editorText,
  findings,
  launchBrowser,
  openApp,
  replaceEditorText,
  requireDist,
  startServer,
} from "./harness.mjs";

// Waits are hang guards, not timings: generous on a busy 2-core machine.
const WAIT = { timeout: HANG_MS };

// A Deployment whose line numbers the tests find by content (see lineOf).
const MANIFEST = `# e2e: a privileged web server on the host network
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
      hostNetwork: true # the node's network, on purpose for this test
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
`;

const CONFIGMAP = `---
# a second, valid document
apiVersion: v1
kind: ConfigMap
metadata:
  name: e2e-config
  namespace: e2e
data:
  greeting: hello`;

/** A share-link fragment holding `state` as it is (for links written by hand). */
function shareFragment(state) {
  return "#v1." + deflateRawSync(Buffer.from(JSON.stringify(state))).toString("base64url");
}

/** 1-based number of the first line of `text` containing `needle`. */
function lineOf(text, needle) {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  assert.notEqual(i, -1, `"${needle}" is not in the manifest`);
  return i + 1;
}

let server;
let browser;
let context;
const requests = []; // every request of every page of every test
const pageErrors = []; // uncaught exceptions (a Rust panic surfaces as one)

before(async () => {
  requireDist(); // fails the suite with a clear message when dist/ was not built
  server = await startServer();
  browser = await launchBrowser();
  context = await newContext();
});

/** A fresh browser context (empty storage) whose requests and page errors are recorded. */
async function newContext() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin }).catch(() => {});
  ctx.on("request", (r) => requests.push(r.url()));
  ctx.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
  return ctx;
}

/** True in the page when the status reports an error ("0 errors" does not count). */
const STATUS_HAS_ERROR = () =>
  /error/i.test((document.querySelector("[data-testid=status]")?.textContent ?? "").replace(/\b0\s+errors?\b/gi, ""));

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.close();
});

/** Opens the app, pastes MANIFEST (plus `extra`) and waits for its findings. */
async function pasted(extra = "") {
  const page = await openApp(context, server.origin);
  const text = MANIFEST + extra;
  await replaceEditorText(page, text);
  await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
  return { page, text };
}

async function waitForFinding(page, rule, line) {
  const sel = `[data-testid=finding][data-rule="${rule}"]` + (line ? `[data-line="${line}"]` : "");
  await page.waitForSelector(sel, WAIT);
}

test("the default example loads and shows findings; the editor is labelled for screen readers", async () => {
  const page = await openApp(context, server.origin);
  try {
    await page.waitForSelector("[data-testid=finding]", WAIT);
    const content = page.locator("[data-testid=editor] .cm-content");
    assert.equal(await content.getAttribute("aria-label"), "Kubernetes manifests");
    assert.equal(await content.getAttribute("contenteditable"), "true");
    await page.waitForFunction(
      () => /\d+\s+findings?/i.test(document.querySelector("[data-testid=status]")?.textContent ?? ""),
      null,
      WAIT,
    );
  } finally {
    await page.close();
  }
});

test("the footer links the docs widget's demo page, which is part of the site", async () => {
  const page = await openApp(context, server.origin);
  try {
    const link = page.locator("#widget-demo-link");
    await link.waitFor(WAIT);
    const href = await link.evaluate((a) => a.href);
    assert.equal(href, server.origin + "/widget-demo.html");
    const status = await page.evaluate(async (u) => (await fetch(u)).status, href);
    assert.equal(status, 200, "dist/widget-demo.html is served");
  } finally {
    await page.close();
  }
});

test("(a) pasted manifest: findings at the right lines and underlines in the editor", async () => {
  const { page, text } = await pasted();
  try {
    assert.equal(await editorText(page), text, "the editor holds exactly the pasted text");
    const privileged = lineOf(text, "privileged: true");
    const hostNetwork = lineOf(text, "hostNetwork: true");
    await waitForFinding(page, "privileged-container", privileged);
    await waitForFinding(page, "host-namespaces", hostNetwork);
    const all = await findings(page);
    const priv = all.find((f) => f.rule === "privileged-container");
    assert.equal(priv.line, privileged);
    assert.equal(priv.severity, "critical");
    assert.ok(all.some((f) => f.rule === "host-namespaces" && f.line === hostNetwork));
    await page.waitForSelector("[data-testid=editor] .cm-lintRange", WAIT);
    assert.ok((await page.locator("[data-testid=editor] .cm-lintRange").count()) > 0);
    const status = await page.locator("[data-testid=status]").textContent();
    assert.match(status, new RegExp(`\\b${all.length}\\s+findings?\\b`, "i"), `status: ${status}`);
  } finally {
    await page.close();
  }
});

test("(b) the baseline profile drops restricted-only findings and keeps baseline ones", async () => {
  const { page } = await pasted();
  try {
    await page.selectOption("select[data-testid=profile]", "all");
    await waitForFinding(page, "run-as-non-root");
    await page.selectOption("select[data-testid=profile]", "baseline");
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=finding][data-rule="run-as-non-root"]'),
      null,
      WAIT,
    );
    const rules = new Set((await findings(page)).map((f) => f.rule));
    assert.ok(rules.has("privileged-container"), `baseline findings: ${[...rules]}`);
    assert.ok(rules.has("host-namespaces"), `baseline findings: ${[...rules]}`);
    for (const restrictedOnly of ["run-as-non-root", "seccomp-required", "allow-privilege-escalation"]) {
      assert.ok(!rules.has(restrictedOnly), `${restrictedOnly} should not run under baseline`);
    }
    for (const notPss of ["read-only-root-filesystem", "cpu-limits", "memory-limits"]) {
      assert.ok(!rules.has(notPss), `${notPss} is not a Pod Security Standards check`);
    }
  } finally {
    await page.close();
  }
});

test("(c) hardened tab keeps the comments; the unsafe toggle applies unsafe fixes; the diff shows them", async () => {
  const { page } = await pasted();
  try {
    await page.click("[data-testid=tab-hardened]");
    const hardened = page.locator("[data-testid=hardened]");
    await page.waitForFunction(
      () => (document.querySelector("[data-testid=hardened]")?.textContent ?? "").includes("name: e2e-web"),
      null,
      WAIT,
    );
    let fixed = await hardened.textContent();
    assert.ok(fixed.includes("# e2e: a privileged web server on the host network"), "the first comment is kept");
    assert.ok(fixed.includes("# the node's network, on purpose for this test"), "the trailing comment is kept");

    const toggle = page.locator("input[data-testid=unsafe-toggle]");
    await toggle.check();
    assert.equal(await toggle.isChecked(), true);
    await page.waitForFunction(
      () => (document.querySelector("[data-testid=hardened]")?.textContent ?? "").includes("privileged: false"),
      null,
      WAIT,
    );
    fixed = await hardened.textContent();
    assert.ok(!fixed.includes("privileged: true"));
    assert.ok(fixed.includes("# e2e: a privileged web server on the host network"), "comments survive unsafe fixes");

    await page.click("[data-testid=tab-diff]");
    await page.waitForFunction(
      () => /^\+.*privileged: false/m.test(document.querySelector("[data-testid=diff]")?.textContent ?? ""),
      null,
      WAIT,
    );
    const diff = await page.locator("[data-testid=diff]").textContent();
    assert.match(diff, /^-.*privileged: true/m);

    await page.click("[data-testid=tab-findings]");
    await page.locator("[data-testid=finding]").first().waitFor({ state: "visible", ...WAIT });
  } finally {
    await page.close();
  }
});

test("(d) the share link restores the text, profile and Kubernetes version", async () => {
  const { page } = await pasted();
  try {
    // A small edit typed as a person would, at the end of the document.
    await page.locator("[data-testid=editor] .cm-content").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("# shared-edit ünïcode ✓");
    await page.selectOption("select[data-testid=profile]", "restricted");
    await page.selectOption("select[data-testid=kube-version]", "1.25");
    await page.waitForTimeout(1200);
    const text = await editorText(page);
    assert.ok(text.includes("# shared-edit ünïcode ✓"), "the typed edit is in the editor");

    await page.click("[data-testid=share]");
    const url = page.url();
    assert.ok(url.includes("#v1."), `the URL carries the state: ${url}`);
    const copied = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
    if (copied != null && copied !== "") assert.ok(copied.includes("#v1."), `copied share link: ${copied}`);

    // A fresh context (no storage shared with the first page): the link alone carries the state.
    const other = await newContext();
    const restored = await openApp(other, server.origin, url.slice(url.indexOf("#")));
    try {
      await restored.waitForSelector("[data-testid=finding]", WAIT);
      assert.equal(await editorText(restored), text);
      assert.equal(await restored.locator("select[data-testid=profile]").inputValue(), "restricted");
      assert.equal(await restored.locator("select[data-testid=kube-version]").inputValue(), "1.25");
    } finally {
      await other.close();
    }
  } finally {
    await page.close();
  }
});

test("(f) a YAML syntax error is shown in the status and the other documents are still checked", async () => {
  const { page, text } = await pasted(CONFIGMAP);
  try {
    await page.waitForFunction(STATUS_HAS_ERROR, null, { polling: 100, timeout: 1000 }).then(
      () => assert.fail("the status reports an error before the text is broken"),
      () => {},
    );
    // Break the last document by typing an unterminated quoted string at its end.
    await page.locator("[data-testid=editor] .cm-content").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type('\nbroken: "unterminated');
    await page.waitForFunction(STATUS_HAS_ERROR, null, WAIT);
    // The first document is still checked.
    await waitForFinding(page, "privileged-container", lineOf(text, "privileged: true"));
    await waitForFinding(page, "host-namespaces", lineOf(text, "hostNetwork: true"));
  } finally {
    await page.close();
  }
});

test("(g) clicking a finding selects its range in the editor", async () => {
  const { page, text } = await pasted();
  try {
    const line = lineOf(text, "privileged: true");
    await waitForFinding(page, "privileged-container", line);
    // Put the cursor somewhere else first.
    await page.locator("[data-testid=editor] .cm-line").first().click();
    // Click the finding where a person would: on its main button when it has one (a finding may
    // also hold other controls, such as an expandable explanation), else on the item itself.
    const finding = page.locator(`[data-testid=finding][data-rule="privileged-container"][data-line="${line}"]`).first();
    const button = finding.locator("button").first();
    await ((await button.count()) > 0 ? button : finding).click();
    await page.waitForFunction(
      () => {
        const active = document.querySelector("[data-testid=editor] .cm-activeLine")?.textContent ?? "";
        const selected = String(window.getSelection() ?? "");
        return active.includes("privileged: true") || selected.includes("privileged");
      },
      null,
      WAIT,
    );
    const focused = await page.evaluate(() => !!document.activeElement?.closest("[data-testid=editor]"));
    assert.ok(focused, "the editor has the focus after clicking a finding");
  } finally {
    await page.close();
  }
});

test("a related location is underlined apart and its note selects it in the editor", async () => {
  // The API server keys objects by group, kind, namespace and name: the second ConfigMap
  // is the same object as the first (duplicate-object, "first defined here").
  const { page, text } = await pasted(CONFIGMAP + "\n" + CONFIGMAP.replace("hello", "bye") + "\n");
  try {
    // Whole-bundle rules run under the `all` profile (an earlier test may have saved another).
    await page.selectOption("select[data-testid=profile]", "all");
    const first = lineOf(text, "name: e2e-config");
    const card = page.locator('[data-testid=finding][data-rule="duplicate-object"]').first();
    await card.waitFor(WAIT);
    const note = card.locator("[data-testid=related]");
    assert.equal(await note.count(), 1);
    assert.match(await note.textContent(), new RegExp(`first defined here \\(line ${first}\\)`));
    // The secondary range has its own (dotted) underline in the editor.
    await page.waitForSelector("[data-testid=editor] .cm-kh-related", WAIT);
    // (Other findings have related locations too: namespace-default-deny's "runs here".)
    const underlined = await page.locator("[data-testid=editor] .cm-kh-related").allTextContents();
    assert.ok(underlined.some((u) => /e2e-config/.test(u)), `an underline on the first definition: ${underlined}`);
    // Clicking the note moves the selection to the first definition.
    await page.locator("[data-testid=editor] .cm-line").first().click();
    await note.click();
    await page.waitForFunction(
      (line) => {
        const active = document.querySelector("[data-testid=editor] .cm-activeLine");
        const lines = [...document.querySelectorAll("[data-testid=editor] .cm-line")];
        return active && lines.indexOf(active) + 1 === line;
      },
      first,
      WAIT,
    );
  } finally {
    await page.close();
  }
});

test("a finding's rule doc comes from the docs model: fix policy, example and what to write instead", async () => {
  const { page } = await pasted();
  try {
    const card = page.locator('[data-testid=finding][data-rule="privileged-container"]').first();
    // (The card's own doc: findings of other rules on the same field are folded inside it.)
    await card.locator(":scope > details.rule-doc > summary").click();
    const doc = card.locator(":scope > details.rule-doc");
    await doc.locator("[data-testid=rule-example]").waitFor(WAIT);
    assert.match(await doc.locator("[data-testid=rule-example]").textContent(), /privileged: yes/);
    assert.match(await doc.locator("[data-testid=rule-use-instead]").textContent(), /privileged: false/);
    assert.match(await doc.textContent(), /Automatic fix \(unsafe\)/);
    // The rationale, remediation and references are fetched with the example.
    assert.match(await doc.locator("[data-testid=rule-rationale]").textContent(), /every Linux capability/);
    assert.ok((await doc.locator(".refs a").count()) > 0, "the references are listed");
    assert.match(await doc.textContent(), /ignore\.kubeharden\.io\/privileged-container/);
  } finally {
    await page.close();
  }
});

test("the example gallery loads each example", async () => {
  const page = await openApp(context, server.origin);
  try {
    const stems = await page.$$eval("[data-testid=example]", (els) => els.map((e) => e.getAttribute("data-example")));
    for (const stem of ["insecure-deployment", "privileged-daemonset", "hardened"]) {
      assert.ok(stems.includes(stem), `the gallery offers ${stem} (has: ${stems})`);
    }
    await page.selectOption("select[data-testid=profile]", "all");
    await page.selectOption("select[data-testid=kube-version]", "1.37");
    await page.click('[data-testid=example][data-example="privileged-daemonset"]');
    await waitForFinding(page, "privileged-container");
    await waitForFinding(page, "container-runtime-socket");
    assert.ok((await editorText(page)).includes("hostPID: true"));

    await page.click('[data-testid=example][data-example="hardened"]');
    await page.waitForFunction(
      () => /\b0\s+findings\b/i.test(document.querySelector("[data-testid=status]")?.textContent ?? ""),
      null,
      WAIT,
    );
    assert.equal(await page.locator("[data-testid=finding]").count(), 0);
  } finally {
    await page.close();
  }
});

test("a damaged share link is reported in a notice, and the first example is shown instead", async () => {
  const other = await newContext(); // no autosave to fall back to
  try {
    const good = shareFragment({ t: MANIFEST, p: "restricted" });
    const page = await openApp(other, server.origin, good.slice(0, good.length - 12));
    const notice = page.locator("[data-testid=notice][role=alert]");
    await notice.waitFor({ state: "visible", ...WAIT });
    const text = await notice.textContent();
    assert.match(text, /could not be opened: it is damaged or cut short/, text);
    assert.match(text, /Showing the first example instead/, text);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    assert.ok((await editorText(page)).includes("# title: Insecure Deployment"), "the first example is shown");
    assert.equal(await page.locator("select[data-testid=profile]").inputValue(), "all");
    // The damaged link stays in the address bar until something changes.
    await page.waitForTimeout(900);
    assert.ok(page.url().endsWith(good.slice(0, good.length - 12)), page.url());
    await page.click("[data-testid=notice] button.dismiss");
    assert.equal(await page.locator("[data-testid=notice]").count(), 0, "the notice can be dismissed");
  } finally {
    await other.close();
  }
});

test("a bad value in a share link keeps the rest of the link and is reported", async () => {
  const other = await newContext();
  try {
    const page = await openApp(other, server.origin, shareFragment({ t: MANIFEST, p: "paranoid", k: "1.25", u: true }));
    const notice = page.locator("[data-testid=notice][role=alert]");
    await notice.waitFor({ state: "visible", ...WAIT });
    const text = await notice.textContent();
    assert.match(text, /profile is not valid \(unknown profile "paranoid".*\); using all/, text);
    assert.equal(await editorText(page), MANIFEST, "the text is restored");
    assert.equal(await page.locator("select[data-testid=profile]").inputValue(), "all");
    assert.equal(await page.locator("select[data-testid=kube-version]").inputValue(), "1.25");
    assert.equal(await page.locator("input[data-testid=unsafe-toggle]").isChecked(), true);

    const versionPage = await openApp(other, server.origin, shareFragment({ t: MANIFEST, k: "v1.x" }));
    const versionNotice = versionPage.locator("[data-testid=notice][role=alert]");
    await versionNotice.waitFor({ state: "visible", ...WAIT });
    assert.match(await versionNotice.textContent(), /Kubernetes version is not valid \(invalid Kubernetes version "v1\.x"/);
    assert.equal(await versionPage.locator("select[data-testid=kube-version]").inputValue(), "");
  } finally {
    await other.close();
  }
});

test("a fix left out in the findings is not applied in the hardened YAML", async () => {
  const { page } = await pasted();
  try {
    await page.locator("input[data-testid=unsafe-toggle]").check();
    const choice = page
      .locator('[data-testid=finding][data-rule="privileged-container"] input[data-testid=fix-choice]')
      .first();
    assert.equal(await choice.isChecked(), true, "every fix is chosen at first");
    await choice.uncheck();
    await page.click("[data-testid=tab-hardened]");
    await page.waitForFunction(
      () => (document.querySelector("[data-testid=hardened]")?.textContent ?? "").includes("name: e2e-web"),
      null,
      WAIT,
    );
    const hardened = await page.locator("[data-testid=hardened]").textContent();
    assert.ok(hardened.includes("privileged: true"), "the fix left out is not applied");
    assert.ok(!hardened.includes("hostNetwork: true"), "the other fixes are");
    await page.click("[data-testid=tab-findings]");
    await choice.check();
    await page.click("[data-testid=tab-hardened]");
    await page.waitForFunction(
      () => (document.querySelector("[data-testid=hardened]")?.textContent ?? "").includes("privileged: false"),
      null,
      WAIT,
    );
  } finally {
    await page.close();
  }
});

/** 60 privileged Pods `p0` … `p59`: 60 × (20 or so) findings, far more than fit in view. */
const SIXTY_PODS = Array.from(
  { length: 60 },
  (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: n}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n`,
).join("");

test("a paste with thousands of findings renders the entries near the view; scrolling and the filters reach the rest", async () => {
  // Issue 16: the list renders only what is visible. The rest are empty boxes of their
  // estimated height, so the pane scrolls as over the whole list.
  const page = await openApp(context, server.origin);
  try {
    await replaceEditorText(page, SIXTY_PODS);
    await page.waitForFunction(() => / in 60 objects/.test(document.querySelector("[data-testid=list-size]")?.textContent), null, WAIT);
    const size = await page.locator("[data-testid=list-size]").textContent();
    const entries = Number(/^(\d+) entries in 60 objects/.exec(size)?.[1]);
    assert.ok(entries > 400, size);
    const cards = () => page.locator(".findings .group > ul > [data-testid=finding]");
    const rendered = await cards().count();
    assert.ok(rendered > 0 && rendered < 80, `${rendered} of ${entries} entries rendered`);
    // Each card tells its place in its group (a screen reader cannot count what is not there).
    const first = cards().first();
    assert.equal(await first.getAttribute("aria-posinset"), "1");
    const groupSize = Number(await first.getAttribute("aria-setsize"));
    assert.ok(groupSize > 1);
    // The pane is about as tall as the whole list; its end renders the last object's last entry.
    const pane = page.locator(".findings");
    const [scrollHeight, clientHeight] = await pane.evaluate((el) => [el.scrollHeight, el.clientHeight]);
    assert.ok(scrollHeight > clientHeight * 5, `${scrollHeight} px to scroll in a ${clientHeight} px pane`);
    for (let i = 0; i < 3; i++) {
      await pane.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(150);
    }
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll(".findings .group > ul > [data-testid=finding]")];
      const last = cards.at(-1);
      return last && /\bp59 · /.test(last.closest(".group").querySelector("h2").textContent) && last.getAttribute("aria-posinset") === last.getAttribute("aria-setsize");
    }, null, WAIT);
    assert.ok((await cards().count()) < 80, "the end of the list renders as few");
    const bottom = await page.locator(".findings .group > ul > [data-testid=finding]").last().boundingBox();
    const paneBox = await pane.boundingBox();
    assert.ok(bottom.y + bottom.height <= paneBox.y + paneBox.height + 1 && bottom.y > paneBox.y, "the last card is in view");
    // Back to the top: the first object's first entry again.
    await pane.evaluate((el) => el.scrollTo(0, 0));
    await page.waitForFunction(() => document.querySelector(".findings .group > ul > [data-testid=finding]")?.getAttribute("aria-posinset") === "1", null, WAIT);
    // A closed group stays closed when it scrolls out of view and back.
    const group = page.locator("details.group").first();
    const title = await group.locator("h2").textContent();
    await group.locator(":scope > summary").click();
    assert.equal(await group.getAttribute("open"), null);
    await pane.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForFunction((t) => ![...document.querySelectorAll(".findings .group h2")].some((h) => h.textContent === t), title, WAIT);
    await pane.evaluate((el) => el.scrollTo(0, 0));
    await page.waitForFunction((t) => [...document.querySelectorAll(".findings .group h2")].some((h) => h.textContent === t), title, WAIT);
    assert.equal(await page.locator("details.group").first().getAttribute("open"), null, "still closed");
    await page.locator("details.group").first().locator(":scope > summary").click();
    // Tab walks on past the rendered entries: each card focused scrolls into view, which
    // renders the next ones before the next Tab.
    await pane.evaluate((el) => el.scrollTo(0, 0));
    await page.locator(".findings .group > ul > [data-testid=finding] .jump").first().focus();
    for (let i = 0; i < 150; i++) await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const card = document.activeElement?.closest(".findings .group > ul > [data-testid=finding]");
      return card && { group: card.closest(".group").querySelector("h2").textContent, at: card.getAttribute("aria-posinset") };
    });
    assert.ok(focused, "focus is still on a card after 150 Tabs");
    assert.doesNotMatch(focused.group, /^Pod p[0-2] /, `150 Tabs reach past the first objects: ${JSON.stringify(focused)}`);
    // The filters search every finding, rendered or not: the last pod's are found.
    await page.locator("[data-testid=query]").fill("p59");
    await page.waitForFunction(() => [...document.querySelectorAll(".findings .group h2")].every((h) => /p59/.test(h.textContent)), null, WAIT);
    assert.ok((await cards().count()) > 0);
    await page.locator("[data-testid=query]").fill("");
  } finally {
    await page.close();
  }
});

test("findings of several rules on one place are one entry, the others folded under it", async () => {
  // A hostPath volume is reported by host-path-volumes (baseline) and restricted-volume-types
  // (restricted) at the same JSON pointer and span: one entry. cpu-limits and memory-limits
  // share a span (the container's name) but not a pointer: two entries.
  const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: s, namespace: n}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n  volumes:\n  - name: sock\n    hostPath: {path: /var/run/docker.sock}\n";
  const page = await openApp(context, server.origin);
  try {
    await page.selectOption("select[data-testid=profile]", "all");
    await replaceEditorText(page, pod);
    await page.waitForSelector('[data-testid=finding][data-rule="container-runtime-socket"]', WAIT);
    await page.waitForTimeout(300);
    const entries = await page.$$eval(".findings .group > ul > [data-testid=finding]", (cards) =>
      cards.map((c) => [c.dataset.rule, ...[...c.querySelectorAll(":scope > details.also [data-testid=finding]")].map((n) => n.dataset.rule)]),
    );
    const entryOf = (rule) => entries.find((e) => e.includes(rule));
    assert.deepEqual(entryOf("host-path-volumes").toSorted(), ["host-path-volumes", "restricted-volume-types"], JSON.stringify(entries));
    assert.deepEqual(entryOf("image-pull-policy").toSorted(), ["image-pull-policy", "image-tag-without-digest"]);
    assert.deepEqual(entryOf("container-runtime-socket"), ["container-runtime-socket"], "the path's own finding is its own entry");
    assert.notEqual(entryOf("cpu-limits"), entryOf("memory-limits"));
    const folded = entryOf("host-path-volumes");
    const summary = await page.locator(`.findings .group > ul > [data-rule="${folded[0]}"] > details.also > summary`).textContent();
    assert.equal(summary, `also reported by 1 rule: ${folded[1]}`);
  } finally {
    await page.close();
  }
});

test("a keystroke re-renders only the findings it changed: renaming one object of 60 touches its group alone", async () => {
  // Issue 16: the list updates by difference. Cards are keyed by the finding's id (rule,
  // file, document, JSON pointer: not the object's name nor the byte offset), so a rename
  // keeps every card in place; a card is re-rendered only when what it shows changed, and
  // one that moved along with the text (every card after the edit) is left alone.
  const page = await openApp(context, server.origin);
  try {
    const text = SIXTY_PODS;
    await replaceEditorText(page, text);
    await page.waitForFunction(() => / in 60 objects/.test(document.querySelector("[data-testid=list-size]")?.textContent), null, WAIT);
    await page.waitForTimeout(500); // the paste's answer settles
    const shown = await page.locator(".findings [data-testid=finding]").count();
    await page.evaluate(() => {
      const m = (window.__listChanges = { groups: new Set(), cardsAdded: 0, cardsRemoved: 0 });
      const cards = (n) => (n.nodeType === 1 ? n.matches("[data-testid=finding]") + n.querySelectorAll("[data-testid=finding]").length : 0);
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
          const group = el?.closest(".findings .group");
          if (group) m.groups.add(group.querySelector("h2")?.textContent ?? "");
          for (const n of r.addedNodes) m.cardsAdded += cards(n);
          for (const n of r.removedNodes) m.cardsRemoved += cards(n);
        }
      }).observe(document.querySelector(".findings"), { subtree: true, childList: true, characterData: true, attributes: true });
    });
    // "p0" becomes "p0x" (the first document's name: line 4, after "{name: p0").
    await page.locator("[data-testid=editor] .cm-content").focus();
    await page.keyboard.press("ControlOrMeta+Home");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
    for (let i = 0; i < "metadata: {name: p0".length; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.type("x");
    await page.waitForFunction(() => [...document.querySelectorAll(".findings .group h2")].some((h) => h.textContent.startsWith("Pod p0x ")), null, WAIT);
    await page.waitForTimeout(500); // anything else the answer changes
    const changes = await page.evaluate(() => ({ ...window.__listChanges, groups: [...window.__listChanges.groups] }));
    assert.equal(changes.cardsAdded, 0, "no card was put in");
    assert.equal(changes.cardsRemoved, 0, "no card was taken out");
    assert.ok(changes.groups.length >= 1, "the renamed object's group changed");
    assert.ok(changes.groups.every((h) => /^Pod p0x? /.test(h)), `only p0's group changed: ${JSON.stringify(changes.groups)}`);
    assert.equal(await page.locator(".findings [data-testid=finding]").count(), shown);
  } finally {
    await page.close();
  }
});

// Runs last (node:test runs a file's tests in order): it looks at what every earlier test did.
test("(e) no request leaves the origin, and no page threw", async () => {
  assert.ok(requests.length > 0, "requests were recorded");
  assert.ok(
    requests.some((u) => new URL(u).pathname.endsWith(".wasm")),
    `the WebAssembly module was loaded from the origin:\n${requests.join("\n")}`,
  );
  const outside = requests.filter(
    (u) => !(u === server.origin || u.startsWith(server.origin + "/") || u.startsWith("data:") || u.startsWith("blob:")),
  );
  assert.deepEqual(outside, [], `requests outside ${server.origin}`);
  assert.deepEqual(pageErrors, [], "uncaught exceptions in the page");
});
