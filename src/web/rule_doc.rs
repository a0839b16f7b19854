//! The rule documentation panel of a finding, rendered from the same model as
//! `kubeharden explain` and `docs/rules.md` ([`kubeharden::docs::RuleDoc`]): why the rule
//! matters, how to fix it, its fix policy, its Pod Security Standards check, the field, an
//! example and what to write instead, and the references.
//!
//! The rule's documentation text (rationale, remediation, the fix policy's reason or
//! guidance, references) and its example pair are not compiled into the WebAssembly (the
//! library's `rule-docs` and `rule-examples` features are off here, to keep the download
//! small): the first panel that opens fetches `rule-examples.json` from the page's own
//! origin (those fields of `kubeharden rules --format json`, written by `make dist`), once
//! per page. The title, fix heading, PSS check and suppression key are in the WebAssembly
//! and show at once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Reflect, JSON};
use kubeharden::docs::RuleDoc as Doc;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// Where the docs and example pairs are, relative to the page (works under a sub-path too).
pub const EXAMPLES_URL: &str = "rule-examples.json";

thread_local! {
    /// Every rule's documentation as compiled in (without its text: see the module doc),
    /// built once per page.
    static DOCS: HashMap<String, Rc<Doc>> = kubeharden::docs::builtin()
        .into_iter()
        .map(|d| (d.id.clone(), Rc::new(d)))
        .collect();
    /// What `rule-examples.json` holds, by rule id, once fetched.
    static EXAMPLES: RefCell<Option<Rc<Examples>>> = const { RefCell::new(None) };
}

/// The documentation of rule `id`.
pub fn doc(id: &str) -> Option<Rc<Doc>> {
    DOCS.with(|d| d.get(id).cloned())
}

/// What a panel fetches for its rule: the documentation text, and the example pair (the
/// manifest it flags, and what to write instead with the kind of that text: `fixed`,
/// `unsafe_fixed` or `pass`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fetched {
    pub rationale: String,
    pub remediation: String,
    /// The fix policy's reason or guidance (its heading is compiled in).
    pub fix_text: String,
    pub references: Vec<String>,
    pub example: Option<String>,
    pub use_instead: Option<(String, String)>,
}

/// What `rule-examples.json` holds, by rule id.
pub type Examples = HashMap<String, Fetched>;

/// What a panel shows of its fetched part.
#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    /// Not asked for yet (the panel is closed) or on its way.
    Pending,
    Ready(Option<Fetched>),
    Failed(String),
}

fn value_at(v: &JsValue, path: &[&str]) -> Option<JsValue> {
    let mut v = v.clone();
    for key in path {
        v = Reflect::get(&v, &JsValue::from_str(key)).ok()?;
    }
    Some(v)
}

fn text_at(v: &JsValue, path: &[&str]) -> Option<String> {
    value_at(v, path)?.as_string()
}

/// Read `kubeharden rules --format json` as reduced by `scripts/rule-examples.mjs` (`id`,
/// `rationale`, `remediation`, `fix_text`, `references`, `example.text`,
/// `use_instead.text` and `use_instead.kind`): a JSON array of rule docs.
fn parse_examples(json: &str) -> Result<Examples, String> {
    let value = JSON::parse(json).map_err(|_| format!("{EXAMPLES_URL} is not JSON"))?;
    let list: Array = value
        .dyn_into()
        .map_err(|_| format!("{EXAMPLES_URL} is not a list"))?;
    let mut out = HashMap::new();
    for doc in list.iter() {
        let Some(id) = text_at(&doc, &["id"]) else {
            continue;
        };
        let text = |key: &str| text_at(&doc, &[key]).unwrap_or_default();
        let references = value_at(&doc, &["references"])
            .and_then(|v| v.dyn_into::<Array>().ok())
            .map(|a| a.iter().filter_map(|r| r.as_string()).collect())
            .unwrap_or_default();
        let use_instead = text_at(&doc, &["use_instead", "text"]).map(|t| {
            (
                t,
                text_at(&doc, &["use_instead", "kind"]).unwrap_or_default(),
            )
        });
        out.insert(
            id,
            Fetched {
                rationale: text("rationale"),
                remediation: text("remediation"),
                fix_text: text("fix_text"),
                references,
                example: text_at(&doc, &["example", "text"]),
                use_instead,
            },
        );
    }
    Ok(out)
}

async fn fetch_examples() -> Result<Examples, String> {
    parse_examples(&crate::fetch::text(EXAMPLES_URL).await?)
}

