//! Known CVEs: those of the target Kubernetes release (`kube-version-cves`, once per run),
//! and the manifest patterns that known CVEs exploit (subPath mounts, gitRepo volumes,
//! Service externalIPs, ingress-nginx snippet annotations and controller images).
//!
//! The affected ranges come from `policies/data/k8s-cves.yaml`: the official Kubernetes CVE
//! feed (https://kubernetes.io/docs/reference/issues-security/official-cve-feed/index.json)
//! in the OSV form of kubernetes-sigs/cve-feed-osv, corrected and completed from the
//! advisories where that file says so.
//!
//! A target with a patch release (`--kube-version 1.25.3`) is affected by a CVE when one of
//! its ranges holds that release. A target without one (`1.25`) names a release line: a CVE
//! applies "depending on the patch" when a range holds some release of the line, and the
//! finding says which patch release fixes it.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use super::{
    BundleCx, BundleHit, BundleHits, Check, DocCx, FieldError, Hit, NoParams, ParamSpec, Place,
    PodCx, Template, TemplateParams,
};
use crate::version::KubeVersion;
use crate::yaml::{parse_stream, Limits};

pub static TEMPLATES: &[Template] = &[
    Template {
        name: TARGET_TEMPLATE,
        summary: "the target Kubernetes release should have no known CVE (official CVE feed, policies/data/k8s-cves.yaml); reported once per run",
        check: Check::Bundle(kube_version_cves),
        params: ParamSpec::of::<CveDataParams>("CveDataParams"),
        validity: false,
    },
    pod_template!(
        "cve-subpath-mount",
        "subPath/subPathExpr volume mounts on a kubelet affected by the CVE `cve` (data: policies/data/k8s-cves.yaml)",
        KubeCveParams,
        subpath_mount
    ),
    pod_template!(
        "cve-git-repo-volume",
        "gitRepo volumes, exploitable through the CVE `cve` on affected kubelets and CVE-2025-1767 on all",
        KubeCveParams,
        git_repo_volume
    ),
    Template {
        name: "cve-service-external-ips",
        summary: "Services should not set spec.externalIPs (CVE-2020-8554, unfixed by design)",
        check: Check::Document(service_external_ips_check),
        params: ParamSpec::of::<NoParams>("NoParams"),
        validity: false,
    },
    Template {
        name: "cve-ingress-nginx-snippet",
        summary: "Ingresses should not carry the ingress-nginx snippet annotations in `annotations` (CVE-2021-25742)",
        check: Check::Bundle(ingress_nginx_snippet),
        params: ParamSpec::of::<SnippetParams>("SnippetParams"),
        validity: false,
    },
    pod_template!(
        "cve-ingress-nginx-controller",
        "an ingress-nginx controller image must be a release that fixes the CVE `cve` (data: policies/data/k8s-cves.yaml)",
        IngressNginxCveParams,
        ingress_nginx_controller
    ),
];

const DATA_FILE: &str = crate::catalogue::data::K8S_CVES;

/// A release `major.minor.patch` as the feed writes it (`"1.25.4"`; `"0"` is 0.0.0, before
/// every release).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Release {
    /// Parses `X`, `X.Y` or `X.Y.Z` (missing parts are 0), an optional leading `v`.
    /// Errors: anything else, quoted.
    pub fn parse(text: &str) -> Result<Release, String> {
        let t = text.strip_prefix('v').unwrap_or(text);
        let mut n = [0u32; 3];
        let bad = || format!("{text:?} is not a release X.Y.Z");
        for (i, part) in t.split('.').enumerate() {
            if i == 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            n[i] = part.parse().map_err(|_| bad())?;
        }
        Ok(Release {
            major: n[0],
            minor: n[1],
            patch: n[2],
        })
    }

    fn kube(minor: u32, patch: u32) -> Release {
        Release {
            major: 1,
            minor,
            patch,
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl<'de> Deserialize<'de> for Release {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Release::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One affected range: from `introduced` (inclusive) to `fixed` (exclusive).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub introduced: Release,
    pub fixed: Release,
}

/// Where an entry's ranges were read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CveSource {
    /// The OSV snapshot of the official feed, unchanged.
    Osv,
    /// The advisory in `url` (the snapshot disagrees or lacks the CVE; `note` says which).
    Advisory,
}

/// One CVE and the releases it affects.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cve {
    pub id: String,
    pub summary: String,
    /// Kubernetes components (`kubelet`, `kube-apiserver`); empty for ingress-nginx.
    #[serde(default)]
    pub components: Vec<String>,
    /// Required in the data; the playground's build leaves it out (build.rs: no message
    /// shows it), as it does `url` and the Kubernetes CVEs' `cvss`.
    #[cfg_attr(not(feature = "rule-docs"), serde(default))]
    pub published: String,
    pub cvss: Option<String>,
    /// The advisory.
    #[cfg_attr(not(feature = "rule-docs"), serde(default))]
    pub url: String,
    pub from: CveSource,
    pub note: Option<String>,
    /// Ascending, non-overlapping.
    pub affected: Vec<Range>,
}

