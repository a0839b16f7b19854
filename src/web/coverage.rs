//! What was checked, per document: which rule families judged each object of the text
//! under the chosen profile and version, which did not and why, and the documents that
//! could not be checked at all. Pure (no web-sys): unit-tested natively by
//! `tests/playground_state.rs`.
//!
//! The families come from the engine's active rules ([`kubeharden::Engine::rules`]) and
//! each rule's template kind ([`kubeharden::rules::Check`]): pod rules judge pod templates
//! (a workload's `spec.template`, a Pod's `spec`, a CronJob's job template), document
//! rules every document. Whole-bundle rules judge the kinds named in [`BUNDLE_KINDS`]; a
//! whole-bundle rule missing from that table is never claimed for an object, so the view
//! can understate coverage but never overstate it.

use kubeharden::adapter::{Checked, EditorMessage, EditorObject};
use kubeharden::rules::{self, Check};
use kubeharden::{Engine, Options, Profile};

const RBAC: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// Whole-bundle rules by id prefix (or id): the family label and the kinds they judge
/// (`&[]`: every object). Source: the rules' templates in `src/rules/` (rbac.rs, netpol.rs,
/// namespaces.rs, credential.rs, psp.rs, api_lifecycle.rs, bundle.rs).
const BUNDLE_KINDS: &[(&str, &str, &[&str])] = &[
    ("rbac-unbound-service-account", "RBAC", &["ServiceAccount"]),
    ("rbac-default-service-account", "RBAC", &["ServiceAccount"]),
    ("rbac-", "RBAC", RBAC),
    ("network-policy-missing", "", &[]),
    ("network-policy-", "network policy", &["NetworkPolicy"]),
    (
        "metadata-endpoint-egress",
        "network policy",
        &["NetworkPolicy"],
    ),
    ("kubelet-port-egress", "network policy", &["NetworkPolicy"]),
    ("namespace-", "namespace", &["Namespace"]),
    (
        "configmap-credential",
        "credentials in ConfigMaps",
        &["ConfigMap"],
    ),
    ("service-exposure", "Service exposure", &["Service"]),
    (
        "pod-security-policy-migration",
        "PodSecurityPolicy migration",
        &["PodSecurityPolicy"],
    ),
    ("deprecated-api", "API versions", &[]),
    ("removed-api", "API versions", &[]),
    ("duplicate-object", "duplicate objects", &[]),
];

/// Families every object gets, which say nothing about its security settings.
const GENERIC: &[&str] = &["manifest validity", "API versions", "duplicate objects"];

/// How far a document was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Security rules judged every object in it.
    Checked,
    /// Only the manifest's validity and API versions were checked, or part of it was
    /// not checked: see [`DocCoverage::not_checked`].
    NotChecked,
    /// It could not be read (a YAML error).
    Error,
}

/// One document's coverage.
#[derive(Clone, Debug, PartialEq)]
pub struct DocCoverage {
    /// 1-based, as the findings and errors say it.
    pub number: usize,
    /// Its objects (`Kind namespace/name`), or what the document is.
    pub title: String,
    /// UTF-16 offset of its start, for a click that selects it in the editor, and line.
    pub from: usize,
    pub to: usize,
    pub line: usize,
    pub status: Status,
    /// Unsuppressed findings in it.
    pub findings: usize,
    /// Families that ran, with their rule counts: `"RBAC (22 rules)"`.
    pub checked: Vec<String>,
    /// What was not checked, and why (one sentence each).
    pub not_checked: Vec<String>,
}

