//! The `kubeharden` command line: a thin edge over the library. The grammar and the
//! commands are in [`cli`]; `main` parses and dispatches.

mod cli;

use std::process::ExitCode;

use cli::Command;

fn main() -> ExitCode {
    let status = match cli::parse().command {
        Some(Command::Check(args)) => cli::check::run(args),
        Some(Command::Fix(args)) => cli::fix::run(args),
        Some(Command::Rules(args)) => cli::docs::rules(args),
        Some(Command::Explain(args)) => cli::docs::explain(args),
        Some(Command::Config(args)) => cli::config::run(args),
        Some(Command::Completions(args)) => cli::docs::completions(args),
        Some(Command::CanI(args)) => cli::access::can_i(args),
        Some(Command::WhoCan(args)) => cli::access::who_can(args),
        Some(Command::Access(args)) => cli::access::access(args),
        Some(Command::Reach(args)) => cli::access::reach(args),
        Some(Command::Lesson(args)) => cli::lesson::run(args),
        None => cli::help(),
    };
    cli::exit(status)
}
