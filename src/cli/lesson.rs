//! `kubeharden lesson`: the workshop lessons in a shell, offline (every lesson is
//! compiled in). `list`, `show`, `start` (writes the starting files), `check` (the
//! library's success check, with what remains and the next hint), `hint` and
//! `solution`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use kubeharden::lessons::{Checker, Evaluation, Lesson, Lessons, Pillar};
use kubeharden::render::unified_diff;
use kubeharden::yaml::Limits;

use super::input;
use super::out;

mod instructor;

/// Workshop lessons: fix a manifest step by step, offline
#[derive(Debug, Args)]
#[command(after_help = "\
A workshop in a shell:
  kubeharden lesson list                      # the lessons, by pillar
  kubeharden lesson start seccomp             # writes ./seccomp/orders-api.yaml
  kubeharden lesson check seccomp             # checks ./seccomp; exit 0 when solved
  kubeharden lesson hint seccomp 2            # the second hint
  kubeharden lesson solution seccomp seccomp  # the solution, as a diff against ./seccomp")]
pub struct LessonArgs {
    #[command(subcommand)]
    pub command: LessonCommand,
}

#[derive(Debug, Subcommand)]
pub enum LessonCommand {
    List(ListArgs),
    Show(IdArgs),
    Start(StartArgs),
    Check(CheckArgs),
    Hint(HintArgs),
    Solution(SolutionArgs),
    Lint(LintArgs),
    Instructor(InstructorArgs),
}

/// Print the instructor notes: every lesson with its goal, timing, hints, success
/// conditions and solution, as one printable HTML page
#[derive(Debug, Args)]
pub struct InstructorArgs {
    /// The output format (only `html`)
    #[arg(long, value_name = "FORMAT", default_value = "html", value_parser = ["html"])]
    pub format: String,
}

/// Validate lesson files (for authors): fields, rule ids, hint lines, references
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Lesson files (`<id>.yaml`); the built-in lessons of other names are loaded with
    /// them, so `requires` may name those
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// List the lessons, grouped by pillar, in workshop order
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON: every lesson with its files, hints, checks and solution
    #[arg(long)]
    pub json: bool,
}

/// Show a lesson: its story, goal, files and what the check requires
#[derive(Debug, Args)]
pub struct IdArgs {
    /// A lesson id (see `kubeharden lesson list`)
    #[arg(value_name = "LESSON", value_parser = lesson_id)]
    pub id: String,
}

/// Write a lesson's starting files into a folder
#[derive(Debug, Args)]
pub struct StartArgs {
    /// A lesson id (see `kubeharden lesson list`)
    #[arg(value_name = "LESSON", value_parser = lesson_id)]
    pub id: String,
    /// The folder to write into (created when missing) [default: ./LESSON]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Overwrite files that exist
    #[arg(long)]
    pub force: bool,
}

/// Check your files against a lesson's success conditions
#[derive(Debug, Args)]
#[command(after_help = "\
Exit status:
  0  solved: every condition holds
  1  not yet: the conditions that remain and a hint are printed
  2  usage error, or input that could not be read")]
