//! Hardened YAML: the user's own text with the fewest edits that fix the findings.
//!
//! Each fixable finding carries operations on the tree (set a value, add a key, add to
//! a list, remove a key or item). They are lowered to text edits on the original
//! source ([`plan`]): comments, key order, quoting, blank lines, document separators
//! and line endings outside the edits are untouched; inserted keys copy the document's
//! indentation and sequence style; all keys inserted into one mapping become one block;
//! flow collections and JSON are edited in flow style; text shared through a YAML
//! anchor is never edited. The result is checked again: a round of edits is kept only
//! if the text still parses, the fixed findings are gone and no new finding appeared;
//! otherwise the fixes are tried one at a time and the failing ones are skipped, with
//! the reason. Rounds repeat until nothing fixable is left, so fixing the result again
//! changes nothing.

pub(crate) mod plan;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::diagnostic::{Applicability, Finding, Report};
use crate::engine::{Engine, Options, Planned};
use crate::source::Span;
use plan::{render, Intent, Target, Tree};

/// Identifies a finding across edits: its rule and the pointer of its field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingKey {
    pub rule: String,
    pub path: String,
}

impl FindingKey {
    pub fn of(f: &Finding) -> Self {
        FindingKey {
            rule: f.rule.to_string(),
            path: f.path.clone(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Profile, target version and limits, as for a check.
    pub check: Options,
    /// Also apply fixes that may change how a workload behaves.
    pub unsafe_fixes: bool,
    /// Fix only these findings (all fixable ones when `None`).
    pub only: Option<Vec<FindingKey>>,
    /// Fix only findings of these rules (all rules when `None`).
    pub rules: Option<Vec<String>>,
}

/// A fix applied, or skipped with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixRecord {
    pub rule: &'static str,
    pub path: String,
    pub message: String,
    pub applicability: Applicability,
    /// Why it was not applied (skipped fixes only).
    pub reason: Option<String>,
}

/// A replacement of `span` (in the text the round started from) by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, Default)]
pub struct FixResult {
    /// The hardened text.
    pub text: String,
    pub applied: Vec<FixRecord>,
    pub skipped: Vec<FixRecord>,
    /// The edits of each round, each on the text that round started from.
    pub rounds: Vec<Vec<Edit>>,
    /// The findings left in the hardened text (unsorted).
    pub report: Report,
}

const MAX_ROUNDS: usize = 12;

/// Fix `text`. Never fails: what cannot be fixed is reported in `skipped` or remains
/// in `report`.
pub fn fix(text: &str, options: &FixOptions) -> FixResult {
    let engine = Engine::new(options.check);
    let mut state = State {
        engine: &engine,
        options,
        text: text.to_string(),
        result: FixResult::default(),
        given_up: HashMap::new(),
    };
    let (mut report, mut plans) = engine.check_planned(text);
    for _ in 0..MAX_ROUNDS {
        let chosen = state.choose(&report, plans);
        let next = if chosen.is_empty() {
            None
        } else {
            state.round(&report, chosen)
        };
        match next {
            Some((r, p)) => (report, plans) = (r, p),
            // Fixes skipped before later fixes changed the text may apply now.
            None if state.retry_stale() => (report, plans) = engine.check_planned(&state.text),
            None => break,
        }
    }
    state.result.text = state.text;
    state.result.report = report;
    state.result
}

struct Candidate {
    key: FindingKey,
    record: FixRecord,
    intents: Vec<Intent>,
}

struct State<'a> {
    engine: &'a Engine,
    options: &'a FixOptions,
    text: String,
    result: FixResult,
    /// Findings whose fix was skipped, with the number of fixes applied by then: not
    /// tried again unless later fixes changed the text.
    given_up: HashMap<FindingKey, usize>,
}

fn record(f: &Finding, reason: Option<String>) -> FixRecord {
    FixRecord {
        rule: f.rule,
        path: f.path.clone(),
        message: f.message.clone(),
        applicability: f.fix.unwrap_or(Applicability::Unsafe),
        reason,
    }
}

impl State<'_> {
    fn wanted(&self, f: &Finding) -> bool {
        let Some(applicability) = f.fix else {
            return false;
        };
        f.suppressed.is_none()
            && (applicability == Applicability::Safe || self.options.unsafe_fixes)
            && self
                .options
                .rules
                .as_ref()
                .is_none_or(|r| r.iter().any(|r| r == f.rule))
            && self
                .options
                .only
                .as_ref()
                .is_none_or(|only| only.contains(&FindingKey::of(f)))
    }

    fn skip(&mut self, f: &Finding, reason: String) {
        let key = FindingKey::of(f);
        if !self.given_up.contains_key(&key) {
            self.given_up.insert(key, self.result.applied.len());
            self.result.skipped.push(record(f, Some(reason)));
        }
    }

