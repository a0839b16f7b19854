//! Renderers: findings and diagnostics as human text, JSON or SARIF. Byte spans are
//! converted to lines and columns here, once per source.

mod helm;
mod human;
mod json;
mod junit;
mod sarif;
mod view;

pub use human::{human, target_line, write_human, write_human_with, HumanOptions};
pub use json::{json, json_observed, write_json, write_json_with_target, JSON_VERSION};
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
    /// Per source, the line of the last position resolved ([`LineIndex::position_near`]).
    hints: Vec<usize>,
    /// The `# Source:` comments of `helm template` output, per source, built on first use.
    helm: Vec<Option<helm::HelmIndex<'s>>>,
}

impl<'s> Positions<'s> {
    pub(crate) fn new(sources: &'s [Source]) -> Self {
        Positions {
            sources,
            indexes: sources.iter().map(|_| None).collect(),
            hints: vec![0; sources.len()],
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
        let i = file.index();
        match self.sources.get(i) {
            Some(source) => {
                let text = source.text.as_str();
                let index = self.indexes[i].get_or_insert_with(|| LineIndex::new(text));
                index.position_near(text, offset, &mut self.hints[i])
            }
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
    pub(crate) fn template(&mut self, file: impl FileIndex, offset: usize) -> Option<&'s str> {
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
///
/// The same text as `similar::TextDiff::from_lines(..).unified_diff()` (Myers' algorithm
/// on lines, `\ No newline at end of file` after a last line without one), but only
/// Myers' algorithm is instantiated: `TextDiff` dispatches on its algorithm at run time,
/// which put six diff algorithms, each for several input types, into the wasm (28 KB of
/// the JavaScript package's optimized wasm, 9.2 KiB gzipped).
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    use similar::algorithms::{myers, Capture, Compact, Replace};
    use std::fmt::Write as _;
    if old == new {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut hook = Compact::new(Replace::new(Capture::new()), &old_lines, &new_lines);
    // The hook cannot fail (its error type is `Infallible`).
    let Ok(()) = myers::diff(
        &mut hook,
        &old_lines,
        0..old_lines.len(),
        &new_lines,
        0..new_lines.len(),
    );
    let ops = hook.into_inner().into_inner().into_ops();
    let mut out = String::new();
    for (i, hunk) in similar::group_diff_ops(ops, 3).iter().enumerate() {
        let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else {
            continue;
        };
        if i == 0 {
            let _ = writeln!(out, "--- {old_name}\n+++ {new_name}");
        }
        let _ = writeln!(
            out,
            "@@ -{} +{} @@",
            HunkRange(first.old_range().start, last.old_range().end),
            HunkRange(first.new_range().start, last.new_range().end)
        );
        let mut line = |tag: char, text: &str| {
            out.push(tag);
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        };
        for op in hunk {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            match tag {
                similar::DiffTag::Equal => old_lines[old_range].iter().for_each(|l| line(' ', l)),
                similar::DiffTag::Delete => old_lines[old_range].iter().for_each(|l| line('-', l)),
                similar::DiffTag::Insert => new_lines[new_range].iter().for_each(|l| line('+', l)),
                similar::DiffTag::Replace => {
                    old_lines[old_range].iter().for_each(|l| line('-', l));
                    new_lines[new_range].iter().for_each(|l| line('+', l));
                }
            }
        }
    }
    out
}

/// A hunk header's range of lines, `start,length` (one-based; `start` alone for one line,
/// the line before for an empty range), as GNU diff and `similar` write it.
struct HunkRange(usize, usize);

impl std::fmt::Display for HunkRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self.1.saturating_sub(self.0);
        match len {
            1 => write!(f, "{}", self.0 + 1),
            0 => write!(f, "{},0", self.0),
            _ => write!(f, "{},{}", self.0 + 1, len),
        }
    }
}

#[cfg(test)]
mod diff_tests {
    use super::unified_diff;

    /// What `similar`'s own unified diff writes: `unified_diff` must write the same text.
    fn reference(old: &str, new: &str) -> String {
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header("a", "b")
            .to_string()
    }

    #[test]
    fn writes_what_similar_writes() {
        let long: String = (0..40).map(|i| format!("line {i}\n")).collect();
        let edited = long
            .replace("line 3\n", "line three\n")
            .replace("line 20\n", "")
            .replace("line 35\n", "line 35\nnew\n");
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nb\nc", "a\nb\nc\n"),
            ("a\nb\nc\n", "a\nb\nc"),
            ("a\nb", "a\nc"),
            ("", "a\nb\n"),
            ("a\nb\n", ""),
            ("x\r\ny\r\n", "x\r\nz\r\n"),
            ("only", "other"),
            (long.as_str(), edited.as_str()),
            (edited.as_str(), long.as_str()),
        ];
        for (old, new) in cases {
            assert_eq!(
                unified_diff(old, new, "a", "b"),
                reference(old, new),
                "{old:?} -> {new:?}"
            );
        }
        assert_eq!(unified_diff("same\n", "same\n", "a", "b"), "");
    }
}
