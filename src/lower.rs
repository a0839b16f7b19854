//! Fix lowering: each [`Op`] a rule attaches to a hit becomes a text replacement or an
//! insertion below an existing mapping, computed by the engine after the checks while
//! the bundle's trees are at hand. [`merge`] turns the intents of one or several fixes
//! into the text edits of one source: the insertions of all fixes into one mapping
//! become one block, written in the document's own style.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::rules::{NewValue, Op};
use crate::source::Span;
use crate::yaml::{Document, NodeId, NodeKind, ScalarStyle};

/// How this document writes YAML, copied into everything inserted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    /// A JSON document: keys and strings quoted, flow collections only.
    pub json: bool,
    /// Indentation step of nested mappings.
    pub unit: usize,
    /// Block sequences written flush with their key (`key:\n- item`).
    pub flush: bool,
    pub newline: &'static str,
}

/// A value to insert: a scalar or a list of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Leaf {
    Value(NewValue),
    List(Vec<String>),
}

/// Where new keys go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A block mapping: new lines at `at` (the end of its last line), keys at `indent`.
    Block { at: usize, indent: usize },
    /// A flow mapping: text at `at`; `first` when it has no entries. With `lines` (the
    /// mapping is written one entry per line) new entries go on lines of their own, and
    /// `at..end` is a comment after the last entry that the new entries go below.
    /// Without, they follow the last entry on its line, after `, `.
    Flow {
        at: usize,
        end: usize,
        first: bool,
        lines: Option<Lines>,
    },
    /// A key whose value is null: the value is replaced by what is inserted; with
    /// `lines` (the key sits on a line of its own in a flow mapping written one entry per
    /// line) a new mapping opens on the key's line and lists its entries below.
    Null {
        value: Span,
        line_end: usize,
        key_indent: usize,
        flow: bool,
        lines: Option<Lines>,
    },
}

/// How a flow collection written one entry per line lays its entries out, copied into
/// new entries: `{` and `[` in JSON documents and in YAML flow style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lines {
    /// The blanks before an entry on its line (spaces or tabs, as written).
    pub indent: String,
    /// One more level, the collection's own step: the indentation of its entries minus
    /// that of the line it opens on (`"  "`, `"    "`, `"\t"`).
    pub unit: String,
    /// The text before each entry where commas lead the lines (`, key: value`).
    pub lead: Option<String>,
    /// The last entry is followed by a comma (YAML allows it; JSON does not): new
    /// entries are too.
    pub trailing: bool,
    /// Lists of scalars in new values are written one item per line, as the document's
    /// own lists are (JSON pretty-printers write them so; YAML authors rarely).
    pub list_lines: bool,
}

/// The entries `entries` (rendered) appended to a flow collection laid out by `lines`,
/// after its last entry: commas placed as the neighbours place them, and `kept` (a
/// comment after the last entry) left on its line.
fn append_lines(lines: &Lines, kept: &str, entries: &[String], newline: &str) -> String {
    let mut out = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if lines.lead.is_none() && (i > 0 || !lines.trailing) {
            out.push(',');
        }
        if i == 0 {
            out.push_str(kept);
        }
        out.push_str(newline);
        out.push_str(lines.lead.as_deref().unwrap_or(&lines.indent));
        out.push_str(entry);
    }
    if lines.trailing && lines.lead.is_none() {
        out.push(',');
    }
    out
}

/// A value for an entry at `indent` of a collection laid out by `lines`: a non-empty
/// mapping (and a list of collections, or of scalars when `lines.list_lines`) opens on
/// the entry's line, holds one entry per line one `unit` deeper, and closes at
/// `indent`; anything else is written on one line.
fn value_lines(value: &NewValue, indent: &str, lines: &Lines, style: Style) -> String {
    let inner = format!("{indent}{}", lines.unit);
    let (open, close, members): (char, char, Vec<String>) = match value {
        NewValue::Map(entries) if !entries.is_empty() => (
            '{',
            '}',
            entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        key(k, style),
                        value_lines(v, &inner, lines, style)
                    )
                })
                .collect(),
        ),
        NewValue::List(items)
            if !items.is_empty()
                && (lines.list_lines || items.iter().any(NewValue::is_structured)) =>
        {
            (
                '[',
                ']',
                items
                    .iter()
                    .map(|i| value_lines(i, &inner, lines, style))
                    .collect(),
            )
        }
        v => return flow_value(v, style),
    };
    let newline = style.newline;
    let separator = format!(",{newline}{inner}");
    format!(
        "{open}{newline}{inner}{}{newline}{indent}{close}",
        members.join(&separator)
    )
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// (document index, node): insertions into the same node are merged.
    pub key: (usize, NodeId),
    pub shape: Shape,
    pub style: Style,
}

/// A change to the source text, before merging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Intent {
    Replace {
        span: Span,
        text: String,
    },
    Insert {
        target: Target,
        path: Vec<String>,
        leaf: Leaf,
    },
    /// An item of a block list under a key removed (`span` replaced by `text`). When one
    /// merge removes every item of that list (`items` of them, told apart by span), the
    /// key goes with them instead (`whole`: the removal of the key and its list): a key
    /// left alone (`add:`) would read as null.
    RemoveItem {
        span: Span,
        text: String,
        /// The list's span: the same list in every fix of one text.
        list: Span,
        items: usize,
        whole: Box<(Span, String)>,
    },
}

pub(crate) struct Planner<'a> {
    text: &'a str,
    doc: &'a Document<'a>,
    /// Detected on the first fix that needs it: documents without fixes never pay.
    style: std::cell::OnceCell<Style>,
    /// [`Lines::list_lines`], detected on the first insertion into a collection written
    /// one entry per line.
    list_lines: std::cell::OnceCell<bool>,
    /// Whether `text` has a CRLF line break anywhere (0: not known yet, 1: no, 2: yes),
    /// shared by the planners of one file ([`Planner::sharing_crlf`]): each new document
    /// appended to a file asks, and a file may be megabytes long.
    crlf: Option<&'a AtomicU8>,
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The end of the line holding `at`, before its line break.
pub(crate) fn line_end(text: &str, at: usize) -> usize {
    text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i)
}

fn break_len(text: &str, at: usize) -> usize {
    if text[at..].starts_with("\r\n") {
        2
    } else if text[at..].starts_with(['\n', '\r']) {
        1
    } else {
        0
    }
}

/// `at` moved back over trailing blanks and line breaks (block scalars end after them).
fn content_end(text: &str, mut at: usize, floor: usize) -> usize {
    while at > floor && matches!(text.as_bytes()[at - 1], b' ' | b'\t' | b'\n' | b'\r') {
        at -= 1;
    }
    at
}

fn column(text: &str, at: usize) -> usize {
    at - line_start(text, at)
}

/// Comments (`# …`) on the lines of `range`, outside quotes.
fn comments(text: &str, range: Span) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text[range.start..range.end].split(['\n', '\r']) {
        let (mut single, mut double, mut prev_blank) = (false, false, true);
        for (i, ch) in line.char_indices() {
            match ch {
                '\'' if !double => single = !single,
                '"' if !single => double = !double,
                '#' if !single && !double && prev_blank => {
                    out.push(line[i..].trim_end());
                    break;
                }
                _ => {}
            }
            prev_blank = ch == ' ' || ch == '\t';
        }
    }
    out
}

