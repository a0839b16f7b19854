//! Inputs as the command line names them: files, directories (recursively), standard
//! input; bounded reads; atomic rewrites.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use kubeharden::diagnostic::NoteKind;
use kubeharden::{Diagnostic, Source, Span, Spread};

/// One manifest input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
    /// A FIFO, socket or device found while walking a directory: reported, never read
    /// (reading a FIFO would block the run). Named on the command line, such a file is
    /// read (`kubeharden check <(helm template ./chart)`).
    Special(PathBuf),
    /// A path that could not be listed (a missing path, a folder without permission) or a
    /// folder with no manifest in it: reported as an input error while the other inputs
    /// are still checked, never a silent skip.
    Unreadable(PathBuf, String),
}

/// The inputs named, or standard input when nothing is named and it is piped.
pub fn resolve(mut paths: Vec<String>) -> Result<Vec<Input>, String> {
    if paths.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err("no input: give files, directories, or - for standard input".into());
        }
        paths.push("-".into());
    }
    collect(&paths)
}

/// `./a/./b.yaml` → `a/b.yaml`: one spelling of a path in every report and id.
fn tidy(path: &Path) -> PathBuf {
    let tidy: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if tidy.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        tidy
    }
}

/// Expand directories into their manifest files (`*.yaml`, `*.yml`, `*.json`; hidden
/// folders skipped; only regular files, so a FIFO or socket cannot block the run), in a
/// stable order. A file reached twice (named twice, or also inside a named directory) is
/// one input: the bundle would otherwise report it as defining its objects twice.
fn collect(paths: &[String]) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |inputs: &mut Vec<Input>, input: Input| {
        let key = match &input {
            Input::Stdin => None,
            Input::File(path) | Input::Special(path) | Input::Unreadable(path, _) => {
                Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
            }
        };
        if seen.insert(key) {
            inputs.push(input);
        }
    };
    for p in paths {
        if p == "-" {
            add(&mut inputs, Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => {
                add(
                    &mut inputs,
                    Input::Unreadable(tidy(path), format!("cannot read: {e}")),
                );
                continue;
            }
        };
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found);
            if found.is_empty() {
                let message = "no manifest in this folder (*.yaml, *.yml or *.json files, hidden folders skipped): nothing was checked";
                found.push(Input::Unreadable(path.to_path_buf(), message.into()));
            }
            found.sort_by(|a, b| input_path(a).cmp(input_path(b)));
            for f in found {
                let f = match f {
                    Input::File(f) if std::fs::metadata(&f).is_ok_and(|m| !m.is_file()) => {
                        Input::Special(tidy(&f))
                    }
                    Input::File(f) => Input::File(tidy(&f)),
                    Input::Unreadable(f, message) => Input::Unreadable(tidy(&f), message),
                    other => other,
                };
                add(&mut inputs, f);
            }
        } else {
            add(&mut inputs, Input::File(tidy(path)));
        }
    }
    Ok(inputs)
}

/// The path of an input found in a folder.
fn input_path(input: &Input) -> &Path {
    match input {
        Input::Stdin => Path::new("-"),
        Input::File(p) | Input::Special(p) | Input::Unreadable(p, _) => p,
    }
}

/// The manifest files below `dir`, and each folder that could not be listed as an
/// [`Input::Unreadable`] (the others are still walked).
fn walk(dir: &Path, out: &mut Vec<Input>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let message = format!("cannot read this folder: {e}");
            out.push(Input::Unreadable(dir.to_path_buf(), message));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let message = format!("cannot read this folder: {e}");
                out.push(Input::Unreadable(dir.to_path_buf(), message));
                return;
            }
        };
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // A symbolic link to a folder is not followed (no cycles).
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if !hidden {
                walk(&path, out);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(Input::File(path));
        }
    }
}

/// What reading an input gives: its name and text, or why it could not be read.
pub type ReadInput = (String, Result<String, String>);

/// An input's display name (`-` for standard input) and its text, or why it could not
/// be read: larger than `max` bytes, unreadable, or not UTF-8 (with the byte offset).
pub fn read(input: &Input, max: usize) -> ReadInput {
    let too_big = || {
        format!("input is larger than the limit of {max} bytes (raise it with --max-input-size)")
    };
    let (name, bytes) = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            let r = std::io::stdin()
                .lock()
                .take(max as u64 + 1)
                .read_to_end(&mut buf);
            ("-".to_string(), r.map(|_| buf))
        }
        Input::Unreadable(path, message) => {
            return (path.display().to_string(), Err(message.clone()));
        }
        Input::Special(path) => {
            let message = "not a regular file (a FIFO, socket or device found in a directory); not read: name it on the command line to read it";
            return (path.display().to_string(), Err(message.into()));
        }
        Input::File(path) => {
            let name = path.display().to_string();
            let over = std::fs::metadata(path)
                .map(|m| m.len() > max as u64)
                .unwrap_or(false);
            if over {
                return (name, Err(too_big()));
            }
            (name, std::fs::read(path))
        }
    };
    match bytes {
        Err(e) => (name, Err(format!("cannot read: {e}"))),
        Ok(b) if b.len() > max => (name, Err(too_big())),
        Ok(b) => match String::from_utf8(b) {
            Ok(text) => (name, Ok(text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (
                    name,
                    Err(format!("not UTF-8 text: invalid byte at offset {at}")),
                )
            }
        },
    }
}

/// Spreads the engine's per-file work (and reading) over a number of threads.
pub struct Threads(pub usize);

impl kubeharden::Spread for Threads {
    fn each(&self, count: usize, job: &(dyn Fn(usize) + Sync)) {
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..self.0.min(count).max(1) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    job(i);
                });
            }
        });
    }
}

/// Read every input over `jobs` threads: one source per input, in input order (empty
/// text for an input that could not be read), and an error for each unreadable one
/// (`file` is its position in `inputs`).
pub fn read_all(inputs: &[Input], max: usize, jobs: usize) -> (Vec<Source>, Vec<Diagnostic>) {
    let slots: Vec<Mutex<Option<ReadInput>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    Threads(jobs).each(inputs.len(), &|i| {
        let read = read(&inputs[i], max);
        if let Ok(mut slot) = slots[i].lock() {
            *slot = Some(read);
        }
    });
    let mut sources = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for (file, slot) in slots.into_iter().enumerate() {
        let (name, text) = slot
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or_else(|| (String::new(), Err("not read".into())));
        match text {
            Ok(text) => sources.push(Source::new(name, text)),
            Err(message) => {
                errors.push(Diagnostic {
                    file,
                    document: 0,
                    message,
                    span: Span::empty(0),
                    kind: NoteKind::Info,
                });
                sources.push(Source::new(name, String::new()));
            }
        }
    }
    (sources, errors)
}

/// Write `text` to `path` through a temporary file in the same folder and a rename, so
/// the original is either fully replaced or untouched; its permissions are kept. A
/// symbolic link is followed: the file it points to is rewritten, the link stays.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let path = target.as_path();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kubeharden-{}.tmp", std::process::id()));
    let result = (|| {
        let permissions = std::fs::metadata(path)?.permissions();
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&tmp, permissions)?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
