//! Same-origin files the playground loads on demand instead of compiling them into its
//! WebAssembly (the gallery's examples, the rule examples; the extras' release dates):
//! nothing is fetched for the first check. URLs are relative to the page, so a site under
//! a sub-path works too.

use js_sys::JSON;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The text of `url` (relative to the page), or why it could not be loaded.
pub async fn text(url: &str) -> Result<String, String> {
    let failed = |e: JsValue| {
        let why = e
            .as_string()
            .or_else(|| JSON::stringify(&e).ok().and_then(|s| s.as_string()))
            .unwrap_or_default();
        format!("could not load {url}: {why}")
    };
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("could not load {url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    text.as_string()
        .ok_or_else(|| format!("could not load {url}: not text"))
}
