//! The letter that carries a resolution certificate to the person who raised the concern, when
//! a case closes successfully with a resolution plan every party agreed (docs/RULES.md, "The
//! resolution certificate"): what the certificate states in plain words, that the association
//! keeps nothing of it after the day it is destroyed (so the person saves or prints it now), and
//! the certificate itself with the address where anyone can check it.
//!
//! [`compose`] decides the wording once, as a [`Letter`] laid out for print and for e-mail.
//! Pure: no clock (the date of the letter is the certificate's date of issue), no I/O.

use chrono::NaiveDate;

use super::Letterhead;
use super::letter::{Block, Letter, NO_BREAK, Section, Words};
use super::termination::{Addressee, addressee_lines};
use crate::crypto::certificate::ResolutionCertificate;
use crate::domain::notices::NoticeVersion;
use crate::i18n::Lang;

/// Everything the letter is made from.
#[derive(Debug, Clone, Copy)]
pub struct ResolutionInput<'a> {
    /// The association sending it.
    pub letterhead: &'a Letterhead,
    /// The signed certificate; its date of issue is the date of the letter (the day the case
    /// was closed).
    pub certificate: &'a ResolutionCertificate,
    /// The address of this service, e.g. `https://ombuds.example.org/`; the letter points to
    /// its `/verify` page.
    pub base_url: &'a str,
    /// The matter's reference, which the person may quote to the association while the letter
    /// is kept.
    pub reference: &'a str,
    /// Where the ombuds sends it, for a person who holds no receipt.
    pub contact: Option<&'a str>,
    /// The day the letter and its key are destroyed.
    pub destroyed_on: NaiveDate,
}

/// Decides the wording of the letter in `lang`, from the `[resolution_letter]` section of
/// `translations/{lang}.toml` (the letterhead and addressee lines from `[notice]`, the
/// statement from `[verify]`, as the check page words it).
pub fn compose(input: &ResolutionInput<'_>, lang: Lang) -> Letter {
    let certificate = input.certificate;
    let day = |date: NaiveDate| lang.long_date(date).replace(' ', NO_BREAK);
    let addressee = addressee_lines(
        Words(lang),
        &Addressee {
            version: NoticeVersion::Complainant,
            reference: input.reference,
            name: None,
            contact: input.contact,
        },
    );

    let opening = vec![lang.f(
        "resolution_letter.opening",
        &[
            ("association", &lang.the_association(&input.letterhead.name)),
            ("first", &day(certificate.first_contact())),
            ("agreed", &day(certificate.agreed())),
            ("closed", &day(certificate.issued())),
        ],
    )];
    let meaning = Section {
        heading: lang.t("resolution_letter.meaning_heading").to_owned(),
        blocks: vec![
            Block::Text(super::resolution_statement(certificate, lang)),
            Block::Text(lang.t("resolution_letter.nothing_else").to_owned()),
        ],
    };
    let keep = Section {
        heading: lang.t("resolution_letter.keep_heading").to_owned(),
        blocks: vec![Block::Text(lang.f(
            "resolution_letter.keep",
            &[("destroyed", &day(input.destroyed_on))],
        ))],
    };
    let proof = Section {
        heading: lang.t("resolution_letter.certificate_heading").to_owned(),
        blocks: vec![
            Block::Text(lang.t("resolution_letter.certificate_text").to_owned()),
            Block::Preformatted(certificate.armoured()),
            Block::Link {
                text: lang.t("resolution_letter.certificate_link").to_owned(),
                url: format!("{}/verify", input.base_url.trim_end_matches('/')),
            },
        ],
    };
    Letter {
        lang,
        letterhead: input.letterhead.clone(),
        date: certificate.issued(),
        addressee,
        date_label: lang.t("resolution_letter.date_of").to_owned(),
        title: lang.t("resolution_letter.title").to_owned(),
        opening,
        sections: vec![meaning, keep, proof],
        closing: vec![
            lang.t("notice.closing").to_owned(),
            input.letterhead.name.clone(),
        ],
    }
}

#[cfg(test)]
mod tests;
