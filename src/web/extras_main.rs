//! The playground's extras (`dist/extras/`): what the playground does only when someone
//! asks for it, in a WebAssembly of its own that the playground loads the first time
//! (src/web/extras.rs), so that none of it is in the playground's first download (its
//! budget, README "Budgets"):
//! - [`report`]: the JSON report or SARIF log exactly as `kubeharden check` writes it
//!   (the export menu);
//! - [`target_note`]: the CLI's line about the target version's support (the release
//!   table `k8s-releases.yaml` is fetched, not compiled in);
//! - [`diff`]: the unified diff of the Diff tab;
//! - [`harden`] and [`apply_one`]: the Hardened YAML and one finding's fix (called in the
//!   playground's engine worker, src/web/worker.rs, or on the page where none runs), so
//!   that the fixer is not in the first download either;
//! - [`mount_view`] / [`unmount_view`]: the Access and Reach tabs' views ([`access_view`],
//!   [`reach_view`]: the RBAC access matrix with its can-i box, the NetworkPolicy
//!   reachability matrix and diagram), Yew apps of their own rendered into an element the
//!   playground gives.
//!
//! Built by `scripts/wasm-toolchain.sh extras` with wasm-bindgen `--target web` (the same
//! features, profile and std as the playground). Every export but the views' takes and returns plain
//! strings; an error is a rejected promise (or a thrown `Error`) with a sentence saying what
//! failed.

mod access_data;
mod access_view;
#[allow(dead_code)]
mod export;
#[allow(dead_code)]
mod fetch;
mod mount;
mod reach_data;
mod reach_view;
#[allow(dead_code)]
mod rule_doc;
#[allow(dead_code)]
mod transfer;

use std::cell::Cell;

use kubeharden::{KubeVersion, Options, Profile};
use wasm_bindgen::prelude::*;

use export::ReportFormat;

thread_local! {
    static RELEASES: Cell<Option<&'static kubeharden::support::ReleaseTable>> =
        const { Cell::new(None) };
}

/// The release table (`export::RELEASES_URL`), fetched and read once per page.
async fn releases() -> Result<&'static kubeharden::support::ReleaseTable, String> {
    if let Some(table) = RELEASES.with(Cell::get) {
        return Ok(table);
    }
    let table = export::release_table(&fetch::text(export::RELEASES_URL).await?)?;
    RELEASES.with(|r| r.set(Some(table)));
    Ok(table)
}

/// Today in UTC from the browser's clock: the day the target version's support is judged
/// on, as the CLI judges it on the system date (the library reads no clock).
fn today() -> Option<kubeharden::support::Date> {
    let days = (js_sys::Date::now() / 86_400_000.0).floor() as i64;
    kubeharden::support::Date::from_unix_days(days).ok()
}

fn version(text: &str) -> Result<KubeVersion, JsValue> {
    text.parse().map_err(|e: String| JsValue::from_str(&e))
}

/// The `format` report (`"json"` or `"sarif"`) of `text` checked with `profile`
/// (`baseline`, `restricted`, `all`), `kube_version` (`1.NN[.P]`) and the Config tab's text
/// `config` (applied when valid), as `kubeharden check --format FORMAT [--config
/// .kubeharden.yaml] manifest.yaml` writes it on today's date (the browser's clock).
/// Errors: an unknown format, profile or version; the rules' documentation (SARIF) or the
/// release dates (`summary.target`) could not be fetched.
#[wasm_bindgen]
pub async fn report(
    text: String,
    profile: String,
    kube_version: String,
    config: String,
    format: String,
) -> Result<String, JsValue> {
    let format = match format.as_str() {
        "json" => ReportFormat::Json,
        "sarif" => ReportFormat::Sarif,
        other => return Err(format!("unknown report format {other:?}").into()),
    };
    let options = options(&profile, &kube_version)?;
    let docs = match format {
        ReportFormat::Sarif => Some(rule_doc::fetched().await.map_err(|e| {
            JsValue::from_str(&format!(
                "the rules' documentation the SARIF log holds is not available ({e})"
            ))
        })?),
        ReportFormat::Json => None,
    };
    let table = releases().await.map_err(|e| {
        JsValue::from_str(&format!(
            "the release dates the report's summary holds are not available ({e})"
        ))
    })?;
    let target = today().map(|today| export::target(table, options.version, today));
    Ok(export::report(
        &text,
        options,
        &config,
        format,
        target.as_ref(),
        &|id| {
            let d = docs.as_ref()?.get(id)?;
            Some((
                d.rationale.clone(),
                d.remediation.clone(),
                d.references.clone(),
            ))
        },
    ))
}

