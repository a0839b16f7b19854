//! The kubeharden playground: the engine compiled to WebAssembly, in a Yew app.
//! Nothing leaves the browser: the text lives in the editor, localStorage and the URL
//! fragment, and every check runs here.
//!
//! Layout: [`state`] (the state, its actions and reducer; pure), [`share`] (share links;
//! pure; [`link`] compresses them with the browser's streams), [`examples`], [`engine`] (every engine call), [`app`] (the reducer hook, derived
//! results, autosave), [`coverage`] (what was checked, per document; pure), [`fetch`] (files loaded on demand), [`worker`] (the engine's Web Worker: checks and hardening off the page's thread; [`transfer`] carries their results across), [`extras`] (the WebAssembly loaded on demand for the export, the version note, the diff and the Access and Reach views: src/web/extras_main.rs) and one file per component: [`toolbar`], [`editor`] (over the
//! [`codemirror`] bindings), [`findings`], [`rule_doc`], [`hardened`], [`config_tab`] (the `.kubeharden.yaml` editor), [`extras_view`] (the Access and Reach tabs: the extras render their view in it; the views are `access_view.rs` and `reach_view.rs`, over the pure `access_data.rs` and `reach_data.rs`). The pure modules
//! are also tested natively by `tests/playground_state.rs`.

mod app;
mod codemirror;
mod config_tab;
mod coverage;
mod editor;
mod engine;
mod examples;
mod extras;
mod extras_view;
mod fetch;
mod findings;
mod hardened;
mod link;
// The check's progress told to JavaScript, shared with the package's bindings.
#[path = "../js/progress.rs"]
mod progress;
mod rule_doc;
mod share;
mod state;
mod toolbar;
mod transfer;
mod window;
mod worker;

use wasm_bindgen::prelude::*;

/// `#/lessons` and `#/lessons/<id>` open the lessons page (dist/lessons/, a page and wasm
/// of its own: src/web/lessons_main.rs). Whether the page is leaving for it.
fn lessons_redirect() -> bool {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return false;
    };
    let hash = location.hash().unwrap_or_default();
    let Some(rest) = hash.strip_prefix("#/lessons") else {
        return false;
    };
    let _ = location.replace(&format!("lessons/#/{}", rest.trim_start_matches('/')));
    true
}

fn main() {
    // In the engine's worker (src/web/worker.rs), this WebAssembly only answers checks.
    if web_sys::window().is_none() {
        return;
    }
    if lessons_redirect() {
        return;
    }
    // Also for such a link followed in the open playground (a fragment change).
    let on_hash = Closure::<dyn Fn()>::new(|| {
        lessons_redirect();
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    }
    on_hash.forget();
    // The link and the autosave are inflated by the browser (asynchronously) first.
    wasm_bindgen_futures::spawn_local(async {
        let mut start = app::start().await;
        if worker::start().is_ok() {
            start = start.apply(state::Action::CheckOffThread(true));
        }
        // The page's "loading" message, shown while the engine downloads.
        if let Some(loading) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("loading"))
        {
            loading.remove();
        }
        yew::Renderer::<app::App>::with_props(app::AppProps { start }).render();
    });
}
