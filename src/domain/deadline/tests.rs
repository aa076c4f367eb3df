//! Unit tests for each numbered rule, the worked example of docs/RULES.md, and property tests.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;

use super::*;
use crate::domain::holidays::HolidayCalendar;
use crate::i18n::{Lang, deadline_steps};

/// The explanation in English, without its last sentence, which is always the one that leaves
/// the decision to the grievance committee (checked here).
fn en(report: &DeadlineReport) -> Vec<String> {
    let mut said = deadline_steps::sentences(&report.steps, Lang::En);
    assert_eq!(
        said.pop().as_deref(),
        Some(Lang::En.t("explain.committee")),
        "the explanation ends by leaving the decision to the grievance committee"
    );
    said
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn informal(start: &str, end: &str) -> SuspensionEpisode {
    SuspensionEpisode {
        kind: SuspensionKind::InformalResolution,
        start: d(start),
        end: Some(d(end)),
    }
}

fn informal_open(start: &str) -> SuspensionEpisode {
    SuspensionEpisode {
        kind: SuspensionKind::InformalResolution,
        start: d(start),
        end: None,
    }
}

fn non_member(start: &str, end: &str) -> SuspensionEpisode {
    SuspensionEpisode {
        kind: SuspensionKind::RespondentNonMember,
        start: d(start),
        end: Some(d(end)),
    }
}

/// Runs the computation with the federal calendar and roll-forward on.
fn run(concluded: &str, episodes: &[SuspensionEpisode], as_of: &str) -> DeadlineReport {
    run_with(concluded, None, episodes, true, as_of)
}

fn run_with(
    concluded: &str,
    discovered: Option<&str>,
    episodes: &[SuspensionEpisode],
    roll_forward: bool,
    as_of: &str,
) -> DeadlineReport {
    let holidays = HolidayCalendar::us_federal();
    compute(&DeadlineInput {
        concluded: d(concluded),
        discovered: discovered.map(d),
        episodes,
        holidays: &holidays,
        roll_forward,
        as_of: d(as_of),
    })
    .unwrap()
}

// ---------------------------------------------------------------- the worked example

#[test]
fn worked_example_from_domain_md() {
    let r = run(
        "2026-01-10",
        &[informal("2026-02-02", "2026-03-13")],
        "2026-03-16",
    );
    assert_eq!(r.trigger_date, d("2026-01-10"));
    assert_eq!(r.unextended_deadline, d("2026-07-09"));
    assert_eq!(r.days_suspended, 40);
    assert_eq!(r.extended_deadline, Some(d("2026-08-18")));
    assert_eq!(r.deadline, Some(d("2026-08-18")));
    assert_eq!(r.rolled_forward_from, None);
    assert_eq!(r.status, Status::Running);
    // 2026-03-17 .. 2026-08-18 inclusive.
    assert_eq!(r.days_remaining, 155);
    assert_eq!(r.episodes[0].outcome, EpisodeOutcome::Counted);
    assert_eq!(r.episodes[0].days_added, 40);
    assert_eq!(
        en(&r),
        vec![
            "The 180 days count from Saturday 2026-01-10, the date the transaction or event concluded (no later date of discovery was given); day 1 is Sunday 2026-01-11.",
            "Without any suspension the deadline would be Thursday 2026-07-09, 180 calendar days after Saturday 2026-01-10 (before any weekend or holiday move).",
            "Informal resolution from Monday 2026-02-02 (first contact) to Friday 2026-03-13 (termination) adds 40 days (both dates included), so the deadline moves to Tuesday 2026-08-18.",
            "In total 40 days are added to the 180, so the deadline is Tuesday 2026-08-18 (180 + 40 days after Saturday 2026-01-10), before any weekend or holiday move.",
            "Tuesday 2026-08-18 is a workday (not a weekend day or a holiday), so the deadline stays there.",
            "As of Monday 2026-03-16, the countdown is running with 155 days left after that day: a complaint filed on or before Tuesday 2026-08-18 falls within the period as computed.",
        ]
    );
}

#[test]
fn worked_example_while_informal_resolution_is_open() {
    let r = run("2026-01-10", &[informal_open("2026-02-02")], "2026-03-13");
    assert_eq!(r.deadline, None);
    assert_eq!(r.extended_deadline, None);
    assert_eq!(r.status, Status::Suspended);
    assert_eq!(r.days_suspended, 40, "counted through the as-of date");
    // The countdown stood at 158 days after 2026-02-01 ...
    assert_eq!(r.days_remaining, 158);
    // ... which is what the closed episode shows on its termination date.
    let closed = run(
        "2026-01-10",
        &[informal("2026-02-02", "2026-03-13")],
        "2026-03-13",
    );
    assert_eq!(closed.status, Status::Suspended);
    assert_eq!(closed.resumes_on, Some(d("2026-03-14")));
    assert_eq!(closed.days_remaining, 158);
    // And the day the countdown resumes, one day has gone.
    let resumed = run(
        "2026-01-10",
        &[informal("2026-02-02", "2026-03-13")],
        "2026-03-14",
    );
    assert_eq!(resumed.status, Status::Running);
    assert_eq!(resumed.days_remaining, 157);
    assert!(
        en(&r)
            .iter()
            .any(|s| s.contains("resumes the next day with 158 days left"))
    );
}

// ---------------------------------------------------------------- rule 1

#[test]
fn rule1_trigger_is_the_later_of_conclusion_and_discovery() {
    let later = run_with("2026-01-10", Some("2026-03-02"), &[], true, "2026-03-02");
    assert_eq!(later.trigger_date, d("2026-03-02"));
    assert_eq!(later.trigger, TriggerSource::Discovered);
    assert_eq!(later.unextended_deadline, d("2026-08-29"));
    assert!(en(&later)[0].contains("facts could have been known"));

    let earlier = run_with("2026-01-10", Some("2025-12-01"), &[], true, "2026-01-10");
    assert_eq!(earlier.trigger_date, d("2026-01-10"));
    assert_eq!(earlier.trigger, TriggerSource::Concluded);
    assert_eq!(earlier.unextended_deadline, d("2026-07-09"));
    assert_eq!(earlier.days_remaining, 180);
}

// ---------------------------------------------------------------- rule 2

#[test]
fn rule2_days_on_or_before_the_trigger_date_do_not_count() {
    // Discovery on 2026-02-10; informal resolution ran 2026-02-01 .. 2026-02-20.
    let r = run_with(
        "2026-01-10",
        Some("2026-02-10"),
        &[informal("2026-02-01", "2026-02-20")],
        true,
        "2026-02-01",
    );
    assert_eq!(r.days_suspended, 10, "2026-02-11 .. 2026-02-20");
    let e = &r.episodes[0];
    assert_eq!(e.days_before_trigger, 10);
    assert_eq!(e.counted_from, Some(d("2026-02-11")));
    assert!(en(&r)[2].contains("10 days on or before Tuesday 2026-02-10 do not count"));

    let all_before = run(
        "2026-01-10",
        &[informal("2026-01-02", "2026-01-10")],
        "2026-01-10",
    );
    assert_eq!(all_before.days_suspended, 0);
    assert_eq!(
        all_before.episodes[0].outcome,
        EpisodeOutcome::BeforeTrigger
    );
    assert_eq!(all_before.deadline, Some(d("2026-07-09")));
    assert!(en(&all_before)[2].contains("adds no days: all of it falls on or before"));
}

#[test]
fn rule2_a_day_covered_by_two_episodes_counts_once() {
    let r = run(
        "2026-01-10",
        &[
            non_member("2026-03-01", "2026-03-31"),
            informal("2026-02-02", "2026-03-13"),
        ],
        "2026-04-01",
    );
    // 2026-02-02 .. 2026-03-31 = 27 + 31 = 58 distinct days.
    assert_eq!(r.days_suspended, 58);
    assert_eq!(r.episodes[0].kind, SuspensionKind::InformalResolution);
    assert_eq!(r.episodes[1].days_already_counted, 13);
    assert_eq!(r.episodes[1].days_added, 18);
    assert!(en(&r)[3].contains("13 days had already been counted"));

    let inside = run(
        "2026-01-10",
        &[
            informal("2026-02-02", "2026-03-13"),
            non_member("2026-02-10", "2026-02-20"),
        ],
        "2026-04-01",
    );
    assert_eq!(inside.days_suspended, 40);
    assert_eq!(inside.episodes[1].outcome, EpisodeOutcome::AlreadyCounted);
    assert!(en(&inside)[3].contains("every day of it was already counted"));
}

#[test]
fn rule2_an_episode_of_one_day_adds_one_day() {
    let r = run(
        "2026-01-10",
        &[informal("2026-02-02", "2026-02-02")],
        "2026-02-02",
    );
    assert_eq!(r.days_suspended, 1);
    assert_eq!(r.deadline, Some(d("2026-07-10")));
    assert!(en(&r)[2].contains("adds 1 day (both dates included)"));
}

// ---------------------------------------------------------------- rule 3

#[test]
fn rule3_an_episode_after_the_window_closed_extends_nothing() {
    // Unextended deadline Thursday 2026-07-09.
    let after = run(
        "2026-01-10",
        &[informal("2026-07-10", "2026-08-01")],
        "2026-08-01",
    );
    assert_eq!(after.days_suspended, 0);
    assert_eq!(after.deadline, Some(d("2026-07-09")));
    assert_eq!(after.status, Status::Expired);
    assert_eq!(after.episodes[0].outcome, EpisodeOutcome::AfterWindowClosed);
    assert!(en(&after)[2].contains(
        "it began after Thursday 2026-07-09, the last day a complaint could still be filed"
    ));
    assert_eq!(after.episodes[0].last_filing_day, Some(d("2026-07-09")));

    // Starting on the deadline itself still counts.
    let on = run(
        "2026-01-10",
        &[informal("2026-07-09", "2026-07-10")],
        "2026-07-09",
    );
    assert_eq!(on.days_suspended, 2);
    assert_eq!(on.deadline, Some(d("2026-07-13")), "07-11 is a Saturday");
}

#[test]
fn rule3_a_contact_after_the_moved_deadline_names_the_moved_day_as_the_last_to_file() {
    // Trigger Sunday 2026-01-04: day 180 is Friday 2026-07-03, Independence Day observed,
    // so a complaint could still be filed on Monday 2026-07-06. A first contact on Tuesday
    // 07-07 extends nothing, and the explanation names Monday, not Friday, as the last day.
    let late = run(
        "2026-01-04",
        &[informal("2026-07-07", "2026-07-10")],
        "2026-08-01",
    );
    assert_eq!(late.episodes[0].outcome, EpisodeOutcome::AfterWindowClosed);
    assert_eq!(late.episodes[0].last_filing_day, Some(d("2026-07-06")));
    assert_eq!(late.deadline, Some(d("2026-07-06")));
    let line = &en(&late)[2];
    assert!(
        line.contains("it began after Monday 2026-07-06, the last day a complaint could still be filed (the deadline at that point, Friday 2026-07-03, moved to the next workday)"),
        "{line}"
    );

    // Without roll-forward the last day is day 180 itself, and the plain wording is used.
    let unmoved = run_with(
        "2026-01-04",
        None,
        &[informal("2026-07-04", "2026-07-10")],
        false,
        "2026-08-01",
    );
    assert_eq!(unmoved.episodes[0].last_filing_day, Some(d("2026-07-03")));
    assert!(!en(&unmoved)[2].contains("moved to the next workday"));
}

#[test]
fn rule3_compares_with_the_deadline_as_extended_by_earlier_episodes() {
    // The first episode moves the deadline to 2026-08-18, so one starting 2026-08-01 counts.
    let r = run(
        "2026-01-10",
        &[
            informal("2026-08-01", "2026-08-10"),
            informal("2026-02-02", "2026-03-13"),
        ],
        "2026-08-01",
    );
    assert_eq!(r.days_suspended, 50);
    assert_eq!(r.deadline, Some(d("2026-08-28")));
    // An open episode after the window closed does not freeze anything.
    let open_late = run("2026-01-10", &[informal_open("2026-07-10")], "2026-08-01");
    assert_eq!(open_late.deadline, Some(d("2026-07-09")));
    assert_eq!(open_late.status, Status::Expired);
}

#[test]
fn rule3_a_contact_within_the_weekend_move_counts_the_move_days_first() {
    // Concluded 2026-03-09: the 180th day is Saturday 2026-09-05, moved to Tuesday 09-08
    // (Monday 09-07 is Labor Day).
    let plain = run("2026-03-09", &[], "2026-09-06");
    assert_eq!(plain.deadline, Some(d("2026-09-08")));
    // A contact on Sunday 09-06 falls after the deadline so far but on or before the day it
    // moves to: the three days of the move (09-06 to 09-08) count as days of the filing period
    // first, then the 25 days of informal resolution are added: 09-08 + 25 = Saturday 10-03,
    // moved to Monday 10-05 — the same as freezing the three days left on 09-06 and resuming
    // them on 10-01.
    let r = run(
        "2026-03-09",
        &[informal("2026-09-06", "2026-09-30")],
        "2026-10-01",
    );
    assert_eq!(r.episodes[0].outcome, EpisodeOutcome::Counted);
    assert_eq!(r.days_suspended, 25);
    assert_eq!(r.extended_deadline, Some(d("2026-10-03")));
    assert_eq!(r.deadline, Some(d("2026-10-05")));
    let said = en(&r).join(" ");
    assert!(
        said.contains(
            "after the deadline of Saturday 2026-09-05 but on or before Tuesday 2026-09-08"
        ),
        "{said}"
    );
    assert!(said.contains("(180 + 3 + 25 days after"), "{said}");
    // A contact after the day the deadline moved to extends nothing.
    let late = run(
        "2026-03-09",
        &[informal("2026-09-09", "2026-09-30")],
        "2026-09-09",
    );
    assert_eq!(late.episodes[0].outcome, EpisodeOutcome::AfterWindowClosed);
    assert_eq!(late.deadline, Some(d("2026-09-08")));
    // Without the weekend and holiday move there is no move to count.
    let unmoved = run_with(
        "2026-03-09",
        None,
        &[informal("2026-09-06", "2026-09-30")],
        false,
        "2026-09-06",
    );
    assert_eq!(
        unmoved.episodes[0].outcome,
        EpisodeOutcome::AfterWindowClosed
    );
}

#[test]
fn rule3_the_example_of_the_rules_page() {
    // docs/RULES.md: trigger 2026-01-12, deadline Saturday 2026-07-11 moved to Monday 07-13;
    // informal resolution 07-13 to 07-20 adds 8 days to 07-13: Tuesday 07-21.
    let r = run(
        "2026-01-12",
        &[informal("2026-07-13", "2026-07-20")],
        "2026-07-21",
    );
    assert_eq!(r.days_suspended, 8);
    assert_eq!(r.deadline, Some(d("2026-07-21")));
    // Called on the Sunday instead: the two days left (Sunday and Monday) resume on 07-21.
    let sunday = run(
        "2026-01-12",
        &[informal("2026-07-12", "2026-07-20")],
        "2026-07-21",
    );
    assert_eq!(sunday.deadline, Some(d("2026-07-22")));
    // Still open: the countdown is frozen with the move's days left to run.
    let open = run("2026-01-12", &[informal_open("2026-07-13")], "2026-07-15");
    assert_eq!(open.deadline, None);
    assert_eq!(open.days_remaining, 1);
}

// ---------------------------------------------------------------- rule 4

#[test]
fn rule4_weekend_then_holiday_moves_to_the_next_workday() {
    let r = run("2026-03-09", &[], "2026-03-09");
    assert_eq!(r.extended_deadline, Some(d("2026-09-05")));
    assert_eq!(r.deadline, Some(d("2026-09-08")));
    assert_eq!(r.rolled_forward_from, Some(d("2026-09-05")));
    let reasons: Vec<String> = r
        .rolled_over
        .iter()
        .map(|x| deadline_steps::non_workday_name(&x.reason, Lang::En))
        .collect();
    assert_eq!(reasons, ["Saturday", "Sunday", "Labor Day"]);
    assert!(en(&r).contains(
        &"Saturday 2026-09-05 falls on a weekend, Sunday 2026-09-06 falls on a weekend and Monday 2026-09-07 is a holiday (Labor Day), so the deadline moves to the next workday, Tuesday 2026-09-08.".to_owned()
    ));
    // Counted from the as-of date to the rolled deadline.
    assert_eq!(r.days_remaining, 183);
}

#[test]
fn rule4_weekday_holiday_moves_one_day() {
    // Concluded 2026-05-30: the 180th day is Thanksgiving, Thursday 2026-11-26.
    let r = run("2026-05-30", &[], "2026-11-26");
    assert_eq!(r.deadline, Some(d("2026-11-27")));
    assert!(
        en(&r)
            .iter()
            .any(|s| s.contains("is a holiday (Thanksgiving Day)"))
    );
    assert_eq!(r.status, Status::Running);
    assert_eq!(r.days_remaining, 1);
}

#[test]
fn rule4_association_holidays_are_respected() {
    let mut holidays = HolidayCalendar::us_federal();
    holidays.add(d("2026-11-27"), "Day after Thanksgiving");
    let r = compute(&DeadlineInput {
        concluded: d("2026-05-30"),
        discovered: None,
        episodes: &[],
        holidays: &holidays,
        roll_forward: true,
        as_of: d("2026-06-01"),
    })
    .unwrap();
    assert_eq!(r.deadline, Some(d("2026-11-30")));
    assert_eq!(r.rolled_over.len(), 4);
    assert_eq!(
        deadline_steps::non_workday_name(&r.rolled_over[1].reason, Lang::En),
        "Day after Thanksgiving"
    );
}

// ---------------------------------------------------------------- rule 5

#[test]
fn rule5_no_deadline_while_a_counted_episode_is_open() {
    let r = run(
        "2026-01-10",
        &[
            informal("2026-02-02", "2026-02-10"),
            informal_open("2026-03-01"),
            non_member("2026-03-05", "2026-12-31"),
        ],
        "2026-03-10",
    );
    assert_eq!(r.deadline, None);
    assert_eq!(r.status, Status::Suspended);
    // 9 days closed + 2026-03-01 .. 2026-03-10.
    assert_eq!(r.days_suspended, 19);
    assert_eq!(r.episodes[1].outcome, EpisodeOutcome::Open);
    assert_eq!(r.episodes[2].outcome, EpisodeOutcome::WithinOpenEpisode);
    // Deadline 2026-07-18 before the freeze; 2026-03-01 .. 2026-07-18 = 140 days.
    assert_eq!(r.days_remaining, 140);
    // Before the open episode began: still no deadline, same frozen figure.
    let earlier = run("2026-01-10", &[informal_open("2026-03-01")], "2026-02-15");
    assert_eq!(earlier.status, Status::Suspended);
    assert_eq!(earlier.days_suspended, 0);
    assert_eq!(earlier.days_remaining, 131);
    assert!(en(&earlier).last().unwrap().contains("was still running"));
}

#[test]
fn rule5_open_episode_overlapping_an_earlier_one_freezes_from_the_first_new_day() {
    let r = run(
        "2026-01-10",
        &[
            informal("2026-02-02", "2026-03-13"),
            non_member_open("2026-03-01"),
        ],
        "2026-03-20",
    );
    assert_eq!(r.episodes[1].counted_from, Some(d("2026-03-14")));
    assert_eq!(r.episodes[1].days_already_counted, 13);
    assert_eq!(r.days_suspended, 47);
    assert_eq!(r.days_remaining, 158);
}

fn non_member_open(start: &str) -> SuspensionEpisode {
    SuspensionEpisode {
        kind: SuspensionKind::RespondentNonMember,
        start: d(start),
        end: None,
    }
}

// ---------------------------------------------------------------- rule 6

#[test]
fn rule6_roll_forward_off_keeps_a_weekend_deadline() {
    let r = run_with("2026-03-09", None, &[], false, "2026-03-09");
    assert_eq!(r.deadline, Some(d("2026-09-05")));
    assert_eq!(r.rolled_forward_from, None);
    assert!(!r.roll_forward);
    assert!(en(&r).iter().any(|s| s.contains(
        "roll-forward is turned off, so the deadline stays on Saturday 2026-09-05 even though it falls on a weekend"
    )));
}

// ---------------------------------------------------------------- status and errors

#[test]
fn status_on_the_deadline_and_after() {
    let last = run("2026-01-10", &[], "2026-07-09");
    assert_eq!(last.status, Status::Running);
    assert_eq!(last.days_remaining, 0);
    assert!(en(&last).last().unwrap().contains("this is the last day"));
    let late = run("2026-01-10", &[], "2026-07-10");
    assert_eq!(late.status, Status::Expired);
    assert_eq!(late.days_remaining, 0);
    assert!(en(&late).last().unwrap().contains("1 day earlier"));
}

#[test]
fn days_remaining_skips_recorded_suspension_ahead() {
    // As of 2026-01-20, with the 40-day episode recorded ahead.
    let r = run(
        "2026-01-10",
        &[informal("2026-02-02", "2026-03-13")],
        "2026-01-20",
    );
    assert_eq!(r.status, Status::Running);
    assert_eq!(r.days_remaining, 170);
    assert!(en(&r).last().unwrap().contains("not counting 40 days"));
}

#[test]
fn episode_ending_before_it_starts_is_an_error() {
    let holidays = HolidayCalendar::us_federal();
    let err = compute(&DeadlineInput {
        concluded: d("2026-01-10"),
        discovered: None,
        episodes: &[
            informal("2026-02-02", "2026-02-03"),
            informal("2026-03-13", "2026-02-02"),
        ],
        holidays: &holidays,
        roll_forward: true,
        as_of: d("2026-01-10"),
    })
    .unwrap_err();
    assert_eq!(
        err,
        DeadlineError::EpisodeEndsBeforeStart {
            index: 1,
            start: d("2026-03-13"),
            end: d("2026-02-02")
        }
    );
    assert_eq!(
        err.to_string(),
        "suspension episode 2 ends on 2026-02-02, before it starts on 2026-03-13"
    );
}

#[test]
fn the_end_of_the_calendar_is_an_error_not_a_panic() {
    let holidays = HolidayCalendar::us_federal();
    let near_end = NaiveDate::MAX.checked_sub_days(Days::new(100)).unwrap();
    let input = DeadlineInput {
        concluded: near_end,
        discovered: None,
        episodes: &[],
        holidays: &holidays,
        roll_forward: true,
        as_of: near_end,
    };
    assert_eq!(compute(&input), Err(DeadlineError::OutOfRange));

    // Reaches exactly the last date, then needs a workday after it if that is a weekend.
    let start = NaiveDate::MAX.checked_sub_days(Days::new(180)).unwrap();
    let exact = compute(&DeadlineInput {
        concluded: start,
        as_of: start,
        ..input
    });
    match NaiveDate::MAX.weekday() {
        Weekday::Sat | Weekday::Sun => assert_eq!(exact, Err(DeadlineError::OutOfRange)),
        _ => assert_eq!(exact.unwrap().deadline, Some(NaiveDate::MAX)),
    }
    let ep = [informal_open("2026-01-01")];
    let suspended_to_the_end = compute(&DeadlineInput {
        concluded: start,
        as_of: NaiveDate::MAX,
        episodes: &[SuspensionEpisode {
            start: start.succ_opt().unwrap(),
            end: Some(NaiveDate::MAX),
            ..ep[0]
        }],
        ..input
    });
    assert_eq!(suspended_to_the_end, Err(DeadlineError::OutOfRange));
    let far_past = compute(&DeadlineInput {
        concluded: NaiveDate::MIN,
        as_of: NaiveDate::MAX,
        episodes: &[SuspensionEpisode {
            start: NaiveDate::MIN,
            end: None,
            ..ep[0]
        }],
        ..input
    })
    .unwrap();
    assert_eq!(far_past.status, Status::Suspended);
}

// ---------------------------------------------------------------- property tests

/// All generated dates are offsets from this day.
fn base() -> NaiveDate {
    d("2026-01-01")
}

fn at(offset: u64) -> NaiveDate {
    base().checked_add_days(Days::new(offset)).unwrap()
}

fn kind() -> impl Strategy<Value = SuspensionKind> {
    prop_oneof![
        Just(SuspensionKind::InformalResolution),
        Just(SuspensionKind::RespondentNonMember)
    ]
}

fn closed_episode() -> impl Strategy<Value = SuspensionEpisode> {
    (kind(), 0u64..700, 0u64..150).prop_map(|(kind, start, len)| SuspensionEpisode {
        kind,
        start: at(start),
        end: Some(at(start + len)),
    })
}

fn any_episode() -> impl Strategy<Value = SuspensionEpisode> {
    (kind(), 0u64..700, prop::option::weighted(0.85, 0u64..150)).prop_map(|(kind, start, len)| {
        SuspensionEpisode {
            kind,
            start: at(start),
            end: len.map(|l| at(start + l)),
        }
    })
}

fn holidays() -> impl Strategy<Value = HolidayCalendar> {
    (any::<bool>(), prop::collection::vec(0u64..900, 0..6)).prop_map(|(federal, extra)| {
        let mut cal = if federal {
            HolidayCalendar::us_federal()
        } else {
            HolidayCalendar::none()
        };
        for offset in extra {
            cal.add_named(
                at(offset),
                "Association holiday".to_owned(),
                vec![("es".to_owned(), "Fiesta de la asociación".to_owned())],
            );
        }
        cal
    })
}

#[derive(Debug)]
struct Case {
    concluded: NaiveDate,
    discovered: Option<NaiveDate>,
    roll_forward: bool,
    as_of: NaiveDate,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0u64..200,
        prop::option::of(0u64..300),
        any::<bool>(),
        0u64..1000,
    )
        .prop_map(|(concluded, discovered, roll_forward, as_of)| Case {
            concluded: at(concluded),
            discovered: discovered.map(at),
            roll_forward,
            as_of: at(as_of),
        })
}

