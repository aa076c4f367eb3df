//! The outside review's attack (issue 24), as a test: one-year scenarios of counters, released
//! the way the service would release them, including the configuration changes the review made
//! (quarters, then years; months, then quarters), and an attacker who keeps every release,
//! writes every published number down as an integer constraint and computes, with exact integer
//! programs, the tightest interval of every hidden number. No interval may be narrower than the
//! promise. The attacker's system is written here independently of [`super::audit`]: it keeps one
//! unknown per month, dimension and value, and shares nothing with the audit but the solver.
//!
//! `review_attack_finds_nothing` prints the figures SECURITY.md quotes (run it with
//! `cargo nextest run -E 'test(review_attack)' --no-capture`).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, variable,
};

use super::release::{Cell, ReleaseError};
use super::*;
use crate::domain::case::{Channel, Outcome, Service};
use crate::domain::concern::{Category, RaisedBy};

/// A small deterministic generator (SplitMix64), so that every run sees the same scenarios.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut pick = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if pick < w {
                return i;
            }
            pick -= w;
        }
        0
    }
}

/// One closed case.
struct Case {
    month: u32,
    category: usize,
    raised_by: usize,
    channel: usize,
    outcome: usize,
    days: usize,
    services: u8,
}

fn counters(cases: &[Case]) -> Vec<(CounterKey, u64)> {
    let mut map: BTreeMap<CounterKey, u64> = BTreeMap::new();
    for c in cases {
        let month = YearMonth::new(2026, c.month).unwrap();
        *map.entry(CounterKey::Case(CaseCell {
            month,
            category: Category::ALL[c.category],
            raised_by: RaisedBy::ALL[c.raised_by],
            channel: Channel::ALL[c.channel],
            outcome: Outcome::ALL[c.outcome],
            days_to_close: DaysBucket::ALL[c.days],
        }))
        .or_default() += 1;
        for (bit, service) in Service::ALL.iter().enumerate() {
            if c.services & (1 << bit) != 0 {
                *map.entry(CounterKey::Service(ServiceCell {
                    month,
                    service: *service,
                }))
                .or_default() += 1;
            }
        }
    }
    map.into_iter().collect()
}

/// A year of cases: `volume` concerns a month on average, dimensions drawn with `weights`
/// (category, raised by, channel, outcome, days) — flat for a realistic mix, steep for skewed.
fn year(rng: &mut Rng, volume: u64, steep: bool) -> Vec<Case> {
    let weights = |n: usize, rng: &mut Rng| -> Vec<u64> {
        (0..n)
            .map(|i| {
                let base = if steep {
                    64 >> (2 * i).min(6)
                } else {
                    8 + rng.below(8)
                };
                base.max(1)
            })
            .collect()
    };
    let (cat, by, ch, out, days) = (
        weights(5, rng),
        weights(3, rng),
        weights(4, rng),
        weights(6, rng),
        weights(4, rng),
    );
    let mut cases = Vec::new();
    for month in 1..=12 {
        let n = if volume == 0 {
            0
        } else {
            volume / 2 + rng.below(volume + 1)
        };
        for _ in 0..n {
            cases.push(Case {
                month,
                category: rng.weighted(&cat),
                raised_by: rng.weighted(&by),
                channel: rng.weighted(&ch),
                outcome: rng.weighted(&out),
                days: rng.weighted(&days),
                services: u8::try_from(rng.below(32)).unwrap(),
            });
        }
    }
    cases
}

/// The crafted cases of the review: in one month, six concerns from the public, five ended as
/// public-trust terminations and one withdrawn; a month where all five concerns share every
/// value; and quarters where a few concerns sit in every outcome.
fn crafted() -> Vec<Vec<Case>> {
    let case = |month, outcome, category| Case {
        month,
        category,
        raised_by: 2,
        channel: 0,
        outcome,
        days: 0,
        services: 1,
    };
    let public_trust = Outcome::TerminatedPublicTrust.index();
    let withdrawn = Outcome::Withdrawn.index();
    let mut six: Vec<Case> = (0..5).map(|_| case(3, public_trust, 3)).collect();
    six.push(case(3, withdrawn, 3));
    let five_alike: Vec<Case> = (0..5).map(|_| case(7, 0, 4)).collect();
    let mut spread = Vec::new();
    for month in 1..=12 {
        for outcome in 0..6 {
            for _ in 0..(1 + (month + outcome as u32) % 3) {
                spread.push(case(month, outcome, outcome % 5));
            }
        }
    }
    let mut busy_with_six = year(&mut Rng(7), 20, false);
    busy_with_six.extend(six.iter().map(|c| case(c.month, c.outcome, c.category)));
    vec![six, five_alike, spread, busy_with_six]
}

