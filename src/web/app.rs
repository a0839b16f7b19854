//! The app: the state (a reducer over [`State`]), the results derived from it, the
//! autosave and URL fragment, and the layout of the components.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::editor::{Editor, EditorHandle};
use crate::engine::{self, Checked, Hardened};
use crate::findings::Findings;
use crate::hardened::HardenedView;
use crate::share::{self, Shared};
use crate::state::{Action, Notice, State, Tab, Tone, LARGE_INPUT};
use crate::toolbar::Toolbar;

/// Where the autosave lives in localStorage.
const STORAGE_KEY: &str = "kubeharden.state";
/// The URL is rewritten at most this often (milliseconds): Safari throttles it.
const WRITE_INTERVAL_MS: f64 = 750.0;

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Rc::unwrap_or_clone(self).apply(action))
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The state a page starts from (see [`State::initial`]).
fn initial_state() -> State {
    let fragment = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let saved = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    State::initial(fragment.trim_start_matches('#'), saved.as_deref())
}

/// Write `shared` to localStorage and, unless it is too large for a link, to the URL.
fn persist(shared: &Shared) {
    // Compressed only when written, so typing never waits for it.
    let fragment = share::encode(shared);
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, &fragment);
    }
    if shared.text.len() <= LARGE_INPUT {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let url = format!("#{fragment}");
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    let dispatch: Rc<Callback<Action>> = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| Callback::from(move |a| dispatcher.dispatch(a)))
    };
    let editor = use_memo((), |_| EditorHandle::default());

    let checked: Rc<Option<Checked>> = use_memo(state.check_input(), |input| {
        input.as_ref().map(engine::check)
    });
    let hardened: Rc<Option<Hardened>> = use_memo(state.harden_input(), |input| {
        input.as_ref().map(engine::harden)
    });

    // Autosave and the URL fragment, at most every WRITE_INTERVAL_MS. Not for the state
    // the page opened with: it is already where it came from, and a link with a
    // problem stays in the address bar until the user changes something.
    {
        let writes: Rc<RefCell<(Option<f64>, Option<Timeout>)>> = use_mut_ref(|| (None, None));
        use_effect_with(state.shared(), move |shared| {
            let mut w = writes.borrow_mut();
            match w.0 {
                None => w.0 = Some(f64::NEG_INFINITY),
                Some(last) => {
                    let write = {
                        let (writes, shared) = (writes.clone(), shared.clone());
                        move || {
                            persist(&shared);
                            writes.borrow_mut().0 = Some(js_sys::Date::now());
                        }
                    };
                    let elapsed = js_sys::Date::now() - last;
                    if elapsed >= WRITE_INTERVAL_MS {
                        w.1 = None;
                        drop(w);
                        write();
                    } else {
                        let wait = (WRITE_INTERVAL_MS - elapsed) as u32;
                        w.1 = Some(Timeout::new(wait, write));
                    }
                }
            }
        });
    }

    let on_select = {
        let editor = (*editor).clone();
        Callback::from(move |(from, to): (usize, usize)| editor.select(from, to))
    };
    let on_change = dispatch.reform(Action::SetText);
    let tab_button = |t: Tab, label: &str, id: &str| {
        let active = state.tab == t;
        html! {
            <button role="tab" aria-selected={ active.to_string() } class={ classes!("tab", active.then_some("active")) }
                data-testid={ id.to_string() } onclick={ dispatch.reform(move |_: MouseEvent| Action::SelectTab(t)) }>{ label }</button>
        }
    };

    html! {
        <div class="app">
            <Toolbar shared={ state.shared() } checked={ checked.clone() } dispatch={ (*dispatch).clone() } />
            <main class="panes">
                <section class="editor-pane" aria-label="Editor">
                    <Editor handle={ (*editor).clone() } text={ state.text.clone() } loaded={ state.loaded }
                        checked={ checked.clone() } {on_change} />
                    <div class="status" data-testid="status" role="status" aria-live="polite">
                        { status(&state, checked.as_ref().as_ref(), &dispatch) }
                    </div>
                    if let Some(notice) = &state.notice { { notice_view(notice, &dispatch) } }
                </section>
                <section class="side-pane">
                    <div class="tabs" role="tablist">
                        { tab_button(Tab::Findings, "Findings", "tab-findings") }
                        { tab_button(Tab::Hardened, "Hardened YAML", "tab-hardened") }
                        { tab_button(Tab::Diff, "Diff", "tab-diff") }
                    </div>
                    if state.tab == Tab::Findings {
                        <Findings checked={ checked.clone() } filters={ state.filters.clone() } left_out={ state.left_out.clone() }
                            dispatch={ (*dispatch).clone() } {on_select} />
                    } else {
                        <HardenedView hardened={ hardened.clone() } diff={ state.tab == Tab::Diff } />
                    }
                </section>
            </main>
            <footer class="foot">{ "Nothing you type leaves this page: checks run in WebAssembly, the text is saved in this browser and in the link's #fragment only. " }
                <a href="https://kubernetes.io/docs/concepts/security/pod-security-standards/" rel="noopener noreferrer" target="_blank">{ "Pod Security Standards" }</a>
            </footer>
        </div>
    }
}

/// The status line: the number of findings and the first YAML error, or why checking
/// is paused.
fn status(state: &State, checked: Option<&Checked>, dispatch: &Callback<Action>) -> Html {
    let Some(c) = checked else {
        let mb = state.text.len() as f64 / 1e6;
        return html! {
            <span>
                { format!("Large input ({mb:.1} MB): checking is paused so that typing stays smooth. ") }
                <button onclick={ dispatch.reform(|_: MouseEvent| Action::CheckLargeAnyway) }>{ "Check anyway" }</button>
            </span>
        };
    };
    let live = c.findings.iter().filter(|f| f.suppressed.is_none()).count();
    let mut s = format!("{live} finding{}", if live == 1 { "" } else { "s" });
    if let Some(e) = c.errors.first() {
        s.push_str(&format!(
            " · YAML error at line {}, column {}: {} (other documents are still checked)",
            e.line, e.column, e.message
        ));
    }
    html! { <span>{ s }</span> }
}

fn notice_view(notice: &Notice, dispatch: &Callback<Action>) -> Html {
    let (class, role) = match notice.tone {
        Tone::Info => ("notice", "status"),
        Tone::Warning => ("notice warning", "alert"),
    };
    html! {
        <div {class} {role} data-testid="notice">
            <span>{ &notice.text }</span>
            <button class="dismiss" aria-label="Dismiss" onclick={ dispatch.reform(|_: MouseEvent| Action::DismissNotice) }>{ "×" }</button>
        </div>
    }
}
