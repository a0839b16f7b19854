//! Baselines for adopting kubeharden on an existing repository: `check --write-baseline
//! FILE` records the ids ([`kubeharden::Finding::id`]: rule, file, document, field) of
//! today's unsuppressed findings; `check --baseline FILE` suppresses the findings whose ids
//! it records, so only new ones fail the run. Ids hold the file names as the inputs were
//! named: run both from the same directory with the same paths.
//!
//! The file is JSON: `{"version": 1, "tool": "kubeharden", "findings": [{"id", "rule",
//! "message"}, ...]}`, sorted by id so that it diffs well; only `id` is read back.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use kubeharden::Report;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    tool: String,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    rule: String,
    message: String,
}

/// The baseline of a report: every unsuppressed finding.
pub fn write(path: &Path, report: &Report) -> Result<usize, String> {
    let mut findings: Vec<Entry> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| Entry {
            id: report.id(f),
            rule: f.rule.to_string(),
            message: f.message.to_string(),
        })
        .collect();
    findings.sort_by(|a, b| a.id.cmp(&b.id));
    let n = findings.len();
    let file = BaselineFile {
        version: 1,
        tool: "kubeharden".into(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| format!("cannot write the baseline {}: {e}", path.display()))?;
    Ok(n)
}

/// Suppress the findings `path` records; returns (suppressed, recorded ids no finding has
/// any more: fixed since).
pub fn apply(path: &Path, report: &mut Report) -> Result<(usize, usize), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a kubeharden baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if file.version != 1 {
        return Err(format!(
            "{}: baseline version {} is not 1: write it again with --write-baseline",
            path.display(),
            file.version
        ));
    }
    let ids: HashSet<&str> = file.findings.iter().map(|e| e.id.as_str()).collect();
    let reason = Arc::new(format!("in the baseline {}", path.display()));
    let mut seen = HashSet::new();
    let mut suppressed = 0;
    let files = report.files.clone();
    for f in &mut report.findings {
        let id = f.id(files.get(f.file as usize).map_or("", |n| n.as_str()));
        if let Some(&known) = ids.get(id.as_str()) {
            seen.insert(known);
            if f.suppressed.is_none() {
                f.suppressed = Some(reason.clone());
                suppressed += 1;
            }
        }
    }
    Ok((suppressed, ids.len() - seen.len()))
}
