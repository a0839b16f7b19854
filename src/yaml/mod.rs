//! A span-exact YAML tree.
//!
//! [`parse_stream`] turns the events of `granit-parser` into one arena tree per
//! document. Every node — keys included — keeps its byte [`Span`] in the original
//! text, its parent, and (for mapping values) its key, so a JSON pointer and a source
//! location can be derived for any node. Aliases and `<<` merge keys are expanded
//! under a budget; nodes produced that way are marked [`Node::shared`] because their
//! text belongs to an anchor that other nodes share.

mod build;
pub mod resolve;

use std::borrow::Cow;

pub use build::{parse_stream, parse_stream_observed, Limits};
pub use resolve::Value;

use crate::source::Span;

/// Index of a node in its [`Document`]'s arena.
pub type NodeId = u32;

/// `u32::MAX` stands for "none" in the compact node fields.
const NONE: u32 = u32::MAX;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar as read from a [`Document`].
#[derive(Clone, Copy, Debug)]
pub struct Scalar<'d> {
    /// The scalar's content after YAML escape processing.
    pub text: &'d str,
    pub style: ScalarStyle,
    /// The value the Kubernetes API machinery resolves it to (YAML 1.1 rules).
    pub value: Value,
}

/// What a node holds, as read from a [`Document`].
#[derive(Clone, Copy, Debug)]
pub enum NodeKind<'d> {
    Scalar(Scalar<'d>),
    /// Entries as (key node, value node), in source order.
    Map(&'d [(NodeId, NodeId)]),
    Seq(&'d [NodeId]),
}

/// Where a scalar's content is: `len` bytes of the source from `start`, or, when `len`
/// is [`NONE`], the `start`-th string the document owns (content changed by escapes or
/// line folding).
#[derive(Clone, Copy, Debug)]
struct TextRef {
    start: u32,
    len: u32,
}

/// A scalar's resolved type; numbers are parsed again from the text when read, so a
/// node needs no room for an `f64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resolved {
    Null,
    True,
    False,
    Number,
    Str,
}

impl Resolved {
    fn of(value: Value) -> Self {
        match value {
            Value::Null => Resolved::Null,
            Value::Bool(true) => Resolved::True,
            Value::Bool(false) => Resolved::False,
            Value::Int(_) | Value::Float(_) => Resolved::Number,
            Value::Str => Resolved::Str,
        }
    }
}

/// A node's content and flags; collections are ranges of their document's entry and
/// item arenas.
#[derive(Clone, Copy, Debug)]
enum Body {
    Scalar {
        text: TextRef,
        style: ScalarStyle,
        value: Resolved,
        flags: u8,
    },
    Map {
        start: u32,
        len: u32,
        flags: u8,
    },
    Seq {
        start: u32,
        len: u32,
        flags: u8,
    },
}

impl Body {
    fn flags(&self) -> u8 {
        match *self {
            Body::Scalar { flags, .. } | Body::Map { flags, .. } | Body::Seq { flags, .. } => flags,
        }
    }

    fn flags_mut(&mut self) -> &mut u8 {
        match self {
            Body::Scalar { flags, .. } | Body::Map { flags, .. } | Body::Seq { flags, .. } => flags,
        }
    }
}

const FLOW: u8 = 1;
const SHARED: u8 = 2;
const ANCHORED: u8 = 4;

/// One node of a document: 24 bytes, whatever it holds (a run keeps every node of
/// every input, so the size is what the peak memory of a check is made of). A mapping
/// value's key and a sequence item's index are found in the parent
/// ([`Document::key`], [`Document::index`]).
#[derive(Clone, Copy, Debug)]
pub struct Node {
    start: u32,
    end: u32,
    parent: u32,
    body: Body,
}

// The size is a budget: a finding-dense check holds about one node per 10 input bytes.
const _: () = assert!(std::mem::size_of::<Node>() <= 24);

impl Node {
    /// The node's own text: for a block collection, from its first to the end of its
    /// last child; for a flow collection, bracket to bracket.
    pub fn span(&self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }

    /// The collection that holds this node; `None` for the document's root.
    pub fn parent(&self) -> Option<NodeId> {
        (self.parent != NONE).then_some(self.parent)
    }

    /// Written in flow style (`{}` / `[]`).
    pub fn flow(&self) -> bool {
        self.body.flags() & FLOW != 0
    }

    /// Produced by expanding an alias or a merge key: its text is shared with an anchor.
    pub fn shared(&self) -> bool {
        self.body.flags() & SHARED != 0
    }

    /// Defines an anchor (`&name`) that an alias repeats elsewhere.
    pub fn anchored(&self) -> bool {
        self.body.flags() & ANCHORED != 0
    }
}

/// One YAML document of a stream.
#[derive(Clone, Debug)]
pub struct Document<'a> {
    /// 0-based position of the document in its stream.
    pub index: usize,
    pub span: Span,
    pub root: Option<NodeId>,
    /// (offset, 1-based line) of the document's start in the stream, so that
    /// [`Document::line_of`] counts lines within the document only.
    first_line: (usize, usize),
    /// The whole text of the stream the document was read from.
    source: &'a str,
    nodes: Vec<Node>,
    /// The entries of every mapping, each mapping's a contiguous range.
    entries: Vec<(NodeId, NodeId)>,
    /// The items of every sequence, each sequence's a contiguous range.
    items: Vec<NodeId>,
    /// Scalar contents that are not a slice of the source.
    owned: Vec<Box<str>>,
    /// Repeated mapping keys: (first occurrence, repetition); the repetitions of one key
    /// are consecutive, in source order.
    pub duplicate_keys: Vec<(NodeId, NodeId)>,
}

