//! The rule catalogue: every rule is data in `policies/<id>.yaml` that instantiates a
//! parameterised template written in Rust (see [`crate::rules`]).

use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::diagnostic::{Applicability, Area, Level, Severity};
use crate::rules::{self, FieldError, TypedParams};
use crate::version::KubeVersion;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/policies.rs"));
}

/// The data tables of `policies/data/` the rules read (built by build.rs; without the
/// `rule-docs` feature their comment lines are left out).
pub(crate) mod data {
    include!(concat!(env!("OUT_DIR"), "/data.rs"));
}

/// Where a rule sits in the Pod Security Standards (the `pss` mapping of a rule file).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PssMapping {
    /// `baseline` or `restricted`.
    #[serde(deserialize_with = "parsed")]
    pub level: Level,
    /// The upstream check id (`runAsNonRoot`, `capabilities_restricted`, …).
    pub check: String,
    /// The first Kubernetes version the check applies to.
    #[serde(skip_serializing)]
    pub since: KubeVersion,
    /// The baseline check this restricted check replaces at the restricted level
    /// (from `since` on), as the reference implementation's `OverrideCheckIDs`.
    #[serde(default, skip_serializing)]
    pub overrides: Option<String>,
}

/// What a rule's automatic fix is, or why it has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixPolicy {
    Available {
        applicability: Applicability,
        reason: String,
    },
    None {
        guidance: String,
    },
}

impl FixPolicy {
    /// A heading and the text under it: "Automatic fix (unsafe)" and why it is unsafe,
    /// or "No automatic fix" and what to do instead.
    pub fn describe(&self) -> (String, &str) {
        match self {
            FixPolicy::Available {
                applicability,
                reason,
            } => (
                format!("Automatic fix ({})", applicability.as_str()),
                reason,
            ),
            FixPolicy::None { guidance } => ("No automatic fix".to_string(), guidance),
        }
    }
}

/// One rule of the catalogue, resolved and validated when it was loaded.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub area: Area,
    /// The template's name; [`rules::template`] finds it (always, for a loaded rule).
    pub template: String,
    /// The `params` mapping as written (`{}` when absent), for display: what
    /// `typed_params` was parsed from.
    pub params: Json,
    /// `params` parsed and validated as the template's parameter type (see
    /// [`rules::Template::params`]); the template receives them as `&TheirParams`.
    pub typed_params: TypedParams,
    pub pss: Option<PssMapping>,
    /// Equivalent checks of other scanners: (scanner, check id). This, `rationale`,
    /// `remediation`, `references` and the fix policy's reason or guidance are empty in a
    /// build without the `rule-docs` feature (the playground's, which fetches them).
    pub sources: Vec<(String, String)>,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub fix: Option<FixPolicy>,
    /// The file the rule was read from.
    pub file: String,
}

#[derive(Clone, Debug)]
pub struct Catalogue {
    pub rules: Vec<Rule>,
}

/// The scanners whose equivalent check ids a rule may name.
pub const SOURCES: &[&str] = &[
    "kube-linter",
    "polaris",
    "kubesec",
    "checkov",
    "kubescape",
    "trivy",
];

fn builtin_arc() -> &'static Arc<Catalogue> {
    static BUILTIN: OnceLock<Arc<Catalogue>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        Arc::new(
            Catalogue::load(embedded::POLICY_FILES).unwrap_or_else(|errors| {
                panic!("the built-in catalogue is invalid:\n{}", errors.join("\n"))
            }),
        )
    })
}

/// A rule id as findings hold it (`Finding::rule` is a `&'static str`): a built-in rule's
/// own, else one copy per distinct id (a configuration's custom rules) kept for the life
/// of the process — a few bytes each, so that a catalogue itself can be freed when no
/// engine holds it any more ([`crate::config::Config::catalogue`]).
pub(crate) fn static_id(id: &str) -> &'static str {
    if let Some(rule) = Catalogue::builtin().get(id) {
        return &rule.id;
    }
    // A list: a process meets a handful of custom rule ids.
    static IDS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut ids = IDS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = ids.iter().find(|&&k| k == id) {
        return known;
    }
    let leaked: &'static str = Box::leak(id.to_owned().into_boxed_str());
    ids.push(leaked);
    leaked
}

