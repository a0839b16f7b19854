//! Templates for an organisation's own rules (`custom-rules` of a configuration file,
//! [`crate::config`]): no built-in rule uses them.
//!
//! `image-registry`: every container image must come from one of the allowed registries.
//! The registry of a reference is read as the container runtime reads it (the
//! distribution reference grammar, [`super::images::ImageRef`]): a first component with
//! `.` or `:`, `localhost` or an upper-case letter is the registry host, anything else is
//! on Docker Hub (`docker.io`), whose official images live under `library/`
//! (github.com/distribution/reference `normalize.go`, `splitDockerDomain`).

use serde::Deserialize;

use super::images::ImageRef;
use super::{Check, FieldError, Hit, ParamSpec, PodCx, Template, TemplateParams};

pub static TEMPLATES: &[Template] = &[pod_template!(
    "image-registry",
    "container images must come from an allowed registry (or repository prefix)",
    ImageRegistryParams,
    registry
)];

/// The names of the templates only custom rules use.
pub const CUSTOM_ONLY: &[&str] = &["image-registry"];

/// `allowed`: registry hosts (`registry.example.com`, `registry.example.com:5000`,
/// `docker.io` for Docker Hub) or repository prefixes below one
/// (`registry.example.com/platform`, `docker.io/library`). An image is allowed when its
/// normalised name is one of them or lies below one, at a `/` boundary.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRegistryParams {
    pub allowed: Vec<String>,
}

impl TemplateParams for ImageRegistryParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        if self.allowed.is_empty() {
            return Err(FieldError::new(
                &["allowed"],
                "expected at least one registry (registry.example.com) or repository prefix",
            ));
        }
        for (i, entry) in self.allowed.iter_mut().enumerate() {
            let e = entry.trim().trim_end_matches('/');
            if e.is_empty() || e.contains("://") || e.contains(['@', ' ']) {
                return Err(FieldError::new(
                    &["allowed"],
                    format!("{entry:?} is not a registry host or repository prefix (registry.example.com, registry.example.com/team; no scheme)"),
                )
                .item(i));
            }
            *entry = e.to_string();
        }
        Ok(())
    }
}

fn registry(cx: &PodCx, p: &ImageRegistryParams, out: &mut Vec<Hit>) {
    for c in &cx.pod.containers {
        let Some(image) = c.image else { continue };
        // An unparsable reference is image-unpinned's finding.
        let Ok(r) = ImageRef::parse(image.value.trim()) else {
            continue;
        };
        let domain = r.domain.unwrap_or("docker.io");
        let path = if r.domain.is_none() && !r.path.contains('/') {
            format!("library/{}", r.path)
        } else {
            r.path.to_string()
        };
        let name = format!("{domain}/{path}");
        let allowed = p.allowed.iter().any(|a| {
            name.strip_prefix(a.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
        if !allowed {
            out.push(Hit::node(
                image.node,
                format!(
                    "{} runs image {:?} from {domain}, which is not an allowed registry (allowed: {})",
                    c.label(),
                    image.value,
                    p.allowed.join(", ")
                ),
            ));
        }
    }
}
