//! Share links in the browser: [`crate::share`]'s format, compressed and inflated with the
//! browser's `CompressionStream` / `DecompressionStream` (`deflate-raw`, through
//! `www/editor.js`) instead of a deflate implementation in the WebAssembly.

use js_sys::Uint8Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::codemirror;
use crate::share::{self, Decoded, LinkError, Shared};

/// The fragment (without `#`) of `shared`. Errors: the browser could not compress (it
/// has no `CompressionStream`).
pub async fn encode(shared: &Shared) -> Result<String, String> {
    let json = share::to_json(shared);
    let promise = codemirror::deflate_raw(&Uint8Array::from(json.as_bytes()));
    let bytes = JsFuture::from(promise)
        .await
        .map_err(|_| "this browser cannot compress a link".to_string())?;
    Ok(share::frame(&Uint8Array::new(&bytes).to_vec()))
}

/// Read a fragment (without `#`); the errors of [`share::unframe`] and
/// [`share::from_json`], and compressed data that is damaged, cut short or too large.
pub async fn decode(fragment: &str) -> Result<Decoded, LinkError> {
    let compressed = share::unframe(fragment)?;
    let promise = codemirror::inflate_raw(
        &Uint8Array::from(compressed.as_slice()),
        share::MAX_INFLATED as f64,
    );
    let bytes = JsFuture::from(promise).await.map_err(|why: JsValue| {
        LinkError::Damaged(match why.as_string().as_deref() {
            Some("large") => share::too_large(),
            Some("truncated") => share::TRUNCATED.into(),
            _ => share::NOT_DEFLATE.into(),
        })
    })?;
    share::from_json(&Uint8Array::new(&bytes).to_vec())
}
