// The engine off the page's thread (issue 16; src/web/worker.rs, www/engine-worker.js): the
// playground checks in a Web Worker, so that a text of megabytes is checked without a pause
// button and the page stays live meanwhile; a newer edit supersedes the check of an older
// one; hardening and single fixes run there too; where no worker can start, the page checks
// on its own thread as before. Headless Chromium against dist/ (see playground.test.mjs).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { HANG_MS, launchBrowser, openApp, pasteText, replaceEditorText, requireDist, startServer } from "./harness.mjs";

const WAIT = { timeout: HANG_MS };

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
});

async function newContext(init) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (init) await ctx.addInitScript(init);
  ctx.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
  return ctx;
}

const status = (page) => page.locator("[data-testid=status]").textContent();

/** A privileged Pod named `name` (the finding privileged-container at its line 8). */
const pod = (name) =>
  `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: n}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n`;

/** Over `mb` megabytes of ConfigMaps (no findings of their own) and a privileged Pod last. */
function large(mb, last = "last") {
  const map = (i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n}\ndata:\n  key: "${"v".repeat(200)}"\n`;
  const parts = [];
  let size = 0;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    parts.push(map(i));
    size += parts[parts.length - 1].length;
  }
  parts.push(pod(last));
  return parts.join("");
}

/** 1-based line of the last line holding `needle`. */
function lastLineOf(text, needle) {
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`${needle} is not in the text`);
}

test("checks run in a Web Worker: a 3 MB paste is checked without a pause, its finding at the right line", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    assert.equal(page.workers().length, 1, "the engine's worker runs");
    const text = large(3);
    await pasteText(page, text);
    // The page renders while the check runs: a busy status, which a check on the page's
    // own thread could never show (nothing is painted until it returns).
    await page.waitForSelector("[data-testid=status] [aria-busy=true]", WAIT);
    assert.match(await status(page), /Checking|checking the latest change/);
    const line = lastLineOf(text, "privileged: true");
    await page.waitForSelector(`[data-testid=finding][data-rule="privileged-container"][data-line="${line}"]`, WAIT);
    assert.doesNotMatch(await status(page), /Large input|paused/);
    assert.match(await status(page), /too large for a share link/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
  }
});

test("a multi-megabyte check shows its progress: the stage and a bar that grows, gone when the findings arrive", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    // The page's thread is free while the worker checks: sample the status every 10 ms
    // (it still shows the example's findings, and says the latest change is being checked).
    await page.evaluate(() => {
      window.__progress = [];
      window.__sampler = setInterval(() => {
        const bar = document.querySelector("[data-testid=status] [data-testid=check-progress]");
        if (bar) window.__progress.push([Number(bar.value), document.querySelector("[data-testid=status]").textContent, !!bar.closest("[aria-live]")]);
      }, 10);
    });
    const text = large(5);
    await pasteText(page, text);
    const line = lastLineOf(text, "privileged: true");
    await page.waitForSelector(`[data-testid=finding][data-rule="privileged-container"][data-line="${line}"]`, WAIT);
    const seen = await page.evaluate(() => {
      clearInterval(window.__sampler);
      return window.__progress;
    });
    assert.ok(seen.length >= 2, `the bar was seen ${seen.length} times`);
    const values = seen.map(([v]) => v);
    assert.ok(values.every((v, i) => i === 0 || v >= values[i - 1]), `the bar only grows: ${values}`);
    assert.ok(values[values.length - 1] > values[0], `the bar grew: ${values}`);
    const stages = new Set(seen.map(([, t]) => /(?:Checking |checking the latest change \()[\d.]+ MB\)?: ([^…]+)…/.exec(t)?.[1]));
    assert.ok(!stages.has(undefined), `every sample names its stage: ${seen.map(([, t]) => t).join(" | ")}`);
    assert.ok(stages.size >= 2, `more than one stage: ${[...stages]}`);
    // The steps are there to be read, not announced: the bar is outside the live region.
    assert.ok(seen.every(([, , live]) => !live), "the progress bar is outside the status's live region");
    // Done: no bar, the findings counted.
    assert.equal(await page.locator("[data-testid=check-progress]").count(), 0);
    assert.match(await status(page), /\d+ findings?/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
  }
});

test("a newer edit supersedes the check of an older text: only the last text's findings are shown", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    const first = large(3, "first");
    await pasteText(page, first);
    await page.waitForSelector("[data-testid=status] [aria-busy=true]", WAIT);
    // While that check runs, another text replaces it.
    const second = pod("second") + pod("third");
    await replaceEditorText(page, second);
    await page.waitForFunction(
      () => [...document.querySelectorAll("[data-testid=finding] ")].some((f) => /third/.test(f.closest(".group")?.textContent ?? "")),
      null,
      WAIT,
    );
    await page.waitForFunction(() => !document.querySelector("[data-testid=status] [aria-busy=true]"), null, WAIT);
    const groups = await page.$$eval(".findings .group h2", (hs) => hs.map((h) => h.textContent));
    assert.ok(groups.every((g) => /second|third/.test(g)), `only the newest text's objects: ${groups.join(" | ")}`);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
  }
});

