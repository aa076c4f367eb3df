//! The `ombuds` command line: parse arguments, then hand over to the library.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use ombuds::cli_user::{UserCommand, UserError};
use ombuds::clock::Clock;
use ombuds::config::Config;
use ombuds::init::{self, CONFIG_FILE, DEFAULT_DATA_DIR};
use ombuds::server::{self, ServeError};

/// mimalloc instead of glibc's allocator: age allocates a 64 KiB chunk buffer for every file it
/// opens or seals, and glibc answered each with a consolidation of its small-block bins
/// (`malloc_consolidate`), about a tenth of a follow-up look-up's time. See BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "ombuds", version, about = "Confidential ombuds intake service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web service. Without --config it uses ./ombuds-data, creating it on first run.
    Serve {
        /// Configuration file of an existing data directory.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Address to listen on, instead of the configured one (port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
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
    Deadline(ombuds::cli_deadline::DeadlineArgs),
    /// What is kept and for how long (--policy), or what is held now: counts, never content.
    Retention {
        /// Print the retention table instead of the counts.
        #[arg(long)]
        policy: bool,
        /// Configuration file (default ./ombuds-data/ombuds.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Manage staff accounts: add, reset, list.
    User {
        /// Configuration file (default ./ombuds-data/ombuds.toml).
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check a signed suspension certificate, or print the key that checks them.
    Certificate(ombuds::cli_certificate::CertificateArgs),
    /// Print the board trend report of a complete period as HTML, CSV or JSON.
    Report(ombuds::cli_report::ReportArgs),
    /// Check a configuration and every file and database it names; changes nothing.
    Check {
        /// Configuration file (default ./ombuds-data/ombuds.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Copy the data directory and databases, while the service runs, into two sets kept apart.
    Backup(ombuds::cli_backup::BackupArgs),
    /// Write the manual pages and shell completions into a directory (for packagers).
    #[command(hide = true)]
    GenerateDocs {
        /// The directory to write man/ and completions/ into.
        dir: PathBuf,
    },
}

/// A failure the user can fix (exit status 2), or any other failure (exit status 1).
enum Failure {
    Usage(String),
    Runtime(String),
}

fn main() -> ExitCode {
    // Before any key is read, whichever command runs.
    for warning in ombuds::hardening::disable_core_dumps() {
        eprintln!("warning: {warning}");
    }
    let cli = ombuds::cli_deadline::parse_cli::<Cli>();
    if let Command::Deadline(args) = &cli.command {
        return ombuds::cli_deadline::run(args, &Clock::from_env());
    }
    if let Command::Certificate(args) = &cli.command {
        return ombuds::cli_certificate::run(args, &Clock::from_env());
    }
    if let Command::Report(args) = &cli.command {
        return ombuds::cli_report::run(args, &Clock::from_env());
    }
    if let Command::GenerateDocs { dir } = &cli.command {
        return match ombuds::cli_docs::generate(Cli::command(), dir) {
            Ok(written) => {
                println!("{written}");
                ExitCode::SUCCESS
            }
            Err(message) => fail(Failure::Runtime(message)),
        };
    }
    ombuds::telemetry::init();
    let _ = rustls::crypto::CryptoProvider::install_default(ombuds::tls::provider());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(Failure::Runtime(format!("cannot start the runtime: {e}"))),
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve { config, listen } => serve(config, listen).await,
            Command::Init { dir, config } => match (dir, config) {
                (_, Some(file)) => init_for(&file).await,
                (Some(dir), None) => init_dir(&dir).await,
                (None, None) => Err(Failure::Usage("name a directory or --config FILE".into())),
            },
            Command::Retention { policy, config } => {
                let file = config.unwrap_or_else(init::default_config_file);
                match ombuds::cli_retention::run(&file, policy, &Clock::from_env()).await {
                    Ok(text) => {
                        print!("{text}");
                        Ok(())
                    }
                    Err((true, m)) => Err(Failure::Usage(m)),
                    Err((false, m)) => Err(Failure::Runtime(m)),
                }
            }
            Command::User { config, command } => {
                let file = config.unwrap_or_else(init::default_config_file);
                match ombuds::cli_user::run(&file, command, &Clock::from_env()).await {
                    Ok(text) => {
                        println!("{text}");
                        Ok(())
                    }
                    Err(UserError::Usage(m)) => Err(Failure::Usage(m)),
                    Err(UserError::Runtime(m)) => Err(Failure::Runtime(m)),
                }
            }
            Command::Check { config } => {
                let file = config.unwrap_or_else(init::default_config_file);
                match ombuds::cli_check::run(&file).await {
                    Ok(report) if report.problems.is_empty() => {
                        print!("{}", report.text(&file));
                        Ok(())
                    }
                    Ok(report) => {
                        print!("{}", report.text(&file));
                        Err(Failure::Usage(format!(
                            "{}: {} problem(s) found",
                            file.display(),
                            report.problems.len()
                        )))
                    }
                    Err(message) => Err(Failure::Usage(message)),
                }
            }
            Command::Backup(args) => {
                let file = args
                    .config
                    .clone()
                    .unwrap_or_else(init::default_config_file);
                match ombuds::cli_backup::run(&file, &args).await {
                    Ok(text) => {
                        print!("{text}");
                        Ok(())
                    }
                    Err(ombuds::cli_backup::BackupError::Usage(m)) => Err(Failure::Usage(m)),
                    Err(ombuds::cli_backup::BackupError::Runtime(m)) => Err(Failure::Runtime(m)),
                }
            }
            Command::Deadline(_)
            | Command::Certificate(_)
            | Command::Report(_)
            | Command::GenerateDocs { .. } => Ok(()),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(failure),
    }
}

fn fail(failure: Failure) -> ExitCode {
    match failure {
        Failure::Usage(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Failure::Runtime(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Option<PathBuf>, listen: Option<SocketAddr>) -> Result<(), Failure> {
    let file = match config {
        Some(file) => file,
        None => {
            let dir = Path::new(DEFAULT_DATA_DIR);
            if !dir.join(CONFIG_FILE).exists() {
                init_dir(dir).await?;
            }
            dir.join(CONFIG_FILE)
        }
    };
    let config = Config::load(&file).map_err(|e| Failure::Usage(e.to_string()))?;
    server::serve(config, listen, Clock::from_env())
        .await
        .map_err(|e| match e {
            ServeError::Refused(m) => Failure::Usage(m),
            ServeError::Tls(e) => Failure::Usage(e.to_string()),
            other => Failure::Runtime(other.to_string()),
        })
}

async fn init_for(file: &Path) -> Result<(), Failure> {
    match init::init_for(file).await {
        Ok(init::Prepared::AlreadyThere) => {
            println!(
                "Every file {} names exists already; nothing to do",
                file.display()
            );
            Ok(())
        }
        Ok(init::Prepared::Created(made)) => {
            println!(
                "Created the keys and empty databases {} names\n  association public key: {}\n  \
                 certificate public key: {}",
                file.display(),
                made.recipient,
                made.certificate_public_key
            );
            Ok(())
        }
        Err(e @ init::InitError::Partial { .. }) => Err(Failure::Usage(e.to_string())),
        Err(e @ init::InitError::Other(_)) => Err(Failure::Usage(e.to_string())),
        Err(e) => Err(Failure::Runtime(e.to_string())),
    }
}

async fn init_dir(dir: &Path) -> Result<(), Failure> {
    let made = init::init(dir).await.map_err(|e| match e {
        init::InitError::AlreadyInitialised(_) | init::InitError::FileExists(_) => {
            Failure::Usage(e.to_string())
        }
        other => Failure::Runtime(other.to_string()),
    })?;
    println!(
        "Initialised a new ombuds data directory: {}\n  association public key: {}\n  \
         certificate public key: {}\n  \
         edit {} to set the association's name, contacts and time zone",
        dir.display(),
        made.recipient,
        made.certificate_public_key,
        made.config_file.display()
    );
    Ok(())
}
