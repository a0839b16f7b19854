//! Rule templates: the mechanism, written in Rust. Each rule of the catalogue
//! (`policies/*.yaml`) names one template and gives it parameters.
//!
//! A template only detects: it returns [`Hit`]s — a location and a message. The
//! engine turns hits into findings (pointer, span, object, suppression), and renderers
//! turn findings into text. Templates never read files, clocks or the environment.

/// A template that runs once per pod spec.
macro_rules! pod_template {
    ($name:literal, $summary:literal, $f:ident) => {
        Template {
            name: $name,
            summary: $summary,
            check: Check::Pod($f),
            validity: false,
        }
    };
}

mod bundle;
mod hardening;
mod pss;
mod validity;

pub use validity::SUPPRESSION_PREFIX;

use serde_json::Value as Json;

use crate::bundle::{Bundle, DocRef};
use crate::catalogue::Rule;
use crate::model::{DocumentModel, Object, Pod};
use crate::version::KubeVersion;
use crate::yaml::{Document, NodeId};

/// Where a hit is: an existing node, or a field absent below an existing node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loc {
    Node(NodeId),
    /// `rest` are the absent keys below `node`, outermost first.
    Missing {
        node: NodeId,
        rest: Vec<String>,
    },
}

impl Loc {
    /// The field at `path` below `base`: the node if it exists, else the deepest
    /// existing ancestor and the keys that are missing.
    pub fn at(doc: &Document, base: NodeId, path: &[&str]) -> Loc {
        let (node, used) = doc.deepest(base, path);
        if used == path.len() {
            Loc::Node(node)
        } else {
            Loc::Missing {
                node,
                rest: path[used..].iter().map(|s| s.to_string()).collect(),
            }
        }
    }
}

/// A value a fix writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewValue {
    Bool(bool),
    Str(String),
}

/// One change of a fix, in terms of the tree (JSON pointers below existing nodes).
/// The fixer lowers operations to text edits on the original source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Make the field at `path` below `base` hold `value`, adding missing mappings.
    Set {
        base: NodeId,
        path: Vec<String>,
        value: NewValue,
    },
    /// Make the list at `path` below `base` contain `item`, adding the list if missing.
    AddItem {
        base: NodeId,
        path: Vec<String>,
        item: String,
    },
    /// Remove a mapping entry (given its value node) or a sequence item.
    Remove { node: NodeId },
}

impl Op {
    pub fn set(base: NodeId, path: &[&str], value: NewValue) -> Op {
        Op::Set {
            base,
            path: path.iter().map(|s| s.to_string()).collect(),
            value,
        }
    }

    pub fn add_item(base: NodeId, path: &[&str], item: &str) -> Op {
        Op::AddItem {
            base,
            path: path.iter().map(|s| s.to_string()).collect(),
            item: item.to_string(),
        }
    }
}

/// One detection by a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub at: Loc,
    pub message: String,
    /// Secondary locations that explain the hit.
    pub related: Vec<(Loc, String)>,
    /// The automatic fix, when the rule has one (empty otherwise).
    pub fix: Vec<Op>,
}

impl Hit {
    pub fn new(at: Loc, message: impl Into<String>) -> Self {
        Hit {
            at,
            message: message.into(),
            related: Vec::new(),
            fix: Vec::new(),
        }
    }

    /// Attach a fix operation.
    #[must_use]
    pub fn with(mut self, op: Op) -> Self {
        self.fix.push(op);
        self
    }

    pub fn node(node: NodeId, message: impl Into<String>) -> Self {
        Hit::new(Loc::Node(node), message)
    }
}

/// A location in any document of the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub doc: DocRef,
    pub loc: Loc,
}

/// One detection by a whole-bundle template: like [`Hit`], but every location names
/// its document, so related locations may be in other files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleHit {
    pub at: Place,
    pub message: String,
    pub related: Vec<(Place, String)>,
    /// Fix operations, each in the document it edits.
    pub fix: Vec<(DocRef, Op)>,
}

