//! The extras' views in the playground's elements (src/web/extras_main.rs `mountView`,
//! `unmountView`): each element holds one Yew app of this WebAssembly ([`AccessView`] or
//! [`ReachView`]), kept here per element so that a later call updates its properties
//! (`AppHandle::update`: the view keeps its own state) instead of mounting it again.

use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;

use kubeharden::KubeVersion;
use wasm_bindgen::JsValue;
use web_sys::Element;
use yew::prelude::*;
use yew::{AppHandle, Renderer};

use crate::access_view::{AccessView, AccessViewProps};
use crate::reach_view::{ReachView, ReachViewProps};

/// Which view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The RBAC access matrix and can-i box.
    Access,
    /// The NetworkPolicy reachability matrix.
    Reach,
}

impl FromStr for Kind {
    type Err = String;

    /// `access` or `reach`; anything else is an error naming it.
    fn from_str(s: &str) -> Result<Kind, String> {
        match s {
            "access" => Ok(Kind::Access),
            "reach" => Ok(Kind::Reach),
            other => Err(format!(
                "unknown view {other:?}: the extras have \"access\" and \"reach\""
            )),
        }
    }
}

enum App {
    Access(AppHandle<AccessView>),
    Reach(AppHandle<ReachView>),
}

struct Mounted {
    element: Element,
    app: App,
    /// The playground's `onSelect`, replaced by each call; the views' callback calls it.
    on_select: Rc<RefCell<Option<js_sys::Function>>>,
    callback: Callback<(usize, usize)>,
}

impl Mounted {
    fn kind(&self) -> Kind {
        match self.app {
            App::Access(_) => Kind::Access,
            App::Reach(_) => Kind::Reach,
        }
    }

    fn props(&mut self, text: Rc<str>, version: KubeVersion) {
        let on_select = self.callback.clone();
        match &mut self.app {
            App::Access(app) => app.update(AccessViewProps {
                text,
                version,
                on_select,
            }),
            App::Reach(app) => app.update(ReachViewProps { text, on_select }),
        }
    }

    fn destroy(self) {
        match self.app {
            App::Access(app) => app.destroy(),
            App::Reach(app) => app.destroy(),
        }
    }
}

thread_local! {
    static MOUNTED: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
}

/// Renders nothing: mounted on a detached element to use up one of Yew's subtree ids.
#[function_component(Probe)]
fn probe() -> Html {
    html! {}
}

/// How many ids [`skip_ancestor_ids`] uses up at most (the playground's Yew has one app).
const MAX_SKIPPED: usize = 64;

/// The Yew subtree id branded on `e` (`__yew_subtree_id`), if any.
fn subtree_id(e: &JsValue) -> Option<f64> {
    js_sys::Reflect::get(e, &JsValue::from_str("__yew_subtree_id"))
        .ok()?
        .as_f64()
}

/// Yew brands each app's root element with the app's subtree id (`__yew_subtree_id`), and
/// an event is handled by the app whose id the target's closest branded ancestor carries.
/// The playground's Yew and this one count ids apart, both from 1: a view whose root got the
/// id of the playground's app would have its clicks handled by the playground's Yew too
/// (which would look up its own listeners by this app's listener ids). So before a view is
/// mounted, ids are used up on detached elements until the next one is above every id
/// branded on `element`'s ancestors.
fn skip_ancestor_ids(element: &Element) {
    let mut highest = 0.0_f64;
    let mut at = element.parent_element();
    while let Some(e) = at {
        if let Some(id) = subtree_id(&e) {
            highest = highest.max(id);
        }
        at = e.parent_element();
    }
    let Some(document) = element.owner_document() else {
        return;
    };
    for _ in 0..MAX_SKIPPED {
        let Ok(probe) = document.create_element("div") else {
            return;
        };
        let app = Renderer::<Probe>::with_root(probe.clone()).render();
        let taken = subtree_id(&probe);
        app.destroy();
        // The next app gets the id after `taken`.
        if taken.is_none_or(|id| id >= highest) {
            return;
        }
    }
}

/// Render view `kind` of `text` at `version` into `element` (replacing its content), or
/// update the view already there (replacing it if of another kind). `on_select(from, to)`
/// is called with the UTF-16 range of a place the user clicked (`None`: nothing is).
pub fn mount(
    kind: Kind,
    element: Element,
    text: Rc<str>,
    version: KubeVersion,
    on_select: Option<js_sys::Function>,
) {
    MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        if let Some(i) = mounted.iter().position(|m| m.element == element) {
            if mounted[i].kind() == kind {
                let m = &mut mounted[i];
                *m.on_select.borrow_mut() = on_select;
                m.props(text, version);
                return;
            }
            mounted.swap_remove(i).destroy();
        }
        skip_ancestor_ids(&element);
        let shared = Rc::new(RefCell::new(on_select));
        let callback = {
            let shared = shared.clone();
            Callback::from(move |(from, to): (usize, usize)| {
                if let Some(f) = shared.try_borrow().ok().as_ref().and_then(|f| f.as_ref()) {
                    let _ = f.call2(
                        &JsValue::NULL,
                        &JsValue::from_f64(from as f64),
                        &JsValue::from_f64(to as f64),
                    );
                }
            })
        };
        let on_select = callback.clone();
        let app = match kind {
            Kind::Access => App::Access(
                Renderer::<AccessView>::with_root_and_props(
                    element.clone(),
                    AccessViewProps {
                        text,
                        version,
                        on_select,
                    },
                )
                .render(),
            ),
            Kind::Reach => App::Reach(
                Renderer::<ReachView>::with_root_and_props(
                    element.clone(),
                    ReachViewProps { text, on_select },
                )
                .render(),
            ),
        };
        mounted.push(Mounted {
            element,
            app,
            on_select: shared,
            callback,
        });
    });
}

/// Remove the view in `element`, if there is one.
pub fn unmount(element: &Element) {
    let gone = MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        let i = mounted.iter().position(|m| m.element == *element)?;
        Some(mounted.swap_remove(i))
    });
    if let Some(m) = gone {
        m.destroy();
    }
}
