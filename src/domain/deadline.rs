//! The 180-day filing deadline for an ethics complaint (or arbitration request), its suspension
//! while informal dispute resolution is under way or while the respondent is not a REALTOR®
//! member, and every step of the computation as a [`Step`]: the facts of one sentence of the
//! explanation, which [`crate::i18n::deadline_steps`] words in the reader's language.
//!
//! This module owns the one rule the whole project uses (`docs/RULES.md`, section 3):
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
//! no wording, and no panics. Impossible input (an episode ending before it starts) and date arithmetic past
//! the end of the calendar (year 262143) are returned as a [`DeadlineError`].

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::holidays::{HolidayCalendar, NonWorkday, SkippedDay};

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
    /// For an episode that began after the window had closed: the last day a complaint could
    /// still be filed before it, i.e. the deadline so far after the weekend or holiday move
    /// (rule 3). `None` for every other outcome.
    pub last_filing_day: Option<NaiveDate>,
}

/// A day the roll-forward passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolledOverDay {
    /// The date passed over.
    pub date: NaiveDate,
    /// Why: a weekend day, or a holiday (worded by `crate::i18n::deadline_steps`).
    pub reason: NonWorkday,
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
    /// The days the roll-forward passed over, in order (not serialized: a reason is said in
    /// words, which `crate::cli::deadline` adds).
    #[serde(skip)]
    pub rolled_over: Vec<RolledOverDay>,
    /// When the as-of date falls in a recorded (closed) suspension: the day the countdown
    /// resumes, the day after the suspension ends.
    pub resumes_on: Option<NaiveDate>,
    /// The episodes in the order they were considered (by start date).
    pub episodes: Vec<EpisodeReport>,
    /// The steps of the computation, one sentence of the explanation each (worded by
    /// [`crate::i18n::deadline_steps`]), for a board president settling a dispute.
    #[serde(skip)]
    pub steps: Vec<Step>,
}