impl Cve {
    /// The range holding `release`, if it is affected.
    pub fn range_of(&self, release: Release) -> Option<&Range> {
        self.affected
            .iter()
            .find(|r| r.introduced <= release && release < r.fixed)
    }

    /// The first range holding some release of the line `1.minor`.
    pub fn range_in_line(&self, minor: u32) -> Option<&Range> {
        self.affected.iter().find(|r| {
            r.introduced <= Release::kube(minor, u32::MAX) && Release::kube(minor, 0) < r.fixed
        })
    }

    /// The fixed releases, comma-separated (`v1.19.15, v1.20.11`).
    pub fn fixed_list(&self) -> String {
        let v: Vec<String> = self.affected.iter().map(|r| r.fixed.to_string()).collect();
        v.join(", ")
    }
}

/// Where the data comes from (the header of the file).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    pub feed: String,
    pub osv: String,
    pub osv_commit: String,
    /// The publication date of the newest CVE of the snapshot (`"2024-08-16"`).
    pub as_of: String,
}

/// The parsed data file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CveTable {
    pub source: DataSource,
    /// CVEs of Kubernetes releases, by publication.
    pub cves: Vec<Cve>,
    /// CVEs of ingress-nginx controller releases.
    pub ingress_nginx: Vec<Cve>,
}

impl CveTable {
    /// Parse and validate: ids unique and `CVE-YYYY-N`, each entry with at least one range,
    /// every range with `introduced < fixed`, ranges ascending and disjoint, Kubernetes
    /// fixes in major 1. Errors name the entry.
    pub fn parse(text: &str) -> Result<CveTable, String> {
        let stream = parse_stream(text, &Limits::default());
        if let Some(e) = stream.errors.first() {
            return Err(format!("{e:?}"));
        }
        let doc = stream.documents.first().ok_or("empty file")?;
        let root = doc.root.ok_or("empty file")?;
        let table: CveTable = super::deserialize(&doc.to_json(root)).map_err(|e| e.to_string())?;
        let mut seen = HashSet::new();
        for (list, kube) in [
            ("cves", &table.cves),
            ("ingress_nginx", &table.ingress_nginx),
        ] {
            for (i, c) in kube.iter().enumerate() {
                let at = format!("{list}[{i}] ({})", c.id);
                let well_formed = c.id.strip_prefix("CVE-").and_then(|r| r.split_once('-'));
                if !well_formed.is_some_and(|(y, n)| {
                    y.len() == 4 && [y, n].iter().all(|s| s.bytes().all(|b| b.is_ascii_digit()))
                }) {
                    return Err(format!("{at}: not a CVE id"));
                }
                if !seen.insert(c.id.as_str()) {
                    return Err(format!("{at}: listed twice"));
                }
                if c.affected.is_empty() {
                    return Err(format!("{at}: no affected range"));
                }
                if c.from == CveSource::Advisory && c.note.is_none() {
                    return Err(format!("{at}: from the advisory without a note saying why"));
                }
                for (j, r) in c.affected.iter().enumerate() {
                    if r.introduced >= r.fixed {
                        return Err(format!("{at}: affected[{j}] is empty"));
                    }
                    if j > 0 && c.affected[j - 1].fixed > r.introduced {
                        return Err(format!(
                            "{at}: affected[{j}] overlaps or precedes the range before it"
                        ));
                    }
                    if list == "cves" && r.fixed.major != 1 {
                        return Err(format!(
                            "{at}: affected[{j}] is fixed in {}, not a Kubernetes 1.x release",
                            r.fixed
                        ));
                    }
                }
            }
        }
        Ok(table)
    }

