//! The `ombuds deadline` subcommand: compute the 180-day filing deadline from dates given on
//! the command line and print it, with its explanation, as one JSON object.
//!
//! This module owns the command-line glue only: parsing and checking the arguments (each
//! argument's own `value_parser`, so a bad value is reported with the argument's name), reading
//! the `[deadline]` table of a `--config` file when one is given, and writing the result. The
//! rule itself lives in [`crate::domain::deadline`] and the calendar in
//! [`crate::domain::holidays`]; nothing here decides anything about deadlines.
//!
//! It reads no configuration unless `--config` is given, and reads the clock only in `today()`,
//! when `--as-of` is missing.
//!
//! Exit status: 0 with one JSON object on stdout; 2 with a one-line `error: ...` message on
//! stderr (and nothing on stdout) for bad input; 1 if the output cannot be written.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{Failure, Outcome, say};
use crate::clock::Clock;
use crate::config::{Deadline, Sections};
use crate::domain::dates::parse_iso_date;
use crate::domain::deadline::{
    self, DeadlineError, DeadlineInput, SuspensionEpisode, SuspensionKind,
};
use crate::domain::holidays::HolidayCalendar;
use crate::domain::phrase::Phrase;
use crate::i18n::{Lang, deadline_steps};

/// Arguments of `ombuds deadline`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = Lang::En.t("cli.help.deadline"))]
pub struct DeadlineArgs {
    /// The date the transaction or event concluded.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub concluded: NaiveDate,

    /// The date the facts could have been known with reasonable diligence (used if later).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub discovered: Option<NaiveDate>,

    /// Informal resolution from first contact to termination, both included; `START:` while
    /// not yet terminated. Repeat for several episodes.
    #[arg(long = "suspended", value_name = "START:END", value_parser = parse_episode)]
    pub suspended: Vec<EpisodeDates>,

    /// A period in which the respondent did not hold REALTOR® membership, both dates
    /// included; `START:` while it lasts. Repeatable.
    #[arg(long = "non-member", value_name = "START:END", value_parser = parse_episode)]
    pub non_member: Vec<EpisodeDates>,

    /// An extra holiday, added to the calendar (`DATE` or `DATE=NAME`). Repeatable.
    #[arg(long = "holiday", value_name = "DATE[=NAME]", value_parser = parse_holiday)]
    pub holidays: Vec<HolidayArg>,

    /// Leave a deadline on a weekend or holiday where it falls (overrides --config).
    #[arg(long)]
    pub no_roll_forward: bool,

    /// Report the status and days remaining as of this date [default: today].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Read holidays and roll-forward from the [deadline] table of this TOML file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The date a complaint was filed: the answer says whether it falls within the period as
    /// computed (`timely`), with a sentence why. The grievance committee decides.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub filed: Option<NaiveDate>,

    /// The member failed to honour an agreed resolution: the filing date counts as the first
    /// contact of the first --suspended episode (relate-back). Needs --filed and --suspended.
    #[arg(long)]
    pub relate_back: bool,

    /// The language of the explanation: `en` or `es`.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
}

/// The dates of one `--suspended` or `--non-member` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpisodeDates {
    /// The first suspended day.
    pub start: NaiveDate,
    /// The last suspended day; `None` for `START:` (still open).
    pub end: Option<NaiveDate>,
}

/// One `--holiday` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayArg {
    /// The holiday's date.
    pub date: NaiveDate,
    /// Its name, if given as `DATE=NAME`.
    pub name: Option<String>,
}

/// Runs `ombuds deadline`: the JSON result, or a one-line error naming the argument.
pub fn run(args: &DeadlineArgs, clock: &Clock) -> Outcome {
    deadline_json(args, clock)
        .map(|json| format!("{json}\n"))
        .map_err(Failure::Usage)
}

/// A value refused by an argument's own parser, in words (clap prints it after the argument).
fn refused(phrase: &Phrase) -> String {
    say(phrase)
}

