// Loads the playground's extras (dist/extras/, src/web/extras_main.rs: the JSON and SARIF
// export, the target version's support note, the Diff tab's diff, the Access and Reach
// tabs' views) the first time one is asked for. A WebAssembly of its own, so that none of it is in the playground's first
// download; it comes from the page's own origin (a path relative to the page: anything
// else is refused, as the Content Security Policy would too). A load that failed is
// forgotten, so that the next call tries again.

let loading = null;

function load(path) {
  if (!loading) {
    const url = new URL(path, document.baseURI);
    if (url.origin !== location.origin) {
      return Promise.reject(new Error(`the extras must come from this page's origin, not ${url.origin}`));
    }
    loading = import(url.href).then(async (extras) => {
      await extras.default();
      return extras;
    });
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/**
 * Calls the extras' export `name` with the arguments `args` (an Array), loading the extras
 * from `path` (relative to the page) first if this page has not yet.
 * @returns {Promise<unknown>} what the export returns (awaited)
 */
export function callExtras(path, name, args) {
  return load(path).then((extras) => extras[name](...args));
}

/**
 * Calls the extras' export `name` with `args` only if this page has loaded them or is
 * loading them (after the calls before it), without starting a load: for cleaning up what
 * an earlier call made (`unmountView`). Its outcome is not reported: a load that failed
 * left nothing to clean up.
 */
export function callLoaded(name, args) {
  loading?.then((extras) => extras[name](...args)).catch(() => {});
}
