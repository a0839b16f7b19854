//! One model of a rule's documentation, [`RuleDoc`], built from its catalogue entry
//! ([`crate::catalogue::Rule`], read from `policies/<id>.yaml`) and its test fixtures
//! (`tests/fixtures/<id>/`, embedded at build time), and the renderers over it: plain
//! text for `kubeharden explain` ([`explain_text`]), Markdown for `docs/rules.md`
//! ([`catalogue_markdown`]) and JSON for `kubeharden rules --format json` (serde).
//!
//! ```
//! let doc = kubeharden::docs::RuleDoc::builtin("host-namespaces").unwrap();
//! assert_eq!(doc.suppression, "ignore.kubeharden.io/host-namespaces");
//! assert!(doc.example.as_ref().unwrap().text.contains("hostNetwork"));
//! assert!(kubeharden::docs::explain_text(&doc).contains("Why it matters"));
//! ```

use std::fmt::Write;

use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use crate::catalogue::{Catalogue, FixPolicy, Rule};
use crate::diagnostic::{Applicability, Area, Level, Severity};
use crate::version::KubeVersion;

/// The annotation key prefix that suppresses a rule on an object:
/// `ignore.kubeharden.io/<rule id>: "<reason>"`.
pub const SUPPRESSION_PREFIX: &str = "ignore.kubeharden.io/";

/// Lines of an example shown by [`explain_text`]; longer fixtures are cut with "…".
pub const EXPLAIN_EXAMPLE_LINES: usize = 40;

/// Everything the documentation says about one rule. Plain data: every renderer (CLI
/// text, Markdown page, JSON, the playground) reads this and nothing else.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleDoc {
    /// Kebab-case rule id, as in findings and `policies/<id>.yaml`.
    pub id: String,
    /// Short noun phrase ("Host namespaces").
    pub title: String,
    /// One line for listings: the first sentence of the rationale.
    pub summary: String,
    #[serde(serialize_with = "named")]
    pub severity: Severity,
    #[serde(serialize_with = "named")]
    pub area: Area,
    /// The Rust template the rule instantiates (`src/rules/`).
    pub template: String,
    /// What the template checks, when the template is built in.
    pub template_summary: Option<String>,
    /// The template's parameters from the rule file (a JSON object).
    pub params: Json,
    /// Where the rule sits in the Pod Security Standards, if it is one of their checks.
    pub pss: Option<PssDoc>,
    /// Equivalent checks of other scanners, in catalogue order: (scanner, check ids).
    /// Serialised as a JSON object `{scanner: check}`.
    #[serde(serialize_with = "pairs")]
    pub sources: Vec<(String, String)>,
    /// Why the rule matters.
    pub rationale: String,
    /// How to fix a finding by hand.
    pub remediation: String,
    /// URLs, the Kubernetes documentation first.
    pub references: Vec<String>,
    /// The rule's automatic fix, or why it has none (`None` only for a rule file
    /// without a `fix` entry, which the built-in catalogue refuses).
    pub fix: Option<FixDoc>,
    /// The annotation key that suppresses the rule: `ignore.kubeharden.io/<id>`.
    pub suppression: String,
    /// A manifest the rule flags (its first fail fixture), when fixtures are known.
    pub example: Option<Fixture>,
    /// What to write instead: the example after `kubeharden fix` (its golden fixed
    /// output) when the rule has an automatic fix, else a manifest the rule passes.
    pub use_instead: Option<Fixture>,
}

/// A rule's place in the Pod Security Standards
/// (<https://kubernetes.io/docs/concepts/security/pod-security-standards/>).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PssDoc {
    #[serde(serialize_with = "named")]
    pub level: Level,
    /// The upstream check id (`hostNamespaces`, `capabilities_restricted`, …).
    pub check: String,
    /// The first Kubernetes version the check applies to (serialised as `"v1.NN"`).
    #[serde(serialize_with = "display")]
    pub since: KubeVersion,
    /// The baseline check this restricted check replaces at the restricted level.
    pub overrides: Option<String>,
}