impl Catalogue {
    /// The catalogue compiled into this build.
    pub fn builtin() -> &'static Catalogue {
        builtin_arc()
    }

    /// [`Catalogue::builtin`] as the shared handle an [`crate::Engine`] holds.
    pub fn shared_builtin() -> Arc<Catalogue> {
        builtin_arc().clone()
    }

    /// Read rule files given as (file name, text): every rule is parsed, its template
    /// resolved and its parameters validated here, once.
    ///
    /// Errors: every problem of every file, each as `policies/<file>:<line>:<column>:
    /// <field path>: <message>` (`policies/cpu-limits.yaml:9:3: params.pod_level_sinc:
    /// unknown field ...`) — unknown or missing keys, wrong types, malformed versions,
    /// unknown templates or scanners, and rule ids defined twice.
    pub fn load(files: &[(&str, &str)]) -> Result<Catalogue, Vec<String>> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in files {
            match parse_rule(name, text) {
                Ok(rule) => rules.push(rule),
                Err(e) => errors.extend(e),
            }
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        for pair in rules.windows(2) {
            if pair[0].id == pair[1].id {
                errors.push(format!("rule id {:?} is defined twice", pair[0].id));
            }
        }
        if errors.is_empty() {
            Ok(Catalogue { rules })
        } else {
            Err(errors)
        }
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }
}

/// A rule file as written (`policies/<id>.yaml`); any other key is an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    /// kebab-case, the file name without `.yaml`.
    id: Text,
    title: Text,
    #[serde(deserialize_with = "parsed")]
    severity: Severity,
    #[serde(deserialize_with = "parsed")]
    area: Area,
    /// The name of a template of [`rules::templates`].
    template: Text,
    /// Absent or null: not part of the Pod Security Standards.
    #[serde(default)]
    pss: Option<PssMapping>,
    /// The template's parameters, validated by the template's own type.
    #[serde(default)]
    #[allow(dead_code)] // read from the JSON tree, so it is checked even when other keys fail
    params: Option<Json>,
    // Without the `rule-docs` feature build.rs embeds the rule files without these
    // documentation keys (and without `fix`'s reason or guidance): they read as empty.
    #[cfg_attr(not(feature = "rule-docs"), serde(default))]
    sources: Sources,
    fix: FixFile,
    #[cfg_attr(not(feature = "rule-docs"), serde(default))]
    rationale: Text,
    #[cfg_attr(not(feature = "rule-docs"), serde(default))]
    remediation: Text,
    #[cfg_attr(not(feature = "rule-docs"), serde(default))]
    references: NonEmpty<Reference>,
}

/// Trimmed text that is not empty (`Default`, empty, only for the stripped catalogue).
#[derive(Deserialize, Default)]
#[serde(try_from = "String")]
struct Text(String);

impl TryFrom<String> for Text {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let t = s.trim();
        if t.is_empty() {
            Err("must not be empty")
        } else {
            Ok(Text(t.to_string()))
        }
    }
}

/// An `https://` address.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Reference(String);

impl TryFrom<String> for Reference {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.starts_with("https://") && s.len() > "https://".len() {
            Ok(Reference(s))
        } else {
            Err(format!("{s:?} is not an https:// address"))
        }
    }
}

/// A list with at least one item.
#[derive(Deserialize)]
#[serde(try_from = "Vec<T>")]
struct NonEmpty<T>(Vec<T>);

impl<T> Default for NonEmpty<T> {
    /// Empty: only for the stripped catalogue (no `rule-docs` feature).
    fn default() -> Self {
        NonEmpty(Vec::new())
    }
}

impl<T> TryFrom<Vec<T>> for NonEmpty<T> {
    type Error = &'static str;
    fn try_from(v: Vec<T>) -> Result<Self, Self::Error> {
        if v.is_empty() {
            Err("expected at least one item")
        } else {
            Ok(NonEmpty(v))
        }
    }
}

