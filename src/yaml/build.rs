//! From `granit-parser` events to [`Document`] trees, with resource limits.

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, ScalarStyle as GStyle, Span as GSpan, StructureStyle};

use super::resolve::{resolve_plain, Value};
use super::{Document, Node, NodeId, NodeKind, ParseError, Scalar, ScalarStyle, Stream};
use crate::source::Span;

/// Bounds that keep hostile input cheap to refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_input_bytes: usize,
    /// Deepest accepted nesting of collections.
    pub max_depth: usize,
    /// Nodes that alias and merge-key expansion may add to a document, beyond this
    /// many per node written in the document itself (see [`Limits::alias_budget`]).
    pub alias_nodes_per_node: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 32 * 1024 * 1024,
            max_depth: 128,
            alias_nodes_per_node: 10,
        }
    }
}

impl Limits {
    /// Expansion budget for a document of `written` nodes: generous for real manifests
    /// that reuse anchors, tiny next to a billion laughs.
    pub fn alias_budget(&self, written: usize) -> usize {
        10_000 + written.saturating_mul(self.alias_nodes_per_node)
    }
}

/// Parse a YAML stream. Never panics; a document that cannot be read becomes a
/// [`ParseError`] at its location and the following documents are still read.
pub fn parse_stream<'a>(text: &'a str, limits: &Limits) -> Stream<'a> {
    let mut stream = Stream::default();
    if text.len() > limits.max_input_bytes {
        stream.errors.push(ParseError {
            document: 0,
            span: Span::empty(0),
            message: format!(
                "input is {} bytes, more than the limit of {} bytes (raise it with --max-input-size)",
                text.len(),
                limits.max_input_bytes
            ),
        });
        return stream;
    }
    let depth = limits.max_depth.max(1);
    let mut options = Options::default();
    options.block_nesting_limit = depth;
    options.flow_nesting_limit = depth;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(limits);
    let mut started = 0usize; // documents started so far
    while let Some(next) = parser.next_event() {
        let failure = match next {
            Ok((event, span)) => {
                if matches!(event, Event::DocumentStart(..)) {
                    started += 1;
                }
                match builder.event(event, span, started.saturating_sub(1)) {
                    Ok(Some(doc)) => {
                        stream.documents.push(doc);
                        None
                    }
                    Ok(None) => None,
                    Err(e) => Some(e),
                }
            }
            Err(e) => Some(BuildError {
                at: e.marker().byte_offset().unwrap_or(0),
                message: e.info(),
            }),
        };
        let Some(failure) = failure else { continue };
        let document = if builder.in_document {
            started.saturating_sub(1)
        } else {
            started
        };
        if !builder.in_document {
            started += 1;
        }
        stream.errors.push(ParseError {
            document,
            span: Span::empty(failure.at.min(text.len())),
            message: failure.message,
        });
        builder.reset();
        match parser.proceed_next_document() {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                stream.errors.push(ParseError {
                    document: started,
                    span: Span::empty(e.marker().byte_offset().unwrap_or(0).min(text.len())),
                    message: e.info(),
                });
                break;
            }
        }
    }
    stream
}

struct BuildError {
    at: usize,
    message: String,
}

enum Frame {
    Map {
        id: NodeId,
        entries: Vec<(NodeId, NodeId)>,
        key: Option<NodeId>,
    },
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
    },
}

struct Builder<'a, 'l> {
    limits: &'l Limits,
    in_document: bool,
    doc_start: usize,
    nodes: Vec<Node<'a>>,
    frames: Vec<Frame>,
    root: Option<NodeId>,
    anchors: HashMap<usize, NodeId>,
    expanded: usize,
    duplicates: Vec<(NodeId, NodeId)>,
}

fn byte_span(span: &GSpan) -> Span {
    let start = span.start.byte_offset().unwrap_or(0);
    let end = span.end.byte_offset().unwrap_or(start);
    Span::new(start, end.max(start))
}

impl<'a, 'l> Builder<'a, 'l> {
    fn new(limits: &'l Limits) -> Self {
        Builder {
            limits,
            in_document: false,
            doc_start: 0,
            nodes: Vec::new(),
            frames: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            expanded: 0,
            duplicates: Vec::new(),
        }
    }

    fn reset(&mut self) {
        self.in_document = false;
        self.nodes.clear();
        self.frames.clear();
        self.root = None;
        self.anchors.clear();
        self.expanded = 0;
        self.duplicates.clear();
    }

