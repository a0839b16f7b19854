//! Renderers: findings and diagnostics as human text, JSON or SARIF. Byte spans are
//! converted to lines and columns here, once per source.

mod human;
mod json;
mod sarif;

pub use human::{human, HumanOptions};
pub use json::json;
pub(crate) use json::string as json_string;
pub use sarif::sarif;

use crate::source::{LineIndex, Position, Source, Span};

/// Line indexes of the sources, built on first use.
pub(crate) struct Positions<'s> {
    sources: &'s [Source],
    indexes: Vec<Option<LineIndex>>,
}

impl<'s> Positions<'s> {
    pub(crate) fn new(sources: &'s [Source]) -> Self {
        Positions {
            sources,
            indexes: sources.iter().map(|_| None).collect(),
        }
    }

    fn index(&mut self, file: usize) -> Option<(&'s str, &LineIndex)> {
        let text = self.sources.get(file)?.text.as_str();
        let index = self.indexes[file].get_or_insert_with(|| LineIndex::new(text));
        Some((text, index))
    }

    pub(crate) fn position(&mut self, file: usize, offset: usize) -> Position {
        match self.index(file) {
            Some((text, index)) => index.position(text, offset),
            None => Position {
                offset,
                line: 1,
                column: 1,
                utf16_column: 1,
            },
        }
    }

    pub(crate) fn range(&mut self, file: usize, span: Span) -> (Position, Position) {
        (
            self.position(file, span.start),
            self.position(file, span.end),
        )
    }

    pub(crate) fn name(&self, file: usize) -> &'s str {
        self.sources
            .get(file)
            .map_or("<unknown>", |s| s.name.as_str())
    }

    /// The source lines a span touches: (0-based line number, text).
    pub(crate) fn lines(&mut self, file: usize, span: Span) -> Vec<(usize, &'s str)> {
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
