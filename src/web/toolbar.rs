//! The toolbar: profile, Kubernetes version (a menu of minor versions, a field for a patch
//! release; with what they do, and a note when the target is past its end of support or
//! its support is not known), unsafe fixes, the share link, opening a local file, export
//! (Markdown, the JSON and SARIF reports exactly as the CLI writes them, the CLI command),
//! the colour scheme, and the example gallery.

use std::rc::Rc;

use kubeharden::{KubeVersion, Options, Profile};
use wasm_bindgen::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::codemirror;
use crate::editor::EditorHandle;
use crate::engine::{self, Checked};
use crate::examples::{Example, EXAMPLES, FIRST_TEXT};
use crate::extras::{self, ReportFormat};
use crate::hardened::copy_with_notice;
use crate::share::{self, Shared};
use crate::state::{self, Action, CheckInput, ConfigSets, Notice, LARGE_INPUT};

const PROFILES: [Profile; 3] = [Profile::All, Profile::Restricted, Profile::Baseline];

/// How long after the page starts the release table is fetched for the default, newest
/// version (milliseconds): well after the first check is shown.
const LATEST_NOTE_DELAY_MS: u32 = 5000;
/// The same for another version (a share link's, or the first one chosen): after the first
/// check, which the extras must not delay.
const OTHER_NOTE_DELAY_MS: u32 = 2500;

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// The settings and text a share link carries.
    pub shared: Shared,
    /// The menus the Config tab's configuration sets (shown with its value, disabled).
    pub config_sets: ConfigSets,
    /// The last check (for the export).
    pub checked: Rc<Option<Checked>>,
    /// The options the checks run with (the menus', or the Config tab's).
    pub options: Options,
    pub editor: EditorHandle,
    /// The gallery example shown, and whether its text was edited since.
    pub example: Option<usize>,
    pub edited: bool,
    pub dispatch: Callback<Action>,
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

