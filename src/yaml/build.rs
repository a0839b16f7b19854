//! From `granit-parser` events to [`Document`] trees, with resource limits.

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, ScalarStyle as GStyle, Span as GSpan, StructureStyle};

use super::resolve::{resolve_plain, Value};
use super::{
    Body, Document, Node, NodeId, ParseError, Resolved, ScalarStyle, Stream, TextRef, ANCHORED,
    FLOW, NONE, SHARED,
};
use crate::source::Span;

/// Bounds that keep hostile input cheap to refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_input_bytes: usize,
    /// Deepest accepted nesting of collections.
    pub max_depth: usize,
    /// Nodes that alias and merge-key expansion may add to a stream (a file), beyond this
    /// many per node written in it (see [`Limits::alias_budget`]).
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
    /// Expansion budget for a stream of `written` nodes (the budget is the whole file's,
    /// not each document's): generous for real manifests that reuse anchors, tiny next to
    /// a billion laughs, and bounded by the size of the file.
    pub fn alias_budget(&self, written: usize) -> usize {
        10_000 + written.saturating_mul(self.alias_nodes_per_node)
    }
}

/// Parse a YAML stream. Never panics; a document that cannot be read becomes a
/// [`ParseError`] at its location and the following documents are still read.
pub fn parse_stream<'a>(text: &'a str, limits: &Limits) -> Stream<'a> {
    parse_stream_observed(text, limits, &mut |_| {})
}

/// [`parse_stream`], telling `read` after each document how many bytes of `text` have
/// been read (the end offset of that document), for a progress display.
pub fn parse_stream_observed<'a>(
    text: &'a str,
    limits: &Limits,
    read: &mut dyn FnMut(usize),
) -> Stream<'a> {
    let mut stream = Stream::default();
    // Nodes keep u32 offsets; no source may be 4 GiB or more, whatever the limit says.
    let max = limits.max_input_bytes.min(u32::MAX as usize - 1);
    if text.len() > max {
        stream.errors.push(ParseError {
            document: 0,
            span: Span::empty(0),
            message: format!(
                "input is {} bytes, more than the limit of {} bytes (raise it with --max-input-size)",
                text.len(),
                max
            ),
        });
        return stream;
    }
    let depth = limits.max_depth.max(1);
    let mut options = Options::default();
    options.block_nesting_limit = depth;
    options.flow_nesting_limit = depth;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(limits, text);
    let mut started = 0usize; // documents started so far
    while let Some(next) = parser.next_event() {
        let failure = match next {
            Ok((event, span)) => {
                if matches!(event, Event::DocumentStart(..)) {
                    started += 1;
                }
                match builder.event(event, span, started.saturating_sub(1)) {
                    Ok(Some(doc)) => {
                        read(doc.span.end);
                        stream.documents.push(doc);
                        None
                    }
                    Ok(None) => None,
                    Err(e) => Some(e),
                }
            }
            Err(e) => Some(BuildError {
                at: e.marker().byte_offset().unwrap_or(0),
                message: parser_message(e.info(), depth),
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
                    message: parser_message(e.info(), depth),
                });
                break;
            }
        }
    }
    stream
}

/// The parser's message, with its nesting refusal worded like the builder's own.
fn parser_message(info: String, depth: usize) -> String {
    if info == "recursion limit exceeded" {
        format!("nesting deeper than {depth} levels, the most this tool reads")
    } else {
        info
    }
}

struct BuildError {
    at: usize,
    message: String,
}

/// A collection being read; its entries or items wait on the builder's stacks from
/// `from` on until it closes.
enum Frame {
    Map {
        id: NodeId,
        from: usize,
        key: Option<NodeId>,
    },
    Seq {
        id: NodeId,
        from: usize,
    },
}

struct Builder<'a, 'l> {
    limits: &'l Limits,
    source: &'a str,
    in_document: bool,
    doc_start: usize,
    /// (offset, 1-based line) of the last document start: lines are counted once.
    line_cursor: (usize, usize),
    nodes: Vec<Node>,
    entries: Vec<(NodeId, NodeId)>,
    items: Vec<NodeId>,
    owned: Vec<Box<str>>,
    /// Entries and items of the open collections, innermost last.
    open_entries: Vec<(NodeId, NodeId)>,
    open_items: Vec<NodeId>,
    frames: Vec<Frame>,
    root: Option<NodeId>,
    anchors: HashMap<usize, NodeId>,
    expanded: usize,
    /// Nodes expanded and written by the stream's earlier documents: the budget is the
    /// stream's, so many documents each just under a budget of their own cannot add up.
    stream_expanded: usize,
    stream_written: usize,
    duplicates: Vec<(NodeId, NodeId)>,
}

