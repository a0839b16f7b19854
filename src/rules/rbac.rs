//! RBAC rules: each Role/ClusterRole rule judged as the RBAC authorizer matches it
//! ([`crate::model::rbac`]), read together with the bindings that grant it.
//!
//! One index ([`Rbac`]) is built per check: roles by (kind, namespace, name), bindings by
//! the role they reference (a RoleBinding's Role is looked up **in the binding's own
//! namespace**; a ClusterRole by name), aggregated ClusterRoles with the ClusterRoles
//! their `clusterRoleSelectors` select (transitively, as the aggregation controller
//! converges), and the scope of custom resources from the bundle's CRDs. Building it is
//! linear in the number of RBAC objects, plus (aggregated roles × ClusterRoles) selector
//! tests.
//!
//! Scope, from the RBAC documentation (<https://kubernetes.io/docs/reference/access-authn-authz/rbac/>)
//! and `pkg/apis/rbac/validation/validation.go`:
//! - a ClusterRoleBinding grants its ClusterRole everywhere: namespaced resources in
//!   every namespace, cluster-scoped resources and non-resource URLs;
//! - a RoleBinding grants its Role or ClusterRole **only in the binding's namespace**:
//!   cluster-scoped resources and non-resource URLs it names are not usable through it;
//! - a Role's rules only apply in its namespace;
//! - a ClusterRole with `aggregationRule` has the rules of the ClusterRoles its selectors
//!   match; its own `rules` are overwritten by the controller
//!   (`pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;

use super::{
    BundleCx, BundleHit, BundleHits, Check, FieldError, Loc, ParamSpec, Place, Template,
    TemplateParams,
};
use crate::bundle::{Bundle, DocRef};
use crate::model::rbac::{
    read_binding, read_role, Binding, BindingKind, PolicyRule, Role, RoleKind, Subject, RBAC_GROUP,
};
use crate::version::KubeVersion;
use crate::yaml::NodeId;

/// A whole-bundle template with typed parameters: `bundle_template!(name, summary,
/// ParamsType, check)` with `check: fn(&BundleCx, &ParamsType, &mut BundleHits)`.
macro_rules! bundle_template {
    ($name:literal, $summary:literal, $params:ty, $f:ident) => {
        Template {
            name: $name,
            summary: $summary,
            check: Check::Bundle({
                fn run(cx: &BundleCx<'_, '_>, out: &mut BundleHits<'_>) {
                    $f(cx, cx.rule.typed_params.get::<$params>(), out)
                }
                run
            }),
            params: ParamSpec::of::<$params>(stringify!($params)),
            validity: false,
        }
    };
}

pub static TEMPLATES: &[Template] = &[
    bundle_template!(
        "rbac-grant",
        "a Role or ClusterRole rule grants a listed power (verbs on a resource or URL), to the subjects its bindings name",
        GrantParams,
        grant
    ),
    bundle_template!(
        "rbac-wildcard",
        "a Role or ClusterRole rule uses `*` for verbs, API groups, resources or non-resource URLs",
        super::NoParams,
        wildcard
    ),
    bundle_template!(
        "rbac-cluster-admin-binding",
        "a binding grants the cluster-admin ClusterRole",
        super::NoParams,
        cluster_admin_binding
    ),
    bundle_template!(
        "rbac-risky-subject",
        "a binding names a listed subject (all users, anonymous users, system:masters)",
        RiskySubjectParams,
        risky_subject
    ),
    bundle_template!(
        "rbac-default-service-account",
        "a binding grants a role to a namespace's `default` ServiceAccount",
        super::NoParams,
        default_service_account
    ),
    bundle_template!(
        "rbac-unbound-service-account",
        "a ServiceAccount that no binding of the bundle names, in a bundle with bindings",
        super::NoParams,
        unbound_service_account
    ),
    bundle_template!(
        "rbac-subject-many-roles",
        "one subject is bound to more than `max_roles` roles",
        ManyRolesParams,
        many_roles
    ),
    bundle_template!(
        "rbac-cluster-scope",
        "a ClusterRoleBinding grants a ClusterRole that names only namespaced resources",
        super::NoParams,
        cluster_scope
    ),
    bundle_template!(
        "rbac-role-ref",
        "a binding's roleRef that grants nothing: a kind or group the API refuses, or a Role that is not in the binding's namespace",
        super::NoParams,
        role_ref
    ),
];

// ---------------------------------------------------------------------------------------
// Resource scope

/// Built-in resources and whether they are namespaced, by (API group, plural), for the
/// groups rules name. Source: `kubectl api-resources` (Kubernetes v1.37) and the API
/// reference. `users`, `groups` (core) and `uids`, `userextras` (authentication.k8s.io)
/// are the impersonation targets of `pkg/endpoints/filters/impersonation.go`, checked
/// without a namespace; `signers` is the CSR signer check of
/// `plugin/pkg/admission/certificates`, also cluster-wide.
pub const BUILT_IN_RESOURCES: &[(&str, &str, bool)] = &[
    ("", "bindings", true),
    ("", "componentstatuses", false),
    ("", "configmaps", true),
    ("", "endpoints", true),
    ("", "events", true),
    ("", "groups", false),
    ("", "limitranges", true),
    ("", "namespaces", false),
    ("", "nodes", false),
    ("", "persistentvolumeclaims", true),
    ("", "persistentvolumes", false),
    ("", "pods", true),
    ("", "podtemplates", true),
    ("", "replicationcontrollers", true),
    ("", "resourcequotas", true),
    ("", "secrets", true),
    ("", "serviceaccounts", true),
    ("", "services", true),
    ("", "users", false),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicies",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicybindings",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        false,
    ),
    ("apiextensions.k8s.io", "customresourcedefinitions", false),
    ("apiregistration.k8s.io", "apiservices", false),
    ("apps", "controllerrevisions", true),
    ("apps", "daemonsets", true),
    ("apps", "deployments", true),
    ("apps", "replicasets", true),
    ("apps", "statefulsets", true),
    ("authentication.k8s.io", "selfsubjectreviews", false),
    ("authentication.k8s.io", "tokenreviews", false),
    ("authentication.k8s.io", "uids", false),
    ("authentication.k8s.io", "userextras", false),
    ("authorization.k8s.io", "localsubjectaccessreviews", true),
    ("authorization.k8s.io", "selfsubjectaccessreviews", false),
    ("authorization.k8s.io", "selfsubjectrulesreviews", false),
    ("authorization.k8s.io", "subjectaccessreviews", false),
    ("autoscaling", "horizontalpodautoscalers", true),
    ("batch", "cronjobs", true),
    ("batch", "jobs", true),
    ("certificates.k8s.io", "certificatesigningrequests", false),
    ("certificates.k8s.io", "clustertrustbundles", false),
    ("certificates.k8s.io", "signers", false),
    ("coordination.k8s.io", "leases", true),
    ("discovery.k8s.io", "endpointslices", true),
    ("events.k8s.io", "events", true),
    ("extensions", "daemonsets", true),
    ("extensions", "deployments", true),
    ("extensions", "ingresses", true),
    ("extensions", "networkpolicies", true),
    ("extensions", "replicasets", true),
    ("flowcontrol.apiserver.k8s.io", "flowschemas", false),
    (
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        false,
    ),
    ("metrics.k8s.io", "nodes", false),
    ("metrics.k8s.io", "pods", true),
    ("networking.k8s.io", "ingressclasses", false),
    ("networking.k8s.io", "ingresses", true),
    ("networking.k8s.io", "ipaddresses", false),
    ("networking.k8s.io", "networkpolicies", true),
    ("networking.k8s.io", "servicecidrs", false),
    ("node.k8s.io", "runtimeclasses", false),
    ("policy", "poddisruptionbudgets", true),
    ("policy", "podsecuritypolicies", false),
    ("rbac.authorization.k8s.io", "clusterrolebindings", false),
    ("rbac.authorization.k8s.io", "clusterroles", false),
    ("rbac.authorization.k8s.io", "rolebindings", true),
    ("rbac.authorization.k8s.io", "roles", true),
    ("resource.k8s.io", "deviceclasses", false),
    ("resource.k8s.io", "resourceclaims", true),
    ("resource.k8s.io", "resourceclaimtemplates", true),
    ("resource.k8s.io", "resourceslices", false),
    ("scheduling.k8s.io", "priorityclasses", false),
    ("storage.k8s.io", "csidrivers", false),
    ("storage.k8s.io", "csinodes", false),
    ("storage.k8s.io", "csistoragecapacities", true),
    ("storage.k8s.io", "storageclasses", false),
    ("storage.k8s.io", "volumeattachments", false),
    ("storage.k8s.io", "volumeattributesclasses", false),
];

