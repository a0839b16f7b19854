//! The success check of a lesson: a pure function of the engine's report and the bundle
//! of the learner's manifests, compared with the lesson's starting manifests.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::bundle::{cluster_scoped, Bundle};
use crate::diagnostic::{Finding, Report};
use crate::engine::Engine;
use crate::model::DocumentModel;
use crate::source::{LineIndex, Source};
use crate::yaml::{parse_stream, Stream};

use crate::access::rbac::Target;
use crate::access::{
    Access, AccessOptions, Bootstrap, Endpoint, Outside, PortQuery, Reach, User, Verdict,
};

use super::format::{
    Allow, CanCheck, EgressCheck, FieldCheck, Hint, HostPathCheck, KeepCheck, Lesson, MountCheck,
    NoTokenCheck, ObjectSel, QuietCheck, ReachCheck, ReachEnd, SubjectSel, SuccessCheck,
    EVERY_PUBLIC_ADDRESS,
};

/// One condition of the success check, evaluated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Condition {
    /// What must hold, in one line ("privileged-container reports nothing on DaemonSet
    /// kube-system/log-agent").
    pub label: String,
    pub met: bool,
    /// Why it is not met, one line each (empty when met): the findings still reported
    /// with their `file:line`, the object that is missing, the image that changed.
    pub details: Vec<String>,
}

/// The success check of one version of the learner's manifests.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// In the lesson's order; the first is always "the manifests parse".
    pub conditions: Vec<Condition>,
    /// Rules of the lesson's `quiet` conditions that still report (sorted), which the
    /// next hint is chosen by.
    pub reporting: Vec<String>,
}

impl Evaluation {
    /// Whether every condition holds: the lesson is solved.
    pub fn passed(&self) -> bool {
        self.conditions.iter().all(|c| c.met)
    }

    /// How many conditions hold ("2 of 3 conditions met").
    pub fn met(&self) -> usize {
        self.conditions.iter().filter(|c| c.met).count()
    }
}

/// What a guard compares: an object's identity, API version, containers and ports.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shape {
    kind: String,
    name: String,
    namespace: Option<String>,
    api_version: Option<String>,
    /// (name, image, ports as `8080/TCP`), of init and app containers, sorted by name.
    containers: Vec<(String, String, Vec<String>)>,
    /// A Service's ports (`80/TCP`).
    service_ports: Vec<String>,
    json: Json,
}

impl Shape {
    fn matches(&self, sel: &ObjectSel) -> bool {
        self.kind == sel.kind
            && self.name == sel.name
            && (self.namespace == sel.namespace || cluster_scoped_kind(&self.kind))
    }
}

/// Whether a kind is cluster-scoped in some API group (the lesson's selector names no
/// group, so its namespace is ignored for these).
fn cluster_scoped_kind(kind: &str) -> bool {
    crate::bundle::CLUSTER_SCOPED
        .iter()
        .any(|&(_, k)| k == kind)
}

fn finding_on(f: &Finding, sel: &ObjectSel) -> bool {
    f.object.kind.as_deref() == Some(sel.kind.as_str())
        && f.object.name.as_deref() == Some(sel.name.as_str())
        && (f.object.namespace.as_deref() == sel.namespace.as_deref()
            || cluster_scoped_kind(&sel.kind))
}

/// (rule, kind, namespace, name) of a finding: what "new" is judged by.
type FindingKey = (String, String, Option<String>, String);

fn finding_key(f: &Finding) -> FindingKey {
    (
        f.rule.to_string(),
        f.object.kind.as_deref().unwrap_or("").to_string(),
        f.object.namespace.as_deref().map(str::to_string),
        f.object.name.as_deref().unwrap_or("").to_string(),
    )
}

/// Checks the learner's manifests against one lesson. Build it once per lesson: it
/// checks the starting manifests once, as the baseline the guards compare with.
pub struct Checker<'l> {
    lesson: &'l Lesson,
    engine: Engine,
    start_shapes: Vec<Shape>,
    start_findings: BTreeSet<FindingKey>,
    /// The API server's bootstrap RBAC policy at the lesson's version (`can`).
    bootstrap: Bootstrap,
}

