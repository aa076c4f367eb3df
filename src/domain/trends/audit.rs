//! The audit of everything published: before a release is frozen, its published numbers and
//! those of every earlier release without noise that shares a month with it are written down as
//! one system of integer constraints, and for every hidden number the smallest and the largest
//! value a reader could deduce are found by exact integer programs (`good_lp` with the pure-Rust
//! `microlp` solver). A hidden number narrower than the promise of [`super::disclosure`] refuses
//! the release.
//!
//! # The reader's system
//!
//! The unknowns are what the counters hold, grouped as finely as any published number needs:
//! for each group of months that no published number separates, the number of concerns closed
//! (`N`), and for each dimension (kind, outcome, time to close, channel, who raised them) the
//! number with each value. The constraints: every unknown is a whole number, at least 0; within a
//! group of months each dimension adds up to the same `N`; a service count is at most `N` (a
//! concern counts once per service); and each published number is the sum of its unknowns over
//! its months (a quarter is the sum of its months, a year of its quarters) — equal to the number
//! shown, at most `k − 1` if it reads *fewer than k*, at least `k` if *withheld*, anything if
//! *not shown*. Any values satisfying these are the counts of some set of concerns (lists of
//! counts with one total are always the margins of some table of counts), so the intervals found
//! are exactly what a reader can deduce from the numbers and labels, no wider and no narrower.
//!
//! A noisy release's numbers are not exact, so they constrain nothing in another release; a noisy
//! candidate is audited on its own, each table by itself (its totals are sums of its own noisy
//! cells, and differ from table to table).
//!
//! This module computes; it decides nothing about what to hide and does no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use good_lp::{
    Constraint, Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, variable,
};

use super::release::{CategoryTable, Cell, OneWayTable, Release};
use super::{Dimension, Period, YearMonth};
use crate::domain::phrase::{Phrase, Said};

/// The largest value any unknown may take: far beyond any association's count, and within the
/// solver's integer range.
const BIG: u64 = 1_000_000;

/// One hidden number of a release and what a reader of every audited release can deduce of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The release it belongs to.
    pub period: Period,
    /// The release's threshold.
    pub threshold: u32,
    /// The table (`concerns`, `sub_periods`, `outcomes`, ...).
    pub table: &'static str,
    /// The row's code (`commission`, `2026-07`, `total`).
    pub row: String,
    /// The column's code (`total`, a sub-period, `count`).
    pub column: String,
    /// How it is published.
    pub label: Cell,
    /// The smallest value a reader cannot rule out.
    pub low: u64,
    /// The largest.
    pub high: u64,
}

impl Finding {
    /// Whether the interval keeps the promise: at least `k` possible values, and for a number
    /// marked "fewer than k" or "not shown", every value from 0 up to k − 1.
    pub fn keeps_promise(&self) -> bool {
        let k = u64::from(self.threshold);
        let span = self.high.saturating_sub(self.low).saturating_add(1);
        let from_zero = self.low == 0;
        match self.label {
            Cell::Count(_) => true,
            Cell::FewerThanK => from_zero && self.high >= k.saturating_sub(1),
            Cell::Withheld => span >= k,
            Cell::NotShown => from_zero && span >= k,
        }
    }
}

/// Why the audit could not be completed. What the reader is told is its [`Phrase`]
/// (`[board.audit]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditError {
    /// The published numbers of this period contradict each other (a release that is not what
    /// it says).
    Inconsistent(Period),
    /// The solver failed, as the solver says it.
    Solver(String),
    /// The solver's optimum lies outside what any count could be (as the solver wrote it).
    OutOfRange(String),
}

impl Said for AuditError {
    fn phrase(&self) -> Phrase {
        match self {
            Self::Inconsistent(period) => {
                Phrase::new("board.audit.inconsistent").with("period", period.to_string())
            }
            Self::Solver(error) => Phrase::new("board.audit.solver").with("error", error.as_str()),
            Self::OutOfRange(value) => {
                Phrase::new("board.audit.out_of_range").with("value", value.as_str())
            }
        }
    }
}

/// What the audit found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every hidden number of the candidate, and of the earlier releases audited with it.
    pub findings: Vec<Finding>,
    /// Hidden numbers of earlier releases that kept the promise before and would not with the
    /// candidate, and hidden numbers of the candidate that do not keep it.
    pub exposed: Vec<Finding>,
    /// The earlier releases audited with the candidate (those sharing months with it).
    pub with: Vec<Period>,
}

