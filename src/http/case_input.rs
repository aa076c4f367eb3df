//! Decoding the console's inputs — a logged contact, a note, a reply, a closing — from either
//! an HTML form or a JSON object, into checked domain values. One decoder per input, shared by
//! the HTML console and the JSON API.

use secrecy::SecretString;

use super::decode::Fields;
use crate::domain::case::{Channel, MAX_MESSAGE_CHARS, Outcome, validate_logged_contact};
use crate::domain::concern::{ConcernDraft, Limits, NewConcern, validate_logged};
use crate::domain::field::FieldError;
use crate::domain::notes::{NewNote, NoteDraft, NotePolicy, validate as validate_note};
use crate::domain::parties::{NewParty, PartyDraft, validate as validate_party};
use crate::domain::phrase::Phrase;
use crate::domain::plan::{
    AnswerChannel, PlanAnswer, RECORDED_CHANNELS, validate_answer_date, validate_terms,
};
use crate::domain::text::clean_text;

/// The fields of a logged contact, as typed.
pub struct ContactInput {
    /// Channel code.
    pub channel: Option<String>,
    /// First-contact date as typed.
    pub first_contact: Option<String>,
    /// The concern's fields.
    pub draft: ConcernDraft,
    /// The ombuds confirms having read out the exceptions, the conditions, that this is not
    /// notice to the association and the right to decline.
    pub conditions_read: bool,
    /// A formal ethics complaint about the matter was already filed and referred to the
    /// ombuds.
    pub complaint_filed: bool,
}

/// Reads a logged contact's fields.
pub fn contact_input(fields: &mut impl Fields, errors: &mut Vec<FieldError>) -> ContactInput {
    let mut text = |name| fields.field(name, errors);
    let channel = text("channel").map(|v| v.to_string());
    let first_contact = text("first_contact").map(|v| v.to_string());
    let conditions_read = fields.flag("conditions_read", errors);
    let complaint_filed = fields.flag("complaint_filed", errors);
    let mut text = |name| fields.field(name, errors);
    let draft = ConcernDraft {
        category: text("category").map(|v| v.to_string()),
        raised_by: text("raised_by").map(|v| v.to_string()),
        description: text("description"),
        contact: text("contact"),
        concluded_on: text("concluded_on"),
        discovered_on: text("discovered_on"),
        accept_conditions: false,
    };
    ContactInput {
        channel,
        first_contact,
        draft,
        conditions_read,
        complaint_filed,
    }
}

/// Checks a logged contact; every problem is reported, with type errors first.
pub fn check_contact(
    input: &ContactInput,
    today: chrono::NaiveDate,
    limits: Limits,
    mut errors: Vec<FieldError>,
) -> Result<(Channel, chrono::NaiveDate, NewConcern), Vec<FieldError>> {
    let contact = validate_logged_contact(
        input.channel.as_deref(),
        input.first_contact.as_deref(),
        input.conditions_read,
        today,
    );
    let concern = validate_logged(&input.draft, today, limits);
    match (contact, concern) {
        (Ok((channel, date)), Ok(concern)) if errors.is_empty() => Ok((channel, date, concern)),
        (contact, concern) => {
            errors.extend(contact.err().unwrap_or_default());
            errors.extend(concern.err().unwrap_or_default());
            dedupe(&mut errors);
            Err(errors)
        }
    }
}

/// Reads and checks a note.
pub fn note(
    fields: &mut impl Fields,
    today: chrono::NaiveDate,
    policy: NotePolicy,
) -> Result<NewNote, Vec<FieldError>> {
    let mut errors = Vec::new();
    let draft = NoteDraft {
        kind: fields.field("kind", &mut errors).map(|v| v.to_string()),
        text: fields.field("text", &mut errors),
        due_on: fields.field("due_on", &mut errors).map(|v| v.to_string()),
        expires_in_days: fields
            .field("expires_in_days", &mut errors)
            .map(|v| v.to_string()),
    };
    match validate_note(&draft, today, policy) {
        Ok(note) if errors.is_empty() => Ok(note),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            dedupe(&mut errors);
            Err(errors)
        }
    }
}

/// Reads and checks the text of a reply or follow-up message.
pub fn message(fields: &mut impl Fields) -> Result<SecretString, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = fields.field("text", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    match text.as_deref().map(|t| t.as_str()) {
        Some(t) if !t.trim().is_empty() => {
            clean_text(t, MAX_MESSAGE_CHARS).map_err(|m| vec![FieldError::new("text", m)])
        }
        _ => Err(vec![FieldError::new("text", "problem.write_message")]),
    }
}

/// Reads an outcome code.
pub fn outcome(code: Option<&str>) -> Result<Outcome, Vec<FieldError>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Err(vec![FieldError::new(
            "outcome",
            "staff.problem.choose_outcome",
        )]),
        Some(code) => Outcome::from_code(code).ok_or_else(|| {
            let codes: Vec<&str> = Outcome::ALL.iter().map(|o| o.code()).collect();
            vec![FieldError::new(
                "outcome",
                Phrase::new("staff.problem.unknown_outcome").with("codes", codes.join(", ")),
            )]
        }),
    }
}

