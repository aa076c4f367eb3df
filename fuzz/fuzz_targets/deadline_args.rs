//! The arguments of `ombuds deadline`: each line of the input is one argument, parsed by the
//! real clap definition (`DeadlineArgs`, with its value parsers) and computed by the real
//! command (`deadline_json`), on a fixed clock. `--config` is skipped (it reads a file).
//!
//! Invariants beyond "does not crash":
//! - the output is one JSON object;
//! - the trigger date is the later of the concluded and discovered dates, and the unextended
//!   deadline is 180 days after it;
//! - the extended deadline is the unextended one plus the days suspended;
//! - the deadline is the extended one, or (with roll-forward) a later weekday;
//! - a date accepted by the date parser is written back as the same text.
#![no_main]
#![forbid(unsafe_code)]

use chrono::{DateTime, Datelike, Days, NaiveDate, Weekday};
use clap::Parser;
use libfuzzer_sys::fuzz_target;
use ombuds::cli::deadline::{DeadlineArgs, deadline_json, parse_date};
use ombuds::clock::Clock;
use serde_json::Value;

#[derive(Parser)]
#[command(name = "deadline")]
struct Cli {
    #[command(flatten)]
    args: DeadlineArgs,
}

fn date(report: &Value, key: &str) -> Option<NaiveDate> {
    report.get(key)?.as_str()?.parse().ok()
}

fuzz_target!(|input: &str| {
    let argv = std::iter::once("deadline").chain(input.lines());
    for arg in input.lines() {
        if let Ok(parsed) = parse_date(arg) {
            assert_eq!(parsed.format("%Y-%m-%d").to_string(), arg);
        }
    }
    let Ok(cli) = Cli::try_parse_from(argv) else {
        return;
    };
    let args = cli.args;
    if args.config.is_some() {
        return;
    }
    let Some(now) = DateTime::from_timestamp(1_795_000_000, 0) else {
        return;
    };
    let Ok(json) = deadline_json(&args, &Clock::fixed(now)) else {
        return;
    };
    let report: Value = match serde_json::from_str(&json) {
        Ok(report) => report,
        Err(e) => panic!("not JSON ({e}): {json}"),
    };
    let trigger = args
        .discovered
        .map_or(args.concluded, |d| d.max(args.concluded));
    assert_eq!(date(&report, "trigger_date"), Some(trigger));
    let unextended = trigger.checked_add_days(Days::new(180));
    assert_eq!(date(&report, "unextended_deadline"), unextended);
    let Some(suspended) = report.get("days_suspended").and_then(Value::as_u64) else {
        panic!("no days_suspended: {json}");
    };
    let extended = date(&report, "extended_deadline");
    if let Some(extended) = extended {
        assert_eq!(
            unextended.and_then(|u| u.checked_add_days(Days::new(suspended))),
            Some(extended)
        );
    }
    match (date(&report, "deadline"), extended) {
        (None, None) => {}
        (Some(deadline), Some(extended)) if args.no_roll_forward => assert_eq!(deadline, extended),
        (Some(deadline), Some(extended)) => {
            assert!(deadline >= extended);
            if deadline > extended {
                assert!(
                    !matches!(deadline.weekday(), Weekday::Sat | Weekday::Sun),
                    "{deadline}"
                );
            }
        }
        other => panic!("deadline and extended deadline disagree: {other:?}"),
    }
});