/// Detect the document's indentation step, sequence style, line endings and JSON-ness.
pub(crate) fn detect_style(text: &str, doc: &Document) -> Style {
    // The document's own first line break (not the whole file's: a stream of many
    // documents would be scanned once per document).
    let own = text.get(doc.span.start..doc.span.end).unwrap_or(text);
    let newline = match own.find(['\n', '\r']) {
        Some(i) if own[i..].starts_with("\r\n") => "\r\n",
        Some(_) => "\n",
        None if text.contains("\r\n") => "\r\n",
        None => "\n",
    };
    let json = doc
        .root
        .is_some_and(|r| doc.node(r).flow() && text[doc.node(r).span().start..].starts_with('{'));
    let (mut unit, mut flush) = (None, None);
    let mut stack: Vec<NodeId> = doc.root.into_iter().collect();
    while let Some(id) = stack.pop() {
        if unit.is_some() && flush.is_some() {
            break;
        }
        let node = doc.node(id);
        if node.flow() || node.shared() {
            continue;
        }
        for &(k, v) in doc.entries(id) {
            let child = doc.node(v);
            if child.flow() || child.shared() {
                continue;
            }
            let key_col = column(text, doc.node(k).span().start);
            if let (NodeKind::Map(entries), None) = (doc.kind(v), unit) {
                if let Some(&(ck, _)) = entries.first() {
                    let d = column(text, doc.node(ck).span().start).saturating_sub(key_col);
                    if (1..=8).contains(&d)
                        && text
                            [line_start(text, doc.node(ck).span().start)..doc.node(ck).span().start]
                            .trim()
                            .is_empty()
                    {
                        unit = Some(d);
                    }
                }
            }
            if let (NodeKind::Seq(items), None) = (doc.kind(v), flush) {
                if let Some(&first) = items.first() {
                    if let Some(dash) = dash_before(text, doc.node(first).span().start) {
                        flush = Some(column(text, dash) == key_col);
                    }
                }
            }
            stack.push(v);
        }
        stack.extend(doc.items(id).iter().copied());
    }
    Style {
        json,
        unit: unit.unwrap_or(2),
        flush: flush.unwrap_or(false),
        newline,
    }
}

/// The `-` indicator of a block sequence item starting at `item`.
fn dash_before(text: &str, item: usize) -> Option<usize> {
    let before = text[..item].trim_end_matches([' ', '\t']);
    before.ends_with('-').then(|| before.len() - 1)
}

fn needs_quotes(s: &str) -> bool {
    s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'))
        || !s.as_bytes()[0].is_ascii_alphabetic()
        || crate::yaml::resolve::resolve_plain(s) != crate::yaml::Value::Str
}

/// Whether `s` can be written as a plain YAML scalar that reads back as this string: no
/// leading indicator or blank, no `: ` or ` #`, no line break, not resolved to another type
/// (`true`, `1.5`), and in flow collections none of `,[]{}`.
fn plain_string(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !first.is_whitespace()
        && !s.ends_with(char::is_whitespace)
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\r', '\t'])
        && !(in_flow && s.contains([',', '[', ']', '{', '}']))
        && crate::yaml::resolve::resolve_plain(s) == crate::yaml::Value::Str
}

pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::new();
    crate::render::json_string(&mut out, s);
    out
}

/// A value written on one line: a scalar, or a flow collection (`{a: [b]}`; JSON in
/// JSON documents).
pub(crate) fn flow_value(value: &NewValue, style: Style) -> String {
    match value {
        NewValue::Bool(b) => b.to_string(),
        NewValue::Int(i) => i.to_string(),
        NewValue::Str(s) if style.json || needs_quotes(s) => json_string(s),
        NewValue::Str(s) => s.clone(),
        NewValue::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k, style), flow_value(v, style)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        NewValue::List(items) => {
            let items: Vec<String> = items.iter().map(|i| flow_value(i, style)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn non_empty_map(value: &NewValue) -> Option<&[(String, NewValue)]> {
    match value {
        NewValue::Map(e) if !e.is_empty() => Some(e),
        _ => None,
    }
}

fn non_empty_list(value: &NewValue) -> Option<&[NewValue]> {
    match value {
        NewValue::List(i) if !i.is_empty() => Some(i),
        _ => None,
    }
}

/// What follows `key:` for a key at column `indent`, in block style: ` scalar` (and
/// `{}` / `[]` for empty collections), or lines below, indented by the document's unit
/// (lists flush with their key when the document writes them so).
fn block_value(value: &NewValue, indent: usize, style: Style, out: &mut String) {
    if let Some(entries) = non_empty_map(value) {
        block_map(entries, indent + style.unit, false, style, out);
    } else if let Some(items) = non_empty_list(value) {
        let at = if style.flush {
            indent
        } else {
            indent + style.unit
        };
        block_seq(items, at, false, style, out);
    } else {
        out.push(' ');
        match value {
            NewValue::Str(s) => string_into(s, style, out),
            _ => out.push_str(&flow_value(value, style)),
        }
    }
}

/// Mapping entries with keys at column `indent`, each on a new line — except the first
/// when `inline` (it follows a `- ` already written).
fn block_map(
    entries: &[(String, NewValue)],
    indent: usize,
    inline: bool,
    style: Style,
    out: &mut String,
) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(style.newline);
            push_indent(out, indent);
        }
        string_into(k, style, out);
        out.push(':');
        block_value(v, indent, style, out);
    }
}

/// Sequence items with their `- ` at column `indent`, each on a new line — except the
/// first when `inline`. Item contents sit two columns right of the dash.
fn block_seq(items: &[NewValue], indent: usize, inline: bool, style: Style, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(style.newline);
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        if let Some(entries) = non_empty_map(item) {
            block_map(entries, indent + 2, true, style, out);
        } else if let Some(nested) = non_empty_list(item) {
            block_seq(nested, indent + 2, true, style, out);
        } else {
            out.push_str(&flow_value(item, style));
        }
    }
}

/// `n` spaces onto `out`, without a string of them for each line (fixes are written for
/// every fixable finding of a check, so this runs tens of thousands of times).
fn push_indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    match SPACES.get(..n) {
        Some(spaces) => out.push_str(spaces),
        None => out.push_str(&" ".repeat(n)),
    }
}

/// A key or string value onto `out` as [`key`] writes it: plain where YAML reads it back
/// as the same string, JSON-quoted otherwise (and always in JSON documents).
fn string_into(s: &str, style: Style, out: &mut String) {
    if style.json || needs_quotes(s) {
        crate::render::json_string(out, s);
    } else {
        out.push_str(s);
    }
}

pub(crate) fn key(k: &str, style: Style) -> String {
    let mut out = String::new();
    string_into(k, style, &mut out);
    out
}

impl<'a> Planner<'a> {
    pub(crate) fn new(text: &'a str, doc: &'a Document<'a>) -> Self {
        Planner {
            text,
            doc,
            style: std::cell::OnceCell::new(),
            list_lines: std::cell::OnceCell::new(),
            crlf: None,
        }
    }

    /// This planner, keeping whether its file's text has a CRLF line break in `cell`,
    /// which the planners of the other documents of the file share.
    pub(crate) fn sharing_crlf(mut self, cell: &'a AtomicU8) -> Self {
        self.crlf = Some(cell);
        self
    }

