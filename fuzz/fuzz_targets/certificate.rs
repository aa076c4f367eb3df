//! Certificate verification (`certificate::verify`, used by `/verify`,
//! `POST /api/v1/certificates/verify` and `ombuds certificate verify`), for both kinds: the
//! suspension certificate and the resolution certificate.
//!
//! Each input is used three times: as pasted text, and as a list of edits (3 bytes each: a
//! position and a byte; the high bit of the first byte chooses insert or replace) applied to one
//! genuine certificate of each kind issued at start-up.
//!
//! Invariants beyond "does not crash":
//! - verification never accepts a certificate whose fields differ from a genuine one: an
//!   accepted text is one of the genuine certificates, whatever was changed around it, and an
//!   edited certificate is never accepted as the other kind;
//! - nothing is accepted under a key that did not sign it;
//! - an accepted certificate re-armours to a text that verifies to the same certificate.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use ombuds::crypto::certificate::{PublicKey, SigningKey, Verified, verify};

struct Fixture {
    key: PublicKey,
    other: PublicKey,
    /// The genuine certificates, each with its text.
    genuine: [(Verified, String); 2],
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let signing = SigningKey::generate().ok()?;
            let other = SigningKey::generate().ok()?.public_key();
            let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d);
            let name = "Example Association of REALTORS®";
            let suspension =
                Verified::from(signing.issue(name, date(2, 2)?, date(3, 13)?, date(3, 16)?).ok()?);
            let resolution = Verified::from(
                signing
                    .issue_resolution(name, date(2, 2)?, date(3, 10)?, date(3, 16)?)
                    .ok()?,
            );
            let texts = (suspension.armoured(), resolution.armoured());
            Some(Fixture {
                key: signing.public_key(),
                other,
                genuine: [(suspension, texts.0), (resolution, texts.1)],
            })
        })
        .as_ref()
}

/// Checks `text`; `edited` is the genuine certificate it was made from by editing, if it was.
fn check(fixture: &Fixture, text: &str, edited: Option<&Verified>) {
    if let Ok(accepted) = verify(text, &[fixture.key]) {
        match edited {
            Some(original) => assert_eq!(
                &accepted, original,
                "a changed certificate was accepted:\n{text}"
            ),
            None => assert!(
                fixture.genuine.iter().any(|(g, _)| *g == accepted),
                "a certificate nobody issued was accepted:\n{text}"
            ),
        }
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
        check(fixture, text, None);
    }
    for (genuine, text) in &fixture.genuine {
        let mut bytes = text.clone().into_bytes();
        for edit in data.chunks_exact(3) {
            let at =
                usize::from(u16::from_be_bytes([edit[0] & 0x7f, edit[1]])) % (bytes.len() + 1);
            if edit[0] & 0x80 == 0 && at < bytes.len() {
                bytes[at] = edit[2];
            } else {
                bytes.insert(at, edit[2]);
            }
        }
        if let Ok(text) = String::from_utf8(bytes) {
            check(fixture, &text, Some(genuine));
        }
    }
});