    /// Forget the skips that happened before the last applied fix; true if any.
    fn retry_stale(&mut self) -> bool {
        let applied = self.result.applied.len();
        let stale: Vec<FindingKey> = self
            .given_up
            .iter()
            .filter(|(_, &at)| at < applied)
            .map(|(k, _)| k.clone())
            .collect();
        for key in &stale {
            self.given_up.remove(key);
            self.result
                .skipped
                .retain(|s| !(s.rule == key.rule && s.path == key.path));
        }
        !stale.is_empty()
    }

    /// The fixes to try this round, in finding order.
    fn choose(&mut self, report: &Report, plans: Vec<Planned>) -> Vec<Candidate> {
        let mut chosen = Vec::new();
        for planned in plans {
            let f = &report.findings[planned.finding];
            let key = FindingKey::of(f);
            if !self.wanted(f) || self.given_up.contains_key(&key) {
                continue;
            }
            match planned.intents {
                Err(reason) => self.skip(f, reason),
                Ok(intents) => chosen.push(Candidate {
                    key,
                    record: record(f, None),
                    intents,
                }),
            }
        }
        chosen
    }

    /// Apply all candidates at once; fall back to one at a time when the result does
    /// not verify. Returns the check of the new text, or `None` when nothing changed.
    fn round(
        &mut self,
        before: &Report,
        mut chosen: Vec<Candidate>,
    ) -> Option<(Report, Vec<Planned>)> {
        // Fixes whose edits collide with earlier ones wait for the next round.
        let edits = loop {
            match build_edits(&self.text, &chosen) {
                Ok(edits) => break edits,
                Err(conflicted) => {
                    chosen.retain(|c| !conflicted.contains(&c.key));
                }
            }
        };
        if edits.is_empty() {
            return None;
        }
        let text = apply(&self.text, &edits);
        let (after, plans) = self.engine.check_planned(&text);
        let records: Vec<&FixRecord> = chosen.iter().map(|c| &c.record).collect();
        if verify(before, &after, &records).is_ok() {
            self.text = text;
            self.result.rounds.push(edits);
            self.result
                .applied
                .extend(chosen.into_iter().map(|c| c.record));
            return Some((after, plans));
        }
        self.one_by_one(before, chosen)
    }

    fn one_by_one(
        &mut self,
        before: &Report,
        chosen: Vec<Candidate>,
    ) -> Option<(Report, Vec<Planned>)> {
        let mut current = (before.clone(), None::<Vec<Planned>>);
        let mut progressed = false;
        for candidate in chosen {
            // Re-plan on the current text: earlier fixes moved the offsets.
            let (report, plans) = match current.1.take() {
                Some(plans) => (current.0.clone(), plans),
                None => self.engine.check_planned(&self.text),
            };
            let planned = plans
                .into_iter()
                .find(|p| FindingKey::of(&report.findings[p.finding]) == candidate.key);
            let Some(Ok(intents)) = planned.map(|p| p.intents) else {
                current = (report, None);
                continue; // fixed by an earlier fix, or no longer fixable
            };
            let single = [Candidate {
                intents,
                ..candidate
            }];
            let edits = build_edits(&self.text, &single).unwrap_or_default();
            let text = apply(&self.text, &edits);
            let (after, plans) = self.engine.check_planned(&text);
            match verify(&report, &after, &[&single[0].record]) {
                Ok(()) => {
                    self.text = text;
                    self.result.rounds.push(edits);
                    let [c] = single;
                    self.result.applied.push(c.record);
                    current = (after, Some(plans));
                    progressed = true;
                }
                Err(reason) => {
                    let f = report
                        .findings
                        .iter()
                        .find(|f| FindingKey::of(f) == single[0].key)
                        .cloned();
                    if let Some(f) = f {
                        self.skip(&f, reason);
                    }
                    current = (report, None);
                }
            }
        }
        if !progressed {
            return None;
        }
        Some(match current {
            (report, Some(plans)) => (report, plans),
            (_, None) => self.engine.check_planned(&self.text),
        })
    }
}