    fn text_has_crlf(&self) -> bool {
        match self.crlf.map_or(0, |c| c.load(Ordering::Relaxed)) {
            0 => {
                let crlf = self.text.contains("\r\n");
                if let Some(c) = self.crlf {
                    c.store(if crlf { 2 } else { 1 }, Ordering::Relaxed);
                }
                crlf
            }
            known => known == 2,
        }
    }

    fn style(&self) -> Style {
        *self.style.get_or_init(|| detect_style(self.text, self.doc))
    }

    /// Lower every operation of one fix; an error says why the fix cannot be applied.
    pub(crate) fn lower(&self, ops: &[Op]) -> Result<Vec<Intent>, String> {
        let mut out = Vec::new();
        for op in ops {
            out.extend(self.lower_one(op)?);
        }
        Ok(out)
    }

    fn unshared(&self, node: NodeId) -> Result<(), String> {
        if self.doc.is_shared_text(node) {
            Err("the field is written once and shared through a YAML anchor and alias; editing it would change every place that uses the anchor".into())
        } else {
            Ok(())
        }
    }

    fn lower_one(&self, op: &Op) -> Result<Vec<Intent>, String> {
        let doc = self.doc;
        match op {
            Op::Set { base, path, value } => {
                let refs: Vec<&str> = path.iter().map(String::as_str).collect();
                let (node, used) = doc.deepest(*base, &refs);
                self.unshared(node)?;
                if used == path.len() {
                    return self.replace_scalar(node, value).map(|i| vec![i]);
                }
                let target = self.target(node)?;
                Ok(vec![Intent::Insert {
                    target,
                    path: path[used..].to_vec(),
                    leaf: Leaf::Value(value.clone()),
                }])
            }
            Op::AddItem { base, path, item } => {
                let refs: Vec<&str> = path.iter().map(String::as_str).collect();
                let (node, used) = doc.deepest(*base, &refs);
                self.unshared(node)?;
                if used == path.len() && doc.is_seq(node) {
                    if doc.items(node).iter().any(|&i| doc.text(i) == Some(item)) {
                        return Ok(Vec::new());
                    }
                    return self.append_item(node, item).map(|i| vec![i]);
                }
                let rest = if used == path.len() {
                    Vec::new()
                } else {
                    path[used..].to_vec()
                };
                Ok(vec![Intent::Insert {
                    target: self.target(node)?,
                    path: rest,
                    leaf: Leaf::List(vec![item.clone()]),
                }])
            }
            Op::Remove { node } => {
                self.unshared(*node)?;
                self.remove(*node).map(|i| vec![i])
            }
            Op::Replace { node, value } => {
                self.unshared(*node)?;
                if doc.scalar(*node).is_some() {
                    return self.replace_scalar(*node, value).map(|i| vec![i]);
                }
                if !doc.node(*node).flow() {
                    return Err("the value is a block collection; only scalars and flow collections are replaced whole".into());
                }
                Ok(vec![Intent::Replace {
                    span: doc.node(*node).span(),
                    text: flow_value(value, self.style()),
                }])
            }
            Op::RenameKey { node, to } => {
                let key_node = doc.key(*node).ok_or("the value is not in a mapping")?;
                self.unshared(key_node)?;
                if doc
                    .node(*node)
                    .parent()
                    .is_some_and(|m| doc.get(m, to).is_some())
                {
                    return Err(format!("the mapping already has a key {to:?}"));
                }
                Ok(vec![Intent::Replace {
                    span: doc.node(key_node).span(),
                    text: key(to, self.style()),
                }])
            }
            Op::AppendDocument { yaml, .. } => {
                let text = self.text;
                if text
                    .trim_start_matches('\u{feff}')
                    .trim_start()
                    .starts_with(['{', '['])
                {
                    return Err("the file is JSON, which holds one object: write the new object into a file of its own".into());
                }
                let crlf = self.text_has_crlf();
                let mut out = String::new();
                if !text.is_empty() && !text.ends_with('\n') {
                    out.push_str(if crlf { "\r\n" } else { "\n" });
                }
                out.push_str("---\n");
                out.push_str(yaml);
                if !yaml.ends_with('\n') {
                    out.push('\n');
                }
                if crlf {
                    out = out.replace('\n', "\r\n");
                }
                Ok(vec![Intent::Replace {
                    span: Span::empty(text.len()),
                    text: out,
                }])
            }
        }
    }

    /// Replace an existing scalar, keeping its quoting style.
    fn replace_scalar(&self, node: NodeId, value: &NewValue) -> Result<Intent, String> {
        let doc = self.doc;
        let n = doc.node(node);
        let Some(s) = doc.scalar(node) else {
            return Err("the field holds a mapping or a list, not a value".into());
        };
        let text = match (value, s.style) {
            (NewValue::Str(v), ScalarStyle::SingleQuoted) if !self.style().json => {
                format!("'{}'", v.replace('\'', "''"))
            }
            (NewValue::Str(v), ScalarStyle::DoubleQuoted) => json_string(v),
            // A plain value stays plain where the new text reads back as the same string
            // (an image reference's `:`s need no quotes).
            (NewValue::Str(v), ScalarStyle::Plain)
                if !self.style().json
                    && plain_string(v, n.parent().is_some_and(|p| doc.node(p).flow())) =>
            {
                v.clone()
            }
            (v, ScalarStyle::Literal | ScalarStyle::Folded) => {
                return Err(format!(
                    "the value is a block scalar; write {} by hand",
                    flow_value(v, self.style())
                ))
            }
            (v, _) if v.is_structured() => {
                if let Some(intent) = self.structure_below_key(node, v) {
                    return Ok(intent);
                }
                match self.member_lines(node) {
                    Some(lines) => value_lines(v, &lines.indent, &lines, self.style()),
                    None => flow_value(v, self.style()),
                }
            }
            (v, _) => flow_value(v, self.style()),
        };
        if !n.span().is_empty() {
            return Ok(Intent::Replace {
                span: n.span(),
                text,
            });
        }
        // An empty null value (`key:`): write after the colon.
        let key = doc.key(node).ok_or("the item has no value to replace")?;
        let after = doc.node(key).span().end;
        let colon = self.text[after..]
            .find(':')
            .map(|i| after + i)
            .ok_or("no `:` after the key")?;
        Ok(Intent::Replace {
            span: Span::empty(colon + 1),
            text: format!(" {text}"),
        })
    }

    /// A mapping or list replacing the scalar value of a key in a block mapping, written
    /// in block style below the key. `None` where a flow value is the right text: in flow
    /// collections and JSON, for list items, and for values not on their key's line.
    fn structure_below_key(&self, node: NodeId, value: &NewValue) -> Option<Intent> {
        let doc = self.doc;
        let n = doc.node(node);
        let key = doc.key(node)?;
        if self.style().json || n.parent().is_some_and(|p| doc.node(p).flow()) {
            return None;
        }
        let key_span = doc.node(key).span();
        let eol = line_end(self.text, key_span.end);
        if !n.span().is_empty() && (n.span().start > eol || n.span().end > eol) {
            return None;
        }
        Some(Intent::Insert {
            target: Target {
                key: (doc.index, node),
                shape: Shape::Null {
                    value: n.span(),
                    line_end: eol,
                    key_indent: column(self.text, key_span.start),
                    flow: false,
                    lines: None,
                },
                style: self.style(),
            },
            path: Vec::new(),
            leaf: Leaf::Value(value.clone()),
        })
    }

