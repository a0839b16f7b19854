//! The playground's pure modules (`src/web/`: state and reducer, share links, examples,
//! the engine calls, the Access and Reach views' data), built and unit-tested natively: `cargo test --test playground_state`.
//! The browser-only modules (components, CodeMirror) are built by `make dist`.

// The app uses more of these modules than their tests do.
#![allow(dead_code)]

#[path = "../src/web/access_data.rs"]
mod access_data;
#[path = "../src/web/coverage.rs"]
mod coverage;
#[path = "../src/web/engine.rs"]
mod engine;
#[path = "../src/web/examples.rs"]
mod examples;
#[path = "../src/web/export.rs"]
mod export;
#[path = "../src/web/reach_data.rs"]
mod reach_data;
#[path = "../src/web/share.rs"]
mod share;
#[path = "../src/web/state.rs"]
mod state;
