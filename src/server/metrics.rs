//! The optional Prometheus endpoint (`[metrics] listen`): `GET /metrics` on an address of its
//! own, never on the public site, in Prometheus' text format.
//!
//! What it shows is chosen so that a scrape every few seconds reveals nothing about any one
//! person: requests shed and waiting per audience, connection-pool and writer-queue use, sweeps
//! and how many items they destroyed by class, and the process's memory. There is no counter of
//! concerns, follow-ups or any other request served: scraped every 15 seconds, an intake
//! counter would timestamp each submission to within 15 seconds, which the service promises
//! never to record (SECURITY.md, "Metrics"). The queue and pool figures are gauges of this
//! instant only. Nothing here is logged, and the listener keeps no address.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::task::JoinHandle;

use crate::http::AppState;
use crate::store::SweepReport;

/// The classes a sweep destroys, in the order of [`SweepTally`]'s counters.
const CLASSES: [&str; 7] = [
    "notes",
    "day_keys",
    "letters",
    "sessions",
    "enrolments",
    "throttles",
    "orphan_keys",
];

/// Sweeps run by this process, and what they destroyed.
#[derive(Debug, Default)]
pub struct SweepTally {
    runs: AtomicU64,
    failures: AtomicU64,
    destroyed: [AtomicU64; 7],
}

impl SweepTally {
    /// Counts one sweep that finished, with what it destroyed.
    pub fn record(&self, report: &SweepReport) {
        self.runs.fetch_add(1, Ordering::Relaxed);
        let counts = [
            report.notes,
            report.day_keys,
            report.letters,
            report.sessions,
            report.enrolments,
            report.throttles,
            report.orphan_keys,
        ];
        for (counter, count) in self.destroyed.iter().zip(counts) {
            counter.fetch_add(count, Ordering::Relaxed);
        }
    }

    /// Counts one sweep that failed (it is tried again at the next tick).
    pub fn failed(&self) {
        self.failures.fetch_add(1, Ordering::Relaxed);
    }
}

/// What the metrics listener reads.
#[derive(Clone)]
struct Sources {
    app: AppState,
    sweeps: Arc<SweepTally>,
}

/// Starts serving `GET /metrics` on `listen`; returns the bound address and the task.
pub fn start(
    listen: SocketAddr,
    app: AppState,
    sweeps: Arc<SweepTally>,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = std::net::TcpListener::bind(listen)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the metrics listener is not the service's router: its one route is not in the \
                  service's route table, and no public address serves it"
    )]
    let router = Router::new()
        .route("/metrics", get(scrape))
        .with_state(Sources { app, sweeps });
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::warn!("the metrics listener stopped: {e}");
        }
    });
    Ok((bound, task))
}

async fn scrape(State(sources): State<Sources>) -> Response {
    let text = render(&sources.app, &sources.sweeps);
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Writes one metric family's help and type lines.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Every metric, in Prometheus' text format.
pub fn render(app: &AppState, sweeps: &SweepTally) -> String {
    let mut out = String::new();
    let gauges = app.admission.gauges();
    family(
        &mut out,
        "ombuds_requests_shed_total",
        "counter",
        "Requests answered 503 because their audience's budget was full.",
    );
    for (audience, shed, _) in &gauges {
        let _ = writeln!(
            out,
            "ombuds_requests_shed_total{{audience=\"{audience}\"}} {shed}"
        );
    }
    family(
        &mut out,
        "ombuds_requests_queued",
        "gauge",
        "Requests waiting for a turn in their audience's queue now.",
    );
    for (audience, _, queued) in &gauges {
        let _ = writeln!(
            out,
            "ombuds_requests_queued{{audience=\"{audience}\"}} {queued}"
        );
    }

    let pools = app.store.pools();
    family(
        &mut out,
        "ombuds_pool_connections",
        "gauge",
        "Database connections open, by pool and state.",
    );
    for pool in pools.iter().filter(|p| p.name != "writer_queue") {
        let busy = pool.size.saturating_sub(pool.idle);
        let _ = writeln!(
            out,
            "ombuds_pool_connections{{pool=\"{0}\",state=\"busy\"}} {busy}\n\
             ombuds_pool_connections{{pool=\"{0}\",state=\"idle\"}} {1}",
            pool.name, pool.idle
        );
    }
    family(
        &mut out,
        "ombuds_pool_max_connections",
        "gauge",
        "The most connections each pool opens.",
    );
    for pool in pools.iter().filter(|p| p.name != "writer_queue") {
        let _ = writeln!(
            out,
            "ombuds_pool_max_connections{{pool=\"{}\"}} {}",
            pool.name, pool.max
        );
    }
    if let Some(writer) = pools.iter().find(|p| p.name == "writer_queue") {
        family(
            &mut out,
            "ombuds_writer_queue_jobs",
            "gauge",
            "Writes waiting for the SQLite writer now.",
        );
        let _ = writeln!(out, "ombuds_writer_queue_jobs {}", writer.size);
        family(
            &mut out,
            "ombuds_writer_queue_capacity",
            "gauge",
            "The most writes that may wait for the SQLite writer.",
        );
        let _ = writeln!(out, "ombuds_writer_queue_capacity {}", writer.max);
    }

    for (name, help, counter) in [
        (
            "ombuds_sweeps_total",
            "Sweeps of expired content this process finished.",
            &sweeps.runs,
        ),
        (
            "ombuds_sweep_failures_total",
            "Sweeps that failed and were retried at the next tick.",
            &sweeps.failures,
        ),
    ] {
        family(&mut out, name, "counter", help);
        let _ = writeln!(out, "{name} {}", counter.load(Ordering::Relaxed));
    }
    family(
        &mut out,
        "ombuds_swept_items_total",
        "counter",
        "Expired items the sweeps destroyed, by class.",
    );
    for (class, counter) in CLASSES.iter().zip(&sweeps.destroyed) {
        let _ = writeln!(
            out,
            "ombuds_swept_items_total{{class=\"{class}\"}} {}",
            counter.load(Ordering::Relaxed)
        );
    }

    if let Some((resident, peak)) = memory() {
        family(
            &mut out,
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory of the process.",
        );
        let _ = writeln!(out, "process_resident_memory_bytes {resident}");
        family(
            &mut out,
            "ombuds_peak_resident_memory_bytes",
            "gauge",
            "The most resident memory the process has held.",
        );
        let _ = writeln!(out, "ombuds_peak_resident_memory_bytes {peak}");
    }
    out
}

/// Resident and peak resident memory, in bytes, from `/proc/self/status` (Linux only).
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| kib * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
