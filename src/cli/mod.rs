//! The command line's grammar (clap derive) and the commands behind it: `check`
//! ([`check`]), `fix` ([`fix`]), `rules`, `explain` and `completions` ([`docs`]), and
//! the workshop lessons ([`lesson`]).
//! Reading and writing files is in [`input`]; typed option values in [`values`].

pub mod access;
pub mod baseline;
pub mod check;
pub mod config;
pub mod docs;
pub mod fix;
pub mod input;
pub mod lesson;
pub mod values;

use std::io::Write;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, Parser, Subcommand};

use kubeharden::config::Config;
use kubeharden::support::Date;
use kubeharden::yaml::Limits;
use kubeharden::{KubeVersion, Options, Profile, Severity};

use values::{Choice, ColorWhen, DocFormat, ReportFormat};

const AFTER_HELP: &str = "\
Exit status: 0 nothing to report, 1 findings (check: at the threshold; fix: remaining),
2 usage error or input that could not be read. can-i: 0 yes, 1 no; reach --from --to:
0 allowed, 1 denied, 3 the manifests cannot decide.
Run `kubeharden COMMAND --help` for a command's options.";

/// kubeharden — Kubernetes manifest security checker
#[derive(Debug, Parser)]
#[command(
    name = "kubeharden",
    version,
    after_help = AFTER_HELP,
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(CheckArgs),
    Fix(FixArgs),
    Rules(RulesArgs),
    Explain(ExplainArgs),
    Config(config::ConfigArgs),
    Completions(CompletionsArgs),
    CanI(access::CanIArgs),
    WhoCan(access::WhoCanArgs),
    Access(access::AccessArgs),
    Reach(access::ReachArgs),
    Lesson(lesson::LessonArgs),
}

/// Options `check` and `fix` share: which rules run, and the inputs.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Rules to run: baseline, restricted or all [default: the config file's, else all]
    #[arg(
        long,
        value_name = "PROFILE",
        value_parser = Choice::profile(),
        hide_possible_values = true,
        long_help = "Rules to run [default: the config file's `profile`, else all]\n\
                     baseline:   the Pod Security Standards baseline checks\n\
                     restricted: the baseline and restricted checks\n\
                     all:        every rule\n\
                     The manifest-validity rules run under every profile."
    )]
    pub profile: Option<Profile>,
    /// Target Kubernetes version: 1.NN, 1.NN.P, v1.NN[.P] or latest (v1.37)
    #[arg(
        long,
        value_name = "VERSION",
        value_parser = values::kube_version,
        long_help = "Target Kubernetes version: 1.NN, 1.NN.P, v1.NN[.P] or latest (v1.37)\n\
                     [default: the config file's `kube-version`, else latest]. A Pod Security\n\
                     Standards check applies from the version that introduced it. With a patch\n\
                     release (1.29.3) the known-CVE rules say which CVEs that release has."
    )]
    pub kube_version: Option<KubeVersion>,
    /// The configuration file [default: .kubeharden.yaml here or in a parent directory]
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<std::path::PathBuf>,
    /// Use no configuration file, even if one is found
    #[arg(long)]
    pub no_config: bool,
    /// Refuse larger inputs [default: 33554432, 32 MiB]
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = Limits::default().max_input_bytes,
        value_parser = values::byte_count,
        hide_default_value = true
    )]
    pub max_input_size: usize,
    /// Files, directories or - for standard input (the default when piped)
    #[arg(
        value_name = "PATH",
        long_help = "Files, directories or - for standard input (the default when it is piped).\n\
                     Directories are read recursively: *.yaml, *.yml and *.json files; hidden\n\
                     folders are skipped."
    )]
    pub paths: Vec<String>,
}

impl EngineArgs {
    /// The engine options: each flag given, else the configuration file's value, else
    /// the default.
    pub fn options(&self, config: &Config) -> Options {
        let mut options = config.options(Options::default());
        if let Some(p) = self.profile {
            options.profile = p;
        }
        if let Some(v) = self.kube_version {
            options.version = v;
        }
        options.limits.max_input_bytes = self.max_input_size;
        options
    }
}

/// Check manifests and report the findings
#[derive(Debug, Args)]
#[command(after_help = "\
Exit status:
  0  no unsuppressed finding reaches the threshold
  1  a finding reaches the threshold
  2  usage error, or input that could not be read (a broken document is reported at
     its location; the other documents are still checked)")]
