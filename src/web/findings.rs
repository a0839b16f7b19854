//! The findings tab: an overview (severity counts), what was checked per document, the
//! filters (severity, area, rule, text, suppressed), YAML errors (clickable), and the
//! findings grouped by object (collapsible), one card each; findings of several rules on
//! one span are one entry with the others folded under it.

use std::collections::{BTreeMap, HashSet};
use std::rc::{Rc, Weak};

use kubeharden::{Options, Severity};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::coverage::{self, DocCoverage, Status};
use crate::engine::{self, Checked, EditorFinding, FixChoice};
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

/// How many entries the list renders at first, and how many more each "Show more" adds: a
/// paste with thousands of findings renders (and re-renders on each check) a page of them,
/// not every card (issue 16: keystrokes wait for the render).
pub const WINDOW: usize = 200;

/// The most entries the list renders, however many "Show more" asks for: a paste with a
/// hundred thousand findings would take minutes to render, and the memory of the page.
/// The filters search every finding; `kubeharden check` lists them all.
pub const MAX_RENDERED: usize = 5_000;

#[function_component(Findings)]
pub fn findings(p: &FindingsProps) -> Html {
    let limit = use_state_eq(|| WINDOW);
    // The last check (a `Weak`, so that its address is not reused while held) and its
    // objects: a new text (most of its objects not among them) starts again from one
    // window, since "Show all" was asked for the text it was shown on. Looked at once per
    // check, not on each render (a filter's).
    let seen = use_mut_ref(|| (Weak::new(), HashSet::<String>::new()));
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
    let Some(checked) = p.checked.as_ref() else {
        return html! { <p class="empty">{ "Not checked yet." }</p> };
    };
    {
        let mut seen = seen.borrow_mut();
        if !Weak::ptr_eq(&seen.0, &Rc::downgrade(&p.checked)) {
            let kept = checked
                .objects
                .iter()
                .filter(|o| seen.1.contains(&o.object))
                .count();
            if *limit != WINDOW && kept * 2 < checked.objects.len() {
                limit.set(WINDOW);
            }
            *seen = (
                Rc::downgrade(&p.checked),
                checked.objects.iter().map(|o| o.object.clone()).collect(),
            );
        }
    }
    let coverage = coverage::coverage(checked, p.options);
    let unchecked = coverage::unchecked_count(&coverage);
    let visible: Vec<&EditorFinding> = checked
        .findings
        .iter()
        .filter(|f| engine::area(f).is_none_or(|a| p.filters.shows(f.severity, a)))
        .filter(|f| {
            let hay = format!("{} {} {}", f.rule, f.message, f.object);
            p.filters.matches(f.rule, f.suppressed.is_some(), &hay)
        })
        .collect();
    let hidden = checked.findings.len() - visible.len();
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

    // The first `limit` entries (a finding with those folded under it is one entry), group
    // by group.
    let mut total = 0;
    let mut windowed = Vec::new();
    for (object, list) in &groups {
        let entries = folded(list);
        let room = limit.saturating_sub(total);
        total += entries.len();
        if room > 0 {
            windowed.push((
                *object,
                list,
                entries.into_iter().take(room).collect::<Vec<_>>(),
            ));
        }
    }
    let shown = total.min(*limit);
    let more = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set((*limit + WINDOW).min(MAX_RENDERED)))
    };
    let all = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(MAX_RENDERED))
    };

    let counts = Severity::ALL.iter().map(|&s| {
        let n = checked
            .findings
            .iter()
            .filter(|f| f.severity == s && f.suppressed.is_none())
            .count();
        html! {
            <li class={ classes!("count", format!("sev-{s}")) }><span class="sev"><span aria-hidden="true">{ severity_icon(s) }</span>{ format!(" {s}") }</span>{ format!(" {n}") }</li>
        }
    });
    let suppressed = checked
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();

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
    let mut rules: Vec<&str> = checked.findings.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    rules.dedup();
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

    let empty = if !visible.is_empty() {
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

    html! {
        <div class="findings">
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
                        { for rules.iter().map(|r| html! { <option value={ *r } selected={ p.filters.rule.as_deref() == Some(*r) }>{ *r }</option> }) }
                    </select>
                </label>
                <input type="search" class="query" data-testid="query" placeholder="Filter text" aria-label="Filter findings by text"
                    value={ p.filters.query.clone() } oninput={ on_query } />
                <label class="filter"><input type="checkbox" data-testid="hide-suppressed" checked={ p.filters.hide_suppressed } onchange={ on_hide } />{ "hide suppressed" }</label>
                if p.filters.active() { <button onclick={ clear }>{ "Clear filters" }</button> }
            </fieldset>
            if hidden > 0 && !visible.is_empty() { <p class="note">{ format!("{} hidden by the filters.", plural(hidden, "finding is", "findings are")) }</p> }
            { for checked.errors.iter().map(|e| {
                let range = (e.from, e.to);
                html! {
                    <button class="yaml-error" data-testid="yaml-error" onclick={ p.on_select.reform(move |_: MouseEvent| range) }>
                        { format!("YAML error in document {} at line {}, column {}: {}", e.document + 1, e.line, e.column, e.message) }
                    </button>
                }
            }) }
            { for empty }
            { for windowed.iter().map(|(object, list, entries)| html! {
                <details class="group" open=true>
                    <summary><h2>{ if object.is_empty() { "(document)" } else { object } }{ format!(" · {}", plural(list.len(), "finding", "findings")) }</h2></summary>
                    <ul>{ for entries.iter().map(|(primary, also)| card(p, &on_pick, primary, also)) }</ul>
                </details>
            }) }
            if shown < total && shown >= MAX_RENDERED {
                <p class="more" data-testid="more-findings">
                    { format!("Showing {shown} of {total} entries, the most this page renders (the filters above search them all).") }
                </p>
            } else if shown < total {
                <p class="more" data-testid="more-findings">
                    { format!("Showing {shown} of {total} entries (the filters above search them all). ") }
                    <button onclick={ more }>{ format!("Show {} more", (total - shown).min(WINDOW)) }</button>
                    if total <= MAX_RENDERED { { " " }<button onclick={ all }>{ "Show all" }</button> }
                </p>
            }
            { for checked.notes.iter().filter(|n| !n.unchecked).map(|n| html! { <p class="note">{ format!("Note, line {}: {}", n.line, n.message) }</p> }) }
        </div>
    }
}

