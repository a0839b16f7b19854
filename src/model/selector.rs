//! Label selectors (`metav1.LabelSelector`) as Kubernetes evaluates them.
//!
//! Source: k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go `LabelSelectorAsSelector` and
//! k8s.io/apimachinery/pkg/labels/selector.go `Requirement.Matches`:
//! - every `matchLabels` pair and every `matchExpressions` requirement must hold (AND);
//! - `In`: the label is present and its value is one of `values`;
//! - `NotIn`: the label is absent, or its value is none of `values` (a pod without the
//!   label matches `NotIn`);
//! - `Exists` / `DoesNotExist`: the label is present / absent, whatever its value;
//! - a selector with no `matchLabels` and no `matchExpressions` (`{}`) matches everything.
//!
//! An absent (nil) selector means what the field that holds it documents (a NetworkPolicy's
//! `podSelector` is a struct, so absent means `{}`: every pod; a peer's
//! `namespaceSelector` is a pointer, so absent means "the policy's namespace"): callers
//! decide, [`LabelSelector::read`] is given a node that is present. A `null` node reads as
//! `{}`, the way the API server decodes a null struct.

use std::fmt;

use crate::yaml::{Document, NodeId};

/// One `matchExpressions` operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One requirement: `key`, `operator`, `values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement<'d> {
    pub key: &'d str,
    pub operator: Operator,
    pub values: Vec<&'d str>,
}

/// A label selector read from a manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector<'d> {
    /// The `matchLabels` pairs, in document order.
    pub match_labels: Vec<(&'d str, &'d str)>,
    pub match_expressions: Vec<Requirement<'d>>,
}

/// Why a selector cannot be evaluated: the API server rejects it at validation
/// (`ValidateLabelSelector`), so it selects nothing in a cluster. `node` is the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    pub node: NodeId,
    pub message: String,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn error(node: NodeId, message: impl Into<String>) -> SelectorError {
    SelectorError {
        node,
        message: message.into(),
    }
}

/// A scalar's text: label keys and values are strings, but YAML may type `true` or `1`.
fn scalar<'d>(doc: &'d Document<'d>, node: NodeId) -> Option<&'d str> {
    if doc.is_null(node) {
        return None;
    }
    doc.text(node)
}

impl<'d> LabelSelector<'d> {
    /// Read the selector at `node` (a mapping, or `null` for `{}`).
    ///
    /// Errors, with the offending node: a selector that is not a mapping, a `matchLabels`
    /// value that is not a scalar, an unknown operator (`Gt` and `Lt` exist for node
    /// selectors only), `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values.
    pub fn read(doc: &'d Document<'d>, node: NodeId) -> Result<Self, SelectorError> {
        let mut selector = LabelSelector::default();
        if doc.is_null(node) {
            return Ok(selector);
        }
        if !doc.is_map(node) {
            return Err(error(node, "a label selector must be a mapping"));
        }
        if let Some(labels) = doc.get(node, "matchLabels").filter(|&n| !doc.is_null(n)) {
            if !doc.is_map(labels) {
                return Err(error(labels, "matchLabels must be a mapping"));
            }
            for &(k, v) in doc.entries(labels) {
                let (Some(k), Some(v)) = (scalar(doc, k), scalar(doc, v)) else {
                    return Err(error(v, "a matchLabels value must be a string"));
                };
                selector.match_labels.push((k, v));
            }
        }
        if let Some(exprs) = doc
            .get(node, "matchExpressions")
            .filter(|&n| !doc.is_null(n))
        {
            if !doc.is_seq(exprs) {
                return Err(error(exprs, "matchExpressions must be a list"));
            }
            for &e in doc.items(exprs) {
                selector.match_expressions.push(read_requirement(doc, e)?);
            }
        }
        Ok(selector)
    }

