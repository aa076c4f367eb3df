//! `ombuds deadline`, run as a real process: its JSON on stdout, its exit status, and its
//! one-line errors on stderr.

#![allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on unexpected values; `allow`, not `expect`, because the project's clippy.toml may already allow unwrap in tests"
)]

use serde_json::Value;

use crate::support::cli::{self, Cli, Run};

fn deadline(args: &[&str]) -> Run {
    Cli::new("deadline").run(args)
}

/// Runs, expects success, and returns the single JSON object printed.
fn ok(args: &[&str]) -> Value {
    // The whole of stdout is exactly one JSON value, and it is an object.
    let value = deadline(args).json();
    assert!(value.is_object());
    value
}

/// Runs, expects bad-input failure, and returns the one line printed on stderr.
fn bad(args: &[&str]) -> String {
    Cli::new("deadline").bad(args)
}

fn config_file(text: &str) -> tempfile::NamedTempFile {
    cli::file(".toml", text)
}

#[test]
fn worked_example() {
    let out = ok(&[
        "--concluded",
        "2026-01-10",
        "--suspended",
        "2026-02-02:2026-03-13",
        "--as-of",
        "2026-03-16",
    ]);
    assert_eq!(out["deadline"], "2026-08-18");
    assert_eq!(out["unextended_deadline"], "2026-07-09");
    assert_eq!(out["trigger_date"], "2026-01-10");
    assert_eq!(out["days_suspended"], 40);
    assert_eq!(out["days_remaining"], 155);
    assert_eq!(out["status"], "running");
    assert_eq!(out["rolled_forward_from"], Value::Null);
    assert_eq!(out["episodes"][0]["kind"], "informal_resolution");
    assert_eq!(out["episodes"][0]["days_added"], 40);
    let explanation = out["explanation"].as_array().unwrap();
    assert_eq!(explanation.len(), 7);
    assert!(
        explanation[6]
            .as_str()
            .unwrap()
            .contains("grievance committee to decide"),
        "the last sentence leaves the decision to the committee"
    );
    assert!(explanation[2].as_str().unwrap().contains(
        "adds 40 days (both dates included), so the deadline moves to Tuesday 2026-08-18"
    ));
}

#[test]
fn open_episode_has_no_deadline() {
    let out = ok(&[
        "--concluded",
        "2026-01-10",
        "--suspended",
        "2026-02-02:",
        "--as-of",
        "2026-03-13",
    ]);
    assert_eq!(out["deadline"], Value::Null);
    assert_eq!(out["status"], "suspended");
    assert_eq!(out["days_suspended"], 40);
    assert_eq!(out["days_remaining"], 158);
    assert_eq!(out["episodes"][0]["outcome"], "open");
    assert_eq!(out["episodes"][0]["end"], Value::Null);
}

#[test]
fn non_member_episodes_overlap_informal_resolution_once() {
    let out = ok(&[
        "--concluded",
        "2026-01-10",
        "--suspended",
        "2026-02-02:2026-03-13",
        "--non-member",
        "2026-03-01:2026-03-31",
        "--as-of",
        "2026-04-01",
    ]);
    assert_eq!(out["days_suspended"], 58);
    assert_eq!(out["episodes"][1]["kind"], "respondent_non_member");
    assert_eq!(out["episodes"][1]["days_already_counted"], 13);
}

#[test]
fn roll_forward_past_a_holiday() {
    // The 180th day after 2026-05-30 is Thanksgiving, Thursday 2026-11-26.
    let out = ok(&["--concluded", "2026-05-30", "--as-of", "2026-06-01"]);
    assert_eq!(out["deadline"], "2026-11-27");
    assert_eq!(out["rolled_forward_from"], "2026-11-26");
    assert_eq!(out["rolled_over"][0]["reason"], "Thanksgiving Day");
    let explanation = out["explanation"].to_string();
    assert!(explanation.contains("is a holiday (Thanksgiving Day)"));
}

#[test]
fn roll_forward_past_a_weekend() {
    // The 180th day after 2026-01-13 is Sunday 2026-07-12.
    let out = ok(&["--concluded", "2026-01-13", "--as-of", "2026-01-13"]);
    assert_eq!(out["extended_deadline"], "2026-07-12");
    assert_eq!(out["deadline"], "2026-07-13");
    assert_eq!(out["rolled_over"][0]["reason"], "Sunday");
    assert_eq!(out["days_remaining"], 181);
}

