//! Signed certificates: the association's Ed25519 signing key, issuing the two kinds of
//! certificate it signs, and checking one that a person pastes back, possibly years later, when
//! the association has kept no record of the case.
//!
//! - A **suspension certificate** states when informal resolution began and ended (issued with
//!   the termination notice).
//! - A **resolution certificate** states when the matter was first brought to the association
//!   and when the parties agreed a resolution (issued to the person who raised the concern when
//!   a case closes successfully with an agreed plan; docs/RULES.md, "The resolution
//!   certificate"). It carries no words of the plan, no names and no case identifier.
//!
//! This module owns the certificates' text formats, their canonical signed bytes, the
//! signing-key file and the public-key text. It must not read the clock (the issue date is a
//! parameter), touch storage, or know about HTTP; and parsing must never panic, whatever the
//! input.
//!
//! # The suspension format (version 1)
//!
//! ```text
//! -----BEGIN OMBUDS SUSPENSION CERTIFICATE-----
//! Format: ombuds-suspension-certificate/1
//! Certificate-Id: 3q7vjxkdcb5tqm2y4zlxh0w9aa
//! Association: Example Association of REALTORS®
//! First-Contact: 2026-02-02
//! Termination: 2026-03-13
//! Days-Suspended: 40
//! Issued: 2026-03-16
//! Key-Fingerprint: 5d1c-09ab-77e2-4f10-8a3b-c2d9-e046-1f7a
//! Signature: (the first 44 characters of the base64 signature)
//!            (the last 44 characters)
//! -----END OMBUDS SUSPENSION CERTIFICATE-----
//! ```
//!
//! # The resolution format (version 1)
//!
//! ```text
//! -----BEGIN OMBUDS RESOLUTION CERTIFICATE-----
//! Format: ombuds-resolution-certificate/1
//! Certificate-Id: 7k2m4qx5wz3a6bcd7efgh2jk3a
//! Association: Example Association of REALTORS®
//! First-Contact: 2026-02-02
//! Agreed: 2026-03-10
//! Issued: 2026-03-16
//! Key-Fingerprint: 5d1c-09ab-77e2-4f10-8a3b-c2d9-e046-1f7a
//! Signature: (the first 44 characters of the base64 signature)
//!            (the last 44 characters)
//! -----END OMBUDS RESOLUTION CERTIFICATE-----
//! ```
//!
//! - `Certificate-Id`: 128 random bits, 26 lowercase base32 characters.
//! - Dates are the association's calendar dates, `YYYY-MM-DD`. `Days-Suspended` is the number of
//!   days from `First-Contact` to `Termination`, both included, in decimal. `Agreed` is the day
//!   the last party accepted the resolution plan: never before `First-Contact`, and `Issued` is
//!   never before it.
//! - `Key-Fingerprint`: the first 16 bytes of SHA-256 over the 32-byte Ed25519 public key, as 32
//!   lowercase hexadecimal digits in groups of four joined by `-`.
//! - `Signature`: the 64-byte Ed25519 signature (RFC 8032, verified strictly) in standard base64
//!   with padding (88 characters). It is written over two lines so that no line is longer than a
//!   mail client will leave alone; any split into lines is accepted.
//!
//! # The signed bytes
//!
//! The signature covers the UTF-8 bytes of the field lines from `Format` to `Key-Fingerprint`
//! (eight for a suspension certificate, seven for a resolution certificate), in that order, each
//! written as the field name, a colon, one space, the value, and a single line feed (0x0A), with
//! nothing before, between or after them. The `Format` line comes first, so the bytes of a
//! version-1 certificate always begin `Format: ombuds-suspension-certificate/1\n` or
//! `Format: ombuds-resolution-certificate/1\n`: a signature over one kind can never be read as
//! a signature over the other. No value may contain a line break or start or end with
//! whitespace, so the encoding is unambiguous.
//!
//! # Reading a pasted certificate
//!
//! The BEGIN line says which kind it is; the END line and the `Format` line must say the same.
//! Text before the BEGIN line and after the END line is ignored, as are CR before line feeds,
//! whitespace at either end of a line, and blank lines inside the block: mail clients add all of
//! these. Everything else is strict: the field names, their order, and the values exactly as
//! signed. The signature is checked before any value is interpreted, so any change to a value of
//! a genuine certificate is reported as a signature that does not match.

use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::CryptoError;
use super::random;
use super::secret_file::{self, SecretFileError};
use crate::domain::dates::parse_iso_date;
use crate::domain::phrase::{Arg, Phrase, Said};

/// The value of the `Format` line of the suspension certificates this version issues and
/// checks.
pub const FORMAT: &str = "ombuds-suspension-certificate/1";
/// The line that opens a suspension certificate.
pub const BEGIN: &str = "-----BEGIN OMBUDS SUSPENSION CERTIFICATE-----";
/// The line that closes a suspension certificate.
pub const END: &str = "-----END OMBUDS SUSPENSION CERTIFICATE-----";
/// The value of the `Format` line of the resolution certificates this version issues and
/// checks.
pub const RESOLUTION_FORMAT: &str = "ombuds-resolution-certificate/1";
/// The line that opens a resolution certificate.
pub const RESOLUTION_BEGIN: &str = "-----BEGIN OMBUDS RESOLUTION CERTIFICATE-----";
/// The line that closes a resolution certificate.
pub const RESOLUTION_END: &str = "-----END OMBUDS RESOLUTION CERTIFICATE-----";
/// The longest association name a certificate carries, in characters.
pub const MAX_ASSOCIATION_CHARS: usize = 200;

