// Shared by the browser tests (tests/e2e/*.test.mjs) and the budget script
// (scripts/measure-web.mjs): a tiny static server for the built playground (dist/) on
// 127.0.0.1, and headless Chromium driven by playwright-core from www/node_modules.
//
// Environment:
//   KUBEHARDEN_DIST      the built site (default: <repo>/dist, as `trunk build` writes it)
//   KUBEHARDEN_CHROMIUM  the browser (default: /usr/bin/chromium, Debian's `chromium` package)
//
// Nothing here reaches the network: the server listens on 127.0.0.1 only, and Chromium runs
// with background networking, component updates and sync switched off.

import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const distDir = resolve(process.env.KUBEHARDEN_DIST || join(repoRoot, "dist"));
export const chromiumPath = process.env.KUBEHARDEN_CHROMIUM || "/usr/bin/chromium";

/**
 * How long a wait may last before it counts as a hang (milliseconds). A guard, not a
 * measurement: far above what anything takes even on a busy 2-core machine, so a slow
 * machine never fails a correct test; a broken page still fails, after this long.
 */
export const HANG_MS = 120_000;

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Throws a clear error unless the playground has been built into `distDir`. */
export function requireDist() {
  const index = join(distDir, "index.html");
  if (!existsSync(index)) {
    throw new Error(
      `the built playground is missing: ${index} does not exist.\n` +
        `Build it first (the web build writes dist/: bundle www/editor.js with ` +
        `\`cd www && npm ci && node build.mjs\`, then \`trunk build --release\`), ` +
        `or point KUBEHARDEN_DIST at the built site.`,
    );
  }
  return distDir;
}

/** playwright-core, resolved from www/node_modules (installed by `npm ci` in www/). */
export function loadPlaywright() {
  const require = createRequire(join(repoRoot, "www", "package.json"));
  try {
    return require("playwright-core");
  } catch (e) {
    throw new Error(
      `playwright-core is not installed in ${join(repoRoot, "www", "node_modules")}: run \`npm ci\` in www/ (${e.message})`,
    );
  }
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".yaml": "text/yaml; charset=utf-8",
  ".yml": "text/yaml; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
};

/**
 * Serves `root` on 127.0.0.1 at a free port. Returns { origin, close() }.
 * Static files only; `/` and directories serve their index.html; nothing outside `root`.
 */
export async function startServer(root = distDir) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const st = statSync(file);
      res.writeHead(200, {
        "content-type": MIME[extname(file).toLowerCase()] || "application/octet-stream",
        "content-length": st.size,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

/**
 * Launches headless Chromium. Playwright gives every launch a fresh temporary user-data-dir
 * (and deletes it on close); each `browser.newContext()` starts with empty storage and cache,
 * and waits up to HANG_MS by default.
 */
export async function launchBrowser() {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is missing: ${chromiumPath} does not exist. Install it with \`apt-get install -y chromium\` ` +
        `(never \`npx playwright install\`, which downloads a browser), or set KUBEHARDEN_CHROMIUM.`,
    );
  }
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
  // Playwright's default limit for an action or a navigation is 30 s; on a busy machine a
  // first load (compiling the wasm) can come near it. Every context this browser makes
  // waits up to HANG_MS instead, unless a call names its own timeout.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(HANG_MS);
    context.setDefaultNavigationTimeout(HANG_MS);
    return context;
  };
  return browser;
}

/** Opens the playground (optionally at `hash`) in `context` and waits for its editor. */
export async function openApp(context, origin, hash = "") {
  const page = await context.newPage();
  await page.goto(origin + "/" + hash);
  await page.locator("[data-testid=editor] .cm-content").waitFor({ state: "visible", timeout: HANG_MS });
  return page;
}

/** The editor's text, read from the rendered lines (the whole document when it is short). */
export async function editorText(page) {
  return page.$$eval("[data-testid=editor] .cm-line", (lines) => lines.map((l) => l.textContent).join("\n"));
}

/** Replaces the editor's text as a person pasting would: click, select all, insert. */
export async function replaceEditorText(page, text) {
  const content = page.locator("[data-testid=editor] .cm-content");
  await content.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
}

/** Replaces the editor's text as Ctrl+V does: a `paste` event with the text in its
 * clipboardData, which CodeMirror reads directly. (Playwright's `insertText` puts the text
 * into the editable DOM, which CodeMirror then reads back from the page: minutes for
 * megabytes, the test tool's cost, not a person's.) */
export async function pasteText(page, text) {
  const content = page.locator("[data-testid=editor] .cm-content");
  await content.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    document
      .querySelector("[data-testid=editor] .cm-content")
      .dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** The findings shown in the findings panel. */
export async function findings(page) {
  return page.$$eval("[data-testid=finding]", (els) =>
    els.map((e) => ({
      rule: e.getAttribute("data-rule"),
      line: Number(e.getAttribute("data-line")),
      severity: e.getAttribute("data-severity"),
    })),
  );
}

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
