//! The Access tab's view, rendered by the playground's extras (src/web/extras_main.rs
//! `mountView`): the RBAC matrix of the text ([`crate::access_data`]) as a table, and a
//! can-i box in `kubectl auth can-i`'s grammar (`TYPE[.GROUP][/NAME]`, the subresource
//! apart). A cell lists the grants (binding, role, rule) behind it; clicking it selects
//! the granting rule in the editor (or the binding, when the rule is a built-in role's),
//! and the focus stays in the view. The matrix is one Tab stop; the arrow keys move
//! between its cells ([`matrix_keys`]). Computed again when the text or the Kubernetes
//! version changes.

use std::cell::RefCell;
use std::rc::Rc;

use kubeharden::KubeVersion;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::access_data::{access_data, can_i, step, GrantView, Question, RowView, YamlErrorView};

/// The matrix cell (its `data-cell`, `ROW-COLUMN`) whose button gets the focus back after
/// the next render.
pub type Refocus = Rc<RefCell<Option<String>>>;

/// Opening a cell selects its place in the editor without focusing it (the views' selector,
/// www/editor.js `selector`); the focus stays on the cell's button (`e`'s target, focused
/// again in case the press did not, as in Safari) and, by its `data-cell` `key`, goes back
/// to it after the render the opening causes (see [`use_refocus`]), so that the next Tab
/// goes on through the view instead of indenting the editor's lines.
pub fn keep_focus(e: &MouseEvent, refocus: &Refocus, key: String) {
    if let Some(button) = e
        .current_target()
        .and_then(|t| t.dyn_into::<HtmlElement>().ok())
    {
        let _ = button.focus();
    }
    *refocus.borrow_mut() = Some(key);
}

/// Focus the `data-testid="{testid}"` button whose `data-cell` is `key`, if there is one.
fn focus_cell(testid: &str, key: &str) {
    let cell = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("[data-testid={testid}][data-cell=\"{key}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(cell) = cell {
        let _ = cell.focus();
    }
}

/// After each render, focus the cell [`keep_focus`] asked for (the `data-testid="{testid}"`
/// button with its `data-cell`), once.
#[hook]
pub fn use_refocus(testid: &'static str) -> Refocus {
    let refocus = use_mut_ref(|| None::<String>);
    {
        let refocus = refocus.clone();
        use_effect(move || {
            if let Some(key) = refocus.borrow_mut().take() {
                focus_cell(testid, &key);
            }
        });
    }
    refocus
}

/// The one cell of a matrix that is a Tab stop (the ARIA grid pattern's roving focus: Tab
/// enters the matrix once and leaves it, the arrow keys move inside, [`step`]): the cell
/// the arrow keys or a press last moved to, while it still has a button, else `open`, else
/// the first cell.
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

