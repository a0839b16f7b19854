//! The configuration file (`.kubeharden.yaml`): default profile and Kubernetes version,
//! rules turned on or off (by id, area or Pod Security Standards level), severity
//! overrides, per-rule parameters, custom rules that instantiate built-in templates,
//! exemptions with their reasons, and paths to exclude.
//!
//! The loader is pure — text in, [`Config`] out — so the CLI and the playground read the
//! same file the same way; finding the file (walking up from the working directory) is
//! the CLI's business. The text is read with the span tree of [`crate::yaml`], so every
//! error names the line and column and says what was expected ([`ConfigError`]).
//! The shape, documented in `docs/config.md` and checked by `docs/config.schema.json`:
//!
//! ```yaml
//! profile: restricted                  # baseline | restricted | all
//! kube-version: "1.30"                 # quoted: YAML reads 1.30 as the number 1.3
//! severity-threshold: medium           # `check` exits 1 from this severity up
//! rules:
//!   cpu-limits: off                    # or {enabled: false}
//!   run-as-non-root: {severity: high}
//!   area:updates: {severity: low}      # every rule of an area
//!   pss:restricted: off                # every Pod Security Standards restricted check
//!   capabilities-restricted: {params: {allowed_add: [NET_BIND_SERVICE, CHOWN]}}
//! custom-rules:
//!   - id: images-from-our-registry     # the shape of a policies/<id>.yaml file
//!     template: image-registry
//!     params: {allowed: [registry.example.com]}
//!     # title, severity, area, fix, rationale, remediation, references as in policies/
//! exemptions:
//!   - rule: host-namespaces
//!     objects: [{kind: DaemonSet, namespace: kube-system, name: "cni-*"}]
//!     reason: the CNI agent configures the node network
//! exclude: ["charts/*/tests/**"]
//! ```
//!
//! ```
//! use kubeharden::config::Config;
//! let config = Config::parse(".kubeharden.yaml", "rules:\n  cpu-limits: off\n").unwrap();
//! let engine = config.engine(kubeharden::Options::default());
//! assert!(!engine.rules().any(|r| r.id == "cpu-limits"));
//! let error = Config::parse(".kubeharden.yaml", "rules:\n  cpu-limit: off\n").unwrap_err();
//! assert_eq!(error[0].to_string(), ".kubeharden.yaml:2:3: unknown rule \"cpu-limit\" (did you mean \"cpu-limits\"?)");
//! ```

use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::Value as Json;

use crate::catalogue::{rule_from_json, Catalogue, Rule};
use crate::diagnostic::{Area, Finding, Level, Report, Severity};
use crate::engine::{Engine, Options, Profile};
use crate::rules;
use crate::source::LineIndex;
use crate::version::KubeVersion;
use crate::yaml::{parse_stream, Document, Limits, NodeId, NodeKind, Value};

/// The file name the CLI looks for, from the working directory up.
pub const FILE_NAME: &str = ".kubeharden.yaml";

/// The keys of the file, in the order `config show` and the schema list them.
pub const KEYS: &[&str] = &[
    "profile",
    "kube-version",
    "severity-threshold",
    "rules",
    "custom-rules",
    "exemptions",
    "exclude",
];

/// A place in the configuration file: its name, 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A problem with the configuration file, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub at: Origin,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// A value and where the file set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub at: Origin,
}

/// What an entry of `rules:` applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// One rule, built-in or custom.
    Rule(String),
    /// `area:controls`, `area:metadata`, `area:updates`.
    Area(Area),
    /// `pss:baseline`, `pss:restricted`: the Pod Security Standards checks of that level.
    Level(Level),
}

impl Selector {
    fn matches(&self, rule: &Rule) -> bool {
        match self {
            Selector::Rule(id) => *id == rule.id,
            Selector::Area(area) => rule.area == *area,
            Selector::Level(level) => rule.pss.as_ref().is_some_and(|p| p.level == *level),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Rule(id) => f.write_str(id),
            Selector::Area(a) => write!(f, "area:{}", a.as_str()),
            Selector::Level(l) => write!(f, "pss:{}", l.as_str()),
        }
    }
}

/// One entry of `rules:`: `cpu-limits: off`, `run-as-non-root: {severity: high}`.
#[derive(Clone, Debug)]
pub struct RuleSetting {
    pub selector: Selector,
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    /// The `params` mapping as written (one rule only): each key replaces the built-in
    /// value of that key; the merged parameters were validated by the template's type.
    pub params: Option<Json>,
    /// The entry's key.
    pub at: Origin,
}

/// Which objects an exemption covers: each given field is a glob (`cni-*`), all must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectPattern {
    pub kind: Option<String>,
    /// Matches only objects that name their namespace (`metadata.namespace`): the
    /// namespace of one that does not is chosen when it is applied.
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl ObjectPattern {
    fn matches(&self, f: &Finding) -> bool {
        let field = |pattern: &Option<String>, value: &Option<Arc<str>>| match pattern {
            None => true,
            Some(p) => value
                .as_deref()
                .is_some_and(|v| glob_match::glob_match(p, v)),
        };
        field(&self.kind, &f.object.kind)
            && field(&self.namespace, &f.object.namespace)
            && field(&self.name, &f.object.name)
    }
}

