//! The playground's state: one [`State`] value, changed only by [`Action`]s through
//! [`State::apply`] (the app wraps it in Yew's `use_reducer`). Everything here is pure —
//! no web-sys, no engine call — so it is unit-tested natively
//! (`cargo test --test playground_state`). Results derived from the state (findings, the
//! hardened text) are not stored: the app computes them from [`State::check_input`] and
//! [`State::harden_input`] with `use_memo`.

use std::rc::Rc;

use kubeharden::config::{Config, ConfigError};
use kubeharden::{Area, KubeVersion, Options, Profile, Severity};

use crate::examples::FIRST_TEXT;
use crate::share::{self, Shared};

/// The URL does not carry a text above this size (bytes): too long for a link. Where the
/// checks run on the page's thread (no worker), such a text is not checked on every change
/// either; a click checks it anyway.
pub const LARGE_INPUT: usize = 2 * 1024 * 1024;

/// `bytes` in megabytes with one decimal (`2.1`), in integer arithmetic: no float
/// formatting in the download.
pub fn megabytes(bytes: usize) -> String {
    let tenths = (bytes + 50_000) / 100_000;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Every area, in the order the filters show them.
pub const AREAS: [Area; 3] = [Area::Controls, Area::Metadata, Area::Updates];

/// Identifies one finding's fix across edits (the finding's stable id). Opaque: the
/// state only compares keys;
/// `engine::fix_key` makes them from findings and `engine::harden` reads them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FixKey(pub(crate) String);

/// The side pane's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Findings,
    Hardened,
    Diff,
    /// The rule catalogue.
    Rules,
    /// The configuration file (`.kubeharden.yaml`) the checks use.
    Config,
    /// The RBAC access matrix and can-i box (a view of the extras: `extras_view`).
    Access,
    /// The NetworkPolicy reachability matrix (a view of the extras: `extras_view`).
    Reach,
}

impl Tab {
    /// The tab's name in share links, one of [`share::TABS`] (`None`: the Findings tab,
    /// which links leave out).
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Tab::Findings => return None,
            Tab::Hardened => "hardened",
            Tab::Diff => "diff",
            Tab::Access => "access",
            Tab::Reach => "reach",
            Tab::Rules => "rules",
            Tab::Config => "config",
        })
    }

    /// The tab of a share link's name (`None` or a name no tab has: the Findings tab).
    pub fn named(name: Option<&str>) -> Tab {
        [
            Tab::Hardened,
            Tab::Diff,
            Tab::Access,
            Tab::Reach,
            Tab::Rules,
            Tab::Config,
        ]
        .into_iter()
        .find(|t| t.name() == name)
        .unwrap_or(Tab::Findings)
    }
}

/// How a notice is shown: information (`role="status"`) or a warning (`role="alert"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
}

/// A button a notice offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeAction {
    /// Bring back the autosaved text an opened link replaced ([`State::displaced`]).
    RestoreAutosave,
}

/// A message under the editor, until dismissed or replaced (the app dismisses
/// information by itself after a few seconds; warnings stay until dismissed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub tone: Tone,
    pub text: String,
    pub action: Option<NoticeAction>,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Info,
            text: text.into(),
            action: None,
        }
    }

    pub fn warning(text: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Warning,
            text: text.into(),
            action: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The manifests, as the editor last reported them (or as last loaded into it).
    pub text: Rc<str>,
    /// Counts texts loaded from outside the editor (examples): when it changes, the
    /// editor shows [`State::text`]. Typing never changes it.
    pub loaded: u32,
    pub profile: Profile,
    /// `None`: the newest version ([`KubeVersion::LATEST`]), also in later releases.
    pub version: Option<KubeVersion>,
    pub unsafe_fixes: bool,
    /// Fixes the user left out of the hardened YAML (every other fixable finding is fixed).
    pub left_out: Vec<FixKey>,
    pub tab: Tab,
    /// Check a text above [`LARGE_INPUT`] anyway.
    pub check_large: bool,
    /// Checks run in the engine's worker (src/web/worker.rs): no text is too large to be
    /// checked on every change, since typing never waits for it.
    pub off_thread: bool,
    pub filters: Filters,
    pub notice: Option<Notice>,
    /// The gallery example last loaded (its index), while its text is the editor's.
    pub example: Option<usize>,
    /// The text as last loaded (example, link, autosave): [`State::edited`] compares.
    pub pristine: Rc<str>,
    /// The autosaved text that an opened share link replaced: kept (also in storage,
    /// by the app) until the user restores or dismisses it, so no work is lost.
    pub displaced: Option<Rc<str>>,
    /// The autosaved configuration that went with [`State::displaced`].
    pub displaced_config: Rc<str>,
    /// The Config tab's text: a `.kubeharden.yaml` (empty: no configuration).
    pub config: Rc<str>,
    /// Counts configurations loaded from outside the Config tab's editor (the autosave
    /// restored): when it changes, that editor shows [`State::config`].
    pub config_loaded: u32,
    /// The rule whose documentation the Rules tab shows open ([`Action::ShowRule`]).
    pub rule_doc: Option<String>,
}