/// The kinds of certificate the association signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// When informal resolution began and ended.
    Suspension,
    /// When the matter was first brought to the association and when a resolution was agreed.
    Resolution,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::Suspension, Self::Resolution];

    /// The stable code of the kind, as the JSON answers name it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Suspension => "suspension",
            Self::Resolution => "resolution",
        }
    }

    fn spec(self) -> &'static Spec {
        match self {
            Self::Suspension => &SUSPENSION,
            Self::Resolution => &RESOLUTION,
        }
    }

    /// The kind a BEGIN line opens, if it is one.
    fn opened_by(line: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.spec().begin == line)
    }

    /// The kind an END line closes, if it is one.
    fn closed_by(line: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.spec().end == line)
    }
}

/// How one kind is written: its armour, its `Format` value and its fields.
struct Spec {
    format: &'static str,
    begin: &'static str,
    end: &'static str,
    /// The field names, in the order they are written and signed. The last one (`Signature`)
    /// is not signed.
    fields: &'static [&'static str],
    /// How each field's line looks, for error messages.
    shapes: &'static [&'static str],
}

impl Spec {
    /// The name of field `index`.
    fn field(&self, index: usize) -> &'static str {
        self.fields.get(index).copied().unwrap_or_default()
    }

    /// How field `index` looks.
    fn shape(&self, index: usize) -> &'static str {
        self.shapes.get(index).copied().unwrap_or_default()
    }
}

/// Number of signed fields of a suspension certificate.
const SUSPENSION_SIGNED: usize = 8;
/// Number of signed fields of a resolution certificate.
const RESOLUTION_SIGNED: usize = 7;

const SUSPENSION: Spec = Spec {
    format: FORMAT,
    begin: BEGIN,
    end: END,
    fields: &[
        "Format",
        "Certificate-Id",
        "Association",
        "First-Contact",
        "Termination",
        "Days-Suspended",
        "Issued",
        "Key-Fingerprint",
        "Signature",
    ],
    shapes: &[
        "Format: ombuds-suspension-certificate/1",
        "Certificate-Id: (26 letters and digits)",
        "Association: (the association's name)",
        "First-Contact: YYYY-MM-DD",
        "Termination: YYYY-MM-DD",
        "Days-Suspended: (a number)",
        "Issued: YYYY-MM-DD",
        "Key-Fingerprint: (eight groups of four hexadecimal digits)",
        "Signature: (88 characters of base64)",
    ],
};

const RESOLUTION: Spec = Spec {
    format: RESOLUTION_FORMAT,
    begin: RESOLUTION_BEGIN,
    end: RESOLUTION_END,
    fields: &[
        "Format",
        "Certificate-Id",
        "Association",
        "First-Contact",
        "Agreed",
        "Issued",
        "Key-Fingerprint",
        "Signature",
    ],
    shapes: &[
        "Format: ombuds-resolution-certificate/1",
        "Certificate-Id: (26 letters and digits)",
        "Association: (the association's name)",
        "First-Contact: YYYY-MM-DD",
        "Agreed: YYYY-MM-DD",
        "Issued: YYYY-MM-DD",
        "Key-Fingerprint: (eight groups of four hexadecimal digits)",
        "Signature: (88 characters of base64)",
    ],
};

/// Index of the `Format` field.
const FORMAT_FIELD: usize = 0;
/// Length of the base64 signature.
const SIGNATURE_CHARS: usize = 88;
/// Text before a public key.
const PUBLIC_KEY_PREFIX: &str = "ed25519:";
/// Text before the secret seed in a signing-key file.
const SECRET_KEY_PREFIX: &str = "ed25519-secret:";
/// Longest piece of pasted text quoted back in an error message, in characters.
const QUOTE_CHARS: usize = 60;

/// The first 16 bytes of SHA-256 over an Ed25519 public key: how a certificate names the key
/// that signed it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 16]);

impl Fingerprint {
    fn of(key: &VerifyingKey) -> Self {
        let digest = Sha256::digest(key.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0u8; 16]));
        Self(bytes)
    }

    /// Reads the written form exactly (lowercase hexadecimal in groups of four joined by `-`).
    fn parse(text: &str) -> Option<Self> {
        let groups: Vec<&str> = text.split('-').collect();
        if groups.len() != 8
            || groups.iter().any(|g| {
                g.len() != 4
                    || !g
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
        {
            return None;
        }
        let hex = groups.concat();
        let bytes = data_encoding::HEXLOWER.decode(hex.as_bytes()).ok()?;
        bytes.try_into().ok().map(Self)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = data_encoding::HEXLOWER.encode(&self.0);
        for (i, group) in hex.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// The public half of a signing key, which anyone may hold to check certificates. Written as
/// `ed25519:` followed by the 32-byte key in standard base64 (44 characters).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Reads a public key as [`PublicKey`]'s `Display` writes it (surrounding whitespace is
    /// ignored).
    pub fn parse(text: &str) -> Result<Self, PublicKeyError> {
        let text = text.trim();
        let Some(encoded) = text.strip_prefix(PUBLIC_KEY_PREFIX) else {
            return Err(PublicKeyError(format!(
                "a public key starts with {PUBLIC_KEY_PREFIX:?}, as `ombuds certificate public-key` prints it"
            )));
        };
        let bytes = data_encoding::BASE64
            .decode(encoded.as_bytes())
            .map_err(|_| PublicKeyError("the key after \"ed25519:\" is not valid base64".into()))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| {
            PublicKeyError("the key after \"ed25519:\" is not 32 bytes long".into())
        })?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| PublicKeyError("this is not a valid Ed25519 public key".into()))?;
        if key.is_weak() {
            return Err(PublicKeyError(
                "this is a weak Ed25519 key that any signature matches".into(),
            ));
        }
        Ok(Self(key))
    }

    /// The key's fingerprint, as certificates name it.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.0)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PUBLIC_KEY_PREFIX)?;
        f.write_str(&data_encoding::BASE64.encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// A public key given as text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PublicKeyError(String);

/// The association's Ed25519 signing key. The secret is wiped from memory when this is dropped,
/// and `Debug` shows only the fingerprint.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.public_key().fingerprint())
            .finish_non_exhaustive()
    }
}

