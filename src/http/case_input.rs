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
use crate::domain::text::clean_text;

/// The fields of a logged contact, as typed.
pub struct ContactInput {
    /// Channel code.
    pub channel: Option<String>,
    /// First-contact date as typed.
    pub first_contact: Option<String>,
    /// The concern's fields.
    pub draft: ConcernDraft,
}

/// Reads a logged contact's fields.
pub fn contact_input(fields: &mut impl Fields, errors: &mut Vec<FieldError>) -> ContactInput {
    let mut text = |name| fields.field(name, errors);
    let channel = text("channel").map(|v| v.to_string());
    let first_contact = text("first_contact").map(|v| v.to_string());
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
