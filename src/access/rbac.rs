//! The RBAC access model: who can do what, from the manifests and the API server's
//! bootstrap policy, as the RBAC authorizer decides it.
//!
//! Sources: k8s.io/kubernetes `plugin/pkg/auth/authorizer/rbac/rbac.go` (`Authorize`,
//! `RuleAllows`), `pkg/registry/rbac/validation/rule.go` (`VisitRulesFor`,
//! `appliesToUser`), `pkg/apis/rbac/v1/evaluation_helpers.go` (the matching of
//! [`crate::model::rbac`]), `staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go`
//! (the groups of an impersonated user) and
//! <https://kubernetes.io/docs/reference/access-authn-authz/rbac/>:
//! - a request is allowed iff some rule of a role bound to the user allows it; the rules
//!   visited are those of every ClusterRoleBinding's ClusterRole, and, for a request in a
//!   namespace, those of the RoleBindings **of that namespace** (to a Role of the same
//!   namespace or to a ClusterRole). A cluster-scoped resource or a non-resource URL is
//!   requested without a namespace, so no RoleBinding grants it;
//! - a subject applies to a user by kind: `User` by name, `Group` by the user's groups,
//!   `ServiceAccount` as the username `system:serviceaccount:<ns>:<name>`, its namespace
//!   defaulting to the RoleBinding's (a ServiceAccount subject of a ClusterRoleBinding
//!   without a namespace applies to nobody);
//! - a user given with `--as` belongs to `system:authenticated` (`system:unauthenticated`
//!   for `system:anonymous`); a ServiceAccount also to `system:serviceaccounts` and
//!   `system:serviceaccounts:<ns>`;
//! - a ClusterRole with an `aggregationRule` has the rules of every ClusterRole its
//!   selectors match (transitively: `edit` gathers `view`), its own `rules` being
//!   overwritten by the aggregation controller;
//! - the bootstrap roles and bindings ([`super::bootstrap`]) exist on every cluster; an
//!   object of the bundle with the same identity replaces its built-in namesake.
//!
//! Objects without `metadata.namespace` land in the namespace the manifests are applied
//! to: [`AccessOptions::apply_namespace`] when given, else an unknown namespace that no
//! named request matches (and the answer says so).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::{At, Bootstrap, Origin};
use crate::bundle::{Bundle, DocRef};
use crate::model::rbac::{
    read_binding, read_role, Binding, BindingKind, PolicyRule, Request, Role, RoleKind, RBAC_GROUP,
};
use crate::model::{DocumentModel, Object};
use crate::rules::rbac::BUILT_IN_RESOURCES;
use crate::version::KubeVersion;
use crate::yaml::{Document, NodeId};

/// The subresources of the built-in API (`pods/exec`, `deployments/scale`, …): a `NAME` in
/// `TYPE/NAME` that is one of them is most likely meant as the subresource
/// ([`Access::kubectl_target`] says so).
const SUBRESOURCE_NAMES: &[&str] = &[
    "exec",
    "attach",
    "portforward",
    "proxy",
    "log",
    "status",
    "token",
    "eviction",
    "scale",
    "approval",
    "binding",
    "ephemeralcontainers",
    "resize",
    "finalize",
];

/// How the model reads the bundle.
#[derive(Clone, Debug, Default)]
pub struct AccessOptions {
    /// The target Kubernetes version (which bootstrap policy, and whether `get` on
    /// `pods/exec` still opens a WebSocket exec: before v1.35).
    pub version: KubeVersion,
    /// The namespace objects without `metadata.namespace` are applied to (`kubectl apply
    /// -n`); `None`: unknown.
    pub apply_namespace: Option<String>,
}

/// A user as the authorizer sees it: a name and groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

const SA_PREFIX: &str = "system:serviceaccount:";

impl User {
    /// The user `kubectl --as NAME --as-group G...` makes: the groups given, plus
    /// `system:authenticated` (or `system:unauthenticated` for `system:anonymous`), plus for
    /// `system:serviceaccount:<ns>:<name>` the groups `system:serviceaccounts` and
    /// `system:serviceaccounts:<ns>` (impersonation.go adds the same).
    pub fn impersonate(name: &str, groups: &[String]) -> User {
        let mut all: Vec<String> = groups.to_vec();
        if let Some((ns, _)) = name
            .strip_prefix(SA_PREFIX)
            .and_then(|rest| rest.split_once(':'))
        {
            all.push("system:serviceaccounts".into());
            all.push(format!("system:serviceaccounts:{ns}"));
        }
        if name == "system:anonymous" {
            all.push("system:unauthenticated".into());
        } else {
            all.push("system:authenticated".into());
        }
        let mut seen = BTreeSet::new();
        all.retain(|g| seen.insert(g.clone()));
        User {
            name: name.to_string(),
            groups: all,
        }
    }

    /// ServiceAccount `name` of `namespace`, with its implied groups.
    pub fn service_account(namespace: &str, name: &str) -> User {
        User::impersonate(&format!("{SA_PREFIX}{namespace}:{name}"), &[])
    }

    /// Only the members of one group (no name any `User` subject has): what the group's
    /// bindings grant.
    pub fn group(name: &str) -> User {
        User {
            name: String::new(),
            groups: vec![name.to_string()],
        }
    }
}

/// What a request is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Target {
    /// A resource of an API group (`""`: core), optionally a subresource and an object name.
    Resource {
        group: String,
        resource: String,
        subresource: String,
        name: String,
    },
    /// A non-resource URL (`/metrics`).
    Url { path: String },
}

impl Target {
    pub fn resource(group: &str, resource: &str) -> Target {
        Target::Resource {
            group: group.into(),
            resource: resource.into(),
            subresource: String::new(),
            name: String::new(),
        }
    }

    /// `pods/exec`, `deployments.apps`, `/metrics`, for messages.
    pub fn text(&self) -> String {
        match self {
            Target::Url { path } => path.clone(),
            Target::Resource {
                group,
                resource,
                subresource,
                name,
            } => {
                let mut s = resource.clone();
                if !group.is_empty() {
                    s = format!("{s}.{group}");
                }
                if !name.is_empty() {
                    s = format!("{s} {name:?}");
                }
                if !subresource.is_empty() {
                    s = format!("{s} (subresource {subresource})");
                }
                s
            }
        }
    }
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "scope", content = "namespace", rename_all = "snake_case")]
pub enum Scope {
    /// Through a ClusterRoleBinding: every namespace and the cluster-scoped resources.
    Cluster,
    /// Through a RoleBinding of this namespace (`None`: the namespace the manifests are
    /// applied to, unknown).
    Namespace(Option<String>),
}

impl Scope {
    pub fn text(&self) -> String {
        match self {
            Scope::Cluster => "cluster-wide".into(),
            Scope::Namespace(Some(ns)) => format!("in namespace {ns}"),
            Scope::Namespace(None) => "in the namespace the manifests are applied to".into(),
        }
    }
}

/// One way a request is granted: a binding naming the subject, the role it references,
/// and the rule that allows the request (in that role, or in a ClusterRole the role
/// aggregates).
#[derive(Clone, Debug, Serialize)]
pub struct Grant {
    /// `ClusterRoleBinding name` or `RoleBinding ns/name`.
    pub binding: String,
    /// The binding's `roleRef`.
    pub binding_at: At,
    /// How the binding names the subject (`Group system:authenticated`).
    pub subject: String,
    /// The binding's subject entry.
    pub subject_at: At,
    /// `ClusterRole name` or `Role ns/name`: what the binding references.
    pub role: String,
    /// The role that holds the rule when it differs (the binding's role aggregates it).
    pub aggregated_from: Option<String>,
    /// The rule (an item of `rules`), and its 0-based index in its role.
    pub rule_at: At,
    pub rule_index: usize,
    pub scope: Scope,
    #[serde(skip)]
    pub binding_index: usize,
    #[serde(skip)]
    pub rule_role_index: usize,
}

/// The answer to `can(user, verb, target, namespace)`.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub allowed: bool,
    /// Every grant (empty when denied).
    pub grants: Vec<Grant>,
    /// What the model could not see: bindings for the user whose role is neither in the
    /// bundle nor built in, bindings without a namespace, an old target version.
    pub notes: Vec<String>,
}

/// A subject as a binding names it (ServiceAccount namespaces defaulted).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SubjectRef {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    pub name: String,
    /// A ServiceAccount's namespace (`None`: the namespace the manifests are applied to).
    pub namespace: Option<String>,
}

impl SubjectRef {
    pub fn text(&self) -> String {
        match (&self.namespace, self.kind.as_str()) {
            (Some(ns), "ServiceAccount") => format!("ServiceAccount {ns}/{}", self.name),
            _ => format!("{} {}", self.kind, self.name),
        }
    }

    /// The user (or group members) this subject is, for [`Access::can`].
    pub fn user(&self) -> User {
        match self.kind.as_str() {
            "Group" => User::group(&self.name),
            "ServiceAccount" => {
                User::service_account(self.namespace.as_deref().unwrap_or(""), &self.name)
            }
            _ => User::impersonate(&self.name, &[]),
        }
    }
}

/// One line of [`Access::list`] (`kubectl auth can-i --list`).
#[derive(Clone, Debug, Serialize)]
pub struct Permitted {
    /// `resource[/subresource][.group]` as kubectl prints it (`pods`, `deployments.apps`,
    /// `*.*`); empty for a non-resource URL line.
    pub resource: String,
    /// The non-resource URL (`/metrics`, `/api/*`); empty for a resource line.
    pub url: String,
    /// The one object name the line is limited to (empty: every object).
    pub resource_names: Vec<String>,
    /// The verbs, sorted.
    pub verbs: Vec<String>,
    /// The bindings and rules that grant it.
    pub grants: Vec<Grant>,
}

