//! The check-only WebAssembly of the `kubeharden` JavaScript package: `check` and
//! `version`, without the fixer and the differ (`kubeharden_check_bg.wasm`, loaded by
//! the package's `initCheck()`). A read-only docs widget needs nothing else until its
//! reader opens the hardened YAML or the diff; this wasm is 28 KiB smaller gzipped than
//! the full one (src/js/main.rs), which `init()` loads and which also checks.
//!
//! The exports are the full wasm's, with the same JSON text in and out ([`api::check`]).

// The fix half of the shared logic (`api::fix` and its records) is unused here: the
// linker drops it, and with it the fixer and the differ.
#[allow(dead_code)]
#[path = "api.rs"]
mod api;
#[path = "progress.rs"]
mod progress;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(raw_module = "./kubeharden.js")]
extern "C" {
    /// The package's receiver of a check's progress (`__progress` in www/pkg/kubeharden.js,
    /// which calls the check's `onProgress`; it never throws). The glue imports it from the
    /// package's module, next to it.
    #[wasm_bindgen(js_name = __progress)]
    fn told(percent: u32, stage: &str);
}

/// `check(text, options, progress)`: the JSON report (version 2), or an option error;
/// with `progress`, the package's `__progress(percent, stage)` is called with the check's news as
/// it goes ([`progress::telling`]).
#[wasm_bindgen]
pub fn check(text: &str, options: &str, progress: bool) -> String {
    let tell = if progress { told } else { |_, _: &str| {} };
    progress::telling(tell, |observe| api::check_observed(text, options, observe))
}

/// The engine's version (the crate version, as in the report's `tool.version`).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn main() {}
