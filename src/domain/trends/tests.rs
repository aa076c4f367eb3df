//! Tests of the trend counters, periods, settings and releases.
//!
//! The disclosure proofs use [`checker`], a brute-force integer solver written independently of
//! the network audit in `disclosure.rs`: it reads only what a release publishes (numbers and
//! markers), writes down every equation a reader knows across all the tables of the release, and
//! searches for two different values of each hidden cell.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::release::Cell;
use super::*;

fn date(text: &str) -> NaiveDate {
    crate::domain::dates::parse_iso_date(text).unwrap()
}

fn ym(text: &str) -> YearMonth {
    text.parse().unwrap()
}

fn case_key(
    month: &str,
    category: Category,
    outcome: Outcome,
    channel: Channel,
    raised_by: RaisedBy,
    days: DaysBucket,
) -> CounterKey {
    CounterKey::Case(CaseCell {
        month: ym(month),
        category,
        raised_by,
        channel,
        outcome,
        days_to_close: days,
    })
}

fn service_key(month: &str, service: Service) -> CounterKey {
    CounterKey::Service(ServiceCell {
        month: ym(month),
        service,
    })
}

fn settings(k: u32) -> TrendSettings {
    TrendSettings { k, epsilon: None }
}

// ---------------------------------------------------------------------------------------------
// Periods and months

#[test]
fn periods_parse_and_print() {
    for code in ["2026-07", "2026Q3", "2026", "1900-01", "9999Q4"] {
        let period: Period = code.parse().unwrap();
        assert_eq!(period.to_string(), code);
    }
    assert_eq!(
        "2026q3".parse::<Period>().unwrap(),
        Period::Quarter {
            year: 2026,
            quarter: 3
        }
    );
    let err = |text: &str| text.parse::<Period>().unwrap_err();
    assert_eq!(err("2026Q5"), PeriodError::NoSuchQuarter(5));
    assert_eq!(err("2026-13"), PeriodError::NoSuchMonth(13));
    assert_eq!(err("2026-00"), PeriodError::NoSuchMonth(0));
    assert_eq!(err("1899"), PeriodError::Year(1899));
    for bad in [
        "",
        "26Q3",
        "2026-7",
        "2026-07-01",
        "2026Q",
        "2026Q03",
        "July",
        "+2026",
    ] {
        assert_eq!(err(bad), PeriodError::Format, "{bad:?}");
    }
}

#[test]
fn periods_know_their_months_and_end() {
    let q3: Period = "2026Q3".parse().unwrap();
    assert_eq!(q3.months(), ym("2026-07")..=ym("2026-09"));
    assert_eq!(q3.last_day(), date("2026-09-30"));
    assert_eq!(
        q3.subperiods()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["2026-07", "2026-08", "2026-09"]
    );
    let year: Period = "2024".parse().unwrap();
    assert_eq!(year.subperiods().len(), 4);
    assert_eq!(year.month_list().len(), 12);
    assert_eq!(year.last_day(), date("2024-12-31"));
    let feb: Period = "2024-02".parse().unwrap();
    assert_eq!(feb.last_day(), date("2024-02-29"));
    assert!(feb.subperiods().is_empty());
}

#[test]
fn a_period_is_complete_only_after_its_last_day() {
    let q3: Period = "2026Q3".parse().unwrap();
    assert!(!q3.is_complete(date("2026-07-15")));
    assert!(!q3.is_complete(date("2026-09-30")));
    assert!(q3.is_complete(date("2026-10-01")));
    let year: Period = "2026".parse().unwrap();
    assert!(!year.is_complete(date("2026-12-31")));
    assert!(year.is_complete(date("2027-01-01")));
}

// ---------------------------------------------------------------------------------------------
// Counters

#[test]
fn a_closed_case_adds_one_case_counter_and_one_per_distinct_service() {
    let case = ClosedCase {
        category: Category::Commission,
        raised_by: RaisedBy::Client,
        channel: Channel::Phone,
        outcome: Outcome::SuccessfullyClosed,
        services: &[Service::Coaching, Service::Referral, Service::Coaching],
        first_contact: date("2026-06-20"),
        closed_on: date("2026-07-03"),
    };
    let keys = increments_for_closed_case(&case);
    let codes: Vec<String> = keys.iter().map(CounterKey::code).collect();
    assert_eq!(
        codes,
        [
            "case:2026-07:commission:client:phone:successfully_closed:days_8_30",
            "service:2026-07:referral",
            "service:2026-07:coaching",
        ]
    );
    // Nothing finer than a month survives.
    for code in &codes {
        assert!(!code.contains("2026-07-03") && !code.contains("2026-06-20"));
    }
    for key in keys {
        assert_eq!(CounterKey::from_code(&key.code()), Some(key));
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(serde_json::from_str::<CounterKey>(&json).unwrap(), key);
    }
    let no_services = ClosedCase {
        services: &[],
        ..case
    };
    assert_eq!(increments_for_closed_case(&no_services).len(), 1);
}

#[test]
fn days_to_close_buckets() {
    let bucket = |days| DaysBucket::from_days(days);
    assert_eq!(bucket(-3), DaysBucket::UpTo7);
    assert_eq!(bucket(0), DaysBucket::UpTo7);
    assert_eq!(bucket(7), DaysBucket::UpTo7);
    assert_eq!(bucket(8), DaysBucket::UpTo30);
    assert_eq!(bucket(30), DaysBucket::UpTo30);
    assert_eq!(bucket(31), DaysBucket::UpTo90);
    assert_eq!(bucket(90), DaysBucket::UpTo90);
    assert_eq!(bucket(91), DaysBucket::Over90);
}