/// Who can: a subject and its grants.
#[derive(Clone, Debug, Serialize)]
pub struct Holder {
    pub subject: SubjectRef,
    pub grants: Vec<Grant>,
}

/// A role known to the model.
pub struct RoleDef<'b> {
    pub role: Role<'b>,
    pub doc: &'b Document<'b>,
    pub origin: Origin,
    pub root: NodeId,
    /// The document of the bundle it is in (`None`: built in).
    pub doc_ref: Option<DocRef>,
    /// Replaced by an object of the bundle with the same identity.
    pub shadowed: bool,
}

/// A binding known to the model.
pub struct BindingDef<'b> {
    pub binding: Binding<'b>,
    pub doc: &'b Document<'b>,
    pub origin: Origin,
    pub root: NodeId,
    /// The document of the bundle it is in (`None`: built in).
    pub doc_ref: Option<DocRef>,
    /// The role its `roleRef` resolves to ([`target_key`], then the role in effect with
    /// that identity: the bundle's, else the built-in one).
    pub role: Option<usize>,
    pub shadowed: bool,
}

impl BindingDef<'_> {
    pub fn built_in(&self) -> bool {
        matches!(self.origin, Origin::BuiltIn(_))
    }
}

/// A role's identity: (kind, namespace, name).
pub type RoleKey<'b> = (RoleKind, Option<&'b str>, &'b str);

/// The RBAC objects of a bundle and of the bootstrap policy, resolved.
pub struct Access<'b> {
    pub roles: Vec<RoleDef<'b>>,
    pub bindings: Vec<BindingDef<'b>>,
    /// Per role: for an aggregated ClusterRole, the ClusterRoles without aggregation whose
    /// rules it holds (transitively); empty for others.
    members: Vec<Vec<usize>>,
    /// `u:<username>` / `g:<group>` → (binding, subject index).
    by_subject: HashMap<String, Vec<(usize, usize)>>,
    /// Custom resources of the bundle: (group, plural, namespaced).
    crds: Vec<(&'b str, &'b str, bool)>,
    /// ServiceAccount objects and the ServiceAccounts pods run as, by (namespace, name).
    pub service_accounts: BTreeMap<(Option<&'b str>, &'b str), Option<At>>,
    pub options: AccessOptions,
    bootstrap_note: Option<String>,
    /// Per binding: the index of a ServiceAccount subject without a namespace when the
    /// binding is a ClusterRoleBinding, which the API server rejects as a whole
    /// ([`Access::rejected_note`]).
    rejected: Vec<Option<usize>>,
    /// The repeated keys the model read past in the bundle's RBAC objects, as notes
    /// ([`duplicate_key_notes`]).
    duplicate_notes: Vec<String>,
}

fn role_text(r: &Role) -> String {
    match r.namespace {
        Some(ns) => format!("{} {ns}/{}", r.kind.as_str(), r.name),
        None => format!("{} {}", r.kind.as_str(), r.name),
    }
}

fn binding_text(b: &Binding) -> String {
    match (b.kind, b.namespace) {
        (BindingKind::RoleBinding, Some(ns)) => format!("RoleBinding {ns}/{}", b.name),
        _ => format!("{} {}", b.kind.as_str(), b.name),
    }
}

/// The (kind, namespace, name) a roleRef resolves to; `None` when the API server refuses
/// it (another API group or kind, a ClusterRoleBinding to a Role): a RoleBinding's Role
/// is looked up in the binding's own namespace, a ClusterRole by name
/// (`pkg/apis/rbac/validation/validation.go`, `pkg/registry/rbac/validation/rule.go`
/// `GetRoleReferenceRules`). The one resolution of roleRefs: the checker's RBAC rules
/// ([`crate::rules::rbac`]) read it too.
pub fn target_key<'b>(b: &Binding<'b>) -> Option<RoleKey<'b>> {
    let r = b.role_ref?;
    if r.api_group.is_some_and(|g| g.value != RBAC_GROUP) {
        return None;
    }
    match (b.kind, r.role_kind()?) {
        (BindingKind::RoleBinding, RoleKind::Role) => {
            Some((RoleKind::Role, b.namespace, r.name.value))
        }
        (_, RoleKind::ClusterRole) => Some((RoleKind::ClusterRole, None, r.name.value)),
        (BindingKind::ClusterRoleBinding, RoleKind::Role) => None,
    }
}

/// The short names of built-in resources (the SHORTNAMES column of `kubectl
/// api-resources`, Kubernetes v1.37), to their plural.
pub const SHORT_NAMES: &[(&str, &str)] = &[
    ("cm", "configmaps"),
    ("cj", "cronjobs"),
    ("crd", "customresourcedefinitions"),
    ("crds", "customresourcedefinitions"),
    ("csr", "certificatesigningrequests"),
    ("deploy", "deployments"),
    ("ds", "daemonsets"),
    ("ep", "endpoints"),
    ("ev", "events"),
    ("hpa", "horizontalpodautoscalers"),
    ("ing", "ingresses"),
    ("limits", "limitranges"),
    ("netpol", "networkpolicies"),
    ("no", "nodes"),
    ("ns", "namespaces"),
    ("pc", "priorityclasses"),
    ("pdb", "poddisruptionbudgets"),
    ("po", "pods"),
    ("pv", "persistentvolumes"),
    ("pvc", "persistentvolumeclaims"),
    ("quota", "resourcequotas"),
    ("rc", "replicationcontrollers"),
    ("rs", "replicasets"),
    ("sa", "serviceaccounts"),
    ("sc", "storageclasses"),
    ("sts", "statefulsets"),
    ("svc", "services"),
];

/// Written for a request field that only `*` matches (a resource no rule names).
pub const ANY: &str = "\u{0}any";

impl<'b> Access<'b> {
    /// Resolve the RBAC objects of `bundle` together with `bootstrap`'s.
    pub fn new(bundle: &Bundle<'b>, bootstrap: &'b Bootstrap, options: AccessOptions) -> Self {
        Self::with_bootstrap(bundle, Some(bootstrap), options)
    }

