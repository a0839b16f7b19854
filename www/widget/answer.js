// How the widget's engine answers a request, in its worker (worker.js) or, where no worker
// can start, on the page (engine.js): the engine the request needs is loaded first (a
// failure to load is marked `load`), then the `kubeharden` package is called.
//   request: { kind: "check" | "fix", text, options, engine: "check" | "full" }
// A check runs on whichever engine has loaded ("full" asks for the fixer's engine only when
// none has); a fix needs the full one.

/** The package's answer to `request`, with `pkg` the package module; throws as it does.
 * `onProgress(percent, stage)`, if given, is told as a check goes (the package's option). */
export async function answer(pkg, { kind, text, options, engine }, onProgress) {
  try {
    if (kind === "fix" || (engine === "full" && !pkg.isReady())) await pkg.init();
    else if (!pkg.isReady()) await pkg.initCheck();
  } catch (e) {
    e.load = true;
    throw e;
  }
  return kind === "fix" ? pkg.fix(text, options) : pkg.check(text, onProgress ? { ...options, onProgress } : options);
}
