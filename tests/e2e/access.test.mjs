// The playground's Access and Reach tabs (issue 15): the RBAC matrix and can-i box, and the
// NetworkPolicy reachability matrix, opened on the gallery's RBAC and cloud-metadata
// examples; a click on a cell lands on the granting line in the editor. The views are the
// playground's extras' (dist/extras/, loaded when a tab first opens: never for the first
// check), rendered into the tab by a Yew app of their own. In headless Chromium against the
// built site in dist/. Expected answers:
// - rbac-wildcards.yaml: ServiceAccount platform/release-operator is bound by a RoleBinding
//   to a Role whose first rule is `*` on `*` of `*` (RBAC docs: `*` matches every group,
//   resource and verb), so its "every verb on every resource" cell is granted and its first
//   grant is that rule; it may get Secrets in platform (the same Role); the namespace's
//   `default` ServiceAccount is bound to nothing but the built-in roles of every
//   authenticated user, so it may not.
// - metadata-egress.yaml: report-builder runs on the host network, so whether it reaches
//   169.254.169.254 cannot be decided (NetworkPolicy docs: behaviour for hostNetwork pods is
//   undefined); the egress rule that would allow it is the `ipBlock: 0.0.0.0/0` peer.
//
// A missing dist/ (or Chromium) FAILS every test with the reason: it is never skipped.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { HANG_MS, launchBrowser, openApp, replaceEditorText, repoRoot, requireDist, startServer } from "./harness.mjs";

const WAIT = { timeout: HANG_MS };

let server, browser, context;
const pageErrors = [];

before(async () => {
  requireDist();
  server = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.close();
});

const example = (stem) => readFileSync(join(repoRoot, "www", "examples", `${stem}.yaml`), "utf8");
const lineOf = (text, needle) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

async function openExample(stem, tab) {
  const page = await openApp(context, server.origin);
  await page.click(`[data-testid=example][data-example="${stem}"]`);
  await page.waitForFunction(
    (needle) => document.querySelector("[data-testid=editor] .cm-content")?.textContent.includes(needle),
    stem === "rbac-wildcards" ? "release-operator" : "report-builder",
    WAIT,
  );
  await page.click(`[data-testid=${tab}]`);
  return page;
}

/** Waits until the lines of the editor's selection (its `data-selection`, UTF-16 offsets)
 * contain `needle`. */
async function cursorOn(page, needle) {
  await page.waitForFunction(
    (n) => {
      const at = document.querySelector("[data-testid=editor] .cm-editor")?.getAttribute("data-selection");
      if (!at) return false;
      const [from, to] = at.split("-").map(Number);
      const text = [...document.querySelectorAll("[data-testid=editor] .cm-line")].map((l) => l.textContent).join("\n");
      const start = text.lastIndexOf("\n", from - 1) + 1;
      const end = text.indexOf("\n", to);
      return text.slice(start, end < 0 ? undefined : end).includes(n);
    },
    needle,
    WAIT,
  );
}

test("Access: the RBAC example's matrix marks the dangerous cell, and a click lands on the granting rule", async () => {
  const text = example("rbac-wildcards");
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    const cell = page.locator(
      '[data-testid=access-cell][data-subject="ServiceAccount platform/release-operator"][data-permission="everything"]',
    );
    await cell.waitFor({ state: "visible", ...WAIT });
    assert.equal(await cell.textContent(), "⚠");
    assert.match(await cell.getAttribute("aria-label"), /every verb on every resource.*platform/);
    // The dangerous columns are marked in the header.
    assert.ok((await page.locator("[data-testid=access-matrix] th.dangerous").count()) >= 4);
    // The ServiceAccount with the most dangerous permissions is the first row.
    const first = await page.locator("[data-testid=access-matrix] tbody tr th").first().textContent();
    assert.match(first, /^ServiceAccount platform\/release-operator/);

    await page.locator("[data-testid=editor] .cm-line").first().click();
    await cell.click();
    const ruleLine = lineOf(text, 'apiGroups: ["*"]');
    await cursorOn(page, 'apiGroups: ["*"]');
    const detail = page.locator("[data-testid=access-detail]");
    await detail.waitFor(WAIT);
    assert.match(await detail.textContent(), /RoleBinding platform\/release-operator → Role platform\/release-operator, rule 1/);
    assert.equal(await detail.locator("[data-testid=grant-rule]").first().getAttribute("data-line"), String(ruleLine));
    // The binding's button lands on its roleRef.
    await detail.locator("[data-testid=grant-binding]").first().click();
    await cursorOn(page, "kind: Role\n");
  } finally {
    await page.close();
  }
});

test("Access: the can-i box answers yes with the grant, and no for a ServiceAccount bound to nothing", async () => {
  const text = example("rbac-wildcards");
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.fill("[data-testid=can-i-as]", "system:serviceaccount:platform:release-operator");
    await page.fill("[data-testid=can-i-verb]", "get");
    await page.fill("[data-testid=can-i-resource]", "secrets");
    await page.fill("[data-testid=can-i-namespace]", "platform");
    const answer = page.locator('[data-testid=can-i-answer][data-allowed="true"]');
    await answer.waitFor(WAIT);
    // Two grants: the ClusterRole's `*` on core resources (cluster-wide) and the Role's `*`.
    const lines = await answer.locator("[data-testid=grant-rule]").evaluateAll((els) => els.map((e) => e.getAttribute("data-line")));
    assert.deepEqual(lines, [String(lineOf(text, 'apiGroups: ["", "apps"]')), String(lineOf(text, 'apiGroups: ["*"]'))]);
    await answer.locator("[data-testid=grant-rule]").first().click();
    await cursorOn(page, 'apiGroups: ["", "apps"]');
    await page.fill("[data-testid=can-i-as]", "system:serviceaccount:platform:default");
    await page.locator('[data-testid=can-i-answer][data-allowed="false"]').waitFor(WAIT);
  } finally {
    await page.close();
  }
});