    /// [`Access::new`], or without the bootstrap policy (`None`: only the bundle's roles
    /// and bindings, for a caller that knows none of its questions needs them).
    pub fn with_bootstrap(
        bundle: &Bundle<'b>,
        bootstrap: Option<&'b Bootstrap>,
        options: AccessOptions,
    ) -> Self {
        let mut roles: Vec<RoleDef<'b>> = Vec::new();
        let mut bindings: Vec<BindingDef<'b>> = Vec::new();
        let mut add = |object: &Object<'b>, origin: Origin, doc_ref: Option<DocRef>| {
            if let Some(role) = read_role(object) {
                roles.push(RoleDef {
                    role,
                    doc: object.doc,
                    origin,
                    root: object.root,
                    doc_ref,
                    shadowed: false,
                });
            } else if let Some(binding) = read_binding(object) {
                bindings.push(BindingDef {
                    binding,
                    doc: object.doc,
                    origin,
                    root: object.root,
                    doc_ref,
                    role: None,
                    shadowed: false,
                });
            }
        };
        for (stream, path) in bootstrap.into_iter().flat_map(|b| {
            [
                (&b.roles, super::bootstrap::ROLES_PATH),
                (&b.controller_roles, super::bootstrap::CONTROLLER_ROLES_PATH),
                (&b.bindings, super::bootstrap::BINDINGS_PATH),
                (
                    &b.controller_bindings,
                    super::bootstrap::CONTROLLER_BINDINGS_PATH,
                ),
                (&b.namespace_roles, super::bootstrap::NAMESPACE_ROLES_PATH),
                (
                    &b.namespace_bindings,
                    super::bootstrap::NAMESPACE_BINDINGS_PATH,
                ),
            ]
        }) {
            for doc in &stream.documents {
                for object in &DocumentModel::read(doc).objects {
                    add(object, Origin::BuiltIn(path), None);
                }
            }
        }
        let mut crds = Vec::new();
        let mut service_accounts = BTreeMap::new();
        for e in &bundle.objects {
            let object = e.object;
            if e.group == RBAC_GROUP {
                add(object, Origin::Bundle(e.at.doc.file), Some(e.at.doc));
            } else if e.group == "apiextensions.k8s.io" && object.kind == "CustomResourceDefinition"
            {
                let doc = object.doc;
                let spec = doc.get(object.root, "spec");
                let text = |path: &[&str]| {
                    spec.and_then(|s| doc.get_path(s, path))
                        .and_then(|n| doc.str(n))
                };
                if let (Some(group), Some(plural)) = (text(&["group"]), text(&["names", "plural"]))
                {
                    crds.push((group, plural, text(&["scope"]) != Some("Cluster")));
                }
            } else if e.group.is_empty() && object.kind == "ServiceAccount" {
                if let Some(name) = object.name {
                    let at = object
                        .metadata
                        .and_then(|m| object.doc.get(m, "name"))
                        .unwrap_or(object.root);
                    service_accounts.insert(
                        (object.namespace, name),
                        Some(At::node(Origin::Bundle(e.at.doc.file), object.doc, at)),
                    );
                }
            }
        }
        for p in &bundle.pods {
            let ns = bundle.objects[p.object].object.namespace;
            service_accounts
                .entry((ns, p.service_account))
                .or_insert(None);
        }
        // Identity: a later definition replaces an earlier one (bundle after built-in).
        let mut role_by_key: HashMap<RoleKey<'b>, usize> = HashMap::new();
        for i in 0..roles.len() {
            let r = &roles[i].role;
            if let Some(old) = role_by_key.insert((r.kind, r.namespace, r.name), i) {
                roles[old].shadowed = true;
            }
        }
        let mut binding_by_key: HashMap<(BindingKind, Option<&'b str>, &'b str), usize> =
            HashMap::new();
        for i in 0..bindings.len() {
            let b = &bindings[i].binding;
            let key = (b.kind, b.namespace, b.name);
            if let Some(old) = binding_by_key.insert(key, i) {
                bindings[old].shadowed = true;
            }
        }
        for b in &mut bindings {
            b.role = target_key(&b.binding).and_then(|k| role_by_key.get(&k).copied());
        }
        // Aggregation over the ClusterRoles in effect, closed transitively.
        let cluster_roles: Vec<usize> = (0..roles.len())
            .filter(|&i| roles[i].role.kind == RoleKind::ClusterRole && !roles[i].shadowed)
            .collect();
        let mut direct: Vec<Vec<usize>> = vec![Vec::new(); roles.len()];
        for &i in &cluster_roles {
            let Some(agg) = &roles[i].role.aggregation else {
                continue;
            };
            for &c in &cluster_roles {
                if c != i
                    && agg
                        .selectors
                        .iter()
                        .any(|s| s.matches(&roles[c].role.labels))
                {
                    direct[i].push(c);
                }
            }
        }
        let mut members = vec![Vec::new(); roles.len()];
        for &i in &cluster_roles {
            if roles[i].role.aggregation.is_none() {
                continue;
            }
            let mut seen = BTreeSet::new();
            let mut stack = direct[i].clone();
            while let Some(m) = stack.pop() {
                if m == i || !seen.insert(m) {
                    continue;
                }
                stack.extend(direct[m].iter().copied());
            }
            members[i] = seen
                .into_iter()
                .filter(|&m| roles[m].role.aggregation.is_none())
                .collect();
        }
        // A ClusterRoleBinding with a ServiceAccount subject without a namespace fails
        // validation ("subjects[i].namespace: Required value": pkg/apis/rbac/validation/
        // validation.go `ValidateRoleBindingSubject`, `!isNamespaced &&
        // len(subject.Namespace) == 0`), so the binding never exists.
        let rejected = bindings
            .iter()
            .map(|b| {
                (b.binding.kind == BindingKind::ClusterRoleBinding)
                    .then(|| {
                        b.binding.subjects.iter().position(|s| {
                            s.kind == "ServiceAccount" && s.namespace.is_none_or(str::is_empty)
                        })
                    })
                    .flatten()
            })
            .collect();
        let mut model = Access {
            roles,
            bindings,
            members,
            by_subject: HashMap::new(),
            crds,
            service_accounts,
            bootstrap_note: bootstrap.and_then(|b| b.note_for(options.version)),
            options,
            rejected,
            duplicate_notes: duplicate_key_notes(bundle),
        };
        let mut by_subject: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (bi, b) in model.bindings.iter().enumerate() {
            if b.shadowed {
                continue;
            }
            for (si, s) in b.binding.subjects.iter().enumerate() {
                let key = match s.kind {
                    "User" => format!("u:{}", s.name),
                    "Group" => format!("g:{}", s.name),
                    "ServiceAccount" => match model.subject_namespace(b, si) {
                        Some(ns) => format!("u:{SA_PREFIX}{ns}:{}", s.name),
                        // A RoleBinding without a namespace: in an unknown one.
                        None if b.binding.kind == BindingKind::RoleBinding => {
                            format!("sa?:{}", s.name)
                        }
                        // A ClusterRoleBinding's: the binding is rejected.
                        None => format!("sa!:{}", s.name),
                    },
                    _ => continue,
                };
                // A rejected binding's subjects are kept apart (`x` before the key), for
                // the notes only: no lookup of bindings_for sees them.
                let key = if model.rejected[bi].is_some() {
                    format!("x{key}")
                } else {
                    key
                };
                by_subject.entry(key).or_default().push((bi, si));
            }
        }
        model.by_subject = by_subject;
        model
    }

    /// The namespace a ServiceAccount subject is in: as written, else (in a RoleBinding)
    /// the binding's, else the namespace the manifests are applied to. `None`: unknown or
    /// invalid (a ClusterRoleBinding's subject without a namespace).
    fn subject_namespace<'s>(&'s self, b: &'s BindingDef<'b>, si: usize) -> Option<&'s str> {
        let s = &b.binding.subjects[si];
        s.namespace
            .filter(|n| !n.is_empty())
            .or(match b.binding.kind {
                BindingKind::RoleBinding => self.binding_namespace(b),
                BindingKind::ClusterRoleBinding => None,
            })
    }

    /// A RoleBinding's namespace (or the apply namespace when it has none).
    fn binding_namespace<'s>(&'s self, b: &'s BindingDef<'b>) -> Option<&'s str> {
        b.binding
            .namespace
            .or(self.options.apply_namespace.as_deref())
    }

    /// For an aggregated ClusterRole in effect, the ClusterRoles without aggregation whose
    /// rules it holds (transitively, bundle and built in); empty for other roles.
    pub fn members_of(&self, i: usize) -> &[usize] {
        &self.members[i]
    }

    /// The rules role `i` grants, as (role holding the rule, rule index): its own, or for
    /// an aggregated ClusterRole those of the ClusterRoles it gathers.
    pub fn effective_rules(&self, i: usize) -> Vec<(usize, usize)> {
        let holders: Vec<usize> = if self.roles[i].role.aggregation.is_some() {
            self.members[i].clone()
        } else {
            vec![i]
        };
        holders
            .into_iter()
            .flat_map(|m| (0..self.roles[m].role.rules.len()).map(move |r| (m, r)))
            .collect()
    }

    /// Whether a resource is namespaced: built in (`kubectl api-resources`, v1.37) or a
    /// CustomResourceDefinition of the bundle; `None` when unknown.
    pub fn namespaced(&self, group: &str, resource: &str) -> Option<bool> {
        BUILT_IN_RESOURCES
            .iter()
            .find(|(g, r, _)| *g == group && *r == resource)
            .map(|t| t.2)
            .or_else(|| {
                self.crds
                    .iter()
                    .find(|(g, r, _)| *g == group && *r == resource)
                    .map(|t| t.2)
            })
    }

    /// The API group and plural of a resource as `kubectl auth can-i` resolves `RESOURCE`
    /// or `RESOURCE.GROUP` (through discovery; here from the built-in table and the
    /// bundle's CRDs): the plural, the singular (`pod`) or a short name (`deploy`, from
    /// [`SHORT_NAMES`]); the group written after the first dot, else the built-in group
    /// that serves it (the preferred one: `deployments` is `apps`, not `extensions`), else
    /// a CRD of the bundle. A `RESOURCE.GROUP` the model does not know is taken as
    /// written. Errors: a bare name the model does not know, with the advice to write
    /// `RESOURCE.GROUP`.
    pub fn resolve_resource(&self, text: &str) -> Result<(String, String), String> {
        if text == "*" {
            return Ok(("*".into(), "*".into()));
        }
        let (name, group) = match text.split_once('.') {
            Some((n, g)) => (n, Some(g)),
            None => (text, None),
        };
        let known = |g: &str, r: &str| {
            BUILT_IN_RESOURCES.iter().any(|t| t.0 == g && t.1 == r)
                || self.crds.iter().any(|t| t.0 == g && t.1 == r)
        };
        let mut plurals: Vec<String> = vec![name.to_string()];
        if let Some(&(_, plural)) = SHORT_NAMES.iter().find(|(short, _)| *short == name) {
            plurals.push(plural.to_string());
        }
        plurals.push(format!("{name}s"));
        plurals.push(format!("{name}es"));
        if let Some(stem) = name.strip_suffix('y') {
            plurals.push(format!("{stem}ies"));
        }
        if let Some(g) = group {
            let plural = plurals
                .iter()
                .find(|p| known(g, p))
                .map_or(name.to_string(), Clone::clone);
            return Ok((g.to_string(), plural));
        }
        const OLD: &[&str] = &["extensions", "events.k8s.io", "metrics.k8s.io"];
        for plural in &plurals {
            let mut found: Vec<&str> = BUILT_IN_RESOURCES
                .iter()
                .filter(|t| t.1 == plural.as_str())
                .map(|t| t.0)
                .chain(
                    self.crds
                        .iter()
                        .filter(|t| t.1 == plural.as_str())
                        .map(|t| t.0),
                )
                .collect();
            found.sort_by_key(|g| OLD.contains(g));
            if let Some(g) = found.first() {
                return Ok((g.to_string(), plural.clone()));
            }
        }
        Err(format!(
            "{text:?} is neither a built-in resource type nor a custom resource the manifests define (a CustomResourceDefinition): give its API group as RESOURCE.GROUP, for example widgets.example.com"
        ))
    }

    /// The request `kubectl auth can-i VERB RESOURCE [--subresource SUB]` asks about
    /// (`staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go`): `RESOURCE` is a non-resource URL
    /// (`/logs/`, starting with `/`) or `TYPE[.GROUP][/NAME]`, `TYPE` resolved by
    /// [`Access::resolve_resource`]; the subresource is only ever the separate argument.
    /// The notes: `pods/exec` asks about the pod *named* `exec`, as kubectl reads it, so a
    /// `NAME` that is a subresource's name is pointed out. Errors: a subresource with a URL,
    /// an empty `TYPE` or `NAME`, or an unknown `TYPE` ([`Access::resolve_resource`]).
    pub fn kubectl_target(
        &self,
        resource: &str,
        subresource: Option<&str>,
    ) -> Result<(Target, Vec<String>), String> {
        let subresource = subresource.map(str::trim).filter(|s| !s.is_empty());
        if resource.starts_with('/') {
            if subresource.is_some() {
                return Err("a subresource does not apply to a non-resource URL".into());
            }
            let target = Target::Url {
                path: resource.to_string(),
            };
            return Ok((target, Vec::new()));
        }
        let (kind, name) = resource.split_once('/').unwrap_or((resource, ""));
        if kind.is_empty() || (resource.contains('/') && name.is_empty()) {
            return Err(format!(
                "{resource:?} is not TYPE[.GROUP][/NAME] (kubectl's grammar; a subresource is given apart)"
            ));
        }
        let (group, plural) = self.resolve_resource(&kind.to_ascii_lowercase())?;
        let mut notes = Vec::new();
        if subresource.is_none() && SUBRESOURCE_NAMES.contains(&name) {
            notes.push(format!(
                "{resource} names the object {name:?} of {kind}, as kubectl reads TYPE/NAME; for the {name} subresource, give {name} as the subresource (kubectl: --subresource {name})"
            ));
        }
        let target = Target::Resource {
            group,
            resource: plural,
            subresource: subresource.unwrap_or("").to_string(),
            name: name.to_string(),
        };
        Ok((target, notes))
    }

    fn grant(&self, bi: usize, si: usize, role: usize, (rr, ru): (usize, usize)) -> Grant {
        let b = &self.bindings[bi];
        let r = &self.roles[role];
        let holder = &self.roles[rr];
        let rule = &holder.role.rules[ru];
        let subject = &b.binding.subjects[si];
        let scope = match b.binding.kind {
            BindingKind::ClusterRoleBinding => Scope::Cluster,
            BindingKind::RoleBinding => {
                Scope::Namespace(self.binding_namespace(b).map(String::from))
            }
        };
        let subject_text = match subject.kind {
            "ServiceAccount" => match self.subject_namespace(b, si) {
                Some(ns) => format!("ServiceAccount {ns}/{}", subject.name),
                None => format!("ServiceAccount {}", subject.name),
            },
            kind => format!("{kind} {}", subject.name),
        };
        Grant {
            binding: binding_text(&b.binding),
            binding_at: At::node(
                b.origin,
                b.doc,
                b.binding.role_ref.map_or(b.root, |r| r.node),
            ),
            subject: subject_text,
            subject_at: At::node(b.origin, b.doc, subject.node),
            role: role_text(&r.role),
            aggregated_from: (rr != role).then(|| role_text(&holder.role)),
            rule_at: At::node(holder.origin, holder.doc, rule.node),
            rule_index: ru,
            scope,
            binding_index: bi,
            rule_role_index: rr,
        }
    }

    /// The bindings that apply to `user`: (binding, subject index), each binding once.
    fn bindings_for(&self, user: &User) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let keys = std::iter::once(format!("u:{}", user.name))
            .filter(|_| !user.name.is_empty())
            .chain(user.groups.iter().map(|g| format!("g:{g}")));
        for key in keys {
            for &(b, s) in self.by_subject.get(&key).map_or(&[][..], Vec::as_slice) {
                if !out.iter().any(|&(ob, _)| ob == b) {
                    out.push((b, s));
                }
            }
        }
        out.sort();
        out
    }

    /// The rejected bindings ([`Access::rejected_note`]) that would name `user`: by name,
    /// by group, or (for a ServiceAccount user) as the namespace-less ServiceAccount
    /// subject of that name. Each binding once.
    fn rejected_for(&self, user: &User) -> Vec<usize> {
        let sa = user
            .name
            .strip_prefix(SA_PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, sa)| format!("xsa!:{sa}"));
        let keys = std::iter::once(format!("xu:{}", user.name))
            .filter(|_| !user.name.is_empty())
            .chain(user.groups.iter().map(|g| format!("xg:{g}")))
            .chain(sa);
        let mut out: Vec<usize> = keys
            .flat_map(|k| self.by_subject.get(&k).into_iter().flatten())
            .map(|&(b, _)| b)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Why binding `bi` grants nothing, when the API server rejects it: a ClusterRoleBinding
    /// naming a ServiceAccount without a namespace (`None` for any other binding).
    pub fn rejected_note(&self, bi: usize) -> Option<String> {
        let si = self.rejected.get(bi).copied().flatten()?;
        let b = &self.bindings[bi];
        Some(format!(
            "{} names ServiceAccount {} without a namespace, which a ServiceAccount subject of a ClusterRoleBinding must have: the API server rejects the binding (subjects[{si}].namespace: Required value; pkg/apis/rbac/validation/validation.go ValidateRoleBindingSubject), so it grants nothing to any of its subjects",
            binding_text(&b.binding),
            b.binding.subjects[si].name,
        ))
    }

    /// Why binding `bi` grants nothing to its subject `si` when its roleRef is valid but
    /// resolves to no role of the bundle or the bootstrap policy (`None` otherwise).
    pub fn missing_role_note(&self, bi: usize, si: usize) -> Option<String> {
        let b = &self.bindings[bi];
        if b.role.is_some() {
            return None;
        }
        if target_key(&b.binding).is_none() {
            return self.invalid_role_ref_note(bi, si);
        }
        Some(format!(
            "{} names {} but references {} {}, which is neither in the bundle nor built in: it grants nothing until that role exists",
            binding_text(&b.binding),
            b.binding.subjects[si].name,
            b.binding.role_ref.map_or("", |r| r.kind.value),
            b.binding.role_ref.map_or("", |r| r.name.value),
        ))
    }

    /// Why binding `bi` grants nothing to its subject `si` when the API server rejects its
    /// roleRef (`None` otherwise): a ClusterRoleBinding may reference only a ClusterRole
    /// (pkg/apis/rbac/validation/validation.go `ValidateClusterRoleBinding`:
    /// `field.NotSupported(roleRef.kind, …, ["ClusterRole"])`), a RoleBinding a Role or a
    /// ClusterRole (`ValidateRoleBinding`), both of the group rbac.authorization.k8s.io.
    fn invalid_role_ref_note(&self, bi: usize, si: usize) -> Option<String> {
        let b = &self.bindings[bi];
        if b.built_in() {
            return None;
        }
        let r = b.binding.role_ref?;
        let (field, value, supported) = match r.api_group.map(|g| g.value) {
            Some(g) if g != RBAC_GROUP => ("roleRef.apiGroup", g, format!("{RBAC_GROUP:?}")),
            _ => match (b.binding.kind, r.kind.value) {
                (BindingKind::ClusterRoleBinding, k) if k != "ClusterRole" => {
                    ("roleRef.kind", k, "\"ClusterRole\"".to_string())
                }
                (BindingKind::RoleBinding, k) if k != "Role" && k != "ClusterRole" => {
                    ("roleRef.kind", k, "\"Role\", \"ClusterRole\"".to_string())
                }
                _ => return None,
            },
        };
        let function = match b.binding.kind {
            BindingKind::ClusterRoleBinding => "ValidateClusterRoleBinding",
            BindingKind::RoleBinding => "ValidateRoleBinding",
        };
        Some(format!(
            "{} names {} but references {} {}, which it cannot: the API server rejects the binding ({field}: Unsupported value: {value:?}: supported values: {supported}; pkg/apis/rbac/validation/validation.go {function}), so it grants nothing to any of its subjects",
            binding_text(&b.binding),
            b.binding.subjects[si].name,
            r.kind.value,
            r.name.value,
        ))
    }

    /// The Roles and ClusterRoles of the bundle that grant nothing because nothing binds
    /// them: no binding (of the bundle or built in) references them, and no aggregated
    /// ClusterRole gathers their rules.
    pub fn unbound_roles(&self) -> Vec<UnboundRole> {
        let bound: BTreeSet<usize> = self
            .bindings
            .iter()
            .filter(|b| !b.shadowed)
            .filter_map(|b| b.role)
            .collect();
        let gathered: BTreeSet<usize> = self.members.iter().flatten().copied().collect();
        self.roles
            .iter()
            .enumerate()
            .filter(|(ri, r)| {
                r.doc_ref.is_some() && !r.shadowed && !bound.contains(ri) && !gathered.contains(ri)
            })
            .map(|(_, r)| UnboundRole {
                role: role_text(&r.role),
                at: At::node(r.origin, r.doc, r.root),
            })
            .collect()
    }

    /// The notes every answer starts with: an old target version, repeated keys in the
    /// bundle's RBAC objects.
    fn base_notes(&self) -> Vec<String> {
        self.bootstrap_note
            .iter()
            .chain(&self.duplicate_notes)
            .cloned()
            .collect()
    }

    /// `can(user, verb, target, namespace)`: whether the RBAC authorizer allows the
    /// request itself, with every grant. `namespace` is the request's (`None`:
    /// cluster-wide, as a list across all namespaces or any cluster-scoped request); for a
    /// resource known to be cluster-scoped it is ignored, as a real request for it carries
    /// no namespace, except that a request for the namespace object `NAME` is in namespace
    /// `NAME` (`staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go`).
    /// `kubectl auth can-i` asks another question: its SelfSubjectAccessReview carries the
    /// `-n` namespace even for a cluster-scoped resource, which the authorizer then uses
    /// as given; [`Access::review`] answers that. Never fails: what the bundle does not
    /// show is in [`Decision::notes`].
    pub fn can(
        &self,
        user: &User,
        verb: &str,
        target: &Target,
        namespace: Option<&str>,
    ) -> Decision {
        self.decide(
            user,
            verb,
            target,
            self.request_namespace(target, namespace),
        )
    }

    /// `review(user, verb, target, namespace)`: the answer to the SubjectAccessReview
    /// `kubectl auth can-i VERB TARGET -n NAMESPACE` sends. kubectl puts the namespace in
    /// the review's resource attributes whether or not the resource is namespaced (it only
    /// warns "resource 'namespaces' is not namespace scoped"), and the RBAC authorizer
    /// visits the RoleBindings of the namespace it is given (`plugin/pkg/auth/authorizer/
    /// rbac/rbac.go` `Authorize` → `VisitRulesFor(user, namespace)`, which never asks
    /// whether the resource is namespaced): so a RoleBinding of `ops` to a ClusterRole
    /// that may patch namespaces makes `can-i patch namespaces -n ops` yes. A non-resource
    /// URL has no namespace. For a cluster-scoped resource asked in a namespace the notes
    /// say what a real request gets ([`Access::can`]).
    pub fn review(
        &self,
        user: &User,
        verb: &str,
        target: &Target,
        namespace: Option<&str>,
    ) -> Decision {
        let Target::Resource {
            group,
            resource,
            name,
            ..
        } = target
        else {
            return self.decide(user, verb, target, None);
        };
        let mut d = self.decide(user, verb, target, namespace);
        let Some(ns) = namespace.filter(|_| self.namespaced(group, resource) == Some(false)) else {
            return d;
        };
        let the_namespace_object = group.is_empty() && resource == "namespaces";
        let mut note = format!(
            "{} is cluster-scoped, but kubectl auth can-i sends namespace {ns} in its access review and the RBAC authorizer then visits the RoleBindings of {ns} too (plugin/pkg/auth/authorizer/rbac/rbac.go, VisitRulesFor): this is that review's answer. A real request for a cluster-scoped object carries no namespace, so no RoleBinding grants it",
            target.text()
        );
        if the_namespace_object {
            note.push_str(", except a request for the namespace object NAME itself, which is a request in namespace NAME (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go)");
        }
        let mut bound: Vec<(String, String)> = d
            .grants
            .iter()
            .filter_map(|g| match &g.scope {
                Scope::Namespace(bns) => Some((
                    g.binding.clone(),
                    bns.clone()
                        .unwrap_or_else(|| "the applied namespace".into()),
                )),
                Scope::Cluster => None,
            })
            .collect();
        bound.dedup();
        for (binding, bns) in bound {
            if the_namespace_object {
                note.push_str(&format!(
                    "; {binding} takes effect only for namespaces/{bns}"
                ));
            } else {
                note.push_str(&format!("; {binding} grants no real request for it"));
            }
        }
        let real = self.can(user, verb, target, None);
        if real.allowed != d.allowed {
            let object = if name.is_empty() {
                String::new()
            } else {
                format!(" {name:?}")
            };
            note.push_str(&format!(
                "; the real request ({verb} {resource}{object}) is {}",
                if real.allowed { "allowed" } else { "denied" }
            ));
        }
        d.notes.push(note);
        d
    }

    /// The authorizer's answer for a request in `namespace` as the authorizer receives it.
    fn decide(
        &self,
        user: &User,
        verb: &str,
        target: &Target,
        namespace: Option<&str>,
    ) -> Decision {
        let mut notes = self.base_notes();
        let mut grants = Vec::new();
        // Whether every grant is of a rule limited to resourceNames.
        let mut by_name_only = true;
        for (bi, si) in self.bindings_for(user) {
            let b = &self.bindings[bi];
            if !self.in_scope(b, namespace, &mut notes) {
                continue;
            }
            let Some(role) = b.role else {
                notes.extend(self.missing_role_note(bi, si));
                continue;
            };
            for key in self.effective_rules(role) {
                let rule = &self.roles[key.0].role.rules[key.1];
                if rule_allows(rule, verb, target) {
                    by_name_only &= !rule.resource_names.is_empty();
                    grants.push(self.grant(bi, si, role, key));
                }
            }
        }
        if !grants.is_empty() && by_name_only {
            notes.extend(name_limited_note(verb, target));
        }
        for bi in self.rejected_for(user) {
            notes.extend(self.rejected_note(bi));
        }
        if let Some((_, sa)) = user
            .name
            .strip_prefix(SA_PREFIX)
            .and_then(|rest| rest.split_once(':'))
        {
            for &(bi, _) in self
                .by_subject
                .get(&format!("sa?:{sa}"))
                .map_or(&[][..], Vec::as_slice)
            {
                notes.push(format!(
                    "{} names ServiceAccount {sa} but has no metadata.namespace: it grants in the namespace the manifests are applied to (give that namespace to decide)",
                    binding_text(&self.bindings[bi].binding)
                ));
            }
        }
        notes.dedup();
        Decision {
            allowed: !grants.is_empty(),
            grants,
            notes,
        }
    }

    fn request_namespace<'q>(
        &self,
        target: &'q Target,
        namespace: Option<&'q str>,
    ) -> Option<&'q str> {
        match target {
            Target::Url { .. } => None,
            // `/api/v1/namespaces/NAME` is a request in namespace NAME (requestinfo.go), so
            // a RoleBinding grants its own namespace object ("including the namespace itself").
            Target::Resource {
                group,
                resource,
                name,
                ..
            } if group.is_empty() && resource == "namespaces" && !name.is_empty() => {
                Some(name.as_str())
            }
            Target::Resource {
                group, resource, ..
            } => namespace.filter(|_| self.namespaced(group, resource) != Some(false)),
        }
    }

    /// Whether binding `b`'s rules are visited for a request in `namespace`.
    fn in_scope(
        &self,
        b: &BindingDef<'b>,
        namespace: Option<&str>,
        notes: &mut Vec<String>,
    ) -> bool {
        match b.binding.kind {
            BindingKind::ClusterRoleBinding => true,
            BindingKind::RoleBinding => match (namespace, self.binding_namespace(b)) {
                (Some(ns), Some(bns)) => ns == bns,
                (Some(_), None) => {
                    notes.push(format!(
                        "{} has no metadata.namespace: it grants in the namespace the manifests are applied to (give that namespace to decide)",
                        binding_text(&b.binding)
                    ));
                    false
                }
                (None, _) => false,
            },
        }
    }

    /// Every permission `user` holds in `namespace`, as `kubectl auth can-i --list` prints
    /// them from a SelfSubjectRulesReview: the rules of every ClusterRoleBinding naming the
    /// user and of the RoleBindings of `namespace` (`None`: only the ClusterRoleBindings),
    /// broken down to one line per (API group, resource, resource name) or non-resource URL
    /// with the union of their verbs (kubectl `rbacutil.BreakdownRule` / `CompactRules`),
    /// sorted by resource. Each line carries the grants (binding and rule) it comes from.
    /// Two departures from the review, which lists rules as written: a non-resource URL or
    /// a resource known to be cluster-scoped is left out of what a RoleBinding grants (the
    /// authorizer never uses it, [`Access::can`]); an aggregated ClusterRole's rules are
    /// those of the roles it gathers. The notes are [`Access::can`]'s.
    pub fn list(&self, user: &User, namespace: Option<&str>) -> (Vec<Permitted>, Vec<String>) {
        let mut notes = self.base_notes();
        for bi in self.rejected_for(user) {
            notes.extend(self.rejected_note(bi));
        }
        // (resource text, url, name) → (verbs, grants)
        type Line = (BTreeSet<String>, Vec<Grant>);
        let mut lines: BTreeMap<(String, String, String), Line> = BTreeMap::new();
        for (bi, si) in self.bindings_for(user) {
            let b = &self.bindings[bi];
            if !self.in_scope(b, namespace, &mut notes) {
                continue;
            }
            let Some(role) = b.role else {
                notes.extend(self.missing_role_note(bi, si));
                continue;
            };
            let cluster = b.binding.kind == BindingKind::ClusterRoleBinding;
            for key in self.effective_rules(role) {
                let rule = &self.roles[key.0].role.rules[key.1];
                let verbs: Vec<&str> = rule.verbs.iter().map(|v| v.value).collect();
                let mut keys: Vec<(String, String, String)> = Vec::new();
                for g in &rule.api_groups {
                    for r in &rule.resources {
                        let base = r.value.split('/').next().unwrap_or(r.value);
                        let text = if g.value.is_empty() {
                            r.value.to_string()
                        } else {
                            format!("{}.{}", r.value, g.value)
                        };
                        if !cluster && self.namespaced(g.value, base) == Some(false) {
                            // A RoleBinding grants its own namespace object (and its
                            // subresources): `/api/v1/namespaces/NS` is a request in
                            // namespace NS (requestinfo.go), as `can` answers it.
                            if let Some(ns) = namespace
                                .filter(|_| base == "namespaces" && matches!(g.value, "" | "*"))
                            {
                                if rule.resource_names.is_empty()
                                    || rule.resource_names.iter().any(|n| n.value == ns)
                                {
                                    keys.push((text, String::new(), ns.to_string()));
                                }
                            }
                            continue;
                        }
                        if rule.resource_names.is_empty() {
                            keys.push((text.clone(), String::new(), String::new()));
                        }
                        for n in &rule.resource_names {
                            keys.push((text.clone(), String::new(), n.value.to_string()));
                        }
                    }
                }
                if cluster {
                    for u in &rule.non_resource_urls {
                        keys.push((String::new(), u.value.to_string(), String::new()));
                    }
                }
                for k in keys {
                    let line = lines.entry(k).or_default();
                    line.0.extend(verbs.iter().map(|v| v.to_string()));
                    let at = At::node(self.roles[key.0].origin, self.roles[key.0].doc, rule.node);
                    if !line
                        .1
                        .iter()
                        .any(|g| g.binding_index == bi && g.rule_at == at)
                    {
                        line.1.push(self.grant(bi, si, role, key));
                    }
                }
            }
        }
        notes.dedup();
        let out = lines
            .into_iter()
            .map(|((resource, url, name), (verbs, grants))| Permitted {
                resource,
                url,
                resource_names: if name.is_empty() {
                    Vec::new()
                } else {
                    vec![name]
                },
                verbs: verbs.into_iter().collect(),
                grants,
            })
            .collect();
        (out, notes)
    }

    /// `who_can(verb, target, namespace)`: every subject some binding lets do it, with the
    /// grants, in subject order. A group (`system:authenticated`) is listed as itself: its
    /// members are not in the manifests. The notes are [`Access::who_can_noted`]'s.
    pub fn who_can(&self, verb: &str, target: &Target, namespace: Option<&str>) -> Vec<Holder> {
        self.who_can_noted(verb, target, namespace).0
    }

    /// [`Access::who_can`] with what the model could not see: a binding in scope without a
    /// namespace, a binding whose role exists nowhere, a rejected ClusterRoleBinding whose
    /// role would grant the request ([`Access::rejected_note`]), repeated keys, an old
    /// target version.
    pub fn who_can_noted(
        &self,
        verb: &str,
        target: &Target,
        namespace: Option<&str>,
    ) -> (Vec<Holder>, Vec<String>) {
        let namespace = self.request_namespace(target, namespace);
        let mut out: BTreeMap<SubjectRef, Vec<Grant>> = BTreeMap::new();
        let mut notes = self.base_notes();
        for (bi, b) in self.bindings.iter().enumerate() {
            if b.shadowed || !self.in_scope(b, namespace, &mut notes) {
                continue;
            }
            let Some(role) = b.role else {
                if !b.built_in() {
                    for si in 0..b.binding.subjects.len() {
                        notes.extend(self.missing_role_note(bi, si));
                    }
                }
                continue;
            };
            let keys: Vec<(usize, usize)> = self
                .effective_rules(role)
                .into_iter()
                .filter(|&(r, u)| rule_allows(&self.roles[r].role.rules[u], verb, target))
                .collect();
            if keys.is_empty() {
                continue;
            }
            if let Some(note) = self.rejected_note(bi) {
                notes.push(note);
                continue;
            }
            for (si, s) in b.binding.subjects.iter().enumerate() {
                if !matches!(s.kind, "User" | "Group" | "ServiceAccount") {
                    continue;
                }
                let subject = SubjectRef {
                    kind: s.kind.to_string(),
                    name: s.name.to_string(),
                    namespace: (s.kind == "ServiceAccount")
                        .then(|| self.subject_namespace(b, si).map(String::from))
                        .flatten(),
                };
                let grants = out.entry(subject).or_default();
                for &key in &keys {
                    grants.push(self.grant(bi, si, role, key));
                }
            }
        }
        notes.dedup();
        let holders = out
            .into_iter()
            .map(|(subject, grants)| Holder { subject, grants })
            .collect();
        (holders, notes)
    }

    /// Every subject the bundle's bindings name, and every ServiceAccount the bundle
    /// defines or runs pods as (built-in bindings' subjects only when the bundle names
    /// them too).
    pub fn subjects(&self) -> Vec<SubjectRef> {
        let mut out = BTreeSet::new();
        for (_, b) in self
            .bindings
            .iter()
            .enumerate()
            .filter(|(bi, b)| !b.built_in() && !b.shadowed && self.rejected[*bi].is_none())
        {
            for (si, s) in b.binding.subjects.iter().enumerate() {
                if !matches!(s.kind, "User" | "Group" | "ServiceAccount") {
                    continue;
                }
                let namespace = if s.kind == "ServiceAccount" {
                    match self.subject_namespace(b, si) {
                        Some(ns) => Some(ns.to_string()),
                        None if b.binding.kind == BindingKind::ClusterRoleBinding => continue,
                        None => None,
                    }
                } else {
                    None
                };
                out.insert(SubjectRef {
                    kind: s.kind.into(),
                    name: s.name.into(),
                    namespace,
                });
            }
        }
        for &(ns, name) in self.service_accounts.keys() {
            out.insert(SubjectRef {
                kind: "ServiceAccount".into(),
                name: name.into(),
                namespace: ns
                    .or(self.options.apply_namespace.as_deref())
                    .map(String::from),
            });
        }
        out.into_iter().collect()
    }

    /// The subject × permission matrix over [`PERMISSIONS`]: one row per
    /// [`Access::subjects`], the rows with the most dangerous permissions first.
    pub fn matrix(&self) -> Matrix {
        let permissions: Vec<&'static Permission> = PERMISSIONS.iter().collect();
        // Per permission, its checks for this version as requests, each with whether a
        // RoleBinding can grant it (a namespaced resource).
        let checks: Vec<Vec<(&'static str, Target, bool)>> = permissions
            .iter()
            .map(|p| {
                p.checks
                    .iter()
                    .filter(|c| c.before.is_none_or(|m| self.options.version.minor < m))
                    .map(|c| {
                        let in_namespace = !c.resource.starts_with('/')
                            && self.namespaced(c.group, c.base()) != Some(false);
                        (c.verb, c.target(), in_namespace)
                    })
                    .collect()
            })
            .collect();
        let mut rows = Vec::new();
        let mut notes = self.base_notes();
        for subject in self.subjects() {
            let user = subject.user();
            let applicable = self.bindings_for(&user);
            let mut cells: Vec<Cell> = permissions.iter().map(|_| Cell::default()).collect();
            let mut row_notes = Vec::new();
            for (bi, si) in applicable {
                let b = &self.bindings[bi];
                let Some(role) = b.role else {
                    if !b.built_in() {
                        row_notes.extend(self.missing_role_note(bi, si));
                    }
                    continue;
                };
                let scope = match b.binding.kind {
                    BindingKind::ClusterRoleBinding => Scope::Cluster,
                    BindingKind::RoleBinding => {
                        Scope::Namespace(self.binding_namespace(b).map(String::from))
                    }
                };
                let rules = self.effective_rules(role);
                for (pi, checks) in checks.iter().enumerate() {
                    for &key in &rules {
                        let rule = &self.roles[key.0].role.rules[key.1];
                        // Some(false): granted for every object; Some(true): only for the
                        // objects the rule's resourceNames name.
                        let mut hit = None;
                        for (verb, target, in_namespace) in checks {
                            // A RoleBinding grants its own namespace object too (the request
                            // `/api/v1/namespaces/NAME` is in namespace NAME: requestinfo.go),
                            // so asked about by that name (a rule's resourceNames may name it).
                            let own_namespace = match (&scope, target) {
                                (
                                    Scope::Namespace(Some(ns)),
                                    Target::Resource {
                                        group,
                                        resource,
                                        subresource,
                                        ..
                                    },
                                ) if group.is_empty() && resource == "namespaces" => {
                                    Some(Target::Resource {
                                        group: String::new(),
                                        resource: resource.clone(),
                                        subresource: subresource.clone(),
                                        name: ns.clone(),
                                    })
                                }
                                _ => None,
                            };
                            if !(scope == Scope::Cluster
                                || *in_namespace
                                || own_namespace.is_some())
                            {
                                continue;
                            }
                            let target = own_namespace.as_ref().unwrap_or(target);
                            if rule_allows(rule, verb, target) {
                                hit = Some(false);
                                break;
                            }
                            if hit.is_none() && names_allow(rule, verb, target) {
                                hit = Some(true);
                            }
                        }
                        if let Some(by_name) = hit {
                            let cell = &mut cells[pi];
                            if by_name {
                                for n in &rule.resource_names {
                                    if let Err(i) =
                                        cell.names.binary_search_by(|x| x.as_str().cmp(n.value))
                                    {
                                        cell.names.insert(i, n.value.to_string());
                                    }
                                }
                            } else {
                                cell.every_name = true;
                            }
                            cell.add_scope(&scope);
                            if cell.grants.len() < MAX_CELL_GRANTS
                                && !cell.grants.iter().any(|g| {
                                    g.binding_index == bi
                                        && g.rule_at
                                            == At::node(
                                                self.roles[key.0].origin,
                                                self.roles[key.0].doc,
                                                rule.node,
                                            )
                                })
                            {
                                cell.grants.push(self.grant(bi, si, role, key));
                            }
                        }
                    }
                }
            }
            let dangerous = cells
                .iter()
                .zip(&permissions)
                .filter(|(c, p)| p.dangerous && c.granted())
                .count();
            let defined_at = match subject.kind.as_str() {
                "ServiceAccount" => self
                    .service_accounts
                    .iter()
                    .find(|((ns, n), _)| {
                        *n == subject.name
                            && ns.or(self.options.apply_namespace.as_deref())
                                == subject.namespace.as_deref()
                    })
                    .and_then(|(_, at)| *at),
                _ => None,
            };
            for n in &row_notes {
                if !notes.contains(n) {
                    notes.push(n.clone());
                }
            }
            rows.push(Row {
                subject,
                defined_at,
                dangerous,
                cells,
                notes: row_notes,
            });
        }
        for bi in 0..self.bindings.len() {
            let b = &self.bindings[bi];
            if b.built_in() || b.shadowed {
                continue;
            }
            notes.extend(self.rejected_note(bi));
        }
        rows.sort_by(|a, b| {
            b.dangerous
                .cmp(&a.dangerous)
                .then_with(|| a.subject.cmp(&b.subject))
        });
        Matrix {
            unbound_roles: self.unbound_roles(),
            permissions: permissions
                .iter()
                .map(|p| PermissionInfo {
                    id: p.id,
                    title: p.title,
                    dangerous: p.dangerous,
                })
                .collect(),
            rows,
            notes,
        }
    }
}

