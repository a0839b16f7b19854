//! The editor component: CodeMirror, its underlines and gutter markers, and a handle
//! through which the rest of the app selects a range in it.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use kubeharden::Severity;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::codemirror::{self, EditorView};
use crate::engine::Checked;

/// Typing reaches the state after this pause (milliseconds).
const TYPING_PAUSE_MS: u32 = 120;

/// The CodeMirror view, once the editor component has created it. Equal handles are
/// the same handle.
#[derive(Clone, Default)]
pub struct EditorHandle(Rc<RefCell<Option<EditorView>>>);

impl PartialEq for EditorHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl EditorHandle {
    /// Select the UTF-16 range `from..to`, scroll to it and focus the editor.
    pub fn select(&self, from: usize, to: usize) {
        if let Some(view) = self.0.borrow().as_ref() {
            codemirror::select_range(view, from as u32, to as u32);
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub handle: EditorHandle,
    /// The state's text: shown when the editor is created and whenever `loaded` changes.
    pub text: Rc<str>,
    pub loaded: u32,
    /// The findings and YAML errors to underline.
    pub checked: Rc<Option<Checked>>,
    /// The whole text, after each pause in typing.
    pub on_change: Callback<String>,
}

fn lint_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "info",
        Severity::Info => "hint",
    }
}

#[function_component(Editor)]
pub fn editor(p: &EditorProps) -> Html {
    let node = use_node_ref();
    // The newest callback, for the change listener that is created once.
    let on_change = use_mut_ref(|| p.on_change.clone());
    *on_change.borrow_mut() = p.on_change.clone();
    // The change waiting for the end of the pause (dropping it cancels it).
    let pending: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);

    {
        let (handle, node, text) = (p.handle.clone(), node.clone(), p.text.clone());
        let pending = pending.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn(String)>::new(move |new_text: String| {
                let callback = on_change.borrow().clone();
                let timer = Timeout::new(TYPING_PAUSE_MS, move || callback.emit(new_text));
                *pending.borrow_mut() = Some(timer);
            });
            if let Some(parent) = node.cast::<web_sys::HtmlElement>() {
                let view =
                    codemirror::create_editor(&parent, &text, listener.as_ref().unchecked_ref());
                *handle.0.borrow_mut() = Some(view);
            }
            // The listener lives as long as the editor.
            move || {
                handle.0.borrow_mut().take();
                drop(listener);
            }
        });
    }

    // A text loaded from outside the editor (an example) replaces what is typed, also
    // a change still waiting for its pause.
    {
        let (handle, text) = (p.handle.clone(), p.text.clone());
        use_effect_with(p.loaded, move |_| {
            pending.borrow_mut().take();
            if let Some(view) = handle.0.borrow().as_ref() {
                codemirror::set_text(view, &text);
            }
        });
    }

    // Underlines and gutter markers follow every check.
    {
        let handle = p.handle.clone();
        use_effect_with(p.checked.clone(), move |checked| {
            if let Some(view) = handle.0.borrow().as_ref() {
                let list = js_sys::Array::new();
                if let Some(c) = checked.as_ref() {
                    for f in &c.findings {
                        let message = format!("{} [{}] {}", f.severity, f.rule, f.message);
                        list.push(&codemirror::diagnostic(
                            f.from,
                            f.to,
                            lint_severity(f.severity),
                            &message,
                            f.rule,
                        ));
                        for r in &f.related {
                            let message = format!("{} (see [{}] {})", r.message, f.rule, f.message);
                            list.push(&codemirror::related(
                                r.range.from,
                                r.range.to,
                                &message,
                                f.rule,
                            ));
                        }
                    }
                    for e in &c.errors {
                        let message = format!("YAML error: {}", e.message);
                        list.push(&codemirror::diagnostic(
                            e.from, e.to, "error", &message, "yaml",
                        ));
                    }
                }
                codemirror::set_diagnostics(view, &list);
            }
        });
    }

    html! { <div class="editor" data-testid="editor" ref={ node }></div> }
}
