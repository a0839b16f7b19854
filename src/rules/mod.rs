//! Rule templates: the mechanism, written in Rust. Each rule of the catalogue
//! (`policies/*.yaml`) names one template and gives it parameters.
//!
//! A template declares its parameter type ([`TemplateParams`]: a `Deserialize` struct
//! with `deny_unknown_fields`, [`NoParams`] when it takes none). The catalogue parses and
//! validates every rule's `params` as that type once, when it loads
//! ([`Template::parse_params`]), and the check receives them typed:
//! `fn check(cx: &PodCx, params: &TheirParams, out: &mut Vec<Hit>)`, declared with
//! `pod_template!(name, summary, TheirParams, check)`.
//!
//! A template only detects: it returns [`Hit`]s — a location and a message. The
//! engine turns hits into findings (pointer, span, object, suppression), and renderers
//! turn findings into text. Templates never read files, clocks or the environment.

/// A template that runs once per pod spec: `pod_template!(name, summary, ParamsType, check)`
/// where `check` is `fn(&PodCx, &ParamsType, &mut Vec<Hit>)`. The macro pairs the check with
/// its parameter type, so the parameters a check receives are always the ones the
/// catalogue parsed for it at load.
macro_rules! pod_template {
    ($name:literal, $summary:literal, $params:ty, $f:ident) => {
        Template {
            name: $name,
            summary: $summary,
            check: Check::Pod({
                fn run(cx: &PodCx<'_, '_>, out: &mut Vec<Hit>) {
                    $f(cx, cx.rule.typed_params.get::<$params>(), out)
                }
                run
            }),
            params: ParamSpec::of::<$params>(stringify!($params)),
            validity: false,
        }
    };
}

/// A template that runs once per document (input validity): `doc_template!(name,
/// summary, ParamsType, check)` with `check: fn(&DocCx, &ParamsType, &mut Vec<Hit>)`.
macro_rules! doc_template {
    ($name:literal, $summary:literal, $params:ty, $f:ident) => {
        Template {
            name: $name,
            summary: $summary,
            check: Check::Document({
                fn run(cx: &DocCx<'_, '_>, out: &mut Vec<Hit>) {
                    $f(cx, cx.rule.typed_params.get::<$params>(), out)
                }
                run
            }),
            params: ParamSpec::of::<$params>(stringify!($params)),
            validity: true,
        }
    };
}

pub mod api_lifecycle;
mod bundle;
pub mod credential;
pub mod cve;
pub mod hardening;
pub mod identity;
pub mod images;
pub mod namespaces;
pub mod netpol;
pub mod psp;
pub mod pss;
pub mod rbac;
pub mod registry;
pub mod storage;
pub mod validity;

pub use validity::SUPPRESSION_PREFIX;

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Deserialize;
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

/// A value a fix writes. Structured values (`Map`, `List`) are written in the
/// document's own style: block YAML with its indentation unit and sequence style, or
/// flow / JSON in flow and JSON documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewValue {
    Bool(bool),
    Int(i64),
    Str(String),
    /// A mapping, entries in the order they are written.
    Map(Vec<(String, NewValue)>),
    List(Vec<NewValue>),
}

impl NewValue {
    /// A mapping from `(key, value)` pairs, in that order.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, NewValue)>) -> Self {
        NewValue::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A list of strings.
    pub fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        NewValue::List(items.into_iter().map(|s| NewValue::Str(s.into())).collect())
    }

    /// Whether the value is a mapping or a list.
    pub fn is_structured(&self) -> bool {
        matches!(self, NewValue::Map(_) | NewValue::List(_))
    }
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
    /// Replace the value at `node` — a scalar, or a flow mapping or list (`{…}`, `[…]`,
    /// JSON) — with `value`, written in flow style. A block collection is refused (remove
    /// its entries and [`Op::Set`] new ones instead).
    Replace { node: NodeId, value: NewValue },
    /// Rename the key of the mapping entry whose value is `node` to `to`, keeping the value
    /// (`spec.backend` → `spec.defaultBackend`).
    RenameKey { node: NodeId, to: String },
    /// Append `yaml` (one YAML document without its `---` separator, `\n` line ends) to
    /// the end of the file of the document the operation is in, after a `---`. `what`
    /// names it in the fix title ("a NetworkPolicy `default-deny` in namespace shop").
    /// Refused in a JSON file.
    AppendDocument { yaml: String, what: String },
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
    /// Why `fix` can never be valid here (a Linux-only field on a Windows pod): the
    /// finding's fix is then reported as unavailable with this reason, never applied.
    pub withheld: Option<String>,
    /// This hit's fix is unsafe even though its rule's fixes are declared safe (an
    /// apiVersion migration that also moves fields): a hit can lower its rule's
    /// applicability, never raise it.
    pub unsafe_fix: bool,
}

