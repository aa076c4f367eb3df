//! Letters the ombuds sends, and the plain-words statements made about certificates.
//!
//! This module owns the wording: what a letter says, in what order, as printable HTML (askama
//! templates under `templates/letters/`) and as plain text wrapped for e-mail. It is pure: it
//! reads no clock, file, configuration or database, and decides no rule itself (the deadline
//! comes from [`crate::domain::deadline`], the dates from a signed certificate). Callers hand it
//! everything and send or store the result.

pub mod stored;
pub mod termination;

use chrono::NaiveDate;

pub use crate::config::Letterhead;
use crate::crypto::certificate::Certificate;
use crate::domain::dates::long_date;
use crate::i18n::Lang;

pub use termination::{NoticeError, NoticeInput, TerminationNotice};

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

/// What a verified certificate states, in one or two plain sentences: "The Example Association
/// of REALTORS® certifies that informal resolution began on … and ended on …; the 180-day
/// filing period was suspended for 40 days, and the countdown resumed on …".
pub fn certified_statement(certificate: &Certificate) -> String {
    let name = certificate.association();
    let the = if starts_with_the(name) { "" } else { "The " };
    let resumed = certificate
        .resumes_on()
        .map(|day| format!(", and the countdown resumed on {}", long_date(day)))
        .unwrap_or_default();
    format!(
        "{the}{name} certifies that informal resolution with its ombuds began on {} and ended on \
         {}; the 180-day filing period was suspended for {}{resumed}.",
        long_date(certificate.first_contact()),
        long_date(certificate.termination()),
        Lang::En.days(certificate.days_suspended()),
    )
}

/// "the Example Association …", or the name as it is when it already starts with "The".
pub(crate) fn the_association(name: &str) -> String {
    if starts_with_the(name) {
        name.to_owned()
    } else {
        format!("the {name}")
    }
}

fn starts_with_the(name: &str) -> bool {
    name.get(..4)
        .is_some_and(|start| start.eq_ignore_ascii_case("the "))
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
            certified_statement(&certificate),
            "The Example Association of REALTORS® certifies that informal resolution with its \
             ombuds began on Monday, 2 February 2026 and ended on Friday, 13 March 2026; the \
             180-day filing period was suspended for 40 days, and the countdown resumed on \
             Saturday, 14 March 2026."
        );
        let the = key
            .issue(
                "The Valley Association of REALTORS®",
                date("2026-02-02"),
                date("2026-02-02"),
                date("2026-02-02"),
            )
            .unwrap();
        assert!(certified_statement(&the).starts_with("The Valley Association"));
        assert!(certified_statement(&the).contains("suspended for 1 day,"));
    }
}
