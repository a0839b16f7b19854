//! Deprecated and removed API versions (rules `removed-api` and `deprecated-api`, template
//! `api-lifecycle`), from the table in `policies/data/api-versions.yaml`, and the fixes that
//! migrate an object to the replacement version.
//!
//! Source of the dates: the API server's prerelease-lifecycle data (the
//! `+k8s:prerelease-lifecycle-gen` tags of k8s.io/api types; the API server stops serving a
//! type from its removed release, k8s.io/apiserver/pkg/server/deleted_kinds.go). Source of
//! the field changes: the Deprecated API Migration Guide,
//! <https://kubernetes.io/docs/reference/using-api/deprecation-guide/>.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::{
    Check, DocCx, FieldError, Hit, Loc, NewValue, Op, ParamSpec, Template, TemplateParams,
};
use crate::model::Object;
use crate::version::KubeVersion;
use crate::yaml::{parse_stream, Document, Limits, NodeId, Value};

pub static TEMPLATES: &[Template] = &[
    Template {
        name: "api-lifecycle",
        summary: "an object's apiVersion must be served by the target Kubernetes version (`stage`: removed or deprecated), from the table policies/data/api-versions.yaml",
        check: Check::Document(run),
        params: ParamSpec::of::<ApiLifecycleParams>("ApiLifecycleParams"),
        validity: false,
    },
    Template {
        name: "rbac-moved-resource",
        summary: "Role and ClusterRole rules should name the API group that serves a resource at the target version, not the group it moved from (from policies/data/api-versions.yaml)",
        check: Check::Document(run_rbac),
        params: ParamSpec::of::<RbacMovedParams>("RbacMovedParams"),
        validity: false,
    },
];

fn run_rbac(cx: &DocCx<'_, '_>, out: &mut Vec<Hit>) {
    rbac_moved(cx, cx.rule.typed_params.get::<RbacMovedParams>(), out);
}

fn run(cx: &DocCx<'_, '_>, out: &mut Vec<Hit>) {
    check(cx, cx.rule.typed_params.get::<ApiLifecycleParams>(), out);
}

/// The table file, compiled in.
const TABLE_FILE: &str = crate::catalogue::data::API_VERSIONS;

/// Which findings a rule of the template gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The version is no longer served at the target (`removed` ≤ target).
    Removed,
    /// The version is deprecated and still served at the target.
    Deprecated,
}

/// Parameters of `api-lifecycle`: `{stage: removed | deprecated}`. Loading them also loads
/// and validates the table, so a mistake in it is a catalogue error at load.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiLifecycleParams {
    pub stage: Stage,
}

impl TemplateParams for ApiLifecycleParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        api_table().map(|_| ()).map_err(|e| {
            FieldError::new(&["stage"], format!("policies/data/api-versions.yaml: {e}"))
        })
    }
}

/// What a fix to the replacement version does (`migration` in the table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Migration {
    /// Only `apiVersion` changes (the guide lists no field change): a safe fix, or an
    /// unsafe one where `changes` names a default that differs (batch/v2alpha1 CronJob
    /// keeps every finished Job; batch/v1 defaults the history limits to 3 and 1).
    ApiVersion,
    /// An apps/v1 workload: `spec.selector` becomes required (copied from the template
    /// labels), `spec.rollbackTo` and `spec.templateGeneration` go; defaults change: unsafe.
    Workload,
    /// networking.k8s.io/v1 Ingress: backends reshaped, `pathType` required: unsafe.
    Ingress,
    /// policy/v1 PodDisruptionBudget: safe, except where an empty selector must go.
    Pdb,
    /// rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding from v1alpha1: a
    /// subject's `apiVersion` is `apiGroup` in v1 (rbac/v1alpha1 and rbac/v1 types.go), so
    /// the apiVersion alone changes (safe) only where no subject sets it; else withheld
    /// with `changes`.
    RbacBinding,
    /// Fields change in ways the fixer does not make: the fix is withheld with `changes`.
    Manual,
    /// Nothing replaces the version: no fix.
    None,
}

/// Where an entry's data was read; see the header of the table file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiSource {
    Lifecycle,
    Guide,
    Pluto,
    CoreTypes,
    Reference,
}

