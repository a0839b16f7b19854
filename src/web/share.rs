//! Share links: the playground state, compressed into the URL fragment (which never
//! reaches a server). Versioned (`#v1.…`) so old links keep loading.

use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;
use serde_json::{json, Value};

/// What a link restores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub text: String,
    pub profile: String,
    pub version: String,
    pub unsafe_fixes: bool,
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

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `v1.<base64url(deflate(json))>`; defaults are left out.
pub fn encode(state: &Shared) -> String {
    let mut v = json!({ "t": state.text });
    if state.profile != "all" {
        v["p"] = json!(state.profile);
    }
    if !state.version.is_empty() {
        v["k"] = json!(state.version);
    }
    if state.unsafe_fixes {
        v["u"] = json!(true);
    }
    let bytes = compress_to_vec(v.to_string().as_bytes(), 9);
    format!("v1.{}", base64url(&bytes))
}

/// Read a fragment (without `#`). Unknown versions and damaged links give `None`.
pub fn decode(fragment: &str) -> Option<Shared> {
    let data = fragment.strip_prefix("v1.")?;
    let bytes = decompress_to_vec_with_limit(&unbase64url(data)?, 64 << 20).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    Some(Shared {
        text: v.get("t")?.as_str()?.to_string(),
        profile: v
            .get("p")
            .and_then(Value::as_str)
            .unwrap_or("all")
            .to_string(),
        version: v.get("k").and_then(Value::as_str).unwrap_or("").to_string(),
        unsafe_fixes: v.get("u").and_then(Value::as_bool).unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damaged_links() {
        let state = Shared {
            text: "kind: Pod # é🦀\n".repeat(50),
            profile: "restricted".into(),
            version: "1.29".into(),
            unsafe_fixes: true,
        };
        let link = encode(&state);
        assert!(link.starts_with("v1.") && link.len() < 200, "{link}");
        assert_eq!(decode(&link), Some(state));
        assert_eq!(decode("v2.abc"), None);
        assert_eq!(decode("v1.!!!"), None);
        for n in 0..10 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
            assert_eq!(unbase64url(&base64url(&bytes)).unwrap(), bytes);
        }
    }
}
