//! SARIF 2.1.0 for code-scanning uploads: one run, the catalogue as rule metadata,
//! exact regions in UTF-16 columns.

use serde_json::{json, Value};

use super::Positions;
use crate::catalogue::Catalogue;
use crate::diagnostic::{Report, Severity};
use crate::source::{Source, Span};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub maps security-severity to its own levels: >=9 critical, >=7 high, >=4 medium.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A URI for a path: relative paths stay relative references (resolved against the
/// repository by code scanning), absolute ones become `file://` URIs. `-` is stdin.
fn uri(name: &str) -> String {
    if name == "-" {
        return "stdin".into();
    }
    let name = normalise(&name.replace('\\', "/"));
    let mut out = String::from(if name.starts_with('/') { "file://" } else { "" });
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Resolve `.` and `..` segments lexically (SARIF wants normalised URIs).
fn normalise(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

fn region(positions: &mut Positions, file: usize, span: Span) -> Value {
    let (start, end) = positions.range(file, span);
    json!({
        "startLine": start.line,
        "startColumn": start.utf16_column,
        "endLine": end.line,
        "endColumn": end.utf16_column,
        "byteOffset": start.offset,
        "byteLength": end.offset - start.offset,
    })
}

fn location(positions: &mut Positions, file: usize, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(positions.name(file)), "index": file},
            "region": region(positions, file, span),
        }
    })
}

pub fn sarif(report: &Report, sources: &[Source]) -> String {
    let catalogue = Catalogue::builtin();
    let mut positions = Positions::new(sources);
    let rules: Vec<Value> = catalogue
        .rules
        .iter()
        .map(|r| {
            let mut tags = vec!["security".to_string(), "kubernetes".to_string(), r.area.as_str().to_string()];
            if let Some(p) = &r.pss {
                tags.push(format!("pss-{}", p.level.as_str()));
            }
            json!({
                "id": r.id,
                "name": r.title,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.rationale},
                "help": {"text": r.remediation, "markdown": format!("{}\n\n**Fix:** {}", r.rationale, r.remediation)},
                "helpUri": r.references[0],
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": tags, "security-severity": security_severity(r.severity), "precision": "high"},
            })
        })
        .collect();
    let rule_index = |id: &str| catalogue.rules.iter().position(|r| r.id == id);
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [location(&mut positions, f.file, f.span)],
                "properties": {"path": f.path, "object": f.object.to_string(), "document": f.document},
            });
            if let Some(i) = rule_index(f.rule) {
                result["ruleIndex"] = json!(i);
            }
            if !f.related.is_empty() {
                let related: Vec<Value> = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut l = location(&mut positions, f.file, r.span);
                        l["id"] = json!(i);
                        l["message"] = json!({"text": r.message});
                        l
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            if let Some(reason) = &f.suppressed {
                result["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [location(&mut positions, e.file, e.span)],
            })
        })
        .collect();
    let artifacts: Vec<Value> = sources
        .iter()
        .map(|s| json!({"location": {"uri": uri(&s.name)}}))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kubeharden",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "artifacts": artifacts,
            "invocations": [{"executionSuccessful": report.errors.is_empty(), "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_normalised_and_encoded() {
        assert_eq!(super::uri("./deploy/app.yaml"), "deploy/app.yaml");
        assert_eq!(super::uri("/work/x/../y z.yaml"), "file:///work/y%20z.yaml");
        assert_eq!(super::uri("../shared/a.yaml"), "../shared/a.yaml");
        assert_eq!(super::uri("-"), "stdin");
    }
}