/// One step of the computation, with everything its sentence says. The explanation is these
/// steps in order: where the count starts, the unextended deadline, each episode, the total or
/// the open suspension, the weekend and holiday move, and where things stand on the as-of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The 180 days count from `trigger_date`; day 1 is `day_one`.
    CountsFrom {
        /// The trigger date.
        trigger_date: NaiveDate,
        /// Why that date.
        why: TriggerReason,
        /// The day after it.
        day_one: NaiveDate,
    },
    /// The deadline with no suspension: the trigger date + 180.
    Unextended {
        /// The trigger date + 180 days.
        deadline: NaiveDate,
        /// The trigger date.
        trigger_date: NaiveDate,
        /// Whether a weekend or holiday move may still follow.
        roll_forward: bool,
    },
    /// What one episode did, in the order the episodes are taken.
    Episode {
        /// The episode as recorded.
        episode: SuspensionEpisode,
        /// What it did.
        effect: EpisodeEffect,
    },
    /// An open episode froze the countdown, so there is no deadline yet.
    NotYetFixed {
        /// The first day the open episode added.
        frozen_from: NaiveDate,
        /// Days added so far, through the as-of date.
        so_far: u64,
        /// The as-of date.
        as_of: NaiveDate,
    },
    /// Where things stand while the countdown is frozen, and how much is left when it resumes.
    ResumesWhenEnded {
        /// The as-of date.
        as_of: NaiveDate,
        /// The first day the open episode added.
        frozen_from: NaiveDate,
        /// Whether the countdown is already frozen on the as-of date (`false`: it was still
        /// running then, but will freeze).
        frozen_now: bool,
        /// Days left when the countdown resumes, counting the day it resumes.
        remaining: u64,
    },
    /// Rule 3 as amended: an episode began after the deadline reached so far, `deadline`, but on
    /// or before `moved`, the workday that deadline moves to; the `days` the move gave count as
    /// days of the filing period first, and the episode's days are added after them.
    MoveCounts {
        /// The first day of the episode.
        start: NaiveDate,
        /// The deadline reached so far, before the move.
        deadline: NaiveDate,
        /// The workday it moves to.
        moved: NaiveDate,
        /// The days from the day after `deadline` to `moved`.
        days: u64,
    },
    /// No episode was recorded.
    NoSuspension,
    /// The days added in all, and the deadline they give.
    Total {
        /// Days added to the 180.
        days: u64,
        /// Days a weekend or holiday move gave that count as days of the filing period (rule 3
        /// as amended), also added.
        moved_days: u64,
        /// The trigger date + 180 + those days.
        deadline: NaiveDate,
        /// The trigger date.
        trigger_date: NaiveDate,
        /// Whether a weekend or holiday move may still follow.
        roll_forward: bool,
    },
    /// The deadline is a workday and stays.
    Workday {
        /// The deadline.
        date: NaiveDate,
    },
    /// The deadline moved past weekend days and holidays.
    MovedForward {
        /// The days passed over, in order.
        skipped: Vec<SkippedDay>,
        /// The workday it moved to.
        to: NaiveDate,
    },
    /// Roll-forward is off: the deadline stays, even on a weekend or holiday.
    NotMoved {
        /// The deadline.
        date: NaiveDate,
        /// Why it is not a workday, if it is not one.
        non_workday: Option<NonWorkday>,
    },
    /// The as-of date is after the deadline.
    Expired {
        /// The as-of date.
        as_of: NaiveDate,
        /// The deadline.
        deadline: NaiveDate,
        /// Days from the deadline to the as-of date.
        days_late: u64,
    },
    /// The as-of date is the deadline.
    LastDay {
        /// The as-of date, which is the deadline.
        as_of: NaiveDate,
    },
    /// The countdown is running on the as-of date.
    Running {
        /// The as-of date.
        as_of: NaiveDate,
        /// Days remaining after it.
        left: u64,
        /// Days of recorded suspension between it and the deadline, which do not count.
        suspension_ahead: u64,
        /// The deadline.
        deadline: NaiveDate,
    },
    /// The as-of date falls in a recorded suspension.
    Suspended {
        /// The as-of date.
        as_of: NaiveDate,
        /// The day the countdown resumes (`None` only at the end of the calendar).
        resumes_on: Option<NaiveDate>,
        /// Days left then, counting that day.
        left: u64,
        /// The deadline.
        deadline: NaiveDate,
    },
}

/// Why the 180 days count from the trigger date, with the other date the sentence names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerReason {
    /// The date of discovery, later than the conclusion date given.
    Discovered {
        /// The earlier conclusion date.
        concluded: NaiveDate,
    },
    /// The conclusion date; no discovery date was given.
    ConcludedOnly,
    /// The conclusion date, not earlier than the discovery date given.
    ConcludedNotEarlier {
        /// The discovery date.
        discovered: NaiveDate,
    },
}

/// What one episode did, as its sentence says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpisodeEffect {
    /// Added nothing: it started while an open episode that began on `open_start` was already
    /// freezing the countdown.
    WithinOpenEpisode {
        /// The first day of the open episode.
        open_start: NaiveDate,
    },
    /// Added nothing: it started after the filing window had closed.
    AfterWindowClosed {
        /// The deadline at that point, before any weekend or holiday move.
        closed_on: NaiveDate,
        /// The last day a complaint could still be filed: `closed_on` after the weekend or
        /// holiday move (the same date when it needs none or roll-forward is off).
        last_day: NaiveDate,
    },
    /// Added nothing: every day of it is on or before `trigger_date`.
    BeforeTrigger {
        /// The trigger date.
        trigger_date: NaiveDate,
    },
    /// A closed episode added the days from `from` to `to`.
    Counted {
        /// Days added.
        days: u64,
        /// The first day added.
        from: NaiveDate,
        /// The last day added.
        to: NaiveDate,
        /// What of it did not count.
        excluded: Excluded,
        /// The deadline afterwards, before any weekend or holiday move.
        deadline_after: NaiveDate,
    },
    /// Added nothing: its days after the trigger date were all counted already.
    AlreadyCounted {
        /// What of it did not count.
        excluded: Excluded,
    },
    /// An open episode freezes the countdown from `from`.
    Freezes {
        /// The first day it adds.
        from: NaiveDate,
        /// What of it did not count.
        excluded: Excluded,
    },
}

