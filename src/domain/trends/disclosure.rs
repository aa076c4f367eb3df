//! Disclosure control for the tables of a trend release: which numbers are shown, which are
//! hidden, and with which label — decided by a rule whose choices reveal nothing that the
//! published numbers and labels do not already say.
//!
//! # What is promised
//!
//! A reader is assumed to hold every release, to know every equation between published numbers
//! (a table adds up to its total, every table of a period adds up to the same number of
//! concerns, a quarter is the sum of its months) and to know this rule. For every hidden number,
//! the values such a reader cannot rule out must span at least `k` whole numbers, and for a
//! number labelled *fewer than k* they must include every value from 0 to k − 1. The labels:
//!
//! * *fewer than k* — the count is below `k` (zero included);
//! * *withheld* — the count is `k` or more, hidden so that a smaller count cannot be worked out;
//! * *not shown* — the table's total is too small for any breakdown; each count could be
//!   anything from 0 to the total.
//!
//! # The rule for a table with a published total `T` and `n` rows ([`one_way`])
//!
//! 1. `T < k`: the total and every row read *fewer than k*.
//! 2. `T < k·n − 1` ([`breakdown_threshold`]): only the total is shown; the rows read
//!    *not shown*. This depends on `T` alone, which is published: it reveals nothing.
//! 3. Otherwise every row below `k` reads *fewer than k*. Say there are `p` of them, holding
//!    `S` concerns together. If `k ≤ S ≤ (p − 1)·(k − 1) − 1`, nothing more is hidden: the
//!    reader learns `S` (the total less the shown rows), and any small row can still be
//!    anything from 0 to k − 1.
//! 4. Otherwise rows of `k` or more are withheld from the bottom of the table up (a fixed
//!    order, never the order of their values), one at a time, until the hidden rows together
//!    hold at least `k·(j + 1)` concerns, `j` being the number withheld so far — or, once every
//!    such row is withheld, at least `k·(j + 1) − 1`, which the threshold of step 2 guarantees.
//!
//! Why this keeps the promise even against a reader who knows the rule: every choice depends
//! only on `T`, on which rows are below `k` (the labels say so anyway), on the fixed order, and
//! on sums of hidden rows. Each stop the rule passed over tells the reader something: passing
//! over step 3 means `S < k` or `S ≥ (p − 1)·(k − 1)`; passing over the `m`-th stop of step 4
//! means the small rows and the first `m` withheld rows held at most `k·m + k − 1`. When `j`
//! rows end up withheld, with `R` concerns hidden in all (`R ≥ k·j + k − 1`, published as the
//! total less the shown rows), take any small row and any value `v` from 0 to k − 1: set that
//! row to `v`, every other small row to 0, the first `j − 1` withheld rows to exactly `k`, and
//! the last one to the rest, `R − v − k·(j − 1) ≥ k`. That data set has the same shown numbers
//! and labels, passes over step 3 (`S = v < k`) and over every earlier stop (its sum there is
//! `v + k·m ≤ k·m + k − 1`), and stops at the same `j`: the rule publishes exactly the same
//! table from it. So every value from 0 to k − 1 remains possible for every small row, and each
//! withheld row keeps at least `k` possible values (the first `j − 1` anywhere from `k` to
//! `2k − 1`, the last from `R − k·j + 1` to `R − k·j + k`). When step 3 stops, the same holds
//! with `S` itself published: `S ≥ k` lets any small row be `k − 1`, and `S < (p − 1)·(k − 1)`
//! lets it be 0. Without the margins of one (stopping at `k·(j + 1) − 1`, or at step 3 for any
//! `S` from `k − 1` to `(p − 1)·(k − 1)`), passing over a stop would mean that no small row
//! could be `k − 1`, or that all were 0: the leak of the first rule, whose complementary cells
//! appeared only when the small cells were all 0. The tests check the promise exhaustively, by
//! running the rule on every data set of small tables and comparing what each publication
//! leaves possible.
//!
//! A table without a total (services, where a concern may count in several rows) only hides its
//! rows below `k`, each of which is at most the number of concerns ([`unsummed`]).
//!
//! # Two-way tables ([`interior_shown`])
//!
//! The kinds of concern by sub-period (month of a quarter, quarter of a year) are shown only when
//! every one of those cells is `k` or more; then nothing in that table is hidden. Otherwise the
//! cells are not published at all, and the kinds (for the whole period) and the sub-periods (all
//! kinds together) are published as two tables under the rule above. Any two lists of counts
//! with the same total are the margins of some table of counts, so the two lists constrain each
//! other only through the total, and each keeps the promise on its own.
//!
//! This module decides what to hide. It knows nothing of categories or periods and does no I/O.