/// A rule's fix policy (see [`FixPolicy`]). JSON keeps the rule file's keys
/// (`applicability` and `reason`, or `guidance`) and adds `heading`, `text` and `command`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixDoc {
    /// `safe` or `unsafe` when there is an automatic fix.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "named_option"
    )]
    pub applicability: Option<Applicability>,
    /// Why the automatic fix is safe or unsafe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What to do when there is no automatic fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// "Automatic fix (unsafe)" or "No automatic fix" ([`FixPolicy::describe`]).
    pub heading: String,
    /// The reason or the guidance.
    pub text: String,
    /// The command that applies the fix (`kubeharden fix --unsafe`), if there is one.
    pub command: Option<String>,
}

/// A fixture file shown as documentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fixture {
    /// Path in the repository (`tests/fixtures/<rule>/fail-….yaml`).
    pub path: String,
    /// The manifest, without the fixture's leading comment lines.
    pub text: String,
    pub kind: FixtureKind,
}

/// What a [`Fixture`] shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixtureKind {
    /// A manifest the rule flags.
    Fail,
    /// The fail fixture after `kubeharden fix` (safe fixes).
    Fixed,
    /// The fail fixture after `kubeharden fix --unsafe`.
    UnsafeFixed,
    /// A manifest the rule passes.
    Pass,
}

impl FixtureKind {
    /// Where the text comes from, for captions.
    pub fn caption(self) -> &'static str {
        match self {
            FixtureKind::Fail => "flagged",
            FixtureKind::Fixed => "the output of `kubeharden fix`",
            FixtureKind::UnsafeFixed => "the output of `kubeharden fix --unsafe`",
            FixtureKind::Pass => "passes",
        }
    }

    /// The code-fence language of a fixture path (`json` or `yaml`).
    fn language(path: &str) -> &'static str {
        if path.ends_with(".json") {
            "json"
        } else {
            "yaml"
        }
    }
}

/// One rule's embedded example pair (generated by build.rs into `rule_examples.rs`):
/// (repository path, file text) of the fail fixture and of the text to use instead.
#[cfg_attr(not(feature = "rule-examples"), allow(dead_code))]
struct RuleExample {
    rule: &'static str,
    example: (&'static str, &'static str),
    use_instead: (&'static str, &'static str),
    kind: FixtureKind,
}

#[cfg(feature = "rule-examples")]
mod embedded {
    use super::{FixtureKind, RuleExample};
    include!(concat!(env!("OUT_DIR"), "/rule_examples.rs"));
}

/// Without the `rule-examples` feature (the playground's build) no fixture is embedded:
/// every [`RuleDoc`] has `example` and `use_instead` `None`, and the playground fetches
/// them from the `kubeharden rules --format json` output instead.
#[cfg(not(feature = "rule-examples"))]
mod embedded {
    use super::RuleExample;
    pub static RULE_EXAMPLES: &[RuleExample] = &[];
}

impl RuleDoc {
    /// The documentation of a catalogue rule, with its embedded examples when the
    /// build found fixtures for its id.
    pub fn new(rule: &Rule) -> RuleDoc {
        let embedded = embedded::RULE_EXAMPLES.iter().find(|e| e.rule == rule.id);
        let fixture = |(path, text): (&str, &str), kind| Fixture {
            path: path.to_string(),
            text: strip_header(text).to_string(),
            kind,
        };
        RuleDoc {
            id: rule.id.clone(),
            title: rule.title.clone(),
            summary: first_sentence(&rule.rationale).to_string(),
            severity: rule.severity,
            area: rule.area,
            template: rule.template.clone(),
            template_summary: crate::rules::template(&rule.template).map(|t| t.summary.to_string()),
            params: rule.params.clone(),
            pss: rule.pss.as_ref().map(|p| PssDoc {
                level: p.level,
                check: p.check.clone(),
                since: p.since,
                overrides: p.overrides.clone(),
            }),
            sources: rule.sources.clone(),
            rationale: rule.rationale.clone(),
            remediation: rule.remediation.clone(),
            references: rule.references.clone(),
            fix: rule.fix.as_ref().map(FixDoc::new),
            suppression: format!("{SUPPRESSION_PREFIX}{}", rule.id),
            example: embedded.map(|e| fixture(e.example, FixtureKind::Fail)),
            use_instead: embedded.map(|e| fixture(e.use_instead, e.kind)),
        }
    }

    /// The documentation of a built-in rule, or `None` for an unknown id.
    pub fn builtin(id: &str) -> Option<RuleDoc> {
        Catalogue::builtin().get(id).map(RuleDoc::new)
    }
}

