//! Typed option values: a name table for each choice (listed in `--help` and in the
//! completion scripts, with "unknown profile …" errors and a similar-name tip), and the
//! parsers of versions, sizes, job counts and rule ids.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Arg, Command};

use kubeharden::{Catalogue, KubeVersion, Profile, Severity};

/// `check --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Human,
    Json,
    Sarif,
    Junit,
}

/// `rules --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    Human,
    Json,
    Markdown,
}

/// `check --color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// One of a fixed set of names, each standing for a value.
#[derive(Clone)]
pub struct Choice<T: 'static> {
    /// What the value is, for errors: "unknown {noun} …".
    noun: &'static str,
    table: &'static [(&'static str, T)],
}

impl Choice<Profile> {
    pub fn profile() -> Self {
        Choice {
            noun: "profile",
            table: &[
                ("baseline", Profile::Baseline),
                ("restricted", Profile::Restricted),
                ("all", Profile::All),
            ],
        }
    }
}

impl Choice<Severity> {
    pub fn severity() -> Self {
        Choice {
            noun: "severity",
            table: &[
                ("critical", Severity::Critical),
                ("high", Severity::High),
                ("medium", Severity::Medium),
                ("low", Severity::Low),
                ("info", Severity::Info),
            ],
        }
    }
}

impl Choice<ReportFormat> {
    pub fn report_format() -> Self {
        Choice {
            noun: "format",
            table: &[
                ("human", ReportFormat::Human),
                ("json", ReportFormat::Json),
                ("sarif", ReportFormat::Sarif),
                ("junit", ReportFormat::Junit),
            ],
        }
    }
}

impl Choice<DocFormat> {
    pub fn doc_format() -> Self {
        Choice {
            noun: "format",
            table: &[
                ("human", DocFormat::Human),
                ("json", DocFormat::Json),
                ("markdown", DocFormat::Markdown),
            ],
        }
    }
}

impl Choice<ColorWhen> {
    pub fn color() -> Self {
        Choice {
            noun: "--color",
            table: &[
                ("auto", ColorWhen::Auto),
                ("always", ColorWhen::Always),
                ("never", ColorWhen::Never),
            ],
        }
    }
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Choice<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        if let Some((_, v)) = self.table.iter().find(|(name, _)| *name == text) {
            return Ok(v.clone());
        }
        let names: Vec<&str> = self.table.iter().map(|(name, _)| *name).collect();
        let message = format!(
            "unknown {} {text:?}: expected {}",
            self.noun,
            or_list(&names)
        );
        Err(invalid_value(
            cmd,
            arg,
            &text,
            &message,
            similar(&text, names),
        ))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.table.iter().map(|(name, _)| PossibleValue::new(*name)),
        ))
    }
}

/// A rule id of the built-in catalogue; the ids are offered to shell completion.
#[derive(Clone, Copy)]
pub struct RuleId;

impl TypedValueParser for RuleId {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let text = value.to_string_lossy();
        match unknown_rule(&text, Catalogue::builtin()) {
            None => Ok(text.into_owned()),
            Some((message, suggestion)) => Err(invalid_value(
                cmd,
                arg,
                &text,
                &message,
                suggestion.as_deref(),
            )),
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        builtin_ids()
    }
}

/// `check --rule`: any rule id, validated only once the configuration file is read
/// ([`known_rules`]), since its custom rules are rules too; the built-in ids are offered
/// to shell completion. Refuses an empty id.
#[derive(Clone, Copy)]
pub struct AnyRuleId;

impl TypedValueParser for AnyRuleId {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let text = value.to_string_lossy();
        if text.trim().is_empty() {
            return Err(invalid_value(
                cmd,
                arg,
                &text,
                "expected a rule id (see kubeharden rules)",
                None,
            ));
        }
        Ok(text.into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        builtin_ids()
    }
}

fn builtin_ids() -> Option<Box<dyn Iterator<Item = PossibleValue>>> {
    let rules = &Catalogue::builtin().rules;
    Some(Box::new(
        rules.iter().map(|r| PossibleValue::new(r.id.as_str())),
    ))
}

/// Check `--rule` ids against `catalogue` (the configuration's: built-in and custom
/// rules). Errors: the first unknown id, as clap words an invalid value, with the
/// nearest id of either kind.
pub fn known_rules(ids: &[String], catalogue: &Catalogue) -> Result<(), String> {
    for id in ids {
        if let Some((message, suggestion)) = unknown_rule(id, catalogue) {
            let mut text = format!("invalid value '{id}' for '--rule <RULE>': {message}");
            if let Some(s) = suggestion {
                text.push_str(&format!("\n\n  tip: a similar value exists: '{s}'"));
            }
            return Err(text);
        }
    }
    Ok(())
}

