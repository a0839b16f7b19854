//! The kubeharden playground: the engine compiled to WebAssembly, in a Yew app.
//! Nothing leaves the browser: the text lives in the editor, localStorage and the URL
//! fragment, and every check runs here.

mod editor;
mod share;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use kubeharden::adapter::{self, Checked, EditorFinding, Hardened};
use kubeharden::fix::FindingKey;
use kubeharden::{KubeVersion, Options, Profile, Severity};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use editor::EditorView;
use share::Shared;

/// Above this size a paste is not checked on every change (a click checks it anyway).
const LARGE_INPUT: usize = 2 * 1024 * 1024;
const STORAGE_KEY: &str = "kubeharden.state";

/// The example gallery: (file stem, text). The first line of each is `# title: …`.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "insecure-deployment",
        include_str!("../../www/examples/insecure-deployment.yaml"),
    ),
    (
        "privileged-daemonset",
        include_str!("../../www/examples/privileged-daemonset.yaml"),
    ),
    (
        "rbac-wildcards",
        include_str!("../../www/examples/rbac-wildcards.yaml"),
    ),
    (
        "metadata-egress",
        include_str!("../../www/examples/metadata-egress.yaml"),
    ),
    (
        "deprecated-apis",
        include_str!("../../www/examples/deprecated-apis.yaml"),
    ),
    (
        "cronjob-init-containers",
        include_str!("../../www/examples/cronjob-init-containers.yaml"),
    ),
    (
        "multi-document-app",
        include_str!("../../www/examples/multi-document-app.yaml"),
    ),
    (
        "suppressions",
        include_str!("../../www/examples/suppressions.yaml"),
    ),
    (
        "yaml-pitfalls",
        include_str!("../../www/examples/yaml-pitfalls.yaml"),
    ),
    ("hardened", include_str!("../../www/examples/hardened.yaml")),
];

fn example_title(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.strip_prefix("# title:"))
        .map_or("Example", str::trim)
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// The state a page starts from: the link's fragment, else the autosaved state, else
/// the first example.
fn initial_state() -> Shared {
    let from_link = window()
        .location()
        .hash()
        .ok()
        .and_then(|h| share::decode(h.trim_start_matches('#')));
    let saved = || {
        let storage = window().local_storage().ok().flatten()?;
        share::decode(&storage.get_item(STORAGE_KEY).ok().flatten()?)
    };
    from_link.or_else(saved).unwrap_or_else(|| Shared {
        text: EXAMPLES[0].1.to_string(),
        profile: "all".into(),
        version: String::new(),
        unsafe_fixes: false,
    })
}

fn options(profile: &str, version: &str) -> Options {
    Options {
        profile: profile.parse().unwrap_or(Profile::All),
        version: version.parse().unwrap_or(KubeVersion::LATEST),
        ..Options::default()
    }
}

fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "✖",
        Severity::High => "▲",
        Severity::Medium => "◆",
        Severity::Low => "●",
        Severity::Info => "ℹ",
    }
}

fn lint_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "info",
        Severity::Info => "hint",
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Findings,
    Hardened,
    Diff,
}

