//! Source text, byte spans and the one conversion from bytes to line/column.
//!
//! Everything inside the engine is a byte offset into the original text. Lines and
//! columns are derived once, at the edges, through a [`LineIndex`].

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// One input: a display name (a path, or `-` for stdin) and its full text.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A position derived from a byte offset: 1-based line, 1-based column counted in
/// characters, and the 1-based column counted in UTF-16 code units (what editors and
/// SARIF use), plus the 0-based offset in UTF-16 code units from the start of the text
/// (what JavaScript strings and CodeMirror count in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 0-based byte offset (moved back to a character boundary).
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub utf16_column: usize,
    pub utf16_offset: usize,
}

/// Line starts of one text, computed once. LF, CRLF and lone CR all end a line, as in YAML.
/// The one conversion from byte offsets to lines and columns that every edge uses.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// UTF-16 offset of each line start; `None` for ASCII text, where it equals the byte offset.
    utf16_starts: Option<Vec<usize>>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
        let mut line_break = |i: usize| match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
            _ => {}
        };
        // Eight bytes at a time: a word with no byte below 14 (`\n` is 10, `\r` 13) holds
        // no line break, and most words of a manifest hold none. Native only: the
        // playground's first download is at its size budget.
        #[cfg(not(target_arch = "wasm32"))]
        let at = {
            const ONES: u64 = u64::MAX / 255;
            let mut at = 0;
            for word in bytes.chunks_exact(8) {
                let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
                if w.wrapping_sub(ONES * 14) & !w & (ONES * 0x80) != 0 {
                    (at..at + 8).for_each(&mut line_break);
                }
                at += 8;
            }
            at
        };
        #[cfg(target_arch = "wasm32")]
        let at = 0;
        (at..bytes.len()).for_each(line_break);
        let utf16_starts = (!text.is_ascii()).then(|| {
            let mut units = 0;
            let mut out = Vec::with_capacity(starts.len());
            let mut prev = 0;
            for &start in &starts {
                units += utf16_len(&text[prev..start]);
                out.push(units);
                prev = start;
            }
            out
        });
        LineIndex {
            starts,
            utf16_starts,
        }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of 0-based `line`, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line);
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        text.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Convert a byte offset (clamped to the text and to a char boundary) to a position.
    /// Columns do not count a byte order mark at the start of the text; offsets do.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = char_boundary(text, offset);
        self.position_on(text, offset, self.line_of(offset))
    }

    /// [`LineIndex::position`], looking for the line from `hint` (the line of the last
    /// position asked for, which this updates) before searching every line: a report's
    /// positions mostly ascend, a few lines apart.
    pub fn position_near(&self, text: &str, offset: usize, hint: &mut usize) -> Position {
        let offset = char_boundary(text, offset);
        let starts = &self.starts;
        let mut line = (*hint).min(starts.len() - 1);
        if starts[line] <= offset {
            for _ in 0..8 {
                match starts.get(line + 1) {
                    Some(&next) if next <= offset => line += 1,
                    _ => break,
                }
            }
        }
        if starts[line] > offset || starts.get(line + 1).is_some_and(|&next| next <= offset) {
            line = self.line_of(offset);
        }
        *hint = line;
        self.position_on(text, offset, line)
    }

    /// The position of `offset` (a character boundary of `text`) on 0-based `line`.
    fn position_on(&self, text: &str, offset: usize, line: usize) -> Position {
        let prefix = &text[self.line_start(line)..offset];
        let prefix = prefix.trim_end_matches(['\r', '\n']);
        // A byte order mark is not a column: editors hide it (the offsets keep it).
        let prefix = if line == 0 {
            prefix.strip_prefix('\u{feff}').unwrap_or(prefix)
        } else {
            prefix
        };
        let (chars, units) = if prefix.is_ascii() {
            (prefix.len(), prefix.len())
        } else {
            (prefix.chars().count(), prefix.encode_utf16().count())
        };
        let line_start = self.line_start(line);
        let utf16_offset = match &self.utf16_starts {
            None => offset,
            Some(starts) => starts[line] + utf16_len(&text[line_start..offset]),
        };
        Position {
            offset,
            line: line + 1,
            column: chars + 1,
            utf16_column: units + 1,
            utf16_offset,
        }
    }
}

/// `offset` clamped to the text and moved back to a character boundary.
fn char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = "\u{feff}apiVersion: v1\nkind: Pod\n";
        let index = LineIndex::new(text);
        let p = index.position(text, 3);
        assert_eq!((p.line, p.column, p.utf16_column, p.offset), (1, 1, 1, 3));
        assert_eq!(index.position(text, 3 + "apiVersion: ".len()).column, 13);
        assert_eq!(index.position(text, text.find("kind").unwrap()).column, 1);
    }
    use super::*;

    #[test]
    fn line_starts_are_found_in_every_place_of_a_word() {
        // Every break (LF, CRLF, lone CR) at every offset of an 8-byte word, and bytes
        // just above the break bytes (`\x0e`) that must not be taken for one.
        for pad in 0..17 {
            for brk in ["\n", "\r\n", "\r", "\x0e", "\t"] {
                let text = format!("{}{brk}é{}{brk}{brk}x", "a".repeat(pad), "b".repeat(pad));
                let mut expected = vec![0];
                let b = text.as_bytes();
                for i in 0..b.len() {
                    if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                        expected.push(i + 1);
                    }
                }
                assert_eq!(LineIndex::new(&text).starts, expected, "{text:?}");
            }
        }
    }

    #[test]
    fn a_position_near_a_hint_is_the_position() {
        let text = "a: é\r\n🦀: x\rz: 1\n\n\nb: [1,\n  2]\nc: d\n";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        // Ascending, descending and jumping, from every hint.
        for start in 0..index.line_count() + 2 {
            let mut hint = start;
            for &o in offsets
                .iter()
                .chain(offsets.iter().rev())
                .chain([3, 30, 1, 25].iter())
            {
                assert_eq!(
                    index.position_near(text, o, &mut hint),
                    index.position(text, o)
                );
            }
        }
    }

    #[test]
    fn positions_count_chars_and_utf16_units() {
        let text = "a: é\r\n🦀: x\rz: 1\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let x = text.find('x').unwrap();
        let p = index.position(text, x);
        assert_eq!((p.line, p.column, p.utf16_column), (2, 4, 5));
        let z = text.find('z').unwrap();
        assert_eq!(index.position(text, z).line, 3);
        assert_eq!(index.line_text(text, 0), "a: é");
        // An offset inside a multi-byte character is clamped to its start.
        let e = text.find('é').unwrap();
        assert_eq!(index.position(text, e + 1).offset, e);
        // UTF-16 offsets from the start of the text: é is one unit, the crab two.
        assert_eq!(index.position(text, x).utf16_offset, 10);
        assert_eq!(index.position(text, text.len()).utf16_offset, 17);
        let ascii = LineIndex::new("a\nbc");
        assert_eq!(ascii.position("a\nbc", 3).utf16_offset, 3);
    }
}
