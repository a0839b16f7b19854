//! The Access tab's view, rendered by the playground's extras (src/web/extras_main.rs
//! `mountView`): the RBAC matrix of the text ([`crate::access_data`]) as a table, and a
//! can-i box in `kubectl auth can-i`'s grammar (`TYPE[.GROUP][/NAME]`, the subresource
//! apart). A cell lists the grants (binding, role, rule) behind it; clicking it selects
//! the granting rule in the editor (or the binding, when the rule is a built-in role's),
//! and the focus stays in the view. The matrix is one Tab stop; the arrow keys move
//! between its cells ([`MatrixFocus`]). Computed again when the text or the Kubernetes
//! version changes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kubeharden::KubeVersion;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::access_data::{access_data, can_i, step, GrantView, Question, RowView, YamlErrorView};

/// A press on a cell keeps the focus on its button (`e`'s target: focused again in case
/// the press did not, as in Safari). The views select in the editor without focusing it
/// (www/editor.js `selector`), so the next Tab goes on through the view instead of
/// indenting the editor's lines; [`MatrixFocus::after_render`] gives it back after the
/// render the press causes.
pub fn keep_focus(e: &MouseEvent) {
    if let Some(button) = e
        .current_target()
        .and_then(|t| t.dyn_into::<HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

/// The one cell of a matrix that is a Tab stop: the cell the arrow keys, a press or the
/// focus last moved to, while it still has a button, else `open`, else the first cell.
pub fn tab_stop(
    cells: &[(usize, usize)],
    cursor: Option<(usize, usize)>,
    open: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    cursor
        .filter(|c| cells.contains(c))
        .or(open.filter(|c| cells.contains(c)))
        .or(cells.first().copied())
}

/// The keyboard focus of a view's matrix (the ARIA grid pattern: one Tab stop, the arrow
/// keys inside, [`step`]): which cell has the focus back after the next render, whether
/// the focus was last on one of its cells, and the Tab stop of the last render. After
/// each render ([`use_matrix_focus`]) a cell asked for gets the focus; else, if the focus
/// was on a cell that is gone (an edit took its row away, the matrix became a sentence),
/// so that it fell to the page, it goes to the Tab stop, or to the view itself.
#[derive(Clone)]
pub struct MatrixFocus {
    /// The cells' `data-testid`.
    testid: &'static str,
    refocus: Rc<RefCell<Option<String>>>,
    inside: Rc<Cell<bool>>,
    stop: Rc<RefCell<Option<String>>>,
}

/// `ROW-COLUMN`, a cell's `data-cell`.
pub fn cell_key((r, c): (usize, usize)) -> String {
    format!("{r}-{c}")
}

fn parse_key(k: &str) -> Option<(usize, usize)> {
    let (r, c) = k.split_once('-')?;
    Some((r.parse().ok()?, c.parse().ok()?))
}

/// The cell (its position) an event happened on, if it is one of `testid`'s.
fn event_cell(target: Option<web_sys::EventTarget>, testid: &str) -> Option<(usize, usize)> {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .filter(|el| el.get_attribute("data-testid").as_deref() == Some(testid))
        .and_then(|el| el.get_attribute("data-cell"))
        .and_then(|k| parse_key(&k))
}

/// Focus the first element matching `selector`, if there is one.
fn focus_first(selector: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
        reveal(&element);
    }
}

/// Scroll a focused cell out from under the matrix's sticky row and column headers (the
/// browser only scrolls it into the scroll box, where the headers may cover it).
fn reveal(cell: &HtmlElement) {
    let (Some(scroller), Some(row_head)) = (
        cell.closest(".matrix-scroll").ok().flatten(),
        cell.closest("tr")
            .ok()
            .flatten()
            .and_then(|tr| tr.query_selector("th").ok().flatten()),
    ) else {
        return;
    };
    let (c, h) = (
        cell.get_bounding_client_rect(),
        row_head.get_bounding_client_rect(),
    );
    if c.left() < h.right() {
        scroller.set_scroll_left(scroller.scroll_left() - (h.right() - c.left()).ceil() as i32);
    }
    let head = scroller
        .query_selector("thead")
        .ok()
        .flatten()
        .map(|t| t.get_bounding_client_rect());
    if let Some(t) = head.filter(|t| c.top() < t.bottom()) {
        scroller.set_scroll_top(scroller.scroll_top() - (t.bottom() - c.top()).ceil() as i32);
    }
}

impl MatrixFocus {
    fn focus_cell(&self, key: &str) {
        focus_first(&format!(
            "[data-testid={}][data-cell=\"{key}\"]",
            self.testid
        ));
    }

    /// Give the focus back to cell `key` after the next render (an opening re-renders).
    pub fn after_render(&self, key: String) {
        *self.refocus.borrow_mut() = Some(key);
    }

    /// The Tab stop of this render (its cell's `tabindex` is 0).
    pub fn set_stop(&self, stop: Option<(usize, usize)>) {
        *self.stop.borrow_mut() = stop.map(cell_key);
    }

    /// The matrix's `focusin`: a cell with the focus is the Tab stop from now on
    /// (`on_cell`, which the view keeps by the cell's subject or ends, not its position).
    pub fn on_focusin(&self, on_cell: Callback<(usize, usize)>) -> Callback<FocusEvent> {
        let (inside, testid) = (self.inside.clone(), self.testid);
        Callback::from(move |e: FocusEvent| {
            if let Some(cell) = event_cell(e.target(), testid) {
                inside.set(true);
                on_cell.emit(cell);
            }
        })
    }

    /// The matrix's `focusout`: the focus moved on to something else (not to nothing, as
    /// when the focused cell is taken out of the page).
    pub fn on_focusout(&self) -> Callback<FocusEvent> {
        let (inside, testid) = (self.inside.clone(), self.testid);
        Callback::from(move |e: FocusEvent| {
            if let Some(next) = e.related_target() {
                inside.set(event_cell(Some(next), testid).is_some());
            }
        })
    }

    /// The matrix's `keydown`: an arrow key, Home/End (Ctrl+Home/End: the whole matrix's
    /// first and last) on a cell moves the focus to the cell [`step`] gives among `cells`
    /// and tells `on_cell`; Escape tells `on_escape` (closing the open cell).
    pub fn on_keydown(
        &self,
        cells: Rc<Vec<(usize, usize)>>,
        on_cell: Callback<(usize, usize)>,
        on_escape: Callback<()>,
    ) -> Callback<KeyboardEvent> {
        let this = self.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(from) = event_cell(e.target(), this.testid) else {
                return;
            };
            if e.key() == "Escape" {
                on_escape.emit(());
                return;
            }
            let key = if e.ctrl_key() || e.meta_key() {
                format!("Ctrl+{}", e.key())
            } else {
                e.key()
            };
            let Some(to) = step(&cells, from, &key) else {
                return;
            };
            e.prevent_default();
            on_cell.emit(to);
            this.focus_cell(&cell_key(to));
        })
    }
}