/// (family label, pod rules?, kinds) of one active rule; `None` when not claimable.
fn family(id: &str, pss: bool, check: &Check) -> Option<(&'static str, Scope)> {
    match check {
        Check::Document(_) => Some(("manifest validity", Scope::Any)),
        Check::Pod(_) if pss => Some(("Pod Security Standards", Scope::Pods)),
        Check::Pod(_) => Some(("pod and container hardening", Scope::Pods)),
        Check::Bundle(_) => {
            let (_, label, kinds) = BUNDLE_KINDS
                .iter()
                .find(|(p, _, _)| id == *p || (p.ends_with('-') && id.starts_with(p)))?;
            Some(match (*label, *kinds) {
                ("", _) => ("pod and container hardening", Scope::Pods),
                (label, []) => (label, Scope::Any),
                (label, kinds) => (label, Scope::Kinds(kinds)),
            })
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Any,
    Pods,
    Kinds(&'static [&'static str]),
}

impl Scope {
    fn covers(self, o: &EditorObject) -> bool {
        match self {
            Scope::Any => true,
            Scope::Pods => o.pods > 0,
            Scope::Kinds(kinds) => kinds.contains(&o.kind.as_str()),
        }
    }
}

/// The families of every active rule, with the number of rules of each.
fn active_families(options: Options) -> Vec<(&'static str, Scope, usize)> {
    let mut out: Vec<(&'static str, Scope, usize)> = Vec::new();
    for rule in Engine::new(options).rules() {
        let Some(template) = rules::template(&rule.template) else {
            continue;
        };
        let Some((label, scope)) = family(&rule.id, rule.pss.is_some(), &template.check) else {
            continue;
        };
        match out.iter_mut().find(|(l, s, _)| *l == label && *s == scope) {
            Some(entry) => entry.2 += 1,
            None => out.push((label, scope, 1)),
        }
    }
    out
}

/// The families the `all` profile adds for this object, if the profile is narrower.
fn only_under_all(o: &EditorObject, options: Options) -> Vec<&'static str> {
    if options.profile == Profile::All {
        return Vec::new();
    }
    let all = active_families(Options {
        profile: Profile::All,
        ..options
    });
    let mut labels: Vec<&'static str> = all
        .iter()
        .filter(|(l, s, _)| s.covers(o) && !GENERIC.contains(l))
        .map(|(l, _, _)| *l)
        .filter(|l| *l != "Pod Security Standards")
        .collect();
    labels.dedup();
    labels
}

/// What a binding's coverage says about the role it binds when the text does not hold
/// it (`role`: `ClusterRole edit`); `None` for cluster-admin, which a rule judges by name.
fn role_not_judged(object: &str, role: &str) -> Option<String> {
    let name = role.strip_prefix("ClusterRole ");
    if name == Some("cluster-admin") {
        return None;
    }
    // The API server's bootstrap roles (the ones users bind): admin, edit, view, system:*.
    let built_in =
        name.is_some_and(|n| matches!(n, "admin" | "edit" | "view") || n.starts_with("system:"));
    Some(if built_in {
        format!(
            "{object}: it binds the built-in {role}, whose permissions the RBAC rules do not judge (they judge the roles in the text); the Access tab shows what it grants"
        )
    } else {
        format!("{object}: it binds {role}, which is not in the text, so what it grants was not checked")
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The coverage of every document of a check made with `options`, in document order.
pub fn coverage(checked: &Checked, options: Options) -> Vec<DocCoverage> {
    let families = active_families(options);
    // One pass each over the objects, errors and notes, and a binary search per finding:
    // a paste of 20,000 documents and 50,000 findings took seconds of the page's thread
    // when each document looked through every object and finding.
    let mut numbers: Vec<usize> = checked
        .objects
        .iter()
        .map(|o| o.document)
        .chain(checked.errors.iter().map(|e| e.document))
        .chain(checked.notes.iter().map(|n| n.document))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    // Sorted numbers and a binary search, not a map: the first download has no room for
    // another map's code.
    let at = |doc: usize| numbers.binary_search(&doc).unwrap_or(0);
    let mut parts: Vec<Parts> = numbers.iter().map(|_| Parts::default()).collect();
    for o in &checked.objects {
        parts[at(o.document)].objects.push(o);
    }
    for e in &checked.errors {
        parts[at(e.document)].errors.push(e);
    }
    for n in checked.notes.iter().filter(|n| n.unchecked) {
        parts[at(n.document)].unchecked.push(n);
    }
    for doc in findings_documents(checked) {
        parts[at(doc)].findings += 1;
    }
    numbers
        .iter()
        .zip(parts)
        .map(|(&doc, parts)| document(options, &families, doc, parts))
        .collect()
}

/// A document's objects, YAML errors and notes on what was not checked.
#[derive(Default)]
struct Parts<'a> {
    objects: Vec<&'a EditorObject>,
    errors: Vec<&'a EditorMessage>,
    unchecked: Vec<&'a EditorMessage>,
    /// Findings (not suppressed) inside its objects.
    findings: usize,
}

/// The document of each finding (not suppressed) that starts inside an object. Documents
/// do not overlap, so the object that reaches furthest among those starting at or before a
/// finding tells whether one holds it, and whose document that is.
fn findings_documents(checked: &Checked) -> Vec<usize> {
    // In input order, which is the order of their starts (a List before its items).
    let objects: Vec<(usize, usize, usize)> = checked
        .objects
        .iter()
        .map(|o| (o.range.from, o.range.to, o.document))
        .collect();
    debug_assert!(objects.windows(2).all(|w| w[0].0 <= w[1].0));
    // reach[i]: the furthest end among objects[..=i], and that object's document.
    let mut reach: Vec<(usize, usize)> = Vec::with_capacity(objects.len());
    for &(_, to, doc) in &objects {
        let next = match reach.last() {
            Some(&(far, d)) if far >= to => (far, d),
            _ => (to, doc),
        };
        reach.push(next);
    }
    checked
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter_map(|f| {
            let starts = objects.partition_point(|o| o.0 <= f.from);
            let (far, doc) = reach[starts.checked_sub(1)?];
            (f.from <= far).then_some(doc)
        })
        .collect()
}

fn document(
    options: Options,
    families: &[(&'static str, Scope, usize)],
    doc: usize,
    parts: Parts,
) -> DocCoverage {
    let Parts {
        objects,
        errors,
        unchecked,
        findings,
    } = parts;
    let (from, to, line) = match (objects.first(), errors.first(), unchecked.first()) {
        (Some(o), _, _) => (o.range.from, o.range.to, o.range.line),
        (None, Some(e), _) => (e.from, e.to, e.line),
        (None, None, Some(n)) => (n.from, n.to, n.line),
        _ => (0, 0, 1),
    };
    let mut checked_list: Vec<String> = Vec::new();
    let mut not_checked: Vec<String> = unchecked.iter().map(|n| n.message.clone()).collect();
    let mut security = false;
    let mut pods = 0;
    for o in &objects {
        pods += o.pods;
        let mut judged = false;
        for (label, scope, n) in families {
            if !scope.covers(o) {
                continue;
            }
            judged |= !GENERIC.contains(label);
            let entry = format!("{label} ({})", plural(*n, "rule", "rules"));
            if !checked_list.contains(&entry) {
                checked_list.push(entry);
            }
        }
        security |= judged;
        let rbac = families
            .iter()
            .any(|(label, scope, _)| *label == "RBAC" && scope.covers(o));
        if let Some(role) = o.role_elsewhere.as_deref().filter(|_| rbac) {
            if let Some(why) = role_not_judged(&o.object, role) {
                not_checked.push(why);
            }
        }
        if !judged {
            let kind = if o.kind.is_empty() { "object" } else { &o.kind };
            let more = only_under_all(o, options);
            not_checked.push(if more.is_empty() {
                format!(
                    "{}: no rule judges the security of a {kind}, only its validity and API version",
                    o.object
                )
            } else {
                format!(
                    "{}: the {} profile judges pod specs only, and a {kind} has none; the {} rules run under the \"all\" profile",
                    o.object,
                    options.profile.as_str(),
                    more.join(", ")
                )
            });
        }
    }
    if pods > 0 {
        let at = plural(pods, "pod template", "pod templates");
        if let Some(entry) = checked_list
            .iter_mut()
            .find(|e| e.starts_with("Pod Security Standards"))
        {
            entry.push_str(&format!(
                ", {} at {}, on {at}",
                options.profile.as_str(),
                options.version
            ));
        }
    }
    let status = if !errors.is_empty() {
        not_checked.extend(errors.iter().map(|e| {
            format!(
                "YAML error at line {}, column {}: {}; this document was not checked",
                e.line, e.column, e.message
            )
        }));
        Status::Error
    } else if security && not_checked.is_empty() {
        Status::Checked
    } else {
        Status::NotChecked
    };
    let title = if objects.is_empty() {
        match status {
            Status::Error => "unreadable document".to_string(),
            _ => "not a Kubernetes object".to_string(),
        }
    } else {
        objects
            .iter()
            .map(|o| o.object.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    DocCoverage {
        number: doc + 1,
        title,
        from,
        to,
        line,
        status,
        findings,
        checked: checked_list,
        not_checked,
    }
}

/// Documents not (fully) checked, of `list`.
pub fn unchecked_count(list: &[DocCoverage]) -> usize {
    list.iter().filter(|d| d.status != Status::Checked).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeharden::adapter;

    const BUNDLE: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  containers:\n  - {name: c, image: nginx:1.27}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n---\nkey: [unclosed\n";

    fn of(profile: Profile) -> Vec<DocCoverage> {
        let options = Options {
            profile,
            ..Options::default()
        };
        coverage(&adapter::check(BUNDLE, options), options)
    }

    #[test]
    fn every_document_says_what_was_and_was_not_checked() {
        let all = of(Profile::All);
        assert_eq!(all.len(), 4, "{all:#?}");
        let pod = &all[0];
        assert_eq!((pod.number, pod.status), (1, Status::Checked), "{pod:#?}");
        assert!(pod.findings > 0);
        assert!(
            pod.checked
                .iter()
                .any(|c| c.starts_with("Pod Security Standards") && c.contains("1 pod template")),
            "{pod:#?}"
        );
        let role = &all[1];
        assert_eq!(role.status, Status::Checked, "{role:#?}");
        assert!(
            role.checked.iter().any(|c| c.starts_with("RBAC")),
            "{role:#?}"
        );
        assert!(!role.checked.iter().any(|c| c.starts_with("Pod Security")));
        let widget = &all[2];
        assert_eq!(widget.status, Status::NotChecked, "{widget:#?}");
        assert!(
            widget.not_checked.iter().any(|n| n.contains("not checked")),
            "the engine's reason is shown: {widget:#?}"
        );
        let broken = &all[3];
        assert_eq!(broken.status, Status::Error, "{broken:#?}");
        assert!(broken.not_checked[0].starts_with("YAML error"));
        assert_eq!(unchecked_count(&all), 2);
    }

    #[test]
    fn a_binding_of_a_built_in_role_says_its_permissions_are_not_judged() {
        let binding = |kind: &str, role_kind: &str, role: &str| {
            format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: b, namespace: shop}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects:\n- {{kind: Group, name: devs}}\n")
        };
        let cover = |text: &str| {
            let options = Options::default();
            coverage(&adapter::check(text, options), options)
        };
        for role in ["edit", "admin", "view", "system:aggregate-to-edit"] {
            for kind in ["RoleBinding", "ClusterRoleBinding"] {
                let doc = &cover(&binding(kind, "ClusterRole", role))[0];
                assert_eq!(doc.status, Status::NotChecked, "{doc:#?}");
                let why = doc.not_checked.join(" ");
                assert!(
                    why.contains(&format!("binds the built-in ClusterRole {role}"))
                        && why.contains("RBAC rules do not judge")
                        && why.contains("Access tab"),
                    "{why}"
                );
            }
        }
        // cluster-admin: a rule judges the binding by the role's name.
        let admin = &cover(&binding("RoleBinding", "ClusterRole", "cluster-admin"))[0];
        assert!(admin.not_checked.is_empty(), "{admin:#?}");
        assert!(admin.findings > 0);
        // A role the text holds is judged; one it does not hold is said to be missing.
        let role = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: app, namespace: shop}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n";
        let both = cover(&(binding("RoleBinding", "Role", "app") + role));
        assert!(both[0].not_checked.is_empty(), "{:#?}", both[0]);
        assert_eq!(both[0].status, Status::Checked);
        let alone = &cover(&binding("RoleBinding", "Role", "app"))[0];
        assert!(
            alone
                .not_checked
                .join(" ")
                .contains("binds Role shop/app, which is not in the text"),
            "{alone:#?}"
        );
        // An item of a List is read at its place too.
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: RoleBinding\n  metadata: {name: b, namespace: shop}\n  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\n  subjects:\n  - {kind: Group, name: devs}\n";
        let listed = cover(list);
        assert!(
            listed.iter().any(|d| d
                .not_checked
                .join(" ")
                .contains("built-in ClusterRole edit")),
            "{listed:#?}"
        );
    }

    #[test]
    fn a_narrow_profile_says_which_rules_it_leaves_out() {
        let baseline = of(Profile::Baseline);
        let role = &baseline[1];
        assert_eq!(role.status, Status::NotChecked, "{role:#?}");
        assert_eq!(role.findings, 0);
        let why = role.not_checked.join(" ");
        assert!(
            why.contains("baseline profile judges pod specs only") && why.contains("RBAC"),
            "{why}"
        );
        assert!(baseline[0]
            .checked
            .iter()
            .any(|c| c.contains("baseline at v1.")));
    }

    /// Each document counts the findings inside its objects, a List's items too, once; a
    /// finding outside every object (none here) counts for none.
    #[test]
    fn findings_are_counted_per_document_as_each_object_holds_them() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";
        let list = format!(
            "apiVersion: v1\nkind: List\nitems:\n- {}\n- {}",
            pod.replace('\n', "\n  ").trim_end(),
            pod.replace('\n', "\n  ").trim_end()
        );
        let text = format!("{pod}---\n{list}\n---\n{pod}");
        let checked = adapter::check(&text, Options::default());
        let docs = coverage(&checked, Options::default());
        assert_eq!(docs.len(), 3);
        let per_pod = docs[0].findings;
        assert!(per_pod > 0);
        assert_eq!(docs[1].findings, 2 * per_pod, "both items of the List");
        assert_eq!(docs[2].findings, per_pod);
        let live = checked
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .count();
        assert_eq!(docs.iter().map(|d| d.findings).sum::<usize>(), live);
    }
}