    fn push(&mut self, kind: NodeKind<'a>, span: Span, flow: bool) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            kind,
            span,
            parent: None,
            key: None,
            index: 0,
            flow,
            shared: false,
            anchored: false,
        });
        id
    }

    fn event(
        &mut self,
        event: Event<'a>,
        span: GSpan,
        doc_index: usize,
    ) -> Result<Option<Document<'a>>, BuildError> {
        let bspan = byte_span(&span);
        match event {
            Event::DocumentStart(..) => {
                self.reset();
                self.in_document = true;
                self.doc_start = bspan.start;
            }
            Event::DocumentEnd => {
                self.in_document = false;
                let doc = Document {
                    index: doc_index,
                    span: Span::new(self.doc_start, bspan.end.max(self.doc_start)),
                    root: self.root.take(),
                    // Every document of a run is kept for the whole run: no spare capacity.
                    nodes: {
                        let capacity = self.nodes.len();
                        let mut nodes =
                            std::mem::replace(&mut self.nodes, Vec::with_capacity(capacity));
                        nodes.shrink_to_fit();
                        nodes
                    },
                    duplicate_keys: std::mem::take(&mut self.duplicates),
                };
                let empty = match doc.root {
                    None => true,
                    Some(r) => {
                        doc.nodes.len() == 1 && doc.is_null(r) && doc.node(r).span.is_empty()
                    }
                };
                self.reset();
                return Ok(Some(Document {
                    root: if empty { None } else { doc.root },
                    ..doc
                }));
            }
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    GStyle::Plain => ScalarStyle::Plain,
                    GStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    GStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    GStyle::Literal => ScalarStyle::Literal,
                    GStyle::Folded => ScalarStyle::Folded,
                };
                let value = match (&tag, style) {
                    (Some(tag), _) => match tag.core_suffix() {
                        Some("int" | "bool" | "null" | "float") => resolve_plain(&text),
                        _ => Value::Str,
                    },
                    (None, ScalarStyle::Plain) => resolve_plain(&text),
                    (None, _) => Value::Str,
                };
                let text: Cow<'a, str> = text;
                let id = self.push(
                    NodeKind::Scalar(Scalar { text, style, value }),
                    bspan,
                    false,
                );
                if anchor != 0 {
                    self.anchors.insert(anchor, id);
                }
                self.attach(id);
            }
            Event::MappingStart(style, anchor, _) => {
                let id = self.push(
                    NodeKind::Map(Vec::new()),
                    bspan,
                    style == StructureStyle::Flow,
                );
                self.open(id, anchor)?;
                self.frames.push(Frame::Map {
                    id,
                    entries: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceStart(style, anchor, _) => {
                let id = self.push(
                    NodeKind::Seq(Vec::new()),
                    bspan,
                    style == StructureStyle::Flow,
                );
                self.open(id, anchor)?;
                self.frames.push(Frame::Seq {
                    id,
                    items: Vec::new(),
                });
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { id, entries, .. }) = self.frames.pop() {
                    let entries = self.merge_keys(id, entries);
                    self.find_duplicates(&entries);
                    let values: Vec<NodeId> = entries.iter().map(|&(_, v)| v).collect();
                    self.close(id, bspan, &values);
                    self.nodes[id as usize].kind = NodeKind::Map(entries);
                    self.attach(id);
                }
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { id, items }) = self.frames.pop() {
                    self.close(id, bspan, &items);
                    self.nodes[id as usize].kind = NodeKind::Seq(items);
                    self.attach(id);
                }
            }
            Event::Alias(anchor) => {
                let Some(&source) = self.anchors.get(&anchor) else {
                    return Err(BuildError {
                        at: bspan.start,
                        message: "alias refers to an unknown anchor".into(),
                    });
                };
                if self.frames.iter().any(|f| f.id() == source) {
                    return Err(BuildError {
                        at: bspan.start,
                        message: "alias refers to an anchor that contains it (recursive alias)"
                            .into(),
                    });
                }
                self.nodes[source as usize].anchored = true;
                let copy = self.copy(source, bspan.start)?;
                self.nodes[copy as usize].span = bspan;
                self.attach(copy);
            }
            _ => {}
        }
        Ok(None)
    }

    fn open(&mut self, id: NodeId, anchor: usize) -> Result<(), BuildError> {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        if self.frames.len() >= self.limits.max_depth {
            return Err(BuildError {
                at: self.nodes[id as usize].span.start,
                message: format!(
                    "nesting deeper than {} levels (limit --max-depth)",
                    self.limits.max_depth
                ),
            });
        }
        Ok(())
    }

    /// Fix a collection's span once its children are known: a flow collection runs
    /// bracket to bracket, a block one to the end of its last written child.
    fn close(&mut self, id: NodeId, end_event: Span, children: &[NodeId]) {
        let node = &self.nodes[id as usize];
        let start = node.span.start;
        let end = if node.flow {
            end_event.end
        } else {
            children
                .iter()
                .map(|&c| &self.nodes[c as usize])
                .filter(|c| !c.shared)
                .map(|c| c.span.end)
                .max()
                .unwrap_or(start)
        };
        self.nodes[id as usize].span = Span::new(start, end.max(start));
    }

    fn attach(&mut self, child: NodeId) {
        match self.frames.last_mut() {
            Some(Frame::Map { id, entries, key }) => {
                let parent = *id;
                match key.take() {
                    None => {
                        *key = Some(child);
                        self.nodes[child as usize].parent = Some(parent);
                    }
                    Some(k) => {
                        entries.push((k, child));
                        let node = &mut self.nodes[child as usize];
                        node.parent = Some(parent);
                        node.key = Some(k);
                    }
                }
            }
            Some(Frame::Seq { id, items }) => {
                let node = &mut self.nodes[child as usize];
                node.parent = Some(*id);
                node.index = items.len() as u32;
                items.push(child);
            }
            None => self.root = Some(child),
        }
    }

    /// Deep-copy the subtree at `source`, counting against the expansion budget.
    fn copy(&mut self, source: NodeId, at: usize) -> Result<NodeId, BuildError> {
        self.expanded += 1;
        let written = self.nodes.len().saturating_sub(self.expanded);
        if self.expanded > self.limits.alias_budget(written) {
            return Err(BuildError {
                at,
                message: format!(
                    "aliases expand to more than {} nodes (a \"billion laughs\" document?); refused",
                    self.limits.alias_budget(written)
                ),
            });
        }
        let original = self.nodes[source as usize].clone();
        let kind = match original.kind {
            NodeKind::Scalar(s) => NodeKind::Scalar(s),
            NodeKind::Map(ref entries) => {
                let mut copied = Vec::with_capacity(entries.len());
                for &(k, v) in entries {
                    copied.push((self.copy(k, at)?, self.copy(v, at)?));
                }
                NodeKind::Map(copied)
            }
            NodeKind::Seq(ref items) => {
                let mut copied = Vec::with_capacity(items.len());
                for &item in items {
                    copied.push(self.copy(item, at)?);
                }
                NodeKind::Seq(copied)
            }
        };
        let id = self.push(kind, original.span, original.flow);
        self.nodes[id as usize].shared = true;
        self.nodes[id as usize].anchored = original.anchored;
        self.adopt(id);
        Ok(id)
    }

    /// Point the children of `id` back at it.
    fn adopt(&mut self, id: NodeId) {
        match &self.nodes[id as usize].kind {
            NodeKind::Map(entries) => {
                let entries = entries.clone();
                for (k, v) in entries {
                    self.nodes[k as usize].parent = Some(id);
                    let value = &mut self.nodes[v as usize];
                    value.parent = Some(id);
                    value.key = Some(k);
                }
            }
            NodeKind::Seq(items) => {
                let items = items.clone();
                for (i, item) in items.into_iter().enumerate() {
                    let node = &mut self.nodes[item as usize];
                    node.parent = Some(id);
                    node.index = i as u32;
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }

    fn key_text(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id as usize].kind {
            NodeKind::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// Expand `<<` merge keys (as go-yaml does): entries written in the mapping win,
    /// then the merged mappings in order.
    fn merge_keys(&mut self, map: NodeId, entries: Vec<(NodeId, NodeId)>) -> Vec<(NodeId, NodeId)> {
        let is_merge = |b: &Self, k: NodeId| {
            matches!(&b.nodes[k as usize].kind,
                NodeKind::Scalar(s) if s.style == ScalarStyle::Plain && s.text == "<<")
        };
        if !entries.iter().any(|&(k, _)| is_merge(self, k)) {
            return entries;
        }
        let mut sources = Vec::new();
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            if is_merge(self, k) {
                match &self.nodes[v as usize].kind {
                    NodeKind::Map(_) => sources.push(v),
                    NodeKind::Seq(items) => sources.extend(items.iter().copied()),
                    NodeKind::Scalar(_) => out.push((k, v)),
                }
            } else {
                out.push((k, v));
            }
        }
        for source in sources {
            let merged: Vec<(NodeId, NodeId)> = match &self.nodes[source as usize].kind {
                NodeKind::Map(e) => e.clone(),
                _ => continue,
            };
            for (k, v) in merged {
                let present = {
                    let text = self.key_text(k);
                    out.iter().any(|&(ok, _)| self.key_text(ok) == text)
                };
                if present {
                    continue;
                }
                for id in [k, v] {
                    self.nodes[id as usize].shared = true;
                    self.nodes[id as usize].parent = Some(map);
                }
                self.nodes[v as usize].key = Some(k);
                out.push((k, v));
            }
        }
        out
    }

    fn find_duplicates(&mut self, entries: &[(NodeId, NodeId)]) {
        if entries.len() < 2 {
            return;
        }
        let mut keys: Vec<(&str, NodeId)> = entries
            .iter()
            .filter_map(|&(k, _)| self.key_text(k).map(|t| (t, k)))
            .collect();
        // Stable sort keeps source order among equal keys.
        keys.sort_by(|a, b| a.0.cmp(b.0));
        let mut found = Vec::new();
        let mut group_first = 0;
        for i in 1..keys.len() {
            if keys[i].0 == keys[group_first].0 {
                found.push((keys[group_first].1, keys[i].1));
            } else {
                group_first = i;
            }
        }
        self.duplicates.extend(found);
    }
}

impl Frame {
    fn id(&self) -> NodeId {
        match self {
            Frame::Map { id, .. } | Frame::Seq { id, .. } => *id,
        }
    }
}