/// A fixed text must parse as well as before, lose the fixed findings and gain none.
/// Findings are matched by rule, pointer and message: removing a list item renumbers
/// the pointers of the items after it, so a pointer alone may name another finding.
fn verify(before: &Report, after: &Report, fixed: &[&FixRecord]) -> Result<(), String> {
    if after.errors.len() > before.errors.len() {
        let e = &after.errors[0];
        return Err(format!("the edited text no longer parses: {}", e.message));
    }
    let old: HashSet<(&str, &str)> = before
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| (f.rule, f.path.as_str()))
        .collect();
    let present: HashSet<(&str, &str, &str)> = after
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| (f.rule, f.path.as_str(), f.message.as_str()))
        .collect();
    let remains = |r: &FixRecord| present.contains(&(r.rule, r.path.as_str(), r.message.as_str()));
    if let Some(r) = fixed.iter().find(|r| remains(r)) {
        return Err(format!("the edit did not remove the finding at {}", r.path));
    }
    // A finding is new when neither its place nor its message existed before (removing
    // a list item renumbers the pointers of the items after it).
    let old_messages: HashSet<(&str, &str)> = before
        .findings
        .iter()
        .map(|f| (f.rule, f.message.as_str()))
        .collect();
    for f in after.findings.iter().filter(|f| f.suppressed.is_none()) {
        if !old.contains(&(f.rule, f.path.as_str()))
            && !old_messages.contains(&(f.rule, f.message.as_str()))
        {
            return Err(format!(
                "the edit introduced a new finding: {} at {}",
                f.rule, f.path
            ));
        }
    }
    Ok(())
}

/// Merge insertions per target, render, and order the edits. Fails with the keys of
/// fixes whose edits overlap an earlier one.
fn build_edits(text: &str, chosen: &[Candidate]) -> Result<Vec<Edit>, Vec<FindingKey>> {
    let mut edits: Vec<(Span, String, Vec<usize>)> = Vec::new();
    let mut targets: BTreeMap<(usize, u32), (Target, Tree, Vec<usize>)> = BTreeMap::new();
    for (i, c) in chosen.iter().enumerate() {
        for intent in &c.intents {
            match intent {
                Intent::Replace { span, text } => edits.push((*span, text.clone(), vec![i])),
                Intent::Insert { target, path, leaf } => {
                    let entry = targets
                        .entry(target.key)
                        .or_insert_with(|| (target.clone(), Tree::Map(Vec::new()), Vec::new()));
                    entry.1.insert(path, leaf.clone());
                    entry.2.push(i);
                }
            }
        }
    }
    for (target, tree, owners) in targets.into_values() {
        let (span, rendered) = render(&target, &tree, text);
        edits.push((span, rendered, owners));
    }
    // New lines inserted at the end of a line that another fix removes go before it.
    let removed: Vec<Span> = edits
        .iter()
        .map(|e| e.0)
        .filter(|s| !s.is_empty() && (s.start == 0 || text[..s.start].ends_with(['\n', '\r'])))
        .collect();
    for (span, inserted, _) in &mut edits {
        if !(span.is_empty() && inserted.starts_with(['\n', '\r'])) {
            continue;
        }
        while let Some(r) = removed
            .iter()
            .find(|r| r.start < span.start && span.start < r.end)
        {
            let line_break = if text[..r.start].ends_with("\r\n") {
                2
            } else {
                1
            };
            if r.start < line_break {
                break;
            }
            *span = Span::empty(r.start - line_break);
        }
    }
    // Several blocks inserted at one place: the deeper one first, so each lands in its
    // own mapping (a nested mapping's new keys come before its parent's).
    let depth = |s: &str| {
        s.trim_start_matches(['\r', '\n']).len()
            - s.trim_start_matches(['\r', '\n'])
                .trim_start_matches(' ')
                .len()
    };
    edits.sort_by_key(|(span, inserted, _)| {
        (span.start, span.end, std::cmp::Reverse(depth(inserted)))
    });
    // Identical edits are one; overlapping deletions (two items of one flow list) are
    // their union.
    edits.dedup_by(|b, a| {
        let same = a.0 == b.0 && a.1 == b.1;
        let deletions = a.1.is_empty()
            && b.1.is_empty()
            && !a.0.is_empty()
            && !b.0.is_empty()
            && b.0.start < a.0.end;
        if same || deletions {
            a.0 = a.0.cover(b.0);
            a.2.extend(b.2.iter().copied());
        }
        same || deletions
    });
    // Edits are sorted by start: one clashes with an earlier one when it starts inside
    // the furthest-reaching earlier replacement (an insertion at its very start is fine).
    let mut conflicted = Vec::new();
    let mut reach: Option<Span> = None;
    for (span, _, owners) in &edits {
        let clash =
            reach.is_some_and(|r| span.start < r.end && (!span.is_empty() || r.start < span.start));
        if clash {
            conflicted.extend(owners.iter().map(|&o| chosen[o].key.clone()));
        } else if !span.is_empty() && reach.is_none_or(|r| span.end > r.end) {
            reach = Some(*span);
        }
    }
    if conflicted.is_empty() {
        Ok(edits
            .into_iter()
            .map(|(span, text, _)| Edit { span, text })
            .collect())
    } else {
        Err(conflicted)
    }
}

/// Splice sorted, non-overlapping edits into `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}
