// The lessons page (issue 13, "In the playground" and "Offline"): a link opens a lesson,
// a learner types the fix as a person does and sees the conditions turn green and the
// success panel; a reload keeps the text and the progress; a hint appears only on
// request; the solution is a diff against the learner's text; progress is exported and
// imported as a file. And the `make workshop` folder, unpacked from its .zip into a fresh
// directory and served by `python3 -m http.server` as its README says, completes a lesson
// with every other origin blocked. In headless Chromium against dist/.
//
// A missing dist/ (or Chromium) FAILS every test with the reason: it is never skipped.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { HANG_MS, distDir, launchBrowser, repoRoot, requireDist, startServer } from "./harness.mjs";

const WAIT = { timeout: HANG_MS };
const STORAGE_KEY = "kubeharden.lessons";

let server;
let browser;
let lessons;
const pageErrors = [];
const scratch = [];

before(async () => {
  requireDist();
  const data = join(distDir, "lessons", "lessons.json");
  assert.ok(existsSync(data), `${data} is missing: \`make dist\` builds the lessons page`);
  lessons = JSON.parse(readFileSync(data, "utf8")).lessons;
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** A fresh context (empty storage) whose requests to any other origin are blocked and recorded. */
async function newContext(origin) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const foreign = [];
  await ctx.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) return route.continue();
    foreign.push(url.href);
    return route.abort("blockedbyclient");
  });
  ctx.on("page", (p) => p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
  return { ctx, foreign };
}

async function openLesson(page, origin, id) {
  await page.goto(`${origin}/lessons/#/${id}`);
  await page.locator(`[data-testid=lesson][data-lesson="${id}"] [data-testid=editor] .cm-content`).waitFor(WAIT);
}

/** "N of M conditions met", as numbers, once the summary shows. */
async function summary(page) {
  const text = await page.locator("[data-testid=check-summary]").textContent(WAIT);
  const m = /^(\d+) of (\d+) conditions met$/.exec(text.trim());
  assert.ok(m, `unexpected summary ${JSON.stringify(text)}`);
  return { met: Number(m[1]), total: Number(m[2]) };
}

async function conditions(page) {
  return page.$$eval("[data-testid=condition]", (els) =>
    els.map((e) => ({ met: e.getAttribute("data-met") === "true", text: e.textContent.trim() })),
  );
}

/**
 * Types the seccomp lesson's fix as a person does: click the line with
 * `type: Unconfined`, go to its end, delete the word key by key and type the new one.
 */
async function typeSeccompFix(page) {
  const line = page.locator("[data-testid=editor] .cm-line", { hasText: "type: Unconfined" });
  await line.click();
  await page.keyboard.press("End");
  for (let i = 0; i < "Unconfined".length; i++) await page.keyboard.press("Backspace");
  await page.keyboard.type("RuntimeDefault", { delay: 25 });
}

async function waitSolved(page) {
  await page.waitForFunction(
    () => /^(\d+) of \1 conditions met$/.test(document.querySelector("[data-testid=check-summary]")?.textContent.trim() ?? ""),
    null,
    WAIT,
  );
  await page.locator("[data-testid=success]").waitFor(WAIT);
}

