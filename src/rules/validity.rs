//! Findings about the manifest itself: repeated keys, wrong field types, fields that do
//! not exist where they are written, and suppression annotations that do not say why.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    quoted, Check, DocCx, FieldError, Hit, Loc, NoParams, Op, ParamSpec, Template, TemplateParams,
};
use crate::model::{identify, Identified};
use crate::yaml::{Document, NodeId};

/// Annotation prefix that suppresses a rule on an object: `ignore.kubeharden.io/<rule-id>`.
pub const SUPPRESSION_PREFIX: &str = "ignore.kubeharden.io/";

pub static TEMPLATES: &[Template] = &[
    doc_template!(
        "duplicate-key",
        "a mapping must not repeat a key",
        NoParams,
        duplicate_key
    ),
    doc_template!(
        "field-type",
        "fields must have the type the Kubernetes API expects",
        NoParams,
        field_type
    ),
    doc_template!(
        "known-fields",
        "the keys of a pod spec's parts must be fields of their API types (`types`)",
        KnownFieldsParams,
        known_fields
    ),
    doc_template!(
        "suppression",
        "suppression annotations must name a known rule and give a reason",
        NoParams,
        suppression
    ),
];

fn duplicate_key(cx: &DocCx, _p: &NoParams, out: &mut Vec<Hit>) {
    let doc = cx.model.doc;
    // The value written after a key, found through the key's mapping.
    let value_of = |key| {
        let parent = doc.node(key).parent()?;
        doc.entries(parent)
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(_, v)| v)
    };
    // The occurrence before each repetition (the first, or the repetition listed just
    // before, since a key's repetitions are consecutive in `duplicate_keys`): each fix
    // removes that one, so that a key written n times gives n - 1 fixes of distinct
    // entries, all applied in one round (removing the first each time took n rounds, each
    // a check of the bundle: minutes for a few hundred repetitions, found by fuzzing).
    for (i, &(first, dup)) in doc.duplicate_keys.iter().enumerate() {
        let before = match i.checked_sub(1).map(|p| doc.duplicate_keys[p]) {
            Some((f, d)) if f == first => d,
            _ => first,
        };
        let (Some(value), Some(first_value), Some(before_value)) =
            (value_of(dup), value_of(first), value_of(before))
        else {
            continue;
        };
        let key = doc.text(dup).unwrap_or("");
        // Reported on the repetition; the fix removes the earlier entry, keeping the
        // value a JSON decoder keeps (the last).
        let (message, first_label) = if doc.node(dup).shared() {
            // A written key that a `<<` merge written after it sets again: go-yaml v2
            // (sigs.k8s.io/yaml goyaml.v2/decode.go, `decoder.mapping` and
            // `decoder.merge`), as kubectl and the API server use it, applies keys in
            // document order, so the merged value is the one in effect.
            (
                format!("key {} is set again by a `<<` merge key written after it; kubectl and the API server apply keys in document order, so the merged value wins", quoted(key)),
                "written value, overridden by the merge",
            )
        } else {
            (
                format!("key {} appears more than once in this mapping; the API server rejects the object or keeps only the last value", quoted(key)),
                "first occurrence",
            )
        };
        let mut hit = Hit::node(value, message).with(Op::Remove { node: before_value });
        hit.related
            .push((Loc::Node(first_value), first_label.into()));
        out.push(hit);
    }
}

fn field_type(cx: &DocCx, _p: &NoParams, out: &mut Vec<Hit>) {
    let doc = cx.model.doc;
    for issue in &cx.model.type_issues {
        let node = doc.node(issue.node);
        let name = match doc.key(issue.node) {
            Some(k) => format!("field {}", quoted(doc.text(k).unwrap_or(""))),
            None => format!(
                "item {} of {}",
                doc.index(issue.node),
                doc.pointer(node.parent().unwrap_or(issue.node))
            ),
        };
        let shown = match doc.text(issue.node) {
            Some(t) if t.len() <= 40 => format!(" {}", quoted(t)),
            _ => String::new(),
        };
        out.push(Hit::node(
            issue.node,
            format!("{name} must be {}, found {}{shown}; the API server would reject it and its setting is ignored here", issue.expected, issue.found),
        ));
    }
}

