//! The RBAC access model (`Access::can`, `who_can`, `matrix`) on small bundles whose
//! answers are worked out by hand from the Kubernetes documentation; each test names the
//! page (and section) it encodes. The reachability model is in tests/access_reach.rs.

use kubeharden::access::rbac::{Scope, Target};
use kubeharden::access::{with_bundle, Access, AccessOptions, Bootstrap, Origin, User};
use kubeharden::yaml::Limits;
use kubeharden::{KubeVersion, Source};

const RBAC: &str = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/";

fn model<T>(yaml: &str, options: AccessOptions, f: impl FnOnce(&Access) -> T) -> T {
    let sources = [Source::new("bundle.yaml", yaml)];
    let boot = Bootstrap::new(options.version);
    let (out, errors) = with_bundle(&sources, &Limits::default(), |b| {
        f(&Access::new(b, &boot, options))
    });
    assert!(errors.is_empty(), "the test bundle must parse: {errors:?}");
    out
}

fn with<T>(yaml: &str, f: impl FnOnce(&Access) -> T) -> T {
    model(yaml, AccessOptions::default(), f)
}

fn user(name: &str) -> User {
    User::impersonate(name, &[])
}

fn res(group: &str, resource: &str) -> Target {
    Target::resource(group, resource)
}

fn named(group: &str, resource: &str, sub: &str, name: &str) -> Target {
    Target::Resource {
        group: group.into(),
        resource: resource.into(),
        subresource: sub.into(),
        name: name.into(),
    }
}

const SECRET_READER: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, watch, list]
";

/// RBAC docs, "RoleBinding examples" / "ClusterRoleBinding example": a RoleBinding to a
/// ClusterRole grants only in the binding's namespace ("dave ... will only be able to read
/// Secrets in the development namespace"); a ClusterRoleBinding grants in every namespace.
#[test]
fn a_role_binding_to_a_cluster_role_grants_only_in_its_namespace() {
    let yaml = format!(
        "{SECRET_READER}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: read-secrets, namespace: development}}
subjects:
- {{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}}
roleRef: {{kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: read-secrets-global}}
subjects:
- {{kind: Group, name: manager, apiGroup: rbac.authorization.k8s.io}}
roleRef: {{kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}}
"
    );
    with(&yaml, |a| {
        let secrets = res("", "secrets");
        let d = a.can(&user("dave"), "get", &secrets, Some("development"));
        assert!(d.allowed, "{RBAC}#rolebinding-example");
        let g = &d.grants[0];
        assert_eq!(g.binding, "RoleBinding development/read-secrets");
        assert_eq!(g.role, "ClusterRole secret-reader");
        assert_eq!(g.subject, "User dave");
        assert_eq!(g.scope, Scope::Namespace(Some("development".into())));
        assert_eq!(g.rule_at.origin, Origin::Bundle(0));
        assert!(!a.can(&user("dave"), "get", &secrets, Some("prod")).allowed);
        assert!(
            !a.can(&user("dave"), "list", &secrets, None).allowed,
            "not across all namespaces"
        );
        assert!(
            !a.can(&user("dave"), "delete", &secrets, Some("development"))
                .allowed
        );
        let manager = User::impersonate("erin", &["manager".into()]);
        assert!(a.can(&manager, "list", &secrets, None).allowed);
        assert!(a.can(&manager, "get", &secrets, Some("prod")).allowed);
        assert_eq!(
            a.can(&manager, "get", &secrets, Some("prod")).grants[0].scope,
            Scope::Cluster
        );
    });
}

/// RBAC docs, "User-facing roles": `view` "does not allow viewing Secrets", `edit` "does
/// not allow viewing or modifying roles or role bindings", `admin` allows "creating roles
/// and role bindings within the namespace" but "does not allow write access to ... the
/// namespace itself". The roles are the built-in bootstrap ones (not in the bundle), and
/// view's rules come from system:aggregate-to-view through aggregation.
#[test]
fn bindings_to_built_in_roles_use_the_bootstrap_policy() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: shop}
subjects: [{kind: User, name: vera}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
subjects: [{kind: User, name: eddie}]
roleRef: {kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admins, namespace: shop}
subjects: [{kind: User, name: ada}]
roleRef: {kind: ClusterRole, name: admin, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let shop = Some("shop");
        let d = a.can(&user("vera"), "list", &res("", "pods"), shop);
        assert!(d.allowed);
        assert_eq!(d.grants[0].role, "ClusterRole view");
        assert_eq!(
            d.grants[0].aggregated_from.as_deref(),
            Some("ClusterRole system:aggregate-to-view")
        );
        assert!(matches!(d.grants[0].rule_at.origin, Origin::BuiltIn(_)));
        assert!(
            !a.can(&user("vera"), "get", &res("", "secrets"), shop)
                .allowed,
            "{RBAC}#user-facing-roles"
        );
        assert!(
            !a.can(&user("vera"), "create", &res("apps", "deployments"), shop)
                .allowed
        );
        // edit ⊇ view, plus writes, plus secrets; no roles.
        assert!(
            a.can(&user("eddie"), "create", &res("apps", "deployments"), shop)
                .allowed
        );
        assert!(
            a.can(&user("eddie"), "list", &res("", "pods"), shop)
                .allowed,
            "edit gathers view"
        );
        assert!(
            a.can(&user("eddie"), "get", &res("", "secrets"), shop)
                .allowed
        );
        assert!(
            !a.can(
                &user("eddie"),
                "create",
                &res("rbac.authorization.k8s.io", "roles"),
                shop
            )
            .allowed
        );
        // Write access to Endpoints left edit in v1.22 (CVE-2021-25740).
        assert!(
            !a.can(&user("eddie"), "create", &res("", "endpoints"), shop)
                .allowed
        );
        assert!(
            a.can(
                &user("ada"),
                "create",
                &res("rbac.authorization.k8s.io", "rolebindings"),
                shop
            )
            .allowed
        );
        assert!(
            !a.can(
                &user("ada"),
                "delete",
                &named("", "namespaces", "", "shop"),
                shop
            )
            .allowed
        );
        assert!(
            !a.can(&user("ada"), "create", &res("", "resourcequotas"), shop)
                .allowed
        );
        // None of them outside shop.
        assert!(
            !a.can(&user("ada"), "list", &res("", "pods"), Some("other"))
                .allowed
        );
    });
}

