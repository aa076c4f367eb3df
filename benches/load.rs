//! `cargo bench --bench load`: the service's speed and footprint, measured on this machine.
//!
//! Starts the release `ombuds` binary on loopback with a fresh data directory, drives it with a
//! small HTTP/1.1 client in this process (the load client shares the machine's cores), and
//! prints one table: durable intakes per second at concurrency 1, 16 and 64 with p50/p99
//! latency; receipt look-ups per second for right and wrong receipts; the time to sweep
//! 1,000,000 expired notes and the intake p99 meanwhile; the time to build board reports from
//! ten years of counters; the server's peak RSS; the binary's size; the time from start to the
//! first answer. `BENCH_SECONDS` sets each load phase's length (default 10).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

const BIN: &str = env!("CARGO_BIN_EXE_ombuds");

type Http = Client<HttpConnector, Full<Bytes>>;

/// One request of a load phase, and what to keep from its answer.
type Step<T> = (hyper::Request<Full<Bytes>>, fn(&Bytes) -> Option<T>);

struct Server {
    child: Child,
    url: String,
    stderr: PathBuf,
}

impl Server {
    /// Starts the server; returns it and the time from spawning to its first `200`.
    async fn start(config: &Path, work: &Path, http: &Http) -> (Self, Duration) {
        let stdout = work.join("stdout.log");
        let stderr = work.join("stderr.log");
        let started = Instant::now();
        let child = Command::new(BIN)
            .args([
                "serve",
                "--config",
                config.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .env(
                "OMBUDS_LOG",
                std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdout(Stdio::from(std::fs::File::create(&stdout).unwrap()))
            .stderr(Stdio::from(std::fs::File::create(&stderr).unwrap()))
            .spawn()
            .unwrap();
        let url = loop {
            let out = std::fs::read_to_string(&stdout).unwrap_or_default();
            if let Some(rest) = out.split("ombuds is listening on ").nth(1)
                && let Some(line) = rest.lines().next()
            {
                break line.trim_end_matches('/').to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not start"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        loop {
            let request = hyper::Request::get(format!("{url}/healthz"))
                .body(Full::default())
                .unwrap();
            if let Ok(response) = http.request(request).await
                && response.status() == 200
            {
                break;
            }
        }
        let first_answer = started.elapsed();
        (Self { child, url, stderr }, first_answer)
    }

    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        if let Ok(keep) = std::env::var("BENCH_KEEP_LOG") {
            let _ = std::fs::copy(&self.stderr, keep);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A benchmark that fails half-way must not leave a server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Requests per second and latency percentiles of one load phase.
struct Phase {
    done: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

fn phase(mut latencies: Vec<Duration>, elapsed: Duration) -> Phase {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Phase {
        done: latencies.len(),
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// Runs `concurrency` workers for `seconds`, each sending the requests `make` builds one after
/// another; every answer must have `expect` status. Returns the phase and the bodies' results.
async fn load<F, T>(
    concurrency: usize,
    seconds: Duration,
    stop: Option<Arc<std::sync::atomic::AtomicBool>>,
    expect: &'static [u16],
    make: F,
) -> (Phase, Vec<T>)
where
    F: Fn(usize) -> Step<T> + Send + Sync + 'static,
    T: Send + 'static,
{
    let make = Arc::new(make);
    let started = Instant::now();
    let deadline = started + seconds;
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let make = make.clone();
        let stop = stop.clone();
        workers.push(tokio::spawn(async move {
            // One kept-alive connection per worker, driven inside the worker's own task: no
            // connection pool and no hand-off to a separate connection task, so the client's
            // share of the two cores is as small as a Rust client can make it.
            let (mut first, keep) = make(worker);
            let authority = first.uri().authority().expect("absolute URL").clone();
            let stream = tokio::net::TcpStream::connect(authority.as_str())
                .await
                .expect("connect");
            stream.set_nodelay(true).unwrap();
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .expect("handshake");
            let host = hyper::header::HeaderValue::from_str(authority.as_str()).unwrap();
            let mut latencies = Vec::new();
            let mut kept = Vec::new();
            let mut n = worker + concurrency;
            let work = async {
                loop {
                    let path = first.uri().path_and_query().expect("path").clone();
                    *first.uri_mut() = path.into();
                    first
                        .headers_mut()
                        .insert(hyper::header::HOST, host.clone());
                    let sent = Instant::now();
                    let response = sender.send_request(first).await.expect("request failed");
                    let status = response.status().as_u16();
                    let body = response.into_body().collect().await.unwrap().to_bytes();
                    latencies.push(sent.elapsed());
                    assert!(
                        expect.contains(&status),
                        "unexpected answer {status}: {}",
                        String::from_utf8_lossy(&body)
                    );
                    if let Some(value) = keep(&body) {
                        kept.push(value);
                    }
                    if Instant::now() >= deadline
                        || stop
                            .as_ref()
                            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
                    {
                        break;
                    }
                    (first, _) = make(n);
                    n += concurrency;
                }
            };
            tokio::select! {
                () = work => {}
                closed = connection => panic!("the server closed a connection: {closed:?}"),
            }
            (latencies, kept)
        }));
    }
    let mut latencies = Vec::new();
    let mut kept = Vec::new();
    for worker in workers {
        let (l, k) = worker.await.unwrap();
        latencies.extend(l);
        kept.extend(k);
    }
    (phase(latencies, started.elapsed()), kept)
}

fn concern_body() -> Bytes {
    let description = "The listing agent changed the commission split after closing and has not answered my calls or e-mails since; I would like to understand my options before this becomes a formal complaint. ".repeat(8);
    Bytes::from(
        serde_json::to_vec(&serde_json::json!({
            "category": "commission",
            "raised_by": "client",
            "description": description[..1000].to_owned(),
            "contact": "evenings, 555-0100",
            "concluded_on": "2026-01-10",
            "accept_conditions": true
        }))
        .unwrap(),
    )
}

fn intake(url: &str) -> impl Fn(usize) -> Step<String> + Send + Sync + 'static {
    let url = format!("{url}/api/v1/concerns");
    let body = concern_body();
    move |_| {
        let request = hyper::Request::post(&url)
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))
            .unwrap();
        fn receipt(body: &Bytes) -> Option<String> {
            let value: serde_json::Value = serde_json::from_slice(body).ok()?;
            value["receipt"].as_str().map(str::to_owned)
        }
        (request, receipt)
    }
}

fn lookup(
    url: &str,
    receipts: Arc<Vec<String>>,
) -> impl Fn(usize) -> Step<()> + Send + Sync + 'static {
    let url = format!("{url}/api/v1/followup");
    move |n| {
        let receipt = &receipts[n % receipts.len()];
        let request = hyper::Request::get(&url)
            .header("authorization", format!("Receipt {receipt}"))
            .body(Full::default())
            .unwrap();
        fn nothing(_: &Bytes) -> Option<()> {
            None
        }
        (request, nothing)
    }
}

async fn count(db: &Path, sql: &str) -> i64 {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

/// Writes `n` expired notes (on one case) and ten years of trend counters straight into the
/// database of a stopped server.
async fn seed(db: &Path, keys: &Path, notes: u64) {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .connect()
        .await
        .unwrap();
    sqlx::query("ATTACH DATABASE ? AS keystore")
        .bind(keys.to_str().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    let case: String = sqlx::query_scalar("SELECT id FROM cases LIMIT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
    sqlx::query(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT ?) \
         INSERT INTO notes (id, case_id, kind, due_on, expires_on, written_on, done, sealed) \
         SELECT lower(hex(randomblob(16))), ?, 'note', NULL, '2020-01-02', '2020-01-01', 0, randomblob(300) FROM n",
    )
    .bind(notes as i64)
    .bind(&case)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query("INSERT OR IGNORE INTO keystore.day_keys (day, recipient, wrapped) VALUES ('2020-01-02', 'age1x', x'00')")
        .execute(&mut conn)
        .await
        .unwrap();
    // Ten years of counters: every category, role, channel, outcome and bucket in every month.
    let categories = [
        "transaction_question",
        "communication",
        "lost_contact",
        "conduct",
        "commission",
    ];
    let roles = ["member", "client", "public"];
    let channels = ["web", "phone", "email", "walk_in"];
    let outcomes = [
        "successfully_closed",
        "unsuccessfully_closed",
        "dismissed",
        "declined",
        "terminated_public_trust",
        "withdrawn",
    ];
    let buckets = ["days_0_7", "days_8_30", "days_31_90", "days_over_90"];
    let mut n = 0u64;
    for year in 2016..2026 {
        for month in 1..=12 {
            let ym = format!("{year}-{month:02}");
            for (i, category) in categories.iter().enumerate() {
                for (j, role) in roles.iter().enumerate() {
                    let key = format!(
                        "case:{ym}:{category}:{role}:{}:{}:{}",
                        channels[(i + j) % 4],
                        outcomes[(i * 3 + j) % 6],
                        buckets[(i + 2 * j) % 4]
                    );
                    n += 1;
                    sqlx::query("INSERT INTO trend_counters (key, month, count) VALUES (?, ?, ?)")
                        .bind(&key)
                        .bind(&ym)
                        .bind(((n * 7) % 9 + 1) as i64)
                        .execute(&mut conn)
                        .await
                        .unwrap();
                }
            }
            for service in ["answer_information", "referral", "coaching"] {
                sqlx::query("INSERT INTO trend_counters (key, month, count) VALUES (?, ?, 6)")
                    .bind(format!("service:{ym}:{service}"))
                    .bind(&ym)
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
        }
    }
    sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
    sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let seconds = Duration::from_secs(
        std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
    );
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let init = Command::new(BIN)
        .args(["init", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(init.status.success());
    let config = data.join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        // The flood limits would shed most of the load phases' requests (that is their job):
        // lift them, so that the phases measure the service itself.
        text.replace(
            "sweep_interval_seconds = 60",
            "sweep_interval_seconds = 3600",
        ) + "\n[limits]\nmax_connections = 4096\n\
             [limits.intake]\nconcurrent = 64\nqueue = 1024\n\
             [limits.followup]\nconcurrent = 64\nqueue = 1024\n\
             [limits.public]\nconcurrent = 64\nqueue = 1024\n\
             [limits.staff]\nconcurrent = 64\nqueue = 1024\n",
    )
    .unwrap();
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(256)
        .build_http();
    let mut rows: Vec<(String, String)> = Vec::new();
    // The targets for this machine: what, and whether this run met it.
    let mut targets: Vec<(&str, bool)> = Vec::new();

    let (server, first_answer) = Server::start(&config, work.path(), &http).await;
    if let Ok(path) = std::env::var("BENCH_PID_FILE") {
        std::fs::write(path, server.child.id().to_string()).unwrap();
    }
    let only_intake = std::env::var("BENCH_PHASES").is_ok_and(|p| p == "intake");
    let mut acknowledged = 0;
    let mut receipts = Vec::new();
    for concurrency in [1, 16, 64] {
        let (p, kept) = load(concurrency, seconds, None, &[201], intake(&server.url)).await;
        acknowledged += p.done;
        receipts.extend(kept);
        if concurrency == 64 {
            targets.push((
                "intake at c=64: >= 5,000/s with p99 <= 50 ms",
                p.per_second >= 5000.0 && p.p99 <= Duration::from_millis(50),
            ));
        }
        eprintln!(
            "intake c={concurrency}: {:.0}/s p99 {}, server peak RSS so far {:.1} MiB",
            p.per_second,
            ms(p.p99),
            server.peak_rss_kib() as f64 / 1024.0
        );
        rows.push((
            format!("intake, concurrency {concurrency}"),
            format!(
                "{:>7.0} concerns/s   p50 {}   p99 {}",
                p.per_second,
                ms(p.p50),
                ms(p.p99)
            ),
        ));
    }
    if only_intake {
        for (name, value) in rows {
            println!("{name:<38} {value}");
        }
        server.stop();
        return;
    }
    let stored = count(&data.join("ombuds.db"), "SELECT count(*) FROM cases").await;
    assert_eq!(
        stored as usize, acknowledged,
        "every acknowledged concern is in the database"
    );
    rows.push(("intake, durability".into(), format!("{stored} of {acknowledged} acknowledged concerns on disk (WAL, synchronous=FULL, group commit)")));

    let right = Arc::new(receipts.into_iter().take(2_000).collect::<Vec<_>>());
    let wrong = Arc::new(
        (0..2_000)
            .map(|_| {
                ombuds::crypto::Receipt::generate()
                    .unwrap()
                    .expose()
                    .to_owned()
            })
            .collect::<Vec<_>>(),
    );
    let (p, _) = load(64, seconds, None, &[200], lookup(&server.url, right)).await;
    targets.push(("follow-up look-ups: >= 20,000/s", p.per_second >= 20_000.0));
    rows.push((
        "follow-up, right receipts".into(),
        format!(
            "{:>7.0} look-ups/s   p50 {}   p99 {}",
            p.per_second,
            ms(p.p50),
            ms(p.p99)
        ),
    ));
    // Wrong receipts past the failure budget are answered 429, which is the intended answer.
    let (p, _) = load(64, seconds, None, &[404, 429], lookup(&server.url, wrong)).await;
    rows.push((
        "follow-up, wrong receipts".into(),
        format!(
            "{:>7.0} look-ups/s   p50 {}   p99 {}  (404, or 429 once the failure budget is spent)",
            p.per_second,
            ms(p.p50),
            ms(p.p99)
        ),
    ));
    let mut peak = server.peak_rss_kib();
    eprintln!(
        "after the look-ups: server peak RSS so far {:.1} MiB",
        peak as f64 / 1024.0
    );
    if std::env::var("BENCH_PHASES").is_ok_and(|p| p == "lookup") {
        for (name, value) in rows {
            println!("{name:<38} {value}");
        }
        server.stop();
        return;
    }
    server.stop();

    seed(&data.join("ombuds.db"), &data.join("keys.db"), 1_000_000).await;
    let (server, _) = Server::start(&config, work.path(), &http).await;
    let swept = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sweep_load = tokio::spawn({
        let url = server.url.clone();
        let swept = swept.clone();
        async move {
            load(
                16,
                Duration::from_secs(300),
                Some(swept),
                &[201],
                intake(&url),
            )
            .await
            .0
        }
    });
    let sweep_started = Instant::now();
    let elapsed_ms = loop {
        let log = std::fs::read_to_string(&server.stderr).unwrap_or_default();
        if let Some(line) = log
            .lines()
            .find(|l| l.contains("sweep destroyed expired items"))
        {
            break line
                .split("elapsed_ms=")
                .nth(1)
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
        assert!(
            sweep_started.elapsed() < Duration::from_secs(300),
            "the sweep did not finish"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    swept.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = sweep_load.await.unwrap();
    let left = count(&data.join("ombuds.db"), "SELECT count(*) FROM notes").await;
    assert_eq!(left, 0, "the sweep left notes behind");
    targets.push(("sweep of 1,000,000 notes: <= 20 s", elapsed_ms <= 20_000));
    targets.push((
        "intake p99 during the sweep: <= 100 ms",
        during.p99 <= Duration::from_millis(100),
    ));
    rows.push((
        "sweep, 1,000,000 expired notes".into(),
        format!("{:.1} s", elapsed_ms as f64 / 1000.0),
    ));
    rows.push((
        "intake during the sweep (c=16)".into(),
        format!(
            "{:>7.0} concerns/s   p50 {}   p99 {}",
            during.per_second,
            ms(during.p50),
            ms(during.p99)
        ),
    ));
    eprintln!(
        "sweep: server peak RSS {:.1} MiB",
        server.peak_rss_kib() as f64 / 1024.0
    );
    peak = peak.max(server.peak_rss_kib());
    server.stop();

    // Board reports from ten years of counters, built in this process from the same database:
    // every quarter released (built, audited with everything released before, and frozen) and
    // rendered. Years are not released beside their quarters without noise (kinds of period are
    // a commitment), so they are previewed only, before any quarter is frozen.
    let loaded = ombuds::config::Config::load(&config).unwrap();
    let store = ombuds::store::Store::open(&loaded).await.unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let mut slowest = Duration::ZERO;
    let started = Instant::now();
    let mut built = 0;
    let periods = (2016..2026)
        .map(|year| (format!("{year}"), Some(today)))
        .chain((2016..2026).flat_map(|year| (1..=4).map(move |q| (format!("{year}Q{q}"), None))));
    for (period, preview) in periods {
        let t = Instant::now();
        let release = ombuds::usecase::reports::release_on(
            &store,
            &loaded.reports.settings,
            period.parse().unwrap(),
            today,
            preview,
        )
        .await
        .unwrap()
        .unwrap();
        let _ =
            ombuds::report::render_html(&release, &ombuds::http::views::Site::from_config(&loaded));
        slowest = slowest.max(t.elapsed());
        built += 1;
    }
    store.close().await;
    targets.push((
        "board report: <= 50 ms",
        slowest <= Duration::from_millis(50),
    ));
    rows.push((
        "board reports, 10 years of counters".into(),
        format!(
            "{built} (10 years previewed, 40 quarters audited and released) rendered in {}; \
             slowest {}",
            ms(started.elapsed()),
            ms(slowest)
        ),
    ));
    rows.push((
        "server peak RSS".into(),
        format!("{:.1} MiB", peak as f64 / 1024.0),
    ));
    let size = std::fs::metadata(BIN).unwrap().len();
    rows.push((
        "binary size".into(),
        format!(
            "{:.1} MiB ({})",
            size as f64 / 1048576.0,
            Path::new(BIN).display()
        ),
    ));
    rows.push(("start to first answer".into(), ms(first_answer)));
    targets.push(("server peak RSS: <= 64 MiB", peak <= 64 * 1024));
    targets.push((
        "first answer: <= 200 ms after start",
        first_answer <= Duration::from_millis(200),
    ));

    println!(
        "\nombuds benchmark ({} s per load phase, load client in the same machine)\n",
        seconds.as_secs()
    );
    for (name, value) in rows {
        println!("{name:<38} {value}");
    }
    println!("\ntargets (2 cores, load client included)\n");
    for (target, met) in &targets {
        println!("{target:<50} {}", if *met { "met" } else { "NOT MET" });
    }
    let missed = targets.iter().filter(|(_, met)| !met).count();
    println!(
        "\n{}",
        if missed == 0 {
            "every target met".to_owned()
        } else {
            format!("{missed} target(s) not met")
        }
    );
}
