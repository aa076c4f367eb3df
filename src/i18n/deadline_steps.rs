//! The filing deadline's step-by-step explanation in words: one sentence per
//! [`Step`] of [`crate::domain::deadline`], in the reader's language, with the wording taken from
//! the `[explain]`, `[holiday]` and `[calendar]` sections of `translations/*.toml`.
//!
//! The domain decides every number and date; this module only says them. It chooses between
//! whole sentences (one per case, singular and plural apart where a language needs it) rather
//! than gluing English fragments, so a translator always sees a complete sentence. It must not
//! compute anything about deadlines.

use chrono::{Datelike, NaiveDate};

use super::{Lang, capitalize};
use crate::domain::deadline::{
    EpisodeEffect, Excluded, FILING_WINDOW_DAYS, Step, SuspensionEpisode, SuspensionKind,
    TriggerReason,
};
use crate::domain::holidays::{FederalHoliday, HolidayName, NonWorkday};

/// The explanation of `steps` in `lang`, one sentence per step.
pub fn sentences(steps: &[Step], lang: Lang) -> Vec<String> {
    Words::new(lang).sentences(steps)
}

/// [`sentences`] with every date kept on one line (a no-break space between weekday and date),
/// for letters that are wrapped or printed.
pub fn sentences_unbroken(steps: &[Step], lang: Lang) -> Vec<String> {
    Words {
        lang,
        unbroken: true,
    }
    .sentences(steps)
}

/// The one sentence said when the transaction's date is unknown, so there are no steps: the
/// rule, and the days of informal resolution from `first_contact` to `end` (both included),
/// which `ended` on `end` or last through it so far.
pub fn without_conclusion(
    first_contact: NaiveDate,
    end: NaiveDate,
    days: u64,
    ended: bool,
    lang: Lang,
) -> String {
    let words = Words::new(lang);
    lang.f(
        if ended {
            "explain.unknown_ended"
        } else {
            "explain.unknown_so_far"
        },
        &[
            ("window", &FILING_WINDOW_DAYS),
            ("days", &lang.days(days)),
            ("first", &words.day(first_contact)),
            ("end", &words.day(end)),
        ],
    )
}

/// Why a day is not a workday, in one or two words in `lang`: the weekday's name ("Sunday"), or
/// the holiday's.
pub fn non_workday_name(reason: &NonWorkday, lang: Lang) -> String {
    match reason {
        NonWorkday::Weekend(weekday) => lang.weekday(*weekday).to_owned(),
        NonWorkday::Holiday(name) => holiday_name(name, lang),
    }
}

/// A holiday's name in `lang`: the `[holiday]` translation of a federal holiday, or an
/// association's own name (in `lang` where the configuration gives one).
pub fn holiday_name(name: &HolidayName, lang: Lang) -> String {
    match name {
        HolidayName::Federal { holiday, observed } => {
            let own = lang.t(holiday_key(*holiday));
            if *observed {
                lang.f("holiday.observed", &[("name", &own)])
            } else {
                own.to_owned()
            }
        }
        HolidayName::Own { name, names } => names
            .iter()
            .find(|(code, _)| code == lang.code())
            .map_or(name, |(_, translated)| translated)
            .clone(),
    }
}

/// The translation key of a federal holiday's name.
fn holiday_key(holiday: FederalHoliday) -> &'static str {
    match holiday {
        FederalHoliday::NewYearsDay => "holiday.new_years_day",
        FederalHoliday::MartinLutherKingJrBirthday => "holiday.martin_luther_king_jr_birthday",
        FederalHoliday::WashingtonsBirthday => "holiday.washingtons_birthday",
        FederalHoliday::MemorialDay => "holiday.memorial_day",
        FederalHoliday::Juneteenth => "holiday.juneteenth",
        FederalHoliday::IndependenceDay => "holiday.independence_day",
        FederalHoliday::LaborDay => "holiday.labor_day",
        FederalHoliday::ColumbusDay => "holiday.columbus_day",
        FederalHoliday::VeteransDay => "holiday.veterans_day",
        FederalHoliday::Thanksgiving => "holiday.thanksgiving",
        FederalHoliday::Christmas => "holiday.christmas",
    }
}

/// The wording of one language, and whether dates may break across lines.
#[derive(Clone, Copy)]
struct Words {
    lang: Lang,
    unbroken: bool,
}