#[function_component(Toolbar)]
pub fn toolbar(p: &ToolbarProps) -> Html {
    let s = &p.shared;
    let theme = use_state(codemirror::theme);
    // The menus offer only values that parse; anything else is ignored.
    let on_profile = {
        let dispatch = p.dispatch.clone();
        move |e: Event| {
            if let Ok(profile) = select_value(&e).parse() {
                dispatch.emit(Action::SetProfile(profile));
            }
        }
    };
    let on_version = {
        let dispatch = p.dispatch.clone();
        move |e: Event| {
            if let Ok(version) = state::parse_version_value(&select_value(&e)) {
                dispatch.emit(Action::SetVersion(version));
            }
        }
    };
    // A version typed in the field: a patch release (1.29.3) or a minor (1.29); a value
    // that does not parse is said next to the field and changes nothing.
    let version_error = use_state(|| None::<String>);
    let on_version_text = {
        let (dispatch, error) = (p.dispatch.clone(), version_error.clone());
        move |e: Event| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            match state::parse_version_value(text.trim()) {
                Ok(Some(v)) if v > KubeVersion::LATEST => error.set(Some(format!(
                    "{v} is newer than this playground knows ({})",
                    KubeVersion::LATEST
                ))),
                Ok(v) => {
                    error.set(None);
                    dispatch.emit(Action::SetVersion(v));
                }
                Err(why) => error.set(Some(why)),
            }
        }
    };
    let on_unsafe = p.dispatch.reform(|e: Event| {
        Action::SetUnsafe(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let on_share = {
        let (shared, editor, dispatch) = (s.clone(), p.editor.clone(), p.dispatch.clone());
        move |_: MouseEvent| share_link(&shared, &editor, &dispatch)
    };
    let on_open = {
        let editor = p.editor.clone();
        move |_: MouseEvent| editor.pick_file()
    };
    let on_theme = {
        let theme = theme.clone();
        move |e: Event| {
            let v = select_value(&e);
            codemirror::set_theme(&v);
            theme.set(v);
        }
    };
    let on_markdown = {
        let (checked, dispatch, shared) = (p.checked.clone(), p.dispatch.clone(), s.clone());
        move |_: MouseEvent| {
            if let Some(c) = checked.as_ref() {
                copy_with_notice(
                    &markdown(c, &shared),
                    "Findings as Markdown",
                    "findings",
                    &dispatch,
                );
            }
        }
    };
    let export = |format: ReportFormat, copy: bool| {
        let (shared, editor, dispatch, options) =
            (s.clone(), p.editor.clone(), p.dispatch.clone(), p.options);
        move |_: MouseEvent| {
            let text = editor.text().map_or_else(|| shared.text.clone(), Rc::from);
            let input = CheckInput {
                text,
                options,
                config: shared.config.clone(),
            };
            let command = cli_command_with(&shared, format);
            wasm_bindgen_futures::spawn_local(export_report(
                input,
                format,
                copy,
                command,
                dispatch.clone(),
            ));
        }
    };
    let on_cli = {
        let (dispatch, shared) = (p.dispatch.clone(), s.clone());
        move |_: MouseEvent| {
            copy_with_notice(
                &cli_command(&shared),
                "CLI command",
                "CLI command",
                &dispatch,
            )
        }
    };
    let version_label = |v: Option<KubeVersion>| match v {
        None => format!("latest ({})", KubeVersion::LATEST),
        Some(v) => v.to_string(),
    };
    let set_by = |line: Option<usize>| {
        line.map(|l| format!("Set by the Config tab's .kubeharden.yaml, line {l}"))
    };
    let (profile, profile_by) = match p.config_sets.profile {
        Some((v, line)) => (v, set_by(Some(line))),
        None => (s.profile, None),
    };
    let (version, version_by) = match p.config_sets.version {
        Some((v, line)) => (Some(v), set_by(Some(line))),
        None => (s.version, None),
    };
    // A version the configuration sets that the menu does not offer (a patch release).
    let same = |a: Option<KubeVersion>, b: Option<KubeVersion>| match (a, b) {
        (Some(a), Some(b)) => a.same_release(&b),
        (a, b) => a.is_none() && b.is_none(),
    };
    let version_choices: Vec<Option<KubeVersion>> = state::version_choices()
        .chain(
            version
                .filter(|v| !state::version_choices().any(|c| same(c, Some(*v))))
                .map(Some),
        )
        .collect();
    // The field is not bound to the state on every render (a re-render while someone types
    // would undo their keystrokes): it shows the state's version when that changes, and
    // keeps a value that did not parse until it is corrected.
    let version_field = use_node_ref();
    {
        let field = version_field.clone();
        let shown = version.map(|v| (v.minor, v.patch));
        use_effect_with(shown, move |_| {
            if let Some(input) = field.cast::<HtmlInputElement>() {
                input.set_value(&state::version_value(version));
            }
        });
    }
    let target_note = use_state(|| None::<String>);
    // Counts versions chosen: a note computed for an earlier one is dropped.
    let note_seq = use_mut_ref(|| 0u32);
    {
        let note = target_note.clone();
        let version = p.options.version;
        // The target's support, from the extras (which fetch the release table) when a
        // version is chosen. For the newest (the default) a few seconds after the page
        // starts, so that the first check fetches nothing but the page, its script and wasm.
        use_effect_with((version.minor, version.patch), move |_| {
            *note_seq.borrow_mut() += 1;
            let mine = *note_seq.borrow();
            let fetch = move || {
                wasm_bindgen_futures::spawn_local(async move {
                    let said = extras::target_note(version).await;
                    if *note_seq.borrow() != mine {
                        return;
                    }
                    note.set(said.unwrap_or_else(|e| {
                        Some(format!(
                            "The support dates of {version} are not available: {e}."
                        ))
                    }));
                })
            };
            // Until the extras are loaded, the note waits: for the newest version well after
            // the first check, for another (a share link's) a little, so that the first check
            // loads nothing else either.
            let deferred = if !extras::loaded() {
                let wait = if version.same_release(&KubeVersion::LATEST) {
                    LATEST_NOTE_DELAY_MS
                } else {
                    OTHER_NOTE_DELAY_MS
                };
                Some(gloo_timers::callback::Timeout::new(wait, fetch))
            } else {
                fetch();
                None
            };
            // A version chosen before the delay ends cancels it.
            move || drop(deferred)
        });
    }

    html! {
        <>
            <button class="skip" onclick={ |_: MouseEvent| focus("findings-start") }>{ "Skip to the findings" }</button>
            <header class="top">
                <h1>{ "kubeharden" }<span class="tagline">{ " Kubernetes manifest security checker — runs entirely in your browser" }</span></h1>
                <div class="controls">
                    <label>{ "Profile " }
                        <select data-testid="profile" onchange={ on_profile } aria-describedby="settings-help"
                            disabled={ profile_by.is_some() } title={ profile_by.clone() }>
                            { for PROFILES.iter().map(|&p| html! {
                                <option value={ p.as_str() } selected={ profile == p }>{ p.as_str() }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ "Kubernetes " }
                        <select data-testid="kube-version" onchange={ on_version } aria-describedby="settings-help"
                            disabled={ version_by.is_some() } title={ version_by.clone() }>
                            { for version_choices.into_iter().map(|v| html! {
                                <option value={ state::version_value(v) } selected={ same(version, v) }>{ version_label(v) }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ "or type " }
                        <input type="text" data-testid="kube-version-text" size="8" inputmode="decimal" spellcheck="false"
                            placeholder="1.29.3" ref={ version_field } onchange={ on_version_text }
                            aria-describedby="settings-help" aria-invalid={ version_error.is_some().then_some("true") }
                            aria-errormessage={ version_error.is_some().then_some("kube-version-error") }
                            disabled={ version_by.is_some() } title={ version_by.clone().unwrap_or_else(|| "A Kubernetes version: 1.NN, or a patch release 1.NN.P (the known-CVE rules read the patch)".into()) } />
                    </label>
                    if let Some(why) = &*version_error {
                        <span id="kube-version-error" class="field-error" role="alert" data-testid="kube-version-error">{ why }</span>
                    }
                    <label title="Fixes that may change how a workload behaves, such as privileged: false">
                        <input type="checkbox" data-testid="unsafe-toggle" checked={ s.unsafe_fixes } onchange={ on_unsafe } />
                        { " unsafe fixes" }
                    </label>
                    <button data-testid="share" onclick={ on_share }>{ "Copy share link" }</button>
                    <button data-testid="open-file" onclick={ on_open }>{ "Open file…" }</button>
                    <details class="menu">
                        <summary>{ "Export" }</summary>
                        <div class="menu-items" onclick={ close_menu }>
                            <button data-testid="export-markdown" onclick={ on_markdown }>{ "Copy findings as Markdown" }</button>
                            <button data-testid="export-json" onclick={ export(ReportFormat::Json, false) }>{ "Download the JSON report" }</button>
                            <button data-testid="export-json-copy" onclick={ export(ReportFormat::Json, true) }>{ "Copy the JSON report" }</button>
                            <button data-testid="export-sarif" onclick={ export(ReportFormat::Sarif, false) }>{ "Download SARIF" }</button>
                            <button data-testid="export-sarif-copy" onclick={ export(ReportFormat::Sarif, true) }>{ "Copy SARIF" }</button>
                            <button data-testid="export-cli" onclick={ on_cli }>{ "Copy the CLI command" }</button>
                        </div>
                    </details>
                    <label>{ "Theme " }
                        <select data-testid="theme" onchange={ on_theme }>
                            <option value="" selected={ theme.is_empty() }>{ "system" }</option>
                            <option value="light" selected={ *theme == "light" }>{ "light" }</option>
                            <option value="dark" selected={ *theme == "dark" }>{ "dark" }</option>
                        </select>
                    </label>
                </div>
                if let Some(note) = &*target_note {
                    <p class="target-note" data-testid="target-note" role="note">{ note }</p>
                }
                <details class="help"><summary>{ "What do these do?" }</summary>
                    <p id="settings-help">{ "Profile: baseline runs the Pod Security Standards' baseline checks (what every cluster should refuse), restricted adds the restricted checks (current hardening best practice), all adds kubeharden's own rules (RBAC, network policy, images, metadata, API versions). Kubernetes: the version the Pod Security Standards are judged for (a check applies from the version that introduced it) and whose removed APIs are reported; type a patch release (1.29.3) to have the Kubernetes CVEs that affect it reported. The manifest-validity rules run under every profile." }</p>
                </details>
            </header>
            <nav class="gallery" aria-label="Examples">
                { for EXAMPLES.iter().enumerate().map(|(i, example)| {
                    let (dispatch, edited) = (p.dispatch.clone(), p.edited);
                    let onclick = move |_: MouseEvent| load_example(i, *example, edited, dispatch.clone());
                    let current = p.example == Some(i);
                    html! {
                        <button class={ classes!("example", current.then_some("current")) } data-testid="example" data-example={ example.stem }
                            aria-current={ current.then_some("true") } title={ example.description } {onclick}>
                            { example.title }
                        </button>
                    }
                }) }
            </nav>
            if let Some(example) = p.example.and_then(|i| EXAMPLES.get(i)) {
                <p class="example-desc" data-testid="example-desc">{ format!("{}: {}", example.title, example.description) }</p>
            }
        </>
    }
}

/// Move the keyboard focus to the element with this id.
pub fn focus(id: &str) {
    if let Some(e) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = e.focus();
    }
}

/// Show gallery example `i`, after asking when it would replace edited text: the first
/// is compiled in, the others are fetched from the site (a failure is a notice, and the
/// text stays as it was).
fn load_example(i: usize, example: Example, edited: bool, dispatch: Callback<Action>) {
    if edited {
        let ok = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Replace your edited text with the example \"{}\"? (Ctrl+Z in the editor brings it back.)",
                    example.title
                ))
                .ok()
            })
            .unwrap_or(false);
        if !ok {
            return;
        }
    }
    if i == 0 {
        dispatch.emit(Action::LoadExample(0, FIRST_TEXT.to_string()));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match crate::fetch::text(&example.url()).await {
            Ok(text) => dispatch.emit(Action::LoadExample(i, text)),
            Err(e) => dispatch.emit(Action::Notify(Notice::warning(format!(
                "The example \"{}\" is not available: {e}.",
                example.title
            )))),
        }
    });
}

