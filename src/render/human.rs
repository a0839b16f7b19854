//! Terminal output: each finding with its source lines and the span underlined.

use std::fmt::Write;

use super::{FileIndex, Positions};
use crate::catalogue::Catalogue;
use crate::diagnostic::{Applicability, Finding, Report, Severity};
use crate::source::{Source, Span};
use crate::support::{Status, TargetSupport};

#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    /// ANSI colours (only for a terminal).
    pub color: bool,
    /// Also print suppressed findings.
    pub show_suppressed: bool,
}

struct Style(bool);

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;34",
            Severity::Info => "1;36",
        };
        self.paint(code, s.as_str())
    }
}

/// Source lines of `span` with a gutter, the first line's part underlined with `^`
/// (or `-` and a label, for a secondary location).
/// The most characters of a source line a snippet shows: a longer line (minified JSON, a
/// long string) is cut to a window around the span.
const SNIPPET_WIDTH: usize = 160;

fn snippet(
    out: &mut String,
    positions: &mut Positions,
    style: &Style,
    file: impl FileIndex,
    span: Span,
    mark: &str,
    label: Option<&str>,
) {
    let lines = positions.lines(file, span);
    let Some(&(first, _)) = lines.first() else {
        return;
    };
    let width = (lines.last().map_or(first, |l| l.0) + 1).to_string().len();
    let (start, end) = positions.range(file, span);
    let _ = writeln!(out, "{:width$} {}", "", style.paint("34", "|"));
    let shown = if label.is_some() {
        1
    } else {
        lines.len().min(4)
    };
    for (i, &(line, text)) in lines.iter().take(shown).enumerate() {
        let len = text.chars().count();
        // A long line (minified JSON) is shown as a window around the span's start.
        let from = if i == 0 { start.column - 1 } else { 0 };
        let window = if len > SNIPPET_WIDTH {
            let first = from
                .saturating_sub(SNIPPET_WIDTH / 4)
                .min(len - SNIPPET_WIDTH);
            Some(first..first + SNIPPET_WIDTH)
        } else {
            None
        };
        let shown_text: std::borrow::Cow<str> = match &window {
            None => text.into(),
            Some(w) => format!(
                "{}{}{}",
                if w.start > 0 { "…" } else { "" },
                text.chars().skip(w.start).take(w.len()).collect::<String>(),
                if w.end < len { "…" } else { "" }
            )
            .into(),
        };
        let _ = writeln!(
            out,
            "{} {} {}",
            style.paint("34", &format!("{:>width$}", line + 1)),
            style.paint("34", "|"),
            shown_text
        );
        if i == 0 {
            let to = if lines.len() == 1 {
                end.column - 1
            } else {
                len
            };
            // Columns within the window (after its leading `…`).
            let (from, to) = match &window {
                None => (from, to),
                Some(w) => {
                    let lead = usize::from(w.start > 0);
                    (
                        from - w.start + lead,
                        to.clamp(w.start, w.end) - w.start + lead,
                    )
                }
            };
            let (underline, text) = match label {
                None => ("^", String::new()),
                Some(label) => ("-", format!(" {label}")),
            };
            let carets = underline.repeat(to.saturating_sub(from).max(1));
            let _ = writeln!(
                out,
                "{:width$} {} {}{}{}",
                "",
                style.paint("34", "|"),
                " ".repeat(from),
                style.paint(mark, &carets),
                style.paint(mark, &text)
            );
        }
    }
    if lines.len() > shown {
        let _ = writeln!(out, "{:width$} {} ...", "", style.paint("34", "|"));
    }
}

/// `  = fix (unsafe): title; apply with …`, or why the rule's fix cannot be made here.
fn fix_line(out: &mut String, f: &Finding) {
    match &f.fix {
        Some(fix) if fix.unavailable.is_none() => {
            let flag = match fix.applicability {
                Applicability::Safe => "",
                Applicability::Unsafe => " --unsafe",
            };
            let _ = writeln!(
                out,
                "  = fix ({}): {}; apply with `kubeharden fix{flag}`",
                fix.applicability.as_str(),
                fix.title
            );
        }
        Some(fix) => {
            let reason = fix.unavailable.as_deref().map_or("", String::as_str);
            let _ = writeln!(out, "  = no automatic fix here: {reason}");
        }
        None => {}
    }
}

/// `  --> file:line:column (document N)`: where a span starts (`:::` for a secondary one).
fn place(
    out: &mut String,
    positions: &mut Positions,
    arrow: &str,
    file: impl FileIndex,
    span: Span,
    document: impl FileIndex,
) {
    let p = positions.position(file, span.start);
    let _ = writeln!(
        out,
        "  {arrow} {}:{}:{} (document {})",
        positions.name(file),
        p.line,
        p.column,
        document.index() + 1
    );
}