#[test]
fn no_roll_forward_leaves_the_weekend_deadline() {
    let out = ok(&[
        "--concluded",
        "2026-01-13",
        "--no-roll-forward",
        "--as-of",
        "2026-01-13",
    ]);
    assert_eq!(out["deadline"], "2026-07-12");
    assert_eq!(out["roll_forward"], false);
    assert_eq!(out["rolled_forward_from"], Value::Null);
}

#[test]
fn holiday_flag_adds_to_the_calendar() {
    let out = ok(&[
        "--concluded",
        "2026-01-13",
        "--holiday",
        "2026-07-13=Founders' Day",
        "--holiday",
        "2026-07-14",
        "--as-of",
        "2026-01-13",
    ]);
    assert_eq!(out["deadline"], "2026-07-15");
    assert_eq!(out["rolled_over"][1]["reason"], "Founders' Day");
    assert_eq!(out["rolled_over"][2]["reason"], "given with --holiday");
}

#[test]
fn config_deadline_table_sets_holidays_and_roll_forward() {
    let file = config_file(
        r#"
        [server]
        listen = "127.0.0.1:8080"
        anything = { else = true }

        [deadline]
        roll_forward = true
        holiday_calendar = "us-federal"
        extra_holidays = [{ date = "2026-07-13", name = "Association Day" }]
        removed_holidays = ["2026-11-26"]
        "#,
    );
    let path = file.path().to_str().unwrap();
    let out = ok(&[
        "--concluded",
        "2026-01-13",
        "--config",
        path,
        "--as-of",
        "2026-01-13",
    ]);
    assert_eq!(out["deadline"], "2026-07-14");
    assert_eq!(out["rolled_over"][1]["reason"], "Association Day");
    // Thanksgiving was removed, so a deadline on it stays there.
    let thanksgiving = ok(&[
        "--concluded",
        "2026-05-30",
        "--config",
        path,
        "--as-of",
        "2026-06-01",
    ]);
    assert_eq!(thanksgiving["deadline"], "2026-11-26");
    // --holiday adds to the file's calendar; --no-roll-forward overrides it.
    let more = ok(&[
        "--concluded",
        "2026-01-13",
        "--config",
        path,
        "--holiday",
        "2026-07-14",
        "--as-of",
        "2026-01-13",
    ]);
    assert_eq!(more["deadline"], "2026-07-15");
    let off = ok(&[
        "--concluded",
        "2026-01-13",
        "--config",
        path,
        "--no-roll-forward",
        "--as-of",
        "2026-01-13",
    ]);
    assert_eq!(off["deadline"], "2026-07-12");
}

#[test]
fn the_explanation_in_spanish_names_the_associations_holiday_in_spanish() {
    let file = config_file(
        r#"
        [deadline]
        extra_holidays = [{ date = "2026-07-13", name = "Association Day", name_es = "Día de la Asociación" }]
        "#,
    );
    let path = file.path().to_str().unwrap();
    let args = |lang: &'static str| {
        [
            "--concluded",
            "2026-01-13",
            "--config",
            path,
            "--as-of",
            "2026-01-13",
            "--lang",
            lang,
        ]
    };
    let spanish = ok(&args("es"));
    let english = ok(&args("en"));
    // The same computation; only the words differ.
    assert_eq!(spanish["deadline"], "2026-07-14");
    assert_eq!(spanish["rolled_over"], english["rolled_over"]);
    assert_eq!(spanish["rolled_over"][1]["reason"], "Association Day");
    let steps: Vec<&str> = spanish["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        steps[3],
        "El domingo 2026-07-12 cae en fin de semana y el lunes 2026-07-13 es día festivo (Día de la Asociación), así que el plazo pasa al siguiente día hábil, el martes 2026-07-14."
    );
    assert!(steps[0].starts_with("Los 180 días se cuentan a partir del martes 2026-01-13"));
    assert_eq!(
        english["explanation"][3],
        "Sunday 2026-07-12 falls on a weekend and Monday 2026-07-13 is a holiday (Association Day), so the deadline moves to the next workday, Tuesday 2026-07-14."
    );
    // English is the default.
    let default = ok(&args("en")[..6]);
    assert_eq!(default["explanation"], english["explanation"]);

    assert_eq!(
        bad(&["--concluded", "2026-01-13", "--lang", "fr"]),
        "error: --lang \"fr\": expected one of en, es"
    );
    let empty = config_file(
        "[deadline]\nextra_holidays = [{ date = \"2026-07-13\", name = \"A\", name_es = \" \" }]\n",
    );
    let message = bad(&[
        "--concluded",
        "2026-01-13",
        "--config",
        empty.path().to_str().unwrap(),
    ]);
    assert!(
        message.ends_with("[deadline] extra_holidays: the holiday on 2026-07-13 has an empty name_es (leave the key out instead)"),
        "{message}"
    );
}