/// Every rule's fetched part, fetched once per page (the first caller fetches).
pub async fn fetched() -> Result<Rc<Examples>, String> {
    if let Some(all) = EXAMPLES.with(|e| e.borrow().clone()) {
        return Ok(all);
    }
    let all = Rc::new(fetch_examples().await?);
    EXAMPLES.with(|e| *e.borrow_mut() = Some(all.clone()));
    Ok(all)
}

/// The fetched part of `rule`, fetching every rule's first if this page has not yet.
async fn examples_of(rule: &str) -> Loaded {
    match fetched().await {
        Ok(all) => Loaded::Ready(all.get(rule).cloned()),
        Err(e) => Loaded::Failed(e),
    }
}

/// `own` when the WebAssembly has it (a build with the `rule-docs` feature), else the
/// fetched text (empty until it arrives).
fn either<'a>(own: &'a str, fetched: Option<&'a str>) -> &'a str {
    if own.is_empty() {
        fetched.unwrap_or("")
    } else {
        own
    }
}

/// Inline Markdown as the rule files write it: `` `code` ``, `**strong**`,
/// `[text](https://…)` and bare `https://` links; paragraphs split on blank lines.
/// Everything else is text (never HTML): user-facing strings are not trusted markup.
pub fn markdown(text: &str) -> Html {
    let paragraphs = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| html! { <p>{ inline(p) }</p> });
    html! { <>{ for paragraphs }</> }
}

fn link(href: &str, label: &str) -> Html {
    html! { <a href={ href.to_string() } rel="noopener noreferrer" target="_blank">{ label.to_string() }</a> }
}

fn inline(mut s: &str) -> Html {
    let mut out: Vec<Html> = Vec::new();
    let mut plain = String::new();
    while let Some(c) = s.chars().next() {
        let rest = &s[c.len_utf8()..];
        let piece: Option<(Html, usize)> = match c {
            '`' => rest
                .find('`')
                .map(|end| (html! { <code>{ &rest[..end] }</code> }, end + 2)),
            '*' if rest.starts_with('*') => rest[1..]
                .find("**")
                .map(|end| (html! { <strong>{ &rest[1..1 + end] }</strong> }, end + 4)),
            '[' => rest.find("](").and_then(|mid| {
                let after = &rest[mid + 2..];
                let end = after.find(')')?;
                let href = &after[..end];
                href.starts_with("https://")
                    .then(|| (link(href, &rest[..mid]), 1 + mid + 2 + end + 1))
            }),
            'h' if s.starts_with("https://") => {
                let end = s
                    .find(|c: char| c.is_whitespace() || c == ')' || c == '>')
                    .unwrap_or(s.len());
                let href = s[..end].trim_end_matches(['.', ',', ';']);
                Some((link(href, href), href.len()))
            }
            _ => None,
        };
        match piece {
            Some((html, len)) => {
                if !plain.is_empty() {
                    out.push(html! { { std::mem::take(&mut plain) } });
                }
                out.push(html);
                s = &s[len..];
            }
            None => {
                plain.push(c);
                s = rest;
            }
        }
    }
    if !plain.is_empty() {
        out.push(html! { { plain } });
    }
    html! { <>{ for out }</> }
}

#[derive(Properties, PartialEq)]
pub struct CatalogueProps {
    /// The Config tab's text: a valid configuration's custom rules, severities and rules
    /// turned off show in the list.
    pub config: Rc<str>,
    /// The rule whose documentation is open and scrolled to (a "rule doc" link).
    pub open: Option<String>,
}