/// Put the state, with the editor's text as it is now (also what was typed in the last
/// moment), into the URL and copy the URL, after a warning when the text holds a Secret or
/// a credential. The outcome, copied or not, is a notice.
fn share_link(shared: &Shared, editor: &EditorHandle, dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let mut shared = shared.clone();
    if let Some(text) = editor.text() {
        if *text != *shared.text {
            dispatch.emit(Action::SetText(text.clone()));
            shared.text = text.into();
        }
    }
    if shared.text.len() > LARGE_INPUT {
        // The address bar must not keep the link of an earlier, smaller text.
        if let Ok(history) = window.history() {
            let path = window.location().pathname().unwrap_or_default();
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
        }
        dispatch.emit(Action::Notify(Notice::warning(format!(
            "This manifest ({} MB) is too large for a link (at most {} MB): nothing was copied; share the file instead.",
            state::megabytes(shared.text.len()),
            state::megabytes(LARGE_INPUT)
        ))));
        return;
    }
    if let Some(what) = engine::share_warning(&shared.text) {
        let question = format!("This manifest contains {what}. Anyone with the link can read it: the whole text is in the link. Copy the link anyway?");
        if !window.confirm_with_message(&question).unwrap_or(false) {
            return;
        }
    }
    let dispatch = dispatch.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match crate::link::encode(&shared).await {
            Ok(fragment) => copy_link(&window, &fragment, &dispatch),
            Err(e) => dispatch.emit(Action::Notify(Notice::warning(format!(
                "No link was made: {e}."
            )))),
        }
    });
}

