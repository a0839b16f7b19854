//! The thin adapter an editor (the browser playground) calls: one function to check,
//! one to harden, with transfer types that carry UTF-16 ranges (what CodeMirror and
//! the DOM count in) instead of byte spans, and the rule documentation a panel shows.
//! It holds no UI policy: what it reports is read from the engine's report.

use std::borrow::Cow;
use std::sync::Arc;

use crate::catalogue::{Catalogue, Rule};
use crate::config::Config;
use crate::diagnostic::{Report, Severity};
use crate::engine::{Engine, Options, Progress, Stage};
use crate::fix::{fix, FixOptions};
use crate::source::{LineIndex, Span};

/// A rule id as [`EditorFinding::rule`] holds it: the built-in rule's own, else one copy
/// per distinct id for the life of the process (`crate::catalogue::static_id`). For an
/// editor that receives findings from another thread (the playground's worker).
pub fn rule_id(id: &str) -> &'static str {
    crate::catalogue::static_id(id)
}

/// A span of the editor's text as UTF-16 offsets, with the 1-based line and column
/// (characters) of its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EditorRange {
    pub from: usize,
    pub to: usize,
    pub line: usize,
    pub column: usize,
}

fn range(text: &str, index: &LineIndex, span: Span) -> EditorRange {
    let start = index.position(text, span.start);
    let end = index.position(text, span.end);
    EditorRange {
        from: start.utf16_offset,
        to: end.utf16_offset,
        line: start.line,
        column: start.column,
    }
}

/// A secondary location of a finding, in the editor's text.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorRelated {
    pub message: String,
    pub path: String,
    pub range: EditorRange,
}

/// The fix a finding offers.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorFix {
    /// "safe" or "unsafe".
    pub applicability: &'static str,
    pub title: String,
    /// Why the rule's fix cannot be made here, if it cannot.
    pub unavailable: Option<String>,
}

/// A finding as an editor shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorFinding {
    /// The finding's stable id: the key for per-finding fix choices.
    pub id: String,
    pub rule: &'static str,
    pub title: Cow<'static, str>,
    pub severity: Severity,
    pub area: &'static str,
    pub message: String,
    /// `Kind namespace/name` of the object.
    pub object: String,
    pub path: String,
    /// UTF-16 range in the text.
    pub from: usize,
    pub to: usize,
    /// 1-based line and column (characters) of the start.
    pub line: usize,
    pub column: usize,
    pub related: Vec<EditorRelated>,
    pub pss: Option<String>,
    pub fix: Option<EditorFix>,
    pub suppressed: Option<String>,
    /// A built-in rule's documentation is borrowed from the built-in catalogue; a custom
    /// rule's is copied from its configuration's (which is freed when no longer used).
    pub rationale: Cow<'static, str>,
    pub remediation: Cow<'static, str>,
    pub references: Cow<'static, [String]>,
}

/// A YAML error or a note, with its UTF-16 position.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorMessage {
    pub message: String,
    /// A note about something the rules did not check (`NoteKind::Unchecked`).
    pub unchecked: bool,
    /// 0-based document index.
    pub document: usize,
    pub from: usize,
    pub to: usize,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    /// Sorted by severity (most severe first), then position.
    pub findings: Vec<EditorFinding>,
    pub errors: Vec<EditorMessage>,
    pub notes: Vec<EditorMessage>,
    /// Whether the text holds something a share link should warn about: a `Secret`
    /// object (core group) or a credential written as a literal value.
    pub holds_secret: bool,
    /// Every object read, in input order (what a coverage view lists per document).
    pub objects: Vec<EditorObject>,
}

/// One object of the text and how much of it the rules could judge.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorObject {
    /// 0-based document index.
    pub document: usize,
    /// `Kind namespace/name`, as findings name their object.
    pub object: String,
    /// `kind` (empty when absent) and API group (`""` for the core group).
    pub kind: String,
    pub group: String,
    /// Pod templates found in it and checked by the pod rules.
    pub pods: usize,
    pub range: EditorRange,
    /// For a RoleBinding or ClusterRoleBinding: the role its `roleRef` names
    /// (`ClusterRole edit`, `Role shop/x`) when the text holds no such object, so that no
    /// rule could read what the binding grants (a built-in role's, for example).
    pub role_elsewhere: Option<String>,
}

