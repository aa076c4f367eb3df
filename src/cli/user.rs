//! `ombuds user`: staff accounts from the command line, for the first administrator and for
//! scripts. `add` and `reset` print a one-time enrolment link (retiring any link the account
//! still had); `list` prints the accounts and the links not used yet; `revoke` makes an unused
//! link stop working; `confirm` confirms a grant of case access that waits for an ombuds.
//!
//! The command line runs on the server, with its keys: it is the recovery path of the
//! two-person rule ([`crate::domain::access`]). Its grants need no confirmation, and every
//! ombuds sees them in the console.

use std::path::PathBuf;

use super::{Failure, Outcome, say};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::account::{AccountAction, Role};
use crate::domain::phrase::Phrase;
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
    /// List the accounts, and the enrolment links not used yet.
    List,
    /// Revoke the enrolment link not used yet for an account: it stops working at once.
    Revoke {
        /// The account's username.
        name: String,
    },
    /// Confirm the grant of case access waiting for an ombuds account (for when no other
    /// ombuds can confirm it in the console).
    Confirm {
        /// The account's username.
        name: String,
    },
}

/// Parses a role name for clap.
pub fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_code(text).ok_or_else(|| say(&Phrase::new("cli.user.role")))
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
    let config =
        Config::load(&super::config_file(args.config.as_ref())).map_err(|e| Failure::usage(&e))?;
    let store = Store::open(&config).await.map_err(Failure::runtime_text)?;
    let ctx = Ctx {
        store: &store,
        config: &config,
        clock,
    };
    let by = Requested::command_line();
    let base = config.base_url();
    // Said before the link, which stays the last line for scripts.
    let link = |made: &NewLink, phrase: Phrase| {
        let link = say(&phrase.with("link", format!("{base}{}", made.path())));
        if made.grant.is_some() {
            format!("{}\n{link}", say(&Phrase::new("cli.user.recovery")))
        } else {
            link
        }
    };
    let no_account =
        |name: &str| Phrase::new("cli.user.no_account").with("name", format!("{name:?}"));
    let outcome = match args.command {
        UserCommand::Add { name, role } => match accounts::add(&ctx, by, &name, role).await {
            Ok(made) => Ok(link(
                &made,
                Phrase::new("cli.user.enrolment_link")
                    .with("name", name.as_str())
                    .with("role", role.code()),
            )),
            Err(refusal) => Err(Failure::refused(refusal, || no_account(&name))),
        },
        UserCommand::Reset { name } => {
            match accounts::act(&ctx, by, &name, AccountAction::Reset).await {
                Ok(Acted::Link(made)) => Ok(link(
                    &made,
                    Phrase::new("cli.user.reset_link").with("name", name.as_str()),
                )),
                Ok(Acted::Done(_)) => Err(Failure::Runtime(Phrase::new("cli.user.no_link"))),
                Err(refusal) => Err(Failure::refused(refusal, || no_account(&name))),
            }
        }
        UserCommand::Confirm { name } => match access::confirm_from_host(&ctx, &name).await {
            Ok(()) => Ok(say(
                &Phrase::new("cli.user.confirmed").with("name", name.as_str())
            )),
            Err(refusal) => Err(Failure::refused(refusal, || {
                Phrase::new("cli.user.nothing_to_confirm").with("name", format!("{name:?}"))
            })),
        },
        UserCommand::Revoke { name } => match accounts::revoke(&ctx, by, &name).await {
            Ok(()) => Ok(say(
                &Phrase::new("cli.user.revoked").with("name", name.as_str())
            )),
            Err(refusal) => Err(Failure::refused(refusal, || {
                Phrase::new("cli.user.nothing_to_revoke").with("name", format!("{name:?}"))
            })),
        },
        UserCommand::List => {
            let listed = match accounts::list(&ctx).await {
                Ok(users) => accounts::pending(&ctx)
                    .await
                    .map(|pending| (users, pending)),
                Err(refusal) => Err(refusal),
            };
            match listed {
                Ok((users, pending)) if users.is_empty() && pending.is_empty() => {
                    Ok(say(&Phrase::new("cli.user.none")))
                }
                Ok((users, pending)) => Ok(list_lines(&users, &pending).join("\n")),
                Err(refusal) => Err(Failure::refused(refusal, || {
                    Phrase::new("cli.user.no_accounts")
                })),
            }
        }
    };
    store.close().await;
    outcome.map(|text| text + "\n")
}

/// One line per account (name, role, then what stands out: disabled, waiting for a
/// confirmation, a reset link not used yet), then one per account still to be created by a link
/// not used yet; fields are separated by tabs.
fn list_lines(users: &[crate::store::UserSummary], pending: &[accounts::Pending]) -> Vec<String> {
    let until = |p: &accounts::Pending| p.expires_on;
    let mut lines: Vec<String> = users
        .iter()
        .map(|u| {
            let mut line = format!("{}\t{}", u.username, u.role.code());
            let mut add = |phrase: Phrase| {
                line.push('\t');
                line.push_str(&say(&phrase));
            };
            if u.disabled {
                add(Phrase::new("cli.user.disabled"));
            }
            if u.role == Role::Ombuds && !u.case_access {
                add(Phrase::new("cli.user.unconfirmed"));
            }
            if let Some(link) = pending.iter().find(|p| p.username == u.username) {
                add(Phrase::new("cli.user.reset_pending").with("date", until(link)));
            }
            line
        })
        .collect();
    lines.extend(pending.iter().filter(|p| !p.reset).map(|p| {
        let invited = Phrase::new("cli.user.invited").with("date", until(p));
        format!("{}\t{}\t{}", p.username, p.role.code(), say(&invited))
    }));
    lines
}