/// Written in policy data for "a resource or group no rule names explicitly": only `*`
/// matches it (a resource added later, a custom resource).
pub const ANY: &str = "<any>";
/// What [`ANY`] becomes in a request: a name no manifest writes.
const ANY_REQUEST: &str = "\u{0}any";

// ---------------------------------------------------------------------------------------
// The index

/// A role of the bundle.
pub struct RoleEntry<'b> {
    pub doc: DocRef,
    pub role: Role<'b>,
    /// The `rules` key's value, else the object root (where a finding about the whole
    /// role points).
    pub anchor: NodeId,
    pub name_node: NodeId,
}

/// A binding of the bundle.
pub struct BindingEntry<'b> {
    pub doc: DocRef,
    pub binding: Binding<'b>,
    pub root: NodeId,
    /// The role it resolves to in the bundle, if any.
    pub role: Option<usize>,
}

type RoleKey<'b> = (RoleKind, Option<&'b str>, &'b str);

/// Every RBAC object of a bundle, resolved.
pub struct Rbac<'b> {
    pub roles: Vec<RoleEntry<'b>>,
    pub bindings: Vec<BindingEntry<'b>>,
    role_by_key: HashMap<RoleKey<'b>, usize>,
    bindings_by_role: HashMap<RoleKey<'b>, Vec<usize>>,
    /// For an aggregated ClusterRole: the ClusterRoles whose rules it gathers.
    pub members: Vec<Vec<usize>>,
    /// For a ClusterRole: the aggregated ClusterRoles that gather its rules.
    pub aggregators: Vec<Vec<usize>>,
    /// Custom resources defined in the bundle: (group, plural) → namespaced.
    crd_scope: HashMap<(&'b str, &'b str), bool>,
}

/// Where a grant applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'b> {
    /// A ClusterRoleBinding: everywhere.
    Cluster,
    /// A RoleBinding, or a Role: one namespace (as written; `None` is the current context's).
    Namespace(Option<&'b str>),
}

/// Which scopes a power needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach<'p> {
    /// A namespaced resource: any scope.
    Namespaced,
    /// A cluster-scoped resource or a non-resource URL: only a ClusterRoleBinding.
    Cluster,
    /// A namespaced resource in this namespace only.
    In(&'p str),
}

impl Reach<'_> {
    fn within(self, scope: Scope) -> bool {
        match (self, scope) {
            (_, Scope::Cluster) | (Reach::Namespaced, _) => true,
            (Reach::Cluster, Scope::Namespace(_)) => false,
            (Reach::In(ns), Scope::Namespace(n)) => n == Some(ns),
        }
    }
}

fn scope_of<'b>(b: &Binding<'b>) -> Scope<'b> {
    match b.kind {
        BindingKind::ClusterRoleBinding => Scope::Cluster,
        BindingKind::RoleBinding => Scope::Namespace(b.namespace),
    }
}