/// What a reader is told about one quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The number is shown.
    Shown,
    /// Hidden and marked "fewer than k": it is below the threshold.
    FewerThanK,
    /// Hidden to protect a smaller count: it is `k` or more.
    Withheld,
    /// Hidden because the table's total is too small for a breakdown: any count.
    NotShown,
}

impl Status {
    /// Whether the number is hidden.
    pub fn hidden(self) -> bool {
        self != Self::Shown
    }
}

/// The smallest total at which a table of `rows` rows is broken down: `k·rows − 1`. Below it,
/// some data (every concern in a few rows of about `k`) could not be published in any form that
/// keeps the promise, so no data with that total is broken down.
pub fn breakdown_threshold(rows: usize, k: u64) -> u64 {
    let rows = u64::try_from(rows).unwrap_or(u64::MAX);
    k.saturating_mul(rows).saturating_sub(1).max(k)
}

/// A protected table with a published total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneWay {
    /// One status per row, in the table's order.
    pub cells: Vec<Status>,
    /// The total's.
    pub total: Status,
}

/// Protects a table whose total (the sum of `cells`) is published, at threshold `k`.
pub fn one_way(cells: &[u64], k: u64) -> OneWay {
    let total: u64 = cells.iter().sum();
    let n = cells.len();
    if total < k {
        return OneWay {
            cells: vec![Status::FewerThanK; n],
            total: Status::FewerThanK,
        };
    }
    if total < breakdown_threshold(n, k) {
        return OneWay {
            cells: vec![Status::NotShown; n],
            total: Status::Shown,
        };
    }
    let mut statuses: Vec<Status> = cells
        .iter()
        .map(|&v| {
            if v < k {
                Status::FewerThanK
            } else {
                Status::Shown
            }
        })
        .collect();
    let small: u64 = cells.iter().filter(|&&v| v < k).sum();
    let count = u64::try_from(
        statuses
            .iter()
            .filter(|s| **s == Status::FewerThanK)
            .count(),
    )
    .unwrap_or(u64::MAX);
    let roomy = count
        .saturating_sub(1)
        .saturating_mul(k - 1)
        .saturating_sub(1);
    if count == 0 || (small >= k && small <= roomy) {
        return OneWay {
            cells: statuses,
            total: Status::Shown,
        };
    }
    // The rows of k or more, from the bottom of the table up.
    let large: Vec<usize> = (0..n).rev().filter(|&i| cells[i] >= k).collect();
    let mut hidden = small;
    let mut withheld: u64 = 0;
    for (position, &row) in large.iter().enumerate() {
        hidden = hidden.saturating_add(cells[row]);
        withheld += 1;
        if let Some(status) = statuses.get_mut(row) {
            *status = Status::Withheld;
        }
        let last = position + 1 == large.len();
        let stop = k.saturating_mul(withheld + 1) - u64::from(last);
        if hidden >= stop {
            break;
        }
    }
    OneWay {
        cells: statuses,
        total: Status::Shown,
    }
}

/// Protects rows that have no published total (a concern may count in several), each at most
/// `concerns`, the period's number of concerns, which is published.
pub fn unsummed(cells: &[u64], concerns: u64, k: u64) -> Vec<Status> {
    if concerns < k {
        return vec![Status::FewerThanK; cells.len()];
    }
    if concerns < breakdown_threshold(cells.len(), k) {
        return vec![Status::NotShown; cells.len()];
    }
    cells
        .iter()
        .map(|&v| {
            if v < k {
                Status::FewerThanK
            } else {
                Status::Shown
            }
        })
        .collect()
}

