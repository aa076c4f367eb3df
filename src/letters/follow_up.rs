//! The follow-up letter (docs/RULES.md, "Outcomes and their letters"): what the person who
//! raised a concern receives when the case closes without a resolution, in words that depend on
//! how it ended (outside the program's scope, unresolved, declined, withdrawn, a possible public
//! trust violation), listing the association's other dispute resolution options and related
//! agencies; and, for a complaint already filed and referred to the ombuds, the letter every
//! party receives saying whether the complaint will be dismissed or proceeds.
//!
//! [`compose_in`] decides the words; the [`Letter`] lays them out. Pure: no clock, no I/O.

use chrono::NaiveDate;

use super::Letterhead;
use super::letter::{Block, Letter, Section, Words};
use super::termination::{Addressee, addressee_lines};
use crate::config::{Letters, ProfessionalStandards, Referral};
use crate::domain::closing::FollowUp;
use crate::i18n::Lang;

/// Everything a follow-up letter is made from.
#[derive(Debug, Clone, Copy)]
pub struct FollowUpInput<'a> {
    /// The association sending it.
    pub letterhead: &'a Letterhead,
    /// Its professional standards staff, for a formal complaint, if configured.
    pub professional_standards: Option<&'a ProfessionalStandards>,
    /// The other options and the agencies the letter lists.
    pub referrals: &'a Letters,
    /// Which letter: what it says depends on how the case ended.
    pub letter: FollowUp,
    /// The party it is addressed to.
    pub addressee: Addressee<'a>,
    /// The date of the letter.
    pub date: NaiveDate,
    /// The last day the association keeps the letter.
    pub kept_until: NaiveDate,
}

/// The follow-up letter in `lang`, its words from the `[follow_up]` section of
/// `translations/{lang}.toml`.
pub fn compose_in(input: &FollowUpInput<'_>, lang: Lang) -> Letter {
    let w = Words(lang);
    let code = input.letter.code();
    let association = w.association(&input.letterhead.name);
    let opening = vec![w.f(
        &format!("follow_up.opening_{code}"),
        &[("association", &association)],
    )];
    let mut sections = Vec::new();
    if input.letter.lists_options() {
        sections.extend(options(w, input));
        sections.push(Section {
            heading: w.t("follow_up.deadline_heading"),
            blocks: vec![Block::Text(w.t("follow_up.deadline_text"))],
        });
    } else {
        let mut blocks = vec![Block::Text(w.t("follow_up.filed_questions"))];
        blocks.extend(standards_facts(w, input.professional_standards));
        blocks.push(Block::Text(w.t("follow_up.confidential")));
        sections.push(Section {
            heading: w.t("follow_up.filed_heading"),
            blocks,
        });
    }
    sections.push(Section {
        heading: w.t("follow_up.kept_heading"),
        blocks: vec![Block::Text(
            w.f("follow_up.kept", &[("until", &w.day(input.kept_until))]),
        )],
    });
    Letter {
        lang,
        letterhead: input.letterhead.clone(),
        date: input.date,
        date_label: w.t("follow_up.date_of"),
        addressee: addressee_lines(w, &input.addressee),
        title: w.t(&format!("follow_up.title_{code}")),
        opening,
        sections,
        closing: vec![w.t("notice.closing"), input.letterhead.name.clone()],
    }
}

/// The sections that list where else to go: the association's options (or, for a possible
/// public trust violation, the formal avenues) and the agencies.
fn options(w: Words, input: &FollowUpInput<'_>) -> Vec<Section> {
    let formal = input.letter == FollowUp::PublicTrust;
    let mut blocks = vec![Block::Text(w.t(if formal {
        "follow_up.formal_intro"
    } else {
        "follow_up.options_intro"
    }))];
    let mut facts: Vec<(String, String)> = Vec::new();
    if let Some(standards) = input.professional_standards {
        facts.push((
            w.f(
                "follow_up.complaint_via",
                &[("name", &standards.name_in(w.0))],
            ),
            ways(
                w,
                standards.phone.as_deref(),
                standards.email.as_deref(),
                None,
                None,
            ),
        ));
    }
    facts.extend(input.referrals.options.iter().map(|r| referral(w, r)));
    if formal {
        facts.extend(input.referrals.agencies.iter().map(|r| referral(w, r)));
    }
    if facts.is_empty() {
        blocks.push(Block::Text(w.t("follow_up.ask_the_association")));
    } else {
        blocks.push(Block::Facts(facts));
    }
    let mut sections = vec![Section {
        heading: w.t(if formal {
            "follow_up.formal_heading"
        } else {
            "follow_up.options_heading"
        }),
        blocks,
    }];
    if !formal && !input.referrals.agencies.is_empty() {
        sections.push(Section {
            heading: w.t("follow_up.agencies_heading"),
            blocks: vec![
                Block::Text(w.t("follow_up.agencies_intro")),
                Block::Facts(
                    input
                        .referrals
                        .agencies
                        .iter()
                        .map(|r| referral(w, r))
                        .collect(),
                ),
            ],
        });
    }
    sections
}

/// The professional standards contact as a fact, or the sentence that says to ask the
/// association.
fn standards_facts(w: Words, standards: Option<&ProfessionalStandards>) -> Option<Block> {
    standards.map(|s| {
        Block::Facts(vec![(
            s.name_in(w.0).to_owned(),
            ways(w, s.phone.as_deref(), s.email.as_deref(), None, None),
        )])
    })
}

/// One referral as a term (its name) and how to reach it.
fn referral(w: Words, r: &Referral) -> (String, String) {
    (
        r.name_in(w.0).to_owned(),
        ways(
            w,
            r.phone.as_deref(),
            r.email.as_deref(),
            r.address.as_deref(),
            r.web.as_deref(),
        ),
    )
}

/// "Telephone: 555-0111; E-mail: …": the ways given, labelled.
fn ways(
    w: Words,
    phone: Option<&str>,
    email: Option<&str>,
    address: Option<&str>,
    web: Option<&str>,
) -> String {
    [
        ("notice.phone", phone),
        ("notice.email", email),
        ("notice.post", address),
        ("follow_up.web", web),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|v| format!("{} {v}", w.t(label))))
    .collect::<Vec<_>>()
    .join("; ")
}

#[cfg(test)]
mod tests;