impl<'b> Rbac<'b> {
    /// Read and resolve every RBAC object of `bundle`.
    pub fn new(bundle: &Bundle<'b>) -> Self {
        let mut roles = Vec::new();
        let mut bindings = Vec::new();
        let mut crd_scope = HashMap::new();
        for e in &bundle.objects {
            let object = e.object;
            if e.group == RBAC_GROUP {
                let name_node = object
                    .metadata
                    .and_then(|m| object.doc.get(m, "name"))
                    .unwrap_or(object.root);
                if let Some(role) = read_role(object) {
                    let anchor = object.doc.get(object.root, "rules").unwrap_or(name_node);
                    roles.push(RoleEntry {
                        doc: e.at.doc,
                        role,
                        anchor,
                        name_node,
                    });
                } else if let Some(binding) = read_binding(object) {
                    bindings.push(BindingEntry {
                        doc: e.at.doc,
                        binding,
                        root: object.root,
                        role: None,
                    });
                }
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
                    crd_scope.insert((group, plural), text(&["scope"]) != Some("Cluster"));
                }
            }
        }
        let mut role_by_key = HashMap::new();
        for (i, r) in roles.iter().enumerate() {
            // The later of two definitions is the one `kubectl apply` leaves.
            role_by_key.insert((r.role.kind, r.role.namespace, r.role.name), i);
        }
        let mut bindings_by_role: HashMap<RoleKey<'b>, Vec<usize>> = HashMap::new();
        for (i, b) in bindings.iter_mut().enumerate() {
            let Some(key) = target(&b.binding) else {
                continue;
            };
            b.role = role_by_key.get(&key).copied();
            bindings_by_role.entry(key).or_default().push(i);
        }
        // Aggregation: direct members, then closed transitively.
        let cluster_roles: Vec<usize> = (0..roles.len())
            .filter(|&i| roles[i].role.kind == RoleKind::ClusterRole)
            .collect();
        let mut direct: Vec<Vec<usize>> = vec![Vec::new(); roles.len()];
        for (i, r) in roles.iter().enumerate() {
            let Some(agg) = &r.role.aggregation else {
                continue;
            };
            for &c in &cluster_roles {
                if c != i
                    && roles[c].role.name != r.role.name
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
        for i in 0..roles.len() {
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
            members[i] = seen.into_iter().collect();
        }
        let mut aggregators = vec![Vec::new(); roles.len()];
        for (a, ms) in members.iter().enumerate() {
            for &m in ms {
                aggregators[m].push(a);
            }
        }
        Rbac {
            roles,
            bindings,
            role_by_key,
            bindings_by_role,
            members,
            aggregators,
            crd_scope,
        }
    }

    /// The bindings that reference role `i`.
    pub fn bindings_of(&self, i: usize) -> &[usize] {
        let r = &self.roles[i].role;
        self.bindings_by_role
            .get(&(r.kind, r.namespace, r.name))
            .map_or(&[], Vec::as_slice)
    }

    /// The role a binding references, if it is in the bundle.
    pub fn role_of(&self, b: &Binding<'b>) -> Option<usize> {
        self.role_by_key.get(&target(b)?).copied()
    }

    /// The rules that role `i` grants: its own, or for an aggregated ClusterRole those
    /// of the ClusterRoles it gathers (its own are overwritten), as (role, rule index).
    pub fn effective_rules(&self, i: usize) -> Vec<(usize, usize)> {
        if self.roles[i].role.aggregation.is_some() {
            self.members[i]
                .iter()
                .flat_map(|&m| (0..self.roles[m].role.rules.len()).map(move |r| (m, r)))
                .collect()
        } else {
            (0..self.roles[i].role.rules.len())
                .map(|r| (i, r))
                .collect()
        }
    }

    fn reach<'p>(&self, group: &str, resource: &str, namespace: Option<&'p str>) -> Reach<'p> {
        if let Some(ns) = namespace {
            return Reach::In(ns);
        }
        let base = resource.split('/').next().unwrap_or(resource);
        let namespaced = BUILT_IN_RESOURCES
            .iter()
            .find(|(g, r, _)| *g == group && *r == base)
            .map(|t| t.2)
            .or_else(|| self.crd_scope.get(&(group, base)).copied())
            .unwrap_or(true);
        if namespaced {
            Reach::Namespaced
        } else {
            Reach::Cluster
        }
    }

    /// Whether (group, resource) is known to be namespaced (built in, or a CRD of the
    /// bundle); `None` when its scope is unknown.
    fn namespaced(&self, group: &str, resource: &str) -> Option<bool> {
        let base = resource.split('/').next().unwrap_or(resource);
        BUILT_IN_RESOURCES
            .iter()
            .find(|(g, r, _)| *g == group && *r == base)
            .map(|t| t.2)
            .or_else(|| self.crd_scope.get(&(group, base)).copied())
    }
}

/// The (kind, namespace, name) a binding's roleRef resolves to; `None` when the API
/// server would refuse it (a ClusterRoleBinding to a Role, another kind or group).
fn target<'b>(b: &Binding<'b>) -> Option<RoleKey<'b>> {
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

// ---------------------------------------------------------------------------------------
// Descriptions

fn role_text(r: &Role) -> String {
    match r.namespace {
        Some(ns) => format!("{} {ns}/{}", r.kind.as_str(), r.name),
        None => format!("{} {}", r.kind.as_str(), r.name),
    }
}

fn binding_text(b: &Binding) -> String {
    match b.namespace {
        Some(ns) if b.kind == BindingKind::RoleBinding => {
            format!("{} {ns}/{}", b.kind.as_str(), b.name)
        }
        _ => format!("{} {}", b.kind.as_str(), b.name),
    }
}

fn scope_text(s: Scope) -> String {
    match s {
        Scope::Cluster => "cluster-wide".to_string(),
        Scope::Namespace(Some(ns)) => format!("in namespace {ns}"),
        Scope::Namespace(None) => "in the namespace of the current context".to_string(),
    }
}

fn subject_text(b: &Binding, s: &Subject) -> String {
    match s.kind {
        "ServiceAccount" => match b.subject_namespace(s) {
            Some(ns) => format!("ServiceAccount {ns}/{}", s.name),
            None => format!("ServiceAccount {} (no namespace)", s.name),
        },
        kind => format!("{kind} {}", s.name),
    }
}

/// "A, B and 2 more subjects", or "no subject".
fn subjects_text(b: &Binding) -> String {
    let names: Vec<String> = b.subjects.iter().map(|s| subject_text(b, s)).collect();
    list_text(&names, 3, "subject")
}

fn list_text(items: &[String], max: usize, noun: &str) -> String {
    match items.len() {
        0 => format!("no {noun}"),
        1 => items[0].clone(),
        n if n <= max => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n if n == max + 1 => format!("{} and 1 more {noun}", items[..max].join(", ")),
        n => format!("{} and {} more {noun}s", items[..max].join(", "), n - max),
    }
}

fn place(doc: DocRef, node: NodeId) -> Place {
    Place {
        doc,
        loc: Loc::Node(node),
    }
}

// ---------------------------------------------------------------------------------------
// rbac-grant

/// One power: verbs on a resource (`resource` or `resource/subresource` of `group`) or on
/// a non-resource `url`. `<any>` as group or resource stands for one no rule names
/// explicitly, which only `*` grants.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Power {
    /// The API group (`""`: core). Required with `resource`.
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub resource: Option<String>,
    /// A non-resource URL path (`/metrics`).
    #[serde(default)]
    pub url: Option<String>,
    pub verbs: Vec<String>,
    /// Whether a grant limited by `resourceNames` counts (default: no, only a grant for
    /// every name does). Top-level `create` and `deletecollection` carry no name, so a
    /// name-limited rule never grants them whatever this says.
    #[serde(default)]
    pub named: bool,
    /// The power only exists in Kubernetes versions before this one.
    #[serde(default)]
    pub before: Option<KubeVersion>,
    /// The power only matters in this namespace (`kube-system`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Said in the message when this power is granted.
    #[serde(default)]
    pub note: Option<String>,
}

/// Parameters of `rbac-grant`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantParams {
    /// What the power lets a subject do, as a verb phrase: "read Secrets".
    pub what: String,
    /// Any one of these is the power.
    #[serde(default)]
    pub any: Vec<Power>,
    /// Only all of these together (in any rules of one role) are the power; the finding
    /// is on the rule that grants the first.
    #[serde(default)]
    pub all: Vec<Power>,
}

impl TemplateParams for GrantParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        if self.any.is_empty() && self.all.is_empty() {
            return Err(FieldError::new(&["any"], "give `any` or `all` powers"));
        }
        for (list, key) in [(&self.any, "any"), (&self.all, "all")] {
            for (i, p) in list.iter().enumerate() {
                let ok = match (&p.resource, &p.url) {
                    (Some(_), None) => p.group.is_some(),
                    (None, Some(u)) => p.group.is_none() && u.starts_with('/'),
                    _ => false,
                };
                if !ok {
                    return Err(FieldError::new(
                        &[key],
                        "a power names `group` and `resource`, or a `url` starting with `/`",
                    )
                    .item(i));
                }
                if p.verbs.is_empty() {
                    return Err(FieldError::new(&[key], "a power needs `verbs`").item(i));
                }
            }
        }
        Ok(())
    }
}

