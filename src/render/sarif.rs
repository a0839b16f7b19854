//! SARIF 2.1.0 for code-scanning uploads: one run, the catalogue as rule metadata,
//! exact regions in UTF-16 columns, related locations in any file, each finding's id as
//! a partial fingerprint and its fix as SARIF `fixes`. Written as it goes: the run's
//! envelope, then one result per line, each serialised when it is written.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{json, Value};

use super::view::Resolver;
use super::{FileIndex, Positions};
use crate::catalogue::Catalogue;
use crate::diagnostic::{Finding, Report, Severity};
use crate::source::{Source, Span};
use crate::support::{Status, TargetSupport};

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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedRegion {
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
struct Content<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: DeletedRegion,
    inserted_content: Content<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
struct Properties<'a> {
    path: &'a str,
    object: String,
    /// 1-based, as in every format.
    document: usize,
    /// The chart template (`helm template`'s `# Source:` comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<String>,
}

#[derive(Serialize)]
struct Fingerprints {
    /// The finding's stable id (rule, file, document, pointer): code scanning matches
    /// results across runs by it.
    #[serde(rename = "kubehardenFindingId/v1")]
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: Properties<'a>,
}

struct Writer<'s> {
    resolver: Resolver<'s>,
}

impl Writer<'_> {
    fn physical(&self, file: impl FileIndex, span: Span) -> PhysicalLocation {
        let s = self.resolver.span(file, span);
        PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(self.resolver.source_name(file)),
                index: file.index(),
            },
            region: Region {
                start_line: s.start.line,
                start_column: s.start.column_utf16,
                end_line: s.end.line,
                end_column: s.end.column_utf16,
                byte_offset: s.start.offset,
                byte_length: s.end.offset - s.start.offset,
            },
        }
    }

    fn result<'a>(&self, f: &'a Finding, rule_index: Option<usize>) -> SarifResult<'a> {
        let fixes = match &f.fix {
            Some(fix) if fix.unavailable.is_none() => {
                let mut changes: Vec<ArtifactChange> = Vec::new();
                for e in &fix.edits {
                    if changes
                        .last()
                        .is_none_or(|c| c.artifact_location.index != e.file)
                    {
                        changes.push(ArtifactChange {
                            artifact_location: ArtifactLocation {
                                uri: uri(self.resolver.source_name(e.file)),
                                index: e.file,
                            },
                            replacements: Vec::new(),
                        });
                    }
                    if let Some(change) = changes.last_mut() {
                        change.replacements.push(Replacement {
                            deleted_region: DeletedRegion {
                                byte_offset: e.span.start,
                                byte_length: e.span.len(),
                            },
                            inserted_content: Content {
                                text: &e.replacement,
                            },
                        });
                    }
                }
                vec![SarifFix {
                    description: Message { text: &fix.title },
                    artifact_changes: changes,
                }]
            }
            _ => Vec::new(),
        };
        SarifResult {
            rule_id: f.rule,
            rule_index,
            level: level(f.severity),
            message: Message { text: &f.message },
            locations: [Location {
                id: None,
                physical_location: self.physical(f.file, f.span),
                message: None,
            }],
            related_locations: f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| Location {
                    id: Some(i),
                    physical_location: self.physical(r.file, r.span),
                    message: Some(Message { text: &r.message }),
                })
                .collect(),
            partial_fingerprints: Fingerprints {
                id: f.id(self.resolver.name(f.file)),
            },
            fixes,
            suppressions: f
                .suppressed
                .as_deref()
                .map(|reason| Suppression {
                    // A configuration file's exemption or a baseline is outside the
                    // manifest; an annotation is in it.
                    kind: if reason.starts_with("exempted by ")
                        || reason.starts_with("in the baseline ")
                    {
                        "external"
                    } else {
                        "inSource"
                    },
                    justification: reason,
                })
                .into_iter()
                .collect(),
            properties: Properties {
                path: &f.path,
                object: f.object.to_string(),
                document: f.document as usize + 1,
                template: self
                    .resolver
                    .template(f.file, f.span.start)
                    .map(str::to_string),
            },
        }
    }
}

fn rules_metadata(catalogue: &Catalogue) -> Vec<Value> {
    catalogue
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
                "helpUri": r.references.first(), // none without the `rule-docs` feature
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": tags, "security-severity": security_severity(r.severity), "precision": "high"},
            })
        })
        .collect()
}

