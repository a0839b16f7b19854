//! The findings tab: an overview (severity counts), what was checked per document, the
//! filters (severity, area, rule, text, suppressed), YAML errors (clickable), and the
//! findings grouped by object (collapsible), one card each; findings of several rules on
//! one span are one entry with the others folded under it. A list of over
//! [`RENDERED_WHOLE`] entries renders only those near the view (window.rs): a paste with a
//! hundred thousand findings scrolls as one list.

use std::collections::BTreeMap;
use std::rc::Rc;

use kubeharden::{Options, Severity};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::coverage::{self, DocCoverage, Status};
use crate::engine::{self, Checked, EditorFinding, FixChoice};
use crate::rule_doc::RuleDoc;
use crate::state::{Action, Filters, FixKey, AREAS};
use crate::window::{self, Heights, Piece};

pub fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "✖",
        Severity::High => "▲",
        Severity::Medium => "◆",
        Severity::Low => "●",
        Severity::Info => "ℹ",
    }
}

#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    /// `None` while checking is paused.
    pub checked: Rc<Option<Checked>>,
    /// The options of that check (for the coverage view).
    pub options: Options,
    pub filters: Filters,
    pub unsafe_fixes: bool,
    pub left_out: Vec<FixKey>,
    /// The text looks like a Helm template (`{{ … }}`).
    pub helm: bool,
    pub dispatch: Callback<Action>,
    /// Select a UTF-16 range in the editor.
    pub on_select: Callback<(usize, usize)>,
    /// Apply one finding's fix to the editor (its id).
    pub on_apply: Callback<String>,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The most entries a list renders whole; a longer one renders those near the view.
pub const RENDERED_WHOLE: usize = 100;

/// A check compared by its address: the listing is computed again for another check, not
/// compared with the last one finding by finding.
#[derive(Clone)]
struct SameCheck(Rc<Option<Checked>>);

impl PartialEq for SameCheck {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

/// What the list shows of one check under the filters, computed once per check and filter
/// (not on each render: scrolling renders again). Findings are indices into the check's.
#[derive(Default)]
struct Listing {
    /// By object, ordered by their most severe finding (the adapter sorts findings by
    /// severity, then position).
    groups: Vec<Listed>,
    /// Findings the filters show.
    visible: usize,
    /// Findings not suppressed, per severity (in `Severity::ALL`'s order).
    counts: Vec<usize>,
    suppressed: usize,
    /// The rules with findings, for the rule filter.
    rules: Vec<&'static str>,
}

struct Listed {
    object: String,
    findings: usize,
    /// A finding with the ones folded under it is one entry.
    entries: Vec<(usize, Vec<usize>)>,
}

fn listing(checked: &Checked, filters: &Filters) -> Listing {
    let all = &checked.findings;
    let mut by_object: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut visible = 0;
    for (i, f) in all.iter().enumerate() {
        let hay = format!("{} {} {}", f.rule, f.message, f.object);
        if engine::area(f).is_none_or(|a| filters.shows(f.severity, a))
            && filters.matches(f.rule, f.suppressed.is_some(), &hay)
        {
            by_object.entry(f.object.as_str()).or_default().push(i);
            visible += 1;
        }
    }
    let mut groups: Vec<Listed> = by_object
        .into_iter()
        .map(|(object, list)| Listed {
            object: object.to_string(),
            findings: list.len(),
            entries: folded(all, &list),
        })
        .collect();
    let first = |g: &Listed| &all[g.entries[0].0];
    groups.sort_by(|a, b| {
        let (a, b) = (first(a), first(b));
        b.severity.cmp(&a.severity).then(a.from.cmp(&b.from))
    });
    let mut rules: Vec<&'static str> = all.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    Listing {
        groups,
        visible,
        counts: Severity::ALL
            .iter()
            .map(|&s| {
                all.iter()
                    .filter(|f| f.severity == s && f.suppressed.is_none())
                    .count()
            })
            .collect(),
        suppressed: all.iter().filter(|f| f.suppressed.is_some()).count(),
        rules,
    }
}

/// The list's geometry as last measured: the estimated heights, and how many cards and
/// headers they are the average of (capped, so that they follow a change of the cards).
#[derive(Default)]
struct Measured {
    entry: (f64, f64),
    header: (f64, f64),
}