    /// The place below `node` (a mapping, or a key with a null value) where keys go.
    fn target(&self, node: NodeId) -> Result<Target, String> {
        let doc = self.doc;
        let text = self.text;
        let n = doc.node(node);
        let shape = match doc.kind(node) {
            NodeKind::Map(entries) if n.flow() => {
                let own = entries.iter().rfind(|(k, _)| !doc.node(*k).shared());
                match own {
                    None => Shape::Flow {
                        at: n.span().start + 1,
                        end: n.span().start + 1,
                        first: true,
                        lines: None,
                    },
                    Some(&(last_key, last_value)) => {
                        let value_end = doc.node(last_value).span().end;
                        match self.lines_at(node, doc.node(last_key).span().start) {
                            Some(lines) => {
                                let (at, end, lines) = self.after_last(value_end, lines);
                                Shape::Flow {
                                    at,
                                    end,
                                    first: false,
                                    lines: Some(lines),
                                }
                            }
                            None => Shape::Flow {
                                at: value_end,
                                end: value_end,
                                first: false,
                                lines: None,
                            },
                        }
                    }
                }
            }
            NodeKind::Map(entries) => {
                let first = entries.first().ok_or("empty block mapping")?.0;
                Shape::Block {
                    at: line_end(text, content_end(text, n.span().end, n.span().start)),
                    indent: column(text, doc.node(first).span().start),
                }
            }
            NodeKind::Scalar(_) if doc.is_null(node) => {
                let key = doc
                    .key(node)
                    .ok_or("cannot add fields to a null list item")?;
                let key_start = doc.node(key).span().start;
                let parent_flow = n.parent().is_some_and(|p| doc.node(p).flow());
                Shape::Null {
                    value: n.span(),
                    line_end: line_end(text, doc.node(key).span().end),
                    key_indent: column(text, key_start),
                    flow: parent_flow || self.style().json,
                    lines: if parent_flow {
                        self.member_lines(node)
                    } else {
                        None
                    },
                }
            }
            _ => return Err("the field's parent is not a mapping".into()),
        };
        Ok(Target {
            key: (doc.index, node),
            shape,
            style: self.style(),
        })
    }

    /// The layout of the flow collection `container` if it is written over several lines
    /// and the entry starting at `member` sits on a line of its own (after blanks, or
    /// after a leading comma); `None` when new entries belong on the member's line.
    fn lines_at(&self, container: NodeId, member: usize) -> Option<Lines> {
        let text = self.text;
        let span = self.doc.node(container).span();
        if !text[span.start..span.end].contains(['\n', '\r']) {
            return None;
        }
        let prefix = &text[line_start(text, member)..member];
        let blanks = |s: &str| s.len() - s.trim_start_matches([' ', '\t']).len();
        let indent = &prefix[..blanks(prefix)];
        let lead = match prefix[indent.len()..].trim_end_matches([' ', '\t']) {
            "" => None,
            "," => Some(prefix.to_string()),
            _ => return None,
        };
        let open_line = &text[line_start(text, span.start)..span.start];
        let open = &open_line[..blanks(open_line)];
        let unit = match indent.strip_prefix(open) {
            Some(step) if !step.is_empty() => step.to_string(),
            _ if indent.contains('\t') => "\t".to_string(),
            _ => " ".repeat(self.style().unit),
        };
        Some(Lines {
            indent: indent.to_string(),
            unit,
            lead,
            trailing: false,
            list_lines: self.list_lines(),
        })
    }

    /// The layout for a new value of `node` (a mapping value or list item) in a flow
    /// collection written one entry per line, when `node` starts a line of its own.
    fn member_lines(&self, node: NodeId) -> Option<Lines> {
        let doc = self.doc;
        let n = doc.node(node);
        let parent = n.parent().filter(|&p| doc.node(p).flow())?;
        let start = doc
            .key(node)
            .map_or(n.span().start, |k| doc.node(k).span().start);
        self.lines_at(parent, start).filter(|l| l.lead.is_none())
    }

    /// Where entries go after the last one, ending at `value_end`, of a collection laid
    /// out by `lines`: after its trailing comma if it has one (then `lines.trailing`),
    /// and below a comment that follows it (`at..end`, kept on its line).
    fn after_last(&self, value_end: usize, mut lines: Lines) -> (usize, usize, Lines) {
        let text = self.text;
        let mut at = value_end;
        if lines.lead.is_none() {
            let next = text[at..].trim_start_matches([' ', '\t']);
            if next.starts_with(',') {
                at = text.len() - next.len() + 1;
                lines.trailing = true;
            }
        }
        let eol = line_end(text, at);
        let end = if text[at..eol].trim_start().starts_with('#') {
            eol
        } else {
            at
        };
        (at, end, lines)
    }

    /// Whether the document writes its flow lists of scalars one item per line (the
    /// first such list decides); JSON documents without one do, YAML ones do not.
    fn list_lines(&self) -> bool {
        *self.list_lines.get_or_init(|| {
            let doc = self.doc;
            for id in 0..doc.len() as NodeId {
                let n = doc.node(id);
                let NodeKind::Seq(items) = doc.kind(id) else {
                    continue;
                };
                if !n.flow() || n.shared() || items.is_empty() {
                    continue;
                }
                if items.iter().all(|&i| doc.scalar(i).is_some()) {
                    let first = doc.node(items[0]).span().start;
                    return self.text[n.span().start..first].contains(['\n', '\r']);
                }
            }
            self.style().json
        })
    }

    fn append_item(&self, seq: NodeId, item: &str) -> Result<Intent, String> {
        let doc = self.doc;
        let text = self.text;
        let n = doc.node(seq);
        let value = flow_value(&NewValue::Str(item.to_string()), self.style());
        let items = doc.items(seq);
        if n.flow() {
            return Ok(match items.last() {
                None => Intent::Replace {
                    span: Span::empty(n.span().start + 1),
                    text: value,
                },
                Some(&last) => {
                    let last_end = doc.node(last).span().end;
                    match self.lines_at(seq, doc.node(last).span().start) {
                        Some(lines) => {
                            let (at, end, lines) = self.after_last(last_end, lines);
                            Intent::Replace {
                                span: Span::new(at, end),
                                text: append_lines(
                                    &lines,
                                    &text[at..end],
                                    &[value],
                                    self.style().newline,
                                ),
                            }
                        }
                        None => Intent::Replace {
                            span: Span::empty(last_end),
                            text: format!(", {value}"),
                        },
                    }
                }
            });
        }
        let first = *items.first().ok_or("empty block sequence")?;
        let dash =
            dash_before(text, doc.node(first).span().start).ok_or("unusual sequence layout")?;
        let at = line_end(text, content_end(text, n.span().end, n.span().start));
        Ok(Intent::Replace {
            span: Span::empty(at),
            text: format!(
                "{}{}- {value}",
                self.style().newline,
                " ".repeat(column(text, dash))
            ),
        })
    }

