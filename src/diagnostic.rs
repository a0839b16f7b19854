//! Findings and diagnostics as plain data. Rendering (human, JSON, SARIF, browser)
//! happens at the edges, from these values and the sources.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use smallvec::SmallVec;
use thin_vec::ThinVec;

use crate::catalogue::PssMapping;
use crate::lower::Intent;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity {s:?}: expected critical, high, medium, low or info")
            })
    }
}

/// The three areas of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// Security controls: Pod Security Standards, securityContext, RBAC, network policy.
    Controls,
    /// Metadata concealment: cloud metadata endpoint, credentials a workload carries.
    Metadata,
    /// Updates: deprecated APIs, mutable images, removed kinds.
    Updates,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Controls => "controls",
            Area::Metadata => "metadata",
            Area::Updates => "updates",
        }
    }
}

impl FromStr for Area {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Area::Controls, Area::Metadata, Area::Updates]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown area {s:?}: expected controls, metadata or updates"))
    }
}

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(format!(
                "unknown PSS level {s:?}: expected baseline or restricted"
            )),
        }
    }
}

/// Whether applying a fix can change how a correctly written workload behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Identity of the Kubernetes object a finding is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: Option<Arc<str>>,
    pub kind: Option<Arc<str>>,
    pub namespace: Option<Arc<str>>,
    pub name: Option<Arc<str>>,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_deref().unwrap_or("object"))?;
        match (&self.namespace, &self.name) {
            (Some(ns), Some(name)) => write!(f, " {ns}/{name}"),
            (None, Some(name)) => write!(f, " {name}"),
            _ => Ok(()),
        }
    }
}

/// A secondary location that explains a finding: a place in any document of the
/// bundle ("granted by this binding", "first defined here").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Index of the source in the checked bundle.
    pub file: u32,
    /// 0-based document index within that source.
    pub document: u32,
    /// RFC 6901 pointer of the field, from the document root.
    pub path: SharedStr,
    pub span: Span,
    pub message: SharedStr,
}

/// One replacement of the bytes `span` of source `file` by `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub file: usize,
    pub span: Span,
    /// Shared by the edits of one run that insert the same text.
    pub replacement: SharedStr,
}

/// The automatic fix of one finding, lowered to text edits on the bundle's sources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// One line that says what the fix does: "set `allowPrivilegeEscalation: false` on
    /// container \"api\"". Shared by the fixes of one run with the same title.
    pub title: SharedStr,
    /// The edits of this fix applied alone, sorted by file and position, non-overlapping.
    /// Empty when the fix cannot be made here (see `unavailable`). One edit, the usual
    /// case, is stored inline.
    pub edits: SmallVec<[TextEdit; 1]>,
    /// Why the rule's fix cannot be applied at this place (for example, the field is
    /// shared through a YAML anchor); `None` when `edits` holds the fix.
    pub unavailable: Option<SharedStr>,
    /// The edits before insertions into one mapping are merged: the fixer merges the
    /// intents of several fixes so that one mapping gets one block. (file, intent).
    /// Kept only for the fixer's runs (empty otherwise). One pointer wide: a run may
    /// hold a fix on each of hundreds of thousands of findings.
    #[serde(skip)]
    pub(crate) intents: ThinVec<(usize, Intent)>,
}

/// One rule violation at one place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub area: Area,
    /// Shared by the findings of one run with the same message.
    pub message: SharedStr,
    /// Index of the source in the checked bundle (its name is `Report::files[file]`).
    /// `u32`, as `document`: a run may hold hundreds of thousands of findings, and
    /// inputs of 4 GiB or more are refused.
    pub file: u32,
    /// 0-based document index within the source.
    pub document: u32,
    /// Shared by every finding of the object.
    pub object: Arc<ObjectRef>,
    /// RFC 6901 pointer of the field concerned, even when it is absent.
    pub path: SharedStr,
    pub span: Span,
    /// Secondary locations, at most [`crate::engine::MAX_RELATED`] (the message counts
    /// the rest).
    pub related: ThinVec<Related>,
    /// The fix of this finding, when its rule has one.
    pub fix: Option<Box<Fix>>,
    /// The reason given by an `ignore.kubeharden.io/<rule>` annotation.
    pub suppressed: Option<SharedStr>,
    /// 1 for the first finding with its rule, document and pointer, N for the N-th
    /// (in report order): see [`Finding::id`].
    #[serde(skip)]
    pub repeat: u32,
}

// A finding-dense run holds hundreds of thousands of findings (and the memory limit of a
// check is 16x its input): keep a finding at most 96 bytes on 64-bit targets.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Finding>() <= 96);

impl Finding {
    /// Stable identity: rule, file name, 1-based document and pointer
    /// (`rule:file:document:path`, with `~N` appended to the N-th repetition). It does
    /// not depend on the message, so it survives edits elsewhere in the text. Built when
    /// asked for: a run may hold hundreds of thousands of findings. `file_name` is the
    /// name of source `self.file` as the report shows it: [`Report::id`] passes it.
    pub fn id(&self, file_name: &str) -> String {
        use std::fmt::Write;
        let mut id = String::with_capacity(self.rule.len() + file_name.len() + self.path.len() + 8);
        let _ = write!(
            id,
            "{}:{}:{}:{}",
            self.rule,
            file_name,
            self.document + 1,
            self.path
        );
        if self.repeat > 1 {
            let _ = write!(id, "~{}", self.repeat);
        }
        id
    }

