//! The termination notice: the letter that tells the parties informal resolution has ended,
//! when the suspended filing countdown resumes, what their deadline is (or how to work it out),
//! that they may still choose mediation or a formal complaint, and that carries the signed
//! certificate of the dates.
//!
//! [`TerminationNotice::compose`] decides the wording once; [`TerminationNotice::html`] and
//! [`TerminationNotice::text`] lay the same words out for print and for e-mail. Pure: no clock
//! (the date of the notice is the certificate's date of issue), no I/O.

use askama::Template;
use chrono::NaiveDate;

use super::{Letterhead, iso};
use crate::crypto::certificate::Certificate;
use crate::domain::deadline::{
    self, DeadlineError, DeadlineInput, DeadlineReport, EpisodeOutcome, FILING_WINDOW_DAYS,
    SuspensionEpisode, SuspensionKind,
};
use crate::domain::holidays::HolidayCalendar;
use crate::domain::notices::NoticeVersion;
use crate::i18n::{Lang, deadline_steps};

/// Width of the plain-text letter, in characters.
pub const TEXT_WIDTH: usize = 72;

/// Everything a termination notice is made from.
#[derive(Debug, Clone, Copy)]
pub struct NoticeInput<'a> {
    /// The association sending it.
    pub letterhead: &'a Letterhead,
    /// The signed certificate of the suspension. Its first-contact and termination dates are the
    /// dates the notice states, and its date of issue is the date of the notice.
    pub certificate: &'a Certificate,
    /// The date the transaction or event concluded, if known.
    pub concluded: Option<NaiveDate>,
    /// The date the facts could have been known with reasonable diligence, if known.
    pub discovered: Option<NaiveDate>,
    /// The association's holidays, for the weekend and holiday move of the deadline.
    pub holidays: &'a HolidayCalendar,
    /// Whether a deadline on a weekend or holiday moves to the next workday.
    pub roll_forward: bool,
    /// The address of this service as the parties reach it, e.g. `https://ombuds.example.org/`;
    /// the notice points to its `/verify` page.
    pub base_url: &'a str,
    /// The party it is addressed to, and so which version it is.
    pub addressee: Addressee<'a>,
    /// Why informal resolution ended before the date of the notice, when it did (the ombuds'
    /// words, stated in every party's notice).
    pub earlier_because: Option<&'a str>,
}

/// The party a notice is addressed to.
#[derive(Debug, Clone, Copy)]
pub struct Addressee<'a> {
    /// Which notice the party receives (docs/RULES.md, "The notice to every party").
    pub version: NoticeVersion,
    /// The matter's reference, which the party quotes to the association.
    pub reference: &'a str,
    /// The party's name as the ombuds recorded it, if any.
    pub name: Option<&'a str>,
    /// Where the ombuds sends it, for a party who holds no receipt (kept with the letter, so
    /// given only when the letter has to be posted or e-mailed).
    pub contact: Option<&'a str>,
}

/// Why a notice could not be made.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    /// The dates cannot be computed with (past the end of the calendar).
    #[error("the deadline cannot be computed: {0}")]
    Deadline(#[from] DeadlineError),
    /// The HTML template failed.
    #[error("the notice could not be rendered: {0}")]
    Render(String),
}

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

/// A composed termination notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminationNotice {
    /// The language it is written in.
    pub lang: Lang,
    /// The sender.
    pub letterhead: Letterhead,
    /// The date of the notice (the certificate's date of issue).
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
#[template(path = "letters/termination.html")]
struct TerminationHtml<'a> {
    notice: &'a TerminationNotice,
    date_long: String,
    date_iso: String,
}

impl TerminationNotice {
    /// Decides the wording of the notice.
    ///
    /// The deadline is computed with the one suspension episode [first contact, termination] and
    /// the **termination date as the as-of date**: the notice records where things stand when
    /// the countdown resumes, which does not depend on the day it is printed or read. Its "days
    /// remaining" are therefore counted from the day the countdown resumes, that day included.
    ///
    /// # Errors
    /// [`NoticeError::Deadline`] for dates at the end of the calendar.
    pub fn compose(input: &NoticeInput<'_>) -> Result<Self, NoticeError> {
        Self::compose_in(input, Lang::En)
    }

