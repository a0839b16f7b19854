//! The lesson file format (`lessons/<id>.yaml`), parsed with unknown fields refused and
//! validated when loaded; errors name the file, line, column and field.

use serde::Deserialize;

use crate::catalogue::Catalogue;
use crate::diagnostic::Severity;
use crate::engine::{Options, Profile};
use crate::rules::{self, FieldError};
use crate::source::Source;
use crate::version::KubeVersion;

/// The three pillars of the catalogue, as a workshop names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pillar {
    SecurityControls,
    MetadataConcealment,
    Updates,
}

impl Pillar {
    pub const ALL: [Pillar; 3] = [
        Pillar::SecurityControls,
        Pillar::MetadataConcealment,
        Pillar::Updates,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::SecurityControls => "security-controls",
            Pillar::MetadataConcealment => "metadata-concealment",
            Pillar::Updates => "updates",
        }
    }

    /// The heading a list shows: "Security controls".
    pub fn title(self) -> &'static str {
        match self {
            Pillar::SecurityControls => "Security controls",
            Pillar::MetadataConcealment => "Metadata concealment",
            Pillar::Updates => "Updates",
        }
    }
}

/// One manifest file of a lesson: its name (what `lesson start` writes, what the
/// findings show) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    pub name: String,
    pub text: String,
}

/// A line of a starting file a hint points at (1-based).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct HintLine {
    /// The starting file's name; the first file when absent.
    #[serde(default)]
    pub file: Option<String>,
    pub line: usize,
}

/// One hint, revealed on request, in order.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hint {
    pub text: String,
    /// The rule the hint is about (`kubeharden explain RULE`).
    #[serde(default)]
    pub rule: Option<String>,
    /// The place in the starting manifest the hint is about.
    #[serde(default)]
    pub at: Option<HintLine>,
}

/// An object of the lesson, by kind, name and namespace (absent: written without one).
/// The API group is not part of it, so a migration to another group keeps the object.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectSel {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
}

impl std::fmt::Display for ObjectSel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// `quiet`: these rules report nothing on these objects (suppressed findings count: a
/// suppression is not a fix), and each object exists. Without `on`, they report
/// nothing anywhere in the bundle (for an object the lesson replaces; pair it with a
/// `keep` or `can` guard).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuietCheck {
    pub rules: Vec<String>,
    #[serde(default)]
    pub on: Vec<ObjectSel>,
}

/// `writable_mount`: container `container` of the object mounts an `emptyDir` volume
/// at `path`, not read-only (the place a read-only root filesystem leaves writable).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MountCheck {
    pub object: ObjectSel,
    pub container: String,
    pub path: String,
}

/// What a `keep` guard lets the learner change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Allow {
    /// Any image may change.
    Images,
    /// The image's registry host, tag and digest may change; its repository path may
    /// not (`nginx:latest` → `docker.io/library/nginx:1.27@sha256:…`).
    ImageReferences,
    /// Container and Service ports may change.
    Ports,
    /// The API version may change (a migration); the kind and name may not.
    ApiVersion,
}

/// `keep`: the object still exists in the learner's manifests, with the containers
/// (names, images, ports) and Service ports of the starting manifest, unless `allow`ed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeepCheck {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub allow: Vec<Allow>,
}