/// Notes on the repeated mapping keys of the bundle's Roles, ClusterRoles and bindings
/// on the paths the model reads (`rules`, `subjects`, `roleRef`, `aggregationRule`,
/// `metadata.name`/`namespace`/`labels`, `kind`, `apiVersion`, and anything below them),
/// each naming the object, the key, its path and both places. The model reads the last
/// value ([`Document::get`]), the one the API server keeps when it accepts the object:
/// sigs.k8s.io/yaml's conversion and Go's encoding/json keep the last key of a JSON
/// object, and the `fieldValidation` levels `Ignore` and `Warn` (the default since v1.23)
/// "persist the last of any duplicate fields"; `Strict` rejects the request instead
/// (k8s.io/apimachinery `pkg/apis/meta/v1/types.go`, `CreateOptions.FieldValidation`;
/// kubernetes/kubernetes#99286 shows the last key applied). kubectl's own client-side
/// check (`NoDoubleKeySchema`) covers only `metadata.labels` and `metadata.annotations`.
pub fn duplicate_key_notes(bundle: &Bundle) -> Vec<String> {
    let mut out = Vec::new();
    for e in &bundle.objects {
        let object = e.object;
        if e.group != RBAC_GROUP
            || !matches!(
                object.kind,
                "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
            )
        {
            continue;
        }
        let doc = object.doc;
        let base = doc.pointer(object.root);
        let origin = Origin::Bundle(e.at.doc.file);
        let place = |n: NodeId| {
            At::node(origin, doc, n)
                .locate(bundle.sources)
                .map_or_else(|| "?".into(), |l| l.to_string())
        };
        for &(first, dup) in &doc.duplicate_keys {
            let (Some(parent), Some(key)) = (doc.node(dup).parent(), doc.text(dup)) else {
                continue;
            };
            let path = format!(
                "{}/{}",
                doc.pointer(parent),
                crate::yaml::escape_pointer(key)
            );
            let Some(rel) = path
                .strip_prefix(base.as_str())
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            let segments: Vec<&str> = rel.split('/').collect();
            let read = match segments[0] {
                "rules" | "subjects" | "roleRef" | "aggregationRule" | "kind" | "apiVersion" => {
                    true
                }
                "metadata" => segments
                    .get(1)
                    .is_none_or(|s| matches!(*s, "name" | "namespace" | "labels")),
                _ => false,
            };
            if !read {
                continue;
            }
            let what = match (object.namespace, object.name) {
                (Some(ns), Some(name)) if matches!(object.kind, "Role" | "RoleBinding") => {
                    format!("{} {ns}/{name}", object.kind)
                }
                (_, name) => format!("{} {}", object.kind, name.unwrap_or("(unnamed)")),
            };
            out.push(format!(
                "{what} repeats the key {key:?} (/{rel}) at {} (first at {}): this answer reads the last value, which the API server keeps when it accepts the object (fieldValidation Warn, the default, and Ignore persist the last of any duplicate fields: k8s.io/apimachinery pkg/apis/meta/v1 types.go); a request with fieldValidation Strict is rejected instead, and then the object grants nothing",
                place(dup),
                place(first),
            ));
        }
    }
    out
}

