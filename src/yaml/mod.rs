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

pub use build::{parse_stream, Limits};
pub use resolve::Value;

use crate::source::Span;

/// Index of a node in its [`Document`]'s arena.
pub type NodeId = u32;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
pub struct Scalar<'a> {
    /// The scalar's content after YAML escape processing.
    pub text: Cow<'a, str>,
    pub style: ScalarStyle,
    /// The value the Kubernetes API machinery resolves it to (YAML 1.1 rules).
    pub value: Value,
}

#[derive(Clone, Debug)]
pub enum NodeKind<'a> {
    Scalar(Scalar<'a>),
    /// Entries as (key node, value node), in source order.
    Map(Vec<(NodeId, NodeId)>),
    Seq(Vec<NodeId>),
}

#[derive(Clone, Debug)]
pub struct Node<'a> {
    pub kind: NodeKind<'a>,
    /// The node's own text: for a block collection, from its first to the end of its
    /// last child; for a flow collection, bracket to bracket.
    pub span: Span,
    pub parent: Option<NodeId>,
    /// For a mapping value: its key node.
    pub key: Option<NodeId>,
    /// For a sequence item: its index.
    pub index: u32,
    /// Written in flow style (`{}` / `[]`).
    pub flow: bool,
    /// Produced by expanding an alias or a merge key: its text is shared with an anchor.
    pub shared: bool,
    /// Defines an anchor (`&name`) that an alias repeats elsewhere.
    pub anchored: bool,
}

/// One YAML document of a stream.
#[derive(Clone, Debug)]
pub struct Document<'a> {
    /// 0-based position of the document in its stream.
    pub index: usize,
    pub span: Span,
    pub root: Option<NodeId>,
    nodes: Vec<Node<'a>>,
    /// Repeated mapping keys: (first occurrence, repetition).
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
    pub fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id as usize]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    pub fn scalar(&self, id: NodeId) -> Option<&Scalar<'a>> {
        match &self.node(id).kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar of any type.
    pub fn text(&self, id: NodeId) -> Option<&str> {
        self.scalar(id).map(|s| s.text.as_ref())
    }

    /// The value of a string-typed scalar.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        self.scalar(id)
            .filter(|s| s.value == Value::Str)
            .map(|s| s.text.as_ref())
    }

    pub fn value(&self, id: NodeId) -> Option<Value> {
        self.scalar(id).map(|s| s.value)
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        self.value(id) == Some(Value::Null)
    }

    pub fn entries(&self, id: NodeId) -> &[(NodeId, NodeId)] {
        match &self.node(id).kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.node(id).kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Map(_))
    }

    pub fn is_seq(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Seq(_))
    }

    /// The value under `key` in mapping `map` (the last one, if the key repeats, as a
    /// JSON decoder would take it).
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entries(map)
            .iter()
            .rev()
            .find(|(k, _)| self.text(*k) == Some(key))
            .map(|&(_, v)| v)
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
        let mut segments = Vec::new();
        let mut cur = id;
        while let Some(parent) = self.node(cur).parent {
            let node = self.node(cur);
            match node.key {
                Some(key) => segments.push(escape_pointer(self.text(key).unwrap_or(""))),
                None => segments.push(Cow::Owned(node.index.to_string())),
            }
            cur = parent;
        }
        let mut out = String::new();
        for s in segments.iter().rev() {
            out.push('/');
            out.push_str(s);
        }
        out
    }

    /// The span that identifies a node to a reader: a mapping value with its key (so
    /// it starts on the key's line), a sequence item as itself.
    pub fn entry_span(&self, id: NodeId) -> Span {
        let node = self.node(id);
        match node.key {
            Some(key) if !node.shared || self.node(key).shared => {
                self.node(key).span.cover(node.span)
            }
            Some(key) => self.node(key).span,
            None => node.span,
        }
    }

    /// Where a field absent below `id` would be added: the key of `id` if it is a
    /// mapping value, else the first key of `id`, else `id` itself.
    pub fn anchor_span(&self, id: NodeId) -> Span {
        let node = self.node(id);
        if let Some(key) = node.key {
            return self.node(key).span;
        }
        if let Some(&(first, _)) = self.entries(id).first() {
            return self.node(first).span;
        }
        node.span
    }
}

impl Document<'_> {
    /// Whether editing the text of `id` would also change other nodes: it was produced
    /// by an alias or merge key, or it (or an ancestor) defines an anchor.
    pub fn is_shared_text(&self, id: NodeId) -> bool {
        let mut cur = Some(id);
        while let Some(n) = cur {
            let node = self.node(n);
            if node.shared || node.anchored {
                return true;
            }
            cur = node.parent;
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
        match &self.node(id).kind {
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
