//! The sweep: destroys what has expired, at start-up (catching up after downtime) and then at
//! `retention.sweep_interval_seconds`. It works through [`crate::store::Store::sweep`], which
//! deletes in bounded batches so that intake never waits long behind it.

use chrono_tz::Tz;

use crate::clock::Clock;
use crate::server::metrics::SweepTally;
use crate::store::Store;

/// One sweep; failures are logged and retried at the next tick, and each sweep is counted in
/// `tally` (for the metrics endpoint). The caller has checked that this process leads
/// ([`super::leads`]).
pub async fn run_once(store: &Store, clock: &Clock, zone: Tz, tally: &SweepTally) {
    let today = clock.today_in(zone);
    let now = clock.now().timestamp();
    let started = std::time::Instant::now();
    let swept = store.sweep(today, now).await;
    match &swept {
        Ok(report) => tally.record(report),
        Err(_) => tally.failed(),
    }
    match swept {
        Ok(report) if report.total() > 0 => tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            notes = report.notes,
            day_keys = report.day_keys,
            letters = report.letters,
            sessions = report.sessions,
            enrolments = report.enrolments,
            throttles = report.throttles,
            orphan_keys = report.orphan_keys,
            "sweep destroyed expired items"
        ),
        Ok(_) => tracing::debug!("sweep: nothing expired"),
        Err(e) => tracing::warn!("sweep failed, will retry: {e}"),
    }
}