impl FixDoc {
    fn new(policy: &FixPolicy) -> FixDoc {
        let (heading, text) = policy.describe();
        let (applicability, reason, guidance) = match policy {
            FixPolicy::Available {
                applicability,
                reason,
            } => (Some(*applicability), Some(reason.clone()), None),
            FixPolicy::None { guidance } => (None, None, Some(guidance.clone())),
        };
        FixDoc {
            command: applicability.map(|a| match a {
                Applicability::Safe => "kubeharden fix".to_string(),
                Applicability::Unsafe => "kubeharden fix --unsafe".to_string(),
            }),
            heading,
            text: text.to_string(),
            applicability,
            reason,
            guidance,
        }
    }
}

/// Every built-in rule's documentation, in catalogue (id) order.
pub fn builtin() -> Vec<RuleDoc> {
    Catalogue::builtin()
        .rules
        .iter()
        .map(RuleDoc::new)
        .collect()
}

/// A fixture without its leading comment lines (and the blank lines after them).
fn strip_header(text: &str) -> &str {
    let mut rest = text;
    while rest.starts_with('#') || rest.starts_with('\n') || rest.starts_with("\r\n") {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}

/// The first sentence: up to the first `.` followed by a space and an upper-case
/// letter (so `e.g. a` and `v1.25` do not end it), or the whole text.
fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices(". ") {
        if bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase) {
            return &text[..=i];
        }
    }
    text
}

/// The example text for a terminal: at most `max` lines, "…" on a last line when cut.
fn excerpt(text: &str, max: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: String = lines
        .iter()
        .take(max)
        .map(|l| format!("    {l}\n"))
        .collect();
    if lines.len() > max {
        out.push_str("    …\n");
    }
    out
}

/// `text` wrapped to `width` columns, each line indented by `indent` spaces.
fn wrap(text: &str, indent: usize, width: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent + line.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(out, "{pad}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{pad}{line}");
    }
    out
}

/// The rule as `kubeharden explain` prints it: plain text, prose wrapped to 88
/// columns, examples cut at [`EXPLAIN_EXAMPLE_LINES`] lines.
pub fn explain_text(doc: &RuleDoc) -> String {
    const WIDTH: usize = 88;
    let mut text = format!("{} — {}\n\n", doc.id, doc.title);
    let _ = write!(
        text,
        "severity: {}    area: {}    template: {}",
        doc.severity,
        doc.area.as_str(),
        doc.template
    );
    if let Some(summary) = &doc.template_summary {
        let _ = write!(text, " ({summary})");
    }
    text.push('\n');
    if let Some(p) = &doc.pss {
        let _ = writeln!(
            text,
            "Pod Security Standards: {} level, check {}, from {}",
            p.level.as_str(),
            p.check,
            p.since
        );
    }
    let _ = write!(
        text,
        "\nWhy it matters\n{}\nHow to fix\n{}",
        wrap(&doc.rationale, 2, WIDTH),
        wrap(&doc.remediation, 2, WIDTH)
    );
    if let Some(fix) = &doc.fix {
        let _ = write!(text, "\n{}\n{}", fix.heading, wrap(&fix.text, 2, WIDTH));
        if let Some(command) = &fix.command {
            let _ = writeln!(text, "  Apply it with `{command}`.");
        }
    }
    if let Some(example) = &doc.example {
        let _ = write!(
            text,
            "\nExample ({})\n{}",
            example.path,
            excerpt(&example.text, EXPLAIN_EXAMPLE_LINES)
        );
    }
    if let Some(instead) = &doc.use_instead {
        let _ = write!(
            text,
            "\nUse instead ({}: {})\n{}",
            instead.kind.caption(),
            instead.path,
            excerpt(&instead.text, EXPLAIN_EXAMPLE_LINES)
        );
    }
    if !doc.sources.is_empty() {
        text.push_str("\nEquivalent checks\n");
        for (scanner, check) in &doc.sources {
            let _ = writeln!(text, "  {scanner}: {check}");
        }
    }
    text.push_str("\nReferences\n");
    for reference in &doc.references {
        let _ = writeln!(text, "  {reference}");
    }
    let _ = writeln!(
        text,
        "\nSuppress on an object with the annotation\n  {}: \"<why the risk is accepted>\"",
        doc.suppression
    );
    text
}