/// `RuleAllows` for a request (a resource request without a name when `name` is empty).
pub fn rule_allows(rule: &PolicyRule, verb: &str, target: &Target) -> bool {
    match target {
        Target::Url { path } => rule.allows_url(verb, path),
        Target::Resource {
            group,
            resource,
            subresource,
            name,
        } => rule.allows(&Request {
            verb,
            group,
            resource,
            subresource,
            name,
        }),
    }
}

/// Whether `rule` grants `verb` on `target` for some of the objects its `resourceNames`
/// name (and not for the unnamed request `rule_allows` asks about). `create` of a
/// top-level object and `deletecollection` carry no name, so resourceNames never grants
/// them; `create` on a subresource (`pods/exec` of pod NAME) and the other verbs do
/// (RBAC docs "Referring to resources": "You cannot restrict create or deletecollection
/// requests by their resource name"; the subresource's URL carries the parent's name).
/// When a request naming an object is granted only by rules limited to `resourceNames`,
/// whether a real request of `verb` carries that name: a `create` of a top-level object or
/// a `deletecollection` carries none, so such a grant never applies to one, and a `list` or
/// `watch` carries it only as the field selector `metadata.name=NAME` (RBAC docs,
/// "Referring to resources": "You cannot restrict create or deletecollection requests by
/// their resource name … If you restrict list or watch by resourceName, clients must
/// include a metadata.name field selector"; the access review, as kubectl sends it, carries
/// the name and says yes).
fn name_limited_note(verb: &str, target: &Target) -> Option<String> {
    let Target::Resource {
        resource,
        subresource,
        name,
        ..
    } = target
    else {
        return None;
    };
    if name.is_empty() || !subresource.is_empty() {
        return None;
    }
    let text = target.text();
    match verb {
        "create" | "deletecollection" => Some(format!(
            "every grant is limited to resourceNames: the access review for {text} is allowed, but a real {verb} request carries no name (RBAC docs, \"Referring to resources\": create and deletecollection cannot be restricted by resource name), so these rules never allow {verb} of {resource}"
        )),
        "list" | "watch" => Some(format!(
            "every grant is limited to resourceNames: a real {verb} of {resource} is allowed only with the field selector metadata.name={name} (RBAC docs, \"Referring to resources\"); without it the request is denied"
        )),
        _ => None,
    }
}

