//! age envelopes: the association's master key, and one content key per concern.
//!
//! Each concern's text is encrypted (sealed) to its own freshly generated age X25519 key. That
//! content key is itself encrypted (wrapped) to the association's master key and kept in the key
//! store, apart from the database. Deleting the wrapped key makes the concern unreadable in
//! every copy of the database; sealing needs only the master key's public half.
//!
//! Both layers are standard age files, so the reference `age` tool can open them:
//! `age -d -i identity.key wrapped > content.key; age -d -i content.key sealed`.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use super::x25519::{Identity, Recipient, decrypt, encrypt};
use zeroize::Zeroizing;

use super::CryptoError;
use super::file_key_cache::{self, FileKeys};
use super::secret_file::{self, SecretFileError};

/// The association's age key pair. Without the secret half the service can seal but not open.
pub struct MasterKey {
    identity: Option<Identity>,
    recipient: Recipient,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("recipient", &self.recipient.to_string())
            .field("can_decrypt", &self.identity.is_some())
            .finish()
    }
}

/// An identity file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityFileError {
    /// The file could not be read, or is readable by others.
    #[error(transparent)]
    File(#[from] SecretFileError),
    /// The file holds no key, several keys, or a malformed one.
    #[error("{path}: {problem}")]
    Content {
        /// The file.
        path: String,
        /// What is wrong.
        problem: &'static str,
    },
}

impl MasterKey {
    /// A new random key pair.
    pub fn generate() -> Result<Self, CryptoError> {
        let identity = Identity::generate()?;
        let recipient = identity.to_public();
        Ok(Self {
            identity: Some(identity),
            recipient,
        })
    }

    /// Only the public half, `age1…`: this service can seal but never open.
    pub fn public_only(recipient: &str) -> Result<Self, CryptoError> {
        let recipient = Recipient::from_str(recipient.trim())
            .map_err(|_| CryptoError::MalformedKey("not an age recipient (age1…)"))?;
        Ok(Self {
            identity: None,
            recipient,
        })
    }

    /// Whether the secret half is held.
    pub fn can_decrypt(&self) -> bool {
        self.identity.is_some()
    }

    /// Reads an age identity file (as written by `age-keygen` or [`MasterKey::identity_file`]).
    pub fn load(path: &Path) -> Result<Self, IdentityFileError> {
        let text = secret_file::read(path)?;
        let problem = |problem| IdentityFileError::Content {
            path: path.display().to_string(),
            problem,
        };
        let mut keys = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'));
        let line = keys
            .next()
            .ok_or_else(|| problem("holds no age identity"))?;
        if keys.next().is_some() {
            return Err(problem(
                "holds more than one age identity; keep exactly one",
            ));
        }
        let identity = Identity::from_str(line)
            .map_err(|_| problem("does not hold a valid AGE-SECRET-KEY-1 line"))?;
        let recipient = identity.to_public();
        Ok(Self {
            identity: Some(identity),
            recipient,
        })
    }

    /// The text of an identity file for this key, in the format `age-keygen` writes.
    pub fn identity_file(&self) -> Result<Zeroizing<String>, CryptoError> {
        let identity = self.identity.as_ref().ok_or(CryptoError::PublicKeyOnly)?;
        let secret = identity.to_secret_string()?;
        let mut text = Zeroizing::new(String::with_capacity(256));
        text.push_str("# The association's ombuds master key. Keep it secret: never share it,\n");
        text.push_str("# never back it up together with the key store.\n");
        text.push_str("# public key: ");
        text.push_str(&self.recipient.to_string());
        text.push('\n');
        text.push_str(&secret);
        text.push('\n');
        Ok(text)
    }

    /// The public half, `age1…`.
    pub fn recipient(&self) -> String {
        self.recipient.to_string()
    }