/// An exemption: findings of `rule` on these objects or in these files are suppressed
/// with the reason (they show as suppressed, and never fail a run).
#[derive(Clone, Debug)]
pub struct Exemption {
    pub rule: String,
    /// Any of them (none given: any object of the paths).
    pub objects: Vec<ObjectPattern>,
    /// Path globs relative to the configuration file's directory (none given: any file).
    pub paths: Vec<String>,
    pub reason: String,
    /// The exemption's `rule` key.
    pub at: Origin,
}

/// A configuration file, parsed and validated against the built-in catalogue.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file's name as messages give it.
    pub file: Arc<str>,
    pub profile: Option<Setting<Profile>>,
    pub kube_version: Option<Setting<KubeVersion>>,
    /// `check` exits 1 from this severity up (`--severity-threshold`).
    pub severity_threshold: Option<Setting<Severity>>,
    /// In the order written; rule ids win over areas and levels whatever the order.
    pub rules: Vec<RuleSetting>,
    /// Custom rules, validated like the files of `policies/`, with where each starts.
    pub custom_rules: Vec<(Rule, Origin)>,
    pub exemptions: Vec<Exemption>,
    /// Path globs relative to the configuration file's directory.
    pub exclude: Vec<Setting<String>>,
    /// Where relative input names are, seen from the configuration file's directory
    /// (`sub/dir/`, empty when it is the same), and that directory as an absolute path:
    /// see [`Config::locate`].
    prefix: String,
    root: String,
}

/// How a configuration decides one rule, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub enabled: bool,
    /// The entry that turned it on or off; `None`: the profile decided.
    pub enabled_by: Option<Origin>,
    pub severity: Severity,
    /// The entry that set the severity; `None`: the rule's own.
    pub severity_by: Option<Origin>,
    /// The entry that changed the parameters; `None`: the rule's own.
    pub params_by: Option<Origin>,
}

impl Default for Config {
    /// The configuration of no file: every default.
    fn default() -> Self {
        Config {
            file: Arc::from(FILE_NAME),
            profile: None,
            kube_version: None,
            severity_threshold: None,
            rules: Vec::new(),
            custom_rules: Vec::new(),
            exemptions: Vec::new(),
            exclude: Vec::new(),
            prefix: String::new(),
            root: String::new(),
        }
    }
}

impl Config {
    /// Read a configuration file's text. `file` names it in errors.
    ///
    /// Errors: every problem found, each with its line and column — YAML syntax, a key
    /// that is not one of [`KEYS`] (with the nearest), a wrong type, an unknown rule id,
    /// area, level, template or parameter (with a "did you mean"), parameters the
    /// template's type refuses, a custom rule that breaks the rule-file shape or reuses
    /// an id, an exemption without a reason or without objects or paths.
    pub fn parse(file: &str, text: &str) -> Result<Config, Vec<ConfigError>> {
        let stream = parse_stream(text, &Limits::default());
        let mut r = Reader {
            file: Arc::from(file),
            text,
            lines: LineIndex::new(text),
            errors: Vec::new(),
        };
        let mut config = Config {
            file: r.file.clone(),
            ..Config::default()
        };
        if let Some(e) = stream.errors.first() {
            r.error_at(e.span.start, format!("YAML error: {}", e.message));
            return Err(r.errors);
        }
        if let Some(second) = stream.documents.get(1) {
            r.error_at(
                second.span.start,
                "a configuration file holds one YAML document",
            );
        }
        let Some((doc, root)) = stream
            .documents
            .first()
            .and_then(|d| d.root.map(|root| (d, root)))
        else {
            // An empty file is a configuration with every default.
            return if r.errors.is_empty() {
                Ok(config)
            } else {
                Err(r.errors)
            };
        };
        for &(first, dup) in &doc.duplicate_keys {
            let line = r.origin(doc, first).line;
            r.error(
                doc,
                dup,
                format!(
                    "key {:?} appears twice (first at line {line})",
                    doc.text(dup).unwrap_or("")
                ),
            );
        }
        if doc.is_null(root) {
            return if r.errors.is_empty() {
                Ok(config)
            } else {
                Err(r.errors)
            };
        }
        if !doc.is_map(root) {
            r.error(
                doc,
                root,
                "expected a mapping with the keys ".to_string() + &KEYS.join(", "),
            );
            return Err(r.errors);
        }
        // Custom rules first: `rules:` and exemptions may name them.
        if let Some(list) = doc.get(root, "custom-rules") {
            config.custom_rules = r.custom_rules(doc, list);
        }
        let custom: Vec<&str> = config
            .custom_rules
            .iter()
            .map(|(r, _)| r.id.as_str())
            .collect();
        for &(key, value) in doc.entries(root) {
            let Some(name) = doc.text(key) else {
                r.error(doc, key, "expected a key of text");
                continue;
            };
            match name {
                "profile" => {
                    let profile =
                        r.parsed::<Profile>(doc, value, "a profile: baseline, restricted or all");
                    config.profile = profile.map(|p| Setting {
                        value: p,
                        at: r.origin(doc, value),
                    });
                }
                "kube-version" => config.kube_version = r.version(doc, value),
                "severity-threshold" => {
                    let s = r.parsed::<Severity>(
                        doc,
                        value,
                        "a severity: critical, high, medium, low or info",
                    );
                    config.severity_threshold = s.map(|v| Setting {
                        value: v,
                        at: r.origin(doc, value),
                    });
                }
                "rules" => config.rules = r.rules(doc, value, &custom),
                "custom-rules" => {}
                "exemptions" => config.exemptions = r.exemptions(doc, value, &custom),
                "exclude" => config.exclude = r.globs(doc, value, "exclude"),
                other => {
                    let hint = hint(other, KEYS.iter().copied());
                    r.error(
                        doc,
                        key,
                        format!("unknown key {other:?}{hint}: expected {}", or_list(KEYS)),
                    );
                }
            }
        }
        if r.errors.is_empty() {
            Ok(config)
        } else {
            Err(r.errors)
        }
    }

