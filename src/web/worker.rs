//! The engine off the page's thread: the playground checks (and hardens) in a Web Worker
//! (`www/engine-worker.js`), so that typing never waits for a check and a text of many
//! megabytes is checked without freezing the page.
//!
//! The worker runs this same WebAssembly (its compiled module is handed over: nothing is
//! downloaded again), whose [`worker_check`] answers a check as JSON of the adapter's
//! [`Checked`]; hardening and single fixes run the extras' `harden` and `applyOne`
//! (src/web/extras_main.rs) in the worker, so that the fixer is not in the first download.
//! A newer request supersedes an older one of its kind: one still waiting resolves to
//! `None` at once, and one the worker has been answering for over 250 ms (`SUPERSEDE_MS`)
//! is stopped (the worker is terminated and started again), so that typing into a large
//! text never waits for the check of an older one. A request that runs over the worker's
//! limit of work (`LIMIT_MS`: 60 s) is stopped with an error; no text is refused for its
//! size. Where no worker can start (no module workers, a page without the
//! `data-engine` script of `scripts/csp-boot.py`), checks run on the page's thread as
//! before, with the large-text pause ([`crate::state::LARGE_INPUT`]), and hardening loads the
//! extras on the page.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Promise};
use kubeharden::{KubeVersion, Options, Profile};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::engine::{self, Checked, Hardened};
use crate::extras;
use crate::progress;
use crate::state::{CheckInput, HardenInput};
use crate::transfer;

#[wasm_bindgen(module = "/www/engine-worker.js")]
extern "C" {
    #[wasm_bindgen(js_name = start)]
    fn start_worker(glue: &str, module: JsValue, extras: &str) -> Option<String>;
    #[wasm_bindgen(js_name = brokenReason)]
    fn broken_reason() -> Option<String>;
    #[wasm_bindgen(js_name = isReady)]
    fn is_ready() -> bool;
    #[wasm_bindgen(js_name = call)]
    fn call_worker(kind: &str, args: &Array) -> Promise;
    /// Tell `listener` the worker's progress of each check: `(percent, stage)` as it comes
    /// (at once, the progress shown, if any), `(null)` as a check starts or ends.
    #[wasm_bindgen(js_name = onProgress)]
    fn on_progress(listener: &js_sys::Function);
    /// Tell `listener` no more, if it is still the one told (a status line that replaced it
    /// may have mounted first).
    #[wasm_bindgen(js_name = offProgress)]
    fn off_progress(listener: &js_sys::Function);
}

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    /// In the worker: the function the running check tells its progress to.
    static LISTENER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Start the worker. Errors: why it cannot run here (the page then checks on its own
/// thread).
pub fn start() -> Result<(), String> {
    let glue = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-engine]").ok().flatten())
        .and_then(|s| s.get_attribute("data-engine"))
        .ok_or("the page does not name the engine's script (data-engine)")?;
    match start_worker(&glue, wasm_bindgen::module(), extras::EXTRAS_JS) {
        None => {
            STARTED.with(|s| s.set(true));
            Ok(())
        }
        Some(why) => Err(why),
    }
}

/// Whether checks go to the worker (it started and has not failed since).
fn running() -> bool {
    STARTED.with(Cell::get) && broken_reason().is_none()
}

/// The worker's answer to `kind` with `args`: `None` when a newer request superseded it.
/// Errors: what failed, or why the request was stopped.
async fn call(kind: &str, args: &[JsValue]) -> Result<Option<JsValue>, String> {
    let args: Array = args.iter().collect();
    let answer = JsFuture::from(call_worker(kind, &args))
        .await
        .map_err(extras::why)?;
    Ok((!answer.is_null()).then_some(answer))
}

/// An answer read back. Errors: it did not have the shape its writer gives (a bug: the
/// same build wrote it).
fn read<T>(value: Option<T>) -> Result<T, String> {
    value.ok_or_else(|| "the engine's answer could not be read".to_string())
}

/// The arguments of every request: the text, the profile, the version, the Config tab.
fn common(text: &str, options: Options, config: &str) -> [JsValue; 4] {
    [
        text.into(),
        options.profile.as_str().into(),
        options.version.to_string().into(),
        config.into(),
    ]
}

