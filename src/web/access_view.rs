//! The Access tab's view, rendered by the playground's extras (src/web/extras_main.rs
//! `mountView`): the RBAC matrix of the text ([`crate::access_data`]) as a table, and a
//! can-i box. A cell lists the grants (binding, role, rule) behind it; clicking it selects
//! the granting rule in the editor (or the binding, when the rule is a built-in role's).
//! Computed again when the text or the Kubernetes version changes.

use std::rc::Rc;

use kubeharden::KubeVersion;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::access_data::{access_data, can_i, GrantView, Question, RowView};

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
    // The open cell: (row, column).
    let open = use_state(|| None::<(usize, usize)>);
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
    let open_cell = |(r, c): (usize, usize)| {
        let (open, on_select) = (open.clone(), p.on_select.clone());
        let target = data.rows[r].cells[c]
            .grants
            .first()
            .and_then(GrantView::target);
        Callback::from(move |_: MouseEvent| {
            open.set(Some((r, c)));
            if let Some((from, to, _)) = target {
                on_select.emit((from, to));
            }
        })
    };
    let details = (*open).and_then(|(r, c)| {
        let row = data.rows.get(r)?;
        let cell = row.cells.get(c)?;
        let (_, title, _) = data.permissions.get(c)?;
        Some(html! {
            <div class="access-detail" data-testid="access-detail">
                <h3>{ format!("{}: {title}", row.subject) }</h3>
                <p>{ format!("Granted {}.", cell.text) }</p>
                { grant_list(&cell.grants, &p.on_select) }
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
                <input aria-label="Resource (TYPE[.GROUP][/NAME or /SUBRESOURCE] or /URL)" size="14" data-testid="can-i-resource" value={ question.resource.clone() } oninput={ field(|q, v| q.resource = v) } />
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
            if data.rows.is_empty() {
                <p>{ "No RBAC subjects in the text: paste Roles, ClusterRoles and their bindings (or ServiceAccounts)." }</p>
            } else {
                <div class="matrix-scroll">
                    <table class="matrix access-matrix" data-testid="access-matrix">
                        <caption>{ format!("{} subject{} × {} permissions; ⚠ dangerous (a privilege-escalation path); ⓝ limited to named objects", data.rows.len(), if data.rows.len() == 1 { "" } else { "s" }, data.permissions.len()) }</caption>
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
                                    <th scope="row">{ &row.subject }{ if row.dangerous > 0 { format!(" ({} ⚠)", row.dangerous) } else { String::new() } }</th>
                                    { for row.cells.iter().enumerate().map(|(c, cell)| {
                                        let (id, title, dangerous) = data.permissions[c];
                                        if cell.granted {
                                            let label = format!("{}: {title}: {}", row.subject, cell.text);
                                            html! { <td class={ classes!("granted", dangerous.then_some("dangerous"), cell.limited.then_some("limited"), (*open == Some((r, c))).then_some("open")) }>
                                                <button data-testid="access-cell" data-permission={ id } data-subject={ row.subject.clone() }
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
            if data.left_out > 0 {
                <p class="note">{ format!("{} YAML error(s): those documents are left out.", data.left_out) }</p>
            }
        </div>
    }
}