test("Reach: the metadata example's matrix cannot decide the metadata endpoint, and a click lands on the egress rule", async () => {
  const text = example("metadata-egress");
  const page = await openExample("metadata-egress", "tab-reach");
  try {
    const cell = page.locator(
      '[data-testid=reach-cell][data-from="Deployment report-builder"][data-to="metadata 169.254.169.254"]',
    );
    await cell.waitFor({ state: "visible", ...WAIT });
    assert.equal(await cell.getAttribute("data-verdict"), "unknown");
    assert.ok(await page.locator('[data-testid=reach-cell][data-to="the internet"]').count());
    await page.locator("[data-testid=editor] .cm-line").first().click();
    await cell.click();
    await cursorOn(page, "ipBlock:");
    const detail = page.locator("[data-testid=reach-detail]");
    await detail.waitFor(WAIT);
    const body = await detail.textContent();
    assert.match(body, /hostNetwork/);
    assert.match(body, /allowed by NetworkPolicy reports\/allow-all-egress/);
    const places = await detail.locator("[data-testid=reach-place]").evaluateAll((els) => els.map((e) => e.getAttribute("data-line")));
    assert.ok(places.includes(String(lineOf(text, "- ipBlock:"))), `places: ${places}`);
    assert.ok(places.includes(String(lineOf(text, "apiVersion: networking.k8s.io/v1"))), `places: ${places}`);
    // One workload: the diagram is drawn, as an image with a text alternative.
    assert.equal(await page.locator("[data-testid=reach-diagram]").getAttribute("role"), "img");
  } finally {
    await page.close();
  }
});

test("Reach: the matrix follows the text and the port", async () => {
  const page = await openExample("metadata-egress", "tab-reach");
  try {
    await page.locator("[data-testid=reach-cell]").first().waitFor(WAIT);
    // Drop hostNetwork: the policy now decides; 0.0.0.0/0 allows the metadata endpoint.
    await page.locator("[data-testid=editor] .cm-line", { hasText: "hostNetwork: true" }).click();
    await page.keyboard.press("End");
    for (let i = 0; i < 4; i++) await page.keyboard.press("Backspace");
    await page.keyboard.insertText("false");
    const cell = page.locator('[data-testid=reach-cell][data-from="Deployment report-builder"][data-to="metadata 169.254.169.254"]');
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid=reach-cell][data-from="Deployment report-builder"][data-to="metadata 169.254.169.254"]')
          ?.getAttribute("data-verdict") === "allowed",
      null,
      WAIT,
    );
    assert.equal(await cell.textContent(), "✓");
    await page.fill("[data-testid=reach-port]", "TCP 5432");
    await page.waitForFunction(
      () => document.querySelector("[data-testid=reach-matrix] caption")?.textContent.includes("TCP 5432"),
      null,
      WAIT,
    );
  } finally {
    await page.close();
  }
});

test("axe-core finds no serious or critical violation in the Access and Reach tabs (light and dark)", async () => {
  const require = createRequire(join(repoRoot, "www", "package.json"));
  const axe = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  for (const colorScheme of ["light", "dark"]) {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true, colorScheme });
    try {
      for (const [stem, tab, sel] of [
        ["rbac-wildcards", "tab-access", "[data-testid=access-cell]"],
        ["metadata-egress", "tab-reach", "[data-testid=reach-cell]"],
      ]) {
        const page = await openApp(ctx, server.origin);
        await page.click(`[data-testid=example][data-example="${stem}"]`);
        await page.click(`[data-testid=${tab}]`);
        await page.locator(sel).first().waitFor(WAIT);
        await page.locator(sel).first().click();
        await page.evaluate(axe);
        const bad = await page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ["violations"] });
          return r.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")})`);
        });
        assert.deepEqual(bad, [], `${colorScheme}, ${tab}`);
        await page.close();
      }
    } finally {
      await ctx.close();
    }
  }
});

test("the views are the extras': the first check asks for nothing under extras/, the Access tab loads them, says so meanwhile and says why when it cannot", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  ctx.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
  const extras = [];
  // The first load is held until `release` is called with how it ends.
  let release;
  const held = new Promise((r) => (release = r));
  let blocked = true;
  await ctx.route("**/extras/**", async (route) => {
    extras.push(new URL(route.request().url()).pathname);
    if (!blocked) return route.continue();
    await held;
    return route.abort("connectionrefused");
  });
  try {
    const page = await openApp(ctx, server.origin);
    await page.waitForSelector("[data-testid=finding]", WAIT);
    assert.deepEqual(extras, [], "the first check loads no extras");
    await page.click(`[data-testid=example][data-example="rbac-wildcards"]`);
    await page.click("[data-testid=tab-access]");
    const loading = page.locator("[data-testid=view-loading]");
    await loading.waitFor(WAIT);
    assert.equal(await loading.textContent(), "Loading the Access view…");
    assert.equal(await loading.getAttribute("role"), "status");
    assert.ok(extras.some((p) => /\/extras\/kubeharden-extras-[0-9a-f]{16}\.js$/.test(p)), `the extras' script was asked for: ${extras}`);
    release();
    const error = page.locator("[data-testid=view-error]");
    await error.waitFor(WAIT);
    assert.equal(await error.getAttribute("role"), "alert");
    assert.match(await error.textContent(), /^The Access view could not be shown: .+\. Try again$/);
    assert.equal(await page.locator("[data-testid=access-matrix]").count(), 0);

    // The network is back: "Try again" loads them, and the matrix is shown.
    blocked = false;
    await page.click("[data-testid=view-retry]");
    await page.locator("[data-testid=access-matrix]").waitFor(WAIT);
    assert.equal(await page.locator("[data-testid=view-error], [data-testid=view-loading]").count(), 0);
    // The Reach tab needs no other download.
    const before = extras.length;
    await page.click("[data-testid=tab-reach]");
    await page.locator("[data-testid=reach-matrix]").waitFor(WAIT);
    assert.equal(extras.length, before, `no other request: ${extras.slice(before)}`);
    // The Access view is gone with its tab (the extras unmounted it).
    assert.equal(await page.locator("[data-testid=access-view]").count(), 0);
  } finally {
    await ctx.close();
  }
});