/// The scenarios: realistic, skewed, small, and crafted.
fn scenarios() -> Vec<(String, Vec<Case>)> {
    let mut rng = Rng(24);
    let mut out = Vec::new();
    for i in 0..30 {
        let volume = [3, 6, 10, 15, 25, 40][i % 6];
        out.push((
            format!("realistic {i} ({volume}/month)"),
            year(&mut rng, volume, false),
        ));
    }
    for i in 0..12 {
        let volume = [6, 12, 20, 30][i % 4];
        out.push((
            format!("skewed {i} ({volume}/month)"),
            year(&mut rng, volume, true),
        ));
    }
    for i in 0..12 {
        let volume = [1, 2, 3][i % 3];
        out.push((
            format!("small {i} ({volume}/month)"),
            year(&mut rng, volume, i % 2 == 0),
        ));
    }
    for (i, cases) in crafted().into_iter().enumerate() {
        out.push((format!("crafted {i}"), cases));
    }
    out
}

fn settings(epsilon: Option<f64>) -> TrendSettings {
    TrendSettings { k: 5, epsilon }
}

fn after_2026() -> chrono::NaiveDate {
    crate::domain::dates::parse_iso_date("2027-01-02").unwrap()
}

/// Releases `periods` in order the way the service does, each vetted against those before;
/// returns what was published and what was refused.
fn release_all(
    counters: &[(CounterKey, u64)],
    periods: &[(&str, Option<f64>)],
    published: &mut Vec<Release>,
) -> Vec<(Period, ReleaseError)> {
    let mut refused = Vec::new();
    for &(code, epsilon) in periods {
        let period: Period = code.parse().unwrap();
        let seed = NoiseSeed::from_bytes([9; 32]);
        let release = build_release(
            period,
            counters,
            &settings(epsilon),
            Some(&seed),
            after_2026(),
        )
        .unwrap();
        match vet(&release, published) {
            Ok(_) => published.push(release),
            Err(e) => refused.push((period, e)),
        }
    }
    refused
}

// ---------------------------------------------------------------------------------------------
// The attacker

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unknown {
    /// Concerns closed in a month.
    Total(i64),
    /// Concerns closed in a month with value `row` of dimension `dim`.
    Value(i64, usize, usize),
}

/// One constraint: (terms, relation: -1 ≤, 0 =, 1 ≥, value); terms are (unknown, coefficient).
type Note = (Vec<(usize, f64)>, i8, f64);

/// The attacker's notes: unknowns, and constraints Σ unknowns (=, ≤, ≥) value.
#[derive(Default)]
struct Attacker {
    unknowns: BTreeMap<Unknown, usize>,
    /// (terms, relation: -1 ≤, 0 =, 1 ≥, value); terms are (unknown, coefficient).
    constraints: Vec<Note>,
    /// Hidden numbers: (name, label, k, terms).
    hidden: Vec<(String, Cell, u64, Vec<usize>)>,
}

const DIMENSIONS: [usize; 6] = [5, 6, 4, 4, 3, 5];
const SERVICES: usize = 5;

fn month_of(year: i32, month: u32) -> i64 {
    i64::from(year) * 12 + i64::from(month) - 1
}

fn months(period: Period) -> Vec<i64> {
    period
        .month_list()
        .iter()
        .map(|m| month_of(m.year(), m.month()))
        .collect()
}

