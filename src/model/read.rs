//! Typed reads from the YAML tree, recording every wrong field type on the way.

use crate::yaml::{Document, NodeId, Value};

/// A typed value and the node it was read from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub node: NodeId,
}

/// A field whose YAML type is not the one the Kubernetes API expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeIssue {
    pub node: NodeId,
    pub expected: &'static str,
    pub found: &'static str,
}

pub struct Reader<'d> {
    pub doc: &'d Document<'d>,
    pub issues: Vec<TypeIssue>,
}

fn type_name(doc: &Document, node: NodeId) -> &'static str {
    if doc.is_map(node) {
        "mapping"
    } else if doc.is_seq(node) {
        "list"
    } else {
        doc.value(node).map_or("value", Value::type_name)
    }
}

impl<'d> Reader<'d> {
    pub fn new(doc: &'d Document<'d>) -> Self {
        Reader {
            doc,
            issues: Vec::new(),
        }
    }

    fn mismatch(&mut self, node: NodeId, expected: &'static str) {
        let found = type_name(self.doc, node);
        self.issues.push(TypeIssue {
            node,
            expected,
            found,
        });
    }

    /// The non-null value under `key`.
    pub fn child(&self, parent: Option<NodeId>, key: &str) -> Option<NodeId> {
        let node = self.doc.get(parent?, key)?;
        (!self.doc.is_null(node)).then_some(node)
    }

    pub fn map(&mut self, parent: Option<NodeId>, key: &str) -> Option<NodeId> {
        let node = self.child(parent, key)?;
        if self.doc.is_map(node) {
            Some(node)
        } else {
            self.mismatch(node, "a mapping");
            None
        }
    }

    /// Items of a list field; a wrong type is recorded and reads as empty.
    pub fn seq(&mut self, parent: Option<NodeId>, key: &str) -> &'d [NodeId] {
        let Some(node) = self.child(parent, key) else {
            return &[];
        };
        if self.doc.is_seq(node) {
            self.doc.items(node)
        } else {
            self.mismatch(node, "a list");
            &[]
        }
    }

    /// Items of a list field that are mappings (others are recorded as wrong).
    pub fn maps(&mut self, parent: Option<NodeId>, key: &str) -> Vec<NodeId> {
        let items = self.seq(parent, key);
        let mut out = Vec::with_capacity(items.len());
        for &item in items {
            if self.doc.is_map(item) {
                out.push(item);
            } else if !self.doc.is_null(item) {
                self.mismatch(item, "a mapping");
            }
        }
        out
    }

    pub fn bool(&mut self, parent: Option<NodeId>, key: &str) -> Option<Field<bool>> {
        let node = self.child(parent, key)?;
        match self.doc.value(node) {
            Some(Value::Bool(value)) => Some(Field { value, node }),
            _ => {
                self.mismatch(node, "a boolean");
                None
            }
        }
    }

    pub fn int(&mut self, parent: Option<NodeId>, key: &str) -> Option<Field<i64>> {
        let node = self.child(parent, key)?;
        match self.doc.value(node) {
            Some(Value::Int(value)) => Some(Field { value, node }),
            // kubectl converts YAML to JSON, where `1000.0` is the number 1000.
            Some(Value::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Field {
                value: f as i64,
                node,
            }),
            _ => {
                self.mismatch(node, "an integer");
                None
            }
        }
    }

    pub fn string(&mut self, parent: Option<NodeId>, key: &str) -> Option<Field<&'d str>> {
        let node = self.child(parent, key)?;
        self.string_node(node)
    }

    pub fn string_node(&mut self, node: NodeId) -> Option<Field<&'d str>> {
        match self.doc.str(node) {
            Some(value) => Some(Field { value, node }),
            None => {
                self.mismatch(node, "a string");
                None
            }
        }
    }

    /// A resource quantity: a string (`500m`, `1Gi`) or a number.
    pub fn quantity(&mut self, parent: Option<NodeId>, key: &str) -> Option<Field<&'d str>> {
        let node = self.child(parent, key)?;
        match self.doc.value(node) {
            Some(Value::Str | Value::Int(_) | Value::Float(_)) => Some(Field {
                value: self.doc.text(node).unwrap_or(""),
                node,
            }),
            _ => {
                self.mismatch(node, "a quantity (string or number)");
                None
            }
        }
    }

    /// A list of strings.
    pub fn strings(&mut self, parent: Option<NodeId>, key: &str) -> Vec<Field<&'d str>> {
        let items = self.seq(parent, key);
        items
            .iter()
            .filter_map(|&item| self.string_node(item))
            .collect()
    }

    /// A mapping of string keys to string values (labels, annotations).
    pub fn string_map(
        &mut self,
        parent: Option<NodeId>,
        key: &str,
    ) -> Vec<(Field<&'d str>, Field<&'d str>)> {
        let Some(map) = self.map(parent, key) else {
            return Vec::new();
        };
        let doc = self.doc;
        let mut out = Vec::new();
        for &(k, v) in doc.entries(map) {
            let key = Field {
                value: doc.text(k).unwrap_or(""),
                node: k,
            };
            let value = if doc.is_null(v) {
                Some(Field { value: "", node: v })
            } else {
                self.string_node(v)
            };
            if let Some(value) = value {
                out.push((key, value));
            }
        }
        out
    }
}
