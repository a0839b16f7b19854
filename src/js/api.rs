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
//! - `config`: the text (YAML or JSON) of a `.kubeharden.yaml` (`docs/config.md`), read by
//!   [`Config::parse`] exactly as `kubeharden check --config .kubeharden.yaml` reads the
//!   file: its rules, severities, parameters, custom rules and exemptions apply; its
//!   `profile` and `kube-version` apply unless `profile` / `kubeVersion` are given, as the
//!   CLI's flags win over the file; `rules` may name its custom rules and run rules it
//!   turns off, as `--rule` does. Its `exclude` and `severity-threshold` concern files and
//!   exit statuses, which a single text does not have: they are read and validated only.
//!   Errors in it are an option error for `config` with every error's line and column.
//! - fix only: `unsafe` (boolean, as `--unsafe`), `only` (finding ids to fix),
//!   `exclude` (finding ids never to fix).

use serde::Serialize;
use serde_json::{Map, Value};

use std::sync::Arc;

use kubeharden::config::Config;
use kubeharden::fix::{FixOptions, FixRecord};
use kubeharden::render::{json, json_observed, unified_diff};
use kubeharden::{Applicability, Engine, InOrder, KubeVersion, Options, Profile, Progress, Source};

/// The name a text is given in reports when `file` is not set.
pub const DEFAULT_FILE: &str = "manifest.yaml";

/// The name a configuration's errors and exemption reasons give it, as the CLI names a
/// `.kubeharden.yaml` of its working directory.
pub const CONFIG_FILE: &str = kubeharden::config::FILE_NAME;

const CHECK_KEYS: &[&str] = &["profile", "kubeVersion", "rules", "file", "config"];
const FIX_KEYS: &[&str] = &[
    "profile",
    "kubeVersion",
    "rules",
    "file",
    "config",
    "unsafe",
    "only",
    "exclude",
];

/// A bad option: which one, and why; for `config`, each error of the text with its
/// 1-based line and column (characters), as the CLI prints them.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct OptionError {
    pub option: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Located>,
}

/// One error of the `config` text.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn bad(option: &str, message: impl Into<String>) -> OptionError {
    OptionError {
        option: option.to_string(),
        message: message.into(),
        errors: Vec::new(),
    }
}

/// Parsed options of a check or a fix.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The profile and version: given, else the configuration's, else the defaults.
    pub options: Options,
    /// The configuration (every default when no `config` is given, as the CLI without a
    /// file).
    pub config: Arc<Config>,
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
    let (mut profile, mut version) = (None, None);
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
                profile = Some(
                    s.parse::<Profile>()
                        .map_err(|e| bad(key, format!("profile: {e}")))?,
                );
            }
            "kubeVersion" => {
                let Value::String(s) = value else {
                    return Err(bad(
                        key,
                        "kubeVersion must be a string such as \"1.29\" (a number cannot tell 1.3 from 1.30)",
                    ));
                };
                let v: KubeVersion = s
                    .parse()
                    .map_err(|e| bad(key, format!("kubeVersion: {e}")))?;
                if v > KubeVersion::LATEST {
                    return Err(bad(
                        key,
                        format!(
                            "kubeVersion: {v} is newer than the newest Kubernetes version this kubeharden knows ({}); use latest or an older version",
                            KubeVersion::LATEST
                        ),
                    ));
                }
                version = Some(v);
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
            "config" => {
                let Value::String(text) = value else {
                    return Err(bad(
                        key,
                        "config must be a string: the text of a .kubeharden.yaml (YAML or JSON)",
                    ));
                };
                parsed.config = Arc::new(config(text)?);
            }
            // Every allowed key has an arm above.
            _ => {}
        }
    }
    // The CLI's precedence: a flag, else the file's value, else the default.
    parsed.options = parsed.config.options(Options::default());
    if let Some(p) = profile {
        parsed.options.profile = p;
    }
    if let Some(v) = version {
        parsed.options.version = v;
    }
    check_rules(&parsed)?;
    Ok(parsed)
}

