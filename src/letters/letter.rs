//! A composed letter and its two layouts: a printable HTML page (askama template
//! `templates/letters/letter.html`) and plain text wrapped for e-mail. Every letter the
//! association sends (the termination notice, the follow-up letter) is made of the same parts:
//! letterhead, addressee, date, title, opening paragraphs, headed sections, sign-off. The
//! modules beside this one decide the words; this one lays them out. Pure: no clock, no I/O.

use askama::Template;
use chrono::NaiveDate;

use super::{Letterhead, iso};
use crate::i18n::Lang;

/// Width of the plain-text letter, in characters.
pub const TEXT_WIDTH: usize = 72;

/// One block of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Text(String),
    /// Numbered steps.
    Steps(Vec<String>),
    /// Terms and their values.
    Facts(Vec<(String, String)>),
    /// Text kept exactly as it is, line by line (the certificate).
    Preformatted(String),
    /// A sentence ending in an address: `{text} {url}.`
    Link {
        /// The sentence up to the address.
        text: String,
        /// The address.
        url: String,
    },
}

/// A headed part of the letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Its heading.
    pub heading: String,
    /// Its content, in order.
    pub blocks: Vec<Block>,
}

/// A composed letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The language it is written in.
    pub lang: Lang,
    /// The sender.
    pub letterhead: Letterhead,
    /// The date of the letter.
    pub date: NaiveDate,
    /// The addressee block: who it is to, where to, and the matter's reference.
    pub addressee: Vec<String>,
    /// What the date is called ("Date of this notice:").
    pub date_label: String,
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
#[template(path = "letters/letter.html")]
struct LetterHtml<'a> {
    notice: &'a Letter,
    date_long: String,
    date_iso: String,
}

/// Why a letter could not be laid out.
#[derive(Debug, thiserror::Error)]
#[error("the letter could not be rendered: {0}")]
pub struct RenderError(String);

impl Letter {
    /// The notice as a standalone printable HTML page (it links the service's stylesheet, which
    /// has the print rules).
    ///
    /// # Errors
    /// [`RenderError`] if the template fails.
    pub fn html(&self) -> Result<String, RenderError> {
        LetterHtml {
            notice: self,
            date_long: Words(self.lang).day(self.date),
            date_iso: iso(self.date),
        }
        .render()
        .map_err(|e| RenderError(e.to_string()))
    }

    /// The association's contact lines, labelled in the notice's language.
    pub fn contact_lines(&self) -> Vec<String> {
        super::contact_lines(&self.letterhead, self.lang)
    }

    /// The notice as plain text, wrapped at [`TEXT_WIDTH`] characters; the certificate is kept
    /// exactly as it is.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.letterhead.name);
        out.push('\n');
        out.push_str(self.lang.t("notice.program"));
        out.push('\n');
        for line in super::contact_lines(&self.letterhead, self.lang) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
        for line in &self.addressee {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!(
            "\n{} {}\n\n",
            self.date_label,
            Words(self.lang).day(self.date).replace(NO_BREAK, " ")
        ));
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

/// The wording of one language, as the notice uses it.
#[derive(Clone, Copy)]
pub(super) struct Words(pub(super) Lang);

impl Words {
    pub(super) fn t(self, key: &str) -> String {
        self.0.t(key).to_owned()
    }

    pub(super) fn f(self, key: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.0.f(key, values)
    }

    /// A date as a sentence says it, never broken across lines.
    pub(super) fn day(self, date: NaiveDate) -> String {
        self.0.long_date(date).replace(' ', NO_BREAK)
    }

    /// "1 day" / "40 days".
    pub(super) fn days(self, count: u64) -> String {
        self.0.days(count)
    }

    /// The association as the opening names it ("the Example Association …").
    pub(super) fn association(self, name: &str) -> String {
        self.0.the_association(name)
    }
}

/// The no-break space: HTML shows it as a space that does not break; the plain text writes a
/// plain space after wrapping.
pub(super) const NO_BREAK: &str = "\u{a0}";

/// Appends `text` wrapped at [`TEXT_WIDTH`], the first line starting with `first` and the
/// others with `rest`. A word longer than the line stays whole on a line of its own.
fn push_wrapped(out: &mut String, text: &str, first: &str, rest: &str) {
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split([' ', '\t', '\n']).filter(|w| !w.is_empty()) {
        let needed = usize::from(!empty) + word.chars().count();
        if !empty && line.chars().count() + needed > TEXT_WIDTH {
            out.push_str(&line.replace(NO_BREAK, " "));
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
}

impl LetterHtml<'_> {
    /// Whether `url` may be shown as a link (only web addresses are).
    fn linkable(&self, url: &str) -> bool {
        url.starts_with("https://") || url.starts_with("http://")
    }
}
