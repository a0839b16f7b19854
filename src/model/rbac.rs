//! RBAC objects (`rbac.authorization.k8s.io/v1`: Role, ClusterRole, RoleBinding,
//! ClusterRoleBinding) read from the YAML tree with the node of every field, and rule
//! matching exactly as the RBAC authorizer does.
//!
//! Matching: k8s.io/kubernetes `pkg/apis/rbac/v1/evaluation_helpers.go` (`VerbMatches`,
//! `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`, `NonResourceURLMatches`)
//! and `plugin/pkg/auth/authorizer/rbac/rbac.go` (`RuleAllows`):
//! - a verb, API group or resource matches when the rule lists it or `*`;
//! - a resource is compared as the combined `resource/subresource` string: `*` matches
//!   every resource and subresource, `*/exec` the subresource `exec` of any resource,
//!   `pods/*` only a subresource literally named `*`, and `pods` never `pods/exec`;
//! - `resourceNames` empty (or absent) allows every name; otherwise the request's name
//!   must be listed (a request without a name — `create` of a top-level object, `list`
//!   without a `metadata.name` field selector, `deletecollection` — is then denied);
//! - a non-resource URL matches when listed, or `*`, or a listed prefix ending in `*`.

use std::collections::BTreeMap;

use super::selector::{LabelSelector, SelectorError};
use super::{Field, Object, Reader};
use crate::yaml::{Document, NodeId};

/// The RBAC API group.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Role or ClusterRole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// One entry of a role's `rules`.
#[derive(Clone, Debug)]
pub struct PolicyRule<'d> {
    /// The rule's mapping.
    pub node: NodeId,
    /// 0-based position in `rules`.
    pub index: usize,
    pub verbs: Vec<Field<&'d str>>,
    pub api_groups: Vec<Field<&'d str>>,
    pub resources: Vec<Field<&'d str>>,
    pub resource_names: Vec<Field<&'d str>>,
    pub non_resource_urls: Vec<Field<&'d str>>,
}

/// An API request as the authorizer sees it (`authorizer.Attributes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'q> {
    pub verb: &'q str,
    pub group: &'q str,
    pub resource: &'q str,
    /// `""` when the request is for the resource itself.
    pub subresource: &'q str,
    /// The object's name; `""` for requests that carry none (`create` of a top-level
    /// object, `list`, `watch`, `deletecollection`).
    pub name: &'q str,
}

fn find(items: &[Field<&str>], pred: impl Fn(&str) -> bool) -> Option<NodeId> {
    items.iter().find(|f| pred(f.value)).map(|f| f.node)
}

impl PolicyRule<'_> {
    /// `VerbMatches`: the item that grants `verb` (`*` or the verb itself).
    pub fn verb_matches(&self, verb: &str) -> Option<NodeId> {
        find(&self.verbs, |v| v == "*" || v == verb)
    }

    /// `APIGroupMatches` (`""` is the core group).
    pub fn api_group_matches(&self, group: &str) -> Option<NodeId> {
        find(&self.api_groups, |g| g == "*" || g == group)
    }

    /// `ResourceMatches` for `resource` and `subresource` (`""` for none).
    pub fn resource_matches(&self, resource: &str, subresource: &str) -> Option<NodeId> {
        let combined;
        let combined: &str = if subresource.is_empty() {
            resource
        } else {
            combined = format!("{resource}/{subresource}");
            &combined
        };
        find(&self.resources, |r| {
            r == "*"
                || r == combined
                || (!subresource.is_empty()
                    && r.len() == subresource.len() + 2
                    && r.starts_with("*/")
                    && r.ends_with(subresource))
        })
    }

    /// `ResourceNameMatches`: no `resourceNames` allows every name.
    pub fn resource_name_matches(&self, name: &str) -> bool {
        self.resource_names.is_empty() || self.resource_names.iter().any(|n| n.value == name)
    }

    /// `NonResourceURLMatches`: the item that grants `path`.
    pub fn non_resource_url_matches(&self, path: &str) -> Option<NodeId> {
        find(&self.non_resource_urls, |u| {
            u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
        })
    }

    /// `RuleAllows` for a resource request.
    pub fn allows(&self, r: &Request) -> bool {
        self.verb_matches(r.verb).is_some()
            && self.api_group_matches(r.group).is_some()
            && self.resource_matches(r.resource, r.subresource).is_some()
            && self.resource_name_matches(r.name)
    }

    /// `RuleAllows` for a non-resource request (`get /metrics`).
    pub fn allows_url(&self, verb: &str, path: &str) -> bool {
        self.verb_matches(verb).is_some() && self.non_resource_url_matches(path).is_some()
    }
}

