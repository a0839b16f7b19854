//! The WebAssembly half of the `kubeharden` JavaScript package (`www/pkg/`, built by
//! `make dist` into `dist/pkg/`): the engine's check, fix and rule catalogue exported
//! through wasm-bindgen. Built for wasm32 with feature `js` (no default features but
//! `rule-docs`), in the playground's profile and target dir (scripts/wasm-toolchain.sh
//! `js-pkg`).
//!
//! Every export takes and returns JSON text, and the package's JavaScript (`www/pkg/
//! kubeharden.js`) parses it: one `JSON.parse` per call is cheaper in code size than
//! serde bindings to JS objects, and the report text is exactly the CLI's
//! `check --format json` (version 2, [`kubeharden::render::json`]).
//!
//! The rule documentation is not in this wasm (built without `rule-docs`: 20 KiB
//! gzipped, for the widget's budget): the package ships the catalogue as `rules.json`,
//! written by `kubeharden rules --format json` from the same tree, and `rules()` reads it.
//!
//! Errors are values: bad manifests give a report with `errors`; bad options give
//! `{"option_error": {"option": NAME, "message": TEXT}}` (with `"errors": [{line, column,
//! message}]` for an invalid `config`), which the JavaScript turns into a thrown
//! `OptionError` naming the option. Nothing here panics on input.

mod api;
mod check_exports;
mod progress;

use wasm_bindgen::prelude::wasm_bindgen;

/// `fix(text, options)`: `{text, diff, applied, skipped, remaining}`, or an option error.
#[wasm_bindgen]
pub fn fix(text: &str, options: &str) -> String {
    api::fix(text, options)
}

fn main() {}