impl KeepCheck {
    /// The object kept.
    pub fn object(&self) -> ObjectSel {
        ObjectSel {
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

/// Who a `can` condition asks about, as an RBAC binding names a subject.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectSel {
    /// `ServiceAccount`, `User` or `Group`.
    pub kind: String,
    pub name: String,
    /// A ServiceAccount's namespace (required for one, refused for the others).
    #[serde(default)]
    pub namespace: Option<String>,
}

impl std::fmt::Display for SubjectSel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

fn yes() -> bool {
    true
}

/// `can`: the RBAC authorizer allows (`allowed: true`, the default) or denies
/// (`allowed: false`) the subject `verb` on `resource` of API group `group` (`""`, the
/// core group, when absent) in `namespace` (absent: a cluster-wide request), as
/// [`crate::access::Access::can`] decides it over the learner's manifests and the API
/// server's bootstrap roles: through the bindings that name the subject (a Role nobody
/// is bound to grants nothing; a RoleBinding grants only in its namespace).
///
/// `namespace: "*"` (with `allowed: false` only) asks in every namespace but
/// `except_namespaces`: in each namespace a binding, Namespace or other object of the
/// learner's manifests names, in `kube-system`, in a namespace no manifest names (what a
/// ClusterRoleBinding grants everywhere) and cluster-wide. That is every namespace where
/// the answer can differ, since a RoleBinding grants only in its own namespace
/// (<https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding>).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CanCheck {
    #[serde(rename = "as")]
    pub subject: SubjectSel,
    pub verb: String,
    #[serde(default)]
    pub group: String,
    /// `pods`, or a subresource as `pods/log`.
    pub resource: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// With `namespace: "*"`: the namespaces not asked about (where the workload may
    /// hold the grant).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except_namespaces: Vec<String>,
    #[serde(default = "yes")]
    pub allowed: bool,
}

/// The `namespace` of a `can` condition that stands for every namespace.
pub const EVERY_NAMESPACE: &str = "*";

/// One end of a `reach` condition: a workload of the bundle (`kind`, `name`,
/// `namespace`) or a place outside it (`outside`: `internet` (some public address),
/// `every-public-ipv4-address`, `metadata` (169.254.169.254, TCP 80), `metadata-v6`,
/// `kubelet` (TCP 10250), `dns` (the kube-dns pods, UDP 53); as a source only
/// `internet`), or, as a source only, a pod that is not in the manifests (`labels` and
/// `namespace`, no kind or name: "a pod labelled `app: api` in namespace `other`"),
/// judged at the destination's ingress alone since its own egress policies are not in
/// the manifests ([`crate::access::Reach::ingress_from`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReachEnd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<String>,
    /// As a destination only: an IP address outside the cluster's pods (`10.0.0.1` of
    /// the private network, `169.254.170.23` of link-local), judged at the source's
    /// egress alone (no ingress policy stands before it): a rule without peers, or an
    /// `ipBlock` holding it outside its `except`s, allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The labels of a pod not in the manifests (with `namespace`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
}

impl ReachEnd {
    /// The workload it names, if it names one.
    pub fn object(&self) -> Option<ObjectSel> {
        Some(ObjectSel {
            kind: self.kind.clone()?,
            name: self.name.clone()?,
            namespace: self.namespace.clone(),
        })
    }
}

impl std::fmt::Display for ReachEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.object(), &self.outside, &self.labels) {
            (Some(o), _, _) => write!(f, "{o}"),
            (None, Some(o), _) => write!(f, "{o}"),
            (None, None, _) if self.address.is_some() => {
                write!(f, "address {}", self.address.as_deref().unwrap_or(""))
            }
            (None, None, Some(labels)) => {
                let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let labels = if labels.is_empty() {
                    "a pod without labels".to_string()
                } else {
                    format!("a pod labelled {}", labels.join(","))
                };
                match &self.namespace {
                    Some(ns) => write!(f, "{labels} in namespace {ns}"),
                    None => write!(f, "{labels}"),
                }
            }
            (None, None, None) => f.write_str("(nothing)"),
        }
    }
}

/// `reach`: traffic from `from` to `to` on `protocol`/`port` (any port when absent; an
/// outside destination other than the internet has its own port) is allowed
/// (`allowed: true`, the default) or denied, by the NetworkPolicies of the learner's
/// manifests, as [`crate::access::Reach::answer`] decides it (the source's egress
/// **and** the destination's ingress, every policy selecting each). An answer the
/// manifests cannot decide meets neither. `every-public-ipv4-address` as `to` needs every
/// public address allowed, not just some.
///
/// `any_port: true` (with `allowed: false`, no `protocol` or `port`) asks about every port
/// and protocol but `except_ports`, even toward an outside place that has its own port
/// (the metadata address on 8080 is still the metadata address): the traffic must be
/// denied on each. The ports asked are every port number, range end and neighbour of an
/// excepted port that a NetworkPolicy or container of the manifests names, and a port
/// none names, for TCP, UDP and SCTP; a port a rule allows outside them is allowed by a
/// rule that allows one of them too.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReachCheck {
    pub from: ReachEnd,
    pub to: ReachEnd,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub any_port: bool,
    /// With `any_port`: the ports the traffic may use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except_ports: Vec<PortSel>,
    #[serde(default = "yes")]
    pub allowed: bool,
}

/// A port and its protocol (`{protocol: TCP, port: 443}`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PortSel {
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    pub port: u16,
}

impl std::fmt::Display for PortSel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.port, self.protocol)
    }
}