/// The CLI's line about the support of `kube_version` (`1.NN[.P]`) on today's date, or
/// `undefined` when there is nothing worth saying. Errors: a version that does not parse;
/// why the release dates could not be fetched or read.
#[wasm_bindgen(js_name = targetNote)]
pub async fn target_note(kube_version: String) -> Result<Option<String>, JsValue> {
    let version = version(&kube_version)?;
    let table = releases().await.map_err(|e| JsValue::from_str(&e))?;
    Ok(today().and_then(|today| export::target_note(&export::target(table, version, today))))
}

/// The unified diff of `hardened` against `text` (`manifest.yaml` → `hardened.yaml`, as
/// `kubeharden fix --diff` prints it).
#[wasm_bindgen]
pub fn diff(text: &str, hardened: &str) -> String {
    kubeharden::adapter::diff(text, hardened)
}

/// A profile and a version (`1.NN[.P]`) as options. Errors: either does not parse.
fn options(profile: &str, kube_version: &str) -> Result<Options, JsValue> {
    let profile: Profile = profile.parse().map_err(|e: String| JsValue::from_str(&e))?;
    Ok(Options {
        profile,
        version: version(kube_version)?,
        ..Options::default()
    })
}

/// The Config tab's text as a configuration: `None` when empty or invalid (not applied;
/// the tab lists its errors).
fn config(text: &str) -> Option<std::sync::Arc<kubeharden::config::Config>> {
    (!text.trim().is_empty())
        .then(|| kubeharden::config::Config::parse(".kubeharden.yaml", text).ok())
        .flatten()
        .map(std::sync::Arc::new)
}

/// The Hardened YAML of `text` (as `transfer::hardened_to`'s array, without the diff): its safe fixes, and unsafe ones with `unsafe_fixes`, but those of the finding ids
/// in `left_out`, with `profile`, `kube_version` and the Config tab's text `config`.
/// Errors: a profile or version that does not parse.
#[wasm_bindgen]
pub fn harden(
    text: &str,
    profile: &str,
    kube_version: &str,
    unsafe_fixes: bool,
    left_out: Vec<String>,
    config: &str,
) -> Result<JsValue, JsValue> {
    let hardened = kubeharden::adapter::harden_without_diff(
        text,
        options(profile, kube_version)?,
        unsafe_fixes,
        &left_out,
        self::config(config),
    );
    Ok(transfer::hardened_to(&hardened))
}

/// `text` with the fix of the finding `id` alone applied (safe or unsafe: the user asked
/// for this one), with `profile`, `kube_version` and the Config tab's text `config`.
/// Errors: a profile or version that does not parse; why the fix was skipped, or that it
/// changes nothing.
#[wasm_bindgen(js_name = applyOne)]
pub fn apply_one(
    text: &str,
    profile: &str,
    kube_version: &str,
    config: &str,
    id: &str,
) -> Result<String, JsValue> {
    kubeharden::adapter::apply_one(
        text,
        options(profile, kube_version)?,
        self::config(config),
        id,
    )
    .map_err(|e| JsValue::from_str(&e))
}

/// Render the view `kind` (`"access"`: the RBAC matrix and can-i box; `"reach"`: the
/// NetworkPolicy reachability matrix) of the manifests `text` for `kube_version`
/// (`1.NN[.P]`, the built-in roles' version) into `element`, whose content it replaces; on
/// later calls, update it (its own state, such as the open cell or the can-i question, is
/// kept, also from one opening of its tab to the next: each kind is one app for the life
/// of the page, see `mount.rs`); a view of another kind in `element` is taken out. A click on a place calls
/// `on_select(from, to)` with the UTF-16 range of the text to select in the editor (not a
/// function, such as `undefined`: nothing is called). Errors (thrown): an unknown kind or a
/// version that does not parse.
#[wasm_bindgen(js_name = mountView)]
pub fn mount_view(
    kind: &str,
    element: web_sys::Element,
    text: &str,
    kube_version: &str,
    on_select: JsValue,
) -> Result<(), JsValue> {
    let kind: mount::Kind = kind.parse().map_err(|e: String| JsValue::from_str(&e))?;
    let on_select = on_select.dyn_into::<js_sys::Function>().ok();
    mount::mount(
        kind,
        element,
        text.into(),
        version(kube_version)?,
        on_select,
    );
    Ok(())
}

/// Take the view [`mount_view`] rendered into `element` out of it (nothing when there is
/// none); its app is kept, detached, for the next call.
#[wasm_bindgen(js_name = unmountView)]
pub fn unmount_view(element: web_sys::Element) {
    mount::unmount(&element);
}

fn main() {}