/// How a rule grants a power.
struct Granted<'d> {
    /// The resource (or URL) item that grants it.
    at: NodeId,
    verbs: Vec<&'d str>,
    /// `resourceNames` of a name-limited grant.
    names: Vec<&'d str>,
    reach: Reach<'d>,
    note: Option<&'d str>,
    resource: String,
}

fn request_name(s: &str) -> &str {
    if s == ANY {
        ANY_REQUEST
    } else {
        s
    }
}

/// The text of the resource item `node` of `rule`.
fn doc_value<'d>(rule: &PolicyRule<'d>, node: NodeId) -> Option<&'d str> {
    rule.resources
        .iter()
        .find(|f| f.node == node)
        .map(|f| f.value)
}

/// What `rule` grants of `power` at `version`, per the authorizer's matching.
fn grants<'p>(
    rbac: &Rbac,
    rule: &PolicyRule<'p>,
    power: &'p Power,
    version: KubeVersion,
) -> Option<Granted<'p>>
where
{
    if power.before.is_some_and(|b| version >= b) {
        return None;
    }
    let note = power.note.as_deref();
    if let Some(url) = &power.url {
        let path = if url.ends_with(ANY) {
            format!("{}{ANY_REQUEST}", url.trim_end_matches(ANY))
        } else {
            url.clone()
        };
        let at = rule.non_resource_url_matches(&path)?;
        let verbs: Vec<&str> = power
            .verbs
            .iter()
            .filter(|v| rule.verb_matches(v).is_some())
            .map(String::as_str)
            .collect();
        if verbs.is_empty() {
            return None;
        }
        return Some(Granted {
            at,
            verbs,
            names: Vec::new(),
            reach: Reach::Cluster,
            note,
            resource: if url.ends_with(ANY) {
                if url == "/<any>" {
                    "every non-resource URL".to_string()
                } else {
                    format!("every non-resource URL under {}", url.trim_end_matches(ANY))
                }
            } else {
                format!("the URL {url}")
            },
        });
    }
    let group = request_name(power.group.as_deref()?);
    let full = power.resource.as_deref()?;
    let (resource, sub) = full.split_once('/').unwrap_or((full, ""));
    let resource = request_name(resource);
    rule.api_group_matches(group)?;
    let at = rule.resource_matches(resource, sub)?;
    let mut verbs = Vec::new();
    let mut named = false;
    for v in &power.verbs {
        if rule.verb_matches(v).is_none() {
            continue;
        }
        if rule.resource_names.is_empty() {
            verbs.push(v.as_str());
        } else if power.named && !((v == "create" && sub.is_empty()) || v == "deletecollection") {
            verbs.push(v.as_str());
            named = true;
        }
    }
    if verbs.is_empty() {
        return None;
    }
    let wildcard = rule.api_groups.iter().any(|g| g.value == "*")
        || doc_value(rule, at).is_some_and(|r| r.starts_with('*'))
        || (rule.verbs.iter().any(|v| v.value == "*")
            && !verbs
                .iter()
                .all(|v| rule.verbs.iter().any(|rv| rv.value == *v)));
    let names = if named {
        rule.resource_names.iter().map(|f| f.value).collect()
    } else {
        Vec::new()
    };
    Some(Granted {
        at,
        verbs,
        names,
        reach: rbac.reach(group, resource, power.namespace.as_deref()),
        note,
        resource: if full.contains(ANY) {
            "every resource".to_string()
        } else if wildcard {
            format!("{full} (through `*`)")
        } else {
            full.to_string()
        },
    })
}

/// Who holds a role's rules: a binding, possibly through an aggregated ClusterRole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Holder {
    binding: usize,
    via: Option<usize>,
}

/// Per rule (role, rule index): the bindings that hold it and the aggregated roles
/// through which it is held without any binding.
#[derive(Default)]
struct Holders {
    bound: Vec<Holder>,
    /// Held by no binding of the bundle; `Some(a)`: as part of aggregated role `a`.
    unbound: Vec<Option<usize>>,
}

/// For every rule that counts, who holds it: the bindings of its role and of every
/// aggregated ClusterRole that gathers it. A ClusterRole that an aggregated role of the
/// bundle gathers counts as used (derailed/popeye#309), even without bindings of its own.
/// The RBAC index of a run, built once: the roles and bindings, and who holds each rule.
pub(crate) struct RbacIndex<'b> {
    rbac: Rbac<'b>,
    held: BTreeMap<(usize, usize), Holders>,
}

/// The run's RBAC index, built by the first RBAC rule that asks.
fn index<'c, 'b>(cx: &BundleCx<'c, 'b>) -> (&'c Rbac<'b>, &'c BTreeMap<(usize, usize), Holders>) {
    let i = cx.shared.rbac.get_or_init(|| {
        let rbac = Rbac::new(cx.bundle);
        let held = holders(&rbac);
        RbacIndex { rbac, held }
    });
    (&i.rbac, &i.held)
}

fn holders(rbac: &Rbac) -> BTreeMap<(usize, usize), Holders> {
    let mut out: BTreeMap<(usize, usize), Holders> = BTreeMap::new();
    for e in 0..rbac.roles.len() {
        let bindings = rbac.bindings_of(e);
        let aggregated = rbac.roles[e].role.aggregation.is_some();
        if bindings.is_empty() && !aggregated && !rbac.aggregators[e].is_empty() {
            continue; // judged through the roles that gather it
        }
        let via = aggregated.then_some(e);
        for key in rbac.effective_rules(e) {
            let h = out.entry(key).or_default();
            if bindings.is_empty() {
                h.unbound.push(via);
            }
            for &binding in bindings {
                h.bound.push(Holder { binding, via });
            }
        }
    }
    out
}

/// The labels by which the built-in `admin`, `edit` and `view` ClusterRoles gather
/// others ([`rbac.md` "Default roles"](https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles)).
const BUILT_IN_AGGREGATES: &[(&str, &str)] = &[
    ("rbac.authorization.k8s.io/aggregate-to-admin", "admin"),
    ("rbac.authorization.k8s.io/aggregate-to-edit", "edit"),
    ("rbac.authorization.k8s.io/aggregate-to-view", "view"),
];

/// Who holds a rule, for a message, with related locations and the scopes in which the
/// holders can use it.
struct Grantees<'b> {
    text: String,
    related: Vec<(Place, String)>,
    scopes: Vec<Scope<'b>>,
    /// No binding of the bundle holds the rule: `scopes` is what a binding could give.
    potential: bool,
}