/// A signing-key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// The file could not be read, or is readable by others.
    #[error(transparent)]
    File(#[from] SecretFileError),
    /// The file does not hold a signing key.
    #[error(
        "{0}: does not hold a signing key (a line \"ed25519-secret:\" followed by 64 hexadecimal digits)"
    )]
    Content(String),
}

impl SigningKey {
    /// A new random key, from the operating system's random source.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        random::fill(seed.as_mut_slice())?;
        Ok(Self(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// The text of a key file for this key: comments naming the public key and its
    /// fingerprint, then one line with the secret.
    pub fn file_text(&self) -> Zeroizing<String> {
        let public = self.public_key();
        let seed = Zeroizing::new(self.0.to_bytes());
        let mut text = Zeroizing::new(String::with_capacity(512));
        text.push_str(
            "# The association's certificate signing key (Ed25519). Keep it secret (mode 0600)\n\
             # and back it up: without it no new certificate can be issued under this key.\n",
        );
        text.push_str(&format!("# public key: {public}\n"));
        text.push_str(&format!("# fingerprint: {}\n", public.fingerprint()));
        text.push_str(SECRET_KEY_PREFIX);
        text.push_str(&Zeroizing::new(
            data_encoding::HEXLOWER.encode(seed.as_slice()),
        ));
        text.push('\n');
        text
    }

    /// Reads a key file written by [`SigningKey::file_text`], refusing it if other users can
    /// read it.
    pub fn load(path: &Path) -> Result<Self, SigningKeyError> {
        let text = secret_file::read(path)?;
        let bad = || SigningKeyError::Content(path.display().to_string());
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or_else(bad)?;
        let hex = line.strip_prefix(SECRET_KEY_PREFIX).ok_or_else(bad)?;
        let bytes = Zeroizing::new(
            data_encoding::HEXLOWER_PERMISSIVE
                .decode(hex.trim().as_bytes())
                .map_err(|_| bad())?,
        );
        let seed: Zeroizing<[u8; 32]> =
            Zeroizing::new(bytes.as_slice().try_into().map_err(|_| bad())?);
        Ok(Self(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// The public half, to publish and to check certificates with.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Issues a certificate stating that informal resolution with `association`'s ombuds ran from
    /// `first_contact` to `termination`, both included, signed on `issued` (the association's
    /// local date, from the clock).
    ///
    /// # Errors
    /// [`IssueError`] if the dates are out of order or cannot be written as `YYYY-MM-DD`, if the
    /// name cannot be carried on one line, or if the random source fails.
    pub fn issue(
        &self,
        association: &str,
        first_contact: NaiveDate,
        termination: NaiveDate,
        issued: NaiveDate,
    ) -> Result<Certificate, IssueError> {
        check_association(association).map_err(IssueError::Association)?;
        for date in [first_contact, termination, issued] {
            if parse_iso_date(&iso(date)).ok() != Some(date) {
                return Err(IssueError::DateOutOfRange(date));
            }
        }
        if termination < first_contact {
            return Err(IssueError::EndsBeforeStart {
                first_contact,
                termination,
            });
        }
        if issued < termination {
            return Err(IssueError::IssuedBeforeTermination {
                termination,
                issued,
            });
        }
        let mut certificate = Certificate {
            id: random::new_id().map_err(IssueError::Random)?,
            association: association.to_owned(),
            first_contact,
            termination,
            days_suspended: inclusive_days(first_contact, termination),
            issued,
            key: self.public_key().fingerprint(),
            signature: [0u8; 64],
        };
        let message = signed_bytes(&SUSPENSION, &certificate.signed_values());
        certificate.signature = self.0.sign(&message).to_bytes();
        Ok(certificate)
    }

    /// Issues a resolution certificate stating that the matter was first brought to
    /// `association` on `first_contact` and that the parties agreed a resolution on `agreed`,
    /// signed on `issued` (the association's local date, from the clock).
    ///
    /// # Errors
    /// [`IssueError`] if the dates are out of order or cannot be written as `YYYY-MM-DD`, if the
    /// name cannot be carried on one line, or if the random source fails.
    pub fn issue_resolution(
        &self,
        association: &str,
        first_contact: NaiveDate,
        agreed: NaiveDate,
        issued: NaiveDate,
    ) -> Result<ResolutionCertificate, IssueError> {
        check_association(association).map_err(IssueError::Association)?;
        for date in [first_contact, agreed, issued] {
            if parse_iso_date(&iso(date)).ok() != Some(date) {
                return Err(IssueError::DateOutOfRange(date));
            }
        }
        if agreed < first_contact {
            return Err(IssueError::AgreedBeforeStart {
                first_contact,
                agreed,
            });
        }
        if issued < agreed {
            return Err(IssueError::IssuedBeforeAgreement { agreed, issued });
        }
        let mut certificate = ResolutionCertificate {
            id: random::new_id().map_err(IssueError::Random)?,
            association: association.to_owned(),
            first_contact,
            agreed,
            issued,
            key: self.public_key().fingerprint(),
            signature: [0u8; 64],
        };
        let message = signed_bytes(&RESOLUTION, &certificate.signed_values());
        certificate.signature = self.0.sign(&message).to_bytes();
        Ok(certificate)
    }
}

/// Why a certificate could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The termination date is before the first-contact date.
    #[error("the termination date {termination} is before the first-contact date {first_contact}")]
    EndsBeforeStart {
        /// The first-contact date given.
        first_contact: NaiveDate,
        /// The termination date given.
        termination: NaiveDate,
    },
    /// The issue date is before the termination date it certifies.
    #[error(
        "a certificate cannot be issued on {issued}, before the termination date {termination}"
    )]
    IssuedBeforeTermination {
        /// The termination date given.
        termination: NaiveDate,
        /// The issue date given.
        issued: NaiveDate,
    },
    /// The agreement date is before the first-contact date.
    #[error("the agreement date {agreed} is before the first-contact date {first_contact}")]
    AgreedBeforeStart {
        /// The first-contact date given.
        first_contact: NaiveDate,
        /// The agreement date given.
        agreed: NaiveDate,
    },
    /// The issue date is before the agreement date it certifies.
    #[error("a certificate cannot be issued on {issued}, before the agreement date {agreed}")]
    IssuedBeforeAgreement {
        /// The agreement date given.
        agreed: NaiveDate,
        /// The issue date given.
        issued: NaiveDate,
    },
    /// A date outside the years 0000 to 9999.
    #[error("{0} cannot be written as YYYY-MM-DD")]
    DateOutOfRange(NaiveDate),
    /// The association's name cannot be carried (the problem's translation key says why).
    #[error("the association's name is refused ({})", .0.key())]
    Association(Phrase),
    /// The random source failed.
    #[error(transparent)]
    Random(CryptoError),
}

/// A certificate that was issued here or has been verified: its fields and its signature.
/// Only [`SigningKey::issue`] and [`verify`] make one, so its fields always match its signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    id: String,
    association: String,
    first_contact: NaiveDate,
    termination: NaiveDate,
    days_suspended: u64,
    issued: NaiveDate,
    key: Fingerprint,
    signature: [u8; 64],
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("id", &self.id)
            .field("first_contact", &self.first_contact)
            .field("termination", &self.termination)
            .field("days_suspended", &self.days_suspended)
            .field("issued", &self.issued)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Certificate {
    /// The random certificate identifier (26 lowercase base32 characters).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The association's name as signed.
    pub fn association(&self) -> &str {
        &self.association
    }

    /// The date of the first contact: the first suspended day.
    pub fn first_contact(&self) -> NaiveDate {
        self.first_contact
    }

    /// The termination date: the last suspended day.
    pub fn termination(&self) -> NaiveDate {
        self.termination
    }

    /// The days from first contact to termination, both included.
    pub fn days_suspended(&self) -> u64 {
        self.days_suspended
    }

    /// The day the countdown resumes: the day after the termination date.
    pub fn resumes_on(&self) -> Option<NaiveDate> {
        self.termination.succ_opt()
    }

    /// The date the certificate was issued.
    pub fn issued(&self) -> NaiveDate {
        self.issued
    }

    /// The fingerprint of the key that signed it.
    pub fn key_fingerprint(&self) -> Fingerprint {
        self.key
    }

    /// The certificate as text, from the BEGIN line to the END line, ending in a line feed.
    pub fn armoured(&self) -> String {
        armour(&SUSPENSION, &self.signed_values(), &self.signature)
    }

    /// The verified fields as one JSON object, with `"valid": true` and `"kind": "suspension"`.
    pub fn to_json(&self) -> Value {
        json!({
            "valid": true,
            "kind": Kind::Suspension.code(),
            "format": FORMAT,
            "certificate_id": self.id,
            "association": self.association,
            "first_contact": iso(self.first_contact),
            "termination": iso(self.termination),
            "days_suspended": self.days_suspended,
            "resumes_on": self.resumes_on().map(iso),
            "issued": iso(self.issued),
            "key_fingerprint": self.key.to_string(),
        })
    }

    /// The values of the signed fields, in order.
    fn signed_values(&self) -> [String; SUSPENSION_SIGNED] {
        [
            FORMAT.to_owned(),
            self.id.clone(),
            self.association.clone(),
            iso(self.first_contact),
            iso(self.termination),
            self.days_suspended.to_string(),
            iso(self.issued),
            self.key.to_string(),
        ]
    }
}

/// A resolution certificate that was issued here or has been verified: its fields and its
/// signature. Only [`SigningKey::issue_resolution`] and [`verify`] make one, so its fields
/// always match its signature.
#[derive(Clone, PartialEq, Eq)]
pub struct ResolutionCertificate {
    id: String,
    association: String,
    first_contact: NaiveDate,
    agreed: NaiveDate,
    issued: NaiveDate,
    key: Fingerprint,
    signature: [u8; 64],
}

impl fmt::Debug for ResolutionCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolutionCertificate")
            .field("id", &self.id)
            .field("first_contact", &self.first_contact)
            .field("agreed", &self.agreed)
            .field("issued", &self.issued)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl ResolutionCertificate {
    /// The random certificate identifier (26 lowercase base32 characters).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The association's name as signed.
    pub fn association(&self) -> &str {
        &self.association
    }

    /// The day the matter was first brought to the association.
    pub fn first_contact(&self) -> NaiveDate {
        self.first_contact
    }

    /// The day the parties agreed the resolution.
    pub fn agreed(&self) -> NaiveDate {
        self.agreed
    }

    /// The date the certificate was issued.
    pub fn issued(&self) -> NaiveDate {
        self.issued
    }

    /// The fingerprint of the key that signed it.
    pub fn key_fingerprint(&self) -> Fingerprint {
        self.key
    }

    /// The certificate as text, from the BEGIN line to the END line, ending in a line feed.
    pub fn armoured(&self) -> String {
        armour(&RESOLUTION, &self.signed_values(), &self.signature)
    }

    /// The verified fields as one JSON object, with `"valid": true` and `"kind": "resolution"`.
    pub fn to_json(&self) -> Value {
        json!({
            "valid": true,
            "kind": Kind::Resolution.code(),
            "format": RESOLUTION_FORMAT,
            "certificate_id": self.id,
            "association": self.association,
            "first_contact": iso(self.first_contact),
            "agreed": iso(self.agreed),
            "issued": iso(self.issued),
            "key_fingerprint": self.key.to_string(),
        })
    }

    /// The values of the signed fields, in order.
    fn signed_values(&self) -> [String; RESOLUTION_SIGNED] {
        [
            RESOLUTION_FORMAT.to_owned(),
            self.id.clone(),
            self.association.clone(),
            iso(self.first_contact),
            iso(self.agreed),
            iso(self.issued),
            self.key.to_string(),
        ]
    }
}

/// A certificate [`verify`] accepted, of either kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// A suspension certificate.
    Suspension(Certificate),
    /// A resolution certificate.
    Resolution(ResolutionCertificate),
}

impl Verified {
    /// Which kind it is.
    pub fn kind(&self) -> Kind {
        match self {
            Self::Suspension(_) => Kind::Suspension,
            Self::Resolution(_) => Kind::Resolution,
        }
    }