/// Put `fragment` into the address bar and copy the page's URL.
fn copy_link(window: &web_sys::Window, fragment: &str, dispatch: &Callback<Action>) {
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
    let href = window.location().href().unwrap_or_default();
    let (ok, failed) = (dispatch.clone(), dispatch.clone());
    let ok = Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
        ok.emit(Action::Notify(Notice::info(
            "Link copied. It holds the whole manifest in its #fragment, which browsers never send to a server.",
        )))
    });
    let failed = Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
        failed.emit(Action::Notify(Notice::warning(
            "The browser did not allow copying: copy the link from the address bar, which holds it now.",
        )))
    });
    let _ = codemirror::copy_text(&href).then2(&ok, &failed);
    ok.forget();
    failed.forget();
}

/// Make the `format` report of `input` (in the extras, which fetch what it holds: the
/// rules' documentation for SARIF, the release dates for the summary) and download or
/// copy it; the outcome is a notice.
async fn export_report(
    input: CheckInput,
    format: ReportFormat,
    copy: bool,
    command: String,
    dispatch: Callback<Action>,
) {
    // One export at a time: a second click while the extras load would download twice.
    thread_local!(static EXPORTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if EXPORTING.with(|e| e.replace(true)) {
        return;
    }
    if !extras::loaded() {
        dispatch.emit(Action::Notify(Notice::info(
            "Making the report (the export loads on its first use)…".to_string(),
        )));
    }
    let made = extras::report(&input.text, input.options, &input.config, format).await;
    EXPORTING.with(|e| e.set(false));
    let report = match made {
        Ok(report) => report,
        Err(e) => {
            dispatch.emit(Action::Notify(Notice::warning(format!(
                "No report was made: {e}."
            ))));
            return;
        }
    };
    let (name, what) = match format {
        ReportFormat::Json => ("kubeharden.json", "JSON report"),
        ReportFormat::Sarif => ("kubeharden.sarif", "SARIF log"),
    };
    if copy {
        let upper = format!("The {what} (as `{command}` writes it)");
        copy_with_notice(&report, &upper, what, &dispatch);
    } else {
        codemirror::download_text(name, &report);
        dispatch.emit(Action::Notify(Notice::info(format!(
            "{name} downloaded: the {what} `{command}` writes."
        ))));
    }
}

/// Closes the Export menu once one of its items is chosen (the item's click bubbles up to
/// the items' box; Yew delegates events, so the clicked element is the event's target, not
/// its current target): an open menu covers the tabs below it.
fn close_menu(e: MouseEvent) {
    use wasm_bindgen::JsCast;
    if let Some(menu) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("details").ok().flatten())
    {
        let _ = menu.remove_attribute("open");
    }
}