test("the view's clicks are its own app's: its root is not the playground's Yew subtree, and a click there changes nothing else", async () => {
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.locator("[data-testid=access-cell]").first().waitFor(WAIT);
    // Yew hands an event to the app whose subtree id the target's closest branded
    // ancestor carries: the view's root must not carry the playground's.
    const ids = await page.evaluate(() => [document.body.__yew_subtree_id, document.querySelector("[data-testid=access-host] > [data-testid=extras-root]").__yew_subtree_id]);
    assert.equal(typeof ids[0], "number");
    assert.equal(typeof ids[1], "number");
    assert.notEqual(ids[0], ids[1]);
    // Typing and clicking in the view leave the playground's tabs, text and notices alone.
    const text = await page.locator("[data-testid=editor] .cm-content").textContent();
    await page.fill("[data-testid=can-i-as]", "system:serviceaccount:platform:release-operator");
    await page.locator('[data-testid=can-i-answer][data-allowed="true"]').waitFor(WAIT);
    for (const el of await page.locator("[data-testid=access-view] button, [data-testid=access-view] input").all()) {
      if (await el.isVisible()) await el.click();
    }
    assert.equal(await page.locator("[data-testid=tab-access]").getAttribute("aria-selected"), "true");
    assert.equal(await page.locator("[data-testid=editor] .cm-content").textContent(), text);
    assert.equal(await page.locator("[data-testid=notice]").count(), 0);
  } finally {
    await page.close();
  }
});

test("keyboard: Tab reaches the view's cells and Enter opens one, selecting its line (the focus stays on the cell); the view follows the version and the text", async () => {
  const text = example("rbac-wildcards");
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    const cell = page.locator('[data-testid=access-cell][data-subject="ServiceAccount platform/release-operator"][data-permission="everything"]');
    await cell.waitFor(WAIT);
    await cell.focus();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "access-cell");
    await page.keyboard.press("Enter");
    await cursorOn(page, 'apiGroups: ["*"]');
    await page.locator("[data-testid=access-detail]").waitFor(WAIT);
    // The line is selected, and the focus stays on the cell (keyboardFocus below).
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "access-cell");
    // The can-i box is reached with Tab from the skip link's side of the panel.
    await page.focus("[data-testid=can-i-as]");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "can-i-verb");
    // A new text is a new matrix, its subjects renamed.
    await replaceEditorText(page, text.replaceAll("release-operator", "deployer"));
    await page.locator('[data-testid=access-cell][data-subject="ServiceAccount platform/deployer"]').first().waitFor(WAIT);
    assert.equal(await page.locator('[data-testid=access-cell][data-subject="ServiceAccount platform/release-operator"]').count(), 0);
    // An older target: the built-in roles are those of v1.27 and later, and the view says so.
    await page.selectOption("select[data-testid=kube-version]", "1.20");
    await page.waitForFunction(
      () => [...document.querySelectorAll("[data-testid=access-view] .note")].some((n) => /bootstrap policy of v1\.27 and later; v1\.20 may differ/.test(n.textContent)),
      null,
      WAIT,
    );
  } finally {
    await page.close();
  }
});

test("layout: the Access and Reach tabs never widen the page, at 1366×768 and at 390×844, and the Reach diagram stays above the footer", async () => {
  for (const viewport of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
    const ctx = await browser.newContext({ viewport });
    try {
      const page = await openApp(ctx, server.origin);
      const wide = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await page.click('[data-testid=example][data-example="rbac-wildcards"]');
      await page.click("[data-testid=tab-access]");
      const cell = page.locator("[data-testid=access-cell]").first();
      await cell.waitFor(WAIT);
      // (At 390 px the sticky row header covers the first cells until the matrix is scrolled.)
      await cell.focus();
      await page.keyboard.press("Enter");
      await page.locator("[data-testid=access-detail]").waitFor(WAIT);
      assert.ok((await wide()) <= 0, `Access at ${viewport.width}px: the page is ${await wide()} px wider than the window`);
      await page.click('[data-testid=example][data-example="metadata-egress"]');
      await page.click("[data-testid=tab-reach]");
      await page.locator("[data-testid=reach-cell]").first().waitFor(WAIT);
      assert.ok((await wide()) <= 0, `Reach at ${viewport.width}px: the page is ${await wide()} px wider than the window`);
      // Nothing of the view is drawn over the footer.
      const overlap = await page.evaluate(() => {
        const footer = document.querySelector("footer");
        if (!footer) return null;
        const f = footer.getBoundingClientRect();
        return [...document.querySelectorAll(".reach-view *")].some((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.height > 0 && r.bottom > f.top + 1 && r.top < f.bottom - 1 && r.right > f.left && r.left < f.right && getComputedStyle(el).visibility !== "hidden" && el.closest(".extras-view")?.getBoundingClientRect().bottom > f.top + 1;
        });
      });
      assert.notEqual(overlap, true, `Reach at ${viewport.width}px: the view is drawn over the footer`);
    } finally {
      await ctx.close();
    }
  }
});