/// RBAC docs, "Default roles and role bindings": cluster-admin through a RoleBinding "gives
/// full control over every resource in the role binding's namespace, including the
/// namespace itself"; cluster-scoped resources are not granted through a RoleBinding
/// (requestinfo.go: `/api/v1/namespaces/NAME` is a request in namespace NAME). The group
/// system:masters holds cluster-admin through the built-in ClusterRoleBinding.
#[test]
fn cluster_admin_through_a_role_binding_is_admin_of_one_namespace() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: boss, namespace: shop}
subjects: [{kind: User, name: bo}]
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let bo = user("bo");
        assert!(
            a.can(&bo, "delete", &res("", "secrets"), Some("shop"))
                .allowed
        );
        assert!(
            a.can(
                &bo,
                "escalate",
                &res("rbac.authorization.k8s.io", "roles"),
                Some("shop")
            )
            .allowed,
            "* includes escalate"
        );
        assert!(
            a.can(
                &bo,
                "delete",
                &named("", "namespaces", "", "shop"),
                Some("shop")
            )
            .allowed
        );
        assert!(
            !a.can(
                &bo,
                "delete",
                &named("", "namespaces", "", "other"),
                Some("shop")
            )
            .allowed
        );
        assert!(
            !a.can(&bo, "get", &res("", "nodes"), Some("shop")).allowed,
            "nodes are cluster-scoped"
        );
        assert!(
            !a.can(
                &bo,
                "get",
                &Target::Url {
                    path: "/metrics".into()
                },
                Some("shop")
            )
            .allowed
        );
        let master = User::impersonate("root", &["system:masters".into()]);
        let d = a.can(&master, "get", &res("", "nodes"), None);
        assert!(d.allowed);
        assert_eq!(d.grants[0].binding, "ClusterRoleBinding cluster-admin");
        assert!(
            a.can(
                &master,
                "get",
                &Target::Url {
                    path: "/metrics".into()
                },
                None
            )
            .allowed
        );
    });
}

/// RBAC docs, "Aggregated ClusterRoles": an aggregated ClusterRole has the rules of the
/// ClusterRoles its selectors match; "the control plane overwrites any values that you
/// manually specify in the rules field". A ClusterRole labelled aggregate-to-view extends
/// the built-in view (and so edit and admin).
#[test]
fn aggregation_gathers_labelled_roles_and_ignores_its_own_rules() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: 'true'}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-monitoring: 'true'}
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: mon}
subjects: [{kind: User, name: mo}]
roleRef: {kind: ClusterRole, name: monitoring, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
subjects: [{kind: User, name: eddie}]
roleRef: {kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let widgets = res("example.com", "widgets");
        let d = a.can(&user("eddie"), "list", &widgets, Some("shop"));
        assert!(d.allowed, "edit gathers view, which gathers widgets-view");
        assert_eq!(
            d.grants[0].aggregated_from.as_deref(),
            Some("ClusterRole widgets-view")
        );
        assert!(
            !a.can(&user("eddie"), "delete", &widgets, Some("shop"))
                .allowed
        );
        // `monitoring` selects nothing: its literal `*` rule is overwritten.
        assert!(
            !a.can(&user("mo"), "get", &res("", "pods"), Some("shop"))
                .allowed
        );
    });
}

/// RBAC docs, "Referring to resources": `resourceNames` restricts requests that name an
/// object, and a subresource request carries its parent's name (`pods/exec` of pod web-0);
/// requests without a name (`create` of a top-level object, `list`) are not granted by a
/// name-limited rule; `*` as a resource covers every subresource, `pods` does not cover
/// `pods/exec`.
#[test]
fn resource_names_restrict_subresources_of_named_objects() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debug, namespace: shop}
rules:
- {apiGroups: [''], resources: [pods/exec], resourceNames: [web-0], verbs: [create]}
- {apiGroups: [''], resources: [configmaps], resourceNames: [settings], verbs: [get, create]}
- {apiGroups: [''], resources: [pods], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debug, namespace: shop}
subjects: [{kind: User, name: dee}]
roleRef: {kind: Role, name: debug, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let dee = user("dee");
        let ns = Some("shop");
        assert!(
            a.can(&dee, "create", &named("", "pods", "exec", "web-0"), ns)
                .allowed
        );
        assert!(
            !a.can(&dee, "create", &named("", "pods", "exec", "web-1"), ns)
                .allowed
        );
        assert!(
            !a.can(&dee, "create", &named("", "pods", "exec", ""), ns)
                .allowed
        );
        assert!(
            a.can(&dee, "get", &named("", "configmaps", "", "settings"), ns)
                .allowed
        );
        assert!(!a.can(&dee, "list", &res("", "configmaps"), ns).allowed);
        assert!(
            !a.can(&dee, "create", &res("", "configmaps"), ns).allowed,
            "create carries no name"
        );
        assert!(
            a.can(&dee, "get", &named("", "pods", "", "web-0"), ns)
                .allowed
        );
        assert!(
            !a.can(&dee, "get", &named("", "pods", "log", "web-0"), ns)
                .allowed,
            "pods is not pods/log"
        );
    });
}

