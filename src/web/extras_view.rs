//! The Access and Reach tabs: an element into which the playground's extras render their
//! view (src/web/extras_main.rs `mountView`: the RBAC access matrix with its can-i box, the
//! NetworkPolicy reachability matrix), asked again with the current text and version on
//! every change and taken out when the tab closes (the extras keep the view's app for the
//! next opening: src/web/mount.rs). While the extras load (the first time on
//! a page) a status says so; if they cannot be loaded, an alert says why, with a retry.
//! The view's markup, keyboard handling and events are the extras' own; a click on a place
//! there selects it in the editor through [`EditorHandle::selector`].

use std::rc::Rc;

use kubeharden::KubeVersion;
use yew::prelude::*;

use crate::editor::EditorHandle;
use crate::extras;

#[derive(Properties, PartialEq)]
pub struct ExtrasViewProps {
    /// The extras' view: `"access"` or `"reach"`.
    pub kind: &'static str,
    /// Its name in sentences (`Access`).
    pub label: &'static str,
    pub text: Rc<str>,
    pub version: KubeVersion,
    /// The editor the view's places are selected in.
    pub editor: EditorHandle,
}

#[function_component(ExtrasView)]
pub fn extras_view(p: &ExtrasViewProps) -> Html {
    let host = use_node_ref();
    // None: loading; Some(Err(why)): the extras could not be loaded, or refused. (The same
    // state type as the Diff tab's: one instance of the hook in the download.)
    let shown = use_state(|| None::<Result<String, String>>);
    // Counts the retries (each is a new attempt to load).
    let attempt = use_state(|| 0u32);
    {
        let (host, shown, editor) = (host.clone(), shown.clone(), p.editor.clone());
        use_effect_with(
            (p.kind, p.text.clone(), p.version, *attempt),
            move |(kind, text, version, _)| {
                if let Some(element) = host.cast::<web_sys::Element>() {
                    let (kind, text, version) = (*kind, text.clone(), *version);
                    wasm_bindgen_futures::spawn_local(async move {
                        let done =
                            extras::mount_view(kind, &element, &text, version, editor.selector())
                                .await;
                        shown.set(Some(done.map(|()| String::new())));
                    });
                }
            },
        );
    }
    // The view goes with the tab.
    {
        let host = host.clone();
        use_effect_with((), move |_| {
            let element = host.cast::<web_sys::Element>();
            move || {
                if let Some(element) = element {
                    extras::unmount_view(&element);
                }
            }
        });
    }
    let status = match &*shown {
        None => html! {
            <p class="empty" role="status" data-testid="view-loading">{ format!("Loading the {} view…", p.label) }</p>
        },
        Some(Err(e)) => {
            let (attempt, shown) = (attempt.clone(), shown.clone());
            let retry = move |_: MouseEvent| {
                shown.set(None);
                attempt.set(*attempt + 1);
            };
            html! {
                <p class="skipped" role="alert" data-testid="view-error">
                    { format!("The {} view could not be shown: {e}. ", p.label) }
                    <button data-testid="view-retry" onclick={ retry }>{ "Try again" }</button>
                </p>
            }
        }
        Some(Ok(_)) => html! {},
    };
    html! {
        <div class="extras-view">
            { status }
            <div ref={ host } data-testid={ format!("{}-host", p.kind) }></div>
        </div>
    }
}
