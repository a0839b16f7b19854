//! The Reach tab's view, rendered by the playground's extras (src/web/extras_main.rs
//! `mountView`): the reachability matrix of one namespace ([`crate::reach_data`]) as a
//! table with a port field, and a small SVG diagram for a namespace with few workloads. A
//! cell shows the policies that select each end and the rules that allow the traffic;
//! clicking it selects the first allowing rule (else the first isolating policy) in the
//! editor, and the focus stays on the cell. A YAML error is named, with its place, as the
//! Findings tab names it. The matrix is that of the playground's Kubernetes version, as
//! `kubeharden reach --kube-version` gives it (below v1.22 the API server drops `endPort`,
//! and a note says so).

use std::rc::Rc;

use kubeharden::access::reach::{PortQuery, Verdict};
use kubeharden::KubeVersion;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::access_view::{cell_key, keep_focus, tab_stop, use_matrix_focus, yaml_error_list};
use crate::reach_data::{parse_port, reach_data, PlaceView, ReachData, SideView};

/// A diagram is drawn for a namespace with at most this many workloads.
const DIAGRAM_MAX: usize = 8;

fn symbol(v: Verdict) -> &'static str {
    match v {
        Verdict::Allowed => "✓",
        Verdict::Denied => "✗",
        Verdict::Unknown => "?",
    }
}

#[derive(Properties, PartialEq)]
pub struct ReachViewProps {
    pub text: Rc<str>,
    /// The target Kubernetes version.
    pub version: KubeVersion,
    /// Select a UTF-16 range in the editor.
    pub on_select: Callback<(usize, usize)>,
}

fn places(title: &str, list: &[PlaceView], on_select: &Callback<(usize, usize)>) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <li>{ title }{ " " }
            { for list.iter().enumerate().map(|(i, p)| {
                let (from, to, line) = p.at;
                let s = on_select.clone();
                // Comma-separated, so that the links never run together.
                html! { <>
                    if i > 0 { { ", " } }
                    <button class="link" data-testid="reach-place" data-line={ line.to_string() }
                        onclick={ move |_: MouseEvent| s.emit((from, to)) }>{ format!("{} (line {line})", p.policy) }</button>
                </> }
            }) }
        </li>
    }
}

fn side_view(name: &str, s: &SideView, on_select: &Callback<(usize, usize)>) -> Html {
    let head = match (s.verdict, s.isolated) {
        (Verdict::Allowed, false) => format!("{name}: allowed (no policy isolates it)"),
        (v, _) => format!("{name}: {}", v.text()),
    };
    html! {
        <div class="reach-side">
            <h4>{ head }</h4>
            <ul>
                { places("allowed by", &s.allowing, on_select) }
                { places("selected by", &s.policies, on_select) }
                { for s.reasons.iter().map(|r| html! { <li class="note">{ r.clone() }</li> }) }
            </ul>
        </div>
    }
}

/// A small diagram: the workloads on a circle, the outside destinations on the right;
/// solid arrows for allowed, dashed for undecided connections.
fn diagram(d: &ReachData) -> Html {
    let n = d.workloads;
    if n == 0 {
        return html! {};
    }
    if n > DIAGRAM_MAX {
        return html! { <p class="note" data-testid="reach-no-diagram">{ format!("No diagram: {n} workloads are more than the {DIAGRAM_MAX} it draws; the table holds every answer.") }</p> };
    }
    let (w, h) = (
        520.0_f64,
        60.0 + 56.0 * n.max(d.destinations.len().saturating_sub(n)) as f64,
    );
    let left = |i: usize| (110.0, 40.0 + 56.0 * i as f64);
    let right = |j: usize| (410.0, 40.0 + 56.0 * j as f64);
    let mut edges = Vec::new();
    for (si, row) in d.cells.iter().enumerate().take(n) {
        for (di, cell) in row.iter().enumerate() {
            let Some(c) = cell else { continue };
            if c.verdict == Verdict::Denied || di == si {
                continue;
            }
            let (x1, y1) = left(si);
            let (x2, y2) = if di < n { left(di) } else { right(di - n) };
            let (x2, y2) = if di < n {
                (x2 + 30.0, y2)
            } else {
                (x2 - 70.0, y2)
            };
            let path = if di < n {
                format!(
                    "M{} {} C{} {} {} {} {} {}",
                    x1 + 70.0,
                    y1,
                    x1 + 150.0,
                    y1,
                    x2 + 120.0,
                    y2,
                    x2 + 40.0,
                    y2
                )
            } else {
                format!("M{} {} L{} {}", x1 + 70.0, y1, x2, y2)
            };
            edges.push(html! {
                <path d={ path } class={ classes!("edge", (c.verdict == Verdict::Unknown).then_some("unknown"), (di >= n && d.outside[di] && (1..=2).contains(&(di - n))).then_some("metadata")) } marker-end="url(#arrow)" />
            });
        }
    }
    html! {
        <svg class="reach-diagram" data-testid="reach-diagram" role="img" viewBox={ format!("0 0 {w} {h}") }
            aria-label="Diagram of the allowed (solid) and undecided (dashed) connections from each workload to the others and to the outside; a workload's connections to itself and those from the internet are in the table above only">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                <path d="M0 0 L10 5 L0 10 z" class="arrow-head" /></marker></defs>
            { for edges }
            { for (0..n).map(|i| { let (x, y) = left(i); html! {
                <g class="node"><rect x={ (x - 70.0).to_string() } y={ (y - 16.0).to_string() } width="140" height="32" rx="6" />
                <text x={ x.to_string() } y={ (y + 5.0).to_string() } text-anchor="middle">{ short(&d.sources[i]) }</text></g> } }) }
            { for (n..d.destinations.len()).map(|j| { let (x, y) = right(j - n); html! {
                <g class={ classes!("node", "outside", (1..=2).contains(&(j - n)).then_some("metadata")) }><rect x={ (x - 70.0).to_string() } y={ (y - 16.0).to_string() } width="140" height="32" rx="6" />
                <text x={ x.to_string() } y={ (y + 5.0).to_string() } text-anchor="middle">{ short(&d.destinations[j]) }</text></g> } }) }
        </svg>
    }
}

