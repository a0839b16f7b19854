//! Serialisable views of report data with byte spans resolved to positions: what the
//! JSON report (version 2) writes for each finding, and what the SARIF writer and the
//! JavaScript API share. Views borrow the report and are built one finding at a time,
//! so a renderer writes as it goes instead of building a document tree first.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use super::{FileIndex, Positions};
use crate::catalogue::PssMapping;
use crate::diagnostic::{
    Applicability, Area, Diagnostic, Finding, ObjectRef, Related, Severity, TextEdit,
};
use crate::source::{Position, Span};

/// One position: 0-based byte offset, 1-based line, 1-based column in characters and in
/// UTF-16 code units, and the 0-based UTF-16 offset from the start of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PositionView {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub column_utf16: usize,
    pub offset_utf16: usize,
}

impl From<Position> for PositionView {
    fn from(p: Position) -> Self {
        PositionView {
            offset: p.offset,
            line: p.line,
            column: p.column,
            column_utf16: p.utf16_column,
            offset_utf16: p.utf16_offset,
        }
    }
}

/// A span as two positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SpanView {
    pub start: PositionView,
    pub end: PositionView,
}

/// Resolves spans of the report's sources; shared by the views of one rendering.
pub(crate) struct Resolver<'s> {
    positions: RefCell<Positions<'s>>,
    /// (address of a rule id, its PSS mapping): a report has a few dozen rules.
    pss: RefCell<Vec<(usize, Option<&'static PssMapping>)>>,
}

impl<'s> Resolver<'s> {
    pub(crate) fn new(positions: Positions<'s>) -> Self {
        Resolver {
            positions: RefCell::new(positions),
            pss: RefCell::default(),
        }
    }

    pub(crate) fn span(&self, file: impl FileIndex, span: Span) -> SpanView {
        let (start, end) = self.positions.borrow_mut().range(file, span);
        SpanView {
            start: start.into(),
            end: end.into(),
        }
    }

    /// The chart template the document at `offset` was rendered from (`# Source:`).
    pub(crate) fn template(&self, file: impl FileIndex, offset: usize) -> Option<&'s str> {
        self.positions.borrow_mut().template(file, offset)
    }

    /// The rule's place in the Pod Security Standards ([`Finding::pss`]), looked up once
    /// per rule of a rendering: findings of one rule share their id's `&'static str`.
    fn pss(&self, f: &Finding) -> Option<&'static PssMapping> {
        let mut known = self.pss.borrow_mut();
        let key = f.rule.as_ptr() as usize;
        if let Some(&(_, pss)) = known.iter().find(|(k, _)| *k == key) {
            return pss;
        }
        let pss = f.pss();
        known.push((key, pss));
        pss
    }

    /// The display name (`<stdin>` for standard input).
    pub(crate) fn name(&self, file: impl FileIndex) -> &'s str {
        self.positions.borrow().name(file)
    }

    /// The name as given (`-` for standard input).
    pub(crate) fn source_name(&self, file: impl FileIndex) -> &'s str {
        self.positions.borrow().source_name(file)
    }
}

/// A finding's [`Finding::id`], written into the output as it is formatted (the same
/// text, without a `String` per finding).
struct IdView<'a> {
    finding: &'a Finding,
    file: &'a str,
}

impl fmt::Display for IdView<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let f = self.finding;
        out.write_str(f.rule)?;
        out.write_char(':')?;
        out.write_str(self.file)?;
        write!(out, ":{}:", f.document + 1)?;
        out.write_str(&f.path)?;
        if f.repeat > 1 {
            write!(out, "~{}", f.repeat)?;
        }
        Ok(())
    }
}

impl serde::Serialize for IdView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A finding's related locations, each resolved as it is written.
struct RelatedList<'a, 's> {
    related: &'a [Related],
    r: &'a Resolver<'s>,
}

impl serde::Serialize for RelatedList<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        s.collect_seq(self.related.iter().map(|x| RelatedView {
            file: r.name(x.file),
            document: x.document as usize + 1,
            path: &x.path,
            message: &x.message,
            span: r.span(x.file, x.span),
        }))
    }
}

