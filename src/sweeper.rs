//! The background task that destroys what has expired: at start-up (catching up after
//! downtime) and then at a fixed interval. It works through [`crate::store::Store::sweep`],
//! which deletes in bounded batches so that intake never waits long behind it.
//!
//! Several processes may share one database: at each tick a process sweeps only if it leads
//! ([`crate::store::Store::lead_sweeping`]); the others ask again at the next tick, so one of
//! them takes over when the leader dies.

use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::metrics::SweepTally;
use crate::store::Store;

/// Starts sweeping `store` now and every `interval`, with today's date in `zone`; each sweep
/// is counted in `tally` (for the metrics endpoint).
pub fn spawn(
    store: Store,
    clock: Clock,
    zone: Tz,
    interval: Duration,
    tally: Arc<SweepTally>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            run_once(&store, &clock, zone, &tally).await;
        }
    })
}

/// One sweep, if this process leads sweeping; failures are logged and retried at the next tick.
pub async fn run_once(store: &Store, clock: &Clock, zone: Tz, tally: &SweepTally) {
    match store.lead_sweeping().await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!("sweep: another process leads sweeping");
            return;
        }
        Err(e) => {
            tracing::warn!("sweep: cannot tell whether this process leads, will retry: {e}");
            return;
        }
    }
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
