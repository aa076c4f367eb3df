//! `ombuds serve`: loads the configuration (making `./ombuds-data` on the first run when none is
//! named) and hands over to [`crate::server`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::init::{CONFIG_FILE, DEFAULT_DATA_DIR};
use super::{Failure, Outcome};
use crate::clock::Clock;
use crate::config::Config;
use crate::server::{self, ServeError};

/// Arguments of `ombuds serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Configuration file of an existing data directory.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on, instead of the configured one (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
}

/// Serves until a shutdown signal.
pub async fn run(args: ServeArgs, clock: Clock) -> Outcome {
    let file = match args.config {
        Some(file) => file,
        None => {
            let dir = Path::new(DEFAULT_DATA_DIR);
            if !dir.join(CONFIG_FILE).exists() {
                let made = super::init::run(dir).await?;
                crate::telemetry::say(format_args!("{}", made.trim_end()));
            }
            dir.join(CONFIG_FILE)
        }
    };
    let config = Config::load(&file).map_err(|e| Failure::usage(&e))?;
    server::serve(config, args.listen, clock)
        .await
        .map_err(|e| match e {
            ServeError::Refused(m) => Failure::Usage(super::as_is(m)),
            ServeError::Tls(e) => Failure::Usage(super::as_is(e)),
            other => Failure::runtime_text(other),
        })?;
    Ok(String::new())
}
