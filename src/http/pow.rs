//! Proof of work on the intake: signed, expiring puzzles that a small same-origin script
//! (`/static/pow.js`) solves in the browser, and their check.
//!
//! A challenge is `EXPIRES.BITS.ID.TAG`: the Unix second it expires, the leading zero bits
//! asked for, 128 random bits, and an HMAC-SHA-256 tag over the rest under a key that lives
//! only in this process's memory (a restart invalidates outstanding challenges, which then
//! count as unproven). A solution is a nonce (1 to 32 letters or digits) such that
//! SHA-256(`CHALLENGE:NONCE`) starts with BITS zero bits. No state is kept per client; the
//! only state is the bounded set of challenges already used, kept until they expire, so that
//! one solution cannot be replayed. A submission without a valid proof is not refused: it only
//! counts against a smaller budget ([`super::admission`]).

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::config::limits::ProofOfWork;
use crate::crypto::CryptoError;

/// The script that solves a challenge in the browser.
pub const SCRIPT: &str = include_str!("../../templates/static/pow.js");

/// What a submitted proof turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A valid, unexpired, first-time solution.
    Proven,
    /// No challenge or no nonce was sent.
    Missing,
    /// The challenge was not issued here (bad form or tag), or the nonce does not solve it.
    Invalid,
    /// The challenge has expired.
    Expired,
    /// The challenge was already used.
    Replayed,
    /// Too many challenges are remembered to check this one for replay.
    Busy,
}

/// Issues and checks the intake's puzzles.
pub struct Puzzles {
    key: Zeroizing<[u8; 32]>,
    bits: u8,
    valid_for: i64,
    max_remembered: usize,
    used: Mutex<HashMap<[u8; 16], i64>>,
}

impl std::fmt::Debug for Puzzles {
    /// Never shows the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Puzzles")
            .field("bits", &self.bits)
            .field("valid_for", &self.valid_for)
            .finish_non_exhaustive()
    }
}

impl Puzzles {
    /// Puzzles as `settings` say, under a fresh random key.
    pub fn new(settings: &ProofOfWork) -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; 32]);
        crate::crypto::random::fill(key.as_mut())?;
        Ok(Self {
            key,
            bits: settings.difficulty_bits,
            valid_for: i64::try_from(settings.valid_for.as_secs()).unwrap_or(i64::MAX),
            max_remembered: settings.max_remembered,
            used: Mutex::new(HashMap::new()),
        })
    }

    /// The leading zero bits asked for.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    fn tag(&self, body: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.key.as_ref()) else {
            return String::new();
        };
        mac.update(body.as_bytes());
        data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes()[..16])
    }

    /// A new challenge, valid from `now` (Unix seconds) for the configured time.
    pub fn issue(&self, now: i64) -> Result<String, CryptoError> {
        let mut id = [0u8; 16];
        crate::crypto::random::fill(&mut id)?;
        let body = format!(
            "{}.{}.{}",
            now.saturating_add(self.valid_for),
            self.bits,
            data_encoding::HEXLOWER.encode(&id)
        );
        let tag = self.tag(&body);
        Ok(format!("{body}.{tag}"))
    }

    /// Checks a proof at `now`, and on success remembers its challenge as used.
    pub fn check(&self, challenge: Option<&str>, nonce: Option<&str>, now: i64) -> Verdict {
        let (Some(challenge), Some(nonce)) = (challenge, nonce) else {
            return Verdict::Missing;
        };
        let (challenge, nonce) = (challenge.trim(), nonce.trim());
        if challenge.is_empty() || nonce.is_empty() {
            return Verdict::Missing;
        }
        if challenge.len() > 128
            || nonce.len() > 32
            || !nonce.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Verdict::Invalid;
        }
        let Some((body, tag)) = challenge.rsplit_once('.') else {
            return Verdict::Invalid;
        };
        let expected = self.tag(body);
        if expected.is_empty()
            || !bool::from(subtle::ConstantTimeEq::ct_eq(
                expected.as_bytes(),
                tag.as_bytes(),
            ))
        {
            return Verdict::Invalid;
        }
        let mut parts = body.split('.');
        let (Some(expires), Some(bits), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Verdict::Invalid;
        };
        let (Ok(expires), Ok(bits)) = (expires.parse::<i64>(), bits.parse::<u32>()) else {
            return Verdict::Invalid;
        };
        let Ok(id_bytes) = data_encoding::HEXLOWER.decode(id.as_bytes()) else {
            return Verdict::Invalid;
        };
        let Ok(id) = <[u8; 16]>::try_from(id_bytes.as_slice()) else {
            return Verdict::Invalid;
        };
        if now >= expires {
            return Verdict::Expired;
        }
        let digest = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
        if leading_zero_bits(&digest) < bits.max(u32::from(self.bits)) {
            return Verdict::Invalid;
        }
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if used.contains_key(&id) {
            return Verdict::Replayed;
        }
        if used.len() >= self.max_remembered {
            used.retain(|_, until| *until > now);
            if used.len() >= self.max_remembered {
                return Verdict::Busy;
            }
        }
        used.insert(id, expires);
        Verdict::Proven
    }
}

/// The number of zero bits at the start of `bytes`.
pub fn leading_zero_bits(bytes: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in bytes {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn puzzles(bits: u8) -> Puzzles {
        Puzzles::new(&ProofOfWork {
            difficulty_bits: bits,
            valid_for: Duration::from_secs(600),
            unproven: crate::config::limits::Budget {
                concurrent: 1,
                queue: 0,
            },
            max_remembered: 100,
        })
        .unwrap()
    }

    fn solve(challenge: &str, bits: u32) -> String {
        (0u64..)
            .map(|n| n.to_string())
            .find(|nonce| {
                leading_zero_bits(&Sha256::digest(format!("{challenge}:{nonce}").as_bytes()))
                    >= bits
            })
            .unwrap()
    }

    #[test]
    fn a_solution_is_accepted_once_and_not_after_expiry() {
        let puzzles = puzzles(8);
        let challenge = puzzles.issue(1000).unwrap();
        let nonce = solve(&challenge, 8);
        assert_eq!(
            puzzles.check(Some(&challenge), None, 1001),
            Verdict::Missing
        );
        assert_eq!(
            puzzles.check(Some(&challenge), Some(&nonce), 1001),
            Verdict::Proven
        );
        assert_eq!(
            puzzles.check(Some(&challenge), Some(&nonce), 1002),
            Verdict::Replayed
        );
        let late = puzzles.issue(1000).unwrap();
        let nonce = solve(&late, 8);
        assert_eq!(
            puzzles.check(Some(&late), Some(&nonce), 1600),
            Verdict::Expired
        );
        let forged = late.replacen("1600", "9999", 1);
        assert_eq!(
            puzzles.check(Some(&forged), Some(&nonce), 1001),
            Verdict::Invalid
        );
        let other = puzzles.issue(1000).unwrap();
        let wrong = (0u64..)
            .map(|n| n.to_string())
            .find(|nonce| {
                leading_zero_bits(&Sha256::digest(format!("{other}:{nonce}").as_bytes())) < 8
            })
            .unwrap();
        assert_eq!(
            puzzles.check(Some(&other), Some(&wrong), 1001),
            Verdict::Invalid
        );
    }

    #[test]
    fn leading_zero_bits_counts_across_bytes() {
        assert_eq!(leading_zero_bits(&[0, 0x10, 0xff]), 11);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
    }
}