    /// Where the inputs' names are relative to: `prefix` is the working directory seen
    /// from the configuration file's directory (`sub/dir/`; empty when they are the same)
    /// and `root` that directory as an absolute path (`/repo/`). Exemption and exclude
    /// globs are matched against paths relative to the configuration file's directory.
    pub fn locate(&mut self, prefix: &str, root: &str) {
        self.prefix = with_slash(prefix);
        self.root = with_slash(root);
    }

    /// An input's name as the globs see it: relative to the configuration file's
    /// directory, `/`-separated, without `./`.
    pub fn relative_path(&self, name: &str) -> String {
        let name = name.replace('\\', "/");
        if let Some(rest) = (!self.root.is_empty())
            .then(|| name.strip_prefix(&self.root))
            .flatten()
        {
            return rest.to_string();
        }
        if name.starts_with('/') {
            return name;
        }
        let mut out = self.prefix.clone();
        out.push_str(name.trim_start_matches("./"));
        out
    }

    /// Whether an input is excluded by `exclude` (a glob naming it or a folder above it).
    pub fn excluded(&self, name: &str) -> bool {
        let path = self.relative_path(name);
        self.exclude.iter().any(|g| {
            glob_match::glob_match(&g.value, &path)
                || path
                    .match_indices('/')
                    .any(|(i, _)| glob_match::glob_match(&g.value, &path[..i]))
        })
    }

    /// How this configuration decides `rule`, which the profile runs when `by_profile`.
    /// Custom rules run under every profile. Entries for an area or a level apply in the
    /// order written; an entry for the rule itself wins over them.
    pub fn decide(&self, rule: &Rule, by_profile: bool) -> Decision {
        let custom = self.custom_rules.iter().any(|(r, _)| r.id == rule.id);
        let mut d = Decision {
            enabled: by_profile || custom,
            enabled_by: None,
            severity: rule.severity,
            severity_by: None,
            params_by: None,
        };
        let groups = self
            .rules
            .iter()
            .filter(|s| !matches!(s.selector, Selector::Rule(_)));
        let own = self
            .rules
            .iter()
            .filter(|s| matches!(s.selector, Selector::Rule(_)));
        for s in groups.chain(own).filter(|s| s.selector.matches(rule)) {
            if let Some(on) = s.enabled {
                d.enabled = on;
                d.enabled_by = Some(s.at.clone());
            }
            if let Some(severity) = s.severity {
                d.severity = severity;
                d.severity_by = Some(s.at.clone());
            }
            if s.params.is_some() {
                d.params_by = Some(s.at.clone());
            }
        }
        d
    }