/// One row of the table: an apiVersion of a kind and its lifecycle.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEntry {
    /// `group/version` (`v1` for the core group).
    pub api_version: String,
    pub kind: String,
    pub introduced: KubeVersion,
    /// `None`: removed without a deprecation (an alpha).
    pub deprecated: Option<KubeVersion>,
    /// The first version that no longer serves it; `None`: no removal planned.
    pub removed: Option<KubeVersion>,
    pub replacement: Option<String>,
    /// The replacement's kind when it differs (`v1 Endpoints` → `EndpointSlice`).
    #[serde(default)]
    pub replacement_kind: Option<String>,
    pub replacement_since: Option<KubeVersion>,
    pub migration: Migration,
    /// The field changes of the migration (the guide's "notable changes").
    #[serde(default)]
    pub changes: Option<String>,
    /// What to do where nothing replaces it, or why no removal is planned.
    #[serde(default)]
    pub removal_note: Option<String>,
    /// Required in the data; the playground's build leaves it out (build.rs: no message
    /// shows it).
    #[cfg_attr(not(feature = "rule-docs"), serde(default))]
    pub sources: Vec<ApiSource>,
    #[serde(default)]
    pub off_by_default: bool,
    #[serde(default)]
    pub provisional: bool,
    /// Where the sources disagree and which is right.
    #[serde(default)]
    pub note: Option<String>,
}

impl ApiEntry {
    /// "networking.k8s.io/v1 Ingress".
    pub fn replacement_text(&self) -> Option<String> {
        let r = self.replacement.as_ref()?;
        Some(format!(
            "{r} {}",
            self.replacement_kind.as_deref().unwrap_or(&self.kind)
        ))
    }
}

/// The table, with an index by (apiVersion, kind).
#[derive(Debug)]
pub struct ApiTable {
    pub apis: Vec<ApiEntry>,
    index: HashMap<(String, String), usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    apis: Vec<ApiEntry>,
}

impl ApiTable {
    /// Parse and validate a table file. Errors name the entry and field: deprecated after
    /// removed, a replacement served after the removal, no replacement and no removal
    /// note, a `(apiVersion, kind)` twice, a migration that needs a replacement without
    /// one, or entries out of order (by removal release, then apiVersion and kind; entries
    /// that are never removed last).
    pub fn parse(text: &str) -> Result<ApiTable, String> {
        let stream = parse_stream(text, &Limits::default());
        if let Some(e) = stream.errors.first() {
            return Err(format!("{e:?}"));
        }
        let doc = stream.documents.first().ok_or("empty table")?;
        let root = doc.root.ok_or("empty table")?;
        let file: TableFile = super::deserialize(&doc.to_json(root)).map_err(|e| e.to_string())?;
        let mut index = HashMap::new();
        let order = |e: &ApiEntry| {
            (
                e.removed.map_or(u32::MAX, |r| r.minor),
                e.api_version.clone(),
                e.kind.clone(),
            )
        };
        for (i, e) in file.apis.iter().enumerate() {
            let at = format!("apis[{i}] ({} {})", e.api_version, e.kind);
            if let (Some(d), Some(r)) = (e.deprecated, e.removed) {
                if d > r {
                    return Err(format!("{at}: deprecated {d} is after removed {r}"));
                }
            }
            if e.deprecated.is_some_and(|d| d < e.introduced) {
                return Err(format!("{at}: deprecated before it was introduced"));
            }
            if e.replacement.is_none() && e.removal_note.is_none() {
                return Err(format!("{at}: neither a replacement nor a removal_note"));
            }
            if e.replacement.is_some() != e.replacement_since.is_some() {
                return Err(format!(
                    "{at}: replacement and replacement_since go together"
                ));
            }
            if let (Some(s), Some(r)) = (e.replacement_since, e.removed) {
                if s > r {
                    return Err(format!(
                        "{at}: the replacement is served from {s}, after the removal in {r}"
                    ));
                }
            }
            if e.replacement.is_none() && e.migration != Migration::None {
                return Err(format!(
                    "{at}: migration {:?} needs a replacement",
                    e.migration
                ));
            }
            if e.migration == Migration::Manual && e.changes.is_none() {
                return Err(format!("{at}: a manual migration must say what changes"));
            }
            if cfg!(feature = "rule-docs") && e.sources.is_empty() {
                return Err(format!("{at}: no source"));
            }
            if i > 0 && order(&file.apis[i - 1]) >= order(e) {
                return Err(format!(
                    "{at}: out of order (entries go by removal release, then apiVersion and kind)"
                ));
            }
            if index
                .insert((e.api_version.clone(), e.kind.clone()), i)
                .is_some()
            {
                return Err(format!("{at}: listed twice"));
            }
        }
        Ok(ApiTable {
            apis: file.apis,
            index,
        })
    }

