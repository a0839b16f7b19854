//! The playground's share-link decoder (src/web/share.rs, compiled here natively): a
//! fragment is unframed (`v1.<base64url>`), inflated with the page's limit, and read as
//! the link's JSON; arbitrary bytes as the fragment and as the inflated JSON. Never a
//! panic: a bad link is an error value.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/web/share.rs"]
mod share;

use libfuzzer_sys::fuzz_target;
use miniz_oxide::inflate::decompress_to_vec_with_limit;

fuzz_target!(|data: &[u8]| {
    let _ = share::from_json(data);
    if let Ok(fragment) = std::str::from_utf8(data) {
        if let Ok(compressed) = share::unframe(fragment) {
            // The page inflates with `DecompressionStream` and the same limit.
            if let Ok(json) = decompress_to_vec_with_limit(&compressed, 1 << 20) {
                let _ = share::from_json(&json);
            }
        }
    }
});