    /// The catalogue this configuration checks with: the built-in rules with their
    /// severities and parameters changed, and the custom rules; the built-in catalogue
    /// itself when nothing changes. Shared: the engines made from it hold it, and the
    /// last [`CACHED_CATALOGUES`] distinct ones are kept (least recently used first out),
    /// so the same configuration read again (a re-check as the playground's user types)
    /// builds none, and a page that edits its configuration 10,000 times holds at most
    /// that many besides those its engines still use.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        let builtin = Catalogue::builtin();
        let changed = |r: &Rule| {
            let d = self.decide(r, true);
            d.severity_by.is_some() || d.params_by.is_some()
        };
        if self.custom_rules.is_empty() && !builtin.rules.iter().any(changed) {
            return Catalogue::shared_builtin();
        }
        // What differs from the built-in catalogue, computed before anything is cloned.
        let key: String = builtin
            .rules
            .iter()
            .filter(|r| changed(r))
            .map(|r| {
                let params = self.params_of(&r.id).map(|p| merge(&r.params, p));
                format!(
                    "{}|{}|{}\n",
                    r.id,
                    self.decide(r, true).severity,
                    params.as_ref().unwrap_or(&r.params)
                )
            })
            .chain(self.custom_rules.iter().map(|(r, _)| {
                // Everything a custom rule shows, so two files that differ only in a
                // rule's documentation do not share a catalogue.
                format!(
                    "{}|{}|{}|{}|{}|{}|{:?}|{}|{}|{:?}|{:?}\n",
                    r.id,
                    self.decide(r, true).severity,
                    r.area.as_str(),
                    r.template,
                    r.params,
                    r.title,
                    r.fix,
                    r.rationale,
                    r.remediation,
                    r.references,
                    r.sources
                )
            }))
            .collect();
        cached(key, || {
            let mut rules: Vec<Rule> = builtin
                .rules
                .iter()
                .map(|r| self.effective_rule(r))
                .chain(self.custom_rules.iter().map(|(r, _)| {
                    let mut r = r.clone();
                    r.severity = self.decide(&r, true).severity;
                    r
                }))
                .collect();
            rules.sort_by(|a, b| a.id.cmp(&b.id));
            Catalogue { rules }
        })
    }

    /// A built-in rule with this configuration's severity and parameters.
    fn effective_rule(&self, rule: &Rule) -> Rule {
        let mut r = rule.clone();
        r.severity = self.decide(rule, true).severity;
        if let Some(params) = self.params_of(&rule.id) {
            let merged = merge(&rule.params, params);
            if let Some(typed) =
                rules::template(&rule.template).and_then(|t| t.parse_params(&merged).ok())
            {
                r.typed_params = typed;
                r.params = merged;
            }
        }
        r
    }

    fn params_of(&self, id: &str) -> Option<&Json> {
        self.rules
            .iter()
            .rev()
            .find(|s| s.selector == Selector::Rule(id.to_string()) && s.params.is_some())
            .and_then(|s| s.params.as_ref())
    }

    /// An engine for `options` (profile and version: the caller's, which it took from
    /// this file or a flag) with this configuration's rules. `named`, when not empty, are
    /// the only rules to run (`--rule`): they run even if this file turns them off, since
    /// a flag wins over the file.
    pub fn engine_for(&self, options: Options, named: &[String]) -> Engine {
        Engine::select(options, self.catalogue(), &|rule, by_profile| {
            if named.is_empty() {
                self.decide(rule, by_profile).enabled
            } else {
                named.contains(&rule.id) && (by_profile || self.decide(rule, false).enabled)
            }
        })
        .exempting(Arc::new(self.clone()))
    }

    /// [`Config::engine_for`] with every rule the configuration selects.
    pub fn engine(&self, options: Options) -> Engine {
        self.engine_for(options, &[])
    }

    /// The options of this file over `defaults` (profile and version it does not set).
    pub fn options(&self, defaults: Options) -> Options {
        Options {
            profile: self.profile.as_ref().map_or(defaults.profile, |s| s.value),
            version: self
                .kube_version
                .as_ref()
                .map_or(defaults.version, |s| s.value),
            ..defaults
        }
    }

    /// Suppress the findings an exemption covers (the engines of [`Config::engine`] do it
    /// for every report they make), with its reason and place
    /// (`exempted by .kubeharden.yaml:12:5: the CNI agent ...`); findings already
    /// suppressed by an annotation keep that reason. Returns how many each exemption
    /// matched, in order (an exemption that matches nothing may be stale).
    pub fn exempt(&self, report: &mut Report) -> Vec<usize> {
        let mut counts = vec![0; self.exemptions.len()];
        if self.exemptions.is_empty() {
            return counts;
        }
        let reasons: Vec<crate::diagnostic::SharedStr> = self
            .exemptions
            .iter()
            .map(|e| Arc::new(format!("exempted by {}: {}", e.at, e.reason)))
            .collect();
        let mut paths: Vec<Option<String>> = vec![None; report.files.len()];
        let files = &report.files;
        for f in &mut report.findings {
            if f.suppressed.is_some() {
                continue;
            }
            let file = f.file as usize;
            if paths.len() <= file {
                paths.resize(file + 1, None);
            }
            let name = files.get(file).map_or("", |n| n.as_str());
            let path = paths[file].get_or_insert_with(|| self.relative_path(name));
            let hit = self.exemptions.iter().position(|e| {
                e.rule == f.rule
                    && (e.objects.is_empty() || e.objects.iter().any(|o| o.matches(f)))
                    && (e.paths.is_empty()
                        || e.paths.iter().any(|g| glob_match::glob_match(g, path)))
            });
            if let Some(i) = hit {
                f.suppressed = Some(reasons[i].clone());
                counts[i] += 1;
            }
        }
        counts
    }
}

/// `base` with the keys of `over` replaced.
fn merge(base: &Json, over: &Json) -> Json {
    let mut out = match base {
        Json::Object(m) => m.clone(),
        _ => Default::default(),
    };
    if let Json::Object(o) = over {
        for (k, v) in o {
            out.insert(k.clone(), v.clone());
        }
    }
    Json::Object(out)
}

/// How many configured catalogues [`Config::catalogue`] keeps (each one the whole
/// catalogue, its built-in rules cloned): a few, since a process reads one configuration
/// file and the playground edits one at a time.
pub const CACHED_CATALOGUES: usize = 4;

/// The catalogues last made, least recently used first, by the key of what they change.
static CACHE: Mutex<Vec<(String, Arc<Catalogue>)>> = Mutex::new(Vec::new());

/// The catalogue of `key` from the cache (now the most recently used), or `make`'s,
/// which replaces the least recently used when the cache is full. An evicted catalogue is
/// freed when the last engine holding it is dropped.
fn cached(key: String, make: impl FnOnce() -> Catalogue) -> Arc<Catalogue> {
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = cache.iter().position(|(k, _)| *k == key) {
        let entry = cache.remove(i);
        let catalogue = entry.1.clone();
        cache.push(entry);
        return catalogue;
    }
    let catalogue = Arc::new(make());
    if cache.len() >= CACHED_CATALOGUES {
        cache.remove(0);
    }
    cache.push((key, catalogue.clone()));
    catalogue
}

/// How many catalogues the cache holds now (at most [`CACHED_CATALOGUES`]).
pub fn cached_catalogues() -> usize {
    CACHE
        .lock()
        .map_or_else(|e| e.into_inner().len(), |c| c.len())
}

