//! A check's progress as the JavaScript side is told it: the package's `check(text,
//! {onProgress})` (src/js/main.rs, src/js/check_main.rs) and the playground's engine worker
//! (src/web/worker.rs) both use this file.
//!
//! The engine tells every [`Progress`] from a `Fn + Sync` observer
//! ([`kubeharden::Engine::check_observed`]); JavaScript is told only the news: each stage as
//! it starts, and its whole percentage ([`Progress::percent`]) each time it grows, so a
//! listener is called about a hundred times a check, never with a falling percentage. The
//! receiver is a plain `fn` (`Sync`, unlike a JavaScript function): the package's is an
//! import of numbers and a string, which keeps the check-only wasm free of wasm-bindgen's
//! table of JavaScript objects (the docs widget's size budget).

use std::sync::atomic::{AtomicU32, Ordering};

use kubeharden::Progress;

/// `run`'s answer, with `tell(percent, stage)` called with the check's news (above; `stage`:
/// [`kubeharden::Stage::as_str`]).
pub fn telling<T>(tell: fn(u32, &str), run: impl FnOnce(&(dyn Fn(Progress) + Sync)) -> T) -> T {
    // What was told last, as `percent * 8 + stage + 1`; 0 before anything was.
    let last = AtomicU32::new(0);
    run(&|p: Progress| {
        let percent = p.percent();
        let now = percent * 8 + p.stage as u32 + 1;
        let was = last.load(Ordering::Relaxed);
        let news = was == 0 || percent > was / 8 || (percent == was / 8 && now % 8 != was % 8);
        if news {
            last.store(now, Ordering::Relaxed);
            tell(percent, p.stage.as_str());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeharden::Stage;
    use std::sync::Mutex;

    static TOLD: Mutex<Vec<(u32, String)>> = Mutex::new(Vec::new());

    fn at(stage: Stage, done: usize, total: usize) -> Progress {
        Progress {
            stage,
            file: 0,
            done,
            total,
        }
    }

    #[test]
    fn tells_each_stage_as_it_starts_and_growing_percentages_only() {
        telling(
            |p, s| TOLD.lock().unwrap().push((p, s.to_owned())),
            |observe| {
                for p in [
                    at(Stage::Parse, 1, 100),
                    at(Stage::Parse, 2, 100), // 0.88%: no news
                    at(Stage::Parse, 50, 100),
                    at(Stage::Parse, 100, 100),
                    at(Stage::Rules, 0, 3), // 44% again, a new stage
                    at(Stage::Rules, 3, 3),
                    at(Stage::Bundle, 5, 5), // 73%
                    at(Stage::Report, 0, 1), // 73%, a new stage
                    at(Stage::Parse, 0, 10), // a second file's parse: it would fall
                ] {
                    observe(p)
                }
            },
        );
        let told = TOLD.lock().unwrap().clone();
        let want = [
            (0, "parse"),
            (22, "parse"),
            (44, "parse"),
            (44, "rules"),
            (60, "rules"),
            (73, "bundle"),
            (73, "report"),
        ];
        assert_eq!(
            told,
            want.map(|(p, s)| (p, s.to_owned())).to_vec(),
            "{told:?}"
        );
    }
}