fn suppression(cx: &DocCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for object in &cx.model.objects {
        for (key, value) in object.all_annotations() {
            let Some(rule) = key.value.strip_prefix(SUPPRESSION_PREFIX) else {
                continue;
            };
            if cx.catalogue.get(rule).is_none() {
                out.push(Hit::node(
                    value.node,
                    format!(
                        "annotation {} names no known rule; nothing is suppressed{}",
                        key.value,
                        rule_hint(cx.catalogue, rule)
                    ),
                ));
            } else if value.value.trim().is_empty() {
                out.push(Hit::node(value.node, format!("suppression of {rule} gives no reason; write why the risk is accepted (the rule is not suppressed until then)")));
            }
        }
    }
}

/// "; did you mean …" for an unknown rule id: the rule whose Pod Security Standards check
/// id it is (`privileged` is the check of `privileged-container`), else the most similar
/// rule id, else nothing.
fn rule_hint(catalogue: &crate::catalogue::Catalogue, unknown: &str) -> String {
    let by_check = catalogue.rules.iter().find(|r| {
        r.pss
            .as_ref()
            .is_some_and(|p| p.check.eq_ignore_ascii_case(unknown))
    });
    if let Some(r) = by_check {
        return format!(
            "; {unknown} is the Pod Security Standards check id, the rule is {}: did you mean {SUPPRESSION_PREFIX}{}?",
            r.id, r.id
        );
    }
    match super::similar(unknown, catalogue.rules.iter().map(|r| r.id.as_str())) {
        Some(id) => format!("; did you mean {SUPPRESSION_PREFIX}{id}?"),
        None => "; `kubeharden rules` lists the rule ids".into(),
    }
}

/// Parameters of `known-fields`: the fields of the API types a pod spec is made of.
///
/// Shape: `{root: PodSpec, crd_may_extend: [PodSpec, …], types: {PodSpec: {where: "the pod
/// spec", fields: [...], nested: {securityContext: PodSecurityContext}, lists: {containers:
/// Container}, see_also: [Container]}, …}}`. Field names are the JSON names of
/// `k8s.io/api/core/v1/types.go`. Checked at load: `root`, every `nested`/`lists` type and
/// every `see_also` type is in `types`, and every `nested`/`lists` key is one of its type's
/// `fields`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownFieldsParams {
    /// The type of a pod spec (`PodSpec`).
    pub root: String,
    /// Types whose keys are checked only in built-in kinds: a custom resource's schema may
    /// extend them.
    #[serde(default)]
    pub crd_may_extend: Vec<String>,
    /// Built-in kinds checked from the object's root, beside every pod spec:
    /// `[{group: networking.k8s.io, kind: NetworkPolicy, type: NetworkPolicy}, …]`.
    #[serde(default)]
    pub objects: Vec<ObjectFields>,
    pub types: BTreeMap<String, FieldsOf>,
}

/// A built-in kind whose whole object [`KnownFieldsParams`] checks, and its type.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectFields {
    /// API group (`""` for the core group).
    pub group: String,
    pub kind: String,
    /// The type of the object (a key of `types`).
    #[serde(rename = "type")]
    pub ty: String,
}

/// One API type of [`KnownFieldsParams`].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsOf {
    /// How a message names a place of this type ("the pod's securityContext").
    #[serde(rename = "where")]
    pub place: String,
    /// Every field of the type, by JSON name.
    pub fields: Vec<String>,
    /// Mapping fields whose value is of another listed type.
    #[serde(default)]
    pub nested: BTreeMap<String, String>,
    /// List fields whose items are of another listed type.
    #[serde(default)]
    pub lists: BTreeMap<String, String>,
    /// Types where a key unknown here may belong instead (`PodSecurityContext` for
    /// `SecurityContext`): the message then says where to move it.
    #[serde(default)]
    pub see_also: Vec<String>,
}

