//! A global budget for failed receipt look-ups, held in memory only: it counts failures, not
//! who made them, so it stores no address. While the budget is spent, further failed look-ups
//! are answered "too many attempts"; look-ups with a right receipt are never held back.

use std::sync::Mutex;
use std::time::Instant;

/// A token bucket's state: the tokens it held at an instant. The capacity and refill rate are
/// the owner's, passed to every call.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    since: Instant,
}

impl Bucket {
    /// A bucket holding `capacity` tokens at `now`.
    pub fn full(capacity: f64, now: Instant) -> Self {
        Self {
            tokens: capacity,
            since: now,
        }
    }

    /// The tokens at `now`, before capping at the capacity.
    fn refilled(&self, per_second: f64, now: Instant) -> f64 {
        self.tokens + now.duration_since(self.since).as_secs_f64() * per_second
    }

    /// Whether the bucket has refilled to `capacity` by `now` (its owner has been idle).
    pub fn is_full(&self, capacity: f64, per_second: f64, now: Instant) -> bool {
        self.refilled(per_second, now) >= capacity
    }

    /// Spends one token at `now`; `Err(seconds)` says how long until one is available again.
    pub fn spend(&mut self, capacity: f64, per_second: f64, now: Instant) -> Result<(), u64> {
        let available = self.refilled(per_second, now).min(capacity);
        self.since = now;
        if available >= 1.0 {
            self.tokens = available - 1.0;
            Ok(())
        } else {
            self.tokens = available;
            Err(((1.0 - available) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// A token bucket of allowed failures.
#[derive(Debug)]
pub struct FailureBudget {
    state: Mutex<Bucket>,
    capacity: f64,
    per_second: f64,
}

impl FailureBudget {
    /// A budget of `capacity` failures, refilled at `per_second`.
    pub fn new(capacity: u32, per_second: f64) -> Self {
        Self {
            state: Mutex::new(Bucket::full(f64::from(capacity), Instant::now())),
            capacity: f64::from(capacity),
            per_second,
        }
    }

    /// Spends one failure; `Err(seconds)` says how long until one is available again.
    pub fn spend(&self) -> Result<(), u64> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .spend(self.capacity, self.per_second, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_runs_out_and_says_when_it_refills() {
        let budget = FailureBudget::new(3, 0.5);
        assert!(budget.spend().is_ok());
        assert!(budget.spend().is_ok());
        assert!(budget.spend().is_ok());
        let wait = budget.spend().unwrap_err();
        assert!((1..=2).contains(&wait), "{wait}");
    }
}