    /// The random certificate identifier.
    pub fn id(&self) -> &str {
        match self {
            Self::Suspension(c) => c.id(),
            Self::Resolution(c) => c.id(),
        }
    }

    /// The date the certificate was issued.
    pub fn issued(&self) -> NaiveDate {
        match self {
            Self::Suspension(c) => c.issued(),
            Self::Resolution(c) => c.issued(),
        }
    }

    /// The fingerprint of the key that signed it.
    pub fn key_fingerprint(&self) -> Fingerprint {
        match self {
            Self::Suspension(c) => c.key_fingerprint(),
            Self::Resolution(c) => c.key_fingerprint(),
        }
    }

    /// The certificate as text.
    pub fn armoured(&self) -> String {
        match self {
            Self::Suspension(c) => c.armoured(),
            Self::Resolution(c) => c.armoured(),
        }
    }

    /// The verified fields as one JSON object (see each kind's `to_json`).
    pub fn to_json(&self) -> Value {
        match self {
            Self::Suspension(c) => c.to_json(),
            Self::Resolution(c) => c.to_json(),
        }
    }
}

impl From<Certificate> for Verified {
    fn from(certificate: Certificate) -> Self {
        Self::Suspension(certificate)
    }
}

impl From<ResolutionCertificate> for Verified {
    fn from(certificate: ResolutionCertificate) -> Self {
        Self::Resolution(certificate)
    }
}

/// A certificate's text from its signed values and signature (see the module documentation).
fn armour<S: AsRef<str>>(spec: &Spec, values: &[S], signature: &[u8; 64]) -> String {
    let mut text = String::with_capacity(600);
    text.push_str(spec.begin);
    text.push('\n');
    for (name, value) in spec.fields.iter().zip(values.iter()) {
        text.push_str(name);
        text.push_str(": ");
        text.push_str(value.as_ref());
        text.push('\n');
    }
    let signature = data_encoding::BASE64.encode(signature);
    let (first, second) = signature.split_at(signature.len() / 2);
    text.push_str("Signature: ");
    text.push_str(first);
    text.push('\n');
    text.push_str(&" ".repeat("Signature: ".len()));
    text.push_str(second);
    text.push('\n');
    text.push_str(spec.end);
    text.push('\n');
    text
}

/// Why a pasted certificate is not accepted. Each says, as a [`Phrase`] worded from the
/// `[verify.reason]`, `[verify.line]` and `[verify.inconsistent]` translations, one sentence a
/// person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// No BEGIN line: this is not a certificate at all.
    NotACertificate,
    /// The text holds more than one certificate.
    MoreThanOne,
    /// The END line is missing.
    Incomplete,
    /// A line does not have the shape expected there (counted from 1 in the pasted text).
    Malformed {
        /// The line number in the pasted text.
        line: usize,
        /// What was expected and what was found (a `verify.line.*` phrase).
        problem: Phrase,
    },
    /// A `Format` this version does not know.
    UnsupportedFormat {
        /// The format named, as written (shortened if long).
        format: String,
    },
    /// Signed with a key other than the ones trusted here.
    WrongKey {
        /// The fingerprint the certificate names.
        claimed: String,
        /// The fingerprints of the keys checked against (none if none were given).
        trusted: Vec<String>,
    },
    /// The signature does not match the fields: something was changed.
    SignatureMismatch,
    /// The signature is genuine but the signed fields contradict each other or are unreadable
    /// (a `verify.inconsistent.*` phrase).
    Inconsistent(Phrase),
}