/// The most measurements an average weighs a new one against.
const MEASURED_WEIGHT: f64 = 400.0;

impl Measured {
    fn add(avg: &mut (f64, f64), sum: f64, n: f64) {
        if n > 0.0 {
            let (mean, weight) = *avg;
            *avg = (
                (mean * weight + sum) / (weight + n),
                (weight + n).min(MEASURED_WEIGHT),
            );
        }
    }

    /// The heights to render with: the last ones unless the averages moved by 2 px or more
    /// (so that a render does not start another over a fraction of a pixel).
    fn heights(&self, last: Heights) -> Heights {
        let pick = |(mean, weight): (f64, f64), last: f64| {
            if weight > 0.0 && (mean - last).abs() >= 2.0 {
                mean.round()
            } else {
                last
            }
        };
        Heights {
            header: pick(self.header, last.header),
            entry: pick(self.entry, last.entry),
        }
    }
}

/// The part of the list in view: `(top, bottom)` in px from the list's top, and the height
/// of the box it is seen through (the findings pane, or the window where the page scrolls
/// as one column).
fn in_view(pane: &Element, list: &Element) -> ((f64, f64), f64) {
    let window_height = web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    let (pane, list) = (
        pane.get_bounding_client_rect(),
        list.get_bounding_client_rect(),
    );
    if pane.height() <= 0.0 {
        return ((0.0, 0.0), 0.0);
    }
    let (top, bottom) = (pane.top().max(0.0), pane.bottom().min(window_height));
    (
        (top - list.top(), bottom - list.top()),
        (bottom - top).max(0.0),
    )
}

/// Measures the rendered groups: the header's height (summary to list) of each open group,
/// and the distance between neighbouring cards (a card with the space to the next).
fn measure(list: &Element, into: &mut Measured) {
    let (mut entries, mut n_entries, mut headers, mut n_headers) = (0.0, 0.0, 0.0, 0.0);
    let mut group = list.first_element_child();
    while let Some(g) = group {
        if g.has_attribute("open") {
            if let Some(ul) = g.last_element_child() {
                let top = ul.get_bounding_client_rect().top();
                headers += top - g.get_bounding_client_rect().top();
                n_headers += 1.0;
                let mut card = ul.first_element_child();
                let mut last: Option<f64> = None;
                while let Some(c) = card {
                    if c.has_attribute("data-testid") {
                        let top = c.get_bounding_client_rect().top();
                        if let Some(previous) = last {
                            entries += top - previous;
                            n_entries += 1.0;
                        }
                        last = Some(top);
                    } else {
                        last = None;
                    }
                    card = c.next_element_sibling();
                }
            }
        }
        group = g.next_element_sibling();
    }
    if n_headers > 0.0 && headers / n_headers > 0.0 {
        Measured::add(&mut into.header, headers, n_headers);
    }
    if n_entries > 0.0 && entries / n_entries > 0.0 {
        Measured::add(&mut into.entry, entries, n_entries);
    }
}

/// An empty box of `px` CSS px standing for the part of the list not rendered: an SVG's
/// `height` attribute, since the page's Content-Security-Policy (`style-src 'self'`) refuses
/// `style` attributes. Keyed (`key`), as its siblings are: a list whose children are not
/// all keyed is compared by position, and a window moved by one entry would give every card
/// another finding to render.
fn gap(px: f64, item: bool, key: String) -> Html {
    let svg = html! { <svg width="1" height={ (px.max(0.0).round() as u64).to_string() } focusable="false"></svg> };
    if item {
        html! { <li {key} class="gap" aria-hidden="true">{ svg }</li> }
    } else {
        html! { <div {key} class="gap" aria-hidden="true">{ svg }</div> }
    }
}

