//! The termination notice: the letter that tells the parties informal resolution has ended,
//! when the suspended filing countdown resumes, what their deadline is (or how to work it out),
//! that they may still choose mediation or a formal complaint, and that carries the signed
//! certificate of the dates.
//!
//! [`compose_in`] decides the wording once, as a [`Letter`] that is laid out for print and for
//! e-mail. Pure: no clock (the date of the notice is the certificate's date of issue), no I/O.

use chrono::NaiveDate;

use super::Letterhead;
use super::letter::{Block, Letter, Section, Words};
use crate::crypto::certificate::Certificate;
use crate::domain::deadline::{
    self, DeadlineError, DeadlineInput, DeadlineReport, EpisodeOutcome, FILING_WINDOW_DAYS,
    SuspensionEpisode, SuspensionKind,
};
use crate::domain::holidays::HolidayCalendar;
use crate::domain::notices::NoticeVersion;
use crate::i18n::{Lang, deadline_steps};

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
}

/// Decides the wording of the notice.
///
/// The deadline is computed with the one suspension episode [first contact, termination] and
/// the **termination date as the as-of date**: the notice records where things stand when
/// the countdown resumes, which does not depend on the day it is printed or read. Its "days
/// remaining" are therefore counted from the day the countdown resumes, that day included.
///
/// # Errors
/// [`NoticeError::Deadline`] for dates at the end of the calendar.
pub fn compose(input: &NoticeInput<'_>) -> Result<Letter, NoticeError> {
    compose_in(input, Lang::En)
}

/// [`compose`] in `lang`: the same dates, deadline and certificate, the
/// words taken from the `[notice]` section of `translations/{lang}.toml`, and the deadline's
/// step-by-step explanation from its `[explain]` section.
///
/// # Errors
/// [`NoticeError::Deadline`] for dates at the end of the calendar.
pub fn compose_in(input: &NoticeInput<'_>, lang: Lang) -> Result<Letter, NoticeError> {
    let certificate = input.certificate;
    let first = certificate.first_contact();
    let termination = certificate.termination();
    let suspended = certificate.days_suspended();
    let resumes = termination.succ_opt().ok_or(DeadlineError::OutOfRange)?;
    let name = &input.letterhead.name;
    let w = Words(lang);
    let addressee = addressee_lines(w, &input.addressee);
    if input.addressee.version == NoticeVersion::Party {
        return Ok(to_a_party(input, w, addressee));
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

    Ok(letter(
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
) -> Letter {
    Letter {
        lang: w.0,
        letterhead: input.letterhead.clone(),
        date: input.certificate.issued(),
        addressee,
        date_label: w.t("notice.date_of"),
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
fn to_a_party(input: &NoticeInput<'_>, w: Words, addressee: Vec<String>) -> Letter {
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
    letter(w, input, addressee, opening, vec![dates, next])
}

/// Everything the notice for a complaint already filed and referred to the ombuds is made
/// from: it tells no suspension story (no deadline was suspended) and carries no certificate.
#[derive(Debug, Clone, Copy)]
pub struct ReferredInput<'a> {
    /// The association sending it.
    pub letterhead: &'a Letterhead,
    /// The party it is addressed to.
    pub addressee: Addressee<'a>,
    /// The day informal resolution ended.
    pub termination: NaiveDate,
    /// The date of the notice.
    pub date: NaiveDate,
    /// Why informal resolution ended before the date of the notice, when it did.
    pub earlier_because: Option<&'a str>,
}

/// The termination notice for a complaint already filed (docs/RULES.md, "A complaint already
/// filed"), in `lang`: the termination date, that no deadline was suspended, and that the
/// complaint will be dismissed if the matter was resolved and proceeds otherwise. The same
/// words for every party.
pub fn compose_referred(input: &ReferredInput<'_>, lang: Lang) -> Letter {
    let w = Words(lang);
    let mut opening = vec![
        w.f(
            "notice.referred_opening_1",
            &[
                ("association", &w.association(&input.letterhead.name)),
                ("termination", &w.day(input.termination)),
            ],
        ),
        w.t("notice.referred_opening_2"),
    ];
    opening.extend(earlier_than(
        w,
        input.termination,
        input.date,
        input.earlier_because,
    ));
    let dates = Section {
        heading: w.t("notice.dates_heading"),
        blocks: vec![Block::Facts(vec![(
            w.t("notice.fact_ended"),
            w.day(input.termination),
        )])],
    };
    let next = Section {
        heading: w.t("notice.party_next_heading"),
        blocks: vec![
            Block::Text(w.t("notice.party_next_1")),
            Block::Text(w.t("notice.party_next_2")),
        ],
    };
    Letter {
        lang,
        letterhead: input.letterhead.clone(),
        date: input.date,
        addressee: addressee_lines(w, &input.addressee),
        date_label: w.t("notice.date_of"),
        title: w.t("notice.referred_title"),
        opening,
        sections: vec![dates, next],
        closing: vec![w.t("notice.closing"), input.letterhead.name.clone()],
    }
}

/// The sentence that says why informal resolution ended before the date of the notice.
fn earlier(w: Words, input: &NoticeInput<'_>) -> Option<String> {
    earlier_than(
        w,
        input.certificate.termination(),
        input.certificate.issued(),
        input.earlier_because,
    )
}

/// The sentence that says why informal resolution ended on `termination`, before `date`.
fn earlier_than(
    w: Words,
    termination: NaiveDate,
    date: NaiveDate,
    because: Option<&str>,
) -> Option<String> {
    let reason = because?;
    (termination < date).then(|| {
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
pub(super) fn addressee_lines(w: Words, addressee: &Addressee<'_>) -> Vec<String> {
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
                .and_then(|e| e.last_filing_day)
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

#[cfg(test)]
mod tests;
