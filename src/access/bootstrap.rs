//! The API server's RBAC bootstrap policy as data: the ClusterRoles (`cluster-admin`,
//! `admin`, `edit`, `view`, the `system:` roles and the controllers' `system:controller:`
//! roles), the ClusterRoleBindings (also those of each controller's role to its
//! ServiceAccount in kube-system) and the Roles and RoleBindings of kube-system and
//! kube-public it creates at start (k8s.io/kubernetes
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`, `controller_policy.go` and
//! `namespace_policy.go`, whose golden output `testdata/cluster-roles.yaml`,
//! `controller-roles.yaml`, `cluster-role-bindings.yaml`, `controller-role-bindings.yaml`,
//! `namespace-roles.yaml` and `namespace-role-bindings.yaml` the files under
//! `policies/data/` copy; each file's header names the commit).
//!
//! The data is chosen per Kubernetes version ([`Bootstrap::new`]) from [`DATASETS`]: each
//! dataset applies from its `since` version to the next dataset's. One dataset is stored
//! today (the v1.27+ policy); older targets get it too, and [`Bootstrap::note`] says so.

use std::sync::OnceLock;

use crate::catalogue::data;
use crate::version::KubeVersion;
use crate::yaml::{parse_stream, Limits, Stream};

/// Path of the built-in ClusterRoles (as [`super::Origin::BuiltIn`] names them).
pub const ROLES_PATH: &str = "policies/data/bootstrap-cluster-roles.yaml";
/// Path of the built-in ClusterRoles of the controller manager's controllers
/// (`system:controller:*`, `testdata/controller-roles.yaml`).
pub const CONTROLLER_ROLES_PATH: &str = "policies/data/bootstrap-controller-roles.yaml";
/// Path of the built-in ClusterRoleBindings.
pub const BINDINGS_PATH: &str = "policies/data/bootstrap-cluster-role-bindings.yaml";
/// Path of the built-in ClusterRoleBindings of the controllers' roles to their
/// ServiceAccounts in kube-system (`testdata/controller-role-bindings.yaml`).
pub const CONTROLLER_BINDINGS_PATH: &str = "policies/data/bootstrap-controller-role-bindings.yaml";
/// Path of the built-in Roles of kube-system and kube-public (`testdata/namespace-roles.yaml`).
pub const NAMESPACE_ROLES_PATH: &str = "policies/data/bootstrap-namespace-roles.yaml";
/// Path of the built-in RoleBindings of kube-system and kube-public
/// (`testdata/namespace-role-bindings.yaml`).
pub const NAMESPACE_BINDINGS_PATH: &str = "policies/data/bootstrap-namespace-role-bindings.yaml";

/// One version's bootstrap policy: (first version it describes, roles text, bindings text).
pub struct Dataset {
    pub since: KubeVersion,
    pub roles: &'static str,
    /// The `system:controller:*` ClusterRoles.
    pub controller_roles: &'static str,
    pub bindings: &'static str,
    /// The ClusterRoleBindings of the `system:controller:*` roles.
    pub controller_bindings: &'static str,
    /// The Roles of kube-system and kube-public.
    pub namespace_roles: &'static str,
    /// The RoleBindings of kube-system and kube-public.
    pub namespace_bindings: &'static str,
}

/// The stored datasets, oldest first. Embedded by build.rs: without the `rule-docs`
/// feature (the playground's WebAssembly) their comment lines at column 0 are left out, so
/// a built-in place's line there is not the file's (the playground shows none).
pub const DATASETS: &[Dataset] = &[Dataset {
    since: KubeVersion::new(27),
    roles: data::BOOTSTRAP_ROLES,
    controller_roles: data::BOOTSTRAP_CONTROLLER_ROLES,
    bindings: data::BOOTSTRAP_BINDINGS,
    controller_bindings: data::BOOTSTRAP_CONTROLLER_BINDINGS,
    namespace_roles: data::BOOTSTRAP_NAMESPACE_ROLES,
    namespace_bindings: data::BOOTSTRAP_NAMESPACE_BINDINGS,
}];

/// The text of a built-in data file by its path (the newest dataset's), for locating
/// places in it.
pub fn text(path: &str) -> Option<&'static str> {
    let d = DATASETS.last()?;
    match path {
        ROLES_PATH => Some(d.roles),
        CONTROLLER_ROLES_PATH => Some(d.controller_roles),
        BINDINGS_PATH => Some(d.bindings),
        CONTROLLER_BINDINGS_PATH => Some(d.controller_bindings),
        NAMESPACE_ROLES_PATH => Some(d.namespace_roles),
        NAMESPACE_BINDINGS_PATH => Some(d.namespace_bindings),
        _ => None,
    }
}

/// The parsed bootstrap policy for one Kubernetes version.
pub struct Bootstrap {
    pub version: KubeVersion,
    pub dataset: &'static Dataset,
    pub roles: Stream<'static>,
    pub controller_roles: Stream<'static>,
    pub bindings: Stream<'static>,
    pub controller_bindings: Stream<'static>,
    pub namespace_roles: Stream<'static>,
    pub namespace_bindings: Stream<'static>,
}

impl Bootstrap {
    /// The policy of `version`: the newest dataset whose `since` is not after it, else the
    /// oldest one.
    pub fn new(version: KubeVersion) -> Self {
        let dataset = DATASETS
            .iter()
            .rev()
            .find(|d| d.since <= version)
            .unwrap_or(&DATASETS[0]);
        let limits = Limits::default();
        Bootstrap {
            version,
            dataset,
            roles: parse_stream(dataset.roles, &limits),
            controller_roles: parse_stream(dataset.controller_roles, &limits),
            bindings: parse_stream(dataset.bindings, &limits),
            controller_bindings: parse_stream(dataset.controller_bindings, &limits),
            namespace_roles: parse_stream(dataset.namespace_roles, &limits),
            namespace_bindings: parse_stream(dataset.namespace_bindings, &limits),
        }
    }

    /// The policy of `version`, parsed once per dataset and kept for the life of the
    /// program (the checker's RBAC rules read it on every run). Its `version` is the
    /// dataset's `since`: use [`Bootstrap::note_for`] for the target's note.
    pub fn shared(version: KubeVersion) -> &'static Bootstrap {
        static PARSED: OnceLock<Vec<Bootstrap>> = OnceLock::new();
        let all = PARSED.get_or_init(|| DATASETS.iter().map(|d| Bootstrap::new(d.since)).collect());
        let i = DATASETS
            .iter()
            .rposition(|d| d.since <= version)
            .unwrap_or(0);
        &all[i]
    }

    /// What to tell a user about the data used: `None` when it describes their version.
    pub fn note(&self) -> Option<String> {
        self.note_for(self.version)
    }

    /// What to tell a user whose target is `version` about this data: `None` when it
    /// describes that version.
    pub fn note_for(&self, version: KubeVersion) -> Option<String> {
        (version < self.dataset.since).then(|| {
            format!(
                "the built-in roles are the bootstrap policy of {} and later; {} may differ",
                self.dataset.since, version
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_parses_without_errors() {
        let b = Bootstrap::new(KubeVersion::LATEST);
        assert!(b.roles.errors.is_empty(), "{:?}", b.roles.errors);
        assert!(
            b.controller_roles.errors.is_empty(),
            "{:?}",
            b.controller_roles.errors
        );
        assert!(b.bindings.errors.is_empty(), "{:?}", b.bindings.errors);
        for s in [
            &b.controller_bindings,
            &b.namespace_roles,
            &b.namespace_bindings,
        ] {
            assert!(s.errors.is_empty(), "{:?}", s.errors);
            assert!(!s.documents.is_empty());
        }
        for path in [
            CONTROLLER_BINDINGS_PATH,
            NAMESPACE_ROLES_PATH,
            NAMESPACE_BINDINGS_PATH,
        ] {
            assert!(text(path).is_some(), "{path}");
        }
        assert!(b.note().is_none());
        assert!(Bootstrap::new(KubeVersion::new(20)).note().is_some());
        assert!(text(ROLES_PATH).is_some() && text("other").is_none());
        let shared = Bootstrap::shared(KubeVersion::new(20));
        assert!(std::ptr::eq(shared, Bootstrap::shared(KubeVersion::LATEST)));
        assert!(shared.note_for(KubeVersion::new(20)).is_some());
    }
}