#[test]
fn config_can_turn_roll_forward_off_and_drop_the_calendar() {
    let off = config_file("[deadline]\nroll_forward = false\n");
    let out = ok(&[
        "--concluded",
        "2026-01-13",
        "--config",
        off.path().to_str().unwrap(),
        "--as-of",
        "2026-01-13",
    ]);
    assert_eq!(out["deadline"], "2026-07-12");
    let none = config_file("[deadline]\nholiday_calendar = \"none\"\n");
    let out = ok(&[
        "--concluded",
        "2026-05-30",
        "--config",
        none.path().to_str().unwrap(),
        "--as-of",
        "2026-06-01",
    ]);
    assert_eq!(out["deadline"], "2026-11-26");
    // A file without a [deadline] table means the defaults.
    let empty = config_file("[server]\nport = 1\n");
    let out = ok(&[
        "--concluded",
        "2026-05-30",
        "--config",
        empty.path().to_str().unwrap(),
        "--as-of",
        "2026-06-01",
    ]);
    assert_eq!(out["deadline"], "2026-11-27");
}

#[test]
fn bad_config_is_named() {
    let typo = config_file("[other]\nx = 1\n\n[deadline]\nroll_foward = false\n");
    let line = bad(&[
        "--concluded",
        "2026-01-10",
        "--config",
        typo.path().to_str().unwrap(),
    ]);
    assert!(line.starts_with("error: --config \""), "{line}");
    assert!(line.contains("line 5"), "{line}");
    assert!(line.contains("roll_foward"), "{line}");

    let removed = config_file("[deadline]\nremoved_holidays = [\"2026-10-13\"]\n");
    let line = bad(&[
        "--concluded",
        "2026-01-10",
        "--config",
        removed.path().to_str().unwrap(),
    ]);
    assert!(
        line.ends_with(
            "[deadline] removed_holidays: 2026-10-13 is not a holiday in the us-federal calendar"
        ),
        "{line}"
    );

    let line = bad(&[
        "--concluded",
        "2026-01-10",
        "--config",
        "/nonexistent/ombuds.toml",
    ]);
    assert!(
        line.starts_with("error: --config \"/nonexistent/ombuds.toml\": cannot read the file"),
        "{line}"
    );
}

#[test]
fn impossible_date_is_named() {
    assert_eq!(
        bad(&["--concluded", "2026-02-30"]),
        "error: --concluded \"2026-02-30\": 2026-02-30 is not a real calendar date: February 2026 has 28 days"
    );
    assert_eq!(
        bad(&["--concluded", "2026-01-10", "--discovered", "2026-04-31"]),
        "error: --discovered \"2026-04-31\": 2026-04-31 is not a real calendar date: April 2026 has 30 days"
    );
}

#[test]
fn episode_ending_before_it_starts_is_named() {
    assert_eq!(
        bad(&[
            "--concluded",
            "2026-01-10",
            "--suspended",
            "2026-03-13:2026-02-02"
        ]),
        "error: --suspended \"2026-03-13:2026-02-02\": the episode ends before it starts"
    );
    assert_eq!(
        bad(&[
            "--concluded",
            "2026-01-10",
            "--non-member",
            "2026-03-13:2026-02-02"
        ]),
        "error: --non-member \"2026-03-13:2026-02-02\": the episode ends before it starts"
    );
}

#[test]
fn a_word_instead_of_a_date_is_named() {
    assert_eq!(
        bad(&["--concluded", "2026-01-10", "--as-of", "today"]),
        "error: --as-of \"today\": must be a date written YYYY-MM-DD, for example 2026-03-31"
    );
    assert_eq!(
        bad(&["--concluded", "yesterday"]),
        "error: --concluded \"yesterday\": must be a date written YYYY-MM-DD, for example 2026-03-31"
    );
    assert!(
        bad(&["--concluded", "2026-01-10", "--holiday", "Christmas"])
            .starts_with("error: --holiday \"Christmas\": must be a date")
    );
}

