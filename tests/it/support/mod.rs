//! A real `ombuds` server for tests: initialised with `ombuds init` in a temporary directory,
//! started as a process on an ephemeral loopback port, with its clock in a file the test can
//! move, and its standard output and error captured to files the test can search.
//!
//! Every server test runs on both engines: [`on_both_engines!`] turns `async fn name(engine:
//! Engine)` into the tests `name::sqlite` and `name::postgres`. On PostgreSQL, each server gets
//! a fresh main database and key store database, dropped when the test ends; the server to
//! create them in is `OMBUDS_TEST_POSTGRES` (default: the one `.ci/postgres start` runs).
//!
//! Beside it: [`cli`] runs one command of the binary to completion, and [`pow`] solves the
//! intake's proof of work as a client does.

pub mod cli;
pub mod pow;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use sqlx::Connection;
use tempfile::TempDir;

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_ombuds");

/// Where the PostgreSQL variants create their databases, unless `OMBUDS_TEST_POSTGRES` says
/// otherwise: the server `.ci/postgres start` runs. The role must be allowed to create
/// databases.
pub const DEFAULT_POSTGRES: &str = "postgres://ombuds_test:ombuds_test@127.0.0.1:54329/postgres";

/// Runs an `async fn NAME(engine: Engine)` once per engine, as the tests `NAME::sqlite` and
/// `NAME::postgres`. Write it where `#[tokio::test]` would go: `on_both_engines!(NAME);`.
macro_rules! on_both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::support::Engine::Sqlite).await;
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::support::Engine::Postgres).await;
            }
        }
    };
}
pub(crate) use on_both_engines;

/// The database engine a server runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Engine {
    /// The embedded default: files in the data directory.
    #[default]
    Sqlite,
    /// A PostgreSQL server: a main database and a key store database of its own.
    Postgres,
}

/// Runs the binary to completion with `args`, in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("OMBUDS_LOG")
        .output()
        .expect("run ombuds")
}

/// Runs `ombuds init DIR` and panics unless it succeeds.
pub fn init(dir: &Path) {
    let out = run(Path::new("."), &["init", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `work` to completion on a runtime of its own, from synchronous code that may itself be
/// running inside a test's runtime.
fn block_on<T: Send + 'static>(work: impl std::future::Future<Output = T> + Send + 'static) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work)
    })
    .join()
    .unwrap()
}

/// The URL of the PostgreSQL server the tests create databases in: `OMBUDS_TEST_POSTGRES`, or
/// else the throwaway cluster of `.ci/postgres`, which the first test to need it starts (with
/// Debian's `initdb` and `pg_ctl`) when nothing answers on its port.
pub fn postgres_admin_url() -> String {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| match std::env::var("OMBUDS_TEST_POSTGRES") {
        Ok(url) => url,
        Err(_) => start_test_postgres(),
    })
    .clone()
}