/// A value read with its type's `FromStr` (`severity: high`).
fn parsed<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = String>,
{
    let s = String::deserialize(d)?;
    s.trim().parse().map_err(de::Error::custom)
}

/// A scanner of [`SOURCES`].
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Scanner(String);

impl TryFrom<String> for Scanner {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if SOURCES.contains(&s.as_str()) {
            Ok(Scanner(s))
        } else {
            Err(format!(
                "unknown scanner {s:?}, expected one of {}",
                SOURCES.join(", ")
            ))
        }
    }
}

/// `sources`: scanner → its equivalent check id, in the order written (`{}` when no
/// scanner has one).
#[derive(Default)]
struct Sources(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Sources {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Sources;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of scanner to check id ({} when none has one)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sources, A::Error> {
                let mut out = Vec::new();
                while let Some((Scanner(s), Text(check))) = map.next_entry()? {
                    out.push((s, check));
                }
                Ok(Sources(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// `fix`: `applicability` and `reason`, or `guidance` alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixFile {
    applicability: Option<ApplicabilityName>,
    reason: Option<Text>,
    guidance: Option<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ApplicabilityName {
    Safe,
    Unsafe,
}

impl FixFile {
    fn policy(self) -> Result<FixPolicy, FieldError> {
        match self {
            FixFile {
                applicability: Some(a),
                reason: Some(Text(reason)),
                guidance: None,
            } => Ok(FixPolicy::Available {
                applicability: match a {
                    ApplicabilityName::Safe => Applicability::Safe,
                    ApplicabilityName::Unsafe => Applicability::Unsafe,
                },
                reason,
            }),
            FixFile {
                applicability: None,
                reason: None,
                guidance: Some(Text(guidance)),
            } => Ok(FixPolicy::None { guidance }),
            // The stripped catalogue (no `rule-docs` feature): build.rs removed the text.
            #[cfg(not(feature = "rule-docs"))]
            FixFile {
                applicability: Some(a),
                reason: None,
                guidance: None,
            } => Ok(FixPolicy::Available {
                applicability: match a {
                    ApplicabilityName::Safe => Applicability::Safe,
                    ApplicabilityName::Unsafe => Applicability::Unsafe,
                },
                reason: String::new(),
            }),
            #[cfg(not(feature = "rule-docs"))]
            FixFile {
                applicability: None,
                reason: None,
                guidance: None,
            } => Ok(FixPolicy::None {
                guidance: String::new(),
            }),
            _ => Err(FieldError::new(
                &["fix"],
                "expected `applicability` (safe or unsafe) and `reason`, or `guidance` alone when no automatic change is sound",
            )),
        }
    }
}

/// Parse, resolve and validate one rule file; errors are complete lines
/// (`policies/<name>:<line>:<column>: <path>: <message>`, [`crate::datafile::read`]).
fn parse_rule(name: &str, text: &str) -> Result<Rule, Vec<String>> {
    let file = format!("policies/{name}");
    crate::datafile::read(&file, text, "rule file", |json| {
        rule_from_json(json, &file, Some(name))
    })
}

/// Resolve and validate one rule given as the JSON tree of a rule file (a file of
/// `policies/`, or a custom rule of a configuration file, [`crate::config`]): the keys of
/// [`RuleFile`], the template's typed parameters, the fix policy and the id's spelling.
/// `file_name`, when given, is the file the id must match (`<id>.yaml`). Errors name the
/// field (`params.allowed[2]`), every one found.
pub(crate) fn rule_from_json(
    json: &Json,
    file: &str,
    file_name: Option<&str>,
) -> Result<Rule, Vec<FieldError>> {
    let mut errors = Vec::new();
    // The parameters are checked even when another key is wrong, so one run shows both.
    let raw_params = match json.get("params") {
        None | Some(Json::Null) => Json::Object(Default::default()),
        Some(p) => p.clone(),
    };
    let typed = match json.get("template").and_then(Json::as_str).map(str::trim) {
        Some(t) => match rules::template(t) {
            Some(template) => template
                .parse_params(&raw_params)
                .map_err(|e| errors.push(e.below("params")))
                .ok(),
            None => {
                let known: Vec<&str> = rules::templates().map(|t| t.name).collect();
                let hint = rules::similar(t, known.iter().copied())
                    .map(|s| format!(" (did you mean {s:?}?)"))
                    .unwrap_or_default();
                // The hint last: the list of templates is the expected shape.
                errors.push(FieldError::new(
                    &["template"],
                    format!(
                        "unknown template {t:?}, expected one of {}{hint}",
                        known.join(", ")
                    ),
                ));
                None
            }
        },
        // Missing or not a string: the rule file's own check says so.
        None => None,
    };
    let f: RuleFile = match rules::deserialize(json) {
        Ok(f) => f,
        Err(e) => {
            errors.insert(0, e);
            return Err(errors);
        }
    };
    let id = f.id.0;
    if let Some(name) = file_name {
        if format!("{id}.yaml") != name {
            errors.push(FieldError::new(
                &["id"],
                format!("rule id {id:?} must match its file name"),
            ));
        }
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errors.push(FieldError::new(
            &["id"],
            format!("rule id {id:?} is not kebab-case"),
        ));
    }
    let fix = f.fix.policy().map_err(|e| errors.push(e)).ok();
    match (typed, fix) {
        (Some(typed_params), Some(fix)) if errors.is_empty() => Ok(Rule {
            title: f.title.0,
            severity: f.severity,
            area: f.area,
            template: f.template.0,
            params: raw_params,
            typed_params,
            pss: f.pss,
            sources: f.sources.0,
            rationale: f.rationale.0,
            remediation: f.remediation.0,
            references: f.references.0.into_iter().map(|r| r.0).collect(),
            fix: Some(fix),
            file: file.to_string(),
            id,
        }),
        _ => Err(errors),
    }
}

/// The playground's catalogue (no `rule-docs` feature: build.rs embeds the rule files
/// without their documentation) checks exactly as the full one. Run with
/// `cargo test --no-default-features --lib catalogue`.
#[cfg(test)]
mod stripped_tests {
    #[test]
    #[cfg(not(feature = "rule-docs"))]
    fn the_stripped_catalogue_differs_from_the_full_one_only_in_its_docs() {
        use super::*;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let texts: Vec<(&str, String)> = embedded::POLICY_FILES
            .iter()
            .map(|&(name, _)| (name, std::fs::read_to_string(dir.join(name)).unwrap()))
            .collect();
        let files: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let full = Catalogue::load(&files).unwrap();
        let stripped = Catalogue::builtin();
        assert_eq!(full.rules.len(), stripped.rules.len());
        assert!(embedded::POLICY_FILES.len() > 50);
        for (f, s) in full.rules.iter().zip(&stripped.rules) {
            assert_eq!(
                (&f.id, &f.title, f.severity, f.area, &f.template),
                (&s.id, &s.title, s.severity, s.area, &s.template)
            );
            assert_eq!((&f.params, &f.pss, &f.file), (&s.params, &s.pss, &s.file));
            let applicability = |r: &Rule| match &r.fix {
                Some(FixPolicy::Available { applicability, .. }) => Some(Some(*applicability)),
                Some(FixPolicy::None { .. }) => Some(None),
                None => None,
            };
            assert_eq!(applicability(f), applicability(s), "{}", f.id);
            assert!(
                !f.rationale.is_empty() && !f.references.is_empty(),
                "{}",
                f.id
            );
            assert!(
                s.rationale.is_empty() && s.remediation.is_empty(),
                "{}",
                s.id
            );
            assert!(s.references.is_empty() && s.sources.is_empty(), "{}", s.id);
            // What the stripped text keeps is the rule file as written, minus the docs.
            let text = embedded::POLICY_FILES
                .iter()
                .find(|(n, _)| *n == s.file.trim_start_matches("policies/"))
                .unwrap()
                .1;
            assert!(
                !text.contains("rationale:") && !text.contains("\n#"),
                "{}",
                s.id
            );
        }
    }
}