impl Said for VerifyError {
    fn phrase(&self) -> Phrase {
        match self {
            Self::NotACertificate => Phrase::new("verify.reason.not_a_certificate")
                .with("begin", BEGIN)
                .with("other", RESOLUTION_BEGIN),
            Self::MoreThanOne => Phrase::new("verify.reason.more_than_one"),
            Self::Incomplete => Phrase::new("verify.reason.incomplete"),
            Self::Malformed { line, problem } => Phrase::new("verify.reason.malformed")
                .with("line", *line)
                .with("problem", problem.clone()),
            Self::UnsupportedFormat { format } => Phrase::new("verify.reason.unsupported_format")
                .with("format", format!("{format:?}")),
            Self::WrongKey { claimed, trusted } => Phrase::new("verify.reason.wrong_key")
                .with("claimed", claimed.as_str())
                .with("trusted", either(trusted)),
            Self::SignatureMismatch => Phrase::new("verify.reason.signature_mismatch"),
            Self::Inconsistent(detail) => {
                Phrase::new("verify.reason.inconsistent").with("detail", detail.clone())
            }
        }
    }
}

/// "a", "a or b", "a or b or c"; "none given" for none.
fn either(fingerprints: &[String]) -> Arg {
    let mut said: Option<Arg> = None;
    for fingerprint in fingerprints {
        said = Some(match said {
            None => Arg::Text(fingerprint.clone()),
            Some(first) => Phrase::new("verify.reason.keys")
                .with("first", first)
                .with("next", fingerprint.as_str())
                .into(),
        });
    }
    said.unwrap_or_else(|| Phrase::new("verify.reason.no_keys").into())
}