/** After Enter on the cell `cell` (a locator) and then Tab: the editor's text is unchanged,
 * its selection is on `needle`'s line, and the focus is in the view `view`, on the next
 * thing after the cell. */
async function enterThenTab(page, cell, needle, view) {
  const text = await page.locator("[data-testid=editor] .cm-content").textContent();
  await page.locator("[data-testid=editor] .cm-line").first().click();
  await cell.focus();
  await page.keyboard.press("Enter");
  await cursorOn(page, needle);
  // After the render the opening causes, the focus is still (again) on the cell.
  await page.waitForTimeout(300);
  const focused = await page.evaluate(() => ({
    testid: document.activeElement?.getAttribute("data-testid"),
    inEditor: !!document.activeElement?.closest("[data-testid=editor]"),
  }));
  assert.equal(focused.inEditor, false, "the editor did not take the focus");
  assert.equal(focused.testid, await cell.getAttribute("data-testid"));
  const before = await cell.getAttribute("data-cell");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-cell")), before);
  await page.keyboard.press("Tab");
  assert.equal(await page.locator("[data-testid=editor] .cm-content").textContent(), text, "Tab indented nothing");
  const after = await page.evaluate((v) => ({
    inView: !!document.activeElement?.closest(`[data-testid=${v}]`),
    cell: document.activeElement?.getAttribute("data-cell"),
  }), view);
  assert.ok(after.inView, "the focus moved on inside the view");
  assert.notEqual(after.cell, before);
}

test("keyboard: Enter on a cell selects the granting line and keeps the focus in the view, so Tab goes on through it (Access and Reach)", async () => {
  let page = await openExample("rbac-wildcards", "tab-access");
  try {
    const cell = page.locator('[data-testid=access-cell][data-subject="ServiceAccount platform/release-operator"][data-permission="everything"]');
    await cell.waitFor(WAIT);
    await enterThenTab(page, cell, 'apiGroups: ["*"]', "access-view");
  } finally {
    await page.close();
  }
  page = await openExample("metadata-egress", "tab-reach");
  try {
    const cell = page.locator('[data-testid=reach-cell][data-from="Deployment report-builder"][data-to="metadata 169.254.169.254"]');
    await cell.waitFor(WAIT);
    await enterThenTab(page, cell, "ipBlock:", "reach-view");
  } finally {
    await page.close();
  }
});

test("keyboard: Enter on a cell's links (the grant's rule, a policy) selects its line and keeps the focus there, so Tab changes nothing in the editor", async () => {
  // The views select in the editor without focusing it (www/editor.js `selector`).
  for (const [stem, tab, cellSel, link] of [
    ["rbac-wildcards", "tab-access", '[data-testid=access-cell][data-subject="ServiceAccount platform/release-operator"][data-permission="everything"]', "grant-binding"],
    ["metadata-egress", "tab-reach", '[data-testid=reach-cell][data-from="Deployment report-builder"][data-to="metadata 169.254.169.254"]', "reach-place"],
  ]) {
    const page = await openExample(stem, tab);
    try {
      const cell = page.locator(cellSel);
      await cell.waitFor(WAIT);
      await cell.click();
      const target = page.locator(`[data-testid=${link}]`).first();
      await target.waitFor(WAIT);
      const text = await page.locator("[data-testid=editor] .cm-content").textContent();
      // Its line, somewhere else than the cell's.
      const needle = example(stem).split("\n")[Number(await target.getAttribute("data-line")) - 1].trim();
      await page.locator("[data-testid=editor] .cm-line").first().click();
      await target.focus();
      await page.keyboard.press("Enter");
      await cursorOn(page, needle);
      await page.waitForTimeout(300);
      const focused = await page.evaluate(() => ({ testid: document.activeElement?.getAttribute("data-testid"), inEditor: !!document.activeElement?.closest("[data-testid=editor]") }));
      assert.equal(focused.inEditor, false, `${link}: the editor did not take the focus`);
      assert.equal(focused.testid, link);
      await page.keyboard.press("Tab");
      assert.equal(await page.locator("[data-testid=editor] .cm-content").textContent(), text, `${link}: Tab indented nothing`);
      assert.equal(await page.evaluate(() => !!document.activeElement?.closest("[data-testid=editor]")), false, "Tab did not go into the editor");
    } finally {
      await page.close();
    }
  }
});

