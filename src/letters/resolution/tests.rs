use super::*;
use crate::crypto::certificate::tests::{fixed_key, fixed_resolution};
use crate::crypto::certificate::{Verified, verify};
use crate::domain::dates::parse_iso_date;

fn d(text: &str) -> NaiveDate {
    parse_iso_date(text).unwrap()
}

fn letterhead() -> Letterhead {
    Letterhead {
        name: "Example Association of REALTORS®".into(),
        phone: Some("555-0100".into()),
        email: Some("ombuds@example.org".into()),
        postal_address: None,
    }
}

/// The letter for the fixed certificate (first contact 2026-02-02, agreed 2026-03-10, issued
/// 2026-03-16), kept 30 days.
fn letter(lang: Lang, contact: Option<&str>) -> Letter {
    let certificate = fixed_resolution(|_| {});
    compose(
        &ResolutionInput {
            letterhead: &letterhead(),
            certificate: &certificate,
            base_url: "https://ombuds.example.org/",
            reference: "K3QF-7ZPA",
            contact,
            destroyed_on: d("2026-04-15"),
        },
        lang,
    )
}

#[test]
fn plain_text_of_the_resolution_letter() {
    insta::assert_snapshot!(letter(Lang::En, None).text());
}

#[test]
fn plain_text_of_the_resolution_letter_in_spanish() {
    insta::assert_snapshot!(letter(Lang::Es, None).text());
}

#[test]
fn the_letter_says_what_it_must_and_its_certificate_verifies() {
    let text = letter(Lang::En, None).text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in [
        "Date of this letter: Monday, 16 March 2026",
        "first brought to it on Monday, 2 February 2026",
        "agreed a resolution on Tuesday, 10 March 2026",
        "If the member fails to comply with the agreed resolution, the complaining party may \
         file an ethics complaint, and Monday, 2 February 2026 counts as its filing date.",
        "grievance committee to decide",
        "destroyed on Wednesday, 15 April 2026",
        "Save it or print it now",
        "into the form at https://ombuds.example.org/verify",
    ] {
        assert!(flat.contains(needed), "missing {needed:?} in:\n{text}");
    }
    // It claims no days were suspended, and holds no deadline.
    for absent in ["suspend", "deadline", "days"] {
        assert!(
            !flat.to_lowercase().contains(absent),
            "{absent:?} in:\n{text}"
        );
    }
    // The whole letter, pasted into the checker, verifies as the certificate it carries.
    let verified = verify(&text, &[fixed_key().public_key()]).unwrap();
    assert_eq!(verified, Verified::Resolution(fixed_resolution(|_| {})));
    // Lines fit an e-mail, except the certificate's own.
    for line in text.lines().filter(|l| !l.starts_with("Signature:")) {
        assert!(line.chars().count() <= 72, "too long: {line:?}");
    }
}

#[test]
fn a_letter_to_post_carries_the_address_and_the_page_is_printable() {
    let posted = letter(Lang::Es, Some("Calle CANARY 12\n  Springfield  \n"));
    assert_eq!(
        posted.addressee,
        [
            "Para: la persona que planteó la inquietud",
            "Calle CANARY 12",
            "Springfield",
            "Referencia del asunto: K3QF-7ZPA",
        ]
    );
    let html = posted.html().unwrap();
    assert!(
        html.starts_with("<!doctype html>\n<html lang=\"es\">"),
        "{html}"
    );
    assert!(html.contains(
        "<pre class=\"certificate\" tabindex=\"0\">-----BEGIN OMBUDS RESOLUTION CERTIFICATE-----"
    ));
    assert!(html.contains("<a href=\"https://ombuds.example.org/verify\">"));
    assert!(html.contains("<time datetime=\"2026-03-16\">"));
    // The printable page embeds in the follow-up page as its letter.
    assert!(crate::letters::embeddable(&html).is_some());
}