fn byte_span(span: &GSpan) -> Span {
    let start = span.start.byte_offset().unwrap_or(0);
    let end = span.end.byte_offset().unwrap_or(start);
    Span::new(start, end.max(start))
}

fn bytecount_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// A vector kept for the whole run: no spare capacity.
fn exact<T>(v: &mut Vec<T>) -> Vec<T> {
    let mut out = std::mem::replace(v, Vec::with_capacity(v.len()));
    out.shrink_to_fit();
    out
}

impl<'a, 'l> Builder<'a, 'l> {
    fn new(limits: &'l Limits, source: &'a str) -> Self {
        Builder {
            limits,
            source,
            in_document: false,
            doc_start: 0,
            line_cursor: (0, 1),
            nodes: Vec::new(),
            entries: Vec::new(),
            items: Vec::new(),
            owned: Vec::new(),
            open_entries: Vec::new(),
            open_items: Vec::new(),
            frames: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            expanded: 0,
            stream_expanded: 0,
            stream_written: 0,
            duplicates: Vec::new(),
        }
    }

    /// Add the current document's expanded and written nodes to the stream's.
    fn account(&mut self) {
        self.stream_expanded += self.expanded;
        self.stream_written += self.nodes.len().saturating_sub(self.expanded);
        self.expanded = 0;
    }

    fn reset(&mut self) {
        self.account();
        self.in_document = false;
        self.nodes.clear();
        self.entries.clear();
        self.items.clear();
        self.owned.clear();
        self.open_entries.clear();
        self.open_items.clear();
        self.frames.clear();
        self.root = None;
        self.anchors.clear();
        self.expanded = 0;
        self.duplicates.clear();
    }

    fn push(&mut self, mut body: Body, span: Span, flow: bool) -> NodeId {
        let id = self.nodes.len() as NodeId;
        *body.flags_mut() = if flow { FLOW } else { 0 };
        self.nodes.push(Node {
            // Sources are at most u32::MAX bytes (see `parse_stream`).
            start: span.start as u32,
            end: span.end as u32,
            parent: NONE,
            body,
        });
        id
    }

    /// Where a scalar's content is: in the source when the parser lent it from there.
    fn text_ref(&mut self, text: Cow<'a, str>) -> TextRef {
        if let Cow::Borrowed(t) = &text {
            let offset = (t.as_ptr() as usize).wrapping_sub(self.source.as_ptr() as usize);
            if offset <= self.source.len() && t.len() <= self.source.len() - offset {
                return TextRef {
                    start: offset as u32,
                    len: t.len() as u32,
                };
            }
        }
        self.owned.push(text.into_owned().into_boxed_str());
        TextRef {
            start: (self.owned.len() - 1) as u32,
            len: NONE,
        }
    }

    fn text(&self, text: TextRef) -> &str {
        if text.len == NONE {
            &self.owned[text.start as usize]
        } else {
            &self.source[text.start as usize..(text.start + text.len) as usize]
        }
    }

    fn map_entries(&self, id: NodeId) -> Option<&[(NodeId, NodeId)]> {
        match self.nodes[id as usize].body {
            Body::Map { start, len, .. } => {
                Some(&self.entries[start as usize..(start + len) as usize])
            }
            _ => None,
        }
    }

    fn seq_items(&self, id: NodeId) -> Option<&[NodeId]> {
        match self.nodes[id as usize].body {
            Body::Seq { start, len, .. } => {
                Some(&self.items[start as usize..(start + len) as usize])
            }
            _ => None,
        }
    }

    /// Store the entries of a closed mapping in the arena.
    fn set_entries(&mut self, id: NodeId, entries: &[(NodeId, NodeId)]) {
        let start = self.entries.len() as u32;
        self.entries.extend_from_slice(entries);
        let node = &mut self.nodes[id as usize];
        node.body = Body::Map {
            start,
            len: entries.len() as u32,
            flags: node.body.flags(),
        };
    }

