//! The check run over a whole bundle of sources.
//!
//! 1. Load: every source is parsed and its objects modelled (per file; the caller may
//!    spread this over threads through [`Spread`]).
//! 2. Index: the [`Bundle`] indexes every object once (identity, kind, pod labels,
//!    ServiceAccounts, namespaces).
//! 3. Check: per-object rules run per document, then whole-bundle rules see every object.
//! 4. Emit: template hits become findings — pointer, span, object, suppression, related
//!    locations in any file — and each fixable finding's operations are lowered to text
//!    edits ([`crate::lower`]) while the documents are still at hand.
//! 5. Sort, and give each finding its stable id.
//!
//! This module decides what is wrong; applying fixes is the fixer's business
//! ([`crate::fix`]), which calls the engine, never the reverse.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::bundle::{Bundle, DocRef};
use crate::catalogue::{Catalogue, FixPolicy, Rule};
use crate::diagnostic::{
    Applicability, CheckedObject, Diagnostic, Finding, Fix, Interner, Level, NoteKind, ObjectRef,
    Related, Report, TextEdit,
};
use crate::lower::{self, Intent, Planner};
use crate::model::{DocumentModel, Object};
use crate::rules::{
    self, BundleCx, BundleHit, BundleHits, Check, DocCx, Hit, Loc, PodCx, Template,
    SUPPRESSION_PREFIX,
};
use crate::source::{Source, Span};
use crate::version::KubeVersion;
use crate::yaml::{escape_pointer, parse_stream_observed, Document, Limits, NodeId, Stream};
use smallvec::SmallVec;
use thin_vec::ThinVec;

/// Which rules run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// The Pod Security Standards baseline checks.
    Baseline,
    /// The baseline and restricted checks.
    Restricted,
    /// Every rule.
    #[default]
    All,
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "baseline" => Ok(Profile::Baseline),
            "restricted" => Ok(Profile::Restricted),
            "all" => Ok(Profile::All),
            _ => Err(format!(
                "unknown profile {s:?}: expected baseline, restricted or all"
            )),
        }
    }
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Baseline => "baseline",
            Profile::Restricted => "restricted",
            Profile::All => "all",
        }
    }
}

/// What a run checks against. `Default` is every rule at the newest known version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub profile: Profile,
    pub version: KubeVersion,
    pub limits: Limits,
}

struct Active {
    /// The rule's index in the engine's catalogue.
    rule: usize,
    /// Its id, as findings hold it ([`crate::catalogue::static_id`]).
    id: &'static str,
    template: &'static Template,
    /// Index of the restricted rule that replaces this baseline rule at this profile:
    /// its findings are kept only when that rule also fails the pod, so a pod is
    /// flagged exactly when the reference implementation rejects it.
    overridden_by: Option<usize>,
}

/// Point each baseline rule at the restricted rule that replaces it, when that one runs.
fn link_overrides(catalogue: &Catalogue, active: &mut [Active]) {
    for i in 0..active.len() {
        active[i].overridden_by = None;
        let Some(pss) = &catalogue.rules[active[i].rule].pss else {
            continue;
        };
        if pss.level != Level::Baseline {
            continue;
        }
        active[i].overridden_by = active.iter().position(|a| {
            catalogue.rules[a.rule]
                .pss
                .as_ref()
                .and_then(|p| p.overrides.as_deref())
                == Some(pss.check.as_str())
        });
    }
}

/// How a run spreads independent per-file work (parsing, modelling, per-object checks).
/// The library itself runs jobs in order ([`InOrder`]); the CLI passes a thread pool.
pub trait Spread: Sync {
    /// Run `job(0) .. job(count - 1)`, in any order, possibly at once; return when all
    /// have returned.
    fn each(&self, count: usize, job: &(dyn Fn(usize) + Sync));
}

/// Runs every job in order on the calling thread.
pub struct InOrder;

impl Spread for InOrder {
    fn each(&self, count: usize, job: &(dyn Fn(usize) + Sync)) {
        (0..count).for_each(job);
    }
}

/// `f(0) .. f(count - 1)` through `spread`, collected in order.
fn spread_map<T: Send>(spread: &dyn Spread, count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let slots: Vec<Mutex<Option<T>>> = (0..count).map(|_| Mutex::new(None)).collect();
    spread.each(count, &|i| {
        let value = f(i);
        if let Ok(mut slot) = slots[i].lock() {
            *slot = Some(value);
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .expect("Spread::each ran every job")
        })
        .collect()
}

/// The documents checked so far of every source's, for [`Engine::check_observed`]'s
/// [`Stage::Rules`] news (sources checked at once on several threads add up).
struct RulesProgress<'a> {
    documents: usize,
    done: AtomicUsize,
    observe: &'a (dyn Fn(Progress) + Sync),
}

