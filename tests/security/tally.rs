//! What the security suite tried and what it found, counted across scenarios (atomics, so a
//! scenario may count from many tasks at once).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Running counts, shared by every scenario.
#[derive(Default)]
pub struct Tally {
    requests: AtomicU64,
    bad_inputs: AtomicU64,
    faults: AtomicU64,
    acknowledged: AtomicU64,
    lost: AtomicU64,
    canary_places: AtomicU64,
    canaries_found: AtomicU64,
}

impl Tally {
    /// `n` HTTP requests (or connections) sent to a server.
    pub fn requests(&self, n: u64) {
        self.requests.fetch_add(n, Ordering::Relaxed);
    }
    /// `n` malformed, hostile or random inputs tried (also count their requests, if any).
    pub fn bad_inputs(&self, n: u64) {
        self.bad_inputs.fetch_add(n, Ordering::Relaxed);
    }
    /// `n` faults injected: kills, full disks, unwritable directories, dropped connections.
    pub fn faults(&self, n: u64) {
        self.faults.fetch_add(n, Ordering::Relaxed);
    }
    /// `n` concerns the server acknowledged with a receipt, checked for afterwards.
    pub fn acknowledged(&self, n: u64) {
        self.acknowledged.fetch_add(n, Ordering::Relaxed);
    }
    /// `n` acknowledged concerns found missing afterwards (the suite fails on any).
    pub fn lost(&self, n: u64) {
        self.lost.fetch_add(n, Ordering::Relaxed);
    }
    /// `n` places (files, logs, reports, responses) searched for plaintext canaries.
    pub fn canary_places(&self, n: u64) {
        self.canary_places.fetch_add(n, Ordering::Relaxed);
    }
    /// `n` plaintext canaries found (the suite fails on any).
    pub fn canaries_found(&self, n: u64) {
        self.canaries_found.fetch_add(n, Ordering::Relaxed);
    }

    /// The counts now.
    pub fn snapshot(&self) -> Counts {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Counts {
            requests: get(&self.requests),
            bad_inputs: get(&self.bad_inputs),
            faults: get(&self.faults),
            acknowledged: get(&self.acknowledged),
            lost: get(&self.lost),
            canary_places: get(&self.canary_places),
            canaries_found: get(&self.canaries_found),
        }
    }
}

/// A copy of the counts at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub requests: u64,
    pub bad_inputs: u64,
    pub faults: u64,
    pub acknowledged: u64,
    pub lost: u64,
    pub canary_places: u64,
    pub canaries_found: u64,
}

impl Counts {
    /// What was counted between `earlier` and this.
    pub fn since(&self, earlier: &Counts) -> Counts {
        Counts {
            requests: self.requests - earlier.requests,
            bad_inputs: self.bad_inputs - earlier.bad_inputs,
            faults: self.faults - earlier.faults,
            acknowledged: self.acknowledged - earlier.acknowledged,
            lost: self.lost - earlier.lost,
            canary_places: self.canary_places - earlier.canary_places,
            canaries_found: self.canaries_found - earlier.canaries_found,
        }
    }

    /// The summary block CI prints.
    pub fn summary(&self) -> String {
        format!(
            "security suite summary\n\
             \x20 requests tried                 {}\n\
             \x20 bad inputs tried               {}\n\
             \x20 faults injected                {}\n\
             \x20 concerns acknowledged          {}\n\
             \x20 acknowledged concerns lost     {} (must be 0)\n\
             \x20 places searched for canaries   {}\n\
             \x20 plaintext canaries found       {} (must be 0)",
            self.requests,
            self.bad_inputs,
            self.faults,
            self.acknowledged,
            self.lost,
            self.canary_places,
            self.canaries_found
        )
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "requests {:>6}  bad inputs {:>6}  faults {:>3}  acknowledged {:>5}  lost {}  canary places {:>4}  canaries found {}",
            self.requests,
            self.bad_inputs,
            self.faults,
            self.acknowledged,
            self.lost,
            self.canary_places,
            self.canaries_found
        )
    }
}
