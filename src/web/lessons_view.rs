//! The lessons page's components: the list of lessons by pillar with progress, and a
//! lesson: its goal, the editor with the starting manifest, live findings, the success
//! check ("2 of 3 conditions met", evaluated by `kubeharden::lessons::Checker` on every
//! edit), hints on request, reset, the solution as a diff against the learner's text,
//! and on success the explanation and the next lesson. Progress (with each lesson's
//! text) is saved to localStorage on every change, and exported and imported as a file.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use kubeharden::adapter::{self, Checked};
use kubeharden::lessons::{Checker, Evaluation, HintLine, Lesson, Lessons, Pillar, SuccessCheck};
use kubeharden::render::unified_diff;
use kubeharden::{Catalogue, Source};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::codemirror;
use crate::editor::{Editor, EditorHandle};
use crate::lessons_state::{line_range, Action, LessonProgress, Progress, Route, STORAGE_KEY};
use crate::rule_doc::markdown;

/// The name an exported progress file gets.
const EXPORT_NAME: &str = "kubeharden-lessons-progress.json";

/// The lessons of the page, compared by identity (they are loaded once per page).
#[derive(Clone, Copy)]
pub struct LessonSet(pub &'static Lessons);

impl PartialEq for LessonSet {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The lessons fetched when the page opened, or why they could not be.
    pub loaded: Result<LessonSet, String>,
}

impl Reducible for Progress {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Rc::unwrap_or_clone(self).apply(action))
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

/// The checker of a lesson, built once (it checks the starting manifests as its
/// baseline).
fn checker(lesson: &'static Lesson) -> Rc<Checker<'static>> {
    thread_local! {
        static CHECKERS: RefCell<HashMap<&'static str, Rc<Checker<'static>>>> = RefCell::new(HashMap::new());
    }
    CHECKERS.with(|c| {
        c.borrow_mut()
            .entry(lesson.id.as_str())
            .or_insert_with(|| Rc::new(Checker::new(lesson)))
            .clone()
    })
}

#[function_component(LessonsApp)]
pub fn lessons_app(p: &AppProps) -> Html {
    let route = use_state(|| Route::parse(&current_hash()));
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                route.set(Route::parse(&current_hash()));
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
                drop(listener);
            }
        });
    }
    let progress = {
        let set = p.loaded.as_ref().ok().map(|s| s.0);
        use_reducer(move || {
            let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
            let progress = Progress::load(stored.as_deref());
            match set {
                Some(set) => verified(set, progress).0,
                None => progress,
            }
        })
    };
    // Saved on every change: a reload never loses work.
    use_effect_with((*progress).clone(), |p| {
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, &p.export());
        }
    });
    // Bumped when progress is replaced from outside a lesson (import, reset all), so that
    // an open lesson reloads its text.
    let generation = use_state(|| 0u32);
    let dispatch: Callback<Action> = {
        let (progress, generation) = (progress.dispatcher(), generation.clone());
        Callback::from(move |a: Action| {
            if matches!(a, Action::Replace(_) | Action::ResetAll) {
                generation.set(*generation + 1);
            }
            progress.dispatch(a)
        })
    };

    let lessons = match &p.loaded {
        Ok(l) => l.0,
        Err(e) => {
            return html! {
                <div class="lessons-app">
                    { top_bar(None) }
                    <main class="lesson-list"><p class="notice warning" role="alert" data-testid="lessons-error">{ e.clone() }</p></main>
                </div>
            }
        }
    };
    let missing = match &*route {
        Route::Lesson(id) => match lessons.get(id) {
            Some(lesson) => {
                set_title(&format!("{} — kubeharden lessons", lesson.title));
                let key = format!("{}-{}", lesson.id, *generation);
                return html! {
                    <div class="lessons-app">
                        { top_bar(Some(lesson)) }
                        <LessonPage {key} {lesson} next={ lessons.next(&lesson.id) }
                            progress={ progress.lesson(&lesson.id) } dispatch={ dispatch.clone() } />
                    </div>
                };
            }
            None => Some(id.clone()),
        },
        Route::List => None,
    };
    set_title("Lessons — kubeharden playground");
    html! {
        <div class="lessons-app">
            { top_bar(None) }
            <LessonList lessons={ LessonSet(lessons) } progress={ (*progress).clone() } {dispatch} {missing} />
        </div>
    }
}

