//! One `ombuds` command run as a process to completion: its exit status, standard output and
//! standard error, and the two verdicts every command test asks for. Success is status 0 with
//! nothing on standard error; the caller's mistake is status 2 with nothing on standard output
//! and exactly one line on standard error, starting `error: ` (a refusal that is not the
//! caller's fault, such as a bad certificate, is the same with status 1).
//!
//! Every run starts in an empty working directory of its own unless told otherwise, so that no
//! `./ombuds-data` of a developer's is ever read, and with no test clock unless given one.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::BIN;

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// The exit status (`None` if a signal ended it).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The command line, for the messages of failed assertions.
    line: String,
}

impl Run {
    /// Expects status 0 with nothing on standard error; returns standard output.
    pub fn success(&self) -> String {
        assert_eq!(self.code, Some(0), "{}: stderr: {}", self.line, self.stderr);
        assert_eq!(self.stderr, "", "{}: nothing on stderr", self.line);
        self.stdout.clone()
    }

    /// Expects status 0 with nothing on standard error and the whole of standard output one
    /// JSON value; returns it.
    pub fn json(&self) -> Value {
        let stdout = self.success();
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"))
    }

    /// Expects exit status `code`, nothing on standard output and exactly one line on standard
    /// error, starting `error: `; returns that line without its line break.
    pub fn failure(&self, code: i32) -> String {
        let line = &self.line;
        assert_eq!(self.code, Some(code), "{line}: stderr: {}", self.stderr);
        assert_eq!(self.stdout, "", "{line}: nothing on stdout");
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "{line}: one line: {:?}",
            self.stderr
        );
        assert!(
            self.stderr.starts_with("error: "),
            "{line}: {:?}",
            self.stderr
        );
        self.stderr.trim_end().to_owned()
    }
}

/// The test clock a run reads.
#[derive(Clone, Debug)]
enum Clock {
    /// The system clock.
    System,
    /// Fixed at an instant (RFC 3339).
    At(String),
    /// Whatever this file says when the command reads it (a running server's clock).
    File(PathBuf),
}

/// How to run one command of the binary: `ombuds COMMAND ARGS…`.
#[derive(Clone, Debug)]
pub struct Cli {
    command: &'static str,
    cwd: Option<PathBuf>,
    clock: Clock,
    env: Vec<(&'static str, String)>,
}

impl Cli {
    /// `ombuds command`, in an empty directory, on the system clock.
    pub fn new(command: &'static str) -> Self {
        Self {
            command,
            cwd: None,
            clock: Clock::System,
            env: Vec::new(),
        }
    }

    /// Runs in `cwd` instead of an empty directory.
    pub fn in_dir(mut self, cwd: &Path) -> Self {
        self.cwd = Some(cwd.to_owned());
        self
    }

    /// Runs with the test clock reading `instant` (RFC 3339).
    pub fn clock(mut self, instant: &str) -> Self {
        self.clock = Clock::At(instant.to_owned());
        self
    }

    /// Runs with the test clock in `file`, as a server of the test reads it.
    pub fn clock_file(mut self, file: &Path) -> Self {
        self.clock = Clock::File(file.to_owned());
        self
    }

    /// Runs with the environment variable `name` set to `value`.
    pub fn env(mut self, name: &'static str, value: &str) -> Self {
        self.env.push((name, value.to_owned()));
        self
    }

    /// Runs `ombuds COMMAND args…` with nothing on standard input.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, "")
    }

    /// Runs `ombuds COMMAND args…` with `stdin` as standard input.
    pub fn run_with_input(&self, args: &[&str], stdin: &str) -> Run {
        let scratch = tempfile::tempdir().unwrap();
        let mut command = Command::new(BIN);
        command
            .arg(self.command)
            .args(args)
            .current_dir(self.cwd.as_deref().unwrap_or(scratch.path()))
            .env_remove("OMBUDS_LOG")
            .env_remove("OMBUDS_TEST_CLOCK_FILE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match &self.clock {
            Clock::System => {}
            Clock::At(instant) => {
                let file = scratch.path().join("clock");
                std::fs::write(&file, instant).unwrap();
                command.env("OMBUDS_TEST_CLOCK_FILE", file);
            }
            Clock::File(file) => {
                command.env("OMBUDS_TEST_CLOCK_FILE", file);
            }
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        // A command that never reads its input may exit first: a broken pipe is no failure.
        let _ = input.write_all(stdin.as_bytes());
        drop(input);
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            line: format!("ombuds {} {}", self.command, args.join(" ")),
        }
    }

    /// Runs, expects success with nothing on standard error, and returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        self.run(args).success()
    }

    /// Runs, expects the caller's mistake (status 2, one line on standard error), and returns
    /// that line.
    pub fn bad(&self, args: &[&str]) -> String {
        self.run(args).failure(2)
    }
}

/// A temporary file named with `suffix` (`.toml`, `.json`) holding `text`, removed when dropped.
pub fn file(suffix: &str, text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(suffix).tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}