/// RBAC docs, "Referring to subjects" and pkg/registry/rbac/validation/rule.go
/// (`appliesToUser`): a ServiceAccount subject without a namespace is in the RoleBinding's
/// namespace; ServiceAccounts are in the groups system:serviceaccounts and
/// system:serviceaccounts:<ns>; system:anonymous is not in system:authenticated.
#[test]
fn service_account_subjects_and_groups() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
subjects: [{kind: ServiceAccount, name: web}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sa-of-batch}
subjects: [{kind: Group, name: 'system:serviceaccounts:batch', apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: broken}
subjects: [{kind: ServiceAccount, name: web}]
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-lists-nodes}
subjects: [{kind: Group, name: 'system:authenticated', apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: node-lister, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-lister}
rules: [{apiGroups: [''], resources: [nodes], verbs: [list]}]
---
"
    .to_string()
        + SECRET_READER;
    with(&yaml, |a| {
        let web = User::impersonate("system:serviceaccount:shop:web", &[]);
        assert!(web
            .groups
            .contains(&"system:serviceaccounts:shop".to_string()));
        let d = a.can(&web, "get", &res("", "pods"), Some("shop"));
        assert!(d.allowed);
        assert_eq!(d.grants[0].subject, "ServiceAccount shop/web");
        assert!(
            !a.can(
                &User::service_account("other", "web"),
                "get",
                &res("", "pods"),
                Some("other")
            )
            .allowed
        );
        // The ClusterRoleBinding's namespace-less ServiceAccount applies to nobody.
        assert!(
            !a.can(&web, "delete", &res("", "secrets"), Some("shop"))
                .allowed
        );
        let job = User::service_account("batch", "runner");
        assert!(a.can(&job, "list", &res("", "secrets"), None).allowed);
        assert!(!a.can(&web, "list", &res("", "secrets"), None).allowed);
        assert!(
            a.can(&user("alice"), "list", &res("", "nodes"), None)
                .allowed
        );
        assert!(
            !a.can(&user("system:anonymous"), "list", &res("", "nodes"), None)
                .allowed
        );
    });
}

/// RBAC docs, "RoleBinding and ClusterRoleBinding": a RoleBinding's Role is looked up in
/// the binding's own namespace (kubescape#2579 matched it across namespaces); a binding to
/// a role that exists nowhere grants nothing, and the answer says what it could not see.
#[test]
fn a_role_of_another_namespace_grants_nothing() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: b}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: a}
subjects: [{kind: User, name: ann}]
roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let d = a.can(&user("ann"), "get", &res("", "pods"), Some("a"));
        assert!(!d.allowed);
        assert!(
            d.notes.iter().any(|n| n.contains("RoleBinding a/reader")
                && n.contains("neither in the bundle nor built in")),
            "{:?}",
            d.notes
        );
        assert!(
            !a.can(&user("ann"), "get", &res("", "pods"), Some("b"))
                .allowed
        );
    });
}

/// A bundle object replaces the built-in one of the same identity (kubectl apply of a
/// ClusterRole named view replaces the bootstrap one until the API server reconciles it).
#[test]
fn a_bundle_role_replaces_its_built_in_namesake() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: v, namespace: shop}
subjects: [{kind: User, name: vera}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        assert!(
            a.can(&user("vera"), "get", &res("", "configmaps"), Some("shop"))
                .allowed
        );
        assert!(
            !a.can(&user("vera"), "get", &res("", "pods"), Some("shop"))
                .allowed
        );
    });
}

/// who-can: every subject whose bindings grant the request in the namespace, including
/// the built-in system:masters; a RoleBinding of another namespace does not count.
#[test]
fn who_can_lists_every_granted_subject() {
    let yaml = format!(
        "{SECRET_READER}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: read-secrets, namespace: development}}
subjects:
- {{kind: User, name: dave}}
- {{kind: ServiceAccount, name: ci}}
roleRef: {{kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: read-secrets, namespace: prod}}
subjects: [{{kind: User, name: pat}}]
roleRef: {{kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}}
"
    );
    with(&yaml, |a| {
        let who = a.who_can("get", &res("", "secrets"), Some("development"));
        let names: Vec<String> = who.iter().map(|h| h.subject.text()).collect();
        assert!(names.contains(&"User dave".to_string()), "{names:?}");
        assert!(
            names.contains(&"ServiceAccount development/ci".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"Group system:masters".to_string()),
            "{names:?}"
        );
        assert!(!names.contains(&"User pat".to_string()), "{names:?}");
        // The built-in kube-controller-manager role gets secrets cluster-wide too.
        assert!(
            names.contains(&"User system:kube-controller-manager".to_string()),
            "{names:?}"
        );
        let everywhere = a.who_can("list", &res("", "secrets"), None);
        assert!(!everywhere.iter().any(|h| h.subject.name == "dave"));
    });
}

/// The matrix: bundle subjects and ServiceAccounts as rows, the dangerous permissions
/// first; `get pods/exec` counts as exec only before v1.35 (kubernetes/kubernetes#134577,
/// the WebSocket upgrade needs `create` since then).
#[test]
fn the_matrix_ranks_subjects_by_dangerous_permissions() {
    let yaml = "apiVersion: v1
kind: ServiceAccount
metadata: {name: idle, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec-get}
rules: [{apiGroups: [''], resources: [pods/exec], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: shell, namespace: shop}
subjects: [{kind: ServiceAccount, name: shell}]
roleRef: {kind: ClusterRole, name: exec-get, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: god}
subjects: [{kind: ServiceAccount, name: god, namespace: ops}]
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
";
    let rows = |version: u32| {
        model(
            yaml,
            AccessOptions {
                version: KubeVersion::new(version),
                apply_namespace: None,
            },
            |a| {
                let m = a.matrix();
                assert!(m.permissions[0].dangerous);
                let exec = m.permissions.iter().position(|p| p.id == "exec").unwrap();
                m.rows
                    .iter()
                    .map(|r| (r.subject.text(), r.dangerous, r.cells[exec].text()))
                    .collect::<Vec<_>>()
            },
        )
    };
    let new = rows(37);
    assert_eq!(new[0].0, "ServiceAccount ops/god");
    assert!(new[0].1 >= 10, "{new:?}");
    assert_eq!(new[0].2, "cluster");
    let shell = new
        .iter()
        .find(|r| r.0 == "ServiceAccount shop/shell")
        .unwrap();
    assert_eq!((shell.1, shell.2.as_str()), (0, "-"));
    assert!(new
        .iter()
        .any(|r| r.0 == "ServiceAccount shop/idle" && r.1 == 0));
    let old = rows(34);
    let shell = old
        .iter()
        .find(|r| r.0 == "ServiceAccount shop/shell")
        .unwrap();
    assert_eq!((shell.1, shell.2.as_str()), (1, "shop"));
}

/// Objects without metadata.namespace land where the manifests are applied: with that
/// namespace given, their RoleBindings grant there; without it, the answer says so.
#[test]
fn unnamespaced_bindings_need_the_apply_namespace() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: v}
subjects: [{kind: ServiceAccount, name: app}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
";
    let app = User::service_account("team", "app");
    with(yaml, |a| {
        let d = a.can(&app, "get", &res("", "pods"), Some("team"));
        assert!(!d.allowed);
        assert!(
            d.notes.iter().any(|n| n.contains("no metadata.namespace")),
            "{:?}",
            d.notes
        );
    });
    let options = AccessOptions {
        version: KubeVersion::LATEST,
        apply_namespace: Some("team".into()),
    };
    model(yaml, options, |a| {
        assert!(a.can(&app, "get", &res("", "pods"), Some("team")).allowed);
    });
}