    fn set_items(&mut self, id: NodeId, items: &[NodeId]) {
        let start = self.items.len() as u32;
        self.items.extend_from_slice(items);
        let node = &mut self.nodes[id as usize];
        node.body = Body::Seq {
            start,
            len: items.len() as u32,
            flags: node.body.flags(),
        };
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
                let (at, line) = self.line_cursor;
                let start = self.doc_start.clamp(at, self.source.len());
                let line = line + bytecount_newlines(&self.source.as_bytes()[at..start]);
                self.line_cursor = (start, line);
                self.account();
                let doc = Document {
                    index: doc_index,
                    first_line: (start, line),
                    span: Span::new(self.doc_start, bspan.end.max(self.doc_start)),
                    root: self.root.take(),
                    source: self.source,
                    // Every document of a run is kept for the whole run.
                    nodes: exact(&mut self.nodes),
                    entries: exact(&mut self.entries),
                    items: exact(&mut self.items),
                    owned: std::mem::take(&mut self.owned),
                    duplicate_keys: std::mem::take(&mut self.duplicates),
                };
                let empty = match doc.root {
                    None => true,
                    Some(r) => {
                        doc.nodes.len() == 1 && doc.is_null(r) && doc.node(r).span().is_empty()
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
                let text = self.text_ref(text);
                let id = self.push(
                    Body::Scalar {
                        text,
                        style,
                        value: Resolved::of(value),
                        flags: 0,
                    },
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
                    Body::Map {
                        start: 0,
                        len: 0,
                        flags: 0,
                    },
                    bspan,
                    style == StructureStyle::Flow,
                );
                self.open(id, anchor)?;
                self.frames.push(Frame::Map {
                    id,
                    from: self.open_entries.len(),
                    key: None,
                });
            }
            Event::SequenceStart(style, anchor, _) => {
                let id = self.push(
                    Body::Seq {
                        start: 0,
                        len: 0,
                        flags: 0,
                    },
                    bspan,
                    style == StructureStyle::Flow,
                );
                self.open(id, anchor)?;
                self.frames.push(Frame::Seq {
                    id,
                    from: self.open_items.len(),
                });
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { id, from, .. }) = self.frames.pop() {
                    let written: Vec<(NodeId, NodeId)> = self.open_entries.drain(from..).collect();
                    // The written entries, `<<` ones included, end the mapping's text; the
                    // entries a merge adds are the anchor's text, elsewhere.
                    let end = self.end_of(id, bspan, written.iter().map(|&(_, v)| v));
                    let entries = self.merge_keys(id, written);
                    self.find_duplicates(&entries);
                    self.set_end(id, end);
                    self.set_entries(id, &entries);
                    self.attach(id);
                }
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { id, from }) = self.frames.pop() {
                    let end = self.end_of(id, bspan, self.open_items[from..].iter().copied());
                    self.set_end(id, end);
                    let items: Vec<NodeId> = self.open_items.drain(from..).collect();
                    self.set_items(id, &items);
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
                *self.nodes[source as usize].body.flags_mut() |= ANCHORED;
                let copy = self.copy(source, bspan.start)?;
                let node = &mut self.nodes[copy as usize];
                node.start = bspan.start as u32;
                node.end = bspan.end as u32;
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
                at: self.nodes[id as usize].start as usize,
                message: format!(
                    "nesting deeper than {} levels, the most this tool reads",
                    self.limits.max_depth
                ),
            });
        }
        Ok(())
    }

    /// Where a collection ends once its children are known: a flow collection runs
    /// bracket to bracket, a block one to the end of its last written child (an alias
    /// child's text is the alias itself).
    fn end_of(&self, id: NodeId, end_event: Span, children: impl Iterator<Item = NodeId>) -> u32 {
        let node = &self.nodes[id as usize];
        let end = if node.flow() {
            end_event.end as u32
        } else {
            children
                .map(|c| self.nodes[c as usize].end)
                .max()
                .unwrap_or(node.start)
        };
        end.max(node.start)
    }

    fn set_end(&mut self, id: NodeId, end: u32) {
        self.nodes[id as usize].end = end;
    }

    fn attach(&mut self, child: NodeId) {
        match self.frames.last_mut() {
            Some(Frame::Map { id, key, .. }) => {
                let parent = *id;
                match key.take() {
                    None => {
                        *key = Some(child);
                        self.nodes[child as usize].parent = parent;
                    }
                    Some(k) => {
                        self.open_entries.push((k, child));
                        self.nodes[child as usize].parent = parent;
                    }
                }
            }
            Some(Frame::Seq { id, .. }) => {
                self.nodes[child as usize].parent = *id;
                self.open_items.push(child);
            }
            None => self.root = Some(child),
        }
    }

    /// Deep-copy the subtree at `source`, counting against the expansion budget.
    fn copy(&mut self, source: NodeId, at: usize) -> Result<NodeId, BuildError> {
        self.expanded += 1;
        let written = self.stream_written + self.nodes.len().saturating_sub(self.expanded);
        let budget = self.limits.alias_budget(written);
        if self.stream_expanded + self.expanded > budget {
            return Err(BuildError {
                at,
                message: format!(
                    "aliases expand to more than {budget} nodes in this file (a \"billion laughs\" document?); refused"
                ),
            });
        }
        let original = self.nodes[source as usize];
        let id = self.push(original.body, original.span(), original.flow());
        *self.nodes[id as usize].body.flags_mut() |= SHARED | (original.body.flags() & ANCHORED);
        if let Some(entries) = self.map_entries(source).map(<[_]>::to_vec) {
            let mut copied = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                copied.push((self.copy(k, at)?, self.copy(v, at)?));
            }
            self.set_entries(id, &copied);
        } else if let Some(items) = self.seq_items(source).map(<[_]>::to_vec) {
            let mut copied = Vec::with_capacity(items.len());
            for item in items {
                copied.push(self.copy(item, at)?);
            }
            self.set_items(id, &copied);
        }
        self.adopt(id);
        Ok(id)
    }

    /// Point the children of `id` back at it.
    fn adopt(&mut self, id: NodeId) {
        if let Some(entries) = self.map_entries(id).map(<[_]>::to_vec) {
            for (k, v) in entries {
                self.nodes[k as usize].parent = id;
                self.nodes[v as usize].parent = id;
            }
        } else if let Some(items) = self.seq_items(id).map(<[_]>::to_vec) {
            for item in items {
                self.nodes[item as usize].parent = id;
            }
        }
    }

    fn key_text(&self, id: NodeId) -> Option<&str> {
        match self.nodes[id as usize].body {
            Body::Scalar { text, .. } => Some(self.text(text)),
            _ => None,
        }
    }

    /// Expand `<<` merge keys in the order kubectl and the API server apply them.
    ///
    /// They decode YAML with sigs.k8s.io/yaml, which calls go-yaml v2 (its fork of v2.4.0,
    /// `goyaml.v2/decode.go`): `decoder.mapping` walks the keys in document order, and a
    /// `<<` key calls `decoder.merge`, which unmarshals the merged mapping into the same
    /// map. So a merge overrides the keys written before it, a key written after it
    /// overrides the merged one, and for a sequence `<<: [*a, *b]` the items are applied
    /// last to first ("earlier nodes take precedence").
    ///
    /// The entries keep the decoder's meaning with the last occurrence of a key winning:
    /// a merged entry that something later overrides is dropped (that is what merge keys
    /// are for), while a written entry that a later merge overrides is kept before the
    /// merged one, so [`Self::find_duplicates`] reports it as a repeated key.
    fn merge_keys(&mut self, map: NodeId, entries: Vec<(NodeId, NodeId)>) -> Vec<(NodeId, NodeId)> {
        let is_merge = |b: &Self, k: NodeId| match b.nodes[k as usize].body {
            Body::Scalar {
                text,
                style: ScalarStyle::Plain,
                ..
            } => b.text(text) == "<<",
            _ => false,
        };
        if !entries.iter().any(|&(k, _)| is_merge(self, k)) {
            return entries;
        }
        // `None` marks a merged entry overridden later.
        let mut out: Vec<Option<(NodeId, NodeId, bool)>> = Vec::with_capacity(entries.len());
        // Where the merged entry in effect for a key is in `out`.
        let mut merged_at: HashMap<String, usize> = HashMap::new();
        for (k, v) in entries {
            let sources: Vec<NodeId> = if is_merge(self, k) {
                match self.nodes[v as usize].body {
                    Body::Map { .. } => vec![v],
                    Body::Seq { .. } => self
                        .seq_items(v)
                        .unwrap_or(&[])
                        .iter()
                        .rev()
                        .copied()
                        .collect(),
                    Body::Scalar { .. } => vec![],
                }
            } else {
                vec![]
            };
            if sources.is_empty() {
                // A written key (or a `<<` whose value is no mapping, kept as written).
                if let Some(at) = self.key_text(k).and_then(|t| merged_at.remove(t)) {
                    out[at] = None;
                }
                out.push(Some((k, v, false)));
                continue;
            }
            for source in sources {
                let Some(merged) = self.map_entries(source).map(<[_]>::to_vec) else {
                    continue;
                };
                for (mk, mv) in merged {
                    if let Some(text) = self.key_text(mk).map(str::to_owned) {
                        if let Some(at) = merged_at.insert(text, out.len()) {
                            out[at] = None;
                        }
                    }
                    out.push(Some((mk, mv, true)));
                }
            }
        }
        // The merged entries in effect now belong to this mapping.
        // Written entries first, then the merged ones in effect: the meaning is the same
        // (a merged entry still here came after every written entry of its key, and is
        // the only merged one of its key), and a mapping's first entry is written text
        // whenever it has some, which is where the fixer takes the keys' indentation.
        let (written, merged): (Vec<_>, Vec<_>) = out
            .into_iter()
            .flatten()
            .partition(|&(_, _, merged)| !merged);
        for &(mk, mv, _) in &merged {
            for id in [mk, mv] {
                let node = &mut self.nodes[id as usize];
                *node.body.flags_mut() |= SHARED;
                node.parent = map;
            }
        }
        written
            .into_iter()
            .chain(merged)
            .map(|(k, v, _)| (k, v))
            .collect()
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