/// The [`MatrixFocus`] of a view whose cells are the `data-testid="{testid}"` buttons, in
/// the view `data-testid="{view}"` (focusable, `tabindex=-1`, for when no cell is left).
#[hook]
pub fn use_matrix_focus(testid: &'static str, view: &'static str) -> MatrixFocus {
    let focus = MatrixFocus {
        testid,
        refocus: use_mut_ref(|| None::<String>),
        inside: use_memo((), |_| Cell::new(false)),
        stop: use_mut_ref(|| None::<String>),
    };
    {
        let focus = focus.clone();
        use_effect(move || {
            if let Some(key) = focus.refocus.borrow_mut().take() {
                focus.focus_cell(&key);
                return;
            }
            // The focus fell to the page (its cell is gone), or stayed on a button that an
            // edit gave to another cell (rows reorder): it goes to the Tab stop, the cell
            // it was on when that is still there.
            let stop = focus.stop.borrow().clone();
            let moved = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| match d.active_element() {
                    None => true,
                    Some(a) if d.body().is_some_and(|b| *b == a) => true,
                    Some(a) => {
                        a.get_attribute("data-testid").as_deref() == Some(focus.testid)
                            && a.get_attribute("data-cell") != stop
                    }
                });
            if focus.inside.get() && moved {
                match stop {
                    Some(key) => focus.focus_cell(&key),
                    None => {
                        focus.inside.set(false);
                        focus_first(&format!("[data-testid={view}]"));
                    }
                }
            }
        });
    }
    focus
}

