//! The hardened view: the fixed text (tab "Hardened YAML") or its unified diff against
//! the editor's text (tab "Diff", made by the extras: `extras::diff`), with copy, download and "apply to the editor"; how
//! many fixes wait behind the unsafe switch, and what no fix covers (each with its rule's
//! own remediation and a link to the rule's documentation in the Rules tab).

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::codemirror;
use crate::engine::{self, Checked, FixChoice, Hardened};
use crate::extras;
use crate::rule_doc::Remedy;
use crate::state::{Action, FixKey, Notice};

#[derive(Properties, PartialEq)]
pub struct HardenedProps {
    /// `None` while checking is paused, or before the first answer.
    pub hardened: Rc<Option<Hardened>>,
    /// The hardened YAML of the current text is being made (the first time, the fixer is
    /// loaded: the extras).
    pub busy: bool,
    /// Why it could not be made.
    pub failed: Option<String>,
    /// The check of the editor's text (what waits, what no fix covers).
    pub checked: Rc<Option<Checked>>,
    pub unsafe_fixes: bool,
    pub left_out: Vec<FixKey>,
    /// Show the diff instead of the text.
    pub diff: bool,
    /// The editor's text the hardened YAML was made from (the diff's left side).
    pub text: Rc<str>,
    pub dispatch: Callback<Action>,
}

/// Copy `text`; the outcome (copied or refused) is a notice.
/// `what` names the text in a sentence's start ("Hardened YAML"); `lower` in its middle.
pub fn copy_with_notice(text: &str, what: &str, lower: &str, dispatch: &Callback<Action>) {
    let (ok, failed) = (dispatch.clone(), dispatch.clone());
    let what = what.to_string();
    let what2 = lower.to_string();
    let ok = Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
        ok.emit(Action::Notify(Notice::info(format!("{what} copied."))))
    });
    let failed = Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
        failed.emit(Action::Notify(Notice::warning(format!(
            "The browser did not allow copying the {what2}: select it and copy it by hand."
        ))))
    });
    let _ = codemirror::copy_text(text).then2(&ok, &failed);
    ok.forget();
    failed.forget();
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

#[derive(Properties, PartialEq)]
struct DiffProps {
    text: Rc<str>,
    hardened: String,
}

/// The unified diff of `hardened` against `text`, made by the extras (loaded the first
/// time the Diff tab opens: the differ is not in the first download). A diff asked for
/// an earlier text is dropped.
#[function_component(DiffView)]
fn diff_view(p: &DiffProps) -> Html {
    let diff = use_state(|| None::<Result<String, String>>);
    {
        let diff = diff.clone();
        use_effect_with(
            (p.text.clone(), p.hardened.clone()),
            move |(text, hardened)| {
                let stale = Rc::new(std::cell::Cell::new(false));
                let (text, hardened, mine) = (text.clone(), hardened.clone(), stale.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let made = extras::diff(&text, &hardened).await;
                    if !mine.get() {
                        diff.set(Some(made));
                    }
                });
                move || stale.set(true)
            },
        );
    }
    match &*diff {
        None => {
            html! { <p class="empty" role="status" data-testid="diff-loading">{ "Making the diff…" }</p> }
        }
        Some(Err(e)) => html! {
            <p class="skipped" role="alert" data-testid="diff-error">{ format!("The diff could not be made: {e}.") }</p>
        },
        Some(Ok(d)) if d.is_empty() => html! {
            <p class="empty" data-testid="diff-empty">{ "No changes: no fix applies to this text with these settings." }</p>
        },
        Some(Ok(d)) => html! {
            <pre class="diff" data-testid="diff" tabindex="0" aria-label="Diff of the hardened YAML">
                { for d.lines().map(|l| html! { <span class={ diff_class(l) }>{ l }{ "\n" }</span> }) }
            </pre>
        },
    }
}