/// [`EditorObject::role_elsewhere`] of the object `o` of `text`.
fn role_elsewhere(
    text: &str,
    o: &crate::diagnostic::CheckedObject,
    report: &Report,
) -> Option<String> {
    use crate::model::rbac::{read_binding, BindingKind, RBAC_GROUP};
    if &*o.group != RBAC_GROUP
        || !matches!(
            o.object.kind.as_deref(),
            Some("RoleBinding" | "ClusterRoleBinding")
        )
    {
        return None;
    }
    // The object alone, at its column (an item of a List is indented), read again.
    let (start, end) = (o.span.start.min(text.len()), o.span.end.min(text.len()));
    let line = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let alone = format!(
        "{}{}",
        " ".repeat(text.get(line..start)?.chars().count()),
        text.get(start..end)?
    );
    let stream = crate::yaml::parse_stream(&alone, &crate::yaml::Limits::default());
    let model = crate::model::DocumentModel::read(stream.documents.first()?);
    let binding = read_binding(model.objects.first()?)?;
    let role = binding.role_ref?;
    let (kind, name) = (role.kind.value, role.name.value);
    // A roleRef the API refuses is a finding of its own.
    let namespace = match (kind, binding.kind) {
        ("ClusterRole", _) => None,
        ("Role", BindingKind::RoleBinding) => binding.namespace,
        _ => return None,
    };
    let present = report.objects.iter().any(|x| {
        &*x.group == RBAC_GROUP
            && x.object.kind.as_deref() == Some(kind)
            && x.object.name.as_deref() == Some(name)
            && (kind == "ClusterRole" || x.object.namespace.as_deref() == namespace)
    });
    (!present).then(|| match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    })
}

fn message(text: &str, index: &LineIndex, d: &crate::diagnostic::Diagnostic) -> EditorMessage {
    let r = range(text, index, d.span);
    EditorMessage {
        message: d.message.clone(),
        unchecked: d.kind == crate::diagnostic::NoteKind::Unchecked,
        document: d.document,
        from: r.from,
        to: r.to,
        line: r.line,
        column: r.column,
    }
}

/// Check one text for an editor.
pub fn check(text: &str, options: Options) -> Checked {
    check_configured(text, options, None)
}

/// Check one text for an editor with a configuration file's rules, severities,
/// parameters, custom rules and exemptions ([`Config::engine`]; the profile and version
/// are `options`', which the caller merged with [`Config::options`]). Custom rules'
/// findings carry their own documentation.
pub fn check_configured(text: &str, options: Options, config: Option<&Config>) -> Checked {
    check_observed(text, options, config, &|_| {})
}

/// [`check_configured`], telling `observe` how far the check has come
/// ([`Engine::check_observed`]; the text is source 0), and then, in [`Stage::Report`],
/// after each finding listed for the editor (done of total findings).
pub fn check_observed(
    text: &str,
    options: Options,
    config: Option<&Config>,
    observe: &(dyn Fn(Progress) + Sync),
) -> Checked {
    let engine = match config {
        Some(c) => c.engine(options),
        None => Engine::new(options),
    };
    let sources = [crate::Source::new("-", text)];
    let report = engine.check_observed(&sources, &crate::InOrder, observe);
    checked(text, &report, engine.catalogue(), observe)
}

/// A rule's documentation text: borrowed when it is a built-in rule (a configuration
/// changes their severity and parameters, never their text), else copied.
fn docs(
    rule: &Rule,
) -> (
    Cow<'static, str>,
    Cow<'static, str>,
    Cow<'static, str>,
    Cow<'static, [String]>,
) {
    match Catalogue::builtin().get(&rule.id) {
        Some(b) => (
            Cow::Borrowed(b.title.as_str()),
            Cow::Borrowed(b.rationale.as_str()),
            Cow::Borrowed(b.remediation.as_str()),
            Cow::Borrowed(b.references.as_slice()),
        ),
        None => (
            Cow::Owned(rule.title.clone()),
            Cow::Owned(rule.rationale.clone()),
            Cow::Owned(rule.remediation.clone()),
            Cow::Owned(rule.references.clone()),
        ),
    }
}

