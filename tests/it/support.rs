//! A real `ombuds` server for tests: initialised with `ombuds init` in a temporary directory,
//! started as a process on an ephemeral loopback port, with its clock in a file the test can
//! move, and its standard output and error captured to files the test can search.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use tempfile::TempDir;

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_ombuds");

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

/// A running server and everything around it.
pub struct TestServer {
    /// Base URL, ending in `/`.
    pub url: String,
    /// Temporary directory holding `data/`, the clock file and the captured output.
    pub root: TempDir,
    child: Option<Child>,
    now: std::sync::Mutex<chrono::DateTime<chrono::Utc>>,
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
}

impl Options {
    /// The defaults, plus files to write into the data directory.
    pub fn with_files(files: Vec<(&'static str, String)>) -> Self {
        Self {
            files,
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
        }
    }
}

impl TestServer {
    /// A server with the default configuration (time zone America/Phoenix).
    pub fn start() -> Self {
        Self::start_with(Options::default())
    }

    /// A server configured as `options` say.
    pub fn start_with(options: Options) -> Self {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        init(&data);
        let config_path = data.join("ombuds.toml");
        let config = fs::read_to_string(&config_path).unwrap();
        fs::write(&config_path, (options.edit_config)(config)).unwrap();
        fs::write(root.path().join("clock"), &options.now).unwrap();
        for (name, contents) in &options.files {
            fs::write(data.join(name), contents).unwrap();
        }
        let now = chrono::DateTime::parse_from_rfc3339(&options.now)
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut server = Self {
            url: String::new(),
            root,
            child: None,
            now: std::sync::Mutex::new(now),
        };
        server.spawn(&options.extra_args);
        server
    }

    fn spawn(&mut self, extra_args: &[String]) {
        let stdout = fs::File::create(self.root.path().join("stdout.log")).unwrap();
        let stderr = fs::File::create(self.root.path().join("stderr.log")).unwrap();
        let config = self.data_dir().join("ombuds.toml");
        let child = Command::new(BIN)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra_args)
            .env("OMBUDS_LOG", "trace")
            .env("RUST_LOG", "trace")
            .env("OMBUDS_TEST_CLOCK_FILE", self.root.path().join("clock"))
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap();
        self.child = Some(child);
        self.url = self.wait_for_url();
    }

    fn wait_for_url(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = fs::read_to_string(self.root.path().join("stdout.log")).unwrap_or_default();
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
        fs::write(self.root.path().join("clock"), instant).unwrap();
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

    /// The first-administrator token the server printed at start-up.
    pub fn setup_token(&self) -> String {
        let out = fs::read_to_string(self.root.path().join("stdout.log")).unwrap();
        out.rsplit("/enrol/")
            .next()
            .filter(|_| out.contains("/enrol/"))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no setup link printed:\n{out}"))
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

    /// Everything the server printed so far, standard output then standard error.
    pub fn logs(&self) -> String {
        let read = |name: &str| fs::read_to_string(self.root.path().join(name)).unwrap_or_default();
        format!("{}{}", read("stdout.log"), read("stderr.log"))
    }

    /// An HTTP client that follows no redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
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

    /// Every file of the data directory, with its bytes.
    pub fn data_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<_> = fs::read_dir(self.data_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| {
                let bytes = fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect();
        files.sort();
        files
    }

    /// Opens the database read-only, as an operator or an intruder could.
    pub async fn database(&self) -> sqlx::SqliteConnection {
        open_sqlite(&self.data_dir().join("ombuds.db")).await
    }

    /// Opens the key store read-only.
    pub async fn key_store(&self) -> sqlx::SqliteConnection {
        open_sqlite(&self.data_dir().join("keys.db")).await
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

async fn open_sqlite(path: &Path) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .unwrap()
}

/// Opens a copy of a database file (with its WAL beside it) without changing it.
pub async fn open_sqlite_copy(path: &Path) -> sqlx::SqliteConnection {
    open_sqlite(path).await
}

/// Counts the rows of `table`.
pub async fn count(conn: &mut sqlx::SqliteConnection, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
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