/// A document that could not be read, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub document: usize,
    pub span: Span,
    pub message: String,
}

/// The documents of one text, and the errors of those that could not be read.
#[derive(Clone, Debug, Default)]
pub struct Stream<'a> {
    pub documents: Vec<Document<'a>>,
    pub errors: Vec<ParseError>,
}

impl<'a> Document<'a> {
    /// The 1-based line of the stream on which `id` starts (lines are counted from the
    /// document's start: O(size of the document), for the few messages that name a line).
    pub fn line_of(&self, id: NodeId) -> usize {
        let (from, line) = self.first_line;
        let at = self.node(id).span().start.clamp(from, self.source.len());
        line + self.source.as_bytes()[from..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    /// What node `id` holds.
    pub fn kind(&self, id: NodeId) -> NodeKind<'_> {
        match self.node(id).body {
            Body::Scalar {
                text, style, value, ..
            } => {
                let text = self.content(text);
                NodeKind::Scalar(Scalar {
                    text,
                    style,
                    value: match value {
                        Resolved::Null => Value::Null,
                        Resolved::True => Value::Bool(true),
                        Resolved::False => Value::Bool(false),
                        Resolved::Number => resolve::resolve_plain(text),
                        Resolved::Str => Value::Str,
                    },
                })
            }
            Body::Map { start, len, .. } => {
                NodeKind::Map(&self.entries[start as usize..(start + len) as usize])
            }
            Body::Seq { start, len, .. } => {
                NodeKind::Seq(&self.items[start as usize..(start + len) as usize])
            }
        }
    }

    fn content(&self, text: TextRef) -> &str {
        if text.len == NONE {
            &self.owned[text.start as usize]
        } else {
            &self.source[text.start as usize..(text.start + text.len) as usize]
        }
    }

    pub fn scalar(&self, id: NodeId) -> Option<Scalar<'_>> {
        match self.kind(id) {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar of any type.
    pub fn text(&self, id: NodeId) -> Option<&str> {
        match self.node(id).body {
            Body::Scalar { text, .. } => Some(self.content(text)),
            _ => None,
        }
    }

    /// The value of a string-typed scalar.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        match self.node(id).body {
            Body::Scalar {
                text,
                value: Resolved::Str,
                ..
            } => Some(self.content(text)),
            _ => None,
        }
    }

    pub fn value(&self, id: NodeId) -> Option<Value> {
        self.scalar(id).map(|s| s.value)
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(
            self.node(id).body,
            Body::Scalar {
                value: Resolved::Null,
                ..
            }
        )
    }