impl TemplateParams for KnownFieldsParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        let known = |t: &str| self.types.contains_key(t);
        if !known(&self.root) {
            return Err(FieldError::new(
                &["root"],
                format!("{:?} is not in `types`", self.root),
            ));
        }
        for (i, t) in self.crd_may_extend.iter().enumerate() {
            if !known(t) {
                return Err(FieldError::new(
                    &["crd_may_extend"],
                    format!("{t:?} is not in `types`"),
                )
                .item(i));
            }
        }
        for (i, o) in self.objects.iter().enumerate() {
            if !known(&o.ty) {
                return Err(
                    FieldError::new(&["objects"], format!("{:?} is not in `types`", o.ty)).item(i),
                );
            }
        }
        for (name, ty) in &self.types {
            for (what, children) in [("nested", &ty.nested), ("lists", &ty.lists)] {
                for (field, child) in children {
                    if !known(child) {
                        return Err(FieldError::new(
                            &["types", name, what, field],
                            format!("{child:?} is not in `types`"),
                        ));
                    }
                    if !ty.fields.contains(field) {
                        return Err(FieldError::new(
                            &["types", name, what, field],
                            format!("{field:?} is not one of the `fields` of {name}"),
                        ));
                    }
                }
            }
            for (i, other) in ty.see_also.iter().enumerate() {
                if !known(other) {
                    return Err(FieldError::new(
                        &["types", name, "see_also"],
                        format!("{other:?} is not in `types`"),
                    )
                    .item(i));
                }
            }
        }
        Ok(())
    }
}

fn known_fields(cx: &DocCx, p: &KnownFieldsParams, out: &mut Vec<Hit>) {
    let doc = cx.model.doc;
    for object in &cx.model.objects {
        let custom = !matches!(
            identify(object.api_version, object.kind),
            Identified::BuiltIn(_)
        );
        for pod in &object.pods {
            walk_fields(doc, p, &p.root, pod.spec, custom, out);
        }
        if custom {
            continue;
        }
        let group = crate::bundle::api_group(object.api_version);
        if let Some(o) = p
            .objects
            .iter()
            .find(|o| o.group == group && o.kind == object.kind)
        {
            walk_fields(doc, p, &o.ty, object.root, false, out);
        }
    }
}

/// Report the keys of `node` (a mapping of type `ty`) that are not fields of `ty`, then
/// walk its nested mappings and list items of known types.
fn walk_fields(
    doc: &Document,
    p: &KnownFieldsParams,
    ty_name: &str,
    node: NodeId,
    custom: bool,
    out: &mut Vec<Hit>,
) {
    let Some(ty) = p.types.get(ty_name) else {
        return;
    };
    if !doc.is_map(node) {
        return; // a wrong type is `invalid-field-type`'s finding
    }
    let check_keys = !(custom && p.crd_may_extend.iter().any(|t| t == ty_name));
    for &(k, v) in doc.entries(node) {
        let Some(key) = doc.text(k) else { continue };
        if ty.fields.iter().any(|f| f == key) {
            if let Some(child) = ty.nested.get(key) {
                walk_fields(doc, p, child, v, custom, out);
            } else if let Some(child) = ty.lists.get(key) {
                if doc.is_seq(v) {
                    for &item in doc.items(v) {
                        walk_fields(doc, p, child, item, custom, out);
                    }
                }
            }
        } else if check_keys && key != "<<" && !doc.node(k).shared() {
            out.push(Hit::node(v, unknown_field_message(p, ty_name, ty, key)));
        }
    }
}

/// Why `key` is not a field of `ty`, and what was probably meant: the same field
/// elsewhere (`see_also`), a field of `ty` spelt alike, or both.
fn unknown_field_message(p: &KnownFieldsParams, ty_name: &str, ty: &FieldsOf, key: &str) -> String {
    let mut text = format!(
        "{} is not a field of {} ({ty_name}): the API server rejects it under strict field validation (kubectl's default) and otherwise drops it with a warning, so it has no effect",
        quoted(key),
        ty.place
    );
    let elsewhere = ty.see_also.iter().find_map(|other| {
        let o = &p.types[other];
        o.fields.iter().find(|f| *f == key).map(|_| (other, o))
    });
    let alike = super::similar(key, ty.fields.iter().map(String::as_str));
    match (elsewhere, alike) {
        (Some((other, o)), _) => text.push_str(&format!(
            "; it is a field of {} ({other}): write it there",
            o.place
        )),
        (None, Some(f)) => text.push_str(&format!("; did you mean {}?", quoted(f))),
        (None, None) => {}
    }
    text
}