test("the hardened YAML and a single fix are made in the worker (the fixer loaded there)", async () => {
  const ctx = await newContext();
  try {
    const page = await openApp(ctx, server.origin);
    await replaceEditorText(page, pod("web"));
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
    await page.locator("input[data-testid=unsafe-toggle]").check();
    await page.click("[data-testid=tab-hardened]");
    await page.waitForFunction(() => /privileged: false/.test(document.querySelector("[data-testid=hardened]")?.textContent ?? ""), null, WAIT);
    assert.match(await page.locator("[data-testid=hardened-summary]").textContent(), /\d+ fix(es)? applied/);
    // One finding's fix, applied to the editor from its card.
    await page.click("[data-testid=tab-findings]");
    await replaceEditorText(page, pod("web").replace("spec:\n", "spec:\n  hostNetwork: true\n"));
    const host = page.locator('[data-testid=finding][data-rule="host-namespaces"]').first();
    await host.waitFor(WAIT);
    await host.getByRole("button", { name: /Apply to editor/ }).click();
    await page.waitForFunction(() => !/hostNetwork: true/.test(document.querySelector("[data-testid=editor] .cm-content")?.textContent ?? ""), null, WAIT);
    await page.waitForFunction(() => /Fix applied to the editor/.test(document.querySelector("[data-testid=notice]")?.textContent ?? ""), null, WAIT);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
  }
});

test("a check over the limit of work is stopped and said so; the next text is checked", async () => {
  // The limit is 60 s; this page lowers it so that a 4 MB check runs over it.
  const ctx = await newContext(() => {
    window.kubehardenWorkLimitMs = 300;
  });
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    await pasteText(page, large(4));
    await page.waitForFunction(() => /did not finish: stopped: it took over 0\.3 s/.test(document.querySelector("[data-testid=status]")?.textContent ?? ""), null, WAIT);
    assert.match(await status(page), /The kubeharden CLI checks texts of any size/);
    // The worker was started again: a small text is checked.
    await replaceEditorText(page, pod("after"));
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"][data-line="9"]', WAIT);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
  }
});

test("without Web Workers the page checks on its own thread, and large texts pause again", async () => {
  const ctx = await newContext(() => {
    delete window.Worker;
  });
  try {
    const page = await openApp(ctx, server.origin);
    await replaceEditorText(page, pod("here"));
    await page.waitForSelector('[data-testid=finding][data-rule="privileged-container"]', WAIT);
    assert.equal(page.workers().length, 0);
    await pasteText(page, large(2.5));
    await page.waitForFunction(() => /Large input/.test(document.querySelector("[data-testid=status]")?.textContent ?? ""), null, WAIT);
    await page.getByRole("button", { name: "Check anyway" }).click();
    await page.waitForFunction(() => /\d+ findings?/.test(document.querySelector("[data-testid=status]")?.textContent ?? ""), null, WAIT);
    await page.click("[data-testid=tab-hardened]");
    await page.waitForSelector("[data-testid=hardened-summary]", WAIT);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
  }
});