#[test]
fn malformed_episode_is_named() {
    assert_eq!(
        bad(&["--concluded", "2026-01-10", "--suspended", "2026-02-02"]),
        "error: --suspended \"2026-02-02\": expected START:END, or START: while it has no end date, with dates written YYYY-MM-DD"
    );
    assert_eq!(
        bad(&[
            "--concluded",
            "2026-01-10",
            "--suspended",
            "2026-02-02:soon"
        ]),
        "error: --suspended \"2026-02-02:soon\": end date: must be a date written YYYY-MM-DD, for example 2026-03-31"
    );
    assert!(
        bad(&["--concluded", "2026-01-10", "--non-member", ":2026-02-02"])
            .starts_with("error: --non-member \":2026-02-02\": start date:")
    );
}

#[test]
fn clap_errors_name_the_argument_and_exit_2() {
    let run = deadline(&[]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("--concluded"), "{}", run.stderr);
    let run = deadline(&["--concluded", "2026-01-10", "--sideways"]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("--sideways"), "{}", run.stderr);
}

#[test]
fn as_of_defaults_to_today_in_the_associations_time_zone() {
    // 06:30 UTC on 2 March is still 1 March in Phoenix, and already 2 March at UTC+14.
    let run_with = |extra: &[&str]| {
        let mut args = vec!["--concluded", "2026-01-10"];
        args.extend_from_slice(extra);
        let out = Cli::new("deadline")
            .clock("2026-03-02T06:30:00Z")
            .env("TZ", "Pacific/Kiritimati")
            .run(&args)
            .json();
        out["as_of"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        run_with(&[]),
        "2026-03-02",
        "no config: this machine's calendar"
    );
    let config = config_file("[association]\ntime_zone = \"America/Phoenix\"\n");
    assert_eq!(
        run_with(&["--config", config.path().to_str().unwrap()]),
        "2026-03-01",
        "with a config: the association's calendar"
    );
}

#[test]
fn a_filing_date_is_placed_against_the_deadline_and_may_relate_back() {
    let base = [
        "--concluded",
        "2026-01-10",
        "--suspended",
        "2026-02-02:2026-03-13",
        "--as-of",
        "2026-09-01",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        ok(&args)
    };
    // On the deadline itself: within.
    let on = with(&["--filed", "2026-08-18"]);
    assert_eq!(on["timely"], true);
    assert_eq!(on["counted_as_filed_on"], "2026-08-18");
    assert!(
        on["timely_reason"]
            .as_str()
            .unwrap()
            .contains("grievance committee decides"),
        "{on}"
    );
    // The day after: outside, in Spanish too.
    let late = with(&["--filed", "2026-08-19", "--lang", "es"]);
    assert_eq!(late["timely"], false);
    assert!(
        late["timely_reason"]
            .as_str()
            .unwrap()
            .contains("fuera del plazo")
    );
    // Relate-back: a late filing counts as filed on the first contact.
    let related = with(&["--filed", "2027-01-05", "--relate-back"]);
    assert_eq!(related["timely"], true, "{related}");
    assert_eq!(related["counted_as_filed_on"], "2026-02-02");
    assert_eq!(related["relate_back"], true);
    assert!(
        related["timely_reason"]
            .as_str()
            .unwrap()
            .contains("did not honour")
    );
    // Relate-back only ever moves a filing earlier: one made before the first contact
    // keeps its own date, and the sentence says so.
    let earlier = with(&["--filed", "2026-01-20", "--relate-back"]);
    assert_eq!(earlier["counted_as_filed_on"], "2026-01-20", "{earlier}");
    assert_eq!(earlier["timely"], true);
    assert!(
        earlier["timely_reason"]
            .as_str()
            .unwrap()
            .contains("changes nothing"),
        "{earlier}"
    );
    // Without --filed, no such fields; relate-back needs --filed and an episode.
    assert!(ok(&base).get("timely").is_none());
    let error = bad(&["--concluded", "2026-01-10", "--relate-back"]);
    assert!(error.contains("--filed"), "{error}");
    let error = bad(&[
        "--concluded",
        "2026-01-10",
        "--filed",
        "2026-05-01",
        "--relate-back",
    ]);
    assert!(error.contains("--suspended"), "{error}");
    // While informal resolution is open, no deadline has passed.
    let open = ok(&[
        "--concluded",
        "2026-01-10",
        "--suspended",
        "2026-02-02:",
        "--filed",
        "2026-09-30",
        "--as-of",
        "2026-09-30",
    ]);
    assert_eq!(open["timely"], true);
    assert!(
        open["timely_reason"]
            .as_str()
            .unwrap()
            .contains("suspended")
    );
}