    /// The Kubernetes CVE `id`.
    pub fn kube(&self, id: &str) -> Option<&Cve> {
        self.cves.iter().find(|c| c.id == id)
    }
}

/// The compiled-in data, parsed once. Errors: see [`CveTable::parse`].
pub fn cve_table() -> Result<&'static CveTable, &'static str> {
    static TABLE: OnceLock<Result<CveTable, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| CveTable::parse(DATA_FILE))
        .as_ref()
        .map_err(String::as_str)
}

fn table_error(e: &str) -> FieldError {
    FieldError::new(&[], format!("policies/data/k8s-cves.yaml: {e}"))
}

/// Parameters of `kube-version-cves`: none, but loading them loads and validates the data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CveDataParams {}

impl TemplateParams for CveDataParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        cve_table().map(|_| ()).map_err(table_error)
    }
}

/// Parameters of `cve-subpath-mount` and `cve-git-repo-volume`: `{cve: CVE-…}`, an entry of
/// the `cves` list of the data file (checked at load).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubeCveParams {
    pub cve: String,
}

impl TemplateParams for KubeCveParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        let table = cve_table().map_err(table_error)?;
        table.kube(&self.cve).map(|_| ()).ok_or_else(|| {
            FieldError::new(
                &["cve"],
                format!(
                    "{} is not in the cves list of policies/data/k8s-cves.yaml",
                    self.cve
                ),
            )
        })
    }
}

/// Parameters of `cve-ingress-nginx-controller`: `{cve: CVE-…}` of the `ingress_nginx` list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngressNginxCveParams {
    pub cve: String,
}

impl TemplateParams for IngressNginxCveParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        let table = cve_table().map_err(table_error)?;
        table
            .ingress_nginx
            .iter()
            .any(|c| c.id == self.cve)
            .then_some(())
            .ok_or_else(|| {
                FieldError::new(
                    &["cve"],
                    format!(
                        "{} is not in the ingress_nginx list of policies/data/k8s-cves.yaml",
                        self.cve
                    ),
                )
            })
    }
}

/// Parameters of `cve-ingress-nginx-snippet`: the annotation keys that carry raw nginx
/// configuration (`nginx.ingress.kubernetes.io/server-snippet`, ...), at least one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnippetParams {
    pub annotations: Vec<String>,
}

impl TemplateParams for SnippetParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        if self.annotations.is_empty() {
            return Err(FieldError::new(
                &["annotations"],
                "expected at least one annotation key",
            ));
        }
        Ok(())
    }
}

/// How a target version stands against one CVE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// The target's patch release is affected; `fixed` is the first release with the fix
    /// (in a later line when no patch of this line fixes it).
    Affected { fixed: Release },
    /// No patch given, and some release of the line is affected: from `from` until `fixed`.
    Line { from: Release, fixed: Release },
}

/// How `version` stands against `cve` (`None`: not affected).
pub fn exposure(cve: &Cve, version: KubeVersion) -> Option<Exposure> {
    match version.patch {
        Some(p) => cve
            .range_of(Release::kube(version.minor, p))
            .map(|r| Exposure::Affected { fixed: r.fixed }),
        None => cve.range_in_line(version.minor).map(|r| Exposure::Line {
            from: r.introduced.max(Release::kube(version.minor, 0)),
            fixed: r.fixed,
        }),
    }
}

/// `fixed in v1.21.5`, or `not fixed in any v1.24 release: fixed in v1.25.16` when the fix is
/// in a later line.
fn fix_text(minor: u32, fixed: Release) -> String {
    if fixed.minor == minor && fixed.major == 1 {
        format!("fixed in {fixed}")
    } else {
        format!("no v1.{minor} patch release fixes it: fixed in {fixed}")
    }
}

