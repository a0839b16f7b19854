//! The JavaScript API's logic, free of wasm-bindgen so that it is unit-tested natively:
//! option parsing (every message names the option), and the JSON the package returns.
//!
//! Options (a JSON object; every key optional, an unknown key is an error):
//! - `profile`: `"baseline" | "restricted" | "all"` (default `all`), as `--profile`.
//! - `kubeVersion`: a string `"1.NN"`, `"v1.NN"` or `"latest"`, at most
//!   [`KubeVersion::LATEST`], as `--kube-version`.
//! - `rules`: rule ids to run (all when absent or empty), as `--rule`; each must exist
//!   and run under the profile and version (as the CLI refuses it otherwise).
//! - `file`: the name the report gives the text (default `manifest.yaml`).
//! - fix only: `unsafe` (boolean, as `--unsafe`), `only` (finding ids to fix),
//!   `exclude` (finding ids never to fix).

use serde::Serialize;
use serde_json::{Map, Value};

use kubeharden::fix::{FixOptions, FixRecord};
use kubeharden::render::{json, unified_diff};
use kubeharden::{Applicability, Catalogue, Engine, KubeVersion, Options, Profile, Source};

/// The name a text is given in reports when `file` is not set.
pub const DEFAULT_FILE: &str = "manifest.yaml";

const CHECK_KEYS: &[&str] = &["profile", "kubeVersion", "rules", "file"];
const FIX_KEYS: &[&str] = &[
    "profile",
    "kubeVersion",
    "rules",
    "file",
    "unsafe",
    "only",
    "exclude",
];

/// A bad option: which one, and why.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct OptionError {
    pub option: String,
    pub message: String,
}

fn bad(option: &str, message: impl Into<String>) -> OptionError {
    OptionError {
        option: option.to_string(),
        message: message.into(),
    }
}

/// Parsed options of a check or a fix.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    pub options: Options,
    pub rules: Vec<String>,
    pub file: String,
    pub unsafe_fixes: bool,
    pub only: Option<Vec<String>>,
    pub exclude: Vec<String>,
}

fn strings(option: &str, value: &Value) -> Result<Vec<String>, OptionError> {
    let Value::Array(items) = value else {
        return Err(bad(option, format!("{option} must be an array of strings")));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(bad(option, format!("{option}[{i}] must be a string"))),
        })
        .collect()
}

/// Parse `text` (a JSON object, or empty for the defaults) with the keys `allowed`.
pub fn parse(text: &str, allowed: &[&str]) -> Result<Parsed, OptionError> {
    let map: Map<String, Value> = if text.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => Map::new(),
            _ => return Err(bad("options", "options must be an object")),
        }
    };
    let mut parsed = Parsed {
        file: DEFAULT_FILE.to_string(),
        ..Parsed::default()
    };
    for (key, value) in &map {
        if !allowed.contains(&key.as_str()) {
            return Err(bad(
                key,
                format!("{key:?} is not an option (expected {})", allowed.join(", ")),
            ));
        }
        // `undefined` never reaches here (JSON.stringify drops it); `null` means the default.
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            "profile" => {
                let Value::String(s) = value else {
                    return Err(bad(key, "profile must be a string"));
                };
                parsed.options.profile = s
                    .parse::<Profile>()
                    .map_err(|e| bad(key, format!("profile: {e}")))?;
            }
            "kubeVersion" => {
                let Value::String(s) = value else {
                    return Err(bad(
                        key,
                        "kubeVersion must be a string such as \"1.29\" (a number cannot tell 1.3 from 1.30)",
                    ));
                };
                let version: KubeVersion = s
                    .parse()
                    .map_err(|e| bad(key, format!("kubeVersion: {e}")))?;
                if version > KubeVersion::LATEST {
                    return Err(bad(
                        key,
                        format!(
                            "kubeVersion: {version} is newer than the newest Kubernetes version this kubeharden knows ({}); use latest or an older version",
                            KubeVersion::LATEST
                        ),
                    ));
                }
                parsed.options.version = version;
            }
            "rules" => parsed.rules = strings(key, value)?,
            "file" => match value {
                Value::String(s) if !s.is_empty() => parsed.file = s.clone(),
                _ => return Err(bad(key, "file must be a non-empty string")),
            },
            "unsafe" => match value {
                Value::Bool(b) => parsed.unsafe_fixes = *b,
                _ => return Err(bad(key, "unsafe must be true or false")),
            },
            "only" => parsed.only = Some(strings(key, value)?),
            "exclude" => parsed.exclude = strings(key, value)?,
            // Every allowed key has an arm above.
            _ => {}
        }
    }
    check_rules(&parsed)?;
    Ok(parsed)
}

