//! The configuration loader (`.kubeharden.yaml`, src/config): arbitrary text is a
//! configuration or located errors, never a panic; every error lies inside the text.
#![no_main]

use kubeharden::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(errors) = Config::parse(".kubeharden.yaml", &text) {
        assert!(!errors.is_empty(), "an error result with no error");
        for e in &errors {
            let s = format!("{e}");
            assert!(!s.is_empty(), "an empty error message");
        }
    }
});
