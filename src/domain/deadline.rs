//! The 180-day filing deadline for an ethics complaint (or arbitration request), its suspension
//! while informal dispute resolution is under way or while the respondent is not a REALTOR®
//! member, and a plain-language explanation of every step.
//!
//! This module owns the one rule the whole project uses (DOMAIN.md, "How this project computes
//! it"):
//!
//! 1. The trigger date T is the later of the conclusion date and the discovery date (if given).
//!    The unextended deadline is T + 180 calendar days, so day 1 of the 180 is the day after T.
//! 2. Each suspension episode is an inclusive range [first contact, termination]. A day counts
//!    as suspended only if it is after T; a day covered by two episodes counts once.
//! 3. Episodes are taken in order of their start dates. An episode that starts after the deadline
//!    as extended by the earlier episodes extends nothing. That comparison uses the deadline
//!    *before* any weekend or holiday move, as the rule says: an episode that starts on the Sunday
//!    after a Saturday deadline extends nothing, even though roll-forward would have kept the
//!    window open until Monday. An episode that starts *on* that deadline does count.
//! 4. Deadline = T + 180 + suspended days; only then, and only for that final date, a Saturday,
//!    Sunday or holiday moves to the next workday (repeatedly, until a workday).
//! 5. While a counted episode is open (no termination date yet) there is no deadline.
//! 6. With roll-forward off, step 4's move is skipped.
//!
//! Because every counted day pushes the deadline one day later, the deadline always falls after
//! every counted suspended day; the roll-forward never has to step over a suspended day.
//!
//! Cases the numbered rule leaves open, settled here:
//! - An episode that starts on or before T is never "after the window closed"; only its days
//!   after T count (rule 2), and the explanation says how many were left out and why.
//! - Rule 3 is applied before rule 5: an open episode that starts after the (extended) deadline
//!   freezes nothing, so the deadline is known and may already have passed.
//! - An open episode that overlaps an earlier closed one freezes the countdown from the first
//!   day not already counted; episodes starting inside an open one add nothing further.
//! - Episodes with the same start date are taken closed-before-open; the result does not depend
//!   on the order the episodes are given in.
//!
//! It must stay pure: no I/O, no clock (the as-of date is a parameter), no web or database types,
//! and no panics. Impossible input (an episode ending before it starts) and date arithmetic past
//! the end of the calendar (year 262143) are returned as a [`DeadlineError`].

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::holidays::{HolidayCalendar, NonWorkday};

/// The length of the filing window in calendar days.
pub const FILING_WINDOW_DAYS: u64 = 180;

/// What suspends the countdown during an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionKind {
    /// Informal dispute resolution (ombuds, mediation): from the date of the first contact to
    /// the termination date the ombuds records.
    InformalResolution,
    /// A period in which the respondent did not hold REALTOR® membership.
    RespondentNonMember,
}

/// One suspension episode as recorded: both dates are included in the episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionEpisode {
    /// What suspended the countdown.
    pub kind: SuspensionKind,
    /// The first suspended day (for informal resolution, the date of the first contact).
    pub start: NaiveDate,
    /// The last suspended day (the termination date); `None` while the episode is still open.
    pub end: Option<NaiveDate>,
}

/// Everything the computation needs; nothing is read from anywhere else.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineInput<'a> {
    /// The date the transaction or event concluded.
    pub concluded: NaiveDate,
    /// The date the facts could have been known with reasonable diligence, if given.
    pub discovered: Option<NaiveDate>,
    /// The suspension episodes, in any order.
    pub episodes: &'a [SuspensionEpisode],
    /// The association's holidays (used only for the roll-forward).
    pub holidays: &'a HolidayCalendar,
    /// Whether a deadline on a weekend or holiday moves to the next workday.
    pub roll_forward: bool,
    /// The date the status and the days remaining are reported for.
    pub as_of: NaiveDate,
}

/// Where the countdown stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The countdown is running on the as-of date and the deadline has not passed.
    Running,
    /// The as-of date is a suspended day, or a counted episode is still open (no deadline yet).
    Suspended,
    /// The as-of date is after the deadline.
    Expired,
}