/// The YAML errors of the text, each naming its place as the Findings tab does and
/// selecting it when clicked; `what` says what is left out.
pub fn yaml_error_list(
    errors: &[YamlErrorView],
    on_select: &Callback<(usize, usize)>,
    what: &str,
) -> Html {
    html! {
        { for errors.iter().map(|e| {
            let (from, to, s) = (e.from, e.to, on_select.clone());
            html! {
                <p class="note">
                    <button class="link yaml-error" data-testid="view-yaml-error" data-line={ e.line.to_string() }
                        onclick={ move |_: MouseEvent| s.emit((from, to)) }>{ e.text() }</button>
                    { format!(" ({what})") }
                </p>
            }
        }) }
    }
}

#[derive(Properties, PartialEq)]
pub struct AccessViewProps {
    pub text: Rc<str>,
    pub version: KubeVersion,
    /// Select a UTF-16 range in the editor.
    pub on_select: Callback<(usize, usize)>,
}

fn grant_list(grants: &[GrantView], on_select: &Callback<(usize, usize)>) -> Html {
    html! {
        <ul class="grants">
            { for grants.iter().map(|g| {
                let rule = g.rule.map(|(from, to, line)| {
                    let s = on_select.clone();
                    html! { <button class="link" data-testid="grant-rule" data-line={ line.to_string() }
                        onclick={ move |_: MouseEvent| s.emit((from, to)) }>{ format!("rule, line {line}") }</button> }
                });
                let binding = g.binding.map(|(from, to, line)| {
                    let s = on_select.clone();
                    html! { <button class="link" data-testid="grant-binding" data-line={ line.to_string() }
                        onclick={ move |_: MouseEvent| s.emit((from, to)) }>{ format!("binding, line {line}") }</button> }
                });
                html! {
                    <li>
                        <span>{ &g.text }</span>
                        if g.built_in { <span class="built-in">{ " (built-in role)" }</span> }
                        { " " }{ for rule }{ " " }{ for binding }
                    </li>
                }
            }) }
        </ul>
    }
}