/// A `kind` pattern that misspells a built-in kind (`deployment`, `Deploymnet`): kinds are
/// matched exactly, so it would silently match nothing. Custom kinds, globs and exact
/// built-in kinds pass.
fn kind_typo(kind: &str) -> Option<String> {
    if kind.contains(['*', '?', '[', '{']) {
        return None;
    }
    let kinds = || crate::model::BUILT_IN_KINDS.iter().map(|k| k.kind);
    if kinds().any(|k| k == kind) {
        return None;
    }
    let near = kinds().find(|k| {
        k.eq_ignore_ascii_case(kind) || (k.len() >= 6 && strsim::levenshtein(k, kind) <= 2)
    })?;
    Some(format!(
        "kind {kind:?} is not a built-in kind and would match nothing of that name (kinds are matched exactly): did you mean {near:?}?"
    ))
}

/// Why `pattern` is not a glob glob-match reads as meant: `[` or `{` left open or closed
/// without opening (a literal one is written `\\[`).
fn glob_error(pattern: &str) -> Option<String> {
    let (mut square, mut curly, mut escaped) = (0i32, 0i32, false);
    for c in pattern.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if square == 0 => square = 1,
            ']' if square == 1 => square = 0,
            ']' => {
                return Some(format!(
                "the glob {pattern:?} closes a `]` it did not open (write \\] for the character)"
            ))
            }
            '{' if square == 0 => curly += 1,
            '}' if square == 0 => {
                curly -= 1;
                if curly < 0 {
                    return Some(format!("the glob {pattern:?} closes a `}}` it did not open (write \\}} for the character)"));
                }
            }
            _ => {}
        }
    }
    if square != 0 || curly != 0 {
        return Some(format!(
            "the glob {pattern:?} leaves a `{}` open (write \\{} for the character)",
            if square != 0 { "[" } else { "{" },
            if square != 0 { "[" } else { "{" }
        ));
    }
    None
}

fn with_slash(s: &str) -> String {
    let s = s.replace('\\', "/");
    let s = s.trim_start_matches("./");
    if s.is_empty() || s == "." {
        String::new()
    } else if s.ends_with('/') {
        s.to_string()
    } else {
        format!("{s}/")
    }
}

/// "; did you mean \"x\"?" or nothing.
fn hint<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    rules::similar(text, candidates)
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default()
}

/// "a, b or c".
fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What a node is, for "expected X, found Y".
fn found(doc: &Document, node: NodeId) -> String {
    match doc.kind(node) {
        NodeKind::Map(_) => "a mapping".into(),
        NodeKind::Seq(_) => "a list".into(),
        NodeKind::Scalar(s) => match s.value {
            Value::Null => "nothing (null)".into(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Int(_) | Value::Float(_) => format!("the number {}", s.text),
            Value::Str => format!("{:?}", s.text),
        },
    }
}

/// The reading of one file: its name, text and the errors found so far.
struct Reader<'t> {
    file: Arc<str>,
    text: &'t str,
    lines: LineIndex,
    errors: Vec<ConfigError>,
}