/// Why `text` is not a rule of `catalogue` (`None` when it is) and the id most like it.
fn unknown_rule(text: &str, catalogue: &Catalogue) -> Option<(String, Option<String>)> {
    if catalogue.get(text).is_some() {
        return None;
    }
    let ids = catalogue.rules.iter().map(|r| r.id.as_str());
    // A Pod Security Standards check id (`runAsNonRoot`) names the rule that checks it.
    let by_check = catalogue.rules.iter().find(|r| {
        r.pss
            .as_ref()
            .is_some_and(|p| p.check.eq_ignore_ascii_case(text))
    });
    let message = match by_check {
        Some(r) => format!(
            "unknown rule {text:?}: that is a Pod Security Standards check id, checked by rule {}",
            r.id
        ),
        None => format!("unknown rule {text:?} (see kubeharden rules)"),
    };
    let suggestion = by_check
        .map(|r| r.id.as_str())
        .or_else(|| similar(text, ids))
        .map(str::to_string);
    Some((message, suggestion))
}

/// `--kube-version`: `1.NN`, `1.NN.P`, `v1.NN[.P]` or `latest` (no leading zeros: `1.09` is
/// an error), at most the newest version this build
/// knows ([`KubeVersion::LATEST`]): a newer one would be checked with older semantics
/// without saying so.
pub fn kube_version(text: &str) -> Result<KubeVersion, String> {
    let version: KubeVersion = text.parse()?;
    if version > KubeVersion::LATEST {
        return Err(format!(
            "{version} is newer than the newest Kubernetes version this kubeharden knows ({}); use latest or an older version",
            KubeVersion::LATEST
        ));
    }
    Ok(version)
}

/// `--max-input-size`: a number of bytes.
pub fn byte_count(text: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("--max-input-size takes a number of bytes, not {text:?}"))
}

/// `-j/--jobs`: a positive number.
pub fn job_count(text: &str) -> Result<usize, String> {
    text.parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("--jobs takes a positive number, not {text:?}"))
}

/// The candidate most like `text`, if any: the library's "did you mean" measure
/// ([`kubeharden::rules::similar`]), so the command line and the findings about
/// suppressions suggest the same rule ids.
pub fn similar<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    kubeharden::rules::similar(text, candidates)
}

/// "a, b or c".
fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A usage error (exit status 2) about one option value, with clap's usage line and
/// its "a similar value exists" tip when there is one.
fn invalid_value(
    cmd: &Command,
    arg: Option<&Arg>,
    value: &str,
    message: &str,
    suggestion: Option<&str>,
) -> clap::Error {
    let arg = arg.map_or_else(|| "...".to_string(), |a| a.to_string());
    let mut text = format!("invalid value '{value}' for '{arg}': {message}");
    if let Some(s) = suggestion {
        text.push_str(&format!("\n\n  tip: a similar value exists: '{s}'"));
    }
    cmd.clone().error(ErrorKind::InvalidValue, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_tables_agree_with_the_library_names() {
        for (name, p) in Choice::profile().table {
            assert_eq!(name.parse::<Profile>().as_ref(), Ok(p));
            assert_eq!(p.as_str(), *name);
        }
        let severities = Choice::severity().table;
        assert_eq!(severities.len(), Severity::ALL.len());
        for (name, s) in severities {
            assert_eq!(s.as_str(), *name);
        }
    }

    #[test]
    fn unknown_rule_ids_suggest_the_rule_meant() {
        let cmd = Command::new("kubeharden");
        let error = |text: &str| {
            RuleId
                .parse_ref(&cmd, None, OsStr::new(text))
                .unwrap_err()
                .to_string()
        };
        let pss = error("runAsNonRoot");
        assert!(pss.contains("Pod Security Standards check id, checked by rule run-as-non-root"));
        assert!(pss.contains("'run-as-non-root'"), "{pss}");
        assert!(error("Host-Namespace").contains("'host-namespaces'"));
        assert!(!error("zzzz").contains("tip:"));
        assert_eq!(
            RuleId
                .parse_ref(&cmd, None, OsStr::new("host-ports"))
                .unwrap(),
            "host-ports"
        );
    }

    #[test]
    fn suggestions_and_lists() {
        assert_eq!(
            similar("host-namespace", ["host-ports", "host-namespaces"]),
            Some("host-namespaces")
        );
        assert_eq!(similar("zzz", ["host-ports"]), None);
        assert_eq!(or_list(&["a", "b", "c"]), "a, b or c");
        assert_eq!(
            job_count("0"),
            Err("--jobs takes a positive number, not \"0\"".into())
        );
        assert_eq!(job_count("3"), Ok(3));
    }
}