fn eval(c: &Case, episodes: &[SuspensionEpisode], holidays: &HolidayCalendar) -> DeadlineReport {
    compute(&DeadlineInput {
        concluded: c.concluded,
        discovered: c.discovered,
        episodes,
        holidays,
        roll_forward: c.roll_forward,
        as_of: c.as_of,
    })
    .unwrap()
}

/// A day-by-day reading of rules 1-3 and 5: the set of counted days, the days a weekend or
/// holiday move turned into days of the filing period (rule 3 as amended), and whether a
/// counted episode is open.
fn oracle(c: &Case, episodes: &[SuspensionEpisode]) -> (BTreeSet<NaiveDate>, u64, bool) {
    let calendar = HolidayCalendar::us_federal();
    let trigger = c.discovered.map_or(c.concluded, |x| x.max(c.concluded));
    let mut sorted = episodes.to_vec();
    sorted.sort_by_key(|e| e.start);
    let mut counted = BTreeSet::new();
    let mut moved_days = 0u64;
    for e in sorted {
        let deadline = trigger
            .checked_add_days(Days::new(180 + moved_days + counted.len() as u64))
            .unwrap();
        if e.start > deadline {
            // The days up to the next workday, one by one.
            let mut moved = deadline;
            while c.roll_forward && calendar.non_workday(moved).is_some() {
                moved = moved.succ_opt().unwrap();
            }
            if e.start > moved {
                continue;
            }
            moved_days += (moved - deadline).num_days() as u64;
        }
        let Some(end) = e.end else {
            return (counted, moved_days, true);
        };
        let mut day = e.start;
        while day <= end {
            if day > trigger {
                counted.insert(day);
            }
            day = day.succ_opt().unwrap();
        }
    }
    (counted, moved_days, false)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn agrees_with_a_day_by_day_reading_of_the_rules(
        c in case(),
        episodes in prop::collection::vec(any_episode(), 0..6),
    ) {
        let r = eval(&c, &episodes, &HolidayCalendar::us_federal());
        let (counted, moved_days, open) = oracle(&c, &episodes);
        prop_assert_eq!(r.deadline.is_none(), open);
        if !open {
            prop_assert_eq!(r.days_suspended, counted.len() as u64);
            prop_assert_eq!(
                r.extended_deadline,
                r.trigger_date
                    .checked_add_days(Days::new(180 + moved_days + counted.len() as u64))
            );
            // days_remaining: the unsuspended days after the as-of date through the deadline.
            let deadline = r.deadline.unwrap();
            let mut expected = 0u64;
            let mut day = c.as_of.succ_opt().unwrap();
            while day <= deadline {
                if !counted.contains(&day) {
                    expected += 1;
                }
                day = day.succ_opt().unwrap();
            }
            prop_assert_eq!(r.days_remaining, expected);
            let expected_status = if c.as_of > deadline {
                Status::Expired
            } else if counted.contains(&c.as_of) {
                Status::Suspended
            } else {
                Status::Running
            };
            prop_assert_eq!(r.status, expected_status);
        } else {
            prop_assert_eq!(r.status, Status::Suspended);
        }
        let added: u64 = r.episodes.iter().map(|e| e.days_added).sum();
        prop_assert_eq!(added, r.days_suspended);
        // Every step is worded in every language, with no marker left unfilled.
        for lang in Lang::ALL {
            for sentence in deadline_steps::sentences(&r.steps, lang) {
                prop_assert!(!sentence.is_empty());
                prop_assert!(!sentence.contains(['{', '}']), "{}", sentence);
                prop_assert!(!sentence.contains("(missing text)"), "{}", sentence);
                if lang == Lang::Es {
                    prop_assert!(
                        !["day", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
                            .iter()
                            .any(|english| sentence.contains(english)),
                        "English in the Spanish explanation: {}",
                        sentence
                    );
                }
            }
        }
    }

    #[test]
    fn more_suspension_never_makes_the_deadline_earlier(
        c in case(),
        episodes in prop::collection::vec(any_episode(), 0..5),
        extra in prop::collection::vec(any_episode(), 1..3),
        lengthen in 0usize..5,
        by in 1u64..60,
        cal in holidays(),
    ) {
        let before = eval(&c, &episodes, &cal);
        let mut more = episodes.clone();
        more.extend(extra);
        // Also lengthen one closed episode.
        if let Some(e) = more.get_mut(lengthen)
            && let Some(end) = e.end
        {
            e.end = end.checked_add_days(Days::new(by));
        }
        let after = eval(&c, &more, &cal);
        if let (Some(b), Some(a)) = (before.deadline, after.deadline) {
            prop_assert!(a >= b, "{a} < {b}");
            prop_assert!(after.extended_deadline >= before.extended_deadline);
            prop_assert!(after.days_suspended >= before.days_suspended);
        }
        // An open deadline never becomes fixed by adding suspension.
        if before.deadline.is_none() {
            prop_assert!(after.deadline.is_none());
        }
    }

    #[test]
    fn with_roll_forward_the_deadline_is_a_workday(
        c in case(),
        episodes in prop::collection::vec(closed_episode(), 0..5),
        cal in holidays(),
    ) {
        let c = Case { roll_forward: true, ..c };
        let r = eval(&c, &episodes, &cal);
        let deadline = r.deadline.unwrap();
        prop_assert!(cal.is_workday(deadline));
        prop_assert!(!matches!(deadline.weekday(), Weekday::Sat | Weekday::Sun));
        prop_assert!(cal.holiday_named(deadline).is_none());
        // And it is the first workday on or after the extended deadline.
        let extended = r.extended_deadline.unwrap();
        prop_assert!(deadline >= extended);
        let mut day = extended;
        while day < deadline {
            prop_assert!(!cal.is_workday(day));
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn an_episode_starting_after_expiry_changes_nothing(
        c in case(),
        episodes in prop::collection::vec(closed_episode(), 0..5),
        late in any_episode(),
        gap in 1u64..200,
        cal in holidays(),
    ) {
        let before = eval(&c, &episodes, &cal);
        let deadline = before.deadline.unwrap();
        let start = deadline.checked_add_days(Days::new(gap)).unwrap();
        let late = SuspensionEpisode {
            start,
            end: late.end.map(|_| start.checked_add_days(Days::new(gap)).unwrap()),
            ..late
        };
        let mut more = episodes.clone();
        more.push(late);
        let after = eval(&c, &more, &cal);
        prop_assert_eq!(after.deadline, before.deadline);
        prop_assert_eq!(after.days_suspended, before.days_suspended);
        prop_assert_eq!(after.days_remaining, before.days_remaining);
        prop_assert_eq!(after.status, before.status);
        let late_report = after.episodes.iter().find(|e| e.start == start).unwrap();
        prop_assert_eq!(late_report.outcome, EpisodeOutcome::AfterWindowClosed);
    }

    #[test]
    fn overlapping_episodes_count_a_shared_day_once(
        c in case(),
        episodes in prop::collection::vec(closed_episode(), 1..6),
    ) {
        // Keep every episode inside the unextended window, so rule 3 excludes none of them.
        let trigger = c.discovered.map_or(c.concluded, |x| x.max(c.concluded));
        let unextended = trigger.checked_add_days(Days::new(180)).unwrap();
        let episodes: Vec<_> = episodes.into_iter().filter(|e| e.start <= unextended).collect();
        let r = eval(&c, &episodes, &HolidayCalendar::us_federal());
        let mut union = BTreeSet::new();
        for e in &episodes {
            let mut day = e.start.max(trigger.succ_opt().unwrap());
            while day <= e.end.unwrap() {
                union.insert(day);
                day = day.succ_opt().unwrap();
            }
        }
        prop_assert_eq!(r.days_suspended, union.len() as u64);
        // Doubling every episode changes nothing.
        let doubled: Vec<_> = episodes.iter().chain(episodes.iter()).copied().collect();
        let twice = eval(&c, &doubled, &HolidayCalendar::us_federal());
        prop_assert_eq!(twice.days_suspended, r.days_suspended);
        prop_assert_eq!(twice.deadline, r.deadline);
    }

    #[test]
    fn the_order_of_the_episodes_does_not_matter(
        c in case(),
        episodes in prop::collection::vec(any_episode(), 0..6),
    ) {
        let cal = HolidayCalendar::us_federal();
        let forward = eval(&c, &episodes, &cal);
        let reversed: Vec<_> = episodes.iter().rev().copied().collect();
        let backward = eval(&c, &reversed, &cal);
        prop_assert_eq!(forward, backward);
    }

    #[test]
    fn any_dates_give_an_answer_or_an_error_never_a_panic(
        concluded in any::<i32>(),
        discovered in prop::option::of(any::<i32>()),
        starts in prop::collection::vec((any::<i32>(), prop::option::of(any::<i32>())), 0..4),
        as_of in any::<i32>(),
        roll_forward in any::<bool>(),
    ) {
        // Spread over the whole representable calendar.
        let date = |n: i32| {
            NaiveDate::from_num_days_from_ce_opt(n % 95_000_000).unwrap_or(NaiveDate::MAX)
        };
        let episodes: Vec<_> = starts
            .iter()
            .map(|&(s, e)| SuspensionEpisode {
                kind: SuspensionKind::InformalResolution,
                start: date(s),
                end: e.map(date),
            })
            .collect();
        let cal = HolidayCalendar::us_federal();
        let result = compute(&DeadlineInput {
            concluded: date(concluded),
            discovered: discovered.map(date),
            episodes: &episodes,
            holidays: &cal,
            roll_forward,
            as_of: date(as_of),
        });
        let backwards = episodes.iter().any(|e| e.end.is_some_and(|end| end < e.start));
        if backwards {
            let is_order_error = matches!(result, Err(DeadlineError::EpisodeEndsBeforeStart { .. }));
            prop_assert!(is_order_error);
        } else if let Err(e) = result {
            prop_assert_eq!(e, DeadlineError::OutOfRange);
        }
    }
}