/// The matrix's `keydown`: an arrow key (or Home/End) on a cell's button moves the focus
/// to the cell [`step`] gives and makes it the Tab stop (`cursor`).
pub fn matrix_keys(
    cells: Rc<Vec<(usize, usize)>>,
    cursor: UseStateHandle<Option<(usize, usize)>>,
    testid: &'static str,
) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        let from = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .filter(|el| el.get_attribute("data-testid").as_deref() == Some(testid))
            .and_then(|el| el.get_attribute("data-cell"))
            .and_then(|k| {
                let (r, c) = k.split_once('-')?;
                Some((r.parse().ok()?, c.parse().ok()?))
            });
        let Some(to) = from.and_then(|from| step(&cells, from, &e.key())) else {
            return;
        };
        e.prevent_default();
        cursor.set(Some(to));
        focus_cell(testid, &format!("{}-{}", to.0, to.1));
    })
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
    // The cell whose button gets the focus back after the next render (its `data-cell`).
    let refocus = use_refocus("access-cell");
    // The arrow keys' cell (the matrix's one Tab stop, with the open one).
    let cursor = use_state(|| None::<(usize, usize)>);
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
    let open_at = (*open)
        .as_ref()
        .and_then(|(subject, c)| Some((data.rows.iter().position(|r| r.subject == *subject)?, *c)));
    let stop = tab_stop(&cells, *cursor, open_at);
    let on_keys = matrix_keys(cells.clone(), cursor.clone(), "access-cell");
    let open_cell = |(r, c): (usize, usize)| {
        let (open, on_select, refocus, cursor) = (
            open.clone(),
            p.on_select.clone(),
            refocus.clone(),
            cursor.clone(),
        );
        let subject = data.rows[r].subject.clone();
        let target = data.rows[r].cells[c]
            .grants
            .first()
            .and_then(GrantView::target);
        Callback::from(move |e: MouseEvent| {
            open.set(Some((subject.clone(), c)));
            cursor.set(Some((r, c)));
            if let Some((from, to, _)) = target {
                on_select.emit((from, to));
            }
            // The focus stays on the cell (now and after the render), so that Tab goes on
            // through the view.
            keep_focus(&e, &refocus, format!("{r}-{c}"));
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
        <div class="access-view" data-testid="access-view">
            <form class="can-i" data-testid="can-i" onsubmit={ |e: SubmitEvent| e.prevent_default() }>
                <label>{ "can " }<input aria-label="Subject (user, system:serviceaccount:NS:NAME or group:NAME)" list="access-subjects" data-testid="can-i-as"
                    placeholder="system:serviceaccount:ns:name" value={ question.who.clone() } oninput={ field(|q, v| q.who = v) } /></label>
                <datalist id="access-subjects">
                    { for datalist.iter().map(|r| html! { <option value={ r.group.as_ref().map_or(r.user.clone(), |g| format!("group:{g}")) } /> }) }
                </datalist>
                <input aria-label="Verb" size="8" data-testid="can-i-verb" value={ question.verb.clone() } oninput={ field(|q, v| q.verb = v) } />
                <input aria-label="Resource (TYPE[.GROUP][/NAME] or /URL, as kubectl auth can-i reads it)" size="14" data-testid="can-i-resource" value={ question.resource.clone() } oninput={ field(|q, v| q.resource = v) } />
                <input aria-label="Subresource (exec, log, status, …; empty: none)" size="8" placeholder="subresource" data-testid="can-i-subresource" value={ question.subresource.clone() } oninput={ field(|q, v| q.subresource = v) } />
                <label>{ " in " }<input aria-label="Namespace (empty: cluster-wide)" size="10" placeholder="namespace" data-testid="can-i-namespace" value={ question.namespace.clone() } oninput={ field(|q, v| q.namespace = v) } /></label>
                { match answer.as_ref() {
                    None => html! { <p class="can-i-answer">{ "Pick a subject to ask." }</p> },
                    Some(Err(e)) => html! { <p class="can-i-answer" data-testid="can-i-answer">{ e.clone() }</p> },
                    Some(Ok((allowed, grants, notes))) => html! {
                        <div class="can-i-answer" data-testid="can-i-answer" data-allowed={ allowed.to_string() }>
                            <strong class={ if *allowed { "yes" } else { "no" } }>{ if *allowed { "yes" } else { "no" } }</strong>
                            { grant_list(grants, &p.on_select) }
                            { for notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
                        </div>
                    },
                } }
            </form>
            if data.rows.is_empty() && !data.roles.is_empty() {
                <p data-testid="access-unbound">{ format!("The text has {}, but nothing in it binds {} to a subject (a RoleBinding or ClusterRoleBinding with subjects), so the matrix has no rows.",
                    data.roles.join(", "), if data.roles.len() == 1 { "it" } else { "them" }) }</p>
            } else if data.rows.is_empty() {
                <p>{ "No RBAC subjects in the text: paste Roles, ClusterRoles and their bindings (or ServiceAccounts)." }</p>
            } else {
                <div class="matrix-scroll">
                    <table class="matrix access-matrix" data-testid="access-matrix" onkeydown={ on_keys }>
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
            { for data.notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
            { yaml_error_list(&data.errors, &p.on_select, "this document is left out of the matrix") }
        </div>
    }
}
