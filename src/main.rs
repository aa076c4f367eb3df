//! The `ombuds` command line: parse arguments, then hand over to the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "ombuds", version, about = "Confidential ombuds intake service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web service.
    Serve,
    /// Compute the 180-day filing deadline and explain it, as one JSON object.
    Deadline(ombuds::cli_deadline::DeadlineArgs),
}

fn main() -> ExitCode {
    let cli = ombuds::cli_deadline::parse_cli::<Cli>();
    match cli.command {
        Command::Serve => ExitCode::SUCCESS,
        Command::Deadline(args) => ombuds::cli_deadline::run(&args),
    }
}
