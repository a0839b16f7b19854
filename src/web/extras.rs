//! The playground's side of its extras (src/web/extras_main.rs, `dist/extras/`): a
//! WebAssembly of their own, loaded by `www/extras-loader.js` the first time one of these
//! is called, so that the report renderers, the release table's reader, the differ and the
//! Access and Reach views are not in the playground's first download. Each call resolves to the extras' answer or
//! to a sentence saying what failed (the extras could not be loaded, or what they refused).

use js_sys::{Array, Promise};
use kubeharden::{KubeVersion, Options};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub use kubeharden::adapter::ReportFormat;

#[wasm_bindgen(module = "/www/extras-loader.js")]
extern "C" {
    #[wasm_bindgen(js_name = callExtras)]
    fn call_extras(path: &str, name: &str, args: &Array) -> Promise;
    #[wasm_bindgen(js_name = callLoaded)]
    fn call_loaded(name: &str, args: &Array);
}

/// The extras' JavaScript, relative to the page. `make dist` names the files after their
/// content (`extras/kubeharden-extras-<hash>.js`, so that no browser keeps a stale copy) and
/// gives the name to this build as `KUBEHARDEN_EXTRAS_JS`; other builds (clippy) use the
/// unhashed name.
pub const EXTRAS_JS: &str = match option_env!("KUBEHARDEN_EXTRAS_JS") {
    Some(path) => path,
    None => "extras/kubeharden-extras.js",
};

/// A rejection's sentence: an `Error`'s message, or the value as text.
pub fn why(e: JsValue) -> String {
    if let Some(error) = e.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    e.as_string().unwrap_or_else(|| {
        js_sys::JSON::stringify(&e)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    })
}

thread_local! {
    static LOADED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the extras have answered a call on this page (they are loaded).
pub fn loaded() -> bool {
    LOADED.with(std::cell::Cell::get)
}

/// The extras' export `name` called with `args` on this page (loading them first).
/// Errors: they could not be loaded, or the export's error.
pub async fn call(name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let args: Array = args.iter().collect();
    let answer = JsFuture::from(call_extras(EXTRAS_JS, name, &args))
        .await
        .map_err(why)?;
    LOADED.with(|l| l.set(true));
    Ok(answer)
}

/// The `format` report of `text` as `kubeharden check` writes it, with `options` and the
/// Config tab's text `config` (applied when valid).
pub async fn report(
    text: &str,
    options: Options,
    config: &str,
    format: ReportFormat,
) -> Result<String, String> {
    let format = match format {
        ReportFormat::Json => "json",
        ReportFormat::Sarif => "sarif",
    };
    let args = [
        text.into(),
        options.profile.as_str().into(),
        options.version.to_string().into(),
        config.into(),
        format.into(),
    ];
    Ok(call("report", &args).await?.as_string().unwrap_or_default())
}

/// The CLI's line about `version`'s support today, when worth saying.
pub async fn target_note(version: KubeVersion) -> Result<Option<String>, String> {
    Ok(call("targetNote", &[version.to_string().into()])
        .await?
        .as_string())
}

/// The unified diff of `hardened` against `text`.
pub async fn diff(text: &str, hardened: &str) -> Result<String, String> {
    Ok(call("diff", &[text.into(), hardened.into()])
        .await?
        .as_string()
        .unwrap_or_default())
}

/// Render the extras' view `kind` (`"access"` or `"reach"`) of `text` at `version` into
/// `element`, or update the one there; the view calls `on_select(from, to)` (UTF-16
/// offsets; `None`: clicks select nothing) to select a place of the text in the editor.
pub async fn mount_view(
    kind: &str,
    element: &web_sys::Element,
    text: &str,
    version: KubeVersion,
    on_select: Option<js_sys::Function>,
) -> Result<(), String> {
    let args = [
        kind.into(),
        element.into(),
        text.into(),
        version.to_string().into(),
        on_select.map_or(JsValue::UNDEFINED, JsValue::from),
    ];
    call("mountView", &args).await.map(|_| ())
}

/// Remove the view [`mount_view`] rendered into `element`, once the calls before have
/// run; nothing when the extras were never asked for (this starts no load).
pub fn unmount_view(element: &web_sys::Element) {
    call_loaded(
        "unmountView",
        &std::iter::once(JsValue::from(element)).collect(),
    );
}
