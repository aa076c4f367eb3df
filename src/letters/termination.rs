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

use super::{Letterhead, days, iso, the_association};
use crate::crypto::certificate::Certificate;
use crate::domain::dates;
use crate::domain::deadline::{
    self, DeadlineError, DeadlineInput, DeadlineReport, EpisodeOutcome, FILING_WINDOW_DAYS,
    SuspensionEpisode, SuspensionKind,
};
use crate::domain::holidays::HolidayCalendar;

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
    /// The sender.
    pub letterhead: Letterhead,
    /// The date of the notice (the certificate's date of issue).
    pub date: NaiveDate,
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
        let certificate = input.certificate;
        let first = certificate.first_contact();
        let termination = certificate.termination();
        let suspended = certificate.days_suspended();
        let resumes = termination.succ_opt().ok_or(DeadlineError::OutOfRange)?;
        let name = &input.letterhead.name;

        let opening = vec![
            format!(
                "The ombuds of {} has ended informal resolution of the concern first \
                 raised with the ombuds on {}. This notice goes to everyone who took part. It \
                 records the dates that matter for the deadline to file a formal ethics \
                 complaint or a request for arbitration about this matter.",
                the_association(name),
                day(first)
            ),
            format!(
                "While informal resolution was under way, the {FILING_WINDOW_DAYS}-day period \
                 for filing was suspended, from the first-contact date to the termination date, \
                 both included. The countdown resumes on {}, the day after the termination \
                 date.",
                day(resumes)
            ),
        ];

        let dates = Section {
            heading: "The dates".into(),
            blocks: vec![Block::Facts(vec![
                ("First contact with the ombuds".into(), day(first)),
                ("Informal resolution ended".into(), day(termination)),
                (
                    "Days the filing period was suspended".into(),
                    format!("{suspended} (both dates included)"),
                ),
                ("The countdown resumes on".into(), day(resumes)),
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
                known_deadline(&report, suspended, resumes)
            }
            None => how_to_work_it_out(input, suspended),
        };

        let choices = Section {
            heading: "Your choices now".into(),
            blocks: vec![
                Block::Text(
                    "Ending informal resolution decides nothing about the concern itself. You \
                     may still ask the association for ethics mediation, or file a formal \
                     ethics complaint (or, for a dispute about money such as a commission, a \
                     request for arbitration), as long as you do so by the deadline."
                        .into(),
                ),
                Block::Text(
                    "Speaking with the ombuds was not notice to the association. To start \
                     mediation, a complaint or an arbitration request, contact the \
                     association's professional standards staff. What was said to the ombuds \
                     stays confidential, and the ombuds takes no part in those proceedings."
                        .into(),
                ),
            ],
        };

        let verify_url = format!("{}/verify", input.base_url.trim_end_matches('/'));
        let proof = Section {
            heading: "Certificate of these dates".into(),
            blocks: vec![
                Block::Text(
                    "The association keeps no record of the concern once it is closed. The \
                     certificate below, signed by the association, is the proof of the dates \
                     in this notice: keep it with the notice, and show it if the dates are ever \
                     questioned."
                        .into(),
                ),
                Block::Preformatted(certificate.armoured()),
                Block::Link {
                    text: "To check it, paste the whole block, from its BEGIN line to its END \
                           line, into the form at"
                        .into(),
                    url: verify_url,
                },
            ],
        };

        Ok(Self {
            letterhead: input.letterhead.clone(),
            date: certificate.issued(),
            title: "Informal resolution has ended".into(),
            opening,
            sections: vec![dates, deadline, choices, proof],
            closing: vec![
                "The ombuds program".to_owned(),
                input.letterhead.name.clone(),
            ],
        })
    }

    /// The notice as a standalone printable HTML page (it links the service's stylesheet, which
    /// has the print rules).
    ///
    /// # Errors
    /// [`NoticeError::Render`] if the template fails.
    pub fn html(&self) -> Result<String, NoticeError> {
        TerminationHtml {
            notice: self,
            date_long: day(self.date),
            date_iso: iso(self.date),
        }
        .render()
        .map_err(|e| NoticeError::Render(e.to_string()))
    }

    /// The notice as plain text, wrapped at [`TEXT_WIDTH`] characters; the certificate is kept
    /// exactly as it is.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.letterhead.name);
        out.push_str("\nOmbuds program\n");
        for line in self.letterhead.contact_lines() {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&format!("Date of this notice: {}\n\n", day(self.date)));
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

/// The deadline section when the transaction (and perhaps discovery) date is known.
fn known_deadline(report: &DeadlineReport, suspended: u64, resumes: NaiveDate) -> Section {
    let episode = report.episodes.first();
    let outcome = episode.map_or(EpisodeOutcome::Counted, |e| e.outcome);
    let added = report.days_suspended;
    let trigger = day(report.trigger_date);
    let mut blocks = Vec::new();
    let deadline_sentence = |prefix: &str| match report.deadline {
        Some(deadline) => {
            let moved = report
                .rolled_forward_from
                .map(|from| {
                    format!(
                        " ({} is not a workday, so the deadline moves to the next one)",
                        day(from)
                    )
                })
                .unwrap_or_default();
            format!(
                "{prefix}The deadline to file a formal ethics complaint or a request for \
                 arbitration about this matter is {}{moved}.",
                day(deadline)
            )
        }
        None => format!("{prefix}The deadline cannot be given yet."),
    };

    match outcome {
        EpisodeOutcome::BeforeTrigger => {
            blocks.push(Block::Text(format!(
                "None of the {} of the suspension are added: informal resolution ended on or \
                 before {trigger}, and the {FILING_WINDOW_DAYS} days count only from the day \
                 after that date.",
                days(suspended)
            )));
            blocks.push(Block::Text(deadline_sentence("")));
        }
        EpisodeOutcome::AfterWindowClosed => {
            let closed = episode
                .and_then(|e| e.deadline_after)
                .unwrap_or(report.unextended_deadline);
            blocks.push(Block::Text(format!(
                "None of the {} of the suspension are added: informal resolution began after \
                 the last day of the filing period, {}, when the period had already closed. If \
                 you believe a different date applies, please speak to the association's \
                 staff.",
                days(suspended),
                day(closed)
            )));
        }
        _ => {
            let counted = match episode {
                Some(e) if e.days_before_trigger > 0 => format!(
                    "{} of the {} of the suspension are added to the {FILING_WINDOW_DAYS}: the \
                     {FILING_WINDOW_DAYS} days count from the day after {trigger}, so the {} \
                     on or before that date do not count.",
                    days(added),
                    days(suspended),
                    days(e.days_before_trigger)
                ),
                _ => format!(
                    "All {} of the suspension are added to the {FILING_WINDOW_DAYS}.",
                    days(added)
                ),
            };
            blocks.push(Block::Text(deadline_sentence(&format!("{counted} "))));
            if report.deadline.is_some_and(|d| d >= resumes) && report.trigger_date < resumes {
                blocks.push(Block::Text(format!(
                    "When the countdown resumes on {}, {} remain, counting that day.",
                    day(resumes),
                    days(report.days_remaining)
                )));
            }
        }
    }
    blocks.push(Block::Text("How this was worked out:".into()));
    blocks.push(Block::Steps(
        report
            .explanation
            .iter()
            .map(|s| glue_weekdays(s))
            .collect(),
    ));
    Section {
        heading: "Your filing deadline".into(),
        blocks,
    }
}

/// The deadline section when the transaction date is not known: how to work it out.
fn how_to_work_it_out(input: &NoticeInput<'_>, suspended: u64) -> Section {
    let first = day(input.certificate.first_contact());
    let termination = day(input.certificate.termination());
    let mut steps = vec![
        "Take the later of two dates: the day the transaction or event concluded, and the day \
         the facts could have been known with reasonable diligence."
            .to_owned(),
        format!(
            "Count {FILING_WINDOW_DAYS} calendar days from the day after that date: the day \
             after it is day 1."
        ),
        format!(
            "Add the days of this suspension that come after that date: all {} if that date is \
             before {first}; fewer if it falls during the suspension; none if it is on or after \
             {termination}. If the {FILING_WINDOW_DAYS} days had already run out before \
             {first}, the suspension adds nothing: the period had closed.",
            days(suspended)
        ),
    ];
    if input.roll_forward {
        steps.push(
            "If the date you reach falls on a Saturday, a Sunday or a holiday the association \
             observes, the deadline is the next workday."
                .to_owned(),
        );
    }
    Section {
        heading: "Your filing deadline".into(),
        blocks: vec![
            Block::Text(format!(
                "The ombuds does not have the dates needed to name the deadline, but it can be \
                 worked out: it is {FILING_WINDOW_DAYS} days from the later of the conclusion \
                 of the transaction and the discovery of the facts, plus up to {} for this \
                 suspension.",
                days(suspended)
            )),
            Block::Steps(steps),
            Block::Text(
                "The association's staff can work it out with you if you tell them those dates."
                    .into(),
            ),
        ],
    }
}

/// A date as a sentence says it ("Monday, 2 March 2026"), with no-break spaces so that a
/// line is never broken inside it.
fn day(date: NaiveDate) -> String {
    dates::long_date(date).replace(' ', NO_BREAK)
}

/// The no-break space: HTML shows it as a space that does not break; the plain text writes a
/// plain space after wrapping.
const NO_BREAK: &str = "\u{a0}";

/// The explanation's "Tuesday 2026-08-18" kept on one line.
fn glue_weekdays(text: &str) -> String {
    let mut glued = text.to_owned();
    for weekday in [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ] {
        for digit in '0'..='9' {
            glued = glued.replace(
                &format!("{weekday} {digit}"),
                &format!("{weekday}{NO_BREAK}{digit}"),
            );
        }
    }
    glued
}

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

impl TerminationHtml<'_> {
    /// Whether `url` may be shown as a link (only web addresses are).
    fn linkable(&self, url: &str) -> bool {
        url.starts_with("https://") || url.starts_with("http://")
    }
}

#[cfg(test)]
mod tests;