/// Render a report for a terminal.
pub fn human(report: &Report, sources: &[Source], options: HumanOptions) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail; the text is UTF-8.
    let _ = write_human(&mut out, report, sources, options);
    String::from_utf8(out).unwrap_or_default()
}

/// Move what `out` holds to `w`.
fn drain(out: &mut String, w: &mut impl std::io::Write) -> std::io::Result<()> {
    w.write_all(out.as_bytes())?;
    out.clear();
    Ok(())
}

/// Write a report for a terminal to `w`, one finding at a time.
pub fn write_human(
    w: impl std::io::Write,
    report: &Report,
    sources: &[Source],
    options: HumanOptions,
) -> std::io::Result<()> {
    write_human_with(w, report, sources, options, Catalogue::builtin())
}

/// [`write_human`] with each rule's help from `catalogue`: the one a configuration file
/// made ([`crate::config::Config::catalogue`], with its custom rules).
pub fn write_human_with(
    mut w: impl std::io::Write,
    report: &Report,
    sources: &[Source],
    options: HumanOptions,
    catalogue: &Catalogue,
) -> std::io::Result<()> {
    let style = Style(options.color);
    let mut positions = Positions::new(sources);
    let mut helped = std::collections::HashSet::new();
    let mut out = String::new();
    for e in &report.errors {
        let _ = writeln!(out, "{}: {}", style.paint("1;31", "error"), e.message);
        // An input that could not be read (a missing file, an empty folder) has no text
        // to point into: its name alone.
        if sources.get(e.file).is_some_and(|s| s.text.is_empty()) {
            let _ = writeln!(out, "  --> {}\n", positions.name(e.file));
            drain(&mut out, &mut w)?;
            continue;
        }
        place(&mut out, &mut positions, "-->", e.file, e.span, e.document);
        snippet(
            &mut out,
            &mut positions,
            &style,
            e.file,
            Span::new(e.span.start, e.span.start + 1),
            "1;31",
            None,
        );
        out.push('\n');
        drain(&mut out, &mut w)?;
    }
    // Findings about one field (a socket volume: host-path-volumes and
    // restricted-volume-types on the hostPath, sensitive-host-path and
    // container-runtime-socket on its path) are one entry: the first in full, the others
    // folded under it. A finding folds under the last full one when it is about the same
    // field or one inside it, within its span. The report is sorted by file and
    // position, so they are neighbours.
    let mut group: Vec<&Finding> = Vec::new();
    let mut printed = false;
    let mut cx = EntryCx {
        positions: &mut positions,
        style: &style,
        catalogue,
        helped: &mut helped,
    };
    for f in &report.findings {
        if f.suppressed.is_some() && !options.show_suppressed {
            continue;
        }
        let inside = |l: &Finding| {
            l.file == f.file
                && l.document == f.document
                && l.span.start <= f.span.start
                && f.span.end <= l.span.end
                && (f.path == l.path
                    || f.path
                        .strip_prefix(l.path.as_str())
                        .is_some_and(|rest| rest.starts_with('/')))
        };
        if group.first().is_some_and(|l| inside(l)) {
            group.push(f);
            continue;
        }
        if !group.is_empty() {
            entry(&mut out, &mut cx, &mut group, printed);
            printed = true;
            drain(&mut out, &mut w)?;
        }
        group.clear();
        group.push(f);
    }
    if !group.is_empty() {
        entry(&mut out, &mut cx, &mut group, printed);
        printed = true;
        drain(&mut out, &mut w)?;
    }
    if printed {
        out.push('\n');
    }
    for n in &report.notes {
        let p = positions.position(n.file, n.span.start);
        let _ = writeln!(
            out,
            "{}: {}:{}:{} (document {}): {}",
            style.paint("1;36", "note"),
            positions.name(n.file),
            p.line,
            p.column,
            n.document + 1,
            n.message
        );
    }
    let shown: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let suppressed = report.findings.len() - shown.len();
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|&s| {
            let n = shown.iter().filter(|f| f.severity == s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let _ = write!(
        out,
        "{} finding{}",
        shown.len(),
        if shown.len() == 1 { "" } else { "s" }
    );
    if !counts.is_empty() {
        let _ = write!(out, " ({})", counts.join(", "));
    }
    let fixable = shown.iter().filter(|f| f.fixable().is_some()).count();
    if fixable > 0 {
        let _ = write!(out, ", {fixable} fixable");
    }
    let _ = write!(
        out,
        " in {} file{}; {suppressed} suppressed; {} error{}",
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        report.errors.len(),
        if report.errors.len() == 1 { "" } else { "s" }
    );
    let unchecked = report.unchecked().count();
    if unchecked > 0 {
        let _ = write!(
            out,
            "; {unchecked} object{} not checked",
            if unchecked == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
    drain(&mut out, &mut w)
}

/// What every entry of the human output reads and remembers.
struct EntryCx<'a, 's> {
    positions: &'a mut Positions<'s>,
    style: &'a Style,
    catalogue: &'a Catalogue,
    /// Rules whose help was already printed (once per run, under the first finding).
    helped: &'a mut std::collections::HashSet<&'static str>,
}

/// One entry: the most severe finding of `group` in full, the others folded under it.
fn entry(out: &mut String, cx: &mut EntryCx<'_, '_>, group: &mut [&Finding], after_another: bool) {
    group.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if after_another {
        out.push('\n');
    }
    let f = group[0];
    let p = cx.positions.position(f.file, f.span.start);
    let mut head = format!(
        "{} {}: {}",
        cx.style.severity(f.severity),
        cx.style.paint("1", f.rule),
        f.message
    );
    if let Some(reason) = &f.suppressed {
        head = format!("{} (suppressed: {reason})", head);
    }
    let _ = writeln!(out, "{head}");
    let _ = writeln!(
        out,
        "  --> {}:{}:{} · {} · {}",
        cx.positions.name(f.file),
        p.line,
        p.column,
        f.object,
        f.path
    );
    if let Some(template) = cx.positions.template(f.file, f.span.start) {
        let _ = writeln!(out, "  = chart template: {template}");
    }
    snippet(out, cx.positions, cx.style, f.file, f.span, "1;31", None);
    related_snippets(out, cx, &f.related, &[]);
    if let Some(pss) = f.pss() {
        let _ = writeln!(
            out,
            "  = Pod Security Standards {}: {}",
            pss.level.as_str(),
            pss.check
        );
    }
    fix_line(out, f);
    // The rule's help once per run, under its first finding.
    if cx.helped.insert(f.rule) {
        if let Some(rule) = cx.catalogue.get(f.rule) {
            let _ = writeln!(out, "  = help: {}", rule.remediation);
        }
    }
    for also in &group[1..] {
        let mut head = format!(
            "  = also {} {}: {}",
            cx.style.severity(also.severity),
            cx.style.paint("1", also.rule),
            also.message
        );
        if let Some(reason) = &also.suppressed {
            head = format!("{head} (suppressed: {reason})");
        }
        let _ = writeln!(out, "{head}");
        // Its related places too (the other file of a duplicate, the granting binding),
        // but not one the entry has shown already.
        related_snippets(out, cx, &also.related, &f.related);
        fix_line(out, also);
        // A folded finding of another rule gets that rule's help too, once per run.
        if cx.helped.insert(also.rule) {
            if let Some(rule) = cx.catalogue.get(also.rule) {
                let _ = writeln!(out, "    = help ({}): {}", also.rule, rule.remediation);
            }
        }
    }
}

/// Each related place of `related` as a labelled snippet, but for those `shown` already
/// (same file, span and message).
fn related_snippets(
    out: &mut String,
    cx: &mut EntryCx<'_, '_>,
    related: &[crate::diagnostic::Related],
    shown: &[crate::diagnostic::Related],
) {
    for r in related {
        if shown
            .iter()
            .any(|x| x.file == r.file && x.span == r.span && x.message == r.message)
        {
            continue;
        }
        place(out, cx.positions, ":::", r.file, r.span, r.document);
        snippet(
            out,
            cx.positions,
            cx.style,
            r.file,
            r.span,
            "1;36",
            Some(&r.message),
        );
    }
}

/// The human output's line about the target version, once per run and after the summary
/// line: `warning: target v1.25 reached its end of support on …` past the end of support
/// (or before the release), `note: target …` in maintenance mode or when the data does not
/// know the end; `None` while the target is plainly supported
/// ([`TargetSupport::worth_saying`]).
pub fn target_line(target: &TargetSupport, color: bool) -> Option<String> {
    if !target.worth_saying() {
        return None;
    }
    let style = Style(color);
    let label = match target.status {
        Status::EndOfLife | Status::NotReleased => style.paint("1;33", "warning"),
        _ => style.paint("1;36", "note"),
    };
    Some(format!("{label}: target {}\n", target.note()))
}
