//! Share links: the playground state, compressed into the URL fragment (which never
//! reaches a server). Versioned (`#v1.…`) so old links keep loading.
//!
//! Format `v1.<base64url(raw deflate(json))>`, base64url without padding (RFC 4648 §5);
//! the JSON object holds `t` (the text, required), `p` (profile: `baseline`,
//! `restricted`; absent for `all`), `k` (Kubernetes version `1.NN` or a patch release
//! `1.NN.P`; absent for the newest), `u` (`true` when unsafe fixes are on; absent otherwise), `x` (the ids of
//! the findings whose fixes the user left out of the hardened YAML; absent when none)
//! , `c` (the Config tab's `.kubeharden.yaml` text; absent when empty) and `v` (the side
//! pane's tab the link opens on, one of [`TABS`]; absent for the Findings tab, so links
//! made before it open there).
//!
//! Reading a link never falls back silently: a link that cannot be read at all is a
//! [`LinkError`], and a readable link with a bad value keeps the rest and lists the
//! value in [`Decoded::problems`], for the page to show.
//!
//! This module is pure and does not compress: the page deflates and inflates with the
//! browser's own `CompressionStream("deflate-raw")` (`link.rs`, `www/editor.js`), which
//! keeps a deflate implementation out of the WebAssembly download. A link is
//! [`frame`]`(deflate(`[`to_json`]`(state)))`, read back with [`unframe`], inflate and
//! [`from_json`]. The native tests compress with `miniz_oxide` (`encode`, `decode`).

use std::fmt;
use std::rc::Rc;

use kubeharden::{KubeVersion, Profile};
#[cfg(test)]
use miniz_oxide::deflate::compress_to_vec;
#[cfg(test)]
use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
use serde_json::{json, Map, Value};

/// The largest text a link may inflate to (bytes): a bomb in a link is refused.
pub const MAX_INFLATED: usize = 64 << 20;

/// What a link restores. Equal when every value is, the version's patch release too
/// (`KubeVersion`'s own `==` compares the minor only).
#[derive(Clone, Debug)]
pub struct Shared {
    pub text: Rc<str>,
    pub profile: Profile,
    /// `None`: the newest version this playground knows ([`KubeVersion::LATEST`]).
    pub version: Option<KubeVersion>,
    pub unsafe_fixes: bool,
    /// Finding ids whose fixes are left out of the hardened YAML, in the order chosen.
    pub left_out: Vec<String>,
    /// The Config tab's text (empty: no configuration).
    pub config: Rc<str>,
    /// The tab the link opens on, one of [`TABS`] (`None`: the Findings tab).
    pub tab: Option<&'static str>,
}

/// The side pane's tabs a link can open on, by the name it holds (`v`); the Findings tab,
/// the default, is never written.
pub const TABS: [&str; 6] = ["hardened", "diff", "access", "reach", "rules", "config"];

impl PartialEq for Shared {
    fn eq(&self, o: &Self) -> bool {
        let same_version = match (self.version, o.version) {
            (Some(a), Some(b)) => a.same_release(&b),
            (a, b) => a.is_none() && b.is_none(),
        };
        self.text == o.text
            && self.profile == o.profile
            && same_version
            && self.unsafe_fixes == o.unsafe_fixes
            && self.left_out == o.left_out
            && self.config == o.config
            && self.tab == o.tab
    }
}

impl Eq for Shared {}

/// A link that could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The fragment is not a kubeharden link (no `v<N>.` prefix).
    NotALink,
    /// Written by a newer playground: `v2.…` and later.
    NewerFormat(String),
    /// Truncated or damaged: what failed.
    Damaged(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NotALink => f.write_str("its #fragment is not a kubeharden share link"),
            LinkError::NewerFormat(v) => write!(
                f,
                "it was made by a newer playground (format {v}; this one reads v1)"
            ),
            LinkError::Damaged(why) => write!(f, "it is damaged or cut short ({why})"),
        }
    }
}