impl Grantees<'_> {
    /// Whether a power of this reach is usable by these grantees. A power for one
    /// namespace is never judged on a ClusterRole that no binding of the bundle uses.
    fn can_use(&self, reach: Reach) -> bool {
        self.scopes
            .iter()
            .any(|&s| !(self.potential && matches!(reach, Reach::In(_))) && reach.within(s))
    }
}

/// Who holds rule(s) of `role` as `h` records, keeping the holders for which `usable`
/// says some power is usable in their scope (`true` second argument: a potential scope,
/// no binding in the bundle); `None` when nobody can use anything.
fn grantees<'b>(
    rbac: &Rbac<'b>,
    role: usize,
    h: &Holders,
    usable: impl Fn(Scope<'b>, bool) -> bool,
) -> Option<Grantees<'b>> {
    let r = &rbac.roles[role].role;
    let mut parts = Vec::new();
    let mut related = Vec::new();
    let mut scopes = Vec::new();
    for holder in &h.bound {
        let be = &rbac.bindings[holder.binding];
        let b = &be.binding;
        let scope = match (r.kind, scope_of(b)) {
            (RoleKind::Role, _) => Scope::Namespace(r.namespace),
            (_, s) => s,
        };
        if !usable(scope, false) {
            continue;
        }
        scopes.push(scope);
        let via = holder
            .via
            .map(|a| format!(" through {}", role_text(&rbac.roles[a].role)))
            .unwrap_or_default();
        parts.push(format!(
            "{} ({}{via}, {})",
            subjects_text(b),
            binding_text(b),
            scope_text(scope)
        ));
        let at = b.role_ref.map_or(be.root, |rr| rr.node);
        related.push((
            place(be.doc, at),
            format!("binds it to {} {}", subjects_text(b), scope_text(scope)),
        ));
        if let Some(a) = holder.via {
            if let Some(agg) = &rbac.roles[a].role.aggregation {
                related.push((
                    place(rbac.roles[a].doc, agg.node),
                    format!(
                        "{} gathers this role's rules",
                        role_text(&rbac.roles[a].role)
                    ),
                ));
            }
        }
    }
    parts.dedup();
    related.dedup();
    if !parts.is_empty() {
        return Some(Grantees {
            text: format!("to {}", list_text(&parts, 3, "grant")),
            related,
            scopes,
            potential: false,
        });
    }
    if !h.bound.is_empty() {
        return None; // every binding of the bundle uses it where it grants nothing
    }
    // Not bound in this bundle: judge the role's content by the scope a binding could give.
    let potential = match r.kind {
        RoleKind::Role => Scope::Namespace(r.namespace),
        RoleKind::ClusterRole => Scope::Cluster,
    };
    if !usable(potential, true) {
        return None;
    }
    let via_built_in: Vec<&str> = BUILT_IN_AGGREGATES
        .iter()
        .filter(|(label, _)| r.labels.get(label) == Some(&"true"))
        .map(|&(_, role)| role)
        .collect();
    let aggregated_by: Vec<usize> = h.unbound.iter().flatten().copied().collect();
    let text = if !via_built_in.is_empty() && r.kind == RoleKind::ClusterRole {
        let names: Vec<String> = via_built_in.iter().map(|r| r.to_string()).collect();
        format!(
            "to everyone bound to the built-in ClusterRole{} {} (its aggregate-to labels add its rules there)",
            if names.len() > 1 { "s" } else { "" },
            list_text(&names, 3, "role")
        )
    } else if let Some(&a) = aggregated_by.first() {
        if let Some(agg) = &rbac.roles[a].role.aggregation {
            related.push((
                place(rbac.roles[a].doc, agg.node),
                format!(
                    "{} gathers this role's rules",
                    role_text(&rbac.roles[a].role)
                ),
            ));
        }
        format!(
            "through {}, which gathers it, to whoever that is bound to (no binding in the bundle references it)",
            role_text(&rbac.roles[a].role)
        )
    } else if r.kind == RoleKind::Role {
        format!(
            "to whoever a RoleBinding {} binds it to (no binding in the bundle references it)",
            scope_text(potential)
        )
    } else {
        "to whoever it is bound to (no binding in the bundle references it; a ClusterRoleBinding would grant it cluster-wide)".to_string()
    };
    Some(Grantees {
        text,
        related,
        scopes: vec![potential],
        potential: true,
    })
}

fn verbs_text(verbs: &[&str]) -> String {
    verbs.join(", ")
}

fn grant(cx: &BundleCx, p: &GrantParams, out: &mut BundleHits) {
    let (rbac, held) = index(cx);
    // `all`: the anchor rule of each effective role that grants every power together.
    let mut together: BTreeMap<(usize, usize), Vec<(Place, String)>> = BTreeMap::new();
    if !p.all.is_empty() {
        for e in 0..rbac.roles.len() {
            let rules = rbac.effective_rules(e);
            let mut found = Vec::new();
            for power in &p.all {
                let hit = rules.iter().find_map(|&(ri, ru)| {
                    grants(rbac, &rbac.roles[ri].role.rules[ru], power, cx.version)
                        .map(|g| ((ri, ru), g))
                });
                match hit {
                    Some(h) => found.push(h),
                    None => break,
                }
            }
            if found.len() == p.all.len() {
                let anchor = found[0].0;
                let related = found[1..]
                    .iter()
                    .map(|((ri, _), g)| {
                        (
                            place(rbac.roles[*ri].doc, g.at),
                            format!("grants {} on {} as well", verbs_text(&g.verbs), g.resource),
                        )
                    })
                    .collect();
                together.entry(anchor).or_insert(related);
            }
        }
    }
    for (&(ri, ru), h) in held {
        let entry = &rbac.roles[ri];
        let rule = &entry.role.rules[ru];
        let mut granted: Vec<Granted> = p
            .any
            .iter()
            .filter_map(|power| grants(rbac, rule, power, cx.version))
            .collect();
        let mut extra = Vec::new();
        if let Some(related) = together.get(&(ri, ru)) {
            if let Some(g) = p
                .all
                .first()
                .and_then(|power| grants(rbac, rule, power, cx.version))
            {
                granted.push(g);
                extra = related.clone();
            }
        }
        if granted.is_empty() {
            continue;
        }
        let usable = |s: Scope, potential: bool| {
            granted
                .iter()
                .any(|g| !(potential && matches!(g.reach, Reach::In(_))) && g.reach.within(s))
        };
        let Some(gr) = grantees(rbac, ri, h, usable) else {
            continue;
        };
        granted.retain(|g| gr.can_use(g.reach));
        let (who, mut related) = (gr.text, gr.related);
        // Name the powers that some holder can use; keep the first item as the place.
        let at = granted[0].at;
        let mut parts: Vec<String> = Vec::new();
        let mut notes: Vec<&str> = Vec::new();
        for g in &granted {
            let mut s = format!("{} on {}", verbs_text(&g.verbs), g.resource);
            if !g.names.is_empty() {
                s.push_str(&format!(" (only those named {})", g.names.join(", ")));
            }
            if let Reach::In(ns) = g.reach {
                s.push_str(&format!(" in {ns}"));
            }
            if !parts.contains(&s) {
                parts.push(s);
            }
            if let Some(n) = g.note {
                if !notes.contains(&n) {
                    notes.push(n);
                }
            }
        }
        let mut message = format!(
            "{} rule {} grants {} {who}; that lets them {}",
            role_text(&entry.role),
            rule.index + 1,
            parts.join("; "),
            p.what
        );
        for n in notes {
            message.push_str(". ");
            message.push_str(n);
        }
        related.extend(extra);
        out.push(BundleHit {
            at: place(entry.doc, at),
            message,
            related,
            fix: Vec::new(),
        });
    }
}

