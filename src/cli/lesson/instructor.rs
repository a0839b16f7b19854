//! `kubeharden lesson instructor`: every lesson on one printable HTML page for the
//! person running a workshop — goal, timing, hints, the success conditions, the
//! reference solution (as a diff against the starting files) and the explanation.
//! `make dist` writes it to `dist/lessons/instructor.html`; the lessons page links it.
//!
//! The page is static: no script, and a Content Security Policy that allows nothing but
//! its own inline style sheet, so it opens offline from a file or any static server.
//! Lesson text is escaped; the lessons' Markdown is rendered for the subset they use
//! (paragraphs, `` `code` ``, `**strong**`, `[text](https://…)` links).

use std::fmt::Write as _;

use kubeharden::lessons::{Checker, Lesson, Lessons, Pillar};
use kubeharden::render::unified_diff;

/// The printable page, for print and screen (A4 or Letter: each pillar starts a page, its
/// lessons follow one another; about 17 A4 pages for the 15 built-in lessons).
pub fn page(all: &Lessons) -> String {
    let minutes: u32 = all.lessons.iter().map(|l| u32::from(l.minutes)).sum();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>kubeharden workshop — instructor notes</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>kubeharden workshop — instructor notes</h1>
<p>{n} lessons, about {h} h {m} min of hands-on time. Learners open the lessons at <code>lessons/</code> in the
playground (or run <code>kubeharden lesson start ID</code>); the success check runs in their browser on every edit.
Printed, each pillar starts a new page.</p>
</header>
<nav aria-label="Lessons"><table class="plan">
<thead><tr><th scope="col">#</th><th scope="col">Lesson</th><th scope="col">Pillar</th><th scope="col">Level</th><th scope="col">Minutes</th><th scope="col">From</th></tr></thead>
<tbody>
"#,
        n = all.lessons.len(),
        h = minutes / 60,
        m = minutes % 60,
    );
    let mut at = 0u32;
    for (i, l) in all.lessons.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<tr><td>{}</td><td><a href="#{id}">{}</a> <code>{id}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}:{:02}</td></tr>"##,
            i + 1,
            escape(&l.title),
            l.pillar.title(),
            l.level,
            l.minutes,
            at / 60,
            at % 60,
            id = escape(&l.id),
        );
        at += u32::from(l.minutes);
    }
    s.push_str("</tbody></table></nav>\n<main>\n");
    for pillar in Pillar::ALL {
        let mut first = true;
        for (i, l) in all.lessons.iter().enumerate() {
            if l.pillar == pillar {
                lesson(&mut s, i + 1, l, all, first);
                first = false;
            }
        }
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

/// One lesson's section; `first`: the first of its pillar, which starts a printed page.
fn lesson(s: &mut String, number: usize, l: &Lesson, all: &Lessons, first: bool) {
    let id = escape(&l.id);
    let first = if first { " data-first-of-pillar" } else { "" };
    let _ = writeln!(
        s,
        r#"<section class="lesson" id="{id}" aria-labelledby="{id}-title"{first}>
<h2 id="{id}-title">{number}. {}</h2>
<p class="meta"><code>{id}</code> · {} · level {} · about {} minutes · checked at profile {} for Kubernetes {}</p>"#,
        escape(&l.title),
        l.pillar.title(),
        l.level,
        l.minutes,
        l.profile.as_str(),
        l.kube_version,
    );
    if !l.requires.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"meta\">After: {}</p>",
            escape(&l.requires.join(", "))
        );
    }
    if !l.story.trim().is_empty() {
        let _ = writeln!(s, "<h3>Situation</h3>{}", markdown(&l.story));
    }
    let _ = writeln!(s, "<h3>Goal</h3>{}", markdown(&l.goal));
    s.push_str("<h3>Hints, in order</h3>\n<ol class=\"hints\">\n");
    for h in &l.hints {
        let mut about = Vec::new();
        if let Some(rule) = &h.rule {
            about.push(format!("rule <code>{}</code>", escape(rule)));
        }
        if let Some(at) = &h.at {
            let file = at
                .file
                .as_deref()
                .or(l.start.first().map(|f| f.name.as_str()))
                .unwrap_or("");
            about.push(format!("{}:{}", escape(file), at.line));
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"about\">({})</span>", about.join(", "))
        };
        let _ = writeln!(s, "<li>{}{about}</li>", inline(&h.text));
    }
    s.push_str("</ol>\n");
    // The labels of the success check, as learners see them (the start fails some).
    let checker = Checker::new(l);
    let start = checker.evaluate(&l.start_sources());
    s.push_str("<h3>Solved when</h3>\n<ul class=\"conditions\">\n");
    for c in &start.conditions {
        let _ = writeln!(
            s,
            "<li>{}{}</li>",
            escape(&c.label),
            if c.met {
                ""
            } else {
                " <span class=\"about\">(not met at the start)</span>"
            }
        );
    }
    s.push_str("</ul>\n<h3>Reference solution</h3>\n");
    for (from, to) in l.start.iter().zip(&l.solution) {
        let diff = unified_diff(
            &from.text,
            &to.text,
            &format!("start/{}", from.name),
            &format!("solution/{}", to.name),
        );
        s.push_str("<pre class=\"diff\">");
        for line in diff.lines() {
            let class = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => "add",
                Some(b'-') if !line.starts_with("---") => "del",
                Some(b'@') => "hunk",
                _ => "ctx",
            };
            let _ = writeln!(s, "<span class=\"{class}\">{}</span>", escape(line));
        }
        s.push_str("</pre>\n");
    }
    let _ = writeln!(
        s,
        "<h3>Why it matters (shown on success)</h3>{}",
        markdown(&l.explanation)
    );
    s.push_str("<h3>References</h3>\n<ul>\n");
    for r in &l.references {
        match (&r.rule, &r.url) {
            (Some(rule), _) => {
                let _ = writeln!(
                    s,
                    "<li>rule <code>{}</code> (<code>kubeharden explain {}</code>)</li>",
                    escape(rule),
                    escape(rule)
                );
            }
            (None, Some(url)) => {
                let _ = writeln!(
                    s,
                    "<li>{} — <span class=\"url\">{}</span></li>",
                    escape(r.title.as_deref().unwrap_or(url)),
                    escape(url)
                );
            }
            (None, None) => {}
        }
    }
    s.push_str("</ul>\n");
    if let Some(next) = all.next(&l.id) {
        let _ = writeln!(
            s,
            "<p class=\"meta\">Next: {} (<code>{}</code>)</p>",
            escape(&next.title),
            escape(&next.id)
        );
    }
    s.push_str("</section>\n");
}

