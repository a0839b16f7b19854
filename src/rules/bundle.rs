//! Rules that read the whole bundle at once.

use super::{BundleCx, BundleHit, BundleHits, Check, Loc, NoParams, ParamSpec, Place, Template};
use crate::bundle::Entry;

pub static TEMPLATES: &[Template] = &[Template {
    name: "duplicate-object",
    summary: "an object (API group, kind, namespace, name) must be defined once in the bundle",
    check: Check::Bundle(duplicate_object),
    params: ParamSpec::of::<NoParams>("NoParams"),
    validity: false,
}];

/// The place that names an object: its `metadata.name`, else the object itself.
pub(crate) fn name_place(e: &Entry) -> Place {
    let doc = e.object.doc;
    let node = e
        .object
        .metadata
        .and_then(|m| doc.get(m, "name"))
        .unwrap_or(e.object.root);
    Place {
        doc: e.at.doc,
        loc: Loc::Node(node),
    }
}

/// The API server keys an object by group, kind, namespace and name
/// (k8s.io/apiserver/pkg/registry/generic/registry/store.go: one key per name within
/// its namespace and resource). Two definitions of one identity in a bundle are one
/// object: `kubectl apply` applies both in turn, so the later replaces the earlier, and
/// `kubectl create` fails with AlreadyExists on the second.
fn duplicate_object(cx: &BundleCx, out: &mut BundleHits) {
    let bundle = cx.bundle;
    let mut repeated: Vec<_> = bundle.repeated_identities().collect();
    repeated.sort_by_key(|(_, objects)| bundle.objects[objects[0]].at);
    for (identity, objects) in repeated {
        let first = &bundle.objects[objects[0]];
        let first_place = name_place(first);
        let where_first = format!(
            "{} (document {})",
            bundle.name(first.at.doc.file),
            first.at.doc.document + 1
        );
        let group = if identity.group.is_empty() {
            "core".to_string()
        } else {
            identity.group.to_string()
        };
        let who = match identity.namespace {
            Some(ns) => format!("{} {ns}/{}", identity.kind, identity.name),
            None => format!("{} {}", identity.kind, identity.name),
        };
        for &later in &objects[1..] {
            let e = &bundle.objects[later];
            out.push(BundleHit {
                at: name_place(e),
                message: format!(
                    "{who} (API group {group}) is already defined in {where_first}; applying both makes this definition replace that one"
                ),
                related: vec![(first_place.clone(), "first defined here".to_string())],
                fix: Vec::new(),
            });
        }
    }
}
