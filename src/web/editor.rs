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

/// At most this many findings are underlined, the most severe first (the adapter's
/// order): a paste with a hundred thousand findings would hold the page for seconds in
/// CodeMirror's decorations. The status says when some are not.
pub const UNDERLINES: usize = 10_000;

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
    /// The editor's text now (also a change still waiting for the typing pause).
    pub fn text(&self) -> Option<String> {
        self.0.borrow().as_ref().map(codemirror::get_text)
    }

    /// Give the editor the keyboard focus.
    pub fn focus(&self) {
        if let Some(view) = self.0.borrow().as_ref() {
            codemirror::focus_editor(view);
        }
    }

    /// Ask for a local file to open in the editor.
    pub fn pick_file(&self) {
        if let Some(view) = self.0.borrow().as_ref() {
            codemirror::pick_file(view);
        }
    }

    /// A JavaScript function `(from, to)` doing [`EditorHandle::select`] without focusing
    /// the editor (what the extras' views call, so that the cell or link pressed keeps the
    /// focus); `None` before the editor exists.
    pub fn selector(&self) -> Option<js_sys::Function> {
        self.0.borrow().as_ref().map(codemirror::selector)
    }

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
    /// A quick fix chosen in a hover: the finding's id.
    pub on_fix: Callback<String>,
}

/// CodeMirror has four lint severities: critical and high get one each, so that the
/// gutter tells them apart (the hover names the severity too).
fn lint_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "error",
        Severity::High => "warning",
        Severity::Medium => "info",
        Severity::Low | Severity::Info => "hint",
    }
}

#[function_component(Editor)]
pub fn editor(p: &EditorProps) -> Html {
    let node = use_node_ref();
    // The newest callback, for the change listener that is created once.
    let on_change = use_mut_ref(|| p.on_change.clone());
    *on_change.borrow_mut() = p.on_change.clone();
    let on_fix = use_mut_ref(|| p.on_fix.clone());
    *on_fix.borrow_mut() = p.on_fix.clone();
    // The change waiting for the end of the pause (dropping it cancels it).
    let pending: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    // The editor holds a change the state has not had yet: a check that arrives meanwhile
    // is of an older text, so its ranges are not this text's (the underlines shown are
    // mapped through the edits instead, until the check of the newer text).
    let dirty: Rc<std::cell::Cell<bool>> =
        (*use_memo((), |_| Rc::new(std::cell::Cell::new(false)))).clone();

    {
        let (handle, node, text) = (p.handle.clone(), node.clone(), p.text.clone());
        let (pending, dirty) = (pending.clone(), dirty.clone());
        use_effect_with((), move |_| {
            let editor = handle.clone();
            let listener = Closure::<dyn Fn()>::new(move || {
                let callback = on_change.borrow().clone();
                dirty.set(true);
                let (reported, editor) = (dirty.clone(), editor.clone());
                // The text is read once, at the end of the pause, not on each keystroke.
                let timer = Timeout::new(TYPING_PAUSE_MS, move || {
                    reported.set(false);
                    if let Some(text) = editor.text() {
                        callback.emit(text)
                    }
                });
                *pending.borrow_mut() = Some(timer);
            });
            let fixer = Closure::<dyn Fn(String)>::new(move |id: String| {
                let callback = on_fix.borrow().clone();
                callback.emit(id);
            });
            if let Some(parent) = node.cast::<web_sys::HtmlElement>() {
                let view = codemirror::create_editor(
                    &parent,
                    &text,
                    listener.as_ref().unchecked_ref(),
                    fixer.as_ref().unchecked_ref(),
                    "Kubernetes manifests",
                    "editor-content",
                );
                *handle.0.borrow_mut() = Some(view);
            }
            // The listeners live as long as the editor.
            move || {
                handle.0.borrow_mut().take();
                drop((listener, fixer));
            }
        });
    }

    // A text loaded from outside the editor (an example) replaces what is typed, also
    // a change still waiting for its pause.
    {
        let (handle, text) = (p.handle.clone(), p.text.clone());
        let dirty = dirty.clone();
        use_effect_with(p.loaded, move |_| {
            pending.borrow_mut().take();
            dirty.set(false);
            if let Some(view) = handle.0.borrow().as_ref() {
                codemirror::set_text(view, &text);
            }
        });
    }

    // Underlines and gutter markers follow every check.
    {
        let handle = p.handle.clone();
        use_effect_with(p.checked.clone(), move |checked| {
            // In a task of its own, after the findings list's render: a keystroke that
            // arrives meanwhile waits for one of the two, not for both (issue 16).
            let checked = checked.clone();
            Timeout::new(0, move || underline(&handle, &dirty, &checked)).forget();
        });
    }

    html! { <div class="editor" data-testid="editor" ref={ node }></div> }
}

/// Underline `checked`'s findings and YAML errors in the editor, unless it holds a change
/// the check has not seen.
fn underline(handle: &EditorHandle, dirty: &std::cell::Cell<bool>, checked: &Option<Checked>) {
    if dirty.get() {
        return;
    }
    if let Some(view) = handle.0.borrow().as_ref() {
        let list = js_sys::Array::new();
        if let Some(c) = checked.as_ref() {
            for f in c.findings.iter().take(UNDERLINES) {
                let mut message = format!("{} [{}] {}", f.severity, f.rule, f.message);
                if let Some(reason) = &f.suppressed {
                    message.push_str(&format!(" (suppressed: {reason})"));
                }
                let d = codemirror::diagnostic(
                    f.from,
                    f.to,
                    lint_severity(f.severity),
                    &message,
                    f.rule,
                );
                codemirror::set(&d, "level", &JsValue::from_str(f.severity.as_str()));
                if f.suppressed.is_some() {
                    codemirror::set(&d, "suppressed", &JsValue::TRUE);
                } else if f.severity == Severity::Critical {
                    codemirror::set(&d, "critical", &JsValue::TRUE);
                }
                if let Some(fix) = f.fix.as_ref().filter(|x| x.unavailable.is_none()) {
                    if f.suppressed.is_none() {
                        codemirror::set(&d, "fixId", &JsValue::from_str(&f.id));
                        codemirror::set(&d, "fixTitle", &JsValue::from_str(&fix.title));
                    }
                }
                list.push(&d);
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
}
