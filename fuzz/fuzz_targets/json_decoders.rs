//! The JSON decoders: a body read as one JSON object, then each reader that takes one — the
//! public intake (`POST /api/v1/concerns`) and the console's logged contact, note, message and
//! outcome (`/api/v1/cases/...`).
//!
//! Invariants beyond "does not crash":
//! - every refusal is a client error (4xx), never a server error;
//! - an accepted concern, note or message respects its length limit, holds no control
//!   characters other than newline and tab, and has no surrounding whitespace;
//! - an accepted note expires after today and no later than the policy allows; a commitment
//!   has a due date before it expires.
#![no_main]
#![forbid(unsafe_code)]

#[path = "invariants.rs"]
mod invariants;

use chrono::{Datelike, Days, NaiveDate};
use libfuzzer_sys::fuzz_target;
use ombuds::domain::case::MAX_MESSAGE_CHARS;
use ombuds::domain::concern::{Limits, expose};
use ombuds::domain::notes::{MAX_NOTE_CHARS, NoteKind, NotePolicy};
use ombuds::http::case_input;
use ombuds::http::decode::JsonObject;
use ombuds::http::error::Problem;
use ombuds::http::intake::{JSON_FIELDS, check_json};
use secrecy::ExposeSecret;

const LIMITS: Limits = Limits {
    max_description_chars: 40,
    max_contact_chars: 12,
};
const POLICY: NotePolicy = NotePolicy {
    default_days: 30,
    max_days: 90,
};

fn assert_client_error(problem: &Problem) {
    assert!(problem.status().is_client_error(), "{problem:?}");
}

fuzz_target!(|body: &[u8]| {
    let Some(today) = NaiveDate::from_ymd_opt(2026, 11, 23) else {
        return;
    };
    let mut object = match JsonObject::parse(body) {
        Ok(object) => object,
        Err(problem) => return assert_client_error(&problem),
    };

    // The console's readers, on a copy (each takes the fields it reads).
    let copy = |object: &JsonObject| JsonObject(object.0.clone());

    let mut errors = Vec::new();
    let input = case_input::contact_input(&mut copy(&object), &mut errors);
    if let Ok((_, first_contact, concern)) =
        case_input::check_contact(&input, today, LIMITS, errors)
    {
        assert!(first_contact <= today);
        invariants::assert_clean(expose(&concern.description), LIMITS.max_description_chars);
    }

    if let Ok(note) = case_input::note(&mut copy(&object), today, POLICY) {
        invariants::assert_clean(note.text.expose_secret(), MAX_NOTE_CHARS);
        assert!(note.expires_on > today);
        assert!(
            Some(note.expires_on) <= today.checked_add_days(Days::new(u64::from(POLICY.max_days)))
        );
        if note.kind == NoteKind::Commitment {
            let due = note.due_on;
            assert!(due.is_some_and(|due| due < note.expires_on), "{due:?}");
        }
    }

    if let Ok(text) = case_input::message(&mut copy(&object)) {
        invariants::assert_clean(text.expose_secret(), MAX_MESSAGE_CHARS);
        assert!(!text.expose_secret().is_empty());
    }

    let mut outcome_errors = Vec::new();
    let code = copy(&object).text("outcome", &mut outcome_errors);
    if let Ok(outcome) = case_input::outcome(code.as_deref().map(String::as_str)) {
        assert_eq!(code.as_deref().map(|c| c.trim()), Some(outcome.code()));
    }

    // The public intake, as its handler runs it.
    if let Err(problem) = object.only(&JSON_FIELDS) {
        return assert_client_error(&problem);
    }
    match check_json(&mut object, today, LIMITS) {
        Err(problem) => assert_client_error(&problem),
        Ok(concern) => {
            invariants::assert_clean(expose(&concern.description), LIMITS.max_description_chars);
            if let Some(contact) = &concern.contact {
                invariants::assert_clean(expose(contact), LIMITS.max_contact_chars);
            }
            for date in [concern.concluded_on, concern.discovered_on]
                .into_iter()
                .flatten()
            {
                assert!(date <= today && date.year() >= 1900, "{date}");
            }
        }
    }
});