/// Whether the cells of a two-way table (`cells[row][column]`) are published: only when there is
/// at least one and every one is at least `k`, so that none of them needs hiding.
pub fn interior_shown(cells: &[Vec<u64>], k: u64) -> bool {
    let mut any = false;
    for &value in cells.iter().flatten() {
        if value < k {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn the_threshold_of_a_breakdown_is_k_per_row_less_one() {
        assert_eq!(breakdown_threshold(6, 5), 29);
        assert_eq!(breakdown_threshold(3, 5), 14);
        assert_eq!(breakdown_threshold(5, 2), 9);
        assert_eq!(breakdown_threshold(1, 5), 5);
    }

    #[test]
    fn small_totals_hide_everything_or_the_breakdown() {
        assert_eq!(
            one_way(&[1, 2, 0, 0], 5),
            OneWay {
                cells: vec![FewerThanK; 4],
                total: FewerThanK
            }
        );
        // 18 < 5·4 − 1: whatever the rows, only the total.
        for cells in [[18, 0, 0, 0], [5, 5, 5, 3], [9, 9, 0, 0]] {
            assert_eq!(
                one_way(&cells, 5),
                OneWay {
                    cells: vec![NotShown; 4],
                    total: Shown
                }
            );
        }
    }

    #[test]
    fn without_small_rows_everything_is_shown() {
        assert_eq!(one_way(&[9, 5, 6, 5], 5).cells, [Shown; 4]);
    }

    #[test]
    fn rows_are_withheld_from_the_bottom_up_until_the_hidden_sum_is_large_enough() {
        // 3 + 6 = 9 < 10: the 6 alone is not enough, the 9 is added (last: 3 + 6 + 9 ≥ 14).
        assert_eq!(
            one_way(&[20, 9, 6, 3], 5).cells,
            [Shown, Withheld, Withheld, FewerThanK]
        );
        // 3 + 7 = 10: one withheld row is enough.
        assert_eq!(
            one_way(&[20, 9, 7, 3], 5).cells,
            [Shown, Shown, Withheld, FewerThanK]
        );
        // The order is the table's, not the values': the bottom large row goes first.
        assert_eq!(
            one_way(&[5, 0, 0, 40], 5).cells,
            [Shown, FewerThanK, FewerThanK, Withheld]
        );
        // Every concern in one row: the other rows read "fewer than 5" and that row is withheld.
        assert_eq!(
            one_way(&[0, 40, 0, 0], 5).cells,
            [FewerThanK, Withheld, FewerThanK, FewerThanK]
        );
    }

    #[test]
    fn small_rows_that_hide_each_other_need_no_withheld_row() {
        // Five small rows holding 11: each could be anything from 0 to 4.
        assert_eq!(
            one_way(&[29, 3, 3, 2, 1, 2], 5).cells,
            [
                Shown, FewerThanK, FewerThanK, FewerThanK, FewerThanK, FewerThanK
            ]
        );
        // Holding 4 (below k), or 16 (every one of them could not be 0): withheld as usual.
        assert_eq!(
            one_way(&[36, 1, 1, 1, 1, 0], 5).cells,
            [
                Withheld, FewerThanK, FewerThanK, FewerThanK, FewerThanK, FewerThanK
            ]
        );
        assert_eq!(
            one_way(&[24, 4, 4, 4, 4, 6], 5).cells,
            [
                Shown, FewerThanK, FewerThanK, FewerThanK, FewerThanK, Withheld
            ]
        );
    }

    #[test]
    fn the_last_withheld_row_needs_no_margin() {
        // Two large rows, 5 and 9, and a 0: 0 + 9 = 9 < 10, then 0 + 9 + 5 = 14 ≥ 14.
        assert_eq!(
            one_way(&[5, 0, 9], 5).cells,
            [Withheld, FewerThanK, Withheld]
        );
    }

    #[test]
    fn rows_without_a_total_hide_only_small_ones() {
        assert_eq!(
            unsummed(&[12, 3, 0, 9, 5], 40, 5),
            [Shown, FewerThanK, FewerThanK, Shown, Shown]
        );
        assert_eq!(unsummed(&[3, 0], 4, 5), [FewerThanK, FewerThanK]);
        assert_eq!(unsummed(&[12, 3, 0, 9, 5], 20, 5), [NotShown; 5]);
    }

    #[test]
    fn a_two_way_table_is_shown_only_when_no_cell_is_small() {
        assert!(interior_shown(&[vec![5, 6], vec![9, 10]], 5));
        assert!(!interior_shown(&[vec![5, 6], vec![9, 4]], 5));
        assert!(!interior_shown(&[], 5));
        assert!(!interior_shown(&[vec![]], 5));
    }
}
