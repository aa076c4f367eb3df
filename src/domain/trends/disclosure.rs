//! Disclosure control for one table of a trend release: primary suppression below the
//! threshold, complementary suppression so that no hidden small count can be worked out from
//! what is shown, and the audit that proves it.
//!
//! # The model
//!
//! A table is a set of published quantities (cells, row and column totals, the grand total)
//! tied by equations: each row adds up to its total, each column to its total, the totals to
//! the grand total. A reader who knows the equations and every shown number can bound each
//! hidden one. We assume the strongest reader the labels allow:
//!
//! * a cell marked *fewer than k* (primary) lies in `0..=k-1`;
//! * a cell marked *withheld* (complementary) is at least `k` — it would otherwise have been
//!   marked *fewer than k*;
//! * a cell *not shown* (its whole table is withheld) or *unpublished* is any count ≥ 0.
//!
//! Any two-way table with its margins (and a one-way table with its total, which is the same
//! thing with one column) is a *network*: put a node for every row, for the row of column
//! totals, for every column and for the column of row totals; each quantity is an edge between
//! its row node and its column node (signed `-1` for margins, whose equations have the opposite
//! sign). Then the changes to hidden quantities that keep every equation true are exactly the
//! circulations on the edges of the hidden quantities, within each quantity's bounds. Because
//! network matrices are totally unimodular, the largest and smallest value a reader can deduce
//! for a hidden quantity are integers found by two maximum flows ([`Table::range`]): the range
//! is exact, not an estimate.
//!
//! # The algorithm ([`Table::protect`])
//!
//! 1. Every quantity below `k` is hidden and marked *fewer than k*.
//! 2. While some *fewer than k* quantity has a range of a single value (it can be worked out),
//!    take the first such quantity (in table order) and find the cheapest cycle through it
//!    along which one unit can be moved without breaking any bound: hidden quantities cost
//!    nothing, a shown quantity costs its value (so small cells are given up before large ones
//!    and inner cells before totals), and grand totals are never hidden (every table of a
//!    release shares them). Hide every shown quantity on that cycle, marking it *withheld*.
//!    The cycle is a shortest path (Dijkstra) in the residual network of the hidden quantities.
//!    Hiding more only widens other ranges, so each step protects one more quantity for good.
//! 3. If no such cycle exists (for instance every concern of the period has the same outcome,
//!    exactly `k` of them: the zeros beside it could then be worked out whatever is hidden), the
//!    whole body of the table is *not shown*, keeping only the grand total.
//!
//! The result: every hidden quantity below `k` admits at least two values given everything
//! published (and so does every withheld one, since it lies on a cycle with the cell it
//! protects). The tests check this with an independent brute-force solver over all the tables
//! of a release together.
//!
//! This module decides what to hide. It knows nothing of categories or periods and does no I/O.

use std::ops::RangeInclusive;

/// A bound no count reaches: stands for "no upper bound".
const UNBOUNDED: u64 = 1 << 40;

/// What a reader is told about one quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The number is shown.
    Shown,
    /// Hidden and marked "fewer than k": it is below the threshold.
    FewerThanK,
    /// Hidden to protect a smaller count; by elimination at least `k`.
    Withheld,
    /// Hidden because the whole table is withheld: any count.
    NotShown,
    /// Never published (such as the total of a table whose cells may overlap).
    Unpublished,
}

impl Status {
    fn hidden(self) -> bool {
        self != Self::Shown
    }
}

/// Whether a quantity may be given up to protect another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A cell or a sub-total: may be withheld.
    Body,
    /// A grand total, shared by every table of a release: never withheld.
    Total,
}

/// One published quantity of a table: a cell or a total.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    /// Its value (after noise, if any).
    pub value: u64,
    /// What the reader is told.
    pub status: Status,
    row: usize,
    col: usize,
    sign: i64,
    role: Role,
}

