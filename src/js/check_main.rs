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
#[path = "check_exports.rs"]
mod check_exports;
#[path = "progress.rs"]
mod progress;

fn main() {}
