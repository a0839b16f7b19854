//! Kubernetes label selectors (`metav1.LabelSelector`): `matchLabels` and
//! `matchExpressions`, read from the YAML tree and matched against a set of labels
//! exactly as the API machinery does.
//!
//! Source: k8s.io/apimachinery `pkg/apis/meta/v1/helpers.go` (`LabelSelectorAsSelector`)
//! and `pkg/labels/selector.go` (`Requirement.Matches`):
//! - every `matchLabels` pair and every `matchExpressions` requirement must hold (AND);
//! - `In`: the label is present and its value is one of `values`; `NotIn`: the label is
//!   absent, or its value is none of `values` (so `NotIn` matches a pod without the
//!   label); `Exists`: the key is present; `DoesNotExist`: it is absent;
//! - an **empty** selector (`{}`, no `matchLabels` and no `matchExpressions`) matches
//!   **everything** (`labels.Everything()`);
//! - a **null** selector (`nil` in Go) matches **nothing** (`labels.Nothing()`).
//!
//! Whether an absent or `null` field is a null selector depends on the Go type of the
//! field: a pointer field (`*LabelSelector`, as `NetworkPolicyPeer.podSelector`) decodes
//! an absent field to `nil` (nothing), while a value field (`LabelSelector`, as
//! `NetworkPolicySpec.podSelector` and the items of `AggregationRule.clusterRoleSelectors`)
//! decodes it to the zero value, the empty selector (everything). [`LabelSelector::read`]
//! reads a written mapping; callers pick [`LabelSelector::nothing`] or
//! [`LabelSelector::everything`] for an absent field according to that type.
//!
//! Validation (`ValidateLabelSelector`, apimachinery `pkg/apis/meta/v1/validation`):
//! `In`/`NotIn` need at least one value, `Exists`/`DoesNotExist` take none, and the
//! operator is one of the four. A selector that breaks these is refused by the API
//! server; `read` reports it as a [`SelectorError`] at the offending node.

use std::collections::BTreeMap;

use crate::yaml::{Document, NodeId};

/// The operator of a `matchExpressions` requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One requirement: `key` `operator` `values` (`matchLabels` pairs are `In` one value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement<'d> {
    pub key: &'d str,
    pub operator: Operator,
    pub values: Vec<&'d str>,
}

/// A set of labels a selector is matched against (each key at most once).
pub trait Labels {
    fn label(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<&str, &str> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).copied()
    }
}

impl Labels for [(&str, &str)] {
    fn label(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
    }
}

impl Requirement<'_> {
    /// `labels.Requirement.Matches`.
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        let value = labels.label(self.key);
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.contains(&v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.contains(&v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// A label selector: `None` requirements is the null selector (matches nothing), an
/// empty list the empty selector (matches everything).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelSelector<'d> {
    requirements: Option<Vec<Requirement<'d>>>,
    /// The mapping it was read from (`None` for a constructed selector).
    pub node: Option<NodeId>,
}

/// A selector the API server would refuse, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    pub node: NodeId,
    pub message: String,
}

impl std::fmt::Display for SelectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl<'d> LabelSelector<'d> {
    /// The null selector (`nil`): matches nothing.
    pub fn nothing() -> Self {
        LabelSelector {
            requirements: None,
            node: None,
        }
    }

    /// The empty selector (`{}`): matches everything.
    pub fn everything() -> Self {
        LabelSelector {
            requirements: Some(Vec::new()),
            node: None,
        }
    }

