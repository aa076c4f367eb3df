//! Cryptography at the storage boundary: age envelopes, per-concern keys, receipts, signed
//! suspension certificates, and the files that hold secrets.
//!
//! Everything secret here lives in zeroizing types with a redacting `Debug`. This module
//! knows nothing of HTTP or SQL.

pub mod certificate;
pub mod device;
pub mod envelope;
pub mod file_key_cache;
pub mod handover;
pub mod password;
pub mod random;
pub mod receipt;
pub mod secret_file;
pub mod totp;
pub mod x25519;

pub use envelope::{ContentKey, MasterKey};
pub use receipt::{Receipt, ReceiptHash, ReceiptKey};

/// A cryptographic operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// age refused to encrypt.
    #[error("age encryption failed: {0}")]
    Encrypt(String),
    /// The ciphertext did not decrypt with the key given (wrong key, or tampered).
    #[error("age decryption failed: {0}")]
    Decrypt(String),
    /// The operating system's random source failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
    /// A key could not be parsed.
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    /// The service holds only a public key and cannot decrypt.
    #[error("this service holds only the association's public key and cannot decrypt")]
    PublicKeyOnly,
}
