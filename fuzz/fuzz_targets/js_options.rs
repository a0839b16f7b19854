//! The JavaScript API's option parsing and calls (src/js/api.rs, compiled here natively,
//! free of wasm-bindgen): arbitrary option text and manifest text give a JSON answer or a
//! located error naming the option, never a panic.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/js/api.rs"]
mod api;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str)| {
    let (options, text) = input;
    for answer in [api::check(text, options), api::fix(text, options)] {
        serde_json::from_str::<serde_json::Value>(&answer).expect("the answer is JSON");
    }
});
