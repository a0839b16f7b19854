// kubeharden: the Rust engine of the kubeharden CLI, compiled to WebAssembly, as an ES
// module for browsers and Node (>= 20). Types: kubeharden.d.ts. Nothing is sent anywhere:
// the module loads its own wasm (and, for rules(), its rules.json) and nothing else.
//
//   import { init, check, fix, rules, rule, version } from "kubeharden";
//   await init();                                   // once; shared by everything on the page
//                                                   // (initCheck(): a smaller engine, no fix())
//   const report = check(text, { profile: "restricted", kubeVersion: "1.29" });
//   const { text: hardened } = fix(text, { unsafe: true, config: kubehardenYaml });
//
// Importing the module does nothing (no window, document or fetch at the top level), so
// docs generators that render pages on a server can import it.

/** The engine's version: the kubeharden crate version, as in a report's `tool.version`. */
export const version = "__KUBEHARDEN_VERSION__";

/**
 * A bad option: `option` names it (`"profile"`, `"rules"`, `"config"`, ...), `message` says
 * why; for `config`, `errors` lists each error of its text ({ line, column, message }:
 * 1-based, columns in characters), as `kubeharden check` prints them. Empty otherwise.
 */
export class OptionError extends TypeError {
  constructor(option, message, errors = []) {
    super(message);
    this.name = "OptionError";
    this.option = option;
    this.errors = errors;
  }

  // Its name as written, not the minifier's (Node prints an uncaught error by it).
  static {
    Object.defineProperty(this, "name", { value: "OptionError" });
  }
}

// One engine, built twice: kubeharden_wasm (check and fix), which init() loads, and
// kubeharden_check (check only: no fixer, no differ, 28 KiB smaller gzipped), which
// initCheck() loads for pages that only show findings. Each is imported when first asked
// for; check() runs on whichever has loaded, the full one once it has.
let full = null; // init()'s promise
let checkOnly = null; // initCheck()'s promise
let engine = null; // the loaded bindings check() calls
let fixer = null; // the full engine's fix, once loaded

function isFileUrl(source) {
  if (source instanceof URL) return source.protocol === "file:";
  return typeof source === "string" && source.startsWith("file:");
}

// A failed instantiation can leave wasm-bindgen's glue module half set up (its exports
// recorded, the start function failed), and that module would refuse every later load; a
// retry imports a fresh copy of it (a query makes it another module).
const attempts = new Map(); // per wasm file: how many loads were tried

async function load(what, glue, file, wasm) {
  try {
    let source = wasm ?? new URL(file, import.meta.url);
    if (isFileUrl(source)) {
      const { readFile } = await import("node:fs/promises");
      source = await readFile(source instanceof URL ? source : new URL(source));
    }
    const n = attempts.get(file) ?? 0;
    attempts.set(file, n + 1);
    const bindings = await glue(n);
    await bindings.default({ module_or_path: source });
    if (bindings.version() !== version) {
      throw new Error(`the wasm is version ${bindings.version()}, this module ${version}: load the wasm of the same package`);
    }
    return bindings;
  } catch (e) {
    const from = wasm === undefined ? `from ${file.slice(2)}` : `from the wasm given (it must be this package's ${file.slice(2)})`;
    throw new Error(`kubeharden: could not load ${what} ${from}: ${e?.message ?? e}`);
  }
}

/** `promise`, with `forget` called if it rejects (which lets the next call try again). */
function once(promise, forget) {
  promise.catch(forget);
  return promise;
}

/**
 * Loads the engine (check and fix) once. `wasm` is where its WebAssembly is: a URL (string
 * or URL), a Response or a promise of one, bytes (ArrayBuffer, typed array) or a compiled
 * WebAssembly.Module; by default kubeharden_wasm_bg.wasm next to this module (read from
 * disk in Node). Every later call returns the same promise: many callers, one instance.
 * A failed load rejects, and the next call tries again.
 */
export function init(wasm) {
  full ??= once(
    load("the engine", (n) => (n ? import(`./kubeharden_wasm.js?retry=${n}`) : import("./kubeharden_wasm.js")), "./kubeharden_wasm_bg.wasm", wasm).then((bindings) => {
      engine = bindings;
      fixer = bindings.fix;
    }),
    () => (full = null),
  );
  return full;
}

/**
 * Loads the check-only engine once (kubeharden_check_bg.wasm by default; `wasm` as for
 * init()): check(), rules() and version work after it, fix() needs init(). Returns init()'s
 * promise instead when init() has finished, or is loading and no check-only engine was asked
 * for before (the full engine checks too), so a page never loads both only to check; once
 * the check-only engine is loaded, it returns its (settled) promise even while init() loads.
 * A failed load rejects, and the next call tries again.
 */
export function initCheck(wasm) {
  if (fixer || (full && !checkOnly)) return full;
  checkOnly ??= once(
    load("the check-only engine", (n) => (n ? import(`./kubeharden_check.js?retry=${n}`) : import("./kubeharden_check.js")), "./kubeharden_check_bg.wasm", wasm).then((bindings) => {
      engine ??= bindings;
    }),
    () => (checkOnly = null),
  );
  return checkOnly;
}

/** Whether init() or initCheck() has finished: check() may be called. */
export function isReady() {
  return engine !== null;
}

/** Whether init() has finished: fix() may be called. */
export function canFix() {
  return fixer !== null;
}