    /// [`TerminationNotice::compose`] in `lang`: the same dates, deadline and certificate, the
    /// words taken from the `[notice]` section of `translations/{lang}.toml`, and the deadline's
    /// step-by-step explanation from its `[explain]` section.
    ///
    /// # Errors
    /// [`NoticeError::Deadline`] for dates at the end of the calendar.
    pub fn compose_in(input: &NoticeInput<'_>, lang: Lang) -> Result<Self, NoticeError> {
        let certificate = input.certificate;
        let first = certificate.first_contact();
        let termination = certificate.termination();
        let suspended = certificate.days_suspended();
        let resumes = termination.succ_opt().ok_or(DeadlineError::OutOfRange)?;
        let name = &input.letterhead.name;
        let w = Words(lang);
        let addressee = addressee_lines(w, &input.addressee);
        if input.addressee.version == NoticeVersion::Party {
            return Ok(Self::to_a_party(input, w, addressee));
        }

        let mut opening = vec![
            w.f(
                "notice.opening_1",
                &[
                    ("association", &w.association(name)),
                    ("first", &w.day(first)),
                ],
            ),
            w.f(
                "notice.opening_2",
                &[
                    ("window", &FILING_WINDOW_DAYS),
                    ("resumes", &w.day(resumes)),
                ],
            ),
        ];
        opening.extend(earlier(w, input));

        let dates = Section {
            heading: w.t("notice.dates_heading"),
            blocks: vec![Block::Facts(vec![
                (w.t("notice.fact_first"), w.day(first)),
                (w.t("notice.fact_ended"), w.day(termination)),
                (
                    w.t("notice.fact_suspended"),
                    w.f("notice.fact_suspended_value", &[("n", &suspended)]),
                ),
                (w.t("notice.fact_resumes"), w.day(resumes)),
            ])],
        };

        let deadline = match input.concluded {
            Some(concluded) => {
                let episodes = [SuspensionEpisode {
                    kind: SuspensionKind::InformalResolution,
                    start: first,
                    end: Some(termination),
                }];
                let report = deadline::compute(&DeadlineInput {
                    concluded,
                    discovered: input.discovered,
                    episodes: &episodes,
                    holidays: input.holidays,
                    roll_forward: input.roll_forward,
                    as_of: termination,
                })?;
                known_deadline(w, &report, suspended, resumes)
            }
            None => how_to_work_it_out(w, input, suspended),
        };

        let choices = Section {
            heading: w.t("notice.choices_heading"),
            blocks: vec![
                Block::Text(w.t("notice.choices_1")),
                Block::Text(w.t("notice.choices_2")),
            ],
        };

        let verify_url = format!("{}/verify", input.base_url.trim_end_matches('/'));
        let proof = Section {
            heading: w.t("notice.proof_heading"),
            blocks: vec![
                Block::Text(w.t("notice.proof_text")),
                Block::Preformatted(certificate.armoured()),
                Block::Link {
                    text: w.t("notice.proof_link"),
                    url: verify_url,
                },
            ],
        };

        Ok(Self::letter(
            w,
            input,
            addressee,
            opening,
            vec![dates, deadline, choices, proof],
        ))
    }

    /// The letter around its words: sender, date (the certificate's date of issue), addressee,
    /// title and sign-off are the same in every version.
    fn letter(
        w: Words,
        input: &NoticeInput<'_>,
        addressee: Vec<String>,
        opening: Vec<String>,
        sections: Vec<Section>,
    ) -> Self {
        Self {
            lang: w.0,
            letterhead: input.letterhead.clone(),
            date: input.certificate.issued(),
            addressee,
            title: w.t("notice.title"),
            opening,
            sections,
            closing: vec![w.t("notice.closing"), input.letterhead.name.clone()],
        }
    }

