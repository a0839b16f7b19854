//! The extras' views in the playground's elements (src/web/extras_main.rs `mountView`,
//! `unmountView`): one Yew app of this WebAssembly per view ([`AccessView`],
//! [`ReachView`]), each rendered into a root element of its own that is put into the
//! playground's element and taken out again when the tab closes. A later call updates the
//! app's properties (`AppHandle::update`: the view keeps its own state) instead of mounting
//! it again.
//!
//! Why the apps live as long as the page: Yew registers its event listeners on an app's
//! root element and, in release builds, never removes them (`AppHandle::destroy` leaves
//! them, and their closures keep the root and the app's data alive). An app per opening of
//! a tab would leak one root with its listeners each time; one root per view, moved between
//! the tab's elements, registers them once.

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
    /// The app's root: a child of the playground's element while its tab is open,
    /// detached while it is closed.
    root: Element,
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
            App::Reach(app) => app.update(ReachViewProps {
                text,
                version,
                on_select,
            }),
        }
    }

    /// In `element` (the root is its only child).
    fn is_in(&self, element: &Element) -> bool {
        self.root.parent_element().as_ref() == Some(element)
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
/// update the view already there; a view of another kind in `element` is taken out.
/// `on_select(from, to)` is called with the UTF-16 range of a place the user clicked
/// (`None`: nothing is).
pub fn mount(
    kind: Kind,
    element: Element,
    text: Rc<str>,
    version: KubeVersion,
    on_select: Option<js_sys::Function>,
) {
    MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        for m in mounted
            .iter()
            .filter(|m| m.kind() != kind && m.is_in(&element))
        {
            m.root.remove();
        }
        if let Some(m) = mounted.iter_mut().find(|m| m.kind() == kind) {
            if !m.is_in(&element) {
                element.set_text_content(None);
                let _ = element.append_child(&m.root);
            }
            *m.on_select.borrow_mut() = on_select;
            m.props(text, version);
            return;
        }
        let Some(root) = element
            .owner_document()
            .and_then(|d| d.create_element("div").ok())
        else {
            return;
        };
        let _ = root.set_attribute("class", "extras-root");
        let _ = root.set_attribute("data-testid", "extras-root");
        element.set_text_content(None);
        let _ = element.append_child(&root);
        skip_ancestor_ids(&root);
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
                    root.clone(),
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
                    root.clone(),
                    ReachViewProps {
                        text,
                        version,
                        on_select,
                    },
                )
                .render(),
            ),
        };
        mounted.push(Mounted {
            root,
            app,
            on_select: shared,
            callback,
        });
    });
}

/// Take the view in `element` out of it, if there is one (its app stays, detached, for
/// the next opening of its tab; its clicks select nothing meanwhile).
pub fn unmount(element: &Element) {
    MOUNTED.with(|mounted| {
        for m in mounted.borrow().iter().filter(|m| m.is_in(element)) {
            m.root.remove();
            *m.on_select.borrow_mut() = None;
        }
    });
}