fn top_bar(lesson: Option<&Lesson>) -> Html {
    html! {
        <header class="top">
            <nav aria-label="Breadcrumb" class="crumbs">
                <a href="../" data-testid="playground-link">{ "kubeharden playground" }</a>
                { " › " }
                if let Some(l) = lesson {
                    <a href="#/" data-testid="lessons-link">{ "Lessons" }</a>
                    { " › " }
                    <span aria-current="page">{ &l.title }</span>
                } else {
                    <span aria-current="page">{ "Lessons" }</span>
                }
            </nav>
            <a href="instructor.html" data-testid="instructor-link">{ "Instructor notes (printable)" }</a>
        </header>
    }
}

#[derive(Properties, PartialEq)]
struct ListProps {
    lessons: LessonSet,
    progress: Progress,
    dispatch: Callback<Action>,
    /// A lesson id of the URL that no lesson has.
    missing: Option<String>,
}

/// Read the first file chosen in a file `<input>` as text.
async fn chosen_file_text(input: &web_sys::HtmlInputElement) -> Result<String, String> {
    let files = js_sys::Reflect::get(input, &"files".into()).map_err(|_| "no file")?;
    let file = js_sys::Reflect::get(&files, &0.into()).map_err(|_| "no file")?;
    if file.is_undefined() || file.is_null() {
        return Err("no file chosen".into());
    }
    let text: js_sys::Function = js_sys::Reflect::get(&file, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("the browser cannot read files")?;
    let promise: js_sys::Promise = text
        .call0(&file)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or("the file could not be read")?;
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| "the file could not be read".into())
}