impl<'l> Checker<'l> {
    pub fn new(lesson: &'l Lesson) -> Self {
        let engine = Engine::new(lesson.options());
        let start = lesson.start_sources();
        let report = engine.check(&start);
        let start_findings = report.findings.iter().map(finding_key).collect();
        let start_shapes = with_bundle(&engine, &start, shapes);
        Checker {
            lesson,
            engine,
            start_shapes,
            start_findings,
            bootstrap: Bootstrap::new(lesson.kube_version),
        }
    }

    pub fn lesson(&self) -> &'l Lesson {
        self.lesson
    }

    /// The engine the check runs (the lesson's profile and version): the findings a
    /// learner sees should come from it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Check `sources` (the learner's files) with the lesson's engine and evaluate. The
    /// sources are parsed twice (by the engine, and for the bundle the guards read): a
    /// lesson's manifests are a few hundred lines.
    pub fn evaluate(&self, sources: &[Source]) -> Evaluation {
        let report = self.engine.check(sources);
        with_bundle(&self.engine, sources, |bundle| {
            self.evaluate_report(&report, bundle)
        })
    }

    /// Evaluate the success check over a report of [`Checker::engine`] and the bundle
    /// of the same sources. Pure: no state is kept between calls.
    pub fn evaluate_report(&self, report: &Report, bundle: &Bundle) -> Evaluation {
        let now = shapes(bundle);
        let line_of = |f: &Finding| {
            let name = report.file_name(f.file);
            match bundle.sources.get(f.file as usize) {
                Some(s) => {
                    let p = LineIndex::new(&s.text).position(&s.text, f.span.start);
                    format!("{name}:{}", p.line)
                }
                None => name.to_string(),
            }
        };
        let mut conditions = vec![parses(report, bundle)];
        let mut reporting = BTreeSet::new();
        let access = Access::new(
            bundle,
            &self.bootstrap,
            AccessOptions {
                version: self.lesson.kube_version,
                apply_namespace: None,
            },
        );
        let reach = Reach::new(bundle);
        for check in &self.lesson.success {
            conditions.push(match check {
                SuccessCheck::Quiet(q) => quiet(q, report, &now, &line_of, &mut reporting),
                SuccessCheck::Keep(k) => keep(k, &self.start_shapes, &now),
                SuccessCheck::Can(c) => can(c, &access),
                SuccessCheck::Reach(r) => reachable(r, &reach),
                SuccessCheck::NoToken(t) => no_token(t, &now),
                SuccessCheck::HostPaths(h) => host_paths(h, &now),
                SuccessCheck::Egress(e) => egress(e, &now),
                SuccessCheck::WritableMount(m) => writable_mount(m, &now),
                SuccessCheck::Field(f) => field(f, &now),
                SuccessCheck::NoNewFindings(at) => {
                    let mut details: Vec<String> = report
                        .findings
                        .iter()
                        .filter(|f| {
                            f.severity >= *at && !self.start_findings.contains(&finding_key(f))
                        })
                        .map(|f| {
                            format!(
                                "new {} finding {} on {}: {}",
                                f.severity,
                                f.rule,
                                f.object,
                                line_of(f)
                            )
                        })
                        .collect();
                    details.dedup();
                    Condition {
                        label: format!("no new finding of severity {at} or higher"),
                        met: details.is_empty(),
                        details,
                    }
                }
            });
        }
        Evaluation {
            conditions,
            reporting: reporting.into_iter().collect(),
        }
    }

    /// The hint to show next: the first about a rule that still reports, else the first
    /// about no rule, else the first. `(index, hint)`, 0-based.
    pub fn next_hint(&self, evaluation: &Evaluation) -> Option<(usize, &'l Hint)> {
        let hints = &self.lesson.hints;
        hints
            .iter()
            .position(|h| {
                h.rule
                    .as_ref()
                    .is_some_and(|r| evaluation.reporting.contains(r))
            })
            .or_else(|| hints.iter().position(|h| h.rule.is_none()))
            .or(if hints.is_empty() { None } else { Some(0) })
            .map(|i| (i, &hints[i]))
    }
}