/// A Role or ClusterRole.
#[derive(Clone, Debug)]
pub struct Role<'d> {
    pub kind: RoleKind,
    pub name: &'d str,
    /// As written; always `None` for a ClusterRole.
    pub namespace: Option<&'d str>,
    pub labels: BTreeMap<&'d str, &'d str>,
    pub rules: Vec<PolicyRule<'d>>,
    /// `aggregationRule` of a ClusterRole: its own `rules` are then overwritten by the
    /// aggregation controller.
    pub aggregation: Option<Aggregation<'d>>,
}

/// `aggregationRule.clusterRoleSelectors`.
#[derive(Clone, Debug)]
pub struct Aggregation<'d> {
    /// The `aggregationRule` mapping.
    pub node: NodeId,
    pub selectors: Vec<LabelSelector<'d>>,
    /// Selectors the API server would refuse (they select nothing here).
    pub errors: Vec<SelectorError>,
}

/// RoleBinding or ClusterRoleBinding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

impl BindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

/// `roleRef`.
#[derive(Clone, Copy, Debug)]
pub struct RoleRef<'d> {
    pub node: NodeId,
    /// `Role` or `ClusterRole` as written (anything else grants nothing).
    pub kind: Field<&'d str>,
    pub name: Field<&'d str>,
    pub api_group: Option<Field<&'d str>>,
}

impl RoleRef<'_> {
    /// The kind when it is one the API accepts.
    pub fn role_kind(&self) -> Option<RoleKind> {
        match self.kind.value {
            "Role" => Some(RoleKind::Role),
            "ClusterRole" => Some(RoleKind::ClusterRole),
            _ => None,
        }
    }
}

/// One entry of `subjects`.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'d> {
    pub node: NodeId,
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: &'d str,
    pub name: &'d str,
    /// As written (a ServiceAccount in a RoleBinding defaults to the binding's namespace:
    /// see [`Binding::subject_namespace`]).
    pub namespace: Option<&'d str>,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Clone, Debug)]
pub struct Binding<'d> {
    pub kind: BindingKind,
    pub name: &'d str,
    /// As written; always `None` for a ClusterRoleBinding.
    pub namespace: Option<&'d str>,
    pub role_ref: Option<RoleRef<'d>>,
    pub subjects: Vec<Subject<'d>>,
}

impl<'d> Binding<'d> {
    /// The namespace of a ServiceAccount subject: as written, else (in a RoleBinding)
    /// the binding's own namespace, as `appliesToUser` in
    /// `pkg/registry/rbac/validation/rule.go` defaults it.
    pub fn subject_namespace(&self, s: &Subject<'d>) -> Option<&'d str> {
        s.namespace.filter(|n| !n.is_empty()).or(match self.kind {
            BindingKind::RoleBinding => self.namespace,
            BindingKind::ClusterRoleBinding => None,
        })
    }
}

fn strings<'d>(r: &mut Reader<'d>, node: NodeId, key: &str) -> Vec<Field<&'d str>> {
    r.strings(Some(node), key)
}