impl Hit {
    pub fn new(at: Loc, message: impl Into<String>) -> Self {
        Hit {
            at,
            message: message.into(),
            related: Vec::new(),
            fix: Vec::new(),
            withheld: None,
            unsafe_fix: false,
        }
    }

    /// Mark the fix unsafe whatever the rule declares (see [`Hit::unsafe_fix`](Hit#structfield.unsafe_fix)).
    #[must_use]
    pub fn unsafe_fix(mut self) -> Self {
        self.unsafe_fix = true;
        self
    }

    /// Withhold the fix: it is shown as unavailable, with `reason`.
    #[must_use]
    pub fn withhold(mut self, reason: Option<String>) -> Self {
        self.withheld = reason;
        self
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
    /// Indexes the templates of one run share.
    pub shared: &'c BundleShared<'c, 'b>,
}

/// What the whole-bundle templates of one run share, each part built by the first
/// template that asks for it: the RBAC index (roles with their bindings, aggregation
/// resolved) that the RBAC rules read, and the NetworkPolicy index (policies by namespace,
/// the policies selecting each pod) that the NetworkPolicy and metadata rules read.
#[derive(Default)]
pub struct BundleShared<'c, 'b> {
    pub(crate) rbac: std::cell::OnceCell<rbac::RbacIndex<'b>>,
    pub(crate) net: std::cell::OnceCell<netpol::NetIndex<'c, 'b>>,
}

pub type PodCheck = fn(&PodCx<'_, '_>, &mut Vec<Hit>);
pub type DocCheck = fn(&DocCx<'_, '_>, &mut Vec<Hit>);
pub type BundleCheck = fn(&BundleCx<'_, '_>, &mut BundleHits<'_>);

/// Where a whole-bundle template puts its hits. Each one is turned into a finding as it
/// is pushed, so a rule with tens of thousands of hits (one per pod of a large bundle,
/// each with several related locations) never holds them all at once.
pub struct BundleHits<'s> {
    sink: &'s mut dyn FnMut(BundleHit),
}

impl<'s> BundleHits<'s> {
    /// Hits handed to `sink`, one by one, in the order the template pushes them.
    pub fn new(sink: &'s mut dyn FnMut(BundleHit)) -> Self {
        BundleHits { sink }
    }

    pub fn push(&mut self, hit: BundleHit) {
        (self.sink)(hit);
    }
}

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
    /// The parameters the template takes (a Rust type), parsed once when the catalogue loads.
    pub params: ParamSpec,
    /// Input-validity templates run under every profile: a finding about the manifest
    /// itself is never a policy choice.
    pub validity: bool,
}

impl Template {
    /// Parse and validate a rule's `params` (a JSON object; `{}` when the rule gives
    /// none) as this template's parameter type. The error names the field below `params`.
    pub fn parse_params(&self, raw: &Json) -> Result<TypedParams, FieldError> {
        (self.params.parse)(raw)
    }
}

/// Every template, by name.
pub fn templates() -> impl Iterator<Item = &'static Template> {
    pss::TEMPLATES
        .iter()
        .chain(hardening::TEMPLATES)
        .chain(validity::TEMPLATES)
        .chain(bundle::TEMPLATES)
        .chain(rbac::TEMPLATES)
        .chain(netpol::TEMPLATES)
        .chain(identity::TEMPLATES)
        .chain(namespaces::TEMPLATES)
        .chain(api_lifecycle::TEMPLATES)
        .chain(images::TEMPLATES)
        .chain(psp::TEMPLATES)
        .chain(registry::TEMPLATES)
        .chain(cve::TEMPLATES)
        .chain(storage::TEMPLATES)
}