#[test]
fn counter_keys_refuse_anything_malformed() {
    for bad in [
        "",
        "case:2026-07:commission:client:phone:successfully_closed",
        "case:2026-07-03:commission:client:phone:successfully_closed:days_0_7",
        "case:2026-07:brokerage:client:phone:successfully_closed:days_0_7",
        "service:2026-07:lunch",
        "service:2026-07:coaching:extra",
    ] {
        assert_eq!(CounterKey::from_code(bad), None, "{bad}");
    }
    assert!(serde_json::from_str::<CounterKey>("\"service:2026-07:lunch\"").is_err());
}

#[test]
fn dimension_codes_round_trip() {
    fn check<D: Dimension>() {
        for (i, &v) in D::all().iter().enumerate() {
            assert_eq!(D::from_code(v.code()), Some(v));
            assert_eq!(v.index(), i);
            assert!(v.board_key().contains('.'));
        }
        let codes: Vec<&str> = D::all().iter().map(|v| v.code()).collect();
        assert_eq!(D::CODES, codes);
    }
    check::<Category>();
    check::<RaisedBy>();
    check::<Channel>();
    check::<Outcome>();
    check::<Service>();
    check::<DaysBucket>();
}

// ---------------------------------------------------------------------------------------------
// Settings

#[test]
fn settings_default_and_validate_with_the_setting_named() {
    let parsed: TrendSettings = toml::from_str("").unwrap();
    assert_eq!(parsed, TrendSettings::default());
    assert_eq!(parsed.k, 5);
    assert!(parsed.validate().is_ok());
    let parsed: TrendSettings = toml::from_str("k = 10\nepsilon = 1.5").unwrap();
    assert_eq!(parsed.epsilon, Some(1.5));
    assert!(parsed.validate().is_ok());

    let unknown = toml::from_str::<TrendSettings>("k = 5\nthreshold = 3").unwrap_err();
    assert!(unknown.to_string().contains("threshold"), "{unknown}");

    let problem = |k, epsilon| {
        let e = TrendSettings { k, epsilon }.validate().unwrap_err();
        (e.setting, e.problem.key())
    };
    assert_eq!(problem(1, None), ("reports.k", "board.settings.k"));
    for bad in [0.0, -1.0, 10.5, f64::NAN, f64::INFINITY] {
        assert_eq!(
            problem(5, Some(bad)),
            ("reports.epsilon", "board.settings.epsilon_range"),
            "{bad}"
        );
    }
    assert_eq!(
        problem(5, Some(1e-9)),
        ("reports.epsilon", "board.settings.epsilon_small")
    );
    assert!(TrendSettings::default().validate().is_ok());
    assert!(
        TrendSettings {
            k: 2,
            epsilon: Some(10.0)
        }
        .validate()
        .is_ok()
    );
}

// ---------------------------------------------------------------------------------------------
// Releases

/// A crafted quarter: 40 concerns, with small cells in every table.
fn crafted_quarter() -> Vec<(CounterKey, u64)> {
    use Category::*;
    use Channel::*;
    use DaysBucket::*;
    use Outcome::*;
    use RaisedBy::*;
    vec![
        (
            case_key(
                "2026-07",
                Commission,
                SuccessfullyClosed,
                Web,
                Client,
                UpTo30,
            ),
            6,
        ),
        (
            case_key(
                "2026-08",
                Commission,
                SuccessfullyClosed,
                Phone,
                Member,
                UpTo7,
            ),
            5,
        ),
        (
            case_key(
                "2026-09",
                Commission,
                UnsuccessfullyClosed,
                Web,
                Client,
                UpTo90,
            ),
            3,
        ),
        (
            case_key(
                "2026-07",
                Communication,
                SuccessfullyClosed,
                Web,
                Public,
                UpTo30,
            ),
            7,
        ),
        (
            case_key("2026-08", Communication, Withdrawn, Email, Client, UpTo7),
            2,
        ),
        (
            case_key(
                "2026-09",
                Communication,
                SuccessfullyClosed,
                Web,
                Client,
                UpTo30,
            ),
            6,
        ),
        (
            case_key(
                "2026-08",
                Conduct,
                TerminatedPublicTrust,
                Phone,
                Client,
                UpTo7,
            ),
            1,
        ),
        (
            case_key("2026-09", Conduct, Declined, Web, Member, UpTo30),
            2,
        ),
        (
            case_key(
                "2026-07",
                TransactionQuestion,
                SuccessfullyClosed,
                Web,
                Public,
                UpTo7,
            ),
            5,
        ),
        (
            case_key("2026-09", LostContact, Dismissed, WalkIn, Public, Over90),
            3,
        ),
        (service_key("2026-07", Service::AnswerInformation), 12),
        (service_key("2026-08", Service::Coaching), 3),
        (service_key("2026-09", Service::FacilitatedDiscussion), 9),
        // Outside the quarter: ignored.
        (
            case_key(
                "2026-10",
                Commission,
                SuccessfullyClosed,
                Web,
                Client,
                UpTo7,
            ),
            50,
        ),
        (service_key("2026-06", Service::Referral), 50),
    ]
}

fn release_of(
    period: &str,
    counters: &[(CounterKey, u64)],
    settings: &TrendSettings,
    seed: Option<&NoiseSeed>,
) -> Release {
    build_release(
        period.parse().unwrap(),
        counters,
        settings,
        seed,
        date("2027-01-01"),
    )
    .unwrap()
}