/// How far a check has come, for a progress display ([`Engine::check_observed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The stage under way.
    pub stage: Stage,
    /// The source it is at, as an index into the checked sources (0 in the whole-bundle
    /// stages).
    pub file: usize,
    /// How much of `total` is done: in [`Stage::Parse`] bytes read of every source's
    /// (sources parsed at once on several threads add up; told as it starts, 0 done, and
    /// after each document), in [`Stage::Rules`] documents checked of every source's (told
    /// as it starts and after each document), in [`Stage::Bundle`] whole-bundle rules run
    /// (told as it starts, 0 done, and after each rule); [`Stage::Report`] is told once by
    /// the engine as it starts, 0 of 1, and again by [`crate::adapter::check_observed`] for
    /// each finding it lists for an editor and by [`crate::render::json_observed`] as it
    /// writes them (done of total findings).
    pub done: usize,
    pub total: usize,
}

impl Progress {
    /// How far the check has come as a whole, in percent (0–100): each stage's share of
    /// the time of a check of a 5 MB stream of Deployments through
    /// [`crate::adapter::check_observed`], measured once natively (reading and modelling the
    /// YAML 44%, the per-document rules 16%, the whole-bundle rules 13%, sorting and listing
    /// the findings 27%), advanced within a stage by `done` of `total`. A check with a JSON
    /// report stays at 73% while it sorts, then advances as [`crate::render::json_observed`]
    /// writes the findings.
    pub fn percent(self) -> u32 {
        let (from, share) = match self.stage {
            Stage::Parse => (0.0, 44.0),
            Stage::Rules => (44.0, 16.0),
            Stage::Bundle => (60.0, 13.0),
            Stage::Report => (73.0, 27.0),
        };
        let within = if self.total == 0 {
            0.0
        } else {
            self.done.min(self.total) as f64 / self.total as f64
        };
        (from + share * within) as u32
    }
}

/// The stages of a check, in the order they run (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Parsing a source's YAML (modelling its objects follows, not told: about 2% of a run).
    Parse,
    /// The per-object and per-document rules of a source.
    Rules,
    /// The whole-bundle rules (RBAC, NetworkPolicies, references between objects).
    Bundle,
    /// Exemptions, sorting and the findings' ids (and, in [`crate::adapter::check_observed`],
    /// listing them for an editor).
    Report,
}

impl Stage {
    /// Its name: `parse`, `rules`, `bundle` or `report`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Rules => "rules",
            Stage::Bundle => "bundle",
            Stage::Report => "report",
        }
    }
}

/// A configured checker. Cheap to build; reuse it across inputs.
pub struct Engine {
    /// Shared: a configuration's catalogue lives as long as an engine (or the bounded
    /// cache of [`crate::config::Config::catalogue`]) holds it; findings name their rule by
    /// a `&'static str` id and never point into it.
    catalogue: Arc<Catalogue>,
    options: Options,
    active: Vec<Active>,
    /// The fixer's engine keeps each fix's unmerged intents on its findings.
    keep_intents: bool,
    /// The configuration whose exemptions every report of this engine applies.
    config: Option<Arc<crate::config::Config>>,
}

impl Engine {
    pub fn new(options: Options) -> Self {
        Engine::select(options, Catalogue::shared_builtin(), &|_, on| on)
    }