    pub fn entries(&self, id: NodeId) -> &[(NodeId, NodeId)] {
        // Not through `kind`, which would resolve a scalar's value to say it has none.
        match self.node(id).body {
            Body::Map { start, len, .. } => &self.entries[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.node(id).body {
            Body::Seq { start, len, .. } => &self.items[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.node(id).body, Body::Map { .. })
    }

    pub fn is_seq(&self, id: NodeId) -> bool {
        matches!(self.node(id).body, Body::Seq { .. })
    }

    /// For a mapping value: its key node.
    pub fn key(&self, id: NodeId) -> Option<NodeId> {
        let parent = self.node(id).parent()?;
        self.entries(parent)
            .iter()
            .rev()
            .find(|&&(_, v)| v == id)
            .map(|&(k, _)| k)
    }

    /// For a sequence item: its index (0 for any other node).
    pub fn index(&self, id: NodeId) -> u32 {
        let Some(parent) = self.node(id).parent() else {
            return 0;
        };
        let items = self.items(parent);
        // Items are created in order, so their ids ascend.
        items
            .binary_search(&id)
            .ok()
            .or_else(|| items.iter().position(|&i| i == id))
            .map_or(0, |i| i as u32)
    }

    /// The value under `key` in mapping `map` (the last one, if the key repeats, as a
    /// JSON decoder would take it).
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entries(map)
            .iter()
            .rev()
            .find(|(k, _)| self.text_is(*k, key))
            .map(|&(_, v)| v)
    }

    /// Whether `id` is a scalar whose text is `text`: [`Document::text`] compared, with
    /// the lengths first and no slicing of the source (every key of a mapping is asked).
    /// Native only: the playground's first download is at its size budget.
    #[cfg(not(target_arch = "wasm32"))]
    fn text_is(&self, id: NodeId, text: &str) -> bool {
        match self.node(id).body {
            Body::Scalar { text: t, .. } if t.len == NONE => &*self.owned[t.start as usize] == text,
            Body::Scalar { text: t, .. } => {
                t.len as usize == text.len()
                    && self
                        .source
                        .as_bytes()
                        .get(t.start as usize..(t.start + t.len) as usize)
                        == Some(text.as_bytes())
            }
            _ => false,
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn text_is(&self, id: NodeId, text: &str) -> bool {
        self.text(id) == Some(text)
    }

    /// Follow a path of mapping keys.
    pub fn get_path(&self, mut node: NodeId, path: &[&str]) -> Option<NodeId> {
        for key in path {
            node = self.get(node, key)?;
        }
        Some(node)
    }

    /// The deepest existing node along `path` below `node` (a key written with a null
    /// value exists), and how many path segments it consumed.
    pub fn deepest(&self, mut node: NodeId, path: &[&str]) -> (NodeId, usize) {
        for (i, key) in path.iter().enumerate() {
            match self.get(node, key) {
                Some(next) => node = next,
                None => return (node, i),
            }
        }
        (node, path.len())
    }

    /// RFC 6901 JSON pointer of a node, from the document root.
    pub fn pointer(&self, id: NodeId) -> String {
        let mut out = String::new();
        self.pointer_into(id, &mut out);
        out
    }

    /// [`Document::pointer`], appended to `out`.
    pub fn pointer_into(&self, id: NodeId, out: &mut String) {
        use std::fmt::Write;
        // The nodes from the root's child down to `id`.
        let mut chain: smallvec::SmallVec<[NodeId; 16]> = smallvec::SmallVec::new();
        let mut cur = id;
        while let Some(parent) = self.node(cur).parent() {
            chain.push(cur);
            cur = parent;
        }
        for &n in chain.iter().rev() {
            out.push('/');
            match self.key(n) {
                Some(key) => out.push_str(&escape_pointer(self.text(key).unwrap_or(""))),
                None => {
                    let _ = write!(out, "{}", self.index(n));
                }
            }
        }
    }

    /// The span that identifies a node to a reader: a mapping value with its key (so
    /// it starts on the key's line), a sequence item as itself.
    pub fn entry_span(&self, id: NodeId) -> Span {
        let node = self.node(id);
        match self.key(id) {
            Some(key) if !node.shared() || self.node(key).shared() => {
                self.node(key).span().cover(node.span())
            }
            Some(key) => self.node(key).span(),
            None => node.span(),
        }
    }

    /// Where a field absent below `id` would be added: the key of `id` if it is a
    /// mapping value, else the first key of `id`, else `id` itself.
    pub fn anchor_span(&self, id: NodeId) -> Span {
        let node = self.node(id);
        if let Some(key) = self.key(id) {
            return self.node(key).span();
        }
        if let Some(&(first, _)) = self.entries(id).first() {
            return self.node(first).span();
        }
        node.span()
    }
}

impl Document<'_> {
    /// Whether editing the text of `id` would also change other nodes: it was produced
    /// by an alias or merge key, or it (or an ancestor) defines an anchor.
    pub fn is_shared_text(&self, id: NodeId) -> bool {
        let mut cur = Some(id);
        while let Some(n) = cur {
            let node = self.node(n);
            if node.shared() || node.anchored() {
                return true;
            }
            cur = node.parent();
        }
        false
    }
}

/// Escape a key for a JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) {
        Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(key)
    }
}

#[cfg(test)]
mod tests;

impl Document<'_> {
    /// The JSON value of a subtree (scalars typed by YAML 1.1 resolution).
    pub fn to_json(&self, id: NodeId) -> serde_json::Value {
        use serde_json::Value as J;
        match self.kind(id) {
            NodeKind::Scalar(s) => match s.value {
                Value::Null => J::Null,
                Value::Bool(b) => J::Bool(b),
                Value::Int(i) => J::from(i),
                Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
                Value::Str => J::String(s.text.to_string()),
            },
            NodeKind::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|&(k, v)| (self.text(k).unwrap_or("").to_string(), self.to_json(v)))
                    .collect(),
            ),
            NodeKind::Seq(items) => J::Array(items.iter().map(|&i| self.to_json(i)).collect()),
        }
    }
}