#[test]
fn resources_resolve_to_their_preferred_group() {
    let yaml = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, names: {plural: widgets, kind: Widget}, scope: Cluster}
";
    with(yaml, |a| {
        assert_eq!(a.resolve_resource("deployments").unwrap().0, "apps");
        assert_eq!(a.resolve_resource("pods").unwrap().0, "");
        assert_eq!(
            a.resolve_resource("ingresses").unwrap().0,
            "networking.k8s.io"
        );
        assert_eq!(
            a.resolve_resource("deployments.extensions").unwrap().0,
            "extensions"
        );
        assert_eq!(a.resolve_resource("widgets").unwrap().0, "example.com");
        // Singular and short names, as kubectl's discovery resolves them.
        assert_eq!(
            a.resolve_resource("deploy").unwrap(),
            ("apps".into(), "deployments".into())
        );
        assert_eq!(
            a.resolve_resource("pod").unwrap(),
            ("".into(), "pods".into())
        );
        assert_eq!(
            a.resolve_resource("networkpolicy").unwrap(),
            ("networking.k8s.io".into(), "networkpolicies".into())
        );
        assert_eq!(a.resolve_resource("ingress").unwrap().1, "ingresses");
        assert_eq!(
            a.resolve_resource("deployment.apps").unwrap().1,
            "deployments"
        );
        assert_eq!(
            a.resolve_resource("gadgets.example.com").unwrap(),
            ("example.com".into(), "gadgets".into())
        );
        assert_eq!(a.namespaced("example.com", "widgets"), Some(false));
        assert!(a.resolve_resource("gadgets").is_err());
    });
}

/// The controller roles of the bootstrap policy (k8s.io/kubernetes
/// `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go`, golden output
/// `testdata/controller-roles.yaml`) are built in like the others:
/// `system:controller:generic-garbage-collector` has `delete, get, list, patch, update, watch`
/// on `*` of every group (so it reads Secrets) but not `create`; `namespace-controller` has
/// `deletecollection` on `*`, which the garbage collector lacks.
#[test]
fn the_controller_roles_are_built_in() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: gc}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: 'system:controller:generic-garbage-collector'}
subjects:
- {kind: ServiceAccount, name: gc, namespace: tools}
";
    with(yaml, |a| {
        let sa = user("system:serviceaccount:tools:gc");
        let d = a.can(&sa, "get", &res("", "secrets"), Some("shop"));
        assert!(d.allowed, "{d:?}");
        assert_eq!(
            d.grants[0].rule_at.origin,
            Origin::BuiltIn("policies/data/bootstrap-controller-roles.yaml")
        );
        assert_eq!(
            d.grants[0].role,
            "ClusterRole system:controller:generic-garbage-collector"
        );
        assert!(
            a.can(&sa, "delete", &res("apps", "deployments"), None)
                .allowed
        );
        assert!(!a.can(&sa, "create", &res("", "pods"), Some("shop")).allowed);
        assert!(
            !a.can(&sa, "deletecollection", &res("", "pods"), Some("shop"))
                .allowed
        );
    });
}

/// The namespaced part of the bootstrap policy (k8s.io/kubernetes
/// `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/namespace_policy.go`, golden output
/// `testdata/namespace-roles.yaml` and `namespace-role-bindings.yaml`) is built in:
/// the Role `system:controller:token-cleaner` of kube-system has `delete, get, list, watch` on
/// Secrets and its RoleBinding gives it to the ServiceAccount kube-system/token-cleaner, in
/// kube-system only (a Role grants in its own namespace, RBAC docs "Role and ClusterRole").
/// `system:controller:bootstrap-signer` has a Role in kube-public too: `update` on the
/// ConfigMap `cluster-info` only. A bundle Role of the same namespace and name replaces the
/// built-in one ("a bundle object of the same identity replaces its built-in namesake").
#[test]
fn the_namespaced_bootstrap_roles_and_bindings_are_built_in() {
    let sa = user("system:serviceaccount:kube-system:token-cleaner");
    with("", |a| {
        let d = a.can(&sa, "delete", &res("", "secrets"), Some("kube-system"));
        assert!(d.allowed, "{d:?}");
        let g = &d.grants[0];
        assert_eq!(g.role, "Role kube-system/system:controller:token-cleaner");
        assert_eq!(
            g.rule_at.origin,
            Origin::BuiltIn("policies/data/bootstrap-namespace-roles.yaml")
        );
        assert_eq!(
            g.binding,
            "RoleBinding kube-system/system:controller:token-cleaner"
        );
        assert_eq!(
            g.binding_at.origin,
            Origin::BuiltIn("policies/data/bootstrap-namespace-role-bindings.yaml")
        );
        assert!(
            !a.can(&sa, "delete", &res("", "secrets"), Some("shop"))
                .allowed
        );
        assert!(
            !a.can(&sa, "create", &res("", "secrets"), Some("kube-system"))
                .allowed
        );
        let signer = user("system:serviceaccount:kube-system:bootstrap-signer");
        let cluster_info = named("", "configmaps", "", "cluster-info");
        assert!(
            a.can(&signer, "update", &cluster_info, Some("kube-public"))
                .allowed
        );
        let other = named("", "configmaps", "", "other");
        assert!(
            !a.can(&signer, "update", &other, Some("kube-public"))
                .allowed
        );
        assert!(
            a.can(&signer, "list", &res("", "secrets"), Some("kube-system"))
                .allowed
        );
        assert!(
            !a.can(&signer, "list", &res("", "secrets"), Some("kube-public"))
                .allowed
        );
        // The users of the controller manager and the scheduler read the authentication
        // ConfigMap through system::extension-apiserver-authentication-reader.
        let auth = named("", "configmaps", "", "extension-apiserver-authentication");
        for u in ["system:kube-controller-manager", "system:kube-scheduler"] {
            assert!(
                a.can(&user(u), "get", &auth, Some("kube-system")).allowed,
                "{u}"
            );
        }
    });
    let narrowed = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: 'system:controller:token-cleaner', namespace: kube-system}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
