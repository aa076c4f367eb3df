//! A global budget for failed receipt look-ups, held in memory only: it counts failures, not
//! who made them, so it stores no address. While the budget is spent, further failed look-ups
//! are answered "too many attempts"; look-ups with a right receipt are never held back.

use std::sync::Mutex;
use std::time::Instant;

use super::bucket::Bucket;

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
