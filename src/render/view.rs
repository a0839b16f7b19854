//! Serialisable views of report data with byte spans resolved to positions: what the
//! JSON report (version 2) writes for each finding, and what the SARIF writer and the
//! JavaScript API share. Views borrow the report and are built one finding at a time,
//! so a renderer writes as it goes instead of building a document tree first.

use std::cell::RefCell;

use super::{FileIndex, Positions};
use crate::catalogue::PssMapping;
use crate::diagnostic::{Applicability, Area, Diagnostic, Finding, ObjectRef, Severity};
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
}

impl<'s> Resolver<'s> {
    pub(crate) fn new(positions: Positions<'s>) -> Self {
        Resolver {
            positions: RefCell::new(positions),
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
    pub(crate) fn template(&self, file: impl FileIndex, offset: usize) -> Option<String> {
        self.positions
            .borrow_mut()
            .template(file, offset)
            .map(str::to_string)
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
struct FixView<'a> {
    applicability: Applicability,
    title: &'a str,
    edits: Vec<EditView<'a>>,
    /// Why the rule's fix cannot be made here; `null` when `edits` hold it.
    unavailable: Option<&'a str>,
}

/// A finding as the JSON report (version 2) writes it.
#[derive(serde::Serialize)]
pub struct FindingView<'a> {
    id: String,
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
    related: Vec<RelatedView<'a>>,
    pss: Option<&'a PssMapping>,
    fix: Option<FixView<'a>>,
    suppressed: bool,
    suppression_reason: Option<&'a str>,
    /// The chart template of the document, from `helm template`'s `# Source:` comment;
    /// absent for other input.
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<String>,
}

impl<'a> FindingView<'a> {
    pub(crate) fn new<'s: 'a>(f: &'a Finding, r: &Resolver<'s>) -> Self {
        FindingView {
            id: f.id(r.name(f.file)),
            rule: f.rule,
            severity: f.severity,
            area: f.area,
            message: &f.message,
            file: r.name(f.file),
            document: f.document as usize + 1,
            object: &f.object,
            path: &f.path,
            span: r.span(f.file, f.span),
            related: f
                .related
                .iter()
                .map(|x| RelatedView {
                    file: r.name(x.file),
                    document: x.document as usize + 1,
                    path: &x.path,
                    message: &x.message,
                    span: r.span(x.file, x.span),
                })
                .collect(),
            pss: f.pss(),
            fix: f.fix.as_ref().map(|x| FixView {
                applicability: x.applicability,
                title: &x.title,
                edits: x
                    .edits
                    .iter()
                    .map(|e| EditView {
                        file: r.name(e.file),
                        span: r.span(e.file, e.span),
                        replacement: &e.replacement,
                    })
                    .collect(),
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