/// Checks a certificate of either kind pasted as `text` (with any surrounding text) against
/// the `trusted` public keys, and returns its fields if one of them signed it exactly as
/// written.
///
/// Never panics, whatever `text` holds; its cost is linear in the length of `text`.
///
/// # Errors
/// A [`VerifyError`] saying why the certificate is not accepted.
pub fn verify(text: &str, trusted: &[PublicKey]) -> Result<Verified, VerifyError> {
    let (kind, block) = find_block(text)?;
    match kind {
        Kind::Suspension => {
            let values = check::<SUSPENSION_SIGNED>(&SUSPENSION, &block, trusted)?;
            interpret_suspension(&values.0, &values.1).map(Verified::Suspension)
        }
        Kind::Resolution => {
            let values = check::<RESOLUTION_SIGNED>(&RESOLUTION, &block, trusted)?;
            interpret_resolution(&values.0, &values.1).map(Verified::Resolution)
        }
    }
}

/// Reads the `N` signed fields of a block of kind `spec` and checks its signature; the values
/// and the signature if one of the `trusted` keys signed them exactly as written.
fn check<'a, const N: usize>(
    spec: &Spec,
    block: &[(usize, &'a str)],
    trusted: &[PublicKey],
) -> Result<([&'a str; N], Signature), VerifyError> {
    let fields = read_fields::<N>(spec, block)?;
    let values = fields.values;
    let signature = decode_signature(&fields);
    let key_field = N.saturating_sub(1);
    let format = values.get(FORMAT_FIELD).copied().unwrap_or_default();
    let key_value = values.get(key_field).copied().unwrap_or_default();
    let known_format = format == spec.format;
    let claimed = Fingerprint::parse(key_value);

    if let (true, Some(key)) = (
        known_format,
        trusted.iter().find(|k| Some(k.fingerprint()) == claimed),
    ) {
        let signature = signature?;
        key.0
            .verify_strict(&signed_bytes(spec, &values), &signature)
            .map_err(|_| VerifyError::SignatureMismatch)?;
        return Ok((values, signature));
    }

    // Not in a format or under a key known here. Was it one of ours with its Format or
    // Key-Fingerprint line changed? Then say so as a signature that does not match, like a
    // change to any other field.
    if let Ok(signature) = &signature {
        for key in trusted {
            let fingerprint = key.fingerprint().to_string();
            let mut restored = values;
            if let Some(slot) = restored.get_mut(FORMAT_FIELD) {
                *slot = spec.format;
            }
            if let Some(slot) = restored.get_mut(key_field) {
                *slot = &fingerprint;
            }
            if key
                .0
                .verify_strict(&signed_bytes(spec, &restored), signature)
                .is_ok()
            {
                return Err(VerifyError::SignatureMismatch);
            }
        }
    }
    if !known_format {
        return Err(VerifyError::UnsupportedFormat {
            format: quote(format),
        });
    }
    signature?;
    if claimed.is_none() {
        return Err(malformed(
            spec,
            fields.lines.get(key_field).copied().unwrap_or_default(),
            key_field,
            key_value,
        ));
    }
    Err(VerifyError::WrongKey {
        claimed: quote(key_value),
        trusted: trusted
            .iter()
            .map(|k| k.fingerprint().to_string())
            .collect(),
    })
}

/// The non-blank lines of a certificate between its BEGIN and END lines, trimmed, each with its
/// line number in the pasted text.
type Block<'a> = Vec<(usize, &'a str)>;

/// The kind its BEGIN line names and the lines of its block.
fn find_block(text: &str) -> Result<(Kind, Block<'_>), VerifyError> {
    let mut lines = text.split('\n').enumerate().map(|(i, l)| (i + 1, l.trim()));
    let Some(kind) = lines.by_ref().find_map(|(_, l)| Kind::opened_by(l)) else {
        return Err(VerifyError::NotACertificate);
    };
    let spec = kind.spec();
    let mut block = Vec::new();
    let mut ended = false;
    for (number, line) in lines.by_ref() {
        if line == spec.end {
            ended = true;
            break;
        }
        if Kind::opened_by(line).is_some() {
            return Err(VerifyError::Malformed {
                line: number,
                problem: Phrase::new("verify.line.second_begin"),
            });
        }
        if Kind::closed_by(line).is_some() {
            return Err(VerifyError::Malformed {
                line: number,
                problem: Phrase::new("verify.line.other_end").with("end", spec.end),
            });
        }
        if !line.is_empty() {
            block.push((number, line));
        }
    }
    if !ended {
        return Err(VerifyError::Incomplete);
    }
    if lines.any(|(_, l)| Kind::opened_by(l).is_some()) {
        return Err(VerifyError::MoreThanOne);
    }
    Ok((kind, block))
}

/// The fields of a block, read by shape only: nothing is interpreted yet.
struct RawFields<'a, const N: usize> {
    /// The signed values, in order, trimmed.
    values: [&'a str; N],
    /// The line number of each field, the signature's last.
    lines: Vec<usize>,
    /// The signature's base64, joined from all its lines.
    signature: String,
}

fn read_fields<'a, const N: usize>(
    spec: &Spec,
    block: &[(usize, &'a str)],
) -> Result<RawFields<'a, N>, VerifyError> {
    let mut values = [""; N];
    let mut lines = vec![0usize; spec.fields.len()];
    let mut signature = String::new();
    let mut next = 0usize;
    let end_line = block.last().map_or(0, |(n, _)| n + 1);
    for &(number, line) in block {
        if next == spec.fields.len() {
            // After the Signature line: only more of the signature.
            if is_base64(line) {
                signature.push_str(line);
                continue;
            }
            return Err(VerifyError::Malformed {
                line: number,
                problem: Phrase::new("verify.line.after_signature")
                    .with("found", format!("{:?}", quote(line))),
            });
        }
        let expected = spec.field(next);
        let Some((name, value)) = line.split_once(':') else {
            return Err(malformed(spec, number, next, line));
        };
        let (name, value) = (name.trim(), value.trim());
        if name != expected {
            if let Some(found) = spec.fields.iter().position(|f| *f == name) {
                return Err(VerifyError::Malformed {
                    line: number,
                    problem: if found < next {
                        Phrase::new("verify.line.twice").with("name", name)
                    } else {
                        Phrase::new("verify.line.out_of_order")
                            .with("expected", expected)
                            .with("name", name)
                    },
                });
            }
            return Err(malformed(spec, number, next, line));
        }
        if next == FORMAT_FIELD && value != spec.format {
            // The format of the other kind inside this kind's BEGIN and END lines.
            if let Some(other) = Kind::ALL.into_iter().find(|k| k.spec().format == value) {
                return Err(VerifyError::Malformed {
                    line: number,
                    problem: Phrase::new("verify.line.wrong_kind")
                        .with("format", other.spec().format)
                        .with("begin", spec.begin),
                });
            }
        }
        if let Some(slot) = lines.get_mut(next) {
            *slot = number;
        }
        if let Some(slot) = values.get_mut(next) {
            *slot = value;
        } else {
            if !is_base64(value) {
                return Err(VerifyError::Malformed {
                    line: number,
                    problem: Phrase::new("verify.line.not_base64"),
                });
            }
            signature.push_str(value);
        }
        next += 1;
    }
    if next < spec.fields.len() {
        return Err(VerifyError::Malformed {
            line: end_line,
            problem: Phrase::new("verify.line.missing")
                .with("missing", spec.field(next))
                .with("shape", spec.shape(next)),
        });
    }
    Ok(RawFields {
        values,
        lines,
        signature,
    })
}

/// Decodes the signature.
fn decode_signature<const N: usize>(fields: &RawFields<'_, N>) -> Result<Signature, VerifyError> {
    let length = fields.signature.chars().count();
    if length != SIGNATURE_CHARS {
        return Err(VerifyError::Malformed {
            line: fields.lines.last().copied().unwrap_or_default(),
            problem: Phrase::new("verify.line.signature_length")
                .with("expected", SIGNATURE_CHARS)
                .with("length", length),
        });
    }
    // A well-formed length with a character changed can fail to decode (padding, trailing
    // bits): that is a changed signature like any other.
    let bytes = data_encoding::BASE64
        .decode(fields.signature.as_bytes())
        .map_err(|_| VerifyError::SignatureMismatch)?;
    let bytes: [u8; 64] = bytes
        .try_into()
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(Signature::from_bytes(&bytes))
}

/// A problem with a field of a certificate whose signature is valid.
fn inconsistent(field: &'static str, problem: Phrase) -> VerifyError {
    VerifyError::Inconsistent(
        Phrase::new("verify.inconsistent.field")
            .with("field", field)
            .with("problem", problem),
    )
}

/// The fields every kind shares, read from a certificate whose signature has been checked.
fn common_fields(id: &str, association: &str, key: &str) -> Result<Fingerprint, VerifyError> {
    let id_ok = id.len() == 26
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b));
    if !id_ok {
        return Err(inconsistent(
            "Certificate-Id",
            Phrase::new("verify.inconsistent.not_an_id"),
        ));
    }
    check_association(association).map_err(|problem| inconsistent("Association", problem))?;
    Fingerprint::parse(key).ok_or_else(|| {
        inconsistent(
            "Key-Fingerprint",
            Phrase::new("verify.inconsistent.not_a_fingerprint"),
        )
    })
}