/// In the worker: the check of `text` with `profile` (`baseline`, `restricted`, `all`),
/// `kube_version` (`1.NN[.P]`) and the Config tab's text `config` (applied when valid), as
/// [`transfer::checked_to`]'s array, telling `listener(percent, stage)` the check's news as
/// it goes ([`progress::telling`]).
/// Errors: a profile or version that does not parse.
#[wasm_bindgen(js_name = workerCheck)]
pub fn worker_check(
    text: String,
    profile: &str,
    kube_version: &str,
    config: String,
    listener: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    let options = options(profile, kube_version).map_err(|e| JsValue::from_str(&e))?;
    let input = CheckInput {
        text: text.into(),
        options,
        config: config.into(),
    };
    LISTENER.with(|l| *l.borrow_mut() = listener);
    let checked = progress::telling(tell, |observe| engine::check_observed(&input, observe));
    LISTENER.with(|l| l.borrow_mut().take());
    Ok(transfer::checked_to(&checked))
}

/// Tells the running check's listener, if any (what it throws is dropped: the worker's
/// listener only posts the numbers to the page).
fn tell(percent: u32, stage: &str) {
    LISTENER.with(|l| {
        if let Some(f) = l.borrow().as_ref() {
            let _ = f.call2(&JsValue::NULL, &percent.into(), &stage.into());
        }
    });
}

/// The options of a request. Errors: the profile's or the version's parser's message.
fn options(profile: &str, kube_version: &str) -> Result<Options, String> {
    Ok(Options {
        profile: profile.parse::<Profile>()?,
        version: kube_version.parse::<KubeVersion>()?,
        ..Options::default()
    })
}

/// What an engine request shows: the newest answer, and whether a newer one is coming.
#[derive(Clone, PartialEq)]
pub struct Answer<T> {
    /// The answer for the current input; while a newer one is being made, the one before
    /// (its ranges are those of the text it was made from). `None`: no input (paused) or
    /// none yet.
    pub value: Rc<Option<T>>,
    /// The answer for the current input is being made.
    pub busy: bool,
    /// Why the answer for the current input could not be made (stopped at the limit of
    /// work, or an error).
    pub failed: Option<String>,
}

/// The state of [`use_answer`]: the input the shown answer is for, and the answer.
struct Shown<I, T> {
    input: Option<I>,
    value: Rc<Option<T>>,
    failed: Option<(I, String)>,
}

/// The answer to `input` from `ask` (asynchronous: the worker), kept while a newer one is
/// made; `None` input shows nothing. An answer for an input that is no longer current is
/// dropped.
#[hook]
fn use_answer<I, T, F, Fut>(input: Option<I>, ask: F) -> Answer<T>
where
    I: Clone + PartialEq + 'static,
    T: 'static,
    F: Fn(I) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Option<T>, String>> + 'static,
{
    let shown = use_state(|| Shown::<I, T> {
        input: None,
        value: Rc::new(None),
        failed: None,
    });
    {
        let shown = shown.clone();
        use_effect_with(input.clone(), move |input| {
            let stale = Rc::new(Cell::new(false));
            match input.clone() {
                None => shown.set(Shown {
                    input: None,
                    value: Rc::new(None),
                    failed: None,
                }),
                Some(input) => {
                    let (mine, shown) = (stale.clone(), shown.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let answer = ask(input.clone()).await;
                        if mine.get() {
                            return;
                        }
                        match answer {
                            Ok(Some(value)) => shown.set(Shown {
                                input: Some(input),
                                value: Rc::new(Some(value)),
                                failed: None,
                            }),
                            Ok(None) => {}
                            Err(why) => shown.set(Shown {
                                input: shown.input.clone(),
                                value: shown.value.clone(),
                                failed: Some((input, why)),
                            }),
                        }
                    });
                }
            }
            move || stale.set(true)
        });
    }
    let failed = shown
        .failed
        .as_ref()
        .filter(|(i, _)| Some(i) == input.as_ref())
        .map(|(_, why)| why.clone());
    Answer {
        value: if input.is_none() {
            Rc::new(None)
        } else {
            shown.value.clone()
        },
        busy: input.is_some() && shown.input != input && failed.is_none(),
        failed,
    }
}