    /// Remove a mapping entry (by its value) or a sequence item, keeping comments.
    fn remove(&self, node: NodeId) -> Result<Intent, String> {
        let doc = self.doc;
        let n = doc.node(node);
        let parent = n.parent().ok_or("cannot remove the document root")?;
        let p = doc.node(parent);
        // The last item of a block list goes with its key (`add:` alone would read as
        // null): the only item at once, each of several when one merge removes them all.
        if doc.key(node).is_none() && !p.flow() && doc.key(parent).is_some() {
            let items = doc.items(parent).len();
            if items == 1 {
                return self.remove(parent);
            }
            let Intent::Replace { span, text } = self.remove_one(node)? else {
                return Err("unusual sequence layout".into());
            };
            let Intent::Replace {
                span: whole,
                text: whole_text,
            } = self.remove(parent)?
            else {
                return Err("unusual sequence layout".into());
            };
            return Ok(Intent::RemoveItem {
                span,
                text,
                list: p.span(),
                items,
                whole: Box::new((whole, whole_text)),
            });
        }
        self.remove_one(node)
    }

    /// [`Planner::remove`] of `node` alone, whatever its siblings are.
    fn remove_one(&self, node: NodeId) -> Result<Intent, String> {
        let doc = self.doc;
        let text = self.text;
        let n = doc.node(node);
        let parent = n.parent().ok_or("cannot remove the document root")?;
        let p = doc.node(parent);
        let key = doc.key(node);
        // (start of what is removed, the entry's own start, end of its content)
        let (start, end) = match key {
            Some(key) => (doc.node(key).span().start, n.span().end),
            None => (n.span().start, n.span().end),
        };
        let end = content_end(text, end.max(start), start);
        if p.flow() {
            let siblings: Vec<(usize, usize)> = match doc.kind(parent) {
                NodeKind::Map(entries) => entries
                    .iter()
                    .filter(|(k, _)| !doc.node(*k).shared())
                    .map(|&(k, v)| (doc.node(k).span().start, doc.node(v).span().end))
                    .collect(),
                _ => doc
                    .items(parent)
                    .iter()
                    .map(|&i| (doc.node(i).span().start, doc.node(i).span().end))
                    .collect(),
            };
            let i = siblings
                .iter()
                .position(|&(s, _)| s == start)
                .ok_or("entry not found")?;
            let span = if i > 0 {
                Span::new(siblings[i - 1].1, end)
            } else if let Some(next) = siblings.get(1) {
                Span::new(start, next.0)
            } else {
                Span::new(start, end)
            };
            return Ok(Intent::Replace {
                span,
                text: String::new(),
            });
        }
        // Block: the entry starts at `start` after a `- ` (first key of an item) or alone.
        let item_start = if key.is_none() {
            dash_before(text, start).ok_or("unusual sequence layout")?
        } else {
            start
        };
        let ls = line_start(text, item_start);
        let eol = line_end(text, end);
        let kept: Vec<&str> = comments(text, Span::new(item_start, eol));
        let indent = " ".repeat(column(text, item_start));
        if text[ls..item_start].trim().is_empty() {
            // Whole lines go; their comments stay, as lines of their own.
            let mut replacement = String::new();
            for c in &kept {
                replacement.push_str(&indent);
                replacement.push_str(c);
                replacement.push_str(self.style().newline);
            }
            let span = Span::new(ls, eol + break_len(text, eol));
            return Ok(Intent::Replace {
                span,
                text: replacement,
            });
        }
        // The first key of a sequence item (`- hostPort: 80`): the next key moves up.
        let next = doc
            .entries(parent)
            .iter()
            .map(|&(k, _)| doc.node(k).span().start)
            .filter(|&s| s > start)
            .min();
        match next {
            Some(next) => {
                let mut replacement = String::new();
                for c in &kept {
                    replacement.push_str(c);
                    replacement.push_str(self.style().newline);
                    replacement.push_str(&" ".repeat(column(text, next)));
                }
                Ok(Intent::Replace {
                    span: Span::new(start, next),
                    text: replacement,
                })
            }
            None => Ok(Intent::Replace {
                span: Span::new(start, end),
                text: "{}".into(),
            }),
        }
    }
}

/// Keys and values merged from several insertions into one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tree {
    Leaf(Leaf),
    Map(Vec<(String, Tree)>),
}

impl Tree {
    /// Merge `leaf` at `path`; lists at the same place are united.
    pub(crate) fn insert(&mut self, path: &[String], leaf: Leaf) {
        match (self, path.split_first()) {
            (Tree::Map(entries), Some((head, rest))) => {
                if let Some((_, child)) = entries.iter_mut().find(|(k, _)| k == head) {
                    child.insert(rest, leaf);
                } else {
                    let mut child = if rest.is_empty() {
                        Tree::Leaf(leaf.clone())
                    } else {
                        Tree::Map(Vec::new())
                    };
                    if !rest.is_empty() {
                        child.insert(rest, leaf);
                    }
                    entries.push((head.clone(), child));
                }
            }
            (Tree::Leaf(Leaf::List(items)), None) => {
                if let Leaf::List(more) = leaf {
                    for m in more {
                        if !items.contains(&m) {
                            items.push(m);
                        }
                    }
                    // The lists fixes write are capability lists, where ALL covers every name.
                    if items.iter().any(|i| i == "ALL") {
                        items.retain(|i| i == "ALL");
                    }
                }
            }
            (slot, None) => *slot = Tree::Leaf(leaf),
            // A value where a mapping is needed: the later insertion wins.
            (slot, Some(_)) => {
                *slot = Tree::Map(Vec::new());
                slot.insert(path, leaf);
            }
        }
    }

    /// The tree as the value it writes.
    fn value(&self) -> NewValue {
        match self {
            Tree::Leaf(Leaf::Value(v)) => v.clone(),
            Tree::Leaf(Leaf::List(items)) => NewValue::strings(items.iter().cloned()),
            Tree::Map(entries) => NewValue::Map(
                entries
                    .iter()
                    .map(|(k, t)| (k.clone(), t.value()))
                    .collect(),
            ),
        }
    }

    fn flow(&self, style: Style) -> String {
        match self {
            Tree::Leaf(Leaf::Value(v)) => flow_value(v, style),
            Tree::Leaf(Leaf::List(items)) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|i| flow_value(&NewValue::Str(i.clone()), style))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            Tree::Map(entries) => format!("{{{}}}", flow_entries(entries, style)),
        }
    }
}