/// Computes the deadline for `args` and renders it as pretty-printed JSON. Without `--as-of`
/// the as-of date is today: in the association's time zone when `--config` names one, else on
/// this machine's calendar.
///
/// # Errors
/// What to say, naming the argument at fault (without the `error: ` prefix).
pub fn deadline_json(args: &DeadlineArgs, clock: &Clock) -> Result<String, Phrase> {
    let sections = match &args.config {
        Some(path) => Some(Sections::load(path)?),
        None => None,
    };
    let zone = sections.as_ref().and_then(|s| s.association.time_zone);
    let today = || match zone {
        Some(zone) => clock.today_in(zone),
        None => clock.today_local(),
    };
    let settings = sections.map_or_else(
        || Deadline {
            roll_forward: true,
            holidays: HolidayCalendar::us_federal(),
        },
        |s| s.deadline,
    );
    let mut holidays = settings.holidays;
    for holiday in &args.holidays {
        // A `--holiday DATE` without `=NAME` is named after the option.
        holidays.add(
            holiday.date,
            holiday
                .name
                .as_deref()
                .unwrap_or(Lang::En.t("cli.deadline.unnamed_holiday")),
        );
    }

    let episodes: Vec<SuspensionEpisode> = args
        .suspended
        .iter()
        .map(|e| (SuspensionKind::InformalResolution, e))
        .chain(
            args.non_member
                .iter()
                .map(|e| (SuspensionKind::RespondentNonMember, e)),
        )
        .map(|(kind, e)| SuspensionEpisode {
            kind,
            start: e.start,
            end: e.end,
        })
        .collect();

    let input = DeadlineInput {
        concluded: args.concluded,
        discovered: args.discovered,
        episodes: &episodes,
        holidays: &holidays,
        roll_forward: settings.roll_forward && !args.no_roll_forward,
        as_of: args.as_of.unwrap_or_else(today),
    };
    let report = deadline::compute(&input).map_err(|e| match e {
        DeadlineError::EpisodeEndsBeforeStart { index, start, end } => {
            let flag = if index < args.suspended.len() {
                "--suspended"
            } else {
                "--non-member"
            };
            Phrase::new("cli.bad_value")
                .with("flag", flag)
                .with("value", format!("\"{start}:{end}\""))
                .with("problem", Phrase::new("cli.deadline.ends_before_start"))
        }
        DeadlineError::OutOfRange => Phrase::new("cli.deadline.out_of_range"),
    })?;
    let filed = match args.filed {
        None if args.relate_back => {
            return Err(Phrase::new("cli.deadline.relate_back_needs_filed"));
        }
        None => None,
        Some(filed) => {
            // Relate-back: the date the matter was first brought to the association, which
            // only ever moves a filing earlier.
            let first = if args.relate_back {
                Some(
                    args.suspended
                        .iter()
                        .map(|e| e.start)
                        .min()
                        .ok_or_else(|| Phrase::new("cli.deadline.relate_back_needs_episode"))?,
                )
            } else {
                None
            };
            let counted = first.map_or(filed, |first| first.min(filed));
            let standing = deadline::filing(&report, counted);
            let mut why = Vec::new();
            if let Some(first) = first {
                let key = if first <= filed {
                    "explain.relate_back"
                } else {
                    "explain.relate_back_earlier"
                };
                why.push(args.lang.f(key, &[("filed", &filed), ("first", &first)]));
            }
            why.push(match standing {
                deadline::Filing::Within { deadline } => args.lang.f(
                    "explain.filed_within",
                    &[("filed", &counted), ("deadline", &deadline)],
                ),
                deadline::Filing::Late { deadline } => args.lang.f(
                    "explain.filed_late",
                    &[("filed", &counted), ("deadline", &deadline)],
                ),
                deadline::Filing::WhileSuspended => args
                    .lang
                    .f("explain.filed_suspended", &[("filed", &counted)]),
            });
            Some(FiledOutput {
                filed,
                counted_as_filed_on: counted,
                relate_back: args.relate_back,
                timely: standing.within(),
                timely_reason: why.join(" "),
            })
        }
    };
    let output = Output {
        filed,
        explanation: deadline_steps::sentences(&report.steps, args.lang),
        rolled_over: report
            .rolled_over
            .iter()
            .map(|day| RolledOver {
                date: day.date,
                reason: deadline_steps::non_workday_name(&day.reason, Lang::En),
            })
            .collect(),
        report,
    };
    serde_json::to_string_pretty(&output)
        .map_err(|e| Phrase::new("cli.cannot_render").with("error", e.to_string()))
}

/// What the command prints: the report's fields, the days the roll-forward passed over, then
/// the explanation in words.
#[derive(serde::Serialize)]
struct Output {
    #[serde(flatten)]
    report: deadline::DeadlineReport,
    /// The days passed over, each with its reason in English whatever `--lang` is ("Sunday",
    /// "Thanksgiving Day"), as data rather than prose.
    rolled_over: Vec<RolledOver>,
    /// One sentence per step.
    explanation: Vec<String>,
    /// With `--filed`: where that filing stands.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    filed: Option<FiledOutput>,
}

