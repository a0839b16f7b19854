//! Container image references: mutable tags, digests, the pull policy the API server
//! defaults, and the frozen `k8s.gcr.io` registry.
//!
//! References are parsed by the grammar of the distribution project
//! (github.com/distribution/reference `reference.go`, the parser the kubelet and the API
//! server's defaulting use through k8s.io/kubernetes pkg/util/parsers):
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] path-component [ "/" path-component ]*
//! domain     := host [ ":" port ]          host: DNS labels, IPv4, or [IPv6]
//! path-comp. := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [\w][\w.-]{0,127}
//! digest     := algorithm ":" hex          algorithm: [A-Za-z][A-Za-z0-9]* ([+._-] …)*, hex ≥ 32
//! ```
//!
//! The first component is the domain when it contains `.` or `:`, is `localhost`, or has
//! an upper-case letter (`splitDockerDomain` in `normalize.go`); otherwise the image is on
//! Docker Hub. A name is at most 255 characters.

use super::{Check, Hit, NewValue, NoParams, Op, ParamSpec, PodCx, Template};
use crate::model::Container;

pub static TEMPLATES: &[Template] = &[
    pod_template!(
        "image-unpinned",
        "a container image must name a tag other than latest, or a digest",
        NoParams,
        unpinned
    ),
    pod_template!(
        "image-tag-without-digest",
        "a container image pinned by tag only can change under that tag",
        NoParams,
        tag_without_digest
    ),
    pod_template!(
        "image-pull-policy",
        "the effective imagePullPolicy (as the API server defaults it) should be Always",
        NoParams,
        pull_policy
    ),
    pod_template!(
        "image-frozen-registry",
        "images must not come from the frozen k8s.gcr.io registry",
        NoParams,
        frozen_registry
    ),
];

/// A parsed image reference; every part borrows from the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// `registry.example.com:5000`; `None` for Docker Hub.
    pub domain: Option<&'a str>,
    /// `team/app` (no domain, tag or digest).
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