#[function_component(LessonList)]
fn lesson_list(p: &ListProps) -> Html {
    let all = &p.lessons.0.lessons;
    let notice = use_state(|| Option::<(bool, String)>::None);
    let solved = p.progress.solved(all.iter().map(|l| l.id.as_str()));
    let minutes: u32 = all.iter().map(|l| u32::from(l.minutes)).sum();
    let on_export = {
        let text = p.progress.export();
        Callback::from(move |_: MouseEvent| codemirror::download_text(EXPORT_NAME, &text))
    };
    let on_import = {
        let (dispatch, notice, set) = (p.dispatch.clone(), notice.clone(), p.lessons.0);
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let (dispatch, notice) = (dispatch.clone(), notice.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = chosen_file_text(&input).await;
                input.set_value("");
                match result.and_then(|t| Progress::import(&t)) {
                    Ok(progress) => {
                        let (progress, dropped) = verified(set, progress);
                        let n = progress.lessons.len();
                        dispatch.emit(Action::Replace(progress));
                        let unproven = match dropped {
                            0 => String::new(),
                            1 => " One lesson marked solved is not: the check does not pass on its text.".into(),
                            n => format!(" {n} lessons marked solved are not: the check does not pass on their text."),
                        };
                        notice.set(Some((
                            dropped > 0,
                            format!(
                                "Progress imported: {n} lesson{} with progress.{unproven}",
                                if n == 1 { "" } else { "s" }
                            ),
                        )));
                    }
                    Err(why) => notice.set(Some((true, format!("Not imported: {why}.")))),
                }
            });
        })
    };
    let on_reset_all = {
        let (dispatch, notice) = (p.dispatch.clone(), notice.clone());
        Callback::from(move |_: MouseEvent| {
            if confirm("Forget the progress and the text of every lesson in this browser? Export it first to keep a copy.") {
                dispatch.emit(Action::ResetAll);
                notice.set(Some((false, "Every lesson is back at its start.".into())));
            }
        })
    };
    let item = |l: &Lesson| {
        let lp = p.progress.lesson(&l.id);
        let (status, class) = if lp.solved {
            ("solved", "status solved")
        } else if lp.started() {
            ("started", "status started")
        } else {
            ("not started", "status")
        };
        html! {
            <li data-testid="lesson-item" data-lesson={ l.id.clone() } data-status={ status }>
                <a href={ Route::Lesson(l.id.clone()).hash() }>{ &l.title }</a>
                <span class="meta">{ format!(" level {} · {} min ", l.level, l.minutes) }</span>
                <span class={ class }>{ status }</span>
            </li>
        }
    };
    html! {
        <main class="lesson-list" id="main">
            <h1>{ "Lessons" }</h1>
            <p>{ format!("Fix real-looking manifests step by step; the check runs in this browser on every edit. {} lessons, about {} h {} min.", all.len(), minutes / 60, minutes % 60) }</p>
            <p class="progress-summary" data-testid="progress-summary">{ format!("{solved} of {} lessons solved", all.len()) }</p>
            if let Some(id) = &p.missing {
                <p class="notice warning" role="alert">{ format!("There is no lesson {id:?}: choose one below.") }</p>
            }
            <div class="toolbar progress-tools">
                <button onclick={ on_export } data-testid="export-progress">{ "Export progress" }</button>
                <label class="button">{ "Import progress…" }
                    <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="import-progress" onchange={ on_import } />
                </label>
                <button onclick={ on_reset_all } data-testid="reset-all">{ "Reset all progress" }</button>
            </div>
            if let Some((warning, text)) = &*notice {
                <p class={ if *warning { "notice warning" } else { "notice" } } role={ if *warning { "alert" } else { "status" } } data-testid="list-notice">{ text.clone() }</p>
            }
            { for Pillar::ALL.iter().map(|&pillar| {
                let of: Vec<&Lesson> = all.iter().filter(|l| l.pillar == pillar).collect();
                let done = p.progress.solved(of.iter().map(|l| l.id.as_str()));
                html! {
                    <section class="pillar" aria-labelledby={ format!("pillar-{}", pillar.as_str()) } data-testid="pillar">
                        <h2 id={ format!("pillar-{}", pillar.as_str()) }>{ pillar.title() }
                            <span class="meta">{ format!(" — {done} of {} solved", of.len()) }</span></h2>
                        <ol>{ for of.iter().map(|l| item(l)) }</ol>
                    </section>
                }
            }) }
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct LessonProps {
    lesson: &'static Lesson,
    next: Option<&'static Lesson>,
    progress: LessonProgress,
    dispatch: Callback<Action>,
}

fn start_texts(lesson: &Lesson, progress: &LessonProgress) -> Vec<Rc<str>> {
    lesson
        .start
        .iter()
        .map(|f| Rc::from(progress.files.get(&f.name).unwrap_or(&f.text).as_str()))
        .collect()
}

/// `progress` with each solved mark re-checked on the text that solved it
/// ([`Progress::verified`]); a lesson this page does not have is not solved here.
fn verified(set: &'static Lessons, progress: Progress) -> (Progress, usize) {
    progress.verified(|id, files| {
        let lesson = set.lessons.iter().find(|l| l.id == id)?;
        Some(
            checker(lesson)
                .evaluate(&lesson.learner_sources(files))
                .passed(),
        )
    })
}

fn evaluate(lesson: &'static Lesson, texts: &[Rc<str>]) -> Evaluation {
    let sources: Vec<Source> = lesson
        .start
        .iter()
        .zip(texts)
        .map(|(f, t)| Source::new(f.name.clone(), t.to_string()))
        .collect();
    checker(lesson).evaluate(&sources)
}

#[function_component(LessonPage)]
fn lesson_page(p: &LessonProps) -> Html {
    let lesson = p.lesson;
    let texts = use_state(|| start_texts(lesson, &p.progress));
    let active = use_state(|| 0usize);
    // Counts texts put into the editor from outside it (reset, another file).
    let loaded = use_state(|| 0u32);
    let show_solution = use_state(|| false);
    let notice = use_state(|| Option::<String>::None);
    let editor = use_memo((), |_| EditorHandle::default());

    let text: Rc<str> = texts.get(*active).cloned().unwrap_or_else(|| Rc::from(""));
    let checked: Rc<Option<Checked>> =
        use_memo(text.clone(), |t| Some(adapter::check(t, lesson.options())));
    let evaluation: Rc<Evaluation> = use_memo((*texts).clone(), |t| evaluate(lesson, t));
    let passed = evaluation.passed();
    {
        let (dispatch, id, solved) = (p.dispatch.clone(), lesson.id.clone(), p.progress.solved);
        use_effect_with(passed, move |passed| {
            if *passed && !solved {
                dispatch.emit(Action::Solved(id));
            }
        });
    }

    let on_change = {
        let (texts, active, dispatch) = (texts.clone(), *active, p.dispatch.clone());
        Callback::from(move |new: String| {
            let mut next = (*texts).clone();
            if let Some(slot) = next.get_mut(active) {
                *slot = Rc::from(new.as_str());
            }
            let file = &lesson.start[active];
            dispatch.emit(Action::Text {
                lesson: lesson.id.clone(),
                file: file.name.clone(),
                pristine: new == file.text,
                text: new,
            });
            texts.set(next);
        })
    };
    let on_fix = {
        let notice = notice.clone();
        Callback::from(move |_: String| {
            notice.set(Some(
                "In a lesson you make the change yourself: the hints help, and the solution is one click away.".into(),
            ))
        })
    };
    let on_hint = {
        let (dispatch, id, of) = (p.dispatch.clone(), lesson.id.clone(), lesson.hints.len());
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::Hint {
                lesson: id.clone(),
                of,
            })
        })
    };
    let on_reset = {
        let (texts, loaded, show_solution, dispatch) = (
            texts.clone(),
            loaded.clone(),
            show_solution.clone(),
            p.dispatch.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if confirm("Reset this lesson? Your text is replaced by the starting manifest and the hints are hidden again.") {
                texts.set(lesson.start.iter().map(|f| Rc::from(f.text.as_str())).collect());
                loaded.set(*loaded + 1);
                show_solution.set(false);
                dispatch.emit(Action::Reset(lesson.id.clone()));
            }
        })
    };
    let on_solution = {
        let (show, dispatch) = (show_solution.clone(), p.dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            if !*show {
                dispatch.emit(Action::SolutionShown(lesson.id.clone()));
            }
            show.set(!*show);
        })
    };
    let on_select = {
        let editor = (*editor).clone();
        move |(from, to): (usize, usize)| {
            let editor = editor.clone();
            Callback::from(move |_: MouseEvent| editor.select(from, to))
        }
    };

    let met = evaluation.met();
    let total = evaluation.conditions.len();
    let shown = p.progress.hints.min(lesson.hints.len());
    let file_tabs = (lesson.start.len() > 1).then(|| {
        html! {
            <div class="toolbar" role="group" aria-label="Files">
                { for lesson.start.iter().enumerate().map(|(i, f)| {
                    let (active, loaded) = (active.clone(), loaded.clone());
                    html! {
                        <button aria-pressed={ (*active == i).to_string() }
                            onclick={ Callback::from(move |_: MouseEvent| { active.set(i); loaded.set(*loaded + 1); }) }>{ &f.name }</button>
                    }
                }) }
            </div>
        }
    });

    html! {
        <main class="lesson" id="main" data-testid="lesson" data-lesson={ lesson.id.clone() }>
            <div class="lesson-work">
                <h1 data-testid="lesson-title">{ &lesson.title }</h1>
                <p class="meta">{ format!("{} · level {} · about {} minutes · checked at profile {} for Kubernetes {}",
                    lesson.pillar.title(), lesson.level, lesson.minutes, lesson.profile.as_str(), lesson.kube_version) }</p>
                if !lesson.story.trim().is_empty() {
                    <div class="story">{ markdown(&lesson.story) }</div>
                }
                <section class="goal" aria-labelledby="goal-title" data-testid="goal">
                    <h2 id="goal-title">{ "Goal" }</h2>
                    { markdown(&lesson.goal) }
                </section>
                { for file_tabs }
                <p class="file-name">{ lesson.start.get(*active).map(|f| f.name.as_str()).unwrap_or("") }</p>
                <div class="lesson-editor">
                    <Editor handle={ (*editor).clone() } text={ text.clone() } loaded={ *loaded }
                        checked={ checked.clone() } {on_change} {on_fix} />
                </div>
                if let Some(n) = &*notice {
                    <p class="notice" role="status">{ n.clone() }
                        <button class="dismiss" aria-label="Dismiss" onclick={ { let notice = notice.clone(); move |_: MouseEvent| notice.set(None) } }>{ "×" }</button></p>
                }
                <div class="toolbar lesson-tools">
                    <button onclick={ on_reset } data-testid="reset-lesson">{ "Reset lesson" }</button>
                    <button onclick={ on_solution } aria-expanded={ show_solution.to_string() } data-testid="show-solution">
                        { if *show_solution { "Hide the solution" } else { "Show the solution" } }</button>
                </div>
                if *show_solution {
                    { solution_view(lesson, &texts) }
                }
            </div>
            <aside class="lesson-side" aria-label="Progress">
                if passed {
                    { success_panel(lesson, p.next) }
                }
                <section aria-labelledby="check-title" class="check" data-testid="check">
                    <h2 id="check-title">{ "Success check" }</h2>
                    <p class={ classes!("check-summary", passed.then_some("met")) } data-testid="check-summary" role="status" aria-live="polite">
                        { format!("{met} of {total} conditions met") }</p>
                    <ul class="conditions">
                        { for evaluation.conditions.iter().map(|c| html! {
                            <li data-testid="condition" data-met={ c.met.to_string() } class={ if c.met { "condition met" } else { "condition" } }>
                                <span class="mark" aria-hidden="true">{ if c.met { "✓" } else { "✗" } }</span>
                                <span class="visually-hidden">{ if c.met { "met: " } else { "not met: " } }</span>
                                { &c.label }
                                if !c.met && !c.details.is_empty() {
                                    <ul class="details">{ for c.details.iter().map(|d| html! { <li>{ d }</li> }) }</ul>
                                }
                            </li>
                        }) }
                    </ul>
                </section>
                <section aria-labelledby="hints-title" class="hints" data-testid="hints">
                    <h2 id="hints-title">{ "Hints" }</h2>
                    if shown > 0 {
                        <ol>
                            { for lesson.hints.iter().take(shown).map(|h| html! {
                                <li data-testid="hint">{ markdown(&h.text) }
                                    if let Some(rule) = &h.rule { <p class="meta">{ "Rule: " }<code>{ rule }</code></p> }
                                    if let Some(at) = &h.at { { hint_line(lesson, at, *active, &text, &editor) } }
                                </li>
                            }) }
                        </ol>
                    }
                    if shown < lesson.hints.len() {
                        <button onclick={ on_hint } data-testid="show-hint">
                            { format!("Show a hint ({} of {})", shown + 1, lesson.hints.len()) }</button>
                    } else {
                        <p class="meta">{ "Every hint is shown." }</p>
                    }
                </section>
                <section aria-labelledby="findings-title" class="lesson-findings" data-testid="lesson-findings">
                    <h2 id="findings-title">{ "Findings" }</h2>
                    { findings_view(checked.as_ref().as_ref(), &lesson_rules(lesson), on_select) }
                </section>
            </aside>
        </main>
    }
}