impl Attacker {
    fn unknown(&mut self, u: Unknown) -> usize {
        if let Some(&i) = self.unknowns.get(&u) {
            return i;
        }
        let i = self.unknowns.len();
        self.unknowns.insert(u, i);
        if let Unknown::Total(m) = u {
            // Every dimension of a month adds up to its total; a service is at most the total.
            for (dim, &rows) in DIMENSIONS.iter().enumerate() {
                let mut terms: Vec<(usize, f64)> = (0..rows)
                    .map(|r| (self.unknown(Unknown::Value(m, dim, r)), 1.0))
                    .collect();
                if dim == SERVICES {
                    for (t, _) in terms.drain(..) {
                        self.constraints.push((vec![(t, 1.0), (i, -1.0)], -1, 0.0));
                    }
                } else {
                    terms.push((i, -1.0));
                    self.constraints.push((terms, 0, 0.0));
                }
            }
        }
        i
    }

    /// Writes down one published number: the sum of `unknowns`, with its label.
    fn note(&mut self, name: String, cell: Cell, k: u64, unknowns: Vec<Unknown>) {
        let terms: Vec<usize> = unknowns.into_iter().map(|u| self.unknown(u)).collect();
        let weighted: Vec<(usize, f64)> = terms.iter().map(|&t| (t, 1.0)).collect();
        match cell {
            Cell::Count(v) => self.constraints.push((weighted, 0, v as f64)),
            Cell::FewerThanK => self.constraints.push((weighted, -1, (k - 1) as f64)),
            Cell::Withheld => self.constraints.push((weighted, 1, k as f64)),
            Cell::NotShown => {}
        }
        if !matches!(cell, Cell::Count(_)) {
            self.hidden.push((name, cell, k, terms));
        }
    }

    /// Reads every number of a release.
    fn read(&mut self, release: &Release) {
        let k = u64::from(release.threshold);
        let period = release.period;
        let whole = months(period);
        for m in &whole {
            self.unknown(Unknown::Total(*m));
        }
        let totals = |months: &[i64]| months.iter().map(|&m| Unknown::Total(m)).collect();
        let values = |months: &[i64], dim: usize, row: usize| {
            months
                .iter()
                .map(|&m| Unknown::Value(m, dim, row))
                .collect::<Vec<_>>()
        };
        let c = &release.concerns;
        for (row, r) in c.rows.iter().enumerate() {
            for (column, &cell) in c.columns.iter().zip(&r.by_period) {
                let name = format!("{period} concerns {} {column}", r.category.code());
                self.note(name, cell, k, values(&months(*column), 0, row));
            }
            let name = format!("{period} concerns {}", r.category.code());
            self.note(name, r.total, k, values(&whole, 0, row));
        }
        for (column, &cell) in c.columns.iter().zip(&c.column_totals) {
            self.note(
                format!("{period} {column}"),
                cell,
                k,
                totals(&months(*column)),
            );
        }
        self.note(format!("{period} total"), c.total, k, totals(&whole));
        fn one_way<D: Dimension>(
            a: &mut Attacker,
            period: Period,
            name: &str,
            dim: usize,
            table: &OneWayTable<D>,
            k: u64,
        ) {
            let whole = months(period);
            for (row, r) in table.rows.iter().enumerate() {
                let unknowns = whole.iter().map(|&m| Unknown::Value(m, dim, row)).collect();
                a.note(
                    format!("{period} {name} {}", r.key.code()),
                    r.count,
                    k,
                    unknowns,
                );
            }
            if let Some(total) = table.total {
                let unknowns = whole.iter().map(|&m| Unknown::Total(m)).collect();
                a.note(format!("{period} {name} total"), total, k, unknowns);
            }
        }
        one_way(self, period, "outcomes", 1, &release.outcomes, k);
        one_way(self, period, "time_to_close", 2, &release.time_to_close, k);
        one_way(self, period, "channels", 3, &release.channels, k);
        one_way(self, period, "raised_by", 4, &release.raised_by, k);
        one_way(self, period, "services", 5, &release.services, k);
    }