    /// The notice to an added party (the member concerned, their broker, anyone else): the
    /// termination date and that any suspended filing countdown resumes the next day. Nothing
    /// of the complainant's dates, words or deadline, and no certificate (which states the
    /// first-contact date).
    fn to_a_party(input: &NoticeInput<'_>, w: Words, addressee: Vec<String>) -> Self {
        let certificate = input.certificate;
        let termination = certificate.termination();
        // The day after; at the very end of the calendar, the day itself.
        let resumes = termination.succ_opt().unwrap_or(termination);
        let mut opening = vec![
            w.f(
                "notice.party_opening_1",
                &[
                    ("association", &w.association(&input.letterhead.name)),
                    ("termination", &w.day(termination)),
                ],
            ),
            w.f(
                "notice.party_opening_2",
                &[
                    ("window", &FILING_WINDOW_DAYS),
                    ("resumes", &w.day(resumes)),
                ],
            ),
        ];
        opening.extend(earlier(w, input));
        let dates = Section {
            heading: w.t("notice.dates_heading"),
            blocks: vec![Block::Facts(vec![
                (w.t("notice.fact_ended"), w.day(termination)),
                (w.t("notice.fact_resumes"), w.day(resumes)),
            ])],
        };
        let next = Section {
            heading: w.t("notice.party_next_heading"),
            blocks: vec![
                Block::Text(w.t("notice.party_next_1")),
                Block::Text(w.t("notice.party_next_2")),
            ],
        };
        Self::letter(w, input, addressee, opening, vec![dates, next])
    }

