//! The `ombuds` command line: the argument grammar, one failure type with one exit-code
//! convention, and the dispatch to one module per command.
//!
//! Exit status, for every command: 0 on success (the result on standard output); 2 when the
//! input or configuration is wrong, with one line `error: …` on standard error naming the
//! argument or setting at fault; 1 when anything else fails (a database, the disk, writing the
//! output, or a certificate that does not verify).
//!
//! Commands decide nothing themselves: they parse, load the configuration, call the use case
//! or the domain rule, and print. What they print and every failure's message come from the
//! English-only `[cli]` section of `translations/en.toml`: a failure carries a [`Phrase`],
//! worded once, when it is printed. The `--help` descriptions are clap's, from the doc comments
//! of the argument structs; the `about` and `after_help` paragraphs come from `[cli.help]`.

pub mod backup;
pub mod certificate;
pub mod check;
pub mod deadline;
pub mod docs;
pub mod init;
pub mod report;
pub mod retention;
pub mod serve;
pub mod user;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser, Subcommand};

use crate::clock::Clock;
use crate::domain::phrase::{Phrase, Said};
use crate::i18n::Lang;

/// Why a command failed, and so its exit status.
#[derive(Debug)]
pub enum Failure {
    /// The arguments, a file or the configuration are wrong (exit status 2). The message names
    /// the argument or setting.
    Usage(Phrase),
    /// Anything else failed (exit status 1).
    Runtime(Phrase),
}

impl Failure {
    /// The process exit status of this failure.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Usage(_) => ExitCode::from(2),
            Self::Runtime(_) => ExitCode::FAILURE,
        }
    }

    /// What to tell the operator, in words.
    pub fn message(&self) -> String {
        match self {
            Self::Usage(phrase) | Self::Runtime(phrase) => Lang::En.say(phrase),
        }
    }

    /// A usage failure whose words come from elsewhere (a configuration error, a library).
    fn usage(problem: &impl Said) -> Self {
        Self::Usage(problem.phrase())
    }

    /// A failure that another part of the program (the store, the server, a library) has
    /// already put in words, as it is.
    fn runtime_text(text: impl std::fmt::Display) -> Self {
        Self::Runtime(as_is(text))
    }

    /// A use case's refusal, `not_found` saying what there was none of.
    fn refused(refusal: crate::usecase::Refusal, not_found: impl FnOnce() -> Phrase) -> Self {
        use crate::usecase::Refusal;
        match refusal {
            Refusal::NotFound => Self::Usage(not_found()),
            Refusal::Invalid(errors) => Self::Usage(as_is(
                errors
                    .iter()
                    .map(|e| {
                        Lang::En.say(
                            &Phrase::new("cli.field_problem")
                                .with("field", e.field)
                                .with("problem", e.problem.clone()),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Refusal::Store(error) => Self::runtime_text(error),
            Refusal::Internal(detail) => Self::runtime_text(detail),
        }
    }
}

/// Text worded elsewhere (another layer's error, a library's, the operating system's), as it
/// is.
pub(crate) fn as_is(text: impl std::fmt::Display) -> Phrase {
    Phrase::new("cli.as_is").with("text", text.to_string())
}

/// A line of `[cli]` text with its values, in words.
pub(crate) fn say(phrase: &Phrase) -> String {
    Lang::En.say(phrase)
}

/// What a command prints on success.
pub type Outcome = Result<String, Failure>;

#[derive(Parser)]
#[command(name = "ombuds", version, about = Lang::En.t("cli.help.about"))]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web service. Without --config it uses ./ombuds-data, creating it on first run.
    Serve(serve::ServeArgs),
    /// Create a data directory: configuration, keys and an empty database.
    Init {
        /// The directory to create (it may exist, but must not hold a configuration yet).
        #[arg(required_unless_present = "config")]
        dir: Option<PathBuf>,
        /// Instead: create the keys and empty databases an existing configuration names, if
        /// none of them exists yet (nothing to do if all exist; refused if only some do).
        #[arg(long, value_name = "FILE", conflicts_with = "dir")]
        config: Option<PathBuf>,
    },
    /// Compute the 180-day filing deadline and explain it, as one JSON object.
    Deadline(deadline::DeadlineArgs),
    /// What is kept and for how long (--policy), or what is held now: counts, never content.
    Retention(retention::RetentionArgs),
    /// Manage staff accounts: add, reset, list.
    User(user::UserArgs),
    /// Check a signed suspension or resolution certificate, or print the key that checks them.
    Certificate(certificate::CertificateArgs),
    /// Print the board trend report of a complete period as HTML, CSV or JSON.
    Report(report::ReportArgs),
    /// Check a configuration and every file and database it names; changes nothing.
    Check(check::CheckArgs),
    /// Copy the data directory and databases, while the service runs, into two sets kept apart.
    Backup(backup::BackupArgs),
    /// Write the manual pages and shell completions into a directory (for packagers).
    #[command(hide = true)]
    GenerateDocs {
        /// The directory to write man/ and completions/ into.
        dir: PathBuf,
    },
}

/// Runs the command line of this process and returns its exit status.
pub fn main() -> ExitCode {
    // Before any key is read, whichever command runs.
    for warning in crate::server::hardening::disable_core_dumps() {
        let line = Phrase::new("cli.warning").with("warning", warning.to_string());
        crate::telemetry::warn(format_args!("{}", say(&line)));
    }
    let cli = parse::<Cli>();
    let clock = Clock::from_env();
    let outcome = match cli.command {
        // Commands that need no runtime and set up no logging.
        Command::Deadline(args) => deadline::run(&args, &clock),
        Command::Certificate(args) => certificate::run(&args),
        Command::Report(args) => report::run(&args, &clock),
        Command::GenerateDocs { dir } => docs::generate(Cli::command(), &dir),
        command => with_runtime(command, clock),
    };
    match outcome {
        Ok(text) => print(&text),
        Err(failure) => {
            let line = Phrase::new("cli.error").with("message", failure.message());
            crate::telemetry::warn(format_args!("{}", say(&line)));
            failure.exit_code()
        }
    }
}

/// Runs a command that needs logging and an async runtime.
fn with_runtime(command: Command, clock: Clock) -> Outcome {
    crate::telemetry::init();
    let _ = rustls::crypto::CryptoProvider::install_default(crate::server::tls::provider());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(cannot_start_runtime(&e)))?;
    runtime.block_on(async move {
        match command {
            Command::Serve(args) => serve::run(args, clock).await,
            Command::Init { dir, config } => match (dir, config) {
                (_, Some(file)) => init::run_for(&file).await,
                (Some(dir), None) => init::run(&dir).await,
                (None, None) => Err(Failure::Usage(Phrase::new("cli.init.name_one"))),
            },
            Command::Check(args) => check::run(&args).await,
            Command::Backup(args) => backup::run(&args).await,
            Command::Retention(args) => retention::run(&args, &clock).await,
            Command::User(args) => user::run(args, &clock).await,
            Command::Deadline(_)
            | Command::Certificate(_)
            | Command::Report(_)
            | Command::GenerateDocs { .. } => Ok(String::new()),
        }
    })
}

/// Why a command that needs an async runtime did not run.
fn cannot_start_runtime(error: &std::io::Error) -> Phrase {
    Phrase::new("cli.cannot_start_runtime").with("error", error.to_string())
}

/// Writes a command's result to standard output.
fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let problem = Phrase::new("cli.cannot_write_result").with("error", e.to_string());
            let line = Phrase::new("cli.error").with("message", problem);
            crate::telemetry::warn(format_args!("{}", say(&line)));
            ExitCode::FAILURE
        }
    }
}

