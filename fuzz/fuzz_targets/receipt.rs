//! Receipts as people type them back (`Receipt::parse`, used by the follow-up page and the
//! `Authorization: Receipt ...` header of the JSON API).
//!
//! Invariants beyond "does not crash":
//! - an accepted receipt is in canonical form: eight lowercase list words joined by `-`;
//! - the canonical form parses to itself, and so does it in capitals with spaces;
//! - each typed word is the canonical word or a prefix of at least four letters of it.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use ombuds::crypto::Receipt;
use ombuds::crypto::receipt::RECEIPT_WORDS;

fuzz_target!(|typed: &str| {
    let Ok(receipt) = Receipt::parse(typed) else {
        return;
    };
    let canonical = receipt.expose();
    let words: Vec<&str> = canonical.split('-').collect();
    assert_eq!(words.len(), RECEIPT_WORDS);
    assert!(
        words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
    );

    let again = Receipt::parse(canonical).map(|r| r.expose().to_owned());
    assert_eq!(again.as_deref(), Ok(canonical));
    let shouted = canonical.replace('-', " ").to_uppercase();
    let again = Receipt::parse(&shouted).map(|r| r.expose().to_owned());
    assert_eq!(again.as_deref(), Ok(canonical));

    let lowered = typed.to_lowercase();
    let tokens: Vec<&str> = lowered
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(tokens.len(), RECEIPT_WORDS);
    for (token, word) in tokens.iter().zip(&words) {
        assert!(
            token == word || (token.len() >= 4 && word.starts_with(token)),
            "{token:?} read as {word:?}"
        );
    }
});
