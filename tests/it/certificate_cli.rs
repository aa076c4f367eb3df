//! `ombuds certificate`, run as a real process on a data directory made by `ombuds init`:
//! verifying certificates of both kinds issued by the library with that directory's key (from a
//! file and from standard input), tampered and foreign ones, the public key, that certificates
//! cannot be issued from the command line, and the exit status and one-line message for bad
//! arguments.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ombuds::crypto::certificate::SigningKey;
use tempfile::TempDir;

use crate::support::{
    self,
    cli::{Cli, Run},
};

/// Runs `ombuds certificate ARGS` in `cwd`, with `stdin` as standard input and the clock fixed.
fn certificate(cwd: &Path, args: &[&str], stdin: &str) -> Run {
    Cli::new("certificate")
        .in_dir(cwd)
        .clock("2026-03-17T06:30:00Z")
        .run_with_input(args, stdin)
}

/// A data directory made by `ombuds init`.
struct Data {
    root: TempDir,
}

impl Data {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        support::init(&root.path().join("ombuds-data"));
        Self { root }
    }

    fn root(&self) -> &Path {
        self.root.path()
    }

    fn config(&self) -> PathBuf {
        self.root().join("ombuds-data/ombuds.toml")
    }

    fn config_arg(&self) -> String {
        self.config().to_str().unwrap().to_owned()
    }

    /// A certificate issued by the library with this directory's signing key.
    fn issue(&self, first: &str, termination: &str) -> String {
        let key = SigningKey::load(&self.root().join("ombuds-data/signing.key")).unwrap();
        key.issue(
            "Example Association of REALTORS®",
            date(first),
            date(termination),
            date("2026-03-16"),
        )
        .unwrap()
        .armoured()
    }

    /// Writes `text` to a file in the root and returns its path.
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.root().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

fn date(text: &str) -> NaiveDate {
    ombuds::domain::dates::parse_iso_date(text).unwrap()
}