/// `no_token`: the pods of the object get no Kubernetes API credential: the
/// ServiceAccount token is not automounted (the pod's `automountServiceAccountToken`,
/// else its ServiceAccount's, else `true`: plugin/pkg/admission/serviceaccount/
/// admission.go `shouldAutomount`), no `projected` volume has a `serviceAccountToken`
/// source, and no volume, `env` or `envFrom` reads a Secret of the bundle of type
/// `kubernetes.io/service-account-token` or a Secret the bundle does not define (its type
/// is unknown, so it may be one).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoTokenCheck {
    pub object: ObjectSel,
}

/// A host directory a `host_paths` condition lets the pods mount.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct HostPathAllow {
    /// An absolute path: it and what is below it, by path segment (`/var/log` allows
    /// `/var/log/pods`, not `/var/logs`).
    pub path: String,
    /// Every container mount of such a volume must be `readOnly: true`.
    #[serde(default)]
    pub read_only: bool,
}

/// `host_paths`: every `hostPath` volume of the object's pods is at or below an
/// allowed path (compared by segment after removing `.` and empty segments; a path
/// with `..` is allowed by nothing), and mounted read-only where that path says so
/// (a volumeMount is writable unless `readOnly: true`). The prefix semantics are
/// PodSecurityPolicy's `allowedHostPaths` (pkg/security/podsecuritypolicy/util
/// `hasPathPrefix`), whose docs warn that a writable host mount can be used to escape.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct HostPathCheck {
    pub object: ObjectSel,
    #[serde(default)]
    pub allow: Vec<HostPathAllow>,
}

/// `egress`: a NetworkPolicy still allows egress on this port (an egress rule without
/// ports, or one that lists it), to any peer it names.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct EgressCheck {
    pub policy: ObjectSel,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    pub port: u16,
    /// An IP address the rule must reach (`203.0.113.10`: "the internet"): a rule without
    /// `to`, or with an `ipBlock` holding it outside its `except`s. Absent: any peer.
    #[serde(default)]
    pub to: Option<String>,
}

/// `field`: the value at an RFC 6901 pointer of the object equals `equals`, is a string
/// that starts with one of `starts_with`, equals one of `one_of` (where `null` stands for
/// "not set", for a field whose API default is the value wanted: a CronJob's `suspend`),
/// or (`target_version: true`) names the lesson's `kube_version` as a Pod Security
/// Admission `<mode>-version` label does: not set (read as `latest`), `latest`, or
/// `v1.NN` of that version (staging/src/k8s.io/pod-security-admission/api
/// `ParseVersion`; <https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces>).
/// Exactly one of the four; a last resort, for what no rule expresses: a migrated
/// Ingress still routes `/` of its host to its Service, a pinned image still comes from
/// its registry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldCheck {
    pub object: ObjectSel,
    /// From the object's root: `/spec/rules/0/http/paths/0/backend/service/name`; with
    /// `container`, from that container.
    pub pointer: String,
    /// The name of a container of the object's pods (init, app or ephemeral): the
    /// pointer starts at it (`/image`), wherever it is in the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    /// Accepted prefixes of a string value (`registry.k8s.io/pause:`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    /// Accepted values; `null`: not set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub target_version: bool,
}

/// `container_setting`: for every container of the object's pods (init, app and
/// ephemeral), the value at `pointer` of the container, or where the container does not
/// set it the value at the same pointer of the pod spec, equals `equals`. This is how a
/// container's `securityContext` overrides the pod's (`seccompProfile`, `runAsNonRoot`,
/// `runAsUser`, `seLinuxOptions`, `appArmorProfile`: "the container's setting takes
/// precedence", k8s.io/api core/v1 `SecurityContext`; the kubelet's
/// `pkg/securitycontext` `DetermineEffectiveSecurityContext`). A value set nowhere is
/// unmet.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSettingCheck {
    pub object: ObjectSel,
    /// From the container and from the pod spec: `/securityContext/seccompProfile/type`.
    pub pointer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    /// Instead of `equals`: a whole number from the first to the second, inclusive
    /// (`runAsUser: [1, 2147483647]`: set, not root, and what the API server accepts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between: Option<[i64; 2]>,
}

/// The `outside` of a `reach` destination that stands for every public address.
pub const EVERY_PUBLIC_ADDRESS: &str = "every-public-ipv4-address";