/// What the findings list hides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub hidden_severities: Vec<Severity>,
    pub hidden_areas: Vec<Area>,
    /// Show only this rule's findings (`None`: every rule).
    pub rule: Option<String>,
    /// Show only findings whose rule, message or object contains this (ASCII letters in
    /// any case: no Unicode case tables in the download).
    pub query: String,
    pub hide_suppressed: bool,
}

impl Filters {
    /// Whether a finding of this severity and area is shown.
    pub fn shows(&self, severity: Severity, area: Area) -> bool {
        !self.hidden_severities.contains(&severity) && !self.hidden_areas.contains(&area)
    }

    /// Whether a finding passes the rule, text and suppression filters (`haystack`: its
    /// rule id, message and object, in any order).
    pub fn matches(&self, rule: &str, suppressed: bool, haystack: &str) -> bool {
        self.rule.as_deref().is_none_or(|r| r == rule)
            && !(self.hide_suppressed && suppressed)
            && (self.query.trim().is_empty()
                || haystack
                    .to_ascii_lowercase()
                    .contains(&self.query.trim().to_ascii_lowercase()))
    }

    /// Whether any filter is set.
    pub fn active(&self) -> bool {
        *self != Filters::default()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The editor's text changed (typing, paste, undo).
    SetText(String),
    /// Replace the text with gallery example `.0`'s text `.1` (the toolbar loads it);
    /// the fix choices of the old text are dropped.
    LoadExample(usize, String),
    /// Replace the text from outside the editor, keeping the fix choices: a fix or the
    /// hardened YAML applied to the editor (undoable there with Ctrl+Z).
    ApplyText(String),
    /// Bring back [`State::displaced`] (the share link's text is replaced).
    RestoreAutosave,
    /// The Config tab's text changed (typing, paste, undo).
    SetConfig(String),
    SetRuleFilter(Option<String>),
    SetQuery(String),
    SetHideSuppressed(bool),
    /// Show every finding again.
    ClearFilters,
    SetProfile(Profile),
    SetVersion(Option<KubeVersion>),
    SetUnsafe(bool),
    ToggleSeverity(Severity),
    ToggleArea(Area),
    /// Include (`true`) or leave out (`false`) one finding's fix in the hardened YAML.
    ChooseFix(FixKey, bool),
    SelectTab(Tab),
    /// Show rule `.0`'s documentation in the Rules tab (a "rule doc" link).
    ShowRule(String),
    /// Check a large text that is paused.
    CheckLargeAnyway,
    /// Whether checks run in the engine's worker ([`State::off_thread`]).
    CheckOffThread(bool),
    Notify(Notice),
    DismissNotice,
}

/// What a check depends on. Equal when every value is, the version's patch release too
/// (the known-CVE rules read it; `KubeVersion`'s own `==` compares the minor only).
#[derive(Clone, Debug)]
pub struct CheckInput {
    pub text: Rc<str>,
    pub options: Options,
    /// The Config tab's text ([`parse_config`]): applied when it is valid.
    pub config: Rc<str>,
}

impl PartialEq for CheckInput {
    fn eq(&self, o: &Self) -> bool {
        self.text == o.text
            && self.options == o.options
            && self.options.version.same_release(&o.options.version)
            && self.config == o.config
    }
}

impl PartialEq for HardenInput {
    fn eq(&self, o: &Self) -> bool {
        self.text == o.text
            && self.options == o.options
            && self.options.version.same_release(&o.options.version)
            && self.unsafe_fixes == o.unsafe_fixes
            && self.left_out == o.left_out
            && self.config == o.config
    }
}

/// What hardening depends on (equal as [`CheckInput`] is).
#[derive(Clone, Debug)]
pub struct HardenInput {
    pub text: Rc<str>,
    pub options: Options,
    pub unsafe_fixes: bool,
    pub left_out: Vec<FixKey>,
    /// As [`CheckInput::config`].
    pub config: Rc<str>,
}

/// What the Config tab's configuration sets of the toolbar's menus, with the line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfigSets {
    pub profile: Option<(Profile, usize)>,
    pub version: Option<(KubeVersion, usize)>,
}

/// What the Config tab offers to start from (`kubeharden config init` writes a longer one).
pub const CONFIG_STARTER: &str =
    "# .kubeharden.yaml: the same file `kubeharden check` reads (docs/config.md)
rules:
  cpu-limits: off
  run-as-non-root: {severity: high}