fn flow_entries(entries: &[(String, Tree)], style: Style) -> String {
    entries
        .iter()
        .map(|(k, t)| format!("{}: {}", key(k, style), t.flow(style)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn block_list(items: &[String], indent: usize, style: Style, out: &mut String) {
    for item in items {
        out.push_str(style.newline);
        push_indent(out, indent);
        out.push_str("- ");
        string_into(item, style, out);
    }
}

/// Block lines for `entries` at `indent`, each starting with a line break.
fn block_entries(entries: &[(String, Tree)], indent: usize, style: Style, out: &mut String) {
    for (k, t) in entries {
        out.push_str(style.newline);
        push_indent(out, indent);
        string_into(k, style, out);
        out.push(':');
        match t {
            Tree::Leaf(Leaf::Value(v)) => block_value(v, indent, style, out),
            Tree::Leaf(Leaf::List(items)) => block_list(
                items,
                if style.flush {
                    indent
                } else {
                    indent + style.unit
                },
                style,
                out,
            ),
            Tree::Map(children) => block_entries(children, indent + style.unit, style, out),
        }
    }
}

/// The single edit that writes `tree` into `target`.
pub(crate) fn render(target: &Target, tree: &Tree, text: &str) -> (Span, String) {
    let style = target.style;
    match (&target.shape, tree) {
        (Shape::Block { at, indent }, Tree::Map(entries)) => {
            let mut out = String::with_capacity(128);
            block_entries(entries, *indent, style, &mut out);
            (Span::empty(*at), out)
        }
        (
            Shape::Flow {
                at,
                end,
                first,
                lines: Some(lines),
            },
            Tree::Map(entries),
        ) if !*first => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, t)| {
                    let value = match lines.lead {
                        None => value_lines(&t.value(), &lines.indent, lines, style),
                        Some(_) => t.flow(style),
                    };
                    format!("{}: {value}", key(k, style))
                })
                .collect();
            (
                Span::new(*at, *end),
                append_lines(lines, &text[*at..*end], &entries, style.newline),
            )
        }
        (Shape::Flow { at, first, .. }, Tree::Map(entries)) => {
            let sep = if *first { "" } else { ", " };
            (
                Span::empty(*at),
                format!("{sep}{}", flow_entries(entries, style)),
            )
        }
        (
            Shape::Null {
                value,
                flow: true,
                lines,
                ..
            },
            tree,
        ) => match lines {
            Some(lines) => (
                *value,
                value_lines(&tree.value(), &lines.indent, lines, style),
            ),
            None => (*value, tree.flow(style)),
        },
        (
            Shape::Null {
                value,
                line_end,
                key_indent,
                ..
            },
            tree,
        ) => {
            let mut out = String::new();
            match tree {
                Tree::Map(entries) => {
                    block_entries(entries, key_indent + style.unit, style, &mut out)
                }
                Tree::Leaf(Leaf::List(items)) => block_list(
                    items,
                    if style.flush {
                        *key_indent
                    } else {
                        key_indent + style.unit
                    },
                    style,
                    &mut out,
                ),
                Tree::Leaf(Leaf::Value(v)) => block_value(v, *key_indent, style, &mut out),
            }
            if value.is_empty() || value.start > *line_end {
                (Span::empty(*line_end), out)
            } else {
                // `key: ~ # comment` → `key: # comment` and the block below.
                let start = text[..value.start].trim_end_matches([' ', '\t']).len();
                let comment = text[value.end..*line_end].trim();
                let comment = if comment.is_empty() {
                    String::new()
                } else {
                    format!(" {comment}")
                };
                // A value on the key's line goes before the comment, lines below after it.
                let text = if out.starts_with(['\n', '\r']) {
                    format!("{comment}{out}")
                } else {
                    format!("{out}{comment}")
                };
                (Span::new(start, *line_end), text)
            }
        }
        // A list or value inserted straight into a mapping cannot happen (paths name keys).
        (_, tree) => (Span::empty(0), tree.flow(style)),
    }
}