/// A signed date field.
fn signed_date(field: &'static str, text: &str) -> Result<NaiveDate, VerifyError> {
    parse_iso_date(text).map_err(|e| {
        inconsistent(
            field,
            Phrase::new("verify.inconsistent.not_a_date").with("problem", e.phrase()),
        )
    })
}

/// Reads the values of a suspension certificate whose signature has been checked, and checks
/// that they agree with each other.
fn interpret_suspension(
    values: &[&str; SUSPENSION_SIGNED],
    signature: &Signature,
) -> Result<Certificate, VerifyError> {
    let [
        _,
        id,
        association,
        first_contact,
        termination,
        days,
        issued,
        key,
    ] = *values;
    let key = common_fields(id, association, key)?;
    let first_contact = signed_date("First-Contact", first_contact)?;
    let termination = signed_date("Termination", termination)?;
    let issued = signed_date("Issued", issued)?;
    let days_suspended = match days.parse::<u64>() {
        Ok(n) if days.bytes().all(|b| b.is_ascii_digit()) && !days.starts_with('0') => n,
        _ => {
            return Err(inconsistent(
                "Days-Suspended",
                Phrase::new("verify.inconsistent.not_whole_days"),
            ));
        }
    };
    if termination < first_contact {
        return Err(VerifyError::Inconsistent(
            Phrase::new("verify.inconsistent.ends_before_start")
                .with("termination", termination)
                .with("first_contact", first_contact),
        ));
    }
    if issued < termination {
        return Err(VerifyError::Inconsistent(
            Phrase::new("verify.inconsistent.issued_before_end")
                .with("issued", issued)
                .with("termination", termination),
        ));
    }
    let counted = inclusive_days(first_contact, termination);
    if days_suspended != counted {
        return Err(VerifyError::Inconsistent(
            Phrase::new("verify.inconsistent.days")
                .with("stated", days_suspended)
                .with("first_contact", first_contact)
                .with("termination", termination)
                .with("counted", counted),
        ));
    }
    Ok(Certificate {
        id: id.to_owned(),
        association: association.to_owned(),
        first_contact,
        termination,
        days_suspended,
        issued,
        key,
        signature: signature.to_bytes(),
    })
}

