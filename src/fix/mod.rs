//! Hardened YAML: the user's own text with the fewest edits that fix the findings.
//!
//! The engine attaches to each fixable finding its [`Fix`](crate::diagnostic::Fix):
//! operations on the tree lowered to text edits ([`crate::lower`]) — comments, key order,
//! quoting, blank lines, document separators and line endings outside the edits are
//! untouched; inserted keys copy the document's indentation and sequence style; flow
//! collections and JSON are edited in flow style; text shared through a YAML anchor is
//! never edited. The fixer chooses findings, merges their edits per source (all keys
//! inserted into one mapping become one block), applies them, and checks the whole
//! bundle again: a round is kept only if every text still parses, the fixed findings
//! are gone, no new finding appeared and no pod gained a [`valid::Violation`] (a field
//! the API server rejects or a setting the kubelet refuses); otherwise the fixes are
//! tried one at a time and the failing ones are skipped, with the reason. Rounds repeat until nothing fixable is
//! left, so fixing the result again changes nothing.

pub mod valid;

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Applicability, Finding, Report, TextEdit};
use crate::engine::{Engine, Options};
use crate::lower::{merge, Intent};
use crate::source::{Source, Span};

#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Profile, target version and limits, as for a check.
    pub check: Options,
    /// Also apply fixes that may change how a workload behaves.
    pub unsafe_fixes: bool,
    /// Fix only the findings with these ids ([`Finding::id`]); all fixable ones when `None`.
    pub only: Option<Vec<String>>,
    /// Never fix the findings with these ids (the fixes a person left out).
    pub exclude: Vec<String>,
    /// Fix only findings of these rules (all rules when `None`).
    pub rules: Option<Vec<String>>,
    /// The configuration file's rules, severities, parameters and exemptions (the
    /// profile and version are `check`'s); the built-in catalogue when `None`.
    pub config: Option<std::sync::Arc<crate::config::Config>>,
}

/// A fix applied, or skipped with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixRecord {
    /// The id of the finding, as the check before the fix reported it.
    pub id: String,
    pub rule: &'static str,
    pub file: usize,
    pub path: String,
    pub message: String,
    /// What the fix does (the finding's fix title).
    pub title: String,
    pub applicability: Applicability,
    /// Why it was not applied (skipped fixes only).
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct FixResult {
    /// The hardened sources, in input order, with their names.
    pub sources: Vec<Source>,
    pub applied: Vec<FixRecord>,
    pub skipped: Vec<FixRecord>,
    /// The edits of each round, each on the texts that round started from.
    pub rounds: Vec<Vec<TextEdit>>,
    /// The findings left in the hardened sources.
    pub report: Report,
    /// The documents of the input that could not be read (and were left as they are),
    /// located in the sources as given.
    pub input_errors: Vec<crate::diagnostic::Diagnostic>,
}

impl FixResult {
    /// The hardened text of the first source (the only one, for [`fix`]).
    pub fn text(&self) -> &str {
        self.sources.first().map_or("", |s| s.text.as_str())
    }
}

/// Rounds at most, whatever the input: a guard against fixes that would undo each other.
/// Every other round applies at least one fix (or retries skipped ones once), so the loop
/// ends when nothing is left to do; conflicting edits are taken one per round (the items
/// of one flow list), and a smaller cap stopped short of a fixed point (found by the `fix`
/// fuzz target with 9, then 25 items of one `capabilities.add` list).
const MAX_ROUNDS: usize = 1000;

/// Fix one text (named `-`). Never fails: what cannot be fixed is reported in `skipped`
/// or remains in `report`.
pub fn fix(text: &str, options: &FixOptions) -> FixResult {
    fix_bundle(&[Source::new("-", text)], options)
}

/// Fix a bundle of sources, checked together exactly as [`Engine::check`] checks them.
pub fn fix_bundle(sources: &[Source], options: &FixOptions) -> FixResult {
    let engine = match &options.config {
        Some(config) => config.engine(options.check).fixing(),
        None => Engine::for_fixing(options.check),
    };
    let mut state = State {
        engine: &engine,
        options,
        sources: sources.to_vec(),
        result: FixResult::default(),
        given_up: HashMap::new(),
        violations: HashMap::new(),
    };
    let mut report = engine.check(&state.sources);
    state.result.input_errors = report.errors.clone();
    for _ in 0..MAX_ROUNDS {
        let chosen = state.choose(&report);
        let next = if chosen.is_empty() {
            None
        } else {
            state.round(&report, chosen)
        };
        match next {
            Some(r) => report = r,
            // Fixes skipped before later fixes changed the text may apply now.
            None if state.retry_stale() => report = engine.check(&state.sources),
            None => break,
        }
    }
    state.result.sources = state.sources;
    state.result.report = report;
    state.result
}