/// Write a report as a SARIF 2.1.0 log to `out`.
pub fn write_sarif(out: impl Write, report: &Report, sources: &[Source]) -> io::Result<()> {
    write_sarif_with(out, report, sources, Catalogue::builtin())
}

/// [`write_sarif`] with the rule metadata of `catalogue`: the one a configuration file
/// made ([`crate::config::Config::catalogue`]: its severities and custom rules).
pub fn write_sarif_with(
    out: impl Write,
    report: &Report,
    sources: &[Source],
    catalogue: &Catalogue,
) -> io::Result<()> {
    write_sarif_with_target(out, report, sources, catalogue, None)
}

/// [`write_sarif_with`], and the target version's support status, when
/// [`TargetSupport::worth_saying`], as a tool execution notification of the invocation
/// (descriptor `target-version-support`; level `warning` past the end of support or before
/// the release, `note` otherwise): it is about the run, not a place in a file.
pub fn write_sarif_with_target(
    mut out: impl Write,
    report: &Report,
    sources: &[Source],
    catalogue: &Catalogue,
    target: Option<&TargetSupport>,
) -> io::Result<()> {
    let writer = Writer {
        resolver: Resolver::new(Positions::new(sources)),
    };
    let mut notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": writer.physical(e.file, e.span)}],
            })
        })
        .collect();
    if let Some(t) = target.filter(|t| t.worth_saying()) {
        let level = match t.status {
            Status::EndOfLife | Status::NotReleased => "warning",
            _ => "note",
        };
        notifications.push(json!({
            "level": level,
            "message": {"text": t.note()},
            "descriptor": {"id": "target-version-support"},
        }));
    }
    let artifacts: Vec<Value> = sources
        .iter()
        .map(|s| {
            // A URI cannot hold `<stdin>`: the artifact's description names it as every
            // other format does.
            if s.name == "-" {
                json!({"location": {"uri": uri(&s.name)}, "description": {"text": "<stdin>"}})
            } else {
                json!({"location": {"uri": uri(&s.name)}})
            }
        })
        .collect();
    let driver = json!({
        "name": "kubeharden",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        "rules": rules_metadata(catalogue),
    });
    let invocations = json!([{"executionSuccessful": report.errors.is_empty(), "toolExecutionNotifications": notifications}]);
    out.write_all(b"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\"driver\": ")?;
    serde_json::to_writer(&mut out, &driver).map_err(io::Error::from)?;
    out.write_all(b"},\n      \"columnKind\": \"utf16CodeUnits\",\n      \"artifacts\": ")?;
    serde_json::to_writer(&mut out, &artifacts).map_err(io::Error::from)?;
    out.write_all(b",\n      \"invocations\": ")?;
    serde_json::to_writer(&mut out, &invocations).map_err(io::Error::from)?;
    out.write_all(b",\n      \"results\": [")?;
    for (i, f) in report.findings.iter().enumerate() {
        out.write_all(if i == 0 {
            b"\n        "
        } else {
            b",\n        "
        })?;
        let rule_index = catalogue
            .rules
            .binary_search_by(|r| r.id.as_str().cmp(f.rule))
            .ok();
        let result = writer.result(f, rule_index);
        serde_json::to_writer(&mut out, &result).map_err(io::Error::from)?;
    }
    out.write_all(if report.findings.is_empty() {
        b"]"
    } else {
        b"\n      ]"
    })?;
    out.write_all(b"\n    }\n  ]\n}\n")
}

/// The SARIF log as a string.
pub fn sarif(report: &Report, sources: &[Source]) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail, and serde_json writes UTF-8.
    let _ = write_sarif(&mut out, report, sources);
    String::from_utf8(out).unwrap_or_default()
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

    #[test]
    fn the_streamed_log_is_one_json_document() {
        let sources = [crate::Source::new(
            "-",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n",
        )];
        let report = crate::Engine::new(crate::Options::default()).check(&sources);
        let log: serde_json::Value =
            serde_json::from_str(&super::sarif(&report, &sources)).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), report.findings.len());
        assert!(log["runs"][0]["tool"]["driver"]["rules"].is_array());
        assert_eq!(
            results[0]["partialFingerprints"]["kubehardenFindingId/v1"],
            report.id(&report.findings[0]).as_str()
        );
        let empty: serde_json::Value =
            serde_json::from_str(&super::sarif(&crate::Report::default(), &[])).unwrap();
        assert_eq!(empty["runs"][0]["results"], serde_json::json!([]));
    }
}