#[function_component(AccessView)]
pub fn access_view(p: &AccessViewProps) -> Html {
    let data = use_memo((p.text.clone(), p.version), |(text, version)| {
        access_data(text, *version)
    });
    // The open cell: (subject, column); by subject, so that it stays on its subject when
    // an edit reorders the rows.
    let open = use_state(|| None::<(String, usize)>);
    let question = use_state(|| Question {
        verb: "get".into(),
        resource: "secrets".into(),
        ..Question::default()
    });
    let answer = {
        let q = (*question).clone();
        use_memo((p.text.clone(), p.version, q), |(text, version, q)| {
            (!q.who.trim().is_empty()).then(|| can_i(text, *version, q))
        })
    };
    let field = |set: fn(&mut Question, String)| {
        let question = question.clone();
        Callback::from(move |e: InputEvent| {
            let mut q = (*question).clone();
            set(
                &mut q,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            );
            question.set(q);
        })
    };
    let focus = use_matrix_focus("access-cell", "access-view");
    // The arrow keys' cell, by subject and column as the open one is (the matrix's one Tab
    // stop, with the open one).
    let cursor = use_state_eq(|| None::<(String, usize)>);
    let cells: Rc<Vec<(usize, usize)>> = Rc::new(
        data.rows
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.cells
                    .iter()
                    .enumerate()
                    .filter(|(_, cell)| cell.granted)
                    .map(move |(c, _)| (r, c))
            })
            .collect(),
    );
    let at = |key: &Option<(String, usize)>| {
        key.as_ref().and_then(|(subject, c)| {
            Some((data.rows.iter().position(|r| r.subject == *subject)?, *c))
        })
    };
    let open_at = at(&open);
    let stop = tab_stop(&cells, at(&cursor), open_at);
    focus.set_stop(stop);
    let to_cursor = {
        let (cursor, subjects) = (
            cursor.clone(),
            data.rows
                .iter()
                .map(|r| r.subject.clone())
                .collect::<Vec<_>>(),
        );
        Callback::from(move |(r, c): (usize, usize)| {
            if let Some(subject) = subjects.get(r) {
                cursor.set(Some((subject.clone(), c)));
            }
        })
    };
    let on_keys = {
        let open = open.clone();
        focus.on_keydown(
            cells.clone(),
            to_cursor.clone(),
            Callback::from(move |_| open.set(None)),
        )
    };
    let open_cell = |(r, c): (usize, usize)| {
        let (open, on_select, focus, to_cursor) = (
            open.clone(),
            p.on_select.clone(),
            focus.clone(),
            to_cursor.clone(),
        );
        let subject = data.rows[r].subject.clone();
        let target = data.rows[r].cells[c]
            .grants
            .first()
            .and_then(GrantView::target);
        let is_open = open_at == Some((r, c));
        Callback::from(move |e: MouseEvent| {
            to_cursor.emit((r, c));
            // A press on the open cell closes it.
            if is_open {
                open.set(None);
            } else {
                open.set(Some((subject.clone(), c)));
                if let Some((from, to, _)) = target {
                    on_select.emit((from, to));
                }
            }
            // The focus stays on the cell (now and after the render), so that Tab goes on
            // through the view.
            keep_focus(&e);
            focus.after_render(cell_key((r, c)));
        })
    };
    let details = (*open).as_ref().and_then(|(subject, c)| {
        let (_, title, _) = data.permissions.get(*c)?;
        // The subject's row is gone when nothing in the text names it any more.
        let cell = data
            .rows
            .iter()
            .find(|r| r.subject == *subject)
            .and_then(|r| r.cells.get(*c))
            .filter(|cell| cell.granted);
        Some(html! {
            <div class="access-detail" id="access-detail" data-testid="access-detail">
                <h3>{ format!("{subject}: {title}") }</h3>
                if let Some(cell) = cell {
                    <p>{ match cell.text.strip_prefix("cluster") {
                        Some(rest) => format!("Granted cluster-wide{rest}."),
                        None => format!("Granted in {}.", cell.text),
                    } }</p>
                    { grant_list(&cell.grants, &p.on_select) }
                } else {
                    <p>{ "Not granted: nothing in the text grants it now." }</p>
                }
            </div>
        })
    });
    let datalist: Vec<&RowView> = data.rows.iter().collect();
    html! {
        <div class="access-view" data-testid="access-view" tabindex="-1">
            <form class="can-i" data-testid="can-i" onsubmit={ |e: SubmitEvent| e.prevent_default() }>
                <label>{ "can " }<input aria-label="Subject (user, system:serviceaccount:NS:NAME, or group:NAME for any member of a group)" list="access-subjects" data-testid="can-i-as"
                    placeholder="system:serviceaccount:ns:name" value={ question.who.clone() } oninput={ field(|q, v| q.who = v) } /></label>
                <datalist id="access-subjects">
                    { for datalist.iter().map(|r| html! { <option value={ r.group.as_ref().map_or(r.user.clone(), |g| format!("group:{g}")) } /> }) }
                </datalist>
                <input aria-label="Verb" size="8" data-testid="can-i-verb" value={ question.verb.clone() } oninput={ field(|q, v| q.verb = v) } />
                <input aria-label="Resource (TYPE[.GROUP][/NAME] or /URL, as kubectl auth can-i reads it)" size="14" data-testid="can-i-resource" value={ question.resource.clone() } oninput={ field(|q, v| q.resource = v) } />
                <input aria-label="Subresource (exec, log, status, …; empty: none)" size="8" placeholder="subresource" data-testid="can-i-subresource" value={ question.subresource.clone() } oninput={ field(|q, v| q.subresource = v) } />
                <label>{ " in " }<input aria-label="Namespace (empty: every namespace, as kubectl auth can-i -A)" size="14" placeholder="namespace (empty: all)" data-testid="can-i-namespace" value={ question.namespace.clone() } oninput={ field(|q, v| q.namespace = v) } /></label>
                <label>{ " as groups " }<input aria-label="Groups of the subject, comma-separated (kubectl --as-group)" size="12" placeholder="group, group" data-testid="can-i-groups" value={ question.groups.clone() } oninput={ field(|q, v| q.groups = v) } /></label>
                <div aria-live="polite" role="status">
                { match answer.as_ref() {
                    None => html! { <p class="can-i-answer">{ "Pick a subject to ask." }</p> },
                    Some(Err(e)) => html! { <p class="can-i-answer" data-testid="can-i-answer">{ e.clone() }</p> },
                    Some(Ok((allowed, grants, notes))) => html! {
                        <div class="can-i-answer" data-testid="can-i-answer" data-allowed={ allowed.to_string() }>
                            <strong class={ if *allowed { "yes" } else { "no" } }>{ if *allowed { "yes" } else { "no" } }</strong>
                            <span data-testid="can-i-scope">{ match question.namespace.trim() {
                                "" => " (in every namespace, as kubectl auth can-i -A asks; kubeharden can-i without -n asks in default)".to_string(),
                                ns => format!(" (in namespace {ns})"),
                            } }</span>
                            { grant_list(grants, &p.on_select) }
                            { for notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
                        </div>
                    },
                } }
                </div>
            </form>
            if data.rows.is_empty() && !data.roles.is_empty() {
                <p data-testid="access-unbound">{ format!("The text has {}, but nothing in it binds {} to a subject (a RoleBinding or ClusterRoleBinding with subjects), so the matrix has no rows.",
                    data.roles.join(", "), if data.roles.len() == 1 { "it" } else { "them" }) }</p>
            } else if data.rows.is_empty() {
                <p>{ "No RBAC subjects in the text: paste Roles, ClusterRoles and their bindings (or ServiceAccounts)." }</p>
            } else {
                <div class="matrix-scroll">
                    <table class="matrix access-matrix" role="grid" data-testid="access-matrix" onkeydown={ on_keys }
                        onfocusin={ focus.on_focusin(to_cursor.clone()) } onfocusout={ focus.on_focusout() }>
                        <caption>{ format!("{} subject{} × {} permissions; ⚠ dangerous (a privilege-escalation path); ⓝ limited to named objects; the arrow keys move between cells", data.rows.len(), if data.rows.len() == 1 { "" } else { "s" }, data.permissions.len()) }</caption>
                        <thead><tr>
                            <th scope="col">{ "Subject" }</th>
                            { for data.permissions.iter().map(|(id, title, dangerous)| html! {
                                <th scope="col" class={ classes!(dangerous.then_some("dangerous")) } data-permission={ *id }>
                                    <span>{ if *dangerous { format!("⚠ {title}") } else { title.to_string() } }</span></th>
                            }) }
                        </tr></thead>
                        <tbody>
                            { for data.rows.iter().enumerate().map(|(r, row)| html! {
                                <tr>
                                    <th scope="row">{ &row.subject }{ if row.dangerous > 0 { format!(" ({} ⚠)", row.dangerous) } else { String::new() } }
                                        // What the row cannot show (a binding of a role that exists nowhere) is below the matrix.
                                        if !row.notes.is_empty() {
                                            <span class="row-note" data-testid="row-note" title={ row.notes.join("\n") }>{ " ⓘ" }<span class="sr-only">{ " (see the notes below the matrix)" }</span></span>
                                        }</th>
                                    { for row.cells.iter().enumerate().map(|(c, cell)| {
                                        let (id, title, dangerous) = data.permissions[c];
                                        if cell.granted {
                                            let label = format!("{}: {title}: {}", row.subject, cell.text);
                                            let is_open = open_at == Some((r, c));
                                            html! { <td class={ classes!("granted", dangerous.then_some("dangerous"), cell.limited.then_some("limited"), is_open.then_some("open")) }>
                                                <button data-testid="access-cell" data-cell={ format!("{r}-{c}") } data-permission={ id } data-subject={ row.subject.clone() }
                                                    tabindex={ if stop == Some((r, c)) { "0" } else { "-1" } } aria-expanded={ is_open.to_string() } aria-controls={ is_open.then_some("access-detail") }
                                                    aria-label={ label } title={ cell.text.clone() } onclick={ open_cell((r, c)) }>
                                                    { if cell.limited { "ⓝ" } else if dangerous { "⚠" } else { "✓" } }</button></td> }
                                        } else {
                                            html! { <td class="none"><span class="sr-only">{ "no" }</span></td> }
                                        }
                                    }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
            { for details }
            // Unbound roles beside the rows (alone, the sentence above names them).
            if !data.rows.is_empty() && !data.unbound.is_empty() {
                <p class="note" data-testid="access-unbound-roles">
                    { "Nothing in the text or the built-in policy binds " }
                    { for data.unbound.iter().enumerate().map(|(i, (role, from, to, line))| {
                        let (s, range) = (p.on_select.clone(), (*from, *to));
                        html! { <>
                            if i > 0 { { ", " } }
                            <button class="link" data-testid="unbound-role" data-line={ line.to_string() }
                                onclick={ move |_: MouseEvent| s.emit(range) }>{ format!("{role} (line {line})") }</button>
                        </> }
                    }) }
                    { if data.unbound.len() == 1 { ": it grants nothing." } else { ": they grant nothing." } }
                </p>
            }
            { for data.notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
            { yaml_error_list(&data.errors, &p.on_select, "this document is left out of the matrix") }
        </div>
    }
}
