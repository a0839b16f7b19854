// Both sides of the playground's engine worker (described in src/web/worker.rs; short
// comments here: this file is part of the first download, as written). On the page: start,
// call. In the worker: the playground's WebAssembly answers `check`, the extras `harden`
// and `applyOne`.

const SUPERSEDE_MS = 250;
export const LIMIT_MS = 60000;
// The page may lower it (tests/e2e/worker.test.mjs does: window.kubehardenWorkLimitMs).
const limit = () => globalThis.kubehardenWorkLimitMs ?? LIMIT_MS;

const inWorker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;

if (inWorker) {
  let engine = null;
  let extras = null;
  const loadExtras = async (url) => {
    if (!extras) {
      extras = import(url).then(async (m) => {
        await m.default();
        return m;
      });
      extras.catch(() => {
        extras = null;
      });
    }
    return extras;
  };
  self.onmessage = async ({ data }) => {
    const { id, kind, args } = data;
    try {
      let answer;
      if (kind === "init") {
        const glue = await import(data.glue);
        await glue.default({ module_or_path: data.module });
        engine = glue;
        answer = true;
      } else if (kind === "check") {
        answer = engine.workerCheck(...args, (percent, stage) => self.postMessage({ id, progress: [percent, stage] }));
      } else {
        const m = await loadExtras(data.extras);
        answer = await m[kind](...args);
      }
      self.postMessage({ id, answer });
    } catch (e) {
      self.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
    }
  };
}

let worker = null;
let setup = null;
let nextId = 1;
/** The request being answered. */
let running = null;
/** Per kind, the newest request not yet sent. */
const waiting = new Map();
/** Why the worker could not start, once it could not. */
let broken = null;

function spawn() {
  worker = new Worker(import.meta.url, { type: "module" });
  worker.onmessage = ({ data }) => {
    if (!running || data.id !== running.id) return;
    if ("progress" in data) return void showProgress(running, data.progress);
    const done = running;
    running = null;
    clearTimeout(done.timer);
    if ("error" in data) {
      done.reject(new Error(data.error));
      // A failed request may leave the WebAssembly broken (a panic aborts): a fresh one.
      if (worker && done.kind !== "init") {
        worker.terminate();
        spawn();
      }
    } else done.resolve(data.answer);
    if (done.kind === "check") tellProgress(null);
    pump();
  };
  worker.onerror = (e) => {
    e.preventDefault?.();
    fail(e.message || "the engine's worker failed to start");
  };
  send({ kind: "init", args: [], resolve: () => (ready = true), reject: (e) => fail(e.message) }, setup);
}

function fail(why) {
  broken = why;
  worker?.terminate();
  worker = null;
  const all = [running, ...waiting.values()].filter(Boolean);
  running = null;
  waiting.clear();
  for (const r of all) r.reject(new Error(why));
}

// A check's progress is shown once it has run 100 ms (a short one shows none), and not once
// a newer check superseded it.
function showProgress(request, progress) {
  request.progress = progress;
  const age = performance.now() - request.started;
  if (age >= 100) return void (request.superseded || tellProgress(progress));
  request.progressTimer ??= setTimeout(() => running === request && showProgress(request, request.progress), 100 - age);
}

function send(request, extra) {
  running = { ...request, id: nextId++, started: performance.now() };
  if (request.kind === "check") tellProgress(null);
  const mine = running;
  mine.timer = setTimeout(() => {
    if (mine.kind === "init") fail(`the engine's worker did not start within ${LIMIT_MS / 1000} s`);
    else stop(mine, `it took over ${limit() / 1000} s`);
  }, request.kind === "init" ? LIMIT_MS : limit());
  worker.postMessage({ id: mine.id, kind: request.kind, args: request.args, extras: setup.extras, ...extra });
}

function stop(request, why) {
  if (running !== request) return;
  if (request.kind === "check") tellProgress(null);
  running = null;
  clearTimeout(request.timer);
  worker.terminate();
  if (why) request.reject(new Error(`stopped: ${why}`));
  else request.resolve(null);
  spawn();
}

function pump() {
  if (running || !worker) return;
  const key = waiting.has("check") ? "check" : waiting.keys().next().value;
  if (key === undefined) return;
  const request = waiting.get(key);
  waiting.delete(key);
  send(request);
}

/** Starts the worker (URLs relative to the page); returns why it cannot, or nothing. */
export function start(glue, module, extras) {
  if (worker || broken) return broken ?? undefined;
  try {
    if (typeof Worker === "undefined") throw new Error("this browser has no Web Workers");
    if (!(module instanceof WebAssembly.Module)) throw new Error("the engine's module is not available");
    setup = { glue: new URL(glue, document.baseURI).href, module, extras: new URL(extras, document.baseURI).href };
    spawn();
  } catch (e) {
    return (broken = e instanceof Error ? e.message : String(e));
  }
  return undefined;
}

let ready = false;
/** Whether the worker has answered once (until then, the page checks a short text itself). */
export function isReady() {
  return ready;
}

let progressListener = null;
/** The progress shown, [percent, stage], or null: told again to a listener that comes later. */
let progressShown = null;
function tellProgress(progress) {
  progressShown = progress;
  progressListener?.(...(progress ?? [null]));
}
/** Tells `listener` each check's progress, (percent, stage), and (null) as one starts or ends. */
export function onProgress(listener) {
  progressListener = listener;
  if (progressShown) listener(...progressShown);
}
/** Tells `listener` no more (if it is still the one told). */
export function offProgress(listener) {
  if (progressListener === listener) progressListener = null;
}

/** Why the worker failed, if it did. */
export function brokenReason() {
  return broken ?? undefined;
}

/** The worker's answer to `kind` with `args`; null when superseded; an Error if not made. */
export function call(kind, args) {
  if (!worker) return Promise.reject(new Error(broken ?? "the engine's worker is not running"));
  return new Promise((resolve, reject) => {
    // Every fix asked for is made (one per finding); a check or a hardening replaces the
    // older one, and a check also stops a long hardening (of the older text, too).
    const key = kind === "applyOne" ? `${kind} ${args[4]}` : kind;
    waiting.get(key)?.resolve(null);
    waiting.set(key, { kind, args, resolve, reject });
    const older = running && running.kind !== "applyOne" && (running.kind === kind || kind === "check");
    if (older) {
      const r = running;
      if (kind === "check" && r.kind === "check") {
        r.superseded = true;
        tellProgress(null);
      }
      const age = performance.now() - r.started;
      if (age > SUPERSEDE_MS) stop(r);
      // Younger: stopped when it reaches SUPERSEDE_MS, if a newer request still waits.
      else setTimeout(() => running === r && waiting.size && stop(r), SUPERSEDE_MS - age);
    }
    pump();
  });
}