/// Read a Role or ClusterRole (`None` for any other object).
pub fn read_role<'d>(object: &Object<'d>) -> Option<Role<'d>> {
    if crate::bundle::api_group(object.api_version) != RBAC_GROUP {
        return None;
    }
    let kind = match object.kind {
        "Role" => RoleKind::Role,
        "ClusterRole" => RoleKind::ClusterRole,
        _ => return None,
    };
    let doc: &'d Document<'d> = object.doc;
    let mut r = Reader::new(doc);
    let root = Some(object.root);
    let rules = r
        .maps(root, "rules")
        .into_iter()
        .enumerate()
        .map(|(index, node)| PolicyRule {
            node,
            index,
            verbs: strings(&mut r, node, "verbs"),
            api_groups: strings(&mut r, node, "apiGroups"),
            resources: strings(&mut r, node, "resources"),
            resource_names: strings(&mut r, node, "resourceNames"),
            non_resource_urls: strings(&mut r, node, "nonResourceURLs"),
        })
        .collect();
    let labels = r
        .string_map(object.metadata, "labels")
        .into_iter()
        .map(|(k, v)| (k.value, v.value))
        .collect();
    let aggregation = match kind {
        RoleKind::ClusterRole => r.map(root, "aggregationRule").map(|node| {
            let mut selectors = Vec::new();
            let mut errors = Vec::new();
            for &s in r.seq(Some(node), "clusterRoleSelectors") {
                match LabelSelector::read(doc, s) {
                    Ok(sel) => selectors.push(sel),
                    Err(e) => errors.push(e),
                }
            }
            Aggregation {
                node,
                selectors,
                errors,
            }
        }),
        RoleKind::Role => None,
    };
    Some(Role {
        kind,
        name: object.name.unwrap_or(""),
        namespace: match kind {
            RoleKind::Role => object.namespace,
            RoleKind::ClusterRole => None,
        },
        labels,
        rules,
        aggregation,
    })
}