impl Quantity {
    /// The change a reader may assume, as `(lowest, highest)`.
    fn delta_bounds(&self, k: u64) -> (i64, i64) {
        let v = to_i64(self.value);
        let k = to_i64(k);
        match self.status {
            Status::Shown => (0, 0),
            Status::FewerThanK => (-v, (k - 1 - v).max(0)),
            Status::Withheld => ((k - v).min(0), to_i64(UNBOUNDED)),
            Status::NotShown | Status::Unpublished => (-v, to_i64(UNBOUNDED)),
        }
    }

    /// How far the edge's flow may go forward (row to column) and backward.
    fn caps(&self, k: u64) -> (u64, u64) {
        self.caps_for(self.delta_bounds(k))
    }

    fn caps_for(&self, (lo, hi): (i64, i64)) -> (u64, u64) {
        let (forward, backward) = if self.sign > 0 { (hi, -lo) } else { (-lo, hi) };
        (to_u64(forward), to_u64(backward))
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v.min(UNBOUNDED)).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v.max(0)).unwrap_or(0)
}

/// One table of a release, with its equations as a network.
#[derive(Debug, Clone)]
pub struct Table {
    nodes: usize,
    /// The quantities, in the order the constructor documents.
    pub quantities: Vec<Quantity>,
}

impl Table {
    /// A one-way table: `cells`, then (index `cells.len()`) the total, shown if
    /// `total_published` and otherwise unpublished (as for services, where a case may count in
    /// several cells and the sum means nothing).
    pub fn one_way(cells: &[u64], total_published: bool) -> Self {
        let mut quantities: Vec<Quantity> = cells
            .iter()
            .map(|&value| Quantity {
                value,
                status: Status::Shown,
                row: 0,
                col: 1,
                sign: 1,
                role: Role::Body,
            })
            .collect();
        quantities.push(Quantity {
            value: cells.iter().sum(),
            status: if total_published {
                Status::Shown
            } else {
                Status::Unpublished
            },
            row: 0,
            col: 1,
            sign: -1,
            role: Role::Total,
        });
        Self {
            nodes: 2,
            quantities,
        }
    }

    /// A two-way table of `cells[row][column]` (every row as long as the first, at least one
    /// column) with its margins. Quantities: the cells row by row (`row * columns + column`),
    /// then the row totals, then the column totals, then the grand total.
    pub fn two_way(cells: &[Vec<u64>]) -> Self {
        let rows = cells.len();
        let cols = cells.first().map_or(0, Vec::len);
        // Nodes: rows 0..rows, the totals row `rows`, columns rows+1..=rows+cols, the totals
        // column rows+cols+1.
        let (total_row, col_node, total_col) = (rows, rows + 1, rows + cols + 1);
        let body = |value, row, col, sign| Quantity {
            value,
            status: Status::Shown,
            row,
            col,
            sign,
            role: Role::Body,
        };
        let mut quantities = Vec::with_capacity(rows * cols + rows + cols + 1);
        for (i, row) in cells.iter().enumerate() {
            for j in 0..cols {
                quantities.push(body(row.get(j).copied().unwrap_or(0), i, col_node + j, 1));
            }
        }
        for (i, row) in cells.iter().enumerate() {
            quantities.push(body(row.iter().take(cols).sum(), i, total_col, -1));
        }
        for j in 0..cols {
            let sum = cells.iter().map(|r| r.get(j).copied().unwrap_or(0)).sum();
            quantities.push(body(sum, total_row, col_node + j, -1));
        }
        quantities.push(Quantity {
            value: cells.iter().flat_map(|r| r.iter().take(cols)).sum(),
            status: Status::Shown,
            row: total_row,
            col: total_col,
            sign: 1,
            role: Role::Total,
        });
        Self {
            nodes: rows + cols + 2,
            quantities,
        }
    }