struct Candidate {
    record: FixRecord,
    intents: Vec<(usize, Intent)>,
}

struct State<'a> {
    engine: &'a Engine,
    options: &'a FixOptions,
    sources: Vec<Source>,
    result: FixResult,
    /// Findings whose fix was skipped, with the number of fixes applied by then: not
    /// tried again unless later fixes changed the text.
    given_up: HashMap<String, usize>,
    /// The [`valid`] violations of `sources`, per file, once computed.
    violations: HashMap<usize, Violations>,
}

fn record(report: &Report, f: &Finding, reason: Option<String>) -> FixRecord {
    FixRecord {
        id: report.id(f),
        rule: f.rule,
        file: f.file as usize,
        path: f.path.to_string(),
        message: f.message.to_string(),
        title: f
            .fix
            .as_ref()
            .map(|x| x.title.clone())
            .unwrap_or_default()
            .to_string(),
        applicability: f
            .fix
            .as_ref()
            .map_or(Applicability::Unsafe, |x| x.applicability),
        reason,
    }
}

impl State<'_> {
    /// The id of a finding of a check of `self.sources`.
    fn id(&self, f: &Finding) -> String {
        let name = self
            .sources
            .get(f.file as usize)
            .map_or("", |s| s.name.as_str());
        f.id(crate::render::display_name(name))
    }

    fn wanted(&self, f: &Finding) -> bool {
        let Some(fix) = &f.fix else {
            return false;
        };
        f.suppressed.is_none()
            && (fix.applicability == Applicability::Safe || self.options.unsafe_fixes)
            && self
                .options
                .rules
                .as_ref()
                .is_none_or(|r| r.iter().any(|r| r == f.rule))
            && self.options.only.as_ref().is_none_or(|only| {
                // An id names the finding of the first check; once it is fixed, the
                // same id in a later round names another finding (removing list item 0
                // renumbers item 1 to 0) or a next step the person did not ask for.
                let id = self.id(f);
                only.contains(&id) && !self.result.applied.iter().any(|a| a.id == id)
            })
            && !self.options.exclude.contains(&self.id(f))
    }

    fn skip(&mut self, report: &Report, f: &Finding, reason: String) {
        let id = report.id(f);
        if !self.given_up.contains_key(&id) {
            self.given_up.insert(id, self.result.applied.len());
            self.result.skipped.push(record(report, f, Some(reason)));
        }
    }

    /// Forget the skips that happened before the last applied fix; true if any.
    fn retry_stale(&mut self) -> bool {
        let applied = self.result.applied.len();
        let stale: HashSet<String> = self
            .given_up
            .iter()
            .filter(|(_, &at)| at < applied)
            .map(|(k, _)| k.clone())
            .collect();
        for id in &stale {
            self.given_up.remove(id);
        }
        self.result.skipped.retain(|s| !stale.contains(&s.id));
        !stale.is_empty()
    }

    /// The fixes to try this round, in finding order.
    fn choose(&mut self, report: &Report) -> Vec<Candidate> {
        let mut chosen = Vec::new();
        for f in &report.findings {
            if !self.wanted(f) || self.given_up.contains_key(&report.id(f)) {
                continue;
            }
            let Some(fix) = &f.fix else { continue };
            match &fix.unavailable {
                Some(reason) => self.skip(report, f, reason.to_string()),
                None => chosen.push(Candidate {
                    record: record(report, f, None),
                    intents: fix.intents.to_vec(),
                }),
            }
        }
        chosen
    }

    /// The merged edits of `chosen`, per source; fails with the indexes of candidates
    /// whose edits collide with an earlier one.
    fn edits(&self, chosen: &[Candidate]) -> Result<Vec<TextEdit>, Vec<usize>> {
        let mut files: Vec<usize> = chosen
            .iter()
            .flat_map(|c| c.intents.iter().map(|(f, _)| *f))
            .collect();
        files.sort_unstable();
        files.dedup();
        let mut out = Vec::new();
        let mut conflicted = Vec::new();
        for file in files {
            let per_fix: Vec<Vec<Intent>> = chosen
                .iter()
                .map(|c| {
                    c.intents
                        .iter()
                        .filter(|(f, _)| *f == file)
                        .map(|(_, i)| i.clone())
                        .collect()
                })
                .collect();
            match merge(&self.sources[file].text, per_fix.iter().map(Vec::as_slice)) {
                Ok(edits) => out.extend(edits.into_iter().map(|(span, replacement)| TextEdit {
                    file,
                    span,
                    replacement: replacement.into(),
                })),
                Err(c) => conflicted.extend(c),
            }
        }
        if conflicted.is_empty() {
            Ok(out)
        } else {
            Err(conflicted)
        }
    }

    /// The edits of `chosen` without conflicts: colliding fixes wait for the next round.
    fn settle(&self, chosen: &mut Vec<Candidate>) -> Vec<TextEdit> {
        loop {
            match self.edits(chosen) {
                Ok(edits) => return edits,
                Err(conflicted) => {
                    let mut i = 0;
                    chosen.retain(|_| {
                        i += 1;
                        !conflicted.contains(&(i - 1))
                    });
                }
            }
        }
    }

    /// Apply all candidates at once; fall back to one at a time when the result does
    /// not verify. Returns the check of the new texts, or `None` when nothing changed.
    fn round(&mut self, before: &Report, mut chosen: Vec<Candidate>) -> Option<Report> {
        let edits = self.settle(&mut chosen);
        if edits.is_empty() {
            return None;
        }
        let sources = apply_all(&self.sources, &edits);
        let after = self.engine.check(&sources);
        let records: Vec<&FixRecord> = chosen.iter().map(|c| &c.record).collect();
        if let Ok(valid) =
            verify(before, &after, &records).and_then(|()| self.stays_valid(&edits, &sources))
        {
            self.accept(sources, edits, valid);
            self.result
                .applied
                .extend(chosen.into_iter().map(|c| c.record));
            return Some(after);
        }
        self.one_by_one(before, chosen)
    }

    fn one_by_one(&mut self, before: &Report, chosen: Vec<Candidate>) -> Option<Report> {
        let mut current = before.clone();
        let mut progressed = false;
        for candidate in chosen {
            // Take the fix from the current check: earlier fixes moved the offsets.
            let Some(f) = current
                .findings
                .iter()
                .find(|f| {
                    current.id(f) == candidate.record.id && *f.message == *candidate.record.message
                })
                .cloned()
            else {
                continue; // fixed by an earlier fix
            };
            let Some(fix) = f.fix.as_ref().filter(|x| x.unavailable.is_none()) else {
                continue; // no longer fixable
            };
            let mut single = vec![Candidate {
                record: record(&current, &f, None),
                intents: fix.intents.to_vec(),
            }];
            let edits = self.settle(&mut single);
            let sources = apply_all(&self.sources, &edits);
            let after = self.engine.check(&sources);
            let verdict = verify(&current, &after, &[&single[0].record])
                .and_then(|()| self.stays_valid(&edits, &sources));
            match verdict {
                Ok(valid) if !edits.is_empty() => {
                    self.accept(sources, edits, valid);
                    self.result
                        .applied
                        .extend(single.into_iter().map(|c| c.record));
                    current = after;
                    progressed = true;
                }
                Ok(_) => {}
                Err(reason) => self.skip(&current, &f, reason),
            }
        }
        progressed.then_some(current)
    }
}