/// How `version` is exposed, as a clause: `v1.21.3 is affected (fixed in v1.21.5)`.
fn exposure_text(version: KubeVersion, e: Exposure) -> String {
    match e {
        Exposure::Affected { fixed } => {
            format!("{version} is affected ({})", fix_text(version.minor, fixed))
        }
        Exposure::Line { from, fixed } => {
            let which = if from.patch == 0 {
                format!("{version} releases")
            } else {
                format!("{version} releases from {from}")
            };
            format!(
                "{which} are affected ({}); the patch release decides: give it as --kube-version 1.{}.P",
                fix_text(version.minor, fixed),
                version.minor
            )
        }
    }
}

/// The place a once-per-run finding is shown at: the first object of the bundle (there is
/// no manifest line for the target version itself).
fn first_object_place(cx: &BundleCx) -> Option<Place> {
    let first = cx.bundle.objects.iter().min_by_key(|e| e.at)?;
    Some(super::bundle::name_place(first))
}

/// With a patch release: the Kubernetes CVEs of the data that affect it, each with its fix,
/// and the release that fixes them all. With a minor version only: how many CVEs were fixed
/// in that line's patch releases (the patch level decides), and how many no patch of the
/// line fixes. Nothing when none apply. One finding per run, on the first object.
fn kube_version_cves(cx: &BundleCx, out: &mut BundleHits) {
    // Without a patch release nothing is known to apply: the engine says so in a note
    // ([`target_note`]) instead of failing the run on every bundle.
    if cx.version.patch.is_none() {
        return;
    }
    let Some(message) = version_message(cx.version) else {
        return;
    };
    let Some(at) = first_object_place(cx) else {
        return;
    };
    out.push(BundleHit {
        at,
        message,
        related: Vec::new(),
        fix: Vec::new(),
    });
}

/// The template of the once-per-run finding about the target release's known CVEs.
pub(crate) const TARGET_TEMPLATE: &str = "kube-version-cves";

/// The note of the run about the target's known CVEs, where the finding cannot say it:
/// - without a patch release (`1.29`): which known CVEs its patch releases fixed, and that
///   the patch release decides (`--kube-version 1.29.P`); nothing when none affects the line;
/// - with a patch release that no CVE of the data affects: that none is known, as of the
///   data's date, so that a clean result is not read as "no CVE" (a release newer than the
///   data has CVEs it cannot know; whether the release exists at all is the target-version
///   line's business, [`crate::support`], which the library's users call with a date).
pub(crate) fn target_note(version: KubeVersion) -> Option<String> {
    if version.patch.is_none() {
        return version_message(version).map(|m| format!("kube-version-cves: {m}"));
    }
    if version_message(version).is_some() {
        return None; // the finding says it
    }
    let as_of = &cve_table().ok()?.source.as_of;
    Some(format!(
        "kube-version-cves: no CVE of kubeharden's data (the official Kubernetes CVE feed as of {as_of}) affects Kubernetes {version}; CVEs published later, and every CVE of a release newer than the data, are not known"
    ))
}

