//! The hardened view: the fixed text (tab "Hardened YAML") or its unified diff against
//! the editor's text (tab "Diff"), with copy and download.

use std::rc::Rc;

use yew::prelude::*;

use crate::codemirror;
use crate::engine::Hardened;

#[derive(Properties, PartialEq)]
pub struct HardenedProps {
    /// `None` while checking is paused.
    pub hardened: Rc<Option<Hardened>>,
    /// Show the diff instead of the text.
    pub diff: bool,
}

/// The CSS class of a unified-diff line.
fn diff_class(line: &str) -> &'static str {
    if line.starts_with("+++") || line.starts_with("---") {
        "head"
    } else if line.starts_with('+') {
        "add"
    } else if line.starts_with('-') {
        "del"
    } else if line.starts_with("@@") {
        "hunk"
    } else {
        "ctx"
    }
}

#[function_component(HardenedView)]
pub fn hardened_view(p: &HardenedProps) -> Html {
    let Some(h) = p.hardened.as_ref() else {
        return html! { <p class="empty">{ "Nothing to harden yet." }</p> };
    };
    let copy = {
        let text = h.text.clone();
        move |_: MouseEvent| {
            let _ = codemirror::copy_text(&text);
        }
    };
    let download = {
        let text = h.text.clone();
        move |_: MouseEvent| codemirror::download_text("hardened.yaml", &text)
    };
    let plural = if h.applied == 1 { "" } else { "es" };
    html! {
        <div class="hardened">
            <div class="toolbar">
                <button onclick={ copy }>{ "Copy" }</button>
                <button onclick={ download }>{ "Download" }</button>
            </div>
            <p class="summary">{ format!("{} fix{plural} applied; comments and formatting kept.", h.applied) }</p>
            { for h.skipped.iter().map(|(_id, rule, reason)| html! { <p class="skipped">{ format!("Not applied: {rule}: {reason}") }</p> }) }
            if p.diff {
                <pre class="diff" data-testid="diff">
                    { for h.diff.lines().map(|l| html! { <span class={ diff_class(l) }>{ l }{ "\n" }</span> }) }
                </pre>
            } else {
                <pre class="code" data-testid="hardened">{ &h.text }</pre>
            }
        </div>
    }
}
