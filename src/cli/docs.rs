//! `kubeharden rules`, `explain` and `completions`: the catalogue's documentation
//! ([`kubeharden::docs`]) and the shell completion scripts.

use clap::CommandFactory;

use kubeharden::docs::{self, RuleDoc};

use super::values::DocFormat;
use super::{out, Cli, CompletionsArgs, ExplainArgs, RulesArgs};

/// `kubeharden rules`: the catalogue as a table, JSON (`[RuleDoc]`) or Markdown.
pub fn rules(args: RulesArgs) -> Result<u8, String> {
    let docs = docs::builtin();
    match args.format {
        DocFormat::Human => out(&table(&docs)),
        DocFormat::Json => {
            let json = serde_json::to_string_pretty(&docs).map_err(|e| e.to_string())?;
            out(&(json + "\n"));
        }
        DocFormat::Markdown => out(&docs::catalogue_markdown(&docs)),
    }
    Ok(0)
}

/// The catalogue as a table: id, severity, area, Pod Security Standards check, title;
/// each column as wide as its widest cell.
pub fn table(docs: &[RuleDoc]) -> String {
    let header = ["ID", "SEVERITY", "AREA", "PSS", "TITLE"].map(String::from);
    let rows: Vec<[String; 5]> = docs
        .iter()
        .map(|d| {
            [
                d.id.clone(),
                d.severity.to_string(),
                d.area.as_str().to_string(),
                d.pss.as_ref().map_or("-".to_string(), |p| {
                    format!("{} {} (v1.{}+)", p.level.as_str(), p.check, p.since.minor)
                }),
                d.title.clone(),
            ]
        })
        .collect();
    let mut widths = [0; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// `kubeharden explain RULE`: [`docs::explain_text`] of the rule.
pub fn explain(args: ExplainArgs) -> Result<u8, String> {
    // The parser accepts only ids of the built-in catalogue.
    let doc = RuleDoc::builtin(&args.rule)
        .ok_or_else(|| format!("unknown rule {:?} (see kubeharden rules)", args.rule))?;
    out(&docs::explain_text(&doc));
    Ok(0)
}

/// `kubeharden completions SHELL`: clap_complete's script for the whole grammar.
pub fn completions(args: CompletionsArgs) -> Result<u8, String> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "kubeharden", &mut script);
    out(&String::from_utf8_lossy(&script));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_columns_fit_their_widest_cell() {
        let text = table(&docs::builtin());
        let lines: Vec<&str> = text.lines().collect();
        let start = |line: &str, word: &str| line.find(word).unwrap();
        let title_at = start(lines[0], "TITLE");
        let longest_pss = lines[1..]
            .iter()
            .map(|l| {
                let cells: Vec<&str> = l.split("  ").filter(|c| !c.is_empty()).collect();
                cells[3].trim().chars().count()
            })
            .max()
            .unwrap();
        assert_eq!(title_at, start(lines[0], "PSS") + longest_pss + 2, "{text}");
        for line in &lines[1..] {
            // Every title starts in the TITLE column: the cell before it ends with two spaces.
            assert_eq!(&line[title_at - 2..title_at], "  ", "{line}");
            assert_ne!(&line[title_at..title_at + 1], " ", "{line}");
        }
    }
}