/// The configuration file a command reads: `--config FILE`, or `./ombuds-data/ombuds.toml`.
pub fn config_file(config: Option<&PathBuf>) -> PathBuf {
    config.cloned().unwrap_or_else(init::default_config_file)
}

/// Parses the whole command line like [`clap::Parser::parse`], except that a value rejected by
/// an argument's `value_parser` is reported on one line that names the argument, e.g.
/// `error: --suspended "2026-03-13:2026-02-02": the episode ends before it starts`, with exit
/// status 2. Every other clap outcome (help, version, a missing or unknown argument) is left to
/// clap.
pub fn parse<P: clap::Parser>() -> P {
    match P::try_parse() {
        Ok(parsed) => parsed,
        Err(err) => {
            if let Some(line) = one_line_value_error(&err) {
                eprintln!("{line}");
                std::process::exit(2);
            }
            err.exit()
        }
    }
}

/// The one-line form of a clap value-validation error, if `err` is one.
fn one_line_value_error(err: &clap::Error) -> Option<String> {
    if err.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let ContextValue::String(arg) = err.get(ContextKind::InvalidArg)? else {
        return None;
    };
    let ContextValue::String(value) = err.get(ContextKind::InvalidValue)? else {
        return None;
    };
    let source = std::error::Error::source(err)?;
    // "--suspended <START:END>" -> "--suspended"
    let flag = arg.split_whitespace().next().unwrap_or(arg);
    let problem = Phrase::new("cli.bad_value")
        .with("flag", flag)
        .with("value", format!("{value:?}"))
        .with("problem", source.to_string());
    Some(say(&Phrase::new("cli.error").with("message", problem)))
}