/// Every rule id must exist and run under the profile and version, as the CLI demands:
/// a rule that does not run would make the check pass without having checked it.
fn check_rules(parsed: &Parsed) -> Result<(), OptionError> {
    let catalogue = Catalogue::builtin();
    let engine = Engine::new(parsed.options);
    for (i, id) in parsed.rules.iter().enumerate() {
        if catalogue.get(id).is_none() {
            let nearest = catalogue
                .rules
                .iter()
                .map(|r| (strsim::jaro(id, &r.id), r.id.as_str()))
                .filter(|(score, _)| *score > 0.7)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, id)| format!(" (did you mean {id:?}?)"))
                .unwrap_or_default();
            return Err(bad(
                "rules",
                format!("rules[{i}]: unknown rule {id:?}{nearest}"),
            ));
        }
        if !engine.rules().any(|r| r.id == *id) {
            return Err(bad(
                "rules",
                format!(
                    "rules[{i}]: rule {id:?} does not run with profile {} at kubeVersion {}: choose profile all or the version that introduced it",
                    parsed.options.profile.as_str(),
                    parsed.options.version
                ),
            ));
        }
    }
    Ok(())
}

fn option_error(e: OptionError) -> String {
    serde_json::json!({ "option_error": e }).to_string()
}

/// The JSON report of `text` (version 2, exactly as `kubeharden check --format json
/// FILE` writes it for a file named `file` holding `text`), or an option error.
pub fn check(text: &str, options: &str) -> String {
    let parsed = match parse(options, CHECK_KEYS) {
        Ok(p) => p,
        Err(e) => return option_error(e),
    };
    let engine = Engine::new(parsed.options).retain_rules(&parsed.rules);
    let sources = [Source::new(parsed.file, text)];
    let report = engine.check(&sources);
    json(&report, &sources, &parsed.options)
}

#[derive(Serialize)]
struct Record<'a> {
    id: &'a str,
    rule: &'a str,
    path: &'a str,
    message: &'a str,
    title: &'a str,
    applicability: Applicability,
    reason: Option<&'a str>,
}

fn records(list: &[FixRecord]) -> Vec<Record<'_>> {
    list.iter()
        .map(|r| Record {
            id: &r.id,
            rule: r.rule,
            path: &r.path,
            message: &r.message,
            title: &r.title,
            applicability: r.applicability,
            reason: r.reason.as_deref(),
        })
        .collect()
}

#[derive(Serialize)]
struct Fixed<'a> {
    text: &'a str,
    diff: String,
    applied: Vec<Record<'a>>,
    skipped: Vec<Record<'a>>,
}