/// Where a hint points: line N of a starting file, with a button that selects that line
/// in the editor when the file is the one shown (the learner's lines may have moved).
fn hint_line(
    lesson: &Lesson,
    at: &HintLine,
    active: usize,
    text: &str,
    editor: &EditorHandle,
) -> Html {
    let file = match &at.file {
        Some(name) => lesson.start.iter().position(|f| &f.name == name),
        None => Some(0),
    };
    let name = file
        .and_then(|i| lesson.start.get(i))
        .map_or("file", |f| f.name.as_str());
    let range = (file == Some(active))
        .then(|| line_range(text, at.line))
        .flatten();
    html! {
        <p class="meta">{ format!("About line {} of the starting {name}", at.line) }
            if let Some((from, to)) = range {
                { " " }
                <button class="link-button" data-testid="hint-line"
                    onclick={ { let editor = editor.clone(); move |_: MouseEvent| editor.select(from, to) } }>
                    { format!("Show line {} in the editor", at.line) }</button>
            }
        </p>
    }
}

/// The rules of a lesson's `quiet` conditions: what the lesson is about.
fn lesson_rules(lesson: &Lesson) -> Vec<&str> {
    lesson
        .success
        .iter()
        .filter_map(|c| match c {
            SuccessCheck::Quiet(q) => Some(q.rules.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The findings of the file in the editor, the lesson's rules first (marked), then the
/// others as the engine sorts them (most severe first).
fn findings_view(
    checked: Option<&Checked>,
    lesson_rules: &[&str],
    on_select: impl Fn((usize, usize)) -> Callback<MouseEvent>,
) -> Html {
    let Some(c) = checked else {
        return html! {};
    };
    let mut live: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    live.sort_by_key(|f| !lesson_rules.contains(&f.rule));
    html! {
        <>
            <p class="meta" data-testid="finding-count">{ format!("{} finding{} in this file", live.len(), if live.len() == 1 { "" } else { "s" }) }</p>
            <ul class="finding-list">
                { for c.errors.iter().map(|e| html! {
                    <li class="yaml-error"><button class="link" onclick={ on_select((e.from, e.to)) }>
                        { format!("YAML error, line {}: {}", e.line, e.message) }</button></li>
                }) }
                { for live.iter().map(|f| html! {
                    <li class={ classes!("finding", format!("sev-{}", f.severity)) } data-testid="finding" data-rule={ f.rule }>
                        <button class="link" onclick={ on_select((f.from, f.to)) }>
                            if lesson_rules.contains(&f.rule) { <span class="tag">{ "this lesson" }</span>{ " " } }
                            <span class="sev">{ f.severity.to_string() }</span>{ " " }<code>{ f.rule }</code>
                            { format!(" line {}: {}", f.line, f.message) }</button>
                    </li>
                }) }
            </ul>
        </>
    }
}

fn solution_view(lesson: &Lesson, texts: &[Rc<str>]) -> Html {
    let diffs: Vec<(String, String)> = lesson
        .solution
        .iter()
        .zip(texts)
        .map(|(f, mine)| {
            let diff = unified_diff(
                mine,
                &f.text,
                &format!("yours/{}", f.name),
                &format!("solution/{}", f.name),
            );
            (f.name.clone(), diff)
        })
        .collect();
    html! {
        <section class="solution" aria-labelledby="solution-title" data-testid="solution">
            <h2 id="solution-title">{ "The reference solution, as a diff against your text" }</h2>
            <p class="meta">{ "Lines with - are yours, + the solution's. Other solutions can pass too: the check decides." }</p>
            { for diffs.iter().map(|(name, diff)| if diff.is_empty() {
                html! { <p>{ format!("{name}: your text is the reference solution.") }</p> }
            } else {
                html! {
                    <pre class="diff" data-testid="solution-diff">{ for diff.lines().map(|l| {
                        let class = if l.starts_with("+++") || l.starts_with("---") { "ctx" }
                            else if l.starts_with('+') { "add" } else if l.starts_with('-') { "del" }
                            else if l.starts_with('@') { "hunk" } else { "ctx" };
                        html! { <span class={ class }>{ l }{ "\n" }</span> }
                    }) }</pre>
                }
            }) }
        </section>
    }
}

fn success_panel(lesson: &Lesson, next: Option<&Lesson>) -> Html {
    let catalogue = Catalogue::builtin();
    html! {
        <section class="success" aria-labelledby="success-title" data-testid="success">
            <h2 id="success-title">{ "Solved: every condition is met" }</h2>
            <h3>{ "Why it matters" }</h3>
            { markdown(&lesson.explanation) }
            <h3>{ "Read more" }</h3>
            <ul>
                { for lesson.references.iter().map(|r| match (&r.rule, &r.url) {
                    (Some(id), _) => html! { <li>{ "Rule " }<code>{ id }</code>{ catalogue.get(id).map(|d| format!(": {}", d.title)).unwrap_or_default() }</li> },
                    (None, Some(url)) => html! { <li><a href={ url.clone() } rel="noopener noreferrer" target="_blank">{ r.title.clone().unwrap_or_else(|| url.clone()) }</a></li> },
                    (None, None) => html! {},
                }) }
            </ul>
            if let Some(n) = next {
                <p><a class="button" href={ Route::Lesson(n.id.clone()).hash() } data-testid="next-lesson">{ format!("Next lesson: {}", n.title) }</a></p>
            } else {
                <p>{ "That was the last lesson. " }<a href="#/" data-testid="next-lesson">{ "Back to the list" }</a></p>
            }
        </section>
    }
}
