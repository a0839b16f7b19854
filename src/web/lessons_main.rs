//! The playground's lessons page (`dist/lessons/`, www/lessons/index.html): workshop
//! lessons with the editor, live findings and the library's success check
//! (`kubeharden::lessons::Checker`) evaluated on every edit, in Rust.
//!
//! A page and a WebAssembly of its own, so that none of it is in the playground's first
//! download (its budget, README "Budgets"); the lesson data is not even in this wasm:
//! it is `lessons.json` (made at build time by `kubeharden lesson list --json`), fetched
//! when the page opens. It reuses the playground's editor component and CodeMirror
//! bindings and its Markdown renderer (the files of `src/web/`, compiled into this bin
//! too; what this page does not call of them is dead code here, hence the `allow`s).
//!
//! Layout: [`lessons_state`] (route and progress; pure), [`lessons_view`] (the
//! components).

#[allow(dead_code)]
mod codemirror;
#[allow(dead_code)]
mod editor;
#[allow(dead_code)]
mod fetch;
mod lessons_state;
mod lessons_view;
#[allow(dead_code)]
mod rule_doc;

/// What the shared editor component needs of the playground's engine module.
mod engine {
    pub use kubeharden::adapter::Checked;
}

use kubeharden::lessons::Lessons;

/// The lesson data, relative to the page.
const LESSONS_URL: &str = "lessons.json";

fn main() {
    wasm_bindgen_futures::spawn_local(async {
        let loaded = match fetch::text(LESSONS_URL).await {
            Ok(text) => Lessons::from_json(&text)
                .map(|l| lessons_view::LessonSet(Box::leak(Box::new(l))))
                .map_err(|e| format!("{LESSONS_URL} could not be read: {e}")),
            Err(e) => Err(e),
        };
        if let Some(loading) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("loading"))
        {
            loading.remove();
        }
        yew::Renderer::<lessons_view::LessonsApp>::with_props(lessons_view::AppProps { loaded })
            .render();
    });
}
