// The page's side of the widget's engine: one Web Worker (worker.js, built to
// kubeharden-widget-worker.js) answers every widget of the page, so a check never holds up
// the page, however long the manifest. Where no worker can start (no module workers, a CSP
// without worker-src 'self', the widget served from another origin, the worker's file
// missing), the package runs on the page instead, as before the worker: same answers.
//
// A widget's newer request supersedes its older one (key: the widget and the kind): one
// waiting resolves to null at once; one running resolves to null when it has run 250 ms (the
// worker is stopped and started again: typing never waits for an old check longer than
// that). A request that runs 60 s is stopped and rejected (a limit of work, not of size).

import { answer } from "./answer.js";

const SUPERSEDE_MS = 250;
const LIMIT_MS = 60000;
const WORKER = new URL("./kubeharden-widget-worker.js", import.meta.url);

// The package on the page: imported only where no worker runs, or for a rule's docs.
let pkg = null;
export const onPage = () => (pkg ??= import("./pkg/kubeharden.js"));

let worker = null;
let started = false; // the worker's module has loaded
let here = false; // no worker could start: everything runs on the page
let running = null; // the request the worker is answering
const waiting = new Map(); // key → the newest request of that key not yet sent
let nextId = 1;
let full = null; // promise: the fixer's engine loaded (in the worker, or here)
let fixReady = false;

function spawn() {
  started = false;
  try {
    worker = new Worker(WORKER, { type: "module" });
  } catch {
    return toPage();
  }
  worker.onmessage = ({ data }) => {
    if (data.ready) {
      started = true;
      if (full) worker.postMessage({ load: "full" }); // a fresh worker loads it again
      return pump();
    }
    if ("loaded" in data) return settleFull(data.loaded, data.message);
    if (!running || data.id !== running.id) return;
    if (data.progress) return void running.onProgress?.(...data.progress);
    const done = finish();
    if (!data.error) done.resolve(data.value);
    else {
      const e = Object.assign(new Error(data.error.message), data.error);
      done.reject(e);
      // Not a bad option or a failed load: a bug, and a trap may leave the engine broken.
      if (e.name !== "OptionError" && !e.load) return restart();
    }
    pump();
  };
  worker.onerror = (e) => {
    e.preventDefault?.();
    if (!started) return toPage(); // it never started here: the page answers instead
    // The worker died (out of memory, say): the request it ran fails, a fresh one takes the rest.
    const r = finish();
    if (r) {
      r.reject(new Error(`the engine's worker failed (${e.message || "no reason given"})`));
    }
    restart();
  };
}

/** Takes the running request (if any) out of the worker's slot, its timers cleared; returns it. */
function finish() {
  const r = running;
  running = null;
  clearTimeout(r?.timer);
  clearTimeout(r?.stopAt);
  return r;
}

/** Runs everything still asked for on the page, for the rest of the page's life. */
function toPage() {
  here = true;
  worker?.terminate();
  worker = null;
  const all = [running, ...waiting.values()].filter(Boolean);
  running = null;
  waiting.clear();
  if (full) full.retry();
  for (const r of all) r.send();
}

function restart() {
  worker?.terminate();
  // A fresh worker has no engine loaded: the fixer's is fetched again when next asked for.
  if (fixReady) full = null;
  fixReady = false;
  spawn();
}

/** Stops the running request: `why` rejects it, else it resolves to null (superseded). */
function stop(request, why) {
  if (running !== request) return;
  finish();
  if (why) request.reject(new Error(why));
  else request.resolve(null);
  restart();
}

function pump() {
  if (running || !worker || !started) return;
  const [key, request] = waiting.entries().next().value ?? [];
  if (!request) return;
  waiting.delete(key);
  running = request;
  request.started = performance.now();
  const what = request.kind === "fix" ? "hardening" : "the check";
  request.timer = setTimeout(() => stop(request, `stopped: ${what} took over ${LIMIT_MS / 1000} s (the kubeharden CLI takes a manifest of any size)`), LIMIT_MS);
  worker.postMessage({ id: request.id, kind: request.kind, text: request.text, options: request.options, engine: request.engine, progress: !!request.onProgress });
}

/**
 * The engine's answer to `kind` ("check" | "fix") of `text` with `options` (the package's),
 * on the `engine` ("check" | "full") a check asks for; `key` names the asker (a newer request
 * of the same key supersedes it). Resolves to the report (or the fixed text's result), or
 * null when superseded; rejects as the package throws (an Error with `name` "OptionError",
 * `option` and `errors` for a bad option; `load` when the engine could not be loaded).
 * `onProgress(percent, stage)`, if given, is told as a check goes (no more once it is stopped).
 */
export function ask(key, kind, text, options, engine, onProgress) {
  return new Promise((resolve, reject) => {
    const request = { key, kind, text, options, engine, onProgress, id: nextId++, resolve, reject };
    request.send = () => onPage().then((p) => answer(p, request, onProgress)).then(resolve, reject);
    if (here) return request.send();
    const older = waiting.get(key);
    if (older) older.resolve(null);
    waiting.delete(key);
    waiting.set(key, request);
    if (running?.key === key && !running.stopAt) {
      const r = running;
      r.stopAt = setTimeout(() => stop(r), Math.max(0, SUPERSEDE_MS - (performance.now() - r.started)));
    }
    if (!worker) spawn();
    pump();
  });
}

function settleFull(ok, message) {
  const f = full;
  if (!f) return;
  fixReady = ok;
  if (!ok) full = null; // the next ask tries again
  if (ok) f.resolve();
  else f.reject(new Error(message));
}

/** Loads the fixer's engine once for the page (again after a failure); resolves when it has. */
export function loadFull() {
  if (full) return full.promise;
  let resolve, reject;
  const promise = new Promise((y, n) => ((resolve = y), (reject = n)));
  promise.catch(() => {});
  full = { promise, resolve, reject };
  full.retry = () =>
    onPage()
      .then((p) => p.init())
      .then(() => settleFull(true), (e) => settleFull(false, e.message));
  if (here) full.retry();
  else if (!worker) spawn();
  else if (started) worker.postMessage({ load: "full" });
  return promise;
}

/** Whether the fixer's engine has loaded: a fix is answered without fetching it. */
export const canFix = () => fixReady;
