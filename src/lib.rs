//! kubeharden: a Kubernetes manifest security checker.
//!
//! One engine serves the CLI and the browser playground. It reads manifests into a
//! span-exact YAML tree ([`yaml`]), models the Kubernetes objects and pod templates in
//! them ([`model`]), indexes every input of a run as one [`bundle`], runs the rules of
//! the data-driven [`catalogue`] through their Rust templates ([`rules`]) — per object
//! and over the whole bundle — and reports plain [`diagnostic`] data, each finding with
//! its fix as text edits, that the renderers ([`render`]) turn into text, JSON or SARIF
//! and the fixer ([`fix`]) applies. The same bundle answers open questions — who can do
//! what, what can reach what — through the access models ([`access`]). The library touches no filesystem,
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

pub mod access;
pub mod adapter;
pub mod bundle;
pub mod catalogue;
pub mod config;
mod datafile;
pub mod diagnostic;
pub mod docs;
pub mod engine;
pub mod fix;
pub mod lessons;
pub(crate) mod lower;
pub mod model;
pub mod render;
pub mod rules;
pub mod source;
pub mod support;
pub mod version;
pub mod yaml;

pub use bundle::{Bundle, DocRef};
pub use catalogue::{Catalogue, Rule};
pub use diagnostic::{
    Applicability, Area, Diagnostic, Finding, Fix, Level, Related, Report, Severity, TextEdit,
};
pub use engine::{Engine, InOrder, Options, Profile, Progress, Spread, Stage};
pub use source::{LineIndex, Position, Source, Span};
pub use version::KubeVersion;