pub fn names_allow(rule: &PolicyRule, verb: &str, target: &Target) -> bool {
    let Target::Resource {
        group,
        resource,
        subresource,
        ..
    } = target
    else {
        return false;
    };
    if (verb == "create" && subresource.is_empty()) || verb == "deletecollection" {
        return false;
    }
    rule.resource_names.iter().any(|n| {
        rule.allows(&Request {
            verb,
            group,
            resource,
            subresource,
            name: n.value,
        })
    })
}

/// At most this many grants are kept per matrix cell.
pub const MAX_CELL_GRANTS: usize = 4;

/// One request a permission is made of.
#[derive(Clone, Copy, Debug)]
pub struct PermCheck {
    pub verb: &'static str,
    pub group: &'static str,
    /// `resource`, `resource/subresource`, or a URL starting with `/`.
    pub resource: &'static str,
    /// Counts only for Kubernetes versions before `1.<before>`.
    pub before: Option<u32>,
}

impl PermCheck {
    fn base(&self) -> &'static str {
        self.resource.split('/').next().unwrap_or(self.resource)
    }

    fn target(&self) -> Target {
        if self.resource.starts_with('/') {
            return Target::Url {
                path: self.resource.into(),
            };
        }
        let (resource, sub) = self.resource.split_once('/').unwrap_or((self.resource, ""));
        Target::Resource {
            group: self.group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: String::new(),
        }
    }
}