";
    with(narrowed, |a| {
        assert!(
            !a.can(&sa, "delete", &res("", "secrets"), Some("kube-system"))
                .allowed
        );
        let d = a.can(&sa, "get", &res("", "secrets"), Some("kube-system"));
        assert!(d.allowed, "{d:?}");
        assert_eq!(d.grants[0].rule_at.origin, Origin::Bundle(0));
    });
}

/// The controllers' ClusterRoleBindings (`controller_policy.go`, golden output
/// `testdata/controller-role-bindings.yaml`) are built in: each `system:controller:*`
/// ClusterRole is bound to the ServiceAccount of its controller in kube-system, so who can
/// list Secrets in kube-system includes the garbage collector, the namespace controller and
/// the resource-quota controller (their roles have `list` on `*`), the token cleaner and the
/// bootstrap signer (their Roles of kube-system); the deployment controller does not.
#[test]
fn the_controller_role_bindings_are_built_in() {
    with("", |a| {
        let who = a.who_can("list", &res("", "secrets"), Some("kube-system"));
        let names: Vec<String> = who.iter().map(|h| h.subject.text()).collect();
        for sa in [
            "generic-garbage-collector",
            "namespace-controller",
            "resourcequota-controller",
            "token-cleaner",
            "bootstrap-signer",
        ] {
            let name = format!("ServiceAccount kube-system/{sa}");
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        assert!(
            !names.contains(&"ServiceAccount kube-system/deployment-controller".to_string()),
            "{names:?}"
        );
        let gc = who
            .iter()
            .find(|h| h.subject.name == "generic-garbage-collector")
            .unwrap();
        assert_eq!(
            gc.grants[0].binding,
            "ClusterRoleBinding system:controller:generic-garbage-collector"
        );
        assert_eq!(
            gc.grants[0].subject_at.origin,
            Origin::BuiltIn("policies/data/bootstrap-controller-role-bindings.yaml")
        );
        // Cluster-wide: the garbage collector reads Secrets in every namespace, the token
        // cleaner only in kube-system.
        let everywhere = a.who_can("list", &res("", "secrets"), None);
        assert!(everywhere
            .iter()
            .any(|h| h.subject.name == "generic-garbage-collector"));
        assert!(!everywhere.iter().any(|h| h.subject.name == "token-cleaner"));
        let dc = user("system:serviceaccount:kube-system:deployment-controller");
        assert!(
            a.can(&dc, "create", &res("apps", "replicasets"), Some("shop"))
                .allowed
        );
        let elsewhere = user("system:serviceaccount:tools:deployment-controller");
        assert!(
            !a.can(
                &elsewhere,
                "create",
                &res("apps", "replicasets"),
                Some("shop")
            )
            .allowed
        );
    });
}

/// RBAC docs, "Referring to resources": resourceNames restricts a request to the named
/// objects, and "you cannot restrict create or deletecollection requests by their resource
/// name". `create` on `pods/exec` names the pod in its URL
/// (`/api/v1/namespaces/NS/pods/NAME/exec`), so a rule limited to `db-0` grants exec into
/// `db-0` only: the matrix shows it, marked as limited to names. `create pods` with
/// resourceNames grants nothing, so no workload-creation cell.
#[test]
fn the_matrix_shows_grants_limited_to_names() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: db-debug, namespace: shop}
rules:
- {apiGroups: [''], resources: [pods/exec], resourceNames: [db-0, db-1], verbs: [create]}
- {apiGroups: [''], resources: [pods], resourceNames: [db-0], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: oncall, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: db-debug}
subjects:
- {kind: User, name: alice}
";
    with(yaml, |a| {
        let m = a.matrix();
        let col = |id: &str| m.permissions.iter().position(|p| p.id == id).unwrap();
        let row = m.rows.iter().find(|r| r.subject.name == "alice").unwrap();
        let exec = &row.cells[col("exec")];
        assert!(exec.granted() && exec.limited_to_names(), "{exec:?}");
        assert_eq!(exec.names, ["db-0", "db-1"]);
        assert_eq!(exec.namespaces, ["shop"]);
        assert_eq!(exec.text(), "shop (only db-0, db-1)");
        assert_eq!(exec.grants[0].rule_index, 0);
        assert!(!row.cells[col("create-workloads")].granted());
        assert_eq!(row.dangerous, 1);
    });
}

/// A RoleBinding to a ClusterRole that may patch namespaces grants it for the binding's own
/// namespace object, as `can-i patch namespaces/ops` says: the request
/// `/api/v1/namespaces/ops` is in namespace `ops` (k8s.io/apiserver
/// pkg/endpoints/request/requestinfo.go), so the authorizer consults `ops`' RoleBindings. The
/// matrix showed it as not granted.
#[test]
fn the_matrix_counts_a_role_binding_s_own_namespace_object() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-stuff}
rules:
- {apiGroups: [''], resources: [nodes, namespaces], verbs: [get, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: erin-cluster-stuff, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-stuff}
subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]
";
    with(yaml, |a| {
        assert!(
            a.can(
                &user("erin"),
                "patch",
                &named("", "namespaces", "", "ops"),
                None
            )
            .allowed
        );
        let m = a.matrix();
        let col = |id: &str| m.permissions.iter().position(|p| p.id == id).unwrap();
        let row = m.rows.iter().find(|r| r.subject.name == "erin").unwrap();
        let cell = &row.cells[col("patch-namespaces")];
        assert!(cell.granted(), "{cell:?}");
        assert_eq!(cell.namespaces, ["ops"]);
        assert_eq!(
            row.dangerous, 1,
            "nodes are not granted through a RoleBinding"
        );
    });
}