// The call the engine is running: its onProgress, and what that threw (it is then not called again).
let running = null;

/** Not part of the API: the engine's glue (the wasm's import `./kubeharden.js`) tells the running
 * check's progress here. It never throws: what onProgress throws, check() throws when done. */
export function __progress(percent, stage) {
  const r = running;
  if (!r?.onProgress || r.thrown) return;
  try {
    const back = r.onProgress(percent, stage);
    // A promise would settle after check() returned, its failure seen by no one (and in
    // Node an unhandled rejection ends the process): refused, and its outcome kept quiet.
    if (typeof back?.then === "function") {
      back.then(undefined, () => {});
      throw new TypeError("kubeharden check: onProgress returned a promise: it is called during check(), which does not wait, so pass a function that returns nothing");
    }
  } catch (e) {
    r.thrown = { e };
  }
}

function call(fn, name, text, options) {
  if (typeof text !== "string") throw new OptionError("text", `${name}(text, options): text must be a string, not ${typeof text}`);
  if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) {
    throw new OptionError("options", `${name}(text, options): options must be an object`);
  }
  // check() keeps onProgress to itself; JSON drops functions, so one where an option's value
  // goes would vanish unsaid.
  const { onProgress, ...rest } = options ?? {};
  const sent = name === "check" ? rest : options ?? {};
  for (const [key, value] of Object.entries(sent)) {
    // fix()'s onProgress is refused alike whatever its value (null as a function); undefined
    // is no option, as for every key.
    if (typeof value === "function" || (key === "onProgress" && value !== undefined)) {
      throw new OptionError(key, `kubeharden ${name}: ${key === "onProgress" ? "onProgress is an option of check() only" : `${key} must not be a function`}`);
    }
  }
  if (name === "check" && onProgress !== undefined && typeof onProgress !== "function") {
    throw new OptionError("onProgress", "kubeharden check: onProgress must be a function");
  }
  // The engine is not re-entrant: onProgress runs inside a check.
  if (running) throw new Error(`kubeharden: ${name}() called from a check's onProgress: call it once check() has returned`);
  const mine = (running = { onProgress: name === "check" ? onProgress : undefined, thrown: null });
  let out;
  try {
    out = fn(text, JSON.stringify(sent), !!mine.onProgress);
  } catch (e) {
    // Only a bug in the engine gets here (its panics are traps); the instance may be broken.
    throw new Error(`kubeharden: the engine failed on this input (a bug, please report it): ${e}`);
  } finally {
    running = null;
  }
  if (mine.thrown) throw mine.thrown.e;
  const value = JSON.parse(out);
  const bad = value.option_error;
  if (bad) throw new OptionError(bad.option, `kubeharden ${name}: ${bad.message}`, bad.errors);
  return value;
}

/**
 * Checks `text` (one file's YAML or JSON, any number of documents) and returns the report,
 * in the shape of `kubeharden check --format json` (version 2) for a file named
 * `options.file` (default "manifest.yaml"). `options.config` is the text of a
 * .kubeharden.yaml (YAML or JSON), applied as `kubeharden check --config` applies the file;
 * `profile`, `kubeVersion` and `rules` given here win over its values, as the CLI's flags
 * do. Bad YAML is a report with `errors`; bad options (an invalid config too) throw an
 * OptionError naming the option. `options.onProgress(percent, stage)`, if given, is called
 * during the check as each stage starts ("parse", "rules", "bundle", "report") and each time
 * its percentage (0–100, whole, never falling) grows; what it throws is thrown by check()
 * when done, and it is not called again. It must return nothing: a promise it returns (an
 * async function) makes check() throw a TypeError, as its failure would go unseen.
 */
export function check(text, options) {
  if (!engine) throw new Error("kubeharden: check() before init() finished: await init() (or initCheck()) first");
  return call(engine.check, "check", text, options);
}

/**
 * Hardens `text`: `{ text, diff, applied, skipped, remaining }` (the fixed text, its unified
 * diff, the fixes made and those skipped with the reason, and the report of the fixed text).
 * Safe fixes only unless `options.unsafe`; `options.only` / `options.exclude` choose
 * findings by id.
 */
export function fix(text, options) {
  if (!fixer) {
    throw new Error(
      engine
        ? "kubeharden: fix() needs the full engine: await init() first (initCheck() loads one that only checks)"
        : "kubeharden: fix() before init() finished: await init() first",
    );
  }
  return call(fixer, "fix", text, options);
}

let catalogue = null;

async function loadRules() {
  const url = new URL("./rules.json", import.meta.url);
  if (url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return JSON.parse(await readFile(url, "utf8"));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`kubeharden: ${url} answered ${response.status}`);
  return response.json();
}

/**
 * The rule catalogue, as `kubeharden rules --format json` writes it: read from rules.json
 * next to this module (once) when first asked for, so pages that never show a rule's
 * documentation never load it. Needs no init().
 */
export function rules() {
  if (!catalogue) {
    catalogue = loadRules();
    catalogue.catch(() => {
      catalogue = null;
    });
  }
  return catalogue;
}

/** One rule's documentation, or undefined for an id the catalogue does not have. */
export async function rule(id) {
  if (typeof id !== "string") throw new OptionError("id", `rule(id): id must be a string, not ${typeof id}`);
  return (await rules()).find((r) => r.id === id);
}