#[test]
fn an_incomplete_period_is_refused() {
    let err = build_release(
        "2026Q3".parse().unwrap(),
        &crafted_quarter(),
        &settings(5),
        None,
        date("2026-09-30"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ReleaseError::NotComplete {
            period: "2026Q3".parse().unwrap(),
            last_day: date("2026-09-30"),
        }
    );
}

#[test]
fn bad_settings_and_missing_seeds_are_refused() {
    let period = "2026Q3".parse().unwrap();
    let err = build_release(period, &[], &settings(1), None, date("2027-01-01")).unwrap_err();
    assert!(
        matches!(&err, ReleaseError::Settings(e) if e.setting == "reports.k"),
        "{err:?}"
    );
    let noisy = TrendSettings {
        k: 5,
        epsilon: Some(1.0),
    };
    assert_eq!(
        build_release(period, &[], &noisy, None, date("2027-01-01")).unwrap_err(),
        ReleaseError::SeedMissing
    );
}

#[test]
fn the_crafted_quarter_is_counted_and_protected() {
    let release = release_of("2026Q3", &crafted_quarter(), &settings(5), None);
    let json = serde_json::to_value(&release).unwrap();
    assert_eq!(json["period"], "2026Q3");
    assert_eq!(json["concerns"]["total"], 40);
    assert_eq!(
        json["concerns"]["columns"],
        serde_json::json!(["2026-07", "2026-08", "2026-09"])
    );
    // Kinds 5, 15, 3, 3, 14: the two small ones (6 together) would be worked out from the
    // total, so the bottom large row, commission, is withheld (3 + 3 + 14 ≥ 10).
    assert_eq!(json["concerns"]["rows"][4]["category"], "commission");
    assert_eq!(json["concerns"]["rows"][4]["total"], "withheld");
    assert_eq!(json["concerns"]["rows"][2]["total"], "fewer_than_k");
    assert_eq!(json["concerns"]["rows"][1]["total"], 15);
    // Commission by month is 6, 5, 3: kinds by month are not published, the months are.
    assert_eq!(
        json["concerns"]["rows"][4]["by_period"],
        serde_json::json!([])
    );
    assert_eq!(
        json["concerns"]["column_totals"],
        serde_json::json!([18, 8, 14])
    );
    // Five small outcomes holding 11 hide one another: nothing else is withheld.
    assert_eq!(json["outcomes"]["rows"][0]["count"], 29);
    assert_eq!(json["outcomes"]["total"], 40);
    assert_eq!(json["services"]["total"], serde_json::Value::Null);
    assert_all_small_cells_hidden(&release);
    checker::assert_protected(&release);
}

#[test]
fn month_and_year_releases_are_protected_too() {
    let counters = crafted_quarter();
    for period in ["2026-07", "2026-08", "2026-09", "2026", "2026Q3"] {
        for k in [2, 3, 5, 8] {
            let release = release_of(period, &counters, &settings(k), None);
            assert_all_small_cells_hidden(&release);
            checker::assert_protected(&release);
        }
    }
}

#[test]
fn a_total_below_k_hides_everything() {
    let counters = vec![
        (
            case_key(
                "2026-08",
                Category::Conduct,
                Outcome::Withdrawn,
                Channel::Web,
                RaisedBy::Public,
                DaysBucket::UpTo7,
            ),
            3,
        ),
        (service_key("2026-08", Service::Referral), 2),
    ];
    let release = release_of("2026Q3", &counters, &settings(5), None);
    assert_eq!(release.concerns.total, Cell::FewerThanK);
    for cell in all_cells(&release) {
        assert_eq!(cell, Cell::FewerThanK);
    }
    checker::assert_protected(&release);
}

#[test]
fn one_outcome_for_exactly_k_concerns_withholds_the_outcome_table() {
    // Five concerns, all successfully closed: below 6·5 − 1 concerns, no outcome table is
    // broken down, whatever the outcomes (so "not shown" says nothing about them).
    let counters: Vec<_> = [Category::Commission, Category::Conduct]
        .into_iter()
        .zip([3, 2])
        .map(|(category, n)| {
            (
                case_key(
                    "2026-07",
                    category,
                    Outcome::SuccessfullyClosed,
                    Channel::Web,
                    RaisedBy::Client,
                    DaysBucket::UpTo7,
                ),
                n,
            )
        })
        .collect();
    let release = release_of("2026-07", &counters, &settings(5), None);
    assert_eq!(release.outcomes.total, Some(Cell::Count(5)));
    assert!(
        release
            .outcomes
            .rows
            .iter()
            .all(|r| r.count == Cell::NotShown)
    );
    checker::assert_protected(&release);
}

/// Thirty-eight concerns of July: 20 by web, 9 by telephone, 6 by e-mail and 3 walk-ins, each
/// channel with a kind of its own.
fn channels_20_9_6_3() -> Vec<(CounterKey, u64)> {
    [
        (Category::Commission, Channel::Web, 20),
        (Category::Communication, Channel::Phone, 9),
        (Category::Conduct, Channel::Email, 6),
        (Category::LostContact, Channel::WalkIn, 3),
    ]
    .into_iter()
    .map(|(category, channel, n)| {
        (
            case_key(
                "2026-07",
                category,
                Outcome::SuccessfullyClosed,
                channel,
                RaisedBy::Client,
                DaysBucket::UpTo30,
            ),
            n,
        )
    })
    .collect()
}

#[test]
fn the_checker_catches_a_missing_complement() {
    // Channels 20, 9, 6, 3 with the total shown: the 3 needs partners. The bottom large row, 6,
    // is not enough (3 + 6 < 10), so the 9 goes too. Revealing both would let the 3 be worked
    // out by subtraction, and the checker must say so.
    let counters = channels_20_9_6_3();
    let release = release_of("2026-07", &counters, &settings(5), None);
    checker::assert_protected(&release);
    let counts: Vec<Cell> = release.channels.rows.iter().map(|r| r.count).collect();
    assert_eq!(
        counts,
        [
            Cell::Count(20),
            Cell::Withheld,
            Cell::Withheld,
            Cell::FewerThanK
        ]
    );
    let mut revealed = release.clone();
    revealed.channels.rows[1].count = Cell::Count(9);
    revealed.channels.rows[2].count = Cell::Count(6);
    assert_eq!(checker::exposed(&revealed), ["channels/walk_in/count = 3"]);
}

#[test]
fn the_audit_agrees_with_brute_force() {
    // The audit's integer programs and the independent brute-force solver find the same range
    // for every hidden number, on releases of every kind.
    let mut counters = crafted_quarter();
    counters.extend(counters_of(&[
        (1, 4, 0, 1, 1, 2, 3),
        (2, 3, 2, 2, 5, 3, 16),
    ]));
    let seed = NoiseSeed::from_bytes([3; 32]);
    for (period, k, epsilon) in [
        ("2026Q3", 5, None),
        ("2026Q3", 3, None),
        ("2026-08", 2, None),
        ("2026", 4, None),
        ("2026Q3", 2, Some(4.0)),
        ("2026", 3, Some(8.0)),
    ] {
        let noisy = TrendSettings { k, epsilon };
        let release = release_of(period, &counters, &noisy, Some(&seed));
        let brute = checker::ranges(&release);
        let report = audit::audit(&release, &[]).unwrap();
        assert!(!report.findings.is_empty(), "{period}");
        for finding in &report.findings {
            let name = format!("{}/{}/{}", finding.table, finding.row, finding.column);
            assert_eq!(
                brute.get(&name).copied(),
                Some((finding.low, finding.high)),
                "{period} k={k} {name}"
            );
            assert!(finding.keeps_promise(), "{period} k={k} {finding:?}");
        }
        assert_eq!(brute.len(), report.findings.len(), "{period}");
    }
}

#[test]
fn the_same_inputs_give_the_same_release() {
    let noisy = TrendSettings {
        k: 5,
        epsilon: Some(1.0),
    };
    let seed = NoiseSeed::from_bytes([9; 32]);
    let first = release_of("2026Q3", &crafted_quarter(), &noisy, Some(&seed));
    let mut shuffled = crafted_quarter();
    shuffled.reverse();
    let second = release_of("2026Q3", &shuffled, &noisy, Some(&seed));
    assert_eq!(
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&second).unwrap()
    );
    // The stored form reads back to the same release.
    let stored = serde_json::to_string(&first).unwrap();
    assert_eq!(serde_json::from_str::<Release>(&stored).unwrap(), first);
    // A stored code that is not one of ours is refused, naming it and what was expected.
    for (unknown, expected) in [
        ("\"fewer_than_7\"", "fewer_than_k"),
        ("\"lunch\"", "coaching"),
    ] {
        let stored = stored.replacen(&format!("\"{expected}\""), unknown, 1);
        let err = serde_json::from_str::<Release>(&stored)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown variant") && err.contains(expected),
            "{err}"
        );
    }
    assert!(
        !stored.contains(&seed.to_hex()),
        "the seed is never part of a release"
    );
    // Another seed draws other noise.
    let other = release_of(
        "2026Q3",
        &crafted_quarter(),
        &noisy,
        Some(&NoiseSeed::from_bytes([10; 32])),
    );
    assert_ne!(other, first);
}