/// How many times each violation occurs in one text, by (document, constraint, what).
type Violations = HashMap<(usize, valid::Constraint, String), usize>;

fn violations(text: &str, limits: &crate::yaml::Limits) -> Violations {
    let mut out = Violations::new();
    for (document, v) in valid::check_text(text, limits) {
        *out.entry((document, v.constraint, v.what)).or_default() += 1;
    }
    out
}

impl State<'_> {
    /// The files `edits` touch must have no API-validation or kubelet violation
    /// ([`valid::check_document`]) that they did not have before the edits; the error is
    /// the reason of the first new one. On success, the violations of those files after
    /// the edits, for [`State::accept`].
    fn stays_valid(
        &mut self,
        edits: &[TextEdit],
        after: &[Source],
    ) -> Result<Vec<(usize, Violations)>, String> {
        let mut files: Vec<usize> = edits.iter().map(|e| e.file).collect();
        files.dedup();
        let limits = self.engine.options().limits;
        let mut out = Vec::new();
        for file in files {
            let sources = &self.sources;
            let before = self
                .violations
                .entry(file)
                .or_insert_with(|| violations(&sources[file].text, &limits));
            let now = violations(&after[file].text, &limits);
            let mut new: Vec<_> = now
                .iter()
                .filter(|(k, n)| before.get(*k).is_none_or(|b| *n > b))
                .map(|((_, constraint, what), _)| (*constraint, what))
                .collect();
            // The first in a stable order, whatever the hashing.
            new.sort();
            if let Some((constraint, what)) = new.first() {
                return Err(valid::Violation {
                    constraint: *constraint,
                    node: 0,
                    what: (*what).clone(),
                }
                .reason());
            }
            out.push((file, now));
        }
        Ok(out)
    }

    /// Keep the texts of a verified round.
    fn accept(
        &mut self,
        sources: Vec<Source>,
        edits: Vec<TextEdit>,
        valid: Vec<(usize, Violations)>,
    ) {
        self.sources = sources;
        self.result.rounds.push(edits);
        self.violations.extend(valid);
    }
}

