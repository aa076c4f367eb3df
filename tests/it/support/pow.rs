//! The intake's proof of work as a client solves it, written here independently of the
//! server's check: a nonce such that SHA-256(`CHALLENGE:NONCE`) starts with the asked number of
//! zero bits. The challenge is read from the intake form's hidden field.

use sha2::{Digest, Sha256};

/// How many leading zero bits SHA-256(`challenge:nonce`) has.
pub fn zero_bits(challenge: &str, nonce: &str) -> u32 {
    let digest = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
    let mut zeros = 0;
    for byte in digest {
        zeros += byte.leading_zeros();
        if byte != 0 {
            break;
        }
    }
    zeros
}

/// The first nonce (a counter written in hexadecimal) that solves `challenge` for `bits`
/// leading zero bits, as `/static/pow.js` searches in a browser.
pub fn solve(challenge: &str, bits: u32) -> String {
    (0u64..)
        .map(|n| format!("{n:x}"))
        .find(|nonce| zero_bits(challenge, nonce) >= bits)
        .unwrap()
}

/// The challenge in the hidden field `pow_challenge` of the intake page `html`.
pub fn challenge_in(html: &str) -> String {
    let marker = "name=\"pow_challenge\" value=\"";
    let start = html.find(marker).expect("a challenge in the form") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}