impl Reader<'_> {
    fn origin_at(&self, offset: usize) -> Origin {
        let p = self.lines.position(self.text, offset);
        Origin {
            file: self.file.clone(),
            line: p.line,
            column: p.column,
        }
    }

    fn origin(&self, doc: &Document, node: NodeId) -> Origin {
        self.origin_at(doc.node(node).span().start)
    }

    fn error_at(&mut self, offset: usize, message: impl Into<String>) {
        let at = self.origin_at(offset);
        self.errors.push(ConfigError {
            at,
            message: message.into(),
        });
    }

    fn error(&mut self, doc: &Document, node: NodeId, message: impl Into<String>) {
        self.error_at(doc.node(node).span().start, message);
    }

    /// The value of a string scalar, or an error saying what was expected.
    fn string<'d>(&mut self, doc: &'d Document, node: NodeId, expected: &str) -> Option<&'d str> {
        match doc.str(node) {
            Some(s) if !s.trim().is_empty() => Some(s.trim()),
            _ => {
                let f = found(doc, node);
                self.error(doc, node, format!("expected {expected}, found {f}"));
                None
            }
        }
    }

    fn parsed<T: std::str::FromStr<Err = String>>(
        &mut self,
        doc: &Document,
        node: NodeId,
        expected: &str,
    ) -> Option<T> {
        let s = self.string(doc, node, expected)?;
        match s.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(doc, node, e);
                None
            }
        }
    }

    /// The keys of a mapping, each checked against `allowed`.
    fn mapping(
        &mut self,
        doc: &Document,
        node: NodeId,
        what: &str,
        allowed: &[&str],
    ) -> Vec<(String, NodeId, NodeId)> {
        if !doc.is_map(node) {
            let f = found(doc, node);
            self.error(
                doc,
                node,
                format!(
                    "expected {what} (a mapping with {}), found {f}",
                    or_list(allowed)
                ),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for &(k, v) in doc.entries(node) {
            match doc.text(k) {
                Some(name) if allowed.contains(&name) => out.push((name.to_string(), k, v)),
                Some(name) => {
                    let h = hint(name, allowed.iter().copied());
                    self.error(
                        doc,
                        k,
                        format!(
                            "unknown key {name:?} in {what}{h}: expected {}",
                            or_list(allowed)
                        ),
                    );
                }
                None => self.error(doc, k, "expected a key of text"),
            }
        }
        out
    }

    fn version(&mut self, doc: &Document, node: NodeId) -> Option<Setting<KubeVersion>> {
        if let Some(Value::Float(_) | Value::Int(_)) = doc.value(node) {
            let text = doc.text(node).unwrap_or("");
            self.error(
                doc,
                node,
                format!("expected a Kubernetes version as text: write \"{text}\" in quotes (YAML reads {text} as a number)"),
            );
            return None;
        }
        let version: KubeVersion = self.parsed(
            doc,
            node,
            "a Kubernetes version: \"1.NN\", \"v1.NN\" or latest",
        )?;
        if version > KubeVersion::LATEST {
            self.error(
                doc,
                node,
                format!(
                    "{version} is newer than the newest Kubernetes version this kubeharden knows ({}); use latest or an older version",
                    KubeVersion::LATEST
                ),
            );
            return None;
        }
        Some(Setting {
            value: version,
            at: self.origin(doc, node),
        })
    }

    fn globs(&mut self, doc: &Document, node: NodeId, what: &str) -> Vec<Setting<String>> {
        if !doc.is_seq(node) {
            let f = found(doc, node);
            self.error(
                doc,
                node,
                format!("expected `{what}` to be a list of path globs, found {f}"),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for &item in doc.items(node) {
            if let Some(s) = self.string(doc, item, "a path glob (`charts/*/tests/**`)") {
                if let Some(e) = glob_error(s) {
                    self.error(doc, item, e);
                    continue;
                }
                out.push(Setting {
                    value: s.trim_start_matches("./").to_string(),
                    at: self.origin(doc, item),
                });
            }
        }
        out
    }

    /// A rule id that exists (built-in or custom), or an error with the nearest.
    fn rule_id(&mut self, doc: &Document, node: NodeId, id: &str, custom: &[&str]) -> bool {
        let catalogue = Catalogue::builtin();
        if catalogue.get(id).is_some() || custom.contains(&id) {
            return true;
        }
        let ids = catalogue
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(custom.iter().copied());
        let h = hint(id, ids);
        self.error(doc, node, format!("unknown rule {id:?}{h}"));
        false
    }

    fn rules(&mut self, doc: &Document, node: NodeId, custom: &[&str]) -> Vec<RuleSetting> {
        if !doc.is_map(node) {
            let f = found(doc, node);
            self.error(
                doc,
                node,
                format!("expected `rules` to be a mapping of rule id (or area:NAME, pss:LEVEL) to off, on or {{enabled, severity, params}}, found {f}"),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for &(k, v) in doc.entries(node) {
            let Some(name) = doc.text(k) else {
                self.error(doc, k, "expected a rule id");
                continue;
            };
            let selector = if let Some(area) = name.strip_prefix("area:") {
                match area.parse::<Area>() {
                    Ok(a) => Selector::Area(a),
                    Err(e) => {
                        self.error(doc, k, e);
                        continue;
                    }
                }
            } else if let Some(level) = name.strip_prefix("pss:") {
                match level.parse::<Level>() {
                    Ok(l) => Selector::Level(l),
                    Err(e) => {
                        self.error(doc, k, e);
                        continue;
                    }
                }
            } else if self.rule_id(doc, k, name, custom) {
                Selector::Rule(name.to_string())
            } else {
                continue;
            };
            let mut setting = RuleSetting {
                selector,
                enabled: None,
                severity: None,
                params: None,
                at: self.origin(doc, k),
            };
            match doc.value(v) {
                Some(Value::Bool(on)) => setting.enabled = Some(on),
                Some(Value::Str) if matches!(doc.text(v), Some("on" | "off")) => {
                    setting.enabled = Some(doc.text(v) == Some("on"));
                }
                Some(_) => {
                    let f = found(doc, v);
                    self.error(
                        doc,
                        v,
                        format!("expected off, on or a mapping with enabled, severity or params, found {f}"),
                    );
                    continue;
                }
                None => {
                    for (key, kn, vn) in
                        self.mapping(doc, v, "a rule setting", &["enabled", "severity", "params"])
                    {
                        match key.as_str() {
                            "enabled" => match doc.value(vn) {
                                Some(Value::Bool(b)) => setting.enabled = Some(b),
                                _ => {
                                    let f = found(doc, vn);
                                    self.error(
                                        doc,
                                        vn,
                                        format!("expected true or false, found {f}"),
                                    );
                                }
                            },
                            "severity" => {
                                setting.severity = self.parsed(
                                    doc,
                                    vn,
                                    "a severity: critical, high, medium, low or info",
                                );
                            }
                            _ => setting.params = self.params(doc, kn, vn, &setting.selector),
                        }
                    }
                }
            }
            out.push(setting);
        }
        out
    }

    /// A rule's `params`: merged over the rule's own and validated by its template's type.
    fn params(
        &mut self,
        doc: &Document,
        key: NodeId,
        node: NodeId,
        selector: &Selector,
    ) -> Option<Json> {
        let Selector::Rule(id) = selector else {
            self.error(
                doc,
                key,
                format!("`params` belong to one rule, not to every rule of {selector}"),
            );
            return None;
        };
        let Some(rule) = Catalogue::builtin().get(id) else {
            self.error(
                doc,
                key,
                format!("{id:?} is a custom rule: give its params in its `custom-rules` entry"),
            );
            return None;
        };
        if !doc.is_map(node) {
            let f = found(doc, node);
            self.error(
                doc,
                node,
                format!("expected `params` to be a mapping, found {f}"),
            );
            return None;
        }
        let template = rules::template(&rule.template)?;
        let given = doc.to_json(node);
        let merged = merge(&rule.params, &given);
        match template.parse_params(&merged) {
            Ok(_) => Some(given),
            Err(e) => {
                let mut message = e.to_string();
                if template.params.type_name == "NoParams" {
                    message = format!(
                        "rule {id:?} (template {}) takes no parameters",
                        template.name
                    );
                } else if e.message.starts_with("unknown field") {
                    message.push_str(&format!(
                        " (the parameters of template {}, type {})",
                        template.name, template.params.type_name
                    ));
                }
                let at = crate::datafile::locate(doc, node, &e);
                self.error(doc, at, format!("params.{message}"));
                None
            }
        }
    }

    fn custom_rules(&mut self, doc: &Document, node: NodeId) -> Vec<(Rule, Origin)> {
        if !doc.is_seq(node) {
            let f = found(doc, node);
            self.error(
                doc,
                node,
                format!("expected `custom-rules` to be a list of rules (each the shape of a policies/<id>.yaml file), found {f}"),
            );
            return Vec::new();
        }
        let mut out: Vec<(Rule, Origin)> = Vec::new();
        for &item in doc.items(node) {
            if !doc.is_map(item) {
                let f = found(doc, item);
                self.error(doc, item, format!("expected a rule (a mapping with id, title, severity, area, template, params, fix, rationale, remediation, references), found {f}"));
                continue;
            }
            let mut json = doc.to_json(item);
            if let Json::Object(m) = &mut json {
                // Scanners' equivalents are optional for an organisation's own rule.
                m.entry("sources")
                    .or_insert_with(|| Json::Object(Default::default()));
                if m.get("pss").is_some_and(|p| !p.is_null()) {
                    let at = doc
                        .get(item, "pss")
                        .map_or(item, |v| doc.key(v).unwrap_or(v));
                    self.error(doc, at, "a custom rule cannot be a Pod Security Standards check: remove `pss` (the built-in pss rules are those checks)");
                    continue;
                }
            }
            let at = self.origin(doc, item);
            match rule_from_json(&json, &self.file, None) {
                Ok(rule) => {
                    let id_node = doc.get(item, "id").unwrap_or(item);
                    if Catalogue::builtin().get(&rule.id).is_some() {
                        self.error(doc, id_node, format!("rule id {:?} is a built-in rule: choose another id, or configure the built-in one under `rules:`", rule.id));
                    } else if let Some((_, first)) = out.iter().find(|(r, _)| r.id == rule.id) {
                        let line = first.line;
                        self.error(
                            doc,
                            id_node,
                            format!(
                                "rule id {:?} is defined twice (first at line {line})",
                                rule.id
                            ),
                        );
                    } else {
                        out.push((rule, at));
                    }
                }
                Err(errors) => {
                    for e in errors {
                        let n = crate::datafile::locate(doc, item, &e);
                        self.error(doc, n, e.to_string());
                    }
                }
            }
        }
        out
    }

    fn exemptions(&mut self, doc: &Document, node: NodeId, custom: &[&str]) -> Vec<Exemption> {
        if !doc.is_seq(node) {
            let f = found(doc, node);
            self.error(doc, node, format!("expected `exemptions` to be a list of {{rule, objects or paths, reason}}, found {f}"));
            return Vec::new();
        }
        let mut out = Vec::new();
        for &item in doc.items(node) {
            let fields = self.mapping(
                doc,
                item,
                "an exemption",
                &["rule", "objects", "paths", "reason"],
            );
            if !doc.is_map(item) {
                continue;
            }
            let (mut rule, mut objects, mut paths, mut reason) =
                (None, Vec::new(), Vec::new(), None);
            let mut at = self.origin(doc, item);
            let mut ok = true;
            for (key, kn, vn) in fields {
                match key.as_str() {
                    "rule" => {
                        at = self.origin(doc, kn);
                        if let Some(id) = self.string(doc, vn, "a rule id") {
                            if self.rule_id(doc, vn, id, custom) {
                                rule = Some(id.to_string());
                            } else {
                                ok = false;
                            }
                        } else {
                            ok = false;
                        }
                    }
                    "objects" => {
                        if !doc.is_seq(vn) {
                            let f = found(doc, vn);
                            self.error(doc, vn, format!("expected `objects` to be a list of {{kind, namespace, name}} patterns, found {f}"));
                            ok = false;
                            continue;
                        }
                        for &o in doc.items(vn) {
                            let mut p = ObjectPattern::default();
                            let fields = self.mapping(
                                doc,
                                o,
                                "an object pattern",
                                &["kind", "namespace", "name"],
                            );
                            for (k, _, v) in &fields {
                                let value =
                                    self.string(doc, *v, "a glob (`cni-*`)").map(str::to_string);
                                if let Some(e) = value.as_deref().and_then(glob_error) {
                                    self.error(doc, *v, e);
                                    ok = false;
                                }
                                if k == "kind" {
                                    if let Some(e) = value.as_deref().and_then(kind_typo) {
                                        self.error(doc, *v, e);
                                        ok = false;
                                    }
                                }
                                match k.as_str() {
                                    "kind" => p.kind = value,
                                    "namespace" => p.namespace = value,
                                    _ => p.name = value,
                                }
                            }
                            if doc.is_map(o) && fields.is_empty() {
                                self.error(
                                    doc,
                                    o,
                                    "an object pattern needs kind, namespace or name",
                                );
                                ok = false;
                            }
                            objects.push(p);
                        }
                    }
                    "paths" => {
                        paths = self
                            .globs(doc, vn, "paths")
                            .into_iter()
                            .map(|s| s.value)
                            .collect()
                    }
                    _ => match doc.str(vn).map(str::trim) {
                        Some(r) if !r.is_empty() => reason = Some(r.to_string()),
                        _ => {
                            let f = found(doc, vn);
                            self.error(
                                doc,
                                vn,
                                format!("expected a reason (text): say why these findings are acceptable; found {f}"),
                            );
                            ok = false;
                        }
                    },
                }
            }
            let has = |k: &str| doc.get(item, k).is_some();
            if !has("rule") {
                self.error(
                    doc,
                    item,
                    "an exemption needs `rule`: the id of the rule it exempts from",
                );
                ok = false;
            }
            if !has("reason") {
                self.error(
                    doc,
                    item,
                    "an exemption needs `reason`: say why these findings are acceptable",
                );
                ok = false;
            }
            if objects.is_empty() && paths.is_empty() {
                self.error(doc, item, "an exemption needs at least one pattern in `objects` or `paths`: to exempt every object, turn the rule off under `rules:`");
                ok = false;
            }
            if let (true, Some(rule), Some(reason)) = (ok, rule, reason) {
                out.push(Exemption {
                    rule,
                    objects,
                    paths,
                    reason,
                    at,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A distinct configuration for each `n`: one custom rule whose title says `n`.
    fn numbered(n: usize) -> Config {
        let text = format!(
            "custom-rules:\n  - id: images-from-ours\n    title: Image {n} not from our registry\n    severity: high\n    area: controls\n    template: image-registry\n    params: {{allowed: [registry.example.com]}}\n    fix: {{guidance: Push the image to registry.example.com.}}\n    rationale: Only our images run.\n    remediation: Mirror it.\n    references: [https://kubernetes.io/docs/concepts/containers/images/]\n"
        );
        Config::parse(FILE_NAME, &text).unwrap()
    }

    /// The cache is the process's: these tests take turns with it.
    static SERIAL: Mutex<()> = Mutex::new(());

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: docker.io/library/nginx:1.27}\n";

    #[test]
    fn ten_thousand_distinct_configurations_keep_a_few_catalogues() {
        let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let first = numbered(0).catalogue();
        let first_rules = first.rules.len();
        let freed = Arc::downgrade(&first);
        drop(first);
        // An engine keeps its catalogue alive however many others are made meanwhile.
        let held = numbered(1);
        let engine = held.engine(Options::default());
        let kept = Arc::downgrade(&engine.shared_catalogue());
        for n in 2..10_000 {
            let c = numbered(n).catalogue();
            assert_eq!(c.rules.len(), first_rules);
            assert!(cached_catalogues() <= CACHED_CATALOGUES);
        }
        assert!(
            freed.upgrade().is_none(),
            "an evicted catalogue no engine holds is freed"
        );
        assert!(kept.upgrade().is_some(), "the engine's catalogue lives on");
        let report = engine.check_text(POD);
        let custom = report
            .findings
            .iter()
            .find(|f| f.rule == "images-from-ours")
            .expect("the custom rule still runs");
        assert_eq!(custom.severity, Severity::High);
        drop(engine);
        assert!(kept.upgrade().is_none(), "freed with its last engine");
        // The findings outlive every catalogue: they name their rule by a static id.
        assert_eq!(custom.rule, "images-from-ours");
    }

    #[test]
    fn the_least_recently_used_catalogue_goes_first() {
        let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let configs: Vec<Config> = (0..=CACHED_CATALOGUES)
            .map(|i| numbered(100_000 + i))
            .collect();
        let made: Vec<Arc<Catalogue>> = configs[..CACHED_CATALOGUES]
            .iter()
            .map(Config::catalogue)
            .collect();
        // Reading the first again is a hit, and makes it the most recently used.
        assert!(Arc::ptr_eq(&configs[0].catalogue(), &made[0]));
        // One more evicts the second (now the least recently used), not the first.
        let _newest = configs[CACHED_CATALOGUES].catalogue();
        assert!(cached_catalogues() <= CACHED_CATALOGUES);
        assert!(
            Arc::ptr_eq(&configs[0].catalogue(), &made[0]),
            "kept: used recently"
        );
        assert!(
            !Arc::ptr_eq(&configs[1].catalogue(), &made[1]),
            "evicted, so made again"
        );
        // Equal configurations share one catalogue; no change at all is the built-in one.
        assert!(Arc::ptr_eq(
            &numbered(100_000).catalogue(),
            &configs[0].catalogue()
        ));
        assert!(std::ptr::eq(
            &*Config::default().catalogue(),
            Catalogue::builtin()
        ));
    }
}