test("keyboard: a matrix is one Tab stop, the arrow keys move between its cells, and the open cell is aria-expanded (Access and Reach)", async () => {
  for (const [example, tab, testid] of [
    ["rbac-wildcards", "tab-access", "access-cell"],
    ["metadata-egress", "tab-reach", "reach-cell"],
  ]) {
    const page = await openExample(example, tab);
    try {
      const cells = page.locator(`[data-testid=${testid}]`);
      await cells.first().waitFor(WAIT);
      const stops = await cells.evaluateAll((els) => els.filter((e) => e.tabIndex === 0).map((e) => e.getAttribute("data-cell")));
      assert.equal(stops.length, 1, `one Tab stop: ${stops}`);
      const first = await cells.first().getAttribute("data-cell");
      assert.equal(stops[0], first, "the first cell is the Tab stop");
      await cells.first().focus();
      const active = () => page.evaluate(() => document.activeElement?.getAttribute("data-cell"));
      const [r0] = first.split("-").map(Number);
      // Right: the next cell of the row that has a button (or, at its end, nowhere).
      const row0 = await cells.evaluateAll((els, r) => els.map((e) => e.getAttribute("data-cell")).filter((k) => k.startsWith(`${r}-`)), r0);
      await page.keyboard.press("ArrowRight");
      assert.equal(await active(), row0[1] ?? first);
      await page.keyboard.press("Home");
      assert.equal(await active(), first);
      await page.keyboard.press("End");
      assert.equal(await active(), row0[row0.length - 1]);
      // Down: a later row's cell, when there is one.
      const rows = new Set(await cells.evaluateAll((els) => els.map((e) => e.getAttribute("data-cell").split("-")[0])));
      await page.keyboard.press("ArrowDown");
      const down = await active();
      if (rows.size > 1) assert.ok(Number(down.split("-")[0]) > r0, `down from row ${r0}: ${down}`);
      // The cell moved to is the Tab stop now, and Enter opens it: aria-expanded.
      const now = page.locator(`[data-testid=${testid}][data-cell="${down}"]`);
      await page.waitForFunction(([t, k]) => document.querySelector(`[data-testid=${t}][data-cell="${k}"]`)?.tabIndex === 0, [testid, down], WAIT);
      assert.equal(await now.getAttribute("aria-expanded"), "false");
      await page.keyboard.press("Enter");
      await page.waitForFunction(([t, k]) => document.querySelector(`[data-testid=${t}][data-cell="${k}"]`)?.getAttribute("aria-expanded") === "true", [testid, down], WAIT);
      const controls = await now.getAttribute("aria-controls");
      assert.ok(controls && (await page.locator(`#${controls}`).count()) === 1, `aria-controls names the detail: ${controls}`);
      assert.equal(await cells.evaluateAll((els) => els.filter((e) => e.getAttribute("aria-expanded") === "true").length), 1);
    } finally {
      await page.close();
    }
  }
});

test("keyboard: the Tab stop and the focus follow a cell's subject across edits, a cell that goes away leaves the focus in the matrix, and a second press or Escape closes the open cell", async () => {
  const binding = (user, role) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ${user}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}\nsubjects:\n- {kind: User, name: ${user}}\n---\n`;
  const reader = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules:\n- {apiGroups: [\"\"], resources: [secrets, configmaps], verbs: [get]}\n---\n";
  const text = reader + binding("jane", "reader") + binding("zoe", "reader");
  // The editor's text changed without moving the focus (as an Apply or an undo elsewhere would).
  const setText = (page, t) => page.evaluate((t) => {
    const v = document.querySelector("[data-testid=editor] .cm-content").cmTile.view;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
  }, t);
  const janeSecrets = '[data-testid=access-cell][data-subject="User jane"][data-permission="read-secrets"]';
  const active = (page) => page.evaluate(() => ({ testid: document.activeElement?.getAttribute("data-testid"), subject: document.activeElement?.getAttribute("data-subject"), permission: document.activeElement?.getAttribute("data-permission") }));
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.locator("[data-testid=access-matrix]").waitFor(WAIT);
    await replaceEditorText(page, text);
    await page.locator(janeSecrets).waitFor(WAIT);
    await page.locator(janeSecrets).focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("aria-expanded") === "true", janeSecrets, WAIT);
    // A new first row (cluster-admin is the most dangerous): jane's cell keeps the focus,
    // the Tab stop and its opening.
    await setText(page, binding("aaron", "cluster-admin") + text);
    await page.locator('[data-testid=access-cell][data-subject="User aaron"]').first().waitFor(WAIT);
    await page.waitForTimeout(300);
    assert.deepEqual(await active(page), { testid: "access-cell", subject: "User jane", permission: "read-secrets" });
    assert.equal(await page.locator(janeSecrets).getAttribute("tabindex"), "0");
    assert.equal(await page.locator("[data-testid=access-matrix] [tabindex='0']").count(), 1, "one Tab stop");
    assert.equal(await page.locator(janeSecrets).getAttribute("aria-expanded"), "true");
    // jane's row goes away while her cell has the focus: the focus stays in the matrix.
    await setText(page, binding("aaron", "cluster-admin") + reader + binding("zoe", "reader"));
    await page.waitForFunction(() => !document.querySelector('[data-testid=access-cell][data-subject="User jane"]'), null, WAIT);
    await page.waitForTimeout(300);
    const now = await active(page);
    assert.equal(now.testid, "access-cell", `the focus is on a cell, not the page: ${JSON.stringify(now)}`);
    // A second press on the open cell closes it, and so does Escape.
    const zoe = page.locator('[data-testid=access-cell][data-subject="User zoe"][data-permission="read-secrets"]');
    await zoe.click();
    await page.locator("[data-testid=access-detail]").waitFor(WAIT);
    assert.equal(await zoe.getAttribute("aria-expanded"), "true");
    await zoe.click();
    await page.locator("[data-testid=access-detail]").waitFor({ state: "detached", ...WAIT });
    assert.equal(await zoe.getAttribute("aria-expanded"), "false");
    await page.keyboard.press("Enter");
    await page.locator("[data-testid=access-detail]").waitFor(WAIT);
    await page.keyboard.press("Escape");
    await page.locator("[data-testid=access-detail]").waitFor({ state: "detached", ...WAIT });
    assert.equal((await active(page)).subject, "User zoe", "Escape leaves the focus on the cell");
  } finally {
    await page.close();
  }
});

test("the can-i box: a group's member and a user with groups are authenticated users, and the answer says in which namespace it was asked", async () => {
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.locator("[data-testid=access-matrix]").waitFor(WAIT);
    // system:basic-user (bound to system:authenticated) lets every user create a
    // SelfSubjectAccessReview (bootstrap policy; impersonation.go adds system:authenticated).
    await page.fill("[data-testid=can-i-as]", "group:devs");
    await page.fill("[data-testid=can-i-verb]", "create");
    await page.fill("[data-testid=can-i-resource]", "selfsubjectaccessreviews.authorization.k8s.io");
    const yes = page.locator('[data-testid=can-i-answer][data-allowed="true"]');
    await yes.waitFor(WAIT);
    assert.match(await yes.locator("[data-testid=can-i-scope]").textContent(), /in every namespace, as kubectl auth can-i -A asks/);
    assert.equal(await page.locator("[data-testid=can-i-answer]").evaluate((e) => e.parentElement.getAttribute("aria-live")), "polite");
    // The operator's Role grants Secrets in platform only, and the answer names the namespace.
    await page.fill("[data-testid=can-i-as]", "system:serviceaccount:platform:release-operator");
    await page.fill("[data-testid=can-i-groups]", "devs");
    await page.fill("[data-testid=can-i-verb]", "get");
    await page.fill("[data-testid=can-i-resource]", "secrets");
    await page.fill("[data-testid=can-i-namespace]", "platform");
    await page.waitForFunction(() => /in namespace platform/.test(document.querySelector("[data-testid=can-i-scope]")?.textContent ?? ""), null, WAIT);
    assert.equal(await page.locator("[data-testid=can-i-answer]").getAttribute("data-allowed"), "true");
  } finally {
    await page.close();
  }
});

test("Reach: the port field is empty (any) with a placeholder, says the fixed destinations keep their own ports, and a namespace with too many workloads says it has no diagram", async () => {
  const page = await openExample("metadata-egress", "tab-reach");
  try {
    const port = page.locator("[data-testid=reach-port]");
    await port.waitFor(WAIT);
    assert.equal(await port.inputValue(), "");
    assert.equal(await port.getAttribute("placeholder"), "any");
    assert.equal(await page.locator("[data-testid=reach-fixed-ports]").count(), 0);
    await port.fill("9050");
    await page.locator("[data-testid=reach-fixed-ports]").waitFor(WAIT);
    assert.match(await page.locator("[data-testid=reach-fixed-ports]").textContent(), /cluster DNS on UDP 53/);
    const many = Array.from({ length: 9 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: big, labels: {app: p${i}}}\nspec: {containers: [{name: c, image: nginx}]}\n`).join("---\n");
    await replaceEditorText(page, many);
    await page.locator("[data-testid=reach-no-diagram]").waitFor(WAIT);
    assert.match(await page.locator("[data-testid=reach-no-diagram]").textContent(), /9 workloads are more than the 8 it draws/);
  } finally {
    await page.close();
  }
});

