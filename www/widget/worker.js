// The docs widget's engine worker (built to kubeharden-widget-worker.js, next to
// kubeharden-widget.js): the `kubeharden` package, off the page's thread, for every widget of
// the page. The page's side is engine.js. Messages:
//   page → worker  { id, kind, text, options, engine, progress }   (answer.js; progress: tell it)
//                  { load: "full" }                      fetch the fixer's engine now
//   worker → page  { ready: true }                       once, when this module has loaded
//                  { id, progress: [percent, stage] }   as a check asked to tell it goes
//                  { id, value } | { id, error: { name, message, option, errors, load } }
//                  { loaded: true } | { loaded: false, message }
import * as pkg from "./pkg/kubeharden.js";
import { answer } from "./answer.js";

self.onmessage = async ({ data }) => {
  if (data.load) {
    pkg.init().then(
      () => self.postMessage({ loaded: true }),
      (e) => self.postMessage({ loaded: false, message: e.message }),
    );
    return;
  }
  try {
    const told = data.progress && ((percent, stage) => self.postMessage({ id: data.id, progress: [percent, stage] }));
    self.postMessage({ id: data.id, value: await answer(pkg, data, told) });
  } catch (e) {
    const { name, message, option, errors, load } = e instanceof Error ? e : new Error(String(e));
    self.postMessage({ id: data.id, error: { name, message, option, errors, load: load === true } });
  }
};
self.postMessage({ ready: true });