test("a link opens a lesson; the typed fix turns every condition green and shows the success panel", async () => {
  const { ctx, foreign } = await newContext(server.origin);
  try {
    const page = await ctx.newPage();
    // The playground links the lessons page, and its form of a lesson's link (followed in
    // the open playground: a fragment change) redirects there.
    await page.goto(`${server.origin}/`);
    await page.locator("[data-testid=editor] .cm-content").waitFor(WAIT);
    assert.equal(await page.locator("#lessons-link").getAttribute("href"), "lessons/");
    await page.goto(`${server.origin}/#/lessons/seccomp`);
    await page.locator('[data-testid=lesson][data-lesson="seccomp"] [data-testid=editor] .cm-content').waitFor(WAIT);
    assert.match(page.url(), /\/lessons\/#\/seccomp$/);
    const lesson = lessons.find((l) => l.id === "seccomp");
    assert.equal(await page.locator("[data-testid=lesson-title]").textContent(), lesson.title);
    assert.match(await page.locator("[data-testid=goal]").textContent(), /RuntimeDefault|default seccomp/);
    // The editor holds the starting manifest, and the check says what is not met yet.
    const editorText = await page.$$eval("[data-testid=editor] .cm-line", (ls) => ls.map((l) => l.textContent).join("\n"));
    assert.equal(editorText.trimEnd(), lesson.start[0].text.trimEnd());
    const before = await summary(page);
    assert.ok(before.met < before.total, `the start already passes: ${JSON.stringify(before)}`);
    const unmet = (await conditions(page)).filter((c) => !c.met);
    assert.ok(unmet.some((c) => /seccomp-unconfined/.test(c.text)), JSON.stringify(unmet));
    assert.equal(await page.locator("[data-testid=success]").count(), 0);
    assert.ok((await page.locator("[data-testid=finding][data-rule=seccomp-unconfined]").count()) > 0);

    await typeSeccompFix(page);
    await waitSolved(page);
    const after = await conditions(page);
    assert.ok(after.every((c) => c.met), JSON.stringify(after));
    assert.equal(after.length, before.total);
    assert.equal(await page.locator("[data-testid=finding][data-rule=seccomp-unconfined]").count(), 0);
    const success = await page.locator("[data-testid=success]").textContent();
    assert.ok(success.includes(lesson.explanation.split("\n")[0].trim()), success);
    // The next lesson, linked by its route.
    const next = lessons[lessons.findIndex((l) => l.id === "seccomp") + 1];
    const link = page.locator("[data-testid=next-lesson]");
    assert.equal(await link.getAttribute("href"), `#/${next.id}`);

    // A reload keeps the learner's text and the progress.
    await page.reload();
    await page.locator('[data-testid=lesson][data-lesson="seccomp"] [data-testid=editor] .cm-content').waitFor(WAIT);
    await waitSolved(page);
    const reloaded = await page.$$eval("[data-testid=editor] .cm-line", (ls) => ls.map((l) => l.textContent).join("\n"));
    assert.match(reloaded, /type: RuntimeDefault/);
    assert.doesNotMatch(reloaded, /Unconfined/);

    // The next lesson opens from the success panel; the list shows the progress.
    await link.click();
    await page.locator(`[data-testid=lesson][data-lesson="${next.id}"]`).waitFor(WAIT);
    await page.locator("[data-testid=lessons-link]").click();
    const item = page.locator('[data-testid=lesson-item][data-lesson="seccomp"]');
    await item.waitFor(WAIT);
    assert.equal(await item.getAttribute("data-status"), "solved");
    assert.equal(
      (await page.locator("[data-testid=progress-summary]").textContent()).trim(),
      `1 of ${lessons.length} lessons solved`,
    );
    // Grouped by pillar, every lesson listed once.
    assert.equal(await page.locator("[data-testid=pillar]").count(), 3);
    assert.equal(await page.locator("[data-testid=lesson-item]").count(), lessons.length);

    // Export, then import into a fresh browser: the progress and the text come along.
    const [download] = await Promise.all([page.waitForEvent("download", WAIT), page.locator("[data-testid=export-progress]").click()]);
    const file = await download.path();
    const exported = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(exported["kubeharden-lessons"], 1);
    assert.equal(exported.lessons.seccomp.solved, true);
    const { ctx: other } = await newContext(server.origin);
    try {
      const fresh = await other.newPage();
      await fresh.goto(`${server.origin}/lessons/`);
      await fresh.locator("[data-testid=import-progress]").setInputFiles(file);
      await fresh.locator("[data-testid=list-notice]").waitFor(WAIT);
      await fresh.waitForFunction(
        () => document.querySelector('[data-testid=lesson-item][data-lesson="seccomp"]')?.getAttribute("data-status") === "solved",
        null,
        WAIT,
      );
      await openLesson(fresh, server.origin, "seccomp");
      await waitSolved(fresh);
      // A file that is not a progress file is refused with a reason, and changes nothing.
      await fresh.goto(`${server.origin}/lessons/#/`);
      await fresh.locator("[data-testid=import-progress]").setInputFiles({
        name: "notes.json",
        mimeType: "application/json",
        buffer: Buffer.from('{"hello": 1}'),
      });
      await fresh.locator("[data-testid=list-notice]").waitFor(WAIT);
      assert.match(await fresh.locator("[data-testid=list-notice]").textContent(), /Not imported: not a kubeharden lessons progress file/);
      assert.equal(
        await fresh.locator('[data-testid=lesson-item][data-lesson="seccomp"]').getAttribute("data-status"),
        "solved",
      );
      // A file that only says "solved" proves nothing: the check runs on the text that solved
      // it (here the starting text), and the mark is dropped with a warning.
      const forged = JSON.parse(readFileSync(file, "utf8"));
      forged.lessons["pin-images"] = { solved: true };
      await fresh.locator("[data-testid=import-progress]").setInputFiles({
        name: "forged.json",
        mimeType: "application/json",
        buffer: Buffer.from(JSON.stringify(forged)),
      });
      await fresh.waitForFunction(() => /not: the check does not pass/.test(document.querySelector("[data-testid=list-notice]")?.textContent ?? ""), null, WAIT);
      assert.notEqual(
        await fresh.locator('[data-testid=lesson-item][data-lesson="pin-images"]').getAttribute("data-status"),
        "solved",
      );
      assert.equal(
        await fresh.locator('[data-testid=lesson-item][data-lesson="seccomp"]').getAttribute("data-status"),
        "solved",
        "a mark the text proves stays",
      );
    } finally {
      await other.close();
    }
    assert.deepEqual(foreign, []);
  } finally {
    await ctx.close();
  }
  assert.deepEqual(pageErrors, []);
});

test("a hint appears only on request, one at a time, and stays revealed after a reload", async () => {
  const { ctx } = await newContext(server.origin);
  try {
    const page = await ctx.newPage();
    const lesson = lessons.find((l) => l.id === "seccomp");
    await openLesson(page, server.origin, "seccomp");
    await summary(page);
    assert.equal(await page.locator("[data-testid=hint]").count(), 0);
    // Editing (without fixing) reveals nothing.
    const line = page.locator("[data-testid=editor] .cm-line", { hasText: "replicas: 2" });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.type("  # two", { delay: 25 });
    await page.waitForTimeout(600);
    assert.equal(await page.locator("[data-testid=hint]").count(), 0);
    const button = page.locator("[data-testid=show-hint]");
    assert.equal((await button.textContent()).trim(), `Show a hint (1 of ${lesson.hints.length})`);
    await button.click();
    await page.locator("[data-testid=hint]").first().waitFor(WAIT);
    assert.equal(await page.locator("[data-testid=hint]").count(), 1);
    const first = await page.locator("[data-testid=hint]").first().textContent();
    assert.ok(first.includes("switches the system-call filter off"), first);
    assert.equal((await button.textContent()).trim(), `Show a hint (2 of ${lesson.hints.length})`);
    // The hint's line, selected in the editor on request.
    const at = lesson.hints[0].at.line;
    const wanted = lesson.start[0].text.split("\n")[at - 1].trim();
    await page.locator("[data-testid=hint-line]").click();
    await page.waitForFunction(
      (want) => {
        const active = document.querySelector("[data-testid=editor] .cm-activeLine")?.textContent ?? "";
        return active.trim() === want && String(window.getSelection() ?? "").trim() === want;
      },
      wanted,
      WAIT,
    );
    await page.reload();
    await page.locator("[data-testid=hint]").first().waitFor(WAIT);
    assert.equal(await page.locator("[data-testid=hint]").count(), 1);
    // The edit was kept too.
    assert.match(await page.locator("[data-testid=editor] .cm-content").textContent(), /replicas: 2  # two/);
    // The solution: a diff against the learner's text, on request only.
    assert.equal(await page.locator("[data-testid=solution]").count(), 0);
    await page.locator("[data-testid=show-solution]").click();
    const diff = await page.locator("[data-testid=solution-diff]").textContent(WAIT);
    assert.match(diff, /^-\s+type: Unconfined$/m);
    assert.match(diff, /^\+\s+type: RuntimeDefault$/m);
    assert.match(diff, /^-\s+replicas: 2  # two$/m);
    // Reset: the starting manifest again, hints hidden.
    page.once("dialog", (d) => d.accept());
    await page.locator("[data-testid=reset-lesson]").click();
    await page.waitForFunction(() => !document.querySelector("[data-testid=editor] .cm-content")?.textContent.includes("# two"), null, WAIT);
    assert.equal(await page.locator("[data-testid=hint]").count(), 0);
    const stored = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY));
    assert.equal(stored.lessons.seccomp, undefined, JSON.stringify(stored));
  } finally {
    await ctx.close();
  }
  assert.deepEqual(pageErrors, []);
});

test("axe-core finds no serious or critical accessibility violation (list, lesson, hints, solution, success; light and dark)", async () => {
  const require = createRequire(join(repoRoot, "www", "package.json"));
  const axe = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const audit = async (page, where) => {
    await page.evaluate(axe);
    const bad = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")})`);
    });
    assert.deepEqual(bad, [], where);
  };
  for (const colorScheme of ["light", "dark"]) {
    // axe is injected through the DevTools protocol: the page's CSP forbids inline scripts.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, colorScheme });
    try {
      const page = await ctx.newPage();
      await page.goto(`${server.origin}/lessons/`);
      await page.locator("[data-testid=lesson-item]").first().waitFor(WAIT);
      await audit(page, `${colorScheme}, list`);
      await openLesson(page, server.origin, "seccomp");
      await page.locator("[data-testid=show-hint]").click();
      await page.locator("[data-testid=show-solution]").click();
      await page.locator("[data-testid=solution-diff]").waitFor(WAIT);
      await audit(page, `${colorScheme}, lesson with a hint and the solution`);
      await typeSeccompFix(page);
      await waitSolved(page);
      await audit(page, `${colorScheme}, solved`);
    } finally {
      await ctx.close();
    }
  }
});

