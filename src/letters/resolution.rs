//! The letter that carries a resolution certificate to the person who raised the concern, when
//! a case closes successfully with a resolution plan every party agreed (docs/RULES.md, "The
//! resolution certificate"): what the certificate states in plain words, that the association
//! keeps nothing of it after the day it is destroyed (so the person saves or prints it now), and
//! the certificate itself with the address where anyone can check it.
//!
//! [`ResolutionLetter::compose`] decides the wording once; [`ResolutionLetter::html`] and
//! [`ResolutionLetter::text`] lay the same words out for print and for e-mail. Pure: no clock
//! (the date of the letter is the certificate's date of issue), no I/O.

use askama::Template;
use chrono::NaiveDate;

use super::termination::{Block, NO_BREAK, NoticeError, Section, push_wrapped};
use super::{Letterhead, iso};
use crate::crypto::certificate::ResolutionCertificate;
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

/// A composed letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolutionLetter {
    /// The language it is written in.
    pub lang: Lang,
    /// The sender.
    pub letterhead: Letterhead,
    /// The date of the letter.
    pub date: NaiveDate,
    /// The addressee block: who it is to, where to, and the matter's reference.
    pub addressee: Vec<String>,
    /// The title.
    pub title: String,
    /// The opening paragraphs.
    pub opening: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// The lines that sign the letter off.
    pub closing: Vec<String>,
}

#[derive(Template)]
#[template(path = "letters/resolution.html")]
struct ResolutionHtml<'a> {
    letter: &'a ResolutionLetter,
    date_long: String,
    date_iso: String,
}

impl ResolutionLetter {
    /// Decides the wording of the letter in `lang`, from the `[resolution_letter]` section of
    /// `translations/{lang}.toml` (the letterhead and addressee lines from `[notice]`, the
    /// statement from `[verify]`, as the check page words it).
    pub fn compose(input: &ResolutionInput<'_>, lang: Lang) -> Self {
        let certificate = input.certificate;
        let day = |date: NaiveDate| lang.long_date(date).replace(' ', NO_BREAK);
        let mut addressee =
            vec![lang.f("notice.to", &[("name", &lang.t("notice.to_complainant"))])];
        addressee.extend(
            input
                .contact
                .into_iter()
                .flat_map(str::lines)
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
        addressee.push(lang.f("notice.reference", &[("reference", &input.reference)]));

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
        Self {
            lang,
            letterhead: input.letterhead.clone(),
            date: certificate.issued(),
            addressee,
            title: lang.t("resolution_letter.title").to_owned(),
            opening,
            sections: vec![meaning, keep, proof],
            closing: vec![
                lang.t("notice.closing").to_owned(),
                input.letterhead.name.clone(),
            ],
        }
    }

    /// The letter as a standalone printable HTML page (it links the service's stylesheet, which
    /// has the print rules).
    ///
    /// # Errors
    /// [`NoticeError::Render`] if the template fails.
    pub fn html(&self) -> Result<String, NoticeError> {
        ResolutionHtml {
            letter: self,
            date_long: self.lang.long_date(self.date).replace(' ', NO_BREAK),
            date_iso: iso(self.date),
        }
        .render()
        .map_err(|e| NoticeError::Render(e.to_string()))
    }

    /// The association's contact lines, labelled in the letter's language.
    pub fn contact_lines(&self) -> Vec<String> {
        super::contact_lines(&self.letterhead, self.lang)
    }

    /// The letter as plain text, wrapped at [`super::termination::TEXT_WIDTH`] characters; the certificate is kept
    /// exactly as it is.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.letterhead.name);
        out.push('\n');
        out.push_str(self.lang.t("notice.program"));
        out.push('\n');
        for line in self.contact_lines() {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
        for line in &self.addressee {
            out.push_str(line);
            out.push('\n');
        }
        let date = format!(
            "{} {}",
            self.lang.t("resolution_letter.date_of"),
            self.lang.long_date(self.date)
        );
        out.push('\n');
        push_wrapped(&mut out, &date, "", "");
        out.push('\n');
        out.push_str(&self.title.to_uppercase());
        out.push('\n');
        out.push_str(&"=".repeat(self.title.chars().count()));
        out.push_str("\n\n");
        for paragraph in &self.opening {
            push_wrapped(&mut out, paragraph, "", "");
            out.push('\n');
        }
        for section in &self.sections {
            out.push_str(&section.heading);
            out.push('\n');
            out.push_str(&"-".repeat(section.heading.chars().count()));
            out.push_str("\n\n");
            for block in &section.blocks {
                match block {
                    Block::Text(text) => push_wrapped(&mut out, text, "", ""),
                    Block::Steps(steps) => {
                        for (i, step) in steps.iter().enumerate() {
                            let number = format!("{}. ", i + 1);
                            let hang = " ".repeat(number.len());
                            push_wrapped(&mut out, step, &number, &hang);
                        }
                    }
                    Block::Facts(facts) => {
                        for (term, value) in facts {
                            push_wrapped(&mut out, &format!("{term}: {value}"), "- ", "  ");
                        }
                    }
                    Block::Preformatted(text) => {
                        out.push_str(text);
                        if !text.ends_with('\n') {
                            out.push('\n');
                        }
                    }
                    Block::Link { text, url } => {
                        push_wrapped(&mut out, &format!("{text} {url}"), "", "");
                    }
                }
                out.push('\n');
            }
        }
        for line in &self.closing {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

impl ResolutionHtml<'_> {
    /// Whether `url` may be shown as a link (only web addresses are).
    fn linkable(&self, url: &str) -> bool {
        url.starts_with("https://") || url.starts_with("http://")
    }
}

#[cfg(test)]
mod tests;