/// `text` with `&`, `<`, `>` and `"` escaped (element content and quoted attributes).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Paragraphs (split on blank lines) of [`inline`] Markdown.
fn markdown(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>\n", inline(p.trim())))
        .collect()
}

/// `` `code` ``, `**strong**` and `[text](https://…)`; everything else is escaped text.
fn inline(mut s: &str) -> String {
    let mut out = String::new();
    while let Some(c) = s.chars().next() {
        let rest = &s[c.len_utf8()..];
        let piece: Option<(String, usize)> = match c {
            '`' => rest
                .find('`')
                .map(|end| (format!("<code>{}</code>", escape(&rest[..end])), end + 2)),
            '*' if rest.starts_with('*') => rest[1..].find("**").map(|end| {
                (
                    format!("<strong>{}</strong>", escape(&rest[1..1 + end])),
                    end + 4,
                )
            }),
            '[' => rest.find("](").and_then(|mid| {
                let after = &rest[mid + 2..];
                let end = after.find(')')?;
                let href = &after[..end];
                href.starts_with("https://").then(|| {
                    (
                        format!(
                            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
                            escape(href),
                            escape(&rest[..mid])
                        ),
                        1 + mid + 2 + end + 1,
                    )
                })
            }),
            _ => None,
        };
        match piece {
            Some((html, len)) => {
                out.push_str(&html);
                s = &s[len..];
            }
            None => {
                out.push_str(&escape(&s[..c.len_utf8()]));
                s = rest;
            }
        }
    }
    out
}

const STYLE: &str = "
body { font: 11pt/1.45 system-ui, sans-serif; color: #111; max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 2px solid #333; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .88em; }
.meta, .about { color: #444; } .about { font-size: .9em; }
table.plan { border-collapse: collapse; width: 100%; }
table.plan th, table.plan td { border-bottom: 1px solid #bbb; padding: .2rem .4rem; text-align: left; }
pre.diff { background: #f6f6f6; border: 1px solid #ccc; padding: .5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.diff span { display: block; } .add { background: #e3f6e3; } .del { background: #fbe4e4; } .hunk { color: #555; }
.url { overflow-wrap: anywhere; }
@media print {
  @page { margin: 12mm; }
  body { max-width: none; margin: 0; font-size: 8.5pt; line-height: 1.3; }
  h1 { font-size: 14pt; } h2 { font-size: 12pt; margin-top: 1rem; }
  h2, h3 { break-after: avoid; } h3 { font-size: 9.5pt; margin: .5rem 0 .1rem; }
  p, ul, ol { margin: .2rem 0; }
  nav { break-after: page; }
  section.lesson[data-first-of-pillar] { break-before: page; }
  section.lesson[data-first-of-pillar] h2 { margin-top: 0; }
  /* The diff in two columns of small type: most of a lesson's length. */
  pre.diff { font-size: 7pt; line-height: 1.2; column-count: 2; column-gap: 1rem; padding: .3rem; }
  ol.hints li, ul.conditions li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .add { background: none; font-weight: bold; } .del { background: none; text-decoration: line-through; }
}
";