test("the can-i box reads RESOURCE as kubectl does (TYPE/NAME) and asks about a subresource in its own field", async () => {
  // A Role allowing only `create` on `pods/exec` (the RBAC authorizer matches it against the
  // request's resource/subresource): `pods/exec` is the pod named exec (kubectl cani.go), so
  // no, with a note; the exec subresource of pods, or of pod db-0, is yes.
  const text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: exec, namespace: shop}\nrules:\n- {apiGroups: [\"\"], resources: [pods/exec], verbs: [create]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: exec, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}\nsubjects:\n- {kind: User, name: bob}\n";
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.locator("[data-testid=access-matrix]").waitFor(WAIT);
    await replaceEditorText(page, text);
    await page.locator('[data-testid=access-cell][data-subject="User bob"]').first().waitFor(WAIT);
    await page.fill("[data-testid=can-i-as]", "bob");
    await page.fill("[data-testid=can-i-verb]", "create");
    await page.fill("[data-testid=can-i-resource]", "pods/exec");
    await page.fill("[data-testid=can-i-namespace]", "shop");
    const no = page.locator('[data-testid=can-i-answer][data-allowed="false"]');
    await no.waitFor(WAIT);
    assert.match(await no.textContent(), /pods\/exec names the object "exec" of pods, as kubectl reads TYPE\/NAME; for the exec subresource, give exec as the subresource/);
    await page.fill("[data-testid=can-i-resource]", "pods");
    await page.fill("[data-testid=can-i-subresource]", "exec");
    const yes = page.locator('[data-testid=can-i-answer][data-allowed="true"]');
    await yes.waitFor(WAIT);
    assert.equal(await yes.locator("[data-testid=grant-rule]").first().getAttribute("data-line"), "5");
    await page.fill("[data-testid=can-i-resource]", "pod/db-0");
    await yes.waitFor(WAIT);
    await page.fill("[data-testid=can-i-resource]", "/healthz");
    await page.waitForFunction(() => /subresource does not apply to a non-resource URL/.test(document.querySelector("[data-testid=can-i-answer]")?.textContent ?? ""), null, WAIT);
  } finally {
    await page.close();
  }
});

