//! `ombuds user`: staff accounts from the command line, for the first administrator and for
//! scripts. `add` and `reset` print a one-time enrolment link; `list` prints the accounts;
//! `confirm` confirms a grant of case access that waits for an ombuds.
//!
//! The command line runs on the server, with its keys: it is the recovery path of the
//! two-person rule ([`crate::domain::access`]). Its grants need no confirmation, and every
//! ombuds sees them in the console.

use std::path::PathBuf;

use super::{Failure, Outcome};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::account::{AccountAction, Role};
use crate::store::Store;
use crate::usecase::accounts::{self, Acted, NewLink, Requested};
use crate::usecase::{Ctx, access};

/// What `ombuds user` was asked to do.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account and print its one-time enrolment link.
    Add {
        /// The account's username.
        name: String,
        /// admin, ombuds or board.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Print a new one-time enrolment link for an existing account (new password and TOTP).
    Reset {
        /// The account's username.
        name: String,
    },
    /// List the accounts.
    List,
    /// Confirm the grant of case access waiting for an ombuds account (for when no other
    /// ombuds can confirm it in the console).
    Confirm {
        /// The account's username.
        name: String,
    },
}

/// What the command line says about case access with a new link.
const RECOVERY: &str = "This ombuds account reads cases as soon as the link is used: the \
     command line on the server is the recovery path of the two-person rule and needs no \
     confirmation by another ombuds. Every ombuds sees this grant in the console.";

/// Parses a role name for clap.
pub fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_code(text).ok_or_else(|| "must be admin, ombuds or board".to_owned())
}

/// Arguments of `ombuds user`.
#[derive(Debug, Clone, clap::Args)]
pub struct UserArgs {
    /// Configuration file (default ./ombuds-data/ombuds.toml).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: UserCommand,
}

/// Runs `ombuds user …` against the configured data directory.
pub async fn run(args: UserArgs, clock: &Clock) -> Outcome {
    let config = Config::load(&super::config_file(args.config.as_ref()))
        .map_err(|e| Failure::Usage(super::said(&e)))?;
    let store = Store::open(&config)
        .await
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    let ctx = Ctx {
        store: &store,
        config: &config,
        clock,
    };
    let by = Requested::command_line();
    let base = config.base_url();
    // Said before the link, which stays the last line for scripts.
    let recovery = |made: &NewLink| {
        if made.grant.is_some() {
            format!("{RECOVERY}\n")
        } else {
            String::new()
        }
    };
    let no_account = |name: &str| format!("there is no account named {name:?}");
    let outcome = match args.command {
        UserCommand::Add { name, role } => match accounts::add(&ctx, by, &name, role).await {
            Ok(made) => Ok(format!(
                "{}Enrolment link for {name} ({}), valid once for 72 hours:\n  {base}{}",
                recovery(&made),
                role.code(),
                made.path(),
            )),
            Err(refusal) => Err(Failure::refused(refusal, || no_account(&name))),
        },
        UserCommand::Reset { name } => {
            match accounts::act(&ctx, by, &name, AccountAction::Reset).await {
                Ok(Acted::Link(made)) => Ok(format!(
                    "{}Reset link for {name}, valid once for 72 hours (their sessions end when it is used):\n  {base}{}",
                    recovery(&made),
                    made.path(),
                )),
                Ok(Acted::Done(_)) => Err(Failure::Runtime("the link could not be made".into())),
                Err(refusal) => Err(Failure::refused(refusal, || no_account(&name))),
            }
        }
        UserCommand::Confirm { name } => match access::confirm_from_host(&ctx, &name).await {
            Ok(()) => Ok(format!(
                "{name} reads cases now. Confirmed from the command line on the server; every \
                 ombuds sees it in the console."
            )),
            Err(refusal) => Err(Failure::refused(refusal, || {
                format!(
                    "no grant of case access for {name:?} is waiting for a confirmation (its \
                     link must have been used first)"
                )
            })),
        },
        UserCommand::List => match accounts::list(&ctx).await {
            Ok(users) if users.is_empty() => Ok("No accounts yet.".to_owned()),
            Ok(users) => Ok(users
                .iter()
                .map(|u| {
                    format!(
                        "{}\t{}{}{}",
                        u.username,
                        u.role.code(),
                        if u.disabled { "\tdisabled" } else { "" },
                        if u.role == Role::Ombuds && !u.case_access {
                            "\twaiting for an ombuds to confirm its case access"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")),
            Err(refusal) => Err(Failure::refused(refusal, || "no accounts".to_owned())),
        },
    };
    store.close().await;
    outcome.map(|text| text + "\n")
}