/// The message about the known CVEs of `v`, or `None` when none applies.
fn version_message(v: KubeVersion) -> Option<String> {
    let Ok(table) = cve_table() else {
        return None; // refused when the catalogue loaded
    };
    let hits: Vec<(&Cve, Exposure)> = table
        .cves
        .iter()
        .filter_map(|c| exposure(c, v).map(|e| (c, e)))
        .collect();
    if hits.is_empty() {
        return None;
    }
    let as_of = &table.source.as_of;
    let fixed_of = |e: &Exposure| match *e {
        Exposure::Affected { fixed } | Exposure::Line { fixed, .. } => fixed,
    };
    let newest = hits
        .iter()
        .map(|(_, e)| fixed_of(e))
        .max()
        .unwrap_or(Release::kube(v.minor, 0));
    let later_line = hits
        .iter()
        .filter(|(_, e)| fixed_of(e).minor != v.minor)
        .count();
    let list: Vec<String> = hits
        .iter()
        .map(|(c, e)| {
            format!(
                "{} ({}: {}; {})",
                c.id,
                c.components.join(", "),
                c.summary,
                fix_text(v.minor, fixed_of(e))
            )
        })
        .collect();
    let message = match v.patch {
        Some(_) => {
            let upgrade = if later_line == 0 {
                format!("{newest} or a later patch release fixes all of them")
            } else {
                format!("{later_line} of them are fixed only in a later minor version: {newest} or later fixes all of them")
            };
            format!(
                "Kubernetes {v} has {} known CVE{} of the official Kubernetes CVE feed (data as of {as_of}): {}; {upgrade}",
                hits.len(),
                if hits.len() == 1 { "" } else { "s" },
                list.join("; ")
            )
        }
        None => {
            let in_line = hits.len() - later_line;
            let later = if later_line == 0 {
                String::new()
            } else {
                format!(
                    ", and {later_line} affect releases of v1.{} that no v1.{} patch fixes",
                    v.minor, v.minor
                )
            };
            format!(
                "the patch release of Kubernetes {v} decides which known CVEs apply (--kube-version 1.{}.P lists them): {in_line} CVE{} of the official Kubernetes CVE feed (data as of {as_of}) were fixed in v1.{} patch releases{later}, so {newest} or later has none of them: {}",
                v.minor,
                if in_line == 1 { "" } else { "s" },
                v.minor,
                list.join("; ")
            )
        }
    };
    Some(message)
}

/// `subPath` and `subPathExpr` mounts (containers, init and ephemeral containers) when the
/// target's kubelet is affected by the CVE (CVE-2021-25741: a symlink swapped into the
/// volume while the kubelet resolves the subPath mounts a host path;
/// https://github.com/kubernetes/kubernetes/issues/104980).
fn subpath_mount(cx: &PodCx, params: &KubeCveParams, out: &mut Vec<Hit>) {
    let Some(cve) = cve_table().ok().and_then(|t| t.kube(&params.cve)) else {
        return;
    };
    let Some(e) = exposure(cve, cx.version) else {
        return;
    };
    let doc = cx.pod.doc;
    for c in &cx.pod.containers {
        let Some(mounts) = doc.get(c.node, "volumeMounts") else {
            continue;
        };
        for &m in doc.items(mounts) {
            for key in ["subPath", "subPathExpr"] {
                let Some(node) = doc.get(m, key) else {
                    continue;
                };
                let Some(value) = doc.str(node).filter(|s| !s.is_empty()) else {
                    continue;
                };
                out.push(Hit::node(
                    node,
                    format!(
                        "{} mounts with {key} {value:?}: {} ({}) lets a container that can write to the volume swap in a symlink and reach the host filesystem (fixed in {}); {}",
                        c.label(),
                        cve.id,
                        cve.summary,
                        cve.fixed_list(),
                        exposure_text(cx.version, e)
                    ),
                ));
            }
        }
    }
}

/// `gitRepo` volumes: the kubelet runs `git` on the node for them, so a repository's hooks
/// ran outside the container on affected kubelets (CVE-2024-10220,
/// https://github.com/kubernetes/kubernetes/issues/128885), and on every version a pod can
/// clone another pod's local repository on the node (CVE-2025-1767, unfixed: the plugin is
/// deprecated; https://github.com/kubernetes/kubernetes/issues/130786). Reported at every
/// target for the second.
fn git_repo_volume(cx: &PodCx, params: &KubeCveParams, out: &mut Vec<Hit>) {
    let Some(cve) = cve_table().ok().and_then(|t| t.kube(&params.cve)) else {
        return;
    };
    let exposed = match exposure(cve, cx.version) {
        Some(e) => format!(
            "{} ({}, fixed in {}): {}",
            cve.id,
            cve.summary,
            cve.fixed_list(),
            exposure_text(cx.version, e)
        ),
        None => format!(
            "{} (command execution through the repository's hooks) is fixed at {} (fixed in {})",
            cve.id,
            cx.version,
            cve.fixed_list()
        ),
    };
    for v in &cx.pod.volumes {
        let Some(source) = v.sources.iter().find(|s| s.value == "gitRepo") else {
            continue;
        };
        out.push(Hit::node(
            source.node,
            format!(
                "{} is a gitRepo volume, which the kubelet clones by running git on the node: {exposed}; and CVE-2025-1767, unfixed in every version, lets it read other pods' local repositories on the node",
                v.label()
            ),
        ));
    }
}

