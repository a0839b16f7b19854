//! kubeharden: a Kubernetes manifest security checker.
//!
//! One engine serves the CLI and the browser playground. It reads manifests into a
//! span-exact YAML tree ([`yaml`]), models the Kubernetes objects and pod templates in
//! them ([`model`]), runs the rules of the data-driven [`catalogue`] through their Rust
//! templates ([`rules`]), and reports plain [`diagnostic`] data that the renderers
//! ([`render`]) turn into text, JSON or SARIF. The library touches no filesystem,
//! clock, thread or stdout, so it builds for `wasm32-unknown-unknown` as it is.
//!
//! ```
//! use kubeharden::{Engine, Options, Source};
//! let engine = Engine::new(Options::default());
//! let report = engine.check(&[Source::new("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n")]);
//! assert!(report.findings.iter().any(|f| f.rule == "privileged-container"));
//! ```

// Library code renders to strings; only the CLI edge writes to a terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod adapter;
pub mod catalogue;
pub mod diagnostic;
pub mod docs;
pub mod engine;
pub mod fix;
pub mod model;
pub mod render;
pub mod rules;
pub mod source;
pub mod version;
pub mod yaml;

pub use catalogue::{Catalogue, Rule};
pub use diagnostic::{Applicability, Area, Diagnostic, Finding, Level, Report, Severity};
pub use engine::{Engine, Options, Profile};
pub use source::{LineIndex, Position, Source, Span};
pub use version::KubeVersion;