    /// Read the selector written at `node`: a mapping with `matchLabels` and/or
    /// `matchExpressions` (a `null` node reads as the empty selector, as a value field
    /// decodes it). Errors: a node that is not a mapping, a label value that is not a
    /// string, an unknown operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist`
    /// with values.
    pub fn read(doc: &'d Document<'d>, node: NodeId) -> Result<Self, SelectorError> {
        let err = |node, message: &str| SelectorError {
            node,
            message: message.to_string(),
        };
        if doc.is_null(node) {
            return Ok(LabelSelector {
                requirements: Some(Vec::new()),
                node: Some(node),
            });
        }
        if !doc.is_map(node) {
            return Err(err(node, "a label selector must be a mapping"));
        }
        let mut requirements = Vec::new();
        if let Some(labels) = doc.get(node, "matchLabels").filter(|&n| !doc.is_null(n)) {
            if !doc.is_map(labels) {
                return Err(err(labels, "`matchLabels` must be a mapping"));
            }
            for &(k, v) in doc.entries(labels) {
                let key = doc.text(k).unwrap_or("");
                let value = doc
                    .str(v)
                    .ok_or_else(|| err(v, "a label value must be a string (quote it)"))?;
                requirements.push(Requirement {
                    key,
                    operator: Operator::In,
                    values: vec![value],
                });
            }
        }
        if let Some(exprs) = doc
            .get(node, "matchExpressions")
            .filter(|&n| !doc.is_null(n))
        {
            if !doc.is_seq(exprs) {
                return Err(err(exprs, "`matchExpressions` must be a list"));
            }
            for &e in doc.items(exprs) {
                if !doc.is_map(e) {
                    return Err(err(e, "a requirement must be a mapping"));
                }
                let key = doc
                    .get(e, "key")
                    .and_then(|n| doc.str(n))
                    .ok_or_else(|| err(e, "a requirement needs a string `key`"))?;
                let op_node = doc
                    .get(e, "operator")
                    .ok_or_else(|| err(e, "a requirement needs an `operator`"))?;
                let operator = match doc.str(op_node) {
                    Some("In") => Operator::In,
                    Some("NotIn") => Operator::NotIn,
                    Some("Exists") => Operator::Exists,
                    Some("DoesNotExist") => Operator::DoesNotExist,
                    other => {
                        let written = other.or(doc.text(op_node)).unwrap_or("");
                        return Err(err(
                            op_node,
                            &format!("{written:?} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)"),
                        ));
                    }
                };
                let mut values = Vec::new();
                if let Some(vs) = doc.get(e, "values").filter(|&n| !doc.is_null(n)) {
                    if !doc.is_seq(vs) {
                        return Err(err(vs, "`values` must be a list"));
                    }
                    for &v in doc.items(vs) {
                        values.push(
                            doc.str(v)
                                .ok_or_else(|| err(v, "a value must be a string (quote it)"))?,
                        );
                    }
                }
                match operator {
                    Operator::In | Operator::NotIn if values.is_empty() => {
                        return Err(err(op_node, "`In` and `NotIn` need at least one value"))
                    }
                    Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                        return Err(err(op_node, "`Exists` and `DoesNotExist` take no values"))
                    }
                    _ => {}
                }
                requirements.push(Requirement {
                    key,
                    operator,
                    values,
                });
            }
        }
        Ok(LabelSelector {
            requirements: Some(requirements),
            node: Some(node),
        })
    }

    /// Whether the labels satisfy every requirement (the empty selector: always; the
    /// null selector: never).
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        match &self.requirements {
            None => false,
            Some(rs) => rs.iter().all(|r| r.matches(labels)),
        }
    }

    /// The empty selector, which matches everything.
    pub fn is_everything(&self) -> bool {
        self.requirements.as_ref().is_some_and(Vec::is_empty)
    }

    /// The null selector, which matches nothing.
    pub fn is_nothing(&self) -> bool {
        self.requirements.is_none()
    }

    /// The requirements (empty for both the empty and the null selector).
    pub fn requirements(&self) -> &[Requirement<'d>] {
        self.requirements.as_deref().unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn selector_matches(yaml: &str, labels: &[(&str, &str)]) -> Result<bool, String> {
        let stream = parse_stream(yaml, &Limits::default());
        let doc = &stream.documents[0];
        let s = LabelSelector::read(doc, doc.root.unwrap()).map_err(|e| e.message)?;
        Ok(s.matches(labels))
    }

    #[test]
    fn empty_selector_matches_everything_and_null_nothing() {
        assert_eq!(selector_matches("{}", &[]), Ok(true));
        assert_eq!(selector_matches("{}", &[("app", "web")]), Ok(true));
        assert_eq!(selector_matches("null", &[("app", "web")]), Ok(true));
        assert!(!LabelSelector::nothing().matches(&BTreeMap::new()));
        assert!(LabelSelector::everything().matches(&BTreeMap::new()));
        assert!(LabelSelector::nothing().is_nothing());
        assert!(LabelSelector::everything().is_everything());
    }

    #[test]
    fn match_labels_are_anded() {
        let s = "matchLabels: {app: web, tier: front}";
        assert_eq!(
            selector_matches(s, &[("app", "web"), ("tier", "front"), ("x", "y")]),
            Ok(true)
        );
        assert_eq!(selector_matches(s, &[("app", "web")]), Ok(false));
        assert_eq!(
            selector_matches(s, &[("app", "web"), ("tier", "back")]),
            Ok(false)
        );
    }

    #[test]
    fn operators_follow_the_requirement_semantics() {
        let not_in = "matchExpressions: [{key: env, operator: NotIn, values: [prod]}]";
        assert_eq!(
            selector_matches(not_in, &[]),
            Ok(true),
            "NotIn: label missing"
        );
        assert_eq!(selector_matches(not_in, &[("env", "dev")]), Ok(true));
        assert_eq!(selector_matches(not_in, &[("env", "prod")]), Ok(false));
        let is_in = "matchExpressions: [{key: env, operator: In, values: [prod, stage]}]";
        assert_eq!(selector_matches(is_in, &[]), Ok(false), "In: label missing");
        assert_eq!(selector_matches(is_in, &[("env", "stage")]), Ok(true));
        let exists = "matchExpressions: [{key: env, operator: Exists}]";
        assert_eq!(selector_matches(exists, &[("env", "")]), Ok(true));
        assert_eq!(selector_matches(exists, &[]), Ok(false));
        let absent = "matchExpressions: [{key: env, operator: DoesNotExist}]";
        assert_eq!(selector_matches(absent, &[]), Ok(true));
        assert_eq!(selector_matches(absent, &[("env", "x")]), Ok(false));
        let both =
            "matchLabels: {app: web}\nmatchExpressions: [{key: env, operator: In, values: [prod]}]";
        assert_eq!(
            selector_matches(both, &[("app", "web"), ("env", "prod")]),
            Ok(true)
        );
        assert_eq!(selector_matches(both, &[("env", "prod")]), Ok(false));
    }

    #[test]
    fn invalid_selectors_are_refused() {
        for bad in [
            "matchExpressions: [{key: env, operator: In}]",
            "matchExpressions: [{key: env, operator: NotIn, values: []}]",
            "matchExpressions: [{key: env, operator: Exists, values: [a]}]",
            "matchExpressions: [{key: env, operator: Equals, values: [a]}]",
            "matchExpressions: [{operator: Exists}]",
            "matchLabels: {enabled: true}",
            "matchLabels: [a]",
            "[a]",
        ] {
            assert!(selector_matches(bad, &[]).is_err(), "{bad}");
        }
    }
}