/// A value put into a sentence.
type Value<'a> = (&'a str, &'a dyn std::fmt::Display);

impl Words {
    /// Dates that may break across lines.
    fn new(lang: Lang) -> Self {
        Words {
            lang,
            unbroken: false,
        }
    }

    /// One sentence per step, each starting with a capital, and last the sentence that leaves
    /// the decision to the grievance committee (the software informs, it does not decide).
    fn sentences(self, steps: &[Step]) -> Vec<String> {
        let mut said: Vec<String> = steps
            .iter()
            .map(|step| capitalize(&self.uncapitalized(step)))
            .collect();
        if !said.is_empty() {
            said.push(self.lang.t("explain.committee").to_owned());
        }
        said
    }

    /// The phrase for `key` with its values.
    fn f(self, key: &str, values: &[Value<'_>]) -> String {
        self.lang.f(key, values)
    }

    /// `{key}_one` or `{key}_other` as the language chooses for `n`, with `{n}` and the values.
    fn plural(self, key: &str, n: u64, values: &[Value<'_>]) -> String {
        self.lang.plural(key, n, values)
    }

    fn day(self, date: NaiveDate) -> String {
        let weekday = self.lang.weekday(date.weekday());
        // `NaiveDate`'s `Display` is `YYYY-MM-DD`.
        let text = self.f("explain.date", &[("weekday", &weekday), ("iso", &date)]);
        if self.unbroken {
            text.replace(' ', "\u{a0}")
        } else {
            text
        }
    }

    fn days(self, count: u64) -> String {
        self.lang.days(count)
    }

    /// "a", "a and b", "a, b and c".
    fn list(self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => {
                let mut first = String::new();
                for item in rest {
                    first = if first.is_empty() {
                        item.clone()
                    } else {
                        self.f("explain.list_more", &[("first", &first), ("next", item)])
                    };
                }
                self.f("explain.list_last", &[("first", &first), ("last", last)])
            }
        }
    }

    fn uncapitalized(self, step: &Step) -> String {
        let window: &dyn std::fmt::Display = &FILING_WINDOW_DAYS;
        match step {
            Step::CountsFrom {
                trigger_date,
                why,
                day_one,
            } => {
                let why = match why {
                    TriggerReason::Discovered { concluded } => self.f(
                        "explain.why_discovered",
                        &[("concluded", &self.day(*concluded))],
                    ),
                    TriggerReason::ConcludedOnly => self.f("explain.why_concluded", &[]),
                    TriggerReason::ConcludedNotEarlier { discovered } => self.f(
                        "explain.why_concluded_not_earlier",
                        &[("discovered", &self.day(*discovered))],
                    ),
                };
                self.f(
                    "explain.counts_from",
                    &[
                        ("window", window),
                        ("trigger", &self.day(*trigger_date)),
                        ("why", &why),
                        ("day_one", &self.day(*day_one)),
                    ],
                )
            }
            Step::Unextended {
                deadline,
                trigger_date,
                roll_forward,
            } => self.f(
                if *roll_forward {
                    "explain.unextended_before_move"
                } else {
                    "explain.unextended"
                },
                &[
                    ("deadline", &self.day(*deadline)),
                    ("window", window),
                    ("trigger", &self.day(*trigger_date)),
                ],
            ),
            Step::Episode { episode, effect } => self.episode(episode, effect),
            Step::NotYetFixed {
                frozen_from,
                so_far,
                as_of,
            } => self.plural(
                "explain.not_fixed",
                *so_far,
                &[
                    ("from", &self.day(*frozen_from)),
                    ("window", window),
                    ("as_of", &self.day(*as_of)),
                ],
            ),
            Step::ResumesWhenEnded {
                as_of,
                frozen_from,
                frozen_now,
                remaining,
            } => self.f(
                if *frozen_now {
                    "explain.frozen_now"
                } else {
                    "explain.frozen_ahead"
                },
                &[
                    ("as_of", &self.day(*as_of)),
                    ("from", &self.day(*frozen_from)),
                    ("days", &self.days(*remaining)),
                ],
            ),
            Step::NoSuspension => self.f("explain.no_suspension", &[("window", window)]),
            Step::MoveCounts {
                start,
                deadline,
                moved,
                days,
            } => self.f(
                "explain.move_counts",
                &[
                    ("start", &self.day(*start)),
                    ("deadline", &self.day(*deadline)),
                    ("moved", &self.day(*moved)),
                    ("days", &self.days(*days)),
                ],
            ),
            Step::Total {
                days,
                moved_days: 0,
                deadline,
                trigger_date,
                roll_forward,
            } => self.plural(
                if *roll_forward {
                    "explain.total_before_move"
                } else {
                    "explain.total"
                },
                *days,
                &[
                    ("window", window),
                    ("deadline", &self.day(*deadline)),
                    ("trigger", &self.day(*trigger_date)),
                ],
            ),
            Step::Total {
                days,
                moved_days,
                deadline,
                trigger_date,
                ..
            } => self.plural(
                "explain.total_with_move",
                *days,
                &[
                    ("window", window),
                    ("moved", &self.days(*moved_days)),
                    ("m", moved_days),
                    ("deadline", &self.day(*deadline)),
                    ("trigger", &self.day(*trigger_date)),
                ],
            ),
            Step::Workday { date } => self.f("explain.workday", &[("date", &self.day(*date))]),
            Step::MovedForward { skipped, to } => {
                let reasons: Vec<String> = skipped
                    .iter()
                    .map(|s| self.non_workday(s.date, &s.reason))
                    .collect();
                self.f(
                    "explain.moved",
                    &[("days", &self.list(&reasons)), ("deadline", &self.day(*to))],
                )
            }
            Step::NotMoved { date, non_workday } => {
                let date = self.day(*date);
                match non_workday {
                    None => self.f("explain.not_moved", &[("date", &date)]),
                    Some(NonWorkday::Weekend(_)) => {
                        self.f("explain.not_moved_weekend", &[("date", &date)])
                    }
                    Some(NonWorkday::Holiday(name)) => self.f(
                        "explain.not_moved_holiday",
                        &[("date", &date), ("name", &holiday_name(name, self.lang))],
                    ),
                }
            }
            Step::Expired {
                as_of,
                deadline,
                days_late,
            } => self.f(
                "explain.expired",
                &[
                    ("as_of", &self.day(*as_of)),
                    ("deadline", &self.day(*deadline)),
                    ("days", &self.days(*days_late)),
                ],
            ),
            Step::LastDay { as_of } => self.f(
                "explain.last_day",
                &[
                    ("as_of", &self.day(*as_of)),
                    ("deadline", &self.day(*as_of)),
                ],
            ),
            Step::Running {
                as_of,
                left,
                suspension_ahead,
                deadline,
            } => self.f(
                if *suspension_ahead > 0 {
                    "explain.running_with_suspension_ahead"
                } else {
                    "explain.running"
                },
                &[
                    ("as_of", &self.day(*as_of)),
                    ("days", &self.days(*left)),
                    ("ahead", &self.days(*suspension_ahead)),
                    ("deadline", &self.day(*deadline)),
                ],
            ),
            Step::Suspended {
                as_of,
                resumes_on,
                left,
                deadline,
            } => {
                let resumes = match resumes_on {
                    Some(date) => self.day(*date),
                    None => self.f("explain.day_after_suspension", &[]),
                };
                self.f(
                    "explain.suspended",
                    &[
                        ("as_of", &self.day(*as_of)),
                        ("resumes", &resumes),
                        ("days", &self.days(*left)),
                        ("deadline", &self.day(*deadline)),
                    ],
                )
            }
        }
    }

    /// "Saturday 2026-09-05 falls on a weekend", "Monday 2026-09-07 is a holiday (Labor Day)".
    fn non_workday(self, date: NaiveDate, reason: &NonWorkday) -> String {
        let date = self.day(date);
        match reason {
            NonWorkday::Weekend(_) => self.f("explain.on_weekend", &[("date", &date)]),
            NonWorkday::Holiday(name) => self.f(
                "explain.on_holiday",
                &[("date", &date), ("name", &holiday_name(name, self.lang))],
            ),
        }
    }

    /// How an episode is named at the start of its sentence.
    fn label(self, episode: &SuspensionEpisode) -> String {
        let start = self.day(episode.start);
        match (episode.kind, episode.end) {
            (SuspensionKind::InformalResolution, Some(end)) => self.f(
                "explain.label_informal",
                &[("start", &start), ("end", &self.day(end))],
            ),
            (SuspensionKind::InformalResolution, None) => {
                self.f("explain.label_informal_open", &[("start", &start)])
            }
            (SuspensionKind::RespondentNonMember, Some(end)) => self.f(
                "explain.label_non_member",
                &[("start", &start), ("end", &self.day(end))],
            ),
            (SuspensionKind::RespondentNonMember, None) => {
                self.f("explain.label_non_member_open", &[("start", &start)])
            }
        }
    }

    /// The parts of an episode that did not count, as a clause ("" if none).
    fn excluded(self, excluded: &Excluded) -> String {
        let mut parts = Vec::new();
        if excluded.before_trigger > 0 {
            parts.push(self.plural(
                "explain.excluded_before",
                excluded.before_trigger,
                &[
                    ("trigger", &self.day(excluded.trigger_date)),
                    ("window", &FILING_WINDOW_DAYS),
                ],
            ));
        }
        if excluded.already_counted > 0 {
            parts.push(self.plural("explain.excluded_counted", excluded.already_counted, &[]));
        }
        self.list(&parts)
    }

    fn episode(self, episode: &SuspensionEpisode, effect: &EpisodeEffect) -> String {
        let label = self.label(episode);
        let window: &dyn std::fmt::Display = &FILING_WINDOW_DAYS;
        match effect {
            EpisodeEffect::WithinOpenEpisode { open_start } => self.f(
                "explain.within_open",
                &[("episode", &label), ("open_start", &self.day(*open_start))],
            ),
            EpisodeEffect::AfterWindowClosed {
                closed_on,
                last_day,
            } if last_day == closed_on => self.f(
                "explain.after_closed",
                &[("episode", &label), ("last", &self.day(*last_day))],
            ),
            EpisodeEffect::AfterWindowClosed {
                closed_on,
                last_day,
            } => self.f(
                "explain.after_closed_moved",
                &[
                    ("episode", &label),
                    ("last", &self.day(*last_day)),
                    ("closed", &self.day(*closed_on)),
                ],
            ),
            EpisodeEffect::BeforeTrigger { trigger_date } => self.f(
                "explain.before_trigger",
                &[
                    ("episode", &label),
                    ("trigger", &self.day(*trigger_date)),
                    ("window", window),
                ],
            ),
            EpisodeEffect::Counted {
                days,
                from,
                to,
                excluded,
                deadline_after,
            } => {
                let whole =
                    excluded.is_empty() && *from == episode.start && Some(*to) == episode.end;
                let (from, to) = (self.day(*from), self.day(*to));
                let which = if whole {
                    self.f("explain.both_included", &[])
                } else if excluded.is_empty() {
                    self.f("explain.range_included", &[("from", &from), ("to", &to)])
                } else {
                    self.f(
                        "explain.range_included_except",
                        &[
                            ("from", &from),
                            ("to", &to),
                            ("excluded", &self.excluded(excluded)),
                        ],
                    )
                };
                self.f(
                    "explain.counted",
                    &[
                        ("episode", &label),
                        ("days", &self.days(*days)),
                        ("which", &which),
                        ("deadline", &self.day(*deadline_after)),
                    ],
                )
            }
            EpisodeEffect::AlreadyCounted { excluded } => {
                if excluded.before_trigger > 0 {
                    self.plural(
                        "explain.already_counted_partly",
                        excluded.before_trigger,
                        &[
                            ("episode", &label),
                            ("trigger", &self.day(excluded.trigger_date)),
                            ("window", window),
                        ],
                    )
                } else {
                    self.f("explain.already_counted_all", &[("episode", &label)])
                }
            }
            EpisodeEffect::Freezes { from, excluded } => {
                let from = self.day(*from);
                if excluded.is_empty() {
                    self.f("explain.freezes", &[("episode", &label), ("from", &from)])
                } else {
                    self.f(
                        "explain.freezes_except",
                        &[
                            ("episode", &label),
                            ("from", &from),
                            ("excluded", &self.excluded(excluded)),
                        ],
                    )
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on unexpected values; `allow`, not `expect`, because the project's clippy.toml may already allow unwrap in tests"
)]
mod tests;