/// The catalogue page `docs/rules.md`: a table of every rule, then one section per rule
/// with the fix policy, equivalent checks, references and the full example pair.
pub fn catalogue_markdown(docs: &[RuleDoc]) -> String {
    let mut text = String::from(
        "# Rule catalogue\n\nGenerated by `kubeharden rules --format markdown` from [`policies/`](../policies). \
         Each rule is a data file that instantiates a template written in Rust \
         ([`src/rules/`](../src/rules)); its examples are its test fixtures \
         ([`tests/fixtures/`](../tests/fixtures)).\n\n\
         | Rule | Severity | Area | Pod Security Standards | Title |\n|---|---|---|---|---|\n",
    );
    for d in docs {
        let pss = d.pss.as_ref().map_or("—".to_string(), |p| {
            format!("{} `{}` (from {})", p.level.as_str(), p.check, p.since)
        });
        let _ = writeln!(
            text,
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            d.id,
            d.id,
            d.severity,
            d.area.as_str(),
            pss,
            d.title
        );
    }
    for d in docs {
        text.push_str(&rule_markdown(d));
    }
    text
}

/// One rule's section of the catalogue page (starting with a blank line and `## id`).
pub fn rule_markdown(d: &RuleDoc) -> String {
    let mut text = format!(
        "\n## {}\n\n**{}** — severity {}, area {}, template `{}`",
        d.id,
        d.title,
        d.severity,
        d.area.as_str(),
        d.template
    );
    if let Some(p) = &d.pss {
        let _ = write!(
            text,
            ", Pod Security Standards {} check `{}` from {}",
            p.level.as_str(),
            p.check,
            p.since
        );
    }
    let _ = write!(text, ".\n\n{}\n\n**Fix:** {}\n", d.rationale, d.remediation);
    if let Some(fix) = &d.fix {
        let _ = write!(text, "\n**{}:** {}", fix.heading, fix.text);
        if let Some(command) = &fix.command {
            let _ = write!(text, " Apply it with `{command}`.");
        }
        text.push('\n');
    }
    for (label, fixture) in [("Example", &d.example), ("Use instead", &d.use_instead)] {
        if let Some(f) = fixture {
            let caption = match f.kind {
                FixtureKind::Fail => String::new(),
                kind => format!("{}, ", kind.caption()),
            };
            let _ = write!(
                text,
                "\n**{label}** ({caption}[`{}`](../{})):\n\n```{}\n{}",
                f.path.rsplit('/').next().unwrap_or(&f.path),
                f.path,
                FixtureKind::language(&f.path),
                f.text
            );
            if !f.text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str("```\n");
        }
    }
    if !d.sources.is_empty() {
        let sources: Vec<String> = d
            .sources
            .iter()
            .map(|(s, c)| format!("{s} `{c}`"))
            .collect();
        let _ = write!(text, "\n**Equivalent checks:** {}\n", sources.join(" · "));
    }
    let _ = write!(
        text,
        "\n**Suppress:** `{}: \"<why the risk is accepted>\"`\n",
        d.suppression
    );
    text.push_str("\n**References:**\n");
    for reference in &d.references {
        let _ = writeln!(text, "- <{reference}>");
    }
    text
}

/// Serialise the catalogue enums by their lower-case names.
trait Named {
    fn name(&self) -> &'static str;
}

impl Named for Severity {
    fn name(&self) -> &'static str {
        self.as_str()
    }
}

impl Named for Area {
    fn name(&self) -> &'static str {
        self.as_str()
    }
}

impl Named for Level {
    fn name(&self) -> &'static str {
        self.as_str()
    }
}

impl Named for Applicability {
    fn name(&self) -> &'static str {
        self.as_str()
    }
}

fn named<S: Serializer, T: Named>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(value.name())
}

fn named_option<S: Serializer, T: Named>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.serialize_str(v.name()),
        None => s.serialize_none(),
    }
}

fn display<S: Serializer, T: std::fmt::Display>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