/// Audits `candidate` together with the `earlier` releases (noisy ones are left out, as their
/// numbers are not exact).
///
/// # Errors
/// If the numbers contradict each other or the solver fails: the caller must then publish nothing.
pub fn audit(candidate: &Release, earlier: &[Release]) -> Result<Report, AuditError> {
    if candidate.noise.is_some() {
        let mut model = Model::default();
        for (index, quantity) in quantities(candidate).into_iter().enumerate() {
            // Each table of a noisy release is a system of its own.
            let space = 1 + table_index(quantity.table).unwrap_or(index);
            model.add(space, &quantity);
        }
        let findings = model.findings()?;
        let exposed = findings
            .iter()
            .filter(|f| !f.keeps_promise())
            .cloned()
            .collect();
        return Ok(Report {
            findings,
            exposed,
            with: Vec::new(),
        });
    }
    let exact: Vec<&Release> = earlier
        .iter()
        .filter(|r| r.noise.is_none() && r.period != candidate.period)
        .collect();
    let with = component(candidate, &exact);
    let mut model = Model::default();
    for release in std::iter::once(candidate).chain(with.iter().copied()) {
        for quantity in quantities(release) {
            model.add(0, &quantity);
        }
    }
    let findings = model.findings()?;
    let mut exposed: Vec<Finding> = findings
        .iter()
        .filter(|f| f.period == candidate.period && !f.keeps_promise())
        .cloned()
        .collect();
    let narrowed: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.period != candidate.period && !f.keeps_promise())
        .collect();
    if !narrowed.is_empty() {
        // Earlier numbers already narrower without the candidate are not its doing.
        let mut before = Model::default();
        for release in &with {
            for quantity in quantities(release) {
                before.add(0, &quantity);
            }
        }
        let wanted = |q: &Quantity| {
            narrowed.iter().any(|f| {
                f.period == q.period && f.table == q.table && f.row == q.row && f.column == q.column
            })
        };
        let before = before.findings_of(wanted)?;
        for finding in narrowed {
            let already = before.iter().any(|b| {
                b.period == finding.period
                    && b.table == finding.table
                    && b.row == finding.row
                    && b.column == finding.column
                    && !b.keeps_promise()
            });
            if !already {
                exposed.push(finding.clone());
            }
        }
    }
    Ok(Report {
        findings,
        exposed,
        with: with.iter().map(|r| r.period).collect(),
    })
}

/// The earlier releases linked to the candidate through shared months, directly or through one
/// another, oldest first.
fn component<'a>(candidate: &Release, earlier: &[&'a Release]) -> Vec<&'a Release> {
    let mut covered: BTreeSet<i64> = month_indices(candidate.period).collect();
    let mut chosen: Vec<&'a Release> = Vec::new();
    loop {
        let before = chosen.len();
        for release in earlier {
            if chosen.iter().any(|c| c.period == release.period) {
                continue;
            }
            if month_indices(release.period).any(|m| covered.contains(&m)) {
                covered.extend(month_indices(release.period));
                chosen.push(release);
            }
        }
        if chosen.len() == before {
            break;
        }
    }
    chosen.sort_by_key(|r| (r.period.last_day(), r.period.kind()));
    chosen
}

fn month_index(month: YearMonth) -> i64 {
    i64::from(month.year()) * 12 + i64::from(month.month()) - 1
}

fn month_indices(period: Period) -> impl Iterator<Item = i64> {
    let range = period.months();
    month_index(*range.start())..=month_index(*range.end())
}

/// The dimensions a reader's unknowns are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Dim {
    Kind,
    Outcome,
    Days,
    Channel,
    RaisedBy,
    Service,
}

impl Dim {
    fn rows(self) -> usize {
        use crate::domain::case::{Channel, Outcome, Service};
        use crate::domain::concern::{Category, RaisedBy};
        match self {
            Self::Kind => Category::ALL.len(),
            Self::Outcome => Outcome::ALL.len(),
            Self::Days => super::DaysBucket::ALL.len(),
            Self::Channel => Channel::ALL.len(),
            Self::RaisedBy => RaisedBy::ALL.len(),
            Self::Service => Service::ALL.len(),
        }
    }
}

/// What a published number adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sum {
    /// One value of a dimension over some months.
    Row(Dim, usize),
    /// Every concern closed in some months.
    Concerns,
}

