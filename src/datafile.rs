//! Data files of one YAML document (the rule files of `policies/`, the lessons of
//! `lessons/`), read with located errors: the project's own data, embedded at build time,
//! and the files `kubeharden lesson lint` is given.

use serde_json::Value as Json;

use crate::rules::{FieldError, PathSegment};
use crate::source::LineIndex;
use crate::yaml::{parse_stream, Document, Limits, NodeId};

/// Read `text`, the file shown as `file` in errors, holding one `what` ("rule file",
/// "lesson file"), and turn its JSON tree into a value with `from_json`.
///
/// Errors: every problem found, each a complete line `<file>:<line>:<column>: <message>`
/// (line and column 1-based): the first YAML error, an empty file, a second document, a
/// key that appears twice in a mapping, and each [`FieldError`] of `from_json`, located
/// at the key of an unknown field, else at the value its path names (or the deepest
/// existing parent).
pub(crate) fn read<T>(
    file: &str,
    text: &str,
    what: &str,
    from_json: impl FnOnce(&Json) -> Result<T, Vec<FieldError>>,
) -> Result<T, Vec<String>> {
    let lines = LineIndex::new(text);
    let at = |offset: usize| {
        let p = lines.position(text, offset);
        format!("{file}:{}:{}", p.line, p.column)
    };
    let stream = parse_stream(text, &Limits::default());
    if let Some(e) = stream.errors.first() {
        return Err(vec![format!(
            "{}: YAML error: {}",
            at(e.span.start),
            e.message
        )]);
    }
    let Some((doc, root)) = stream
        .documents
        .first()
        .and_then(|d| d.root.map(|r| (d, r)))
    else {
        return Err(vec![format!("{file}: empty file")]);
    };
    let mut errors = Vec::new();
    if let Some(second) = stream.documents.get(1) {
        errors.push(format!(
            "{}: a {what} holds one YAML document",
            at(second.span.start)
        ));
    }
    for &(first, dup) in &doc.duplicate_keys {
        let p = lines.position(text, doc.node(first).span().start);
        errors.push(format!(
            "{}: key {:?} appears twice (first at line {})",
            at(doc.node(dup).span().start),
            doc.text(dup).unwrap_or(""),
            p.line
        ));
    }
    match from_json(&doc.to_json(root)) {
        Ok(value) if errors.is_empty() => Ok(value),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.extend(
                e.into_iter()
                    .map(|e| format!("{}: {e}", at(field_offset(doc, root, &e)))),
            );
            Err(errors)
        }
    }
}

/// Where a field error is in the file: [`locate`]'s node, as a byte offset.
fn field_offset(doc: &Document, root: NodeId, e: &FieldError) -> usize {
    doc.node(locate(doc, root, e)).span().start
}

/// The node a field error of the subtree at `base` points at: the key of an unknown
/// field, else the value at the path (or its deepest existing parent).
pub(crate) fn locate(doc: &Document, base: NodeId, e: &FieldError) -> NodeId {
    let (mut node, mut key) = (base, None);
    for segment in &e.path {
        let next = match segment {
            // The last occurrence of a key is the one the JSON tree kept.
            PathSegment::Key(k) => doc
                .entries(node)
                .iter()
                .rev()
                .find(|&&(kn, _)| doc.text(kn) == Some(k.as_str()))
                .map(|&(kn, v)| (v, Some(kn))),
            PathSegment::Index(i) => doc.items(node).get(*i).map(|&n| (n, None)),
        };
        let Some((n, k)) = next else { break };
        (node, key) = (n, k);
    }
    match key {
        Some(k) if e.message.starts_with("unknown field") => k,
        _ => node,
    }
}
