//! The token bucket's arithmetic, shared by the wrong-receipt budget ([`super::lookup_budget`])
//! and the per-client limits ([`super::client_limit`]): tokens refill at a rate up to a
//! capacity, and each request spends one.

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
