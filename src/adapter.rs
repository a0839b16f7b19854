//! The thin adapter an editor (the browser playground) calls: one function to check,
//! one to harden, with transfer types that carry UTF-16 ranges (what CodeMirror and
//! the DOM count in) instead of byte spans, and the rule documentation a panel shows.

use crate::catalogue::Catalogue;
use crate::diagnostic::Severity;
use crate::engine::{Engine, Options};
use crate::fix::{fix, FindingKey, FixOptions};
use crate::source::LineIndex;

/// Byte offsets to UTF-16 offsets for one text.
pub struct Utf16 {
    /// `None` for ASCII text, where both are equal.
    table: Option<Vec<u32>>,
}

impl Utf16 {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Utf16 { table: None };
        }
        let mut table = vec![0u32; text.len() + 1];
        let mut units = 0u32;
        for (i, ch) in text.char_indices() {
            for slot in table.iter_mut().skip(i).take(ch.len_utf8()) {
                *slot = units;
            }
            units += ch.len_utf16() as u32;
        }
        table[text.len()] = units;
        Utf16 { table: Some(table) }
    }

    pub fn offset(&self, byte: usize) -> usize {
        match &self.table {
            None => byte,
            Some(t) => t[byte.min(t.len() - 1)] as usize,
        }
    }
}

/// A finding as an editor shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorFinding {
    pub rule: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub area: &'static str,
    pub message: String,
    /// `Kind namespace/name` of the object.
    pub object: String,
    pub path: String,
    /// UTF-16 range in the text.
    pub from: usize,
    pub to: usize,
    /// 1-based line and column (characters) of the start.
    pub line: usize,
    pub column: usize,
    pub pss: Option<String>,
    /// "safe" / "unsafe" when an automatic fix exists.
    pub fix: Option<&'static str>,
    pub suppressed: Option<String>,
    pub rationale: &'static str,
    pub remediation: &'static str,
    pub references: &'static [String],
}

/// A YAML error or a note, with its UTF-16 position.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorMessage {
    pub message: String,
    pub document: usize,
    pub from: usize,
    pub to: usize,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    /// Sorted by severity (most severe first), then position.
    pub findings: Vec<EditorFinding>,
    pub errors: Vec<EditorMessage>,
    pub notes: Vec<EditorMessage>,
}

fn message(
    text: &str,
    index: &LineIndex,
    utf16: &Utf16,
    d: &crate::diagnostic::Diagnostic,
) -> EditorMessage {
    let p = index.position(text, d.span.start);
    EditorMessage {
        message: d.message.clone(),
        document: d.document,
        from: utf16.offset(d.span.start),
        to: utf16.offset(d.span.end),
        line: p.line,
        column: p.column,
    }
}

/// Check one text for an editor.
pub fn check(text: &str, options: Options) -> Checked {
    let report = Engine::new(options).check_text(0, text);
    let index = LineIndex::new(text);
    let utf16 = Utf16::new(text);
    let catalogue = Catalogue::builtin();
    let mut findings: Vec<EditorFinding> = report
        .findings
        .iter()
        .filter_map(|f| {
            let rule = catalogue.get(f.rule)?;
            let p = index.position(text, f.span.start);
            Some(EditorFinding {
                rule: f.rule,
                title: &rule.title,
                severity: f.severity,
                area: f.area.as_str(),
                message: f.message.clone(),
                object: f.object.to_string(),
                path: f.path.clone(),
                from: utf16.offset(f.span.start),
                to: utf16.offset(f.span.end),
                line: p.line,
                column: p.column,
                pss: f
                    .pss
                    .as_ref()
                    .map(|p| format!("{} {}", p.level.as_str(), p.check)),
                fix: f.fix.map(|a| a.as_str()),
                suppressed: f.suppressed.clone(),
                rationale: &rule.rationale,
                remediation: &rule.remediation,
                references: &rule.references,
            })
        })
        .collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.from.cmp(&b.from))
            .then(a.rule.cmp(b.rule))
    });
    Checked {
        findings,
        errors: report
            .errors
            .iter()
            .map(|d| message(text, &index, &utf16, d))
            .collect(),
        notes: report
            .notes
            .iter()
            .map(|d| message(text, &index, &utf16, d))
            .collect(),
    }
}

/// The hardened text, its diff against the input, and what was done.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hardened {
    pub text: String,
    pub diff: String,
    pub applied: usize,
    /// (rule, path, reason) of fixes that could not be applied.
    pub skipped: Vec<(String, String, String)>,
}

/// Harden `text`: safe fixes, unsafe ones too when asked, all fixable findings or
/// only those not in `excluded`.
pub fn harden(
    text: &str,
    options: Options,
    unsafe_fixes: bool,
    excluded: &[FindingKey],
) -> Hardened {
    let only = if excluded.is_empty() {
        None
    } else {
        let report = Engine::new(options).check_text(0, text);
        Some(
            report
                .findings
                .iter()
                .filter(|f| f.fix.is_some())
                .map(FindingKey::of)
                .filter(|k| !excluded.contains(k))
                .collect(),
        )
    };
    let result = fix(
        text,
        &FixOptions {
            check: options,
            unsafe_fixes,
            only,
            rules: None,
        },
    );
    Hardened {
        diff: crate::render::unified_diff(text, &result.text, "manifest.yaml", "hardened.yaml"),
        applied: result.applied.len(),
        skipped: result
            .skipped
            .iter()
            .map(|s| {
                (
                    s.rule.to_string(),
                    s.path.clone(),
                    s.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        text: result.text,
    }
}

/// Whether a text holds something a share link should warn about: a `Secret` object
/// or a credential written as a literal value.
pub fn looks_secret(text: &str, checked: &Checked) -> bool {
    let secret_kind = text.lines().any(|l| {
        let l = l.trim();
        l == "kind: Secret"
            || l == "kind: \"Secret\""
            || l.replace(' ', "").contains("\"kind\":\"Secret\"")
    });
    secret_kind || checked.findings.iter().any(|f| f.rule == "secret-in-env")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_count_code_units() {
        let text = "a: é🦀b";
        let map = Utf16::new(text);
        assert_eq!(map.offset(3), 3);
        assert_eq!(map.offset(5), 4, "é is one unit");
        assert_eq!(map.offset(9), 6, "the crab is two");
        assert_eq!(map.offset(text.len()), 7);
    }

    #[test]
    fn check_sorts_by_severity_and_carries_docs() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";
        let checked = check(text, Options::default());
        assert_eq!(checked.findings[0].rule, "privileged-container");
        assert_eq!(checked.findings[0].line, 8);
        assert!(!checked.findings[0].rationale.is_empty());
        assert!(checked
            .findings
            .windows(2)
            .all(|w| w[0].severity >= w[1].severity));
        let hardened = harden(text, Options::default(), true, &[]);
        assert!(hardened.text.contains("privileged: false"));
        assert!(hardened
            .diff
            .contains("+    securityContext: {privileged: false"));
        let keep = harden(
            text,
            Options::default(),
            true,
            &[FindingKey {
                rule: "privileged-container".into(),
                path: "/spec/containers/0/securityContext/privileged".into(),
            }],
        );
        assert!(
            keep.text.contains("privileged: true"),
            "an excluded finding is not fixed"
        );
    }
}