test("a subject bound to a role that exists nowhere is marked in its row, and the note below the matrix says why it holds nothing", async () => {
  // A RoleBinding's roleRef to a Role that is neither in the text nor built in grants nothing
  // until that role exists (the RBAC authorizer finds no rules: plugin/pkg/auth/authorizer/
  // rbac/rbac.go, VisitRulesFor reports the lookup error and visits nothing).
  const text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ghost, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ghost}\nsubjects:\n- {kind: User, name: dave}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admin-eve}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n- {kind: User, name: eve}\n";
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.locator("[data-testid=access-matrix]").waitFor(WAIT);
    await replaceEditorText(page, text);
    const dave = page.locator("[data-testid=access-matrix] tbody tr", { hasText: "User dave" });
    await dave.locator("[data-testid=row-note]").waitFor(WAIT);
    assert.match(await dave.locator("[data-testid=row-note]").getAttribute("title"), /references Role ghost/);
    assert.equal(await page.locator("[data-testid=access-matrix] tbody tr", { hasText: "User eve" }).locator("[data-testid=row-note]").count(), 0);
    const notes = await page.locator("[data-testid=access-view] > .note").allTextContents();
    assert.ok(notes.some((n) => /references Role ghost/.test(n) && /grants nothing until that role exists/.test(n)), notes.join("\n"));
  } finally {
    await page.close();
  }
});

test("unbound roles are named beside the matrix's rows (a link to each), and Reach without a port asks about some port, as the CLI says", async () => {
  // A Role nothing binds grants nothing (the RBAC authorizer only visits bindings' roles).
  const text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admin-eve}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n- {kind: User, name: eve}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: lonely, namespace: other}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n";
  let page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.locator("[data-testid=access-matrix]").waitFor(WAIT);
    await replaceEditorText(page, text);
    const note = page.locator("[data-testid=access-unbound-roles]");
    await note.waitFor(WAIT);
    assert.match(await note.textContent(), /binds Role other\/lonely \(line 8\): it grants nothing\./);
    await note.locator("[data-testid=unbound-role]").click();
    await cursorOn(page, "kind: Role");
  } finally {
    await page.close();
  }
  page = await openExample("metadata-egress", "tab-reach");
  try {
    await page.locator("[data-testid=reach-matrix]").waitFor(WAIT);
    assert.match(await page.locator("[data-testid=reach-matrix] caption").textContent(), /\(some port\)/);
  } finally {
    await page.close();
  }
});

test("opening and closing the Access and Reach tabs 20 times keeps one root of each view alive (Yew's listeners are not leaked per opening)", async () => {
  const page = await openExample("rbac-wildcards", "tab-access");
  try {
    await page.locator("[data-testid=access-cell]").first().waitFor(WAIT);
    for (let i = 0; i < 20; i++) {
      await page.click("[data-testid=tab-findings]");
      await page.click("[data-testid=tab-access]");
      await page.locator("[data-testid=access-cell]").first().waitFor(WAIT);
      await page.click("[data-testid=tab-reach]");
      await page.locator("[data-testid=reach-view]").waitFor(WAIT);
    }
    await page.click("[data-testid=tab-findings]");
    // The live <div>s (in the page or detached, after a garbage collection) that are the
    // root of a Yew app other than the playground's: the views' roots.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("HeapProfiler.enable");
    await cdp.send("HeapProfiler.collectGarbage");
    const { result: proto } = await cdp.send("Runtime.evaluate", { expression: "HTMLDivElement.prototype" });
    const { objects } = await cdp.send("Runtime.queryObjects", { prototypeObjectId: proto.objectId });
    const { result } = await cdp.send("Runtime.callFunctionOn", {
      objectId: objects.objectId,
      functionDeclaration:
        "function () { const own = document.body.__yew_subtree_id; return this.filter((d) => typeof d.__yew_subtree_id === 'number' && d.__yew_subtree_id !== own && d.hasAttribute('data-testid')).length; }",
      returnByValue: true,
    });
    assert.equal(result.value, 2, "one root for the Access view and one for the Reach view");
    // Reopened, the view still answers clicks.
    await page.click("[data-testid=tab-access]");
    const cell = page.locator('[data-testid=access-cell][data-permission="everything"]').first();
    await cell.click();
    await page.locator("[data-testid=access-detail]").waitFor(WAIT);
    assert.equal(await page.locator("[data-testid=extras-root]").count(), 1);
  } finally {
    await page.close();
  }
});