/// A column of the access matrix: any one of `checks` is the permission.
#[derive(Debug)]
pub struct Permission {
    pub id: &'static str,
    pub title: &'static str,
    /// A privilege-escalation path (Kubernetes "RBAC good practices",
    /// <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks>).
    pub dangerous: bool,
    pub checks: &'static [PermCheck],
}

const fn c(verb: &'static str, group: &'static str, resource: &'static str) -> PermCheck {
    PermCheck {
        verb,
        group,
        resource,
        before: None,
    }
}

/// The matrix's columns, the dangerous ones first (the privilege-escalation risks of the
/// RBAC good-practices page, then everyday permissions).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        id: "everything",
        title: "every verb on every resource (*)",
        dangerous: true,
        checks: &[c(ANY, ANY, ANY)],
    },
    Permission {
        id: "read-secrets",
        title: "read Secrets (get/list/watch)",
        dangerous: true,
        checks: &[
            c("get", "", "secrets"),
            c("list", "", "secrets"),
            c("watch", "", "secrets"),
        ],
    },
    // The requests of `check`'s rbac-workload-create (policies/rbac-workload-create.yaml):
    // creating a pod, or creating or updating a pod controller (its pod template).
    Permission {
        id: "create-workloads",
        title: "create pods, or create/update/patch pod controllers",
        dangerous: true,
        checks: &[
            c("create", "", "pods"),
            c("create", "", "replicationcontrollers"),
            c("update", "", "replicationcontrollers"),
            c("patch", "", "replicationcontrollers"),
            c("create", "apps", "deployments"),
            c("update", "apps", "deployments"),
            c("patch", "apps", "deployments"),
            c("create", "apps", "daemonsets"),
            c("update", "apps", "daemonsets"),
            c("patch", "apps", "daemonsets"),
            c("create", "apps", "statefulsets"),
            c("update", "apps", "statefulsets"),
            c("patch", "apps", "statefulsets"),
            c("create", "apps", "replicasets"),
            c("update", "apps", "replicasets"),
            c("patch", "apps", "replicasets"),
            c("create", "batch", "jobs"),
            c("update", "batch", "jobs"),
            c("patch", "batch", "jobs"),
            c("create", "batch", "cronjobs"),
            c("update", "batch", "cronjobs"),
            c("patch", "batch", "cronjobs"),
        ],
    },
    // The requests of `check`'s rbac-pod-exec (policies/rbac-pod-exec.yaml).
    Permission {
        id: "exec",
        title: "exec, attach, port-forward or ephemeral containers in pods",
        dangerous: true,
        checks: &[
            c("create", "", "pods/exec"),
            c("create", "", "pods/attach"),
            c("create", "", "pods/portforward"),
            c("update", "", "pods/ephemeralcontainers"),
            c("patch", "", "pods/ephemeralcontainers"),
            PermCheck {
                verb: "get",
                group: "",
                resource: "pods/exec",
                before: Some(35),
            },
            PermCheck {
                verb: "get",
                group: "",
                resource: "pods/attach",
                before: Some(35),
            },
        ],
    },
    Permission {
        id: "nodes-proxy",
        title: "the kubelet API (nodes/proxy)",
        dangerous: true,
        checks: &[c("get", "", "nodes/proxy"), c("create", "", "nodes/proxy")],
    },
    Permission {
        id: "escalate-bind",
        title: "escalate or bind roles",
        dangerous: true,
        checks: &[
            c("escalate", RBAC_GROUP, "roles"),
            c("escalate", RBAC_GROUP, "clusterroles"),
            c("bind", RBAC_GROUP, "roles"),
            c("bind", RBAC_GROUP, "clusterroles"),
        ],
    },
    Permission {
        id: "impersonate",
        title: "impersonate users, groups or ServiceAccounts",
        dangerous: true,
        checks: &[
            c("impersonate", "", "users"),
            c("impersonate", "", "groups"),
            c("impersonate", "", "serviceaccounts"),
            c("impersonate", "authentication.k8s.io", "uids"),
        ],
    },
    Permission {
        id: "token-request",
        title: "mint ServiceAccount tokens",
        dangerous: true,
        checks: &[c("create", "", "serviceaccounts/token")],
    },
    Permission {
        id: "approve-csr",
        title: "approve certificate signing requests",
        dangerous: true,
        checks: &[
            c(
                "update",
                "certificates.k8s.io",
                "certificatesigningrequests/approval",
            ),
            c(
                "patch",
                "certificates.k8s.io",
                "certificatesigningrequests/approval",
            ),
        ],
    },
    Permission {
        id: "admission-webhooks",
        title: "write admission webhook configurations",
        dangerous: true,
        checks: &[
            c(
                "create",
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
            ),
            c(
                "update",
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
            ),
            c(
                "patch",
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
            ),
            c(
                "create",
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
            ),
            c(
                "update",
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
            ),
            c(
                "patch",
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
            ),
        ],
    },
    Permission {
        id: "write-rbac",
        title: "write roles or bindings",
        dangerous: true,
        checks: &[
            c("create", RBAC_GROUP, "roles"),
            c("update", RBAC_GROUP, "roles"),
            c("patch", RBAC_GROUP, "roles"),
            c("create", RBAC_GROUP, "rolebindings"),
            c("update", RBAC_GROUP, "rolebindings"),
            c("patch", RBAC_GROUP, "rolebindings"),
            c("create", RBAC_GROUP, "clusterroles"),
            c("update", RBAC_GROUP, "clusterroles"),
            c("patch", RBAC_GROUP, "clusterroles"),
            c("create", RBAC_GROUP, "clusterrolebindings"),
            c("update", RBAC_GROUP, "clusterrolebindings"),
            c("patch", RBAC_GROUP, "clusterrolebindings"),
        ],
    },
    Permission {
        id: "persistent-volumes",
        title: "create PersistentVolumes",
        dangerous: true,
        checks: &[c("create", "", "persistentvolumes")],
    },
    Permission {
        id: "patch-namespaces",
        title: "relabel namespaces (patch/update)",
        dangerous: true,
        checks: &[c("patch", "", "namespaces"), c("update", "", "namespaces")],
    },
    Permission {
        id: "write-network-policies",
        title: "write NetworkPolicies",
        dangerous: true,
        checks: &[
            c("create", "networking.k8s.io", "networkpolicies"),
            c("update", "networking.k8s.io", "networkpolicies"),
            c("patch", "networking.k8s.io", "networkpolicies"),
            c("delete", "networking.k8s.io", "networkpolicies"),
        ],
    },
    Permission {
        id: "delete-pods",
        title: "delete pods",
        dangerous: false,
        checks: &[c("delete", "", "pods"), c("deletecollection", "", "pods")],
    },
    Permission {
        id: "write-configmaps",
        title: "write ConfigMaps",
        dangerous: false,
        checks: &[
            c("create", "", "configmaps"),
            c("update", "", "configmaps"),
            c("patch", "", "configmaps"),
        ],
    },
    Permission {
        id: "read-configmaps",
        title: "read ConfigMaps",
        dangerous: false,
        checks: &[c("get", "", "configmaps"), c("list", "", "configmaps")],
    },
    Permission {
        id: "read-pods",
        title: "read pods or their logs",
        dangerous: false,
        checks: &[
            c("get", "", "pods"),
            c("list", "", "pods"),
            c("get", "", "pods/log"),
        ],
    },
    Permission {
        id: "read-nodes",
        title: "read nodes",
        dangerous: false,
        checks: &[c("get", "", "nodes"), c("list", "", "nodes")],
    },
    Permission {
        id: "metrics-url",
        title: "read /metrics",
        dangerous: false,
        checks: &[c("get", "", "/metrics")],
    },
];