/// Run `f` over the bundle of `sources`, parsed with the engine's limits.
fn with_bundle<T>(engine: &Engine, sources: &[Source], f: impl FnOnce(&Bundle) -> T) -> T {
    let limits = engine.options().limits;
    let streams: Vec<Stream> = sources
        .iter()
        .map(|s| parse_stream(&s.text, &limits))
        .collect();
    let models: Vec<Vec<DocumentModel>> = streams
        .iter()
        .map(|s| s.documents.iter().map(DocumentModel::read).collect())
        .collect();
    let bundle = Bundle::new(sources, &streams, &models);
    f(&bundle)
}

fn shapes(bundle: &Bundle) -> Vec<Shape> {
    bundle
        .objects
        .iter()
        .map(|e| {
            let o = e.object;
            let mut containers = Vec::new();
            for pod in &o.pods {
                let spec = pod.doc.to_json(pod.spec);
                for key in ["initContainers", "containers"] {
                    for c in items(&spec, key) {
                        containers.push((
                            str_at(c, "name"),
                            str_at(c, "image"),
                            ports(c, "ports", "containerPort"),
                        ));
                    }
                }
            }
            containers.sort();
            let json = o.doc.to_json(o.root);
            let service_ports = if o.kind == "Service" {
                json.get("spec")
                    .map(|s| ports(s, "ports", "port"))
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            Shape {
                kind: o.kind.to_string(),
                name: o.name.unwrap_or("").to_string(),
                namespace: if cluster_scoped(e.group, o.kind) {
                    None
                } else {
                    o.namespace.map(str::to_string)
                },
                api_version: o.api_version.map(str::to_string),
                containers,
                service_ports,
                json,
            }
        })
        .collect()
}

fn items<'j>(v: &'j Json, key: &str) -> &'j [Json] {
    v.get(key)
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_at(v: &Json, key: &str) -> String {
    match v.get(key) {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// `8080/TCP` for each item of `v[key]` (the protocol defaults to TCP), sorted.
fn ports(v: &Json, key: &str, number: &str) -> Vec<String> {
    let mut out: Vec<String> = items(v, key)
        .iter()
        .map(|p| {
            let protocol = p.get("protocol").and_then(Json::as_str).unwrap_or("TCP");
            format!("{}/{protocol}", str_at(p, number))
        })
        .collect();
    out.sort();
    out
}

fn parses(report: &Report, bundle: &Bundle) -> Condition {
    let details: Vec<String> = report
        .errors
        .iter()
        .map(|e| {
            let name = report.file_name(e.file as u32);
            match bundle.sources.get(e.file) {
                Some(s) => {
                    let p = LineIndex::new(&s.text).position(&s.text, e.span.start);
                    format!("{name}:{}:{}: {}", p.line, p.column, e.message)
                }
                None => format!("{name}: {}", e.message),
            }
        })
        .collect();
    Condition {
        label: "the manifests are valid YAML".into(),
        met: details.is_empty(),
        details,
    }
}

fn missing(sel: &ObjectSel) -> String {
    format!("{sel} is missing: fix it, do not delete it")
}

fn quiet(
    q: &QuietCheck,
    report: &Report,
    now: &[Shape],
    line_of: &dyn Fn(&Finding) -> String,
    reporting: &mut BTreeSet<String>,
) -> Condition {
    let mut details = Vec::new();
    for sel in &q.on {
        if !now.iter().any(|s| s.matches(sel)) {
            details.push(missing(sel));
        }
    }
    let on = |f: &Finding| q.on.is_empty() || q.on.iter().any(|sel| finding_on(f, sel));
    for f in report
        .findings
        .iter()
        .filter(|f| q.rules.iter().any(|r| r == f.rule) && on(f))
    {
        reporting.insert(f.rule.to_string());
        let suppressed = if f.suppressed.is_some() {
            " (suppressed: a suppression is not a fix)"
        } else {
            ""
        };
        details.push(format!(
            "{}: {}: {}{suppressed}",
            line_of(f),
            f.rule,
            f.message
        ));
    }
    let objects: Vec<String> = q.on.iter().map(ToString::to_string).collect();
    let objects = if objects.is_empty() {
        "any object".to_string()
    } else {
        objects.join(", ")
    };
    Condition {
        label: format!(
            "{} report{} nothing on {objects}",
            q.rules.join(", "),
            if q.rules.len() == 1 { "s" } else { "" },
        ),
        met: details.is_empty(),
        details,
    }
}

/// The repository of an image reference, without registry host, tag and digest
/// (`docker.io/library/nginx:1.27@sha256:…` → `nginx`): what Docker's reference grammar
/// (distribution/reference) names the path, with Docker Hub's `library/` removed.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let image = match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    };
    let image = match image.split_once('/') {
        Some((host, rest)) if host.contains(['.', ':']) || host == "localhost" => rest,
        _ => image,
    };
    image.strip_prefix("library/").unwrap_or(image)
}

fn keep(k: &KeepCheck, start: &[Shape], now: &[Shape]) -> Condition {
    let sel = k.object();
    let allowed = |a: Allow| k.allow.contains(&a);
    let mut details = Vec::new();
    let was = start.iter().find(|s| s.matches(&sel));
    match (was, now.iter().find(|s| s.matches(&sel))) {
        (None, _) => details.push(format!(
            "lesson error: {sel} is not in the starting manifests"
        )),
        (Some(_), None) => details.push(missing(&sel)),
        (Some(was), Some(is)) => {
            if !allowed(Allow::ApiVersion) && was.api_version != is.api_version {
                details.push(format!(
                    "apiVersion changed from {} to {}",
                    was.api_version.as_deref().unwrap_or("(none)"),
                    is.api_version.as_deref().unwrap_or("(none)")
                ));
            }
            let names = |s: &Shape| s.containers.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
            if names(was) != names(is) {
                details.push(format!(
                    "containers changed from {:?} to {:?}",
                    names(was),
                    names(is)
                ));
            }
            for (name, image, ports) in &was.containers {
                let Some((_, new_image, new_ports)) = is.containers.iter().find(|c| &c.0 == name)
                else {
                    continue;
                };
                let same_image = allowed(Allow::Images)
                    || if allowed(Allow::ImageReferences) {
                        repository(image) == repository(new_image)
                    } else {
                        image == new_image
                    };
                if !same_image {
                    details.push(format!(
                        "container {name:?}: image changed from {image:?} to {new_image:?}"
                    ));
                }
                if !allowed(Allow::Ports) && ports != new_ports {
                    details.push(format!(
                        "container {name:?}: ports changed from {ports:?} to {new_ports:?}"
                    ));
                }
            }
            if !allowed(Allow::Ports) && was.service_ports != is.service_ports {
                details.push(format!(
                    "ports changed from {:?} to {:?}",
                    was.service_ports, is.service_ports
                ));
            }
        }
    }
    Condition {
        label: format!("{sel} still exists, with its containers, images and ports"),
        met: details.is_empty(),
        details,
    }
}

/// The user the RBAC authorizer sees for a subject (a ServiceAccount with its groups,
/// a user with `system:authenticated`, a group alone).
fn user_of(s: &SubjectSel) -> User {
    match (s.kind.as_str(), &s.namespace) {
        ("ServiceAccount", Some(ns)) => User::service_account(ns, &s.name),
        ("Group", _) => User::group(&s.name),
        _ => User::impersonate(&s.name, &[]),
    }
}

fn can(c: &CanCheck, access: &Access) -> Condition {
    let (resource, subresource) = c.resource.split_once('/').unwrap_or((&c.resource, ""));
    let target = Target::Resource {
        group: c.group.clone(),
        resource: resource.to_string(),
        subresource: subresource.to_string(),
        name: String::new(),
    };
    let scope = match &c.namespace {
        Some(ns) => format!("in namespace {ns}"),
        None => "cluster-wide".to_string(),
    };
    let group = if c.group.is_empty() { "core" } else { &c.group };
    let label = format!(
        "{} {} {} {} ({group} group) {scope}",
        c.subject,
        if c.allowed { "can" } else { "cannot" },
        c.verb,
        c.resource,
    );
    let decision = access.can(
        &user_of(&c.subject),
        &c.verb,
        &target,
        c.namespace.as_deref(),
    );
    let mut details = Vec::new();
    if decision.allowed && !c.allowed {
        for g in &decision.grants {
            details.push(format!(
                "{} grants it through {}{} ({}): the subject must not have it",
                g.binding,
                g.role,
                g.aggregated_from
                    .as_deref()
                    .map(|a| format!(", which aggregates {a}"))
                    .unwrap_or_default(),
                g.scope.text()
            ));
        }
    } else if !decision.allowed && c.allowed {
        details.push(format!(
            "no binding grants {} {} {} {scope}: the workload needs it (a Role grants nothing until a RoleBinding names the subject)",
            c.subject, c.verb, c.resource
        ));
        details.extend(decision.notes.iter().cloned());
    }
    Condition {
        label,
        met: details.is_empty() && decision.allowed == c.allowed,
        details,
    }
}

/// Whether a NetworkPolicy egress rule allows (protocol, port): no `ports`, or a port
/// with that protocol (TCP when absent) whose number, range (`endPort`) or absence
/// covers it. Named ports are not resolved.
fn allows_port(rule: &Json, protocol: &str, port: u16) -> bool {
    let list = items(rule, "ports");
    list.is_empty()
        || list.iter().any(|p| {
            let proto = p.get("protocol").and_then(Json::as_str).unwrap_or("TCP");
            let from = p.get("port");
            let to = p.get("endPort").and_then(Json::as_u64);
            proto == protocol
                && match from {
                    None | Some(Json::Null) => true,
                    Some(Json::Number(n)) => n.as_u64().is_some_and(|n| {
                        n == u64::from(port)
                            || to.is_some_and(|to| (n..=to).contains(&u64::from(port)))
                    }),
                    Some(_) => false,
                }
        })
}

/// Whether an egress rule's peers reach `addr`: no `to` (every peer), or an `ipBlock`
/// whose `cidr` holds it and no `except` does (NetworkPolicy API, `IPBlock`).
fn reaches(rule: &Json, addr: Option<core::net::IpAddr>) -> bool {
    let Some(addr) = addr else { return true };
    let peers = items(rule, "to");
    peers.is_empty()
        || peers.iter().any(|p| {
            let Some(block) = p.get("ipBlock") else {
                return false;
            };
            let net = |v: &Json| v.as_str().and_then(|t| crate::model::cidr::parse(t).ok());
            block
                .get("cidr")
                .and_then(net)
                .is_some_and(|c| c.contains(&addr))
                && !items(block, "except")
                    .iter()
                    .filter_map(net)
                    .any(|x| x.contains(&addr))
        })
}

fn egress(e: &EgressCheck, now: &[Shape]) -> Condition {
    let addr = e.to.as_deref().and_then(|t| t.parse().ok());
    let label = match &e.to {
        Some(to) => format!(
            "{} still allows egress to {to} on port {}/{}",
            e.policy, e.port, e.protocol
        ),
        None => format!(
            "{} still allows egress to port {}/{}",
            e.policy, e.port, e.protocol
        ),
    };
    let details = match now.iter().find(|s| s.matches(&e.policy)) {
        None => vec![missing(&e.policy)],
        Some(p)
            if p.json
                .get("spec")
                .map(|s| items(s, "egress"))
                .unwrap_or_default()
                .iter()
                .any(|r| allows_port(r, &e.protocol, e.port) && reaches(r, addr)) =>
        {
            Vec::new()
        }
        Some(_) => vec![format!(
            "{} blocks {}/{}: the pods need it (DNS is 53/UDP)",
            e.policy, e.port, e.protocol
        )],
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

/// The workload of the reachability model an end names.
fn endpoint(end: &ReachEnd, reach: &Reach) -> Result<Endpoint, String> {
    if let Some(sel) = end.object() {
        return reach
            .workloads
            .iter()
            .position(|w| w.kind == sel.kind && w.name == sel.name && w.namespace == sel.namespace)
            .map(Endpoint::Workload)
            .ok_or_else(|| missing(&sel));
    }
    let name = end.outside.as_deref().unwrap_or("");
    Outside::parse(name)
        .map(Endpoint::Outside)
        .ok_or_else(|| format!("lesson error: no outside place {name:?}"))
}

fn reachable(r: &ReachCheck, reach: &Reach) -> Condition {
    let port = match (&r.protocol, r.port) {
        (Some(protocol), Some(port)) => PortQuery::Port {
            protocol: protocol.clone(),
            port: i64::from(port),
        },
        _ => PortQuery::Any,
    };
    let every_public = r.to.outside.as_deref() == Some(EVERY_PUBLIC_ADDRESS);
    let to_text = if every_public {
        "every public IPv4 address".to_string()
    } else {
        r.to.to_string()
    };
    let on = match (&r.to.outside, &port) {
        (Some(o), _) if o != "internet" && !every_public => "its port".to_string(),
        (_, p) => p.text(),
    };
    let label = format!(
        "{} → {to_text} on {on} is {}",
        r.from,
        if r.allowed { "allowed" } else { "denied" }
    );
    let mut details = Vec::new();
    let verdict = match endpoint(&r.from, reach) {
        Err(e) => {
            details.push(e);
            Verdict::Unknown
        }
        Ok(from) if every_public => match from {
            Endpoint::Workload(w) => match reach.public_ipv4_gap(w, &port) {
                Ok(None) => Verdict::Allowed,
                Ok(Some(gap)) => {
                    details.push(format!(
                        "the egress of {} does not allow {gap} on {}",
                        r.from,
                        port.text()
                    ));
                    Verdict::Denied
                }
                Err(why) => {
                    details.push(why);
                    Verdict::Unknown
                }
            },
            Endpoint::Outside(_) => {
                details.push("lesson error: the source is not a workload".into());
                Verdict::Unknown
            }
        },
        Ok(from) => match endpoint(&r.to, reach) {
            Err(e) => {
                details.push(e);
                Verdict::Unknown
            }
            Ok(to) => {
                let answer = reach.answer(from, to, &port);
                let from_text = format!("from {}", r.from);
                let to_peer = format!("to {to_text}");
                for (side, what, end, peer) in [
                    (&answer.egress, "egress", &r.from, &to_peer),
                    (&answer.ingress, "ingress", &r.to, &from_text),
                ] {
                    match side.verdict {
                        Verdict::Denied if r.allowed => details.push(format!(
                            "the {what} of {end} allows none of it: {} select{} it and no rule allows {peer} on {}",
                            side.policies
                                .iter()
                                .map(|p| p.policy.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            if side.policies.len() == 1 { "s" } else { "" },
                            answer.port.text()
                        )),
                        Verdict::Allowed if !r.allowed && side.isolated => {
                            let mut by: Vec<&str> =
                                side.allowing.iter().map(|p| p.policy.as_str()).collect();
                            by.dedup();
                            details.push(format!("the {what} of {end} is allowed by {}", by.join(", ")));
                        }
                        Verdict::Allowed if !r.allowed && end.object().is_some() => details.push(format!(
                            "no NetworkPolicy isolates the {what} of {end}, so all of it is allowed"
                        )),
                        _ => {}
                    }
                    if side.verdict == Verdict::Unknown {
                        details.extend(side.reasons.iter().cloned());
                    }
                }
                answer.verdict
            }
        },
    };
    let met = match verdict {
        Verdict::Allowed => r.allowed,
        Verdict::Denied => !r.allowed,
        Verdict::Unknown => false,
    };
    if met {
        details.clear();
    } else if details.is_empty() {
        details.push(format!("it is {}", verdict.text()));
    }
    Condition {
        label,
        met,
        details,
    }
}

/// The containers of a pod spec, of every kind (init, app, ephemeral).
fn all_containers(spec: &Json) -> impl Iterator<Item = &Json> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |key| items(spec, key).iter())
}

/// The API token type of a Secret (`kubernetes.io/service-account-token`): the token
/// controller fills it with a ServiceAccount's token.
const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";

fn no_token(t: &NoTokenCheck, now: &[Shape]) -> Condition {
    let label = format!("the pods of {} get no Kubernetes API token", t.object);
    let mut details = Vec::new();
    match now.iter().find(|s| s.matches(&t.object)) {
        None => details.push(missing(&t.object)),
        Some(o) => {
            let in_ns = |kind: &str, name: &str| {
                now.iter()
                    .find(move |s| s.kind == kind && s.name == name && s.namespace == o.namespace)
            };
            let token_secret = |name: &str| {
                in_ns("Secret", name).is_some_and(|s| {
                    s.json.get("type").and_then(Json::as_str) == Some(TOKEN_SECRET_TYPE)
                })
            };
            for spec in pod_specs(&o.json) {
                let sa = spec
                    .get("serviceAccountName")
                    .or_else(|| spec.get("serviceAccount"))
                    .and_then(Json::as_str)
                    .filter(|n| !n.is_empty())
                    .unwrap_or("default");
                let pod_says = spec
                    .get("automountServiceAccountToken")
                    .and_then(Json::as_bool);
                let sa_says = in_ns("ServiceAccount", sa)
                    .and_then(|s| s.json.get("automountServiceAccountToken"))
                    .and_then(Json::as_bool);
                match (pod_says, sa_says) {
                    (Some(false), _) | (None, Some(false)) => {}
                    (Some(true), _) => details.push(format!(
                        "the pod template sets automountServiceAccountToken: true, so ServiceAccount {sa}'s token is mounted"
                    )),
                    (None, Some(true)) => details.push(format!(
                        "ServiceAccount {sa} sets automountServiceAccountToken: true and the pod template does not override it"
                    )),
                    (None, None) => details.push(format!(
                        "neither the pod template nor ServiceAccount {sa} (in the manifests) sets automountServiceAccountToken: false, and it defaults to true"
                    )),
                }
                for v in items(spec, "volumes") {
                    let name = str_at(v, "name");
                    if let Some(secret) = v.get("secret").map(|s| str_at(s, "secretName")) {
                        if token_secret(&secret) {
                            details.push(format!(
                                "volume {name:?} mounts Secret {secret}, of type {TOKEN_SECRET_TYPE}"
                            ));
                        }
                    }
                    let sources = v
                        .get("projected")
                        .map(|p| items(p, "sources"))
                        .unwrap_or(&[]);
                    for src in sources {
                        if src.get("serviceAccountToken").is_some() {
                            details.push(format!(
                                "volume {name:?} projects a serviceAccountToken: a token of ServiceAccount {sa}, whatever automountServiceAccountToken says"
                            ));
                        }
                        if let Some(secret) = src.get("secret").map(|s| str_at(s, "name")) {
                            if token_secret(&secret) {
                                details.push(format!(
                                    "volume {name:?} projects Secret {secret}, of type {TOKEN_SECRET_TYPE}"
                                ));
                            }
                        }
                    }
                }
                for c in all_containers(spec) {
                    let cname = str_at(c, "name");
                    let from_env = items(c, "env").iter().filter_map(|e| {
                        e.get("valueFrom")
                            .and_then(|v| v.get("secretKeyRef"))
                            .map(|r| str_at(r, "name"))
                    });
                    let from_env_from = items(c, "envFrom")
                        .iter()
                        .filter_map(|e| e.get("secretRef").map(|r| str_at(r, "name")));
                    for secret in from_env.chain(from_env_from) {
                        if token_secret(&secret) {
                            details.push(format!(
                                "container {cname:?} reads Secret {secret}, of type {TOKEN_SECRET_TYPE}, into its environment"
                            ));
                        }
                    }
                }
            }
        }
    }
    details.dedup();
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

/// The segments of an absolute path without empty and `.` segments; `None` with `..`
/// or when relative.
fn segments(path: &str) -> Option<Vec<&str>> {
    if !path.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    (!parts.contains(&"..")).then_some(parts)
}

fn host_paths(h: &HostPathCheck, now: &[Shape]) -> Condition {
    let allowed: Vec<String> = h
        .allow
        .iter()
        .map(|a| {
            format!(
                "{}{}",
                a.path,
                if a.read_only { " (read-only)" } else { "" }
            )
        })
        .collect();
    let label = format!(
        "{} mounts no host path but {}",
        h.object,
        if allowed.is_empty() {
            "none".to_string()
        } else {
            allowed.join(", ")
        }
    );
    let mut details = Vec::new();
    match now.iter().find(|s| s.matches(&h.object)) {
        None => details.push(missing(&h.object)),
        Some(o) => {
            for spec in pod_specs(&o.json) {
                for v in items(spec, "volumes") {
                    let Some(path) = v.get("hostPath").map(|p| str_at(p, "path")) else {
                        continue;
                    };
                    let name = str_at(v, "name");
                    let allow = segments(&path).and_then(|p| {
                        h.allow
                            .iter()
                            .find(|a| segments(&a.path).is_some_and(|want| p.starts_with(&want)))
                    });
                    let Some(allow) = allow else {
                        details.push(format!(
                            "volume {name:?} mounts host path {path:?} of the node, which the lesson does not allow"
                        ));
                        continue;
                    };
                    if !allow.read_only {
                        continue;
                    }
                    for c in all_containers(spec) {
                        for vm in items(c, "volumeMounts") {
                            if str_at(vm, "name") == name
                                && vm.get("readOnly").and_then(Json::as_bool) != Some(true)
                            {
                                details.push(format!(
                                    "container {:?} mounts host path {path:?} writable at {}: set readOnly: true",
                                    str_at(c, "name"),
                                    str_at(vm, "mountPath")
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

fn writable_mount(m: &MountCheck, now: &[Shape]) -> Condition {
    let label = format!(
        "container {:?} of {} has a writable emptyDir at {}",
        m.container, m.object, m.path
    );
    let details = match now.iter().find(|s| s.matches(&m.object)) {
        None => vec![missing(&m.object)],
        Some(o) => {
            let ok = pod_specs(&o.json).iter().any(|spec| {
                let empty_dirs: Vec<String> = items(spec, "volumes")
                    .iter()
                    .filter(|v| v.get("emptyDir").is_some())
                    .map(|v| str_at(v, "name"))
                    .collect();
                ["initContainers", "containers"].iter().any(|key| {
                    items(spec, key)
                        .iter()
                        .filter(|c| str_at(c, "name") == m.container)
                        .any(|c| {
                            items(c, "volumeMounts").iter().any(|vm| {
                                str_at(vm, "mountPath").trim_end_matches('/')
                                    == m.path.trim_end_matches('/')
                                    && vm.get("readOnly").and_then(Json::as_bool) != Some(true)
                                    && empty_dirs.contains(&str_at(vm, "name"))
                            })
                        })
                })
            });
            if ok {
                Vec::new()
            } else {
                vec![format!(
                    "container {:?} mounts no emptyDir volume at {}",
                    m.container, m.path
                )]
            }
        }
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

fn field(f: &FieldCheck, now: &[Shape]) -> Condition {
    let want = f.equals.to_string();
    let label = format!("{} has {} = {want}", f.object, f.pointer);
    let details = match now.iter().find(|s| s.matches(&f.object)) {
        None => vec![missing(&f.object)],
        Some(o) => match o.json.pointer(&f.pointer) {
            Some(v) if *v == f.equals => Vec::new(),
            Some(v) => vec![format!("{} is {v}, not {want}", f.pointer)],
            None => vec![format!("{} is not set", f.pointer)],
        },
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

/// The pod specs of an object's JSON: a Pod's `spec`, a template's `spec.template.spec`,
/// a CronJob's `spec.jobTemplate.spec.template.spec`.
fn pod_specs(o: &Json) -> Vec<&Json> {
    let paths: [&[&str]; 3] = [
        &["spec"],
        &["spec", "template", "spec"],
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ];
    paths
        .iter()
        .filter_map(|p| p.iter().try_fold(o, |v, k| v.get(k)))
        .filter(|s| s.get("containers").is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{repository, segments};

    #[test]
    fn host_paths_compare_by_segment() {
        assert_eq!(segments("/var/log/"), Some(vec!["var", "log"]));
        assert_eq!(segments("//var/./log"), Some(vec!["var", "log"]));
        assert_eq!(segments("/var/log/../../etc"), None);
        assert_eq!(segments("var/log"), None);
        let log = segments("/var/log").unwrap();
        assert!(segments("/var/log/pods").unwrap().starts_with(&log));
        assert!(!segments("/var/logs").unwrap().starts_with(&log));
        assert!(!segments("/var").unwrap().starts_with(&log));
    }

    #[test]
    fn repositories_ignore_host_tag_and_digest() {
        assert_eq!(repository("nginx"), "nginx");
        assert_eq!(repository("nginx:latest"), "nginx");
        assert_eq!(
            repository("docker.io/library/nginx:1.27@sha256:ab"),
            "nginx"
        );
        assert_eq!(repository("k8s.gcr.io/pause:3.1"), "pause");
        assert_eq!(repository("registry.k8s.io/pause:3.9"), "pause");
        assert_eq!(repository("localhost:5000/team/app:1"), "team/app");
        assert_ne!(repository("bitnami/redis:7"), repository("redis:7"));
    }
}
