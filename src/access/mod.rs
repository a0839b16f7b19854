//! Open questions about a bundle, answered from the manifests alone: who can do what
//! (the RBAC access model, [`rbac`]) and what can reach what (the NetworkPolicy
//! reachability model, [`reach`]).
//!
//! Both models read a [`Bundle`] that the caller has parsed (see [`with_bundle`]) and
//! reuse the semantics of the cross-resource rules: the RBAC authorizer's rule matching
//! of [`crate::model::rbac`], and the NetworkPolicy defaults, selectors and CIDR
//! arithmetic of [`crate::model::netpol`], [`crate::model::selector`] and
//! [`crate::model::cidr`]. The API server's bootstrap ClusterRoles and ClusterRoleBindings
//! ([`bootstrap`]) are known even when the bundle does not contain them.
//!
//! Every answer carries the places that explain it ([`At`]: a byte span in a file of the
//! bundle, or in the built-in bootstrap data), which the edges turn into
//! `file:line:column` with [`At::locate`]. Like the rest of the library, nothing here
//! touches a filesystem, a clock or stdout.

pub mod bootstrap;
pub mod rbac;
pub mod reach;

use serde::Serialize;

use crate::bundle::Bundle;
use crate::model::DocumentModel;
use crate::source::{LineIndex, Source, Span};
use crate::yaml::{parse_stream, Document, Limits, NodeId, ParseError, Stream};

pub use bootstrap::Bootstrap;
pub use rbac::{Access, AccessOptions, User};
pub use reach::{Endpoint, Outside, PortQuery, Reach, Verdict};

/// The file a place is in: one of the bundle's sources (by index), or a built-in data
/// file (its path in the repository, `policies/data/bootstrap-cluster-roles.yaml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Bundle(usize),
    BuiltIn(&'static str),
}

/// A place in a file: its origin and a byte span of that file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct At {
    pub origin: Origin,
    pub span: Span,
}

/// A place as a person reads it: the file's display name, and the 1-based line and
/// column (in characters) of the span's start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Whether the place is in the built-in bootstrap data rather than the input.
    pub built_in: bool,
}

impl At {
    pub(crate) fn node(origin: Origin, doc: &Document, node: NodeId) -> At {
        At {
            origin,
            span: doc.node(node).span(),
        }
    }

    /// The file, line and column of this place; `sources` are the bundle's sources (the
    /// built-in files are known). `None` when a bundle index is out of range.
    pub fn locate(&self, sources: &[Source]) -> Option<Located> {
        let (file, text, built_in) = match self.origin {
            Origin::Bundle(i) => {
                let s = sources.get(i)?;
                (
                    crate::render::display_name(&s.name).to_string(),
                    s.text.as_str(),
                    false,
                )
            }
            Origin::BuiltIn(path) => (path.to_string(), bootstrap::text(path)?, true),
        };
        let p = LineIndex::new(text).position(text, self.span.start);
        Some(Located {
            file,
            line: p.line,
            column: p.column,
            built_in,
        })
    }
}

impl std::fmt::Display for Located {
    /// `file:line:column`, with `(built in)` after a place in the bootstrap data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if self.built_in {
            f.write_str(" (built in)")?;
        }
        Ok(())
    }
}

/// Parse `sources` (each within `limits`), index them as one bundle and run `f` on it.
/// Documents that cannot be read are left out, as the checker leaves them out of its
/// rules; the second value holds their errors, each with its source's index.
pub fn with_bundle<T>(
    sources: &[Source],
    limits: &Limits,
    f: impl FnOnce(&Bundle) -> T,
) -> (T, Vec<(usize, ParseError)>) {
    let streams: Vec<Stream> = sources
        .iter()
        .map(|s| parse_stream(&s.text, limits))
        .collect();
    let errors = streams
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.errors.iter().map(move |e| (i, e.clone())))
        .collect();
    let models: Vec<Vec<DocumentModel>> = streams
        .iter()
        .map(|s| s.documents.iter().map(DocumentModel::read).collect())
        .collect();
    let bundle = Bundle::new(sources, &streams, &models);
    (f(&bundle), errors)
}