/// A whole-bundle template without parameters.
pub(crate) const fn bundle_template(
    name: &'static str,
    summary: &'static str,
    check: BundleCheck,
) -> Template {
    Template {
        name,
        summary,
        check: Check::Bundle(check),
        params: ParamSpec::of::<NoParams>("NoParams"),
        validity: false,
    }
}

pub fn template(name: &str) -> Option<&'static Template> {
    templates().find(|t| t.name == name)
}

/// The parameter type of a template and how to parse it.
#[derive(Clone, Copy)]
pub struct ParamSpec {
    /// The Rust type, as written in the template's module (`CapabilitiesBaselineParams`):
    /// its documentation lists the fields.
    pub type_name: &'static str,
    parse: fn(&Json) -> Result<TypedParams, FieldError>,
}

impl ParamSpec {
    pub const fn of<P: TemplateParams>(type_name: &'static str) -> Self {
        ParamSpec {
            type_name,
            parse: parse_as::<P>,
        }
    }
}

fn parse_as<P: TemplateParams>(raw: &Json) -> Result<TypedParams, FieldError> {
    let mut params: P = deserialize(raw)?;
    params.validate()?;
    Ok(TypedParams(Arc::new(params)))
}

/// Deserialise a rule file (or its `params`) from its JSON tree. The error names the
/// field (`allowed[2]`) with the `rule-error-paths` feature (default); without it (the
/// playground's build, which loads only the built-in catalogue, tested to be valid) the
/// message is the same but the path is empty, which saves the path-tracking deserialiser
/// instances of every rule file type in the WebAssembly.
pub(crate) fn deserialize<T: DeserializeOwned>(raw: &Json) -> Result<T, FieldError> {
    #[cfg(feature = "rule-error-paths")]
    let result = serde_path_to_error::deserialize(raw).map_err(FieldError::from_serde);
    #[cfg(not(feature = "rule-error-paths"))]
    let result = T::deserialize(raw).map_err(|e| FieldError {
        path: Vec::new(),
        message: e.to_string(),
    });
    result
}

/// A template's parameter type: deserialised from the rule's `params` with unknown fields
/// refused, then [`validate`](TemplateParams::validate)d, once, when the catalogue loads.
pub trait TemplateParams: DeserializeOwned + fmt::Debug + Send + Sync + 'static {
    /// Checks the types cannot express, and preparation done once instead of per pod
    /// (normalising paths, upper-casing names). The error names the field.
    fn validate(&mut self) -> Result<(), FieldError> {
        Ok(())
    }
}

trait AnyParams: Any + fmt::Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + fmt::Debug + Send + Sync> AnyParams for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A rule's parameters, parsed and validated as its template's parameter type.
#[derive(Clone)]
pub struct TypedParams(Arc<dyn AnyParams>);

impl TypedParams {
    /// The parameters as type `P`, if they are of that type.
    pub fn downcast<P: 'static>(&self) -> Option<&P> {
        // `(*self.0)`: the `Arc` itself would also match the blanket `AnyParams` impl.
        (*self.0).as_any().downcast_ref()
    }

    /// The parameters of the running template. The catalogue builds them with the parser
    /// of the rule's template and the `pod_template!`/`doc_template!` wrappers ask for that
    /// same type, so a mismatch is a bug in this crate, not bad input.
    pub(crate) fn get<P: 'static>(&self) -> &P {
        self.downcast().unwrap_or_else(|| {
            panic!(
                "rule parameters are {:?}, not {}: the rule was not built by Catalogue::load",
                self.0,
                std::any::type_name::<P>()
            )
        })
    }
}

impl fmt::Debug for TypedParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (*self.0).fmt(f)
    }
}

/// One step of a path into a rule file: a mapping key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// A field of a rule file that is wrong, and why. `path` is relative to what was parsed
/// (the rule file, or its `params`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub path: Vec<PathSegment>,
    pub message: String,
}