/// Findings of one object, with those on the span of an earlier one folded under it
/// (the same issue reported by several rules: a runtime socket as a host path).
fn folded<'a>(list: &[&'a EditorFinding]) -> Vec<(&'a EditorFinding, Vec<&'a EditorFinding>)> {
    let mut out: Vec<(&EditorFinding, Vec<&EditorFinding>)> = Vec::new();
    for f in list {
        match out
            .iter_mut()
            .find(|(p, _)| p.from == f.from && p.to == f.to && p.path == f.path)
        {
            Some((_, also)) => also.push(f),
            None => out.push((f, Vec::new())),
        }
    }
    out
}

fn card(
    p: &FindingsProps,
    on_pick: &Callback<(String, Option<usize>)>,
    f: &EditorFinding,
    also: &[&EditorFinding],
) -> Html {
    let one = |f: &EditorFinding, also: Html| {
        html! {
            <FindingCard key={ f.id.clone() } finding={ f.clone() } choice={ engine::fix_choice(f, p.unsafe_fixes, &p.left_out) }
                dispatch={ p.dispatch.clone() } on_pick={ on_pick.clone() } on_apply={ p.on_apply.clone() } {also} />
        }
    };
    let nested = if also.is_empty() {
        Html::default()
    } else {
        html! {
            <details class="also" onclick={ |e: MouseEvent| e.stop_propagation() }>
                <summary>{ format!("also reported by {}: {}", plural(also.len(), "rule", "rules"),
                    also.iter().map(|f| f.rule).collect::<Vec<_>>().join(", ")) }</summary>
                <ul>{ for also.iter().map(|f| one(f, Html::default())) }</ul>
            </details>
        }
    };
    one(f, nested)
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
            data-testid="finding" data-rule={ f.rule } data-line={ f.line.to_string() } data-severity={ f.severity.as_str() } {onclick}>
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
