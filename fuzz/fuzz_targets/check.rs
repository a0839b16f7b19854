//! Parse and check arbitrary bytes: never a panic, every location inside the text, and
//! the JSON report parses.
#![no_main]

use kubeharden::render::json;
use kubeharden::{Engine, Options, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let engine = Engine::new(Options::default());
    let sources = [Source::new("fuzz.yaml", text.to_string())];
    let report = engine.check(&sources);
    for f in &report.findings {
        assert!(
            f.span.start <= f.span.end && f.span.end <= text.len(),
            "{} span {:?} outside the text ({} bytes)",
            f.rule,
            f.span,
            text.len()
        );
        for r in &f.related {
            assert!(r.span.end <= text.len(), "{} related span outside", f.rule);
        }
    }
    for d in report.errors.iter().chain(&report.notes) {
        assert!(d.span.end <= text.len(), "diagnostic span outside: {d:?}");
    }
    let out = json(&report, &sources, engine.options());
    serde_json::from_str::<serde_json::Value>(&out).expect("the JSON report parses");
});