/// What a pod template sees.
pub struct PodCx<'c, 'd> {
    pub rule: &'c Rule,
    pub version: KubeVersion,
    pub object: &'c Object<'d>,
    pub pod: &'c Pod<'d>,
}

/// What a document template sees.
pub struct DocCx<'c, 'd> {
    pub rule: &'c Rule,
    pub catalogue: &'c crate::catalogue::Catalogue,
    pub version: KubeVersion,
    pub model: &'c DocumentModel<'d>,
}

/// What a whole-bundle template sees: every object of every input, indexed.
pub struct BundleCx<'c, 'b> {
    pub rule: &'c Rule,
    pub catalogue: &'c crate::catalogue::Catalogue,
    pub version: KubeVersion,
    pub bundle: &'c Bundle<'b>,
}

pub type PodCheck = fn(&PodCx<'_, '_>, &mut Vec<Hit>);
pub type DocCheck = fn(&DocCx<'_, '_>, &mut Vec<Hit>);
pub type BundleCheck = fn(&BundleCx<'_, '_>, &mut Vec<BundleHit>);

#[derive(Clone, Copy)]
pub enum Check {
    /// Runs once per pod spec (workloads, pods, templates, custom resources).
    Pod(PodCheck),
    /// Runs once per document.
    Document(DocCheck),
    /// Runs once per run, after the per-object checks, over the whole bundle.
    Bundle(BundleCheck),
}

/// A parameterised check.
pub struct Template {
    pub name: &'static str,
    pub summary: &'static str,
    pub check: Check,
    /// Input-validity templates run under every profile: a finding about the manifest
    /// itself is never a policy choice.
    pub validity: bool,
}

/// Every template, by name.
pub fn templates() -> impl Iterator<Item = &'static Template> {
    pss::TEMPLATES
        .iter()
        .chain(hardening::TEMPLATES)
        .chain(validity::TEMPLATES)
        .chain(bundle::TEMPLATES)
}

pub fn template(name: &str) -> Option<&'static Template> {
    templates().find(|t| t.name == name)
}

/// Parameter access shared by the contexts.
pub trait Params {
    fn rule(&self) -> &Rule;
    fn version(&self) -> KubeVersion;

    fn param(&self, key: &str) -> Option<&Json> {
        self.rule().params.get(key)
    }

    /// A list of strings.
    fn strings(&self, key: &str) -> Vec<&str> {
        self.param(key)
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default()
    }

    /// A version-gated list: `[{since: "1.27", values: [...]}, ...]`, cumulative over
    /// every entry whose `since` is at most the target version.
    fn strings_since(&self, key: &str) -> Vec<&str> {
        let version = self.version();
        let mut out = Vec::new();
        for entry in self
            .param(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let since = entry
                .get("since")
                .and_then(Json::as_str)
                .and_then(|s| s.parse::<KubeVersion>().ok());
            if since.is_some_and(|s| s <= version) {
                let values = entry.get("values").and_then(Json::as_array);
                out.extend(values.into_iter().flatten().filter_map(Json::as_str));
            }
        }
        out
    }

    /// Whether a version-named behaviour (`key: "1.25"`) is in force.
    fn since(&self, key: &str) -> bool {
        self.param(key)
            .and_then(Json::as_str)
            .and_then(|s| s.parse::<KubeVersion>().ok())
            .is_some_and(|s| s <= self.version())
    }
}

impl Params for PodCx<'_, '_> {
    fn rule(&self) -> &Rule {
        self.rule
    }
    fn version(&self) -> KubeVersion {
        self.version
    }
}

impl Params for BundleCx<'_, '_> {
    fn rule(&self) -> &Rule {
        self.rule
    }
    fn version(&self) -> KubeVersion {
        self.version
    }
}

impl Params for DocCx<'_, '_> {
    fn rule(&self) -> &Rule {
        self.rule
    }
    fn version(&self) -> KubeVersion {
        self.version
    }
}

/// Quote a user value for a message.
pub(crate) fn quoted(s: &str) -> String {
    format!("{s:?}")
}