    /// An engine over `catalogue` (the built-in one, or one a configuration changed:
    /// [`crate::config::Config::engine`]) that runs the rules `choose` keeps. `choose`
    /// receives each rule and whether the profile runs it (validity rules always do); a
    /// Pod Security Standards check newer than the target version never runs, whatever
    /// `choose` says.
    pub fn select(
        options: Options,
        catalogue: Arc<Catalogue>,
        choose: &dyn Fn(&Rule, bool) -> bool,
    ) -> Self {
        let mut active: Vec<Active> = catalogue
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| {
                let template = rules::template(&rule.template)?;
                let in_version = rule.pss.as_ref().is_none_or(|p| p.since <= options.version);
                let by_profile = template.validity
                    || match (&rule.pss, options.profile) {
                        (Some(pss), profile) => {
                            pss.level == Level::Baseline || profile != Profile::Baseline
                        }
                        (None, profile) => profile == Profile::All,
                    };
                let on = in_version && choose(rule, by_profile);
                on.then(|| Active {
                    rule: index,
                    id: crate::catalogue::static_id(&rule.id),
                    template,
                    overridden_by: None,
                })
            })
            .collect();
        link_overrides(&catalogue, &mut active);
        Engine {
            catalogue,
            options,
            active,
            keep_intents: false,
            config: None,
        }
    }

    /// This engine with only the rules whose ids are in `ids` (every rule when `ids` is
    /// empty). Ids that name no rule are ignored: check them against the catalogue
    /// first (the CLI's `--rule` does).
    #[must_use]
    pub fn retain_rules(mut self, ids: &[String]) -> Self {
        if !ids.is_empty() {
            self.active.retain(|a| ids.iter().any(|id| id == a.id));
            link_overrides(&self.catalogue, &mut self.active);
        }
        self
    }

    /// This engine, suppressing the findings `config`'s exemptions cover in every report
    /// ([`crate::config::Config::exempt`]).
    #[must_use]
    pub fn exempting(mut self, config: Arc<crate::config::Config>) -> Self {
        self.config = (!config.exemptions.is_empty()).then_some(config);
        self
    }

    /// An engine for the fixer: its findings keep what merging several fixes needs.
    pub(crate) fn for_fixing(options: Options) -> Self {
        Engine::new(options).fixing()
    }

    /// This engine, keeping what the fixer needs on its findings.
    pub(crate) fn fixing(mut self) -> Self {
        self.keep_intents = true;
        self
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The catalogue, shared (it lives as long as one holder does).
    pub fn shared_catalogue(&self) -> Arc<Catalogue> {
        self.catalogue.clone()
    }

    /// The rules this engine runs.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> + '_ {
        self.active.iter().map(|a| self.rule(a))
    }

    fn rule(&self, a: &Active) -> &Rule {
        &self.catalogue.rules[a.rule]
    }

    /// Check several sources as one bundle; findings refer to them by index.
    pub fn check(&self, sources: &[Source]) -> Report {
        self.check_spread(sources, &InOrder)
    }

    /// Check one text, named `-`, as a bundle of its own.
    pub fn check_text(&self, text: &str) -> Report {
        self.check(&[Source::new("-", text)])
    }

    /// Check several sources as one bundle, spreading per-file work through `spread`.
    pub fn check_spread(&self, sources: &[Source], spread: &dyn Spread) -> Report {
        self.check_observed(sources, spread, &|_| {})
    }

    /// [`Engine::check_spread`], telling `observe` how far it has come: after each
    /// document parsed and each document checked, and as each later stage starts (called
    /// from `spread`'s threads; a source's calls come in order). Same report.
    pub fn check_observed(
        &self,
        sources: &[Source],
        spread: &dyn Spread,
        observe: &(dyn Fn(Progress) + Sync),
    ) -> Report {
        let limits = self.options.limits;
        // Bytes read and documents checked are counted over every source, so that the
        // percentage of a check of many files never falls as the next one starts.
        let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
        let read = AtomicUsize::new(0);
        observe(Progress {
            stage: Stage::Parse,
            file: 0,
            done: 0,
            total: bytes,
        });
        let streams: Vec<Stream> = spread_map(spread, sources.len(), |i| {
            let mut last = 0;
            parse_stream_observed(&sources[i].text, &limits, &mut |done| {
                // This source's bytes since its last report, added to every source's.
                let step = done - last;
                let now = read.fetch_add(step, Ordering::Relaxed) + step;
                last = done;
                observe(Progress {
                    stage: Stage::Parse,
                    file: i,
                    done: now,
                    total: bytes,
                })
            })
        });
        let models: Vec<Vec<DocumentModel>> = spread_map(spread, sources.len(), |i| {
            streams[i]
                .documents
                .iter()
                .map(DocumentModel::read)
                .collect()
        });
        let bundle = Bundle::new(sources, &streams, &models);
        let mut names = Interner::default();
        let infos: Vec<Vec<DocInfo>> = models
            .iter()
            .map(|docs| docs.iter().map(|d| DocInfo::new(d, &mut names)).collect())
            .collect();
        let checked = RulesProgress {
            documents: models.iter().map(Vec::len).sum(),
            done: AtomicUsize::new(0),
            observe,
        };
        observe(Progress {
            stage: Stage::Rules,
            file: 0,
            done: 0,
            total: checked.documents,
        });
        let per_file = spread_map(spread, sources.len(), |file| {
            self.check_file(&bundle, &infos, file, &checked)
        });
        let mut report = Report {
            files: sources
                .iter()
                .map(|s| names.get(crate::render::display_name(&s.name)))
                .collect(),
            rules: self.active.iter().map(|a| a.id).collect(),
            ..Report::default()
        };
        for r in per_file {
            report.extend(r);
        }
        // Whole-bundle findings go straight into the report's vector: large blocks grow
        // by remapping, so no second vector of findings is ever held.
        self.check_bundle(&bundle, &infos, &mut report.findings, observe);
        report.findings.shrink_to_fit();
        admission_notes(&bundle, &infos, &mut report);
        // A target without a patch release: which known CVEs its patch releases fixed is a
        // note of the run, not a finding (nothing is known to apply); a patch release no
        // known CVE affects: that none is known, as of the data's date.
        if !bundle.objects.is_empty()
            && self
                .active
                .iter()
                .any(|a| a.template.name == rules::cve::TARGET_TEMPLATE)
        {
            if let Some(message) = rules::cve::target_note(self.options.version) {
                report.notes.push(Diagnostic {
                    file: 0,
                    document: 0,
                    message,
                    span: Span::empty(0),
                    kind: NoteKind::Info,
                });
            }
        }
        observe(Progress {
            stage: Stage::Report,
            file: 0,
            done: 0,
            total: 1,
        });
        if let Some(config) = &self.config {
            config.exempt(&mut report);
        }
        report.sort();
        number_repeats(&mut report);
        report
    }

    /// Parse errors, notes and per-object findings of one file, told to `checked` after each
    /// document.
    fn check_file(
        &self,
        bundle: &Bundle,
        infos: &[Vec<DocInfo>],
        file: usize,
        checked: &RulesProgress,
    ) -> Report {
        let mut report = Report::default();
        let diagnostic = |document, message: &str, span| Diagnostic {
            file,
            document,
            message: message.to_string(),
            span,
            kind: NoteKind::Info,
        };
        let stream = &bundle.streams[file];
        for e in &stream.errors {
            report
                .errors
                .push(diagnostic(e.document, &e.message, e.span));
        }
        if stream.errors.is_empty() && stream.documents.iter().all(Document::is_empty) {
            report.notes.push(diagnostic(
                0,
                "empty input: no YAML documents to check",
                Span::empty(0),
            ));
        }
        let mut strings = Interner::default();
        for (model, info) in bundle.models[file].iter().zip(&infos[file]) {
            for note in &model.notes {
                report.notes.push(Diagnostic {
                    kind: note.kind,
                    ..diagnostic(model.doc.index, &note.message, note.span)
                });
            }
            for (object, o) in model.objects.iter().zip(&info.objects) {
                report.objects.push(CheckedObject {
                    file,
                    document: model.doc.index,
                    object: o.reference.clone(),
                    group: strings.name(crate::bundle::api_group(object.api_version)),
                    span: model.doc.node(object.root).span(),
                    pods: object.pods.len(),
                });
            }
            let mut out = Emitter::new(
                bundle,
                file,
                model,
                info,
                self.keep_intents,
                &mut strings,
                &mut report.findings,
            );
            self.check_document(model, &mut out);
            (checked.observe)(Progress {
                stage: Stage::Rules,
                file,
                done: checked.done.fetch_add(1, Ordering::Relaxed) + 1,
                total: checked.documents,
            });
        }
        // Findings live for the whole run: no spare capacity.
        report.findings.shrink_to_fit();
        report
    }

    fn check_document(&self, model: &DocumentModel, out: &mut Emitter) {
        let mut per_rule: Vec<Vec<Hit>> = self.active.iter().map(|_| Vec::new()).collect();
        for (oi, object) in model.objects.iter().enumerate() {
            for pod in &object.pods {
                for (ri, a) in self.active.iter().enumerate() {
                    if let Check::Pod(check) = a.template.check {
                        let cx = PodCx {
                            rule: self.rule(a),
                            version: self.options.version,
                            object,
                            pod,
                        };
                        check(&cx, &mut per_rule[ri]);
                    }
                }
                let failed: Vec<bool> = per_rule.iter().map(|h| !h.is_empty()).collect();
                for (ri, a) in self.active.iter().enumerate() {
                    let hits = std::mem::take(&mut per_rule[ri]);
                    if a.overridden_by.is_some_and(|o| !failed[o]) {
                        continue;
                    }
                    for hit in hits {
                        out.emit(self.rule(a), a.id, Some(oi), hit);
                    }
                }
            }
        }
        for a in &self.active {
            if let Check::Document(check) = a.template.check {
                let cx = DocCx {
                    rule: self.rule(a),
                    catalogue: &self.catalogue,
                    version: self.options.version,
                    model,
                };
                let mut hits = Vec::new();
                check(&cx, &mut hits);
                for hit in hits {
                    out.emit(self.rule(a), a.id, None, hit);
                }
            }
        }
    }

    /// Rules that read the whole bundle: their hits may be in any document and point
    /// at any other.
    fn check_bundle(
        &self,
        bundle: &Bundle,
        infos: &[Vec<DocInfo>],
        findings: &mut Vec<Finding>,
        observe: &(dyn Fn(Progress) + Sync),
    ) {
        let mut strings = Interner::default();
        // Rules of one template family (`rbac-…`, `netpol-…`) run one after the other and
        // share the family's index, which is dropped when the family is done: the report
        // is sorted afterwards, so the order of the rules does not show.
        let mut bundle_rules: Vec<(&Active, rules::BundleCheck)> = self
            .active
            .iter()
            .filter_map(|a| match a.template.check {
                Check::Bundle(check) => Some((a, check)),
                _ => None,
            })
            .collect();
        let family = |a: &Active| a.template.name.split('-').next().unwrap_or("");
        bundle_rules.sort_by_key(|(a, _)| family(a));
        let told = |done| {
            observe(Progress {
                stage: Stage::Bundle,
                file: 0,
                done,
                total: bundle_rules.len(),
            })
        };
        told(0);
        let mut shared = rules::BundleShared::default();
        for (i, &(a, check)) in bundle_rules.iter().enumerate() {
            if i > 0 && family(bundle_rules[i - 1].0) != family(a) {
                shared = rules::BundleShared::default();
            }
            let cx = BundleCx {
                rule: self.rule(a),
                catalogue: &self.catalogue,
                version: self.options.version,
                bundle,
                shared: &shared,
            };
            let mut emit = |hit: BundleHit| {
                let Some((model, info)) = doc_of(bundle, infos, hit.at.doc) else {
                    return;
                };
                let mut out = Emitter::new(
                    bundle,
                    hit.at.doc.file,
                    model,
                    info,
                    self.keep_intents,
                    &mut strings,
                    findings,
                );
                out.emit_bundle(self.rule(a), a.id, None, hit, infos);
            };
            check(&cx, &mut BundleHits::new(&mut emit));
            told(i + 1);
        }
    }
}