/// One condition of a lesson's success check; all must hold.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SuccessCheck {
    Quiet(QuietCheck),
    Keep(KeepCheck),
    Can(CanCheck),
    Reach(ReachCheck),
    NoToken(NoTokenCheck),
    HostPaths(HostPathCheck),
    Egress(EgressCheck),
    WritableMount(MountCheck),
    Field(FieldCheck),
    ContainerSetting(ContainerSettingCheck),
    /// No finding at or above this severity that the starting manifest did not have
    /// (by rule and object).
    NoNewFindings(#[serde(deserialize_with = "severity")] Severity),
}

/// A reference: a rule of the catalogue (`rule: ID`, its `kubeharden explain` page) or
/// a web page (`url` and `title`); validated to be one or the other.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// One lesson, validated (see [`crate::lessons::Lessons::load`]).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Stable (the progress key); the file is `lessons/<id>.yaml`.
    pub id: String,
    pub title: String,
    pub pillar: Pillar,
    /// 1 (introduction) to 4 (expert).
    pub level: u8,
    /// Estimated minutes.
    pub minutes: u16,
    /// Lessons to do first (ids).
    #[serde(default)]
    pub requires: Vec<String>,
    /// The profile the check runs at [default: all].
    #[serde(default = "all", deserialize_with = "profile")]
    #[serde(serialize_with = "profile_out")]
    pub profile: Profile,
    /// The target Kubernetes version, `1.NN` [default: latest].
    #[serde(default, serialize_with = "version_out")]
    pub kube_version: KubeVersion,
    /// The situation, in prose (Markdown).
    #[serde(default)]
    pub story: String,
    /// What to achieve (Markdown).
    pub goal: String,
    pub start: Vec<LessonFile>,
    pub hints: Vec<Hint>,
    pub success: Vec<SuccessCheck>,
    /// Shown on success: why it matters, what an attacker could have done (Markdown).
    pub explanation: String,
    pub references: Vec<Reference>,
    /// The reference solution: the same files, fixed.
    pub solution: Vec<LessonFile>,
}

fn all() -> Profile {
    Profile::All
}

fn parsed<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr<Err = String>,
{
    String::deserialize(d)?
        .parse()
        .map_err(serde::de::Error::custom)
}

fn severity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    parsed(d)
}

fn profile<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Profile, D::Error> {
    parsed(d)
}