#[function_component(App)]
fn app() -> Html {
    let initial = use_memo((), |_| initial_state());
    let text = use_state(|| initial.text.clone());
    let profile = use_state(|| initial.profile.clone());
    let version = use_state(|| initial.version.clone());
    let unsafe_fixes = use_state(|| initial.unsafe_fixes);
    let excluded = use_state(Vec::<FindingKey>::new);
    let tab = use_state(|| Tab::Findings);
    let force_large = use_state(|| false);
    let hidden_severities = use_state(Vec::<Severity>::new);
    let hidden_areas = use_state(Vec::<&'static str>::new);
    let notice = use_state(String::new);
    let view: Rc<RefCell<Option<EditorView>>> = use_mut_ref(|| None);
    let editor_ref = use_node_ref();

    // The editor, created once; its changes reach `text` after a short pause.
    {
        let (view, editor_ref, text) = (view.clone(), editor_ref.clone(), text.clone());
        let start = initial.text.clone();
        use_effect_with((), move |_| {
            let pending: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
            let on_change = Closure::<dyn Fn(String)>::new(move |new_text: String| {
                let text = text.clone();
                *pending.borrow_mut() = Some(Timeout::new(120, move || text.set(new_text)));
            });
            if let Some(parent) = editor_ref.cast::<web_sys::HtmlElement>() {
                let function: &js_sys::Function = on_change.as_ref().unchecked_ref();
                *view.borrow_mut() = Some(editor::create_editor(&parent, &start, function));
            }
            on_change.forget();
            || ()
        });
    }

    let large = text.len() > LARGE_INPUT && !*force_large;
    let checked: Rc<Option<Checked>> = {
        let deps = (
            (*text).clone(),
            (*profile).clone(),
            (*version).clone(),
            large,
        );
        use_memo(deps, |(text, profile, version, large)| {
            (!large).then(|| adapter::check(text, options(profile, version)))
        })
    };

    // Underlines and gutter markers follow every check.
    {
        let view = view.clone();
        use_effect_with(checked.clone(), move |checked| {
            if let Some(view) = view.borrow().as_ref() {
                let list = js_sys::Array::new();
                if let Some(c) = checked.as_ref() {
                    for f in &c.findings {
                        let message = format!("{} [{}] {}", f.severity, f.rule, f.message);
                        list.push(&editor::diagnostic(
                            f.from,
                            f.to,
                            lint_severity(f.severity),
                            &message,
                            f.rule,
                        ));
                    }
                    for e in &c.errors {
                        list.push(&editor::diagnostic(
                            e.from,
                            e.to,
                            "error",
                            &format!("YAML error: {}", e.message),
                            "yaml",
                        ));
                    }
                }
                editor::set_diagnostics(view, &list);
            }
            || ()
        });
    }

    let hardened: Rc<Option<Hardened>> = {
        let deps = (
            (*text).clone(),
            (*profile).clone(),
            (*version).clone(),
            *unsafe_fixes,
            (*excluded).clone(),
            *tab == Tab::Findings || large,
        );
        use_memo(
            deps,
            |(text, profile, version, unsafe_fixes, excluded, idle)| {
                (!idle).then(|| {
                    adapter::harden(text, options(profile, version), *unsafe_fixes, excluded)
                })
            },
        )
    };

    // Autosave and the URL fragment, at most every 750 ms.
    {
        let last_write: Rc<RefCell<(f64, Option<Timeout>)>> = use_mut_ref(|| (0.0, None));
        let state = Shared {
            text: (*text).clone(),
            profile: (*profile).clone(),
            version: (*version).clone(),
            unsafe_fixes: *unsafe_fixes,
        };
        use_effect_with(state, move |state| {
            let write = {
                let (last_write, state) = (last_write.clone(), state.clone());
                // Compressed only when written, so typing never waits for it.
                move || {
                    let fragment = share::encode(&state);
                    let w = window();
                    if let Ok(Some(storage)) = w.local_storage() {
                        let _ = storage.set_item(STORAGE_KEY, &fragment);
                    }
                    // A multi-megabyte manifest is too long for a URL: autosave only.
                    if state.text.len() <= LARGE_INPUT {
                        if let Ok(history) = w.history() {
                            let _ = history.replace_state_with_url(
                                &JsValue::NULL,
                                "",
                                Some(&format!("#{fragment}")),
                            );
                        }
                    }
                    last_write.borrow_mut().0 = js_sys::Date::now();
                }
            };
            let elapsed = js_sys::Date::now() - last_write.borrow().0;
            if elapsed >= 750.0 {
                last_write.borrow_mut().1 = None;
                write();
            } else {
                let timer = Timeout::new((750.0 - elapsed) as u32, write);
                last_write.borrow_mut().1 = Some(timer);
            }
            || ()
        });
    }

    let set_text = {
        let (view, text, excluded, force_large) = (
            view.clone(),
            text.clone(),
            excluded.clone(),
            force_large.clone(),
        );
        Callback::from(move |new_text: String| {
            if let Some(v) = view.borrow().as_ref() {
                editor::set_text(v, &new_text);
            }
            excluded.set(Vec::new());
            force_large.set(false);
            text.set(new_text);
        })
    };
    let on_profile = {
        let profile = profile.clone();
        Callback::from(move |e: Event| {
            profile.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_version = {
        let version = version.clone();
        Callback::from(move |e: Event| {
            version.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_share = {
        let (checked, text, notice) = (checked.clone(), text.clone(), notice.clone());
        Callback::from(move |_| {
            let w = window();
            let secret = checked
                .as_ref()
                .as_ref()
                .is_some_and(|c| adapter::looks_secret(&text, c));
            if secret
                && !w
                    .confirm_with_message("This manifest contains a Secret or a credential. Anyone with the link can read it: the whole text is in the link. Copy the link anyway?")
                    .unwrap_or(false)
            {
                return;
            }
            let href = w.location().href().unwrap_or_default();
            let _ = editor::copy_text(&href);
            notice.set("Link copied. It holds the whole manifest in its #fragment, which browsers never send to a server.".into());
        })
    };

    let select_range = {
        let view = view.clone();
        Callback::from(move |(from, to): (usize, usize)| {
            if let Some(v) = view.borrow().as_ref() {
                editor::select_range(v, from as u32, to as u32);
            }
        })
    };
    let toggle_excluded = {
        let excluded = excluded.clone();
        Callback::from(move |key: FindingKey| {
            let mut list = (*excluded).clone();
            match list.iter().position(|k| *k == key) {
                Some(i) => {
                    list.remove(i);
                }
                None => list.push(key),
            }
            excluded.set(list);
        })
    };

    let status = match checked.as_ref() {
        None => html! {
            <span>
                { format!("Large input ({:.1} MB): checking is paused so that typing stays smooth. ", text.len() as f64 / 1e6) }
                <button onclick={ let f = force_large.clone(); move |_| f.set(true) }>{ "Check anyway" }</button>
            </span>
        },
        Some(c) => {
            let live = c.findings.iter().filter(|f| f.suppressed.is_none()).count();
            let mut s = format!("{live} finding{}", if live == 1 { "" } else { "s" });
            if let Some(e) = c.errors.first() {
                s.push_str(&format!(
                    " · YAML error at line {}, column {}: {} (other documents are still checked)",
                    e.line, e.column, e.message
                ));
            }
            html! { <span>{ s }</span> }
        }
    };

    let versions: Vec<String> = (0..=KubeVersion::LATEST.minor)
        .rev()
        .map(|m| format!("1.{m}"))
        .collect();
    let tab_button = |t: Tab, label: &str, id: &str| {
        let tab = tab.clone();
        html! {
            <button role="tab" aria-selected={ (*tab == t).to_string() } class={ classes!("tab", (*tab == t).then_some("active")) }
                data-testid={ id.to_string() } onclick={ move |_| tab.set(t) }>{ label }</button>
        }
    };

    html! {
        <div class="app">
            <header class="top">
                <h1>{ "kubeharden" }<span class="tagline">{ " Kubernetes manifest security checker — runs entirely in your browser" }</span></h1>
                <div class="controls">
                    <label>{ "Profile " }
                        <select data-testid="profile" onchange={ on_profile }>
                            { for ["all", "restricted", "baseline"].iter().map(|p| html! { <option value={ *p } selected={ *profile == *p }>{ *p }</option> }) }
                        </select>
                    </label>
                    <label>{ "Kubernetes " }
                        <select data-testid="kube-version" onchange={ on_version }>
                            <option value="" selected={ version.is_empty() }>{ format!("latest ({})", KubeVersion::LATEST) }</option>
                            { for versions.iter().map(|v| html! { <option value={ v.clone() } selected={ *version == *v }>{ format!("v{v}") }</option> }) }
                        </select>
                    </label>
                    <button data-testid="share" onclick={ on_share }>{ "Copy share link" }</button>
                </div>
            </header>
            <nav class="gallery" aria-label="Examples">
                { for EXAMPLES.iter().map(|(stem, body)| {
                                        let set_text = set_text.clone();
                    let title = example_title(body);
                    html! { <button class="example" data-testid="example" data-example={ *stem } onclick={ move |_| set_text.emit(body.to_string()) }>{ title }</button> }
                }) }
            </nav>
            <main class="panes">
                <section class="editor-pane" aria-label="Editor">
                    <div class="editor" data-testid="editor" ref={ editor_ref }></div>
                    <div class="status" data-testid="status" role="status" aria-live="polite">{ status }</div>
                    if !notice.is_empty() { <div class="notice" role="status">{ (*notice).clone() }</div> }
                </section>
                <section class="side-pane">
                    <div class="tabs" role="tablist">
                        { tab_button(Tab::Findings, "Findings", "tab-findings") }
                        { tab_button(Tab::Hardened, "Hardened YAML", "tab-hardened") }
                        { tab_button(Tab::Diff, "Diff", "tab-diff") }
                    </div>
                    {
                        match *tab {
                            Tab::Findings => html! {
                                <Findings checked={ checked.clone() } hidden_severities={ hidden_severities.clone() }
                                    hidden_areas={ hidden_areas.clone() } excluded={ (*excluded).clone() }
                                    select={ select_range.clone() } toggle={ toggle_excluded.clone() } />
                            },
                            Tab::Hardened | Tab::Diff => html! {
                                <HardenedView hardened={ hardened.clone() } unsafe_fixes={ unsafe_fixes.clone() } diff={ *tab == Tab::Diff } />
                            },
                        }
                    }
                </section>
            </main>
            <footer class="foot">{ "Nothing you type leaves this page: checks run in WebAssembly, the text is saved in this browser and in the link's #fragment only. " }
                <a href="https://kubernetes.io/docs/concepts/security/pod-security-standards/" rel="noopener noreferrer" target="_blank">{ "Pod Security Standards" }</a>
            </footer>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FindingsProps {
    checked: Rc<Option<Checked>>,
    hidden_severities: UseStateHandle<Vec<Severity>>,
    hidden_areas: UseStateHandle<Vec<&'static str>>,
    excluded: Vec<FindingKey>,
    select: Callback<(usize, usize)>,
    toggle: Callback<FindingKey>,
}

#[function_component(Findings)]
fn findings(p: &FindingsProps) -> Html {
    let Some(checked) = p.checked.as_ref() else {
        return html! { <p class="empty">{ "Not checked yet." }</p> };
    };
    let visible: Vec<&EditorFinding> = checked
        .findings
        .iter()
        .filter(|f| !p.hidden_severities.contains(&f.severity) && !p.hidden_areas.contains(&f.area))
        .collect();
    // Grouped by object; groups ordered by their most severe finding.
    let mut groups: BTreeMap<String, Vec<&EditorFinding>> = BTreeMap::new();
    for f in &visible {
        groups.entry(f.object.clone()).or_default().push(f);
    }
    let mut groups: Vec<(String, Vec<&EditorFinding>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| {
        b.1[0]
            .severity
            .cmp(&a.1[0].severity)
            .then(a.1[0].from.cmp(&b.1[0].from))
    });

    let severity_filter = Severity::ALL.iter().map(|&s| {
        let hidden = p.hidden_severities.clone();
        let shown = !hidden.contains(&s);
        let onchange = move |_| {
            let mut list = (*hidden).clone();
            if shown { list.push(s) } else { list.retain(|x| *x != s) }
            hidden.set(list);
        };
        html! { <label class={ classes!("filter", format!("sev-{s}")) }><input type="checkbox" checked={ shown } {onchange} />{ format!("{} {s}", severity_icon(s)) }</label> }
    });
    let area_filter = ["controls", "metadata", "updates"].iter().map(|&a| {
        let hidden = p.hidden_areas.clone();
        let shown = !hidden.contains(&a);
        let onchange = move |_| {
            let mut list = (*hidden).clone();
            if shown { list.push(a) } else { list.retain(|x| *x != a) }
            hidden.set(list);
        };
        html! { <label class="filter"><input type="checkbox" checked={ shown } {onchange} />{ a }</label> }
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
                    <h2>{ if object.is_empty() { "(document)".to_string() } else { object.clone() } }</h2>
                    <ul>{ for list.iter().map(|f| finding_item(f, p)) }</ul>
                </section>
            }) }
            { for checked.notes.iter().map(|n| html! { <p class="note">{ format!("Note, line {}: {}", n.line, n.message) }</p> }) }
        </div>
    }
}

fn finding_item(f: &EditorFinding, p: &FindingsProps) -> Html {
    let key = FindingKey {
        rule: f.rule.to_string(),
        path: f.path.clone(),
    };
    let included = !p.excluded.contains(&key);
    let onclick = {
        let (select, range) = (p.select.clone(), (f.from, f.to));
        move |_| select.emit(range)
    };
    let stop = |e: MouseEvent| e.stop_propagation();
    let toggle = {
        let (toggle, key) = (p.toggle.clone(), key.clone());
        move |_: Event| toggle.emit(key.clone())
    };
    html! {
        <li class={ classes!("finding", format!("sev-{}", f.severity), f.suppressed.is_some().then_some("suppressed")) }
            data-testid="finding" data-rule={ f.rule } data-line={ f.line.to_string() } data-severity={ f.severity.as_str() } onclick={ onclick }>
            <button class="jump" aria-label={ format!("{} {}: {} (line {})", f.severity, f.rule, f.message, f.line) }>
                <span class="sev"><span aria-hidden="true">{ severity_icon(f.severity) }</span>{ format!(" {}", f.severity) }</span>
                <span class="rule">{ f.rule }</span>
                <span class="where">{ format!("line {}", f.line) }</span>
                <span class="message">{ &f.message }</span>
                if let Some(reason) = &f.suppressed { <span class="suppressed-reason">{ format!("suppressed: {reason}") }</span> }
            </button>
            <details onclick={ stop }>
                <summary>{ format!("{} — why it matters, how to fix", f.title) }</summary>
                <p>{ f.rationale }</p>
                <p><strong>{ "Fix: " }</strong>{ f.remediation }</p>
                if let Some(pss) = &f.pss { <p>{ format!("Pod Security Standards: {pss}") }</p> }
                <p class="path">{ format!("Field: {}", f.path) }</p>
                <ul class="refs">{ for f.references.iter().map(|r| html! { <li><a href={ r.clone() } rel="noopener noreferrer" target="_blank">{ r }</a></li> }) }</ul>
            </details>
            if let Some(app) = f.fix {
                <label class="include" onclick={ stop }>
                    <input type="checkbox" checked={ included } onchange={ toggle } />
                    { format!(" fix in hardened YAML ({app})") }
                </label>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct HardenedProps {
    hardened: Rc<Option<Hardened>>,
    unsafe_fixes: UseStateHandle<bool>,
    diff: bool,
}

#[function_component(HardenedView)]
fn hardened_view(p: &HardenedProps) -> Html {
    let Some(h) = p.hardened.as_ref() else {
        return html! { <p class="empty">{ "Nothing to harden yet." }</p> };
    };
    let on_unsafe = {
        let u = p.unsafe_fixes.clone();
        move |e: Event| u.set(e.target_unchecked_into::<HtmlInputElement>().checked())
    };
    let copy = {
        let t = h.text.clone();
        move |_| {
            let _ = editor::copy_text(&t);
        }
    };
    let download = {
        let t = h.text.clone();
        move |_| editor::download_text("hardened.yaml", &t)
    };
    let diff_lines = h.diff.lines().map(|l| {
        let class = if l.starts_with("+++") || l.starts_with("---") {
            "head"
        } else if l.starts_with('+') {
            "add"
        } else if l.starts_with('-') {
            "del"
        } else if l.starts_with("@@") {
            "hunk"
        } else {
            "ctx"
        };
        html! { <span class={ class }>{ l }{ "\n" }</span> }
    });
    html! {
        <div class="hardened">
            <div class="toolbar">
                <label><input type="checkbox" data-testid="unsafe-toggle" checked={ *p.unsafe_fixes } onchange={ on_unsafe } />{ " include unsafe fixes (may change behaviour)" }</label>
                <button onclick={ copy }>{ "Copy" }</button>
                <button onclick={ download }>{ "Download" }</button>
            </div>
            <p class="summary">{ format!("{} fix{} applied; comments and formatting kept.", h.applied, if h.applied == 1 { "" } else { "es" }) }</p>
            { for h.skipped.iter().map(|(rule, path, reason)| html! { <p class="skipped">{ format!("Not applied: {rule} at {path}: {reason}") }</p> }) }
            if p.diff {
                <pre class="diff" data-testid="diff">{ for diff_lines }</pre>
            } else {
                <pre class="code" data-testid="hardened">{ &h.text }</pre>
            }
        </div>
    }
}

/// `window.kubehardenBench(text, runs)`: the median time of `runs` checks of `text`,
/// measured around the engine call (for the budget script).
fn install_bench() {
    let bench = Closure::<dyn Fn(String, u32) -> f64>::new(|text: String, runs: u32| {
        let mut times: Vec<f64> = (0..runs.max(1))
            .map(|_| {
                let start = editor::now_ms();
                let checked = adapter::check(&text, Options::default());
                std::hint::black_box(checked.findings.len());
                editor::now_ms() - start
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    });
    let _ = js_sys::Reflect::set(
        &window(),
        &JsValue::from_str("kubehardenBench"),
        bench.as_ref(),
    );
    bench.forget();
}

fn main() {
    install_bench();
    yew::Renderer::<App>::new().render();
}