/// Which date the 180 days count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerSource {
    /// The conclusion of the transaction or event (also when the discovery date is the same day
    /// or earlier).
    Concluded,
    /// The date the facts could have been known, which is later than the conclusion date.
    Discovered,
}

/// What one episode did to the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeOutcome {
    /// A closed episode that added at least one day.
    Counted,
    /// An open episode that counts: the countdown is frozen and there is no deadline yet.
    Open,
    /// Added nothing: every day of it is on or before the trigger date.
    BeforeTrigger,
    /// Added nothing: every day of it after the trigger date was already counted under an
    /// earlier episode.
    AlreadyCounted,
    /// Added nothing: it started after the deadline as extended by the earlier episodes (before
    /// any weekend or holiday move), when the filing window had already closed.
    AfterWindowClosed,
    /// Added nothing: it started while an earlier open episode was already freezing the
    /// countdown.
    WithinOpenEpisode,
}

/// One episode as the computation counted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpisodeReport {
    /// What suspended the countdown.
    pub kind: SuspensionKind,
    /// The first day of the episode as recorded.
    pub start: NaiveDate,
    /// The last day of the episode as recorded (`None`: still open).
    pub end: Option<NaiveDate>,
    /// What the episode did.
    pub outcome: EpisodeOutcome,
    /// Days this episode added to the 180 that no earlier episode had added. For an open
    /// episode: the days counted so far, through the as-of date.
    pub days_added: u64,
    /// The first day this episode added (`None` if it added none).
    pub counted_from: Option<NaiveDate>,
    /// The last day this episode added (`None` if it added none or is still open).
    pub counted_to: Option<NaiveDate>,
    /// Days of the episode on or before the trigger date, which never count.
    pub days_before_trigger: u64,
    /// Days of the episode after the trigger date that an earlier episode had already counted.
    pub days_already_counted: u64,
    /// The deadline after this episode was taken into account, before any weekend or holiday
    /// move (`None` once an open episode has frozen the countdown).
    pub deadline_after: Option<NaiveDate>,
}

/// A day the roll-forward passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolledOverDay {
    /// The date passed over.
    pub date: NaiveDate,
    /// `"Saturday"`, `"Sunday"`, or the holiday's name.
    pub reason: String,
}

/// The result: the deadline, the counts, the status and the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineReport {
    /// The last day on which a complaint is on time (`None` while a counted episode is open).
    pub deadline: Option<NaiveDate>,
    /// Where the countdown stands on the as-of date.
    pub status: Status,
    /// Days added to the 180: the number of distinct counted suspended days. With an open
    /// episode, its days are counted through the as-of date.
    pub days_suspended: u64,
    /// The number of days after the as-of date, up to and including the deadline, on which the
    /// countdown runs (suspended days are not counted). See [`compute`] for the exact rule.
    pub days_remaining: u64,
    /// The date the status and days remaining are reported for.
    pub as_of: NaiveDate,
    /// The date the 180 days count from (day 1 is the day after it).
    pub trigger_date: NaiveDate,
    /// Why that date.
    pub trigger: TriggerSource,
    /// The trigger date + 180 days, with no suspension and no weekend or holiday move.
    pub unextended_deadline: NaiveDate,
    /// The trigger date + 180 days + the suspended days, before any weekend or holiday move
    /// (`None` while a counted episode is open).
    pub extended_deadline: Option<NaiveDate>,
    /// Whether weekend and holiday roll-forward was applied.
    pub roll_forward: bool,
    /// The date the deadline was moved from, if the roll-forward moved it.
    pub rolled_forward_from: Option<NaiveDate>,
    /// The days the roll-forward passed over, in order.
    pub rolled_over: Vec<RolledOverDay>,
    /// When the as-of date falls in a recorded (closed) suspension: the day the countdown
    /// resumes, the day after the suspension ends.
    pub resumes_on: Option<NaiveDate>,
    /// The episodes in the order they were considered (by start date).
    pub episodes: Vec<EpisodeReport>,
    /// One plain sentence per step, for a board president settling a dispute.
    pub explanation: Vec<String>,
}