    /// The notice as a standalone printable HTML page (it links the service's stylesheet, which
    /// has the print rules).
    ///
    /// # Errors
    /// [`NoticeError::Render`] if the template fails.
    pub fn html(&self) -> Result<String, NoticeError> {
        TerminationHtml {
            notice: self,
            date_long: Words(self.lang).day(self.date),
            date_iso: iso(self.date),
        }
        .render()
        .map_err(|e| NoticeError::Render(e.to_string()))
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
            self.lang.t("notice.date_of"),
            Words(self.lang).day(self.date)
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

/// The sentence that says why informal resolution ended before the date of the notice.
fn earlier(w: Words, input: &NoticeInput<'_>) -> Option<String> {
    let termination = input.certificate.termination();
    let reason = input.earlier_because?;
    (termination < input.certificate.issued()).then(|| {
        w.f(
            "notice.earlier",
            &[
                ("termination", &w.day(termination)),
                ("reason", &reason.trim()),
            ],
        )
    })
}

/// The addressee block: "To: …", the address for a letter sent by post or e-mail, and the
/// matter's reference.
fn addressee_lines(w: Words, addressee: &Addressee<'_>) -> Vec<String> {
    let to = match (addressee.version, addressee.name) {
        (_, Some(name)) => name.to_owned(),
        (NoticeVersion::Complainant, None) => w.t("notice.to_complainant"),
        (NoticeVersion::Party, None) => w.t("notice.to_party"),
    };
    let mut lines = vec![w.f("notice.to", &[("name", &to)])];
    lines.extend(
        addressee
            .contact
            .into_iter()
            .flat_map(str::lines)
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    );
    lines.push(w.f("notice.reference", &[("reference", &addressee.reference)]));
    lines
}

/// The deadline section when the transaction (and perhaps discovery) date is known.
fn known_deadline(
    w: Words,
    report: &DeadlineReport,
    suspended: u64,
    resumes: NaiveDate,
) -> Section {
    let episode = report.episodes.first();
    let outcome = episode.map_or(EpisodeOutcome::Counted, |e| e.outcome);
    let added = report.days_suspended;
    let trigger = w.day(report.trigger_date);
    let mut blocks = Vec::new();
    let deadline_sentence = |prefix: &str| match report.deadline {
        Some(deadline) => {
            let moved = report
                .rolled_forward_from
                .map(|from| format!(" {}", w.f("notice.moved", &[("from", &w.day(from))])))
                .unwrap_or_default();
            let sentence = w.f(
                "notice.deadline_is",
                &[("deadline", &w.day(deadline)), ("moved", &moved)],
            );
            format!("{prefix}{sentence}")
        }
        None => format!("{prefix}{}", w.t("notice.deadline_unknown")),
    };

    match outcome {
        EpisodeOutcome::BeforeTrigger => {
            blocks.push(Block::Text(w.f(
                "notice.before_trigger",
                &[
                    ("days", &w.days(suspended)),
                    ("trigger", &trigger),
                    ("window", &FILING_WINDOW_DAYS),
                ],
            )));
            blocks.push(Block::Text(deadline_sentence("")));
        }
        EpisodeOutcome::AfterWindowClosed => {
            let closed = episode
                .and_then(|e| e.deadline_after)
                .unwrap_or(report.unextended_deadline);
            blocks.push(Block::Text(w.f(
                "notice.after_closed",
                &[("days", &w.days(suspended)), ("closed", &w.day(closed))],
            )));
        }
        _ => {
            let counted = match episode {
                Some(e) if e.days_before_trigger > 0 => w.f(
                    "notice.some_added",
                    &[
                        ("added", &w.days(added)),
                        ("days", &w.days(suspended)),
                        ("window", &FILING_WINDOW_DAYS),
                        ("trigger", &trigger),
                        ("left_out", &w.days(e.days_before_trigger)),
                    ],
                ),
                _ => w.0.plural(
                    "notice.all_added",
                    added,
                    &[("window", &FILING_WINDOW_DAYS)],
                ),
            };
            blocks.push(Block::Text(deadline_sentence(&format!("{counted} "))));
            if report.deadline.is_some_and(|d| d >= resumes) && report.trigger_date < resumes {
                blocks.push(Block::Text(w.f(
                    "notice.remaining",
                    &[
                        ("resumes", &w.day(resumes)),
                        ("remaining", &w.days(report.days_remaining)),
                    ],
                )));
            }
        }
    }
    blocks.push(Block::Text(w.t("notice.how_worked")));
    blocks.push(Block::Steps(deadline_steps::sentences_unbroken(
        &report.steps,
        w.0,
    )));
    Section {
        heading: w.t("notice.deadline_heading"),
        blocks,
    }
}

/// The deadline section when the transaction date is not known: how to work it out.
fn how_to_work_it_out(w: Words, input: &NoticeInput<'_>, suspended: u64) -> Section {
    let first = w.day(input.certificate.first_contact());
    let termination = w.day(input.certificate.termination());
    let mut steps = vec![
        w.t("notice.work_1"),
        w.f("notice.work_2", &[("window", &FILING_WINDOW_DAYS)]),
        w.f(
            "notice.work_3",
            &[
                ("days", &w.days(suspended)),
                ("first", &first),
                ("termination", &termination),
                ("window", &FILING_WINDOW_DAYS),
            ],
        ),
    ];
    if input.roll_forward {
        steps.push(w.t("notice.work_4"));
    }
    Section {
        heading: w.t("notice.deadline_heading"),
        blocks: vec![
            Block::Text(w.f(
                "notice.work_intro",
                &[
                    ("window", &FILING_WINDOW_DAYS),
                    ("days", &w.days(suspended)),
                ],
            )),
            Block::Steps(steps),
            Block::Text(w.t("notice.work_staff")),
        ],
    }
}

/// The wording of one language, as the notice uses it.
#[derive(Clone, Copy)]
struct Words(Lang);

impl Words {
    fn t(self, key: &str) -> String {
        self.0.t(key).to_owned()
    }

    fn f(self, key: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.0.f(key, values)
    }

    /// A date as a sentence says it, never broken across lines.
    fn day(self, date: NaiveDate) -> String {
        self.0.long_date(date).replace(' ', NO_BREAK)
    }

    /// "1 day" / "40 days".
    fn days(self, count: u64) -> String {
        self.0.days(count)
    }

    /// The association as the opening names it ("the Example Association …").
    fn association(self, name: &str) -> String {
        self.0.the_association(name)
    }
}

/// The no-break space: HTML shows it as a space that does not break; the plain text writes a
/// plain space after wrapping.
pub(super) const NO_BREAK: &str = "\u{a0}";

/// Appends `text` wrapped at [`TEXT_WIDTH`], the first line starting with `first` and the
/// others with `rest`. A word longer than the line stays whole on a line of its own.
pub(super) fn push_wrapped(out: &mut String, text: &str, first: &str, rest: &str) {
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

impl TerminationHtml<'_> {
    /// Whether `url` may be shown as a link (only web addresses are).
    fn linkable(&self, url: &str) -> bool {
        url.starts_with("https://") || url.starts_with("http://")
    }
}

#[cfg(test)]
mod tests;