/// Until the worker has started, a text up to this size (bytes) is checked on the page's
/// thread: the page's first check (the example, a link's or the autosave's text) does not
/// wait for the worker to load the engine again.
const SHORT: usize = 64 * 1024;

/// The check of the state's input: in the worker while it runs; on this thread where it
/// cannot (`on_thread` is then told why, once) and for a [`SHORT`] text before it started.
#[hook]
pub fn use_check(input: Option<CheckInput>, on_thread: Callback<String>) -> Answer<Checked> {
    use_answer(input, move |input: CheckInput| {
        let on_thread = on_thread.clone();
        async move {
            if running() && (is_ready() || input.text.len() > SHORT) {
                let args = common(&input.text, input.options, &input.config);
                match call("check", &args).await {
                    Ok(answer) => {
                        return answer.map(|a| read(transfer::checked_from(a))).transpose()
                    }
                    // The worker failed under this request: check here instead.
                    Err(why) if !running() => on_thread.emit(why),
                    Err(why) => return Err(why),
                }
            }
            Ok(Some(engine::check(&input)))
        }
    })
}

/// The hardening of the state's input: the extras' `harden`, in the worker while it runs,
/// else on this thread.
#[hook]
pub fn use_harden(input: Option<HardenInput>) -> Answer<Hardened> {
    use_answer(input, |input: HardenInput| async move {
        let [text, profile, version, config] = common(&input.text, input.options, &input.config);
        let left_out: Array = input
            .left_out
            .iter()
            .map(|k| JsValue::from_str(&k.0))
            .collect();
        let args = [
            text,
            profile,
            version,
            input.unsafe_fixes.into(),
            left_out.into(),
            config,
        ];
        let answer = if running() {
            call("harden", &args).await?
        } else {
            Some(extras::call("harden", &args).await?)
        };
        answer.map(|a| read(transfer::hardened_from(a))).transpose()
    })
}

/// `text` with the fix of finding `id` alone applied (the extras' `applyOne`), checked
/// with `options` and the Config tab's text `config`; `None` when a newer request for a fix
/// superseded this one. Errors: why the fix was not made.
pub async fn apply_one(
    text: &str,
    options: Options,
    config: &str,
    id: &str,
) -> Result<Option<String>, String> {
    let [text, profile, version, config] = common(text, options, config);
    let args = [text, profile, version, config, id.into()];
    let answer = if running() {
        call("applyOne", &args).await?
    } else {
        Some(extras::call("applyOne", &args).await?)
    };
    Ok(answer.map(|a| a.as_string().unwrap_or_default()))
}

/// The running check's stage and a `<progress>` bar of its [`Progress::percent`], as the worker tells
/// them (an ellipsis until it does: a check under 100 ms shows none; one mounted mid-check,
/// as the status line changes, shows the progress told last at once). For the status line,
/// after its live region ("Checking N MB"), outside it as the widget's bar is: the stage as
/// text and the percentage as the bar's value, there to be read, not announced at each step.
#[function_component(CheckProgress)]
pub fn check_progress() -> Html {
    let told = use_state_eq(|| None::<(u32, String)>);
    {
        let told = told.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn(JsValue, JsValue)>::new(
                move |percent: JsValue, stage: JsValue| {
                    told.set(
                        percent
                            .as_f64()
                            .map(|p| (p as u32, stage.as_string().unwrap_or_default())),
                    );
                },
            );
            on_progress(listener.as_ref().unchecked_ref());
            move || {
                off_progress(listener.as_ref().unchecked_ref());
                drop(listener);
            }
        });
    }
    let Some((percent, stage)) = told.as_ref() else {
        return html! { "…" };
    };
    let doing = match stage.as_str() {
        "parse" => "reading the YAML",
        "rules" => "running the rules",
        "bundle" => "running the whole-bundle rules",
        _ => "listing the findings",
    };
    html! {
        <>
            { format!(": {doing}…") }
            <progress class="check-progress" max="100" value={ percent.to_string() }
                aria-label="Check progress" data-testid="check-progress"></progress>
        </>
    }
}
