//! The toolbar: profile, Kubernetes version, unsafe fixes, the share link, and the
//! example gallery.

use std::rc::Rc;

use kubeharden::{KubeVersion, Profile};
use wasm_bindgen::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::codemirror;
use crate::engine::{self, Checked};
use crate::examples::{Example, EXAMPLES, FIRST_TEXT};
use crate::share::{self, Shared};
use crate::state::{self, Action, Notice, LARGE_INPUT};

const PROFILES: [Profile; 3] = [Profile::All, Profile::Restricted, Profile::Baseline];

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// The settings and text a share link carries.
    pub shared: Shared,
    /// The last check (for the warning before sharing a Secret).
    pub checked: Rc<Option<Checked>>,
    pub dispatch: Callback<Action>,
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

#[function_component(Toolbar)]
pub fn toolbar(p: &ToolbarProps) -> Html {
    let s = &p.shared;
    // The menus offer only values that parse; anything else is ignored.
    let on_profile = {
        let dispatch = p.dispatch.clone();
        move |e: Event| {
            if let Ok(profile) = select_value(&e).parse() {
                dispatch.emit(Action::SetProfile(profile));
            }
        }
    };
    let on_version = {
        let dispatch = p.dispatch.clone();
        move |e: Event| {
            if let Ok(version) = state::parse_version_value(&select_value(&e)) {
                dispatch.emit(Action::SetVersion(version));
            }
        }
    };
    let on_unsafe = p.dispatch.reform(|e: Event| {
        Action::SetUnsafe(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let on_share = {
        let (shared, checked, dispatch) = (s.clone(), p.checked.clone(), p.dispatch.clone());
        move |_: MouseEvent| share_link(&shared, checked.as_ref().as_ref(), &dispatch)
    };
    let version_label = |v: Option<KubeVersion>| match v {
        None => format!("latest ({})", KubeVersion::LATEST),
        Some(v) => v.to_string(),
    };

    html! {
        <>
            <header class="top">
                <h1>{ "kubeharden" }<span class="tagline">{ " Kubernetes manifest security checker — runs entirely in your browser" }</span></h1>
                <div class="controls">
                    <label>{ "Profile " }
                        <select data-testid="profile" onchange={ on_profile }>
                            { for PROFILES.iter().map(|&profile| html! {
                                <option value={ profile.as_str() } selected={ s.profile == profile }>{ profile.as_str() }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ "Kubernetes " }
                        <select data-testid="kube-version" onchange={ on_version }>
                            { for state::version_choices().map(|v| html! {
                                <option value={ state::version_value(v) } selected={ s.version == v }>{ version_label(v) }</option>
                            }) }
                        </select>
                    </label>
                    <label title="Fixes that may change how a workload behaves, such as privileged: false">
                        <input type="checkbox" data-testid="unsafe-toggle" checked={ s.unsafe_fixes } onchange={ on_unsafe } />
                        { " unsafe fixes" }
                    </label>
                    <button data-testid="share" onclick={ on_share }>{ "Copy share link" }</button>
                </div>
            </header>
            <nav class="gallery" aria-label="Examples">
                { for EXAMPLES.iter().enumerate().map(|(i, example)| {
                    let dispatch = p.dispatch.clone();
                    let onclick = move |_: MouseEvent| load_example(i, *example, dispatch.clone());
                    html! {
                        <button class="example" data-testid="example" data-example={ example.stem } {onclick}>{ example.title }</button>
                    }
                }) }
            </nav>
        </>
    }
}

/// Show gallery example `i`: the first is compiled in, the others are fetched from the
/// site (a failure is a notice, and the text stays as it was).
fn load_example(i: usize, example: Example, dispatch: Callback<Action>) {
    if i == 0 {
        dispatch.emit(Action::LoadExample(FIRST_TEXT.to_string()));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match crate::fetch::text(&example.url()).await {
            Ok(text) => dispatch.emit(Action::LoadExample(text)),
            Err(e) => dispatch.emit(Action::Notify(Notice::warning(format!(
                "The example \"{}\" is not available: {e}.",
                example.title
            )))),
        }
    });
}

/// Put the state into the URL now and copy the URL, after a warning when the text holds
/// a Secret or a credential. The outcome is a notice.
fn share_link(shared: &Shared, checked: Option<&Checked>, dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if shared.text.len() > LARGE_INPUT {
        dispatch.emit(Action::Notify(Notice::warning(format!(
            "This manifest ({:.1} MB) is too large for a link (at most {:.1} MB): share the file instead.",
            shared.text.len() as f64 / 1e6,
            LARGE_INPUT as f64 / 1e6
        ))));
        return;
    }
    let secret = checked.is_some_and(engine::looks_secret);
    if secret
        && !window
            .confirm_with_message("This manifest contains a Secret or a credential. Anyone with the link can read it: the whole text is in the link. Copy the link anyway?")
            .unwrap_or(false)
    {
        return;
    }
    let fragment = format!("#{}", share::encode(shared));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&fragment));
    }
    let href = window.location().href().unwrap_or_default();
    let failed = {
        let dispatch = dispatch.clone();
        Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
            dispatch.emit(Action::Notify(Notice::warning(
                "The browser did not allow copying: copy the link from the address bar, which holds it now.",
            )))
        })
    };
    let _ = codemirror::copy_text(&href).catch(&failed);
    failed.forget();
    dispatch.emit(Action::Notify(Notice::info(
        "Link copied. It holds the whole manifest in its #fragment, which browsers never send to a server.",
    )));
}