/// Pod Security Standards findings on workloads of a namespace whose Namespace object in
/// the bundle enforces that level (`pod-security.kubernetes.io/enforce`) get a related
/// location at the label: admission would reject their pods. A bundle-level post-step, so
/// the per-object PSS rules stay unaware of other documents.
fn admission_notes(bundle: &Bundle, infos: &[Vec<DocInfo>], report: &mut Report) {
    let levels = rules::namespaces::enforced_levels(bundle);
    if levels.is_empty() {
        return;
    }
    let mut strings = Interner::default();
    for f in &mut report.findings {
        // The namespace first: most are not enforced, and the PSS mapping is a lookup.
        let Some(ns) = f.object.namespace.as_deref() else {
            continue;
        };
        let Some(&(at, node, level)) = levels.get(ns) else {
            continue;
        };
        let Some(pss) = f.pss() else {
            continue;
        };
        if pss.level > level {
            continue;
        }
        let Some((model, _)) = doc_of(bundle, infos, at) else {
            continue;
        };
        let loc = Loc::Node(node);
        let mut related = std::mem::take(&mut f.related);
        related.push(Related {
            file: at.file as u32,
            document: at.document as u32,
            path: strings.get(&pointer_of(model.doc, &loc)),
            span: span_of(model.doc, &loc),
            message: strings.get(&format!(
                "namespace {ns} enforces {}: Pod Security Admission rejects these pods (a workload controller is admitted with a warning, its pods are not)",
                level.as_str()
            )),
        });
        f.related = related;
    }
}

