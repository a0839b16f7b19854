//! The lessons page's pure state (`src/web/lessons_state.rs`): its routes, and the
//! progress kept in localStorage and exported and imported as a file. The page itself
//! runs in the browser (`tests/e2e/lessons.test.mjs`).

// The page uses more of the module than these tests do.
#[allow(dead_code)]
#[path = "../src/web/lessons_state.rs"]
mod lessons_state;

use lessons_state::{line_range, Action, LessonProgress, Progress, Route, FORMAT};

#[test]
fn routes() {
    assert_eq!(Route::parse(""), Route::List);
    assert_eq!(Route::parse("#"), Route::List);
    assert_eq!(Route::parse("#/"), Route::List);
    assert_eq!(Route::parse("#/seccomp"), Route::Lesson("seccomp".into()));
    assert_eq!(Route::parse("#/seccomp/"), Route::Lesson("seccomp".into()));
    // The playground's form, which it redirects here.
    assert_eq!(Route::parse("#/lessons"), Route::List);
    assert_eq!(
        Route::parse("#/lessons/seccomp"),
        Route::Lesson("seccomp".into())
    );
    for r in [Route::List, Route::Lesson("pin-images".into())] {
        assert_eq!(Route::parse(&r.hash()), r);
    }
}

fn text(lesson: &str, file: &str, text: &str, pristine: bool) -> Action {
    Action::Text {
        lesson: lesson.into(),
        file: file.into(),
        text: text.into(),
        pristine,
    }
}

#[test]
fn progress_actions() {
    let p = Progress::default()
        .apply(text("seccomp", "a.yaml", "kind: Pod\n", false))
        .apply(Action::Hint {
            lesson: "seccomp".into(),
            of: 2,
        });
    let l = p.lesson("seccomp");
    assert_eq!(
        l.files.get("a.yaml").map(String::as_str),
        Some("kind: Pod\n")
    );
    assert_eq!(l.hints, 1);
    assert!(l.started() && !l.solved);
    // Hints stop at the lesson's count.
    let p = (0..5).fold(p, |p, _| {
        p.apply(Action::Hint {
            lesson: "seccomp".into(),
            of: 2,
        })
    });
    assert_eq!(p.lesson("seccomp").hints, 2);
    // Solved stays solved through a reset; the text and hints go.
    let p = p
        .apply(Action::Solved("seccomp".into()))
        .apply(Action::Reset("seccomp".into()));
    assert_eq!(
        p.lesson("seccomp"),
        LessonProgress {
            solved: true,
            solved_files: [("a.yaml".to_string(), "kind: Pod\n".to_string())].into(),
            ..LessonProgress::default()
        }
    );
    assert_eq!(p.solved(["seccomp", "pin-images"]), 1);
    // Typing the starting text back is no progress.
    let p = Progress::default()
        .apply(text("x", "a.yaml", "changed", false))
        .apply(text("x", "a.yaml", "start", true));
    assert!(p.lessons.is_empty());
    assert_eq!(
        Progress::default()
            .apply(Action::Solved("x".into()))
            .apply(Action::ResetAll),
        Progress::default()
    );
}

#[test]
fn export_import_round_trip() {
    let p = Progress::default()
        .apply(text(
            "seccomp",
            "orders-api.yaml",
            "apiVersion: v1\n\"quoted\" ünïcode\n",
            false,
        ))
        .apply(Action::SolutionShown("pin-images".into()))
        .apply(Action::Solved("pin-images".into()));
    let file = p.export();
    assert!(
        file.contains(&format!("\"kubeharden-lessons\": {FORMAT}")),
        "{file}"
    );
    assert_eq!(Progress::import(&file), Ok(p.clone()));
    // An import replaces what the browser held.
    let other = Progress::default().apply(Action::Solved("seccomp".into()));
    assert_eq!(other.apply(Action::Replace(p.clone())), p);
    assert_eq!(Progress::load(Some(&file)), p);
}

#[test]
fn import_refuses_other_files() {
    let cases = [
        ("not json", "not a progress file"),
        (
            "{\"lessons\": {}}",
            "not a kubeharden lessons progress file",
        ),
        ("{\"kubeharden-lessons\": 2, \"lessons\": {}}", "version 2"),
        (
            "{\"kubeharden-lessons\": 1, \"lessons\": {\"x\": {\"hints\": \"two\"}}}",
            "damaged",
        ),
        (
            "{\"kubeharden-lessons\": 1, \"lessons\": {\"x\": {\"hint\": 2}}}",
            "damaged",
        ),
    ];
    for (text, want) in cases {
        match Progress::import(text) {
            Ok(p) => panic!("accepted {text:?} as {p:?}"),
            Err(e) => assert!(e.contains(want), "{text:?}: {e}"),
        }
        // What localStorage holds, damaged: a fresh start, never a failure.
        assert_eq!(Progress::load(Some(text)), Progress::default());
    }
    assert_eq!(Progress::load(None), Progress::default());
}

#[test]
fn line_ranges_count_utf16() {
    let text = "a: 1\nnäme: \u{1F600}\n\nlast";
    assert_eq!(line_range(text, 1), Some((0, 4)));
    // ä is one UTF-16 unit, the emoji two.
    assert_eq!(line_range(text, 2), Some((5, 13)));
    assert_eq!(line_range(text, 3), Some((14, 14)));
    assert_eq!(line_range(text, 4), Some((15, 19)));
    assert_eq!(line_range(text, 5), None);
    assert_eq!(line_range(text, 0), None);
}

#[test]
fn solved_marks_are_verified_on_the_text_that_solved_them() {
    let p = Progress::default()
        .apply(text("seccomp", "a.yaml", "good", false))
        .apply(Action::Solved("seccomp".into()))
        .apply(Action::Reset("seccomp".into()))
        .apply(text("pin-images", "b.yaml", "bad", false))
        .apply(Action::Solved("pin-images".into()))
        .apply(Action::Solved("removed".into()));
    // The check passes on "good" only; "removed" is no lesson of this page.
    let (v, dropped) = p.clone().verified(|id, files| {
        (id != "removed").then(|| files.get("a.yaml").is_some_and(|t| t == "good"))
    });
    assert_eq!(dropped, 2);
    assert_eq!(v.solved(["seccomp", "pin-images", "removed"]), 1);
    assert!(
        v.lesson("seccomp").solved,
        "kept through the reset, proven by its text"
    );
    let bad = v.lesson("pin-images");
    assert!(!bad.solved && bad.solved_files.is_empty());
    assert_eq!(
        bad.files.get("b.yaml").map(String::as_str),
        Some("bad"),
        "the text stays"
    );
    // An imported file that only claims it: no text, so nothing proves it.
    let claimed =
        Progress::import(r#"{"kubeharden-lessons": 1, "lessons": {"seccomp": {"solved": true}}}"#)
            .unwrap();
    let (v, dropped) =
        claimed.verified(|_, files| Some(files.get("a.yaml").is_some_and(|t| t == "good")));
    assert_eq!((dropped, v.solved(["seccomp"])), (1, 0));
}
