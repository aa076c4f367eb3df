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
        let mut server = Self {
            url: String::new(),
            root,
            child: None,
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
        fs::write(self.root.path().join("clock"), instant).unwrap();
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