// ---------------------------------------------------------------------------------------
// rbac-wildcard

/// The verbs that bypass RBAC's escalation checks or act as others, with the resources
/// they apply to (RBAC docs "Privilege escalation prevention", the impersonation filter,
/// the CSR signer check): a `*` verb grants them where the rule covers these resources.
const SPECIAL_VERBS: &[(&str, &str, &str)] = &[
    ("escalate", RBAC_GROUP, "roles"),
    ("escalate", RBAC_GROUP, "clusterroles"),
    ("bind", RBAC_GROUP, "roles"),
    ("bind", RBAC_GROUP, "clusterroles"),
    ("impersonate", "", "users"),
    ("impersonate", "", "groups"),
    ("impersonate", "", "serviceaccounts"),
    ("approve", "certificates.k8s.io", "signers"),
];

fn wildcard(cx: &BundleCx, _: &super::NoParams, out: &mut BundleHits) {
    let (rbac, held) = index(cx);
    for (&(ri, ru), h) in held {
        let entry = &rbac.roles[ri];
        let rule = &entry.role.rules[ru];
        let mut fields = Vec::new();
        let mut at = None;
        for (items, field) in [
            (&rule.verbs, "verbs"),
            (&rule.api_groups, "apiGroups"),
            (&rule.resources, "resources"),
            (&rule.non_resource_urls, "nonResourceURLs"),
        ] {
            if let Some(f) = items.iter().find(|f| f.value == "*") {
                fields.push(field);
                at.get_or_insert(f.node);
            }
        }
        let Some(at) = at else { continue };
        // Non-resource URLs are granted only by a ClusterRoleBinding (the authorizer
        // matches them for cluster-wide bindings alone: rbac.go, `appliesTo` with an
        // empty namespace).
        let urls_only = rule.resources.is_empty() && !rule.non_resource_urls.is_empty();
        // A RoleBinding grants a ClusterRole's rules in its namespace only: a rule whose
        // resources are all known to be cluster-scoped (nodes, persistentvolumes) grants
        // nothing through one (`appliesTo` in rbac.go matches the namespace of the request,
        // and requests for cluster-scoped resources have none).
        let namespaced_any = rule.resources.iter().any(|r| {
            r.value == "*"
                || rule
                    .api_groups
                    .iter()
                    .any(|g| g.value == "*" || rbac.namespaced(g.value, r.value) != Some(false))
        });
        let Some(Grantees {
            text: who, related, ..
        }) = grantees(rbac, ri, h, |scope, _| {
            matches!(scope, Scope::Cluster) || (!urls_only && namespaced_any)
        })
        else {
            continue;
        };
        let mut covers = Vec::new();
        let special: Vec<&str> = SPECIAL_VERBS
            .iter()
            .filter(|(verb, group, resource)| {
                rule.allows(&crate::model::rbac::Request {
                    verb,
                    group,
                    resource,
                    subresource: "",
                    name: "",
                })
            })
            .map(|t| t.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let every_verb;
        if fields.contains(&"verbs") {
            every_verb = if special.is_empty() {
                "every verb".to_string()
            } else {
                format!(
                    "every verb, including {}",
                    list_text(
                        &special.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                        8,
                        "verb"
                    )
                )
            };
            covers.push(every_verb.as_str());
        }
        if fields.contains(&"apiGroups") || fields.contains(&"resources") {
            covers.push("every resource in scope, including ones that new API groups and custom resources add later");
        }
        if fields.contains(&"nonResourceURLs") {
            covers.push("every non-resource URL");
        }
        let named = if rule.resource_names.is_empty() {
            String::new()
        } else {
            " (on the listed resourceNames only)".to_string()
        };
        out.push(BundleHit {
            at: place(entry.doc, at),
            message: format!(
                "{} rule {} uses `*` in {}{named}, which covers {}, and grants it {who}",
                role_text(&entry.role),
                rule.index + 1,
                fields.join(" and "),
                covers.join(", and ")
            ),
            related,
            fix: Vec::new(),
        });
    }
}

// ---------------------------------------------------------------------------------------
// Binding rules

/// Related locations on the role a binding grants: its rules, or a note of what the
/// bundle lacked.
fn role_related(rbac: &Rbac, b: &BindingEntry) -> (Vec<(Place, String)>, Option<String>) {
    let Some(rr) = b.binding.role_ref else {
        return (Vec::new(), Some("it has no roleRef".to_string()));
    };
    match rbac.role_of(&b.binding) {
        Some(i) => {
            let r = &rbac.roles[i];
            (
                vec![(
                    place(r.doc, r.anchor),
                    format!("the rules of {} it grants", role_text(&r.role)),
                )],
                None,
            )
        }
        None => (
            Vec::new(),
            Some(format!(
                "{} {} is not in the bundle, so what it grants could not be checked",
                rr.kind.value, rr.name.value
            )),
        ),
    }
}

fn cluster_admin_binding(cx: &BundleCx, _: &super::NoParams, out: &mut BundleHits) {
    let (rbac, _) = index(cx);
    for be in &rbac.bindings {
        let b = &be.binding;
        let Some(rr) = b.role_ref else { continue };
        if rr.kind.value != "ClusterRole" || rr.name.value != "cluster-admin" {
            continue;
        }
        let what = match b.kind {
            BindingKind::ClusterRoleBinding => {
                "full control of every resource in every namespace and of the cluster itself"
                    .to_string()
            }
            BindingKind::RoleBinding => format!(
                "full control of every resource {}, including the namespace itself",
                scope_text(Scope::Namespace(b.namespace))
            ),
        };
        let related = match rbac.role_of(b) {
            Some(i) => vec![(
                place(rbac.roles[i].doc, rbac.roles[i].anchor),
                "the bundle's cluster-admin ClusterRole".to_string(),
            )],
            None => Vec::new(),
        };
        out.push(BundleHit {
            at: place(be.doc, rr.name.node),
            message: format!(
                "{} grants cluster-admin to {}: {what}",
                binding_text(b),
                subjects_text(b)
            ),
            related,
            fix: Vec::new(),
        });
    }
}

/// One subject that no binding should name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskySubject {
    /// `User` or `Group`.
    pub kind: String,
    pub name: String,
    /// Who that is: "every authenticated user and ServiceAccount".
    pub who: String,
}

