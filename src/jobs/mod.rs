//! Background jobs: the periodic work a server does besides answering requests. Each job is one
//! module with a `run_once`; [`spawn`] runs it at start-up and then at its interval, and only in
//! the process that leads (several servers may share one PostgreSQL database: one of them does
//! each job; when it dies another takes over at its next tick).
//!
//! To add a periodic job: a module here with an `async fn run_once(&Store, &Clock, …)` and one
//! `spawn` call in [`crate::server`]. The jobs: [`sweep`] destroys what expired; [`digest`]
//! tells the ombuds by e-mail that something waits (when `[digest]` is on).

pub mod digest;
pub mod sweep;

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::store::Store;

/// Runs `job` now and every `interval` for as long as the server runs, each time only if this
/// process leads (see [`leads`]). `name` is for the logs.
pub fn spawn<F, Fut>(name: &'static str, store: Store, interval: Duration, job: F) -> JoinHandle<()>
where
    F: Fn(Store) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if leads(&store, name).await {
                job(store.clone()).await;
            }
        }
    })
}

/// Whether this process should do the periodic jobs now: always with SQLite; with PostgreSQL
/// only the one process holding the jobs' lock. A failure to tell is logged and read as "no":
/// the next tick asks again.
pub async fn leads(store: &Store, job: &'static str) -> bool {
    match store.lead_sweeping().await {
        Ok(true) => true,
        Ok(false) => {
            tracing::debug!(
                job,
                "another process leads sweeping and the other periodic jobs"
            );
            false
        }
        Err(e) => {
            tracing::warn!(
                job,
                "cannot tell whether this process leads, will retry: {e}"
            );
            false
        }
    }
}