/// `{"text", "diff", "applied", "skipped", "remaining"}`: the hardened text (what
/// `kubeharden fix FILE` prints), its unified diff (`a/FILE`, `b/FILE`), the fixes
/// applied and skipped (with the finding id, the rule and, when skipped, the reason),
/// and the JSON report of the hardened text (with `rules`, of those rules only).
pub fn fix(text: &str, options: &str) -> String {
    let parsed = match parse(options, FIX_KEYS) {
        Ok(p) => p,
        Err(e) => return option_error(e),
    };
    let sources = [Source::new(parsed.file.clone(), text)];
    let fix_options = FixOptions {
        check: parsed.options,
        unsafe_fixes: parsed.unsafe_fixes,
        only: parsed.only.clone(),
        exclude: parsed.exclude.clone(),
        rules: (!parsed.rules.is_empty()).then(|| parsed.rules.clone()),
        config: None,
    };
    let mut result = kubeharden::fix::fix_bundle(&sources, &fix_options);
    if !parsed.rules.is_empty() {
        result
            .report
            .findings
            .retain(|f| parsed.rules.iter().any(|r| r == f.rule));
    }
    let fixed = result.text();
    let head = Fixed {
        text: fixed,
        diff: unified_diff(
            text,
            fixed,
            &format!("a/{}", parsed.file),
            &format!("b/{}", parsed.file),
        ),
        applied: records(&result.applied),
        skipped: records(&result.skipped),
    };
    let mut out = serde_json::to_string(&head).unwrap_or_default();
    // `head` is an object: replace its closing brace with the report.
    out.pop();
    out.push_str(",\"remaining\":");
    out.push_str(json(&result.report, &result.sources, &parsed.options).trim_end());
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";

    fn error(out: &str) -> (String, String) {
        let v: Value = serde_json::from_str(out).unwrap();
        let e = &v["option_error"];
        (
            e["option"].as_str().unwrap_or_default().to_string(),
            e["message"].as_str().unwrap_or_default().to_string(),
        )
    }

    #[test]
    fn bad_options_name_the_option() {
        for (options, option, says) in [
            (r#"{"profile":"strict"}"#, "profile", "unknown profile"),
            (r#"{"profile":1}"#, "profile", "string"),
            (r#"{"kubeVersion":1.3}"#, "kubeVersion", "1.30"),
            (r#"{"kubeVersion":"1.99"}"#, "kubeVersion", "newer"),
            (r#"{"kubeVersion":"2.1"}"#, "kubeVersion", "invalid"),
            (r#"{"rules":"host-namespaces"}"#, "rules", "array"),
            (
                r#"{"rules":["host-namespace"]}"#,
                "rules",
                "did you mean \"host-namespaces\"",
            ),
            (
                r#"{"profile":"baseline","rules":["read-only-root-filesystem"]}"#,
                "rules",
                "does not run",
            ),
            (r#"{"file":""}"#, "file", "non-empty"),
            (r#"{"profil":"all"}"#, "profil", "not an option"),
            ("[1]", "options", "object"),
        ] {
            let (got, message) = error(&check(POD, options));
            assert_eq!(got, option, "{options}");
            assert!(message.contains(says), "{options}: {message}");
        }
        let (got, _) = error(&check(POD, r#"{"unsafe":true}"#));
        assert_eq!(got, "unsafe", "unsafe is a fix option only");
        let (got, _) = error(&fix(POD, r#"{"only":[3]}"#));
        assert_eq!(got, "only");
    }

    #[test]
    fn check_is_the_cli_report() {
        let out = check(POD, r#"{"kubeVersion":"1.29","profile":"restricted"}"#);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], 2);
        assert_eq!(v["settings"]["kube_version"], "v1.29");
        assert_eq!(v["findings"][0]["file"], DEFAULT_FILE);
        assert!(v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "privileged-container"));
        let broken = check("a: [\n", "");
        let v: Value = serde_json::from_str(&broken).unwrap();
        assert_eq!(
            v["summary"]["errors"], 1,
            "bad YAML is a report with an error"
        );
    }

    #[test]
    fn fix_returns_text_records_and_what_remains() {
        let out = fix(POD, r#"{"unsafe":true,"file":"pod.yaml"}"#);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["text"].as_str().unwrap().contains("privileged: false"));
        assert!(v["diff"].as_str().unwrap().starts_with("--- a/pod.yaml"));
        assert!(v["applied"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "privileged-container" && r["applicability"] == "unsafe"));
        assert_eq!(v["remaining"]["version"], 2);
        assert!(!v["remaining"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "privileged-container"));
        let only = fix(POD, r#"{"unsafe":true,"rules":["privileged-container"]}"#);
        let v: Value = serde_json::from_str(&only).unwrap();
        // Only that rule's fixes are tried, and only its findings are left to report.
        let tried: Vec<&Value> = v["applied"]
            .as_array()
            .unwrap()
            .iter()
            .chain(v["skipped"].as_array().unwrap())
            .collect();
        assert!(!tried.is_empty());
        assert!(tried.iter().all(|r| r["rule"] == "privileged-container"));
        assert!(v["remaining"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] == "privileged-container"));
    }
}
