//! The findings tab: severity and area filters, YAML errors, the findings grouped by
//! object (one card each), and the engine's notes.

use std::collections::BTreeMap;
use std::rc::Rc;

use kubeharden::Severity;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::{self, Checked, EditorFinding};
use crate::rule_doc::RuleDoc;
use crate::state::{Action, Filters, FixKey, AREAS};

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
    pub filters: Filters,
    pub left_out: Vec<FixKey>,
    pub dispatch: Callback<Action>,
    /// Select a UTF-16 range in the editor.
    pub on_select: Callback<(usize, usize)>,
}

#[function_component(Findings)]
pub fn findings(p: &FindingsProps) -> Html {
    let Some(checked) = p.checked.as_ref() else {
        return html! { <p class="empty">{ "Not checked yet." }</p> };
    };
    let visible: Vec<&EditorFinding> = checked
        .findings
        .iter()
        .filter(|f| engine::area(f).is_none_or(|a| p.filters.shows(f.severity, a)))
        .collect();
    // Grouped by object; groups ordered by their most severe finding (the adapter sorts
    // findings by severity, then position).
    let mut groups: BTreeMap<&str, Vec<&EditorFinding>> = BTreeMap::new();
    for f in &visible {
        groups.entry(f.object.as_str()).or_default().push(f);
    }
    let mut groups: Vec<(&str, Vec<&EditorFinding>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| {
        b.1[0]
            .severity
            .cmp(&a.1[0].severity)
            .then(a.1[0].from.cmp(&b.1[0].from))
    });

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

    html! {
        <div class="findings">
            <fieldset class="filters"><legend>{ "Show" }</legend>{ for severity_filter }<span class="sep"></span>{ for area_filter }</fieldset>
            { for checked.errors.iter().map(|e| html! {
                <p class="yaml-error" role="alert">{ format!("YAML error in document {} at line {}, column {}: {}", e.document + 1, e.line, e.column, e.message) }</p>
            }) }
            if visible.is_empty() && checked.errors.is_empty() { <p class="empty">{ "No findings for this profile and version." }</p> }
            { for groups.iter().map(|(object, list)| html! {
                <section class="group">
                    <h2>{ if object.is_empty() { "(document)" } else { object } }</h2>
                    <ul>
                        { for list.iter().map(|f| {
                            let key = engine::fix_key(f);
                            html! {
                                <FindingCard finding={ (*f).clone() } chosen={ !p.left_out.contains(&key) } fix_key={ key }
                                    dispatch={ p.dispatch.clone() } on_select={ p.on_select.clone() } />
                            }
                        }) }
                    </ul>
                </section>
            }) }
            { for checked.notes.iter().map(|n| html! { <p class="note">{ format!("Note, line {}: {}", n.line, n.message) }</p> }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct FindingCardProps {
    pub finding: EditorFinding,
    pub fix_key: FixKey,
    /// Its fix goes into the hardened YAML.
    pub chosen: bool,
    pub dispatch: Callback<Action>,
    pub on_select: Callback<(usize, usize)>,
}

/// One finding: a button that selects it in the editor, its rule's documentation and,
/// when it can be fixed, whether the hardened YAML fixes it.
#[function_component(FindingCard)]
pub fn finding_card(p: &FindingCardProps) -> Html {
    let f = &p.finding;
    let onclick = p.on_select.reform({
        let range = (f.from, f.to);
        move |_: MouseEvent| range
    });
    let stop = |e: MouseEvent| e.stop_propagation();
    let on_choose = p.dispatch.reform({
        let key = p.fix_key.clone();
        move |e: Event| {
            let include = e.target_unchecked_into::<HtmlInputElement>().checked();
            Action::ChooseFix(key.clone(), include)
        }
    });
    html! {
        <li class={ classes!("finding", format!("sev-{}", f.severity), f.suppressed.is_some().then_some("suppressed")) }
            data-testid="finding" data-rule={ f.rule } data-line={ f.line.to_string() } data-severity={ f.severity.as_str() } {onclick}>
            <button class="jump" aria-label={ format!("{} {}: {} (line {})", f.severity, f.rule, f.message, f.line) }>
                <span class="sev"><span aria-hidden="true">{ severity_icon(f.severity) }</span>{ format!(" {}", f.severity) }</span>
                <span class="rule">{ f.rule }</span>
                <span class="where">{ format!("line {}", f.line) }</span>
                <span class="message">{ &f.message }</span>
                if let Some(reason) = &f.suppressed { <span class="suppressed-reason">{ format!("suppressed: {reason}") }</span> }
            </button>
            <RuleDoc rule={ f.rule } path={ f.path.clone() } />
            { for f.related.iter().map(|r| {
                let (from, to) = (r.range.from, r.range.to);
                let onclick = p.on_select.reform(move |e: MouseEvent| {
                    e.stop_propagation();
                    (from, to)
                });
                html! {
                    <button class="related" data-testid="related" {onclick}
                        aria-label={ format!("{} (line {})", r.message, r.range.line) }>
                        { format!("↳ {} (line {})", r.message, r.range.line) }
                    </button>
                }
            }) }
            if let Some(fix) = &f.fix {
                if let Some(reason) = &fix.unavailable {
                    <p class="fix-unavailable">{ format!("No automatic fix here: {reason}") }</p>
                } else {
                    <label class="include" onclick={ stop }>
                        <input type="checkbox" data-testid="fix-choice" checked={ p.chosen } onchange={ on_choose } />
                        { format!(" {} ({})", fix.title, fix.applicability) }
                    </label>
                }
            }
        </li>
    }
}
