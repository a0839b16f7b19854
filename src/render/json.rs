//! The versioned JSON report (documented in the README), written straight to a string:
//! one finding per line, no intermediate value tree.

use std::fmt::Write;

use super::Positions;
use crate::diagnostic::{Diagnostic, Report, Severity};
use crate::engine::Options;
use crate::source::{Source, Span};

/// Version of the JSON report format. Adding fields keeps it; changing or removing
/// one bumps it.
pub const JSON_VERSION: u32 = 1;

/// Append `s` as a JSON string literal.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    // Most strings need no escape: copy them whole.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        last = i + 1;
    }
    out.push_str(&s[last..]);
    out.push('"');
}

fn opt_string(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.push_str("null"),
    }
}

fn span(out: &mut String, positions: &mut Positions, file: usize, span: Span) {
    let (start, end) = positions.range(file, span);
    let _ = write!(
        out,
        "{{\"start\":{{\"offset\":{},\"line\":{},\"column\":{},\"column_utf16\":{}}},\"end\":{{\"offset\":{},\"line\":{},\"column\":{},\"column_utf16\":{}}}}}",
        start.offset, start.line, start.column, start.utf16_column, end.offset, end.line, end.column, end.utf16_column
    );
}

fn diagnostics(out: &mut String, positions: &mut Positions, list: &[Diagnostic]) {
    out.push('[');
    for (i, d) in list.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str("{\"file\":");
        string(out, positions.name(d.file));
        let _ = write!(out, ",\"document\":{},\"message\":", d.document);
        string(out, &d.message);
        out.push_str(",\"span\":");
        span(out, positions, d.file, d.span);
        out.push('}');
    }
    out.push_str(if list.is_empty() { "]" } else { "\n  ]" });
}

/// Render a report as JSON. `options` records the settings the report was made with.
pub fn json(report: &Report, sources: &[Source], options: &Options) -> String {
    let mut positions = Positions::new(sources);
    let mut out = String::with_capacity(256 + report.findings.len() * 640);
    let _ = write!(
        out,
        "{{\n  \"version\": {JSON_VERSION},\n  \"tool\": {{\"name\": \"kubeharden\", \"version\": \"{}\"}},\n  \"settings\": {{\"profile\": \"{}\", \"kube_version\": \"{}\"}},\n  \"findings\": [",
        env!("CARGO_PKG_VERSION"),
        options.profile.as_str(),
        options.version
    );
    for (i, f) in report.findings.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str("{\"rule\":");
        string(&mut out, f.rule);
        let _ = write!(
            out,
            ",\"severity\":\"{}\",\"area\":\"{}\",\"message\":",
            f.severity.as_str(),
            f.area.as_str()
        );
        string(&mut out, &f.message);
        out.push_str(",\"file\":");
        string(&mut out, positions.name(f.file));
        let _ = write!(
            out,
            ",\"document\":{},\"object\":{{\"apiVersion\":",
            f.document
        );
        opt_string(&mut out, f.object.api_version.as_deref());
        out.push_str(",\"kind\":");
        opt_string(&mut out, f.object.kind.as_deref());
        out.push_str(",\"namespace\":");
        opt_string(&mut out, f.object.namespace.as_deref());
        out.push_str(",\"name\":");
        opt_string(&mut out, f.object.name.as_deref());
        out.push_str("},\"path\":");
        string(&mut out, &f.path);
        out.push_str(",\"span\":");
        span(&mut out, &mut positions, f.file, f.span);
        out.push_str(",\"related\":[");
        for (j, r) in f.related.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str("{\"message\":");
            string(&mut out, &r.message);
            out.push_str(",\"span\":");
            span(&mut out, &mut positions, f.file, r.span);
            out.push('}');
        }
        out.push_str("],\"pss\":");
        match &f.pss {
            Some(p) => {
                let _ = write!(out, "{{\"level\":\"{}\",\"check\":", p.level.as_str());
                string(&mut out, p.check);
                out.push('}');
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"fix\":");
        opt_string(&mut out, f.fix.map(|a| a.as_str()));
        let _ = write!(
            out,
            ",\"suppressed\":{},\"suppression_reason\":",
            f.suppressed.is_some()
        );
        opt_string(&mut out, f.suppressed.as_deref());
        out.push('}');
    }
    out.push_str(if report.findings.is_empty() {
        "],\n  \"errors\": "
    } else {
        "\n  ],\n  \"errors\": "
    });
    diagnostics(&mut out, &mut positions, &report.errors);
    out.push_str(",\n  \"notes\": ");
    diagnostics(&mut out, &mut positions, &report.notes);
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let _ = write!(
        out,
        ",\n  \"summary\": {{\"files\": {}, \"findings\": {}, \"suppressed\": {suppressed}, \"errors\": {}, \"by_severity\": {{",
        sources.len(),
        report.findings.len() - suppressed,
        report.errors.len()
    );
    for (i, s) in Severity::ALL.iter().enumerate() {
        let n = report
            .findings
            .iter()
            .filter(|f| f.severity == *s && f.suppressed.is_none())
            .count();
        let _ = write!(
            out,
            "{}\"{}\": {n}",
            if i == 0 { "" } else { ", " },
            s.as_str()
        );
    }
    out.push_str("}}\n}\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_escaped_as_json() {
        let mut out = String::new();
        super::string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }
}