/// One published number.
#[derive(Debug, Clone)]
struct Quantity {
    period: Period,
    threshold: u32,
    table: &'static str,
    row: String,
    column: String,
    cell: Cell,
    sum: Sum,
    months: (i64, i64),
}

const TABLES: [&str; 7] = [
    "concerns",
    "sub_periods",
    "outcomes",
    "time_to_close",
    "channels",
    "raised_by",
    "services",
];

/// The system a table of a noisy release belongs to: its own, but the kinds and the
/// sub-periods share one, as both are sums of the same noisy cells.
fn table_index(table: &str) -> Option<usize> {
    let table = if table == "sub_periods" {
        "concerns"
    } else {
        table
    };
    TABLES.iter().position(|t| *t == table)
}

fn span(period: Period) -> (i64, i64) {
    let range: RangeInclusive<YearMonth> = period.months();
    (month_index(*range.start()), month_index(*range.end()))
}

/// Every number a release publishes, with what it adds up.
fn quantities(release: &Release) -> Vec<Quantity> {
    let mut out = Vec::new();
    let period = release.period;
    let mut push = |table: &'static str,
                    row: String,
                    column: String,
                    cell: Cell,
                    sum: Sum,
                    months: (i64, i64)| {
        out.push(Quantity {
            period,
            threshold: release.threshold,
            table,
            row,
            column,
            cell,
            sum,
            months,
        });
    };
    let whole = span(period);
    concerns(&release.concerns, whole, &mut push);
    fn one_way<D: Dimension>(
        table: &OneWayTable<D>,
        name: &'static str,
        dim: Dim,
        whole: (i64, i64),
        push: &mut impl FnMut(&'static str, String, String, Cell, Sum, (i64, i64)),
    ) {
        for (index, row) in table.rows.iter().enumerate() {
            push(
                name,
                row.key.code().to_owned(),
                "count".to_owned(),
                row.count,
                Sum::Row(dim, index),
                whole,
            );
        }
        if let Some(total) = table.total {
            push(
                name,
                "total".to_owned(),
                "count".to_owned(),
                total,
                Sum::Concerns,
                whole,
            );
        }
    }
    one_way(
        &release.outcomes,
        "outcomes",
        Dim::Outcome,
        whole,
        &mut push,
    );
    one_way(
        &release.time_to_close,
        "time_to_close",
        Dim::Days,
        whole,
        &mut push,
    );
    one_way(
        &release.channels,
        "channels",
        Dim::Channel,
        whole,
        &mut push,
    );
    one_way(
        &release.raised_by,
        "raised_by",
        Dim::RaisedBy,
        whole,
        &mut push,
    );
    one_way(
        &release.services,
        "services",
        Dim::Service,
        whole,
        &mut push,
    );
    out
}

fn concerns(
    table: &CategoryTable,
    whole: (i64, i64),
    push: &mut impl FnMut(&'static str, String, String, Cell, Sum, (i64, i64)),
) {
    for (index, row) in table.rows.iter().enumerate() {
        let code = row.category.code().to_owned();
        for (column, cell) in table.columns.iter().zip(&row.by_period) {
            push(
                "concerns",
                code.clone(),
                column.to_string(),
                *cell,
                Sum::Row(Dim::Kind, index),
                span(*column),
            );
        }
        push(
            "concerns",
            code,
            "total".to_owned(),
            row.total,
            Sum::Row(Dim::Kind, index),
            whole,
        );
    }
    for (column, cell) in table.columns.iter().zip(&table.column_totals) {
        push(
            "sub_periods",
            column.to_string(),
            "total".to_owned(),
            *cell,
            Sum::Concerns,
            span(*column),
        );
    }
    push(
        "concerns",
        "total".to_owned(),
        "total".to_owned(),
        table.total,
        Sum::Concerns,
        whole,
    );
}

/// The reader's system, built from published numbers.
#[derive(Default)]
struct Model {
    /// (space, quantity).
    quantities: Vec<(usize, Quantity)>,
}

/// The unknowns of one space: groups of months and their variables.
struct Space {
    /// Where each group of months for `N` begins, and for each dimension.
    cuts: BTreeMap<Option<Dim>, Vec<i64>>,
    first: i64,
    last: i64,
}

/// The first and last month of a group (as month numbers since year 0).
type Span = (i64, i64);

/// A space and a dimension (`None` for the number of concerns).
type GroupKey = (usize, Option<Dim>);

/// The variables of a built system.
struct Built {
    variables: Vec<u64>,
    /// (space, dimension or None for N, group start, row) → variable index.
    index: BTreeMap<(usize, Option<Dim>, i64, usize), usize>,
    /// Per space and dimension, the groups as (start, end).
    groups: BTreeMap<GroupKey, Vec<Span>>,
    /// Σ coefficient·variable = / ≤ / ≥ value.
    constraints: Vec<(Vec<usize>, Relation, u64)>,
    /// Service counts: variable ≤ the N variables of its group.
    at_most: Vec<(usize, Vec<usize>)>,
    /// Each dimension's group equals the sum of its N groups.
    equal: Vec<(Vec<usize>, Vec<usize>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Equal,
    AtMost,
    AtLeast,
}

impl Model {
    fn add(&mut self, space: usize, quantity: &Quantity) {
        self.quantities.push((space, quantity.clone()));
    }

    fn spaces(&self) -> BTreeMap<usize, Space> {
        let mut spaces: BTreeMap<usize, Space> = BTreeMap::new();
        for (space, q) in &self.quantities {
            let entry = spaces.entry(*space).or_insert_with(|| Space {
                cuts: BTreeMap::new(),
                first: q.months.0,
                last: q.months.1,
            });
            entry.first = entry.first.min(q.months.0);
            entry.last = entry.last.max(q.months.1);
            let dim = match q.sum {
                Sum::Row(dim, _) => Some(dim),
                Sum::Concerns => None,
            };
            for key in [dim, None] {
                let cuts = entry.cuts.entry(key).or_default();
                cuts.push(q.months.0);
                cuts.push(q.months.1 + 1);
            }
        }
        spaces
    }

    fn build(&self) -> Built {
        let spaces = self.spaces();
        let mut built = Built {
            variables: Vec::new(),
            index: BTreeMap::new(),
            groups: BTreeMap::new(),
            constraints: Vec::new(),
            at_most: Vec::new(),
            equal: Vec::new(),
        };
        for (&number, space) in &spaces {
            let groups_of = |cuts: &[i64]| -> Vec<(i64, i64)> {
                let mut points: Vec<i64> = cuts
                    .iter()
                    .copied()
                    .chain([space.first, space.last + 1])
                    .filter(|&c| c >= space.first && c <= space.last + 1)
                    .collect();
                points.sort_unstable();
                points.dedup();
                points.windows(2).map(|w| (w[0], w[1] - 1)).collect()
            };
            // N is counted over the finest groups any number of the space needs.
            let all_cuts: Vec<i64> = space.cuts.values().flatten().copied().collect();
            let n_groups = groups_of(&all_cuts);
            // Upper bounds of N from totals shown or marked "fewer than k".
            let bound_of = |group: (i64, i64)| -> u64 {
                self.quantities
                    .iter()
                    .filter(|(s, q)| {
                        *s == number
                            && q.sum == Sum::Concerns
                            && q.months.0 <= group.0
                            && q.months.1 >= group.1
                    })
                    .filter_map(|(_, q)| match q.cell {
                        Cell::Count(v) => Some(v),
                        Cell::FewerThanK => Some(u64::from(q.threshold).saturating_sub(1)),
                        _ => None,
                    })
                    .min()
                    .unwrap_or(BIG)
                    .min(BIG)
            };
            let mut n_vars = Vec::new();
            for &group in &n_groups {
                let var = built.variables.len();
                built.variables.push(bound_of(group));
                built.index.insert((number, None, group.0, 0), var);
                n_vars.push((group, var));
            }
            built.groups.insert((number, None), n_groups.clone());
            for (&dim, cuts) in &space.cuts {
                let Some(dim) = dim else { continue };
                let groups = groups_of(cuts);
                for &group in &groups {
                    let inside: Vec<usize> = n_vars
                        .iter()
                        .filter(|((a, b), _)| *a >= group.0 && *b <= group.1)
                        .map(|(_, v)| *v)
                        .collect();
                    let bound = inside
                        .iter()
                        .map(|&v| built.variables[v])
                        .fold(0u64, u64::saturating_add)
                        .min(BIG);
                    let mut rows = Vec::new();
                    for row in 0..dim.rows() {
                        let var = built.variables.len();
                        built.variables.push(bound);
                        built.index.insert((number, Some(dim), group.0, row), var);
                        rows.push(var);
                    }
                    // A noisy space holds one table: services there stand alone.
                    let linked = number == 0 || dim != Dim::Service;
                    if dim == Dim::Service {
                        if linked {
                            for &var in &rows {
                                built.at_most.push((var, inside.clone()));
                            }
                        }
                    } else if space.cuts.contains_key(&None) {
                        built.equal.push((rows, inside));
                    }
                }
                built.groups.insert((number, Some(dim)), groups);
            }
        }
        for (space, q) in &self.quantities {
            let terms = built.terms(*space, q);
            let k = u64::from(q.threshold);
            match q.cell {
                Cell::Count(v) => built.constraints.push((terms, Relation::Equal, v)),
                Cell::FewerThanK => {
                    built
                        .constraints
                        .push((terms, Relation::AtMost, k.saturating_sub(1)));
                }
                Cell::Withheld => built.constraints.push((terms, Relation::AtLeast, k)),
                Cell::NotShown => {}
            }
        }
        built
    }

    /// The interval of every hidden number.
    fn findings(&self) -> Result<Vec<Finding>, AuditError> {
        self.findings_of(|_| true)
    }

    /// The interval of every hidden number `wanted` picks.
    fn findings_of(&self, wanted: impl Fn(&Quantity) -> bool) -> Result<Vec<Finding>, AuditError> {
        let built = self.build();
        let mut findings = Vec::new();
        for (space, q) in &self.quantities {
            if matches!(q.cell, Cell::Count(_)) || !wanted(q) {
                continue;
            }
            let terms = built.terms(*space, q);
            let low = built.optimum(&terms, false, q)?;
            let high = built.optimum(&terms, true, q)?;
            findings.push(Finding {
                period: q.period,
                threshold: q.threshold,
                table: q.table,
                row: q.row.clone(),
                column: q.column.clone(),
                label: q.cell,
                low,
                high,
            });
        }
        Ok(findings)
    }
}

impl Built {
    /// The variables a quantity adds up.
    fn terms(&self, space: usize, q: &Quantity) -> Vec<usize> {
        let (dim, row) = match q.sum {
            Sum::Row(dim, row) => (Some(dim), row),
            Sum::Concerns => (None, 0),
        };
        self.groups
            .get(&(space, dim))
            .map(|groups| {
                groups
                    .iter()
                    .filter(|(a, b)| *a >= q.months.0 && *b <= q.months.1)
                    .filter_map(|(a, _)| self.index.get(&(space, dim, *a, row)).copied())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The smallest or largest value of Σ `terms` over the whole system.
    fn optimum(&self, terms: &[usize], maximise: bool, q: &Quantity) -> Result<u64, AuditError> {
        let mut problem = ProblemVariables::new();
        let vars: Vec<Variable> = self
            .variables
            .iter()
            .map(|&upper| problem.add(variable().integer().min(0).max(upper as f64)))
            .collect();
        let sum = |indices: &[usize]| -> Expression {
            indices
                .iter()
                .filter_map(|&i| vars.get(i).copied())
                .sum::<Expression>()
        };
        let objective = sum(terms);
        let unsolved = if maximise {
            problem.maximise(objective.clone())
        } else {
            problem.minimise(objective.clone())
        };
        let mut model = unsolved.using(good_lp::microlp);
        let mut constraints: Vec<Constraint> = Vec::new();
        for (indices, relation, value) in &self.constraints {
            let lhs = sum(indices);
            let rhs = *value as f64;
            constraints.push(match relation {
                Relation::Equal => constraint::eq(lhs, rhs),
                Relation::AtMost => constraint::leq(lhs, rhs),
                Relation::AtLeast => constraint::geq(lhs, rhs),
            });
        }
        for (var, group) in &self.at_most {
            constraints.push(constraint::leq(sum(&[*var]), sum(group)));
        }
        for (rows, group) in &self.equal {
            constraints.push(constraint::eq(sum(rows), sum(group)));
        }
        for c in constraints {
            model = model.with(c);
        }
        let solution = model.solve().map_err(|e| match e {
            good_lp::ResolutionError::Infeasible => AuditError::Inconsistent(q.period),
            other => AuditError::Solver(other.to_string()),
        })?;
        let value = solution.eval(&objective).round();
        if !(0.0..=BIG as f64 * 12.0).contains(&value) {
            return Err(AuditError::OutOfRange(value.to_string()));
        }
        // A whole number in range, checked above.
        Ok(value as u64)
    }
}