/// The days of an episode that did not count, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Excluded {
    /// The trigger date.
    pub trigger_date: NaiveDate,
    /// Days on or before the trigger date.
    pub before_trigger: u64,
    /// Days after it that an earlier episode had already counted.
    pub already_counted: u64,
}

impl Excluded {
    /// Whether every day of the episode counted.
    pub fn is_empty(&self) -> bool {
        self.before_trigger == 0 && self.already_counted == 0
    }
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

    let why = match (trigger, input.discovered) {
        (TriggerSource::Discovered, _) => TriggerReason::Discovered {
            concluded: input.concluded,
        },
        (TriggerSource::Concluded, None) => TriggerReason::ConcludedOnly,
        (TriggerSource::Concluded, Some(discovered)) => {
            TriggerReason::ConcludedNotEarlier { discovered }
        }
    };
    let mut steps = vec![
        Step::CountsFrom {
            trigger_date,
            why,
            day_one,
        },
        Step::Unextended {
            deadline: unextended_deadline,
            trigger_date,
            roll_forward: input.roll_forward,
        },
    ];

    // Rules 2 and 3, episode by episode in order of start date. Closed episodes come before
    // open ones that start the same day; equal episodes keep their input order.
    let mut order: Vec<&SuspensionEpisode> = input.episodes.iter().collect();
    order.sort_by_key(|e| (e.start, e.end.is_none(), e.end, e.kind));