/// A readable link: the state, and the values in it that were bad and replaced by the
/// default (one sentence each, naming the value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub shared: Shared,
    pub problems: Vec<String>,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn unbase64url(text: &str) -> Result<Vec<u8>, String> {
    if text.len() % 4 == 1 {
        return Err("its length is not that of base64url data".into());
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for (i, c) in text.char_indices() {
        let v = ALPHABET
            .iter()
            .position(|&a| char::from(a) == c)
            .ok_or_else(|| format!("character {c:?} at {i} is not base64url"))?
            as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// The link's form of a version: `1.NN`, or `1.NN.P` for a patch release (what the
/// version menu and its text field take).
pub fn version_value(v: KubeVersion) -> String {
    match v.patch {
        Some(p) => format!("1.{}.{p}", v.minor),
        None => format!("1.{}", v.minor),
    }
}

/// The JSON a link compresses; defaults are left out.
pub fn to_json(state: &Shared) -> String {
    let mut v = json!({ "t": &*state.text });
    if state.profile != Profile::All {
        v["p"] = json!(state.profile.as_str());
    }
    if let Some(version) = state.version {
        v["k"] = json!(version_value(version));
    }
    if state.unsafe_fixes {
        v["u"] = json!(true);
    }
    if !state.left_out.is_empty() {
        v["x"] = json!(state.left_out);
    }
    if !state.config.is_empty() {
        v["c"] = json!(&*state.config);
    }
    if let Some(tab) = state.tab {
        v["v"] = json!(tab);
    }
    v.to_string()
}

/// The fragment (without `#`) of a link whose compressed JSON is `compressed`.
pub fn frame(compressed: &[u8]) -> String {
    format!("v1.{}", base64url(compressed))
}

/// The compressed JSON of a fragment (without `#`). Errors: not a link, a newer
/// format, or data that is not base64url.
pub fn unframe(fragment: &str) -> Result<Vec<u8>, LinkError> {
    let Some((format, data)) = fragment.split_once('.') else {
        return Err(LinkError::NotALink);
    };
    match format.strip_prefix('v').map(str::parse::<u32>) {
        Some(Ok(1)) => {}
        Some(Ok(_)) => return Err(LinkError::NewerFormat(format.to_string())),
        _ => return Err(LinkError::NotALink),
    }
    unbase64url(data).map_err(LinkError::Damaged)
}

/// `v1.<base64url(deflate(json))>` (native, for tests: the page compresses with the
/// browser's `CompressionStream`).
#[cfg(test)]
pub fn encode(state: &Shared) -> String {
    frame(&compress_to_vec(to_json(state).as_bytes(), 9))
}

/// Read a fragment (without `#`) (native, for tests: the page inflates with the
/// browser's `DecompressionStream`, then calls [`from_json`]).
#[cfg(test)]
pub fn decode(fragment: &str) -> Result<Decoded, LinkError> {
    let compressed = unframe(fragment)?;
    let bytes = decompress_to_vec_with_limit(&compressed, MAX_INFLATED).map_err(|e| {
        LinkError::Damaged(match e.status {
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => TRUNCATED.into(),
            TINFLStatus::HasMoreOutput => too_large(),
            _ => NOT_DEFLATE.into(),
        })
    })?;
    from_json(&bytes)
}

/// Why a link's compressed data is damaged (the page's decompression says the same).
pub const TRUNCATED: &str = "its compressed data ends too early";
pub const NOT_DEFLATE: &str = "its data is not deflate-compressed";

/// Why a link is refused that inflates beyond [`MAX_INFLATED`].
pub fn too_large() -> String {
    format!("it inflates to more than {} MiB", MAX_INFLATED >> 20)
}

/// Read a link's inflated JSON.
///
/// Errors: [`LinkError`] when there is no text to restore. A bad profile, version or
/// unsafe flag keeps the text, takes the default for that value and says so in
/// [`Decoded::problems`]. Versions newer than [`KubeVersion::LATEST`] are problems too:
/// the menu cannot show them.
pub fn from_json(bytes: &[u8]) -> Result<Decoded, LinkError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| LinkError::Damaged(format!("the data is not JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(LinkError::Damaged("the data is not a JSON object".into()));
    };
    let text = match map.get("t") {
        Some(Value::String(t)) => Rc::from(t.as_str()),
        Some(_) => return Err(LinkError::Damaged("its text is not a string".into())),
        None => return Err(LinkError::Damaged("it holds no text".into())),
    };
    let mut problems = Vec::new();
    let profile = read(&map, "p", &mut problems, "profile", "all", |v| {
        v.as_str()
            .ok_or_else(|| format!("{v} is not a profile"))?
            .parse()
    })
    .unwrap_or(Profile::All);
    let latest = KubeVersion::LATEST;
    let version = read(
        &map,
        "k",
        &mut problems,
        "Kubernetes version",
        &format!("the newest, {latest}"),
        |v| {
            let text = v.as_str().ok_or_else(|| format!("{v} is not a version"))?;
            let version: KubeVersion = text.parse()?;
            if version > latest {
                return Err(format!(
                    "{version} is newer than this playground knows ({latest})"
                ));
            }
            Ok(version)
        },
    );
    let unsafe_fixes = read(&map, "u", &mut problems, "unsafe-fixes flag", "off", |v| {
        v.as_bool()
            .ok_or_else(|| format!("{v} is not true or false"))
    })
    .unwrap_or(false);
    let left_out = read(
        &map,
        "x",
        &mut problems,
        "list of fixes left out",
        "none",
        |v| {
            let why = || format!("{v} is not a list of finding ids");
            v.as_array()
                .ok_or_else(why)?
                .iter()
                .map(|id| id.as_str().map(str::to_string).ok_or_else(why))
                .collect()
        },
    )
    .unwrap_or_default();
    let config = read(&map, "c", &mut problems, "configuration", "none", |v| {
        v.as_str()
            .map(Rc::from)
            .ok_or_else(|| format!("{v} is not a text"))
    })
    .unwrap_or_else(|| Rc::from(""));
    let tab = read(&map, "v", &mut problems, "tab", "the Findings tab", |v| {
        let name = v
            .as_str()
            .ok_or_else(|| format!("{v} is not a tab's name"))?;
        match TABS.iter().find(|t| **t == name) {
            Some(t) => Ok(Some(*t)),
            None if name == "findings" => Ok(None),
            None => Err(format!("{name:?} is not a tab of this playground")),
        }
    })
    .flatten();
    Ok(Decoded {
        shared: Shared {
            text,
            profile,
            version,
            unsafe_fixes,
            left_out,
            config,
            tab,
        },
        problems,
    })
}

/// Parse the optional `key` of `map`; a bad value is pushed to `problems` (naming what
/// it is and the default used instead) and gives `None`, like an absent one.
fn read<T>(
    map: &Map<String, Value>,
    key: &str,
    problems: &mut Vec<String>,
    what: &str,
    default: &str,
    parse: impl FnOnce(&Value) -> Result<T, String>,
) -> Option<T> {
    let value = map.get(key)?;
    parse(value)
        .map_err(|why| problems.push(format!("the {what} is not valid ({why}); using {default}")))
        .ok()
}

/// A link holding `json` as it is (for tests of hand-made links).
#[cfg(test)]
pub fn link_of_json(json: &str) -> String {
    format!("v1.{}", base64url(&compress_to_vec(json.as_bytes(), 9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use link_of_json as link;

    #[test]
    fn round_trip_keeps_every_value_and_leaves_defaults_out() {
        let state = Shared {
            text: "kind: Pod # é🦀\n".repeat(50).into(),
            profile: Profile::Restricted,
            version: Some(KubeVersion::new(29)),
            unsafe_fixes: true,
            left_out: vec!["privileged-container:<stdin>:1:/spec".into()],
            config: "rules:\n  cpu-limits: off # é\n".into(),
            tab: None,
        };
        let encoded = encode(&state);
        assert!(
            encoded.starts_with("v1.") && encoded.len() < 240,
            "{encoded}"
        );
        let decoded = decode(&encoded).unwrap();
        assert_eq!(decoded.shared, state);
        assert!(decoded.problems.is_empty());

        let plain = Shared {
            text: "a: 1\n".into(),
            profile: Profile::All,
            version: None,
            unsafe_fixes: false,
            left_out: Vec::new(),
            config: "".into(),
            tab: None,
        };
        let encoded = encode(&plain);
        assert_eq!(encoded, link(r#"{"t":"a: 1\n"}"#), "defaults are left out");
        assert_eq!(decode(&encoded).unwrap().shared, plain);
    }

    #[test]
    fn the_tab_is_kept_and_a_bad_one_reported() {
        let state = Shared {
            text: "kind: Pod\n".into(),
            profile: Profile::All,
            version: None,
            unsafe_fixes: false,
            left_out: Vec::new(),
            config: "".into(),
            tab: Some("reach"),
        };
        let encoded = encode(&state);
        assert_eq!(encoded, link(r#"{"t":"kind: Pod\n","v":"reach"}"#));
        assert_eq!(decode(&encoded).unwrap().shared, state);
        assert_ne!(
            Shared {
                tab: None,
                ..state.clone()
            },
            state
        );
        // Links without a tab (all links before it) open on the Findings tab; so does
        // one that names it.
        assert_eq!(decode(&link(r#"{"t":""}"#)).unwrap().shared.tab, None);
        let findings = decode(&link(r#"{"t":"","v":"findings"}"#)).unwrap();
        assert_eq!((findings.shared.tab, findings.problems.len()), (None, 0));
        let bad = decode(&link(r#"{"t":"x","v":"graphs"}"#)).unwrap();
        assert_eq!(&*bad.shared.text, "x");
        assert_eq!(bad.shared.tab, None);
        assert_eq!(
            bad.problems,
            ["the tab is not valid (\"graphs\" is not a tab of this playground); using the Findings tab"]
        );
        let typed = decode(&link(r#"{"t":"","v":2}"#)).unwrap();
        assert!(
            typed.problems[0].contains("2 is not a tab"),
            "{:?}",
            typed.problems
        );
    }

    #[test]
    fn a_patch_release_is_kept_and_a_bad_one_reported() {
        let state = Shared {
            text: "kind: Pod\n".into(),
            profile: Profile::All,
            version: Some(KubeVersion::with_patch(29, 3)),
            unsafe_fixes: false,
            left_out: Vec::new(),
            config: "".into(),
            tab: None,
        };
        let encoded = encode(&state);
        assert_eq!(encoded, link(r#"{"k":"1.29.3","t":"kind: Pod\n"}"#));
        let decoded = decode(&encoded).unwrap();
        assert_eq!(decoded.shared, state);
        assert_eq!(decoded.shared.version.unwrap().patch, Some(3));
        let minor = Shared {
            version: Some(KubeVersion::new(29)),
            ..state.clone()
        };
        assert_ne!(minor, state, "the patch release is part of the state");
        let bad = decode(&link(r#"{"t":"","k":"1.29.3-gke.100"}"#)).unwrap();
        assert_eq!(bad.shared.version, None);
        assert!(
            bad.problems[0].contains("1.29.3-gke.100") && bad.problems[0].contains("vendor"),
            "{:?}",
            bad.problems
        );
    }

    #[test]
    fn links_of_the_first_playground_still_load() {
        // As the string-typed playground wrote them: version "" was never written.
        let decoded = decode(&link(r#"{"t":"x: 1\n","p":"baseline","k":"1.25"}"#)).unwrap();
        assert_eq!(decoded.shared.profile, Profile::Baseline);
        assert_eq!(decoded.shared.version, Some(KubeVersion::new(25)));
        assert!(decoded.problems.is_empty());
    }

    #[test]
    fn bad_values_are_reported_not_silently_replaced() {
        let decoded = decode(&link(
            r#"{"t":"kind: Pod\n","p":"strict","k":"1.x","u":"yes","x":[1],"c":{"rules":1}}"#,
        ))
        .unwrap();
        assert_eq!(&*decoded.shared.text, "kind: Pod\n", "the text is kept");
        assert_eq!(decoded.shared.profile, Profile::All);
        assert_eq!(decoded.shared.version, None);
        assert!(!decoded.shared.unsafe_fixes);
        assert!(decoded.shared.left_out.is_empty());
        assert_eq!(&*decoded.shared.config, "");
        assert_eq!(decoded.problems.len(), 5, "{:?}", decoded.problems);
        assert!(decoded.problems[3].contains("fixes left out"));
        assert!(
            decoded.problems[4].contains("configuration is not valid")
                && decoded.problems[4].ends_with("using none"),
            "{:?}",
            decoded.problems
        );
        assert!(decoded.problems[0].contains("profile") && decoded.problems[0].contains("strict"));
        assert!(decoded.problems[0].ends_with("using all"));
        assert!(
            decoded.problems[1].contains("Kubernetes version")
                && decoded.problems[1].contains("1.x")
        );
        assert!(decoded.problems[2].contains("unsafe-fixes"));

        let newer = decode(&link(r#"{"t":"","k":"1.99"}"#)).unwrap();
        assert_eq!(newer.shared.version, None);
        assert!(
            newer.problems[0].contains("v1.99 is newer"),
            "{:?}",
            newer.problems
        );
        let typed = decode(&link(r#"{"t":"","p":3}"#)).unwrap();
        assert!(
            typed.problems[0].contains("3 is not a profile"),
            "{:?}",
            typed.problems
        );
    }

    #[test]
    fn unreadable_links_are_errors() {
        assert_eq!(decode("top"), Err(LinkError::NotALink));
        assert_eq!(decode("section.2"), Err(LinkError::NotALink));
        assert_eq!(decode("v2.abc"), Err(LinkError::NewerFormat("v2".into())));
        assert!(matches!(decode("v1.!!!"), Err(LinkError::Damaged(why)) if why.contains("'!'")));
        let not_deflate = format!("v1.{}", base64url(&[0xff; 6]));
        assert!(
            matches!(decode(&not_deflate), Err(LinkError::Damaged(why)) if why.contains("not deflate"))
        );
        assert!(
            matches!(decode(&link("[1]")), Err(LinkError::Damaged(why)) if why.contains("object"))
        );
        assert!(
            matches!(decode(&link("{\"p\":\"all\"}")), Err(LinkError::Damaged(why)) if why.contains("no text"))
        );
        assert!(matches!(
            decode(&link("{\"t\":1}")),
            Err(LinkError::Damaged(_))
        ));
        assert!(
            matches!(decode(&link("{\"t\":")), Err(LinkError::Damaged(why)) if why.contains("JSON"))
        );
    }

    #[test]
    fn every_truncation_of_a_link_is_an_error() {
        let full = encode(&Shared {
            text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                .repeat(3)
                .into(),
            profile: Profile::Baseline,
            version: Some(KubeVersion::new(30)),
            unsafe_fixes: true,
            left_out: Vec::new(),
            config: "profile: baseline\n".into(),
            tab: None,
        });
        for cut in 3..full.len() {
            let result = decode(&full[..cut]);
            assert!(
                matches!(result, Err(LinkError::Damaged(_))),
                "cut at {cut} of {}: {result:?}",
                full.len()
            );
        }
        assert!(LinkError::Damaged("x".into())
            .to_string()
            .contains("cut short"));
    }

    #[test]
    fn a_link_that_inflates_beyond_the_limit_is_refused() {
        let bomb = vec![b' '; MAX_INFLATED + 1];
        let fragment = format!("v1.{}", base64url(&compress_to_vec(&bomb, 1)));
        assert!(fragment.len() < 1 << 20, "{}", fragment.len());
        let error = decode(&fragment).unwrap_err().to_string();
        assert!(error.contains("more than 64 MiB"), "{error}");
    }

    #[test]
    fn base64url_round_trips_every_tail_length() {
        for n in 0..10 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
            assert_eq!(unbase64url(&base64url(&bytes)).unwrap(), bytes);
        }
        assert!(unbase64url("A").is_err());
        assert!(
            unbase64url("AAAA=").is_err(),
            "no padding in base64url links"
        );
    }
}