    /// Hides what must be hidden at threshold `k` (see the module documentation).
    pub fn protect(&mut self, k: u64) {
        for q in &mut self.quantities {
            if q.status == Status::Shown && q.value < k {
                q.status = Status::FewerThanK;
            }
        }
        // Each round protects one more quantity for good, so this bound is never reached.
        for _ in 0..=self.quantities.len() {
            let Some(exposed) = self.first_exposed(k) else {
                return;
            };
            match self.cheapest_cycle(exposed, k) {
                Some(path) => {
                    for index in path {
                        if let Some(q) = self.quantities.get_mut(index)
                            && q.status == Status::Shown
                        {
                            q.status = Status::Withheld;
                        }
                    }
                    if self.is_exposed(exposed, k) {
                        break;
                    }
                }
                None => break,
            }
        }
        if self.first_exposed(k).is_some() {
            self.withhold_body();
        }
    }

    /// Hides every cell and sub-total, keeping only the grand total.
    fn withhold_body(&mut self) {
        for q in &mut self.quantities {
            if q.role == Role::Body && q.status != Status::Unpublished {
                q.status = Status::NotShown;
            }
        }
    }

    fn first_exposed(&self, k: u64) -> Option<usize> {
        (0..self.quantities.len()).find(|&i| self.is_exposed(i, k))
    }

    /// Whether quantity `index` is below the threshold and hidden, yet can be worked out.
    fn is_exposed(&self, index: usize, k: u64) -> bool {
        let Some(q) = self.quantities.get(index) else {
            return false;
        };
        q.status.hidden()
            && q.value < k
            && self
                .range(index, k)
                .is_some_and(|range| range.start() == range.end())
    }

    /// The values a reader can deduce for hidden quantity `index` from everything shown and
    /// every label, or `None` if it is shown.
    pub fn range(&self, index: usize, k: u64) -> Option<RangeInclusive<u64>> {
        let q = self.quantities.get(index)?;
        if !q.status.hidden() {
            return None;
        }
        let (forward, backward) = q.caps(k);
        let up = forward.min(self.max_flow_without(index, q.col, q.row, forward, k));
        let down = backward.min(self.max_flow_without(index, q.row, q.col, backward, k));
        let (low, high) = if q.sign > 0 { (down, up) } else { (up, down) };
        Some(q.value.saturating_sub(low)..=q.value.saturating_add(high).min(UNBOUNDED))
    }

    /// The largest flow from `source` to `sink` (at most `limit`) through the hidden
    /// quantities other than `skip`, each within its bounds.
    fn max_flow_without(&self, skip: usize, source: usize, sink: usize, limit: u64, k: u64) -> u64 {
        let mut net = FlowNet::new(self.nodes);
        for (i, q) in self.quantities.iter().enumerate() {
            if i == skip || !q.status.hidden() {
                continue;
            }
            let (forward, backward) = q.caps(k);
            net.add(q.row, q.col, forward);
            net.add(q.col, q.row, backward);
        }
        net.max_flow(source, sink, limit)
    }

    /// The cheapest set of shown quantities whose withholding lets one unit move around a
    /// cycle through `index`, or `None` if no cycle can.
    fn cheapest_cycle(&self, index: usize, k: u64) -> Option<Vec<usize>> {
        let q = self.quantities.get(index)?;
        let (forward, backward) = q.caps(k);
        let mut arcs = Vec::new();
        for (i, other) in self.quantities.iter().enumerate() {
            if i == index {
                continue;
            }
            let (caps, cost) = match (other.status, other.role) {
                (Status::Shown, Role::Total) => continue,
                (Status::Shown, Role::Body) => {
                    let v = to_i64(other.value);
                    let as_withheld = ((to_i64(k) - v).min(0), to_i64(UNBOUNDED));
                    (other.caps_for(as_withheld), other.value.saturating_add(1))
                }
                _ => (other.caps(k), 0),
            };
            if caps.0 > 0 {
                arcs.push(Arc {
                    from: other.row,
                    to: other.col,
                    cost,
                    quantity: i,
                });
            }
            if caps.1 > 0 {
                arcs.push(Arc {
                    from: other.col,
                    to: other.row,
                    cost,
                    quantity: i,
                });
            }
        }
        // Moving `index` forward needs a return path from its column to its row; backward, the
        // opposite.
        let mut best: Option<(u64, Vec<usize>)> = None;
        for (cap, from, to) in [(forward, q.col, q.row), (backward, q.row, q.col)] {
            if cap == 0 {
                continue;
            }
            if let Some((cost, path)) = shortest_path(self.nodes, &arcs, from, to)
                && best.as_ref().is_none_or(|(c, _)| cost < *c)
            {
                best = Some((cost, path));
            }
        }
        best.map(|(_, path)| path)
    }
}