    let mut running = unextended_deadline; // T + 180 + days counted so far (+ move days)
    let mut total: u64 = 0;
    let mut moved_days: u64 = 0;
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
            last_filing_day: None,
        };

        if let Some(open) = &frozen {
            report.outcome = EpisodeOutcome::WithinOpenEpisode;
            report.deadline_after = None;
            steps.push(Step::Episode {
                episode: *episode,
                effect: EpisodeEffect::WithinOpenEpisode {
                    open_start: open.start,
                },
            });
            episodes.push(report);
            continue;
        }

        // Rule 3 as amended: a first contact after the deadline so far but on or before the
        // workday it moves to turns the days of the move into days of the filing period first;
        // one after that workday extends nothing.
        if episode.start > running {
            let last_day = if input.roll_forward {
                input
                    .holidays
                    .next_workday_on_or_after(running)
                    .map_err(|_| DeadlineError::OutOfRange)?
                    .date
            } else {
                running
            };
            if episode.start > last_day {
                report.outcome = EpisodeOutcome::AfterWindowClosed;
                report.last_filing_day = Some(last_day);
                steps.push(Step::Episode {
                    episode: *episode,
                    effect: EpisodeEffect::AfterWindowClosed {
                        closed_on: running,
                        last_day,
                    },
                });
                episodes.push(report);
                continue;
            }
            let days = days_between(running, last_day);
            steps.push(Step::MoveCounts {
                start: episode.start,
                deadline: running,
                moved: last_day,
                days,
            });
            moved_days = moved_days.saturating_add(days);
            running = last_day;
            report.deadline_after = Some(running);
        }

        if episode.start <= trigger_date {
            let last_before = episode.end.map_or(trigger_date, |e| e.min(trigger_date));
            report.days_before_trigger = days_inclusive(episode.start, last_before);
        }
        let after_trigger_from = episode.start.max(day_one);
        if episode.end.is_some_and(|end| end < after_trigger_from) {
            report.outcome = EpisodeOutcome::BeforeTrigger;
            steps.push(Step::Episode {
                episode: *episode,
                effect: EpisodeEffect::BeforeTrigger { trigger_date },
            });
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
                steps.push(Step::Episode {
                    episode: *episode,
                    effect: EpisodeEffect::Counted {
                        days: added,
                        from,
                        to: end,
                        excluded: excluded(&report, trigger_date),
                        deadline_after: running,
                    },
                });
            }
            (Some(_), _) => {
                report.outcome = EpisodeOutcome::AlreadyCounted;
                steps.push(Step::Episode {
                    episode: *episode,
                    effect: EpisodeEffect::AlreadyCounted {
                        excluded: excluded(&report, trigger_date),
                    },
                });
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
                steps.push(Step::Episode {
                    episode: *episode,
                    effect: EpisodeEffect::Freezes {
                        from,
                        excluded: excluded(&report, trigger_date),
                    },
                });
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
        steps.push(Step::NotYetFixed {
            frozen_from: open.from,
            so_far: days_suspended,
            as_of: input.as_of,
        });
        steps.push(Step::ResumesWhenEnded {
            as_of: input.as_of,
            frozen_from: open.from,
            frozen_now: input.as_of >= open.from,
            remaining: open.remaining,
        });
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
            steps,
        });
    }

    // Rule 4: T + 180 + suspended days.
    steps.push(if episodes.is_empty() {
        Step::NoSuspension
    } else {
        Step::Total {
            days: total,
            moved_days,
            deadline: running,
            trigger_date,
            roll_forward: input.roll_forward,
        }
    });

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
            steps.push(Step::Workday { date: running });
        } else {
            rolled_over = next
                .skipped
                .iter()
                .map(|s| RolledOverDay {
                    date: s.date,
                    reason: s.reason.clone(),
                })
                .collect();
            steps.push(Step::MovedForward {
                skipped: next.skipped,
                to: deadline,
            });
        }
    } else {
        steps.push(Step::NotMoved {
            date: running,
            non_workday: input.holidays.non_workday(running),
        });
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
    steps.push(status_step(
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
        steps,
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

/// Where a filing date stands against a computed deadline (docs/RULES.md, section 3). Staff
/// use it to tell the parties; the grievance committee decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Filing {
    /// On or before the deadline.
    Within {
        /// The deadline.
        deadline: NaiveDate,
    },
    /// After the deadline.
    Late {
        /// The deadline.
        deadline: NaiveDate,
    },
    /// While a counted episode is open: the countdown is frozen, so no deadline has passed.
    WhileSuspended,
}

impl Filing {
    /// Whether the filing falls within the period as computed.
    pub fn within(self) -> bool {
        !matches!(self, Self::Late { .. })
    }
}

/// Where `filed` stands against `report`'s deadline.
pub fn filing(report: &DeadlineReport, filed: NaiveDate) -> Filing {
    match report.deadline {
        None => Filing::WhileSuspended,
        Some(deadline) if filed <= deadline => Filing::Within { deadline },
        Some(deadline) => Filing::Late { deadline },
    }
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

/// The days of an episode that did not count, from its report.
fn excluded(report: &EpisodeReport, trigger_date: NaiveDate) -> Excluded {
    Excluded {
        trigger_date,
        before_trigger: report.days_before_trigger,
        already_counted: report.days_already_counted,
    }
}

/// The last step: where the countdown stands on the as-of date.
fn status_step(
    as_of: NaiveDate,
    status: Status,
    deadline: NaiveDate,
    days_remaining: u64,
    resumes_on: Option<NaiveDate>,
) -> Step {
    match status {
        Status::Expired => Step::Expired {
            as_of,
            deadline,
            days_late: days_between(deadline, as_of),
        },
        Status::Running if as_of == deadline => Step::LastDay { as_of },
        Status::Running => Step::Running {
            as_of,
            left: days_remaining,
            suspension_ahead: days_between(as_of, deadline).saturating_sub(days_remaining),
            deadline,
        },
        Status::Suspended => Step::Suspended {
            as_of,
            resumes_on,
            left: days_remaining,
            deadline,
        },
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on unexpected values; `allow`, not `expect`, because the project's clippy.toml may already allow unwrap in tests"
)]
mod tests;
