//! Receipts: the passphrase an anonymous submitter keeps to come back, and its keyed hash.
//!
//! A receipt is eight words from the BIP-39 English list (2048 words, so 88 bits of entropy),
//! joined by hyphens. The server stores only HMAC-SHA256 of the receipt under a secret key of
//! its own: the database alone can neither show nor test receipts. Because the receipt is
//! already high-entropy, a fast keyed hash is enough; a slow password hash would buy nothing.

use std::fmt;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::CryptoError;
use super::random;
use super::secret_file::{self, SecretFileError};
use crate::domain::phrase::{Phrase, Said};

/// Number of words in a receipt.
pub const RECEIPT_WORDS: usize = 8;

fn words() -> &'static [&'static str; 2048] {
    bip39::Language::English.word_list()
}

/// A receipt in canonical form: lowercase words joined by `-`.
pub struct Receipt(Zeroizing<String>);

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt(..)")
    }
}

/// Why a typed receipt is not a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptError {
    /// Wrong number of words.
    WordCount(usize),
    /// A word is not in the list (counted from 1).
    UnknownWord(usize),
}

impl Said for ReceiptError {
    fn phrase(&self) -> Phrase {
        match self {
            Self::WordCount(count) => Phrase::new("followup.receipt_word_count")
                .with("words", RECEIPT_WORDS)
                .with("count", *count),
            Self::UnknownWord(word) => {
                Phrase::new("followup.receipt_unknown_word").with("word", *word)
            }
        }
    }
}

impl Receipt {
    /// A new random receipt.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; 2 * RECEIPT_WORDS]);
        random::fill(bytes.as_mut_slice())?;
        Ok(Self::from_bytes(&bytes))
    }

    /// The receipt whose words are picked by `bytes` (two per word), which must be uniformly
    /// random or the output of a keyed hash ([`super::handover::form_receipt`]).
    pub(super) fn from_bytes(bytes: &[u8; 2 * RECEIPT_WORDS]) -> Self {
        let mut text = Zeroizing::new(String::with_capacity(RECEIPT_WORDS * 9));
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            // 2048 words: the low 11 bits of two random bytes pick one without bias.
            let index = usize::from(u16::from_le_bytes([pair[0], pair[1]]) & 0x07ff);
            if i > 0 {
                text.push('-');
            }
            text.push_str(words()[index]);
        }
        Self(text)
    }

    /// Reads a receipt as a person might type it: any case, words separated by spaces, hyphens
    /// or punctuation, and each word either whole or cut to its first four letters (which are
    /// unique in the list).
    pub fn parse(typed: &str) -> Result<Self, ReceiptError> {
        let lowered = Zeroizing::new(typed.to_lowercase());
        let tokens: Vec<&str> = lowered
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|t| !t.is_empty())
            .collect();
        if tokens.len() != RECEIPT_WORDS {
            return Err(ReceiptError::WordCount(tokens.len()));
        }
        let mut text = Zeroizing::new(String::with_capacity(RECEIPT_WORDS * 9));
        for (i, token) in tokens.iter().enumerate() {
            let word = canonical_word(token).ok_or(ReceiptError::UnknownWord(i + 1))?;
            if i > 0 {
                text.push('-');
            }
            text.push_str(word);
        }
        Ok(Self(text))
    }

    /// The receipt's text, to show the submitter once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn canonical_word(token: &str) -> Option<&'static str> {
    if let Some(i) = bip39::Language::English.find_word(token) {
        return words().get(usize::from(i)).copied();
    }
    if token.len() >= 4 {
        let matches = bip39::Language::English.words_by_prefix(token);
        if let [only] = matches {
            return Some(only);
        }
    }
    None
}

/// The server's secret for hashing receipts.
pub struct ReceiptKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptKey(..)")
    }
}

/// The keyed hash of a receipt, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptHash(pub [u8; 32]);

/// A receipt key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptKeyError {
    /// The file could not be read, or is readable by others.
    #[error(transparent)]
    File(#[from] SecretFileError),
    /// The file does not hold 64 hexadecimal digits.
    #[error("{0}: does not hold a receipt key (64 hexadecimal digits)")]
    Content(String),
}

impl ReceiptKey {
    /// A new random key.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; 32]);
        random::fill(key.as_mut_slice())?;
        Ok(Self(key))
    }

    /// The text of a key file for this key.
    pub fn file_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::from(
            "# Secret for the keyed hash of receipts. Losing it makes every receipt useless.\n",
        ));
        text.push_str(&data_encoding::HEXLOWER.encode(self.0.as_slice()));
        text.push('\n');
        text
    }

    /// Reads a key file written by [`ReceiptKey::file_text`].
    pub fn load(path: &Path) -> Result<Self, ReceiptKeyError> {
        let text = secret_file::read(path)?;
        let bad = || ReceiptKeyError::Content(path.display().to_string());
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or_else(bad)?;
        let bytes = Zeroizing::new(
            data_encoding::HEXLOWER_PERMISSIVE
                .decode(line.as_bytes())
                .map_err(|_| bad())?,
        );
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| bad())?;
        Ok(Self(Zeroizing::new(key)))
    }

    /// The keyed hash of `receipt`.
    pub fn hash(&self, receipt: &Receipt) -> ReceiptHash {
        let mut mac = match Hmac::<Sha256>::new_from_slice(self.0.as_slice()) {
            Ok(mac) => mac,
            // HMAC takes keys of any length; this arm cannot be reached with 32 bytes.
            Err(_) => return ReceiptHash([0; 32]),
        };
        mac.update(receipt.expose().as_bytes());
        ReceiptHash(mac.finalize().into_bytes().into())
    }
}