impl FieldError {
    /// An error at `path`, given as keys (`["paths"]`) and then optionally an index.
    pub fn new(path: &[&str], message: impl Into<String>) -> Self {
        FieldError {
            path: path
                .iter()
                .map(|k| PathSegment::Key(k.to_string()))
                .collect(),
            message: message.into(),
        }
    }

    /// The same error at item `index` of the list the path names.
    #[must_use]
    pub fn item(mut self, index: usize) -> Self {
        self.path.push(PathSegment::Index(index));
        self
    }

    /// The same error below the key `key`.
    #[must_use]
    pub fn below(mut self, key: &str) -> Self {
        self.path.insert(0, PathSegment::Key(key.to_string()));
        self
    }

    #[cfg(feature = "rule-error-paths")]
    pub(crate) fn from_serde(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        use serde_path_to_error::Segment;
        let path = e
            .path()
            .iter()
            .filter_map(|s| match s {
                Segment::Seq { index } => Some(PathSegment::Index(*index)),
                Segment::Map { key } => Some(PathSegment::Key(key.clone())),
                Segment::Enum { .. } | Segment::Unknown => None,
            })
            .collect();
        FieldError {
            path,
            message: e.into_inner().to_string(),
        }
    }

    /// The path as `params.allowed[2]` (empty for the top level).
    pub fn path_text(&self) -> String {
        let mut out = String::new();
        for s in &self.path {
            match s {
                PathSegment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path_text(), self.message)
        }
    }
}

/// The parameters of a template that takes none: any field is an error.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl TemplateParams for NoParams {}

/// Values that apply from a Kubernetes version on, each entry adding to those before it.
///
/// Shape: `[{since: "1.0", values: [a, b]}, {since: "1.27", values: [c]}]` — at v1.27 and
/// later `a, b, c` apply, before it `a, b`. Entries are in strictly ascending `since`
/// order and none is empty (checked at load).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "Vec<VersionedValues>")]
pub struct VersionedList {
    entries: Vec<VersionedValues>,
}

/// One entry of a [`VersionedList`].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionedValues {
    /// The first Kubernetes version these values apply to (`"1.27"`).
    pub since: KubeVersion,
    /// The values added at that version.
    pub values: Vec<String>,
}

impl TryFrom<Vec<VersionedValues>> for VersionedList {
    type Error = String;

    fn try_from(entries: Vec<VersionedValues>) -> Result<Self, String> {
        if entries.is_empty() {
            return Err("expected at least one {since, values} entry".into());
        }
        for (i, e) in entries.iter().enumerate() {
            if e.values.is_empty() {
                return Err(format!("entry {i} (since {}) has no values", e.since));
            }
            if i > 0 && entries[i - 1].since >= e.since {
                return Err(format!(
                    "entries must be in ascending order of `since`: entry {i} ({}) follows {}",
                    e.since,
                    entries[i - 1].since
                ));
            }
        }
        Ok(VersionedList { entries })
    }
}

impl VersionedList {
    /// The values in force at `version`, oldest entry first.
    pub fn at(&self, version: KubeVersion) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .take_while(move |e| e.since <= version)
            .flat_map(|e| e.values.iter().map(String::as_str))
    }

    /// Whether `value` is in force at `version`.
    pub fn contains(&self, version: KubeVersion, value: &str) -> bool {
        self.at(version).any(|v| v == value)
    }

    pub fn entries(&self) -> &[VersionedValues] {
        &self.entries
    }
}

/// Whether a behaviour introduced at `since` (none: never) is in force at `version`.
pub fn in_force(since: Option<KubeVersion>, version: KubeVersion) -> bool {
    since.is_some_and(|s| s <= version)
}

/// The candidate most like `text` for a "did you mean" (Jaro similarity above 0.7, the
/// measure and threshold clap uses for commands and flags; case is ignored, so
/// `runAsNonroot` finds `runAsNonRoot`), if any. Ties go to the earliest candidate.
pub fn similar<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let text = text.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro(&text, &c.to_ascii_lowercase());
        if score > 0.7 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Quote a user value for a message.
pub(crate) fn quoted(s: &str) -> String {
    format!("{s:?}")
}
