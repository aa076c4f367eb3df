//! Device tokens for sign-in: proof that a browser or client has signed in to an account
//! before, so that its attempts are throttled apart from everyone else's. A guesser who keeps
//! an account's shared throttle blocked has no such token, and cannot keep its owner out.
//!
//! A token is 128 random bits and a keyed hash binding them to the account's name, under the
//! service's `receipt.key` (a purpose of its own), so nothing is stored: a token checks itself.
//! It grants nothing by itself; it only chooses which throttle an attempt counts against.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{CryptoError, ReceiptKey, random};

const PURPOSE: &str = "signin-device";

/// Random bits that tell one device's token from another's.
pub type DeviceNonce = [u8; 16];

fn binding(key: &ReceiptKey, username: &str, nonce: &DeviceNonce) -> [u8; 32] {
    let mut data = Vec::with_capacity(username.len() + 1 + nonce.len());
    data.extend_from_slice(username.as_bytes());
    data.push(0);
    data.extend_from_slice(nonce);
    key.tag(PURPOSE, &data)
}

/// A new token for `username` (as typed at sign-in: trimmed, lowercase).
pub fn issue(key: &ReceiptKey, username: &str) -> Result<Zeroizing<String>, CryptoError> {
    let mut nonce = DeviceNonce::default();
    random::fill(&mut nonce)?;
    let encode = |bytes: &[u8]| data_encoding::BASE64URL_NOPAD.encode(bytes);
    Ok(Zeroizing::new(format!(
        "{}.{}",
        encode(&nonce),
        encode(&binding(key, username, &nonce))
    )))
}

/// The nonce of `token`, if it is a token this key issued for `username`.
pub fn check(key: &ReceiptKey, username: &str, token: &str) -> Option<DeviceNonce> {
    let (nonce, mac) = token.split_once('.')?;
    let decode = |text: &str| data_encoding::BASE64URL_NOPAD.decode(text.as_bytes()).ok();
    let nonce: DeviceNonce = decode(nonce)?.try_into().ok()?;
    let mac = decode(mac)?;
    bool::from(binding(key, username, &nonce).ct_eq(&mac)).then_some(nonce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_checks_for_its_account_under_its_key_only() {
        let key = ReceiptKey::generate().unwrap();
        let token = issue(&key, "olga").unwrap();
        let nonce = check(&key, "olga", &token).unwrap();
        assert_ne!(nonce, DeviceNonce::default());
        assert_eq!(check(&key, "ada", &token), None, "another account");
        assert_eq!(
            check(&ReceiptKey::generate().unwrap(), "olga", &token),
            None
        );
        let mut forged = token.to_string();
        forged.replace_range(0..1, if forged.starts_with('A') { "B" } else { "A" });
        assert_eq!(check(&key, "olga", &forged), None, "a changed nonce");
        for junk in ["", ".", "abc", "abc.def", "x.y.z"] {
            assert_eq!(check(&key, "olga", junk), None, "{junk:?}");
        }
        assert_ne!(issue(&key, "olga").unwrap(), token, "each device its own");
    }
}
