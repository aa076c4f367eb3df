//! The `ombuds certificate` subcommands: check a suspension or resolution certificate without
//! any stored case data (`verify`), print the public key an association publishes
//! (`public-key`), and make a new signing key when replacing one (`generate-key`). Certificates
//! are issued only by the service, with the letters that carry them, so that the register of
//! superseded certificates knows every one.
//!
//! This module owns the command-line glue only: arguments, reading the certificate from a file
//! or standard input, loading keys named by a configuration, and writing results. The format and
//! the checks live in [`crate::crypto::certificate`], the statement in plain words in
//! [`crate::letters::verified_json`]. It never reads the clock.
//!
//! Exit status: 0 on success (`verify` prints the verified fields as one JSON object, naming the
//! kind, with a resolution certificate's statement in English); 1 with a
//! one-line `error: ...` on stderr when a certificate does not verify (or output cannot be
//! written); 2 with a one-line message for bad arguments, an unreadable file, or an unusable
//! configuration or key.

use std::io::{ErrorKind, Read as _};
use std::path::{Path, PathBuf};

use super::{Failure, Outcome};
use crate::config::Config;
use crate::crypto::certificate::{self, PublicKey, SigningKey};
use crate::crypto::secret_file::{self, SecretFileError};
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;

/// Largest certificate input read, in bytes: a certificate is well under 1 KiB, and this leaves
/// room for the whole e-mail it arrived in.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

/// Arguments of `ombuds certificate`.
#[derive(Debug, Clone, clap::Args)]
pub struct CertificateArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: CertificateCommand,
}

/// The `ombuds certificate` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CertificateCommand {
    /// Check a suspension or resolution certificate and print its fields as JSON (exit 1 if it
    /// does not verify).
    #[command(after_help = Lang::En.t("cli.help.certificate_verify"))]
    Verify {
        /// File holding the certificate, or - to read standard input.
        #[arg(value_name = "FILE|-")]
        input: String,
        /// Configuration whose signing key to check against [default: ./ombuds-data/ombuds.toml].
        #[arg(long, value_name = "FILE", conflicts_with = "public_key")]
        config: Option<PathBuf>,
        /// Check against this public key ("ed25519:..."), as `ombuds certificate public-key`
        /// prints it, instead of a configuration. Repeatable (for retired keys).
        #[arg(long = "public-key", value_name = "KEY", value_parser = parse_public_key)]
        public_key: Vec<PublicKey>,
    },
    /// Print the public key that checks this association's certificates, for publishing.
    PublicKey {
        /// Configuration of the data directory [default: ./ombuds-data/ombuds.toml].
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Create a new signing key file (mode 0600, never overwriting) and print its public key:
    /// the first step of replacing the key (see SECURITY.md).
    GenerateKey {
        /// The file to create.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// Runs `ombuds certificate ...`.
pub fn run(args: &CertificateArgs) -> Outcome {
    match &args.command {
        CertificateCommand::Verify {
            input,
            config,
            public_key,
        } => verify(input, config.as_deref(), public_key),
        CertificateCommand::PublicKey { config } => {
            signing_key(config.as_deref()).map(|(_, key)| format!("{}\n", key.public_key()))
        }
        CertificateCommand::GenerateKey { file } => generate_key(file),
    }
}

/// `verify`: the verified fields as pretty JSON and a line feed.
fn verify(input: &str, config: Option<&Path>, keys: &[PublicKey]) -> Result<String, Failure> {
    let trusted: Vec<PublicKey> = if keys.is_empty() {
        let (config, key) = signing_key(config)?;
        std::iter::once(key.public_key())
            .chain(config.keys.retired_public_keys.iter().copied())
            .collect()
    } else {
        keys.to_vec()
    };
    let text = read_input(input)?;
    let certificate = certificate::verify(&text, &trusted).map_err(|e| {
        use crate::domain::phrase::Said as _;
        Failure::Runtime(e.phrase())
    })?;
    serde_json::to_string_pretty(&crate::letters::verified_json(&certificate))
        .map(|json| format!("{json}\n"))
        .map_err(|e| {
            Failure::Runtime(Phrase::new("cli.cannot_render").with("error", e.to_string()))
        })
}

/// `generate-key`: writes a new key file; prints its public key.
fn generate_key(file: &Path) -> Result<String, Failure> {
    let key = SigningKey::generate().map_err(Failure::runtime_text)?;
    secret_file::create(file, key.file_text().as_bytes()).map_err(|e| match e {
        SecretFileError::Io { source, .. } if source.kind() == ErrorKind::AlreadyExists => {
            Failure::Usage(
                Phrase::new("cli.certificate.key_exists").with("file", file.display().to_string()),
            )
        }
        other => Failure::Usage(super::as_is(other)),
    })?;
    Ok(format!("{}\n", key.public_key()))
}

/// Loads the configuration (or the default one) and the signing key it names.
fn signing_key(config: Option<&Path>) -> Result<(Config, SigningKey), Failure> {
    let default = crate::cli::init::default_config_file();
    let path = config.unwrap_or(&default);
    let config = Config::load(path).map_err(|e| Failure::usage(&e))?;
    let key = SigningKey::load(&config.keys.signing_key).map_err(|e| {
        Failure::Usage(Phrase::new("cli.certificate.signing_key").with("error", e.to_string()))
    })?;
    Ok((config, key))
}

/// Reads the certificate text from a file or (for `-`) standard input; bytes that are not UTF-8
/// are replaced, so that text around a certificate cannot stop it being read.
fn read_input(input: &str) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let (name, result) = if input == "-" {
        (
            Lang::En.t("cli.certificate.stdin").to_owned(),
            std::io::stdin()
                .lock()
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut bytes),
        )
    } else {
        (
            format!("{input:?}"),
            std::fs::File::open(input)
                .and_then(|file| file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)),
        )
    };
    result.map_err(|e| {
        Failure::Usage(
            Phrase::new("cli.certificate.cannot_read")
                .with("input", name.as_str())
                .with("error", e.to_string()),
        )
    })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::Usage(
            Phrase::new("cli.certificate.too_large").with("input", name),
        ));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Parses a `--public-key` value.
fn parse_public_key(text: &str) -> Result<PublicKey, String> {
    PublicKey::parse(text).map_err(|e| e.to_string())
}