    /// The rule's place in the Pod Security Standards: the mapping of the built-in rule
    /// (a configuration's custom rules have none). Looked up, not stored: a run may hold
    /// hundreds of thousands of findings.
    pub fn pss(&self) -> Option<&'static PssMapping> {
        crate::catalogue::Catalogue::builtin()
            .get(self.rule)
            .and_then(|r| r.pss.as_ref())
    }

    /// The applicability of this finding's fix, when one can be applied here.
    pub fn fixable(&self) -> Option<Applicability> {
        self.fix
            .as_ref()
            .filter(|f| f.unavailable.is_none())
            .map(|f| f.applicability)
    }
}

/// An input problem that is not a rule violation (an unreadable document), or an
/// informational note (a skipped document).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: usize,
    pub document: usize,
    pub message: String,
    pub span: Span,
    /// What a note is about; errors are [`NoteKind::Info`].
    pub kind: NoteKind,
}

/// Whether a note tells of something the rules did not check (a document that is not an
/// object, a custom resource without a pod template, a workload without a pod spec) or
/// is only informative ("empty input", where a custom resource's pod template was found).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    #[default]
    Info,
    Unchecked,
}

/// One object the run read, and how much of it the rules could judge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckedObject {
    pub file: usize,
    /// 0-based document index within the source.
    pub document: usize,
    pub object: Arc<ObjectRef>,
    /// API group from `apiVersion` (`""` for the core group).
    pub group: Arc<str>,
    /// The object's text.
    pub span: Span,
    /// Pod templates found in it (and checked by the pod rules).
    pub pods: usize,
}

/// A string shared by the findings of a run: one pointer wide (a finding-dense run
/// holds hundreds of thousands of findings, each with several).
pub type SharedStr = Arc<String>;

/// One copy of each distinct string of a run's findings: messages, pointers and fix
/// texts repeat across the objects of a bundle.
#[derive(Debug, Default)]
pub struct Interner {
    strings: foldhash::HashSet<Interned>,
    names: foldhash::HashSet<Arc<str>>,
}

/// An interned string, looked up by its text.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Interned(SharedStr);

impl std::borrow::Borrow<str> for Interned {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Interner {
    pub fn get(&mut self, s: &str) -> SharedStr {
        if let Some(found) = self.strings.get(s) {
            return found.0.clone();
        }
        let new = Arc::new(s.to_string());
        self.strings.insert(Interned(new.clone()));
        new
    }

    /// [`Interner::get`] for a string the caller owns: kept as it is when new.
    pub fn get_owned(&mut self, s: String) -> SharedStr {
        if let Some(found) = self.strings.get(s.as_str()) {
            return found.0.clone();
        }
        let new = Arc::new(s);
        self.strings.insert(Interned(new.clone()));
        new
    }

    /// The same for names (of objects, API groups), kept as `Arc<str>`.
    pub fn name(&mut self, s: &str) -> Arc<str> {
        if let Some(found) = self.names.get(s) {
            return found.clone();
        }
        let new: Arc<str> = Arc::from(s);
        self.names.insert(new.clone());
        new
    }
}

/// Everything one check run found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The name of each source as every format shows it (`<stdin>` for standard input),
    /// by index: `Finding::file` and the other `file` fields index it.
    pub files: Vec<SharedStr>,
    /// The ids of the rules the run checked, in catalogue order (the profile's and
    /// version's rules, narrowed by `--rule` or a configuration).
    pub rules: Vec<&'static str>,
    pub findings: Vec<Finding>,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<Diagnostic>,
    /// Every object read, in input order.
    pub objects: Vec<CheckedObject>,
}

impl Report {
    pub fn extend(&mut self, other: Report) {
        if self.findings.is_empty() {
            // Move instead of copying: a report of one large file is never held twice.
            self.findings = other.findings;
        } else {
            self.findings.extend(other.findings);
        }
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        self.objects.extend(other.objects);
    }

    /// The stable id of a finding of this report (see [`Finding::id`]).
    pub fn id(&self, f: &Finding) -> String {
        f.id(self.files.get(f.file as usize).map_or("", |n| n.as_str()))
    }

    /// The name of source `file` as the report shows it.
    pub fn file_name(&self, file: u32) -> &str {
        self.files.get(file as usize).map_or("", |n| n.as_str())
    }

    /// Notes about objects (or documents) the rules did not check.
    pub fn unchecked(&self) -> impl Iterator<Item = &Diagnostic> {
        self.notes.iter().filter(|n| n.kind == NoteKind::Unchecked)
    }

    /// Whether the bundle defines an object of this API group and kind.
    pub fn has_kind(&self, group: &str, kind: &str) -> bool {
        self.objects
            .iter()
            .any(|o| &*o.group == group && o.object.kind.as_deref() == Some(kind))
    }

    /// A deterministic order: by file, position, rule, field and message.
    pub fn sort(&mut self) {
        self.findings.sort_unstable_by(|a, b| {
            (a.file, a.span.start, a.rule, &a.path, &a.message).cmp(&(
                b.file,
                b.span.start,
                b.rule,
                &b.path,
                &b.message,
            ))
        });
        let key = |d: &Diagnostic| (d.file, d.span.start, d.document);
        self.errors.sort_by_key(key);
        self.notes.sort_by_key(key);
    }

    /// Unsuppressed findings at or above `threshold`.
    pub fn failing(&self, threshold: Severity) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.suppressed.is_none() && f.severity >= threshold)
    }
}
