//! Workshop lessons: a goal, starting manifests, staged hints, a declarative success
//! check, an explanation and a reference solution, as data in `lessons/<id>.yaml`
//! (embedded at build time, [`Lessons::builtin`]).
//!
//! The success check ([`Checker::evaluate`]) compares the *state* of the learner's
//! manifests with the goal, as Learn Git Branching and Killercoda's `verify` do: the
//! named rules report nothing on the named objects at the lesson's profile and version,
//! and the learner did not win by deleting — the objects still exist with their
//! containers, images and ports, the RBAC grants and network paths the workload needs
//! are kept, and no new finding reaches a severity. The format and the guards follow
//! `shared/reference/widget-and-lessons.md` §B; `docs/lessons.md` documents the fields.
//!
//! Like the rest of the library, this touches no filesystem, clock or thread: the CLI
//! and the playground hand it the text.

mod api;
mod check;
mod format;

pub use check::{Checker, Condition, Evaluation};
pub use format::{
    Allow, CanCheck, ContainerSettingCheck, EgressCheck, FieldCheck, Hint, HintLine, HostPathAllow,
    HostPathCheck, KeepCheck, Lesson, LessonFile, MountCheck, NoTokenCheck, ObjectSel, Pillar,
    PortSel, QuietCheck, ReachCheck, ReachEnd, Reference, SubjectSel, SuccessCheck,
    EVERY_NAMESPACE, EVERY_PUBLIC_ADDRESS,
};

use std::sync::OnceLock;

/// Every `lessons/*.yaml` file, as (file name, text), in the order of the list. A test
/// (`tests/lessons.rs`) fails when a file of the folder is missing here.
pub static LESSON_FILES: &[(&str, &str)] = &[
    (
        "privileged-daemonset.yaml",
        include_str!("../../lessons/privileged-daemonset.yaml"),
    ),
    (
        "non-root-writable-tmp.yaml",
        include_str!("../../lessons/non-root-writable-tmp.yaml"),
    ),
    (
        "drop-capabilities.yaml",
        include_str!("../../lessons/drop-capabilities.yaml"),
    ),
    ("seccomp.yaml", include_str!("../../lessons/seccomp.yaml")),
    (
        "pod-container-precedence.yaml",
        include_str!("../../lessons/pod-container-precedence.yaml"),
    ),
    (
        "rbac-secrets-read.yaml",
        include_str!("../../lessons/rbac-secrets-read.yaml"),
    ),
    (
        "cluster-admin-service-account.yaml",
        include_str!("../../lessons/cluster-admin-service-account.yaml"),
    ),
    (
        "exec-and-escalate.yaml",
        include_str!("../../lessons/exec-and-escalate.yaml"),
    ),
    (
        "default-deny.yaml",
        include_str!("../../lessons/default-deny.yaml"),
    ),
    (
        "metadata-egress.yaml",
        include_str!("../../lessons/metadata-egress.yaml"),
    ),
    (
        "token-automount.yaml",
        include_str!("../../lessons/token-automount.yaml"),
    ),
    (
        "host-network.yaml",
        include_str!("../../lessons/host-network.yaml"),
    ),
    (
        "removed-ingress-api.yaml",
        include_str!("../../lessons/removed-ingress-api.yaml"),
    ),
    (
        "pin-images.yaml",
        include_str!("../../lessons/pin-images.yaml"),
    ),
    (
        "psp-to-pod-security.yaml",
        include_str!("../../lessons/psp-to-pod-security.yaml"),
    ),
];

/// A set of lessons, validated when loaded.
#[derive(Clone, Debug)]
pub struct Lessons {
    /// In the order of the files, which is the suggested order of a workshop.
    pub lessons: Vec<Lesson>,
}

impl Lessons {
    /// The lessons compiled into this build ([`LESSON_FILES`]).
    ///
    /// Panics when a built-in lesson is invalid; `tests/lessons.rs` loads every one, so
    /// such a build never passes its tests.
    pub fn builtin() -> &'static Lessons {
        static BUILTIN: OnceLock<Lessons> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let files: Vec<(String, &str)> = LESSON_FILES
                .iter()
                .map(|(name, text)| (format!("lessons/{name}"), *text))
                .collect();
            let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
            Lessons::load(&files).unwrap_or_else(|errors| {
                panic!("the built-in lessons are invalid:\n{}", errors.join("\n"))
            })
        })
    }

    /// Read lesson files given as (path, text): the path as errors show it, whose file name
    /// must be `<id>.yaml` (the built-in lessons are `lessons/<file>`).
    ///
    /// Errors: every problem of every file, each a complete line
    /// `<path>:<line>:<column>: <field path>: <message>` — YAML errors, unknown
    /// or missing fields, an id that differs from the file name or is used twice, rule
    /// ids the catalogue does not have, hints pointing at lines or files that do not
    /// exist, `requires` naming no lesson, malformed references.
    pub fn load(files: &[(&str, &str)]) -> Result<Lessons, Vec<String>> {
        let mut lessons: Vec<Lesson> = Vec::new();
        let mut errors = Vec::new();
        let mut paths: Vec<&str> = Vec::new();
        for (path, text) in files {
            match format::parse(path, text) {
                Ok(lesson) => {
                    if lessons.iter().any(|l| l.id == lesson.id) {
                        errors.push(format!(
                            "{path}: lesson id {:?} is defined twice",
                            lesson.id
                        ));
                    }
                    lessons.push(lesson);
                    paths.push(path);
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        // A lesson whose file failed to load still counts as known here: its own error
        // says what is wrong, and the lessons that require it need no second one.
        let named = |id: &str| {
            files.iter().any(|(p, _)| {
                p.rsplit(['/', '\\'])
                    .next()
                    .and_then(|n| n.strip_suffix(".yaml"))
                    == Some(id)
            })
        };
        for (lesson, path) in lessons.iter().zip(&paths) {
            for r in &lesson.requires {
                if !lessons.iter().any(|l| &l.id == r) && !named(r) {
                    errors.push(format!("{path}: requires: no lesson {r:?}"));
                }
            }
        }
        if errors.is_empty() {
            Ok(Lessons { lessons })
        } else {
            Err(errors)
        }
    }

    /// The lessons of `kubeharden lesson list --json` (`{"lessons": [...]}`), as the
    /// playground's lessons page fetches them (`dist/lessons/lessons.json`, made at
    /// build time from [`Lessons::builtin`]). Read as they are: they were validated when
    /// that build loaded them, so only their shape is checked here.
    ///
    /// Errors: the JSON error with its line and column, or a lesson id used twice.
    pub fn from_json(text: &str) -> Result<Lessons, String> {
        #[derive(serde::Deserialize)]
        struct File {
            lessons: Vec<Lesson>,
        }
        let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (i, l) in file.lessons.iter().enumerate() {
            if file.lessons[..i].iter().any(|k| k.id == l.id) {
                return Err(format!("lesson id {:?} is defined twice", l.id));
            }
        }
        Ok(Lessons {
            lessons: file.lessons,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    /// The lesson after `id` in workshop order.
    pub fn next(&self, id: &str) -> Option<&Lesson> {
        let i = self.lessons.iter().position(|l| l.id == id)?;
        self.lessons.get(i + 1)
    }
}