/// A fix's edits, each resolved as it is written.
struct EditList<'a, 's> {
    edits: &'a [TextEdit],
    r: &'a Resolver<'s>,
}

impl serde::Serialize for EditList<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        s.collect_seq(self.edits.iter().map(|e| EditView {
            file: r.name(e.file),
            span: r.span(e.file, e.span),
            replacement: &e.replacement,
        }))
    }
}

#[derive(serde::Serialize)]
struct RelatedView<'a> {
    file: &'a str,
    /// 1-based, as in every format.
    document: usize,
    path: &'a str,
    message: &'a str,
    span: SpanView,
}

#[derive(serde::Serialize)]
struct EditView<'a> {
    file: &'a str,
    span: SpanView,
    replacement: &'a str,
}

#[derive(serde::Serialize)]
struct FixView<'a, 's> {
    applicability: Applicability,
    title: &'a str,
    edits: EditList<'a, 's>,
    /// Why the rule's fix cannot be made here; `null` when `edits` hold it.
    unavailable: Option<&'a str>,
}

/// A finding as the JSON report (version 2) writes it.
#[derive(serde::Serialize)]
pub struct FindingView<'a, 's> {
    id: IdView<'a>,
    rule: &'a str,
    severity: Severity,
    area: Area,
    message: &'a str,
    file: &'a str,
    /// 1-based document number within the file.
    document: usize,
    object: &'a ObjectRef,
    path: &'a str,
    span: SpanView,
    related: RelatedList<'a, 's>,
    pss: Option<&'a PssMapping>,
    fix: Option<FixView<'a, 's>>,
    suppressed: bool,
    suppression_reason: Option<&'a str>,
    /// The chart template of the document, from `helm template`'s `# Source:` comment;
    /// absent for other input.
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<&'a str>,
}

impl<'a, 's: 'a> FindingView<'a, 's> {
    pub(crate) fn new(f: &'a Finding, r: &'a Resolver<'s>) -> Self {
        FindingView {
            id: IdView {
                finding: f,
                file: r.name(f.file),
            },
            rule: f.rule,
            severity: f.severity,
            area: f.area,
            message: &f.message,
            file: r.name(f.file),
            document: f.document as usize + 1,
            object: &f.object,
            path: &f.path,
            span: r.span(f.file, f.span),
            related: RelatedList {
                related: &f.related,
                r,
            },
            pss: r.pss(f),
            fix: f.fix.as_ref().map(|x| FixView {
                applicability: x.applicability,
                title: &x.title,
                edits: EditList { edits: &x.edits, r },
                unavailable: x.unavailable.as_deref().map(String::as_str),
            }),
            suppressed: f.suppressed.is_some(),
            suppression_reason: f.suppressed.as_deref().map(String::as_str),
            template: r.template(f.file, f.span.start),
        }
    }
}

/// A YAML error or a note.
#[derive(serde::Serialize)]
pub(crate) struct DiagnosticView<'a> {
    file: &'a str,
    document: usize,
    message: &'a str,
    span: SpanView,
}

impl<'a> DiagnosticView<'a> {
    pub(crate) fn new<'s: 'a>(d: &'a Diagnostic, r: &Resolver<'s>) -> Self {
        DiagnosticView {
            file: r.name(d.file),
            document: d.document + 1,
            message: &d.message,
            span: r.span(d.file, d.span),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Positions;
    use crate::source::Source;
    use crate::{Engine, Options};

    #[test]
    fn the_id_written_is_the_finding_id() {
        let sources = [Source::new(
            "a \"b\"\\.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x\n",
        )];
        let report = Engine::new(Options::default()).check(&sources);
        let r = Resolver::new(Positions::new(&sources));
        let mut findings = report.findings.clone();
        findings[0].repeat = 3;
        for f in &findings {
            let written = serde_json::to_string(&IdView {
                finding: f,
                file: r.name(f.file),
            })
            .unwrap();
            assert_eq!(written, serde_json::to_string(&report.id(f)).unwrap());
        }
        assert!(serde_json::to_string(&IdView {
            finding: &findings[0],
            file: r.name(findings[0].file),
        })
        .unwrap()
        .ends_with("~3\""));
    }
}