pub struct CheckArgs {
    /// Output format: human, json, sarif (code scanning) or junit (CI test reports)
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = Choice::report_format())]
    pub format: ReportFormat,
    /// Write the --format report to FILE; the human report still goes to standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Record the ids of today's unsuppressed findings in FILE (for --baseline) and exit 0
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<std::path::PathBuf>,
    /// Findings recorded in FILE (by --write-baseline) are suppressed: only new ones fail
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<std::path::PathBuf>,
    /// Exit 1 from this severity up: critical, high, medium, low, info [default: the
    /// config file's `severity-threshold`, else info]
    #[arg(
        long,
        value_name = "LEVEL",
        value_parser = Choice::severity(),
        hide_possible_values = true
    )]
    pub severity_threshold: Option<Severity>,
    /// Exit 1 when an object is not checked (a custom resource without a pod template)
    #[arg(
        long,
        long_help = "Exit 1 when an object is not checked: a document that is not a Kubernetes\n\
                     object, a custom resource with no pod template, a workload without a pod\n\
                     spec. Each is a note, and the summary counts them. Also exit 1 when an\n\
                     input holds no object at all (an empty file or stream)."
    )]
    pub fail_on_unchecked: bool,
    /// Also print suppressed findings (human format)
    #[arg(long)]
    pub show_suppressed: bool,
    /// Run only this rule (repeatable; every rule of the profile when absent); built-in or
    /// a custom rule of the configuration file
    #[arg(long = "rule", value_name = "RULE", value_parser = values::AnyRuleId, hide_possible_values = true)]
    pub rules: Vec<String>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never [default: auto]
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "auto",
        value_parser = Choice::color(),
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub color: ColorWhen,
    /// Files checked in parallel [default: the number of cores]
    #[arg(short, long, value_name = "N", value_parser = values::job_count)]
    pub jobs: Option<usize>,
    /// The day the target version's support is judged on [default: KUBEHARDEN_TODAY, else
    /// the system date in UTC]
    #[arg(
        long,
        value_name = "YYYY-MM-DD",
        value_parser = today_date,
        long_help = "The day the target version's support status is judged on: past its end of\n\
                     support, the report says so (summary.target in JSON, a warning line in the\n\
                     human output). [default: the environment variable KUBEHARDEN_TODAY, else\n\
                     the system date in UTC]. For reproducible reports and tests."
    )]
    pub today: Option<Date>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// `--today`: a date `YYYY-MM-DD`.
fn today_date(text: &str) -> Result<Date, String> {
    text.parse()
}

/// Write the hardened text: the fewest edits that fix the findings
#[derive(Debug, Args)]
#[command(
    long_about = "Write the hardened text: the input with the fewest edits that fix its findings,\n\
                  comments and formatting kept. Only safe fixes are applied, unless --unsafe\n\
                  (hardening that may change behaviour: dropping capabilities, forcing a\n\
                  non-root user, ...). With one input and neither --diff nor --write, the\n\
                  hardened text goes to standard output; a summary per file goes to standard\n\
                  error.",
    after_help = "\
Exit status:
  0  no finding remains
  1  findings remain (no automatic fix, unsafe without --unsafe, or skipped)
  2  usage error, or input that could not be read or fixed"
)]
pub struct FixArgs {
    /// Also apply fixes that may change how a workload behaves
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// Print a unified diff instead of the hardened text
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Rewrite the files in place (atomically; the file mode is kept)
    #[arg(long)]
    pub write: bool,
    /// Fix only this rule's findings (repeatable)
    #[arg(long = "rule", value_name = "RULE", value_parser = values::RuleId, hide_possible_values = true)]
    pub rules: Vec<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// List the rule catalogue
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// human (a table), json (every rule's documentation) or markdown (docs/rules.md)
    /// [default: human]
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = "human",
        value_parser = Choice::doc_format(),
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub format: DocFormat,
}

/// Explain a rule: why it matters, how to fix it, an example
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id (see `kubeharden rules`)
    #[arg(value_name = "RULE", value_parser = values::RuleId, hide_possible_values = true)]
    pub rule: String,
}

/// Print a shell completion script
#[derive(Debug, Args)]
#[command(after_help = "\
Install:
  bash: kubeharden completions bash > /etc/bash_completion.d/kubeharden
  zsh:  kubeharden completions zsh > \"${fpath[1]}/_kubeharden\"
  fish: kubeharden completions fish > ~/.config/fish/completions/kubeharden.fish")]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// The parsed command line; on a usage error, prints it and exits with status 2 (help
/// and version exit 0).
pub fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|e| reword(e).exit())
}

/// clap's errors, with "unknown option" and "unknown command" as the first words for an
/// unknown flag or command (clap says "unexpected argument" and "unrecognized
/// subcommand"); its tips ("a similar argument exists"), usage and help hint are kept.
fn reword(error: clap::Error) -> clap::Error {
    let (context, what) = match error.kind() {
        ErrorKind::UnknownArgument => (ContextKind::InvalidArg, "unknown option"),
        ErrorKind::InvalidSubcommand => (ContextKind::InvalidSubcommand, "unknown command"),
        _ => return error,
    };
    let Some(ContextValue::String(name)) = error.get(context) else {
        return error;
    };
    if error.kind() == ErrorKind::UnknownArgument && !name.starts_with('-') {
        return error;
    }
    let rendered = error.render().to_string();
    let rest = rendered.split_once('\n').map_or("", |(_, rest)| rest);
    clap::Error::raw(error.kind(), format!("{what} '{name}'\n{rest}"))
}

/// The top-level help, for `kubeharden` without a command.
pub fn help() -> Result<u8, String> {
    out(&Cli::command().render_help().to_string());
    Ok(0)
}

/// The exit status of a command: its own status, or 2 after printing its error.
pub fn exit(result: Result<u8, String>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            let _ = writeln!(
                std::io::stderr(),
                "kubeharden: {message}\n(see kubeharden --help)"
            );
            ExitCode::from(2)
        }
    }
}

/// Write to standard output; a closed pipe (`| head`) is not an error worth a panic.
pub fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_help_states_the_input_size_limit() {
        assert_eq!(
            Limits::default().max_input_bytes,
            33_554_432,
            "update the --max-input-size help"
        );
    }
}
