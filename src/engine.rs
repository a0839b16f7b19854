//! The check run: parse each source, read its objects, run the active rules, and turn
//! template hits into findings with pointers, spans, objects and suppressions.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use crate::catalogue::{Catalogue, FixPolicy, Rule};
use crate::diagnostic::{Diagnostic, Finding, Level, ObjectRef, PssRef, Related, Report};
use crate::fix::plan::{Intent, Planner};
use crate::model::{DocumentModel, Object};
use crate::rules::{self, Check, DocCx, Hit, Loc, PodCx, Template, SUPPRESSION_PREFIX};
use crate::source::{Source, Span};
use crate::version::KubeVersion;
use crate::yaml::{escape_pointer, parse_stream, Document, Limits, NodeId};

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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub profile: Profile,
    pub version: KubeVersion,
    pub limits: Limits,
}

struct Active {
    rule: &'static Rule,
    template: &'static Template,
    /// Index of the restricted rule that replaces this baseline rule at this profile:
    /// its findings are kept only when that rule also fails the pod, so a pod is
    /// flagged exactly when the reference implementation rejects it.
    overridden_by: Option<usize>,
}

/// A configured checker. Cheap to build; reuse it across inputs.
pub struct Engine {
    catalogue: &'static Catalogue,
    options: Options,
    active: Vec<Active>,
}

impl Engine {
    pub fn new(options: Options) -> Self {
        let catalogue = Catalogue::builtin();
        let mut active: Vec<Active> = catalogue
            .rules
            .iter()
            .filter_map(|rule| {
                let template = rules::template(&rule.template)?;
                let on = template.validity
                    || match (&rule.pss, options.profile) {
                        (Some(pss), profile) => {
                            pss.since <= options.version
                                && (pss.level == Level::Baseline || profile != Profile::Baseline)
                        }
                        (None, profile) => profile == Profile::All,
                    };
                on.then_some(Active {
                    rule,
                    template,
                    overridden_by: None,
                })
            })
            .collect();
        for i in 0..active.len() {
            let Some(pss) = &active[i].rule.pss else {
                continue;
            };
            if pss.level != Level::Baseline {
                continue;
            }
            active[i].overridden_by = active.iter().position(|a| {
                a.rule.pss.as_ref().and_then(|p| p.overrides.as_deref()) == Some(pss.check.as_str())
            });
        }
        Engine {
            catalogue,
            options,
            active,
        }
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn catalogue(&self) -> &'static Catalogue {
        self.catalogue
    }

    /// The rules this engine runs.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        self.active.iter().map(|a| a.rule)
    }

    /// Check several sources; findings refer to them by index.
    pub fn check(&self, sources: &[Source]) -> Report {
        let mut report = Report::default();
        for (i, source) in sources.iter().enumerate() {
            report.extend(self.check_source(i, source));
        }
        report.sort();
        report
    }

    /// Check one source, reported as file number `file`.
    pub fn check_source(&self, file: usize, source: &Source) -> Report {
        self.check_text(file, &source.text)
    }

    pub fn check_text(&self, file: usize, text: &str) -> Report {
        self.run(file, text, None)
    }

    /// Check one text and lower the fix of every fixable finding to text intents
    /// (`Planned::finding` indexes the report's findings, which are left unsorted).
    pub(crate) fn check_planned(&self, text: &str) -> (Report, Vec<Planned>) {
        let mut plans = Vec::new();
        let report = self.run(0, text, Some(&mut plans));
        (report, plans)
    }

    fn run(&self, file: usize, text: &str, mut plans: Option<&mut Vec<Planned>>) -> Report {
        let mut report = Report::default();
        let diagnostic = |document, message: &str, span| Diagnostic {
            file,
            document,
            message: message.to_string(),
            span,
        };
        let stream = parse_stream(text, &self.options.limits);
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
        for doc in &stream.documents {
            let model = DocumentModel::read(doc);
            for note in &model.notes {
                report
                    .notes
                    .push(diagnostic(doc.index, &note.message, note.span));
            }
            let planning = plans.as_deref_mut().map(|p| (Planner::new(text, doc), p));
            self.check_document(file, &model, &mut report, planning);
        }
        report
    }

    fn check_document<'t>(
        &self,
        file: usize,
        model: &'t DocumentModel<'t>,
        report: &mut Report,
        planning: Option<(Planner<'t>, &mut Vec<Planned>)>,
    ) {
        let mut out = Emitter {
            file,
            planning,
            model,
            objects: model.objects.iter().map(ObjectInfo::new).collect(),
            by_root: model
                .objects
                .iter()
                .enumerate()
                .map(|(i, o)| (o.root, i))
                .collect(),
            no_object: Arc::default(),
            report,
        };
        let mut per_rule: Vec<Vec<Hit>> = self.active.iter().map(|_| Vec::new()).collect();
        for (oi, object) in model.objects.iter().enumerate() {
            for pod in &object.pods {
                for (ri, a) in self.active.iter().enumerate() {
                    if let Check::Pod(check) = a.template.check {
                        let cx = PodCx {
                            rule: a.rule,
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
                    out.emit(a.rule, Some(oi), hits);
                }
            }
        }
        for a in &self.active {
            if let Check::Document(check) = a.template.check {
                let cx = DocCx {
                    rule: a.rule,
                    catalogue: self.catalogue,
                    version: self.options.version,
                    model,
                };
                let mut hits = Vec::new();
                check(&cx, &mut hits);
                out.emit(a.rule, None, hits);
            }
        }
    }
}

/// The lowered fix of one finding, or why it cannot be applied.
pub(crate) struct Planned {
    pub finding: usize,
    pub intents: Result<Vec<Intent>, String>,
}

struct ObjectInfo<'o> {
    reference: Arc<ObjectRef>,
    suppressions: Vec<(&'o str, &'o str)>,
}