/// A fixed bundle must parse as well as before, lose the fixed findings and gain none.
/// A fixed finding is gone when no finding has its id and message any more: removing a
/// list item renumbers the pointers (and so the ids) of the items after it, so an id
/// alone may name another finding. A finding is new when neither its id nor its rule
/// and message existed before and its document holds more findings of its rule than
/// before (see [`per_document`]).
fn verify(before: &Report, after: &Report, fixed: &[&FixRecord]) -> Result<(), String> {
    if after.errors.len() > before.errors.len() {
        let e = &after.errors[0];
        return Err(format!("the edited text no longer parses: {}", e.message));
    }
    let present: HashSet<(String, &str)> = after
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| (after.id(f), f.message.as_str()))
        .collect();
    if let Some(r) = fixed
        .iter()
        .find(|r| present.contains(&(r.id.clone(), r.message.as_str())))
    {
        return Err(format!("the edit did not remove the finding at {}", r.path));
    }
    let old_ids: HashSet<String> = before
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| before.id(f))
        .collect();
    let old_messages: HashSet<(&str, &str)> = before
        .findings
        .iter()
        .map(|f| (f.rule, f.message.as_str()))
        .collect();
    let old_counts = per_document(before);
    let new_counts = per_document(after);
    for f in after.findings.iter().filter(|f| f.suppressed.is_none()) {
        let key = (f.rule, f.file, f.document);
        if !old_ids.contains(&after.id(f))
            && !old_messages.contains(&(f.rule, f.message.as_str()))
            && new_counts[&key] > old_counts.get(&key).copied().unwrap_or(0)
        {
            return Err(format!(
                "the edit introduced a new finding: {} at {}",
                f.rule, f.path
            ));
        }
    }
    Ok(())
}

/// The number of unsuppressed findings of each rule in each document, `(rule, file,
/// document)` → count. A fix may make a finding of another rule say something else: setting
/// `privileged: false` turns net-raw-capability's "is privileged, so it keeps NET_RAW" into
/// "keeps NET_RAW: drop it" at another pointer. That finding is restated, not new, when the
/// document has no more findings of its rule than before.
fn per_document(report: &Report) -> HashMap<(&'static str, u32, u32), usize> {
    let mut out = HashMap::new();
    for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        *out.entry((f.rule, f.file, f.document)).or_insert(0) += 1;
    }
    out
}

/// The sources with `edits` (sorted by file and position, non-overlapping) applied.
fn apply_all(sources: &[Source], edits: &[TextEdit]) -> Vec<Source> {
    sources
        .iter()
        .enumerate()
        .map(|(file, s)| {
            let mine: Vec<(Span, &str)> = edits
                .iter()
                .filter(|e| e.file == file)
                .map(|e| (e.span, e.replacement.as_str()))
                .collect();
            if mine.is_empty() {
                s.clone()
            } else {
                Source::new(s.name.clone(), apply(&s.text, &mine))
            }
        })
        .collect()
}