/// Reads the values of a resolution certificate whose signature has been checked, and checks
/// that they agree with each other.
fn interpret_resolution(
    values: &[&str; RESOLUTION_SIGNED],
    signature: &Signature,
) -> Result<ResolutionCertificate, VerifyError> {
    let [_, id, association, first_contact, agreed, issued, key] = *values;
    let key = common_fields(id, association, key)?;
    let first_contact = signed_date("First-Contact", first_contact)?;
    let agreed = signed_date("Agreed", agreed)?;
    let issued = signed_date("Issued", issued)?;
    if agreed < first_contact {
        return Err(VerifyError::Inconsistent(
            Phrase::new("verify.inconsistent.agreed_before_start")
                .with("agreed", agreed)
                .with("first_contact", first_contact),
        ));
    }
    if issued < agreed {
        return Err(VerifyError::Inconsistent(
            Phrase::new("verify.inconsistent.issued_before_agreed")
                .with("issued", issued)
                .with("agreed", agreed),
        ));
    }
    Ok(ResolutionCertificate {
        id: id.to_owned(),
        association: association.to_owned(),
        first_contact,
        agreed,
        issued,
        key,
        signature: signature.to_bytes(),
    })
}

/// The bytes the signature of a certificate of kind `spec` covers (see the module
/// documentation).
fn signed_bytes<S: AsRef<str>>(spec: &Spec, values: &[S]) -> Vec<u8> {
    let mut message = Vec::with_capacity(400);
    for (name, value) in spec.fields.iter().zip(values.iter()) {
        message.extend_from_slice(name.as_bytes());
        message.extend_from_slice(b": ");
        message.extend_from_slice(value.as_ref().as_bytes());
        message.push(b'\n');
    }
    message
}

/// The error for a line that is not the field expected at position `index`.
fn malformed(spec: &Spec, line: usize, index: usize, found: &str) -> VerifyError {
    VerifyError::Malformed {
        line,
        problem: Phrase::new("verify.line.unexpected")
            .with("shape", spec.shape(index))
            .with("found", format!("{:?}", quote(found))),
    }
}

/// Whether `text` is non-empty and uses only the base64 alphabet and padding.
fn is_base64(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// `text`, shortened to [`QUOTE_CHARS`] characters for an error message.
fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_CHARS {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(QUOTE_CHARS).collect();
        short.push('…');
        short
    }
}

/// Checks that a name can be carried on one certificate line as it is.
fn check_association(name: &str) -> Result<(), Phrase> {
    if name.trim().is_empty() {
        return Err(Phrase::new("verify.name.empty"));
    }
    if name.trim() != name {
        return Err(Phrase::new("verify.name.whitespace"));
    }
    if name.chars().any(char::is_control) {
        return Err(Phrase::new("verify.name.control"));
    }
    if name.chars().count() > MAX_ASSOCIATION_CHARS {
        return Err(Phrase::new("verify.name.too_long").with("max", MAX_ASSOCIATION_CHARS));
    }
    Ok(())
}

/// The number of days from `from` to `to`, both included.
fn inclusive_days(from: NaiveDate, to: NaiveDate) -> u64 {
    u64::try_from(to.signed_duration_since(from).num_days())
        .map_or(0, |days| days.saturating_add(1))
}

/// A date as `YYYY-MM-DD`.
fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
pub(crate) mod tests;
