#!/usr/bin/env node
// Where the main thread's time goes while a person types into a large paste in the
// playground (issue 16): a CPU profile (Chrome DevTools Protocol, 100 µs sampling) of
// KEYS keystrokes, each followed by the pause after which the playground re-checks, in
// headless Chromium against the built site (dist/, or KUBEHARDEN_DIST), served on loopback.
// A benchmark, nothing enforced. Run after `make dist`:
//
//   node scripts/profile-typing.mjs            (LINES=5000 KEYS=5 by default)
//
// Prints the sampled time per category: `wasm` (the engine's check and the Yew render, one
// wasm), `codemirror` (the editor bundle: its YAML parser, the lint underlines and gutter),
// `browser` (style, layout and paint: "(program)" and the garbage collector), `other JS`
// (the glue and DOM calls), and the long tasks (over 50 ms) seen, with the findings count.

import { HANG_MS, distDir, launchBrowser, requireDist, startServer } from "../tests/e2e/harness.mjs";
import { generateManifest } from "./measure-web.mjs";

const LINES = Number(process.env.LINES || 5000);
const KEYS = Number(process.env.KEYS || 5);
const PAUSE_MS = 700; // over the playground's 120 ms typing pause and the check that follows

requireDist();
const server = await startServer(distDir);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.origin + "/");
  await page.waitForSelector("[data-testid=finding]", { state: "attached", timeout: HANG_MS });
  await page.locator("[data-testid=editor] .cm-content").click();
  await page.keyboard.press("ControlOrMeta+a");
  // As Ctrl+V pastes (see scripts/measure-keystrokes.mjs: insertText is the test tool's slow path).
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    document.querySelector("[data-testid=editor] .cm-content").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, generateManifest(LINES));
  // Settled: the status's findings count unchanged over 500 ms.
  const count = () => page.locator("[data-testid=status]").textContent();
  for (let last = null, now = await count(); now !== last; await page.waitForTimeout(500)) [last, now] = [now, await count()];
  const status = await count();
  await page.locator("[data-testid=editor] .cm-line").nth(5).click();
  await page.keyboard.press("End");
  await page.waitForTimeout(500);

  const cdp = await context.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longTasks.push(e.duration))).observe({ type: "longtask" });
  });
  await cdp.send("Profiler.start");
  for (let i = 0; i < KEYS; i++) {
    await page.keyboard.type("x");
    await page.waitForTimeout(PAUSE_MS);
  }
  const { profile } = await cdp.send("Profiler.stop");
  const longTasks = await page.evaluate(() => window.__longTasks.map(Math.round));

  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const ms = {};
  const top = {};
  profile.samples.forEach((id, i) => {
    const { functionName: f, url } = nodes.get(id);
    const category =
      f === "(idle)" ? "idle"
      : url.endsWith(".wasm") || url.startsWith("wasm://") ? "wasm"
      : url.includes("editor.bundle") ? "codemirror"
      : f === "(program)" || f === "(garbage collector)" ? "browser"
      : "other JS";
    ms[category] = (ms[category] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
    if (category !== "idle") {
      const key = `${category}: ${f || "(anonymous)"}`;
      top[key] = (top[key] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
    }
  });
  console.log(`${LINES} lines (${status.trim()}), ${KEYS} keystrokes ${PAUSE_MS} ms apart, sampled main-thread time:`);
  for (const [k, v] of Object.entries(ms).sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(11)} ${v.toFixed(0).padStart(6)} ms`);
  console.log(`  long tasks (ms): ${longTasks.join(", ") || "none"}`);
  console.log("the functions that took most (self time):");
  for (const [k, v] of Object.entries(top).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP || 15))) {
    console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
  }
} finally {
  await browser.close();
  await server.close();
}