/// Splice sorted, non-overlapping replacements `(span, text)` into `text`.
pub fn apply(text: &str, edits: &[(Span, &str)]) -> String {
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.1.len()).sum::<usize>());
    let mut at = 0;
    for (span, replacement) in edits {
        out.push_str(&text[at..span.start]);
        out.push_str(replacement);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: app, image: nginx}\n  ephemeralContainers:\n  - name: debug\n    image: busybox\n    ports: [{containerPort: 80}]\n";

    /// [`POD`] with its container "app" privileged.
    fn privileged_pod() -> String {
        POD.replace(
            "{name: app, image: nginx}",
            "{name: app, image: nginx, securityContext: {privileged: true}}",
        )
    }

    /// The check of a round whose edit replaces the whole text by `after`.
    fn stays_valid(before: &str, after: &str) -> Result<(), String> {
        let engine = Engine::for_fixing(Options::default());
        let options = FixOptions::default();
        let mut state = State {
            engine: &engine,
            options: &options,
            sources: vec![Source::new("-", before)],
            result: FixResult::default(),
            given_up: HashMap::new(),
            violations: HashMap::new(),
        };
        let edits = [TextEdit {
            file: 0,
            span: Span {
                start: 0,
                end: before.len(),
            },
            replacement: after.to_string().into(),
        }];
        state
            .stays_valid(&edits, &[Source::new("-", after)])
            .map(|_| ())
    }

    #[test]
    fn a_round_that_adds_a_violation_is_refused_with_the_reason() {
        let after = format!("{POD}    resources: {{limits: {{cpu: 100m}}}}\n");
        assert_eq!(
            stays_valid(POD, &after),
            Err("would set resources on ephemeral container \"debug\", which the API server rejects (k8s.io/kubernetes/pkg/apis/core/validation/validation.go, validateEphemeralContainers)".into())
        );
        let privileged = privileged_pod();
        let escalation = privileged.replace(
            "privileged: true",
            "privileged: true, allowPrivilegeEscalation: false",
        );
        let err = stays_valid(&privileged, &escalation).unwrap_err();
        assert!(
            err.starts_with("would set allowPrivilegeEscalation: false on a privileged container (container \"app\"), which the API server rejects"),
            "{err}"
        );
    }

    #[test]
    fn violations_the_text_already_had_are_not_new() {
        // The ephemeral container's ports were there before: a fix elsewhere is kept.
        let after = POD.replace(
            "{name: app, image: nginx}",
            "{name: app, image: nginx, securityContext: {runAsNonRoot: true}}",
        );
        assert_eq!(stays_valid(POD, &after), Ok(()));
        // A second ephemeral container with ports is one more violation.
        let more = format!("{POD}  - {{name: debug2, image: busybox, ports: []}}\n");
        assert!(stays_valid(POD, &more).is_err());
    }

    /// [`verify`] of a round that turns `before` into `after`, fixing nothing named.
    fn verified(before: &str, after: &str) -> Result<(), String> {
        let engine = Engine::for_fixing(Options::default());
        let check = |text: &str| engine.check(&[Source::new("-", text)]);
        verify(&check(before), &check(after), &[])
    }

    #[test]
    fn a_finding_another_fix_restates_is_not_new_but_one_more_is() {
        let privileged = privileged_pod();
        // net-raw-capability said "is privileged, so it keeps NET_RAW" at .../privileged;
        // unprivileged, it says "keeps NET_RAW: drop it" at .../capabilities/drop: one
        // finding restated, so fixing privileged-container alone is kept.
        let unprivileged = privileged.replace("privileged: true", "privileged: false");
        assert_eq!(verified(&privileged, &unprivileged), Ok(()));
        // A second container that keeps NET_RAW is one finding more.
        let second = unprivileged.replace(
            "  ephemeralContainers:",
            "  - {name: two, image: nginx}\n  ephemeralContainers:",
        );
        let err = verified(&privileged, &second).unwrap_err();
        assert!(
            err.starts_with("the edit introduced a new finding: "),
            "{err}"
        );
        // A finding of a rule the document did not have is new.
        let host = privileged.replace("spec:\n", "spec:\n  hostPID: true\n");
        assert_eq!(
            verified(&privileged, &host),
            Err("the edit introduced a new finding: host-namespaces at /spec/hostPID".into())
        );
    }
}