fn profile_out<S: serde::Serializer>(p: &Profile, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

fn version_out<S: serde::Serializer>(v: &KubeVersion, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

impl Lesson {
    /// The engine options the success check runs with.
    pub fn options(&self) -> Options {
        Options {
            profile: self.profile,
            version: self.kube_version,
            ..Options::default()
        }
    }

    /// The starting files as engine sources.
    pub fn start_sources(&self) -> Vec<Source> {
        sources(&self.start)
    }

    /// The reference solution as engine sources.
    pub fn solution_sources(&self) -> Vec<Source> {
        sources(&self.solution)
    }

    /// The learner's files as engine sources, for [`crate::lessons::Checker::evaluate`]:
    /// each starting file in the lesson's order, with the text `edited` holds for its name
    /// or else its starting text (names the lesson does not have are ignored). This is
    /// how a kept or imported progress (the playground's `files` by name) is checked
    /// again rather than trusted.
    pub fn learner_sources(
        &self,
        edited: &std::collections::BTreeMap<String, String>,
    ) -> Vec<Source> {
        self.start
            .iter()
            .map(|f| {
                let text = edited.get(&f.name).unwrap_or(&f.text);
                Source::new(f.name.clone(), text.clone())
            })
            .collect()
    }

    /// Every rule id the lesson names: in hints, `quiet` checks and references.
    pub fn rule_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        ids.extend(self.hints.iter().filter_map(|h| h.rule.as_deref()));
        for c in &self.success {
            if let SuccessCheck::Quiet(q) = c {
                ids.extend(q.rules.iter().map(String::as_str));
            }
        }
        ids.extend(self.references.iter().filter_map(|r| r.rule.as_deref()));
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

fn sources(files: &[LessonFile]) -> Vec<Source> {
    files
        .iter()
        .map(|f| Source::new(f.name.clone(), f.text.clone()))
        .collect()
}

/// Parse and validate one lesson file, shown as `path` in errors (`lessons/<name>` for a
/// built-in one); its file name must be `<id>.yaml`. Errors are complete lines
/// (`<path>:<line>:<column>: <field path>: <message>`, [`crate::datafile::read`]).
pub(super) fn parse(path: &str, text: &str) -> Result<Lesson, Vec<String>> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    crate::datafile::read(path, text, "lesson file", |json| {
        let lesson: Lesson = rules::deserialize(json).map_err(|e| vec![e])?;
        let errors = validate(&lesson, name);
        if errors.is_empty() {
            Ok(lesson)
        } else {
            Err(errors)
        }
    })
}

/// The checks the types cannot express.
fn validate(l: &Lesson, name: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let catalogue = Catalogue::builtin();
    let mut err = |path: &[&str], index: Option<usize>, message: String| {
        let e = FieldError::new(path, message);
        errors.push(match index {
            Some(i) => e.item(i),
            None => e,
        });
    };
    if format!("{}.yaml", l.id) != name {
        err(
            &["id"],
            None,
            format!("lesson id {:?} must match its file name", l.id),
        );
    }
    if !l
        .id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        err(
            &["id"],
            None,
            "use lower-case letters, digits and `-`".into(),
        );
    }
    for (key, value) in [
        ("title", &l.title),
        ("goal", &l.goal),
        ("explanation", &l.explanation),
    ] {
        if value.trim().is_empty() {
            err(&[key], None, "must not be empty".into());
        }
    }
    if !(1..=4).contains(&l.level) {
        err(
            &["level"],
            None,
            format!("{} is not a level from 1 to 4", l.level),
        );
    }
    if l.minutes == 0 || l.minutes > 120 {
        err(
            &["minutes"],
            None,
            format!("{} is not 1 to 120 minutes", l.minutes),
        );
    }
    if l.kube_version > KubeVersion::LATEST {
        err(
            &["kube_version"],
            None,
            format!("newer than the catalogue knows ({})", KubeVersion::LATEST),
        );
    }
    for (key, files) in [("start", &l.start), ("solution", &l.solution)] {
        if files.is_empty() {
            err(&[key], None, "needs at least one file".into());
        }
        for (i, f) in files.iter().enumerate() {
            let bad_name = f.name.is_empty()
                || f.name.starts_with('.')
                || f.name.contains(['/', '\\'])
                || !(f.name.ends_with(".yaml") || f.name.ends_with(".yml"));
            if bad_name {
                err(
                    &[key],
                    Some(i),
                    format!("file name {:?} must be a plain *.yaml name", f.name),
                );
            }
            if files[..i].iter().any(|g| g.name == f.name) {
                err(
                    &[key],
                    Some(i),
                    format!("file {:?} is listed twice", f.name),
                );
            }
        }
    }
    let solution_names: Vec<&str> = l.solution.iter().map(|f| f.name.as_str()).collect();
    let start_names: Vec<&str> = l.start.iter().map(|f| f.name.as_str()).collect();
    if solution_names != start_names {
        err(
            &["solution"],
            None,
            format!("must hold the starting files {start_names:?}, in order"),
        );
    }
    let known = |id: &str| catalogue.get(id).is_some();
    if l.hints.is_empty() {
        err(&["hints"], None, "needs at least one hint".into());
    }
    for (i, h) in l.hints.iter().enumerate() {
        if h.text.trim().is_empty() {
            err(&["hints"], Some(i), "hint text must not be empty".into());
        }
        if let Some(rule) = h.rule.as_deref().filter(|r| !known(r)) {
            err(
                &["hints"],
                Some(i),
                format!("no rule {rule:?} in the catalogue"),
            );
        }
        if let Some(hl) = &h.at {
            let file = match &hl.file {
                Some(n) => l.start.iter().find(|f| &f.name == n),
                None => l.start.first(),
            };
            match file {
                None => err(
                    &["hints"],
                    Some(i),
                    format!("no starting file {:?}", hl.file),
                ),
                Some(f) if hl.line == 0 || hl.line > f.text.lines().count() => err(
                    &["hints"],
                    Some(i),
                    format!("{} has no line {}", f.name, hl.line),
                ),
                Some(_) => {}
            }
        }
    }
    if l.success.is_empty() {
        err(&["success"], None, "needs at least one condition".into());
    }
    let engine = crate::engine::Engine::new(l.options());
    let runs = |id: &str| engine.rules().any(|r| r.id == id);
    let mut quiet = false;
    let mut guarded = false;
    for (i, c) in l.success.iter().enumerate() {
        match c {
            SuccessCheck::Quiet(q) => {
                quiet = true;
                if q.rules.is_empty() {
                    err(&["success"], Some(i), "quiet needs rules".into());
                }
                for r in &q.rules {
                    if !known(r) {
                        err(
                            &["success"],
                            Some(i),
                            format!("no rule {r:?} in the catalogue"),
                        );
                    } else if !runs(r) {
                        err(
                            &["success"],
                            Some(i),
                            format!(
                                "rule {r:?} does not run at profile {} and {}",
                                l.profile.as_str(),
                                l.kube_version
                            ),
                        );
                    }
                }
            }
            SuccessCheck::Keep(_) => guarded = true,
            SuccessCheck::Can(c) => {
                let sa = c.subject.kind == "ServiceAccount";
                if !["ServiceAccount", "User", "Group"].contains(&c.subject.kind.as_str()) {
                    err(
                        &["success"],
                        Some(i),
                        "can asks as a ServiceAccount, User or Group".into(),
                    );
                }
                if sa != c.subject.namespace.is_some() {
                    err(
                        &["success"],
                        Some(i),
                        "a ServiceAccount (and only one) has a namespace".into(),
                    );
                }
                let every = c.namespace.as_deref() == Some(EVERY_NAMESPACE);
                if every && c.allowed {
                    err(
                        &["success"],
                        Some(i),
                        "can in namespace \"*\" asks that a grant is in no namespace: it needs allowed: false".into(),
                    );
                }
                if !every && !c.except_namespaces.is_empty() {
                    err(
                        &["success"],
                        Some(i),
                        "except_namespaces goes with namespace: \"*\"".into(),
                    );
                }
            }
            SuccessCheck::Reach(r) => {
                if r.from.labels.is_some()
                    && (r.from.kind.is_some()
                        || r.from.name.is_some()
                        || r.from.outside.is_some()
                        || r.from.namespace.is_none()
                        || r.to.object().is_none())
                {
                    err(
                        &["success"],
                        Some(i),
                        "reach from a pod not in the manifests: `labels` and `namespace` only, toward a workload".into(),
                    );
                }
                if r.to.labels.is_some() {
                    err(
                        &["success"],
                        Some(i),
                        "reach to: `labels` (a pod not in the manifests) is a source only".into(),
                    );
                }
                if r.any_port
                    && (r.allowed
                        || r.port.is_some()
                        || r.to.outside.as_deref() == Some(EVERY_PUBLIC_ADDRESS))
                {
                    err(
                        &["success"],
                        Some(i),
                        "reach with any_port asks for a denial (allowed: false), without protocol and port, toward a workload or an outside place other than every-public-ipv4-address".into(),
                    );
                }
                if !r.any_port && !r.except_ports.is_empty() {
                    err(
                        &["success"],
                        Some(i),
                        "except_ports goes with any_port: true".into(),
                    );
                }
                for p in &r.except_ports {
                    if !["TCP", "UDP", "SCTP"].contains(&p.protocol.as_str()) {
                        err(
                            &["success"],
                            Some(i),
                            format!("except_ports: {p}: the protocol is TCP, UDP or SCTP"),
                        );
                    }
                }
                if let Some(a) = &r.from.address {
                    err(
                        &["success"],
                        Some(i),
                        format!("reach from: address {a:?} is a destination only"),
                    );
                }
                if let Some(a) = &r.to.address {
                    let alone = r.to.kind.is_none()
                        && r.to.name.is_none()
                        && r.to.namespace.is_none()
                        && r.to.outside.is_none()
                        && r.to.labels.is_none();
                    if a.parse::<core::net::IpAddr>().is_err()
                        || !alone
                        || r.from.object().is_none()
                    {
                        err(
                            &["success"],
                            Some(i),
                            format!(
                                "reach to: address {a:?}: an IP address alone, from a workload"
                            ),
                        );
                    }
                }
                for (which, end) in [("from", &r.from), ("to", &r.to)] {
                    if end.labels.is_some() || end.address.is_some() {
                        continue;
                    }
                    let outside = end.outside.as_deref();
                    let known_outside = outside.is_some_and(|o| {
                        o == EVERY_PUBLIC_ADDRESS || crate::access::Outside::parse(o).is_some()
                    });
                    let ok = match (end.object(), outside) {
                        (Some(_), None) => true,
                        (None, Some("internet")) => true,
                        (None, Some(_)) => which == "to" && known_outside,
                        _ => false,
                    };
                    if !ok {
                        err(
                            &["success"],
                            Some(i),
                            format!("reach {which}: a workload (kind, name, namespace) or `outside: internet|every-public-ipv4-address|metadata|metadata-v6|kubelet|dns` (only `internet` as a source), not {end}"),
                        );
                    }
                }
                if r.port.is_some() != r.protocol.is_some()
                    || r.protocol
                        .as_deref()
                        .is_some_and(|p| !["TCP", "UDP", "SCTP"].contains(&p))
                {
                    err(
                        &["success"],
                        Some(i),
                        "reach names a protocol (TCP, UDP or SCTP) and a port, or neither".into(),
                    );
                }
            }
            SuccessCheck::HostPaths(h) => {
                for a in &h.allow {
                    if !a.path.starts_with('/') || a.path.split('/').any(|s| s == "..") {
                        err(
                            &["success"],
                            Some(i),
                            format!(
                                "host_paths allows {:?}: an absolute path without ..",
                                a.path
                            ),
                        );
                    }
                }
            }
            SuccessCheck::Egress(e) => {
                if e.policy.kind != "NetworkPolicy" {
                    err(&["success"], Some(i), "egress names a NetworkPolicy".into());
                }
                if !["TCP", "UDP", "SCTP"].contains(&e.protocol.as_str()) {
                    err(&["success"], Some(i), "protocol is TCP, UDP or SCTP".into());
                }
                if let Some(to) = &e.to {
                    if to.parse::<core::net::IpAddr>().is_err() {
                        err(
                            &["success"],
                            Some(i),
                            format!("to: {to:?} is not an IP address"),
                        );
                    }
                }
            }
            SuccessCheck::Field(f) => {
                if !f.pointer.starts_with('/') {
                    err(&["success"], Some(i), "a pointer starts with /".into());
                }
                let matchers = [
                    f.equals.is_some(),
                    !f.starts_with.is_empty(),
                    !f.one_of.is_empty(),
                    f.target_version,
                ];
                if matchers.iter().filter(|m| **m).count() != 1 {
                    err(
                        &["success"],
                        Some(i),
                        "a field condition has one of `equals`, `starts_with`, `one_of` or `target_version: true`".into(),
                    );
                }
            }
            SuccessCheck::ContainerSetting(c) => {
                if !c.pointer.starts_with('/') {
                    err(&["success"], Some(i), "a pointer starts with /".into());
                }
                if c.equals.is_some() == c.between.is_some() {
                    err(
                        &["success"],
                        Some(i),
                        "a container_setting has one of `equals` or `between`".into(),
                    );
                }
                if c.between.is_some_and(|[lo, hi]| lo > hi) {
                    err(
                        &["success"],
                        Some(i),
                        "between: [low, high], low first".into(),
                    );
                }
            }
            SuccessCheck::WritableMount(_)
            | SuccessCheck::NoToken(_)
            | SuccessCheck::NoNewFindings(_) => {}
        }
    }
    if !quiet {
        err(&["success"], None, "needs a quiet condition".into());
    }
    if !guarded {
        err(
            &["success"],
            None,
            "needs a keep condition, so that deleting the objects does not pass".into(),
        );
    }
    if l.references.is_empty() {
        err(&["references"], None, "needs at least one reference".into());
    }
    for (i, r) in l.references.iter().enumerate() {
        match (&r.rule, &r.url, &r.title) {
            (Some(id), None, None) if !known(id) => {
                err(
                    &["references"],
                    Some(i),
                    format!("no rule {id:?} in the catalogue"),
                );
            }
            (Some(_), None, None) => {}
            (None, Some(url), title) => {
                let title = title.as_deref().unwrap_or("");
                let host = url
                    .strip_prefix("https://")
                    .and_then(|rest| rest.split('/').next())
                    .unwrap_or("");
                if host.is_empty() || !host.contains('.') || url.contains(char::is_whitespace) {
                    err(
                        &["references"],
                        Some(i),
                        format!("{url:?} is not an https:// URL"),
                    );
                }
                if title.trim().is_empty() {
                    err(
                        &["references"],
                        Some(i),
                        "a URL reference needs a title".into(),
                    );
                }
            }
            _ => err(
                &["references"],
                Some(i),
                "a reference is `rule: ID`, or `url` with a `title`".into(),
            ),
        }
    }
    errors
}
