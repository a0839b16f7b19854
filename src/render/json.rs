//! The versioned JSON report (documented in the README, schema in
//! `docs/report.schema.json`), written as it goes: one finding per line, each serialised
//! from a [`FindingView`] when it is written, no document tree in memory.

use std::io::{self, Write};

use serde::Serialize;

use super::view::{DiagnosticView, FindingView, Resolver};
use super::Positions;
use crate::diagnostic::{Report, Severity};
use crate::engine::{Options, Progress, Stage};
use crate::source::Source;
use crate::support::{Dated, TargetSupport};

/// Version of the JSON report format. Adding fields keeps it; changing or removing
/// one bumps it. Version 2: findings gained `id`, `related` locations with their file,
/// and `fix` as an object with its edits; document numbers are 1-based, as in the
/// human output; standard input is named `<stdin>`.
pub const JSON_VERSION: u32 = 2;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Settings<'r> {
    profile: &'static str,
    kube_version: String,
    /// The rules that ran: every rule of the profile and version, or those `--rule` (or
    /// a configuration) chose.
    rules: &'r [&'static str],
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    suppressed: usize,
    errors: usize,
    fixable: usize,
    by_severity: serde_json::Map<String, serde_json::Value>,
    /// The target version's support status; only when the caller gave today's date.
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<TargetView>,
}

/// `summary.target`: dates as `YYYY-MM-DD` or `"unknown"`, never estimated.
#[derive(Serialize)]
struct TargetView {
    version: String,
    released: String,
    maintenance: String,
    end_of_life: String,
    /// Whether `end_of_life` is a plan rather than a record.
    end_of_life_planned: bool,
    final_patch: Option<String>,
    today: String,
    /// `null` when the data does not say.
    supported: Option<bool>,
    status: &'static str,
    note: String,
    data_as_of: String,
    data_note: Option<&'static str>,
}

impl TargetView {
    fn new(t: &TargetSupport) -> TargetView {
        let date =
            |d: Option<Dated>| d.map_or_else(|| "unknown".to_string(), |d| d.date.to_string());
        TargetView {
            version: t.line().to_string(),
            released: date(t.released),
            maintenance: date(t.maintenance),
            end_of_life: date(t.end_of_life),
            end_of_life_planned: t.end_of_life.is_some_and(|e| e.from.planned()),
            final_patch: t.final_release().map(|r| r.to_string()),
            today: t.today.to_string(),
            supported: t.supported(),
            status: t.status.as_str(),
            note: t.note(),
            data_as_of: t.data_as_of.to_string(),
            data_note: t.data_note,
        }
    }
}

fn summary(report: &Report, files: usize, target: Option<&TargetSupport>) -> Summary {
    let open: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    Summary {
        files,
        findings: open.len(),
        suppressed: report.findings.len() - open.len(),
        errors: report.errors.len(),
        fixable: open.iter().filter(|f| f.fixable().is_some()).count(),
        by_severity: Severity::ALL
            .iter()
            .map(|&s| {
                let n = open.iter().filter(|f| f.severity == s).count();
                (s.as_str().to_string(), n.into())
            })
            .collect(),
        target: target.map(TargetView::new),
    }
}

fn compact<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)
}

/// A list written one element per line, each element converted only when written.
fn lines<'a, W: Write, T, V: Serialize>(
    out: &mut W,
    items: &'a [T],
    mut view: impl FnMut(&'a T) -> V,
    written: &dyn Fn(usize, usize),
) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.iter().enumerate() {
        if i % WRITTEN_EVERY == 0 {
            written(i, items.len());
        }
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        compact(out, &view(item))?;
    }
    out.write_all(if items.is_empty() { b"]" } else { b"\n  ]" })
}

/// How many findings [`json_observed`] writes between two reports of how far it is.
const WRITTEN_EVERY: usize = 256;

/// Write a report as JSON to `out`. `options` records the settings it was made with. The
/// summary has no `target`: see [`write_json_with_target`].
pub fn write_json(
    out: impl Write,
    report: &Report,
    sources: &[Source],
    options: &Options,
) -> io::Result<()> {
    write_json_with_target(out, report, sources, options, None)
}

/// [`write_json`], with `summary.target` from `target` (the support status of
/// `options.version` on the caller's today: [`crate::support::target_support`]).
pub fn write_json_with_target(
    out: impl Write,
    report: &Report,
    sources: &[Source],
    options: &Options,
    target: Option<&TargetSupport>,
) -> io::Result<()> {
    write_json_observed(out, report, sources, options, target, &|_, _| {})
}

/// [`write_json_with_target`], calling `written(done, total)` as it writes the findings:
/// before the first, then every 256 (`done` findings of `total` written).
fn write_json_observed(
    mut out: impl Write,
    report: &Report,
    sources: &[Source],
    options: &Options,
    target: Option<&TargetSupport>,
    written: &dyn Fn(usize, usize),
) -> io::Result<()> {
    let r = Resolver::new(Positions::new(sources));
    let out = &mut out;
    write!(out, "{{\n  \"version\": {JSON_VERSION},\n  \"tool\": ")?;
    compact(
        out,
        &Tool {
            name: "kubeharden",
            version: env!("CARGO_PKG_VERSION"),
        },
    )?;
    out.write_all(b",\n  \"settings\": ")?;
    compact(
        out,
        &Settings {
            profile: options.profile.as_str(),
            kube_version: options.version.to_string(),
            rules: &report.rules,
        },
    )?;
    out.write_all(b",\n  \"findings\": ")?;
    lines(out, &report.findings, |f| FindingView::new(f, &r), written)?;
    for (key, list) in [("errors", &report.errors), ("notes", &report.notes)] {
        write!(out, ",\n  \"{key}\": ")?;
        lines(out, list, |d| DiagnosticView::new(d, &r), &|_, _| {})?;
    }
    out.write_all(b",\n  \"summary\": ")?;
    compact(out, &summary(report, sources.len(), target))?;
    out.write_all(b"\n}\n")
}

/// The JSON report as a string.
pub fn json(report: &Report, sources: &[Source], options: &Options) -> String {
    json_observed(report, sources, options, &|_| {})
}

/// [`json`], telling `observe` how far the writing is: [`Stage::Report`] with `done`
/// findings written of `total`, before the first and every 256 (for a report of 100,000
/// findings the writing is about half a check, which would otherwise show no progress).
pub fn json_observed(
    report: &Report,
    sources: &[Source],
    options: &Options,
    observe: &dyn Fn(Progress),
) -> String {
    let mut out = Vec::with_capacity(256 + report.findings.len() * 700);
    let written = |done, total| {
        observe(Progress {
            stage: Stage::Report,
            file: 0,
            done,
            total,
        })
    };
    // Writing to a Vec cannot fail, and serde_json writes UTF-8.
    let _ = write_json_observed(&mut out, report, sources, options, None, &written);
    String::from_utf8(out).unwrap_or_default()
}