/// A directed arc for the cheapest-cycle search.
struct Arc {
    from: usize,
    to: usize,
    cost: u64,
    quantity: usize,
}

/// Dijkstra over a handful of nodes, deterministic: ties go to the lower node and the earlier
/// arc. Returns the cost and the quantities along the path.
fn shortest_path(nodes: usize, arcs: &[Arc], from: usize, to: usize) -> Option<(u64, Vec<usize>)> {
    let mut dist = vec![u64::MAX; nodes];
    let mut via: Vec<Option<usize>> = vec![None; nodes];
    let mut done = vec![false; nodes];
    *dist.get_mut(from)? = 0;
    loop {
        let current = (0..nodes)
            .filter(|&n| !done[n] && dist[n] != u64::MAX)
            .min_by_key(|&n| (dist[n], n))?;
        if current == to {
            break;
        }
        done[current] = true;
        for (a, arc) in arcs.iter().enumerate() {
            if arc.from != current || done[arc.to] {
                continue;
            }
            let candidate = dist[current].saturating_add(arc.cost);
            if candidate < dist[arc.to] {
                dist[arc.to] = candidate;
                via[arc.to] = Some(a);
            }
        }
    }
    let mut path = Vec::new();
    let mut node = to;
    while node != from {
        let arc = arcs.get(via[node]?)?;
        path.push(arc.quantity);
        node = arc.from;
    }
    path.reverse();
    Some((dist[to], path))
}

/// A small flow network with integer capacities (Edmonds–Karp).
struct FlowNet {
    adjacent: Vec<Vec<usize>>,
    head: Vec<usize>,
    capacity: Vec<u64>,
}

impl FlowNet {
    fn new(nodes: usize) -> Self {
        Self {
            adjacent: vec![Vec::new(); nodes],
            head: Vec::new(),
            capacity: Vec::new(),
        }
    }

    /// An arc `from → to` of capacity `cap`, with its residual twin.
    fn add(&mut self, from: usize, to: usize, cap: u64) {
        if cap == 0 || from >= self.adjacent.len() || to >= self.adjacent.len() {
            return;
        }
        let id = self.head.len();
        self.head.extend([to, from]);
        self.capacity.extend([cap, 0]);
        self.adjacent[from].push(id);
        self.adjacent[to].push(id + 1);
    }