#[function_component(Findings)]
pub fn findings(p: &FindingsProps) -> Html {
    // A card names its finding (and which of its places) when clicked; the range is looked
    // up in the newest check then, so that a card whose finding only moved along with the
    // text (typing above it) is not rendered again, and still selects the right range.
    let latest = use_mut_ref(|| Rc::new(None::<Checked>));
    *latest.borrow_mut() = p.checked.clone();
    let on_pick = {
        let (latest, on_select) = (latest.clone(), p.on_select.clone());
        use_callback((), move |(id, related): (String, Option<usize>), _| {
            let checked = latest.borrow().clone();
            let Some(f) = checked
                .as_ref()
                .as_ref()
                .and_then(|c| c.findings.iter().find(|f| f.id == id))
            else {
                return;
            };
            match related {
                None => on_select.emit((f.from, f.to)),
                Some(i) => {
                    if let Some(r) = f.related.get(i) {
                        on_select.emit((r.range.from, r.range.to));
                    }
                }
            }
        })
    };
    let listing = use_memo(
        (SameCheck(p.checked.clone()), p.filters.clone()),
        |(checked, filters)| {
            checked
                .0
                .as_ref()
                .as_ref()
                .map(|c| listing(c, filters))
                .unwrap_or_default()
        },
    );
    // Groups the person closed, by object (a group scrolled out of view and back keeps it).
    let closed = use_state(Vec::<String>::new);
    let heights = use_state_eq(Heights::default);
    let view = use_state_eq(|| window::widened((0.0, 0.0), 0.0));
    let measured = use_mut_ref(Measured::default);
    let (pane, list) = (use_node_ref(), use_node_ref());
    // What is in view is looked at on every scroll (of the pane or the page: captured at
    // the document) and resize, and after every render (a check, a filter, a group closed
    // or a card opened changes the list's height).
    let look = {
        let (pane, list, view) = (pane.clone(), list.clone(), view.clone());
        Rc::new(move || {
            if let (Some(pane), Some(list)) = (pane.cast::<Element>(), list.cast::<Element>()) {
                let (visible, viewport) = in_view(&pane, &list);
                view.set(window::widened(visible, viewport));
            }
        })
    };
    {
        let (look, measured) = (look.clone(), measured.clone());
        use_effect_with((), move |_| {
            let on_scroll = Closure::<dyn Fn()>::new({
                let look = look.clone();
                move || look()
            });
            let on_resize = Closure::<dyn Fn()>::new(move || {
                // Another width wraps the cards' text anew: measure again from scratch.
                *measured.borrow_mut() = Measured::default();
                look()
            });
            let window = web_sys::window();
            let document = window.as_ref().and_then(|w| w.document());
            if let Some(d) = &document {
                let _ = d.add_event_listener_with_callback_and_bool(
                    "scroll",
                    on_scroll.as_ref().unchecked_ref(),
                    true,
                );
            }
            if let Some(w) = &window {
                let _ = w
                    .add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
            }
            move || {
                if let Some(d) = &document {
                    let _ = d.remove_event_listener_with_callback_and_bool(
                        "scroll",
                        on_scroll.as_ref().unchecked_ref(),
                        true,
                    );
                }
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback(
                        "resize",
                        on_resize.as_ref().unchecked_ref(),
                    );
                }
                drop((on_scroll, on_resize));
            }
        });
    }
    {
        let (list, heights, measured) = (list.clone(), heights.clone(), measured.clone());
        use_effect(move || {
            if let Some(l) = list.cast::<Element>() {
                let mut m = measured.borrow_mut();
                measure(&l, &mut m);
                heights.set(m.heights(*heights));
            }
            look();
        });
    }
    let Some(checked) = p.checked.as_ref() else {
        return html! { <p class="empty">{ "Not checked yet." }</p> };
    };
    let coverage = coverage::coverage(checked, p.options);
    let unchecked = coverage::unchecked_count(&coverage);
    let hidden = checked.findings.len() - listing.visible;
    let shape: Vec<window::Group> = listing
        .groups
        .iter()
        .map(|g| window::Group {
            entries: g.entries.len(),
            open: !closed.contains(&g.object),
        })
        .collect();
    let entries: usize = listing.groups.iter().map(|g| g.entries.len()).sum();
    // A list of ordinary length is rendered whole: the browser's find-in-page and printing
    // see every card, and rendering them costs a check little.
    let in_view = if entries <= RENDERED_WHOLE {
        (0.0, f64::INFINITY)
    } else {
        *view
    };
    let pieces = window::plan(&shape, *heights, in_view);

    let counts = Severity::ALL.iter().zip(&listing.counts).map(|(&s, n)| {
        html! {
            <li class={ classes!("count", format!("sev-{s}")) }><span class="sev"><span aria-hidden="true">{ severity_icon(s) }</span>{ format!(" {s}") }</span>{ format!(" {n}") }</li>
        }
    });
    let suppressed = listing.suppressed;

    let severity_filter = Severity::ALL.iter().map(|&s| {
        let shown = !p.filters.hidden_severities.contains(&s);
        let onchange = p.dispatch.reform(move |_: Event| Action::ToggleSeverity(s));
        html! {
            <label class={ classes!("filter", format!("sev-{s}")) }>
                <input type="checkbox" checked={ shown } {onchange} />{ format!("{} {s}", severity_icon(s)) }
            </label>
        }
    });
    let area_filter = AREAS.iter().map(|&a| {
        let shown = !p.filters.hidden_areas.contains(&a);
        let onchange = p.dispatch.reform(move |_: Event| Action::ToggleArea(a));
        html! { <label class="filter"><input type="checkbox" checked={ shown } {onchange} />{ a.as_str() }</label> }
    });
    let on_rule = p.dispatch.reform(|e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        Action::SetRuleFilter((!v.is_empty()).then_some(v))
    });
    let on_query = p.dispatch.reform(|e: InputEvent| {
        Action::SetQuery(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let on_hide = p.dispatch.reform(|e: Event| {
        Action::SetHideSuppressed(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let clear = p.dispatch.reform(|_: MouseEvent| Action::ClearFilters);

    let empty = if listing.visible > 0 {
        None
    } else if hidden > 0 {
        Some(html! {
            <p class="empty" data-testid="empty">{ format!("{} hidden by the filters. ", plural(hidden, "finding is", "findings are")) }
                <button onclick={ clear.clone() }>{ "Show all" }</button></p>
        })
    } else if !checked.errors.is_empty() || unchecked > 0 {
        Some(html! {
            <p class="empty" data-testid="empty">{ format!(
                "No findings in what was checked, but {} not (fully) checked: see \"What was checked\" above.",
                plural(unchecked, "document was", "documents were")
            ) }</p>
        })
    } else {
        Some(
            html! { <p class="empty" data-testid="empty">{ "No findings for this profile and version in any document." }</p> },
        )
    };
    // Groups are keyed by their place in the list, not their object: typing a new name
    // into an object keeps its group (and cards) where they are.
    let rendered = pieces.iter().enumerate().map(|(k, piece)| match piece {
        Piece::Gap(px) => gap(*px, false, format!("gap {k}")),
        Piece::Group { index, from, to, before, after } => {
            let g = &listing.groups[*index];
            let open = shape[*index].open;
            let ontoggle = {
                let (closed, object) = (closed.clone(), g.object.clone());
                Callback::from(move |e: Event| {
                    let now_open = e.target_unchecked_into::<Element>().has_attribute("open");
                    if now_open == closed.contains(&object) {
                        let mut set = (*closed).clone();
                        if now_open { set.retain(|o| *o != object); } else { set.push(object.clone()); }
                        closed.set(set);
                    }
                })
            };
            let title = if g.object.is_empty() { "(document)" } else { g.object.as_str() };
            // One list of keyed children (cards by their finding's id), so that a card that
            // stays in the window stays in the page: Yew compares a list with children
            // that are not all keyed (an `if` among them) by position.
            let mut items = Vec::with_capacity(to - from + 2);
            if *from > 0 {
                items.push(gap(*before, true, "before".into()));
            }
            items.extend(g.entries[*from..*to].iter().enumerate().map(|(i, (primary, also))| {
                card(p, &on_pick, &checked.findings, *primary, also, Some((from + i + 1, g.entries.len())))
            }));
            if *to < g.entries.len() {
                items.push(gap(*after, true, "after".into()));
            }
            html! {
                <details key={ format!("group {index}") } class="group" {open} {ontoggle}>
                    <summary><h2>{ title }{ format!(" · {}", plural(g.findings, "finding", "findings")) }</h2></summary>
                    <ul>{ for items }</ul>
                </details>
            }
        }
    });

    html! {
        <div class="findings" ref={ pane }>
            if p.helm {
                <p class="helm" role="note" data-testid="helm">{ "This looks like a Helm template ({{ … }}): the checker reads plain manifests. Run " }
                    <code>{ "helm template ./chart" }</code>{ " and paste its output." }</p>
            }
            <ul class="overview" aria-label="Findings by severity" data-testid="overview">{ for counts }
                if suppressed > 0 { <li class="count">{ format!("{suppressed} suppressed") }</li> }
            </ul>
            { coverage_view(&coverage, &p.on_select) }
            <fieldset class="filters"><legend>{ "Show" }</legend>{ for severity_filter }<span class="sep"></span>{ for area_filter }
                <label class="filter">{ "Rule " }
                    <select data-testid="rule-filter" onchange={ on_rule }>
                        <option value="" selected={ p.filters.rule.is_none() }>{ "every rule" }</option>
                        { for listing.rules.iter().map(|r| html! { <option value={ *r } selected={ p.filters.rule.as_deref() == Some(*r) }>{ *r }</option> }) }
                    </select>
                </label>
                <input type="search" class="query" data-testid="query" placeholder="Filter text" aria-label="Filter findings by text"
                    value={ p.filters.query.clone() } oninput={ on_query } />
                <label class="filter"><input type="checkbox" data-testid="hide-suppressed" checked={ p.filters.hide_suppressed } onchange={ on_hide } />{ "hide suppressed" }</label>
                if p.filters.active() { <button onclick={ clear }>{ "Clear filters" }</button> }
            </fieldset>
            if hidden > 0 && listing.visible > 0 { <p class="note">{ format!("{} hidden by the filters.", plural(hidden, "finding is", "findings are")) }</p> }
            { for checked.errors.iter().map(|e| {
                let range = (e.from, e.to);
                html! {
                    <button class="yaml-error" data-testid="yaml-error" onclick={ p.on_select.reform(move |_: MouseEvent| range) }>
                        { format!("YAML error in document {} at line {}, column {}: {}", e.document + 1, e.line, e.column, e.message) }
                    </button>
                }
            }) }
            { for empty }
            if entries > RENDERED_WHOLE {
                <p class="sr-only" data-testid="list-size">{ format!(
                    "{} in {}; the list shows the ones near the scroll position.",
                    plural(entries, "entry", "entries"), plural(listing.groups.len(), "object", "objects")
                ) }</p>
            }
            <div class="entries" ref={ list }>{ for rendered }</div>
            { for checked.notes.iter().filter(|n| !n.unchecked).map(|n| html! { <p class="note">{ format!("Note, line {}: {}", n.line, n.message) }</p> }) }
        </div>
    }
}

/// Findings of one object (indices into `all`, in the list's order), with those on the span
/// of an earlier one folded under it (the same issue reported by several rules: a runtime
/// socket as a host path). Sorted by span to find them: an object with thousands of
/// findings (a pod of a thousand containers) is folded in O(n log n), not O(n²).
fn folded(all: &[EditorFinding], list: &[usize]) -> Vec<(usize, Vec<usize>)> {
    let span = |k: usize| {
        let f = &all[list[k]];
        (f.from, f.to, f.path.as_str())
    };
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_by(|&a, &b| span(a).cmp(&span(b)).then(a.cmp(&b)));
    // The first of each span's findings in the list's order (the sort keeps that order
    // within a span).
    let mut first: Vec<usize> = (0..list.len()).collect();
    for pair in order.windows(2) {
        if span(pair[0]) == span(pair[1]) {
            first[pair[1]] = first[pair[0]];
        }
    }
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut entry = vec![0; list.len()];
    for (k, &f) in first.iter().enumerate() {
        if f == k {
            entry[k] = out.len();
            out.push((list[k], Vec::new()));
        } else {
            out[entry[f]].1.push(list[k]);
        }
    }
    out
}

/// One entry's card, `position` (1-based, of how many in its group) told to screen readers,
/// since the list renders only part of its entries.
fn card(
    p: &FindingsProps,
    on_pick: &Callback<(String, Option<usize>)>,
    all: &[EditorFinding],
    primary: usize,
    also: &[usize],
    position: Option<(usize, usize)>,
) -> Html {
    let one = |f: &EditorFinding, also: Html, position: Option<(usize, usize)>| {
        html! {
            <FindingCard key={ f.id.clone() } finding={ f.clone() } choice={ engine::fix_choice(f, p.unsafe_fixes, &p.left_out) }
                dispatch={ p.dispatch.clone() } on_pick={ on_pick.clone() } on_apply={ p.on_apply.clone() } {also} {position} />
        }
    };
    let nested = if also.is_empty() {
        Html::default()
    } else {
        html! {
            <details class="also" onclick={ |e: MouseEvent| e.stop_propagation() }>
                <summary>{ format!("also reported by {}: {}", plural(also.len(), "rule", "rules"),
                    also.iter().map(|&i| all[i].rule).collect::<Vec<_>>().join(", ")) }</summary>
                <ul>{ for also.iter().map(|&i| one(&all[i], Html::default(), None)) }</ul>
            </details>
        }
    };
    one(&all[primary], nested, position)
}

fn coverage_view(list: &[DocCoverage], on_select: &Callback<(usize, usize)>) -> Html {
    let unchecked = coverage::unchecked_count(list);
    let summary = match unchecked {
        0 => format!(
            "What was checked: all {}",
            plural(list.len(), "document", "documents")
        ),
        n => format!(
            "What was checked: {} of {} not (fully) checked",
            n,
            plural(list.len(), "document", "documents")
        ),
    };
    html! {
        <details class="coverage" data-testid="coverage" open={ unchecked > 0 }>
            <summary>{ summary }</summary>
            <ul>
                { for list.iter().map(|d| {
                    let range = (d.from, d.from);
                    let (class, state) = match d.status {
                        Status::Checked => ("checked", format!("checked, {}", plural(d.findings, "finding", "findings"))),
                        Status::NotChecked if d.checked.is_empty() => ("unchecked", "not checked".to_string()),
                        Status::NotChecked => ("unchecked", format!("not fully checked, {}", plural(d.findings, "finding", "findings"))),
                        Status::Error => ("error", "could not be read".to_string()),
                    };
                    html! {
                        <li class={ classes!("doc", class) } data-testid="doc-coverage" data-status={ class } data-document={ d.number.to_string() }>
                            <button class="doc-jump" onclick={ on_select.reform(move |_: MouseEvent| range) }>
                                { format!("Document {} (line {}): {} — {state}", d.number, d.line, d.title) }
                            </button>
                            if !d.checked.is_empty() { <p class="ran">{ format!("Checked: {}.", d.checked.join("; ")) }</p> }
                            { for d.not_checked.iter().map(|n| html! { <p class="why">{ format!("Not checked: {n}.") }</p> }) }
                        </li>
                    }
                }) }
            </ul>
        </details>
    }
}

#[derive(Properties)]
pub struct FindingCardProps {
    pub finding: EditorFinding,
    /// What its fix box shows.
    pub choice: FixChoice,
    pub dispatch: Callback<Action>,
    /// Select the finding's range (`None`) or its related location `i` in the editor, by
    /// the finding's id (the range is looked up at the click).
    pub on_pick: Callback<(String, Option<usize>)>,
    pub on_apply: Callback<String>,
    /// Findings folded under this one.
    #[prop_or_default]
    pub also: Html,
    /// Its place in its group, 1-based, and the group's number of entries (`None` for a
    /// finding folded under another).
    #[prop_or_default]
    pub position: Option<(usize, usize)>,
}

/// Equal when the card would show the same: the finding's UTF-16 offsets are left out (a
/// keystroke above it moves them, not what the card says), its lines and columns are not.
impl PartialEq for FindingCardProps {
    fn eq(&self, o: &Self) -> bool {
        let (a, b) = (&self.finding, &o.finding);
        let related = a.related.len() == b.related.len()
            && a.related.iter().zip(&b.related).all(|(x, y)| {
                x.message == y.message
                    && x.path == y.path
                    && (x.range.line, x.range.column) == (y.range.line, y.range.column)
            });
        related
            && (a.line, a.column) == (b.line, b.column)
            && a.id == b.id
            && a.rule == b.rule
            && a.title == b.title
            && a.severity == b.severity
            && a.area == b.area
            && a.message == b.message
            && a.object == b.object
            && a.path == b.path
            && a.pss == b.pss
            && a.fix == b.fix
            && a.suppressed == b.suppressed
            && a.rationale == b.rationale
            && a.remediation == b.remediation
            && a.references == b.references
            && self.choice == o.choice
            && self.dispatch == o.dispatch
            && self.on_pick == o.on_pick
            && self.on_apply == o.on_apply
            && self.also == o.also
            && self.position == o.position
    }
}

/// One finding: a button that selects it in the editor, its rule's documentation and,
/// when it can be fixed, whether the hardened YAML fixes it and a button that applies
/// this fix alone to the editor.
#[function_component(FindingCard)]
pub fn finding_card(p: &FindingCardProps) -> Html {
    let f = &p.finding;
    let onclick = p.on_pick.reform({
        let id = f.id.clone();
        move |_: MouseEvent| (id.clone(), None)
    });
    let stop = |e: MouseEvent| e.stop_propagation();
    let on_choose = p.dispatch.reform({
        let key = engine::fix_key(f);
        move |e: Event| {
            let include = e.target_unchecked_into::<HtmlInputElement>().checked();
            Action::ChooseFix(key.clone(), include)
        }
    });
    let on_apply = p.on_apply.reform({
        let id = f.id.clone();
        move |e: MouseEvent| {
            e.stop_propagation();
            id.clone()
        }
    });
    let name = format!("{} at line {}", f.rule, f.line);
    let fix_view = match (&f.fix, &p.choice) {
        (None, _) | (_, FixChoice::None) => html! {},
        (_, FixChoice::Unavailable(reason)) => {
            html! { <p class="fix-unavailable">{ format!("No automatic fix here: {reason}") }</p> }
        }
        (Some(fix), choice) => {
            let (checked, disabled, note) = match choice {
                FixChoice::Suppressed => (false, true, " — suppressed: not fixed"),
                FixChoice::NeedsUnsafe => (false, true, " — waits for the unsafe-fixes switch"),
                FixChoice::Chosen(c) => (*c, false, ""),
                _ => (false, true, ""),
            };
            html! {
                <div class="fix" onclick={ stop }>
                    <label class="include">
                        <input type="checkbox" data-testid="fix-choice" {checked} {disabled} onchange={ on_choose }
                            aria-label={ format!("Fix {name} in the hardened YAML: {} ({}){note}", fix.title, fix.applicability) } />
                        { format!(" {} ({}){note}", fix.title, fix.applicability) }
                    </label>
                    if *choice != FixChoice::Suppressed {
                        <button class="apply" data-testid="apply-fix" onclick={ on_apply }
                            aria-label={ format!("Apply to editor: the fix of {name}") }>{ "Apply to editor" }</button>
                    }
                </div>
            }
        }
    };
    html! {
        <li class={ classes!("finding", format!("sev-{}", f.severity), f.suppressed.is_some().then_some("suppressed")) }
            data-testid="finding" data-rule={ f.rule } data-line={ f.line.to_string() } data-severity={ f.severity.as_str() } {onclick}
            aria-posinset={ p.position.map(|(i, _)| i.to_string()) } aria-setsize={ p.position.map(|(_, n)| n.to_string()) }>
            <button class="jump">
                <span class="sev"><span aria-hidden="true">{ severity_icon(f.severity) }</span>{ format!(" {}", f.severity) }</span>
                <span class="rule">{ f.rule }</span>
                <span class="where">{ format!("line {}", f.line) }</span>
                <span class="message">{ &f.message }</span>
                if let Some(reason) = &f.suppressed { <span class="suppressed-reason">{ format!("suppressed: {reason}") }</span> }
            </button>
            <RuleDoc rule={ f.rule } path={ f.path.clone() } />
            { for f.related.iter().enumerate().map(|(i, r)| {
                let id = f.id.clone();
                let onclick = p.on_pick.reform(move |e: MouseEvent| {
                    e.stop_propagation();
                    (id.clone(), Some(i))
                });
                html! {
                    <button class="related" data-testid="related" {onclick}
                        aria-label={ format!("{} (line {})", r.message, r.range.line) }>
                        { format!("↳ {} (line {})", r.message, r.range.line) }
                    </button>
                }
            }) }
            { fix_view }
            { p.also.clone() }
        </li>
    }
}