fn pairs<S: Serializer>(value: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(value.iter().map(|(k, v)| (k, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_has_an_example_pair() {
        for doc in builtin() {
            let example = doc.example.as_ref().expect(&doc.id);
            let instead = doc.use_instead.as_ref().expect(&doc.id);
            assert!(example
                .path
                .starts_with(&format!("tests/fixtures/{}/fail-", doc.id)));
            assert!(!example.text.starts_with('#'), "{}: header kept", doc.id);
            assert!(!example.text.trim().is_empty(), "{}", doc.id);
            assert_ne!(example.text, instead.text, "{}", doc.id);
            let fixable = doc.fix.as_ref().and_then(|f| f.applicability);
            match instead.kind {
                FixtureKind::Fixed => assert_eq!(fixable, Some(Applicability::Safe), "{}", doc.id),
                FixtureKind::UnsafeFixed => {
                    assert_eq!(fixable, Some(Applicability::Unsafe), "{}", doc.id)
                }
                FixtureKind::Pass => assert!(instead.path.contains("/pass-"), "{}", doc.id),
                FixtureKind::Fail => panic!("{}: use instead is a fail fixture", doc.id),
            }
        }
    }

    #[test]
    fn the_example_fails_with_default_options_and_the_fixed_text_passes() {
        for doc in builtin() {
            // A rule that never fires at the newest version (a CVE fixed in a patch
            // release) shows fixtures whose header names the target version.
            let embedded = embedded::RULE_EXAMPLES.iter().find(|e| e.rule == doc.id);
            let engine_for = |raw: &str| {
                let version = raw
                    .lines()
                    .take_while(|l| l.starts_with('#'))
                    .find_map(|l| {
                        l.trim_start_matches('#')
                            .trim()
                            .strip_prefix("kube-version:")
                    })
                    .map_or(crate::KubeVersion::LATEST, |v| v.trim().parse().unwrap());
                crate::Engine::new(crate::Options {
                    version,
                    ..crate::Options::default()
                })
            };
            let flagged = |raw: Option<&str>, text: &str| {
                engine_for(raw.unwrap_or(""))
                    .check_text(text)
                    .findings
                    .iter()
                    .any(|f| f.rule == doc.id)
            };
            let example = doc.example.as_ref().unwrap();
            let raw = embedded.map(|e| e.example.1);
            assert!(flagged(raw, &example.text), "{}: {}", doc.id, example.path);
            let instead = doc.use_instead.as_ref().unwrap();
            let raw = embedded.map(|e| e.use_instead.1);
            assert!(!flagged(raw, &instead.text), "{}: {}", doc.id, instead.path);
        }
    }

    #[test]
    fn headers_and_sentences() {
        assert_eq!(
            strip_header("# a\n# b\n\napiVersion: v1\n"),
            "apiVersion: v1\n"
        );
        assert_eq!(strip_header("a: 1 # c\n"), "a: 1 # c\n");
        assert_eq!(
            first_sentence("Runs as root, e.g. as uid 0 in v1.25. Then more."),
            "Runs as root, e.g. as uid 0 in v1.25."
        );
        assert_eq!(first_sentence("No full stop"), "No full stop");
        let long: String = (0..50).map(|i| format!("l{i}\n")).collect();
        let cut = excerpt(&long, 40);
        assert_eq!(cut.lines().count(), 41);
        assert!(cut.ends_with("    …\n") && cut.contains("    l39\n") && !cut.contains("l40"));
        assert_eq!(excerpt("a\nb\n", 40), "    a\n    b\n");
        assert_eq!(wrap("aa bb cc", 2, 7), "  aa bb\n  cc\n");
    }

    #[test]
    #[cfg_attr(
        not(all(feature = "rule-docs", feature = "rule-examples")),
        ignore = "reads the docs and examples of the default features"
    )]
    fn json_keeps_the_catalogue_keys() {
        let doc = RuleDoc::builtin("host-namespaces").unwrap();
        let v = serde_json::to_value(&doc).unwrap();
        assert_eq!(v["severity"], "high");
        assert_eq!(v["area"], "controls");
        assert_eq!(v["pss"]["level"], "baseline");
        assert_eq!(v["pss"]["since"], "v1.0");
        assert_eq!(v["sources"]["trivy"], "KSV009, KSV010, KSV008");
        assert_eq!(v["fix"]["applicability"], "unsafe");
        assert!(v["fix"].get("guidance").is_none());
        assert_eq!(v["fix"]["command"], "kubeharden fix --unsafe");
        assert_eq!(v["use_instead"]["kind"], "unsafe_fixed");
        let none = serde_json::to_value(RuleDoc::builtin("cpu-limits").unwrap()).unwrap();
        assert!(none["fix"]["guidance"].is_string() && none["fix"].get("reason").is_none());
        assert!(none["fix"]["command"].is_null());
        assert_eq!(none["use_instead"]["kind"], "pass");
    }
}