/// The rule catalogue: every rule this page checks with — the built-in ones and the
/// Config tab's custom rules — with its severity (as the configuration sets it), area,
/// template and Pod Security Standards check, which profile runs it, whether the
/// configuration turns it off, and its documentation (opened on demand).
#[function_component(Catalogue)]
pub fn catalogue(p: &CatalogueProps) -> Html {
    // Read here, not through the playground's engine module: the lessons page shares this
    // file (an invalid configuration is not applied, as everywhere).
    let config = (!p.config.trim().is_empty())
        .then(|| kubeharden::config::Config::parse(kubeharden::config::FILE_NAME, &p.config).ok())
        .flatten();
    let builtin = kubeharden::Catalogue::builtin();
    let configured = config.as_ref().map(kubeharden::config::Config::catalogue);
    let catalogue: &kubeharden::Catalogue = configured.as_deref().unwrap_or(builtin);
    let mut rules: Vec<&kubeharden::Rule> = catalogue.rules.iter().collect();
    rules.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
    let custom = rules
        .iter()
        .filter(|r| builtin.get(&r.id).is_none())
        .count();
    // A "rule doc" link: bring its row into view.
    use_effect_with(p.open.clone(), |open| {
        if let Some(e) = open.as_ref().and_then(|id| {
            web_sys::window()?
                .document()?
                .get_element_by_id(&format!("rule-{id}"))
        }) {
            e.scroll_into_view();
        }
    });
    let by = |line: Option<usize>| {
        line.map(|l| format!(" (set by {}, line {l})", kubeharden::config::FILE_NAME))
            .unwrap_or_default()
    };
    let mut note = format!("{} rules", rules.len());
    if custom > 0 {
        note.push_str(&format!(
            ", {custom} of them custom rules of the Config tab's {}",
            kubeharden::config::FILE_NAME
        ));
    }
    note.push_str(". The baseline profile runs the Pod Security Standards' baseline checks, restricted adds the restricted ones, all runs every rule; the manifest-validity rules and custom rules run under every profile.");
    html! {
        <div class="catalogue" data-testid="catalogue" tabindex="0" role="region" aria-label="Rule catalogue">
            <p class="note">{ note }</p>
            <table>
                <thead><tr><th scope="col">{ "Rule" }</th><th scope="col">{ "Severity" }</th><th scope="col">{ "Area" }</th><th scope="col">{ "Profile" }</th></tr></thead>
                <tbody>
                    { for rules.iter().map(|r| {
                        // A built-in rule's id as the compiled-in catalogue holds it ('static).
                        let own = builtin.get(&r.id);
                        let is_custom = own.is_none();
                        let decision = config.as_ref().map(|c| c.decide(r, true));
                        let off = decision.as_ref().filter(|d| !d.enabled);
                        let severity_by = decision.as_ref().and_then(|d| d.severity_by.as_ref()).map(|o| o.line);
                        let open = p.open.as_deref() == Some(r.id.as_str());
                        html! {
                            <tr id={ format!("rule-{}", r.id) } data-testid="catalogue-rule" data-rule={ r.id.clone() }
                                data-custom={ is_custom.then_some("true") } data-enabled={ (off.is_none()).to_string() }
                                class={ classes!(off.is_some().then_some("off"), open.then_some("open")) }>
                                <td><code>{ &r.id }</code>
                                    if is_custom { <span class="badge">{ " custom" }</span> }
                                    <br />{ &r.title }
                                    <br /><span class="template" data-testid="rule-template">{ format!("template: {}", r.template) }</span>
                                    if let Some(d) = off {
                                        <br /><span class="rule-off" data-testid="rule-off">{ format!("off{}", by(d.enabled_by.as_ref().map(|o| o.line))) }</span>
                                    }
                                    if is_custom {
                                        <details class="rule-doc" open={ open }>
                                            <summary>{ format!("{} — why it matters, how to fix", r.title) }</summary>
                                            <div data-testid="rule-rationale">{ markdown(&r.rationale) }</div>
                                            <p class="example-label">{ "Fix" }</p>
                                            <div data-testid="rule-remediation">{ markdown(&r.remediation) }</div>
                                        </details>
                                    } else if let Some(own) = own {
                                        <RuleDoc rule={ own.id.as_str() } path={ String::new() } { open } />
                                    }
                                </td>
                                <td data-testid="rule-severity">{ format!("{}{}", r.severity.as_str(), by(severity_by)) }</td>
                                <td>{ r.area.as_str() }</td>
                                <td>{ match &r.pss { Some(p) => format!("{} ({}, from {})", p.level.as_str(), p.check, p.since), None => "all".to_string() } }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct RuleDocProps {
    pub rule: &'static str,
    /// The JSON pointer of the finding's field (empty: a rule, not a finding).
    pub path: String,
    /// Open at once (a "rule doc" link led here); closed by default.
    #[prop_or_default]
    pub open: bool,
}

#[function_component(RuleDoc)]
pub fn rule_doc(p: &RuleDocProps) -> Html {
    let loaded = use_state(|| Loaded::Pending);
    let asked = use_mut_ref(|| false);
    // Opening the panel is not a click on the finding (which selects it in the editor).
    let stop = |e: MouseEvent| e.stop_propagation();
    // The first time the panel opens, fetch its example pair (nothing is fetched for a
    // closed panel, so the first check loads no example).
    let ask = {
        let loaded = loaded.clone();
        let rule = p.rule;
        Callback::from(move |()| {
            if std::mem::replace(&mut *asked.borrow_mut(), true) {
                return;
            }
            let loaded = loaded.clone();
            wasm_bindgen_futures::spawn_local(async move { loaded.set(examples_of(rule).await) });
        })
    };
    let ontoggle = ask.reform(|_: Event| ());
    // Opened by a link: fetch at once, the toggle event may come before the handler.
    use_effect_with(p.open, move |open| {
        if *open {
            ask.emit(());
        }
    });
    let Some(d) = doc(p.rule) else {
        return html! {};
    };
    let fetched = match &*loaded {
        Loaded::Ready(Some(f)) => Some(f),
        _ => None,
    };
    let (example, instead) = match fetched {
        Some(f) => (f.example.as_deref(), f.use_instead.as_ref()),
        None => (None, None),
    };
    let rationale = either(&d.rationale, fetched.map(|f| f.rationale.as_str()));
    let remediation = either(&d.remediation, fetched.map(|f| f.remediation.as_str()));
    let references = if d.references.is_empty() {
        fetched.map(|f| f.references.as_slice()).unwrap_or_default()
    } else {
        d.references.as_slice()
    };
    // The command as code, as the rest of the docs show it (no raw backticks).
    let label = |kind: &str| match kind {
        "fixed" => html! { <>{ "After " }<code>{ "kubeharden fix" }</code></> },
        "unsafe_fixed" => html! { <>{ "After " }<code>{ "kubeharden fix --unsafe" }</code></> },
        _ => html! { "Use instead" },
    };
    html! {
        <details class="rule-doc" onclick={ stop } { ontoggle } open={ p.open }>
            <summary>{ format!("{} — why it matters, how to fix", d.title) }</summary>
            if *loaded == Loaded::Pending {
                <p class="loading" data-testid="rule-doc-loading">{ "Loading the rule's documentation…" }</p>
            }
            if !rationale.is_empty() {
                <div data-testid="rule-rationale">{ markdown(rationale) }</div>
            }
            if !remediation.is_empty() {
                <p class="example-label">{ "Fix" }</p>
                <div>{ markdown(remediation) }</div>
            }
            if let Some(fix) = &d.fix {
                <p class="example-label">{ fix.heading.clone() }</p>
                <div>{ markdown(either(&fix.text, fetched.map(|f| f.fix_text.as_str()))) }</div>
            }
            if let Some(pss) = &d.pss {
                <p>{ format!("Pod Security Standards: {} {} (from {})", pss.level.as_str(), pss.check, pss.since) }</p>
            }
            if !p.path.is_empty() {
                <p class="path">{ format!("Field: {}", p.path) }</p>
            }
            if let Loaded::Failed(e) = &*loaded {
                <p class="example-label" data-testid="rule-example-error">{ format!("The documentation and example are not available ({e}).") }</p>
            }
            if let Some(example) = example {
                <p class="example-label">{ "Example" }</p>
                <pre class="example" data-testid="rule-example" tabindex="0">{ example }</pre>
            }
            if let Some((text, kind)) = instead {
                <p class="example-label">{ label(kind) }</p>
                <pre class="example" data-testid="rule-use-instead" tabindex="0">{ text }</pre>
            }
            <ul class="refs">
                { for references.iter().map(|r| html! {
                    <li><a href={ r.clone() } rel="noopener noreferrer" target="_blank">{ r }</a></li>
                }) }
            </ul>
            <p class="suppression">{ format!("Suppress with the annotation {}: \"<why the risk is accepted>\"", d.suppression) }</p>
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct RemedyProps {
    pub rule: &'static str,
    /// The remediation the finding carries: a custom rule's (its configuration holds its
    /// docs); empty for a built-in rule in this build, whose text is fetched.
    pub own: String,
}

/// How to fix a finding of `rule` by hand: the rule's own remediation text, rendered
/// from its Markdown (fetched from `rule-examples.json` for a built-in rule).
#[function_component(Remedy)]
pub fn remedy(p: &RemedyProps) -> Html {
    let loaded = use_state(|| Loaded::Pending);
    {
        let (loaded, own) = (loaded.clone(), p.own.is_empty());
        use_effect_with(p.rule, move |&rule| {
            if own {
                wasm_bindgen_futures::spawn_local(
                    async move { loaded.set(examples_of(rule).await) },
                );
            }
        });
    }
    let fetched = match &*loaded {
        Loaded::Ready(Some(f)) => Some(f.remediation.as_str()),
        _ => None,
    };
    let text = either(&p.own, fetched);
    if !text.is_empty() {
        return html! { <div class="remedy" data-testid="remedy">{ markdown(text) }</div> };
    }
    match &*loaded {
        Loaded::Failed(e) => {
            html! { <p class="remedy">{ format!("The rule's remediation is not available ({e}).") }</p> }
        }
        Loaded::Ready(_) => html! {},
        Loaded::Pending => {
            html! { <p class="loading">{ "Loading the rule's remediation…" }</p> }
        }
    }
}
