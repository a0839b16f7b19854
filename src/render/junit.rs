//! JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins `junit`,
//! Azure Pipelines `PublishTestResults`): the element and attribute set those readers
//! share (Jenkins' `junit-10.xsd` shape; `tests/ci/junit.xsd` states it and the tests
//! validate against it).
//!
//! One `<testsuite>` per input file; in it, one `<testcase>` per finding (`<failure>`,
//! its `type` the severity; `<skipped>` when suppressed or exempted), one passing
//! `<testcase>` per object without findings, and one `<testcase>` with an `<error>` per
//! input error. `classname` is the file and `name` the rule, object and field, so a CI
//! page lists "privileged-container · Deployment prod/web · /spec/...".

use std::io::{self, Write};

use super::Positions;
use crate::diagnostic::{Finding, Report};
use crate::source::Source;

/// Text for XML: the five special characters escaped, and characters XML 1.0 cannot
/// hold (controls other than tab and newlines) replaced by U+FFFD.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Write a report as JUnit XML to `out`.
pub fn write_junit(mut out: impl Write, report: &Report, sources: &[Source]) -> io::Result<()> {
    let mut positions = Positions::new(sources);
    let failures = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();
    let skipped = report.findings.len() - failures;
    // Objects without findings are passing test cases.
    let found: std::collections::HashSet<(usize, usize, &crate::diagnostic::ObjectRef)> = report
        .findings
        .iter()
        .map(|f| (f.file as usize, f.document as usize, &*f.object))
        .collect();
    let clean: Vec<bool> = report
        .objects
        .iter()
        .map(|o| !found.contains(&(o.file, o.document, &*o.object)))
        .collect();
    let tests = report.findings.len() + report.errors.len() + clean.iter().filter(|c| **c).count();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"kubeharden\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\" skipped=\"{skipped}\" time=\"0\">",
        report.errors.len()
    )?;
    for (file, _) in sources.iter().enumerate() {
        let name = escape(positions.name(file));
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.file as usize == file)
            .collect();
        let errors: Vec<_> = report.errors.iter().filter(|e| e.file == file).collect();
        let passing: Vec<_> = report
            .objects
            .iter()
            .zip(&clean)
            .filter(|(o, c)| o.file == file && **c)
            .map(|(o, _)| o)
            .collect();
        let fails = findings.iter().filter(|f| f.suppressed.is_none()).count();
        writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{fails}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
            findings.len() + errors.len() + passing.len(),
            errors.len(),
            findings.len() - fails
        )?;
        for e in &errors {
            let p = positions.position(file, e.span.start);
            writeln!(
                out,
                "    <testcase classname=\"{name}\" name=\"read {name}\" file=\"{name}\" line=\"{}\" time=\"0\">\n      <error message=\"{}\" type=\"input\">{name}:{}:{} (document {})</error>\n    </testcase>",
                p.line,
                escape(&e.message),
                p.line,
                p.column,
                e.document + 1
            )?;
        }
        for f in &findings {
            let p = positions.position(file, f.span.start);
            let case = format!("{} · {} · {}", f.rule, f.object, f.path);
            writeln!(
                out,
                "    <testcase classname=\"{name}\" name=\"{}\" file=\"{name}\" line=\"{}\" time=\"0\">",
                escape(&case),
                p.line
            )?;
            match &f.suppressed {
                Some(reason) => writeln!(
                    out,
                    "      <skipped message=\"suppressed: {}\"/>",
                    escape(reason)
                )?,
                None => {
                    let mut body = format!(
                        "{} {}: {}\n  at {}:{}:{} (document {}) · {} · {}\n  id: {}\n",
                        f.severity,
                        f.rule,
                        f.message,
                        positions.name(file),
                        p.line,
                        p.column,
                        f.document + 1,
                        f.object,
                        f.path,
                        report.id(f)
                    );
                    if let Some(t) = positions.template(file, f.span.start) {
                        body.push_str(&format!("  chart template: {t}\n"));
                    }
                    if let Some(pss) = f.pss() {
                        body.push_str(&format!(
                            "  Pod Security Standards {}: {}\n",
                            pss.level.as_str(),
                            pss.check
                        ));
                    }
                    if let Some(fix) = &f.fix {
                        body.push_str(&format!(
                            "  fix ({}): {}\n",
                            fix.applicability.as_str(),
                            fix.title
                        ));
                    }
                    writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        escape(&f.message),
                        f.severity,
                        escape(&body)
                    )?;
                }
            }
            writeln!(out, "    </testcase>")?;
        }
        for o in passing {
            let p = positions.position(file, o.span.start);
            writeln!(
                out,
                "    <testcase classname=\"{name}\" name=\"{}\" file=\"{name}\" line=\"{}\" time=\"0\"/>",
                escape(&o.object.to_string()),
                p.line
            )?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// The JUnit XML report as a string.
pub fn junit(report: &Report, sources: &[Source]) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail; the text is UTF-8.
    let _ = write_junit(&mut out, report, sources);
    String::from_utf8(out).unwrap_or_default()
}