    /// The entry of an apiVersion and kind, if the table has one.
    pub fn get(&self, api_version: &str, kind: &str) -> Option<&ApiEntry> {
        self.index
            .get(&(api_version.to_string(), kind.to_string()))
            .map(|&i| &self.apis[i])
    }
}

/// The compiled-in table, parsed once. Errors: see [`ApiTable::parse`].
pub fn api_table() -> Result<&'static ApiTable, &'static str> {
    static TABLE: OnceLock<Result<ApiTable, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| ApiTable::parse(TABLE_FILE))
        .as_ref()
        .map_err(String::as_str)
}

/// Whether `entry` is reported at `stage` for `version`.
fn applies(entry: &ApiEntry, stage: Stage, version: KubeVersion) -> bool {
    let removed = entry.removed.is_some_and(|r| r <= version);
    match stage {
        Stage::Removed => removed,
        Stage::Deprecated => !removed && entry.deprecated.is_some_and(|d| d <= version),
    }
}

fn check(cx: &DocCx, params: &ApiLifecycleParams, out: &mut Vec<Hit>) {
    let Ok(table) = api_table() else {
        return; // refused when the catalogue loaded
    };
    for object in &cx.model.objects {
        let Some(api_version) = object.api_version else {
            continue;
        };
        let Some(entry) = table.get(api_version, object.kind) else {
            continue;
        };
        if !applies(entry, params.stage, cx.version) {
            continue;
        }
        out.push(hit(cx, table, object, entry, params.stage));
    }
}

/// The replacements of `entry` that are themselves removed at `target`, in order:
/// flowcontrol v1beta1 FlowSchema at v1.37 → [v1beta3] (removed in v1.32; its replacement,
/// v1, is served). Empty when `entry`'s replacement is served at `target` (or it has none).
/// [`ApiTable::parse`] refuses a replacement served after the removal, so a chain moves
/// forward in time; the walk stops after eight steps all the same.
fn removed_chain<'a>(
    table: &'a ApiTable,
    entry: &ApiEntry,
    target: KubeVersion,
) -> Vec<&'a ApiEntry> {
    let next = |e: &ApiEntry| {
        let kind = e.replacement_kind.as_deref().unwrap_or(&e.kind);
        table
            .get(e.replacement.as_deref()?, kind)
            .filter(|n| n.removed.is_some_and(|r| r <= target))
    };
    let mut chain: Vec<&ApiEntry> = Vec::new();
    while chain.len() < 8 {
        match next(chain.last().copied().unwrap_or(entry)) {
            Some(n) => chain.push(n),
            None => break,
        }
    }
    chain
}

/// The API server's own warning text: "extensions/v1beta1 Ingress is deprecated in
/// v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress"
/// (k8s.io/apiserver/pkg/endpoints/deprecation), with what the target does and what the
/// fix can do.
fn message(entry: &ApiEntry, chain: &[&ApiEntry], stage: Stage, target: KubeVersion) -> String {
    let mut m = format!("{} {} ", entry.api_version, entry.kind);
    match (entry.deprecated, entry.removed) {
        (Some(d), Some(r)) => m.push_str(&format!("is deprecated in {d}+, unavailable in {r}+")),
        (Some(d), None) => m.push_str(&format!("is deprecated in {d}+")),
        (None, Some(r)) => m.push_str(&format!("is unavailable in {r}+")),
        (None, None) => m.push_str("is not deprecated"),
    }
    if let Some(r) = entry.replacement_text() {
        m.push_str(&format!(
            "; use {r} (served since {})",
            entry.replacement_since.unwrap_or(target)
        ));
        if let (Some(first), Some(last)) = (chain.first(), chain.last()) {
            m.push_str(&format!(
                ", itself unavailable in {}+",
                first.removed.unwrap_or(target)
            ));
            if let Some(text) = last.replacement_text() {
                let since = last.replacement_since.unwrap_or(target);
                m.push_str(&format!(
                    "; at {target} that is {text} (served since {since})"
                ));
            }
        }
    }
    match stage {
        Stage::Removed => m.push_str(&format!(
            ": the API server at {target} rejects it (no matches for kind {} in version {})",
            entry.kind, entry.api_version
        )),
        Stage::Deprecated => match entry.removed {
            Some(r) => m.push_str(&format!(": still served at {target}, rejected from {r}")),
            None => m.push_str(&format!(": still served at {target}")),
        },
    }
    if let Some(note) = &entry.removal_note {
        m.push_str(&format!(". {note}"));
    }
    if let (Migration::ApiVersion, Some(changes)) = (entry.migration, &entry.changes) {
        m.push_str(&format!(". {}", changes.trim_end_matches('.')));
    }
    if entry.off_by_default {
        m.push_str(". This version is off by default: only clusters that enable it serve it");
    }
    if entry.provisional {
        m.push_str(" (dates from the v1.37 pre-release, which changed them from release-1.36; they may change again)");
    }
    m
}

