//! Findings about the manifest itself: repeated keys, wrong field types, and
//! suppression annotations that do not say why.

use super::{quoted, Check, DocCx, Hit, Loc, NoParams, Op, ParamSpec, Template};

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
        let parent = doc.node(key).parent?;
        doc.entries(parent)
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(_, v)| v)
    };
    for &(first, dup) in &doc.duplicate_keys {
        let (Some(value), Some(first_value)) = (value_of(dup), value_of(first)) else {
            continue;
        };
        let key = doc.text(dup).unwrap_or("");
        // Reported on the repetition; the fix removes the earlier entry, keeping the
        // value a JSON decoder keeps (the last).
        let mut hit = Hit::node(
            value,
            format!("key {} appears more than once in this mapping; the API server rejects the object or keeps only the last value", quoted(key)),
        )
        .with(Op::Remove { node: first_value });
        hit.related
            .push((Loc::Node(first_value), "first occurrence".into()));
        out.push(hit);
    }
}

fn field_type(cx: &DocCx, _p: &NoParams, out: &mut Vec<Hit>) {
    let doc = cx.model.doc;
    for issue in &cx.model.type_issues {
        let node = doc.node(issue.node);
        let name = match node.key {
            Some(k) => format!("field {}", quoted(doc.text(k).unwrap_or(""))),
            None => format!(
                "item {} of {}",
                node.index,
                doc.pointer(node.parent.unwrap_or(issue.node))
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
