//! `ombuds retention`: what the service keeps and for how long (`--policy`), and what it holds
//! now — counts and dates per retention class, never content.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Failure, Outcome, say};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::phrase::Phrase;
use crate::domain::retention::{RetentionClass, table};
use crate::i18n::Lang;
use crate::store::{Holding, Store};

/// The retention table as text, with the note lifetimes from `config` (or the defaults).
pub fn policy_text(config: Option<&Config>) -> String {
    let (days, max, certificate_days) = config.map_or(
        (30, 90, crate::config::letters::DEFAULT_CERTIFICATE_DAYS),
        |c| {
            (
                c.retention.note_days,
                c.retention.note_max_days,
                c.letters.certificate_days,
            )
        },
    );
    let mut out = format!("{}\n\n", Lang::En.t("staff.retention.policy_heading"));
    for rule in table(days, max, certificate_days) {
        let rule = Phrase::new("cli.retention.rule")
            .with("class", Lang::En.label(rule.class))
            .with("kept", rule.lifetime)
            .with("destroyed", rule.destruction);
        let _ = writeln!(out, "{}\n", say(&rule));
    }
    out.push_str(Lang::En.t("staff.retention.policy_footer"));
    out.push('\n');
    out
}

/// The holdings as text.
pub fn holdings_text(holdings: &[(RetentionClass, Holding)], today: chrono::NaiveDate) -> String {
    let mut out = format!(
        "{:<32} {:>8}  {:<12} {}\n",
        Lang::En.t("cli.retention.class"),
        Lang::En.t("cli.retention.held"),
        Lang::En.t("cli.retention.next_expiry"),
        Lang::En.t("cli.retention.oldest")
    );
    for (class, h) in holdings {
        let next = h.next_expiry.map_or("-".to_owned(), |d| d.to_string());
        let oldest = h.oldest.map_or("-".to_owned(), |d| {
            let age = u64::try_from((today - d).num_days()).unwrap_or(0);
            say(&Phrase::new("cli.retention.age")
                .with("date", d)
                .with("days", age))
        });
        let _ = writeln!(
            out,
            "{:<32} {:>8}  {:<12} {}",
            Lang::En.label(*class),
            h.count,
            next,
            oldest
        );
    }
    out
}

/// Arguments of `ombuds retention`.
#[derive(Debug, Clone, clap::Args)]
pub struct RetentionArgs {
    /// Print the retention table instead of the counts.
    #[arg(long)]
    policy: bool,
    /// Configuration file (default ./ombuds-data/ombuds.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Runs `ombuds retention`.
pub async fn run(args: &RetentionArgs, clock: &Clock) -> Outcome {
    let config = Config::load(&super::config_file(args.config.as_ref()));
    if args.policy {
        return Ok(policy_text(config.as_ref().ok()));
    }
    let config = config.map_err(|e| Failure::usage(&e))?;
    let store = Store::open(&config).await.map_err(Failure::runtime_text)?;
    let ctx = crate::usecase::Ctx {
        store: &store,
        config: &config,
        clock,
    };
    let holdings = crate::usecase::retention::holdings(&ctx).await;
    store.close().await;
    let holdings = holdings
        .map_err(|refusal| Failure::refused(refusal, || Phrase::new("cli.retention.none")))?;
    Ok(holdings_text(
        &holdings,
        clock.today_in(config.association.time_zone),
    ))
}