/// Where a filing date stands, as `--filed` prints it.
#[derive(serde::Serialize)]
struct FiledOutput {
    /// The date given.
    filed: NaiveDate,
    /// The date counted as the filing date (the first contact, with `--relate-back`).
    counted_as_filed_on: NaiveDate,
    /// Whether `--relate-back` was given.
    relate_back: bool,
    /// Whether it falls within the period as computed.
    timely: bool,
    /// Why, in `--lang`, ending with who decides.
    timely_reason: String,
}

/// A day the roll-forward passed over, as the command prints it.
#[derive(serde::Serialize)]
struct RolledOver {
    date: NaiveDate,
    reason: String,
}

/// Parses `--lang`: one of the languages the explanation is written in.
pub fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::from_code(text).ok_or_else(|| {
        let codes: Vec<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
        refused(&Phrase::new("cli.deadline.lang").with("codes", codes.join(", ")))
    })
}

/// Parses a date written exactly `YYYY-MM-DD`, saying what is wrong if it is not a real date.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    use crate::domain::phrase::Said as _;
    parse_iso_date(text).map_err(|e| refused(&e.phrase()))
}

/// Parses `START:END` (both dates included) or `START:` (still open).
pub fn parse_episode(text: &str) -> Result<EpisodeDates, String> {
    let Some((start, end)) = text.split_once(':') else {
        return Err(refused(&Phrase::new("cli.deadline.episode")));
    };
    let date = |text: &str, key: &'static str| {
        parse_date(text).map_err(|problem| refused(&Phrase::new(key).with("problem", problem)))
    };
    let start = date(start, "cli.deadline.start_date")?;
    let end = if end.is_empty() {
        None
    } else {
        Some(date(end, "cli.deadline.end_date")?)
    };
    if end.is_some_and(|end| end < start) {
        return Err(refused(&Phrase::new("cli.deadline.ends_before_start")));
    }
    Ok(EpisodeDates { start, end })
}

/// Parses `DATE` or `DATE=NAME`.
pub fn parse_holiday(text: &str) -> Result<HolidayArg, String> {
    let (date, name) = match text.split_once('=') {
        Some((date, name)) => {
            let name = name.trim();
            if name.is_empty() {
                return Err(refused(&Phrase::new("cli.deadline.empty_name")));
            }
            (date, Some(name.to_owned()))
        }
        None => (text, None),
    };
    Ok(HolidayArg {
        date: parse_date(date)?,
        name,
    })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on unexpected values; `allow`, not `expect`, because the project's clippy.toml may already allow unwrap in tests"
)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_date("2026-03-13").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 13).unwrap()
        );
        assert_eq!(
            parse_date("2026-02-30").unwrap_err(),
            "2026-02-30 is not a real calendar date: February 2026 has 28 days"
        );
        assert_eq!(
            parse_date("2024-02-30").unwrap_err(),
            "2024-02-30 is not a real calendar date: February 2024 has 29 days"
        );
        assert_eq!(
            parse_date("2026-13-01").unwrap_err(),
            "2026-13-01 is not a real calendar date: there is no month 13"
        );
        for bad in [
            "tomorrow",
            "2026-3-13",
            "2026/03/13",
            "+2026-03-1",
            "",
            "2026-03-13 ",
        ] {
            assert!(
                parse_date(bad).unwrap_err().starts_with("must be a date"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn episodes() {
        let open = parse_episode("2026-02-02:").unwrap();
        assert_eq!(open.end, None);
        let closed = parse_episode("2026-02-02:2026-02-02").unwrap();
        assert_eq!(closed.end, Some(closed.start));
        assert_eq!(
            parse_episode("2026-03-13:2026-02-02").unwrap_err(),
            "the episode ends before it starts"
        );
        assert!(
            parse_episode("2026-03-13")
                .unwrap_err()
                .starts_with("expected START:END")
        );
        assert!(
            parse_episode(":2026-03-13")
                .unwrap_err()
                .starts_with("start date:")
        );
        assert!(
            parse_episode("2026-03-13:x")
                .unwrap_err()
                .starts_with("end date:")
        );
    }

    #[test]
    fn holidays() {
        assert_eq!(parse_holiday("2026-11-27").unwrap().name, None);
        assert_eq!(
            parse_holiday("2026-11-27=Day after Thanksgiving")
                .unwrap()
                .name
                .as_deref(),
            Some("Day after Thanksgiving")
        );
        assert!(parse_holiday("2026-11-27=").is_err());
        assert!(parse_holiday("someday").is_err());
    }
}