#[test]
fn init_makes_an_owner_only_signing_key_and_prints_its_public_key() {
    let data = Data::new();
    let key = data.root().join("ombuds-data/signing.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let run = certificate(data.root(), &["public-key"], "");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let public = run.stdout.trim_end();
    assert!(public.starts_with("ed25519:"), "{public}");
    assert_eq!(run.stdout.lines().count(), 1);
    // The default configuration is ./ombuds-data/ombuds.toml, as for `serve`; --config names
    // the same one.
    let named = certificate(
        Path::new("/"),
        &["public-key", "--config", &data.config_arg()],
        "",
    );
    assert_eq!(named.stdout, run.stdout);
}

#[test]
fn a_certificate_from_the_library_verifies_from_a_file_and_from_stdin() {
    let data = Data::new();
    let text = data.issue("2026-02-02", "2026-03-13");
    let file = data.file(
        "certificate.txt",
        &format!("Forwarded message:\r\n\r\n{text}\r\n-- \r\n"),
    );

    let out = certificate(
        data.root(),
        &["verify", &file, "--config", &data.config_arg()],
        "",
    )
    .json();
    assert_eq!(out["valid"], true);
    assert_eq!(out["first_contact"], "2026-02-02");
    assert_eq!(out["termination"], "2026-03-13");
    assert_eq!(out["days_suspended"], 40);
    assert_eq!(out["resumes_on"], "2026-03-14");
    assert_eq!(out["issued"], "2026-03-16");
    assert_eq!(out["association"], "Example Association of REALTORS®");
    assert_eq!(out["format"], "ombuds-suspension-certificate/1");
    assert_eq!(out["kind"], "suspension");
    assert_eq!(out["certificate_id"].as_str().unwrap().len(), 26);

    // Standard input, with the default configuration of the working directory.
    let from_stdin = certificate(data.root(), &["verify", "-"], &text).json();
    assert_eq!(from_stdin, out);

    // An explicit public key needs no configuration at all.
    let public = certificate(data.root(), &["public-key"], "").stdout;
    let elsewhere = tempfile::tempdir().unwrap();
    let with_key = certificate(
        elsewhere.path(),
        &["verify", &file, "--public-key", public.trim()],
        "",
    )
    .json();
    assert_eq!(with_key, out);
}

#[test]
fn a_tampered_certificate_fails_with_exit_1_and_one_clear_line() {
    let data = Data::new();
    let text = data.issue("2026-02-02", "2026-03-13");
    let tampered = text.replace("Termination: 2026-03-13", "Termination: 2026-04-13");
    let run = certificate(data.root(), &["verify", "-"], &tampered);
    let line = run.failure(1);
    assert!(line.contains("the signature does not match"), "{line}");

    let not_one = certificate(data.root(), &["verify", "-"], "Dear ombuds, thank you.\n");
    assert!(
        not_one
            .failure(1)
            .contains("not a certificate of the association")
    );
}

#[test]
fn a_certificate_from_another_association_names_its_key() {
    let ours = Data::new();
    let theirs = Data::new();
    let text = theirs.issue("2026-02-02", "2026-03-13");
    let their_fingerprint = SigningKey::load(&theirs.root().join("ombuds-data/signing.key"))
        .unwrap()
        .public_key()
        .fingerprint()
        .to_string();
    let run = certificate(ours.root(), &["verify", "-"], &text);
    let line = run.failure(1);
    assert!(
        line.contains(&format!(
            "made with a different key (fingerprint {their_fingerprint})"
        )),
        "{line}"
    );
}

#[test]
fn a_retired_key_in_the_configuration_still_verifies() {
    let ours = Data::new();
    let old = Data::new();
    let text = old.issue("2026-02-02", "2026-03-13");
    let old_public = certificate(old.root(), &["public-key"], "").stdout;
    let config = std::fs::read_to_string(ours.config()).unwrap().replace(
        "retired_public_keys = []",
        &format!("retired_public_keys = [\"{}\"]", old_public.trim()),
    );
    std::fs::write(ours.config(), config).unwrap();
    let out = certificate(ours.root(), &["verify", "-"], &text).json();
    assert_eq!(out["valid"], true);
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let data = Data::new();
    let text = data.issue("2026-02-02", "2026-03-13");
    let file = data.file("c.txt", &text);
    let config = data.config_arg();

    let bad_key = certificate(
        data.root(),
        &["verify", &file, "--public-key", "ed25519:AAAA"],
        "",
    );
    assert!(bad_key.failure(2).contains("--public-key"));

    let missing = certificate(data.root(), &["verify", "no-such-file.txt"], "");
    assert!(
        missing
            .failure(2)
            .contains("cannot read \"no-such-file.txt\"")
    );

    let no_config = certificate(
        data.root(),
        &["verify", &file, "--config", "nowhere/ombuds.toml"],
        "",
    );
    assert!(no_config.failure(2).contains("nowhere/ombuds.toml"));

    let elsewhere = tempfile::tempdir().unwrap();
    let no_default = certificate(elsewhere.path(), &["public-key"], "");
    assert!(no_default.failure(2).contains("ombuds-data/ombuds.toml"));

    // clap's own usage errors keep clap's message but the same status.
    for args in [
        vec!["verify"],
        vec![
            "verify",
            &file,
            "--config",
            &config,
            "--public-key",
            "ed25519:x",
        ],
        vec!["verify", &file, "--unknown"],
        vec!["frobnicate"],
    ] {
        let run = certificate(data.root(), &args, "");
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }

    // A signing key others can read is refused, naming the fix.
    std::fs::set_permissions(
        data.root().join("ombuds-data/signing.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let open = certificate(data.root(), &["public-key"], "");
    assert!(open.failure(2).contains("chmod 600"));
}

#[test]
fn certificates_are_issued_only_by_the_service_not_from_the_command_line() {
    // The hidden `issue` command is gone: a certificate issued from the command line would be
    // one that the register of superseded certificates knows nothing of.
    let data = Data::new();
    let run = certificate(
        data.root(),
        &[
            "issue",
            "--first-contact",
            "2026-02-02",
            "--termination",
            "2026-03-13",
        ],
        "",
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("issue"), "{}", run.stderr);
    let help = certificate(data.root(), &["--help"], "");
    assert!(!help.stdout.contains("issue"), "{}", help.stdout);
}

#[test]
fn a_resolution_certificate_verifies_and_is_explained_in_plain_words() {
    let data = Data::new();
    let key = SigningKey::load(&data.root().join("ombuds-data/signing.key")).unwrap();
    let text = key
        .issue_resolution(
            "Example Association of REALTORS®",
            date("2026-02-02"),
            date("2026-03-10"),
            date("2026-03-16"),
        )
        .unwrap()
        .armoured();
    let out = certificate(
        data.root(),
        &["verify", "-"],
        &format!("Hi,\n\n{text}\nBye\n"),
    )
    .json();
    assert_eq!(out["valid"], true);
    assert_eq!(out["kind"], "resolution");
    assert_eq!(out["format"], "ombuds-resolution-certificate/1");
    assert_eq!(out["first_contact"], "2026-02-02");
    assert_eq!(out["agreed"], "2026-03-10");
    assert_eq!(out["issued"], "2026-03-16");
    let statement = out["statement"].as_str().unwrap();
    for needed in [
        "first brought to it on Monday, 2 February 2026",
        "agreed a resolution on Tuesday, 10 March 2026",
        "the complaining party may file an ethics complaint, and Monday, 2 February 2026 counts as its filing date",
        "grievance committee to decide",
    ] {
        assert!(statement.contains(needed), "{needed:?} in {statement}");
    }
    assert!(!statement.contains("suspend"), "{statement}");

    let tampered = text.replace("Agreed: 2026-03-10", "Agreed: 2026-03-09");
    let line = certificate(data.root(), &["verify", "-"], &tampered).failure(1);
    assert!(line.contains("the signature does not match"), "{line}");
}

#[test]
fn rotating_the_key_keeps_old_certificates_checkable() {
    let data = Data::new();
    let old_text = data.issue("2026-02-02", "2026-03-13");
    let old_public = certificate(data.root(), &["public-key"], "").stdout;

    // Make a new key, point the configuration at it, and retire the old one.
    let new_key = data.root().join("ombuds-data/signing-2027.key");
    let made = certificate(
        data.root(),
        &["generate-key", new_key.to_str().unwrap()],
        "",
    );
    assert_eq!(made.code, Some(0), "{}", made.stderr);
    let mode = std::fs::metadata(&new_key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = certificate(
        data.root(),
        &["generate-key", new_key.to_str().unwrap()],
        "",
    );
    assert!(again.failure(2).contains("already exists"));

    let config = std::fs::read_to_string(data.config())
        .unwrap()
        .replace(
            "signing_key = \"signing.key\"",
            "signing_key = \"signing-2027.key\"",
        )
        .replace(
            "retired_public_keys = []",
            &format!("retired_public_keys = [\"{}\"]", old_public.trim()),
        );
    std::fs::write(data.config(), config).unwrap();
    let now_public = certificate(data.root(), &["public-key"], "").stdout;
    assert_eq!(now_public, made.stdout, "the new key is in use");

    let old = certificate(data.root(), &["verify", "-"], &old_text).json();
    assert_eq!(old["valid"], true);
    let issued = SigningKey::load(&new_key)
        .unwrap()
        .issue(
            "Example Association of REALTORS®",
            date("2026-02-02"),
            date("2026-03-13"),
            date("2026-03-16"),
        )
        .unwrap()
        .armoured();
    let new = certificate(data.root(), &["verify", "-"], &issued).json();
    assert_ne!(new["key_fingerprint"], old["key_fingerprint"]);
}

#[test]
fn serve_refuses_a_readable_signing_key() {
    let data = Data::new();
    std::fs::set_permissions(
        data.root().join("ombuds-data/signing.key"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let out = support::run(data.root(), &["serve", "--config", &data.config_arg()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("signing key") && err.contains("chmod 600"),
        "{err}"
    );
}
