//! The Config tab: a second CodeMirror editor holding a `.kubeharden.yaml` (the same
//! file the CLI reads, `docs/config.md`), checked as it is typed. Its errors are
//! underlined where they are and listed with their line and column; a valid
//! configuration is applied to every check (rules, severities, parameters, custom rules,
//! exemptions, profile and version), an invalid one to none.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::codemirror::{self, EditorView};
use crate::state::{config_range, parse_config, CONFIG_STARTER as STARTER};

/// Typing reaches the state after this pause (milliseconds), as in the manifest editor.
const TYPING_PAUSE_MS: u32 = 120;

#[derive(Properties, PartialEq)]
pub struct ConfigTabProps {
    /// The state's configuration text: shown when the tab opens and whenever `loaded`
    /// changes.
    pub text: Rc<str>,
    pub loaded: u32,
    /// The whole text, after each pause in typing.
    pub on_change: Callback<String>,
}

#[function_component(ConfigTab)]
pub fn config_tab(p: &ConfigTabProps) -> Html {
    let node = use_node_ref();
    let view: Rc<RefCell<Option<EditorView>>> = use_mut_ref(|| None);
    let on_change = use_mut_ref(|| p.on_change.clone());
    *on_change.borrow_mut() = p.on_change.clone();
    let pending: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);

    {
        let (view, node, text, pending) =
            (view.clone(), node.clone(), p.text.clone(), pending.clone());
        use_effect_with((), move |_| {
            let (flush, waiting) = (on_change.clone(), pending.clone());
            let editor = view.clone();
            let listener = Closure::<dyn Fn()>::new(move || {
                let (callback, editor) = (on_change.borrow().clone(), editor.clone());
                // The text is read once, at the end of the pause, not on each keystroke.
                let timer = Timeout::new(TYPING_PAUSE_MS, move || {
                    if let Some(v) = editor.borrow().as_ref() {
                        callback.emit(codemirror::get_text(v))
                    }
                });
                *pending.borrow_mut() = Some(timer);
            });
            // The configuration has no quick fixes.
            let no_fix = Closure::<dyn Fn(String)>::new(|_: String| {});
            if let Some(parent) = node.cast::<web_sys::HtmlElement>() {
                *view.borrow_mut() = Some(codemirror::create_editor(
                    &parent,
                    &text,
                    listener.as_ref().unchecked_ref(),
                    no_fix.as_ref().unchecked_ref(),
                    "Configuration (.kubeharden.yaml)",
                    "config-content",
                ));
            }
            // Leaving the tab within the typing pause keeps the last change.
            move || {
                let view = view.borrow_mut().take();
                if waiting.borrow_mut().take().is_some() {
                    if let Some(v) = &view {
                        flush.borrow().emit(codemirror::get_text(v));
                    }
                }
                drop((listener, no_fix));
            }
        });
    }
    // A configuration loaded from outside (the autosave restored) replaces what is typed.
    {
        let (view, text, pending) = (view.clone(), p.text.clone(), pending.clone());
        use_effect_with(p.loaded, move |_| {
            pending.borrow_mut().take();
            if let Some(v) = view.borrow().as_ref() {
                codemirror::set_text(v, &text);
            }
        });
    }

    let parsed = parse_config(&p.text);
    let errors = match &parsed {
        Some(Err(errors)) => errors.clone(),
        _ => Vec::new(),
    };
    // The underlines follow the state's text (the editor's, after the typing pause).
    {
        let (view, text, errors) = (view.clone(), p.text.clone(), errors.clone());
        use_effect_with((text.clone(), errors.len()), move |_| {
            if let Some(v) = view.borrow().as_ref() {
                let list = js_sys::Array::new();
                for e in &errors {
                    let (from, to) = config_range(&text, e.at.line, e.at.column);
                    list.push(&codemirror::diagnostic(
                        from,
                        to,
                        "error",
                        &format!("line {}, column {}: {}", e.at.line, e.at.column, e.message),
                        "config",
                    ));
                }
                codemirror::set_diagnostics(v, &list);
            }
        });
    }

    let summary = match &parsed {
        None => "No configuration: the checks use the profile, version and rules of the toolbar. Type a .kubeharden.yaml here, or start from the example.".to_string(),
        Some(Ok(c)) => {
            let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            format!(
                "Applied to the checks: {}, {}, {}{}{}.",
                count(c.rules.len(), "rule setting"),
                count(c.custom_rules.len(), "custom rule"),
                count(c.exemptions.len(), "exemption"),
                c.profile.as_ref().map(|s| format!(", profile {}", s.value.as_str())).unwrap_or_default(),
                c.kube_version.as_ref().map(|s| format!(", Kubernetes {}", s.value)).unwrap_or_default(),
            )
        }
        Some(Err(e)) => format!(
            "{} error{}: the configuration is not applied until {} fixed (the checks use the toolbar's settings).",
            e.len(),
            if e.len() == 1 { "" } else { "s" },
            if e.len() == 1 { "it is" } else { "they are" }
        ),
    };
    let select = |line: usize, column: usize| {
        let (view, text) = (view.clone(), p.text.clone());
        move |_: MouseEvent| {
            if let Some(v) = view.borrow().as_ref() {
                let (from, to) = config_range(&text, line, column);
                codemirror::select_range(v, from as u32, to as u32);
            }
        }
    };
    let on_starter = {
        let (view, on_change) = (view.clone(), p.on_change.clone());
        move |_: MouseEvent| {
            if let Some(v) = view.borrow().as_ref() {
                codemirror::set_text(v, STARTER);
            }
            on_change.emit(STARTER.to_string());
        }
    };

    html! {
        <div class="config-tab">
            <p class="config-help">
                { "The same .kubeharden.yaml as the CLI reads (every key is in docs/config.md): rules on or off (by id, area:NAME or pss:LEVEL), severities, parameters, custom rules, exemptions with a reason, profile and kube-version (which then replace the toolbar's menus). It is kept in the autosave and in share links." }
            </p>
            <div class="editor config-editor" data-testid="config-editor" ref={ node }></div>
            <p class={ classes!("config-status", (!errors.is_empty()).then_some("invalid")) } data-testid="config-status" role="status" aria-live="polite">
                { summary }
                if parsed.is_none() {
                    { " " }<button data-testid="config-starter" onclick={ on_starter }>{ "Start from an example" }</button>
                }
            </p>
            if !errors.is_empty() {
                <ul class="config-errors" aria-label="Configuration errors">
                    { for errors.iter().map(|e| html! {
                        <li data-testid="config-error">
                            <button class="link" onclick={ select(e.at.line, e.at.column) }>{ e.to_string() }</button>
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}