pub struct CheckArgs {
    /// A lesson id (see `kubeharden lesson list`)
    #[arg(value_name = "LESSON", value_parser = lesson_id)]
    pub id: String,
    /// Files or folders with your manifests [default: ./LESSON, as `lesson start` wrote it]
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Print the evaluation as JSON: {lesson, passed, met, total, conditions: [{label,
    /// met, details}], reporting, next_hint}
    #[arg(long)]
    pub json: bool,
}

/// Print one hint of a lesson (1 is the first)
#[derive(Debug, Args)]
pub struct HintArgs {
    /// A lesson id (see `kubeharden lesson list`)
    #[arg(value_name = "LESSON", value_parser = lesson_id)]
    pub id: String,
    /// Which hint, from 1
    #[arg(value_name = "N")]
    pub number: u16,
}

/// Print a lesson's reference solution, or its diff against your files
#[derive(Debug, Args)]
pub struct SolutionArgs {
    /// A lesson id (see `kubeharden lesson list`)
    #[arg(value_name = "LESSON", value_parser = lesson_id)]
    pub id: String,
    /// Your folder: print the solution as a diff against its files
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// A lesson id, or a usage error naming the nearest one.
fn lesson_id(s: &str) -> Result<String, String> {
    let all = Lessons::builtin();
    if all.get(s).is_some() {
        return Ok(s.to_string());
    }
    let nearest = all
        .lessons
        .iter()
        .map(|l| (strsim::jaro(s, &l.id), &l.id))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(match nearest {
        Some((_, id)) => {
            format!("no lesson {s:?}\n\n  tip: a similar lesson exists: '{id}'")
        }
        None => format!("no lesson {s:?}: see `kubeharden lesson list`"),
    })
}

fn lesson(id: &str) -> Result<&'static Lesson, String> {
    Lessons::builtin()
        .get(id)
        .ok_or_else(|| format!("no lesson {id:?}: see `kubeharden lesson list`"))
}

pub fn run(args: LessonArgs) -> Result<u8, String> {
    match args.command {
        LessonCommand::List(a) => list(a),
        LessonCommand::Show(a) => show(&a.id),
        LessonCommand::Start(a) => start(a),
        LessonCommand::Check(a) => check(a),
        LessonCommand::Hint(a) => hint(&a.id, a.number),
        LessonCommand::Solution(a) => solution(a),
        LessonCommand::Lint(a) => lint(a),
        LessonCommand::Instructor(_) => {
            out(&instructor::page(Lessons::builtin()));
            Ok(0)
        }
    }
}

fn lint(args: LintArgs) -> Result<u8, String> {
    // (path as given, file name, text): a given file replaces the built-in lesson of its
    // name, so that `lint lessons/x.yaml` checks the edited file against the others.
    let mut given: Vec<(String, String, String)> = Vec::new();
    for path in &args.files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        given.push((path.display().to_string(), name, text));
    }
    let builtin: Vec<(String, &str)> = kubeharden::lessons::LESSON_FILES
        .iter()
        .filter(|(n, _)| !given.iter().any(|(_, g, _)| g == n))
        .map(|(n, t)| (format!("lessons/{n}"), *t))
        .collect();
    let mut files: Vec<(&str, &str)> = builtin.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    files.extend(given.iter().map(|(p, _, t)| (p.as_str(), t.as_str())));
    match Lessons::load(&files) {
        Ok(_) => {
            out(&format!("{} lesson files are valid\n", given.len()));
            Ok(0)
        }
        Err(errors) => {
            out(&format!("{}\n", errors.join("\n")));
            Ok(1)
        }
    }
}

fn list(args: ListArgs) -> Result<u8, String> {
    let all = Lessons::builtin();
    if args.json {
        let json = serde_json::json!({ "lessons": all.lessons });
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        out(&format!("{text}\n"));
        return Ok(0);
    }
    let width = all.lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let mut s = String::new();
    for pillar in Pillar::ALL {
        let _ = writeln!(s, "{}", pillar.title());
        for l in all.lessons.iter().filter(|l| l.pillar == pillar) {
            let _ = writeln!(
                s,
                "  {:width$}  level {}  {:>3} min  {}",
                l.id, l.level, l.minutes, l.title
            );
        }
        s.push('\n');
    }
    let minutes: u32 = all.lessons.iter().map(|l| u32::from(l.minutes)).sum();
    let _ = writeln!(
        s,
        "{} lessons, about {} h {} min. Start one with `kubeharden lesson start LESSON`.",
        all.lessons.len(),
        minutes / 60,
        minutes % 60
    );
    out(&s);
    Ok(0)
}

fn show(id: &str) -> Result<u8, String> {
    let l = lesson(id)?;
    let mut s = format!(
        "{} — {}\n{}, level {}, about {} minutes; checked at profile {} for Kubernetes {}\n",
        l.id,
        l.title,
        l.pillar.title(),
        l.level,
        l.minutes,
        l.profile.as_str(),
        l.kube_version
    );
    if !l.requires.is_empty() {
        let _ = writeln!(s, "After: {}", l.requires.join(", "));
    }
    if !l.story.trim().is_empty() {
        let _ = write!(s, "\n{}", l.story);
    }
    let _ = write!(s, "\nGoal\n{}", indent(&l.goal));
    let names: Vec<&str> = l.start.iter().map(|f| f.name.as_str()).collect();
    let _ = writeln!(s, "\nFiles: {}", names.join(", "));
    let _ = writeln!(
        s,
        "{} hints (`kubeharden lesson hint {} 1`). Start with `kubeharden lesson start {}`.",
        l.hints.len(),
        l.id,
        l.id
    );
    out(&s);
    Ok(0)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

fn start(args: StartArgs) -> Result<u8, String> {
    let l = lesson(&args.id)?;
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(&l.id));
    if !args.force {
        if let Some(f) = l.start.iter().find(|f| dir.join(&f.name).exists()) {
            return Err(format!(
                "{} exists: not overwritten (use --force, or another folder)",
                dir.join(&f.name).display()
            ));
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    for f in &l.start {
        let path = dir.join(&f.name);
        std::fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut s = format!("{} — {}\n\nGoal\n{}", l.id, l.title, indent(&l.goal));
    let _ = writeln!(s, "\nWrote:");
    for f in &l.start {
        let _ = writeln!(s, "  {}", dir.join(&f.name).display());
    }
    let _ = writeln!(
        s,
        "\nEdit the files, then run `kubeharden lesson check {} {}`.",
        l.id,
        dir.display()
    );
    out(&s);
    Ok(0)
}

fn check(args: CheckArgs) -> Result<u8, String> {
    let l = lesson(&args.id)?;
    let paths = if args.paths.is_empty() {
        let dir = Path::new(&l.id);
        if !dir.is_dir() {
            return Err(format!(
                "no folder {:?}: give your files, or run `kubeharden lesson start {}` first",
                l.id, l.id
            ));
        }
        vec![l.id.clone()]
    } else {
        args.paths
    };
    let inputs = input::resolve(paths)?;
    let (sources, errors) = input::read_all(&inputs, Limits::default().max_input_bytes, 1);
    if let Some(e) = errors.first() {
        return Err(format!("{}: {}", sources[e.file].name, e.message));
    }
    let checker = Checker::new(l);
    let evaluation = checker.evaluate(&sources);
    if args.json {
        let json = serde_json::json!({
            "lesson": l.id,
            "passed": evaluation.passed(),
            "met": evaluation.met(),
            "total": evaluation.conditions.len(),
            "conditions": evaluation.conditions,
            "reporting": evaluation.reporting,
            "next_hint": checker.next_hint(&evaluation).filter(|_| !evaluation.passed()).map(|(i, _)| i + 1),
        });
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        out(&format!("{text}\n"));
    } else {
        out(&render(&checker, &evaluation));
    }
    Ok(if evaluation.passed() { 0 } else { 1 })
}

/// The conditions, met or not with why, and then the explanation or the next hint.
fn render(checker: &Checker, e: &Evaluation) -> String {
    let l = checker.lesson();
    let mut s = format!(
        "{} — {}\n{} of {} conditions met\n",
        l.id,
        l.title,
        e.met(),
        e.conditions.len()
    );
    for c in &e.conditions {
        let _ = writeln!(s, "  [{}] {}", if c.met { "x" } else { " " }, c.label);
        for d in &c.details {
            let _ = writeln!(s, "        {d}");
        }
    }
    if e.passed() {
        let _ = write!(s, "\nSolved!\n\n{}", l.explanation);
        match Lessons::builtin().next(&l.id) {
            Some(next) => {
                let _ = writeln!(
                    s,
                    "\nNext: {} — `kubeharden lesson start {}`",
                    next.title, next.id
                );
            }
            None => s.push_str("\nThat was the last lesson.\n"),
        }
    } else if let Some((i, _)) = checker.next_hint(e) {
        let _ = write!(s, "\n{}", hint_text(l, i));
        if i + 1 < l.hints.len() {
            let _ = writeln!(s, "(more: `kubeharden lesson hint {} {}`)", l.id, i + 2);
        }
    }
    s
}

/// "Hint 2 of 3 (rule ...; line 14 of file.yaml): text".
fn hint_text(l: &Lesson, i: usize) -> String {
    let h = &l.hints[i];
    let mut about = Vec::new();
    if let Some(r) = &h.rule {
        about.push(format!("`kubeharden explain {r}`"));
    }
    if let Some(at) = &h.at {
        let file = at
            .file
            .as_deref()
            .or(l.start.first().map(|f| f.name.as_str()))
            .unwrap_or("");
        about.push(format!("line {} of {file}", at.line));
    }
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join("; "))
    };
    format!(
        "Hint {} of {}{about}:\n{}",
        i + 1,
        l.hints.len(),
        indent(&h.text)
    )
}

fn hint(id: &str, number: u16) -> Result<u8, String> {
    let l = lesson(id)?;
    let n = l.hints.len();
    let Some(i) = usize::from(number).checked_sub(1).filter(|&i| i < n) else {
        return Err(format!(
            "lesson {id} has {n} hint{}, numbered from 1 to {n}: `kubeharden lesson hint {id} 1` is the first",
            if n == 1 { "" } else { "s" }
        ));
    };
    out(&hint_text(l, i));
    Ok(0)
}

fn solution(args: SolutionArgs) -> Result<u8, String> {
    let l = lesson(&args.id)?;
    let mut s = String::new();
    for f in &l.solution {
        match &args.dir {
            None => {
                let _ = write!(s, "# {}\n{}", f.name, f.text);
                if l.solution.len() > 1 {
                    s.push('\n');
                }
            }
            Some(dir) => {
                let path = dir.join(&f.name);
                let mine = std::fs::read_to_string(&path).unwrap_or_default();
                let name = path.display().to_string();
                s.push_str(&unified_diff(
                    &mine,
                    &f.text,
                    &name,
                    &format!("solution/{}", f.name),
                ));
            }
        }
    }
    out(&s);
    Ok(0)
}