impl ReceiptKey {
    /// A keyed hash of `data` for another purpose than receipts (e.g. the username a sign-in
    /// throttle counts against), separated from receipts and from other purposes by `purpose`.
    pub fn tag(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.as_slice()) else {
            return [0; 32];
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

impl ReceiptHash {
    /// Compares two hashes in constant time.
    pub fn matches(&self, other: &ReceiptHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_receipts_have_eight_list_words_and_differ() {
        let a = Receipt::generate().unwrap();
        let b = Receipt::generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        let parts: Vec<&str> = a.expose().split('-').collect();
        assert_eq!(parts.len(), RECEIPT_WORDS);
        assert!(parts.iter().all(|w| words().contains(w)));
    }

    #[test]
    fn typed_variants_parse_to_the_same_receipt() {
        let r = Receipt::generate().unwrap();
        let spaced = r.expose().replace('-', "  ").to_uppercase();
        assert_eq!(Receipt::parse(&spaced).unwrap().expose(), r.expose());
        let short: Vec<String> = r
            .expose()
            .split('-')
            .map(|w| w.chars().take(4).collect())
            .collect();
        assert_eq!(
            Receipt::parse(&short.join(" ")).unwrap().expose(),
            r.expose()
        );
    }

    #[test]
    fn bad_receipts_say_what_is_wrong() {
        assert_eq!(
            Receipt::parse("abandon ability").unwrap_err(),
            ReceiptError::WordCount(2)
        );
        assert_eq!(
            Receipt::parse("abandon ability able about above absent absorb zzzz").unwrap_err(),
            ReceiptError::UnknownWord(8)
        );
        // Three letters are not enough to pick a word.
        assert!(Receipt::parse("aba abi abl abo abo abs abs abs").is_err());
    }

    #[test]
    fn the_hash_is_keyed() {
        let r = Receipt::generate().unwrap();
        let k1 = ReceiptKey::generate().unwrap();
        let k2 = ReceiptKey::generate().unwrap();
        assert!(k1.hash(&r).matches(&k1.hash(&r)));
        assert!(!k1.hash(&r).matches(&k2.hash(&r)));
        assert_eq!(format!("{r:?} {k1:?}"), "Receipt(..) ReceiptKey(..)");
    }

    #[test]
    fn key_file_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("receipt.key");
        let key = ReceiptKey::generate().unwrap();
        secret_file::create(&path, key.file_text().as_bytes()).unwrap();
        let loaded = ReceiptKey::load(&path).unwrap();
        let r = Receipt::generate().unwrap();
        assert!(key.hash(&r).matches(&loaded.hash(&r)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn typed_word() -> impl Strategy<Value = (usize, String)> {
            (0..2048usize, any::<bool>(), any::<bool>()).prop_map(|(i, cut, shout)| {
                let word = words()[i];
                let mut typed: String = if cut {
                    word.chars().take(4).collect()
                } else {
                    word.to_owned()
                };
                if shout {
                    typed = typed.to_uppercase();
                }
                (i, typed)
            })
        }

        proptest! {
            /// Eight words typed in any case, whole or cut to four letters, between any
            /// separators, read as the canonical receipt.
            #[test]
            fn typed_receipts_read_as_canonical(
                typed in proptest::collection::vec(typed_word(), RECEIPT_WORDS),
                separators in proptest::collection::vec("[ \\-.,;:\t0-9]{1,3}", RECEIPT_WORDS + 1),
            ) {
                let mut text = separators[0].clone();
                for ((_, word), separator) in typed.iter().zip(&separators[1..]) {
                    text.push_str(word);
                    text.push_str(separator);
                }
                let canonical: Vec<&str> = typed.iter().map(|(i, _)| words()[*i]).collect();
                let parsed = Receipt::parse(&text).unwrap();
                prop_assert_eq!(parsed.expose(), canonical.join("-"));
                let again = Receipt::parse(parsed.expose()).unwrap();
                prop_assert_eq!(again.expose(), parsed.expose());
            }

            /// Any text: refused with a reason, or canonical and idempotent.
            #[test]
            fn any_text_is_refused_or_canonical(text in "\\PC{0,80}") {
                if let Ok(receipt) = Receipt::parse(&text) {
                    let again = Receipt::parse(receipt.expose()).unwrap();
                    prop_assert_eq!(again.expose(), receipt.expose());
                    prop_assert_eq!(receipt.expose().split('-').count(), RECEIPT_WORDS);
                }
            }
        }
    }
}