/// pkg/apis/rbac/validation/validation.go `ValidateRoleBindingSubject`: a ServiceAccount
/// subject of a ClusterRoleBinding (`isNamespaced` false) without a namespace is a
/// `Required` error on `subjects[i].namespace`, so the API server rejects the whole
/// ClusterRoleBinding: it grants nothing, to that subject or to any other it names. The
/// answers say so, naming the binding and the subject (they said nothing, and granted the
/// binding's other subjects).
#[test]
fn a_cluster_role_binding_naming_a_service_account_without_namespace_is_rejected() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: broken}
subjects:
- {kind: ServiceAccount, name: web}
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let said = |notes: &[String]| {
            notes.iter().any(|n| {
                n.contains("ClusterRoleBinding broken names ServiceAccount web without a namespace")
                    && n.contains("ValidateRoleBindingSubject")
                    && n.contains("grants nothing")
            })
        };
        let secrets = res("", "secrets");
        let web = User::service_account("shop", "web");
        let d = a.can(&web, "delete", &secrets, Some("shop"));
        assert!(!d.allowed);
        assert!(said(&d.notes), "{:?}", d.notes);
        let d = a.can(&user("alice"), "delete", &secrets, Some("shop"));
        assert!(
            !d.allowed,
            "the rejected binding grants its other subjects nothing"
        );
        assert!(said(&d.notes), "{:?}", d.notes);
        assert!(!said(&a.can(&user("bob"), "delete", &secrets, None).notes));
        let (lines, notes) = a.list(&web, Some("shop"));
        assert!(lines.iter().all(|l| l
            .grants
            .iter()
            .all(|g| g.binding != "ClusterRoleBinding broken")));
        assert!(said(&notes), "{notes:?}");
        let (who, notes) = a.who_can_noted("delete", &secrets, Some("shop"));
        assert!(
            who.iter()
                .all(|h| h.subject.name != "alice" && h.subject.name != "web"),
            "{:?}",
            who.iter().map(|h| h.subject.text()).collect::<Vec<_>>()
        );
        assert!(said(&notes), "{notes:?}");
        let m = a.matrix();
        assert!(said(&m.notes), "{:?}", m.notes);
        assert!(m.rows.iter().all(|r| r.subject.name != "alice"));
    });
}

/// Repeated keys on the paths the model reads: Go's encoding/json and sigs.k8s.io/yaml keep
/// the last key of an object, and the API server "will only persist the last of any
/// duplicate fields" under fieldValidation Warn (the default since v1.23) and Ignore, while
/// Strict rejects the request (k8s.io/apimachinery pkg/apis/meta/v1/types.go,
/// CreateOptions.FieldValidation; kubernetes/kubernetes#99286). The model reads the last
/// value, as before, and now says so with the object, the key and both places.
#[test]
fn repeated_rbac_keys_are_read_as_the_last_value_and_said() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop, annotations: {a: '1', a: '2'}}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
rules:
- {apiGroups: [''], resources: [pods], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
subjects: [{kind: User, name: ann}]
roleRef: {kind: Role, name: reader, name: reader, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let rules = |notes: &[String]| {
            notes.iter().any(|n| {
                n.contains("Role shop/reader repeats the key \"rules\" (/rules) at bundle.yaml:6:1 (first at bundle.yaml:4:1)")
                    && n.contains("reads the last value")
                    && n.contains("Strict")
            })
        };
        let role_ref = |notes: &[String]| {
            notes.iter().any(|n| {
                n.contains("RoleBinding shop/reader repeats the key \"name\" (/roleRef/name) at bundle.yaml:13:")
            })
        };
        let d = a.can(&user("ann"), "get", &res("", "pods"), Some("shop"));
        assert!(d.allowed, "the last rules are in effect");
        assert!(rules(&d.notes) && role_ref(&d.notes), "{:?}", d.notes);
        assert!(
            !d.notes.iter().any(|n| n.contains("\"a\"")),
            "annotations are not read: {:?}",
            d.notes
        );
        let d = a.can(&user("ann"), "get", &res("", "secrets"), Some("shop"));
        assert!(!d.allowed, "the first rules are overwritten");
        assert!(rules(&d.notes));
        assert!(rules(&a.list(&user("ann"), Some("shop")).1));
        assert!(rules(
            &a.who_can_noted("get", &res("", "pods"), Some("shop")).1
        ));
        assert!(rules(&a.matrix().notes));
    });
}

/// kubectl auth can-i puts `-n NS` into its SelfSubjectAccessReview even for a
/// cluster-scoped resource (it only warns "resource 'namespaces' is not namespace
/// scoped"), and the RBAC authorizer visits NS's RoleBindings for it
/// (plugin/pkg/auth/authorizer/rbac/rbac.go `Authorize`, VisitRulesFor(user, namespace)):
/// `review` answers yes where a RoleBinding of `ops` binds a ClusterRole that may patch
/// namespaces. A real request for a cluster-scoped object has no namespace, except the
/// namespace object NAME, a request in namespace NAME
/// (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): `can` keeps that.
#[test]
fn an_access_review_in_a_namespace_visits_its_role_bindings_for_cluster_scoped_resources() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-stuff}
rules:
- {apiGroups: [''], resources: [nodes, namespaces], verbs: [get, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: erin-cluster-stuff, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-stuff}
subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]
";
    with(yaml, |a| {
        let erin = user("erin");
        let namespaces = res("", "namespaces");
        let d = a.review(&erin, "patch", &namespaces, Some("ops"));
        assert!(d.allowed, "{d:?}");
        assert_eq!(d.grants[0].binding, "RoleBinding ops/erin-cluster-stuff");
        let note = d
            .notes
            .iter()
            .find(|n| n.contains("VisitRulesFor"))
            .unwrap();
        assert!(note.contains("requestinfo.go"), "{note}");
        assert!(
            note.contains(
                "RoleBinding ops/erin-cluster-stuff takes effect only for namespaces/ops"
            ),
            "{note}"
        );
        assert!(
            note.contains("the real request (patch namespaces) is denied"),
            "{note}"
        );
        assert!(
            !a.review(&erin, "patch", &namespaces, Some("default"))
                .allowed
        );
        assert!(!a.review(&erin, "patch", &namespaces, None).allowed);
        // The real requests.
        assert!(!a.can(&erin, "patch", &namespaces, Some("ops")).allowed);
        assert!(
            a.can(&erin, "patch", &named("", "namespaces", "", "ops"), None)
                .allowed
        );
        let d = a.review(&erin, "get", &res("", "nodes"), Some("ops"));
        assert!(d.allowed);
        assert!(
            d.notes
                .iter()
                .any(|n| n
                    .contains("RoleBinding ops/erin-cluster-stuff grants no real request for it")),
            "{:?}",
            d.notes
        );
        assert!(!a.can(&erin, "get", &res("", "nodes"), Some("ops")).allowed);
        // A namespaced resource: the review is the request.
        assert!(a
            .review(&erin, "get", &res("", "pods"), Some("ops"))
            .notes
            .is_empty());
    });
}

