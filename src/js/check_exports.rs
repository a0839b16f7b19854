//! The exports both wasm of the JavaScript package have, `check` and `version`, and the
//! import that tells a check's progress (src/js/main.rs, the full one, adds `fix`;
//! src/js/check_main.rs, the check-only one, has these alone). Each includes this file
//! beside its `api` and `progress` modules.

use wasm_bindgen::prelude::wasm_bindgen;

use super::{api, progress};

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