    /// The smallest and largest value of each hidden number, by exact integer programs.
    fn intervals(&self) -> Vec<(String, Cell, u64, u64, u64)> {
        // Every unknown is at most the largest total any release shows (or k − 1).
        let bound = self
            .constraints
            .iter()
            .filter(|(_, relation, _)| *relation <= 0)
            .map(|(_, _, v)| *v)
            .fold(0.0f64, f64::max)
            .max(1.0);
        self.hidden
            .iter()
            .map(|(name, cell, k, terms)| {
                let solve = |maximise: bool| -> u64 {
                    let mut p = ProblemVariables::new();
                    let x: Vec<Variable> = (0..self.unknowns.len())
                        .map(|_| p.add(variable().integer().min(0).max(bound)))
                        .collect();
                    let objective: Expression = terms.iter().map(|&t| x[t]).sum();
                    let problem = if maximise {
                        p.maximise(objective.clone())
                    } else {
                        p.minimise(objective.clone())
                    };
                    let mut model = problem.using(good_lp::microlp);
                    for (terms, relation, value) in &self.constraints {
                        let lhs: Expression = terms.iter().map(|&(t, c)| c * x[t]).sum();
                        model = model.with(match relation {
                            0 => constraint::eq(lhs, *value),
                            r if *r < 0 => constraint::leq(lhs, *value),
                            _ => constraint::geq(lhs, *value),
                        });
                    }
                    let solution = model.solve().unwrap();
                    solution.eval(&objective).round() as u64
                };
                (name.clone(), *cell, *k, solve(false), solve(true))
            })
            .collect()
    }
}

/// What the attacker finds over `releases` (noisy ones left out: their numbers are not exact):
/// every hidden number with its interval, the system split where no release links two months.
fn attack(releases: &[&Release]) -> Vec<(String, Cell, u64, u64, u64)> {
    let exact: Vec<&Release> = releases
        .iter()
        .copied()
        .filter(|r| r.noise.is_none())
        .collect();
    // Group releases whose months overlap, directly or through others.
    let mut groups: Vec<(BTreeSet<i64>, Vec<&Release>)> = Vec::new();
    for release in exact {
        let mine: BTreeSet<i64> = months(release.period).into_iter().collect();
        let (mut linked, rest): (Vec<_>, Vec<_>) =
            groups.into_iter().partition(|(m, _)| !m.is_disjoint(&mine));
        let mut merged = (mine, vec![release]);
        for (m, r) in linked.drain(..) {
            merged.0.extend(m);
            merged.1.extend(r);
        }
        groups = rest;
        groups.push(merged);
    }
    let mut found = Vec::new();
    for (_, group) in groups {
        let mut attacker = Attacker::default();
        for release in group {
            attacker.read(release);
        }
        found.extend(attacker.intervals());
    }
    found
}

/// Whether an interval keeps the promise.
fn kept(cell: Cell, k: u64, low: u64, high: u64) -> bool {
    let span = high - low + 1;
    match cell {
        Cell::Count(_) => true,
        Cell::FewerThanK => low == 0 && high >= k - 1,
        Cell::Withheld => span >= k,
        Cell::NotShown => low == 0 && span >= k,
    }
}

fn quarters() -> Vec<(&'static str, Option<f64>)> {
    ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
        .into_iter()
        .map(|q| (q, None))
        .collect()
}

fn months_of_2026() -> Vec<(String, Option<f64>)> {
    (1..=12).map(|m| (format!("2026-{m:02}"), None)).collect()
}

/// Releases `first` (all must be published), then asks for `second` without noise, which must
/// be refused as a second kind of period; returns what was published and how many were refused.
fn first_then_second(
    counters: &[(CounterKey, u64)],
    first: &[(&str, Option<f64>)],
    second: &str,
    name: &str,
) -> (Vec<Release>, usize) {
    let mut published = Vec::new();
    assert!(
        release_all(counters, first, &mut published).is_empty(),
        "{name}"
    );
    let refused = release_all(counters, &[(second, None)], &mut published);
    assert!(
        matches!(
            refused.as_slice(),
            [(_, ReleaseError::KindCommitted { .. })]
        ),
        "{name}: {second} after {}, without noise, must be refused",
        first.first().map_or("", |f| f.0)
    );
    (published, refused.len())
}

