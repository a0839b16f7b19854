//! The rule catalogue: every rule is data in `policies/<id>.yaml` that instantiates a
//! parameterised template written in Rust (see [`crate::rules`]).

use std::sync::OnceLock;

use serde_json::Value as Json;

use crate::diagnostic::{Applicability, Area, Level, Severity};
use crate::version::KubeVersion;
use crate::yaml::{parse_stream, Limits};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/policies.rs"));
}

/// Where a rule sits in the Pod Security Standards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PssMapping {
    pub level: Level,
    /// The upstream check id (`runAsNonRoot`, `capabilities_restricted`, …).
    pub check: String,
    /// The first Kubernetes version the check applies to.
    pub since: KubeVersion,
    /// The baseline check this restricted check replaces at the restricted level
    /// (from `since` on), as the reference implementation's `OverrideCheckIDs`.
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

#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub area: Area,
    pub template: String,
    pub params: Json,
    pub pss: Option<PssMapping>,
    /// Equivalent checks of other scanners: (scanner, check id).
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

impl Catalogue {
    /// The catalogue compiled into this build.
    pub fn builtin() -> &'static Catalogue {
        static BUILTIN: OnceLock<Catalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Catalogue::load(embedded::POLICY_FILES).unwrap_or_else(|errors| {
                panic!("the built-in catalogue is invalid:\n{}", errors.join("\n"))
            })
        })
    }

    /// Read rule files given as (file name, text).
    pub fn load(files: &[(&str, &str)]) -> Result<Catalogue, Vec<String>> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in files {
            match parse_rule(name, text) {
                Ok(rule) => rules.push(rule),
                Err(e) => errors.push(format!("policies/{name}: {e}")),
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

fn parse_rule(name: &str, text: &str) -> Result<Rule, String> {
    let stream = parse_stream(text, &Limits::default());
    if let Some(e) = stream.errors.first() {
        return Err(format!(
            "YAML error at byte {}: {}",
            e.span.start, e.message
        ));
    }
    let doc = stream.documents.first().ok_or("empty file")?;
    let json = doc.root.map(|r| doc.to_json(r)).ok_or("empty file")?;
    let obj = json.as_object().ok_or("a rule must be a mapping")?;
    let string = |key: &str| -> Result<String, String> {
        match obj.get(key) {
            Some(Json::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(format!("missing or empty `{key}`")),
        }
    };
    let id = string("id")?;
    if format!("{id}.yaml") != name {
        return Err(format!("rule id {id:?} must match its file name"));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!("rule id {id:?} is not kebab-case"));
    }
    let pss = match obj.get("pss") {
        None | Some(Json::Null) => None,
        Some(Json::Object(p)) => {
            let field = |k: &str| {
                p.get(k)
                    .and_then(Json::as_str)
                    .ok_or(format!("pss.{k} missing"))
            };
            Some(PssMapping {
                level: field("level")?.parse()?,
                check: field("check")?.to_string(),
                since: field("since")?.parse()?,
                overrides: p
                    .get("overrides")
                    .and_then(Json::as_str)
                    .map(str::to_string),
            })
        }
        Some(_) => return Err("`pss` must be a mapping or null".into()),
    };
    let sources = match obj.get("sources") {
        Some(Json::Object(s)) => {
            let mut out = Vec::new();
            for (scanner, check) in s {
                if !SOURCES.contains(&scanner.as_str()) {
                    return Err(format!("unknown scanner {scanner:?} in sources"));
                }
                let check = check
                    .as_str()
                    .ok_or(format!("sources.{scanner} must be a string"))?;
                out.push((scanner.clone(), check.to_string()));
            }
            out
        }
        _ => {
            return Err(
                "missing `sources` (a mapping of scanner to check id; {} when none has one)".into(),
            )
        }
    };
    let references = match obj.get("references") {
        Some(Json::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|r| {
                r.as_str()
                    .map(str::to_string)
                    .ok_or("references must be strings".to_string())
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("missing `references` (a non-empty list)".into()),
    };
    let fix = match obj.get("fix") {
        None | Some(Json::Null) => {
            return Err("missing `fix` (applicability and reason, or guidance when no automatic change is sound)".into())
        }
        Some(Json::Object(f)) => {
            let text = |k: &str| {
                f.get(k)
                    .and_then(Json::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            match (text("applicability"), text("reason"), text("guidance")) {
                (Some(a), Some(reason), None) => Some(FixPolicy::Available {
                    applicability: match a {
                        "safe" => Applicability::Safe,
                        "unsafe" => Applicability::Unsafe,
                        other => {
                            return Err(format!(
                                "fix.applicability {other:?}: expected safe or unsafe"
                            ))
                        }
                    },
                    reason: reason.to_string(),
                }),
                (None, None, Some(guidance)) => Some(FixPolicy::None {
                    guidance: guidance.to_string(),
                }),
                _ => return Err("`fix` needs applicability and reason, or guidance alone".into()),
            }
        }
        Some(_) => return Err("`fix` must be a mapping".into()),
    };
    Ok(Rule {
        title: string("title")?,
        severity: string("severity")?.parse()?,
        area: string("area")?.parse()?,
        template: string("template")?,
        params: obj
            .get("params")
            .cloned()
            .unwrap_or(Json::Object(Default::default())),
        pss,
        sources,
        rationale: string("rationale")?,
        remediation: string("remediation")?,
        references,
        fix,
        file: format!("policies/{name}"),
        id,
    })
}