#[function_component(HardenedView)]
pub fn hardened_view(p: &HardenedProps) -> Html {
    if let Some(why) = &p.failed {
        return html! { <p class="skipped" role="alert" data-testid="hardened-error">{ format!("The hardened YAML could not be made: {why}.") }</p> };
    }
    let Some(h) = p.hardened.as_ref() else {
        return if p.busy {
            html! { <p class="empty" role="status" data-testid="hardened-loading">{ "Making the hardened YAML…" }</p> }
        } else {
            html! { <p class="empty">{ "Nothing to harden yet." }</p> }
        };
    };
    let copy = {
        let (text, dispatch) = (h.text.clone(), p.dispatch.clone());
        move |_: MouseEvent| copy_with_notice(&text, "Hardened YAML", "hardened YAML", &dispatch)
    };
    let apply = {
        let text = h.text.clone();
        p.dispatch
            .reform(move |_: MouseEvent| Action::ApplyText(text.clone()))
    };
    let checked = p.checked.as_ref().as_ref();
    let waiting = checked.map_or(0, |c| {
        engine::waiting_unsafe(c, p.unsafe_fixes, &p.left_out)
    });
    let left_out = checked.map_or(0, |c| {
        c.findings
            .iter()
            .filter(|f| {
                engine::fix_choice(f, p.unsafe_fixes, &p.left_out) == FixChoice::Chosen(false)
            })
            .count()
    });
    let uncovered: Vec<_> = checked
        .map(|c| {
            c.findings
                .iter()
                .filter(|f| f.suppressed.is_none())
                .filter(|f| f.fix.as_ref().is_none_or(|x| x.unavailable.is_some()))
                .collect()
        })
        .unwrap_or_default();
    let download = {
        let text = h.text.clone();
        move |_: MouseEvent| codemirror::download_text("hardened.yaml", &text)
    };
    let plural = if h.applied == 1 { "" } else { "es" };
    let mut summary = format!(
        "{} fix{plural} applied; comments and formatting kept.",
        h.applied
    );
    if waiting > 0 {
        summary.push_str(&format!(
            " {waiting} more fix{} wait{} behind the \"unsafe fixes\" switch (they harden, but may change how the workload behaves).",
            if waiting == 1 { "" } else { "es" },
            if waiting == 1 { "s" } else { "" }
        ));
    }
    if left_out > 0 {
        summary.push_str(&format!(" {left_out} left out by you in the findings."));
    }
    html! {
        <div class="hardened">
            <div class="toolbar">
                // On the Diff tab too they act on the hardened YAML: their labels say so.
                <button onclick={ copy }>{ if p.diff { "Copy hardened YAML" } else { "Copy" } }</button>
                <button onclick={ download }>{ if p.diff { "Download hardened YAML" } else { "Download" } }</button>
                <button data-testid="apply-hardened" onclick={ apply } disabled={ h.applied == 0 }>{ "Apply to editor" }</button>
            </div>
            <p class="summary" data-testid="hardened-summary">{ summary }</p>
            if !uncovered.is_empty() {
                <details class="uncovered" data-testid="uncovered">
                    <summary>{ format!("{} no automatic fix covers", uncovered.len()) }</summary>
                    <ul>{ for uncovered.iter().map(|f| {
                        let rule = f.rule;
                        let show = p.dispatch.reform(move |_: MouseEvent| Action::ShowRule(rule.to_string()));
                        html! {
                            <li data-testid="uncovered-item" data-rule={ f.rule }>
                                <p>{ format!("Line {}: {} — {}: {}. ", f.line, f.rule, f.title, f.message) }
                                    { f.fix.as_ref().and_then(|x| x.unavailable.clone()).map(|r| format!("No fix here: {r}. ")).unwrap_or_default() }</p>
                                <Remedy rule={ f.rule } own={ f.remediation.to_string() } />
                                <button class="link" data-testid="uncovered-doc" onclick={ show }
                                    aria-label={ format!("Documentation of the rule {}", f.rule) }>{ "Rule documentation" }</button>
                            </li>
                        }
                    }) }</ul>
                </details>
            }
            { for h.skipped.iter().map(|(_id, rule, reason)| html! { <p class="skipped">{ format!("Not applied: {rule}: {reason}") }</p> }) }
            if p.diff {
                <DiffView text={ p.text.clone() } hardened={ h.text.clone() } />
            } else {
                <pre class="code" data-testid="hardened" tabindex="0" aria-label="Hardened YAML">{ &h.text }</pre>
            }
        </div>
    }
}
