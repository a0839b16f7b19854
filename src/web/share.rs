//! Share links: the playground state, compressed into the URL fragment (which never
//! reaches a server). Versioned (`#v1.…`) so old links keep loading.
//!
//! Format `v1.<base64url(raw deflate(json))>`, base64url without padding (RFC 4648 §5);
//! the JSON object holds `t` (the text, required), `p` (profile: `baseline`,
//! `restricted`; absent for `all`), `k` (Kubernetes version `1.NN`; absent for the
//! newest) and `u` (`true` when unsafe fixes are on; absent otherwise).
//!
//! Reading a link never falls back silently: a link that cannot be read at all is a
//! [`LinkError`], and a readable link with a bad value keeps the rest and lists the
//! value in [`Decoded::problems`], for the page to show.

use std::fmt;
use std::rc::Rc;

use kubeharden::{KubeVersion, Profile};
use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
use serde_json::{json, Map, Value};

/// The largest text a link may inflate to (bytes): a bomb in a link is refused.
pub const MAX_INFLATED: usize = 64 << 20;

/// What a link restores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub text: Rc<str>,
    pub profile: Profile,
    /// `None`: the newest version this playground knows ([`KubeVersion::LATEST`]).
    pub version: Option<KubeVersion>,
    pub unsafe_fixes: bool,
}

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

/// The link's form of a version: `1.NN` (what the version menu offers).
pub fn version_value(v: KubeVersion) -> String {
    format!("1.{}", v.minor)
}

/// `v1.<base64url(deflate(json))>`; defaults are left out.
pub fn encode(state: &Shared) -> String {
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
    let bytes = compress_to_vec(v.to_string().as_bytes(), 9);
    format!("v1.{}", base64url(&bytes))
}

/// Read a fragment (without `#`).
///
/// Errors: [`LinkError`] when there is no text to restore. A bad profile, version or
/// unsafe flag keeps the text, takes the default for that value and says so in
/// [`Decoded::problems`]. Versions newer than [`KubeVersion::LATEST`] are problems too:
/// the menu cannot show them.
pub fn decode(fragment: &str) -> Result<Decoded, LinkError> {
    let Some((format, data)) = fragment.split_once('.') else {
        return Err(LinkError::NotALink);
    };
    match format.strip_prefix('v').map(str::parse::<u32>) {
        Some(Ok(1)) => {}
        Some(Ok(_)) => return Err(LinkError::NewerFormat(format.to_string())),
        _ => return Err(LinkError::NotALink),
    }
    let compressed = unbase64url(data).map_err(LinkError::Damaged)?;
    let bytes = decompress_to_vec_with_limit(&compressed, MAX_INFLATED).map_err(|e| {
        LinkError::Damaged(match e.status {
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                "its compressed data ends too early".into()
            }
            TINFLStatus::HasMoreOutput => {
                format!("it inflates to more than {} MiB", MAX_INFLATED >> 20)
            }
            _ => "its data is not deflate-compressed".into(),
        })
    })?;
    let value: Value = serde_json::from_slice(&bytes)
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
    Ok(Decoded {
        shared: Shared {
            text,
            profile,
            version,
            unsafe_fixes,
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
        };
        let encoded = encode(&state);
        assert!(
            encoded.starts_with("v1.") && encoded.len() < 200,
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
        };
        let encoded = encode(&plain);
        assert_eq!(encoded, link(r#"{"t":"a: 1\n"}"#), "defaults are left out");
        assert_eq!(decode(&encoded).unwrap().shared, plain);
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
            r#"{"t":"kind: Pod\n","p":"strict","k":"1.x","u":"yes"}"#,
        ))
        .unwrap();
        assert_eq!(&*decoded.shared.text, "kind: Pod\n", "the text is kept");
        assert_eq!(decoded.shared.profile, Profile::All);
        assert_eq!(decoded.shared.version, None);
        assert!(!decoded.shared.unsafe_fixes);
        assert_eq!(decoded.problems.len(), 3, "{:?}", decoded.problems);
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