/// Who the object is, for messages: `Service shop/web`.
fn who(kind: &str, namespace: Option<&str>, name: Option<&str>) -> String {
    let name = name.unwrap_or("(unnamed)");
    match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

/// A core/v1 Service with a non-empty `spec.externalIPs`: whoever can create one can
/// intercept the cluster's traffic to those addresses (CVE-2020-8554, every version, no
/// patch by design; https://github.com/kubernetes/kubernetes/issues/97076). The mitigation is
/// admission: the DenyServiceExternalIPs admission plugin (v1.21+) or an allow-list policy.
fn service_external_ips(cx: &DocCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for o in &cx.model.objects {
        if o.kind != "Service" || !crate::bundle::api_group(o.api_version).is_empty() {
            continue;
        }
        let doc = o.doc;
        let Some(ips) = doc.get_path(o.root, &["spec", "externalIPs"]) else {
            continue;
        };
        let listed: Vec<&str> = doc.items(ips).iter().filter_map(|&i| doc.str(i)).collect();
        if listed.is_empty() {
            continue;
        }
        out.push(Hit::node(
            ips,
            format!(
                "{} sets spec.externalIPs {listed:?}: CVE-2020-8554 (man in the middle through externalIPs) affects every Kubernetes version and has no fix by design: kube-proxy sends the cluster's traffic for those addresses to this Service, so whoever can create Services can intercept it; restrict externalIPs by admission (the DenyServiceExternalIPs admission plugin, v1.21+, or an allow-list policy)",
                who("Service", o.namespace, o.name)
            ),
        ));
    }
}

fn service_external_ips_check(cx: &DocCx<'_, '_>, out: &mut Vec<Hit>) {
    service_external_ips(cx, &NoParams {}, out);
}

/// Ingress annotations that hand raw nginx configuration to ingress-nginx: whoever can write
/// an Ingress can read the controller's ServiceAccount token and, with it, every Secret
/// (CVE-2021-25742, https://github.com/kubernetes/ingress-nginx/issues/7837). No release fixes
/// it by upgrading alone: v0.49.1 and v1.0.1 added `allow-snippet-annotations`, to be set
/// `"false"` in the controller's ConfigMap (the default from v1.9.0, kubernetes/ingress-nginx
/// #10393). The bundle's ConfigMaps that set it are read: when every one says `"false"`, the
/// controllers the bundle configures ignore the annotations and nothing is reported; one that
/// says `"true"` is named as a related location.
fn ingress_nginx_snippet(cx: &BundleCx, out: &mut BundleHits) {
    let params = cx.rule.typed_params.get::<SnippetParams>();
    let bundle = cx.bundle;
    let mut allowing = Vec::new();
    let mut refusing = 0;
    for e in bundle.of_kind("", "ConfigMap") {
        let doc = e.object.doc;
        let Some(node) = doc.get_path(e.object.root, &["data", "allow-snippet-annotations"]) else {
            continue;
        };
        match doc.str(node).map(str::trim) {
            Some("false") => refusing += 1,
            Some(_) => allowing.push((
                Place {
                    doc: e.at.doc,
                    loc: super::Loc::Node(node),
                },
                format!(
                    "ConfigMap {} allows snippet annotations",
                    who_name(e.object.namespace, e.object.name)
                ),
            )),
            None => {}
        }
    }
    if allowing.is_empty() && refusing > 0 {
        return;
    }
    let context = if allowing.is_empty() {
        "the bundle has no ConfigMap that sets allow-snippet-annotations (ingress-nginx from v1.9.0 defaults it to \"false\", earlier releases to \"true\")"
    } else {
        "the bundle's ingress-nginx ConfigMap allows them"
    };
    let ingresses = bundle
        .of_kind("networking.k8s.io", "Ingress")
        .chain(bundle.of_kind("extensions", "Ingress"));
    let mut found: Vec<_> = ingresses
        .flat_map(|e| {
            e.object
                .annotations
                .iter()
                .filter(|(k, _)| params.annotations.iter().any(|a| a == k.value))
                .map(move |(k, v)| (e, k.value, v.node))
        })
        .collect();
    found.sort_by_key(|(e, _, node)| (e.at, *node));
    for (e, key, node) in found {
        out.push(BundleHit {
            at: Place {
                doc: e.at.doc,
                loc: super::Loc::Node(node),
            },
            message: format!(
                "{} sets {}: CVE-2021-25742 (ingress-nginx custom snippets) lets whoever can write an Ingress inject nginx configuration that reads the controller's ServiceAccount token and every Secret it can see (by default all); no release fixes it by upgrading alone: ingress-nginx v0.49.1, v1.0.1 and later ignore these annotations with allow-snippet-annotations: \"false\" in the controller ConfigMap, and {context}",
                who("Ingress", e.object.namespace, e.object.name),
                key
            ),
            related: allowing.clone(),
            fix: Vec::new(),
        });
    }
}

fn who_name(namespace: Option<&str>, name: Option<&str>) -> String {
    let name = name.unwrap_or("(unnamed)");
    match namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// Repository paths of the ingress-nginx controller image (registry.k8s.io, the frozen
/// k8s.gcr.io and mirrors keep the path), and the pre-1.0 quay.io name.
fn is_ingress_nginx_controller(path: &str) -> bool {
    path.ends_with("ingress-nginx/controller")
        || path.ends_with("ingress-nginx/controller-chroot")
        || path == "kubernetes-ingress-controller/nginx-ingress-controller"
        || path.ends_with("/kubernetes-ingress-controller/nginx-ingress-controller")
}

/// A container running an ingress-nginx controller release affected by the CVE
/// (CVE-2025-1974: unauthenticated code execution through the admission webhook;
/// https://github.com/kubernetes/kubernetes/issues/131009). The release is read from the
/// tag (`v1.11.4`); a digest-only or non-release tag cannot be judged and is skipped.
fn ingress_nginx_controller(cx: &PodCx, params: &IngressNginxCveParams, out: &mut Vec<Hit>) {
    let Some(cve) = cve_table()
        .ok()
        .and_then(|t| t.ingress_nginx.iter().find(|c| c.id == params.cve))
    else {
        return;
    };
    for c in &cx.pod.containers {
        let Some(image) = c.image else { continue };
        let Ok(r) = super::images::ImageRef::parse(image.value.trim()) else {
            continue;
        };
        if !is_ingress_nginx_controller(r.path) {
            continue;
        }
        let Some(release) = r.tag.and_then(|t| Release::parse(t).ok()) else {
            continue;
        };
        let Some(range) = cve.range_of(release) else {
            continue;
        };
        out.push(Hit::node(
            image.node,
            format!(
                "{} runs the ingress-nginx controller {release}, affected by {} ({}, {}): fixed in {} (the next fixed release: {}); until the upgrade, disable the controller's validating admission webhook or allow only the API server to reach it",
                c.label(),
                cve.id,
                cve.summary,
                cve.cvss.as_deref().unwrap_or("no CVSS vector"),
                cve.fixed_list(),
                range.fixed
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_clean_patch_release_is_said_to_be_clean_as_of_the_data() {
        let v = |s: &str| s.parse::<crate::version::KubeVersion>().unwrap();
        // A release with known CVEs: the finding says it, not the note.
        assert_eq!(target_note(v("1.29.3")), None);
        let n = target_note(v("1.31.0")).unwrap();
        assert!(
            n.contains("as of 2024-08-16") && n.contains("CVEs published later"),
            "{n}"
        );
        // A release newer than the data (1.32.0 came after 2024-08-16) has no known CVE here.
        assert!(target_note(v("1.32.0"))
            .unwrap()
            .contains("every CVE of a release newer than the data"));
        assert!(target_note(v("1.29"))
            .unwrap()
            .contains("the patch release of Kubernetes v1.29 decides"));
    }

    use super::*;

    fn kv(s: &str) -> KubeVersion {
        s.parse().unwrap()
    }

    #[test]
    fn the_data_file_loads() {
        let t = cve_table().unwrap();
        assert!(t.cves.len() >= 40);
        assert!(t.kube("CVE-2018-1002105").is_some());
    }

    #[test]
    fn a_patch_release_is_affected_inside_a_range_only() {
        let t = cve_table().unwrap();
        let c = t.kube("CVE-2018-1002105").unwrap();
        assert_eq!(
            exposure(c, kv("1.12.2")),
            Some(Exposure::Affected {
                fixed: Release::kube(12, 3)
            })
        );
        assert_eq!(exposure(c, kv("1.12.3")), None);
        assert_eq!(exposure(c, kv("1.13.0")), None);
        assert!(matches!(
            exposure(c, kv("1.12")),
            Some(Exposure::Line { .. })
        ));
        assert_eq!(exposure(c, kv("1.13")), None);
    }

    #[test]
    fn the_subpath_advisory_wins_over_the_feed() {
        let c = cve_table().unwrap().kube("CVE-2021-25741").unwrap();
        assert!(
            exposure(c, kv("1.22.1")).is_some(),
            "the advisory lists v1.22.1 as affected"
        );
        assert_eq!(exposure(c, kv("1.22.2")), None);
        assert_eq!(exposure(c, kv("1.19.15")), None);
        assert!(exposure(c, kv("1.19.14")).is_some());
    }

    #[test]
    fn a_fix_in_a_later_line_is_named() {
        // CVE-2023-5528: introduced 1.8.0, fixed 1.25.16, then per line from 1.26.
        let c = cve_table().unwrap().kube("CVE-2023-5528").unwrap();
        let e = exposure(c, kv("1.24.3")).unwrap();
        assert_eq!(
            e,
            Exposure::Affected {
                fixed: Release::kube(25, 16)
            }
        );
        assert!(exposure_text(kv("1.24.3"), e).contains("no v1.24 patch release fixes it"));
    }

    #[test]
    fn releases_parse_and_order() {
        assert_eq!(
            Release::parse("0").unwrap(),
            Release {
                major: 0,
                minor: 0,
                patch: 0
            }
        );
        assert!(Release::parse("v1.11.4").unwrap() < Release::parse("1.11.5").unwrap());
        assert!(Release::parse("1.9.10").unwrap() > Release::parse("1.9.4").unwrap());
        for bad in ["", "1..2", "1.2.3.4", "latest", "1.2-beta"] {
            assert!(Release::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_table_refuses_bad_ranges() {
        let head = "source: {feed: f, osv: o, osv_commit: c, as_of: \"2024-01-01\"}\ningress_nginx: []\ncves:\n";
        let entry = |affected: &str| {
            format!("{head}  - {{id: CVE-2020-1, summary: s, published: p, url: u, from: osv, affected: [{affected}]}}\n")
        };
        assert!(CveTable::parse(&entry("{introduced: \"0\", fixed: \"1.2.3\"}")).is_ok());
        let e = CveTable::parse(&entry("{introduced: \"1.3.0\", fixed: \"1.2.3\"}")).unwrap_err();
        assert!(e.contains("is empty"), "{e}");
        let e = CveTable::parse(&entry(
            "{introduced: \"0\", fixed: \"1.3.3\"}, {introduced: \"1.3.0\", fixed: \"1.3.5\"}",
        ))
        .unwrap_err();
        assert!(e.contains("overlaps"), "{e}");
        let e = CveTable::parse(&entry("")).unwrap_err();
        assert!(e.contains("no affected range"), "{e}");
    }

    #[test]
    fn ingress_nginx_images_are_recognised() {
        assert!(is_ingress_nginx_controller("ingress-nginx/controller"));
        assert!(is_ingress_nginx_controller(
            "mirror/ingress-nginx/controller-chroot"
        ));
        assert!(is_ingress_nginx_controller(
            "kubernetes-ingress-controller/nginx-ingress-controller"
        ));
        assert!(!is_ingress_nginx_controller("nginx/nginx-ingress"));
        assert!(!is_ingress_nginx_controller(
            "bitnami/nginx-ingress-controller"
        ));
    }
}