fn checked(
    text: &str,
    report: &Report,
    catalogue: &Catalogue,
    observe: &(dyn Fn(Progress) + Sync),
) -> Checked {
    let index = LineIndex::new(text);
    let total = report.findings.len();
    let mut findings: Vec<EditorFinding> = report
        .findings
        .iter()
        .enumerate()
        .filter_map(|(done, f)| {
            observe(Progress {
                stage: Stage::Report,
                file: 0,
                done: done + 1,
                total,
            });
            let rule = catalogue.get(f.rule)?;
            let (title, rationale, remediation, references) = docs(rule);
            let r = range(text, &index, f.span);
            Some(EditorFinding {
                id: report.id(f),
                rule: f.rule,
                title,
                severity: f.severity,
                area: f.area.as_str(),
                message: f.message.to_string(),
                object: f.object.to_string(),
                path: f.path.to_string(),
                from: r.from,
                to: r.to,
                line: r.line,
                column: r.column,
                related: f
                    .related
                    .iter()
                    .map(|x| EditorRelated {
                        message: x.message.to_string(),
                        path: x.path.to_string(),
                        range: range(text, &index, x.span),
                    })
                    .collect(),
                pss: f.pss().map(|p| format!("{} {}", p.level.as_str(), p.check)),
                fix: f.fix.as_ref().map(|x| EditorFix {
                    applicability: x.applicability.as_str(),
                    title: x.title.to_string(),
                    unavailable: x.unavailable.as_deref().cloned(),
                }),
                suppressed: f.suppressed.as_deref().cloned(),
                rationale,
                remediation,
                references,
            })
        })
        .collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.from.cmp(&b.from))
            .then(a.rule.cmp(b.rule))
    });
    Checked {
        holds_secret: report.has_kind("", "Secret")
            || report.findings.iter().any(|f| f.rule == "secret-in-env"),
        objects: report
            .objects
            .iter()
            .map(|o| EditorObject {
                document: o.document,
                object: o.object.to_string(),
                kind: o.object.kind.as_deref().unwrap_or_default().to_string(),
                group: o.group.to_string(),
                pods: o.pods,
                range: range(text, &index, o.span),
                role_elsewhere: role_elsewhere(text, o, report),
            })
            .collect(),
        findings,
        errors: report
            .errors
            .iter()
            .map(|d| message(text, &index, d))
            .collect(),
        notes: report
            .notes
            .iter()
            .map(|d| message(text, &index, d))
            .collect(),
    }
}

/// A report format of `kubeharden check --format`, for an editor's export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// The JSON report, version [`crate::render::JSON_VERSION`].
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// The report `kubeharden check --format json|sarif [--config FILE] NAME` writes for `text`
/// saved as the file `name`: the same engine (a configuration's rules, severities, custom
/// rules and exemptions, or none), the same renderers, byte for byte. `target` is the
/// target version's support on the caller's today ([`crate::support::target_support`], or
/// [`crate::support::support_in`] with a table of [`release_table`]): `summary.target` and
/// SARIF's notification, none without it (the library reads no clock). SARIF's rule
/// metadata comes from `catalogue` when given (a build without the `rule-docs` feature
/// passes the catalogue with its documentation filled in), else from the configuration's
/// or the built-in one.
pub fn report(
    text: &str,
    name: &str,
    options: Options,
    config: Option<&Config>,
    target: Option<&crate::support::TargetSupport>,
    format: ReportFormat,
    catalogue: Option<&Catalogue>,
) -> String {
    let default;
    let config = match config {
        Some(c) => c,
        None => {
            default = Config::default();
            &default
        }
    };
    let sources = [crate::source::Source::new(name, text)];
    let report = config.engine(options).check(&sources);
    let own = config.catalogue();
    let mut out = Vec::with_capacity(4096 + report.findings.len() * 700);
    // Writing to a Vec cannot fail.
    let _ = match format {
        ReportFormat::Json => {
            crate::render::write_json_with_target(&mut out, &report, &sources, &options, target)
        }
        ReportFormat::Sarif => crate::render::write_sarif_with_target(
            &mut out,
            &report,
            &sources,
            catalogue.unwrap_or(&own),
            target,
        ),
    };
    String::from_utf8(out).unwrap_or_default()
}

/// The release table read from `text`, the data file `policies/data/k8s-releases.yaml`
/// (the CLI compiles it in; the playground leaves it out of its WebAssembly and fetches
/// it when a version is chosen), kept for the life of the process. Errors: see
/// [`crate::support::ReleaseTable::parse`].
pub fn release_table(text: &str) -> Result<&'static crate::support::ReleaseTable, String> {
    crate::support::ReleaseTable::parse(text).map(|t| &*Box::leak(Box::new(t)))
}

/// The line the CLI's human output prints after its summary about the target version's
/// support, when it is worth saying ([`crate::support::TargetSupport::worth_saying`]: past
/// its end of support, in maintenance, not yet released, or a line a year old whose end
/// the data does not know), without colour or line break (`warning: target v1.25 reached
/// its end of support on …`, or `note: …`).
pub fn target_note(target: &crate::support::TargetSupport) -> Option<String> {
    crate::render::target_line(target, false).map(|l| l.trim_end().to_string())
}

/// The hardened text, its diff against the input, and what was done.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hardened {
    pub text: String,
    pub diff: String,
    pub applied: usize,
    /// (finding id, rule, reason) of fixes that could not be applied.
    pub skipped: Vec<(String, String, String)>,
}

/// Harden `text`: safe fixes, unsafe ones too when asked, all fixable findings but
/// those whose ids are in `excluded`.
pub fn harden(text: &str, options: Options, unsafe_fixes: bool, excluded: &[String]) -> Hardened {
    harden_configured(text, options, unsafe_fixes, excluded, None)
}

/// [`harden`] with a configuration file's rules and exemptions (see [`check_configured`]).
pub fn harden_configured(
    text: &str,
    options: Options,
    unsafe_fixes: bool,
    excluded: &[String],
    config: Option<Arc<Config>>,
) -> Hardened {
    let mut hardened = harden_without_diff(text, options, unsafe_fixes, excluded, config);
    hardened.diff = diff(text, &hardened.text);
    hardened
}