/// [`cli_command`] with `--format json` or `--format sarif`.
fn cli_command_with(s: &Shared, format: ReportFormat) -> String {
    let flag = match format {
        ReportFormat::Json => "kubeharden check --format json",
        ReportFormat::Sarif => "kubeharden check --format sarif",
    };
    cli_command(s).replacen("kubeharden check", flag, 1)
}

/// The CLI command that checks the same way (the file names are placeholders). With the
/// Config tab's file saved as `.kubeharden.yaml`: a profile or version it sets is left to
/// it (in the playground it replaces the menus; in the CLI a flag would win).
pub fn cli_command(s: &Shared) -> String {
    let mut cmd = String::from("kubeharden check");
    let config = match state::parse_config(&s.config) {
        Some(Ok(c)) => Some(c),
        _ => None,
    };
    let sets_profile = config.as_ref().is_some_and(|c| c.profile.is_some());
    let sets_version = config.as_ref().is_some_and(|c| c.kube_version.is_some());
    if s.profile != Profile::All && !sets_profile {
        cmd.push_str(&format!(" --profile {}", s.profile.as_str()));
    }
    if let Some(v) = s.version.filter(|_| !sets_version) {
        cmd.push_str(&format!(" --kube-version {}", share::version_value(v)));
    }
    if config.is_some() {
        cmd.push_str(" --config .kubeharden.yaml");
    }
    cmd.push_str(" manifest.yaml");
    cmd
}

/// The findings as a Markdown list, for a ticket.
fn markdown(c: &Checked, s: &Shared) -> String {
    let live: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let mut out = format!(
        "## kubeharden: {} finding{}\n\nProfile `{}`, Kubernetes {}; `{}`\n\n",
        live.len(),
        if live.len() == 1 { "" } else { "s" },
        s.profile.as_str(),
        s.version.unwrap_or(KubeVersion::LATEST),
        cli_command(s)
    );
    for f in live {
        out.push_str(&format!(
            "- **{}** `{}` line {} ({}): {}\n",
            f.severity,
            f.rule,
            f.line,
            if f.object.is_empty() {
                "document"
            } else {
                &f.object
            },
            f.message
        ));
    }
    for e in &c.errors {
        out.push_str(&format!(
            "- **YAML error** line {}, column {}: {}\n",
            e.line, e.column, e.message
        ));
    }
    out
}