#[test]
fn a_stored_release_refuses_unknown_fields_and_markers() {
    let release = release_of("2026Q3", &crafted_quarter(), &settings(5), None);
    let mut json = serde_json::to_value(&release).unwrap();
    json["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<Release>(json).is_err());
    let mut json = serde_json::to_value(&release).unwrap();
    json["outcomes"]["rows"][0]["count"] = serde_json::json!("some");
    assert!(serde_json::from_value::<Release>(json).is_err());
}

#[test]
fn noisy_releases_are_protected_and_never_negative() {
    for (byte, epsilon) in [(1u8, 0.5), (2, 1.0), (3, 4.0), (4, 10.0)] {
        let noisy = TrendSettings {
            k: 5,
            epsilon: Some(epsilon),
        };
        let seed = NoiseSeed::from_bytes([byte; 32]);
        for period in ["2026Q3", "2026-07", "2026"] {
            let release = release_of(period, &crafted_quarter(), &noisy, Some(&seed));
            assert_eq!(release.noise, Some(NoiseStatement { epsilon }));
            assert_all_small_cells_hidden(&release);
            checker::assert_protected(&release);
        }
    }
}

#[test]
fn margins_of_a_noisy_release_add_up() {
    // Totals are sums of the noisy cells: wherever a table shows every row, they add up.
    let mut checked = 0;
    for byte in 0..40u8 {
        let noisy = TrendSettings {
            k: 2,
            epsilon: Some(10.0),
        };
        let release = release_of(
            "2026Q3",
            &crafted_quarter(),
            &noisy,
            Some(&NoiseSeed::from_bytes([byte; 32])),
        );
        let rows: Option<u64> = release.outcomes.rows.iter().map(|r| r.count.count()).sum();
        if let (Some(sum), Some(Cell::Count(total))) = (rows, release.outcomes.total) {
            assert_eq!(sum, total);
            checked += 1;
        }
    }
    assert!(checked > 0);
}

/// Every count shown is at least k.
fn assert_all_small_cells_hidden(release: &Release) {
    let k = u64::from(release.threshold);
    for cell in all_cells(release) {
        if let Cell::Count(n) = cell {
            assert!(n >= k, "{n} is shown but below k = {k}");
        }
    }
}

pub(super) fn all_cells(release: &Release) -> Vec<Cell> {
    let mut cells = Vec::new();
    let c = &release.concerns;
    for row in &c.rows {
        cells.extend(row.by_period.iter().copied());
        cells.push(row.total);
    }
    cells.extend(c.column_totals.iter().copied());
    cells.push(c.total);
    fn one_way<D: Dimension>(table: &OneWayTable<D>, cells: &mut Vec<Cell>) {
        cells.extend(table.rows.iter().map(|r| r.count));
        cells.extend(table.total);
    }
    one_way(&release.outcomes, &mut cells);
    one_way(&release.time_to_close, &mut cells);
    one_way(&release.channels, &mut cells);
    one_way(&release.raised_by, &mut cells);
    one_way(&release.services, &mut cells);
    cells
}

// ---------------------------------------------------------------------------------------------
// Property tests

/// One closed case: (month of the quarter, category, raised by, channel, outcome, bucket,
/// services bit set).
type CaseSpec = (usize, usize, usize, usize, usize, usize, u8);

fn counters_of(cases: &[CaseSpec]) -> Vec<(CounterKey, u64)> {
    let months = ["2026-07", "2026-08", "2026-09"];
    let mut counters = Vec::new();
    for &(m, c, r, ch, o, d, services) in cases {
        counters.push((
            case_key(
                months[m],
                Category::ALL[c],
                Outcome::ALL[o],
                Channel::ALL[ch],
                RaisedBy::ALL[r],
                DaysBucket::ALL[d],
            ),
            1,
        ));
        for (bit, service) in Service::ALL.iter().enumerate() {
            if services & (1 << bit) != 0 {
                counters.push((service_key(months[m], *service), 1));
            }
        }
    }
    counters
}

fn case_spec() -> impl Strategy<Value = CaseSpec> {
    // Skewed choices, so that some cells are large and many are small or empty.
    (
        0..3usize,
        prop_oneof![3 => Just(4usize), 2 => Just(1usize), 1 => 0..5usize],
        0..3usize,
        prop_oneof![3 => Just(0usize), 1 => 0..4usize],
        prop_oneof![3 => Just(0usize), 1 => 0..6usize],
        0..4usize,
        0..32u8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_hidden_cell_admits_two_values(
        cases in prop::collection::vec(case_spec(), 0..60),
        k in 2u32..7,
        period in prop_oneof!["2026Q3", "2026-08", "2026"],
        noise in prop::option::of((0.2f64..10.0, any::<[u8; 32]>())),
    ) {
        let counters = counters_of(&cases);
        let settings = TrendSettings { k, epsilon: noise.as_ref().map(|(e, _)| *e) };
        let seed = noise.map(|(_, s)| NoiseSeed::from_bytes(s));
        let release = release_of(&period, &counters, &settings, seed.as_ref());
        assert_all_small_cells_hidden(&release);
        prop_assert_eq!(checker::exposed(&release), Vec::<String>::new());
    }

    #[test]
    fn increments_round_trip_and_keep_only_the_month(
        category in 0..5usize, services in 0..32u8, days in 0i64..400, day in 1u32..29,
    ) {
        let closed_on = NaiveDate::from_ymd_opt(2026, 5, day).unwrap();
        let chosen: Vec<Service> = Service::ALL
            .iter()
            .enumerate()
            .filter(|(bit, _)| services & (1 << bit) != 0)
            .map(|(_, s)| *s)
            .collect();
        let keys = increments_for_closed_case(&ClosedCase {
            category: Category::ALL[category],
            raised_by: RaisedBy::Member,
            channel: Channel::Email,
            outcome: Outcome::Declined,
            services: &chosen,
            first_contact: closed_on - chrono::Days::new(days.unsigned_abs()),
            closed_on,
        });
        prop_assert_eq!(keys.len(), 1 + chosen.len());
        for key in keys {
            prop_assert_eq!(key.month(), ym("2026-05"));
            prop_assert_eq!(CounterKey::from_code(&key.code()), Some(key));
        }
    }
}

/// A brute-force solver for what a reader can deduce from a release.
mod checker {
    use std::collections::BTreeMap;

    use super::super::{Dimension, OneWayTable, Release};
    use super::Cell;

    /// `Σ coefficient·x + constant` compared with 0.
    #[derive(Default, Clone)]
    struct Linear {
        terms: Vec<(usize, i64)>,
        constant: i64,
    }

    /// A published number: a constant, or a variable with the bounds its marker implies.
    #[derive(Clone, Copy)]
    enum Term {
        Known(i64),
        Var(usize),
    }

    #[derive(Default)]
    struct System {
        bounds: Vec<(i64, i64)>,
        names: Vec<(String, bool)>,
        equal: Vec<Linear>,
        at_most: Vec<Linear>,
    }

    impl System {
        fn term(&mut self, cell: Cell, k: i64, big: i64, name: String) -> Term {
            let (bounds, small) = match cell {
                Cell::Count(n) => return Term::Known(i64::try_from(n).unwrap()),
                Cell::FewerThanK => ((0, k - 1), true),
                Cell::Withheld => ((k, big), false),
                Cell::NotShown => ((0, big), true),
            };
            self.bounds.push(bounds);
            self.names.push((name, small));
            Term::Var(self.bounds.len() - 1)
        }

        /// Records `Σ plus − Σ minus = 0` (or `≤ 0`).
        fn relate(&mut self, plus: &[Term], minus: &[Term], equal: bool) {
            let mut linear = Linear::default();
            for (terms, sign) in [(plus, 1), (minus, -1)] {
                for term in terms {
                    match *term {
                        Term::Known(n) => linear.constant += sign * n,
                        Term::Var(v) => linear.terms.push((v, sign)),
                    }
                }
            }
            if equal {
                self.equal.push(linear);
            } else {
                self.at_most.push(linear);
            }
        }

        /// Narrows `bounds` until every constraint is bounds-consistent; `false` if empty.
        fn propagate(&self, bounds: &mut [(i64, i64)]) -> bool {
            loop {
                let mut changed = false;
                for (constraint, equal) in self
                    .equal
                    .iter()
                    .map(|c| (c, true))
                    .chain(self.at_most.iter().map(|c| (c, false)))
                {
                    let (mut low, mut high) = (constraint.constant, constraint.constant);
                    for &(v, a) in &constraint.terms {
                        let (lo, hi) = bounds[v];
                        if a > 0 {
                            low += lo;
                            high += hi;
                        } else {
                            low -= hi;
                            high -= lo;
                        }
                    }
                    if low > 0 || (equal && high < 0) {
                        return false;
                    }
                    for &(v, a) in &constraint.terms {
                        let (lo, hi) = bounds[v];
                        // The rest of the sum, without this term.
                        let (rest_low, rest_high) = if a > 0 {
                            (low - lo, high - hi)
                        } else {
                            (low + hi, high + lo)
                        };
                        // a·x + rest ≤ 0 (and ≥ 0 if equal).
                        let (mut new_lo, mut new_hi) = (lo, hi);
                        if a > 0 {
                            new_hi = new_hi.min(-rest_low);
                            if equal {
                                new_lo = new_lo.max(-rest_high);
                            }
                        } else {
                            new_lo = new_lo.max(rest_low);
                            if equal {
                                new_hi = new_hi.min(rest_high);
                            }
                        }
                        if new_lo > new_hi {
                            return false;
                        }
                        if (new_lo, new_hi) != (lo, hi) {
                            bounds[v] = (new_lo, new_hi);
                            changed = true;
                        }
                    }
                }
                if !changed {
                    return true;
                }
            }
        }

        /// Some integer solution within `bounds`, by propagation and splitting.
        fn solve(&self, mut bounds: Vec<(i64, i64)>) -> Option<Vec<i64>> {
            if !self.propagate(&mut bounds) {
                return None;
            }
            let open = (0..bounds.len())
                .filter(|&v| bounds[v].0 < bounds[v].1)
                .min_by_key(|&v| bounds[v].1 - bounds[v].0);
            let Some(v) = open else {
                return Some(bounds.iter().map(|b| b.0).collect());
            };
            let (lo, hi) = bounds[v];
            let mid = lo + (hi - lo) / 2;
            let mut left = bounds.clone();
            left[v] = (lo, mid);
            if let Some(solution) = self.solve(left) {
                return Some(solution);
            }
            bounds[v] = (mid + 1, hi);
            self.solve(bounds)
        }

        fn feasible_with(&self, v: usize, range: (i64, i64)) -> bool {
            let mut bounds = self.bounds.clone();
            bounds[v] = (bounds[v].0.max(range.0), bounds[v].1.min(range.1));
            bounds[v].0 <= bounds[v].1 && self.solve(bounds).is_some()
        }

        /// The smallest and largest value of variable `v` over all solutions.
        fn range(&self, v: usize) -> (i64, i64) {
            let (lo, hi) = self.bounds[v];
            // Binary search for the smallest feasible value, then the largest.
            let (mut a, mut b) = (lo, hi);
            while a < b {
                let mid = a + (b - a) / 2;
                if self.feasible_with(v, (lo, mid)) {
                    b = mid;
                } else {
                    a = mid + 1;
                }
            }
            let min = a;
            let (mut a, mut b) = (min, hi);
            while a < b {
                let mid = a + (b - a + 1) / 2;
                if self.feasible_with(v, (mid, hi)) {
                    a = mid;
                } else {
                    b = mid - 1;
                }
            }
            (min, a)
        }
    }

    /// Everything a reader of `release` knows, as a system of integer constraints. Cells are
    /// named `table/row/column` as the audit names them.
    fn system(release: &Release) -> System {
        let mut s = System::default();
        let k = i64::from(release.threshold);
        let big = {
            let shown: u64 = super::all_cells(release)
                .iter()
                .filter_map(|c| c.count())
                .sum();
            i64::try_from(shown).unwrap() + k
        };
        let c = &release.concerns;
        let interior = c.rows.iter().any(|r| !r.by_period.is_empty());
        let mut cells = Vec::new();
        let mut row_totals = Vec::new();
        for row in &c.rows {
            let code = row.category.code();
            cells.push(
                c.columns
                    .iter()
                    .zip(&row.by_period)
                    .map(|(p, &cell)| s.term(cell, k, big, format!("concerns/{code}/{p}")))
                    .collect::<Vec<_>>(),
            );
            row_totals.push(s.term(row.total, k, big, format!("concerns/{code}/total")));
        }
        let column_totals: Vec<Term> = c
            .columns
            .iter()
            .zip(&c.column_totals)
            .map(|(p, &cell)| s.term(cell, k, big, format!("sub_periods/{p}/total")))
            .collect();
        let grand = s.term(c.total, k, big, "concerns/total/total".to_owned());
        if interior {
            for (row, total) in cells.iter().zip(&row_totals) {
                s.relate(row, &[*total], true);
            }
            for (j, total) in column_totals.iter().enumerate() {
                let column: Vec<Term> = cells.iter().map(|row| row[j]).collect();
                s.relate(&column, &[*total], true);
            }
        }
        s.relate(&row_totals, &[grand], true);
        if !column_totals.is_empty() {
            s.relate(&column_totals, &[grand], true);
        }

        fn one_way<D: Dimension>(
            s: &mut System,
            table: &OneWayTable<D>,
            name: &'static str,
            k: i64,
            big: i64,
        ) -> (Vec<Term>, Option<Term>) {
            let cells: Vec<Term> = table
                .rows
                .iter()
                .map(|r| s.term(r.count, k, big, format!("{name}/{}/count", r.key.code())))
                .collect();
            let total = table
                .total
                .map(|t| s.term(t, k, big, format!("{name}/total/count")));
            if let Some(total) = total {
                s.relate(&cells, &[total], true);
            }
            (cells, total)
        }
        let noisy = release.noise.is_some();
        let mut totals = Vec::new();
        for (_, total) in [
            one_way(&mut s, &release.outcomes, "outcomes", k, big),
            one_way(&mut s, &release.time_to_close, "time_to_close", k, big),
            one_way(&mut s, &release.channels, "channels", k, big),
            one_way(&mut s, &release.raised_by, "raised_by", k, big),
        ] {
            totals.extend(total);
        }
        let (services, _) = one_way(&mut s, &release.services, "services", k, big);
        if !noisy {
            // Without noise every table counts the same closed concerns, and a concern counts
            // at most once in each service row.
            for total in totals {
                s.relate(&[total], &[grand], true);
            }
            for service in services {
                s.relate(&[service], &[grand], false);
            }
        }
        s
    }

    /// The hidden cells that admit a single value. Only small ones (marked "fewer than k" or
    /// in a table not shown) would disclose anything, but every hidden cell is checked: a
    /// "withheld" cell lies on a cycle with the cell it protects, so it too can move.
    pub(super) fn exposed(release: &Release) -> Vec<String> {
        let s = system(release);
        assert!(
            s.solve(s.bounds.clone()).is_some(),
            "the published numbers must be consistent"
        );
        let mut exposed = Vec::new();
        for v in 0..s.bounds.len() {
            let (name, small) = s.names[v].clone();
            let Some(one) = s.solve(s.bounds.clone()) else {
                continue;
            };
            let value = one[v];
            let other = s.feasible_with(v, (i64::MIN, value - 1))
                || s.feasible_with(v, (value + 1, i64::MAX));
            if !other {
                let kind = if small { "" } else { " (withheld)" };
                exposed.push(format!("{name} = {value}{kind}"));
            }
        }
        exposed
    }

    /// Panics unless every hidden cell of `release` admits two values.
    pub(super) fn assert_protected(release: &Release) {
        let exposed = exposed(release);
        assert!(
            exposed.is_empty(),
            "cells that can be worked out: {exposed:?}\n{}",
            serde_json::to_string_pretty(release).unwrap()
        );
    }

    /// The exact range of every hidden cell, by name (`table/row/column`).
    pub(super) fn ranges(release: &Release) -> BTreeMap<String, (u64, u64)> {
        let s = system(release);
        (0..s.bounds.len())
            .map(|v| {
                let (name, _) = s.names[v].clone();
                let (lo, hi) = s.range(v);
                (
                    name,
                    (u64::try_from(lo).unwrap(), u64::try_from(hi).unwrap()),
                )
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The rule against a reader who knows it

/// What a reader sees of one table: the label of each row (with the number if shown) and of
/// the total.
type Publication = (Vec<(disclosure::Status, u64)>, (disclosure::Status, u64));

fn publication(cells: &[u64], k: u64) -> Publication {
    let protected = disclosure::one_way(cells, k);
    let shown =
        |status: disclosure::Status, value: u64| (status, if status.hidden() { 0 } else { value });
    (
        protected
            .cells
            .iter()
            .zip(cells)
            .map(|(&s, &v)| shown(s, v))
            .collect(),
        shown(protected.total, cells.iter().sum()),
    )
}

/// Calls `each` with every list of `n` counts adding up to at most `max_total`.
fn every_table(n: usize, max_total: u64, each: &mut impl FnMut(&[u64])) {
    fn fill(cells: &mut Vec<u64>, n: usize, left: u64, each: &mut impl FnMut(&[u64])) {
        if cells.len() == n {
            each(cells);
            return;
        }
        for v in 0..=left {
            cells.push(v);
            fill(cells, n, left - v, each);
            cells.pop();
        }
    }
    fill(&mut Vec::with_capacity(n), n, max_total, each);
}

/// Checks the promise of every hidden number against everything a reader who knows the rule
/// can tell from its publication: the values it takes across every data set published the same
/// way. `values` holds, per publication and per row, every value seen; `labels` the label.
fn assert_promise_kept(
    groups: &std::collections::HashMap<Publication, Vec<std::collections::BTreeSet<u64>>>,
    k: u64,
    what: &str,
) -> usize {
    let mut checked = 0;
    for (publication, rows) in groups {
        let labels = publication
            .0
            .iter()
            .map(|(s, _)| *s)
            .chain([publication.1.0]);
        for (label, values) in labels.zip(rows) {
            let (Some(&low), Some(&high)) = (values.first(), values.last()) else {
                continue;
            };
            let ok = match label {
                disclosure::Status::Shown => continue,
                disclosure::Status::FewerThanK => (0..k).all(|v| values.contains(&v)),
                disclosure::Status::Withheld => high - low + 1 >= k,
                disclosure::Status::NotShown => low == 0 && high - low + 1 >= k,
            };
            checked += 1;
            assert!(
                ok,
                "{what}: a reader who knows the rule narrows a {label:?} row of {publication:?} \
                 to {values:?}"
            );
        }
    }
    checked
}

#[test]
fn knowing_the_rule_narrows_no_hidden_row_of_any_small_table() {
    // Every table of 3 to 6 rows up to a total past its breakdown threshold, at several k: the
    // data sets published the same way must leave every value from 0 to k − 1 to each row read
    // "fewer than k", and k values to each withheld or not shown one.
    let mut checked = 0;
    let mut data_sets = 0usize;
    let mut publications = 0usize;
    for (n, k, max_total) in [
        (3, 5, 24),
        (4, 5, 27),
        (4, 2, 18),
        (5, 5, 29),
        (6, 3, 21),
        (6, 2, 16),
    ] {
        let mut groups: std::collections::HashMap<
            Publication,
            Vec<std::collections::BTreeSet<u64>>,
        > = std::collections::HashMap::new();
        every_table(n, max_total, &mut |cells| {
            data_sets += 1;
            let rows = groups
                .entry(publication(cells, k))
                .or_insert_with(|| vec![std::collections::BTreeSet::new(); n + 1]);
            for (row, &v) in rows
                .iter_mut()
                .zip(cells.iter().chain([&cells.iter().sum()]))
            {
                row.insert(v);
            }
        });
        publications += groups.len();
        checked += assert_promise_kept(&groups, k, &format!("{n} rows, k = {k}"));
    }
    assert!(checked > 10_000, "{checked}");
    println!(
        "the rule against a reader who knows it: {data_sets} data sets (tables of 3 to 6 rows, \
         k = 2, 3 and 5, every total up to past the breakdown threshold), {publications} \
         distinct publications, {checked} hidden numbers each left its whole promised range"
    );
}

/// Data sets grouped by what a reader sees of a two-way table: whether its cells are published,
/// its two margins, and the cells if published; per group, the values of each margin row.
type MarginGroups = std::collections::HashMap<
    (bool, Publication, Publication, Vec<u64>),
    Vec<std::collections::BTreeSet<u64>>,
>;

#[test]
fn publishing_kinds_by_month_only_when_no_cell_is_small_narrows_nothing() {
    // Every 3 × 2 table of counts up to a total of 14 at k = 2 and k = 3: the reader sees the
    // kinds (rows) and the months (columns) as two protected tables, and the cells only when
    // none is below k. Knowing when the cells are published must not narrow a hidden kind or
    // month.
    for k in [2u64, 3] {
        let mut groups: MarginGroups = std::collections::HashMap::new();
        every_table(6, 14, &mut |cells| {
            let table: Vec<Vec<u64>> = cells.chunks(2).map(<[u64]>::to_vec).collect();
            let kinds: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
            let months: Vec<u64> = (0..2).map(|j| table.iter().map(|r| r[j]).sum()).collect();
            let interior = disclosure::interior_shown(&table, k);
            let key = (
                interior,
                publication(&kinds, k),
                publication(&months, k),
                if interior { cells.to_vec() } else { Vec::new() },
            );
            let rows = groups
                .entry(key)
                .or_insert_with(|| vec![std::collections::BTreeSet::new(); 5]);
            for (row, v) in rows.iter_mut().zip(kinds.iter().chain(&months)) {
                row.insert(*v);
            }
        });
        for ((_, kinds, months, _), rows) in &groups {
            for (values, (label, _)) in rows.iter().zip(kinds.0.iter().chain(&months.0)) {
                let low = *values.first().unwrap();
                let high = *values.last().unwrap();
                let ok = match label {
                    disclosure::Status::Shown => true,
                    disclosure::Status::FewerThanK => (0..k).all(|v| values.contains(&v)),
                    disclosure::Status::Withheld => high - low + 1 >= k,
                    disclosure::Status::NotShown => low == 0 && high - low + 1 >= k,
                };
                assert!(ok, "k = {k}: {label:?} narrowed to {values:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vetting a release against what was published

#[test]
fn the_audit_refuses_a_release_that_would_expose_a_hidden_number() {
    // The rule never produces such a release; the audit is the line behind it. A release whose
    // withheld rows were shown (as a faulty rule might) lets the small one be worked out.
    let counters = channels_20_9_6_3();
    let release = release_of("2026-07", &counters, &settings(5), None);
    assert!(vet(&release, &[]).is_ok());
    let mut faulty = release.clone();
    faulty.channels.rows[1].count = Cell::Count(9);
    faulty.channels.rows[2].count = Cell::Count(6);
    let err = vet(&faulty, &[]).unwrap_err();
    assert!(
        matches!(err, ReleaseError::Exposed { hidden: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        crate::domain::phrase::Said::phrase(&err),
        crate::domain::phrase::Phrase::new("board.refused.exposed"),
        "the refusal says neither which numbers nor how many"
    );
    // Numbers that contradict each other cannot be audited: nothing is released.
    let mut contradictory = release.clone();
    contradictory.channels.rows[0].count = Cell::Count(40);
    let err = vet(&contradictory, &[]).unwrap_err();
    assert!(matches!(err, ReleaseError::AuditFailed(_)), "{err:?}");
}

#[test]
fn a_second_kind_of_period_needs_noise() {
    let counters = crafted_quarter();
    let quarter = release_of("2026Q3", &counters, &settings(5), None);
    let month = release_of("2026-08", &counters, &settings(5), None);
    let err = vet(&month, std::slice::from_ref(&quarter)).unwrap_err();
    assert_eq!(
        err,
        ReleaseError::KindCommitted {
            asked: PeriodKind::Month,
            released: PeriodKind::Quarter,
            example: "2026Q3".parse().unwrap(),
        }
    );
    // The same kind, another period: fine. Another kind with noise: fine.
    let next = release_of("2026Q4", &counters, &settings(5), None);
    assert!(vet(&next, std::slice::from_ref(&quarter)).is_ok());
    let noisy = TrendSettings {
        k: 5,
        epsilon: Some(1.0),
    };
    let seed = NoiseSeed::from_bytes([1; 32]);
    let noisy_month = release_of("2026-08", &counters, &noisy, Some(&seed));
    assert!(vet(&noisy_month, std::slice::from_ref(&quarter)).is_ok());
    // A noise-free release after a noisy one of another kind is refused all the same.
    assert!(matches!(
        vet(&quarter, std::slice::from_ref(&noisy_month)),
        Err(ReleaseError::KindCommitted { .. })
    ));
}

#[test]
fn the_next_period_to_be_released_begins_on_or_after_the_start_and_is_not_over() {
    let next = |kind, start: &str, as_of: &str| {
        Period::next_to_complete(kind, date(start), date(as_of))
            .map(|p| (p.to_string(), p.released_on().to_string()))
    };
    let pair = |p: &str, d: &str| Some((p.to_owned(), d.to_owned()));
    // Before anything is over: the period holding today, released the day after it ends.
    assert_eq!(
        next(PeriodKind::Quarter, "2026-01-01", "2026-02-02"),
        pair("2026Q1", "2026-04-01")
    );
    assert_eq!(
        next(PeriodKind::Month, "2026-01-01", "2026-01-31"),
        pair("2026-01", "2026-02-01")
    );
    assert_eq!(
        next(PeriodKind::Year, "2026-01-01", "2026-12-31"),
        pair("2026", "2027-01-01")
    );
    // A start in the middle of a period: the first whole period after it.
    assert_eq!(
        next(PeriodKind::Quarter, "2026-02-15", "2026-01-10"),
        pair("2026Q2", "2026-07-01")
    );
    assert_eq!(
        next(PeriodKind::Year, "2026-02-15", "2026-03-01"),
        pair("2027", "2028-01-01")
    );
    // Later on: the period holding today.
    assert_eq!(
        next(PeriodKind::Quarter, "2026-01-01", "2026-04-01"),
        pair("2026Q2", "2026-07-01")
    );
}
