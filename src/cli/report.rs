//! The `ombuds report` subcommand: the board trend report of one complete period, printed as
//! HTML, CSV or JSON.
//!
//! By default it prints exactly what the board sees: the period's frozen release from the
//! database of the configured data directory (`--config`, default `./ombuds-data/ombuds.toml`),
//! built and frozen now if this is the period's first release, under `[reports]`.
//!
//! With `--as-of DATE` it previews the release as of that date and freezes nothing: a release is
//! frozen only for a period that is over by the service's own clock.
//!
//! **Offline:** with `--counters FILE` it renders a release from exported counters instead,
//! touching no database: one JSON object mapping counter keys (as [`CounterKey::code`] writes
//! them) to counts, e.g. `{"case:2026-07:commission:client:web:successfully_closed:days_8_30": 3,
//! "service:2026-07:coaching": 2}`. `[reports]` is read and checked as the service does (the
//! period must be of a kind in `periods`, from `start` on), and the release is audited as the
//! service would audit a first release. `--noise-seed HEX` repeats a noisy offline release: the
//! seed is bound to a digest of the period's counters, so one seed never draws the same noise
//! for different counters.
//!
//! This module owns the command-line glue only; what is counted and hidden is decided in
//! [`crate::domain::trends`], and the output is drawn by [`crate::report`]. Exit status: 0 with
//! the report on stdout; 2 with a one-line `error: ...` naming the argument or setting at fault
//! (an incomplete period names `--period`); 1 if the database, randomness or the output fails.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::deadline::parse_date;
use super::{Failure, Outcome, say};
use crate::clock::Clock;
use crate::config::association::Partial;
use crate::config::{Reports, Sections};
use crate::domain::phrase::{Phrase, Said as _};
use crate::domain::trends::{
    CounterKey, CounterSource, NoiseSeed, Period, ReleaseError, YearMonth, build_release,
    counters_digest, vet,
};
use crate::i18n::{Lang, Site};

/// Output formats of `ombuds report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A complete HTML page with SVG charts.
    Html,
    /// One line per number.
    Csv,
    /// The tables, summary and method as one JSON object.
    Json,
}

/// Arguments of `ombuds report`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = Lang::En.t("cli.help.report"))]
pub struct ReportArgs {
    /// The period: a month (2026-07), a quarter (2026Q3) or a year (2026).
    #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
    pub period: Period,

    /// What to print.
    #[arg(long, value_enum)]
    pub format: Format,

    /// Read the [reports] and [association] tables of this TOML file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Preview the report as of this date; nothing is released or frozen [default: today, and
    /// release].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Stand-in until the store lands: a JSON object of counter keys and counts.
    #[arg(long, value_name = "FILE", hide = true)]
    pub counters: Option<PathBuf>,

    /// The secret seed of a noisy release, 64 hexadecimal digits.
    #[arg(long, value_name = "HEX", hide = true, value_parser = parse_seed)]
    pub noise_seed: Option<NoiseSeed>,
}

fn parse_period(text: &str) -> Result<Period, String> {
    text.parse()
        .map_err(|e: crate::domain::trends::PeriodError| say(&e.phrase()))
}

fn parse_seed(text: &str) -> Result<NoiseSeed, String> {
    NoiseSeed::from_hex(text).map_err(|problem| say(&problem))
}

/// Counters read from a JSON file (`--counters`), reported in place of the store's.
#[derive(Debug, Clone, Default)]
pub struct JsonCounters {
    rows: Vec<(CounterKey, u64)>,
}

impl JsonCounters {
    /// Reads `{"KEY": COUNT, ...}` from `path`.
    ///
    /// # Errors
    /// What to say, naming `--counters` and the file.
    pub fn load(path: &Path) -> Result<Self, Phrase> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Phrase::new("cli.report.cannot_read_counters")
                .with("file", format!("{path:?}"))
                .with("error", e.to_string())
        })?;
        let map: BTreeMap<CounterKey, u64> = serde_json::from_str(&text).map_err(|e| {
            Phrase::new("cli.report.bad_counters")
                .with("file", format!("{path:?}"))
                .with("error", e.to_string())
        })?;
        Ok(Self {
            rows: map.into_iter().collect(),
        })
    }
}

impl CounterSource for JsonCounters {
    type Error = std::convert::Infallible;

    fn counters(
        &self,
        months: RangeInclusive<YearMonth>,
    ) -> Result<Vec<(CounterKey, u64)>, Self::Error> {
        Ok(self
            .rows
            .iter()
            .filter(|(key, _)| months.contains(&key.month()))
            .copied()
            .collect())
    }
}

/// Runs `ombuds report`: the report, or a one-line error.
pub fn run(args: &ReportArgs, clock: &Clock) -> Outcome {
    report(args, clock)
}