fn hit(cx: &DocCx, table: &ApiTable, object: &Object, entry: &ApiEntry, stage: Stage) -> Hit {
    let doc = object.doc;
    let at = doc.get(object.root, "apiVersion");
    let chain = removed_chain(table, entry, cx.version);
    let hit = Hit::new(
        Loc::Node(at.unwrap_or(object.root)),
        message(entry, &chain, stage, cx.version),
    );
    if at.is_none() {
        return hit; // the apiVersion comes from the enclosing typed List: nothing to edit here
    }
    let Some(replacement) = &entry.replacement else {
        return hit;
    };
    let set_version = Op::set(
        object.root,
        &["apiVersion"],
        NewValue::Str(replacement.clone()),
    );
    if !chain.is_empty() {
        return beyond(cx, object, entry, &chain, hit, set_version);
    }
    if let Some(since) = entry.replacement_since.filter(|&s| s > cx.version) {
        return hit.with(set_version).withhold(Some(format!(
            "{replacement} is served from {since}, after the target {}; migrate when the cluster reaches {since}",
            cx.version
        )));
    }
    if let Some(kind) = &entry.replacement_kind {
        let changes = entry.changes.as_deref().unwrap_or_default();
        // The data's note may open with the same words: say them once.
        let changes = changes
            .strip_prefix("A different kind: ")
            .unwrap_or(changes);
        return hit.with(set_version).withhold(Some(format!(
            "the replacement is another kind, {kind}: {changes}"
        )));
    }
    match entry.migration {
        Migration::None => hit,
        Migration::ApiVersion if entry.changes.is_some() => hit.with(set_version).unsafe_fix(),
        Migration::ApiVersion => hit.with(set_version),
        Migration::Manual => manual(entry, hit, set_version),
        Migration::Workload => workload(doc, object.root, object.kind, hit.with(set_version)),
        Migration::Ingress => ingress(doc, object.root, hit.with(set_version)),
        Migration::Pdb => pdb(doc, object.root, hit.with(set_version)),
        Migration::RbacBinding => {
            let subjects = doc.get(object.root, "subjects").map(|s| doc.items(s));
            if subjects.is_some_and(|s| s.iter().any(|&i| doc.get(i, "apiVersion").is_some())) {
                manual(entry, hit, set_version)
            } else {
                hit.with(set_version)
            }
        }
    }
}

/// The fix withheld because the migration changes fields (`changes` says which).
fn manual(entry: &ApiEntry, hit: Hit, set_version: Op) -> Hit {
    let changes = entry.changes.as_deref().unwrap_or_default();
    hit.with(set_version).withhold(Some(format!(
        "the migration changes fields the fixer does not rewrite: {changes}"
    )))
}

/// The fix where `entry`'s replacement is itself removed at the target (`chain`, from
/// [`removed_chain`], is not empty): the version the target serves at once, where every step only
/// changes `apiVersion` (flowcontrol v1beta1 FlowSchema at v1.37: v1, not v1beta3, which
/// the target rejects too); otherwise withheld, saying why (a step changes fields, or the
/// chain ends in a version nothing replaces), rather than a fix to another removed version.
fn beyond(
    cx: &DocCx,
    object: &Object,
    entry: &ApiEntry,
    chain: &[&ApiEntry],
    hit: Hit,
    set_version: Op,
) -> Hit {
    let Some(last) = chain.last() else {
        return hit.with(set_version);
    };
    let replacement = entry.replacement.as_deref().unwrap_or_default();
    let rejected = format!("{replacement} is itself unavailable at {}", cx.version);
    let Some(to) = &last.replacement else {
        let note = last.removal_note.as_deref().unwrap_or_default();
        return hit
            .with(set_version)
            .withhold(Some(format!("{rejected}: {note}")));
    };
    let plain = |e: &&ApiEntry| {
        e.migration == Migration::ApiVersion && e.changes.is_none() && e.replacement_kind.is_none()
    };
    match std::iter::once(&entry).chain(chain).find(|e| !plain(e)) {
        None => hit.with(Op::set(
            object.root,
            &["apiVersion"],
            NewValue::Str(to.clone()),
        )),
        Some(step) => hit.with(set_version).withhold(Some(format!(
            "{rejected}, and the way on to {to} changes fields the fixer does not rewrite: {}",
            step.changes
                .as_deref()
                .unwrap_or("see the Deprecated API Migration Guide")
        ))),
    }
}