/// Starts the tests' own PostgreSQL cluster (`.ci/postgres start`, on `OMBUDS_TEST_PG_PORT`,
/// default 54329) unless something already answers on its port, and returns its URL. Test
/// processes run in parallel, so they take turns through a lock file (`flock`); the script
/// itself is idempotent. A failure is reported by the connection that follows, which says how
/// to start a server by hand.
fn start_test_postgres() -> String {
    let port = std::env::var("OMBUDS_TEST_PG_PORT").unwrap_or_else(|_| "54329".to_owned());
    let url = DEFAULT_POSTGRES.replace(":54329/", &format!(":{port}/"));
    let answers = || {
        format!("127.0.0.1:{port}")
            .parse()
            .ok()
            .and_then(|address| {
                std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()
            })
            .is_some()
    };
    if answers() {
        return url;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/postgres");
    let lock = std::env::temp_dir().join("ombuds-test-postgres.lock");
    // `--close`: the server the script starts must not inherit (and so hold) the lock.
    let started = Command::new("flock")
        .arg("--close")
        .arg(&lock)
        .arg(&script)
        .arg("start")
        .output();
    match started {
        Ok(out) if out.status.success() => {}
        Ok(out) => eprintln!(
            "could not start the tests' PostgreSQL with {}: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("could not run {}: {e}", script.display()),
    }
    url
}

/// Connects to the tests' PostgreSQL server, or fails saying how to start one.
pub async fn postgres_admin() -> sqlx::PgConnection {
    postgres_admin_at(postgres_admin_url()).await
}

/// Connects to the PostgreSQL server at `url`, or fails saying how to start one.
pub async fn postgres_admin_at(url: String) -> sqlx::PgConnection {
    match sqlx::PgConnection::connect(&url).await {
        Ok(conn) => conn,
        Err(e) => panic!(
            "the PostgreSQL variant of this test needs a PostgreSQL server, and none answers at \
             {}: {e}\nStart one with `.ci/postgres start` (it needs Debian's `postgresql` \
             package; see README, \"Test it\"), or set OMBUDS_TEST_POSTGRES to the URL of a role \
             that may create databases.",
            url.split('@').next_back().unwrap_or(&url)
        ),
    }
}

/// A fresh main database and key store database on the tests' PostgreSQL server, dropped
/// (with any connection still open to them) when the last server using them is gone.
pub struct PostgresDatabases {
    /// Name of the main database.
    pub main: String,
    /// Name of the key store database.
    pub keys: String,
    /// The write-ahead log segment current when they were created: it and later segments
    /// hold everything written to them.
    pub first_wal_segment: String,
    /// Databases a test made besides (restored backups), dropped with the others.
    extra: Mutex<Vec<String>>,
}

impl PostgresDatabases {
    fn create() -> Self {
        let suffix: String = (0..12)
            .map(|_| char::from(b'a' + (rand_byte() % 26)))
            .collect();
        let main = format!("ombuds_t_{suffix}");
        let keys = format!("ombuds_t_{suffix}_keys");
        let (m, k) = (main.clone(), keys.clone());
        let first_wal_segment = block_on(async move {
            let mut admin = postgres_admin().await;
            let segment: String =
                sqlx::query_scalar("SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
                    .fetch_one(&mut admin)
                    .await
                    .unwrap();
            for name in [m, k] {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
            segment
        });
        Self {
            main,
            keys,
            first_wal_segment,
            extra: Mutex::new(Vec::new()),
        }
    }

    /// Creates another empty database `name` on the same server, dropped with the others.
    pub async fn create_another(&self, name: &str) {
        let mut admin = postgres_admin().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap();
        self.extra.lock().unwrap().push(name.to_owned());
    }

    /// The URL of database `name`, for the service and for test connections.
    pub fn url(&self, name: &str) -> String {
        let admin = postgres_admin_url();
        let base = admin.split('?').next().unwrap_or(&admin);
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        format!("{server}/{name}")
    }
}

impl Drop for PostgresDatabases {
    fn drop(&mut self) {
        let mut names = vec![self.main.clone(), self.keys.clone()];
        names.extend(self.extra.lock().unwrap().drain(..));
        block_on(async move {
            let Ok(mut admin) = sqlx::PgConnection::connect(&postgres_admin_url()).await else {
                return;
            };
            for name in names {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await;
            }
        });
    }
}

/// Sets the servers' clock file in `root` to `instant`, atomically: a server reading it while
/// it changes sees the old time or the new one, never an empty file (which it would take for
/// no test clock at all, and fall back to the real date).
fn write_clock(root: &Path, instant: &str) {
    let partial = root.join("clock.partial");
    fs::write(&partial, instant).unwrap();
    fs::rename(&partial, root.join("clock")).unwrap();
}

/// A random byte from the operating system (for database names).
fn rand_byte() -> u8 {
    let mut byte = [0u8; 1];
    getrandom::fill(&mut byte).unwrap();
    byte[0]
}

/// A running server and everything around it.
pub struct TestServer {
    /// Base URL, ending in `/`.
    pub url: String,
    /// Temporary directory holding `data/`, the clock file and the captured output; shared
    /// by the processes of one deployment.
    pub root: Arc<TempDir>,
    child: Option<Child>,
    now: Arc<Mutex<chrono::DateTime<chrono::Utc>>>,
    engine: Engine,
    postgres: Option<Arc<PostgresDatabases>>,
    /// Names of this process's captured standard output and error, in `root`.
    output: (String, String),
    /// Extra environment variables for the server process.
    env: Vec<(&'static str, String)>,
    /// Standard error is a pipe nobody reads (see [`Options::closed_stderr`]).
    closed_stderr: bool,
}

/// A password every test account uses.
pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-in staff member: the session cookie and the CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    /// `name=value` for the `Cookie` header.
    pub cookie: String,
    /// The token for `X-CSRF-Token` and form fields.
    pub csrf: String,
}

/// How to start a server.
pub struct Options {
    /// Rewrites the configuration file before start-up.
    pub edit_config: Box<dyn Fn(String) -> String>,
    /// The instant the clock starts at (RFC 3339).
    pub now: String,
    /// Extra arguments to `serve`.
    pub extra_args: Vec<String>,
    /// Files to write into the data directory before start-up (name, contents).
    pub files: Vec<(&'static str, String)>,
    /// The database engine.
    pub engine: Engine,
    /// Extra environment variables for the server process.
    pub env: Vec<(&'static str, String)>,
    /// Starts the server with its standard error a pipe whose reading end is already closed,
    /// as when whatever collected the logs has gone away.
    pub closed_stderr: bool,
}

impl Options {
    /// The defaults, plus files to write into the data directory.
    pub fn with_files(files: Vec<(&'static str, String)>) -> Self {
        Self {
            files,
            ..Self::default()
        }
    }

    /// A server on `engine` that sweeps expired data every `seconds` instead of every minute.
    pub fn sweeping_every(engine: Engine, seconds: u32) -> Self {
        Self {
            engine,
            edit_config: Box::new(move |c| {
                c.replace(
                    "sweep_interval_seconds = 60",
                    &format!("sweep_interval_seconds = {seconds}"),
                )
            }),
            ..Self::default()
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            edit_config: Box::new(|c| c),
            now: "2026-03-02T17:00:00Z".into(),
            extra_args: Vec::new(),
            files: Vec::new(),
            engine: Engine::Sqlite,
            env: Vec::new(),
            closed_stderr: false,
        }
    }
}

impl TestServer {
    /// A server on `engine` with the default configuration (time zone America/Phoenix).
    pub fn start_on(engine: Engine) -> Self {
        Self::start_with(Options {
            engine,
            ..Options::default()
        })
    }

    /// A server configured as `options` say.
    pub fn start_with(options: Options) -> Self {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        init(&data);
        let config_path = data.join("ombuds.toml");
        let mut config = fs::read_to_string(&config_path).unwrap();
        let postgres = match options.engine {
            Engine::Sqlite => None,
            Engine::Postgres => {
                let databases = PostgresDatabases::create();
                config = config
                    .replace(
                        "url = \"sqlite:ombuds.db\"",
                        &format!("url = \"{}\"", databases.url(&databases.main)),
                    )
                    .replace(
                        "store = \"keys.db\"",
                        &format!("store = \"{}\"", databases.url(&databases.keys)),
                    );
                // The files `init` made for SQLite are not used; leave no empty ones about.
                for name in ["ombuds.db", "keys.db"] {
                    fs::remove_file(data.join(name)).unwrap();
                }
                Some(Arc::new(databases))
            }
        };
        fs::write(&config_path, (options.edit_config)(config)).unwrap();
        write_clock(root.path(), &options.now);
        for (name, contents) in &options.files {
            fs::write(data.join(name), contents).unwrap();
        }
        let now = chrono::DateTime::parse_from_rfc3339(&options.now)
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut server = Self {
            url: String::new(),
            root: Arc::new(root),
            child: None,
            now: Arc::new(Mutex::new(now)),
            engine: options.engine,
            postgres,
            output: ("stdout.log".into(), "stderr.log".into()),
            env: options.env,
            closed_stderr: options.closed_stderr,
        };
        server.spawn(&options.extra_args);
        server
    }

    /// Another `ombuds serve` process of the same deployment: the same configuration, data
    /// directory, databases and clock, with output captured to files of its own (named with
    /// `label`). Only meaningful on PostgreSQL, which several processes can share.
    pub fn another_process(&self, label: &str) -> Self {
        let mut other = Self {
            url: String::new(),
            root: Arc::clone(&self.root),
            child: None,
            now: Arc::clone(&self.now),
            engine: self.engine,
            postgres: self.postgres.clone(),
            output: (format!("stdout-{label}.log"), format!("stderr-{label}.log")),
            env: self.env.clone(),
            closed_stderr: self.closed_stderr,
        };
        other.spawn(&[]);
        other
    }

    /// The PostgreSQL databases of this server, if it runs on PostgreSQL.
    pub fn postgres(&self) -> Option<&PostgresDatabases> {
        self.postgres.as_deref()
    }

    fn spawn(&mut self, extra_args: &[String]) {
        let stdout = fs::File::create(self.root.path().join(&self.output.0)).unwrap();
        let stderr = fs::File::create(self.root.path().join(&self.output.1)).unwrap();
        let config = self.data_dir().join("ombuds.toml");
        let stderr = if self.closed_stderr {
            Stdio::piped()
        } else {
            Stdio::from(stderr)
        };
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra_args)
            .env("OMBUDS_LOG", "trace")
            .env("RUST_LOG", "trace")
            .env("OMBUDS_TEST_CLOCK_FILE", self.root.path().join("clock"))
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .stdout(Stdio::from(stdout))
            .stderr(stderr)
            .spawn()
            .unwrap();
        // Closing the only reading end: every write to standard error now fails (EPIPE).
        drop(child.stderr.take());
        self.child = Some(child);
        self.url = self.wait_for_url();
    }

    fn wait_for_url(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = fs::read_to_string(self.root.path().join(&self.output.0)).unwrap_or_default();
            if let Some(rest) = out.split("ombuds is listening on ").nth(1) {
                return rest.lines().next().unwrap().trim().to_owned();
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "server exited with {status} before listening:\n{}",
                    self.logs()
                );
            }
            assert!(
                Instant::now() < deadline,
                "server did not start:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// Moves the server's clock to `instant` (RFC 3339).
    pub fn set_clock(&self, instant: &str) {
        let parsed = chrono::DateTime::parse_from_rfc3339(instant).unwrap();
        *self.now.lock().unwrap() = parsed.with_timezone(&chrono::Utc);
        write_clock(self.root.path(), instant);
    }

    /// The server's current time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.now.lock().unwrap()
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, seconds: i64) {
        let next = self.now() + chrono::Duration::seconds(seconds);
        self.set_clock(&next.to_rfc3339());
    }

    /// The first-administrator token the server printed at start-up. The link is printed
    /// just after the line the start-up waits for, so a busy machine may need a moment more.
    pub fn setup_token(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = fs::read_to_string(self.root.path().join(&self.output.0)).unwrap();
            let token = out
                .rsplit("/enrol/")
                .next()
                .filter(|_| out.contains("/enrol/"))
                .and_then(|rest| rest.split_whitespace().next())
                .filter(|_| out.ends_with('\n'));
            if let Some(token) = token {
                return token.to_owned();
            }
            assert!(Instant::now() < deadline, "no setup link printed:\n{out}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The TOTP code an authenticator app would show now for `secret`.
    pub fn code(&self, secret: &ombuds::crypto::totp::TotpSecret) -> String {
        secret
            .code_at(u64::try_from(self.now().timestamp()).unwrap())
            .unwrap()
    }

    /// Completes an enrolment through the JSON API; returns the TOTP secret it showed.
    pub async fn enrol(
        &self,
        token: &str,
        username: Option<&str>,
    ) -> ombuds::crypto::totp::TotpSecret {
        let shown: serde_json::Value = self
            .client()
            .get(self.at(&format!("/api/v1/enrolments/{token}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let base32 = shown["totp_secret"].as_str().unwrap();
        let bytes = data_encoding::BASE32_NOPAD
            .decode(base32.as_bytes())
            .unwrap();
        let secret = ombuds::crypto::totp::TotpSecret::from_bytes(&bytes).unwrap();
        let mut body = serde_json::json!({ "password": PASSWORD, "totp": self.code(&secret) });
        if let Some(name) = username {
            body["username"] = name.into();
        }
        let done = self
            .client()
            .post(self.at(&format!("/api/v1/enrolments/{token}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            done.status(),
            201,
            "enrolment failed: {}",
            done.text().await.unwrap()
        );
        secret
    }

    /// Signs in through the JSON API, a fresh TOTP step later.
    pub async fn sign_in(
        &self,
        username: &str,
        secret: &ombuds::crypto::totp::TotpSecret,
    ) -> Session {
        self.advance(30);
        let response = self
            .client()
            .post(self.at("/api/v1/session"))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD, "totp": self.code(secret) }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "sign-in failed");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let body: serde_json::Value = response.json().await.unwrap();
        Session {
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Enrols the first administrator with the printed setup link and signs them in.
    pub async fn admin(&self) -> Session {
        let secret = self.enrol(&self.setup_token(), Some("ada")).await;
        self.sign_in("ada", &secret).await
    }

    /// Has `admin` create an account with `role`, enrols it, and signs it in.
    pub async fn staff(&self, admin: &Session, username: &str, role: &str) -> Session {
        let secret = self.enrol_staff(admin, username, role).await;
        self.sign_in(username, &secret).await
    }

    /// Has `admin` create an account with `role` and enrols it; returns its TOTP secret.
    pub async fn enrol_staff(
        &self,
        admin: &Session,
        username: &str,
        role: &str,
    ) -> ombuds::crypto::totp::TotpSecret {
        let created = self
            .client()
            .post(self.at("/api/v1/users"))
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .json(&serde_json::json!({ "username": username, "role": role }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let body: serde_json::Value = created.json().await.unwrap();
        let url = body["enrolment_url"].as_str().unwrap();
        let token = url.rsplit('/').next().unwrap();
        self.enrol(token, None).await
    }

    /// A request with `session`'s cookie (and CSRF header for changes).
    pub fn as_staff(
        &self,
        session: &Session,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client()
            .request(method, self.at(path))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
    }

    /// Sends `body` (JSON, or none) to the console API as `session`; the status and the JSON
    /// answer (`Null` when the answer is not JSON).
    pub async fn api(
        &self,
        session: &Session,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let request = self.as_staff(session, method, path);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_default())
    }

    /// Posts a console form as `session`, its CSRF token added; the answer (redirects are not
    /// followed).
    pub async fn post_form(
        &self,
        session: &Session,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &session.csrf));
        self.client()
            .post(self.at(path))
            .header("cookie", &session.cookie)
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// The id of every case in `ombuds`'s list (`GET /api/v1/cases`), in its order.
    pub async fn case_ids(&self, ombuds: &Session) -> Vec<String> {
        let (_, cases) = self
            .api(ombuds, reqwest::Method::GET, "/api/v1/cases", None)
            .await;
        cases
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The newest case in the list, opened by `ombuds`; its id.
    pub async fn opened_case(&self, ombuds: &Session) -> String {
        let (_, cases) = self
            .api(ombuds, reqwest::Method::GET, "/api/v1/cases", None)
            .await;
        let id = cases[0]["id"].as_str().unwrap().to_owned();
        let (status, _) = self
            .api(
                ombuds,
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/open"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        id
    }

    /// A web concern with `description`, submitted and opened by `ombuds`: (case id, receipt).
    pub async fn submitted_and_opened(
        &self,
        ombuds: &Session,
        description: &str,
    ) -> (String, String) {
        let receipt = self.submit(description).await;
        (self.opened_case(ombuds).await, receipt)
    }

    /// Submits a web concern with `description`; returns its receipt.
    pub async fn submit(&self, description: &str) -> String {
        let mut concern = valid_concern();
        concern["description"] = description.into();
        let response = self
            .client()
            .post(self.at("/api/v1/concerns"))
            .json(&concern)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        body["receipt"].as_str().unwrap().to_owned()
    }

    /// The token of a fresh intake form (`GET /{query}`), which makes a second sending of the
    /// same form find the first one's case.
    pub async fn form_token(&self, query: &str) -> String {
        let page = self
            .client()
            .get(self.at(&format!("/{query}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        page.split("name=\"form_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the intake form carries a token")
            .to_owned()
    }

    /// Sends the intake form `fields` to `POST /concerns{query}`, checks that it is answered
    /// `303 See Other` to the receipt page with the receipt cookie, and follows the redirect
    /// as a browser does.
    pub async fn send_form(&self, query: &str, fields: &[(&str, &str)]) -> FormAnswer {
        let answer = self
            .client()
            .post(self.at(&format!("/concerns{query}")))
            .form(fields)
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status(),
            303,
            "the form was not answered with a redirect: {}",
            answer.text().await.unwrap()
        );
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("/receipt{query}"));
        let set_cookie = answer.headers()["set-cookie"].to_str().unwrap().to_owned();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let page = self.receipt_page(&location, &cookie).await;
        FormAnswer {
            location,
            set_cookie,
            cookie,
            page,
        }
    }

    /// `GET {path}` (the receipt page) with the receipt `cookie`: the page, which must be a
    /// `200` that no cache keeps.
    pub async fn receipt_page(&self, path: &str, cookie: &str) -> String {
        let shown = self
            .client()
            .get(self.at(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(shown.status(), 200, "no receipt page at {path}");
        assert_eq!(shown.headers()["cache-control"], "no-store");
        assert!(shown.headers().get("set-cookie").is_none());
        shown.text().await.unwrap()
    }

    /// The submitter's thread, read with `receipt` from `GET /api/v1/followup{query}`.
    pub async fn followup(&self, receipt: &str, query: &str) -> serde_json::Value {
        self.client()
            .get(self.at(&format!("/api/v1/followup{query}")))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Everything the server printed so far, standard output then standard error.
    pub fn logs(&self) -> String {
        let read = |name: &str| fs::read_to_string(self.root.path().join(name)).unwrap_or_default();
        format!("{}{}", read(&self.output.0), read(&self.output.1))
    }

    /// An HTTP client that follows no redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The `host:port` the server listens on.
    pub fn address(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url.trim_end_matches('/'), path)
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("server running");
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it to be gone.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("server running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Waits (polling, at most 20 s) until `check` holds.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !check().await {
            assert!(
                Instant::now() < deadline,
                "gave up waiting: {what}\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Starts the server again on the same data directory.
    pub fn restart(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
        self.spawn(&[]);
    }

    /// Every file that holds this deployment's data, with its bytes: the data directory and,
    /// on PostgreSQL, the files of its two databases and the write-ahead log written since
    /// they were created (after a checkpoint, so that everything committed is in them).
    pub fn data_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut paths: Vec<PathBuf> = fs::read_dir(self.data_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        if let Some(databases) = self.postgres() {
            paths.extend(postgres_files(databases));
        }
        let mut files: Vec<_> = paths
            .into_iter()
            .filter_map(|p| fs::read(&p).ok().map(|bytes| (p, bytes)))
            .collect();
        files.sort();
        files
    }

    /// Opens the database read-only (SQLite) or as the tests' role (PostgreSQL), as an
    /// operator or an intruder could. Queries use `$1` for parameters, which both accept.
    pub async fn database(&self) -> sqlx::AnyConnection {
        match self.postgres() {
            Some(databases) => open_postgres(&databases.url(&databases.main)).await,
            None => open_sqlite(&self.data_dir().join("ombuds.db")).await,
        }
    }

    /// Opens the key store.
    pub async fn key_store(&self) -> sqlx::AnyConnection {
        match self.postgres() {
            Some(databases) => open_postgres(&databases.url(&databases.keys)).await,
            None => open_sqlite(&self.data_dir().join("keys.db")).await,
        }
    }

    /// The process id of the running server.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server running").id()
    }

    /// The most resident memory the running server has used at any moment (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status")
    }

    /// Whether the server process has exited (without reaping it for good: the exit status
    /// is kept by `Child`).
    pub fn has_exited(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => child.try_wait().unwrap().is_some(),
            None => true,
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn open_sqlite(path: &Path) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .unwrap()
}

async fn open_postgres(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url).await.unwrap()
}

/// The files of `databases` in the PostgreSQL server's data directory, and the write-ahead
/// log segments written since they were created, after a checkpoint has written everything
/// committed to them. Panics, saying why, if the data directory cannot be read (the tests
/// must then run as a user who can read it, as CI does).
fn postgres_files(databases: &PostgresDatabases) -> Vec<PathBuf> {
    let names = [databases.main.clone(), databases.keys.clone()];
    let (directory, oids) = block_on(async move {
        let mut admin = postgres_admin().await;
        sqlx::raw_sql("CHECKPOINT")
            .execute(&mut admin)
            .await
            .expect("the tests' role needs pg_checkpoint (.ci/postgres grants it)");
        let directory: String = sqlx::query_scalar("SELECT current_setting('data_directory')")
            .fetch_one(&mut admin)
            .await
            .expect("the tests' role needs pg_read_all_settings (.ci/postgres grants it)");
        let oids: Vec<sqlx::postgres::types::Oid> =
            sqlx::query_scalar("SELECT oid FROM pg_database WHERE datname = ANY($1)")
                .bind(&names[..])
                .fetch_all(&mut admin)
                .await
                .unwrap();
        (PathBuf::from(directory), oids)
    });
    let listing = |dir: &Path| -> Vec<PathBuf> {
        fs::read_dir(dir)
            .unwrap_or_else(|e| {
                panic!(
                    "cannot read PostgreSQL's data directory {}: {e}. Run the tests as a user \
                     who can (CI runs as root), or use the server `.ci/postgres start` makes, \
                     which belongs to whoever starts it",
                    dir.display()
                )
            })
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect()
    };
    assert_eq!(oids.len(), 2, "both test databases exist");
    let mut files = Vec::new();
    for oid in oids {
        files.extend(listing(&directory.join("base").join(oid.0.to_string())));
    }
    // Segment names are hexadecimal of fixed width: later segments sort later.
    let first = databases.first_wal_segment.as_str();
    files.extend(listing(&directory.join("pg_wal")).into_iter().filter(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.len() == first.len() && n >= first)
    }));
    files
}

/// A backup of a PostgreSQL server's main database as an operator takes one (`pg_dump`),
/// restored into a database of its own, and opened.
pub async fn postgres_backup(server: &TestServer) -> sqlx::AnyConnection {
    let databases = server.postgres().expect("a server on PostgreSQL");
    let copy = format!("{}_backup", databases.main);
    let mut admin = postgres_admin().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{copy}\"")))
        .execute(&mut admin)
        .await
        .unwrap();
    databases.extra.lock().unwrap().push(copy.clone());
    let dump = server.root.path().join("backup.sql");
    let dumped = Command::new("pg_dump")
        .args(["--no-owner", "--file"])
        .arg(&dump)
        .arg(databases.url(&databases.main))
        .output()
        .expect("pg_dump (Debian package postgresql-client) must be installed");
    assert!(
        dumped.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&dumped.stderr)
    );
    let restored = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&dump)
        .arg(databases.url(&copy))
        .output()
        .expect("psql must be installed");
    assert!(
        restored.status.success(),
        "restoring the dump: {}",
        String::from_utf8_lossy(&restored.stderr)
    );
    open_postgres(&databases.url(&copy)).await
}

/// Opens a copy of a database file (with its WAL beside it) without changing it.
pub async fn open_sqlite_copy(path: &Path) -> sqlx::AnyConnection {
    open_sqlite(path).await
}

/// An intake form's answer, followed to the receipt page.
pub struct FormAnswer {
    /// Where the answer sent the browser.
    pub location: String,
    /// The `Set-Cookie` header, whole.
    pub set_cookie: String,
    /// The cookie as the browser sends it back (`name=value`).
    pub cookie: String,
    /// The receipt page.
    pub page: String,
}

impl FormAnswer {
    /// The receipt the page shows.
    pub fn receipt(&self) -> String {
        receipt_on(&self.page).expect("the page shows a receipt")
    }
}

/// The receipt a receipt page shows, if any.
pub fn receipt_on(page: &str) -> Option<String> {
    page.split("<p class=\"receipt\" lang=\"en\"><code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .map(str::to_owned)
}

/// Counts the rows of `table`.
pub async fn count(conn: &mut sqlx::AnyConnection, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    contains_bytes(haystack, needle.as_bytes())
}

/// Whether `needle` occurs in `haystack`, fast enough for PostgreSQL's 16 MiB log segments.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Asserts the security headers every response must carry.
pub fn assert_security_headers(headers: &HeaderMap, what: &str) {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
            .to_owned()
    };
    let csp = get("content-security-policy");
    for part in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part}");
    }
    assert!(
        !csp.contains("unsafe-inline"),
        "{what}: CSP allows inline code"
    );
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert!(
        get("cache-control").contains("no-store") || what.contains("stylesheet"),
        "{what}"
    );
}

/// A valid JSON submission.
pub fn valid_concern() -> serde_json::Value {
    serde_json::json!({
        "category": "communication",
        "raised_by": "client",
        "description": "The listing agent stopped answering my calls after the inspection.",
        "accept_conditions": true
    })
}

/// Sends the head of a `POST path` to `address` (`host:port`) announcing the body's length,
/// then the body, `bytes_per_tick` every `tick`; returns the status the server answered with
/// (0 for none) and how long after the start.
pub async fn trickle(
    address: String,
    path: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    bytes_per_tick: usize,
    tick: Duration,
) -> (u16, Duration) {
    let started = std::time::Instant::now();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes())
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        for chunk in body.chunks(bytes_per_tick) {
            if writer.write_all(chunk).await.is_err() {
                return;
            }
            tokio::time::sleep(tick).await;
        }
    });
    let mut answer = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut answer).await;
    sender.abort();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed())
}