/// Input the computation refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// An episode's termination date is before its first day.
    #[error(
        "suspension episode {number} ends on {end}, before it starts on {start}",
        number = index + 1
    )]
    EpisodeEndsBeforeStart {
        /// The episode's position in the input (0-based).
        index: usize,
        /// Its first day.
        start: NaiveDate,
        /// Its last day, which is earlier.
        end: NaiveDate,
    },
    /// A date in the computation would fall after the last date this program can represent.
    #[error("the deadline would fall after the last date this program can represent")]
    OutOfRange,
}

/// An open episode that froze the countdown.
struct Frozen {
    /// Its first day as recorded.
    start: NaiveDate,
    /// The first day it added.
    from: NaiveDate,
    /// The days that will remain when the countdown resumes (before any roll-forward).
    remaining: u64,
    /// Its days counted so far, through the as-of date.
    so_far: u64,
}

/// Computes the filing deadline under the project's rule (see the module documentation).
///
/// **days_remaining** is the number of calendar days *after* the as-of date, up to and including
/// the deadline, on which the countdown runs, i.e. that are not suspended days. On the trigger
/// date with no suspension and a workday deadline it is 180; on the deadline itself it is 0 (a
/// complaint filed that day is still on time); once expired it is 0. A recorded suspension ahead
/// of the as-of date is not counted, and during a suspension the number stays the same from day
/// to day. While a counted episode is open it is the number of days that will remain when the
/// countdown resumes: the days from the day after the termination date through the new deadline,
/// both included, before any weekend or holiday move (which can only add days). That figure is
/// reported even when the as-of date is before the open episode began.
///
/// **status** is `suspended` while a counted episode is open (rule 5: no deadline) or when the
/// as-of date is itself a counted suspended day; otherwise `expired` if the as-of date is after
/// the deadline, else `running`. An as-of date before the trigger date is reported as `running`.
///
/// # Errors
/// [`DeadlineError::EpisodeEndsBeforeStart`] for an episode that ends before it starts, and
/// [`DeadlineError::OutOfRange`] when a date would fall past the end of the calendar.
pub fn compute(input: &DeadlineInput<'_>) -> Result<DeadlineReport, DeadlineError> {
    for (index, episode) in input.episodes.iter().enumerate() {
        if let Some(end) = episode.end
            && end < episode.start
        {
            return Err(DeadlineError::EpisodeEndsBeforeStart {
                index,
                start: episode.start,
                end,
            });
        }
    }

    let (trigger_date, trigger) = match input.discovered {
        Some(discovered) if discovered > input.concluded => (discovered, TriggerSource::Discovered),
        _ => (input.concluded, TriggerSource::Concluded),
    };
    let unextended_deadline = add_days(trigger_date, FILING_WINDOW_DAYS)?;
    let day_one = trigger_date.succ_opt().ok_or(DeadlineError::OutOfRange)?;

    let mut explanation = vec![trigger_sentence(input, trigger_date, trigger, day_one)];
    explanation.push(format!(
        "Without any suspension the deadline would be {}, {FILING_WINDOW_DAYS} calendar days after {}{}.",
        day(unextended_deadline),
        day(trigger_date),
        if input.roll_forward {
            " (before any weekend or holiday move)"
        } else {
            ""
        }
    ));

    // Rules 2 and 3, episode by episode in order of start date. Closed episodes come before
    // open ones that start the same day; equal episodes keep their input order.
    let mut order: Vec<&SuspensionEpisode> = input.episodes.iter().collect();
    order.sort_by_key(|e| (e.start, e.end.is_none(), e.end, e.kind));

    let mut running = unextended_deadline; // T + 180 + days counted so far
    let mut total: u64 = 0;
    // The last counted day so far. Every counted day is on or before it, and because episodes
    // are taken in start order, the counted days on or after the next episode's start form
    // one run that ends here.
    let mut covered_until: Option<NaiveDate> = None;
    let mut counted_ranges: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut frozen: Option<Frozen> = None;
    let mut episodes = Vec::with_capacity(order.len());

    for episode in order {
        let mut report = EpisodeReport {
            kind: episode.kind,
            start: episode.start,
            end: episode.end,
            outcome: EpisodeOutcome::Counted,
            days_added: 0,
            counted_from: None,
            counted_to: None,
            days_before_trigger: 0,
            days_already_counted: 0,
            deadline_after: Some(running),
        };

        if let Some(open) = &frozen {
            report.outcome = EpisodeOutcome::WithinOpenEpisode;
            report.deadline_after = None;
            explanation.push(format!(
                "{} adds nothing further: it lies within the period that began on {} and has no end date yet, whose days are already suspended.",
                label(episode),
                day(open.start)
            ));
            episodes.push(report);
            continue;
        }

        if episode.start > running {
            report.outcome = EpisodeOutcome::AfterWindowClosed;
            explanation.push(format!(
                "{} adds no days: it began after the filing window had closed on {} (the deadline at that point, before any weekend or holiday move).",
                label(episode),
                day(running)
            ));
            episodes.push(report);
            continue;
        }

        if episode.start <= trigger_date {
            let last_before = episode.end.map_or(trigger_date, |e| e.min(trigger_date));
            report.days_before_trigger = days_inclusive(episode.start, last_before);
        }
        let after_trigger_from = episode.start.max(day_one);
        if episode.end.is_some_and(|end| end < after_trigger_from) {
            report.outcome = EpisodeOutcome::BeforeTrigger;
            explanation.push(format!(
                "{} adds no days: all of it falls on or before {}, before day 1 of the {FILING_WINDOW_DAYS}.",
                label(episode),
                day(trigger_date)
            ));
            episodes.push(report);
            continue;
        }

        // The first day not yet counted; `None` only if everything to the end of the calendar
        // is already counted, which the invariant `covered_until < running` rules out.
        let new_from = match covered_until {
            Some(covered) if covered >= after_trigger_from => {
                let overlap_end = episode.end.map_or(covered, |e| e.min(covered));
                report.days_already_counted = days_inclusive(after_trigger_from, overlap_end);
                covered.succ_opt()
            }
            _ => Some(after_trigger_from),
        };

        match (episode.end, new_from) {
            (Some(end), Some(from)) if from <= end => {
                let added = days_inclusive(from, end);
                total = total.saturating_add(added);
                running = add_days(running, added)?;
                covered_until = Some(covered_until.map_or(end, |c| c.max(end)));
                counted_ranges.push((from, end));
                report.days_added = added;
                report.counted_from = Some(from);
                report.counted_to = Some(end);
                report.deadline_after = Some(running);
                explanation.push(counted_sentence(episode, &report, trigger_date, running));
            }
            (Some(_), _) => {
                report.outcome = EpisodeOutcome::AlreadyCounted;
                let before = if report.days_before_trigger > 0 {
                    format!(
                        "{} of it fall on or before {}, before day 1 of the {FILING_WINDOW_DAYS}, and every later day",
                        count(report.days_before_trigger),
                        day(trigger_date)
                    )
                } else {
                    "every day of it".to_owned()
                };
                explanation.push(format!(
                    "{} adds no days: {before} was already counted under an earlier period, and a day counts only once.",
                    label(episode)
                ));
            }
            (None, new_from) => {
                let from = new_from.ok_or(DeadlineError::OutOfRange)?;
                let remaining = days_inclusive(from, running);
                let so_far = if input.as_of >= from {
                    days_inclusive(from, input.as_of)
                } else {
                    0
                };
                report.outcome = EpisodeOutcome::Open;
                report.days_added = so_far;
                report.counted_from = Some(from);
                report.deadline_after = None;
                explanation.push(open_sentence(episode, &report, trigger_date, from));
                frozen = Some(Frozen {
                    start: episode.start,
                    from,
                    remaining,
                    so_far,
                });
            }
        }
        episodes.push(report);
    }

    let days_suspended = total.saturating_add(frozen.as_ref().map_or(0, |f| f.so_far));

    // Rule 5: no deadline while a counted episode is open.
    if let Some(open) = frozen {
        explanation.push(format!(
            "The deadline cannot be fixed until the end date of the period frozen from {} is recorded; so far {} {} been added to the {FILING_WINDOW_DAYS}, counting through {}.",
            day(open.from),
            count(days_suspended),
            if days_suspended == 1 { "has" } else { "have" },
            day(input.as_of)
        ));
        let when = if input.as_of >= open.from {
            format!(
                "As of {}, the countdown is suspended and there is no deadline yet",
                day(input.as_of)
            )
        } else {
            format!(
                "As of {}, the countdown was still running, but the suspension from {} has no end date yet, so there is no deadline",
                day(input.as_of),
                day(open.from)
            )
        };
        explanation.push(format!(
            "{when}: once the end date is recorded, the countdown resumes the next day with {} left, counting that day (a weekend or holiday move can only add to this).",
            count(open.remaining)
        ));
        return Ok(DeadlineReport {
            as_of: input.as_of,
            trigger_date,
            trigger,
            unextended_deadline,
            extended_deadline: None,
            deadline: None,
            roll_forward: input.roll_forward,
            rolled_forward_from: None,
            rolled_over: Vec::new(),
            days_suspended,
            days_remaining: open.remaining,
            status: Status::Suspended,
            resumes_on: None,
            episodes,
            explanation,
        });
    }

    // Rule 4: T + 180 + suspended days.
    if episodes.is_empty() {
        explanation.push(format!(
            "No suspension was recorded, so nothing is added to the {FILING_WINDOW_DAYS} days."
        ));
    } else {
        explanation.push(format!(
            "In total {} {} added to the {FILING_WINDOW_DAYS}, so the deadline is {} ({FILING_WINDOW_DAYS} + {total} days after {}){}.",
            count(total),
            if total == 1 { "is" } else { "are" },
            day(running),
            day(trigger_date),
            if input.roll_forward {
                ", before any weekend or holiday move"
            } else {
                ""
            }
        ));
    }

    // Rules 4 and 6: the weekend and holiday move, on the final date only.
    let mut deadline = running;
    let mut rolled_over = Vec::new();
    if input.roll_forward {
        let next = input
            .holidays
            .next_workday_on_or_after(running)
            .map_err(|_| DeadlineError::OutOfRange)?;
        deadline = next.date;
        if next.skipped.is_empty() {
            explanation.push(format!(
                "{} is a workday (not a weekend day or a holiday), so the deadline stays there.",
                day(running)
            ));
        } else {
            let reasons: Vec<String> = next
                .skipped
                .iter()
                .map(|s| format!("{} {}", day(s.date), non_workday_phrase(&s.reason)))
                .collect();
            explanation.push(format!(
                "{}, so the deadline moves to the next workday, {}.",
                join_and(&reasons),
                day(deadline)
            ));
            rolled_over = next
                .skipped
                .into_iter()
                .map(|s| RolledOverDay {
                    date: s.date,
                    reason: match s.reason {
                        NonWorkday::Weekend(w) => weekday_name(w).to_owned(),
                        NonWorkday::Holiday(name) => name,
                    },
                })
                .collect();
        }
    } else {
        let even_though = match input.holidays.non_workday(running) {
            Some(reason) => format!(" even though it {}", non_workday_phrase(&reason)),
            None => String::new(),
        };
        explanation.push(format!(
            "Weekend and holiday roll-forward is turned off, so the deadline stays on {}{even_though}.",
            day(running)
        ));
    }
    let rolled_forward_from = (deadline != running).then_some(running);

    // Status and days remaining on the as-of date.
    let as_of = input.as_of;
    let suspended_block = counted_block_containing(&counted_ranges, as_of);
    let (status, days_remaining, resumes_on) = if as_of > deadline {
        (Status::Expired, 0, None)
    } else {
        let ahead = days_between(as_of, deadline);
        let suspended_ahead: u64 = counted_ranges
            .iter()
            .map(|&(from, to)| match as_of.succ_opt() {
                Some(after) if to >= after && from <= deadline => {
                    days_inclusive(from.max(after), to.min(deadline))
                }
                _ => 0,
            })
            .sum();
        let remaining = ahead.saturating_sub(suspended_ahead);
        match suspended_block {
            Some(last) => (Status::Suspended, remaining, last.succ_opt()),
            None => (Status::Running, remaining, None),
        }
    };
    explanation.push(status_sentence(
        as_of,
        status,
        deadline,
        days_remaining,
        resumes_on,
    ));

    Ok(DeadlineReport {
        as_of,
        trigger_date,
        trigger,
        unextended_deadline,
        extended_deadline: Some(running),
        deadline: Some(deadline),
        roll_forward: input.roll_forward,
        rolled_forward_from,
        rolled_over,
        days_suspended,
        days_remaining,
        status,
        resumes_on,
        episodes,
        explanation,
    })
}

