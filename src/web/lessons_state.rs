//! The lessons page's pure state: its route (the URL fragment) and the learner's
//! progress, which lives in localStorage and is exported and imported as a JSON file.
//! No web-sys and no engine call here, so `tests/lessons_page.rs` tests it natively.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the progress lives in localStorage.
pub const STORAGE_KEY: &str = "kubeharden.lessons";

/// The version of the progress format ([`Progress::format`]); a file of another
/// version is refused by [`Progress::import`].
pub const FORMAT: u32 = 1;

/// What the lessons page shows, read from the URL fragment: `#/` (or nothing) is the
/// list, `#/<id>` a lesson (an id the lessons do not have shows the list with a note).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    List,
    Lesson(String),
}

impl Route {
    /// The route of a fragment as `location.hash` gives it (`#/seccomp`, `#/`, ``).
    /// `#/lessons/<id>` (the playground's form, which redirects here) is read too.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.strip_prefix("lessons").unwrap_or(path);
        let id = path.trim_matches('/');
        if id.is_empty() {
            Route::List
        } else {
            Route::Lesson(id.to_string())
        }
    }

    /// The fragment of this route, `#/` or `#/<id>`.
    pub fn hash(&self) -> String {
        match self {
            Route::List => "#/".to_string(),
            Route::Lesson(id) => format!("#/{id}"),
        }
    }
}

/// One lesson's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    /// The learner's text of each starting file, by file name; a file not here is the
    /// lesson's starting text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// How many hints are revealed (the first `hints` of the lesson).
    #[serde(default)]
    pub hints: usize,
    /// Whether the success check passed once (a later edit or reset does not undo it).
    /// Trusted only when the check passes again on [`solved_files`](Self::solved_files):
    /// [`Progress::verified`] re-checks every stored or imported mark.
    #[serde(default)]
    pub solved: bool,
    /// The learner's text of each starting file when the check passed (as [`files`](Self::files)
    /// then: a file not here was its starting text), kept through a reset: what proves `solved`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub solved_files: BTreeMap<String, String>,
    /// Whether the learner looked at the reference solution.
    #[serde(default)]
    pub solution_shown: bool,
}

impl LessonProgress {
    /// Whether anything was done in the lesson.
    pub fn started(&self) -> bool {
        !self.files.is_empty() || self.hints > 0 || self.solved || self.solution_shown
    }
}

/// Every lesson's progress, by lesson id: what localStorage and an exported file hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// Always [`FORMAT`]; tells a progress file from any other JSON.
    #[serde(rename = "kubeharden-lessons")]
    pub format: u32,
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            format: FORMAT,
            lessons: BTreeMap::new(),
        }
    }
}

impl Progress {
    /// The progress stored in localStorage; nothing stored, or something unreadable
    /// (another version, a damaged value), is a fresh start.
    pub fn load(stored: Option<&str>) -> Progress {
        stored
            .and_then(|s| Progress::import(s).ok())
            .unwrap_or_default()
    }

    /// The JSON stored and exported.
    pub fn export(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Read an exported progress file. Errors (one line, for the page to show): not
    /// JSON (with line and column), not a progress file, or another format version.
    pub fn import(text: &str) -> Result<Progress, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a progress file: {e}"))?;
        match value.get("kubeharden-lessons").and_then(|v| v.as_u64()) {
            None => return Err("not a kubeharden lessons progress file".into()),
            Some(v) if v != u64::from(FORMAT) => {
                return Err(format!(
                    "a progress file of version {v}; this page reads version {FORMAT}"
                ))
            }
            Some(_) => {}
        }
        serde_json::from_value(value).map_err(|e| format!("a damaged progress file: {e}"))
    }

    /// One lesson's progress (empty when not started).
    pub fn lesson(&self, id: &str) -> LessonProgress {
        self.lessons.get(id).cloned().unwrap_or_default()
    }

    /// `self` with lesson `id`'s progress replaced (an empty one is removed).
    pub fn with(mut self, id: &str, p: LessonProgress) -> Progress {
        if p.started() {
            self.lessons.insert(id.to_string(), p);
        } else {
            self.lessons.remove(id);
        }
        self
    }

    /// `self` with every `solved` mark checked again: a mark stays only when `passes(id,
    /// files)` says the lesson's success check passes on the text that solved it
    /// ([`LessonProgress::solved_files`]; `None`: no such lesson on this page). A stored or
    /// imported file is somebody's JSON, not proof. Also returns how many marks were dropped.
    pub fn verified(
        mut self,
        passes: impl Fn(&str, &BTreeMap<String, String>) -> Option<bool>,
    ) -> (Progress, usize) {
        let mut dropped = 0;
        for (id, p) in &mut self.lessons {
            if p.solved && passes(id, &p.solved_files) != Some(true) {
                p.solved = false;
                p.solved_files.clear();
                dropped += 1;
            }
        }
        (self, dropped)
    }

    /// How many of `ids` are solved.
    pub fn solved<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> usize {
        ids.into_iter()
            .filter(|id| self.lessons.get(*id).is_some_and(|p| p.solved))
            .count()
    }
}

/// A change to the progress (the page wraps [`Progress::apply`] in a reducer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The learner's text of a lesson's file; `pristine`: it is the starting text again.
    Text {
        lesson: String,
        file: String,
        text: String,
        pristine: bool,
    },
    /// Reveal the next hint of a lesson that has `of` hints.
    Hint { lesson: String, of: usize },
    /// The success check passed.
    Solved(String),
    /// The learner opened the reference solution.
    SolutionShown(String),
    /// Back to the starting files, hints hidden (solved stays solved).
    Reset(String),
    /// An imported progress file replaces everything.
    Replace(Progress),
    /// Forget every lesson's progress.
    ResetAll,
}

impl Progress {
    pub fn apply(self, action: Action) -> Progress {
        match action {
            Action::Text {
                lesson,
                file,
                text,
                pristine,
            } => {
                let mut p = self.lesson(&lesson);
                if pristine {
                    p.files.remove(&file);
                } else {
                    p.files.insert(file, text);
                }
                self.with(&lesson, p)
            }
            Action::Hint { lesson, of } => {
                let mut p = self.lesson(&lesson);
                p.hints = (p.hints + 1).min(of);
                self.with(&lesson, p)
            }
            Action::Solved(lesson) => {
                let mut p = self.lesson(&lesson);
                p.solved = true;
                p.solved_files = p.files.clone();
                self.with(&lesson, p)
            }
            Action::SolutionShown(lesson) => {
                let mut p = self.lesson(&lesson);
                p.solution_shown = true;
                self.with(&lesson, p)
            }
            Action::Reset(lesson) => {
                let was = self.lesson(&lesson);
                let p = LessonProgress {
                    solved: was.solved,
                    solved_files: was.solved_files,
                    ..LessonProgress::default()
                };
                self.with(&lesson, p)
            }
            Action::Replace(p) => p,
            Action::ResetAll => Progress::default(),
        }
    }
}

/// The UTF-16 range (as CodeMirror counts) of 1-based line `line` of `text`, without its
/// line break; `None` when the text has fewer lines.
pub fn line_range(text: &str, line: usize) -> Option<(usize, usize)> {
    let mut from = 0;
    for (i, l) in text.split('\n').enumerate() {
        let len = l.encode_utf16().count();
        if i + 1 == line {
            return Some((from, from + len));
        }
        from += len + 1;
    }
    None
}