/// Parameters of `rbac-risky-subject`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskySubjectParams {
    pub subjects: Vec<RiskySubject>,
    /// ClusterRoles Kubernetes itself binds to these subjects (the bootstrap policy of
    /// `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`): a copy of such a
    /// default binding is not reported.
    #[serde(default)]
    pub default_roles: Vec<String>,
}

impl TemplateParams for RiskySubjectParams {}

fn risky_subject(cx: &BundleCx, p: &RiskySubjectParams, out: &mut BundleHits) {
    let (rbac, _) = index(cx);
    for be in &rbac.bindings {
        let b = &be.binding;
        let Some(rr) = b.role_ref else { continue };
        if rr.kind.value == "ClusterRole" && p.default_roles.iter().any(|r| r == rr.name.value) {
            continue;
        }
        for s in &b.subjects {
            let Some(risky) = p
                .subjects
                .iter()
                .find(|r| r.kind == s.kind && r.name == s.name)
            else {
                continue;
            };
            let (related, missing) = role_related(rbac, be);
            let scope = match b.kind {
                BindingKind::ClusterRoleBinding => Scope::Cluster,
                BindingKind::RoleBinding => Scope::Namespace(b.namespace),
            };
            let mut message = format!(
                "{} binds {} {} to {} — {}: {} {}",
                binding_text(b),
                rr.kind.value,
                rr.name.value,
                subject_text(b, s),
                risky.who,
                "whatever the role grants applies to them",
                scope_text(scope)
            );
            if let Some(m) = missing {
                message.push_str(&format!("; {m}"));
            }
            out.push(BundleHit {
                at: place(be.doc, s.node),
                message,
                related,
                fix: Vec::new(),
            });
        }
    }
}

fn default_service_account(cx: &BundleCx, _: &super::NoParams, out: &mut BundleHits) {
    let (rbac, _) = index(cx);
    for be in &rbac.bindings {
        let b = &be.binding;
        let Some(rr) = b.role_ref else { continue };
        for s in &b.subjects {
            if s.kind != "ServiceAccount" || s.name != "default" {
                continue;
            }
            let ns = b.subject_namespace(s);
            let (related, missing) = role_related(rbac, be);
            let mut message = format!(
                "{} grants {} {} to the default ServiceAccount of namespace {}: every pod there that names no ServiceAccount of its own gets these permissions",
                binding_text(b),
                rr.kind.value,
                rr.name.value,
                ns.unwrap_or("(unset)")
            );
            if let Some(m) = missing {
                message.push_str(&format!("; {m}"));
            }
            out.push(BundleHit {
                at: place(be.doc, s.node),
                message,
                related,
                fix: Vec::new(),
            });
        }
    }
}

fn unbound_service_account(cx: &BundleCx, _: &super::NoParams, out: &mut BundleHits) {
    let (rbac, _) = index(cx);
    if rbac.bindings.is_empty() {
        return;
    }
    let mut named: BTreeSet<(Option<&str>, &str)> = BTreeSet::new();
    let mut all_sa = false;
    let mut sa_groups: BTreeSet<&str> = BTreeSet::new();
    for be in &rbac.bindings {
        let b = &be.binding;
        for s in &b.subjects {
            match s.kind {
                "ServiceAccount" => {
                    named.insert((b.subject_namespace(s), s.name));
                }
                "Group" if s.name == "system:serviceaccounts" => all_sa = true,
                "Group" => {
                    if let Some(ns) = s.name.strip_prefix("system:serviceaccounts:") {
                        sa_groups.insert(ns);
                    }
                }
                _ => {}
            }
        }
    }
    if all_sa {
        return;
    }
    for e in cx.bundle.of_kind("", "ServiceAccount") {
        let o = e.object;
        let Some(name) = o.name else { continue };
        // A ServiceAccount written without a namespace lands in the current context's (or
        // kustomize's) namespace: any subject of that name may be it.
        let bound = match o.namespace {
            Some(ns) => named.contains(&(Some(ns), name)) || sa_groups.contains(ns),
            None => named.iter().any(|&(_, n)| n == name) || !sa_groups.is_empty(),
        };
        if bound {
            continue;
        }
        let node = o
            .metadata
            .and_then(|m| o.doc.get(m, "name"))
            .unwrap_or(o.root);
        let who = match o.namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        out.push(BundleHit {
            at: place(e.at.doc, node),
            message: format!(
                "ServiceAccount {who} is named by none of the bundle's {} bindings: this bundle grants its pods no RBAC permission (if they need none, they need no token either)",
                rbac.bindings.len()
            ),
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

/// Parameters of `rbac-subject-many-roles`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManyRolesParams {
    /// More distinct roles than this, bound to one subject, is a finding.
    pub max_roles: usize,
}

impl TemplateParams for ManyRolesParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        if self.max_roles == 0 {
            return Err(FieldError::new(&["max_roles"], "must be at least 1"));
        }
        Ok(())
    }
}

fn many_roles(cx: &BundleCx, p: &ManyRolesParams, out: &mut BundleHits) {
    let (rbac, _) = index(cx);
    // subject (kind, namespace, name) → (role text, binding, subject node), in bundle order.
    type SubjectKey<'s> = (&'s str, Option<&'s str>, &'s str);
    let mut by_subject: BTreeMap<SubjectKey, Vec<(String, usize, NodeId)>> = BTreeMap::new();
    for (bi, be) in rbac.bindings.iter().enumerate() {
        let b = &be.binding;
        let Some(rr) = b.role_ref else { continue };
        // Roles count by kind and name: Roles of one name in several namespaces are one
        // role granted per namespace, the least-privilege pattern.
        let role = format!("{} {}", rr.kind.value, rr.name.value);
        for s in &b.subjects {
            let ns = if s.kind == "ServiceAccount" {
                b.subject_namespace(s)
            } else {
                None
            };
            by_subject
                .entry((s.kind, ns, s.name))
                .or_default()
                .push((role.clone(), bi, s.node));
        }
    }
    for ((kind, ns, name), grants) in by_subject {
        let roles: BTreeSet<&str> = grants.iter().map(|g| g.0.as_str()).collect();
        if roles.len() <= p.max_roles {
            continue;
        }
        let who = match ns {
            Some(ns) => format!("{kind} {ns}/{name}"),
            None => format!("{kind} {name}"),
        };
        // The ServiceAccount object when the bundle has it, else the first subject entry.
        let sa = (kind == "ServiceAccount")
            .then(|| {
                cx.bundle
                    .of_kind("", "ServiceAccount")
                    .find(|e| e.object.name == Some(name) && e.object.namespace == ns)
            })
            .flatten();
        let at = match sa {
            Some(e) => place(
                e.at.doc,
                e.object
                    .metadata
                    .and_then(|m| e.object.doc.get(m, "name"))
                    .unwrap_or(e.object.root),
            ),
            None => place(rbac.bindings[grants[0].1].doc, grants[0].2),
        };
        let related = grants
            .iter()
            .map(|(role, bi, node)| {
                (
                    place(rbac.bindings[*bi].doc, *node),
                    format!(
                        "{} grants {role}",
                        binding_text(&rbac.bindings[*bi].binding)
                    ),
                )
            })
            .collect();
        let names: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        out.push(BundleHit {
            at,
            message: format!(
                "{who} is bound to {} roles ({}); more than {} makes what it can do hard to review, and one stolen token gets all of it",
                roles.len(),
                list_text(&names, 4, "role"),
                p.max_roles
            ),
            related,
            fix: Vec::new(),
        });
    }
}