/// RBAC docs, "RoleBinding and ClusterRoleBinding" and
/// pkg/registry/rbac/validation/rule.go `GetRoleReferenceRules`: a binding to a role that
/// does not exist grants nothing until the role is created. The matrix says so for the
/// subject's row and in its notes (it showed just "nothing"), as can-i does.
#[test]
fn the_matrix_says_when_a_binding_references_a_role_that_exists_nowhere() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: a}
subjects: [{kind: User, name: ann}]
roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let m = a.matrix();
        let row = m.rows.iter().find(|r| r.subject.name == "ann").unwrap();
        assert!(row.cells.iter().all(|c| !c.granted()));
        let wanted = "RoleBinding a/reader names ann but references Role reader, which is neither in the bundle nor built in: it grants nothing until that role exists";
        assert_eq!(row.notes, [wanted]);
        assert!(m.notes.iter().any(|n| n == wanted), "{:?}", m.notes);
    });
}

/// The matrix's escalation columns count exactly the requests of the `check` rules they
/// stand for, so `access` and `check` agree: `create-workloads` is rbac-workload-create
/// (policies/rbac-workload-create.yaml: creating pods, creating or updating a pod
/// controller, whose pod template runs any pod — RBAC good practices, "Workload
/// creation"), `exec` is rbac-pod-exec (policies/rbac-pod-exec.yaml: `create` on
/// pods/exec, pods/attach, pods/portforward, `update`/`patch` on pods/ephemeralcontainers,
/// and before v1.35 `get` on pods/exec and pods/attach, kubernetes/kubernetes#78741). Each
/// one-rule Role below is flagged by `check` and granted in the matrix's column.
#[test]
fn the_matrix_escalation_columns_agree_with_check() {
    use kubeharden::{Engine, Options};
    let cases: &[(&str, &str, &str, &str, u32)] = &[
        ("create", "", "pods", "create-workloads", 37),
        ("patch", "apps", "deployments", "create-workloads", 37),
        ("update", "apps", "deployments", "create-workloads", 37),
        ("patch", "apps", "daemonsets", "create-workloads", 37),
        ("update", "apps", "statefulsets", "create-workloads", 37),
        ("patch", "apps", "replicasets", "create-workloads", 37),
        ("patch", "batch", "jobs", "create-workloads", 37),
        ("update", "batch", "cronjobs", "create-workloads", 37),
        (
            "patch",
            "",
            "replicationcontrollers",
            "create-workloads",
            37,
        ),
        ("create", "", "pods/exec", "exec", 37),
        ("create", "", "pods/attach", "exec", 37),
        ("create", "", "pods/portforward", "exec", 37),
        ("patch", "", "pods/ephemeralcontainers", "exec", 37),
        ("update", "", "pods/ephemeralcontainers", "exec", 37),
        ("get", "", "pods/exec", "exec", 34),
        ("get", "", "pods/attach", "exec", 34),
    ];
    for &(verb, group, resource, column, minor) in cases {
        let rule_id = if column == "exec" {
            "rbac-pod-exec"
        } else {
            "rbac-workload-create"
        };
        let yaml = format!(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: r, namespace: shop}}
rules:
- {{apiGroups: ['{group}'], resources: [{resource}], verbs: [{verb}]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: b, namespace: shop}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}}
subjects:
- {{kind: User, name: alice}}
"
        );
        let version = KubeVersion { minor, patch: None };
        let report = Engine::new(Options {
            version,
            ..Options::default()
        })
        .check(&[Source::new("bundle.yaml", yaml.as_str())]);
        assert!(
            report.findings.iter().any(|f| f.rule == rule_id),
            "check flags {verb} {resource} as {rule_id}"
        );
        let options = AccessOptions {
            version,
            ..AccessOptions::default()
        };
        model(&yaml, options, |a| {
            let m = a.matrix();
            let col = m.permissions.iter().position(|p| p.id == column).unwrap();
            let row = m.rows.iter().find(|r| r.subject.name == "alice").unwrap();
            assert!(
                row.cells[col].granted(),
                "{verb} {resource} at v1.{minor} is in the {column} column"
            );
        });
    }
    // From v1.35, `get pods/exec` is neither (kubernetes/kubernetes#134577).
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules:
- {apiGroups: [''], resources: [pods/exec, pods/attach], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects:
- {kind: User, name: alice}
";
    with(yaml, |a| {
        let m = a.matrix();
        let col = m.permissions.iter().position(|p| p.id == "exec").unwrap();
        let row = m.rows.iter().find(|r| r.subject.name == "alice").unwrap();
        assert!(!row.cells[col].granted());
    });
}

/// The read-pods column is any of `get`/`list` pods or `get` pods/log, so its title says
/// "or": `get pods/log` alone (RBAC docs, "Referring to resources": a subresource is its
/// own resource) reads logs, not pods.
#[test]
fn the_read_pods_title_is_true_of_each_of_its_requests() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules:
- {apiGroups: [''], resources: [pods/log], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects:
- {kind: User, name: alice}
";
    with(yaml, |a| {
        let m = a.matrix();
        let col = m
            .permissions
            .iter()
            .position(|p| p.id == "read-pods")
            .unwrap();
        assert_eq!(m.permissions[col].title, "read pods or their logs");
        let row = m.rows.iter().find(|r| r.subject.name == "alice").unwrap();
        assert!(row.cells[col].granted());
    });
}

