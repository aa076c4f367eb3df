//! Letters the ombuds sends (the termination notice, the letter carrying a resolution
//! certificate), and the plain-words statements made about certificates.
//!
//! This module owns the wording: what a letter says, in what order, as printable HTML (askama
//! templates under `templates/letters/`) and as plain text wrapped for e-mail. It is pure: it
//! reads no clock, file, configuration or database, and decides no rule itself (the deadline
//! comes from [`crate::domain::deadline`], the dates from a signed certificate). Callers hand it
//! everything and send or store the result.

pub mod follow_up;
pub mod letter;
pub mod resolution;
pub mod stored;
pub mod termination;

use chrono::NaiveDate;

pub use crate::config::Letterhead;
use crate::crypto::certificate::{Certificate, ResolutionCertificate, Verified};
use crate::i18n::{Lang, capitalize};

pub use letter::{Letter, RenderError};
pub use resolution::ResolutionInput;
pub use termination::{Addressee, NoticeError, NoticeInput};

/// The association's contact lines as a letter in `lang` prints them, each labelled.
pub fn contact_lines(letterhead: &Letterhead, lang: Lang) -> Vec<String> {
    let labelled = [
        ("notice.phone", &letterhead.phone),
        ("notice.email", &letterhead.email),
        ("notice.post", &letterhead.postal_address),
    ];
    labelled
        .into_iter()
        .filter_map(|(key, value)| {
            value
                .as_ref()
                .map(|value| format!("{} {value}", lang.t(key)))
        })
        .collect()
}

/// What a verified certificate states, in `lang` (`[verify] ok_statement`): "The Example
/// Association of REALTORS® certifies that informal resolution began on … and ended on …, 40
/// days counting both dates. Any part of the 180-day filing period still running on those days
/// was suspended, and the countdown resumed on …; which days count is for the association's
/// grievance committee to decide." It never claims days were added: the certificate does not
/// know the transaction's dates.
pub fn certified_statement(certificate: &Certificate, lang: Lang) -> String {
    let association = lang.the_association(certificate.association());
    let first = lang.long_date(certificate.first_contact());
    let end = lang.long_date(certificate.termination());
    let days = lang.days(certificate.days_suspended());
    let values: [(&str, &dyn std::fmt::Display); 4] = [
        ("association", &association),
        ("first", &first),
        ("end", &end),
        ("days", &days),
    ];
    let sentence = match certificate.resumes_on() {
        Some(day) => {
            let resumed = lang.long_date(day);
            let mut all = values.to_vec();
            all.push(("resumed", &resumed));
            lang.f("verify.ok_statement", &all)
        }
        None => lang.f("verify.ok_statement_unresumed", &values),
    };
    capitalize(&sentence)
}

/// What a verified resolution certificate states, in `lang` (`[verify] resolution_statement`):
/// the association certifies that the matter was first brought to it on one day and that the
/// parties agreed a resolution on another; if the member fails to comply, the complaining party
/// may file an ethics complaint and the first day counts as its filing date; whether a complaint
/// is timely is for the grievance committee to decide. It claims no days were suspended.
pub fn resolution_statement(certificate: &ResolutionCertificate, lang: Lang) -> String {
    let association = lang.the_association(certificate.association());
    let first = lang.long_date(certificate.first_contact());
    let agreed = lang.long_date(certificate.agreed());
    capitalize(&lang.f(
        "verify.resolution_statement",
        &[
            ("association", &association),
            ("first", &first),
            ("agreed", &agreed),
        ],
    ))
}

/// What a verified certificate of either kind states, in `lang`.
pub fn statement(verified: &Verified, lang: Lang) -> String {
    match verified {
        Verified::Suspension(certificate) => certified_statement(certificate, lang),
        Verified::Resolution(certificate) => resolution_statement(certificate, lang),
    }
}

/// The JSON answer for a verified certificate, as `/api/v1/certificates/verify` and
/// `ombuds certificate verify` give it: its fields (see
/// [`crate::crypto::certificate::Verified::to_json`]) and, for a resolution certificate, what it
/// states in English (`"statement"`). The suspension answer is its fields alone, as it always
/// was.
pub fn verified_json(verified: &Verified) -> serde_json::Value {
    let mut json = verified.to_json();
    if let (Verified::Resolution(certificate), Some(object)) = (verified, json.as_object_mut()) {
        object.insert(
            "statement".to_owned(),
            resolution_statement(certificate, Lang::En).into(),
        );
    }
    json
}

/// The letter of a printable page (one [`Letter::html`] rendered), to show inside
/// another page: what its `<main>` holds, with its headings two levels down (the page around
/// it has its own `h1` and names the letter in an `h2`). `None` if the page has no `<main>`.
/// The page is ours (rendered by askama, every value escaped, then sealed), so its markup is
/// shown as it is.
pub fn embeddable(page: &str) -> Option<String> {
    let start = page.find("<main id=\"main\">")? + "<main id=\"main\">".len();
    let end = page[start..].find("</main>")? + start;
    let body = &page[start..end];
    Some(
        body.replace("<h2>", "<h4>")
            .replace("</h2>", "</h4>")
            .replace("<h1>", "<h3>")
            .replace("</h1>", "</h3>"),
    )
}

/// A date written `YYYY-MM-DD`.
pub(crate) fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::certificate::SigningKey;

    #[test]
    fn a_printable_page_embeds_as_its_letter_with_lower_headings() {
        let page = "<html><body><main id=\"main\"><h1>Title</h1><section><h2>Part</h2>\
                    <p>x &#60; y</p></section></main></body></html>";
        assert_eq!(
            embeddable(page).as_deref(),
            Some("<h3>Title</h3><section><h4>Part</h4><p>x &#60; y</p></section>")
        );
        assert_eq!(embeddable("plain text"), None);
    }

    #[test]
    fn the_statement_reads_as_a_sentence() {
        let key = SigningKey::generate().unwrap();
        let date = |s| crate::domain::dates::parse_iso_date(s).unwrap();
        let certificate = key
            .issue(
                "Example Association of REALTORS®",
                date("2026-02-02"),
                date("2026-03-13"),
                date("2026-03-16"),
            )
            .unwrap();
        assert_eq!(
            certified_statement(&certificate, Lang::En),
            "The Example Association of REALTORS® certifies that informal resolution with its \
             ombuds began on Monday, 2 February 2026 and ended on Friday, 13 March 2026, 40 days \
             counting both dates. Any part of the 180-day filing period still running on those \
             days was suspended, and the countdown resumed on Saturday, 14 March 2026; which \
             days count is for the association's grievance committee to decide."
        );
        let the = key
            .issue(
                "The Valley Association of REALTORS®",
                date("2026-02-02"),
                date("2026-02-02"),
                date("2026-02-02"),
            )
            .unwrap();
        assert!(certified_statement(&the, Lang::En).starts_with("The Valley Association"));
        assert!(certified_statement(&the, Lang::En).contains("1 day counting both dates"));
    }
}
