//! File keys an identity has already unwrapped, so that opening the same age file again skips
//! the X25519 agreement (about 21 µs, the largest cost of re-reading a case's thread).
//!
//! A file key is fully determined by its stanza (the ephemeral share and the wrapped key), so a
//! remembered key is exactly what unwrapping again would give; a stanza never seen is unwrapped
//! as usual. The memory lives as long as the content key that owns it — for a cached case key,
//! at most the key cache's lifetime — holds at most [`CAPACITY`] keys, and zeroizes them when
//! dropped or pushed out.

use std::sync::Mutex;

use age::DecryptError;
use age_core::format::{FILE_KEY_BYTES, FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use zeroize::Zeroizing;

use super::CryptoError;
use super::x25519::Identity;

/// Most file keys remembered per identity (a concern and the latest messages of its thread).
pub const CAPACITY: usize = 16;

/// A stanza's share and body, and the file key they unwrap to.
type Remembered = (Vec<u8>, Zeroizing<[u8; FILE_KEY_BYTES]>);

/// The file keys one identity has unwrapped, oldest first.
#[derive(Default)]
pub struct FileKeys(Mutex<Vec<Remembered>>);

impl std::fmt::Debug for FileKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileKeys(..)")
    }
}

impl FileKeys {
    fn find(&self, stanza: &[u8]) -> Option<FileKey> {
        let keys = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.iter()
            .find(|(seen, _)| seen.as_slice() == stanza)
            .map(|(_, key)| FileKey::init_with_mut(|file_key| file_key.copy_from_slice(&key[..])))
    }

    fn remember(&self, stanza: Vec<u8>, key: &FileKey) {
        let mut keys = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if keys.len() >= CAPACITY {
            keys.remove(0);
        }
        keys.push((stanza, Zeroizing::new(*key.expose_secret())));
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `identity`, consulting and filling `keys` as it unwraps.
struct Remembering<'a> {
    identity: &'a Identity,
    keys: &'a FileKeys,
}

impl age::Identity for Remembering<'_> {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, DecryptError>> {
        if stanza.tag != super::x25519::TAG {
            return None;
        }
        let mut seen = stanza.args.concat().into_bytes();
        seen.extend_from_slice(&stanza.body);
        if let Some(key) = self.keys.find(&seen) {
            return Some(Ok(key));
        }
        let unwrapped = age::Identity::unwrap_stanza(self.identity, stanza)?;
        if let Ok(key) = &unwrapped {
            self.keys.remember(seen, key);
        }
        Some(unwrapped)
    }
}

/// Decrypts an age file with `identity`, reusing a file key from `keys` when this file's stanza
/// has been unwrapped before.
pub fn decrypt(
    identity: &Identity,
    keys: &FileKeys,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    age::decrypt(&Remembering { identity, keys }, ciphertext)
        .map(Zeroizing::new)
        .map_err(|e| CryptoError::Decrypt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::x25519::encrypt;

    #[test]
    fn a_file_opens_again_from_its_remembered_key_and_tampering_is_still_refused() {
        let identity = Identity::generate().unwrap();
        let keys = FileKeys::default();
        let sealed = encrypt(&identity.to_public(), b"the thread").unwrap();
        assert_eq!(
            &decrypt(&identity, &keys, &sealed).unwrap()[..],
            b"the thread"
        );
        assert_eq!(keys.len(), 1);
        assert_eq!(
            &decrypt(&identity, &keys, &sealed).unwrap()[..],
            b"the thread"
        );
        assert_eq!(keys.len(), 1, "the second opening reused the key");

        // The header MAC and the payload are still checked with a remembered key.
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(decrypt(&identity, &keys, &tampered).is_err());

        // Another identity's memory does not open it.
        let other = Identity::generate().unwrap();
        assert!(decrypt(&other, &FileKeys::default(), &sealed).is_err());
    }

    #[test]
    fn at_most_capacity_keys_are_remembered() {
        let identity = Identity::generate().unwrap();
        let keys = FileKeys::default();
        for n in 0..CAPACITY + 5 {
            let sealed = encrypt(&identity.to_public(), format!("message {n}").as_bytes()).unwrap();
            decrypt(&identity, &keys, &sealed).unwrap();
        }
        assert_eq!(keys.len(), CAPACITY);
    }
}