/// A ClusterRoleBinding may reference only a ClusterRole: the API server rejects one whose
/// roleRef is kind Role (pkg/apis/rbac/validation/validation.go ValidateClusterRoleBinding,
/// `field.NotSupported(roleRef.kind, …, ["ClusterRole"])`), so it grants nothing, and
/// `can`, `who_can_noted` and the matrix say so rather than dropping it silently.
#[test]
fn a_cluster_role_binding_to_a_role_is_rejected_and_said() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: lonely, namespace: x}
rules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb-to-role}
subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: Role, name: lonely, apiGroup: rbac.authorization.k8s.io}
";
    let said = |notes: &[String]| {
        notes.iter().any(|n| {
            n.contains("ClusterRoleBinding crb-to-role")
                && n.contains("roleRef.kind: Unsupported value: \"Role\"")
                && n.contains("ValidateClusterRoleBinding")
        })
    };
    with(yaml, |a| {
        let d = a.can(&user("erin"), "get", &res("", "secrets"), Some("x"));
        assert!(!d.allowed);
        assert!(said(&d.notes), "{:?}", d.notes);
        let (holders, notes) = a.who_can_noted("get", &res("", "secrets"), Some("x"));
        assert!(!holders.iter().any(|h| h.subject.name == "erin"));
        assert!(said(&notes), "{notes:?}");
        let m = a.matrix();
        let row = m.rows.iter().find(|r| r.subject.name == "erin").unwrap();
        assert!(said(&row.notes), "{:?}", row.notes);
        assert!(said(&m.notes));
    });
}

/// A Role or ClusterRole that no binding references grants nothing (RBAC docs, "Role and
/// ClusterRole": a role only defines permissions; "RoleBinding and ClusterRoleBinding": a
/// binding grants them), so the matrix names it as unbound, even beside other rows; a
/// ClusterRole an aggregated ClusterRole gathers ("Aggregated ClusterRoles") is not unbound;
/// a Role that only a rejected ClusterRoleBinding names is (that binding never exists).
#[test]
fn the_matrix_names_the_roles_nothing_binds() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: lonely, namespace: x}
rules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: extra-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: 'true'}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: used}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: used, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb-to-role}
subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: Role, name: lonely, apiGroup: rbac.authorization.k8s.io}
";
    with(yaml, |a| {
        let m = a.matrix();
        assert!(m.rows.iter().any(|r| r.subject.name == "alice"));
        let unbound: Vec<&str> = m.unbound_roles.iter().map(|u| u.role.as_str()).collect();
        assert_eq!(unbound, ["Role x/lonely"]);
    });
}

/// RBAC docs, "Referring to resources": "You cannot restrict create or deletecollection
/// requests by their resource name … If you restrict list or watch by resourceName,
/// clients must include a metadata.name field selector". The access review kubectl sends
/// for `create pods/web` carries the name and is allowed by a rule with `resourceNames:
/// [web]`, so the answer is yes, with a note that a real create carries no name; a grant
/// not limited to names, or one for a subresource of the named pod (exec carries the name
/// in its URL), has no such note.
#[test]
fn a_grant_limited_to_names_says_what_it_cannot_restrict() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: shop}
rules:
- {apiGroups: [''], resources: [pods, pods/exec], resourceNames: [web], verbs: [create, list, get]}
- {apiGroups: [''], resources: [configmaps], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
- {kind: User, name: alice}
";
    with(yaml, |a| {
        let alice = user("alice");
        let ask = |verb: &str, t: Target| a.review(&alice, verb, &t, Some("shop"));
        let noted = |d: &kubeharden::access::rbac::Decision| {
            d.notes
                .iter()
                .any(|n| n.starts_with("every grant is limited to resourceNames"))
        };
        let d = ask("create", named("", "pods", "", "web"));
        assert!(d.allowed);
        assert!(noted(&d), "{:?}", d.notes);
        assert!(d
            .notes
            .iter()
            .any(|n| n.contains("a real create request carries no name")));
        let d = ask("list", named("", "pods", "", "web"));
        assert!(d.allowed && noted(&d), "{:?}", d.notes);
        assert!(d.notes.iter().any(|n| n.contains("metadata.name=web")));
        let d = ask("get", named("", "pods", "", "web"));
        assert!(d.allowed && !noted(&d), "{:?}", d.notes);
        let d = ask("create", named("", "pods", "exec", "web"));
        assert!(d.allowed && !noted(&d), "{:?}", d.notes);
        let d = ask("create", named("", "configmaps", "", "x"));
        assert!(d.allowed && !noted(&d), "{:?}", d.notes);
    });
}

/// `can-i --list -n dev` lists the namespace object `dev` when a RoleBinding of `dev`
/// grants namespaces: `/api/v1/namespaces/dev` is a request in namespace `dev`
/// (k8s.io/apiserver pkg/endpoints/request/requestinfo.go), so `can` says yes for
/// `get namespaces/dev`, and the list agrees (as `namespaces [dev] [get]`); other
/// namespaces' objects and the collection stay out.
#[test]
fn the_list_has_a_role_binding_s_own_namespace_object() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-reader}
subjects:
- {kind: Group, name: devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ns-reader}
rules:
- {apiGroups: [''], resources: [namespaces], verbs: [get]}
";
    with(yaml, |a| {
        let u = User::impersonate("x", &["devs".to_string()]);
        assert!(
            a.can(&u, "get", &named("", "namespaces", "", "dev"), Some("dev"))
                .allowed
        );
        let (lines, _) = a.list(&u, Some("dev"));
        let ns: Vec<_> = lines
            .iter()
            .filter(|l| l.resource == "namespaces")
            .map(|l| (l.resource_names.clone(), l.verbs.clone()))
            .collect();
        assert_eq!(ns, [(vec!["dev".to_string()], vec!["get".to_string()])]);
    });
}
