//! The versioned JSON report (documented in the README).

use serde_json::{json, Map, Value};

use super::Positions;
use crate::diagnostic::{Diagnostic, Report, Severity};
use crate::engine::Options;
use crate::source::{Source, Span};

/// Version of the JSON report format. Adding fields keeps it; changing or removing
/// one bumps it.
pub const JSON_VERSION: u32 = 1;

fn span(positions: &mut Positions, file: usize, span: Span) -> Value {
    let (start, end) = positions.range(file, span);
    let pos = |p: crate::source::Position| json!({"offset": p.offset, "line": p.line, "column": p.column, "column_utf16": p.utf16_column});
    json!({"start": pos(start), "end": pos(end)})
}

fn diagnostic(positions: &mut Positions, d: &Diagnostic) -> Value {
    json!({
        "file": positions.name(d.file),
        "document": d.document,
        "message": d.message,
        "span": span(positions, d.file, d.span),
    })
}

/// Render a report as JSON. `options` records the settings the report was made with.
pub fn json(report: &Report, sources: &[Source], options: &Options) -> String {
    let mut positions = Positions::new(sources);
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut object = Map::new();
            object.insert("apiVersion".into(), json!(f.object.api_version));
            object.insert("kind".into(), json!(f.object.kind));
            object.insert("namespace".into(), json!(f.object.namespace));
            object.insert("name".into(), json!(f.object.name));
            let related: Vec<Value> = f
                .related
                .iter()
                .map(
                    |r| json!({"message": r.message, "span": span(&mut positions, f.file, r.span)}),
                )
                .collect();
            json!({
                "rule": f.rule,
                "severity": f.severity.as_str(),
                "area": f.area.as_str(),
                "message": f.message,
                "file": positions.name(f.file),
                "document": f.document,
                "object": object,
                "path": f.path,
                "span": span(&mut positions, f.file, f.span),
                "related": related,
                "pss": f.pss.as_ref().map(|p| json!({"level": p.level.as_str(), "check": p.check})),
                "fix": f.fix.map(|a| a.as_str()),
                "suppressed": f.suppressed.is_some(),
                "suppression_reason": f.suppressed,
            })
        })
        .collect();
    let errors: Vec<Value> = report
        .errors
        .iter()
        .map(|d| diagnostic(&mut positions, d))
        .collect();
    let notes: Vec<Value> = report
        .notes
        .iter()
        .map(|d| diagnostic(&mut positions, d))
        .collect();
    let mut by_severity = Map::new();
    for s in Severity::ALL {
        let n = report
            .findings
            .iter()
            .filter(|f| f.severity == s && f.suppressed.is_none())
            .count();
        by_severity.insert(s.as_str().into(), json!(n));
    }
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let out = json!({
        "version": JSON_VERSION,
        "tool": {"name": "kubeharden", "version": env!("CARGO_PKG_VERSION")},
        "settings": {"profile": options.profile.as_str(), "kube_version": options.version.to_string()},
        "findings": findings,
        "errors": errors,
        "notes": notes,
        "summary": {
            "files": sources.len(),
            "findings": report.findings.len() - suppressed,
            "suppressed": suppressed,
            "errors": report.errors.len(),
            "by_severity": by_severity,
        },
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