fn alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `path-component`: lower-case alphanumerics separated by `.`, `_`, `__` or dashes.
fn path_component(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !alnum_lower(b[0]) || !alnum_lower(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum_lower(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum_lower(b[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `host [":" port]`: DNS labels (letters, digits, inner dashes), an IPv4 address (a DNS
/// label form), or a bracketed IPv6 address.
fn domain(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if v6.is_empty()
            || !v6
                .bytes()
                .all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
        {
            return false;
        }
        match after {
            "" => return true,
            p => match p.strip_prefix(':') {
                Some(port) => ("x", Some(port)),
                None => return false,
            },
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

fn tag(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

fn digest(s: &str) -> bool {
    let Some((algorithm, hex)) = s.split_once(':') else {
        return false;
    };
    let components_ok = algorithm.split(['+', '.', '_', '-']).all(|c| {
        c.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && c.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    // The grammar admits any algorithm; go-digest's Validate (which parsing calls) only
    // the registered ones, each with its exact length.
    let length_ok = match algorithm {
        "sha256" => hex.len() == 64,
        "sha384" => hex.len() == 96,
        "sha512" => hex.len() == 128,
        _ => false,
    };
    components_ok && length_ok && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

impl<'a> ImageRef<'a> {
    /// Parse `text` by the distribution reference grammar (module docs). Errors say what
    /// part is wrong.
    pub fn parse(text: &'a str) -> Result<ImageRef<'a>, String> {
        if text.is_empty() {
            return Err("the reference is empty".into());
        }
        let (rest, digest_part) = match text.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (text, None),
        };
        if let Some(d) = digest_part {
            if !digest(d) {
                return Err(format!(
                    "{d:?} is not a digest (algorithm:hex, at least 32 hex digits)"
                ));
            }
        }
        // A tag follows the last `:` after the last `/` (a `:` before it is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag_part) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag_part {
            if !tag(t) {
                return Err(format!("{t:?} is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)"));
            }
        }
        if name.len() > 255 {
            return Err("the repository name is longer than 255 characters".into());
        }
        let (dom, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                (Some(first), rest)
            }
            _ => (None, name),
        };
        if let Some(d) = dom {
            if !domain(d) {
                return Err(format!("{d:?} is not a registry host[:port]"));
            }
        }
        if path.is_empty() || !path.split('/').all(path_component) {
            return Err(format!(
                "{path:?} is not a repository path (lower-case letters and digits, separated by . _ __ - or /)"
            ));
        }
        Ok(ImageRef {
            domain: dom,
            path,
            tag: tag_part,
            digest: digest_part,
        })
    }

    /// The tag the API server's defaulting reads (k8s.io/kubernetes pkg/util/parsers
    /// `ParseImageName`): the written tag, `latest` when there is neither tag nor digest,
    /// none when only a digest is written.
    pub fn defaulting_tag(&self) -> Option<&'a str> {
        match (self.tag, self.digest) {
            (None, None) => Some("latest"),
            (t, _) => t,
        }
    }
}

/// The `imagePullPolicy` a container gets: the written value, else the API server's
/// default (k8s.io/kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_Container`):
/// `Always` when the defaulting tag is `latest`, `IfNotPresent` otherwise. The bool says
/// whether it was defaulted.
fn effective_pull_policy<'a>(
    c: &Container<'a>,
    cx: &PodCx<'_, 'a>,
    r: &ImageRef,
) -> (String, bool) {
    let doc = cx.pod.doc;
    match doc.get(c.node, "imagePullPolicy").and_then(|n| doc.str(n)) {
        Some(p) => (p.to_string(), false),
        None if r.defaulting_tag() == Some("latest") => ("Always".into(), true),
        None => ("IfNotPresent".into(), true),
    }
}

/// Each container with a non-empty image and its parse.
fn images<'c, 'd>(
    cx: &'c PodCx<'_, 'd>,
) -> impl Iterator<
    Item = (
        &'c Container<'d>,
        crate::model::Field<&'d str>,
        Result<ImageRef<'d>, String>,
    ),
> {
    cx.pod.containers.iter().filter_map(|c| {
        let image = c.image?;
        let text = image.value.trim();
        (!text.is_empty()).then(|| (c, image, ImageRef::parse(text)))
    })
}

/// No tag, or `latest`, and no digest: the image is whatever the registry holds under
/// that name when a node pulls it, so two replicas may run different code and a rollback
/// may not roll back. An unparsable reference is reported here too: the kubelet refuses
/// it (`InvalidImageName`).
fn unpinned(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for (c, image, parsed) in images(cx) {
        match parsed {
            Err(e) => out.push(Hit::node(
                image.node,
                format!("{} has image {:?}, which is not a valid image reference ({e}); the kubelet fails to start it with InvalidImageName", c.label(), image.value),
            )),
            Ok(r) if r.digest.is_none() && matches!(r.tag, None | Some("latest")) => {
                let why = match r.tag {
                    None => "no tag, so the runtime pulls :latest",
                    Some(_) => "the tag latest",
                };
                out.push(Hit::node(
                    image.node,
                    format!("{} runs image {:?} with {why}: whatever the registry holds under that name when a node pulls it, so replicas can run different builds; the API server defaults its imagePullPolicy to Always", c.label(), image.value),
                ));
            }
            Ok(_) => {}
        }
    }
}

/// A tag other than `latest` and no digest: the registry can move the tag.
fn tag_without_digest(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for (c, image, parsed) in images(cx) {
        if let Ok(ImageRef {
            tag: Some(t),
            digest: None,
            ..
        }) = parsed
        {
            if t != "latest" {
                out.push(Hit::node(
                    image.node,
                    format!("{} pins image {:?} by tag only: whoever can push to the repository can move {t} to other content; add the digest (@sha256:…) to pin it", c.label(), image.value),
                ));
            }
        }
    }
}

/// The effective pull policy, after the API server's defaulting, when it is not
/// `Always`: with `IfNotPresent` or `Never` the kubelet starts a cached image without
/// asking the registry, so a node keeps running an old image under a moved tag, and any
/// pod on that node can start a private image another pod pulled, without pull
/// credentials (the reason for the AlwaysPullImages admission plugin).
fn pull_policy(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for (c, image, parsed) in images(cx) {
        let Ok(r) = parsed else { continue };
        let (policy, defaulted) = effective_pull_policy(c, cx, &r);
        if policy == "Always" {
            continue;
        }
        let doc = cx.pod.doc;
        let at = doc.get(c.node, "imagePullPolicy").unwrap_or(image.node);
        let how = if defaulted {
            let why = if r.tag.is_some() {
                "its tag is not latest"
            } else {
                "it has a digest and no tag"
            };
            format!(
                "has no imagePullPolicy, and the API server defaults it to {policy} because {why}"
            )
        } else {
            format!("sets imagePullPolicy {policy}")
        };
        let risk = if r.digest.is_some() {
            "the digest pins the content, but any pod on a node that has pulled it can start it without pull credentials"
        } else {
            "a node that cached this tag keeps starting the old content after the tag moves, and any pod on that node can start it without pull credentials"
        };
        out.push(Hit::node(at, format!("{} {how}: {risk}", c.label())));
    }
}

/// `k8s.gcr.io` has been frozen since 2023-04-03 and its traffic redirected to
/// `registry.k8s.io`, which holds the same images and every newer release
/// (https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/). The fix
/// rewrites the registry, keeping path, tag and digest (the same content): safe.
fn frozen_registry(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for (c, image, parsed) in images(cx) {
        let Ok(r) = parsed else { continue };
        if r.domain != Some("k8s.gcr.io") {
            continue;
        }
        let text = image.value.trim();
        let moved = format!("registry.k8s.io{}", &text["k8s.gcr.io".len()..]);
        out.push(
            Hit::node(
                image.node,
                format!("{} pulls {:?} from k8s.gcr.io, frozen since April 2023: it receives no new images or patched releases; registry.k8s.io serves the same images", c.label(), image.value),
            )
            .with(Op::Replace {
                node: image.node,
                value: NewValue::Str(moved),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from distribution/reference `reference_test.go` and `normalize_test.go`.
    #[test]
    fn references_parse_by_the_distribution_grammar() {
        fn ok(s: &str) -> ImageRef<'_> {
            ImageRef::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
        }
        let r = ok("nginx");
        assert_eq!(
            (r.domain, r.path, r.tag, r.digest),
            (None, "nginx", None, None)
        );
        let r = ok("test_com");
        assert_eq!(r.path, "test_com");
        let r = ok("test.com:tag");
        assert_eq!((r.domain, r.path, r.tag), (None, "test.com", Some("tag")));
        let r = ok("test.com:5000");
        assert_eq!((r.path, r.tag), ("test.com", Some("5000")));
        let r = ok("test.com/repo:tag");
        assert_eq!(
            (r.domain, r.path, r.tag),
            (Some("test.com"), "repo", Some("tag"))
        );
        let r = ok("test:5000/repo");
        assert_eq!((r.domain, r.path, r.tag), (Some("test:5000"), "repo", None));
        let r = ok("test:5000/repo:tag");
        assert_eq!((r.domain, r.tag), (Some("test:5000"), Some("tag")));
        let d = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
        let digest_only = format!("test:5000/repo@{d}");
        let r = ok(&digest_only);
        assert_eq!((r.tag, r.digest), (None, Some(d)));
        let with_both = format!("test:5000/repo:tag@{d}");
        let r = ok(&with_both);
        assert_eq!((r.tag, r.digest), (Some("tag"), Some(d)));
        let r = ok("sub-dom1.foo.com/bar/baz/quux");
        assert_eq!(
            (r.domain, r.path),
            (Some("sub-dom1.foo.com"), "bar/baz/quux")
        );
        let r = ok("a/a/a/a/a/a/b/b/b/b");
        assert_eq!((r.domain, r.path), (None, "a/a/a/a/a/a/b/b/b/b"));
        let r = ok("localhost/repo");
        assert_eq!(r.domain, Some("localhost"));
        let r = ok("[fc00::1]:5000/repo:v1");
        assert_eq!((r.domain, r.tag), (Some("[fc00::1]:5000"), Some("v1")));
        let r = ok("Docker.io/library/nginx");
        assert_eq!(r.domain, Some("Docker.io"));
        let r = ok("foo_bar.com:8080");
        assert_eq!(r.tag, Some("8080"));
        let r = ok("foo/foo_bar.com:8080");
        assert_eq!(
            (r.domain, r.path, r.tag),
            (None, "foo/foo_bar.com", Some("8080"))
        );
        for bad in [
            "",
            ":justtag",
            "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "Uppercase:tag",
            "test:5000/Uppercase/lowercase:tag",
            "aa/asdf$$^/aa",
            "a-/a/a/a",
            "foo//bar",
            "-foo/bar",
            "registry.example.com/repo:-tag",
            "repo:tag with space",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} parsed");
        }
        let long = format!("{}:tag", "a".repeat(256));
        assert!(ImageRef::parse(&long).is_err());
    }

    #[test]
    fn the_defaulting_tag_is_latest_only_without_tag_and_digest() {
        let t = |s| ImageRef::parse(s).unwrap().defaulting_tag();
        assert_eq!(t("nginx"), Some("latest"));
        assert_eq!(t("nginx:1.25"), Some("1.25"));
        let d = "nginx@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
        assert_eq!(t(d), None);
    }
}