/// Keeps only the first problem reported for each field.
fn dedupe(errors: &mut Vec<FieldError>) {
    let mut seen = Vec::new();
    errors.retain(|e| {
        let first = !seen.contains(&e.field);
        seen.push(e.field);
        first
    });
}

/// The codes of the languages a party may be written to in, as the domain checks them.
fn language_codes() -> Vec<&'static str> {
    crate::i18n::Lang::ALL.iter().map(|l| l.code()).collect()
}

/// Reads and checks a party's fields (`role`, `name`, `contact`, `lang`); every problem is
/// reported, with type errors first.
pub fn party(fields: &mut impl Fields) -> Result<NewParty, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut text = |name| fields.field(name, &mut errors);
    let draft = PartyDraft {
        role: text("role").map(|v| v.to_string()),
        name: text("name"),
        contact: text("contact"),
        language: text("lang").map(|v| v.to_string()),
    };
    match validate_party(&draft, &language_codes()) {
        Ok(party) if errors.is_empty() => Ok(party),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// A whole number field (a party's number, a plan's version), required.
fn whole_number(
    fields: &mut impl Fields,
    name: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    let mut typing = Vec::new();
    let text = fields.field(name, &mut typing);
    if !typing.is_empty() {
        errors.extend(typing);
        return None;
    }
    match text.as_deref().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        None => {
            errors.push(FieldError::new(name, "api.problem.required"));
            None
        }
        Some(t) => t.parse::<u32>().ok().filter(|n| *n > 0).or_else(|| {
            errors.push(FieldError::new(name, "staff.problem.whole_number"));
            None
        }),
    }
}

/// An answer to a plan as a receipt holder gives it: `version` and `answer`.
pub fn plan_answer(fields: &mut impl Fields) -> Result<(u32, PlanAnswer), Vec<FieldError>> {
    let mut errors = Vec::new();
    let version = whole_number(fields, "version", &mut errors);
    let answer = fields.field("answer", &mut errors);
    let answer = match answer.as_deref().map(|a| a.trim()) {
        Some(code) if !code.is_empty() => PlanAnswer::from_code(code).or_else(|| {
            errors.push(FieldError::new("answer", "problem.plan_answer"));
            None
        }),
        _ => {
            errors.push(FieldError::new("answer", "problem.plan_answer"));
            None
        }
    };
    match (version, answer) {
        (Some(version), Some(answer)) if errors.is_empty() => Ok((version, answer)),
        _ => Err(errors),
    }
}

/// An answer the ombuds records for a party: `party`, `version`, `answer`, `channel` (telephone,
/// in person, post or e-mail) and `on` (blank: today).
pub struct RecordedAnswer {
    /// The party's number.
    pub party: u32,
    /// The version answered.
    pub version: u32,
    /// Accepted or declined.
    pub answer: PlanAnswer,
    /// How it was given.
    pub channel: AnswerChannel,
    /// When.
    pub on: chrono::NaiveDate,
}

/// Reads and checks an answer the ombuds records.
pub fn recorded_answer(
    fields: &mut impl Fields,
    today: chrono::NaiveDate,
) -> Result<RecordedAnswer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let party = whole_number(fields, "party", &mut errors);
    let checked = plan_answer(fields);
    let channel = fields.field("channel", &mut errors);
    let channel = match channel.as_deref().map(|c| c.trim()) {
        Some(code) if !code.is_empty() => RECORDED_CHANNELS
            .iter()
            .copied()
            .find(|c| c.code() == code)
            .or_else(|| {
                errors.push(FieldError::new("channel", "staff.problem.answer_channel"));
                None
            }),
        _ => {
            errors.push(FieldError::new("channel", "staff.problem.answer_channel"));
            None
        }
    };
    let on = fields.field("on", &mut errors);
    let on = validate_answer_date(on.as_deref().map(|d| d.as_str()), today)
        .map_err(|e| errors.push(e))
        .ok();
    let (version, answer) = match checked {
        Ok(pair) => (Some(pair.0), Some(pair.1)),
        Err(more) => {
            errors.extend(more);
            (None, None)
        }
    };
    match (party, version, answer, channel, on) {
        (Some(party), Some(version), Some(answer), Some(channel), Some(on))
            if errors.is_empty() =>
        {
            Ok(RecordedAnswer {
                party,
                version,
                answer,
                channel,
                on,
            })
        }
        _ => Err(errors),
    }
}

/// Reads and checks a plan's terms (`terms`).
pub fn plan_terms(fields: &mut impl Fields) -> Result<SecretString, Vec<FieldError>> {
    let mut errors = Vec::new();
    let terms = fields.field("terms", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    validate_terms(terms.as_deref().map(|t| t.as_str()))
}