/// The model and object information of a document that was read.
fn doc_of<'i, 'b>(
    bundle: &Bundle<'b>,
    infos: &'i [Vec<DocInfo<'b>>],
    at: DocRef,
) -> Option<(&'b DocumentModel<'b>, &'i DocInfo<'b>)> {
    let i = bundle.position(at)?;
    let models: &'b [Vec<DocumentModel<'b>>] = bundle.models;
    Some((&models[at.file][i], &infos[at.file][i]))
}

/// The edits of `ops` in one document of source `file` applied alone, and their
/// unmerged intents, or why they cannot be made.
fn lower_in(
    bundle: &Bundle,
    strings: &mut Interner,
    file: usize,
    planner: &Planner,
    ops: &[rules::Op],
) -> Lowered {
    let intents = planner.lower(ops)?;
    let edits = lower::edits_alone(&bundle.sources[file].text, &intents)
        .ok_or("the fix's own edits overlap")?;
    Ok((
        edits
            .into_iter()
            .map(|(span, replacement)| TextEdit {
                file,
                span,
                replacement: strings.get(&replacement),
            })
            .collect(),
        intents.into_iter().map(|i| (file, i)).collect(),
    ))
}

/// Number the findings that share rule, document and pointer (the `~N` of
/// [`Finding::id`]); the report is sorted, so the numbering is deterministic.
fn number_repeats(report: &mut Report) {
    // Findings with one id have one file, span start, rule and pointer, so the sort puts
    // them next to each other: counting runs is enough.
    let mut repeat = 0;
    for i in 0..report.findings.len() {
        let same = i > 0 && {
            let (a, b) = (&report.findings[i - 1], &report.findings[i]);
            (a.file, a.document, a.rule) == (b.file, b.document, b.rule) && a.path == b.path
        };
        repeat = if same { repeat + 1 } else { 1 };
        report.findings[i].repeat = repeat;
    }
}

/// The objects of one document, with what findings need of them.
struct DocInfo<'o> {
    objects: Vec<ObjectInfo<'o>>,
    /// (root node, object index), sorted by node: most documents hold one object.
    by_root: Vec<(NodeId, usize)>,
}

impl<'o> DocInfo<'o> {
    fn new(model: &'o DocumentModel<'o>, names: &mut Interner) -> Self {
        DocInfo {
            objects: model
                .objects
                .iter()
                .map(|o| ObjectInfo::new(o, names))
                .collect(),
            by_root: {
                let mut roots: Vec<(NodeId, usize)> = model
                    .objects
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (o.root, i))
                    .collect();
                roots.sort_unstable();
                roots
            },
        }
    }

    /// The object that contains `node`.
    fn object_of(&self, doc: &Document, node: NodeId) -> Option<usize> {
        let mut cur = Some(node);
        while let Some(n) = cur {
            if let Ok(i) = self.by_root.binary_search_by_key(&n, |&(root, _)| root) {
                return Some(self.by_root[i].1);
            }
            cur = doc.node(n).parent();
        }
        None
    }
}

struct ObjectInfo<'o> {
    reference: Arc<ObjectRef>,
    suppressions: Vec<(&'o str, &'o str)>,
}

impl<'o> ObjectInfo<'o> {
    fn new(object: &'o Object<'o>, names: &mut Interner) -> Self {
        let suppressions = object
            .all_annotations()
            .filter_map(|(k, v)| {
                let rule = k.value.strip_prefix(SUPPRESSION_PREFIX)?;
                (!v.value.trim().is_empty()).then_some((rule, v.value.trim()))
            })
            .collect();
        ObjectInfo {
            reference: Arc::new(ObjectRef {
                api_version: object.api_version.map(|s| names.name(s)),
                kind: Some(names.name(object.kind)),
                namespace: object.namespace.map(|s| names.name(s)),
                name: object.name.map(|s| names.name(s)),
            }),
            suppressions,
        }
    }
}

