//! Keys inserted into JSON keep the document's layout: a manifest pretty-printed by
//! serde_json (2 spaces, 4 spaces or tabs; LF or CRLF) is, after every fix, still exactly
//! what serde_json's pretty printer writes for the fixed value with that indentation — so
//! every new key is on its own line, indented like its neighbours, commas where JSON puts
//! them and never trailing — and a manifest written on one line stays on one line. For
//! every fixable rule alone and for all of them together: the result is valid JSON, the
//! applied fixes' findings are gone, no fixable finding of the rule is left unless its fix
//! was skipped with a reason, and fixing again changes nothing.

mod common;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use kubeharden::catalogue::FixPolicy;
use kubeharden::fix::{fix, FixOptions};
use kubeharden::Catalogue;

/// A JSON value that keeps its keys in document order (serde_json's `Value` sorts them).
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
                Ok(Json::Number(n.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Json, E> {
                serde_json::Number::from_f64(n)
                    .map(Json::Number)
                    .ok_or_else(|| E::custom("not a finite number"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Json, E> {
                Ok(Json::Str(s.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Json::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.push((k, v));
                }
                Ok(Json::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::Str(v) => s.serialize_str(v),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// serde_json's pretty printing with `indent`, then a final line break.
fn pretty(value: &Json, indent: &str) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut ser).unwrap();
    String::from_utf8(out).unwrap() + "\n"
}

/// The value on one line, as people write it by hand: `{"a": 1, "b": [2, 3]}`.
fn one_line(value: &Json) -> String {
    match value {
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(one_line).collect();
            format!("[{}]", items.join(", "))
        }
        Json::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), one_line(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        v => serde_json::to_string(v).unwrap(),
    }
}

/// Workloads whose fixes insert keys at every depth: into existing objects, as new
/// nested objects, into existing lists, in place of a null; no empty `{}` (which stays
/// compact, a layout serde_json does not write).
const MANIFESTS: &[&str] = &[
    r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"hostNetwork": false, "containers": [
          {"name": "web", "image": "registry.example.com/web:1", "securityContext": {"runAsUser": 1000}},
          {"name": "log", "image": "registry.example.com/log:1", "args": ["--json"]}]}}"#,
    r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "labels": {"app": "api"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
          "template": {"metadata": {"labels": {"app": "api"}},
            "spec": {"securityContext": null, "containers": [
              {"name": "api", "image": "registry.example.com/api:3",
               "securityContext": {"privileged": false, "capabilities": {"add": ["NET_BIND_SERVICE"]}},
               "resources": {"limits": {"memory": "128Mi"}}}]}}}}"#,
    r#"{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
          "restartPolicy": "OnFailure", "securityContext": {"runAsUser": 1000},
          "initContainers": [{"name": "init", "image": "registry.example.com/init:1",
            "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}],
          "containers": [{"name": "job", "image": "registry.example.com/job:1",
            "securityContext": {"allowPrivilegeEscalation": true, "runAsNonRoot": false}}]}}}}}}"#,
];

/// Every fixable rule alone, then all of them.
fn rule_sets() -> Vec<Option<Vec<String>>> {
    let mut out: Vec<Option<Vec<String>>> = Catalogue::builtin()
        .rules
        .iter()
        .filter(|r| matches!(r.fix, Some(FixPolicy::Available { .. })))
        .map(|r| Some(vec![r.id.clone()]))
        .collect();
    out.push(None);
    out
}

/// Fix `text` with `rules` and check every property; returns how many fixes applied.
fn check(
    name: &str,
    text: &str,
    rules: &Option<Vec<String>>,
    layout: &dyn Fn(&Json) -> String,
    problems: &mut Vec<String>,
) -> usize {
    let options = FixOptions {
        unsafe_fixes: true,
        rules: rules.clone(),
        ..FixOptions::default()
    };
    let label = format!(
        "{name} [{}]",
        rules.as_ref().map_or("all".into(), |r| r.join(","))
    );
    let result = fix(text, &options);
    let fixed = result.text();
    let value: Json = match serde_json::from_str(fixed) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("{label}: not JSON after fixing: {e}\n{fixed}"));
            return 0;
        }
    };
    let expected = layout(&value);
    if fixed != expected {
        problems.push(format!(
            "{label}: layout differs from the document's own\n--- expected\n{expected}\n--- actual\n{fixed}"
        ));
    }
    for a in common::fixes_left_standing(&result.applied, &result.report) {
        problems.push(format!(
            "{label}: applied fix left its finding {} {}",
            a.rule, a.path
        ));
    }
    if let Some(rules) = rules {
        for f in &result.report.findings {
            let skipped = result
                .skipped
                .iter()
                .any(|s| *s.path == *f.path && s.rule == f.rule);
            if rules.contains(&f.rule.to_string()) && f.fixable().is_some() && !skipped {
                problems.push(format!("{label}: fixable finding left at {}", f.path));
            }
        }
    }
    let again = fix(fixed, &options);
    if again.text() != fixed || !again.applied.is_empty() {
        problems.push(format!("{label}: fixing again changed the text"));
    }
    result.applied.len()
}

#[test]
fn pretty_printed_and_one_line_json_keep_their_layout_through_every_fix() {
    let mut problems = Vec::new();
    let mut applied = 0;
    let rule_sets = rule_sets();
    for (m, manifest) in MANIFESTS.iter().enumerate() {
        let value: Json = serde_json::from_str(manifest).unwrap();
        for (indent_name, indent) in [("2 spaces", "  "), ("4 spaces", "    "), ("tabs", "\t")] {
            for (newline_name, newline) in [("LF", "\n"), ("CRLF", "\r\n")] {
                let text = pretty(&value, indent).replace('\n', newline);
                let name = format!("manifest {m}, {indent_name}, {newline_name}");
                let layout = |v: &Json| pretty(v, indent).replace('\n', newline);
                for rules in &rule_sets {
                    applied += check(&name, &text, rules, &layout, &mut problems);
                }
            }
        }
        let text = one_line(&value) + "\n";
        let layout = |v: &Json| one_line(v) + "\n";
        for rules in &rule_sets {
            applied += check(
                &format!("manifest {m}, one line"),
                &text,
                rules,
                &layout,
                &mut problems,
            );
        }
    }
    assert!(applied > 100, "only {applied} fixes applied");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}