/// The edits of several fixes on one text: insertions into one mapping merged into one
/// block, rendered, and ordered by position. Fails with the indexes (into `fixes`) of
/// fixes whose edits overlap an earlier one.
pub(crate) fn merge<'i>(
    text: &str,
    fixes: impl IntoIterator<Item = &'i [Intent]>,
) -> Result<Vec<(Span, String)>, Vec<usize>> {
    let mut edits: Vec<(Span, String, Vec<usize>)> = Vec::new();
    let mut targets: BTreeMap<(usize, u32), (Target, Tree, Vec<usize>)> = BTreeMap::new();
    // Block-list items removed: (list, items, whole removal), and each removal's
    // (list index, span, text, owner); few, so found by a linear search.
    let mut lists: Vec<(Span, usize, &(Span, String))> = Vec::new();
    let mut removed_items: Vec<(usize, Span, &str, usize)> = Vec::new();
    for (i, intents) in fixes.into_iter().enumerate() {
        for intent in intents {
            match intent {
                Intent::Replace { span, text } => edits.push((*span, text.clone(), vec![i])),
                Intent::RemoveItem {
                    span,
                    text,
                    list,
                    items,
                    whole,
                } => {
                    let at = match lists.iter().position(|l| l.0 == *list) {
                        Some(at) => at,
                        None => {
                            lists.push((*list, *items, whole));
                            lists.len() - 1
                        }
                    };
                    removed_items.push((at, *span, text, i));
                }
                Intent::Insert { target, path, leaf } => {
                    let entry = targets
                        .entry(target.key)
                        .or_insert_with(|| (target.clone(), Tree::Map(Vec::new()), Vec::new()));
                    entry.1.insert(path, leaf.clone());
                    entry.2.push(i);
                }
            }
        }
    }
    for (target, tree, owners) in targets.into_values() {
        let (span, rendered) = render(&target, &tree, text);
        edits.push((span, rendered, owners));
    }
    for (at, (_, items, whole)) in lists.iter().enumerate() {
        let of_list = || removed_items.iter().filter(move |r| r.0 == at);
        let mut spans: Vec<(usize, usize)> = of_list().map(|r| (r.1.start, r.1.end)).collect();
        spans.sort_unstable();
        spans.dedup();
        if spans.len() == *items {
            edits.push((whole.0, whole.1.clone(), of_list().map(|r| r.3).collect()));
        } else {
            // Each item alone; identical removals are joined below.
            edits.extend(of_list().map(|r| (r.1, r.2.to_string(), vec![r.3])));
        }
    }
    // New lines inserted at the end of a line that another fix removes go before it; when
    // the removed lines keep their comments (as lines of their own), the new lines go after
    // those comments instead, so each comment stays where its line was.
    let removed: Vec<(Span, bool)> = edits
        .iter()
        .map(|e| (e.0, !e.1.is_empty()))
        .filter(|(s, _)| !s.is_empty() && (s.start == 0 || text[..s.start].ends_with(['\n', '\r'])))
        .collect();
    for (span, inserted, _) in &mut edits {
        if !(span.is_empty() && inserted.starts_with(['\n', '\r'])) {
            continue;
        }
        while let Some(&(r, keeps_comments)) = removed
            .iter()
            .find(|(r, _)| r.start < span.start && span.start < r.end)
        {
            if keeps_comments && text[..r.end].ends_with(['\n', '\r']) {
                // After the kept comments, at the start of the next line: the line break
                // moves from the front of the new lines to their end.
                let body = inserted.trim_start_matches(['\r', '\n']);
                let newline = if inserted.starts_with("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                *inserted = format!("{body}{newline}");
                *span = Span::empty(r.end);
                break;
            }
            let line_break = if text[..r.start].ends_with("\r\n") {
                2
            } else {
                1
            };
            if r.start < line_break {
                break;
            }
            *span = Span::empty(r.start - line_break);
        }
    }
    // Several blocks inserted at one place: the deeper one first, so each lands in its
    // own mapping (a nested mapping's new keys come before its parent's).
    let depth = |s: &str| {
        s.trim_start_matches(['\r', '\n']).len()
            - s.trim_start_matches(['\r', '\n'])
                .trim_start_matches(' ')
                .len()
    };
    edits.sort_by_key(|(span, inserted, _)| {
        (span.start, span.end, std::cmp::Reverse(depth(inserted)))
    });
    // Identical edits are one; overlapping deletions (two items of one flow list) are
    // their union.
    edits.dedup_by(|b, a| {
        let same = a.0 == b.0 && a.1 == b.1;
        let deletions = a.1.is_empty()
            && b.1.is_empty()
            && !a.0.is_empty()
            && !b.0.is_empty()
            && b.0.start < a.0.end;
        if same || deletions {
            a.0 = a.0.cover(b.0);
            a.2.extend(b.2.iter().copied());
        }
        same || deletions
    });
    // Edits are sorted by start: one clashes with an earlier one when it starts inside
    // the furthest-reaching earlier replacement (an insertion at its very start is fine).
    let mut conflicted = Vec::new();
    let mut reach: Option<Span> = None;
    for (span, _, owners) in &edits {
        let clash =
            reach.is_some_and(|r| span.start < r.end && (!span.is_empty() || r.start < span.start));
        if clash {
            conflicted.extend(owners.iter().copied());
        } else if !span.is_empty() && reach.is_none_or(|r| span.end > r.end) {
            reach = Some(*span);
        }
    }
    if conflicted.is_empty() {
        Ok(edits
            .into_iter()
            .map(|(span, text, _)| (span, text))
            .collect())
    } else {
        conflicted.sort_unstable();
        conflicted.dedup();
        Err(conflicted)
    }
}

/// The edits of one fix applied alone, or `None` when they overlap each other.
pub(crate) fn edits_alone(text: &str, intents: &[Intent]) -> Option<Vec<(Span, String)>> {
    // Most fixes replace one value or insert one block: nothing to merge.
    match intents {
        [Intent::Replace { span, text }] => return Some(vec![(*span, text.clone())]),
        [Intent::Insert { target, path, leaf }] => {
            let mut tree = Tree::Map(Vec::new());
            tree.insert(path, leaf.clone());
            return Some(vec![render(target, &tree, text)]);
        }
        _ => {}
    }
    merge(text, [intents]).ok()
}

/// What a fix's operations act on, for its title — ` on container "api"`, ` on the pod`,
/// ` in volume "data"`, or nothing — written to `out`, and that node.
fn owner(doc: &Document, node: NodeId, out: &mut String) -> Option<NodeId> {
    use std::fmt::Write;
    let mut cur = Some(node);
    while let Some(n) = cur {
        let parent = doc.node(n).parent();
        let list_key = parent
            .filter(|&p| doc.is_seq(p))
            .and_then(|p| doc.key(p))
            .and_then(|k| doc.text(k));
        let noun = match list_key {
            Some("containers") => Some("on container"),
            Some("initContainers") => Some("on init container"),
            Some("ephemeralContainers") => Some("on ephemeral container"),
            Some("volumes") => Some("in volume"),
            _ => None,
        };
        if let Some(noun) = noun {
            let _ = match doc.get(n, "name").and_then(|v| doc.text(v)) {
                Some(name) => write!(out, " {noun} {name:?}"),
                None => write!(out, " {noun} {}", doc.index(n)),
            };
            return Some(n);
        }
        if doc.get(n, "containers").is_some_and(|c| doc.is_seq(c)) {
            out.push_str(" on the pod");
            return Some(n);
        }
        cur = parent;
    }
    None
}

/// The field path from `owner` (or the root) down to `node`, then `rest`, as a person
/// writes it — `securityContext.capabilities.add`, `ports[0].hostPort` — written to
/// `out`.
fn field_path(
    doc: &Document,
    owner: Option<NodeId>,
    node: NodeId,
    rest: &[String],
    out: &mut String,
) {
    use std::fmt::Write;
    // The nodes from `node` up to (not including) `owner`.
    let mut chain: smallvec::SmallVec<[NodeId; 8]> = smallvec::SmallVec::new();
    let mut cur = node;
    while Some(cur) != owner {
        let Some(parent) = doc.node(cur).parent() else {
            break;
        };
        chain.push(cur);
        cur = parent;
    }
    let start = out.len();
    for &n in chain.iter().rev() {
        match doc.key(n).and_then(|k| doc.text(k)) {
            Some(k) => {
                if out.len() > start {
                    out.push('.');
                }
                out.push_str(k);
            }
            None => {
                let _ = write!(out, "[{}]", doc.index(n));
            }
        }
    }
    for k in rest {
        if out.len() > start {
            out.push('.');
        }
        out.push_str(k);
    }
}

/// One line that says what a fix does, from its operations:
/// "set `securityContext.allowPrivilegeEscalation: false` on container \"api\"".
pub(crate) fn title(doc: &Document, ops: &[Op]) -> String {
    let mut out = String::new();
    title_into(doc, ops, &mut out);
    out
}

/// [`title`], written to `out` (which is cleared first).
pub(crate) fn title_into(doc: &Document, ops: &[Op], out: &mut String) {
    let style = Style {
        json: false,
        unit: 2,
        flush: false,
        newline: "\n",
    };
    let short = |s: &str, out: &mut String| {
        if s.chars().count() > 40 {
            out.extend(s.chars().take(39));
            out.push('…');
        } else {
            out.push_str(s);
        }
    };
    out.clear();
    // Where each part starts, to drop a part that repeats the one before it.
    let mut previous = 0..0;
    for op in ops {
        let start = out.len();
        if start > 0 {
            out.push_str("; ");
        }
        let part = out.len();
        // The owner label goes at the end of the part: written to a scratch string.
        let mut label = String::new();
        match op {
            Op::Set { base, path, value } => {
                let at = owner(doc, *base, &mut label);
                out.push_str("set `");
                field_path(doc, at, *base, path, out);
                out.push_str(": ");
                out.push_str(&flow_value(value, style));
                out.push('`');
            }
            Op::AddItem { base, path, item } => {
                let at = owner(doc, *base, &mut label);
                out.push_str("add `");
                out.push_str(item);
                out.push_str("` to `");
                field_path(doc, at, *base, path, out);
                out.push('`');
            }
            Op::Remove { node } => {
                let value = doc.text(*node);
                let at = owner(doc, *node, &mut label);
                match (
                    doc.key(*node).and_then(|k| doc.text(k)),
                    doc.node(*node).parent(),
                ) {
                    (Some(_), _) => {
                        out.push_str("remove `");
                        field_path(doc, at, *node, &[], out);
                        if let Some(v) = value {
                            out.push_str(": ");
                            short(v, out);
                        }
                        out.push('`');
                    }
                    (None, Some(list)) => {
                        out.push_str("remove `");
                        // A mapping item by its name (a sysctl, a volume, an env var).
                        let name = doc.get(*node, "name").and_then(|n| doc.text(n));
                        match value.or(name) {
                            Some(v) => short(v, out),
                            None => out.push_str("the item"),
                        }
                        out.push_str("` from `");
                        field_path(doc, at, list, &[], out);
                        out.push('`');
                    }
                    (None, None) => {
                        label.clear();
                        out.push_str("remove the value");
                    }
                }
            }
            Op::Replace { node, value } => {
                let at = owner(doc, *node, &mut label);
                out.push_str("set `");
                field_path(doc, at, *node, &[], out);
                out.push_str(": ");
                out.push_str(&flow_value(value, style));
                out.push('`');
            }
            Op::RenameKey { node, to } => {
                let at = owner(doc, *node, &mut label);
                out.push_str("rename `");
                field_path(doc, at, *node, &[], out);
                out.push_str("` to `");
                out.push_str(to);
                out.push('`');
            }
            Op::AppendDocument { what, .. } => {
                out.push_str("add ");
                out.push_str(what);
                out.push_str(" at the end of the file");
            }
        }
        out.push_str(&label);
        if previous.end > previous.start && out[part..] == out[previous.clone()] {
            out.truncate(start);
        } else {
            previous = part..out.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    /// `selector: {matchLabels: {app: web, tier: "front end"}, matchExpressions: [{key:
    /// env, operator: In, values: [prod, staging]}], replicas: 2}`.
    fn selector() -> NewValue {
        NewValue::map([
            (
                "matchLabels",
                NewValue::map([
                    ("app", NewValue::Str("web".into())),
                    ("tier", NewValue::Str("front end".into())),
                ]),
            ),
            (
                "matchExpressions",
                NewValue::List(vec![NewValue::map([
                    ("key", NewValue::Str("env".into())),
                    ("operator", NewValue::Str("In".into())),
                    ("values", NewValue::strings(["prod", "staging"])),
                ])]),
            ),
            ("minReadySeconds", NewValue::Int(2)),
        ])
    }

    fn selector_json() -> serde_json::Value {
        serde_json::json!({
            "matchLabels": {"app": "web", "tier": "front end"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "staging"]}],
            "minReadySeconds": 2
        })
    }

    /// Lower `Set spec.<path> = value` and apply its one edit.
    fn set_below_spec(text: &str, path: &[&str], value: NewValue) -> String {
        let stream = parse_stream(text, &Limits::default());
        let doc = &stream.documents[0];
        let spec = doc.get(doc.root.unwrap(), "spec").unwrap();
        let intents = Planner::new(text, doc)
            .lower(&[Op::set(spec, path, value)])
            .unwrap();
        assert_eq!(intents.len(), 1, "{intents:?}");
        let (span, new) = match &intents[0] {
            Intent::Replace { span, text } | Intent::RemoveItem { span, text, .. } => {
                (*span, text.clone())
            }
            Intent::Insert { target, path, leaf } => {
                let mut tree = Tree::Map(Vec::new());
                tree.insert(path, leaf.clone());
                render(target, &tree, text)
            }
        };
        format!("{}{new}{}", &text[..span.start], &text[span.end..])
    }

    /// The value at `spec.<key>` of `text`, read back through the parser.
    fn read_back(text: &str, key: &str) -> serde_json::Value {
        let stream = parse_stream(text, &Limits::default());
        assert!(stream.errors.is_empty(), "{:?}\n{text}", stream.errors);
        let doc = &stream.documents[0];
        let spec = doc.get(doc.root.unwrap(), "spec").unwrap();
        doc.to_json(doc.get(spec, key).unwrap())
    }

    #[test]
    fn structured_values_render_in_block_style_with_the_documents_unit_and_sequences() {
        let text = "kind: Deployment\nspec:\n    replicas: 1\n    template:\n        spec:\n            containers:\n            - name: a\n";
        let out = set_below_spec(text, &["selector"], selector());
        assert_eq!(
            out,
            "kind: Deployment\nspec:\n    replicas: 1\n    template:\n        spec:\n            containers:\n            - name: a\n    selector:\n        matchLabels:\n            app: web\n            tier: \"front end\"\n        matchExpressions:\n        - key: env\n          operator: In\n          values:\n          - prod\n          - staging\n        minReadySeconds: 2\n"
        );
        assert_eq!(read_back(&out, "selector"), selector_json());
        // Indented sequences and CRLF are copied too.
        let text = "spec:\r\n  containers:\r\n    - name: a\r\n";
        let out = set_below_spec(text, &["selector"], selector());
        assert_eq!(
            out,
            "spec:\r\n  containers:\r\n    - name: a\r\n  selector:\r\n    matchLabels:\r\n      app: web\r\n      tier: \"front end\"\r\n    matchExpressions:\r\n      - key: env\r\n        operator: In\r\n        values:\r\n          - prod\r\n          - staging\r\n    minReadySeconds: 2\r\n"
        );
        assert_eq!(read_back(&out, "selector"), selector_json());
    }

    #[test]
    fn structured_values_replace_a_null_or_scalar_below_its_key() {
        // (No sequence in the document: lists are indented, the default.)
        let text = "spec:\n  selector: ~ # none yet\n  replicas: 1\n";
        let out = set_below_spec(text, &["selector"], selector());
        assert_eq!(
            out,
            "spec:\n  selector: # none yet\n    matchLabels:\n      app: web\n      tier: \"front end\"\n    matchExpressions:\n      - key: env\n        operator: In\n        values:\n          - prod\n          - staging\n    minReadySeconds: 2\n  replicas: 1\n"
        );
        assert_eq!(read_back(&out, "selector"), selector_json());
        let text = "spec:\n  selector:\n  replicas: 1\n";
        let out = set_below_spec(text, &["selector"], NewValue::strings(["a"]));
        assert_eq!(out, "spec:\n  selector:\n    - a\n  replicas: 1\n");
        // Empty collections and nested lists.
        let value = NewValue::map([
            ("none", NewValue::Map(Vec::new())),
            ("grid", NewValue::List(vec![NewValue::strings(["a", "b"])])),
        ]);
        let out = set_below_spec("spec:\n  x: 1\n  l:\n  - 1\n", &["x"], value);
        assert_eq!(
            out,
            "spec:\n  x:\n    none: {}\n    grid:\n    - - a\n      - b\n  l:\n  - 1\n"
        );
        assert_eq!(
            read_back(&out, "x"),
            serde_json::json!({"none": {}, "grid": [["a", "b"]]})
        );
    }

    #[test]
    fn structured_values_render_in_flow_style_in_flow_mappings() {
        let text =
            "kind: Deployment\nspec: {replicas: 1, template: {spec: {containers: [{name: a}]}}}\n";
        let out = set_below_spec(text, &["selector"], selector());
        assert_eq!(
            out,
            "kind: Deployment\nspec: {replicas: 1, template: {spec: {containers: [{name: a}]}}, selector: {matchLabels: {app: web, tier: \"front end\"}, matchExpressions: [{key: env, operator: In, values: [prod, staging]}], minReadySeconds: 2}}\n"
        );
        assert_eq!(read_back(&out, "selector"), selector_json());
        // Replacing a scalar inside a flow mapping stays on its line.
        let out = set_below_spec("spec: {selector: null}\n", &["selector"], selector());
        assert_eq!(read_back(&out, "selector"), selector_json());
        assert_eq!(out.lines().count(), 1, "{out}");
    }

    #[test]
    fn structured_values_render_as_json_in_json_documents() {
        let text = "{\"kind\": \"Deployment\", \"spec\": {\"replicas\": 1}}";
        let out = set_below_spec(text, &["selector"], selector());
        assert_eq!(
            out,
            "{\"kind\": \"Deployment\", \"spec\": {\"replicas\": 1, \"selector\": {\"matchLabels\": {\"app\": \"web\", \"tier\": \"front end\"}, \"matchExpressions\": [{\"key\": \"env\", \"operator\": \"In\", \"values\": [\"prod\", \"staging\"]}], \"minReadySeconds\": 2}}}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["spec"]["selector"], selector_json());
        // A new nested path in JSON: every key quoted.
        let out = set_below_spec(
            text,
            &["template", "metadata"],
            NewValue::map([(
                "labels",
                NewValue::map([("app", NewValue::Str("web".into()))]),
            )]),
        );
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            parsed["spec"]["template"],
            serde_json::json!({"metadata": {"labels": {"app": "web"}}})
        );
    }
}