test("a YAML error is named in both views (line and message, as the Findings tab does), never a bare 'No workloads'", async () => {
  const page = await openApp(context, server.origin);
  try {
    await replaceEditorText(page, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [\n");
    await page.waitForSelector("[data-testid=yaml-error]", WAIT);
    const findingsText = await page.locator("[data-testid=yaml-error]").first().textContent();
    await page.click("[data-testid=tab-reach]");
    const named = page.locator("[data-testid=reach-view] [data-testid=view-yaml-error]");
    await named.waitFor(WAIT);
    assert.equal(await named.textContent(), findingsText);
    assert.match(await named.textContent(), /^YAML error in document 1 at line \d+, column \d+: ./);
    assert.match(await page.locator("[data-testid=reach-unreadable]").textContent(), /YAML error/);
    assert.equal(await page.locator("text=No workloads in the text").count(), 0);
    await page.click("[data-testid=tab-access]");
    const inAccess = page.locator("[data-testid=access-view] [data-testid=view-yaml-error]");
    await inAccess.waitFor(WAIT);
    assert.equal(await inAccess.textContent(), findingsText);
  } finally {
    await page.close();
  }
});

test("wording: Reach's policy links are separated, a cell whose grant is gone says so, and unbound roles are not 'no RBAC subjects'", async () => {
  // Two policies select report-builder: its "selected by" list has two links.
  const text = example("metadata-egress") + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: second, namespace: reports}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - {}\n";
  let page = await openApp(context, server.origin);
  try {
    await replaceEditorText(page, text);
    await page.click("[data-testid=tab-reach]");
    const cell = page.locator('[data-testid=reach-cell][data-from="Deployment report-builder"][data-to="the internet"]');
    await cell.waitFor(WAIT);
    await cell.click();
    const detail = page.locator("[data-testid=reach-detail]");
    await detail.waitFor(WAIT);
    const body = await detail.textContent();
    assert.match(body, /\(line \d+\), NetworkPolicy reports\//, body);
    assert.doesNotMatch(body, /\(line \d+\)NetworkPolicy/, body);
  } finally {
    await page.close();
  }
  const rbac = example("rbac-wildcards");
  page = await openExample("rbac-wildcards", "tab-access");
  try {
    const subject = "ServiceAccount platform/release-operator";
    const cell = page.locator(`[data-testid=access-cell][data-subject="${subject}"][data-permission="everything"]`);
    await cell.waitFor(WAIT);
    await cell.click();
    const detail = page.locator("[data-testid=access-detail]");
    await detail.waitFor(WAIT);
    assert.match(await detail.textContent(), /Granted in platform\./);
    // The Role's `*` rule goes: the subject keeps its other grants, this cell none.
    await replaceEditorText(page, rbac.replace('apiGroups: ["*"]', 'apiGroups: ["batch"]').replace(/resources: \["\*"\]/, 'resources: ["jobs"]'));
    await page.waitForFunction(
      () => /Not granted: nothing in the text grants it now\./.test(document.querySelector("[data-testid=access-detail]")?.textContent ?? ""),
      null,
      WAIT,
    );
    const now = await detail.textContent();
    assert.ok(now.startsWith(`${subject}: `), now);
    assert.doesNotMatch(now, /Granted -/);
    // A ClusterRole that nothing binds.
    await replaceEditorText(page, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n");
    const unbound = page.locator("[data-testid=access-unbound]");
    await unbound.waitFor(WAIT);
    assert.match(await unbound.textContent(), /^The text has ClusterRole reader, but nothing in it binds it to a subject/);
    assert.equal(await page.locator("text=No RBAC subjects").count(), 0);
  } finally {
    await page.close();
  }
});

/** The JSON of the page's address-bar link (`#v1.<base64url(deflate-raw(json))>`), or null. */
async function linkJson(page) {
  return page.evaluate(async () => {
    const m = /^#v1\.([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (!m) return null;
    const b64 = m[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return JSON.parse(await new Response(stream).text());
  });
}

/** Waits until the page's link satisfies `ok` (its JSON); returns the fragment. */
async function linkWhere(page, ok) {
  const until = Date.now() + HANG_MS;
  for (;;) {
    const json = await linkJson(page);
    if (json && ok(json)) return page.evaluate(() => location.hash);
    if (Date.now() > until) throw new Error(`the link never matched: ${JSON.stringify(json)?.slice(0, 200)}`);
    await page.waitForTimeout(100);
  }
}

test("share links: the open tab is in the address bar's link and a copy opens on it; a link without one opens on Findings", async () => {
  const page = await openExample("metadata-egress", "tab-reach");
  let fragment;
  try {
    await page.locator("[data-testid=reach-cell]").first().waitFor(WAIT);
    fragment = await linkWhere(page, (j) => j.v === "reach" && j.t.includes("report-builder"));
  } finally {
    await page.close();
  }
  const opened = await openApp(context, server.origin, fragment);
  try {
    assert.equal(await opened.locator("[data-testid=tab-reach]").getAttribute("aria-selected"), "true");
    await opened.locator("[data-testid=reach-cell]").first().waitFor(WAIT);
    assert.match(await opened.locator("[data-testid=editor] .cm-content").textContent(), /report-builder/);
    // Back to Findings: the link no longer names a tab, and opens there.
    await opened.click("[data-testid=tab-findings]");
    const plain = await linkWhere(opened, (j) => !("v" in j));
    const again = await openApp(context, server.origin, plain);
    assert.equal(await again.locator("[data-testid=tab-findings]").getAttribute("aria-selected"), "true");
    await again.close();
  } finally {
    await opened.close();
  }
});

test("the coverage box does not call a binding of a built-in role 'checked, 0 findings': it says the RBAC rules do not judge it and points to the Access tab, which shows it", async () => {
  const page = await openApp(context, server.origin);
  try {
    await replaceEditorText(
      page,
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: devs-edit, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\nsubjects:\n- {kind: Group, name: devs}\n",
    );
    const doc = page.locator("[data-testid=doc-coverage]");
    await page.waitForFunction(() => /RoleBinding shop\/devs-edit/.test(document.querySelector("[data-testid=doc-coverage]")?.textContent ?? ""), null, WAIT);
    assert.equal(await doc.count(), 1);
    assert.equal(await doc.getAttribute("data-status"), "unchecked");
    const text = await doc.textContent();
    assert.doesNotMatch(text, /— checked, 0 findings/);
    assert.match(text, /binds the built-in ClusterRole edit, whose permissions the RBAC rules do not judge.*Access tab/);
    await page.click("[data-testid=tab-access]");
    await page.locator('[data-testid=access-cell][data-subject="Group devs"]').first().waitFor(WAIT);
    assert.ok((await page.locator('[data-testid=access-cell][data-subject="Group devs"]').count()) > 0);
  } finally {
    await page.close();
  }
});

test("no page threw", () => {
  assert.deepEqual(pageErrors, []);
});