/// The unified diff of the hardened text `new` against `text` (`manifest.yaml` →
/// `hardened.yaml`, three lines of context: `kubeharden fix --diff`'s form).
pub fn diff(text: &str, new: &str) -> String {
    crate::render::unified_diff(text, new, "manifest.yaml", "hardened.yaml")
}

/// [`harden_configured`] without the diff (its `diff` is empty): for an editor that shows
/// the diff only when asked, with [`diff`] (the playground's extras compute it, so that
/// the differ is not in the playground's first download).
pub fn harden_without_diff(
    text: &str,
    options: Options,
    unsafe_fixes: bool,
    excluded: &[String],
    config: Option<Arc<Config>>,
) -> Hardened {
    let result = fix(
        text,
        &FixOptions {
            check: options,
            unsafe_fixes,
            only: None,
            exclude: excluded.to_vec(),
            rules: None,
            config,
        },
    );
    Hardened {
        diff: String::new(),
        applied: result.applied.len(),
        skipped: result
            .skipped
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    s.rule.to_string(),
                    s.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        text: result.text().to_string(),
    }
}

/// `text` with the fix of the finding `id` alone applied (safe or unsafe: the caller asked
/// for this one), checked with `options` and `config`. Errors: the reason the fix was
/// skipped, or that nothing changed.
pub fn apply_one(
    text: &str,
    options: Options,
    config: Option<Arc<Config>>,
    id: &str,
) -> Result<String, String> {
    let result = fix(
        text,
        &FixOptions {
            check: options,
            unsafe_fixes: true,
            only: Some(vec![id.to_string()]),
            exclude: Vec::new(),
            rules: None,
            config,
        },
    );
    if let Some(s) = result.skipped.first() {
        return Err(s
            .reason
            .clone()
            .unwrap_or_else(|| "the fix could not be applied".into()));
    }
    if result.applied.is_empty() || result.text() == text {
        return Err("the fix changes nothing in the current text".into());
    }
    Ok(result.text().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_observed_tells_each_finding_listed_and_changes_nothing() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx}\n";
        let told = std::sync::Mutex::new(Vec::new());
        let checked = check_observed(text, Options::default(), None, &|p| {
            told.lock().unwrap().push(p)
        });
        assert_eq!(checked, check(text, Options::default()));
        let n = checked.findings.len();
        assert!(n > 1);
        let listed: Vec<(usize, usize)> = told
            .into_inner()
            .unwrap()
            .into_iter()
            .skip_while(|p| p.stage != Stage::Report)
            .map(|p| (p.done, p.total))
            .collect();
        // The engine's start of the stage, then one per finding listed.
        let mut want = vec![(0, 1)];
        want.extend((1..=n).map(|d| (d, n)));
        assert_eq!(listed, want);
    }

    #[test]
    fn check_sorts_by_severity_and_carries_docs() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";
        let checked = check(text, Options::default());
        assert_eq!(checked.findings[0].rule, "privileged-container");
        assert_eq!(checked.findings[0].line, 8);
        assert!(!checked.findings[0].rationale.is_empty());
        assert!(checked
            .findings
            .windows(2)
            .all(|w| w[0].severity >= w[1].severity));
        let fix = checked.findings[0].fix.as_ref().unwrap();
        assert_eq!(
            fix.title,
            "set `securityContext.privileged: false` on container \"c\""
        );
        let hardened = harden(text, Options::default(), true, &[]);
        assert!(hardened.text.contains("privileged: false"));
        assert!(hardened
            .diff
            .contains("+    securityContext: {privileged: false"));
        let id = checked.findings[0].id.clone();
        let keep = harden(text, Options::default(), true, &[id]);
        assert!(
            keep.text.contains("privileged: true"),
            "an excluded finding is not fixed"
        );
    }

    #[test]
    fn ranges_count_utf16_units() {
        let text = "# é🦀\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";
        let checked = check(text, Options::default());
        let f = &checked.findings[0];
        let byte = text.find("privileged: true").unwrap();
        // é is one UTF-16 unit but two bytes; the crab two units but four bytes.
        assert_eq!(f.from, byte - 3);
    }

    #[test]
    fn secrets_are_read_from_the_model_not_the_text() {
        let secret = "apiVersion: v1\nkind:   Secret   # a comment\nmetadata: {name: s}\nstringData: {a: b}\n";
        assert!(check(secret, Options::default()).holds_secret);
        let quoted =
            "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"}}";
        assert!(check(quoted, Options::default()).holds_secret);
        let mention = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {note: \"kind: Secret\"}\n";
        assert!(!check(mention, Options::default()).holds_secret);
    }
}