/// A column of [`Matrix`].
#[derive(Clone, Debug, Serialize)]
pub struct PermissionInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub dangerous: bool,
}

/// The subject × permission matrix.
#[derive(Clone, Debug, Serialize)]
pub struct Matrix {
    pub permissions: Vec<PermissionInfo>,
    pub rows: Vec<Row>,
    /// An old target version, repeated keys in RBAC objects, bindings to roles that exist
    /// nowhere (every row's notes), rejected ClusterRoleBindings ([`Access::rejected_note`]).
    pub notes: Vec<String>,
    /// The bundle's Roles and ClusterRoles that nothing binds ([`Access::unbound_roles`]).
    pub unbound_roles: Vec<UnboundRole>,
}

/// A Role or ClusterRole of the bundle that nothing binds.
#[derive(Clone, Debug, Serialize)]
pub struct UnboundRole {
    /// `Role ns/name`, `ClusterRole name`.
    pub role: String,
    pub at: At,
}

/// One subject's permissions.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub subject: SubjectRef,
    /// The ServiceAccount object, when the bundle defines it.
    pub defined_at: Option<At>,
    /// How many dangerous permissions the subject holds.
    pub dangerous: usize,
    pub cells: Vec<Cell>,
    /// What the row cannot show: bindings naming the subject whose role is neither in
    /// the bundle nor built in (they grant nothing until it exists). Also in
    /// [`Matrix::notes`].
    pub notes: Vec<String>,
}

/// Where a subject holds one permission, and (some of) the grants.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Cell {
    /// Granted by a ClusterRoleBinding.
    pub cluster: bool,
    /// Namespaces whose RoleBindings grant it (`""`: the namespace the manifests are
    /// applied to).
    pub namespaces: Vec<String>,
    /// Up to [`MAX_CELL_GRANTS`] grants.
    pub grants: Vec<Grant>,
    /// Some grant holds for every object (no `resourceNames`).
    pub every_name: bool,
    /// The `resourceNames` of the grants limited to named objects (sorted).
    pub names: Vec<String>,
}

impl Cell {
    pub fn granted(&self) -> bool {
        self.cluster || !self.namespaces.is_empty()
    }

    /// Granted only for the objects named in [`Cell::names`] (`pods/exec` on pod `db-0`).
    pub fn limited_to_names(&self) -> bool {
        self.granted() && !self.every_name
    }

    fn add_scope(&mut self, scope: &Scope) {
        match scope {
            Scope::Cluster => self.cluster = true,
            Scope::Namespace(ns) => {
                let ns = ns.clone().unwrap_or_default();
                if let Err(i) = self.namespaces.binary_search(&ns) {
                    self.namespaces.insert(i, ns);
                }
            }
        }
    }

    /// `cluster`, `ns-a, ns-b`, or `-`; a grant limited to names adds ` (only db-0, db-1)`.
    pub fn text(&self) -> String {
        let scope = self.scope_text();
        if self.limited_to_names() {
            format!("{scope} (only {})", self.names.join(", "))
        } else {
            scope
        }
    }

    fn scope_text(&self) -> String {
        if self.cluster {
            "cluster".into()
        } else if self.namespaces.is_empty() {
            "-".into()
        } else {
            self.namespaces
                .iter()
                .map(|n| {
                    if n.is_empty() {
                        "(applied ns)"
                    } else {
                        n.as_str()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}