fn short(s: &str) -> String {
    let s = s.rsplit(' ').next().unwrap_or(s);
    if s.chars().count() > 18 {
        format!("{}…", s.chars().take(17).collect::<String>())
    } else {
        s.to_string()
    }
}

#[function_component(ReachView)]
pub fn reach_view(p: &ReachViewProps) -> Html {
    let namespace = use_state(|| None::<String>);
    let port_text = use_state(String::new);
    let port = parse_port(&port_text);
    let data = {
        let port = port.clone().unwrap_or(PortQuery::Any);
        use_memo(
            (p.text.clone(), (*namespace).clone(), port, p.version),
            |(text, ns, port, version)| reach_data(text, ns.as_deref(), port, *version),
        )
    };
    // The open cell: (source, destination) by name, so that it stays on them when an edit
    // reorders the matrix.
    let open = use_state(|| None::<(String, String)>);
    let on_ns = {
        let (namespace, open) = (namespace.clone(), open.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            namespace.set(Some(v));
            open.set(None);
        })
    };
    let on_port = {
        let port_text = port_text.clone();
        Callback::from(move |e: InputEvent| {
            port_text.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let focus = use_matrix_focus("reach-cell", "reach-view");
    // The arrow keys' cell, by its ends as the open one is (the matrix's one Tab stop, with
    // the open one).
    let cursor = use_state_eq(|| None::<(String, String)>);
    let cells: Rc<Vec<(usize, usize)>> = Rc::new(
        data.cells
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .filter(|(_, cell)| cell.is_some())
                    .map(move |(c, _)| (r, c))
            })
            .collect(),
    );
    let at = |key: &Option<(String, String)>| {
        key.as_ref().and_then(|(from, to)| {
            let r = data.sources.iter().position(|s| s == from)?;
            Some((r, data.destinations.iter().position(|d| d == to)?))
        })
    };
    let open_at = at(&open);
    let stop = tab_stop(&cells, at(&cursor), open_at);
    focus.set_stop(stop);
    let to_cursor = {
        let (cursor, sources, destinations) = (
            cursor.clone(),
            data.sources.clone(),
            data.destinations.clone(),
        );
        Callback::from(move |(r, c): (usize, usize)| {
            if let (Some(from), Some(to)) = (sources.get(r), destinations.get(c)) {
                cursor.set(Some((from.clone(), to.clone())));
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
    let open_cell = |(r, c): (usize, usize), target: Option<(usize, usize, usize)>| {
        let (open, on_select, focus, to_cursor) = (
            open.clone(),
            p.on_select.clone(),
            focus.clone(),
            to_cursor.clone(),
        );
        let ends = (data.sources[r].clone(), data.destinations[c].clone());
        let is_open = open_at == Some((r, c));
        Callback::from(move |e: MouseEvent| {
            to_cursor.emit((r, c));
            // A press on the open cell closes it.
            if is_open {
                open.set(None);
            } else {
                open.set(Some(ends.clone()));
                if let Some((from, to, _)) = target {
                    on_select.emit((from, to));
                }
            }
            keep_focus(&e);
            focus.after_render(cell_key((r, c)));
        })
    };
    let details = (*open).as_ref().and_then(|(from, to)| {
        let r = data.sources.iter().position(|s| s == from)?;
        let c = data.destinations.iter().position(|d| d == to)?;
        let cell = data.cells.get(r)?.get(c)?.as_ref()?;
        Some(html! {
            <div class="reach-detail" id="reach-detail" data-testid="reach-detail">
                <h3>{ format!("{} → {} ({}): {}", data.sources[r], data.destinations[c], data.port, cell.verdict.text()) }</h3>
                { side_view("egress of the source", &cell.egress, &p.on_select) }
                { side_view("ingress of the destination", &cell.ingress, &p.on_select) }
            </div>
        })
    });
    html! {
        <div class="reach-view" data-testid="reach-view" tabindex="-1">
            <div class="reach-controls">
                <label>{ "Namespace " }
                    <select data-testid="reach-namespace" onchange={ on_ns }>
                        { for data.namespaces.iter().map(|n| {
                            let v = n.clone().unwrap_or_default();
                            let label = n.clone().unwrap_or_else(|| "(no namespace)".into());
                            html! { <option value={ v.clone() } selected={ data.namespace.clone().unwrap_or_default() == v }>{ label }</option> }
                        }) }
                    </select></label>
                <label>{ " Port " }<input size="9" placeholder="any" data-testid="reach-port" value={ (*port_text).clone() } oninput={ on_port }
                    aria-label="Port: any, PORT or PROTOCOL PORT" /></label>
                if let Err(e) = &port { <span class="note">{ format!(" {e}; showing any port") }</span> }
                if matches!(port, Ok(PortQuery::Port { .. })) {
                    <p class="note" data-testid="reach-fixed-ports">{ "The port applies to the workloads and the internet; metadata and metadata-v6 are asked on TCP 80, the kubelet on TCP 10250 and cluster DNS on UDP 53, their own ports." }</p>
                }
            </div>
            if data.workloads == 0 && !data.errors.is_empty() {
                <p data-testid="reach-unreadable">{ format!("No workloads could be read: {} of the text {} a YAML error, and {} left out (the other documents hold no workload).",
                    if data.errors.len() == 1 { "a document".to_string() } else { format!("{} documents", data.errors.len()) },
                    if data.errors.len() == 1 { "has" } else { "have" }, if data.errors.len() == 1 { "it is" } else { "they are" }) }</p>
            } else if data.workloads == 0 {
                <p>{ "No workloads in the text: paste Deployments, Pods or other workloads and their NetworkPolicies." }</p>
            } else {
                <div class="matrix-scroll">
                    <table class="matrix reach-matrix" role="grid" data-testid="reach-matrix" onkeydown={ on_keys }
                        onfocusin={ focus.on_focusin(to_cursor.clone()) } onfocusout={ focus.on_focusout() }>
                        <caption>{ format!("Namespace {} ({}): ✓ allowed, ✗ denied, ? the manifests cannot decide; the arrow keys move between cells", data.namespace.clone().unwrap_or_else(|| "(none)".into()), data.port) }</caption>
                        <thead><tr><th scope="col">{ "from \\ to" }</th>
                            { for data.destinations.iter().enumerate().map(|(j, d)| html! {
                                <th scope="col" class={ classes!(data.outside[j].then_some("outside")) }><span>{ d.clone() }</span></th> }) }
                        </tr></thead>
                        <tbody>
                            { for data.cells.iter().enumerate().map(|(r, row)| html! {
                                <tr><th scope="row">{ data.sources[r].clone() }</th>
                                    { for row.iter().enumerate().map(|(c, cell)| match cell {
                                        None => html! { <td class="none"><span class="sr-only">{ "not asked" }</span></td> },
                                        Some(cell) => {
                                            let v = cell.verdict;
                                            let label = format!("{} → {}: {}", data.sources[r], data.destinations[c], v.text());
                                            let is_open = open_at == Some((r, c));
                                            html! { <td class={ classes!(v.text(), is_open.then_some("open")) }>
                                                <button data-testid="reach-cell" data-cell={ format!("{r}-{c}") } data-from={ data.sources[r].clone() } data-to={ data.destinations[c].clone() }
                                                    tabindex={ if stop == Some((r, c)) { "0" } else { "-1" } } aria-expanded={ is_open.to_string() } aria-controls={ is_open.then_some("reach-detail") }
                                                    data-verdict={ v.text() } aria-label={ label } onclick={ open_cell((r, c), cell.target()) }>{ symbol(v) }</button></td> }
                                        }
                                    }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                { diagram(&data) }
            }
            { for details }
            { for data.notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
            { yaml_error_list(&data.errors, &p.on_select, "this document is left out of the matrix") }
        </div>
    }
}