/// Read a RoleBinding or ClusterRoleBinding (`None` for any other object).
pub fn read_binding<'d>(object: &Object<'d>) -> Option<Binding<'d>> {
    if crate::bundle::api_group(object.api_version) != RBAC_GROUP {
        return None;
    }
    let kind = match object.kind {
        "RoleBinding" => BindingKind::RoleBinding,
        "ClusterRoleBinding" => BindingKind::ClusterRoleBinding,
        _ => return None,
    };
    let doc: &'d Document<'d> = object.doc;
    let mut r = Reader::new(doc);
    let root = Some(object.root);
    let role_ref = r.map(root, "roleRef").and_then(|node| {
        Some(RoleRef {
            node,
            kind: r.string(Some(node), "kind")?,
            name: r.string(Some(node), "name")?,
            api_group: r.string(Some(node), "apiGroup"),
        })
    });
    let subjects = r
        .maps(root, "subjects")
        .into_iter()
        .filter_map(|node| {
            let kind = r.string(Some(node), "kind")?.value;
            let name = r.string(Some(node), "name")?.value;
            let namespace = r.string(Some(node), "namespace").map(|f| f.value);
            Some(Subject {
                node,
                kind,
                name,
                namespace,
            })
        })
        .collect();
    Some(Binding {
        kind,
        name: object.name.unwrap_or(""),
        namespace: match kind {
            BindingKind::RoleBinding => object.namespace,
            BindingKind::ClusterRoleBinding => None,
        },
        role_ref,
        subjects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocumentModel;
    use crate::yaml::{parse_stream, Limits};

    fn with_rule<T>(rule: &str, f: impl FnOnce(&PolicyRule) -> T) -> T {
        let text = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n- {rule}\n"
        );
        let stream = parse_stream(&text, &Limits::default());
        let model = DocumentModel::read(&stream.documents[0]);
        let role = read_role(&model.objects[0]).unwrap();
        f(&role.rules[0])
    }

    fn req<'a>(verb: &'a str, group: &'a str, resource: &'a str, sub: &'a str) -> Request<'a> {
        Request {
            verb,
            group,
            resource,
            subresource: sub,
            name: "",
        }
    }

    #[test]
    fn verbs_groups_and_resources_match_exactly_or_by_wildcard() {
        with_rule(
            "{apiGroups: [''], resources: [pods], verbs: [get, list]}",
            |r| {
                assert!(r.allows(&req("get", "", "pods", "")));
                assert!(!r.allows(&req("create", "", "pods", "")));
                assert!(!r.allows(&req("get", "apps", "pods", "")), "other group");
                assert!(!r.allows(&req("get", "metrics.k8s.io", "pods", "")));
                assert!(
                    !r.allows(&req("get", "", "pods", "exec")),
                    "pods is not pods/exec"
                );
            },
        );
        with_rule("{apiGroups: ['*'], resources: ['*'], verbs: ['*']}", |r| {
            assert!(r.allows(&req("escalate", "rbac.authorization.k8s.io", "roles", "")));
            assert!(
                r.allows(&req("create", "", "pods", "exec")),
                "* covers subresources"
            );
        });
    }

    #[test]
    fn subresource_patterns() {
        with_rule(
            "{apiGroups: [''], resources: ['pods/*'], verbs: [create]}",
            |r| {
                assert!(
                    !r.allows(&req("create", "", "pods", "exec")),
                    "pods/* is literal"
                );
                assert!(r.allows(&req("create", "", "pods", "*")));
                assert!(!r.allows(&req("create", "", "pods", "")));
            },
        );
        with_rule(
            "{apiGroups: [''], resources: ['*/exec'], verbs: [create]}",
            |r| {
                assert!(r.allows(&req("create", "", "pods", "exec")));
                assert!(!r.allows(&req("create", "", "pods", "attach")));
                assert!(!r.allows(&req("create", "", "pods", "")));
                // `*/exec` is not a suffix match on a longer subresource.
                assert!(!r.allows(&req("create", "", "pods", "xexec")));
            },
        );
        with_rule(
            "{apiGroups: [''], resources: [pods/exec], verbs: [create]}",
            |r| {
                assert!(r.allows(&req("create", "", "pods", "exec")));
                assert!(!r.allows(&req("create", "", "pods", "")));
            },
        );
    }

    #[test]
    fn resource_names_restrict_named_requests_only() {
        with_rule(
            "{apiGroups: [''], resources: [secrets], resourceNames: [tls], verbs: [get, create]}",
            |r| {
                let mut get = req("get", "", "secrets", "");
                get.name = "tls";
                assert!(r.allows(&get));
                get.name = "other";
                assert!(!r.allows(&get));
                // create carries no name: resourceNames grant nothing for it.
                assert!(!r.allows(&req("create", "", "secrets", "")));
            },
        );
        with_rule(
            "{apiGroups: [''], resources: [secrets], resourceNames: [], verbs: [list]}",
            |r| {
                assert!(
                    r.allows(&req("list", "", "secrets", "")),
                    "[] is unrestricted"
                )
            },
        );
    }

    #[test]
    fn non_resource_urls_take_a_trailing_star() {
        with_rule(
            "{nonResourceURLs: ['/healthz/*', /metrics], verbs: [get]}",
            |r| {
                assert!(r.allows_url("get", "/metrics"));
                assert!(!r.allows_url("get", "/metrics/x"));
                assert!(r.allows_url("get", "/healthz/etcd"));
                assert!(r.allows_url("get", "/healthz/"));
                assert!(!r.allows_url("get", "/healthz"));
                assert!(!r.allows_url("post", "/metrics"));
                assert!(!r.allows(&req("get", "", "pods", "")));
            },
        );
        with_rule("{nonResourceURLs: ['*'], verbs: [get]}", |r| {
            assert!(r.allows_url("get", "/anything"));
        });
    }

    #[test]
    fn bindings_default_service_account_namespaces() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- {kind: ServiceAccount, name: web}\n- {kind: ServiceAccount, name: db, namespace: data}\n";
        let stream = parse_stream(text, &Limits::default());
        let model = DocumentModel::read(&stream.documents[0]);
        let b = read_binding(&model.objects[0]).unwrap();
        assert_eq!(b.role_ref.unwrap().role_kind(), Some(RoleKind::ClusterRole));
        assert_eq!(b.subject_namespace(&b.subjects[0]), Some("shop"));
        assert_eq!(b.subject_namespace(&b.subjects[1]), Some("data"));
    }
}