/// `date + days`, or [`DeadlineError::OutOfRange`].
fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate, DeadlineError> {
    date.checked_add_days(Days::new(days))
        .ok_or(DeadlineError::OutOfRange)
}

/// The number of days from `from` to `to`, both included (0 if `to` is before `from`).
fn days_inclusive(from: NaiveDate, to: NaiveDate) -> u64 {
    days_between(from, to).saturating_add(u64::from(to >= from))
}

/// `to - from` in days (0 if `to` is before `from`). Never overflows: every representable pair
/// of dates is well under 2^63 days apart.
fn days_between(from: NaiveDate, to: NaiveDate) -> u64 {
    u64::try_from(to.signed_duration_since(from).num_days()).unwrap_or(0)
}

/// If `date` is a counted suspended day, the last day of the unbroken run of counted days that
/// contains it. `ranges` are disjoint and in date order.
fn counted_block_containing(
    ranges: &[(NaiveDate, NaiveDate)],
    date: NaiveDate,
) -> Option<NaiveDate> {
    let mut block: Option<(NaiveDate, NaiveDate)> = None;
    let mut found = None;
    for &(from, to) in ranges {
        block = match block {
            Some((start, end)) if end.succ_opt() == Some(from) => Some((start, to)),
            _ => Some((from, to)),
        };
        if let Some((start, end)) = block
            && start <= date
            && date <= end
        {
            found = Some(end);
        }
    }
    found
}