/** Serves `dir` with `python3 -m http.server` on a free loopback port, as the workshop README says. */
async function pythonServer(dir) {
  const child = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`http.server did not start: ${out}`)), HANG_MS);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    child.once("exit", (code) => fail(new Error(`http.server exited (${code}): ${out}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

test("the workshop folder, unzipped in a fresh directory and served by python3 -m http.server, completes a lesson offline", async () => {
  const build = mkdtempSync(join(tmpdir(), "kubeharden-workshop-build-"));
  const fresh = mkdtempSync(join(tmpdir(), "kubeharden-workshop-fresh-"));
  scratch.push(build, fresh);
  execFileSync("bash", [join(repoRoot, "scripts", "workshop.sh"), build], { stdio: "pipe" });
  const zip = join(build, "kubeharden-workshop.zip");
  assert.ok(existsSync(zip), "no .zip made");
  execFileSync("python3", ["-m", "zipfile", "-e", zip, fresh]);
  const root = join(fresh, "kubeharden-workshop");
  for (const f of ["README.md", "index.html", "lessons/index.html", "lessons/lessons.json", "lessons/instructor.html", "widget-demo.html", "lesson-files/seccomp.yaml"]) {
    assert.ok(existsSync(join(root, f)), `the workshop folder has no ${f}`);
  }
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.match(readme, /python3 -m http\.server/);
  assert.match(readme, /lessons\/instructor\.html/);
  assert.equal((readme.match(/^\| \d+ \| \[/gm) ?? []).length, lessons.length);

  const served = await pythonServer(root);
  const { ctx, foreign } = await newContext(served.origin);
  try {
    const page = await ctx.newPage();
    // The playground's `#/lessons` opens the list (a fresh load redirects).
    await page.goto(`${served.origin}/#/lessons`);
    await page.locator('[data-testid=lesson-item][data-lesson="seccomp"] a').click();
    await page.locator('[data-testid=lesson][data-lesson="seccomp"] [data-testid=editor] .cm-content').waitFor(WAIT);
    await typeSeccompFix(page);
    await waitSolved(page);
    // The instructor notes and the playground open from the same folder.
    await page.locator("[data-testid=instructor-link]").click();
    await page.locator("section.lesson#seccomp").waitFor(WAIT);
    assert.equal(await page.locator("section.lesson").count(), lessons.length);
    await page.goto(`${served.origin}/`);
    await page.locator("[data-testid=editor] .cm-content").waitFor(WAIT);
    await page.locator("[data-testid=finding]").first().waitFor(WAIT);
    await page.goto(`${served.origin}/widget-demo.html`);
    await page.waitForLoadState("load");
    assert.deepEqual(foreign, [], "a request to another origin");
  } finally {
    await ctx.close();
    served.close();
  }
  assert.deepEqual(pageErrors, []);
});