    /// Encrypts a small secret the server must read back later (a TOTP secret) to this key.
    pub fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        encrypt(&self.recipient, plaintext)
    }

    /// Decrypts what [`MasterKey::seal`] encrypted.
    pub fn open(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let identity = self.identity.as_ref().ok_or(CryptoError::PublicKeyOnly)?;
        decrypt(identity, sealed)
    }

    /// A fresh content key, and the same key wrapped to this master key for the key store.
    pub fn new_content_key(&self) -> Result<(ContentKey, Vec<u8>), CryptoError> {
        let identity = Identity::generate()?;
        let secret = identity.to_secret_string()?;
        let wrapped = encrypt(&self.recipient, secret.as_bytes())?;
        Ok((ContentKey::new(identity), wrapped))
    }

    /// Recovers a content key from its wrapped form.
    pub fn unwrap_content_key(&self, wrapped: &[u8]) -> Result<ContentKey, CryptoError> {
        let identity = self.identity.as_ref().ok_or(CryptoError::PublicKeyOnly)?;
        let text = decrypt(identity, wrapped)?;
        let text = std::str::from_utf8(&text)
            .map_err(|_| CryptoError::MalformedKey("wrapped key is not text"))?;
        Identity::from_str(text.trim()).map(ContentKey::new)
    }
}

/// The key one concern's content is sealed with, and the file keys it has unwrapped so far.
pub struct ContentKey {
    identity: Identity,
    unwrapped: FileKeys,
}

impl fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContentKey(..)")
    }
}

/// Encrypts `plaintext` to the content key whose public half is `recipient` (`age1…`), without
/// needing the key itself: replies and notes are sealed this way.
pub fn seal_to(recipient: &str, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    encrypt(&Recipient::from_str(recipient)?, plaintext)
}

impl ContentKey {
    fn new(identity: Identity) -> Self {
        Self {
            identity,
            unwrapped: FileKeys::default(),
        }
    }

    /// The public half, `age1…`, under which more content can be sealed to this key.
    pub fn recipient(&self) -> String {
        self.identity.to_public().to_string()
    }

    /// Encrypts `plaintext` to this key as a binary age file.
    pub fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        encrypt(&self.identity.to_public(), plaintext)
    }

    /// Decrypts an age file sealed to this key. Opening the same file again (a thread read
    /// again while the key is cached) reuses its file key instead of another X25519 agreement.
    pub fn open(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        file_key_cache::decrypt(&self.identity, &self.unwrapped, sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_wrap_unwrap_open_round_trip() {
        let master = MasterKey::generate().unwrap();
        let (key, wrapped) = master.new_content_key().unwrap();
        let sealed = key.seal(b"the canary sings").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"canary"));
        let again = master.unwrap_content_key(&wrapped).unwrap();
        assert_eq!(again.open(&sealed).unwrap().as_slice(), b"the canary sings");
    }

    #[test]
    fn sealing_to_a_recipient_opens_with_the_key_and_master_sealing_round_trips() {
        let master = MasterKey::generate().unwrap();
        let (key, _) = master.new_content_key().unwrap();
        let sealed = seal_to(&key.recipient(), b"reply").unwrap();
        assert_eq!(key.open(&sealed).unwrap().as_slice(), b"reply");
        assert!(seal_to("age1nonsense", b"x").is_err());
        let secret = master.seal(b"totp").unwrap();
        assert_eq!(master.open(&secret).unwrap().as_slice(), b"totp");
    }

    #[test]
    fn another_master_cannot_unwrap_and_another_key_cannot_open() {
        let master = MasterKey::generate().unwrap();
        let (key, wrapped) = master.new_content_key().unwrap();
        let sealed = key.seal(b"secret").unwrap();
        assert!(
            MasterKey::generate()
                .unwrap()
                .unwrap_content_key(&wrapped)
                .is_err()
        );
        let (other, _) = master.new_content_key().unwrap();
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn identity_file_round_trips_and_debug_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.key");
        let master = MasterKey::generate().unwrap();
        let text = master.identity_file().unwrap();
        secret_file::create(&path, text.as_bytes()).unwrap();
        let loaded = MasterKey::load(&path).unwrap();
        assert_eq!(loaded.recipient(), master.recipient());
        let shown = format!("{master:?}");
        assert!(!shown.contains("AGE-SECRET-KEY"), "{shown}");
        let (key, _) = master.new_content_key().unwrap();
        assert_eq!(format!("{key:?}"), "ContentKey(..)");
    }

    #[test]
    fn an_identity_file_without_a_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.key");
        secret_file::create(&path, b"# nothing here\n").unwrap();
        let err = MasterKey::load(&path).unwrap_err().to_string();
        assert!(err.contains("holds no age identity"), "{err}");
    }
}