exemptions:
  - rule: host-namespaces
    objects: [{kind: DaemonSet, namespace: kube-system, name: \"cni-*\"}]
    reason: the CNI agent configures the node network
";

/// The name the Config tab's errors give its text (what the CLI looks for).
pub const CONFIG_FILE: &str = kubeharden::config::FILE_NAME;

/// Read the Config tab's text: `None` when it is blank (no configuration), else the
/// configuration or every error found, each with its line and column
/// ([`Config::parse`]).
pub fn parse_config(text: &str) -> Option<Result<Config, Vec<ConfigError>>> {
    (!text.trim().is_empty()).then(|| Config::parse(CONFIG_FILE, text))
}

/// The UTF-16 range a Config tab error underlines: from its 1-based `line` and `column`
/// (characters) to the end of the word there (a key, a value; up to `:`, `,`, a bracket
/// or a blank). An empty range when there is no word (the editor widens it to the
/// line). Past the end of the text: the end.
pub fn config_range(text: &str, line: usize, column: usize) -> (usize, usize) {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n');
    for _ in 1..line {
        match lines.next() {
            Some(l) => offset += l.encode_utf16().count(),
            None => return (offset, offset),
        }
    }
    let Some(this) = lines.next() else {
        return (offset, offset);
    };
    let mut chars = this.trim_end_matches(['\r', '\n']).chars();
    for c in chars.by_ref().take(column.saturating_sub(1)) {
        offset += c.len_utf16();
    }
    let word: usize = chars
        .take_while(|c| !c.is_whitespace() && !matches!(c, ':' | ',' | '[' | ']' | '{' | '}'))
        .map(char::len_utf16)
        .sum();
    (offset, offset + word)
}

impl State {
    fn from_shared(shared: Shared, notice: Option<Notice>) -> Self {
        State {
            config: shared.config,
            config_loaded: 0,
            displaced_config: Rc::from(""),
            pristine: shared.text.clone(),
            text: shared.text,
            loaded: 0,
            profile: shared.profile,
            version: shared.version,
            unsafe_fixes: shared.unsafe_fixes,
            left_out: shared.left_out.into_iter().map(FixKey).collect(),
            tab: Tab::named(shared.tab),
            check_large: false,
            off_thread: false,
            filters: Filters::default(),
            notice,
            example: None,
            displaced: None,
            rule_doc: None,
        }
    }

    /// The text differs from what was last loaded (typing, a fix applied).
    pub fn edited(&self) -> bool {
        self.text != self.pristine
    }

    /// [`State::start`] from the fragment (without `#`; empty when the URL has none) and
    /// the autosave as written (native, for tests: the page decodes them with the
    /// browser's decompression first).
    #[cfg(test)]
    pub fn initial(fragment: &str, saved: Option<&str>) -> Self {
        let link = (!fragment.is_empty()).then(|| share::decode(fragment));
        State::start(link, saved.map(share::decode))
    }

    /// The state a page starts from: the decoded `link` (`None` when the URL has none),
    /// else the decoded autosave `saved`, else the first example. A link that cannot be
    /// read, or a bad value in one, is reported in [`State::notice`]; an autosave that a
    /// link replaces is kept in [`State::displaced`] and offered back.
    pub fn start(
        link: Option<Result<share::Decoded, share::LinkError>>,
        saved: Option<Result<share::Decoded, share::LinkError>>,
    ) -> Self {
        let mut problem = None;
        if let Some(link) = link {
            match link {
                Ok(d) => {
                    let mut notice = not_understood("This link's", &d.problems);
                    // Work autosaved here is never lost to a link: it is kept aside, and
                    // the notice offers it back.
                    let displaced = saved
                        .and_then(Result::ok)
                        .map(|s| (s.shared.text, s.shared.config))
                        .filter(|(t, c)| {
                            (*t != d.shared.text || *c != d.shared.config)
                                && !(t.trim().is_empty() && c.trim().is_empty())
                        });
                    if displaced.is_some() {
                        let mut text = "This page shows the shared link's manifest and configuration. Your own autosaved text is kept: restore it to continue your work.".to_string();
                        if let Some(n) = notice {
                            text = format!("{} {text}", n.text);
                        }
                        notice = Some(Notice {
                            tone: Tone::Warning,
                            text,
                            action: Some(NoticeAction::RestoreAutosave),
                        });
                    }
                    let mut s = State::from_shared(d.shared, notice);
                    if let Some((text, config)) = displaced {
                        s.displaced = Some(text);
                        s.displaced_config = config;
                    }
                    return s;
                }
                Err(e) => problem = Some(format!("This link could not be opened: {e}.")),
            }
        }
        // The autosave was written by this playground, but storage can be damaged too.
        if let Some(saved) = saved {
            match saved {
                Ok(d) => {
                    let notice = match problem {
                        Some(p) => Some(Notice::warning(format!(
                            "{p} Showing your autosaved text instead."
                        ))),
                        None => not_understood("Your autosaved", &d.problems),
                    };
                    // The autosave opens on the Findings tab; only a link names a tab.
                    let shared = Shared {
                        tab: None,
                        ..d.shared
                    };
                    return State::from_shared(shared, notice);
                }
                Err(e) => {
                    problem.get_or_insert(format!("Your autosaved text could not be read: {e}."));
                }
            }
        }
        let example = Shared {
            text: FIRST_TEXT.into(),
            profile: Profile::All,
            version: None,
            unsafe_fixes: false,
            left_out: Vec::new(),
            config: Rc::from(""),
            tab: None,
        };
        let notice =
            problem.map(|p| Notice::warning(format!("{p} Showing the first example instead.")));
        let mut s = State::from_shared(example, notice);
        s.example = Some(0);
        s
    }

    /// The state after `action`.
    pub fn apply(mut self, action: Action) -> Self {
        match action {
            Action::SetText(text) => self.text = text.into(),
            Action::LoadExample(i, text) => {
                self.text = text.into();
                self.pristine = self.text.clone();
                self.example = Some(i);
                self.loaded = self.loaded.wrapping_add(1);
                self.left_out.clear();
                self.check_large = false;
            }
            Action::ApplyText(text) => {
                self.text = text.into();
                self.loaded = self.loaded.wrapping_add(1);
            }
            Action::RestoreAutosave => {
                if let Some(text) = self.displaced.take() {
                    self.text = text;
                    self.config = std::mem::replace(&mut self.displaced_config, Rc::from(""));
                    self.config_loaded = self.config_loaded.wrapping_add(1);
                    self.pristine = self.text.clone();
                    self.example = None;
                    self.left_out.clear();
                    self.loaded = self.loaded.wrapping_add(1);
                    self.notice = Some(Notice::info("Your autosaved text is back."));
                }
            }
            Action::SetConfig(text) => self.config = text.into(),
            Action::SetRuleFilter(r) => self.filters.rule = r,
            Action::SetQuery(q) => self.filters.query = q,
            Action::SetHideSuppressed(h) => self.filters.hide_suppressed = h,
            Action::ClearFilters => self.filters = Filters::default(),
            Action::SetProfile(p) => self.profile = p,
            Action::SetVersion(v) => self.version = v,
            Action::SetUnsafe(u) => self.unsafe_fixes = u,
            Action::ToggleSeverity(s) => toggle(&mut self.filters.hidden_severities, s),
            Action::ToggleArea(a) => toggle(&mut self.filters.hidden_areas, a),
            Action::ChooseFix(key, include) => {
                self.left_out.retain(|k| *k != key);
                if !include {
                    self.left_out.push(key);
                }
            }
            Action::SelectTab(t) => self.tab = t,
            Action::ShowRule(id) => {
                self.tab = Tab::Rules;
                self.rule_doc = Some(id);
            }
            Action::CheckLargeAnyway => self.check_large = true,
            Action::CheckOffThread(on) => self.off_thread = on,
            Action::Notify(n) => self.notice = Some(n),
            Action::DismissNotice => {
                // Dismissing the offer to restore the autosave gives it up.
                if self
                    .notice
                    .as_ref()
                    .is_some_and(|n| n.action == Some(NoticeAction::RestoreAutosave))
                {
                    self.displaced = None;
                }
                self.notice = None;
            }
        }
        self
    }

    /// The options of a check: the menus' profile and version, replaced by the Config
    /// tab's `profile` and `kube-version` when its configuration is valid and sets them
    /// (the menus then show them, disabled: [`State::config_sets`]).
    pub fn options(&self) -> Options {
        let menus = Options {
            profile: self.profile,
            version: self.version.unwrap_or(KubeVersion::LATEST),
            ..Options::default()
        };
        match parse_config(&self.config) {
            Some(Ok(config)) => config.options(menus),
            _ => menus,
        }
    }

    /// The profile and the Kubernetes version a valid configuration sets, with the line
    /// of each (`None`: it does not, or it is not valid).
    pub fn config_sets(&self) -> ConfigSets {
        match parse_config(&self.config) {
            Some(Ok(c)) => ConfigSets {
                profile: c.profile.map(|s| (s.value, s.at.line)),
                version: c.kube_version.map(|s| (s.value, s.at.line)),
            },
            _ => ConfigSets::default(),
        }
    }

    /// Checking is paused: the text is large, checks run on the page's thread (no worker)
    /// and the user has not asked for it.
    pub fn paused(&self) -> bool {
        !self.off_thread && self.text.len() > LARGE_INPUT && !self.check_large
    }

    /// What to check, or `None` while [`State::paused`].
    pub fn check_input(&self) -> Option<CheckInput> {
        (!self.paused()).then(|| CheckInput {
            text: self.text.clone(),
            options: self.options(),
            config: self.config.clone(),
        })
    }

    /// What to harden, or `None` while paused or while no tab shows the result.
    pub fn harden_input(&self) -> Option<HardenInput> {
        (!self.paused() && matches!(self.tab, Tab::Hardened | Tab::Diff)).then(|| HardenInput {
            text: self.text.clone(),
            options: self.options(),
            unsafe_fixes: self.unsafe_fixes,
            left_out: self.left_out.clone(),
            config: self.config.clone(),
        })
    }

    /// What the autosave and the link keep.
    pub fn shared(&self) -> Shared {
        Shared {
            text: self.text.clone(),
            profile: self.profile,
            version: self.version,
            unsafe_fixes: self.unsafe_fixes,
            left_out: self.left_out.iter().map(|k| k.0.clone()).collect(),
            config: self.config.clone(),
            tab: self.tab.name(),
        }
    }
}

/// The notice for values of a readable link (or autosave) that were replaced by defaults.
fn not_understood(whose: &str, problems: &[String]) -> Option<Notice> {
    (!problems.is_empty()).then(|| {
        Notice::warning(format!(
            "{whose} settings were not all understood: {}.",
            problems.join("; ")
        ))
    })
}

fn toggle<T: PartialEq>(list: &mut Vec<T>, value: T) {
    match list.iter().position(|v| *v == value) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(value),
    }
}

/// The version menu's choices, newest first: `None` ("latest"), then 1.LATEST down to 1.0.
pub fn version_choices() -> impl Iterator<Item = Option<KubeVersion>> {
    std::iter::once(None).chain(
        (0..=KubeVersion::LATEST.minor)
            .rev()
            .map(|m| Some(KubeVersion::new(m))),
    )
}

/// A version menu value: `""` for latest, else `1.NN` (`1.NN.P` for a patch release).
pub fn version_value(v: Option<KubeVersion>) -> String {
    v.map(share::version_value).unwrap_or_default()
}

/// Read a version menu value ([`version_value`]). Errors: the version parser's message.
pub fn parse_version_value(value: &str) -> Result<Option<KubeVersion>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(text: &str, profile: Profile) -> String {
        share::encode(&Shared {
            text: text.into(),
            profile,
            version: Some(KubeVersion::new(25)),
            unsafe_fixes: true,
            left_out: vec!["privileged-container:<stdin>:1:/spec".into()],
            config: Rc::from(""),
            tab: None,
        })
    }

    fn key(rule: &str) -> FixKey {
        FixKey(format!("{rule}:<stdin>:1:/spec"))
    }

    #[test]
    fn a_new_visitor_sees_the_first_example_and_no_notice() {
        let s = State::initial("", None);
        assert_eq!(&*s.text, FIRST_TEXT);
        assert_eq!(
            (s.profile, s.version, s.unsafe_fixes),
            (Profile::All, None, false)
        );
        assert_eq!(s.notice, None);
        assert_eq!(s.tab, Tab::Findings);
    }

    #[test]
    fn the_selected_tab_is_in_the_link_and_restored_from_it_but_not_from_the_autosave() {
        for name in share::TABS {
            let tab = Tab::named(Some(name));
            assert_ne!(tab, Tab::Findings, "{name}");
            assert_eq!(tab.name(), Some(name));
        }
        let s = State::initial("", None).apply(Action::SelectTab(Tab::Access));
        assert_eq!(s.shared().tab, Some("access"));
        let fragment = share::encode(&s.shared());
        let opened = State::initial(&fragment, None);
        assert_eq!(opened.tab, Tab::Access);
        assert_eq!(opened.notice, None);
        for tab in [
            Tab::Reach,
            Tab::Diff,
            Tab::Hardened,
            Tab::Rules,
            Tab::Config,
        ] {
            let s = State::initial("", None).apply(Action::SelectTab(tab));
            assert_eq!(State::initial(&share::encode(&s.shared()), None).tab, tab);
        }
        // The Findings tab is the default: not written, and an older link opens on it.
        let findings = State::initial("", None).apply(Action::SelectTab(Tab::Findings));
        assert_eq!(findings.shared().tab, None);
        assert_eq!(
            State::initial(&link("a: 1\n", Profile::All), None).tab,
            Tab::Findings
        );
        // A reload without a link restores the autosave on the Findings tab.
        assert_eq!(State::initial("", Some(&fragment)).tab, Tab::Findings);
    }

    #[test]
    fn a_link_wins_over_the_autosave() {
        let saved = link("saved: 1\n", Profile::Baseline);
        let s = State::initial(&link("linked: 1\n", Profile::Restricted), Some(&saved));
        assert_eq!(&*s.text, "linked: 1\n");
        assert_eq!(s.profile, Profile::Restricted);
        assert_eq!(s.version, Some(KubeVersion::new(25)));
        assert!(s.unsafe_fixes);
        assert_eq!(
            s.left_out,
            vec![FixKey("privileged-container:<stdin>:1:/spec".into())],
            "the link's fix choices are restored"
        );
        // The autosave is not lost: it is kept aside and offered back.
        assert_eq!(s.displaced.as_deref(), Some("saved: 1\n"));
        let notice = s.notice.clone().expect("a notice offering the autosave");
        assert_eq!(notice.action, Some(NoticeAction::RestoreAutosave));
        assert!(
            notice.text.contains("autosaved text is kept"),
            "{}",
            notice.text
        );
        let restored = s.clone().apply(Action::RestoreAutosave);
        assert_eq!(&*restored.text, "saved: 1\n");
        assert_eq!(restored.loaded, s.loaded + 1, "the editor shows it");
        assert!(restored.displaced.is_none() && !restored.edited());
        // Dismissing the offer gives the autosave up.
        let dismissed = s.apply(Action::DismissNotice);
        assert!(dismissed.displaced.is_none() && dismissed.notice.is_none());
        assert_eq!(&*dismissed.text, "linked: 1\n");

        let s = State::initial("", Some(&saved));
        assert_eq!(&*s.text, "saved: 1\n");
        assert_eq!(s.notice, None);
        // A link holding the autosaved text itself displaces nothing.
        let s = State::initial(&link("saved: 1\n", Profile::Restricted), Some(&saved));
        assert!(s.displaced.is_none() && s.notice.is_none());
    }

    #[test]
    fn edits_and_applied_fixes_mark_the_text_edited() {
        let s = State::initial("", None);
        assert_eq!(s.example, Some(0));
        assert!(!s.edited());
        let s = s.apply(Action::SetText("x: 1\n".into()));
        assert!(s.edited());
        let s = s.apply(Action::LoadExample(2, "y: 1\n".into()));
        assert!(!s.edited() && s.example == Some(2));
        let loaded = s.loaded;
        let s = s
            .apply(Action::ChooseFix(key("a"), false))
            .apply(Action::ApplyText("y: 2\n".into()));
        assert!(s.edited() && s.loaded == loaded + 1);
        assert_eq!(s.left_out, vec![key("a")], "fix choices are kept");
    }

    #[test]
    fn rule_text_and_suppression_filters() {
        let s = State::initial("", None);
        assert!(!s.filters.active());
        assert!(s.filters.matches("a-rule", true, "a-rule message"));
        let s = s
            .apply(Action::SetRuleFilter(Some("a-rule".into())))
            .apply(Action::SetQuery("  MESSAGE ".into()))
            .apply(Action::SetHideSuppressed(true));
        assert!(s.filters.active());
        assert!(s.filters.matches("a-rule", false, "a-rule the message"));
        assert!(!s.filters.matches("b-rule", false, "b-rule the message"));
        assert!(!s.filters.matches("a-rule", false, "a-rule other"));
        assert!(!s.filters.matches("a-rule", true, "a-rule the message"));
        let s = s.apply(Action::ClearFilters);
        assert!(!s.filters.active());
    }

    #[test]
    fn a_broken_link_is_reported_and_says_what_is_shown_instead() {
        let saved = link("saved: 1\n", Profile::Baseline);
        let truncated = &link("linked: 1\n", Profile::Restricted)[..12];
        let s = State::initial(truncated, Some(&saved));
        assert_eq!(&*s.text, "saved: 1\n");
        let notice = s.notice.expect("a notice");
        assert_eq!(notice.tone, Tone::Warning);
        assert!(
            notice
                .text
                .starts_with("This link could not be opened: it is damaged"),
            "{}",
            notice.text
        );
        assert!(
            notice
                .text
                .ends_with("Showing your autosaved text instead."),
            "{}",
            notice.text
        );

        let s = State::initial("v9.abc", None);
        assert_eq!(&*s.text, FIRST_TEXT);
        let text = s.notice.expect("a notice").text;
        assert!(
            text.contains("newer playground")
                && text.ends_with("Showing the first example instead."),
            "{text}"
        );
    }

    #[test]
    fn a_bad_value_in_a_link_keeps_the_text_and_is_reported() {
        // The text and version are good; the profile was edited by hand.
        let fragment = share::link_of_json(r#"{"t":"kind: Pod\n","p":"paranoid","k":"1.25"}"#);
        let s = State::initial(&fragment, None);
        assert_eq!(&*s.text, "kind: Pod\n");
        assert_eq!(s.profile, Profile::All);
        assert_eq!(
            s.version,
            Some(KubeVersion::new(25)),
            "the good values are kept"
        );
        let notice = s.notice.expect("a notice");
        assert_eq!(notice.tone, Tone::Warning);
        assert!(notice.text.contains("\"paranoid\""), "{}", notice.text);
    }

    #[test]
    fn a_broken_autosave_is_reported_too() {
        let s = State::initial("", Some("v1.AAAA"));
        assert_eq!(&*s.text, FIRST_TEXT);
        let text = s.notice.expect("a notice").text;
        assert!(
            text.starts_with("Your autosaved text could not be read"),
            "{text}"
        );
        assert!(
            text.ends_with("Showing the first example instead."),
            "{text}"
        );
        let odd = share::link_of_json(r#"{"t":"a: 1\n","u":1}"#);
        let s = State::initial("", Some(&odd));
        assert_eq!(&*s.text, "a: 1\n");
        let text = s.notice.expect("a notice").text;
        assert!(
            text.starts_with(
                "Your autosaved settings were not all understood: the unsafe-fixes flag"
            ),
            "{text}"
        );
    }

    #[test]
    fn loading_an_example_replaces_the_text_and_drops_fix_choices() {
        let s = State::initial("", None)
            .apply(Action::ChooseFix(key("a"), false))
            .apply(Action::CheckLargeAnyway)
            .apply(Action::SetProfile(Profile::Baseline));
        let loaded = s.loaded;
        let s = s.apply(Action::LoadExample(3, "kind: Pod\n".into()));
        assert_eq!(&*s.text, "kind: Pod\n");
        assert_eq!(s.loaded, loaded + 1, "the editor is told to show it");
        assert!(s.left_out.is_empty());
        assert!(!s.check_large);
        assert_eq!(s.profile, Profile::Baseline, "settings are kept");
        let again = s
            .clone()
            .apply(Action::LoadExample(3, "kind: Pod\n".into()));
        assert_eq!(
            again.loaded,
            s.loaded + 1,
            "the same example again reloads the editor"
        );
    }

    #[test]
    fn typing_keeps_fix_choices_and_does_not_reload_the_editor() {
        let s = State::initial("", None).apply(Action::ChooseFix(key("a"), false));
        let s = s.apply(Action::SetText("x: 1\n".into()));
        assert_eq!(&*s.text, "x: 1\n");
        assert_eq!(s.loaded, 0);
        assert!(s.left_out.contains(&key("a")));
    }

    #[test]
    fn fix_choices_are_idempotent() {
        let s = State::initial("", None);
        assert!(!s.left_out.contains(&key("a")));
        let s = s
            .apply(Action::ChooseFix(key("a"), false))
            .apply(Action::ChooseFix(key("a"), false))
            .apply(Action::ChooseFix(key("b"), false));
        assert_eq!(s.left_out, vec![key("a"), key("b")]);
        let s = s
            .apply(Action::ChooseFix(key("a"), true))
            .apply(Action::ChooseFix(key("a"), true));
        assert_eq!(s.left_out, vec![key("b")]);
        assert!(!s.left_out.contains(&key("a")) && s.left_out.contains(&key("b")));
        let input = s
            .clone()
            .apply(Action::SelectTab(Tab::Diff))
            .harden_input()
            .unwrap();
        assert_eq!(input.left_out, vec![key("b")]);
    }

    #[test]
    fn filters_toggle_by_severity_and_area() {
        let s = State::initial("", None);
        assert!(s.filters.shows(Severity::High, Area::Controls));
        let s = s
            .apply(Action::ToggleSeverity(Severity::High))
            .apply(Action::ToggleArea(Area::Updates));
        assert!(!s.filters.shows(Severity::High, Area::Controls));
        assert!(!s.filters.shows(Severity::Low, Area::Updates));
        assert!(s.filters.shows(Severity::Low, Area::Controls));
        let s = s
            .apply(Action::ToggleSeverity(Severity::High))
            .apply(Action::ToggleArea(Area::Updates));
        assert!(s.filters.shows(Severity::High, Area::Updates));
    }

    #[test]
    fn typed_settings_reach_the_engine_options() {
        let s = State::initial("", None);
        assert_eq!(s.options().profile, Profile::All);
        assert_eq!(s.options().version, KubeVersion::LATEST);
        let s = s
            .apply(Action::SetProfile(Profile::Restricted))
            .apply(Action::SetVersion(Some(KubeVersion::new(24))))
            .apply(Action::SetUnsafe(true));
        let input = s.check_input().unwrap();
        assert_eq!(input.options.profile, Profile::Restricted);
        assert_eq!(input.options.version, KubeVersion::new(24));
        let shared = s.shared();
        assert_eq!(
            (shared.profile, shared.version, shared.unsafe_fixes),
            (Profile::Restricted, Some(KubeVersion::new(24)), true)
        );
    }

    #[test]
    fn large_texts_wait_for_a_click_and_hardening_waits_for_its_tab() {
        let s = State::initial("", None);
        assert!(s.check_input().is_some());
        assert!(
            s.harden_input().is_none(),
            "the findings tab needs no hardening"
        );
        assert!(s
            .clone()
            .apply(Action::SelectTab(Tab::Rules))
            .harden_input()
            .is_none());
        assert!(s
            .clone()
            .apply(Action::SelectTab(Tab::Hardened))
            .harden_input()
            .is_some());
        let big = "a: 1\n".repeat(LARGE_INPUT / 5 + 1);
        let s = s
            .apply(Action::SetText(big))
            .apply(Action::SelectTab(Tab::Diff));
        assert!(s.paused());
        assert!(s.check_input().is_none() && s.harden_input().is_none());
        // With the checks in the engine's worker, nothing is paused.
        let worker = s.clone().apply(Action::CheckOffThread(true));
        assert!(!worker.paused());
        assert!(worker.check_input().is_some() && worker.harden_input().is_some());
        let s = s.apply(Action::CheckLargeAnyway);
        assert!(s.check_input().is_some() && s.harden_input().is_some());
    }

    #[test]
    fn notices_are_set_and_dismissed() {
        let s = State::initial("", None).apply(Action::Notify(Notice::info("copied")));
        assert_eq!(
            s.notice,
            Some(Notice {
                tone: Tone::Info,
                text: "copied".into(),
                action: None,
            })
        );
        assert_eq!(s.apply(Action::DismissNotice).notice, None);
    }

    fn shared_with_config(text: &str, config: &str) -> String {
        share::encode(&Shared {
            text: text.into(),
            profile: Profile::All,
            version: None,
            unsafe_fixes: false,
            left_out: Vec::new(),
            config: config.into(),
            tab: None,
        })
    }

    #[test]
    fn the_config_is_kept_by_links_and_the_autosave() {
        let s =
            State::initial("", None).apply(Action::SetConfig("rules:\n  cpu-limits: off\n".into()));
        assert_eq!(
            &*s.check_input().unwrap().config,
            "rules:\n  cpu-limits: off\n"
        );
        let link = share::encode(&s.shared());
        let reopened = State::initial(&link, None);
        assert_eq!(&*reopened.config, "rules:\n  cpu-limits: off\n");
        let reloaded = State::initial("", Some(&link));
        assert_eq!(&*reloaded.config, "rules:\n  cpu-limits: off\n");
        // A link with another configuration keeps the autosaved one aside, with its text.
        let saved = shared_with_config("a: 1\n", "profile: baseline\n");
        let s = State::initial(
            &shared_with_config("a: 1\n", "profile: restricted\n"),
            Some(&saved),
        );
        assert_eq!(s.displaced.as_deref(), Some("a: 1\n"));
        assert_eq!(&*s.config, "profile: restricted\n");
        let restored = s.apply(Action::RestoreAutosave);
        assert_eq!(&*restored.config, "profile: baseline\n");
        assert_eq!(
            restored.config_loaded, 1,
            "the Config tab's editor shows it"
        );
    }

    #[test]
    fn a_valid_config_sets_profile_and_version_an_invalid_one_nothing() {
        let s = State::initial("", None).apply(Action::SetProfile(Profile::Baseline));
        let s = s.apply(Action::SetConfig(
            "# team settings\nprofile: restricted\nkube-version: \"1.25\"\n".into(),
        ));
        assert_eq!(s.options().profile, Profile::Restricted);
        assert_eq!(s.options().version, KubeVersion::new(25));
        assert_eq!(
            s.config_sets(),
            ConfigSets {
                profile: Some((Profile::Restricted, 2)),
                version: Some((KubeVersion::new(25), 3))
            }
        );
        let s = s.apply(Action::SetConfig(
            "profile: restricted\nkube-versio: \"1.25\"\n".into(),
        ));
        assert_eq!(s.options().profile, Profile::Baseline, "not applied");
        assert_eq!(s.config_sets(), ConfigSets::default());
        let errors = parse_config(&s.config).unwrap().unwrap_err();
        assert_eq!(
            (errors[0].at.line, errors[0].at.column),
            (2, 1),
            "{}",
            errors[0]
        );
        assert!(parse_config(" \n").is_none());
        let starter = parse_config(CONFIG_STARTER)
            .unwrap()
            .expect("the starter is valid");
        assert_eq!((starter.rules.len(), starter.exemptions.len()), (2, 1));
    }

    #[test]
    fn config_errors_underline_the_word_at_their_place() {
        let text = "rules:\n  cpu-limit: off\n# é🦀\n  x: {severity: hgh}\n";
        assert_eq!(config_range(text, 2, 3), (9, 18));
        assert_eq!(&text[9..18], "cpu-limit");
        // Offsets count UTF-16 units: line 4 starts after the é (1 unit) and the crab (2).
        let line4 = "rules:\n  cpu-limit: off\n".len() + "# é🦀\n".encode_utf16().count();
        assert_eq!(config_range(text, 4, 17), (line4 + 16, line4 + 19));
        assert_eq!(
            config_range(text, 1, 7),
            (6, 6),
            "no word: the editor widens it"
        );
        let end = text.encode_utf16().count();
        assert_eq!(config_range(text, 9, 1), (end, end));
    }

    #[test]
    fn megabytes_have_one_decimal() {
        assert_eq!(megabytes(0), "0.0");
        assert_eq!(megabytes(LARGE_INPUT), "2.1");
        assert_eq!(megabytes(2_960_000), "3.0");
    }

    #[test]
    fn a_rule_doc_link_opens_the_rules_tab_at_its_rule() {
        let s = State::initial("", None).apply(Action::ShowRule("cpu-limits".into()));
        assert_eq!(s.tab, Tab::Rules);
        assert_eq!(s.rule_doc.as_deref(), Some("cpu-limits"));
    }

    #[test]
    fn a_patch_release_is_kept_in_the_state_and_its_link() {
        let s = State::initial("", None)
            .apply(Action::SetVersion(parse_version_value("1.29.3").unwrap()));
        assert_eq!(s.options().version.patch, Some(3));
        assert_eq!(version_value(s.version), "1.29.3");
        let back = State::initial(&share::encode(&s.shared()), None);
        assert_eq!(back.version.unwrap().patch, Some(3));
        let minor = s
            .clone()
            .apply(Action::SetVersion(Some(KubeVersion::new(29))));
        assert_ne!(minor.check_input(), s.check_input());
        assert_ne!(minor.shared(), s.shared());
    }

    #[test]
    fn version_menu_values_round_trip() {
        let choices: Vec<_> = version_choices().collect();
        assert_eq!(choices[0], None);
        assert_eq!(choices[1], Some(KubeVersion::LATEST));
        assert_eq!(choices.last(), Some(&Some(KubeVersion::new(0))));
        for c in choices {
            assert_eq!(parse_version_value(&version_value(c)), Ok(c));
        }
        assert_eq!(version_value(Some(KubeVersion::new(25))), "1.25");
        assert!(parse_version_value("1.x").is_err());
    }
}
