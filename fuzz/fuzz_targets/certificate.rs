//! Suspension-certificate verification (`certificate::verify`, used by `/verify`,
//! `POST /api/v1/certificates/verify` and `ombuds certificate verify`).
//!
//! Each input is used twice: as pasted text, and as a list of edits (3 bytes each: a position
//! and a byte; the high bit of the first byte chooses insert or replace) applied to one genuine
//! certificate issued at start-up.
//!
//! Invariants beyond "does not crash":
//! - verification never accepts a certificate whose fields differ from the genuine one: an
//!   accepted text is the genuine certificate, whatever was changed around it;
//! - nothing is accepted under a key that did not sign it;
//! - an accepted certificate re-armours to a text that verifies to the same certificate.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use ombuds::crypto::certificate::{Certificate, PublicKey, SigningKey, verify};

struct Fixture {
    key: PublicKey,
    other: PublicKey,
    genuine: Certificate,
    text: String,
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let signing = SigningKey::generate().ok()?;
            let other = SigningKey::generate().ok()?.public_key();
            let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d);
            let genuine = signing
                .issue(
                    "Example Association of REALTORS®",
                    date(2, 2)?,
                    date(3, 13)?,
                    date(3, 16)?,
                )
                .ok()?;
            let text = genuine.armoured();
            Some(Fixture {
                key: signing.public_key(),
                other,
                genuine,
                text,
            })
        })
        .as_ref()
}

fn check(fixture: &Fixture, text: &str) {
    if let Ok(accepted) = verify(text, &[fixture.key]) {
        assert_eq!(
            accepted, fixture.genuine,
            "a changed certificate was accepted:\n{text}"
        );
        let again = verify(&accepted.armoured(), &[fixture.key]);
        assert_eq!(again.as_ref(), Ok(&accepted));
    }
    assert!(
        verify(text, &[fixture.other]).is_err(),
        "accepted under a key that did not sign it"
    );
    assert!(verify(text, &[]).is_err());
}

fuzz_target!(|data: &[u8]| {
    let Some(fixture) = fixture() else {
        panic!("the fixture could not be made");
    };
    if let Ok(text) = std::str::from_utf8(data) {
        check(fixture, text);
    }
    let mut bytes = fixture.text.clone().into_bytes();
    for edit in data.chunks_exact(3) {
        let at = usize::from(u16::from_be_bytes([edit[0] & 0x7f, edit[1]])) % (bytes.len() + 1);
        if edit[0] & 0x80 == 0 && at < bytes.len() {
            bytes[at] = edit[2];
        } else {
            bytes.insert(at, edit[2]);
        }
    }
    if let Ok(text) = String::from_utf8(bytes) {
        check(fixture, &text);
    }
});
