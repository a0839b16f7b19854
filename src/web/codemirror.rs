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
        on_fix: &js_sys::Function,
        label: &str,
        testid: &str,
    ) -> EditorView;

    /// Let the user open a local file into the editor (undoable).
    #[wasm_bindgen(js_name = pickFile)]
    pub fn pick_file(view: &EditorView);

    /// The colour scheme chosen: `"light"`, `"dark"` or `""` (the system's).
    pub fn theme() -> String;

    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(name: &str);

    #[wasm_bindgen(js_name = deflateRaw)]
    pub fn deflate_raw(bytes: &js_sys::Uint8Array) -> js_sys::Promise;

    #[wasm_bindgen(js_name = inflateRaw)]
    pub fn inflate_raw(bytes: &js_sys::Uint8Array, limit: f64) -> js_sys::Promise;

    #[wasm_bindgen(js_name = focusEditor)]
    pub fn focus_editor(view: &EditorView);

    /// The resizable split (`#splitter` between the panes of `#panes`).
    #[wasm_bindgen(js_name = installSplit)]
    pub fn install_split();
    #[wasm_bindgen(js_name = installMenus)]
    pub fn install_menus();

    #[wasm_bindgen(js_name = getText)]
    pub fn get_text(view: &EditorView) -> String;

    #[wasm_bindgen(js_name = setText)]
    pub fn set_text(view: &EditorView, text: &str);

    #[wasm_bindgen(js_name = setDiagnostics)]
    pub fn set_diagnostics(view: &EditorView, diagnostics: &JsValue);

    #[wasm_bindgen(js_name = selectRange)]
    pub fn select_range(view: &EditorView, from: u32, to: u32);

    /// A JavaScript function `(from, to)` that selects as [`select_range`] does on `view`
    /// but leaves the keyboard focus where it is (what the Access and Reach views call).
    pub fn selector(view: &EditorView) -> js_sys::Function;

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

/// Set `key` of diagnostic `d` to `value`.
pub fn set(d: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(d, &JsValue::from_str(key), value);
}

/// A finding's secondary location as a CodeMirror diagnostic: a dotted underline whose
/// hover names the finding it explains.
pub fn related(from: usize, to: usize, message: &str, source: &str) -> JsValue {
    let d = diagnostic(from, to, "hint", message, source);
    let _ = js_sys::Reflect::set(&d, &JsValue::from_str("related"), &JsValue::TRUE);
    d
}