    /// Whether the selector is `{}` (matches everything).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether a set of labels (`(key, value)` pairs; a key appears once) satisfies every
    /// `matchLabels` pair and every requirement.
    pub fn matches(&self, labels: &[(&str, &str)]) -> bool {
        let get = |key: &str| labels.iter().find(|(k, _)| *k == key).map(|&(_, v)| v);
        self.match_labels.iter().all(|&(k, v)| get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let value = get(r.key);
                match r.operator {
                    Operator::In => value.is_some_and(|v| r.values.contains(&v)),
                    Operator::NotIn => value.is_none_or(|v| !r.values.contains(&v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

fn read_requirement<'d>(
    doc: &'d Document<'d>,
    e: NodeId,
) -> Result<Requirement<'d>, SelectorError> {
    if !doc.is_map(e) {
        return Err(error(e, "a matchExpressions item must be a mapping"));
    }
    let key = doc
        .get(e, "key")
        .and_then(|n| scalar(doc, n))
        .ok_or_else(|| error(e, "a matchExpressions item needs a key"))?;
    let op_node = doc
        .get(e, "operator")
        .ok_or_else(|| error(e, "a matchExpressions item needs an operator"))?;
    let operator = match scalar(doc, op_node) {
        Some("In") => Operator::In,
        Some("NotIn") => Operator::NotIn,
        Some("Exists") => Operator::Exists,
        Some("DoesNotExist") => Operator::DoesNotExist,
        other => {
            return Err(error(
                op_node,
                format!(
                    "{:?} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)",
                    other.unwrap_or("")
                ),
            ))
        }
    };
    let mut values = Vec::new();
    if let Some(list) = doc.get(e, "values").filter(|&n| !doc.is_null(n)) {
        if !doc.is_seq(list) {
            return Err(error(list, "values must be a list"));
        }
        for &v in doc.items(list) {
            values.push(scalar(doc, v).ok_or_else(|| error(v, "a value must be a string"))?);
        }
    }
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => Err(error(
            op_node,
            "for 'in', 'notin' operators, values set can't be empty",
        )),
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => Err(error(
            op_node,
            "values set must be empty for exists and does not exist",
        )),
        _ => Ok(Requirement {
            key,
            operator,
            values,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn check(selector: &str, labels: &[(&str, &str)]) -> Result<bool, String> {
        let stream = parse_stream(selector, &Limits::default());
        let doc = &stream.documents[0];
        LabelSelector::read(doc, doc.root.unwrap())
            .map(|s| s.matches(labels))
            .map_err(|e| e.message)
    }

    #[test]
    fn empty_and_null_selectors_match_everything() {
        assert_eq!(check("{}", &[]), Ok(true));
        assert_eq!(check("{}", &[("app", "web")]), Ok(true));
        assert_eq!(check("null", &[("app", "web")]), Ok(true));
        assert_eq!(
            check("matchLabels: {}\nmatchExpressions: []", &[]),
            Ok(true)
        );
    }

    #[test]
    fn match_labels_are_anded_with_expressions() {
        let sel = "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [front, edge]}";
        assert_eq!(check(sel, &[("app", "web"), ("tier", "front")]), Ok(true));
        assert_eq!(check(sel, &[("app", "web")]), Ok(false));
        assert_eq!(check(sel, &[("app", "db"), ("tier", "front")]), Ok(false));
        assert_eq!(check(sel, &[("app", "web"), ("tier", "back")]), Ok(false));
    }

    #[test]
    fn not_in_matches_a_missing_label_and_does_not_exist_only_a_missing_one() {
        let not_in = "matchExpressions: [{key: env, operator: NotIn, values: [prod]}]";
        assert_eq!(check(not_in, &[]), Ok(true));
        assert_eq!(check(not_in, &[("env", "dev")]), Ok(true));
        assert_eq!(check(not_in, &[("env", "prod")]), Ok(false));
        let exists = "matchExpressions: [{key: env, operator: Exists}]";
        assert_eq!(check(exists, &[("env", "")]), Ok(true));
        assert_eq!(check(exists, &[]), Ok(false));
        let absent = "matchExpressions: [{key: env, operator: DoesNotExist}]";
        assert_eq!(check(absent, &[]), Ok(true));
        assert_eq!(check(absent, &[("env", "x")]), Ok(false));
    }

    #[test]
    fn yaml_typed_values_compare_as_written() {
        // Label values are strings; an unquoted `true` in matchLabels is rejected by the
        // API server's decoder, but the text is what a selector would compare.
        assert_eq!(
            check("matchLabels: {enabled: true}", &[("enabled", "true")]),
            Ok(true)
        );
    }

    #[test]
    fn invalid_selectors_are_errors() {
        assert!(check(
            "matchExpressions: [{key: a, operator: Gt, values: ['1']}]",
            &[]
        )
        .unwrap_err()
        .contains("not a valid label selector operator"));
        assert!(check("matchExpressions: [{key: a, operator: In}]", &[])
            .unwrap_err()
            .contains("can't be empty"));
        assert!(check(
            "matchExpressions: [{key: a, operator: Exists, values: [x]}]",
            &[]
        )
        .unwrap_err()
        .contains("must be empty"));
        assert!(check("[a]", &[]).is_err());
        assert!(check("matchLabels: [a]", &[]).is_err());
    }
}
