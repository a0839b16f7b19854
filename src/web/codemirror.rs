//! Bindings to the CodeMirror glue (`www/editor.js`, bundled by esbuild into
//! `www/editor.bundle.js`, which Trunk copies next to the app). Offsets are UTF-16 code
//! units, as CodeMirror counts.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/www/editor.bundle.js")]
extern "C" {
    pub type EditorView;

    #[wasm_bindgen(js_name = createEditor)]
    pub fn create_editor(
        parent: &web_sys::HtmlElement,
        text: &str,
        on_change: &js_sys::Function,
    ) -> EditorView;

    #[wasm_bindgen(js_name = setText)]
    pub fn set_text(view: &EditorView, text: &str);

    #[wasm_bindgen(js_name = setDiagnostics)]
    pub fn set_diagnostics(view: &EditorView, diagnostics: &JsValue);

    #[wasm_bindgen(js_name = selectRange)]
    pub fn select_range(view: &EditorView, from: u32, to: u32);

    #[wasm_bindgen(js_name = copyText)]
    pub fn copy_text(text: &str) -> js_sys::Promise;

    #[wasm_bindgen(js_name = downloadText)]
    pub fn download_text(filename: &str, text: &str);

    #[wasm_bindgen(js_name = nowMs)]
    pub fn now_ms() -> f64;
}

/// One CodeMirror lint diagnostic, as a plain JS object.
pub fn diagnostic(from: usize, to: usize, severity: &str, message: &str, source: &str) -> JsValue {
    let object = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(k), &v);
    };
    set("from", JsValue::from_f64(from as f64));
    set("to", JsValue::from_f64(to as f64));
    set("severity", JsValue::from_str(severity));
    set("message", JsValue::from_str(message));
    set("source", JsValue::from_str(source));
    object.into()
}

/// A finding's secondary location as a CodeMirror diagnostic: a dotted underline whose
/// hover names the finding it explains.
pub fn related(from: usize, to: usize, message: &str, source: &str) -> JsValue {
    let d = diagnostic(from, to, "hint", message, source);
    let _ = js_sys::Reflect::set(&d, &JsValue::from_str("related"), &JsValue::TRUE);
    d
}