#[derive(Default)]
struct Tally {
    /// Hidden numbers by label: fewer than k, withheld, not shown.
    fewer: usize,
    withheld: usize,
    not_shown: usize,
    /// The narrowest withheld interval seen (values), and the narrowest "fewer than k".
    withheld_span: Option<u64>,
    fewer_span: Option<u64>,
    /// Exact numbers published, and shown, by kind of period.
    numbers: BTreeMap<&'static str, (usize, usize)>,
}

#[test]
fn review_attack_finds_nothing() {
    let started = Instant::now();
    let mut scenarios_run = 0;
    let mut published_by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused_kinds = 0;
    let mut tally = Tally::default();
    for (name, cases) in scenarios() {
        scenarios_run += 1;
        let counters = counters(&cases);

        // Quarters, then the operator asks for the year without noise: refused. With noise,
        // the year is released, and its noisy numbers constrain nothing exactly.
        let (mut quarterly, refused) = first_then_second(&counters, &quarters(), "2026", &name);
        refused_kinds += refused;
        assert!(release_all(&counters, &[("2026", Some(1.0))], &mut quarterly).is_empty());

        // Months, then quarters without noise: refused.
        let months = months_of_2026();
        let months: Vec<(&str, Option<f64>)> =
            months.iter().map(|(m, e)| (m.as_str(), *e)).collect();
        let (published, refused) = first_then_second(&counters, &months, "2026Q2", &name);
        refused_kinds += refused;

        for history in [&quarterly, &published] {
            for release in history {
                let kind = match (release.period.kind(), release.noise.is_some()) {
                    (PeriodKind::Month, _) => "month",
                    (PeriodKind::Quarter, _) => "quarter",
                    (PeriodKind::Year, true) => "noisy year",
                    (PeriodKind::Year, false) => "year",
                };
                *published_by_kind.entry(kind.to_owned()).or_default() += 1;
            }
            let releases: Vec<&Release> = history.iter().collect();
            for (number, cell, k, low, high) in attack(&releases) {
                assert!(
                    kept(cell, k, low, high),
                    "{name}: {number} ({cell:?}) narrowed to {low}..={high}"
                );
                let span = high - low + 1;
                let narrowest = |seen: &mut Option<u64>| {
                    *seen = Some(seen.map_or(span, |s: u64| s.min(span)));
                };
                match cell {
                    Cell::FewerThanK => {
                        tally.fewer += 1;
                        narrowest(&mut tally.fewer_span);
                    }
                    Cell::Withheld => {
                        tally.withheld += 1;
                        narrowest(&mut tally.withheld_span);
                    }
                    _ => tally.not_shown += 1,
                }
            }
            for release in history.iter().filter(|r| r.noise.is_none()) {
                let kind = if release.period.kind() == PeriodKind::Month {
                    "months"
                } else {
                    "quarters"
                };
                let entry = tally.numbers.entry(kind).or_default();
                for cell in super::tests::all_cells(release) {
                    entry.0 += 1;
                    entry.1 += usize::from(matches!(cell, Cell::Count(_)));
                }
            }
        }
    }
    let published: Vec<String> = published_by_kind
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    let shown: Vec<String> = tally
        .numbers
        .iter()
        .map(|(kind, (all, shown))| {
            format!("{kind} {shown} of {all} ({}%)", shown * 100 / (*all).max(1))
        })
        .collect();
    println!(
        "review attack: {scenarios_run} one-year scenarios; published {}; {refused_kinds} \
         releases refused for a second kind of period without noise (a year after its \
         quarters, a quarter after its months); {} hidden numbers bounded by exact integer \
         programs over every exact release sharing their months: {} \"fewer than 5\" (the \
         narrowest spans {} values, 0 to 4), {} withheld (the narrowest spans {} values), {} \
         not shown; none narrower than promised. Exact numbers shown: {}. {:.1} s",
        published.join(", "),
        tally.fewer + tally.withheld + tally.not_shown,
        tally.fewer,
        tally.fewer_span.unwrap_or(0),
        tally.withheld,
        tally.withheld_span.unwrap_or(0),
        tally.not_shown,
        shown.join("; "),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn exact_nested_releases_are_caught_by_the_audit() {
    // A history the commitment forbids (months and quarters, both exact: an installation of an
    // earlier version could have one). The audit of every release finds what the attacker finds,
    // and refuses the next release rather than add to it. Its time on a year of monthly and
    // quarterly releases is printed for SECURITY.md.
    let cases = year(&mut Rng(3), 12, false);
    let counters = counters(&cases);
    let mut history = Vec::new();
    for code in months_of_2026()
        .iter()
        .map(|(m, _)| m.clone())
        .chain(["2026Q1", "2026Q2", "2026Q3"].map(String::from))
    {
        let release = build_release(
            code.parse().unwrap(),
            &counters,
            &settings(None),
            None,
            after_2026(),
        )
        .unwrap();
        history.push(release);
    }
    let q4 = build_release(
        "2026Q4".parse().unwrap(),
        &counters,
        &settings(None),
        None,
        after_2026(),
    )
    .unwrap();
    let year = build_release(
        "2026".parse().unwrap(),
        &counters,
        &settings(None),
        None,
        after_2026(),
    )
    .unwrap();
    let started = Instant::now();
    let report = audit::audit(&q4, &history).unwrap();
    let quarter_time = started.elapsed();
    let started = Instant::now();
    let mut all = history.clone();
    all.push(q4.clone());
    let year_report = audit::audit(&year, &all).unwrap();
    let year_time = started.elapsed();
    let started = Instant::now();
    let alone = audit::audit(&q4, &[]).unwrap();
    let alone_time = started.elapsed();
    assert!(alone.exposed.is_empty());
    // Whatever the audit finds narrowed, the attacker finds narrowed too.
    let releases: Vec<&Release> = all.iter().collect();
    let attacked = attack(&releases);
    let narrowed: BTreeSet<String> = attacked
        .iter()
        .filter(|(_, cell, k, low, high)| !kept(*cell, *k, *low, *high))
        .map(|(name, ..)| name.clone())
        .collect();
    assert!(
        !narrowed.is_empty(),
        "exact months and quarters together narrow something"
    );
    assert!(
        !year_report.exposed.is_empty() || !report.exposed.is_empty(),
        "the audit sees it too"
    );
    println!(
        "audit time: a quarter alone {} hidden numbers in {:.0} ms; a quarter with its three \
         months ({} hidden) in {:.0} ms; a year with 12 months and 4 quarters ({} hidden, {} \
         earlier releases) in {:.0} ms; the attacker finds {} narrowed numbers in such a \
         history",
        alone.findings.len(),
        alone_time.as_secs_f64() * 1000.0,
        report.findings.len(),
        quarter_time.as_secs_f64() * 1000.0,
        year_report.findings.len(),
        year_report.with.len(),
        year_time.as_secs_f64() * 1000.0,
        narrowed.len()
    );
    let err = vet(&year, &all).unwrap_err();
    assert!(matches!(err, ReleaseError::KindCommitted { .. }), "{err:?}");
}

#[test]
fn six_concerns_in_a_month_reveal_nothing_of_their_outcomes() {
    // The review's example: six concerns from the public in a month, five ended as public-trust
    // terminations and one withdrawn. Under the old rule the labels said all six were
    // terminations. Now a month of six concerns shows its total and no breakdown at all, and a
    // quarter around it shows outcomes only with every value from 0 to 4 left possible.
    let crafted = crafted();
    let six = counters(&crafted[0]);
    let month = build_release(
        "2026-03".parse().unwrap(),
        &six,
        &settings(None),
        None,
        after_2026(),
    )
    .unwrap();
    assert_eq!(month.concerns.total, Cell::Count(6));
    for row in &month.outcomes.rows {
        assert_eq!(row.count, Cell::NotShown);
    }
    for row in &month.raised_by.rows {
        assert_eq!(row.count, Cell::NotShown);
    }
    let busy = counters(&crafted[3]);
    let quarter = build_release(
        "2026Q1".parse().unwrap(),
        &busy,
        &settings(None),
        None,
        after_2026(),
    )
    .unwrap();
    for (name, cell, k, low, high) in attack(&[&quarter]) {
        assert!(kept(cell, k, low, high), "{name}: {low}..={high}");
    }
}