/// `extensions/v1beta1` and `apps/v1beta1|v1beta2` workloads → `apps/v1` (deprecation guide
/// "v1.16"): `spec.selector` becomes required and immutable, so the fix copies the pod
/// template's labels into `spec.selector.matchLabels` (what the old versions defaulted the
/// selector to, pkg/apis/extensions/v1beta1/defaults.go), and removes `spec.rollbackTo`
/// and `spec.templateGeneration`, which apps/v1 does not have. Unsafe: defaults change
/// (update strategy, revision history, progress deadline, surge), and the selector can
/// never be changed afterwards.
fn workload(doc: &Document, root: NodeId, kind: &str, hit: Hit) -> Hit {
    // A ReplicaSet's defaults did not change: with its selector written, only apiVersion
    // changes and the fix stays safe.
    let has_selector = doc
        .get_path(root, &["spec", "selector"])
        .is_some_and(|s| !doc.is_null(s));
    let mut hit = if kind == "ReplicaSet" && has_selector {
        hit
    } else {
        hit.unsafe_fix()
    };
    let spec = doc.get(root, "spec").filter(|&s| doc.is_map(s));
    let Some(spec) = spec else {
        return hit.withhold(Some(
            "the object has no spec: apps/v1 requires spec.selector and spec.template".into(),
        ));
    };
    for gone in ["rollbackTo", "templateGeneration"] {
        if let Some(node) = doc.get(spec, gone) {
            hit = hit.with(Op::Remove { node });
        }
    }
    if has_selector {
        return hit;
    }
    let labels: Vec<(String, NewValue)> = doc
        .get_path(spec, &["template", "metadata", "labels"])
        .map(|l| {
            doc.entries(l)
                .iter()
                .filter_map(|&(k, v)| {
                    Some((
                        doc.text(k)?.to_string(),
                        NewValue::Str(doc.text(v)?.to_string()),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if labels.is_empty() {
        return hit.withhold(Some(
            "the pod template has no labels: apps/v1 requires spec.selector, which must match spec.template.metadata.labels; label the template and write the selector".into(),
        ));
    }
    hit.with(Op::set(
        spec,
        &["selector"],
        NewValue::map([("matchLabels", NewValue::Map(labels))]),
    ))
}

/// An Ingress `v1beta1` backend (`serviceName`, `servicePort`) as a
/// networking.k8s.io/v1 backend: `service.name` and `service.port.number` for a number,
/// `service.port.name` for a name (the conversion in
/// k8s.io/kubernetes pkg/apis/networking/v1beta1/conversion.go). A port written as a
/// string of digits (`"80"`) is a number: v1 refuses the digits as a port name
/// (IANA_SVC_NAME needs a letter). `None` when the backend is not a service backend.
fn v1_backend(doc: &Document, backend: NodeId) -> Option<NewValue> {
    let name = doc.get(backend, "serviceName").and_then(|n| doc.text(n))?;
    let port = doc.get(backend, "servicePort")?;
    let port = match doc.value(port)? {
        Value::Int(n) => ("number", NewValue::Int(n)),
        Value::Str => {
            let t = doc.text(port)?;
            match t.parse::<i64>() {
                Ok(n) => ("number", NewValue::Int(n)),
                Err(_) => ("name", NewValue::Str(t.to_string())),
            }
        }
        _ => return None,
    };
    Some(NewValue::map([
        ("name", NewValue::Str(name.to_string())),
        ("port", NewValue::map([port])),
    ]))
}

/// Ingress `extensions/v1beta1` / `networking.k8s.io/v1beta1` → `networking.k8s.io/v1`
/// (deprecation guide "v1.22"): `spec.backend` → `spec.defaultBackend`, each backend's
/// `serviceName`/`servicePort` → `service.name`/`service.port.number|name`, and
/// `pathType: ImplementationSpecific` where a path has none (v1 requires it; that value
/// keeps the v1beta1 behaviour). Unsafe: the controller may read `ImplementationSpecific`
/// differently from the old unset value.
fn ingress(doc: &Document, root: NodeId, hit: Hit) -> Hit {
    let mut hit = hit.unsafe_fix();
    let Some(spec) = doc.get(root, "spec").filter(|&s| doc.is_map(s)) else {
        return hit;
    };
    let mut unconvertible = Vec::new();
    if let Some(backend) = doc.get(spec, "backend") {
        // A resource backend has one shape in both versions: only the key moves.
        hit = hit.with(Op::RenameKey {
            node: backend,
            to: "defaultBackend".into(),
        });
        match v1_backend(doc, backend) {
            Some(v) => hit = convert_backend(doc, backend, v, hit),
            None if doc.get(backend, "resource").is_some() => {}
            None => unconvertible.push(doc.pointer(backend)),
        }
    }
    let rules = doc.get(spec, "rules").map(|r| doc.items(r)).unwrap_or(&[]);
    for &rule in rules {
        let paths = doc
            .get_path(rule, &["http", "paths"])
            .map(|p| doc.items(p))
            .unwrap_or(&[]);
        for &path in paths {
            if !doc.is_map(path) {
                continue;
            }
            if doc.get(path, "pathType").is_none() {
                hit = hit.with(Op::set(
                    path,
                    &["pathType"],
                    NewValue::Str("ImplementationSpecific".into()),
                ));
            }
            let Some(backend) = doc.get(path, "backend") else {
                continue;
            };
            match v1_backend(doc, backend) {
                Some(v) => hit = convert_backend(doc, backend, v, hit),
                None if doc.get(backend, "service").is_some()
                    || doc.get(backend, "resource").is_some() => {}
                None => unconvertible.push(doc.pointer(backend)),
            }
        }
    }
    if unconvertible.is_empty() {
        hit
    } else {
        hit.withhold(Some(format!(
            "these backends have no serviceName and servicePort to convert: {}",
            unconvertible.join(", ")
        )))
    }
}

/// The operations that turn the service backend at `backend` into `{service: v}`: one
/// replacement of a flow mapping, or, in a block mapping, the old keys removed and
/// `service` added.
fn convert_backend(doc: &Document, backend: NodeId, v: NewValue, mut hit: Hit) -> Hit {
    if doc.node(backend).flow() {
        return hit.with(Op::Replace {
            node: backend,
            value: NewValue::map([("service", v)]),
        });
    }
    for key in ["serviceName", "servicePort"] {
        if let Some(node) = doc.get(backend, key) {
            hit = hit.with(Op::Remove { node });
        }
    }
    hit.with(Op::set(backend, &["service"], v))
}

/// PodDisruptionBudget `policy/v1beta1` → `policy/v1` (deprecation guide "v1.25"): the
/// fields are the same, but an empty `spec.selector: {}` selects every pod of the
/// namespace in policy/v1 and none in policy/v1beta1 (an unset selector selects none in
/// both). The fix removes an empty selector, so the budget still covers no pod, and is
/// then unsafe (it keeps what the API server did, which may not be what was meant).
fn pdb(doc: &Document, root: NodeId, hit: Hit) -> Hit {
    let selector = doc.get_path(root, &["spec", "selector"]);
    match selector {
        Some(s) if doc.is_map(s) && doc.entries(s).is_empty() => {
            hit.with(Op::Remove { node: s }).unsafe_fix()
        }
        _ => hit,
    }
}

/// Parameters of `rbac-moved-resource`: none but the table, which loading them validates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RbacMovedParams {}

impl TemplateParams for RbacMovedParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        api_table()
            .map(|_| ())
            .map_err(|e| FieldError::new(&[], format!("policies/data/api-versions.yaml: {e}")))
    }
}

/// The API group of an apiVersion (`apps/v1` → `apps`, `v1` → the core group `""`).
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The resource name the API server registers for a kind (its lower-case plural, as in
/// the RBAC `resources` list): `Deployment` → `deployments`, `Ingress` → `ingresses`,
/// `NetworkPolicy` → `networkpolicies`.
fn resource_of(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else if lower.ends_with("ss") {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    }
}

/// Where a resource went: (old group, resource) → the group serving it at `version`, or
/// `None` when no group does. From the table's entries whose replacement is the same kind
/// in another group (extensions deployments → apps, extensions ingresses →
/// networking.k8s.io, extensions podsecuritypolicies → policy), and those with no
/// replacement (policy podsecuritypolicies).
fn moved(table: &ApiTable, group: &str, resource: &str, version: KubeVersion) -> Option<Moved> {
    let mut removed_from: Option<KubeVersion> = None;
    let mut to: Option<(String, KubeVersion)> = None;
    let mut any_served = false;
    for e in &table.apis {
        if group_of(&e.api_version) != group || resource_of(&e.kind) != resource {
            continue;
        }
        match e.removed {
            Some(r) if r <= version => {
                removed_from = Some(removed_from.map_or(r, |m| m.max(r)));
                let target = e
                    .replacement
                    .as_deref()
                    .filter(|_| e.replacement_kind.is_none())
                    .map(group_of)
                    .filter(|g| *g != group);
                if let Some(g) = target {
                    to = Some((g.to_string(), e.replacement_since.unwrap_or(version)));
                }
            }
            _ => any_served = true,
        }
    }
    if any_served {
        return None; // another version of the old group still serves it
    }
    let removed = removed_from?;
    // Follow a chain (extensions → policy podsecuritypolicies, itself removed).
    let now = match &to {
        Some((g, _)) => match moved(table, g, resource, version) {
            Some(Moved { now, .. }) => now,
            None => Some(g.clone()),
        },
        None => None,
    };
    if to.is_none()
        && now.is_none()
        && !table.apis.iter().any(|e| {
            group_of(&e.api_version) == group
                && resource_of(&e.kind) == resource
                && e.replacement.is_none()
        })
    {
        return None; // the group's other versions were replaced within the group
    }
    Some(Moved { removed, now })
}

/// A resource its old group no longer serves.
struct Moved {
    /// The release from which the old group serves none of its versions.
    removed: KubeVersion,
    /// The group that serves it at the target, if any.
    now: Option<String>,
}

/// RBAC matches a request by API group and resource (k8s.io/kubernetes
/// pkg/apis/rbac/v1/evaluation_helpers.go `APIGroupMatches`, `ResourceMatches`): a rule for
/// `extensions` `deployments` allows nothing once no extensions version serves
/// Deployments (v1.16), because every request for them is to the `apps` group. Reported on
/// the old group in `apiGroups`, for each moved resource the rule names.
fn rbac_moved(cx: &DocCx, _p: &RbacMovedParams, out: &mut Vec<Hit>) {
    let Ok(table) = api_table() else {
        return;
    };
    for object in &cx.model.objects {
        let rbac = object
            .api_version
            .is_some_and(|v| group_of(v) == "rbac.authorization.k8s.io");
        if !rbac || !matches!(object.kind, "Role" | "ClusterRole") {
            continue;
        }
        let doc = object.doc;
        let Some(rules) = doc.get(object.root, "rules") else {
            continue;
        };
        for &rule in doc.items(rules) {
            let (Some(groups), Some(resources)) =
                (doc.get(rule, "apiGroups"), doc.get(rule, "resources"))
            else {
                continue;
            };
            let group_names: Vec<&str> = doc
                .items(groups)
                .iter()
                .filter_map(|&g| doc.str(g))
                .collect();
            for &g in doc.items(groups) {
                let Some(group) = doc.str(g) else { continue };
                // Resources grouped by where they went.
                let mut went: Vec<(KubeVersion, Option<String>, Vec<&str>)> = Vec::new();
                for &r in doc.items(resources) {
                    let Some(resource) = doc.str(r) else { continue };
                    // `deployments/scale`: a subresource moves with its resource.
                    let base = resource.split('/').next().unwrap_or(resource);
                    let Some(m) = moved(table, group, base, cx.version) else {
                        continue;
                    };
                    match went
                        .iter_mut()
                        .find(|(r, n, _)| *r == m.removed && *n == m.now)
                    {
                        Some((_, _, list)) => list.push(resource),
                        None => went.push((m.removed, m.now, vec![resource])),
                    }
                }
                let lines: Vec<String> = went
                    .iter()
                    .map(|(removed, now, list)| {
                        let list = list.join(", ");
                        match now {
                            Some(now) if group_names.contains(&now.as_str()) => format!(
                                "{list}, which it has not served since {removed}; the rule also names {now}, which serves them, so the {group} entry is dead"
                            ),
                            Some(now) => format!(
                                "{list}, which it has not served since {removed}; requests for them go to API group {now}, which the rule does not name, so the grant allows nothing"
                            ),
                            None => format!(
                                "{list}, which it has not served since {removed} and no group serves now, so the grant allows nothing"
                            ),
                        }
                    })
                    .collect();
                if lines.is_empty() {
                    continue;
                }
                let shown = if group.is_empty() {
                    "the core group"
                } else {
                    group
                };
                out.push(Hit::node(
                    g,
                    format!(
                        "at {} this rule grants through API group {shown} on {}",
                        cx.version,
                        lines.join("; ")
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_plural_lower_case_kinds() {
        assert_eq!(resource_of("Deployment"), "deployments");
        assert_eq!(resource_of("Ingress"), "ingresses");
        assert_eq!(resource_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(resource_of("PodSecurityPolicy"), "podsecuritypolicies");
    }

    #[test]
    fn moved_resources_follow_the_table() {
        let t = api_table().unwrap();
        let v = KubeVersion::new;
        let now = |g, r, at| moved(t, g, r, v(at)).map(|m| (m.removed.minor, m.now));
        assert_eq!(
            now("extensions", "deployments", 16),
            Some((16, Some("apps".into())))
        );
        assert_eq!(now("extensions", "deployments", 15), None);
        assert_eq!(
            now("extensions", "ingresses", 22),
            Some((22, Some("networking.k8s.io".into())))
        );
        assert_eq!(
            now("extensions", "podsecuritypolicies", 20),
            Some((16, Some("policy".into())))
        );
        assert_eq!(
            now("extensions", "podsecuritypolicies", 25),
            Some((16, None))
        );
        assert_eq!(now("policy", "podsecuritypolicies", 25), Some((25, None)));
        // policy still serves poddisruptionbudgets (policy/v1); apps serves deployments.
        assert_eq!(now("policy", "poddisruptionbudgets", 37), None);
        assert_eq!(now("apps", "deployments", 37), None);
        // Replaced within its own group: nothing moved.
        assert_eq!(now("batch", "cronjobs", 37), None);
    }

    #[test]
    fn the_table_loads() {
        let table = api_table().unwrap();
        assert!(table.apis.len() > 90);
        let e = table.get("extensions/v1beta1", "Ingress").unwrap();
        assert_eq!(e.removed, Some(KubeVersion::new(22)));
        assert!(table.get("apps/v1beta1", "ReplicaSet").is_none());
    }

    #[test]
    fn the_table_refuses_inconsistent_entries() {
        let one = |body: &str| {
            format!("apis:\n  - api_version: x/v1beta1\n    kind: K\n    introduced: \"1.10\"\n{body}    sources: [lifecycle]\n")
        };
        let e = ApiTable::parse(&one("    deprecated: \"1.20\"\n    removed: \"1.19\"\n    migration: none\n    removal_note: gone\n")).unwrap_err();
        assert!(e.contains("deprecated v1.20 is after removed v1.19"), "{e}");
        let e = ApiTable::parse(&one(
            "    deprecated: \"1.12\"\n    removed: \"1.19\"\n    migration: none\n",
        ))
        .unwrap_err();
        assert!(
            e.contains("neither a replacement nor a removal_note"),
            "{e}"
        );
        let e = ApiTable::parse(&one("    deprecated: \"1.12\"\n    removed: \"1.19\"\n    replacement: x/v1\n    replacement_since: \"1.20\"\n    migration: api-version\n")).unwrap_err();
        assert!(
            e.contains("served from v1.20, after the removal in v1.19"),
            "{e}"
        );
        let e = ApiTable::parse(&one("    deprecated: \"1.12\"\n    removed: \"1.19\"\n    replacement: x/v1\n    replacement_since: \"1.12\"\n    migration: manual\n")).unwrap_err();
        assert!(e.contains("manual migration must say"), "{e}");
        let e = ApiTable::parse(&one("    deprecated: \"1.12\"\n    removed: \"1.19\"\n    migration: sideways\n    removal_note: x\n")).unwrap_err();
        assert!(e.contains("unknown variant `sideways`"), "{e}");
        let twice = format!("{}{}", one("    deprecated: \"1.12\"\n    removed: \"1.19\"\n    migration: none\n    removal_note: x\n"), one("    deprecated: \"1.12\"\n    removed: \"1.19\"\n    migration: none\n    removal_note: x\n").trim_start_matches("apis:\n"));
        let e = ApiTable::parse(&twice).unwrap_err();
        assert!(e.contains("out of order") || e.contains("twice"), "{e}");
    }
}
