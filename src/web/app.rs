//! The app: the state (a reducer over [`State`]), the results derived from it, the
//! autosave and URL fragment, and the layout of the components.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::codemirror;
use crate::config_tab::ConfigTab;
use crate::editor::{Editor, EditorHandle};
use crate::engine::{Checked, Hardened};
use crate::extras_view::ExtrasView;
use crate::findings::Findings;
use crate::hardened::HardenedView;
use crate::link;
use crate::rule_doc::Catalogue;
use crate::share::Shared;
use crate::state::{Action, Notice, NoticeAction, State, Tab, Tone, LARGE_INPUT};
use crate::toolbar::Toolbar;
use crate::worker::{self, Answer};

/// Information notices go away by themselves after this long (milliseconds).
const NOTICE_MS: u32 = 6000;

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

/// The state a page starts from (see [`State::start`]): the URL's link and the
/// autosave, inflated by the browser.
pub async fn start() -> State {
    let fragment = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let fragment = fragment.trim_start_matches('#');
    let link = if fragment.is_empty() {
        None
    } else {
        Some(link::decode(fragment).await)
    };
    let saved = match storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()) {
        Some(saved) => Some(link::decode(&saved).await),
        None => None,
    };
    State::start(link, saved)
}

/// Write `shared` to the URL (unless it is too large for a link: then the URL holds no
/// state, rather than an older one) and, with `autosave`, to localStorage. The autosave
/// is left alone while it holds work an opened link displaced ([`State::displaced`]).
/// Compressed only when written, so typing never waits for it; `seq` drops a write that
/// a newer one overtook.
async fn persist(
    shared: Shared,
    autosave: bool,
    seq: Rc<std::cell::Cell<u64>>,
    dispatch: Rc<Callback<Action>>,
) {
    let mine = seq.get() + 1;
    seq.set(mine);
    let Ok(fragment) = link::encode(&shared).await else {
        return;
    };
    if seq.get() != mine {
        return;
    }
    if autosave {
        if let Some(storage) = storage() {
            // Over the browser's quota (a large text that compresses badly): say so, since
            // a reload would not bring this text back.
            if storage.set_item(STORAGE_KEY, &fragment).is_err() {
                dispatch.emit(Action::Notify(Notice::warning(
                    "This text is too large for this browser's storage: it is not autosaved, and a reload would lose it.",
                )));
            }
        }
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let url = if shared.text.len() <= LARGE_INPUT {
            format!("#{fragment}")
        } else {
            window.location().pathname().unwrap_or_default()
        };
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The state the page starts from ([`start`]).
    pub start: State,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = {
        let start = props.start.clone();
        use_reducer(move || start)
    };
    let dispatch: Rc<Callback<Action>> = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| Callback::from(move |a| dispatcher.dispatch(a)))
    };
    let editor = use_memo((), |_| EditorHandle::default());

    // Checks and hardening run in the engine's worker; where it fails, checks run here and
    // large texts pause again (src/web/worker.rs).
    let on_thread = {
        let dispatch = dispatch.clone();
        Callback::from(move |why: String| {
            dispatch.emit(Action::CheckOffThread(false));
            dispatch.emit(Action::Notify(Notice::warning(format!(
                "Checks now run on the page itself, so typing may wait for them: the engine's worker stopped ({why})."
            ))));
        })
    };
    let check = worker::use_check(state.check_input(), on_thread);
    let checked: Rc<Option<Checked>> = check.value.clone();
    let harden = worker::use_harden(state.harden_input());
    let hardened: Rc<Option<Hardened>> = harden.value.clone();

    // Autosave and the URL fragment, at most every WRITE_INTERVAL_MS. Not for the state
    // the page opened with: it is already where it came from, and a link with a
    // problem stays in the address bar until the user changes something.
    {
        let writes: Rc<RefCell<(Option<f64>, Option<Timeout>)>> = use_mut_ref(|| (None, None));
        let dispatch = dispatch.clone();
        let seq: Rc<std::cell::Cell<u64>> =
            (*use_memo((), |_| Rc::new(std::cell::Cell::new(0)))).clone();
        let autosave = state.displaced.is_none();
        use_effect_with((state.shared(), autosave), move |(shared, autosave)| {
            let autosave = *autosave;
            let mut w = writes.borrow_mut();
            match w.0 {
                None => w.0 = Some(f64::NEG_INFINITY),
                Some(last) => {
                    let write = {
                        let (writes, shared, seq) = (writes.clone(), shared.clone(), seq.clone());
                        let dispatch = dispatch.clone();
                        move || {
                            wasm_bindgen_futures::spawn_local(persist(
                                shared, autosave, seq, dispatch,
                            ));
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

    // Callbacks that stay the same from one render to the next (they depend on nothing
    // that typing changes), so that a keystroke re-renders neither the editor's component
    // nor the findings list (issue 16).
    let on_select = {
        let editor = (*editor).clone();
        use_callback((), move |(from, to): (usize, usize), _| {
            editor.select(from, to)
        })
    };
    let on_change = {
        let dispatch = dispatch.clone();
        use_callback((), move |text: String, _| {
            dispatch.emit(Action::SetText(text))
        })
    };
    // One finding's fix applied to the editor's text as it is now (undoable there); made in
    // the worker, so the text may change meanwhile: then nothing is replaced.
    let on_apply = {
        let (editor, dispatch) = ((*editor).clone(), dispatch.clone());
        use_callback(
            (state.options(), state.config.clone()),
            move |id: String, (options, config)| {
                let Some(text) = editor.text() else {
                    return;
                };
                let (editor, dispatch) = (editor.clone(), dispatch.clone());
                let (options, config) = (*options, config.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let notice = match worker::apply_one(&text, options, &config, &id).await {
                        Ok(None) => return,
                        Ok(Some(_)) if editor.text().is_some_and(|now| now != text) => {
                            Notice::warning(
                                "The text changed while the fix was being made, so it was not applied: apply it again.",
                            )
                        }
                        Ok(Some(fixed)) => {
                            dispatch.emit(Action::ApplyText(fixed));
                            Notice::info("Fix applied to the editor: Ctrl+Z there undoes it.")
                        }
                        Err(why) => {
                            Notice::warning(format!("This fix could not be applied: {why}."))
                        }
                    };
                    dispatch.emit(Action::Notify(notice));
                });
            },
        )
    };

    // Information notices go away by themselves; warnings stay until dismissed.
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.notice.clone(), move |notice| {
            let timer = notice
                .as_ref()
                .filter(|n| n.tone == Tone::Info && n.action.is_none())
                .map(|_| Timeout::new(NOTICE_MS, move || dispatch.emit(Action::DismissNotice)));
            move || drop(timer)
        });
    }
    // The resizable split between the editor and the side pane, and menus that close on
    // Escape or a click elsewhere (www/editor.js).
    use_effect_with((), |_| {
        codemirror::install_split();
        codemirror::install_menus();
    });

    const TABS: [(Tab, &str, &str); 7] = [
        (Tab::Findings, "Findings", "tab-findings"),
        (Tab::Hardened, "Hardened YAML", "tab-hardened"),
        (Tab::Diff, "Diff", "tab-diff"),
        (Tab::Access, "Access", "tab-access"),
        (Tab::Reach, "Reach", "tab-reach"),
        (Tab::Rules, "Rules", "tab-rules"),
        (Tab::Config, "Config", "tab-config"),
    ];
    // The ARIA tabs pattern: one tab in the Tab order, arrow keys, Home and End move.
    let on_tab_key = {
        let (dispatch, current) = (dispatch.clone(), state.tab);
        move |e: KeyboardEvent| {
            let i = TABS.iter().position(|t| t.0 == current).unwrap_or(0);
            let next = match e.key().as_str() {
                "ArrowRight" => (i + 1) % TABS.len(),
                "ArrowLeft" => (i + TABS.len() - 1) % TABS.len(),
                "Home" => 0,
                "End" => TABS.len() - 1,
                _ => return,
            };
            e.prevent_default();
            dispatch.emit(Action::SelectTab(TABS[next].0));
            crate::toolbar::focus(TABS[next].2);
        }
    };
    let tab_button = |(t, label, id): (Tab, &str, &str)| {
        let active = state.tab == t;
        html! {
            <button role="tab" id={ id.to_string() } aria-selected={ active.to_string() } aria-controls="tab-panel"
                tabindex={ if active { "0" } else { "-1" } } class={ classes!("tab", active.then_some("active")) }
                data-testid={ id.to_string() } onclick={ dispatch.reform(move |_: MouseEvent| Action::SelectTab(t)) }>{ label }</button>
        }
    };
    let active_tab = TABS
        .iter()
        .find(|t| t.0 == state.tab)
        .map_or("tab-findings", |t| t.2);
    let helm = state.text.contains("{{") && state.text.contains("}}");

    html! {
        <div class="app">
            <Toolbar shared={ state.shared() } config_sets={ state.config_sets() } checked={ checked.clone() } options={ state.options() } editor={ (*editor).clone() }
                example={ state.example.filter(|_| !state.edited()) } edited={ state.edited() } dispatch={ (*dispatch).clone() } />
            <main class="panes" id="panes">
                <section class="editor-pane" aria-label="Editor">
                    <Editor handle={ (*editor).clone() } text={ state.text.clone() } loaded={ state.loaded }
                        checked={ checked.clone() } {on_change} on_fix={ on_apply.clone() } />
                    <div class="status" data-testid="status">{ status(&state, &check, &dispatch) }</div>
                    if let Some(notice) = &state.notice { { notice_view(notice, &dispatch) } }
                </section>
                <div class="splitter" id="splitter" role="separator" aria-orientation="vertical" tabindex="0"
                    aria-label="Resize the editor and the findings (arrow keys)" aria-controls="panes"></div>
                <section class="side-pane" aria-label="Results">
                    <div class="tabs" role="tablist" aria-label="Results" onkeydown={ on_tab_key }>
                        { for TABS.iter().map(|t| tab_button(*t)) }
                    </div>
                    <div id="tab-panel" role="tabpanel" aria-labelledby={ active_tab } class="tab-panel">
                        <button class="skip" id="findings-start" onclick={ { let e = (*editor).clone(); move |_: MouseEvent| e.focus() } }>{ "Skip to the editor" }</button>
                        if state.tab == Tab::Access {
                            <ExtrasView key="access" kind="access" label="Access" text={ state.text.clone() } version={ state.options().version } editor={ (*editor).clone() } />
                        } else if state.tab == Tab::Reach {
                            <ExtrasView key="reach" kind="reach" label="Reach" text={ state.text.clone() } version={ state.options().version } editor={ (*editor).clone() } />
                        } else if state.tab == Tab::Rules {
                            <Catalogue config={ state.config.clone() } open={ state.rule_doc.clone() } />
                        } else if state.tab == Tab::Config {
                            <ConfigTab text={ state.config.clone() } loaded={ state.config_loaded }
                                on_change={ dispatch.reform(Action::SetConfig) } />
                        } else if state.tab == Tab::Findings {
                            <Findings checked={ checked.clone() } options={ state.options() } filters={ state.filters.clone() }
                                unsafe_fixes={ state.unsafe_fixes } left_out={ state.left_out.clone() } {helm}
                                dispatch={ (*dispatch).clone() } {on_select} on_apply={ on_apply.clone() } />
                        } else {
                            <HardenedView hardened={ hardened.clone() } busy={ harden.busy } failed={ harden.failed.clone() } checked={ checked.clone() } unsafe_fixes={ state.unsafe_fixes }
                                left_out={ state.left_out.clone() } diff={ state.tab == Tab::Diff } text={ state.text.clone() } dispatch={ (*dispatch).clone() } />
                        }
                    </div>
                </section>
            </main>
            <footer class="foot">{ "Nothing you type leaves this page: checks run in WebAssembly, the text is saved in this browser and in the link's #fragment only. " }
                <a href="https://kubernetes.io/docs/concepts/security/pod-security-standards/" rel="noopener noreferrer" target="_blank">{ "Pod Security Standards" }</a>
                { " · " }
                <a href="widget-demo.html" id="widget-demo-link">{ "Embed the checker in your docs" }</a>
                { " · " }
                <a href="lessons/" id="lessons-link">{ "Lessons for workshops" }</a>
            </footer>
        </div>
    }
}

/// The status line: the number of findings and the first YAML error, that a check is
/// under way or why it stopped, or why checking is paused, in a polite live region; while a
/// check runs (the region is `aria-busy` then), its stage and progress bar follow, outside the
/// region: a screen reader is told what the check found, not each step on the way.
fn status(state: &State, check: &Answer<Checked>, dispatch: &Callback<Action>) -> Html {
    html! {
        <>
            <span role="status" aria-live="polite" aria-busy={ check.busy.to_string() }>{ status_text(state, check, dispatch) }</span>
            if check.busy { <worker::CheckProgress /> }
        </>
    }
}

/// [`status`]'s live text.
fn status_text(state: &State, check: &Answer<Checked>, dispatch: &Callback<Action>) -> Html {
    let mb = crate::state::megabytes(state.text.len());
    if let Some(why) = &check.failed {
        return html! {
            <span class="failed">{ format!("The check of this text ({mb} MB) did not finish: {why}. The kubeharden CLI checks texts of any size: kubeharden check FILE.") }</span>
        };
    }
    let Some(c) = check.value.as_ref().as_ref() else {
        if check.busy {
            return html! { <span class="busy">{ format!("Checking {mb} MB") }</span> };
        }
        return html! {
            <span>
                { format!("Large input ({mb} MB): checking is paused so that typing stays smooth. ") }
                <button onclick={ dispatch.reform(|_: MouseEvent| Action::CheckLargeAnyway) }>{ "Check anyway" }</button>
            </span>
        };
    };
    let live = c.findings.iter().filter(|f| f.suppressed.is_none()).count();
    let mut s = format!("{live} finding{}", if live == 1 { "" } else { "s" });
    // While a newer text is checked, what is counted is the older text's (the size below
    // is the newer one's).
    if check.busy {
        s.push_str(" (of the previous text)");
    }
    // Never a bare "0 findings" when part of the text was not checked.
    let unchecked =
        crate::coverage::unchecked_count(&crate::coverage::coverage(c, state.options()));
    if unchecked > 0 {
        s.push_str(&format!(
            " · {unchecked} document{} not (fully) checked",
            if unchecked == 1 { "" } else { "s" }
        ));
    }
    if let Some(e) = c.errors.first() {
        s.push_str(&format!(
            " · YAML error at line {}, column {}: {} (other documents are still checked)",
            e.line, e.column, e.message
        ));
    }
    if let Some(Err(errors)) = crate::state::parse_config(&state.config) {
        s.push_str(&format!(
            " · the Config tab's .kubeharden.yaml has {} error{} and is not applied",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ));
    }
    if c.findings.len() > crate::editor::UNDERLINES {
        s.push_str(&format!(
            " · the {} most severe underlined",
            crate::editor::UNDERLINES
        ));
    }
    if state.text.len() > LARGE_INPUT {
        s.push_str(&format!(" · {mb} MB: too large for a share link"));
    }
    // The findings are the last check's until the newer one arrives.
    if check.busy {
        s.push_str(&format!(" · checking the latest change ({mb} MB)"));
    }
    html! { { s } }
}

fn notice_view(notice: &Notice, dispatch: &Callback<Action>) -> Html {
    let (class, role) = match notice.tone {
        Tone::Info => ("notice", "status"),
        Tone::Warning => ("notice warning", "alert"),
    };
    html! {
        <div {class} {role} data-testid="notice">
            <span>{ &notice.text }</span>
            if notice.action == Some(NoticeAction::RestoreAutosave) {
                <button data-testid="restore-autosave" onclick={ dispatch.reform(|_: MouseEvent| Action::RestoreAutosave) }>{ "Restore my text" }</button>
            }
            <button class="dismiss" aria-label="Dismiss" onclick={ dispatch.reform(|_: MouseEvent| Action::DismissNotice) }>{ "×" }</button>
        </div>
    }
}