/// The span of a location in `doc`: the field, or the deepest existing ancestor of an
/// absent one.
fn span_of(doc: &Document, loc: &Loc) -> Span {
    match loc {
        Loc::Node(n) => doc.entry_span(*n),
        Loc::Missing { node, .. } => doc.anchor_span(*node),
    }
}

/// The RFC 6901 pointer of a location, absent keys included.
fn pointer_of(doc: &Document, loc: &Loc) -> String {
    let mut out = String::new();
    pointer_into(doc, loc, &mut out);
    out
}

/// [`pointer_of`], written to `out` (which is cleared first).
fn pointer_into(doc: &Document, loc: &Loc, out: &mut String) {
    out.clear();
    match loc {
        Loc::Node(n) => doc.pointer_into(*n, out),
        Loc::Missing { node, rest } => {
            doc.pointer_into(*node, out);
            for seg in rest {
                out.push('/');
                out.push_str(&escape_pointer(seg));
            }
        }
    }
}

fn node_of(loc: &Loc) -> NodeId {
    match loc {
        Loc::Node(n) | Loc::Missing { node: n, .. } => *n,
    }
}

/// A fix's text edits applied alone and its unmerged (file, intent) pairs, or why it
/// cannot be made.
type Lowered = Result<(SmallVec<[TextEdit; 1]>, Vec<(usize, Intent)>), String>;

/// The most related locations one finding lists; the message counts the rest. A role
/// bound by hundreds of bindings would otherwise carry hundreds of locations in every
/// format (and in memory), where the first ones show the way and the count tells the size.
pub const MAX_RELATED: usize = 16;

/// Turns the hits of one document into findings.
struct Emitter<'e, 'b> {
    bundle: &'e Bundle<'b>,
    file: usize,
    model: &'b DocumentModel<'b>,
    info: &'e DocInfo<'b>,
    /// Lowers fixes; detects the document's style on the first fix that needs it.
    planner: Planner<'e>,
    /// The object of findings outside any object, made on the first one.
    no_object: Option<Arc<ObjectRef>>,
    /// Keep each fix's unmerged intents (for the fixer).
    keep_intents: bool,
    /// One copy of each message, pointer and fix text of the file.
    strings: &'e mut Interner,
    /// A buffer for the texts that are interned (titles, pointers).
    scratch: String,
    /// Where the findings go: the file's or the bundle's vector, straight away.
    findings: &'e mut Vec<Finding>,
}

impl<'e, 'b> Emitter<'e, 'b> {
    fn new(
        bundle: &'e Bundle<'b>,
        file: usize,
        model: &'b DocumentModel<'b>,
        info: &'e DocInfo<'b>,
        keep_intents: bool,
        strings: &'e mut Interner,
        findings: &'e mut Vec<Finding>,
    ) -> Self {
        Emitter {
            bundle,
            file,
            model,
            info,
            planner: Planner::new(&bundle.sources[file].text, model.doc)
                .sharing_crlf(&bundle.crlf[file]),
            no_object: None,
            keep_intents,
            strings,
            scratch: String::new(),
            findings,
        }
    }

    fn here(&self) -> DocRef {
        DocRef {
            file: self.file,
            document: self.model.doc.index,
        }
    }

    /// A hit of a per-document rule: every location is in this document.
    fn emit(&mut self, rule: &Rule, id: &'static str, object: Option<usize>, hit: Hit) {
        let here = self.here();
        let doc = self.model.doc;
        let related = hit
            .related
            .iter()
            .map(|(loc, message)| Related {
                file: here.file as u32,
                document: here.document as u32,
                path: self.strings.get(&pointer_of(doc, loc)),
                span: span_of(doc, loc),
                message: self.strings.get(message),
            })
            .collect();
        let mut fix = self.fix(rule, &hit.fix, hit.withheld);
        if let (Some(f), true) = (fix.as_mut(), hit.unsafe_fix) {
            f.applicability = Applicability::Unsafe;
        }
        self.push(rule, id, object, &hit.at, hit.message, related, fix);
    }

    /// A hit of a whole-bundle rule: it is in this document, its related locations and
    /// fix operations anywhere.
    fn emit_bundle(
        &mut self,
        rule: &Rule,
        id: &'static str,
        object: Option<usize>,
        hit: BundleHit,
        infos: &[Vec<DocInfo>],
    ) {
        let bundle = self.bundle;
        let related = hit
            .related
            .iter()
            .filter_map(|(place, message)| {
                let (model, _) = doc_of(bundle, infos, place.doc)?;
                Some(Related {
                    file: place.doc.file as u32,
                    document: place.doc.document as u32,
                    path: self.strings.get(&pointer_of(model.doc, &place.loc)),
                    span: span_of(model.doc, &place.loc),
                    message: self.strings.get(message),
                })
            })
            .collect();
        let fix = self.fix_across(rule, hit.fix, infos);
        self.push(rule, id, object, &hit.at.loc, hit.message, related, fix);
    }