    fn max_flow(&mut self, source: usize, sink: usize, limit: u64) -> u64 {
        let nodes = self.adjacent.len();
        if source >= nodes || sink >= nodes || source == sink {
            return 0;
        }
        let mut flow = 0u64;
        while flow < limit {
            let mut via: Vec<Option<usize>> = vec![None; nodes];
            let mut queue = std::collections::VecDeque::from([source]);
            let mut seen = vec![false; nodes];
            seen[source] = true;
            while let Some(node) = queue.pop_front() {
                for &arc in &self.adjacent[node] {
                    let next = self.head[arc];
                    if !seen[next] && self.capacity[arc] > 0 {
                        seen[next] = true;
                        via[next] = Some(arc);
                        queue.push_back(next);
                    }
                }
            }
            if !seen[sink] {
                break;
            }
            let mut push = limit - flow;
            let mut node = sink;
            while let Some(arc) = via[node] {
                push = push.min(self.capacity[arc]);
                node = self.head[arc ^ 1];
            }
            let mut node = sink;
            while let Some(arc) = via[node] {
                self.capacity[arc] -= push;
                self.capacity[arc ^ 1] += push;
                node = self.head[arc ^ 1];
            }
            flow += push;
        }
        flow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(table: &Table) -> Vec<Status> {
        table.quantities.iter().map(|q| q.status).collect()
    }

    #[test]
    fn a_lone_small_cell_gets_the_smallest_partner() {
        let mut table = Table::one_way(&[20, 3, 9, 6], true);
        table.protect(5);
        use Status::*;
        assert_eq!(
            statuses(&table),
            [Shown, FewerThanK, Shown, Withheld, Shown]
        );
        // 3 + the withheld 6 = 9, and the withheld cell is at least 5: 3 lies in 0..=4.
        assert_eq!(table.range(1, 5), Some(0..=4));
        assert_eq!(table.range(3, 5), Some(5..=9));
    }

    #[test]
    fn two_small_cells_protect_each_other_unless_they_are_pinned() {
        use Status::*;
        let mut table = Table::one_way(&[20, 3, 9, 2], true);
        table.protect(5);
        assert_eq!(
            statuses(&table),
            [Shown, FewerThanK, Shown, FewerThanK, Shown]
        );
        // Two zeros sum to zero: both are pinned, so a larger cell must go too.
        let mut zeros = Table::one_way(&[20, 0, 9, 0], true);
        zeros.protect(5);
        assert_eq!(
            statuses(&zeros),
            [Shown, FewerThanK, Withheld, FewerThanK, Shown]
        );
        assert_eq!(zeros.range(1, 5), Some(0..=4));
    }

    #[test]
    fn everything_in_one_cell_of_exactly_k_withholds_the_table() {
        let mut table = Table::one_way(&[5, 0, 0, 0], true);
        table.protect(5);
        use Status::*;
        assert_eq!(
            statuses(&table),
            [NotShown, NotShown, NotShown, NotShown, Shown]
        );
        assert_eq!(table.range(1, 5), Some(0..=5));
    }

    #[test]
    fn a_small_inner_cell_is_protected_by_a_rectangle() {
        let mut table = Table::two_way(&[vec![10, 2, 12], vec![8, 9, 7], vec![11, 6, 20]]);
        table.protect(5);
        let hidden: Vec<usize> = (0..table.quantities.len())
            .filter(|&i| table.quantities[i].status.hidden())
            .collect();
        // (0,1)=2 is primary. The cheapest cycle through it is the rectangle
        // (0,1) (2,1)=6 (2,0)=11 (0,0)=10; the totals stay shown.
        assert_eq!(hidden, [0, 1, 6, 7]);
        let range = table.range(1, 5).unwrap();
        assert!(range.end() > range.start(), "{range:?}");
    }

    #[test]
    fn small_margins_are_protected_through_other_rows() {
        // Row 0 totals 3: the row total and its cells are all primary.
        let mut table = Table::two_way(&[vec![1, 2, 0], vec![8, 9, 7], vec![11, 6, 20]]);
        table.protect(5);
        for i in 0..table.quantities.len() {
            let q = table.quantities[i];
            if q.value < 5 {
                assert_eq!(q.status, Status::FewerThanK, "{i}");
                let range = table.range(i, 5).unwrap();
                assert!(range.end() > range.start(), "{i}: {range:?}");
            }
        }
        assert_eq!(table.quantities[15].status, Status::Shown, "grand total");
    }

    #[test]
    fn max_flow_respects_limits() {
        let mut net = FlowNet::new(3);
        net.add(0, 1, 5);
        net.add(1, 2, 3);
        net.add(0, 2, 1);
        assert_eq!(net.max_flow(0, 2, 100), 4);
        let mut net = FlowNet::new(2);
        net.add(0, 1, 5);
        assert_eq!(net.max_flow(0, 1, 2), 2);
    }
}