fn report(args: &ReportArgs, clock: &Clock) -> Result<String, Failure> {
    if args.counters.is_none() {
        return from_store(args, clock);
    }
    // The same tables and checks as the service's, from the file given (if any).
    let (association, reports) = match &args.config {
        Some(path) => {
            let sections = Sections::load(path).map_err(Failure::Usage)?;
            (sections.association, sections.reports)
        }
        None => (Partial::default(), Reports::default()),
    };
    let config_name = || {
        format!(
            "--config {:?}",
            args.config.as_deref().unwrap_or(Path::new(""))
        )
    };
    let settings = reports.settings;
    let as_of = args.as_of.unwrap_or_else(|| match association.time_zone {
        Some(zone) => clock.today_in(zone),
        None => clock.today_local(),
    });
    let period = args.period;
    if !period.is_complete(as_of) {
        // Checked before the counters are read, so the message is the same with or without them.
        let e = ReleaseError::NotComplete {
            period,
            last_day: period.last_day(),
        };
        return Err(bad_period(period, e.phrase()));
    }
    reports
        .admits(period)
        .map_err(|problem| bad_period(period, problem))?;
    let Some(counters_file) = &args.counters else {
        return Err(Failure::Usage(Phrase::new("cli.report.no_counters")));
    };
    let source = JsonCounters::load(counters_file).map_err(Failure::Usage)?;
    let counters = match source.counters(period.months()) {
        Ok(counters) => counters,
        Err(never) => match never {},
    };
    let bound_seed;
    let seed = match (&args.noise_seed, settings.epsilon) {
        (Some(seed), _) => {
            bound_seed = seed.bound_to(&counters_digest(period, &counters));
            Some(&bound_seed)
        }
        (None, Some(_)) => {
            let mut bytes = [0u8; 32];
            crate::crypto::random::fill(&mut bytes).map_err(|e| {
                Failure::Runtime(Phrase::new("cli.report.no_seed").with("error", e.to_string()))
            })?;
            bound_seed = NoiseSeed::from_bytes(bytes);
            eprintln!("{}", say(&Phrase::new("cli.report.fresh_seed")));
            Some(&bound_seed)
        }
        (None, None) => None,
    };
    let release = build_release(period, &counters, &settings, seed, as_of)
        .and_then(|release| vet(&release, &[]).map(|_| release))
        .map_err(|e| refusal(period, &config_name(), e))?;
    let site = Site {
        letterhead: crate::config::Letterhead {
            // The name used when no `--config` names the association.
            name: association
                .name
                .unwrap_or_else(|| Lang::En.t("cli.report.default_name").to_owned()),
            phone: association.phone,
            email: association.email,
            postal_address: association.postal_address,
        },
        lang: Lang::En,
        switch_path: None,
        // Offline, the report is a file: its footer names the service's licence page.
        source_url: crate::http::source::PATH.to_owned(),
    };
    Ok(render(&release, &site, args.format))
}

fn render(release: &crate::domain::trends::Release, site: &Site, format: Format) -> String {
    match format {
        Format::Html => crate::report::render_html(release, site),
        Format::Csv => crate::report::render_csv(release),
        Format::Json => {
            let mut json = crate::report::render_json(release, site);
            json.push('\n');
            json
        }
    }
}

/// A release refused or failed, as the command reports it: what names an argument or a setting
/// is bad input (status 2). The refusal is in the words of `[board.refused]`.
fn refusal(period: Period, config_name: &str, e: ReleaseError) -> Failure {
    match e {
        ReleaseError::NotComplete { .. }
        | ReleaseError::BeforeStart { .. }
        | ReleaseError::KindCommitted { .. }
        | ReleaseError::Exposed { .. } => bad_period(period, e.phrase()),
        ReleaseError::Settings(_) => Failure::Usage(
            Phrase::new("cli.report.bad_config")
                .with("config", config_name)
                .with("problem", e.phrase()),
        ),
        ReleaseError::SeedMissing => Failure::Usage(e.phrase()),
        ReleaseError::AuditFailed(_) => Failure::Runtime(e.phrase()),
    }
}

/// `--period PERIOD` refused, and why.
fn bad_period(period: Period, problem: Phrase) -> Failure {
    Failure::Usage(
        Phrase::new("cli.report.bad_period")
            .with("period", period.to_string())
            .with("problem", problem),
    )
}

/// The report as the board sees it: the frozen release of the period in the database (built,
/// vetted and frozen now if this is its first release and the period is over by the service's
/// clock), under the configuration's rules. With `--as-of`, a preview: nothing is frozen.
fn from_store(args: &ReportArgs, clock: &Clock) -> Result<String, Failure> {
    if args.noise_seed.is_some() {
        return Err(Failure::Usage(Phrase::new("cli.report.seed_offline")));
    }
    let period = args.period;
    if let Some(as_of) = args.as_of
        && !period.is_complete(as_of)
    {
        // Said before anything is read, as in the offline mode.
        let e = ReleaseError::NotComplete {
            period,
            last_day: period.last_day(),
        };
        return Err(bad_period(period, e.phrase()));
    }
    let path = args
        .config
        .clone()
        .unwrap_or_else(crate::cli::init::default_config_file);
    let config = crate::config::Config::load(&path).map_err(|e| Failure::usage(&e))?;
    config
        .reports
        .admits(period)
        .map_err(|problem| bad_period(period, problem))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(super::cannot_start_runtime(&e)))?;
    let release = runtime.block_on(async {
        let store = crate::store::Store::open(&config).await?;
        let ctx = crate::usecase::Ctx {
            store: &store,
            config: &config,
            clock,
        };
        let release = crate::usecase::reports::release(&ctx, period, args.as_of).await;
        store.close().await;
        release
    });
    let config_name = format!("--config {path:?}");
    let release = release
        .map_err(Failure::runtime_text)?
        .map_err(|e| refusal(period, &config_name, e))?;
    if args.as_of.is_some() {
        eprintln!("{}", say(&Phrase::new("cli.report.preview")));
    }
    Ok(render(&release, &Site::from_config(&config), args.format))
}