/// The configuration of `text`, or an error for `config` listing every error in it.
fn config(text: &str) -> Result<Config, OptionError> {
    Config::parse(CONFIG_FILE, text).map_err(|errors| OptionError {
        option: "config".into(),
        message: format!(
            "config: the configuration is invalid: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        errors: errors
            .into_iter()
            .map(|e| Located {
                line: e.at.line,
                column: e.at.column,
                message: e.message,
            })
            .collect(),
    })
}

/// The engine of a check: the configuration's rules for the options, only `rules` when
/// given (which run even if the configuration turns them off), as `kubeharden check`.
fn engine(parsed: &Parsed) -> Engine {
    parsed.config.engine_for(parsed.options, &parsed.rules)
}

/// Every rule id must exist (built-in, or a custom rule of the configuration) and run
/// under the profile and version, as the CLI demands: a rule that does not run would
/// make the check pass without having checked it.
fn check_rules(parsed: &Parsed) -> Result<(), OptionError> {
    if parsed.rules.is_empty() {
        return Ok(());
    }
    let catalogue = &parsed.config.catalogue();
    let engine = engine(parsed);
    for (i, id) in parsed.rules.iter().enumerate() {
        if catalogue.get(id).is_none() {
            let nearest =
                kubeharden::rules::similar(id, catalogue.rules.iter().map(|r| r.id.as_str()))
                    .map(|id| format!(" (did you mean {id:?}?)"))
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
#[allow(dead_code)] // the bindings call check_observed; the tests and the fuzz target this
pub fn check(text: &str, options: &str) -> String {
    check_observed(text, options, &|_| {})
}

/// [`check`], telling `observe` how far it has come ([`Engine::check_observed`]).
pub fn check_observed(text: &str, options: &str, observe: &(dyn Fn(Progress) + Sync)) -> String {
    let parsed = match parse(options, CHECK_KEYS) {
        Ok(p) => p,
        Err(e) => return option_error(e),
    };
    let engine = engine(&parsed);
    let sources = [Source::new(parsed.file, text)];
    let report = engine.check_observed(&sources, &InOrder, observe);
    json_observed(&report, &sources, &parsed.options, observe)
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
        config: Some(parsed.config.clone()),
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
    fn writing_the_report_is_told_as_it_goes() {
        // 300 pods, more than a thousand findings: the JSON's writing is told past 73%.
        let text = (0..300)
            .map(|i| POD.replace("name: p", &format!("name: p{i}")))
            .collect::<Vec<_>>()
            .join("---\n");
        let told = std::sync::Mutex::new(Vec::new());
        let out = check_observed(&text, "", &|p| told.lock().unwrap().push(p));
        assert_eq!(out, check(&text, ""), "the same report, told or not");
        let findings = serde_json::from_str::<Value>(&out).unwrap()["findings"]
            .as_array()
            .unwrap()
            .len();
        let report: Vec<_> = told
            .into_inner()
            .unwrap()
            .into_iter()
            .filter(|p| p.stage == kubeharden::Stage::Report)
            .collect();
        assert!(findings > 1024, "{findings} findings");
        // The engine's start (0 of 1), then the writer's, every 256 findings.
        assert_eq!(report[0].percent(), 73);
        assert_eq!(report.len(), 1 + findings.div_ceil(256), "{report:?}");
        assert!(
            report.last().unwrap().percent() >= 73 + 27 * (findings - 256) as u32 / findings as u32
        );
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

    fn ids(v: &Value) -> Vec<&str> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect()
    }

    fn options(config: &str, extra: &str) -> String {
        format!(
            "{{\"config\":{}{extra}}}",
            serde_json::to_string(config).unwrap()
        )
    }

    #[test]
    fn a_config_applies_and_explicit_options_win_over_it() {
        let config = "profile: baseline\nkube-version: \"1.25\"\nrules:\n  privileged-container: {severity: low}\n";
        let v: Value = serde_json::from_str(&check(POD, &options(config, ""))).unwrap();
        assert_eq!(v["settings"]["profile"], "baseline", "the file's profile");
        assert_eq!(v["settings"]["kube_version"], "v1.25", "the file's version");
        let privileged = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "privileged-container")
            .unwrap();
        assert_eq!(privileged["severity"], "low", "the file's severity");
        let v: Value = serde_json::from_str(&check(
            POD,
            &options(config, r#","profile":"restricted","kubeVersion":"1.29""#),
        ))
        .unwrap();
        assert_eq!(v["settings"]["profile"], "restricted", "an option wins");
        assert_eq!(v["settings"]["kube_version"], "v1.29", "an option wins");
        // A rule the file turns off runs when named, as with --rule.
        let off = "rules:\n  privileged-container: off\n";
        let v: Value = serde_json::from_str(&check(POD, &options(off, ""))).unwrap();
        assert!(!ids(&v).contains(&"privileged-container"));
        let v: Value = serde_json::from_str(&check(
            POD,
            &options(off, r#","rules":["privileged-container"]"#),
        ))
        .unwrap();
        assert_eq!(ids(&v), ["privileged-container"]);
    }

    #[test]
    fn custom_rules_and_exemptions_of_a_config_apply() {
        let config = "custom-rules:\n  - id: images-from-our-registry\n    title: Images come from our registry\n    severity: high\n    area: controls\n    template: image-registry\n    params: {allowed: [registry.example.com]}\n    rationale: Only our registry is scanned.\n    remediation: Push the image to registry.example.com.\n    fix: {guidance: Push the image to registry.example.com.}\n    references: [https://kubernetes.io/docs/concepts/containers/images/]\nexemptions:\n  - rule: privileged-container\n    objects: [{kind: Pod, name: p}]\n    reason: a lab pod\n";
        let out = check(POD, &options(config, ""));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(ids(&v).contains(&"images-from-our-registry"), "{out}");
        let privileged = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "privileged-container")
            .unwrap();
        assert_eq!(privileged["suppressed"], true);
        assert_eq!(
            privileged["suppression_reason"],
            "exempted by .kubeharden.yaml:13:5: a lab pod"
        );
        let named = check(
            POD,
            &options(config, r#","rules":["images-from-our-registry"]"#),
        );
        let v: Value = serde_json::from_str(&named).unwrap();
        assert_eq!(ids(&v), ["images-from-our-registry"], "{named}");
        // A suppressed finding is never fixed.
        let fixed: Value =
            serde_json::from_str(&fix(POD, &options(config, r#","unsafe":true"#))).unwrap();
        assert!(fixed["text"].as_str().unwrap().contains("privileged: true"));
    }

    #[test]
    fn config_errors_are_located_and_name_the_option() {
        let out = check(
            POD,
            &options("rules:\n  host-namespace: off\nprofil: all\n", ""),
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        let e = &v["option_error"];
        assert_eq!(e["option"], "config");
        assert_eq!(e["errors"][0]["line"], 2);
        assert_eq!(e["errors"][0]["column"], 3);
        assert!(e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean \"host-namespaces\""));
        assert_eq!(e["errors"][1]["line"], 3);
        assert!(e["message"]
            .as_str()
            .unwrap()
            .contains(".kubeharden.yaml:2:3: unknown rule"));
        for bad in ["a: [", "{\"rules\": 3}", "- 1\n", "---\na: 1\n---\nb: 2\n"] {
            let (option, _) = error(&fix(POD, &options(bad, "")));
            assert_eq!(option, "config", "{bad}");
        }
        let (option, message) = error(&check(POD, r#"{"config":{"profile":"all"}}"#));
        assert_eq!(option, "config");
        assert!(message.contains("must be a string"));
        // JSON is YAML: a configuration written as JSON reads the same.
        let v: Value = serde_json::from_str(&check(
            POD,
            &options(r#"{"rules": {"privileged-container": "off"}}"#, ""),
        ))
        .unwrap();
        assert!(!ids(&v).contains(&"privileged-container"));
        // A rule named by `rules` must exist there too: custom ids only with their config.
        let (option, _) = error(&check(POD, r#"{"rules":["images-from-our-registry"]}"#));
        assert_eq!(option, "rules");
    }
}
