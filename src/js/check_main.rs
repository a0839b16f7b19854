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

use wasm_bindgen::prelude::wasm_bindgen;

/// `check(text, options)`: the JSON report (version 2), or an option error.
#[wasm_bindgen]
pub fn check(text: &str, options: &str) -> String {
    api::check(text, options)
}

/// The engine's version (the crate version, as in the report's `tool.version`).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn main() {}
