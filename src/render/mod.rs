//! Renderers: findings and diagnostics as human text, JSON or SARIF. Byte spans are
//! converted to lines and columns here, once per source.

mod helm;
mod human;
mod json;
mod junit;
mod sarif;
mod view;

pub use human::{human, target_line, write_human, write_human_with, HumanOptions};
pub use json::{json, write_json, write_json_with_target, JSON_VERSION};
pub use junit::{junit, write_junit};
pub use sarif::{sarif, write_sarif, write_sarif_with, write_sarif_with_target};
pub use view::{FindingView, PositionView, SpanView};

/// Append `s` as a JSON string literal.
pub(crate) fn json_string(out: &mut String, s: &str) {
    // serde_json escapes exactly as JSON requires; a String cannot fail to serialise.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

use crate::source::{LineIndex, Position, Source, Span};

/// A source index as the report types hold it: `u32` in findings and their related
/// locations (a run may hold hundreds of thousands), `usize` elsewhere.
pub(crate) trait FileIndex: Copy {
    fn index(self) -> usize;
}

impl FileIndex for usize {
    fn index(self) -> usize {
        self
    }
}

impl FileIndex for u32 {
    fn index(self) -> usize {
        self as usize
    }
}

/// Line indexes of the sources, built on first use.
pub(crate) struct Positions<'s> {
    sources: &'s [Source],
    indexes: Vec<Option<LineIndex>>,
    /// The `# Source:` comments of `helm template` output, per source, built on first use.
    helm: Vec<Option<helm::HelmIndex>>,
}

impl<'s> Positions<'s> {
    pub(crate) fn new(sources: &'s [Source]) -> Self {
        Positions {
            sources,
            indexes: sources.iter().map(|_| None).collect(),
            helm: sources.iter().map(|_| None).collect(),
        }
    }

    fn index(&mut self, file: impl FileIndex) -> Option<(&'s str, &LineIndex)> {
        let file = file.index();
        let text = self.sources.get(file)?.text.as_str();
        let index = self.indexes[file].get_or_insert_with(|| LineIndex::new(text));
        Some((text, index))
    }

    pub(crate) fn position(&mut self, file: impl FileIndex, offset: usize) -> Position {
        match self.index(file) {
            Some((text, index)) => index.position(text, offset),
            None => Position {
                offset,
                line: 1,
                column: 1,
                utf16_column: 1,
                utf16_offset: offset,
            },
        }
    }

    pub(crate) fn range(&mut self, file: impl FileIndex, span: Span) -> (Position, Position) {
        (
            self.position(file, span.start),
            self.position(file, span.end),
        )
    }

    /// The chart template (`web/templates/deploy.yaml`) of the document at `offset` of
    /// source `file`, when the text is `helm template` output with `# Source:` comments.
    pub(crate) fn template(&mut self, file: impl FileIndex, offset: usize) -> Option<&str> {
        let file = file.index();
        let text = self.sources.get(file)?.text.as_str();
        self.helm[file]
            .get_or_insert_with(|| helm::HelmIndex::new(text))
            .template(offset)
    }

    /// The name of a source as given (`-` for standard input).
    pub(crate) fn source_name(&self, file: impl FileIndex) -> &'s str {
        self.sources
            .get(file.index())
            .map_or("<unknown>", |s| s.name.as_str())
    }

    /// The display name of a source: its path, or `<stdin>` for standard input.
    pub(crate) fn name(&self, file: impl FileIndex) -> &'s str {
        self.sources
            .get(file.index())
            .map_or("<unknown>", |s| display_name(&s.name))
    }

    /// The source lines a span touches: (0-based line number, text).
    pub(crate) fn lines(&mut self, file: impl FileIndex, span: Span) -> Vec<(usize, &'s str)> {
        let Some((text, index)) = self.index(file) else {
            return Vec::new();
        };
        let first = index.line_of(span.start.min(text.len()));
        let last = index.line_of(span.end.saturating_sub(1).max(span.start).min(text.len()));
        (first..=last)
            .map(|l| (l, index.line_text(text, l)))
            .collect()
    }
}

/// How every format names a source: `-` (standard input) is `<stdin>`.
pub fn display_name(name: &str) -> &str {
    if name == "-" {
        "<stdin>"
    } else {
        name
    }
}

/// A unified diff of two texts (three lines of context), for `fix --diff` and the
/// playground. Empty when the texts are equal.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}