    /// Lower a whole-bundle fix whose operations may edit several documents (the
    /// ServiceAccount in another file): one fix, its edits in every file it touches.
    fn fix_across(
        &mut self,
        rule: &Rule,
        ops: Vec<(DocRef, rules::Op)>,
        infos: &[Vec<DocInfo>],
    ) -> Option<Box<Fix>> {
        if ops.iter().all(|(doc, _)| *doc == self.here()) {
            let ops: Vec<_> = ops.into_iter().map(|(_, op)| op).collect();
            return self.fix(rule, &ops, None);
        }
        let Some(FixPolicy::Available { applicability, .. }) = &rule.fix else {
            return None;
        };
        // Operations grouped by document, in the order they were given.
        let mut groups: Vec<(DocRef, Vec<rules::Op>)> = Vec::new();
        for (doc, op) in ops {
            match groups.iter_mut().find(|(d, _)| *d == doc) {
                Some((_, group)) => group.push(op),
                None => groups.push((doc, vec![op])),
            }
        }
        let bundle = self.bundle;
        let mut titles = Vec::new();
        let mut lowered = Ok((SmallVec::new(), Vec::new()));
        for (doc, group) in &groups {
            let Some((model, _)) = doc_of(bundle, infos, *doc) else {
                lowered = Err("the fix edits a document that could not be read".to_string());
                continue;
            };
            let mut title = lower::title(model.doc, group);
            if *doc != self.here() {
                title.push_str(&format!(
                    " in {} (document {})",
                    bundle.name(doc.file),
                    doc.document + 1
                ));
            }
            titles.push(title);
            let planner = Planner::new(&bundle.sources[doc.file].text, model.doc)
                .sharing_crlf(&bundle.crlf[doc.file]);
            match (
                &mut lowered,
                lower_in(bundle, self.strings, doc.file, &planner, group),
            ) {
                (Ok((edits, intents)), Ok((e, i))) => {
                    edits.extend(e);
                    intents.extend(i);
                }
                (Ok(_), Err(reason)) => lowered = Err(reason),
                (Err(_), _) => {}
            }
        }
        Some(self.finish_fix(*applicability, &titles.join("; "), lowered))
    }

    /// Lower the operations of a hit's fix, when its rule has one; a `withheld` fix is
    /// unavailable with that reason.
    fn fix(
        &mut self,
        rule: &Rule,
        ops: &[rules::Op],
        withheld: Option<String>,
    ) -> Option<Box<Fix>> {
        let Some(FixPolicy::Available { applicability, .. }) = &rule.fix else {
            return None;
        };
        if ops.is_empty() {
            return None;
        }
        let mut title = std::mem::take(&mut self.scratch);
        lower::title_into(self.model.doc, ops, &mut title);
        let lowered = match withheld {
            Some(reason) => Err(reason),
            None => lower_in(self.bundle, self.strings, self.file, &self.planner, ops),
        };
        let fix = self.finish_fix(*applicability, &title, lowered);
        self.scratch = title;
        Some(fix)
    }