/// "1 day" / "40 days".
fn count(days: u64) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}

/// The English name of a weekday.
fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// A date as the explanation writes it: "Tuesday 2026-08-18".
fn day(date: NaiveDate) -> String {
    format!(
        "{} {}",
        weekday_name(date.weekday()),
        date.format("%Y-%m-%d")
    )
}

/// "falls on a weekend" / "is a holiday (Labor Day)".
fn non_workday_phrase(reason: &NonWorkday) -> String {
    match reason {
        NonWorkday::Weekend(_) => "falls on a weekend".to_owned(),
        NonWorkday::Holiday(name) => format!("is a holiday ({name})"),
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// How an episode is named at the start of its sentence.
fn label(episode: &SuspensionEpisode) -> String {
    match (episode.kind, episode.end) {
        (SuspensionKind::InformalResolution, Some(end)) => format!(
            "Informal resolution from {} (first contact) to {} (termination)",
            day(episode.start),
            day(end)
        ),
        (SuspensionKind::InformalResolution, None) => format!(
            "Informal resolution from {} (first contact), not yet terminated,",
            day(episode.start)
        ),
        (SuspensionKind::RespondentNonMember, Some(end)) => format!(
            "The respondent's time without REALTOR® membership from {} to {}",
            day(episode.start),
            day(end)
        ),
        (SuspensionKind::RespondentNonMember, None) => format!(
            "The respondent's time without REALTOR® membership from {}, not yet ended,",
            day(episode.start)
        ),
    }
}

/// The parts of an episode that did not count, as a clause ("" if none).
fn exclusions(report: &EpisodeReport, trigger_date: NaiveDate) -> String {
    let mut parts = Vec::new();
    if report.days_before_trigger > 0 {
        parts.push(format!(
            "{} on or before {} do not count, because day 1 of the {FILING_WINDOW_DAYS} is the day after it",
            count(report.days_before_trigger),
            day(trigger_date)
        ));
    }
    if report.days_already_counted > 0 {
        parts.push(format!(
            "{} had already been counted under an earlier period, and a day counts only once",
            count(report.days_already_counted)
        ));
    }
    join_and(&parts)
}

/// The sentence for a closed episode that added days.
fn counted_sentence(
    episode: &SuspensionEpisode,
    report: &EpisodeReport,
    trigger_date: NaiveDate,
    deadline_after: NaiveDate,
) -> String {
    let (Some(from), Some(to)) = (report.counted_from, report.counted_to) else {
        return String::new();
    };
    let excluded = exclusions(report, trigger_date);
    let which = if excluded.is_empty() && Some(to) == episode.end && from == episode.start {
        "both dates included".to_owned()
    } else if excluded.is_empty() {
        format!("{} to {}, both dates included", day(from), day(to))
    } else {
        format!(
            "{} to {}, both dates included; {excluded}",
            day(from),
            day(to)
        )
    };
    format!(
        "{} adds {} ({which}), so the deadline moves to {}.",
        label(episode),
        count(report.days_added),
        day(deadline_after)
    )
}

/// The sentence for an open episode that freezes the countdown.
fn open_sentence(
    episode: &SuspensionEpisode,
    report: &EpisodeReport,
    trigger_date: NaiveDate,
    from: NaiveDate,
) -> String {
    let excluded = exclusions(report, trigger_date);
    let why_later = if excluded.is_empty() {
        String::new()
    } else {
        format!(" ({excluded})")
    };
    format!(
        "{} freezes the countdown from {}{why_later}; every day from then until its end date is recorded is added.",
        label(episode),
        day(from)
    )
}

/// The first sentence: the trigger date and why.
fn trigger_sentence(
    input: &DeadlineInput<'_>,
    trigger_date: NaiveDate,
    trigger: TriggerSource,
    day_one: NaiveDate,
) -> String {
    let why = match (trigger, input.discovered) {
        (TriggerSource::Discovered, _) => format!(
            "the date the facts could have been known, which is later than the date the transaction or event concluded, {}",
            day(input.concluded)
        ),
        (TriggerSource::Concluded, None) => {
            "the date the transaction or event concluded (no later date of discovery was given)"
                .to_owned()
        }
        (TriggerSource::Concluded, Some(discovered)) => format!(
            "the date the transaction or event concluded, which is not earlier than the date the facts could have been known, {}",
            day(discovered)
        ),
    };
    format!(
        "The {FILING_WINDOW_DAYS} days count from {}, {why}; day 1 is {}.",
        day(trigger_date),
        day(day_one)
    )
}

/// The last sentence: where the countdown stands on the as-of date.
fn status_sentence(
    as_of: NaiveDate,
    status: Status,
    deadline: NaiveDate,
    days_remaining: u64,
    resumes_on: Option<NaiveDate>,
) -> String {
    match status {
        Status::Expired => format!(
            "As of {}, the filing window has closed: the deadline was {}, {} earlier.",
            day(as_of),
            day(deadline),
            count(days_between(deadline, as_of))
        ),
        Status::Running if as_of == deadline => format!(
            "As of {}, this is the last day: a complaint filed on or before {} is on time.",
            day(as_of),
            day(deadline)
        ),
        Status::Running => {
            let skipped = days_between(as_of, deadline).saturating_sub(days_remaining);
            let not_counting = if skipped > 0 {
                format!(
                    ", not counting {} of recorded suspension still ahead",
                    count(skipped)
                )
            } else {
                String::new()
            };
            format!(
                "As of {}, the countdown is running with {} left after that day{not_counting}: a complaint filed on or before {} is on time.",
                day(as_of),
                count(days_remaining),
                day(deadline)
            )
        }
        Status::Suspended => {
            let resumes = resumes_on.map_or("the day after the suspension ends".to_owned(), day);
            format!(
                "As of {}, the countdown is suspended; it resumes on {resumes} with {} left, counting that day, and a complaint filed on or before {} is on time.",
                day(as_of),
                count(days_remaining),
                day(deadline)
            )
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on unexpected values; `allow`, not `expect`, because the project's clippy.toml may already allow unwrap in tests"
)]
mod tests;