impl<'o> ObjectInfo<'o> {
    fn new(object: &'o Object<'o>) -> Self {
        let suppressions = object
            .all_annotations()
            .filter_map(|(k, v)| {
                let rule = k.value.strip_prefix(SUPPRESSION_PREFIX)?;
                (!v.value.trim().is_empty()).then_some((rule, v.value.trim()))
            })
            .collect();
        ObjectInfo {
            reference: Arc::new(ObjectRef {
                api_version: object.api_version.map(str::to_string),
                kind: Some(object.kind.to_string()),
                namespace: object.namespace.map(str::to_string),
                name: object.name.map(str::to_string),
            }),
            suppressions,
        }
    }
}

struct Emitter<'e, 'o> {
    file: usize,
    planning: Option<(Planner<'o>, &'e mut Vec<Planned>)>,
    model: &'e DocumentModel<'o>,
    objects: Vec<ObjectInfo<'e>>,
    by_root: HashMap<NodeId, usize>,
    no_object: Arc<ObjectRef>,
    report: &'e mut Report,
}

impl Emitter<'_, '_> {
    fn node_of(loc: &Loc) -> NodeId {
        match loc {
            Loc::Node(n) | Loc::Missing { node: n, .. } => *n,
        }
    }

    fn span(&self, loc: &Loc) -> Span {
        let doc = self.model.doc;
        match loc {
            Loc::Node(n) => doc.entry_span(*n),
            Loc::Missing { node, .. } => doc.anchor_span(*node),
        }
    }

    fn pointer(&self, loc: &Loc) -> String {
        let doc = self.model.doc;
        match loc {
            Loc::Node(n) => doc.pointer(*n),
            Loc::Missing { node, rest } => {
                let mut p = doc.pointer(*node);
                for seg in rest {
                    p.push('/');
                    p.push_str(&escape_pointer(seg));
                }
                p
            }
        }
    }

    /// The object that contains `node`.
    fn object_of(&self, node: NodeId) -> Option<usize> {
        let doc = self.model.doc;
        let mut cur = Some(node);
        while let Some(n) = cur {
            if let Some(&i) = self.by_root.get(&n) {
                return Some(i);
            }
            cur = doc.node(n).parent;
        }
        None
    }

    fn emit(&mut self, rule: &'static Rule, object: Option<usize>, hits: Vec<Hit>) {
        for hit in hits {
            let object = object.or_else(|| self.object_of(Self::node_of(&hit.at)));
            let info = object.map(|i| &self.objects[i]);
            let suppressed = info
                .and_then(|o| o.suppressions.iter().find(|(r, _)| *r == rule.id))
                .map(|(_, reason)| reason.to_string());
            let finding = Finding {
                rule: &rule.id,
                severity: rule.severity,
                area: rule.area,
                message: hit.message,
                file: self.file,
                document: self.model.doc.index,
                object: info.map_or_else(|| self.no_object.clone(), |o| o.reference.clone()),
                path: self.pointer(&hit.at),
                span: self.span(&hit.at),
                related: hit
                    .related
                    .iter()
                    .map(|(loc, message)| Related {
                        span: self.span(loc),
                        message: message.clone(),
                    })
                    .collect(),
                pss: rule.pss.as_ref().map(|p| PssRef {
                    level: p.level,
                    check: &p.check,
                }),
                fix: match (&rule.fix, hit.fix.is_empty()) {
                    (Some(FixPolicy::Available { applicability, .. }), false) => {
                        Some(*applicability)
                    }
                    _ => None,
                },
                suppressed,
            };
            if let (Some((planner, plans)), Some(_)) = (&mut self.planning, finding.fix) {
                plans.push(Planned {
                    finding: self.report.findings.len(),
                    intents: planner.lower(&hit.fix),
                });
            }
            self.report.findings.push(finding);
        }
    }
}