    /// A fix from its lowered edits, or unavailable with the reason.
    fn finish_fix(
        &mut self,
        applicability: Applicability,
        title: &str,
        lowered: Lowered,
    ) -> Box<Fix> {
        let (mut edits, intents, unavailable) = match lowered {
            Ok((edits, intents)) => (edits, intents, None),
            Err(reason) => (SmallVec::new(), Vec::new(), Some(reason)),
        };
        edits.sort_by_key(|e| (e.file, e.span.start, e.span.end));
        Box::new(Fix {
            applicability,
            title: self.strings.get(title),
            edits,
            unavailable: unavailable.map(|r: String| self.strings.get(&r)),
            intents: if self.keep_intents {
                intents.into()
            } else {
                ThinVec::new()
            },
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: &Rule,
        id: &'static str,
        object: Option<usize>,
        at: &Loc,
        mut message: String,
        mut related: Vec<Related>,
        fix: Option<Box<Fix>>,
    ) {
        if related.len() > MAX_RELATED {
            use std::fmt::Write;
            let more = related.len() - MAX_RELATED;
            related.truncate(MAX_RELATED);
            let _ = write!(
                message,
                " ({more} more related location{} not listed)",
                if more == 1 { "" } else { "s" }
            );
        }
        let doc = self.model.doc;
        let object = object.or_else(|| self.info.object_of(doc, node_of(at)));
        let info = object.map(|i| &self.info.objects[i]);
        let suppressed = info
            .and_then(|o| o.suppressions.iter().find(|(r, _)| *r == rule.id))
            .map(|(_, reason)| self.strings.get(reason));
        let message = self.strings.get_owned(message);
        pointer_into(doc, at, &mut self.scratch);
        let path = self.strings.get(&self.scratch);
        self.findings.push(Finding {
            rule: id,
            severity: rule.severity,
            area: rule.area,
            message,
            file: self.file as u32,
            document: doc.index as u32,
            object: match info {
                Some(o) => o.reference.clone(),
                None => self.no_object.get_or_insert_with(Arc::default).clone(),
            },
            path,
            span: span_of(doc, at),
            related: related.into(),
            fix,
            suppressed,
            repeat: 1,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::FixPolicy;
    use crate::diagnostic::Applicability;
    use crate::rules::{NewValue, NoParams, Op, ParamSpec, Place};
    use crate::yaml::parse_stream;

    #[test]
    fn progress_is_told_per_document_and_stage_and_changes_nothing() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx}\n";
        let sources = [
            Source::new("a.yaml", format!("{pod}---\n{pod}---\n# only a comment\n")),
            Source::new("b.yaml", "a: [\n---\n".to_string()),
        ];
        let engine = Engine::new(Options::default());
        let told = Mutex::new(Vec::new());
        let report = engine.check_observed(&sources, &InOrder, &|p| told.lock().unwrap().push(p));
        assert_eq!(report, engine.check(&sources));
        let told = told.into_inner().unwrap();
        let of = |stage, file| -> Vec<(usize, usize)> {
            told.iter()
                .filter(|p| p.stage == stage && p.file == file)
                .map(|p| (p.done, p.total))
                .collect()
        };
        // Three documents read of a.yaml, each told at its end offset (the third holds
        // only a comment: an empty document, its span the `---` marker), of both files'
        // bytes.
        let a = sources[0].text.len();
        let both = a + sources[1].text.len();
        let second_end = 2 * pod.len() + "---\n".len();
        let third = second_end + "---".len();
        assert_eq!(
            of(Stage::Parse, 0),
            [
                (0, both),
                (pod.len(), both),
                (second_end, both),
                (third, both)
            ]
        );
        // b.yaml's first document does not parse (not told); the empty one after its `---`
        // is read: 8 of its bytes, after what was read of a.yaml.
        assert_eq!(of(Stage::Parse, 1), [(third + 8, both)]);
        // Documents checked of both files' four (b.yaml's one, the empty document, after
        // a.yaml's three).
        assert_eq!(of(Stage::Rules, 0), [(0, 4), (1, 4), (2, 4), (3, 4)]);
        assert_eq!(of(Stage::Rules, 1), [(4, 4)]);
        // So the percentage never falls from one file to the next.
        let percents: Vec<u32> = told.iter().map(|p| p.percent()).collect();
        assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
        assert_eq!(percents.last(), Some(&73));
        // The whole-bundle rules: told as they start and after each one.
        let bundle = of(Stage::Bundle, 0);
        let rules = bundle[0].1;
        assert!(rules > 0);
        assert_eq!(bundle, (0..=rules).map(|d| (d, rules)).collect::<Vec<_>>());
        assert_eq!(of(Stage::Report, 0), [(0, 1)]);
        // In order: every parse before any rule, the bundle stage, then the report.
        let stages: Vec<Stage> = told.iter().map(|p| p.stage).collect();
        let mut runs = stages.clone();
        runs.dedup();
        assert_eq!(
            runs,
            [Stage::Parse, Stage::Rules, Stage::Bundle, Stage::Report]
        );
    }

    /// A whole-bundle template whose one finding fixes every object of the bundle.
    fn label_everything(cx: &BundleCx, out: &mut BundleHits) {
        let objects = &cx.bundle.objects;
        let first = &objects[0];
        out.push(BundleHit {
            at: Place {
                doc: first.at.doc,
                loc: Loc::Node(first.object.root),
            },
            message: "label every object".into(),
            related: Vec::new(),
            fix: objects
                .iter()
                .map(|e| {
                    let op = Op::set(
                        e.object.root,
                        &["metadata", "labels", "checked"],
                        NewValue::Str("done".into()),
                    );
                    (e.at.doc, op)
                })
                .collect(),
        });
    }

    static LABEL_EVERYTHING: Template = Template {
        name: "test-label-everything",
        summary: "test only",
        check: Check::Bundle(label_everything),
        params: ParamSpec::of::<NoParams>("NoParams"),
        validity: false,
    };

    #[test]
    fn a_bundle_fix_carries_edits_in_every_file_it_touches() {
        let mut rule = Catalogue::builtin()
            .get("duplicate-object")
            .unwrap()
            .clone();
        rule.fix = Some(FixPolicy::Available {
            applicability: Applicability::Safe,
            reason: "test".into(),
        });
        let mut engine = Engine::new(Options::default());
        engine.catalogue = Arc::new(Catalogue { rules: vec![rule] });
        engine.active = vec![Active {
            rule: 0,
            id: "duplicate-object",
            template: &LABEL_EVERYTHING,
            overridden_by: None,
        }];
        let sources = [
            Source::new(
                "a.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
            ),
            Source::new(
                "b.yaml",
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b}\n",
            ),
        ];
        let report = engine.check(&sources);
        let fix = report.findings[0].fix.as_ref().unwrap();
        assert_eq!(fix.unavailable, None);
        assert_eq!(
            fix.title.as_str(),
            "set `metadata.labels.checked: done`; set `metadata.labels.checked: done` in b.yaml (document 1)"
        );
        let files: Vec<usize> = fix.edits.iter().map(|e| e.file).collect();
        assert_eq!(files, [0, 1]);
        for (file, source) in sources.iter().enumerate() {
            let mine: Vec<(Span, &str)> = fix
                .edits
                .iter()
                .filter(|e| e.file == file)
                .map(|e| (e.span, e.replacement.as_str()))
                .collect();
            let fixed = crate::fix::apply(&source.text, &mine);
            assert!(fixed.contains("checked: done"), "{fixed}");
            assert!(parse_stream(&fixed, &Limits::default()).errors.is_empty());
        }
    }
}