fn cluster_scope(cx: &BundleCx, _: &super::NoParams, out: &mut BundleHits) {
    let (rbac, _) = index(cx);
    for be in &rbac.bindings {
        let b = &be.binding;
        if b.kind != BindingKind::ClusterRoleBinding {
            continue;
        }
        let (Some(rr), Some(ri)) = (b.role_ref, be.role) else {
            continue;
        };
        let role = &rbac.roles[ri];
        if role.role.aggregation.is_some() || role.role.rules.is_empty() {
            continue;
        }
        let mut resources: Vec<&str> = Vec::new();
        let all_namespaced = role.role.rules.iter().all(|rule| {
            rule.non_resource_urls.is_empty()
                && !rule.resources.is_empty()
                && !rule.api_groups.is_empty()
                && rule.api_groups.iter().all(|g| g.value != "*")
                && rule.resources.iter().all(|res| {
                    let ok = res.value != "*"
                        && !res.value.starts_with("*/")
                        && rule
                            .api_groups
                            .iter()
                            .all(|g| rbac.namespaced(g.value, res.value) == Some(true));
                    if ok && !resources.contains(&res.value) {
                        resources.push(res.value);
                    }
                    ok
                })
        });
        if !all_namespaced {
            continue;
        }
        let names: Vec<String> = resources.iter().map(|r| r.to_string()).collect();
        out.push(BundleHit {
            at: place(be.doc, rr.name.node),
            message: format!(
                "{} grants {} in every namespace, but it names only namespaced resources ({}); if {} needs them in a few namespaces, a Role and a RoleBinding in each (or RoleBindings to this ClusterRole) would do",
                binding_text(b),
                role_text(&role.role),
                list_text(&names, 5, "resource"),
                subjects_text(b)
            ),
            related: vec![(
                place(role.doc, role.anchor),
                "its rules name only namespaced resources".to_string(),
            )],
            fix: Vec::new(),
        });
    }
}

/// The Roles Kubernetes creates in its own namespaces, by (namespace, name): a binding to
/// one references a Role that exists although the bundle lacks it. Source:
/// `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/namespace_policy.go`.
const BUILT_IN_NAMESPACED_ROLES: &[(&str, &str)] = &[
    ("kube-system", "extension-apiserver-authentication-reader"),
    (
        "kube-system",
        "system::leader-locking-kube-controller-manager",
    ),
    ("kube-system", "system::leader-locking-kube-scheduler"),
    ("kube-system", "system:controller:bootstrap-signer"),
    ("kube-system", "system:controller:cloud-provider"),
    ("kube-system", "system:controller:token-cleaner"),
    ("kube-public", "system:controller:bootstrap-signer"),
];

fn role_ref(cx: &BundleCx, _: &super::NoParams, out: &mut BundleHits) {
    let (rbac, _) = index(cx);
    // Roles by name, for "it has Role x in namespace y".
    let mut roles_by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roles_in_ns: HashMap<Option<&str>, usize> = HashMap::new();
    for (i, r) in rbac.roles.iter().enumerate() {
        if r.role.kind == RoleKind::Role {
            roles_by_name.entry(r.role.name).or_default().push(i);
            *roles_in_ns.entry(r.role.namespace).or_default() += 1;
        }
    }
    for be in &rbac.bindings {
        let b = &be.binding;
        let Some(rr) = b.role_ref else { continue };
        let message = if let Some(g) = rr.api_group.filter(|g| g.value != RBAC_GROUP) {
            Some((
                g.node,
                format!(
                    "{} references roleRef.apiGroup {:?}: the API server accepts only rbac.authorization.k8s.io, so it refuses the binding",
                    binding_text(b),
                    g.value
                ),
            ))
        } else {
            match (b.kind, rr.role_kind()) {
                (_, None) => Some((
                    rr.kind.node,
                    format!(
                        "{} references a {}: roleRef.kind must be Role or ClusterRole, so the API server refuses it",
                        binding_text(b),
                        rr.kind.value
                    ),
                )),
                (BindingKind::ClusterRoleBinding, Some(RoleKind::Role)) => Some((
                    rr.kind.node,
                    format!(
                        "{} references Role {}: a ClusterRoleBinding can only reference a ClusterRole, so the API server refuses it",
                        binding_text(b),
                        rr.name.value
                    ),
                )),
                (BindingKind::RoleBinding, Some(RoleKind::Role))
                    if be.role.is_none()
                        && !BUILT_IN_NAMESPACED_ROLES
                            .contains(&(b.namespace.unwrap_or(""), rr.name.value)) =>
                {
                    let elsewhere: Vec<String> = roles_by_name
                        .get(rr.name.value)
                        .into_iter()
                        .flatten()
                        .map(|&i| role_text(&rbac.roles[i].role))
                        .collect();
                    let here = roles_in_ns.get(&b.namespace).copied().unwrap_or(0);
                    let ns = scope_text(Scope::Namespace(b.namespace));
                    if !elsewhere.is_empty() {
                        Some((
                            rr.name.node,
                            format!(
                                "{} references Role {}, which the bundle defines only in another namespace ({}): a RoleBinding can only reference a Role of its own namespace, so it grants nothing until Role {} exists {ns}",
                                binding_text(b),
                                rr.name.value,
                                list_text(&elsewhere, 3, "role"),
                                rr.name.value
                            ),
                        ))
                    } else if here > 0 {
                        Some((
                            rr.name.node,
                            format!(
                                "{} references Role {}, which is not among the bundle's {here} Roles {ns}: it grants nothing until that Role exists, and then grants whatever it holds",
                                binding_text(b),
                                rr.name.value
                            ),
                        ))
                    } else {
                        None
                    }
                }
                _ => None,
            }
        };
        if let Some((node, message)) = message {
            out.push(BundleHit {
                at: place(be.doc, node),
                message,
                related: Vec::new(),
                fix: Vec::new(),
            });
        }
    }
}
