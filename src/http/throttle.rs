//! A global budget for failed receipt look-ups, held in memory only: it counts failures, not
//! who made them, so it stores no address. While the budget is spent, further failed look-ups
//! are answered "too many attempts"; look-ups with a right receipt are never held back.

use std::sync::Mutex;
use std::time::Instant;

/// A token bucket of allowed failures.
#[derive(Debug)]
pub struct FailureBudget {
    state: Mutex<(f64, Instant)>,
    capacity: f64,
    per_second: f64,
}

impl FailureBudget {
    /// A budget of `capacity` failures, refilled at `per_second`.
    pub fn new(capacity: u32, per_second: f64) -> Self {
        Self {
            state: Mutex::new((f64::from(capacity), Instant::now())),
            capacity: f64::from(capacity),
            per_second,
        }
    }

    /// Spends one failure; `Err(seconds)` says how long until one is available again.
    pub fn spend(&self) -> Result<(), u64> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(state.1).as_secs_f64() * self.per_second;
        let tokens = (state.0 + refill).min(self.capacity);
        *state = (tokens, now);
        if tokens >= 1.0 {
            state.0 = tokens - 1.0;
            Ok(())
        } else {
            Err(((1.0 - tokens) / self.per_second).ceil().max(1.0) as u64)
        }
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
